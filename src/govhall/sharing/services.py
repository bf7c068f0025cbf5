"""Every write of the data sharing platform: resources, datasets, agreements, lookups (with their
access records), once-only materials, discrepancies (Art. 9) and Art. 8 supervision records.

A lookup never raises for a refusal: it writes the append-only ``AccessRecord`` (and its audit
event) and answers the outcome, so a refused request is on record even when the caller shows the
applicant "please upload instead". ``answer_peer_lookup`` (the other direction: a peer asks us)
commits the record first and then raises ``DomainError``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from govhall.catalog.codesets import FETCHED_SOURCES, MaterialSource
from govhall.catalog.models import Organ
from govhall.core import audit
from govhall.core.errors import Conflict, DomainError, Problem
from govhall.identity.selectors import person_of
from govhall.licenses.models import LicenceType

from . import datasets, hooks, keys, providers, scope
from .codes import FIELD_TYPES, ProviderKind, ShareClass, SubjectKind
from .models import (
    AccessOutcome,
    AccessRecord,
    DataRecord,
    DataResource,
    Dataset,
    Discrepancy,
    FetchableRequest,
    MaterialFetch,
    SharingAgreement,
)

ONCE_ONLY_BASIS = "《安徽省互联网政务服务办法》第八条（可共享获取的材料不得要求申请人提交）"
BATCH = 5000


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _p(code: str, zh: str, en: str, field_name: str = "") -> Problem:
    return Problem(code, zh, en, field_name)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


def _sm3(value) -> str:
    return hashlib.new("sm3", str(value or "").encode()).hexdigest()


# --- the resource catalogue ---------------------------------------------------------------------


RESOURCE_FIELDS = ("name", "name_en", "fields", "share_class", "classification", "legal_basis", "update_frequency",
                   "subject_kind", "provider_kind", "peer_code")


def fields_problems(fields) -> list[Problem]:
    problems = []
    if not isinstance(fields, list) or not fields:
        return [_p("sharing.resource.fields", "请至少定义一个字段", "define at least one field", "fields")]
    seen = set()
    for i, f in enumerate(fields, 1):
        name = str((f or {}).get("name", "")).strip()
        if not name or not name.replace("_", "").isalnum() or not name.isascii():
            problems.append(_p("sharing.resource.field_name", f"第 {i} 个字段名无效（字母、数字、下划线）",
                               f"field {i}: the name must be letters, digits and underscores", "fields"))
        elif name in seen:
            problems.append(_p("sharing.resource.field_twice", f"字段“{name}”重复", f"field “{name}” appears twice",
                               "fields"))
        seen.add(name)
        if f.get("type", "text") not in FIELD_TYPES:
            problems.append(_p("sharing.resource.field_type", f"字段“{name}”的类型应为 {'/'.join(FIELD_TYPES)}",
                               f"field “{name}”: the type must be one of {', '.join(FIELD_TYPES)}", "fields"))
    return problems


def _resource_problems(data: dict, *, creating: bool) -> list[Problem]:
    problems = []
    if creating:
        code = str(data.get("code", "")).strip()
        if not code or len(code) > 50:
            problems.append(_p("sharing.resource.code", "请填写资源代码（不超过 50 个字符）", "give the resource code "
                               "(at most 50 characters)", "code"))
        elif DataResource.objects.filter(code=code).exists():
            problems.append(_p("sharing.resource.code_taken", f"资源代码 {code} 已存在", f"resource code {code} exists",
                               "code"))
    for name, zh, en in (("name", "请填写资源名称", "give the name"), ("legal_basis", "请填写共享的法律依据",
                                                                   "give the legal basis for sharing")):
        if not str(data.get(name, "")).strip():
            problems.append(_p(f"sharing.resource.{name}", zh, en, name))
    problems += fields_problems(data.get("fields"))
    choices = {"share_class": ShareClass, "subject_kind": SubjectKind, "provider_kind": ProviderKind}
    for name, enum in choices.items():
        if data.get(name) not in enum.values:
            problems.append(_p(f"sharing.resource.{name}", "请选择有效的取值", "choose a valid value", name))
    if data.get("provider_kind") == ProviderKind.REMOTE and not str(data.get("peer_code", "")).strip():
        problems.append(_p("sharing.resource.peer_code", "远程提供方须填写节点代码", "a remote provider needs the peer "
                           "code", "peer_code"))
    return problems


def _clean_fields(fields: list[dict]) -> list[dict]:
    return [{"name": str(f["name"]).strip(), "label_zh": str(f.get("label_zh") or f["name"]).strip(),
             "label_en": str(f.get("label_en") or f["name"]).strip(), "type": f.get("type", "text"),
             "required": bool(f.get("required")), "form_field": str(f.get("form_field", "")).strip()}
            for f in fields]


def _resource_view(r: DataResource) -> dict:
    return {"code": r.code, "name": r.name, "provider": r.provider_organ.credit_code, "share_class": r.share_class,
            "classification": r.classification, "subject_kind": r.subject_kind, "provider_kind": r.provider_kind,
            "peer_code": r.peer_code, "fields": [f["name"] for f in r.fields], "legal_basis": r.legal_basis,
            "update_frequency": r.update_frequency}


@transaction.atomic
def resource_create(*, actor, code: str, provider_organ: Organ, **data) -> DataResource:
    """Register a resource provided by ``provider_organ`` (the actor's scope). Audit: sharing.resource.created."""
    scope.ensure_manages(actor, provider_organ)
    data.setdefault("provider_kind", ProviderKind.LOCAL)
    _raise(_resource_problems({"code": code, **data}, creating=True))
    values = {k: data[k] for k in RESOURCE_FIELDS if k in data}
    values["fields"] = _clean_fields(values["fields"])
    resource = DataResource.objects.create(code=code.strip(), provider_organ=provider_organ, **values)
    audit.record(actor=actor, action="sharing.resource.created", target=resource, after=_resource_view(resource))
    return resource


@transaction.atomic
def resource_update(*, actor, resource: DataResource, **changes) -> DataResource:
    """Change a resource's description. Audit: sharing.resource.changed (before and after)."""
    resource = DataResource.objects.select_for_update().select_related("provider_organ").get(pk=resource.pk)
    scope.ensure_manages(actor, resource.provider_organ)
    before = _resource_view(resource)
    data = {**{k: getattr(resource, k) for k in RESOURCE_FIELDS}, **changes}
    _raise(_resource_problems(data, creating=False))
    data["fields"] = _clean_fields(data["fields"])
    for k in RESOURCE_FIELDS:
        setattr(resource, k, data[k])
    resource.save()
    audit.record(actor=actor, action="sharing.resource.changed", target=resource, before=before,
                 after=_resource_view(resource))
    return resource


# --- local datasets -----------------------------------------------------------------------------


@transaction.atomic
def dataset_upload(*, actor, resource: DataResource, data: bytes, filename: str, note: str = "") -> Dataset:
    """Check every row of the file (all problems at once, nothing stored on any) and store it as the
    resource's next version, which becomes current. Audit: sharing.dataset.uploaded."""
    resource = DataResource.objects.select_for_update().select_related("provider_organ").get(pk=resource.pk)
    scope.ensure_manages(actor, resource.provider_organ)
    if resource.provider_kind != ProviderKind.LOCAL:
        raise DomainError.single("sharing.dataset.remote", "远程提供的资源不能上传数据集",
                                 "a remotely provided resource takes no dataset", "file")
    dataset = _new_dataset(actor, resource, filename, hashlib.sha256(data).hexdigest(), note)
    written = [0]

    def sink(rows: list[datasets.ParsedRow]) -> None:
        _write(dataset, rows)
        written[0] += len(rows)

    datasets.parse(resource, data, filename, sink=sink, batch=BATCH)  # raises: the transaction rolls back
    return _make_current(actor, resource, dataset, written[0])


def _new_dataset(actor, resource: DataResource, filename: str, sha256: str, note: str) -> Dataset:
    last = resource.datasets.order_by("-version").values_list("version", flat=True).first() or 0
    return Dataset.objects.create(resource=resource, version=last + 1, filename=filename[:200], sha256=sha256,
                                  uploaded_by=actor if getattr(actor, "pk", None) else None, uploaded_at=_now(),
                                  note=note[:300])


def _write(dataset: Dataset, rows: list[datasets.ParsedRow]) -> None:
    DataRecord.objects.bulk_create([DataRecord(dataset=dataset, subject_index=r.index, subject_masked=r.masked,
                                               data=r.data) for r in rows], batch_size=BATCH)


def store_dataset(*, actor, resource: DataResource, rows: list[datasets.ParsedRow], filename: str, sha256: str,
                  note: str = "") -> Dataset:
    """Write checked rows as the next version (inside the caller's transaction)."""
    dataset = _new_dataset(actor, resource, filename, sha256, note)
    _write(dataset, rows)
    return _make_current(actor, resource, dataset, len(rows))


def _make_current(actor, resource: DataResource, dataset: Dataset, count: int) -> Dataset:
    dataset.record_count = count
    dataset.save(update_fields=["record_count"])
    previous = resource.current_dataset_id
    resource.current_dataset = dataset
    resource.save(update_fields=["current_dataset", "updated_at"])
    audit.record(actor=actor, action="sharing.dataset.uploaded", target=resource,
                 before={"dataset": previous}, after={"version": dataset.version, "records": dataset.record_count,
                                                      "sha256": dataset.sha256, "filename": dataset.filename})
    return dataset


# --- sharing agreements -------------------------------------------------------------------------


@transaction.atomic
def agreement_request(*, actor, resource: DataResource, fields: list[str], purpose: str, legal_basis: str,
                      valid_until: dt.date, requester_organ: Organ | None = None,
                      requester_peer: str = "") -> SharingAgreement:
    """An organ (the actor's) or a peer system asks for named fields of a conditional resource.
    Audit: sharing.agreement.requested."""
    if requester_organ is not None and actor is not None:
        scope.ensure_manages(actor, requester_organ)
    problems = []
    if requester_organ is None and not requester_peer.strip():
        problems.append(_p("sharing.agreement.requester", "请指明申请部门或节点", "name the requesting organ or peer",
                           "requester_organ"))
    if resource.share_class != ShareClass.CONDITIONAL:
        problems.append(_p("sharing.agreement.not_conditional", "只有有条件共享的资源需要共享协议",
                           "only conditionally shared resources take agreements", "resource"))
    unknown = sorted(set(fields or []) - set(resource.field_names))
    if not fields:
        problems.append(_p("sharing.agreement.fields", "请选择申请的字段", "choose the fields", "fields"))
    elif unknown:
        problems.append(_p("sharing.fields.unknown", f"资源没有这些字段：{'、'.join(unknown)}",
                           f"the resource has no fields {', '.join(unknown)}", "fields"))
    if not (purpose or "").strip():
        problems.append(_p("sharing.purpose.required", "请写明使用目的", "give the purpose", "purpose"))
    if not (legal_basis or "").strip():
        problems.append(_p("sharing.legal_basis.required", "请写明法律依据", "give the legal basis", "legal_basis"))
    if valid_until is None or valid_until <= _today():
        problems.append(_p("sharing.agreement.valid_until", "有效期须晚于今天", "the expiry must be after today",
                           "valid_until"))
    _raise(problems)
    agreement = SharingAgreement.objects.create(
        resource=resource, requester_organ=requester_organ, requester_peer=requester_peer.strip(),
        fields=sorted(set(fields)), purpose=purpose.strip(), legal_basis=legal_basis.strip(), valid_until=valid_until,
        requested_by=actor if getattr(actor, "pk", None) else None, requested_at=_now())
    audit.record(actor=actor, action="sharing.agreement.requested", target=agreement,
                 after={"resource": resource.code, "requester": agreement.requester_label, "fields": agreement.fields,
                        "valid_until": valid_until})
    return agreement


@transaction.atomic
def agreement_decide(*, actor, agreement: SharingAgreement, approve: bool, note: str = "") -> SharingAgreement:
    """The provider organ approves (access granted for the named fields until the expiry) or refuses
    (with a reason). Audit: sharing.agreement.approved / refused."""
    agreement = SharingAgreement.objects.select_for_update().select_related("resource__provider_organ").get(
        pk=agreement.pk)
    scope.ensure_manages(actor, agreement.resource.provider_organ)
    if agreement.state != SharingAgreement.State.REQUESTED:
        raise Conflict.single("sharing.agreement.decided", "该协议申请已经处理", "this request was already decided")
    if not approve and not note.strip():
        raise DomainError.single("sharing.agreement.reason", "不同意时请写明理由", "give the reason for refusing",
                                 "note")
    agreement.state = SharingAgreement.State.APPROVED if approve else SharingAgreement.State.REFUSED
    agreement.decided_by = actor if getattr(actor, "pk", None) else None
    agreement.decided_at, agreement.decision_note = _now(), note.strip()
    agreement.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=actor, action=f"sharing.agreement.{agreement.state}", target=agreement, reason=note,
                 after={"fields": agreement.fields, "valid_until": agreement.valid_until})
    return agreement


