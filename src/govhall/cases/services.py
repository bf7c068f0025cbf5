"""Business handling: every state change of an application or a case.

Each service runs in one transaction, locks the case row (``select_for_update``) before it reads the
state it checks, refuses with *every* problem it finds (``DomainError``), and otherwise changes the
case, writes a timeline event, an audit event and the applicant's notification together. Two
officers acting at once therefore queue on the row: the second sees the state the first left and
gets a conflict, never a half-done case. Forms may pass ``expected_version`` (the ``row_version``
they showed) to refuse an action based on a stale page.

The clock (due dates) is recomputed by ``_refresh`` from ``clock.compute`` whenever a transition can
move it; see clock.py for the legal rules.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from govhall.catalog.codesets import (
    FETCHED_SOURCES,
    CaseKind,
    MaterialSource,
    Necessity,
    SpecialProcedureKind,
)
from govhall.catalog.models import ImplementationItem
from govhall.catalog.selectors import application_refusal, published_version
from govhall.core import audit, events, refusals
from govhall.core.calendar import CalendarYearUnknown
from govhall.core.calendar_store import get_calendar
from govhall.core.errors import Conflict, DomainError, NotFound, Problem
from govhall.core.i18n import in_chinese, in_english
from govhall.crypto.fields import mask_identifier
from govhall.identity.models import LegalPerson
from govhall.identity.selectors import agent_authority, person_of, trust_level
from govhall.licenses import case_licence
from govhall.notifications.services import notify
from govhall.sharing import services as sharing

from . import clock, files, payments, signing
from .authority import addressee, ensure_acting_authority
from .forms_spec import face_fields, fields_for, form_problems, licence_type_of
from .models import (
    Application,
    ApplicationMaterial,
    Case,
    CaseEvent,
    CaseSerial,
    CaseState,
    CaseStep,
    Channel,
    CorrectionItem,
    CorrectionNotice,
    Decision,
    Delivery,
    Extension,
    MaterialFile,
    PaymentOrder,
    ResultFile,
    SpecialProcedure,
    Stage,
    StoredFile,
)
from .permissions import CASE_ACCEPT, CASE_DECIDE, CASE_HANDLE
from .scope import ensure

Status = ApplicationMaterial.Status
HANDLING_STATES = (CaseState.SUBMITTED, CaseState.CORRECTION, CaseState.IN_PROGRESS, CaseState.SUSPENDED)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


def _problem(code: str, zh: str, en: str, field: str = "") -> Problem:
    return Problem(code, zh, en, field)


def _today() -> dt.date:
    return timezone.localdate()


def _label(user) -> str:
    return user.get_username() if getattr(user, "pk", None) else "system"


# --- applications -------------------------------------------------------------------------------


def _version_for(item_code: str):
    try:
        version = published_version(item_code, _today())
    except NotFound:
        raise DomainError.single("cases.item.not_available", f"事项 {item_code} 未发布或已废止，不能申请",
                                 f"item {item_code} is not published or has been retired", "item") from None
    if refusal := application_refusal(version):  # a listed item: its guide is not complete
        raise DomainError([refusal])
    return version


def _initial_status(material) -> str:
    if material.source in FETCHED_SOURCES:
        return Status.TO_FETCH
    if material.source == MaterialSource.ONLINE_FORM:
        return Status.FORM
    return Status.MISSING


def application_start(*, actor, item_code: str, legal_person: LegalPerson | None = None,
                      channel: str = Channel.ONLINE, idempotency_key: str = "", applicant=None) -> Application:
    """Start a draft application for the item version in force today.

    ``actor`` applies for themself, or for ``legal_person`` as its legal representative or agent. A
    window officer (channel "window") passes the citizen as ``applicant``. Repeating a call with the
    same ``idempotency_key`` returns the same draft. Audit: cases.application.started.

    Once-only (Art. 8): the materials the organ can fetch are asked of the registers and other nodes
    *before* the transaction opens (``sharing.fetch_materials``: remote calls hold no lock); one short
    transaction then checks everything again and records the draft with what was fetched.
    """
    if channel == Channel.WINDOW:
        if applicant is None:
            raise DomainError.single("cases.window.applicant", "窗口收件须指明申请人", "a window application needs "
                                     "the applicant", "applicant")
    else:
        applicant = actor
    existing = _replay(actor, applicant, idempotency_key, item_code, legal_person)
    if existing is not None:
        return existing
    application, materials = _draft(actor, applicant, item_code, legal_person, channel, idempotency_key)
    # once-only: fetch what can be fetched (Art. 8), before any row is locked
    rows = [ApplicationMaterial(application=application, material=m, status=_initial_status(m)) for m in materials]
    fetched = sharing.fetch_materials(application=application, rows=rows)
    with transaction.atomic():
        existing = _replay(actor, applicant, idempotency_key, item_code, legal_person)
        if existing is not None:  # the same key came in from a second request meanwhile
            return existing
        checked, _materials = _draft(actor, applicant, item_code, legal_person, channel, idempotency_key)
        if checked.version_id != application.version_id or checked.mandate_id != application.mandate_id:
            raise Conflict.single("cases.application.changed", "事项或授权刚发生变化，请重试",
                                  "the item or the mandate changed just now: try again", "item")
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:  # the same key raced in from a second request
            return Application.objects.get(applicant=applicant, idempotency_key=idempotency_key)
        ApplicationMaterial.objects.bulk_create(rows)
        sharing.record_fetches(fetched)
        item, version = application.item, application.version
        audit.record(actor=actor, action="cases.application.started", target=application,
                     after={"item": item.code, "version": version.number, "channel": channel,
                            "legal_person": legal_person.credit_code if legal_person else None},
                     on_behalf_of=legal_person.credit_code if legal_person else "")
    return application


def _replay(actor, applicant, idempotency_key: str, item_code: str, legal_person) -> Application | None:
    """The draft an earlier call with the same idempotency key started, if any."""
    if not idempotency_key:
        return None
    existing = Application.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.item.code != item_code or existing.legal_person != legal_person:
        raise Conflict.single("request.idempotency_key_reused", "该幂等键已用于另一项申请",
                              "this idempotency key was used for another application", "idempotency_key")
    ensure_acting_authority(actor, existing)  # a replay is no way round a revoked mandate
    return existing


def _draft(actor, applicant, item_code: str, legal_person, channel: str, idempotency_key: str):
    """Every check of ``application_start`` (refused with every problem) and the draft, unsaved, with
    the item version's materials."""
    version = _version_for(item_code)
    item = version.item
    taken_by = actor if channel == Channel.WINDOW else None
    if taken_by is not None:
        from .scope import organ_ids

        if item.organ_id not in organ_ids(taken_by, CASE_ACCEPT):
            raise NotFound(item_code)
    person = person_of(applicant)
    problems = []
    if person is None:
        problems.append(_problem("cases.applicant.no_identity", "申请人须先完成实名登记", "the applicant must "
                                 "register their real name first", "applicant"))
    elif trust_level(applicant) < version.min_trust_level:
        problems.append(_problem(
            "cases.applicant.trust_level",
            f"本事项要求实名认证等级不低于 {version.min_trust_level} 级，您当前为 {person.trust_level} 级",
            f"this item needs trust level {version.min_trust_level}; yours is {person.trust_level}", "applicant"))
    mandate = None
    if legal_person is not None and person is not None:
        if legal_person.legal_representative_id != person.pk:
            try:
                mandate = agent_authority(agent=person, legal_person=legal_person, item_code=item_code)
            except DomainError as exc:
                problems.extend(exc.problems)
    _raise(problems)
    application = Application(
        applicant=applicant, legal_person=legal_person, mandate=mandate, item=item, version=version,
        channel=channel, taken_by=taken_by, idempotency_key=idempotency_key,
        applicant_name=legal_person.name if legal_person else person.name,
        applicant_id_masked=(mask_identifier(legal_person.credit_code, 4, 4) if legal_person
                             else person.id_number_masked),
        contact_phone_masked=person.phone_masked,
        form_data={"contact_name": person.name},
    )
    return application, list(version.materials.all())


