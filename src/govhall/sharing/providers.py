"""Where an answer comes from: a local dataset, a remote provider (another node, through
``govhall.federation.client``), or the e-licence library (``govhall.licenses``).

Each function answers ``Answer`` or raises ``Unavailable`` (try again later: upload instead),
``NoRecord`` (no record for the subject), ``InvalidAnswer`` (a peer answered something unusable) or
``Refused`` (a peer's signed refusal, e.g. no agreement for us).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from govhall.crypto.fields import blind_index
from govhall.licenses.models import HOLDER_CODE_FIELD, Licence, LicenceStatus

from .models import DataRecord, DataResource

log = logging.getLogger(__name__)


@dataclass
class Answer:
    record: dict
    version: str
    provider_label: str
    data_record: DataRecord | None = None
    labels: dict = field(default_factory=dict)


class Unavailable(Exception):
    pass


class NoRecord(Exception):
    pass


class InvalidAnswer(Exception):
    pass


class Refused(Exception):
    """The peer answered with a signed refusal (its error ``code``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def local(resource: DataResource, index: str) -> Answer:
    """The current record of the subject in the resource's current dataset (one indexed query)."""
    if resource.current_dataset_id is None:
        raise Unavailable("no dataset has been uploaded")
    record = (DataRecord.objects.filter(dataset_id=resource.current_dataset_id, subject_index=index, current=True)
              .select_related("dataset").first())
    if record is None:
        raise NoRecord()
    return Answer(record.data, record.version_label, resource.provider_organ.name, record)


def remote(resource: DataResource, *, subject_key: str, fields: list[str], purpose: str, legal_basis: str,
           case_number: str, requester: str) -> Answer:
    """Ask the peer; both federation errors mean "not available now". Imported lazily so that the
    platform works before federation is configured."""
    try:
        from govhall.federation.client import PeerAnswerInvalid, PeerRefused, PeerUnavailable, request
    except ImportError as exc:
        raise Unavailable("federation is not installed") from exc
    body = {"resource": resource.code, "subject_key": subject_key, "fields": fields, "purpose": purpose,
            "legal_basis": legal_basis, "case_number": case_number, "requester": requester}
    try:
        answer = request(resource.peer_code, "sharing.lookup", body, case_number=case_number, purpose=purpose)
    except PeerUnavailable as exc:
        raise Unavailable(str(exc)) from exc
    except PeerAnswerInvalid as exc:
        log.warning("peer %s answered invalidly for %s", resource.peer_code, resource.code)
        raise InvalidAnswer(str(exc)) from exc
    except PeerRefused as exc:  # a signed "no": not an error of ours, a recorded refusal
        if exc.code == "sharing.subject.unknown":
            raise NoRecord() from exc
        raise Refused(exc.code or "refused") from exc
    return answer_from(answer, fields)


def answer_from(answer, fields: list[str]) -> Answer:
    """A peer's ``sharing.lookup`` body as an Answer, or InvalidAnswer when it is not of the agreed
    shape ``{"record": {...}, "version": str, "provider_organ": str}`` or carries fields not asked for
    (a signature proves who answered, not that the answer is usable)."""
    if not isinstance(answer, dict) or not isinstance(answer.get("record"), dict) \
            or not isinstance(answer.get("version"), str) or not isinstance(answer.get("provider_organ"), str):
        raise InvalidAnswer("the answer does not have the agreed shape")
    extra = set(answer["record"]) - set(fields)
    if extra:
        raise InvalidAnswer(f"the answer has fields that were not asked for: {sorted(extra)}")
    return Answer(answer["record"], answer["version"][:30], answer["provider_organ"][:150])


def licence(licence_type, subject_key: str, today: dt.date) -> Answer:
    """The holder's valid licence of the type, newest version first."""
    from django.db.models import Q

    found = (Licence.objects.filter(licence_type=licence_type, status=LicenceStatus.VALID,
                                    holder_code_index=blind_index(subject_key, HOLDER_CODE_FIELD))
             .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today), valid_from__lte=today)
             .select_related("issuer").order_by("-version", "-issued_at").first())
    if found is None:
        raise NoRecord()
    record = {"identifier": found.identifier, "holder_name": found.holder_name,
              "valid_from": found.valid_from.isoformat(),
              "valid_until": found.valid_until.isoformat() if found.valid_until else None, **found.face}
    labels = {"identifier": ["证照标识", "licence identifier"], "holder_name": ["持证主体", "holder"],
              "valid_from": ["有效期起", "valid from"], "valid_until": ["有效期至", "valid until"]}
    for f in licence_type.face_schema:
        labels[f["name"]] = [f.get("label_zh", f["name"]), f.get("label_en", f["name"])]
    return Answer(record, found.identifier, found.issuer.name, None, labels)