@transaction.atomic
def agreement_revoke(*, actor, agreement: SharingAgreement, reason: str) -> SharingAgreement:
    agreement = SharingAgreement.objects.select_for_update().select_related("resource__provider_organ").get(
        pk=agreement.pk)
    scope.ensure_manages(actor, agreement.resource.provider_organ)
    if not reason.strip():
        raise DomainError.single("sharing.agreement.reason", "请写明撤销理由", "give the reason", "reason")
    agreement.state = SharingAgreement.State.REVOKED
    agreement.decision_note = reason.strip()
    agreement.save(update_fields=["state", "decision_note"])
    audit.record(actor=actor, action="sharing.agreement.revoked", target=agreement, reason=reason)
    return agreement


# --- lookups ------------------------------------------------------------------------------------


@dataclass
class Requester:
    """Who asks: an officer (``user``) or a system acting for ``organ``, or a peer node."""

    label: str
    user: object = None
    organ: Organ | None = None
    peer: str = ""


@dataclass
class Result:
    outcome: str
    access: AccessRecord
    record: dict = field(default_factory=dict)
    version: str = ""
    provider_label: str = ""
    data_record: DataRecord | None = None
    labels: dict = field(default_factory=dict)
    problem: Problem | None = None

    @property
    def granted(self) -> bool:
        return self.outcome == AccessOutcome.GRANTED