def _lock_application(actor, application: Application, *, states=(Application.State.DRAFT,)) -> Application:
    """The application row, locked, after checking the actor's authority now (authority.py)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure_acting_authority(actor, application, lock=True)
    if application.state not in states:
        raise Conflict.single("cases.application.submitted", "申请已提交，不能再修改",
                              "the application has been submitted and can no longer be changed", "")
    return application


@transaction.atomic
def application_update(*, actor, application: Application, form_data: dict) -> Application:
    """Save the form as the applicant goes (drafts keep whatever was typed; submit checks it)."""
    application = _lock_application(actor, application)
    cleaned = {str(k)[:60]: str(v)[:2000] for k, v in form_data.items()}
    application.form_data = {**application.form_data, **cleaned}
    application.save(update_fields=["form_data", "updated_at"])
    return application


def _material_row(application: Application, material_id: int) -> ApplicationMaterial:
    row = application.materials.select_related("material").filter(material_id=material_id).first()
    if row is None:
        raise DomainError.single("cases.material.unknown", "该材料不属于本申请", "this material is not part of "
                                 "the application", "material")
    return row


def _correction_round_allows(application: Application, row: ApplicationMaterial) -> bool:
    case = getattr(application, "case", None)
    if case is None or case.state != CaseState.CORRECTION:
        return False
    return row.correction_items.filter(notice__case=case, notice__state=CorrectionNotice.State.OPEN).exists()


@transaction.atomic
def material_upload(*, actor, application: Application, material_id: int, upload, filename: str) -> MaterialFile:
    """Attach a file to a material (checked, digested and stored once by content; see files.py).

    Allowed on a draft, and during a correction for the materials the notice lists. Materials that
    the organ fetches (e-licences, shared data) take no upload. Audit: cases.material.uploaded.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    ensure_acting_authority(actor, application, lock=True)
    row = _material_row(application, material_id)
    correction = application.state == Application.State.SUBMITTED
    if correction and not _correction_round_allows(application, row):
        raise Conflict.single("cases.material.locked", "申请已提交，只能补正补正告知书列出的材料",
                              "the application is submitted: only materials listed in the correction notice "
                              "may be corrected", "material")
    if row.status == Status.TO_FETCH:  # fetched ones that were declined or not available are uploaded
        raise DomainError.single("cases.material.fetched", f"“{row.material.name}”由部门通过数据共享获取，无需上传",
                                 f"“{row.material.name}” is fetched by the organ from shared data; do not upload "
                                 "it", "material")
    stored = files.check_and_store(upload, filename=filename)
    if correction:
        row.files.filter(replaced=False).update(replaced=True)
    mfile = MaterialFile.objects.create(application_material=row, stored=stored, filename=filename[:200],
                                        uploaded_by=actor, correction_round=1 if correction else 0)
    row.status = Status.UPLOADED
    row.save(update_fields=["status"])
    audit.record(actor=actor, action="cases.material.uploaded", target=application,
                 after={"material": row.material.name, "sha256": stored.sha256, "sm3": stored.sm3,
                        "size": stored.size, "type": stored.content_type, "correction": correction})
    return mfile


@transaction.atomic
def material_set(*, actor, application: Application, material_id: int, status: str,
                 follow_by: dt.date | None = None, promise_text: str = "") -> ApplicationMaterial:
    """Mark a material as following later (容缺后补), replaced by a promise (告知承诺), or not given
    (optional materials). The rules are checked here and again at submission."""
    application = _lock_application(actor, application)
    row = _material_row(application, material_id)
    material = row.material
    allowed = {Status.LATER: Necessity.LATER, Status.PROMISED: Necessity.PROMISE, Status.NOT_NEEDED: Necessity.OPTIONAL}
    if status not in allowed or material.necessity != allowed[status]:
        raise DomainError.single("cases.material.status", f"“{material.name}”不能这样提供",
                                 f"“{material.name}” cannot be provided that way", "status")
    row.status = status
    row.follow_by = follow_by if status == Status.LATER else None
    row.promise_text = promise_text.strip() if status == Status.PROMISED else ""
    row.save(update_fields=["status", "follow_by", "promise_text"])
    return row


def _material_rows(application: Application) -> list[ApplicationMaterial]:
    """The application's materials with their files, read once for checking and signing."""
    return list(application.materials.select_related("material").prefetch_related("files__stored"))


def _material_problems(rows: list[ApplicationMaterial], today: dt.date) -> list[Problem]:
    problems = []
    cal = get_calendar()
    for row in rows:
        m, field = row.material, f"material:{row.material_id}"
        if row.status in (Status.UPLOADED, Status.TO_FETCH, Status.FORM, Status.NOT_NEEDED):
            continue
        if row.status == Status.LATER:
            latest = cal.add_working_days(today, m.later_days or 0)
            if row.follow_by is None or row.follow_by < today or row.follow_by > latest:
                problems.append(_problem("cases.material.follow_by",
                                         f"“{m.name}”：请填写补交日期（不晚于 {latest}）",
                                         f"“{m.name}”: give the date it will follow (by {latest} at the latest)",
                                         field))
            continue
        if row.status == Status.PROMISED:
            if len(row.promise_text) < 10:
                problems.append(_problem("cases.material.promise", f"“{m.name}”：请填写并签署承诺内容",
                                         f"“{m.name}”: write the promise you sign", field))
            continue
        if m.necessity == Necessity.OPTIONAL:
            continue
        problems.append(_problem("cases.material.missing", f"缺少材料：“{m.name}”", f"material missing: “{m.name}”",
                                 field))
    return problems


