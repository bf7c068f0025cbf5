"""Subject keys: validation, the blind index every record and access row is keyed by, masking."""

from __future__ import annotations

from govhall.core.codes import credit_code_problem, normalise_code
from govhall.crypto.fields import blind_index, mask_identifier
from govhall.identity.codes import resident_id_problem

from .codes import SubjectKind

INDEX_FIELD = "sharing.subject"


def clean(value) -> str:
    """The one form of a key that is validated, indexed and masked (NFKC, no whitespace, upper-case)."""
    return normalise_code(str(value or ""))


def subject_index(kind: str, value: str) -> str:
    """Keyed SM3-HMAC of the key (per kind): equal keys give equal indexes, nothing reveals the key."""
    return blind_index(clean(value), f"{INDEX_FIELD}.{kind}")


def masked(kind: str, value: str) -> str:
    value = clean(value)
    if kind == SubjectKind.CREDIT_CODE:
        return value  # credit codes of organisations are public
    return mask_identifier(value)


def problem(kind: str, value: str) -> str | None:
    value = clean(value)
    if not value:
        return "empty"
    if kind == SubjectKind.RESIDENT_ID:
        return resident_id_problem(value)
    if kind == SubjectKind.CREDIT_CODE:
        return credit_code_problem(value)
    return None