REFUSALS = {
    "sharing.resource.unknown": ("没有该数据资源", "there is no such data resource"),
    "sharing.resource.not_shared": ("该数据资源不予共享", "this data resource is not shared"),
    "sharing.purpose.required": ("调用数据须写明使用目的", "a request must state its purpose"),
    "sharing.legal_basis.required": ("调用数据须写明法律依据", "a request must state its legal basis"),
    "sharing.fields.unknown": ("请求了资源中不存在的字段", "the request names fields the resource does not have"),
    "sharing.agreement.missing": ("没有经提供部门批准的共享协议", "there is no sharing agreement approved by the provider"),
    "sharing.agreement.expired": ("共享协议已过期", "the sharing agreement has expired"),
    "sharing.fields.beyond_agreement": ("请求的字段超出共享协议的范围", "the request names fields beyond the agreement"),
    "sharing.subject.invalid": ("主体标识无效", "the subject key is invalid"),
    "sharing.subject.unknown": ("提供方没有该主体的记录", "the provider has no record of this subject"),
    "sharing.provider.unavailable": ("数据提供方暂时无法访问", "the data provider is not available now"),
    "sharing.peer.answer_invalid": ("数据提供方的应答无效", "the data provider's answer is invalid"),
    "sharing.peer.refused": ("数据提供方拒绝了请求", "the data provider refused the request"),
}