def _next_serial(item_code: str, day: dt.date) -> int:
    """The next case serial for the item and day, unique under concurrency (one upsert)."""
    table = connection.ops.quote_name(CaseSerial._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (item_code, day, last) VALUES (%s, %s, 1) "  # noqa: S608 (table name is ours)
            f"ON CONFLICT (item_code, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [item_code, day])
        return cursor.fetchone()[0]


def case_number(item_code: str, day: dt.date, serial: int) -> str:
    """National shape: implementation code + yyyymmdd + 4-digit serial."""
    if serial > 9999:
        raise DomainError.single("cases.number.exhausted", "当日办件编号已用尽", "no case numbers left today", "")
    return f"{item_code}{day:%Y%m%d}{serial:04d}"


@transaction.atomic
def application_submit(*, actor, application: Application) -> Case:
    """Submit the application: check everything, sign it, and open the case (idempotent).

    Refuses with every problem at once. A second submit of the same application returns its case.
    For a legal person, the mandate in force at this moment is recorded on the application (None
    when the legal representative submits). Audit: cases.case.submitted. The applicant is told that
    the materials were received.
    """
    # lock the application row only (of="self"): locking the joined item and version rows would
    # serialise every submission of the item and can deadlock with drafts being started
    application = (Application.objects.select_for_update(of=("self",))
                   .select_related("version", "item__organ", "applicant").get(pk=application.pk))
    mandate = ensure_acting_authority(actor, application, lock=True)
    if application.state == Application.State.SUBMITTED:
        return application.case
    today = _today()
    version = application.version
    problems = []
    if version.status_on(today) != "current":
        problems.append(_problem("cases.item.retired", "该事项的办事指南版本已废止，请重新发起申请",
                                 "this version of the guide has been retired: start a new application", "item"))
    problems += form_problems(application.form_data, fields_for(version))
    rows = _material_rows(application)
    problems += _material_problems(rows, today)
    fetches = sharing.application_fetches(application)  # read once for both checks (Art. 8 and 9)
    problems += sharing.submission_problems(application, fetches)
    _raise(problems)
    sharing.fetches_confirm_at_window(actor=actor, application=application)  # seen on the counter page

    now = timezone.now()
    application.state, application.submitted_at = Application.State.SUBMITTED, now
    if application.legal_person_id:
        application.mandate = mandate
    signing.sign(application, actor, rows)
    application.save(update_fields=["state", "submitted_at", "mandate", "signed_payload_sm3", "signature",
                                    "signature_key_id", "updated_at"])
    item = application.item
    joint = version.joint_organs.exists()
    acceptance_due = _acceptance_due(today)
    case = Case.objects.create(
        number=case_number(item.code, today, _next_serial(item.code, today)),
        application=application, item=item, version=version, organ=item.organ, applicant=application.applicant,
        applicant_name=application.applicant_name, item_name=version.name, is_joint=joint,
        is_immediate=version.case_kind == CaseKind.IMMEDIATE,
        promised_days=version.promised_time_limit_days,
        legal_days=clock.legal_limit(version.legal_time_limit_days, joint),
        received_at=now, last_received_on=today, acceptance_due=acceptance_due, queue_due=acceptance_due,
        payment_required=version.fee_charged and version.fees.exists(),
        query_code=f"{secrets.randbelow(10**6):06d}", stage=Stage.ACCEPT,
    )
    via = "窗口" if application.channel == Channel.WINDOW else "网上"
    _event(case, "received", actor, f"{via}申请已收到，材料签名已核验", "application received; signature recorded",
           {"channel": application.channel, "signature_key": application.signature_key_id})
    _tell(case, "received", f"办件 {case.number} 已收到", f"Case {case.number} received",
          f"您申请的“{case.item_name}”已收到。查询码：{case.query_code}。部门将在 {case.acceptance_due} 前作出受理决定"
          "或一次性告知需补正的全部内容。",
          f"Your application for “{case.item_name}” was received. Query code: {case.query_code}. The organ will "
          f"accept it or tell you everything to correct by {case.acceptance_due}.")
    audit.record(actor=actor, action="cases.case.submitted", target=case,
                 after={"number": case.number, "item": item.code, "version": version.number,
                        "payload_sm3": application.signed_payload_sm3, "key": application.signature_key_id,
                        "mandate": mandate.pk if mandate else None},
                 on_behalf_of=application.legal_person.credit_code if application.legal_person_id else "")
    sharing.check_consistency(actor=actor, application=application, case=case, fetches=fetches)  # Art. 9
    _emit("case.submitted", case, application_id=application.pk, item_code=item.code, organ_id=case.organ_id)
    return case


# --- the case: helpers --------------------------------------------------------------------------


def _lock(case: Case, expected_version: int | None = None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.row_version != expected_version:
        raise Conflict.single("cases.case.changed", "该办件刚被他人处理，请刷新页面后再操作",
                              "someone else has just acted on this case: reload the page", "")
    return locked


def _require_state(case: Case, *states) -> None:
    if case.state not in states:
        raise Conflict.single("cases.case.state", f"办件当前状态为“{CaseState(case.state).label}”，不能进行此操作",
                              f"the case is “{case.state}”: this action is not possible now", "")


_DOUBLED = re.compile(r"([。；！？])[。．.；;]+|(?<!\.)\.\.(?!\.)")


def _tidy(text: str) -> str:
    """One full stop where an officer's text already ended with one ("一致。" + "。" → "一致。")."""
    return _DOUBLED.sub(lambda m: m.group(1) or ".", text)


def _event(case: Case, kind: str, actor, zh: str, en: str, detail: dict | None = None, *, public: bool = True,
           organ=None) -> CaseEvent:
    return CaseEvent.objects.create(case=case, at=timezone.now(), kind=kind,
                                    actor=actor if getattr(actor, "pk", None) else None, actor_label=_label(actor),
                                    organ=organ or case.organ, summary_zh=_tidy(zh), summary_en=_tidy(en),
                                    detail=audit.jsonable(detail or {}), public=public)


def _tell(case: Case, kind: str, subject_zh: str, subject_en: str, body_zh: str, body_en: str) -> None:
    """Tell the applicant (inbox, e-mail, SMS). People tell their cases apart by the item, not by the
    43-character number: the subject names the item, the body ends with the number and query code."""
    subject_zh = subject_zh.replace(f"办件 {case.number}", f"“{case.item_name}”办件", 1)
    subject_en = subject_en.replace(f"Case {case.number}", f"“{case.item_name}”", 1)
    body_zh = f"{_tidy(body_zh).rstrip()}（办件编号 {case.number}，查询码 {case.query_code}）"
    body_en = f"{_tidy(body_en).rstrip()} (case {case.number}, query code {case.query_code})"
    notify(recipient=addressee(case), kind=f"case.{kind}", subject_zh=subject_zh, subject_en=subject_en,
           body_zh=body_zh, body_en=body_en, link=f"/my/cases/{case.number}/", case_number=case.number)


def _emit(name: str, case: Case, **ids) -> None:
    """Record the domain event ``name`` of ``case`` in the current transaction (ids and codes only);
    its consequences (sealed notices, licences, …) follow as subscribers (core/events.py)."""
    events.record(name, {"case_id": case.pk, "number": case.number, **ids})


def _pauses(case: Case) -> list[clock.Pause]:
    return [clock.Pause(p.started_on, p.ended_on, p.expected_days) for p in case.special_procedures.all()]


def clock_of(case: Case, today: dt.date | None = None) -> clock.Clock | None:
    """The case's clock as every page shows it; None before acceptance."""
    if case.clock_start is None:
        return None
    return clock.compute(get_calendar(), start=case.clock_start, promised_days=case.promised_days,
                         legal_days=case.legal_days, extension_days=case.extension_days,
                         pauses=_pauses(case), today=today or _today())


def _acceptance_due(day: dt.date) -> dt.date | None:
    try:
        return clock.acceptance_due(get_calendar(), day)
    except CalendarYearUnknown:
        return None


def _stage(case: Case) -> str:
    state = case.state
    if state == CaseState.SUBMITTED:
        return Stage.ACCEPT
    if state == CaseState.CORRECTION:
        return Stage.CORRECTION
    if state == CaseState.SUSPENDED:
        return Stage.SPECIAL
    if state == CaseState.DECIDED:
        return Stage.DELIVER
    if state != CaseState.IN_PROGRESS:
        return Stage.DONE
    if case.current_step_id:
        return case.current_step.kind
    if case.steps.filter(kind=CaseStep.Kind.JOINT).exclude(state=CaseStep.State.DONE).exists():
        return Stage.JOINT
    return Stage.DECIDE


def _close(case: Case, state: str, result_code: str, *fields: str) -> None:
    """The one place a case ends (delivered, not accepted, withdrawn, correction expired): final state,
    closing time, saved, and the ``case.closed`` domain event recorded in the same transaction for
    whatever must follow (archiving, rating invitations, supervision)."""
    case.state, case.closed_at, case.result_code = state, timezone.now(), result_code
    _refresh(case, "state", "closed_at", "result_code", *fields)
    events.record("case.closed", {"case_id": case.pk, "number": case.number, "state": state,
                                  "result_code": result_code or ""})


def _refresh(case: Case, *fields: str) -> None:
    """Recompute the cached due dates and the queue, bump the row version and save."""
    today = _today()
    current = clock_of(case, today)
    if current is not None:
        case.due_date, case.legal_due_date = current.promised_due, current.legal_due
    previous_stage, case.stage = case.stage, _stage(case)
    if case.stage == Stage.DELIVER:  # Art. 44: the result within 10 working days of the decision
        if previous_stage != Stage.DELIVER:
            try:
                case.queue_due = get_calendar().add_working_days(today, 10)
            except CalendarYearUnknown:
                case.queue_due = None
    else:
        case.queue_due = {Stage.ACCEPT: case.acceptance_due, Stage.CORRECTION: case.correction_due,
                          Stage.DONE: None}.get(case.stage, case.due_date)
    case.row_version += 1
    case.save(update_fields=["due_date", "legal_due_date", "stage", "queue_due", "row_version", *fields])


def _audit(actor, action: str, case: Case, before: dict | None = None, after: dict | None = None,
           reason: str = "") -> None:
    audit.record(actor=actor, action=action, target=case, before=before, after=after, reason=reason)


def _required_text(value: str, code: str, zh: str, en: str, field: str) -> list[Problem]:
    return [] if (value or "").strip() else [_problem(code, zh, en, field)]


def _notice_number(prefix: str, case: Case) -> str:
    return f"{prefix}〔{_today():%Y}〕{case.number[-12:]}"


# --- acceptance -----------------------------------------------------------------------------------


def _open_steps(case: Case) -> None:
    version = case.version
    kinds = {CaseStep.Kind.UNDERTAKE, CaseStep.Kind.REVIEW, CaseStep.Kind.APPROVE}
    now = timezone.now()
    steps = [CaseStep(case=case, order=i, kind=s.kind, name=s.name, organ=case.organ)
             for i, s in enumerate(version.steps.filter(kind__in=kinds).order_by("order", "id"), start=1)]
    if steps:
        steps[0].state, steps[0].started_at = CaseStep.State.ACTIVE, now
    joint = [CaseStep(case=case, order=100 + i, kind=CaseStep.Kind.JOINT, name=f"联办意见：{o.name}", organ=o,
                      state=CaseStep.State.ACTIVE, started_at=now)
             for i, o in enumerate(version.joint_organs.exclude(pk=case.organ_id).order_by("pk"), start=1)]
    CaseStep.objects.bulk_create(steps + joint)
    case.current_step = case.steps.filter(kind__in=kinds).order_by("order").first()


def _accept(case: Case, actor, today: dt.date) -> None:
    deemed = case.acceptance_due is not None and today > case.acceptance_due
    start = case.last_received_on if deemed else today
    case.accepted_on, case.clock_start, case.acceptance_deemed = today, start, deemed
    case.acceptance_notice_number = _notice_number("受理", case)
    case.state = CaseState.IN_PROGRESS
    if not case.is_immediate:
        _open_steps(case)
    if case.payment_required and not hasattr(case, "payment"):
        # Lines whose standard is not a plain amount count as 0 here and are listed for the window
        # to settle (see docs/uploads-and-payments.md).
        lines, _total = payments.fee_lines(case.version.fees.all())
        amount = sum(line["amount_fen"] or 0 for line in lines)
        for attempt in range(3):  # a number drawn twice (payments.new_order_number) is drawn again
            try:
                with transaction.atomic():
                    PaymentOrder.objects.create(case=case, order_number=payments.new_order_number(),
                                                amount_fen=amount, lines=lines)
                break
            except IntegrityError:
                if attempt == 2:
                    raise


def _accepted_message(case: Case) -> tuple[str, str]:
    deemed_zh = "（依《行政许可法》第三十二条，自收到材料之日起视为受理）" if case.acceptance_deemed else ""
    deemed_en = " (Art. 32: deemed accepted from the day the materials were received)" if case.acceptance_deemed else ""
    return (f"您的办件已受理{deemed_zh}，受理通知书编号 {case.acceptance_notice_number}，承诺办结日期 {case.due_date}。",
            f"Your case was accepted{deemed_en}; acceptance notice {case.acceptance_notice_number}; "
            f"promised completion date {case.due_date}.")


@transaction.atomic
def case_accept(*, actor, case: Case, expected_version: int | None = None, outcome: str = "", reasons: str = "",
                legal_basis: str = "") -> Case:
    """Accept the application (dated acceptance notice). Accepting after the 5 working days of Art. 32
    starts the clock on the day of receipt. Immediate items (即办件) are decided in the same call:
    pass ``outcome``, ``reasons`` and ``legal_basis``. Audit: cases.case.accepted."""
    ensure(actor, case, CASE_ACCEPT)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.SUBMITTED)
    if case.is_immediate:
        _raise([p for p in _decision_problems(case, outcome, reasons, legal_basis, check_steps=False)
                if p.code != "cases.decision.unpaid"])
    _accept(case, actor, _today())
    _refresh(case, "accepted_on", "clock_start", "acceptance_deemed", "acceptance_notice_number", "state",
             "current_step")
    zh, en = _accepted_message(case)
    _event(case, "accepted", actor, zh, en, {"notice": case.acceptance_notice_number, "deemed": case.acceptance_deemed})
    _tell(case, "accepted", f"办件 {case.number} 已受理", f"Case {case.number} accepted", zh, en)
    _emit("case.accepted", case, deemed=case.acceptance_deemed, actor_id=getattr(actor, "pk", None))
    _audit(actor, "cases.case.accepted", case, after={"notice": case.acceptance_notice_number,
                                                       "clock_start": case.clock_start, "due": case.due_date,
                                                       "legal_due": case.legal_due_date,
                                                       "deemed": case.acceptance_deemed})
    if case.is_immediate:
        if outcome == Decision.Outcome.GRANT and case.payment_required and not case.paid:
            # an immediate item with fees is granted once paid: it waits in the "to decide" queue
            _event(case, "awaiting_payment", actor, "即办件：缴费后即作出准予决定",
                   "immediate item: granted once the fees are paid")
        else:
            _decide(case, actor, outcome, reasons, legal_basis)
    return case


@transaction.atomic
def licence_face_correct(*, actor, case: Case, values: dict, reason: str,
                         expected_version: int | None = None) -> Case:
    """The officer corrects the licence face fields the applicant gave, before the decision (the
    applicant's signed form is kept as signed; the corrections are kept beside it, shown to the
    applicant, and the grant issues the corrected face). Audit: cases.licence_face.corrected."""
    ensure(actor, case, CASE_HANDLE)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.SUBMITTED, CaseState.IN_PROGRESS, CaseState.SUSPENDED)
    fields = face_fields(licence_type_of(case.version))
    current = {**(case.application.form_data or {}), **(case.face_corrections or {})}
    changes = {f.name: str(values.get(f.name, "") or "").strip()[:500] for f in fields
               if f.name in values and str(values.get(f.name, "") or "").strip() != str(current.get(f.name, "")).strip()}
    problems = [] if fields else [_problem("cases.licence_face.none", "本事项的办理结果不是证照，没有照面信息",
                                           "this item's result is not a licence: there is no face", "values")]
    problems += form_problems({**current, **changes}, fields)
    problems += _required_text(reason, "cases.licence_face.reason", "请说明更正理由", "give the reason", "reason")
    if fields and not changes and not problems:
        problems.append(_problem("cases.licence_face.unchanged", "照面信息没有变化", "nothing was changed", "values"))
    _raise(problems)
    before = {name: current.get(name, "") for name in changes}
    case.face_corrections = {**(case.face_corrections or {}), **changes}
    _refresh(case, "face_corrections")
    labels = {f.name: f for f in fields}
    zh = "；".join(f"{labels[n].label_zh}：{v}" for n, v in changes.items())
    en = "; ".join(f"{labels[n].label_en}: {v}" for n, v in changes.items())
    _event(case, "licence_face_corrected", actor, f"承办人员更正证照照面信息（{zh}），理由：{reason.strip()}",
           f"the officer corrected the licence details ({en}); reason: {reason.strip()}",
           {"before": before, "after": changes})
    _audit(actor, "cases.licence_face.corrected", case, before=before, after=changes, reason=reason.strip())
    return case


