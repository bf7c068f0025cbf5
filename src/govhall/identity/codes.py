"""Identity document numbers (pure functions, no database). See docs/accounts.md.

- Resident ID card (居民身份证, GB 11643): 6-digit division + 8-digit birth date + 3-digit sequence
  (odd = male) + check character over weights ``7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2``.
- Chinese passport (中华人民共和国护照): ``E`` + 8 digits, ``E`` + letter + 7 digits, ``G`` + 8 digits.
- Foreign passport (外国护照): 5-20 letters or digits.
- Mainland travel permit for Hong Kong and Macao residents (港澳居民来往内地通行证): ``H`` or ``M`` +
  8 or 10 digits.
- Mainland travel permit for Taiwan residents (台湾居民来往大陆通行证, 台胞证): 8 digits.
- Unified social credit codes are checked by ``govhall.core.codes.credit_code_problem``.

Every number is first normalised by ``normalise_id`` (``govhall.core.codes.normalise_code``: Unicode
NFKC, whitespace removed, ASCII letters upper-cased), then only ASCII ``0-9`` (and the letters a
document allows) are accepted: full-width ``３４１５…`` and ASCII ``3415…`` are one number, while
Arabic-Indic or other non-ASCII digits are refused. The services store and blind-index the
normalised value, so uniqueness holds on it. The ``*_problem`` functions never raise.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.core.codes import normalise_code

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"
EARLIEST_BIRTH = dt.date(1890, 1, 1)
# GB/T 2260 province-level prefixes (71 Taiwan, 81 Hong Kong, 82 Macao are used by residence permits).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
})

# ASCII classes only (``\d`` would match any Unicode digit); used with fullmatch
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_CN_PASSPORT = re.compile(r"[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}")
_FOREIGN_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
_HK_MACAO_PERMIT = re.compile(r"[HM](?:[0-9]{8}|[0-9]{10})")
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("resident identity card")
    PASSPORT_CN = "passport_cn", _("Chinese passport")
    PASSPORT_FOREIGN = "passport_foreign", _("foreign passport")
    HK_MACAO_PERMIT = "hk_macao_permit", _("travel permit for Hong Kong and Macao residents")
    TAIWAN_PERMIT = "taiwan_permit", _("travel permit for Taiwan residents")


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


@dataclass(frozen=True)
class ResidentId:
    number: str
    division: str
    birth_date: dt.date
    gender: str
    sequence: str


def normalise_id(number) -> str:
    """NFKC, no whitespace, ASCII letters upper-cased (a lower-case ``x`` check character is common)."""
    return normalise_code(number)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character of 17 ASCII digits. ValueError for anything else."""
    if len(first17) != 17 or any(c not in "0123456789" for c in first17):
        raise ValueError("a resident ID body is 17 ASCII digits")
    return RESIDENT_ID_CHECK[sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True)) % 11]


def resident_id_problem(number, *, today: dt.date | None = None) -> str | None:
    """None when ``number`` (normalised) is a valid 18-character resident ID number, else a short
    English reason. Never raises."""
    number = normalise_id(number)
    if not _RESIDENT_ID.fullmatch(number):
        return "must be 17 digits followed by a digit or X"
    if number[:2] not in PROVINCES:
        return f"division code {number[:6]} names no province"
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"birth date {number[6:14]} is not a real date"
    if birth > (today or dt.date.today()):
        return f"birth date {birth.isoformat()} is in the future"
    if birth < EARLIEST_BIRTH:
        return f"birth date {birth.isoformat()} is implausibly early"
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        return f"check character should be {expected}"
    return None


def parse_resident_id(number, *, today: dt.date | None = None) -> ResidentId:
    """The normalised number, division, birth date and gender a valid resident ID encodes. Raises
    ValueError (with the reason) otherwise."""
    number = normalise_id(number)
    if problem := resident_id_problem(number, today=today):
        raise ValueError(problem)
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sequence = number[14:17]
    gender = Gender.MALE if int(sequence) % 2 else Gender.FEMALE
    return ResidentId(number, number[:6], birth, str(gender), sequence)


def id_number_problem(id_type: str, number, *, today: dt.date | None = None) -> str | None:
    """None when ``number`` (normalised) has the shape (and check character) of a document of
    ``id_type``. Never raises."""
    number = normalise_id(number)
    if not number:
        return "is required"
    if id_type == IdType.RESIDENT_ID:
        return resident_id_problem(number, today=today)
    shapes = {
        IdType.PASSPORT_CN: (_CN_PASSPORT, "must be E or G followed by 8 digits, or E, a letter and 7 digits"),
        IdType.PASSPORT_FOREIGN: (_FOREIGN_PASSPORT, "must be 5 to 20 letters or digits"),
        IdType.HK_MACAO_PERMIT: (_HK_MACAO_PERMIT, "must be H or M followed by 8 or 10 digits"),
        IdType.TAIWAN_PERMIT: (_TAIWAN_PERMIT, "must be 8 digits"),
    }
    if id_type not in shapes:
        return f"unknown document type {id_type!r}"
    pattern, reason = shapes[id_type]
    return None if pattern.fullmatch(number) else reason


def mobile_problem(phone: str) -> str | None:
    """Mainland mobile numbers: 11 digits starting 13-19. ``+86`` and ``0086`` prefixes are accepted."""
    digits = normalise_phone(phone)
    return None if _MOBILE.fullmatch(digits) else "must be an 11-digit mainland mobile number starting with 1"


def normalise_phone(phone) -> str:
    """NFKC (full-width digits and ``＋``), spaces and hyphens removed, ``+86``/``0086`` dropped."""
    if not isinstance(phone, str):
        return ""
    digits = re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", phone))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    return digits