def _problem(code: str, detail: str = "") -> Problem:
    zh, en = REFUSALS[code]
    return Problem(code, zh + (f"：{detail}" if detail else ""), en + (f": {detail}" if detail else ""), "")


def _agreement_for(resource: DataResource, requester: Requester, fields: list[str], today: dt.date):
    """(agreement, problem code, detail) for a conditional resource."""
    q = Q(requester_peer=requester.peer) if requester.peer else Q(requester_organ=requester.organ)
    if not requester.peer and requester.organ is None:
        return None, "sharing.agreement.missing", ""
    approved = list(SharingAgreement.objects.filter(q, resource=resource, state=SharingAgreement.State.APPROVED)
                    .order_by("-valid_until"))
    if not approved:
        return None, "sharing.agreement.missing", ""
    current = [a for a in approved if a.valid_until >= today]
    if not current:
        return approved[0], "sharing.agreement.expired", str(approved[0].valid_until)
    for agreement in current:
        if set(fields) <= set(agreement.fields):
            return agreement, "", ""
    beyond = sorted(set(fields) - set(current[0].fields))
    return current[0], "sharing.fields.beyond_agreement", "、".join(beyond)


def lookup(*, resource: DataResource | None, resource_code: str = "", subject_key: str, fields: list[str] | None,
           purpose: str, legal_basis: str, requester: Requester, case_number: str = "", application=None,
           material=None) -> Result:
    """Ask for a subject's record. Every request, answered or refused, leaves one AccessRecord and
    an audit event. ``fields`` None: every field the requester may have (all, or the agreement's)."""
    with transaction.atomic():
        result = _lookup(resource, resource_code, subject_key, fields, purpose, legal_basis, requester, case_number,
                         application, material)
        _record_accesses(requester.user, [result.access])
        return result


def _access_view(access: AccessRecord) -> dict:
    return {"resource": access.resource_code, "subject": access.subject_masked, "fields": access.fields,
            "requester": access.requester_label, "case": access.case_number, "version": access.version,
            "outcome": access.outcome, "reason": access.reason_code}


def _record_accesses(actor, accesses: list[AccessRecord]) -> None:
    """Write access records (append-only) and their audit: one event per request, or one event
    listing every request of a batch (the once-only resolution of an application)."""
    if len(accesses) == 1:
        access = accesses[0]
        access.save()
        audit.record(actor=actor, action=f"sharing.access.{access.outcome}", target=access,
                     target_label=f"{access.resource_code} · {access.subject_masked}", after=_access_view(access),
                     reason=access.reason_code)
        return
    if not accesses:
        return
    AccessRecord.objects.bulk_create(accesses)
    first = accesses[0]
    target = first.application if first.application_id else first
    audit.record(actor=actor, action="sharing.access.batch", target=target,
                 target_label=f"{len(accesses)} × {first.subject_masked}",
                 after={"requests": [{"id": a.pk, **_access_view(a)} for a in accesses]})