def licence_face_values(case: Case) -> dict:
    """The application form's values with the officer's corrections of the licence face applied."""
    return {**(case.application.form_data or {}), **(case.face_corrections or {})}


@transaction.atomic
def case_refuse(*, actor, case: Case, reason: str, legal_basis: str, expected_version: int | None = None) -> Case:
    """Do not accept (dated non-acceptance notice with reason and legal basis). Audit: cases.case.refused."""
    ensure(actor, case, CASE_ACCEPT)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.SUBMITTED)
    _raise(_required_text(reason, "cases.refuse.reason", "请填写不予受理的理由", "give the reason", "reason")
           + _required_text(legal_basis, "cases.refuse.legal_basis", "请填写法律依据", "give the legal basis",
                            "legal_basis"))
    notice = _notice_number("不予受理", case)
    _close(case, CaseState.NOT_ACCEPTED, "not_accepted")
    _event(case, "not_accepted", actor, f"不予受理（{notice}）：{reason}；依据：{legal_basis}",
           f"not accepted ({notice}): {reason}; legal basis: {legal_basis}",
           {"notice": notice, "reason": reason, "legal_basis": legal_basis})
    _tell(case, "not_accepted", f"办件 {case.number} 不予受理", f"Case {case.number} not accepted",
          f"不予受理通知书 {notice}。理由：{reason}。法律依据：{legal_basis}。",
          f"Non-acceptance notice {notice}. Reason: {reason}. Legal basis: {legal_basis}.")
    _audit(actor, "cases.case.refused", case, after={"notice": notice, "legal_basis": legal_basis}, reason=reason)
    return case


