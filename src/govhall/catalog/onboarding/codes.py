"""Reading codes as real lists publish them (pure functions, no database).

- Division codes (GB/T 2260): 6 digits (province, city, county) or 9 (township, the statistical
  extension). The statistical form (统计用区划代码) has 12 digits, ``PPCCDD TTT VVV``: county, township,
  village. A 12-digit code maps to the 6-digit code when its last 6 digits are zero and to the
  9-digit code when its last 3 are; a village code (last 3 not zero) names no region here.
- Department codes: a unified social credit code (GB 32100, 18 characters; a lower-case check
  letter is upper-cased), or a legacy organisation code (GB 11714: 8 characters and a check
  character, also written ``XXXXXXXX-X``). Anything else is kept as published and the organ is to be
  completed. The check characters are computed by ``govhall.core.codes``.
- Item types: the GB/T 39046 codes, also written without the leading zero ("1" for "01").

Every reading first passes its input through ``govhall.core.codes.normalise_code`` (full-width
forms to ASCII, no whitespace, ASCII letters upper-cased) and accepts ASCII digits only; a
department code as published is nevertheless kept exactly as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from govhall.core.codes import credit_code_problem, normalise_code, org_code_check_char

from ..codesets import ExerciseLevel, ItemType, RegionLevel

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: \d would also match other scripts' digits
_ORG_CODE = re.compile(r"([0-9A-Z]{8})-?([0-9X])")


@dataclass(frozen=True)
class DivisionReading:
    """``code`` is the 6- or 9-digit division code, or "" with ``problem`` (English reason)."""

    code: str = ""
    level: str = ""
    given: str = ""
    mapped: bool = False  # the code was mapped from the 12-digit statistical form
    problem: str = ""
    problem_zh: str = ""


def level_of_division(code: str) -> str:
    """province / city / county (6 digits) or township (9 digits), by the GB/T 2260 layout."""
    if len(code) == 9:
        return RegionLevel.TOWNSHIP
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[4:] == "00":
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def parent_division(code: str) -> str | None:
    """The code of the division directly above ``code`` by the layout (None for a province)."""
    level = level_of_division(code)
    if level == RegionLevel.TOWNSHIP:
        return code[:6]
    if level == RegionLevel.COUNTY:
        return code[:4] + "00"
    if level == RegionLevel.CITY:
        return code[:2] + "0000"
    return None


def read_division(raw) -> DivisionReading:
    """A division code in the 6-, 9- or 12-digit form (numbers from a spreadsheet are accepted)."""
    given = normalise_code(_text(raw))
    if not given:
        return DivisionReading(given=given, problem="is required", problem_zh="必须填写")
    if not _DIGITS.fullmatch(given) or len(given) not in (6, 9, 12):
        return DivisionReading(given=given, problem=f"{given!r} must be 6, 9 or 12 digits",
                               problem_zh=f"{given} 应为6位、9位或12位数字")
    if given[:2] == "00":
        return DivisionReading(given=given, problem=f"{given} names no province", problem_zh=f"{given} 不是有效的省级代码")
    code, mapped = given, False
    if len(given) == 12:
        mapped = True
        if given[6:] == "000000":
            code = given[:6]
        elif given[9:] == "000":
            code = given[:9]
        else:
            return DivisionReading(given=given, problem=f"{given} is a village-level code; register its township "
                                   f"{given[:9]} or county {given[:6]}",
                                   problem_zh=f"{given} 是村级代码，请登记所属乡镇（{given[:9]}）或县（{given[:6]}）")
    if len(code) == 9 and code[6:] == "000":
        return DivisionReading(given=given, problem=f"{given}: township part 000 names no township",
                               problem_zh=f"{given} 的乡镇段为 000，不是乡镇代码")
    return DivisionReading(code=code, level=level_of_division(code), given=given, mapped=mapped)


def region_level_to_exercise_level(level: str) -> str:
    """The exercise level (行使层级) of an organ in a region of ``level``."""
    return {RegionLevel.PROVINCE: ExerciseLevel.PROVINCIAL, RegionLevel.CITY: ExerciseLevel.CITY,
            RegionLevel.COUNTY: ExerciseLevel.COUNTY, RegionLevel.TOWNSHIP: ExerciseLevel.TOWNSHIP}[level]


@dataclass
class OrganCodeReading:
    """What a published department code says. ``credit_code`` and ``org_code`` are "" when it does
    not give them; ``derived`` names every value normalised or taken from another; ``notes`` say in
    both languages why a code could not be read (the organ is then to be completed)."""

    given: str
    credit_code: str = ""
    org_code: str = ""
    derived: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return bool(self.credit_code or self.org_code)


def credit_code_reading(raw) -> tuple[str, str | None, bool]:
    """(code normalised, problem or None, whether normalising changed it: a lower-case check letter,
    full-width characters, spaces) for a credit code."""
    given = _text(raw)
    code = normalise_code(given)
    return code, credit_code_problem(code), code != given


def org_code_problem(raw) -> tuple[str, str | None]:
    """(normalised 9-character code, problem or None) for a legacy organisation code (GB 11714).
    Accepts ``XXXXXXXX-X`` and a lower-case check letter."""
    given = normalise_code(_text(raw))
    match = _ORG_CODE.fullmatch(given)
    if not match:
        return given, "must be 8 letters or digits and a check character (optionally XXXXXXXX-X)"
    body, check = match.groups()
    expected = org_code_check_char(body)
    if check != expected:
        return body + check, f"check character should be {expected}"
    return body + check, None


def read_department_code(raw) -> OrganCodeReading:
    """Read a department code as published, tolerantly: never raises, never guesses."""
    given = _text(raw)
    reading = OrganCodeReading(given=given)
    if not given:
        return reading
    if len(normalise_code(given)) == 18:
        code, problem, upper_cased = credit_code_reading(given)
        if problem is None:
            reading.credit_code = code
            reading.org_code = code[8:17]
            reading.derived["org_code"] = "characters 9-17 of the credit code / 统一社会信用代码第9至17位"
            if upper_cased:
                reading.derived["credit_code"] = f"normalised from {given} / 由 {given} 规范化（大写）"
            return reading
        reading.notes.append((f"{given} 不是有效的统一社会信用代码（{problem}）",
                              f"{given} is not a valid unified social credit code ({problem})"))
        return reading
    if len(normalise_code(given)) in (9, 10):
        code, problem = org_code_problem(given)
        if problem is None:
            reading.org_code = code
            if code != given:
                reading.derived["org_code"] = f"normalised from {given} / 由 {given} 规范化"
            return reading
        reading.notes.append((f"{given} 不是有效的组织机构代码（{problem}）",
                              f"{given} is not a valid organisation code ({problem})"))
        return reading
    reading.notes.append((f"{given} 既不是统一社会信用代码也不是组织机构代码，原样保存",
                          f"{given} is neither a credit code nor an organisation code; kept as published"))
    return reading


def read_item_type(raw) -> str | None:
    """The GB/T 39046 item type code ("01" … "20"), or None. "1" reads as "01"."""
    given = normalise_code(_text(raw))
    if _DIGITS.fullmatch(given) and len(given) <= 2:
        code = given.zfill(2)
        if code in ItemType.values:
            return code
    return None


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()