def _lookup(resource, resource_code, subject_key, fields, purpose, legal_basis, requester, case_number, application,
            material) -> Result:
    """Decide and answer one request; the access record is returned unsaved (see _record_accesses)."""
    today = _today()
    kind = resource.subject_kind if resource else ""
    access = AccessRecord(
        at=_now(), resource=resource, resource_code=(resource.code if resource else resource_code)[:50],
        resource_name=resource.name if resource else "", provider_organ=resource.provider_organ if resource else None,
        provider_label=resource.provider_organ.name if resource else "", requester_user=requester.user,
        requester_organ=requester.organ, requester_peer=requester.peer, requester_label=requester.label[:150],
        subject_kind=kind, subject_index=keys.subject_index(kind, subject_key) if resource and subject_key else "",
        subject_masked=keys.masked(kind, subject_key) if subject_key else "", purpose=(purpose or "").strip(),
        legal_basis=(legal_basis or "").strip(), case_number=case_number, application=application, material=material)
    code, detail, agreement, answer = "", "", None, None
    if resource is None:
        code = "sharing.resource.unknown"
    elif not access.purpose:
        code = "sharing.purpose.required"
    elif not access.legal_basis:
        code = "sharing.legal_basis.required"
    elif resource.share_class == ShareClass.NOT_SHARED:
        code = "sharing.resource.not_shared"
    if not code:
        wanted = list(fields) if fields else None
        unknown = sorted(set(wanted or []) - set(resource.field_names))
        if unknown:
            code, detail = "sharing.fields.unknown", "、".join(unknown)
        elif resource.share_class == ShareClass.CONDITIONAL:
            agreement, code, detail = _agreement_for(resource, requester, wanted or [], today)
            if wanted is None and agreement is not None and not code:
                wanted = list(agreement.fields)
            elif wanted is None and code == "":
                wanted = resource.field_names
        wanted = wanted if wanted is not None else resource.field_names
        access.fields, access.agreement = wanted, agreement
    if not code and keys.problem(kind, subject_key):
        code = "sharing.subject.invalid"
    if not code:
        try:
            if resource.provider_kind == ProviderKind.REMOTE:
                answer = providers.remote(resource, subject_key=keys.clean(subject_key), fields=access.fields,
                                          purpose=access.purpose, legal_basis=access.legal_basis,
                                          case_number=case_number, requester=requester.label)
            else:
                answer = providers.local(resource, access.subject_index)
        except providers.NoRecord:
            code, outcome = "sharing.subject.unknown", AccessOutcome.NOT_FOUND
        except providers.Unavailable:
            code, outcome = "sharing.provider.unavailable", AccessOutcome.UNAVAILABLE
        except providers.InvalidAnswer as exc:
            code, outcome, detail = "sharing.peer.answer_invalid", AccessOutcome.REFUSED, str(exc)[:200]
        except providers.Refused as exc:  # the peer's signed refusal: its code when we know it
            known = exc.code in REFUSALS and exc.code != "sharing.subject.unknown"
            code = exc.code if known else "sharing.peer.refused"
            outcome, detail = AccessOutcome.REFUSED, "" if known else exc.code[:200]
    else:
        outcome = AccessOutcome.REFUSED
    if answer is not None:
        outcome = AccessOutcome.GRANTED
        access.version, access.provider_label = answer.version, answer.provider_label[:150]
    problem = _problem(code, detail) if code else None
    access.outcome, access.reason_code = outcome, code
    access.reason = problem.message_zh if problem else ""
    if answer is None:
        return Result(outcome, access, problem=problem)
    asked = set(access.fields)
    record = {k: answer.record.get(k) for k in resource.field_names if k in asked}  # in the resource's order
    labels = {f["name"]: [f["label_zh"], f["label_en"]] for f in resource.fields}
    return Result(outcome, access, record, answer.version, answer.provider_label, answer.data_record, labels)


def answer_peer_lookup(*, peer: str, resource_code: str, subject_key: str, fields: list[str], purpose: str,
                       legal_basis: str, case_number: str, requester: str) -> dict:
    """Answer another node's ``sharing.lookup`` from our local datasets, under the same purpose and
    agreement rules (the peer is the requesting system). The access record is committed before a
    refusal is raised as DomainError (sharing.subject.unknown, sharing.purpose.required,
    sharing.agreement.missing/expired, sharing.fields.beyond_agreement, …)."""
    resource = (DataResource.objects.select_related("provider_organ", "current_dataset")
                .filter(code=resource_code, provider_kind=ProviderKind.LOCAL).first())
    who = Requester(label=f"peer:{peer} · {requester}"[:150], peer=peer)
    result = lookup(resource=resource, resource_code=resource_code, subject_key=subject_key, fields=fields or None,
                    purpose=purpose, legal_basis=legal_basis, requester=who, case_number=case_number)
    if not result.granted:
        raise DomainError([result.problem])
    return {"record": result.record, "version": result.version, "provider_organ": result.provider_label}


# --- once-only materials --------------------------------------------------------------------------


def _subject_keys(application) -> dict[str, str]:
    found = {}
    person = person_of(application.applicant)
    if person is not None and person.id_type == "resident_id":
        found[SubjectKind.RESIDENT_ID] = person.reveal_id_number()
    if application.legal_person_id:
        found[SubjectKind.CREDIT_CODE] = application.legal_person.credit_code
    return found


def _fetch_row(row, application, *, resources, licence_types, subject_keys, requester, purpose, today):
    """Fetch one material; None when there is nothing to fetch it from (the organ fetches it itself)."""
    m = row.material
    if m.source == MaterialSource.SHARED_DATA:
        resource = resources.get(m.data_resource_code)
        if resource is None:
            return None
        key = subject_keys.get(resource.subject_kind)
        basis = f"{resource.legal_basis}；{ONCE_ONLY_BASIS}"
        if key is None:
            return MaterialFetch(application_material=row, state=MaterialFetch.State.UNAVAILABLE,
                                 source=m.source, resource_code=resource.code, resource_name=resource.name,
                                 provider_label=resource.provider_organ.name, fetched_at=_now(),
                                 reason_code="sharing.subject.none")
        result = _lookup(resource, resource.code, key, None, purpose, basis, requester, "", application, m)
        return _fetch_from(row, m, resource.code, resource.name, result)
    licence_type = licence_types.get(m.licence_type_code)
    if licence_type is None:
        return None
    kind = SubjectKind.RESIDENT_ID if licence_type.holder_kind == "person" else SubjectKind.CREDIT_CODE
    key = subject_keys.get(kind)
    return _licence_fetch(row, m, licence_type, kind, key, application, requester, purpose, today)