def correction_days() -> int:
    return int(getattr(settings, "GOVHALL_CORRECTION_DAYS", 15))


@refusals.keeping
@transaction.atomic
def correction_notice_issue(*, actor, case: Case, items: list[dict], expected_version: int | None = None,
                            deadline_days: int | None = None) -> CorrectionNotice:
    """The one-time correction notice (Art. 32, Art. 8): every missing or wrong item in one notice.

    ``items``: ``{"material": <material id>, "problem": text}`` or ``{"form_field": name, "problem": text}``.
    Only one notice per case; none after the 5 working days of Art. 32; never for a material the
    organ fetches itself: such a notice is refused and the attempt kept for supervision as a possible
    Art. 8 violation (``core.refusals``: written after the refused transaction rolls back). Audit:
    cases.correction.issued.
    """
    ensure(actor, case, CASE_ACCEPT)
    case = _lock(case, expected_version)
    if CorrectionNotice.objects.filter(case=case).exists():
        raise DomainError.single("cases.correction.second", "补正告知只能一次性作出，本件已发出过补正告知",
                                 "the correction notice is given once: this case already had one", "items")
    _require_state(case, CaseState.SUBMITTED)
    today = _today()
    problems = []
    if case.acceptance_due is not None and today > case.acceptance_due:
        problems.append(_problem(
            "cases.correction.too_late",
            f"已超过 5 个工作日（{case.acceptance_due}）未告知补正，依法自收到材料之日起即为受理，请直接受理",
            f"the 5 working days ended on {case.acceptance_due}: by Art. 32 the application counts as accepted; "
            "accept it", "items"))
    if deadline_days is not None and not 1 <= int(deadline_days) <= 60:
        problems.append(_problem("cases.correction.deadline", "补正期限应为 1 至 60 个工作日",
                                 "the correction deadline is 1 to 60 working days", "deadline_days"))
    if not items:
        problems.append(_problem("cases.correction.empty", "补正告知须列明需要补正的全部内容",
                                 "list every item the applicant must correct", "items"))
    rows = {r.material_id: r for r in case.application.materials.select_related("material")}
    resolved = []
    for i, entry in enumerate(items or []):
        field = f"items[{i}]"
        problem = str(entry.get("problem", "")).strip()
        if not problem:
            problems.append(_problem("cases.correction.problem", "请写明该项的问题", "say what is wrong", field))
        material_id, form_field = entry.get("material"), str(entry.get("form_field", "")).strip()
        row = rows.get(int(material_id)) if str(material_id or "").isdigit() else None
        if material_id and row is None:
            problems.append(_problem("cases.correction.material", "该材料不属于本申请",
                                     "this material is not part of the application", field))
        elif row is not None and row.material.source in FETCHED_SOURCES:
            problems.append(_problem(
                "cases.correction.fetchable",
                f"“{row.material.name}”可通过数据共享获取，不得要求申请人提供（第八条）",
                f"“{row.material.name}” can be fetched from shared data and may not be asked for (Art. 8)", field))
        elif row is None and not form_field:
            problems.append(_problem("cases.correction.target", "请指明材料或表单项", "name a material or form field",
                                     field))
        resolved.append((row, form_field, problem))
    if any(p.code == "cases.correction.fetchable" for p in problems):
        refusals.refuse(problems, record=lambda: sharing.record_fetchable_request(actor=actor, case=case,
                                                                                 items=items))
    _raise(problems)
    notice = CorrectionNotice.objects.create(
        case=case, notice_number=_notice_number("补正", case), issued_by=actor, issued_at=timezone.now(),
        deadline=get_calendar().add_working_days(today, deadline_days or correction_days()))
    CorrectionItem.objects.bulk_create([CorrectionItem(notice=notice, application_material=row, form_field=f,
                                                       problem=p) for row, f, p in resolved])
    case.state, case.correction_due = CaseState.CORRECTION, notice.deadline
    _refresh(case, "state", "correction_due")
    listing_zh = "；".join(f"{i}. {(r.material.name if r else f)}：{p}" for i, (r, f, p) in enumerate(resolved, 1))
    listing_en = "; ".join(f"{i}. {(r.material.name if r else f)}: {p}" for i, (r, f, p) in enumerate(resolved, 1))
    _event(case, "correction_notice", actor, f"一次性补正告知（{notice.notice_number}），共 {len(resolved)} 项：{listing_zh}",
           f"correction notice {notice.notice_number}, {len(resolved)} item(s): {listing_en}",
           {"notice": notice.notice_number, "deadline": notice.deadline})
    _tell(case, "correction", f"办件 {case.number} 需要补正", f"Case {case.number}: corrections needed",
          f"请在 {notice.deadline} 前一次性补正以下全部 {len(resolved)} 项：{listing_zh}。逾期未补正的，办件终止。",
          f"Please correct all {len(resolved)} item(s) by {notice.deadline}: {listing_en}. "
          "If nothing arrives by then, the case ends.")
    _emit("case.correction_requested", case, notice_id=notice.pk, actor_id=getattr(actor, "pk", None))
    _audit(actor, "cases.correction.issued", case, after={"notice": notice.notice_number, "deadline": notice.deadline,
                                                           "items": [p for _, _, p in resolved]})
    return notice


@transaction.atomic
def correction_submit(*, actor, case: Case, form_data: dict | None = None,
                      expected_version: int | None = None) -> Case:
    """The applicant's one correction: every listed material has a new file, listed form fields are
    re-filled; the application is signed again and goes back to acceptance (a new 5-day period from
    today, Art. 32). Audit: cases.correction.answered."""
    case = _lock(case, expected_version)
    ensure_acting_authority(actor, case, lock=True)
    _require_state(case, CaseState.CORRECTION)
    notice = case.correction_notice
    application = Application.objects.select_for_update().get(pk=case.application_id)
    problems = []
    listed_fields = set()
    for item in notice.items.select_related("application_material__material"):
        if item.application_material_id:
            row = item.application_material
            if not row.files.filter(correction_round=1, replaced=False).exists():
                problems.append(_problem("cases.correction.material_missing", f"请上传补正后的“{row.material.name}”",
                                         f"upload the corrected “{row.material.name}”",
                                         f"material:{row.material_id}"))
        else:
            listed_fields.add(item.form_field)
    form_data = {k: v for k, v in (form_data or {}).items() if k in listed_fields}
    merged = {**application.form_data, **{k: str(v)[:2000] for k, v in form_data.items()}}
    problems += form_problems(merged, fields_for(application.version))
    _raise(problems)
    before_sig = application.signed_payload_sm3
    application.form_data = merged
    signing.sign(application, actor)
    application.save(update_fields=["form_data", "signed_payload_sm3", "signature", "signature_key_id",
                                    "updated_at"])
    notice.items.update(answered=True)
    notice.state, notice.answered_at = CorrectionNotice.State.ANSWERED, timezone.now()
    notice.save(update_fields=["state", "answered_at"])
    today = _today()
    case.state, case.last_received_on = CaseState.SUBMITTED, today
    case.acceptance_due = _acceptance_due(today)
    _refresh(case, "state", "last_received_on", "acceptance_due")
    _event(case, "corrected", actor, "申请人已提交补正材料", "the applicant submitted the corrections",
           {"notice": notice.notice_number})
    _tell(case, "corrected", f"办件 {case.number} 补正材料已收到", f"Case {case.number}: corrections received",
          f"补正材料已收到，部门将在 {case.acceptance_due} 前作出受理决定。",
          f"Your corrections were received; the organ will decide on acceptance by {case.acceptance_due}.")
    _audit(actor, "cases.correction.answered", case, before={"payload_sm3": before_sig},
           after={"payload_sm3": application.signed_payload_sm3})
    _emit("case.corrected", case, notice_id=notice.pk)
    return case


# --- periodic rules -------------------------------------------------------------------------------


