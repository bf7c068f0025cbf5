"""National code check characters (pure functions). See docs/glossary.md for the standards.

- GB 32100 unified social credit code (统一社会信用代码), 18 characters.
- GB 11714 organisation code (组织机构代码), characters 9-17 of the credit code.
- GB/T 2260 administrative division codes, 6 digits (9 for townships, by the statistical extension).

Every validator first passes its input through ``normalise_code`` (Unicode NFKC, so full-width and
other compatibility forms become ASCII; all whitespace removed; ASCII letters upper-cased) and then
accepts only the ASCII alphabet of its standard: ``\\d`` in a pattern would also match Arabic-Indic,
Devanagari or full-width digits, so the patterns spell ``[0-9]``. The ``*_problem`` functions never
raise for any input (they return a reason or None); the ``*_check_char`` helpers expect input of the
right alphabet and length and raise ``ValueError`` otherwise. Whoever stores or hashes a code stores
``normalise_code(code)``, so one code has one stored form.
"""

from __future__ import annotations

import re
import unicodedata

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: digits and capitals except I, O, Z, S, V
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714 body: digits 0-9, letters A=10 … Z=35
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_VALUES = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
_ORG_VALUES = {c: i for i, c in enumerate(ORG_ALPHABET)}
_DIVISION = re.compile(r"[0-9]{6}(?:[0-9]{3})?")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def normalise_code(value) -> str:
    """The one stored form of a code as typed or pasted: NFKC (full-width ``９１`` → ``91``), no
    whitespace anywhere, ASCII letters upper-cased (other letters are left alone, so a dotless ``ı``
    never becomes ``I``). Anything that is not a string gives ``""``."""
    if not isinstance(value, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", value).split()).translate(_ASCII_UPPER)


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters. ValueError outside the alphabet."""
    if len(first17) != 17 or any(c not in _CREDIT_VALUES for c in first17):
        raise ValueError("a credit code body is 17 characters of the GB 32100 alphabet")
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character of an 8-character body (0-9, A-Z). ValueError otherwise."""
    if len(body8) != 8 or any(c not in _ORG_VALUES for c in body8):
        raise ValueError("an organisation code body is 8 digits or capital letters")
    r = 11 - sum(_ORG_VALUES[c] * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def credit_code_problem(code) -> str | None:
    """None when ``code`` (normalised) is a valid unified social credit code, else a short English
    reason. Never raises."""
    code = normalise_code(code)
    if len(code) != 18:
        return "must be 18 characters"
    if any(c not in _CREDIT_VALUES for c in code):
        return "contains characters outside the GB 32100 alphabet (digits and capital letters except I, O, Z, S, V)"
    if not all(c in "0123456789" for c in code[2:8]):
        return "characters 3-8 must be the 6-digit division code"
    if (expected := credit_check_char(code[:17])) != code[17]:
        return f"check character should be {expected}"
    if org_code_check_char(code[8:16]) != code[16]:
        return "embedded organisation code (GB 11714) fails its check"
    return None


def is_credit_code(code) -> bool:
    return credit_code_problem(code) is None


def is_division_code(code) -> bool:
    """A GB/T 2260 division code (6 ASCII digits, or 9 for a township), normalised first."""
    code = normalise_code(code)
    return bool(_DIVISION.fullmatch(code)) and code[:2] != "00"


BASIC_CODE = re.compile(r"\A[0-9A-Z]{12}\Z")  # \Z: "$" would also match before a final newline


def implementation_code(organ_credit_code: str, level: str, basic_code: str) -> str:
    """实施编码 = implementing organ's credit code (18) + exercise level (1) + basic code (12)."""
    return f"{organ_credit_code}{level}{basic_code}"


def implementation_code_problem(code) -> str | None:
    """None when ``code`` (normalised) is a well-formed implementation code. Never raises."""
    code = normalise_code(code)
    if len(code) != 31:
        return "must be 31 characters (credit code 18 + level 1 + basic code 12)"
    if problem := credit_code_problem(code[:18]):
        return f"organ credit code part: {problem}"
    if code[18] not in "1234567":
        return "exercise level digit must be 1-7"
    if not BASIC_CODE.match(code[19:]):
        return "basic code part must be 12 letters or digits"
    return None