def _licence_fetch(row, m, licence_type, kind, key, application, requester, purpose, today):
    access = AccessRecord(
        at=_now(), resource_code=licence_type.type_code, resource_name=licence_type.name,
        provider_organ=licence_type.defining_organ, provider_label=licence_type.defining_organ.name,
        requester_user=requester.user, requester_organ=requester.organ, requester_label=requester.label[:150],
        subject_kind=kind, subject_index=keys.subject_index(kind, key) if key else "",
        subject_masked=keys.masked(kind, key) if key else "", fields=["licence"], purpose=purpose,
        legal_basis=ONCE_ONLY_BASIS, application=application, material=m)
    answer = None
    if key is None:
        access.outcome, access.reason_code = AccessOutcome.NOT_FOUND, "sharing.subject.none"
    else:
        try:
            answer = providers.licence(licence_type, key, today)
        except providers.NoRecord:
            access.outcome, access.reason_code = AccessOutcome.NOT_FOUND, "sharing.subject.unknown"
    if answer is not None:
        access.outcome, access.version, access.provider_label = AccessOutcome.GRANTED, answer.version, \
            answer.provider_label[:150]
    access.reason = REFUSALS[access.reason_code][0] if access.reason_code in REFUSALS else ""
    result = Result(access.outcome, access, answer.record if answer else {}, access.version,
                    access.provider_label, None, answer.labels if answer else {})
    return _fetch_from(row, m, licence_type.type_code, licence_type.name, result)


def _fetch_from(row, m, code: str, name: str, result: Result) -> MaterialFetch:
    granted = result.granted
    return MaterialFetch(
        application_material=row, state=MaterialFetch.State.FETCHED if granted else MaterialFetch.State.UNAVAILABLE,
        source=m.source, resource_code=code, resource_name=name, provider_label=result.access.provider_label,
        version=result.version, fetched_at=result.access.at, record=result.record if granted else {},
        labels=result.labels, credibility="A" if granted else "", access=result.access,
        reason_code=result.access.reason_code, data_record=result.data_record)


def resolve_application(*, actor, application, rows=None) -> list[MaterialFetch]:
    """Once-only (Art. 8): fetch every shared-data and e-licence material of an application for its
    applicant and record it (``fetch_materials`` then ``record_fetches``, in the caller's
    transaction). A new application fetches before its transaction opens instead
    (cases.services.application_start), so no remote node is asked while rows are locked."""
    if rows is None:
        rows = list(application.materials.select_related("material").filter(material__source__in=FETCHED_SOURCES))
    return record_fetches(fetch_materials(application=application, rows=rows))


def fetch_materials(*, application, rows) -> list[MaterialFetch]:
    """Ask the registers and other nodes for the application's fetchable materials and return the
    provenance rows, *unsaved*, with their access records (``record_fetches`` writes them). Writes
    nothing, so it runs outside any transaction, before the application and its material rows are
    saved. Fetched ones stay "to be fetched" (nothing to upload) with provenance and credibility A,
    waiting for the applicant's confirmation; the ones that cannot be fetched now become "not yet
    provided" with "not available now, please upload instead". Materials with no registered resource
    or licence type are left to the organ, as before."""

    rows = [r for r in rows if r.material.source in FETCHED_SOURCES]
    if not rows:
        return []
    codes = {r.material.data_resource_code for r in rows if r.material.source == MaterialSource.SHARED_DATA}
    types = {r.material.licence_type_code for r in rows if r.material.source == MaterialSource.E_LICENCE}
    resources = {r.code: r for r in DataResource.objects.filter(code__in=codes).select_related("provider_organ")}
    licence_types = {t.type_code: t for t in LicenceType.objects.filter(type_code__in=types)
                     .select_related("defining_organ")} if types else {}
    if not resources and not licence_types:
        return []
    version, organ = application.version, application.item.organ
    taken_by = application.taken_by if application.taken_by_id else None
    requester = Requester(label=f"{organ.name}（一网通办）" if taken_by is None else f"{taken_by.get_username()}"
                          f"（{organ.name}）", user=taken_by, organ=organ)
    purpose = f"办理“{version.name}”：免于申请人提交材料"  # the record links the application itself
    subject_keys = _subject_keys(application)
    today = _today()
    fetches = []
    for row in rows:
        fetch = _fetch_row(row, application, resources=resources, licence_types=licence_types,
                           subject_keys=subject_keys, requester=requester, purpose=purpose, today=today)
        if fetch is not None:
            fetches.append(fetch)
    return fetches


def record_fetches(fetches: list[MaterialFetch]) -> list[MaterialFetch]:
    """Write what ``fetch_materials`` found (the application and its material rows saved by now):
    the access records with their audit, the materials that could not be fetched marked missing,
    and the provenance rows. Runs in the caller's transaction."""
    if not fetches:
        return []
    accesses = [f.access for f in fetches if f.access is not None]
    _record_accesses(accesses[0].requester_user if accesses else None, accesses)
    missing = [f.application_material.pk for f in fetches if not f.usable]
    if missing:
        ApplicationMaterial = type(fetches[0].application_material)  # noqa: N806  (cases' model, from the rows)
        ApplicationMaterial.objects.filter(pk__in=missing, status=ApplicationMaterial.Status.TO_FETCH).update(
            status=ApplicationMaterial.Status.MISSING)
        for f in fetches:
            if not f.usable and f.application_material.status == ApplicationMaterial.Status.TO_FETCH:
                f.application_material.status = ApplicationMaterial.Status.MISSING
    MaterialFetch.objects.bulk_create(fetches)
    return fetches