def deem_overdue_acceptances(today: dt.date | None = None) -> list[str]:
    """Art. 32: cases received more than 5 working days ago without a decision on acceptance count as
    accepted from the day of receipt. Run daily by the scheduler; returns the case numbers."""
    today = today or _today()
    done = []
    for pk in Case.objects.filter(state=CaseState.SUBMITTED, acceptance_due__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.state != CaseState.SUBMITTED or case.acceptance_due >= today:
                continue
            _accept(case, None, today)
            _refresh(case, "accepted_on", "clock_start", "acceptance_deemed", "acceptance_notice_number", "state",
                     "current_step")
            zh, en = _accepted_message(case)
            _event(case, "deemed_accepted", None, zh, en, {"rule": "Administrative Licensing Law Art. 32"})
            _tell(case, "accepted", f"办件 {case.number} 视为受理", f"Case {case.number} deemed accepted", zh, en)
            _emit("case.accepted", case, deemed=case.acceptance_deemed, actor_id=None)
            _audit(None, "cases.case.deemed_accepted", case, after={"clock_start": case.clock_start,
                                                                    "due": case.due_date})
            done.append(case.number)
    return done


def expire_corrections(today: dt.date | None = None) -> list[str]:
    """Cases whose correction deadline has passed end ("rejected because correction timed out")."""
    today = today or _today()
    done = []
    for pk in Case.objects.filter(state=CaseState.CORRECTION, correction_due__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.state != CaseState.CORRECTION or case.correction_due >= today:
                continue
            CorrectionNotice.objects.filter(case=case).update(state=CorrectionNotice.State.EXPIRED)
            _close(case, CaseState.CORRECTION_EXPIRED, "correction_expired")
            zh = f"补正期限 {case.correction_due} 已过，未收到补正材料，办件终止。"
            en = f"The correction deadline {case.correction_due} passed without corrections; the case has ended."
            _event(case, "correction_expired", None, zh, en)
            _tell(case, "correction_expired", f"办件 {case.number} 已终止", f"Case {case.number} ended", zh, en)
            _audit(None, "cases.case.correction_expired", case, after={"deadline": case.correction_due})
            done.append(case.number)
    return done


# --- handling -------------------------------------------------------------------------------------


@transaction.atomic
def case_claim(*, actor, case: Case, assignee=None, expected_version: int | None = None) -> Case:
    """Take the current step (or assign it to ``assignee``, a colleague of the same organ)."""
    ensure(actor, case, "cases.case.view")
    case = _lock(case, expected_version)
    ensure(actor, case, CASE_ACCEPT if case.stage == Stage.ACCEPT else CASE_HANDLE)
    _require_state(case, *HANDLING_STATES)
    target = assignee or actor
    if assignee is not None:
        from .scope import organ_ids

        if case.organ_id not in organ_ids(assignee, "cases.case.view"):
            raise DomainError.single("cases.assign.scope", "只能指派给本部门的工作人员",
                                     "assign only to staff of the organ", "assignee")
    case.assignee = target
    if case.current_step_id:
        CaseStep.objects.filter(pk=case.current_step_id).update(assignee=target)
    _refresh(case, "assignee")
    _event(case, "assigned", actor, f"由 {_label(target)} 办理", f"assigned to {_label(target)}", public=False)
    _audit(actor, "cases.case.assigned", case, after={"assignee": _label(target)})
    return case


@transaction.atomic
def step_complete(*, actor, case: Case, step_id: int, action: str, opinion: str,
                  expected_version: int | None = None) -> CaseStep:
    """Finish a handling step (pass, or return to the previous step) or record a co-organ's joint
    opinion (pass or object). Audit: cases.step.completed."""
    step = CaseStep.objects.filter(case=case, pk=step_id).select_related("organ").first()
    if step is None:
        raise NotFound(str(step_id))
    permission = CASE_DECIDE if step.kind == CaseStep.Kind.APPROVE else CASE_HANDLE
    ensure(actor, case, permission, organ_id=step.organ_id) if step.kind != CaseStep.Kind.JOINT else None
    if step.kind == CaseStep.Kind.JOINT:
        from .scope import organ_ids

        if step.organ_id not in organ_ids(actor, CASE_HANDLE):
            if step.organ_id not in organ_ids(actor, "cases.case.view"):
                raise NotFound(case.number)
            raise DomainError.single("cases.forbidden", "您没有办理此项操作的权限",
                                     "you may not take this action on this case", "")
    case = _lock(case, expected_version)
    _require_state(case, CaseState.IN_PROGRESS)
    step = CaseStep.objects.select_for_update().get(pk=step.pk)
    problems = _required_text(opinion, "cases.step.opinion", "请填写办理意见", "write your opinion", "opinion")
    allowed = ({CaseStep.Action.PASS, CaseStep.Action.OBJECT} if step.kind == CaseStep.Kind.JOINT
               else {CaseStep.Action.PASS, CaseStep.Action.RETURN})
    if action not in allowed:
        problems.append(_problem("cases.step.action", "办理结果无效", "invalid action", "action"))
    if step.state != CaseStep.State.ACTIVE or (step.kind != CaseStep.Kind.JOINT and case.current_step_id != step.pk):
        raise Conflict.single("cases.step.not_current", f"“{step.name}”不是当前环节",
                              f"“{step.name}” is not the current step", "step")
    previous = None
    if action == CaseStep.Action.RETURN:
        previous = (case.steps.filter(order__lt=step.order).exclude(kind=CaseStep.Kind.JOINT)
                    .order_by("-order").first())
        if previous is None:
            problems.append(_problem("cases.step.first", "首个环节不能退回", "the first step cannot be returned",
                                     "action"))
    _raise(problems)
    now = timezone.now()
    if action == CaseStep.Action.RETURN:
        step.state, step.started_at, step.assignee = CaseStep.State.WAITING, None, None
        step.save(update_fields=["state", "started_at", "assignee"])
        previous.state, previous.started_at, previous.finished_at = CaseStep.State.ACTIVE, now, None
        previous.save(update_fields=["state", "started_at", "finished_at"])
        case.current_step = previous
    else:
        step.state, step.action, step.opinion = CaseStep.State.DONE, action, opinion.strip()
        step.finished_at, step.finished_by = now, actor
        step.assignee = step.assignee or actor
        step.save(update_fields=["state", "action", "opinion", "finished_at", "finished_by", "assignee"])
        if step.kind != CaseStep.Kind.JOINT:
            following = (case.steps.filter(order__gt=step.order, state=CaseStep.State.WAITING)
                         .exclude(kind=CaseStep.Kind.JOINT).order_by("order").first())
            if following is not None:
                following.state, following.started_at = CaseStep.State.ACTIVE, now
                following.save(update_fields=["state", "started_at"])
            case.current_step = following
    _refresh(case, "current_step")
    verb_zh = {"pass": "通过", "return": "退回上一环节", "object": "提出不同意见"}[action]
    _event(case, "step", actor, f"{step.name}：{verb_zh}。意见：{opinion.strip()}",
           f"{step.name}: {action}. Opinion: {opinion.strip()}", {"step": step.pk, "action": action},
           public=step.kind == CaseStep.Kind.JOINT or action == "pass", organ=step.organ)
    _audit(actor, "cases.step.completed", case, after={"step": step.name, "organ": step.organ.name,
                                                       "action": action, "opinion": opinion.strip()})
    return step


@transaction.atomic
def special_procedure_start(*, actor, case: Case, kind: str, reason: str, legal_basis: str, expected_days: int,
                            expected_version: int | None = None) -> SpecialProcedure:
    """Stop the clock for a hearing, inspection, testing, quarantine, appraisal, expert review or site
    check (Art. 45); the applicant is told why and for how long. Audit: cases.special.started."""
    ensure(actor, case, CASE_HANDLE)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.IN_PROGRESS)
    problems = _required_text(reason, "cases.special.reason", "请填写特别程序的原因", "give the reason", "reason")
    if kind not in SpecialProcedureKind.values:
        problems.append(_problem("cases.special.kind", "特别程序种类无效", "unknown kind of special procedure", "kind"))
    configured = case.version.special_procedures.filter(kind=kind).first()
    limit = configured.max_days if configured and configured.max_days else None
    try:
        expected_days = int(expected_days)
    except (TypeError, ValueError):
        expected_days = 0
    if expected_days < 1 or (limit and expected_days > limit):
        problems.append(_problem("cases.special.days",
                                 f"请填写预计所需工作日（1 至 {limit or 60} 天）",
                                 f"give the expected duration in working days (1 to {limit or 60})", "expected_days"))
    _raise(problems)
    procedure = SpecialProcedure.objects.create(case=case, kind=kind, reason=reason.strip(),
                                                legal_basis=(legal_basis or "").strip(), expected_days=expected_days,
                                                started_on=_today(), started_by=actor)
    case.state = CaseState.SUSPENDED
    _refresh(case, "state")
    label = in_english(SpecialProcedureKind(kind).label)
    zh = (f"进入特别程序（{in_chinese(SpecialProcedureKind(kind).label)}），原因：{procedure.reason}；预计需要 {expected_days} 个工作日，"
          f"期间不计入办理时限。预计办结日期顺延至 {case.due_date}。")
    en = (f"Special procedure ({label}): {procedure.reason}; expected to take {expected_days} working days, which do "
          f"not count towards the time limit. Projected completion date: {case.due_date}.")
    _event(case, "special_started", actor, zh, en, {"procedure": procedure.pk, "kind": kind})
    _tell(case, "special_started", f"办件 {case.number} 进入特别程序", f"Case {case.number}: special procedure", zh, en)
    _emit("case.suspended", case, procedure_id=procedure.pk, kind=kind, actor_id=getattr(actor, "pk", None))
    _audit(actor, "cases.special.started", case, after={"kind": kind, "expected_days": expected_days,
                                                        "legal_basis": procedure.legal_basis}, reason=reason)
    return procedure


@transaction.atomic
def special_procedure_end(*, actor, case: Case, procedure_id: int, result: str,
                          expected_version: int | None = None) -> SpecialProcedure:
    """End the special procedure: the clock runs again and the due date moves by its working days."""
    ensure(actor, case, CASE_HANDLE)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.SUSPENDED)
    procedure = SpecialProcedure.objects.select_for_update().filter(case=case, pk=procedure_id,
                                                                    ended_on__isnull=True).first()
    if procedure is None:
        raise NotFound(str(procedure_id))
    _raise(_required_text(result, "cases.special.result", "请填写特别程序的结果", "give the result", "result"))
    procedure.ended_on, procedure.result, procedure.ended_by = _today(), result.strip(), actor
    procedure.save(update_fields=["ended_on", "result", "ended_by"])
    case.state = CaseState.IN_PROGRESS
    _refresh(case, "state")
    kind_label = SpecialProcedureKind(procedure.kind).label
    zh = f"特别程序（{in_chinese(kind_label)}）已结束：{procedure.result}。办理时限恢复计算，承诺办结日期 {case.due_date}。"
    en = (f"Special procedure ({in_english(kind_label)}) ended: {procedure.result}. The clock runs again; promised "
          f"completion date {case.due_date}.")
    _event(case, "special_ended", actor, zh, en, {"procedure": procedure.pk})
    _tell(case, "special_ended", f"办件 {case.number} 特别程序结束", f"Case {case.number}: special procedure ended",
          zh, en)
    _audit(actor, "cases.special.ended", case, after={"kind": procedure.kind, "ended_on": procedure.ended_on,
                                                      "due": case.due_date})
    _emit("case.resumed", case, procedure_id=procedure.pk, kind=procedure.kind)
    return procedure


