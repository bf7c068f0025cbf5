"""National code check characters (pure functions). See docs/glossary.md for the standards.

- GB 32100 unified social credit code (统一社会信用代码), 18 characters.
- GB 11714 organisation code (组织机构代码), characters 9-17 of the credit code.
- GB/T 2260 administrative division codes, 6 digits (9 for townships, by the statistical extension).
"""

from __future__ import annotations

import re

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-Z]{9}[0-9A-HJ-NPQRTUWXY]$")
_DIVISION = re.compile(r"^(\d{6}|\d{9})$")


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    r = 11 - total % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid unified social credit code, else a short English reason."""
    if len(code) != 18:
        return "must be 18 characters"
    if not _CREDIT_SHAPE.match(code) or any(c not in CREDIT_ALPHABET for c in code[:8] + code[17]):
        return "contains characters outside the GB 32100 alphabet"
    if any(c not in CREDIT_ALPHABET for c in code[8:17]) and not code[8:16].isalnum():
        return "organisation code part is malformed"
    if credit_check_char(code[:17]) != code[17]:
        return f"check character should be {credit_check_char(code[:17])}"
    body, check = code[8:16], code[16]
    if not re.fullmatch(r"[0-9A-Z]{8}", body) or org_code_check_char(body) != check:
        return "embedded organisation code (GB 11714) fails its check"
    return None


def is_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None


def is_division_code(code: str) -> bool:
    return bool(_DIVISION.match(code)) and code[:2] != "00"


BASIC_CODE = re.compile(r"^[0-9A-Z]{12}$")


def implementation_code(organ_credit_code: str, level: str, basic_code: str) -> str:
    """实施编码 = implementing organ's credit code (18) + exercise level (1) + basic code (12)."""
    return f"{organ_credit_code}{level}{basic_code}"


def implementation_code_problem(code: str) -> str | None:
    if len(code) != 31:
        return "must be 31 characters (credit code 18 + level 1 + basic code 12)"
    if problem := credit_code_problem(code[:18]):
        return f"organ credit code part: {problem}"
    if code[18] not in "1234567":
        return "exercise level digit must be 1-7"
    if not BASIC_CODE.match(code[19:]):
        return "basic code part must be 12 letters or digits"
    return None