def _fetch_of(actor, application, material_id: int) -> MaterialFetch:
    Application = type(application)  # noqa: N806  (cases' model, from the object the caller passed)
    application = Application.objects.select_for_update().get(pk=application.pk)
    hooks.ensure_acting_authority(actor, application, lock=True)  # an agent only while the mandate covers it
    if application.state != Application.State.DRAFT:
        raise Conflict.single("cases.application.submitted", "申请已提交，不能再修改",
                              "the application has been submitted and can no longer be changed")
    fetch = (MaterialFetch.objects.select_for_update().select_related("application_material__material")
             .filter(application_material__application=application,
                     application_material__material_id=material_id).first())
    if fetch is None:
        raise DomainError.single("sharing.fetch.none", "该材料没有共享获取的数据", "nothing was fetched for this "
                                 "material", "material")
    return fetch


@transaction.atomic
def fetch_confirm(*, actor, application, material_id: int) -> MaterialFetch:
    """The applicant confirms the fetched data as shown is to be used. Audit: sharing.fetch.confirmed."""
    fetch = _fetch_of(actor, application, material_id)
    if fetch.state != MaterialFetch.State.FETCHED:
        raise Conflict.single("sharing.fetch.state", "该材料当前不能确认", "this material cannot be confirmed now",
                              "material")
    fetch.state, fetch.decided_at = MaterialFetch.State.CONFIRMED, _now()
    fetch.save(update_fields=["state", "decided_at"])
    audit.record(actor=actor, action="sharing.fetch.confirmed", target=fetch.application_material.application,
                 after={"material": fetch.application_material.material.name, "resource": fetch.resource_code,
                        "version": fetch.version})
    return fetch


@transaction.atomic
def fetch_decline(*, actor, application, material_id: int) -> MaterialFetch:
    """The applicant does not want the fetched data used: they upload the material instead.
    Audit: sharing.fetch.declined."""
    fetch = _fetch_of(actor, application, material_id)
    if fetch.state not in (MaterialFetch.State.FETCHED, MaterialFetch.State.CONFIRMED):
        raise Conflict.single("sharing.fetch.state", "该材料当前不能拒绝使用", "this material cannot be declined now",
                              "material")
    fetch.state, fetch.decided_at = MaterialFetch.State.DECLINED, _now()
    fetch.save(update_fields=["state", "decided_at"])
    row = fetch.application_material
    row.status = type(row).Status.MISSING
    row.save(update_fields=["status"])
    audit.record(actor=actor, action="sharing.fetch.declined", target=row.application,
                 after={"material": row.material.name, "resource": fetch.resource_code})
    return fetch


@transaction.atomic
def fetch_retry(*, actor, application, material_id: int) -> MaterialFetch:
    """Try again a fetch that was not available (the provider may be back). Replaces the
    provenance row; the earlier access record stays."""
    fetch = _fetch_of(actor, application, material_id)
    row = fetch.application_material
    if fetch.state != MaterialFetch.State.UNAVAILABLE or row.files.filter(replaced=False).exists():
        raise Conflict.single("sharing.fetch.state", "该材料当前不能重新获取", "this material cannot be fetched again now",
                              "material")
    fetch.delete()
    row.status = type(row).Status.TO_FETCH
    row.save(update_fields=["status"])
    made = resolve_application(actor=actor, application=row.application, rows=[row])
    if not made:
        raise DomainError.single("sharing.fetch.none", "该材料没有可用的共享数据", "no shared data for this material",
                                 "material")
    return made[0]


def application_fetches(application) -> list[MaterialFetch]:
    """Every provenance row of the application, read once at submission for both checks below."""
    return list(MaterialFetch.objects.filter(application_material__application=application)
                .select_related("application_material__material", "data_record__dataset__resource"))


def submission_problems(application, fetches: list[MaterialFetch] | None = None) -> list[Problem]:
    """Fetched data the applicant has neither confirmed nor declined (they must see it first). At
    the window the officer shows it to the citizen on the counter page: submitting there confirms
    (``fetches_confirm_at_window``, called by the submission). A read: writes nothing. ``fetches``:
    ``application_fetches(application)`` when the caller has read them already."""
    fetches = application_fetches(application) if fetches is None else fetches
    pending = [f for f in fetches if f.state == MaterialFetch.State.FETCHED]
    if application.taken_by_id:
        return []
    return [Problem("sharing.fetch.unconfirmed",
                    f"“{f.application_material.material.name}”：请确认是否使用共享获取的数据",
                    f"“{f.application_material.material.name}”: confirm or decline the data fetched for you",
                    f"material:{f.application_material.material_id}") for f in pending]


def fetches_confirm_at_window(*, actor, application) -> int:
    """At the window the citizen saw the fetched data on the counter page: submitting there confirms
    what is still unconfirmed. Runs in the submission's transaction (cases.services.application_submit);
    the number confirmed. Audit: sharing.fetch.confirmed_at_window when there was any."""
    if not application.taken_by_id:
        return 0
    pending = MaterialFetch.objects.filter(application_material__application=application,
                                           state=MaterialFetch.State.FETCHED)
    count = pending.update(state=MaterialFetch.State.CONFIRMED, decided_at=_now())
    if count:
        audit.record(actor=actor, action="sharing.fetch.confirmed_at_window", target=application,
                     after={"materials": count})
    return count