@transaction.atomic
def extension_request(*, actor, case: Case, days: int, reason: str,
                      expected_version: int | None = None) -> Extension:
    """Ask the organ head to extend the time limit (Art. 42: + 10 working days, joint handling + 15).
    Nothing moves until an approver approves. Audit: cases.extension.requested."""
    ensure(actor, case, CASE_HANDLE)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.IN_PROGRESS, CaseState.SUSPENDED)
    limit = clock.extension_limit(case.is_joint)
    problems = _required_text(reason, "cases.extension.reason", "请填写延期理由", "give the reason", "reason")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if days < 1 or days + case.extension_days > limit:
        problems.append(_problem("cases.extension.days", f"延长期限须为 1 至 {limit - case.extension_days} 个工作日",
                                 f"an extension is 1 to {limit - case.extension_days} working days", "days"))
    if case.extensions.filter(state__in=[Extension.State.REQUESTED, Extension.State.APPROVED]).exists():
        problems.append(_problem("cases.extension.once", "本件已申请过延期", "this case already has an extension",
                                 "days"))
    _raise(problems)
    extension = Extension.objects.create(case=case, days=days, reason=reason.strip(), requested_by=actor,
                                         requested_at=timezone.now())
    _refresh(case)
    _event(case, "extension_requested", actor, f"申请延期 {days} 个工作日：{extension.reason}",
           f"extension of {days} working days requested: {extension.reason}", public=False)
    _audit(actor, "cases.extension.requested", case, after={"days": days}, reason=extension.reason)
    return extension


@transaction.atomic
def extension_decide(*, actor, case: Case, extension_id: int, approve: bool, note: str = "",
                     expected_version: int | None = None) -> Extension:
    """The organ head approves (the due dates move; the applicant is told the reason and the new
    date) or refuses. Audit: cases.extension.approved / cases.extension.refused."""
    ensure(actor, case, CASE_DECIDE)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.IN_PROGRESS, CaseState.SUSPENDED)
    extension = Extension.objects.select_for_update().filter(case=case, pk=extension_id).first()
    if extension is None:
        raise NotFound(str(extension_id))
    if extension.state != Extension.State.REQUESTED:
        raise Conflict.single("cases.extension.decided", "该延期申请已处理", "this extension was already decided", "")
    extension.state = Extension.State.APPROVED if approve else Extension.State.REFUSED
    extension.decided_by, extension.decided_at = actor, timezone.now()
    extension.save(update_fields=["state", "decided_by", "decided_at"])
    before = case.due_date
    if approve:
        case.extension_days += extension.days
    _refresh(case, "extension_days")
    if approve:
        zh = f"经批准延长办理期限 {extension.days} 个工作日，理由：{extension.reason}。承诺办结日期由 {before} 变更为 {case.due_date}。"
        en = (f"The time limit was extended by {extension.days} working days with approval. Reason: {extension.reason}. "
              f"Promised completion date moved from {before} to {case.due_date}.")
        _event(case, "extension_approved", actor, zh, en, {"extension": extension.pk})
        _tell(case, "extension", f"办件 {case.number} 办理期限延长", f"Case {case.number}: time limit extended", zh, en)
        _emit("case.extended", case, extension_id=extension.pk, days=extension.days)
    else:
        _event(case, "extension_refused", actor, f"延期申请未获批准 {note}".strip(), f"extension refused {note}".strip(),
               public=False)
    _audit(actor, "cases.extension.approved" if approve else "cases.extension.refused", case,
           before={"due": before}, after={"due": case.due_date, "days": extension.days}, reason=note)
    return extension


# --- decision and delivery ----------------------------------------------------------------------


def _decision_problems(case: Case, outcome: str, reasons: str, legal_basis: str, *, check_steps=True) -> list:
    problems = []
    if outcome not in Decision.Outcome.values:
        problems.append(_problem("cases.decision.outcome", "请选择准予或不予", "choose grant or deny", "outcome"))
    problems += _required_text(reasons, "cases.decision.reasons", "决定须写明理由", "a decision needs its reasons",
                               "reasons")
    problems += _required_text(legal_basis, "cases.decision.legal_basis", "决定须写明法律依据",
                               "a decision needs its legal basis", "legal_basis")
    if check_steps and case.stage != Stage.DECIDE:
        problems.append(_problem("cases.decision.steps", "尚有未完成的办理环节或联办意见",
                                 "steps or joint opinions are still open", ""))
    if outcome == Decision.Outcome.GRANT and case.payment_required and not case.paid:
        problems.append(_problem("cases.decision.unpaid", "申请人尚未缴费，暂不能作出准予决定",
                                 "the applicant has not paid the fees yet", ""))
    if outcome == Decision.Outcome.GRANT:  # the licence is issued after commit: refuse now if it could not be
        problems += case_licence.problems(case)
    return problems


def _store_generated(data: bytes, content_type: str) -> StoredFile:
    """Store a document the platform generated (content-addressed, like uploads)."""
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    existing = StoredFile.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    name = f"cas/{sha[:2]}/{sha[2:4]}/{sha}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return StoredFile.objects.create(sha256=sha, sm3=audit.sm3_hex(data), size=len(data),
                                     content_type=content_type, storage_name=name)


def _decide(case: Case, actor, outcome: str, reasons: str, legal_basis: str) -> Decision:
    now = timezone.now()
    decision = Decision(case=case, outcome=outcome, reasons=reasons.strip(), legal_basis=legal_basis.strip(),
                        decided_by=actor, decided_at=now, document_number=_notice_number(
                            "准予许可" if outcome == Decision.Outcome.GRANT else "不予许可", case))
    html = render_to_string("cases/decision_document.html", {"case": case, "decision": decision,
                                                             "steps": case.steps.filter(state="done")})
    decision.document = _store_generated(html.encode(), "text/html; charset=utf-8")
    decision.save()
    ResultFile.objects.create(case=case, stored=decision.document, filename=f"{decision.document_number}.html")
    case.state, case.result_code = CaseState.DECIDED, ("granted" if outcome == Decision.Outcome.GRANT else "denied")
    case.current_step = None
    _refresh(case, "state", "result_code", "current_step")
    # the sealed PDF (documents) and, for a grant, the e-licence (licenses) follow as subscribers
    _emit("case.decided", case, decision_id=decision.pk, outcome=outcome, document_number=decision.document_number,
          actor_id=getattr(actor, "pk", None))
    verdict_zh = "准予" if outcome == Decision.Outcome.GRANT else "不予"
    zh = f"已作出{verdict_zh}决定（{decision.document_number}）。理由：{decision.reasons}。依据：{decision.legal_basis}。"
    en = (f"Decision {decision.document_number}: {decision.get_outcome_display()}. Reasons: {decision.reasons}. "
          f"Legal basis: {decision.legal_basis}.")
    _event(case, "decided", actor, zh, en, {"outcome": outcome, "document": decision.document_number})
    _tell(case, "decided", f"办件 {case.number} 已作出决定", f"Case {case.number}: decision", zh + "结果文书可在线下载。",
          en + " The result can be downloaded online.")
    _audit(actor, "cases.case.decided", case, after={"outcome": outcome, "document": decision.document_number,
                                                     "document_sm3": decision.document.sm3,
                                                     "legal_basis": decision.legal_basis}, reason=decision.reasons)
    return decision


@transaction.atomic
def case_decide(*, actor, case: Case, outcome: str, reasons: str, legal_basis: str,
                expected_version: int | None = None) -> Decision:
    """Grant or deny, with reasons and legal basis, after every step and joint opinion. The lead organ
    issues one decision for a joint case. Audit: cases.case.decided."""
    ensure(actor, case, CASE_DECIDE)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.IN_PROGRESS)
    _raise(_decision_problems(case, outcome, reasons, legal_basis))
    return _decide(case, actor, outcome, reasons, legal_basis)


@transaction.atomic
def case_deliver(*, actor, case: Case, method: str, address: str = "", tracking_number: str = "",
                 expected_version: int | None = None) -> Delivery:
    """Record the delivery of the result (download, post or collection) and close the case."""
    ensure(actor, case, CASE_ACCEPT)
    case = _lock(case, expected_version)
    _require_state(case, CaseState.DECIDED)
    problems = []
    if method not in Delivery.Method.values:
        problems.append(_problem("cases.delivery.method", "送达方式无效", "unknown delivery method", "method"))
    if method == Delivery.Method.POST and not address.strip():
        problems.append(_problem("cases.delivery.address", "邮寄送达须填写地址", "postal delivery needs an address",
                                 "address"))
    _raise(problems)
    delivery = Delivery.objects.create(case=case, method=method, address=address.strip(),
                                       tracking_number=tracking_number.strip(), delivered_by=actor,
                                       delivered_at=timezone.now())
    _close(case, CaseState.CLOSED, case.result_code)
    how_zh = {"download": "在线下载", "post": f"邮寄（{tracking_number or '单号待补'}）", "window": "窗口领取"}[method]
    zh, en = f"结果已送达（{how_zh}），办件办结。", f"Result delivered ({method}); the case is closed."
    _event(case, "delivered", actor, zh, en, {"method": method})
    _tell(case, "delivered", f"办件 {case.number} 已办结", f"Case {case.number} closed", zh, en)
    _audit(actor, "cases.case.delivered", case, after={"method": method})
    return delivery


@transaction.atomic
def case_withdraw(*, actor, case: Case, reason: str = "", expected_version: int | None = None) -> Case:
    """The applicant (or, for a legal person, its legal representative or an agent whose mandate
    covers the item now) withdraws before the decision. Audit: cases.case.withdrawn."""
    case = _lock(case, expected_version)
    ensure_acting_authority(actor, case, lock=True)
    _require_state(case, *HANDLING_STATES)
    today = _today()
    case.special_procedures.filter(ended_on__isnull=True).update(ended_on=today, result="申请人撤回 / withdrawn")
    case.steps.filter(state__in=[CaseStep.State.WAITING, CaseStep.State.ACTIVE]).update(
        state=CaseStep.State.CANCELLED)
    case.current_step = None
    _close(case, CaseState.WITHDRAWN, "withdrawn", "current_step")
    _event(case, "withdrawn", actor, f"申请人撤回申请。{reason}".strip(), f"withdrawn by the applicant. {reason}".strip())
    _tell(case, "withdrawn", f"办件 {case.number} 已撤回", f"Case {case.number} withdrawn",
          "您已撤回申请，办件终止。", "You withdrew the application; the case has ended.")
    _audit(actor, "cases.case.withdrawn", case, reason=reason)
    return case


# --- payment --------------------------------------------------------------------------------------


def payment_start(*, actor, case: Case) -> str:
    """The URL where the applicant (see ``case_withdraw`` for a legal person's case) pays the case's
    order."""
    ensure_acting_authority(actor, case)
    order = PaymentOrder.objects.filter(case=case, state=PaymentOrder.State.PENDING).first()
    if order is None:
        raise DomainError.single("cases.payment.none", "没有待缴费用", "nothing to pay", "")
    return payments.provider().start(order)


@transaction.atomic
def payment_confirm(*, data: dict) -> PaymentOrder:
    """The provider's callback: the order is paid (its signature checked by the provider adapter).
    Audit: cases.payment.paid (system actor)."""
    try:
        order_number, reference = payments.provider().parse_callback(data)
    except payments.PaymentNotConfirmed as exc:
        raise DomainError.single("cases.payment.not_confirmed", "支付结果未通过验证", "the payment callback did not "
                                 "verify", "") from exc
    order = PaymentOrder.objects.select_for_update().filter(order_number=order_number).first()
    if order is None:
        raise NotFound(order_number)
    if order.state == PaymentOrder.State.PAID:
        return order
    case = _lock(order.case)
    order.state, order.provider_reference, order.paid_at = PaymentOrder.State.PAID, reference, timezone.now()
    order.save(update_fields=["state", "provider_reference", "paid_at"])
    case.paid = True
    _refresh(case, "paid")
    yuan = f"{order.amount_fen / 100:.2f}"
    _event(case, "paid", None, f"已缴费 {yuan} 元（{order.order_number}）", f"paid {yuan} yuan ({order.order_number})")
    _tell(case, "paid", f"办件 {case.number} 缴费成功", f"Case {case.number}: payment received",
          f"已收到您缴纳的 {yuan} 元。", f"We received your payment of {yuan} yuan.")
    _audit(None, "cases.payment.paid", case, after={"order": order.order_number, "fen": order.amount_fen,
                                                    "reference": reference})
    return order


def item_for_code(code: str) -> ImplementationItem:
    item = ImplementationItem.objects.filter(code=code).first()
    if item is None:
        raise NotFound(code)
    return item