# --- consistency (Art. 9) -------------------------------------------------------------------------


def _norm(value) -> str:
    return "".join(str(value or "").split())


def check_consistency(*, actor, application, case, fetches: list[MaterialFetch] | None = None) -> list[Discrepancy]:
    """At submission: compare what the applicant typed with the shared records used for the
    application; every difference becomes a Discrepancy for the provider organ to verify. Runs in
    the caller's transaction. ``fetches``: as for ``submission_problems``."""
    fetches = application_fetches(application) if fetches is None else fetches
    fetches = [f for f in fetches if f.state == MaterialFetch.State.CONFIRMED and f.data_record_id is not None]
    form = application.form_data or {}
    found = []
    for fetch in fetches:
        record, resource = fetch.data_record, fetch.data_record.dataset.resource
        for f in resource.fields:
            form_field = f.get("form_field")
            if not form_field or not str(form.get(form_field, "")).strip() or record.data.get(f["name"]) in (None, ""):
                continue
            if _norm(form[form_field]) != _norm(record.data[f["name"]]):
                found.append(Discrepancy(resource=resource, record=record, application=application,
                                         case_number=case.number, field=f["name"],
                                         shared_value=str(record.data[f["name"]]),
                                         submitted_value=str(form[form_field])[:2000], found_at=_now()))
    for d in found:
        d.save()
        audit.record(actor=actor, action="sharing.discrepancy.found", target=d,
                     after={"resource": d.resource.code, "field": d.field, "case": d.case_number,
                            "subject": d.record.subject_masked, "shared_sm3": _sm3(d.shared_value),
                            "submitted_sm3": _sm3(d.submitted_value)})
    return found


@transaction.atomic
def discrepancy_decide(*, actor, discrepancy: Discrepancy, correct: bool, reason: str,
                       value: str | None = None) -> Discrepancy:
    """The provider organ's verification: correct the source record (a new revision with the
    verified value, default the submitted one) or dismiss with a reason. Audit:
    sharing.discrepancy.corrected / dismissed."""
    d = Discrepancy.objects.select_for_update().select_related("resource__provider_organ", "record__dataset").get(
        pk=discrepancy.pk)
    scope.ensure_manages(actor, d.resource.provider_organ)
    if d.state != Discrepancy.State.OPEN:
        raise Conflict.single("sharing.discrepancy.decided", "该不一致已经核实处理", "this discrepancy was already "
                              "decided")
    if not reason.strip():
        raise DomainError.single("sharing.discrepancy.reason", "请写明核实结论或理由", "give the result of the "
                                 "verification or the reason", "reason")
    if correct:
        old = DataRecord.objects.select_for_update().get(pk=d.record_id)
        latest = (DataRecord.objects.select_for_update().filter(dataset_id=old.dataset_id,
                                                                subject_index=old.subject_index, current=True).first()
                  or old)
        new_value = (value if value is not None and value.strip() else d.submitted_value).strip()
        latest.current = False
        DataRecord.objects.filter(pk=latest.pk).update(current=False)
        d.new_record = DataRecord.objects.create(dataset_id=latest.dataset_id, subject_index=latest.subject_index,
                                                 subject_masked=latest.subject_masked,
                                                 data={**latest.data, d.field: new_value},
                                                 revision=latest.revision + 1, current=True)
        d.state = Discrepancy.State.CORRECTED
    else:
        d.state = Discrepancy.State.DISMISSED
    d.decided_by, d.decided_at, d.reason = actor, _now(), reason.strip()
    d.save(update_fields=["state", "decided_by", "decided_at", "reason", "new_record"])
    audit.record(actor=actor, action=f"sharing.discrepancy.{d.state}", target=d, reason=reason,
                 after={"resource": d.resource.code, "field": d.field, "subject": d.record.subject_masked,
                        "revision": d.new_record.revision if d.new_record_id else None,
                        "value_sm3": _sm3(d.new_record.data.get(d.field)) if d.new_record_id else None})
    return d


# --- Art. 8 supervision ------------------------------------------------------------------------------


@transaction.atomic
def record_fetchable_request(*, actor, case, items: list[dict]) -> list[FetchableRequest]:
    """An officer's correction notice asked for a material the organ can fetch: the notice was
    refused; this keeps the attempt for supervision. Audit: sharing.art8.fetchable_requested."""
    ids = {int(e["material"]) for e in items or [] if str(e.get("material") or "").isdigit()}
    rows = (case.application.materials.select_related("material")
            .filter(material_id__in=ids, material__source__in=FETCHED_SOURCES))
    problem_of = {int(e["material"]): str(e.get("problem", ""))[:2000] for e in items or []
                  if str(e.get("material") or "").isdigit()}
    made = [FetchableRequest.objects.create(case=case, material=r.material, organ_id=case.organ_id,
                                            officer=actor if getattr(actor, "pk", None) else None, at=_now(),
                                            problem=problem_of.get(r.material_id, "")) for r in rows]
    for f in made:
        audit.record(actor=actor, action="sharing.art8.fetchable_requested", target=case,
                     after={"material": f.material.name, "source": f.material.source, "case": case.number})
    return made
