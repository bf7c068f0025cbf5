"""Reading codes as real lists publish them: pure functions, tables of inputs and expected outputs."""

import pytest

from govhall.catalog.onboarding.codes import (
    level_of_division,
    parent_division,
    read_department_code,
    read_division,
    read_item_type,
)


@pytest.mark.parametrize(("given", "code", "level", "mapped"), [
    ("511602", "511602", "county", False),
    ("510000", "510000", "province", False),
    ("511600", "511600", "city", False),
    ("511602001", "511602001", "township", False),
    ("511602000000", "511602", "county", True),  # the statistical form of a county
    ("511600000000", "511600", "city", True),
    ("510000000000", "510000", "province", True),
    ("511602003000", "511602003", "township", True),  # a township's 12-digit code
    (511602000000, "511602", "county", True),  # a number from a spreadsheet cell
    (" 511602 ", "511602", "county", False),
    ("５１１６０２", "511602", "county", False),  # full-width digits fold to ASCII
])
def test_division_codes_in_6_9_and_12_digits_map_to_the_platform_code(given, code, level, mapped):
    reading = read_division(given)
    assert (reading.code, reading.level, reading.mapped, reading.problem) == (code, level, mapped, "")


@pytest.mark.parametrize(("given", "reason"), [
    ("", "required"),
    ("51160", "6, 9 or 12 digits"),
    ("5116020000000", "6, 9 or 12 digits"),
    ("51160A", "6, 9 or 12 digits"),
    ("511602003204", "village-level"),  # a village is not a region here
    ("000000", "names no province"),
    ("٥١١٦٠٢", "6, 9 or 12 digits"),  # Arabic-Indic digits are not GB/T 2260 digits
    ("511602000", "names no township"),
])
def test_bad_division_codes_say_why(given, reason):
    reading = read_division(given)
    assert reading.code == "" and reason in reading.problem and reading.problem_zh


def test_the_code_layout_gives_level_and_parent():
    assert [level_of_division(c) for c in ("510000", "511600", "511602", "511602003")] == [
        "province", "city", "county", "township"]
    assert [parent_division(c) for c in ("511602003", "511602", "511600", "510000")] == [
        "511602", "511600", "510000", None]


@pytest.mark.parametrize(("given", "credit", "org", "derived"), [
    # a valid credit code: the organisation code is its characters 9-17
    ("11511301008778183N", "11511301008778183N", "008778183", {"org_code"}),
    # a lower-case check letter is upper-cased, and that is recorded; so are full-width characters
    ("11511301452259996u", "11511301452259996U", "452259996", {"org_code", "credit_code"}),
    ("１１５１１３０１００８７７８１８３Ｎ", "11511301008778183N", "008778183", {"org_code", "credit_code"}),
    # a legacy organisation code, plain or in the XXXXXXXX-X form
    ("083372204", "", "083372204", set()),
    ("00877868-5", "", "008778685", {"org_code"}),
    ("76726532-X", "", "76726532X", {"org_code"}),
])
def test_department_codes_are_read_without_guessing(given, credit, org, derived):
    reading = read_department_code(given)
    assert (reading.credit_code, reading.org_code, set(reading.derived), reading.notes) == (credit, org, derived, [])


@pytest.mark.parametrize("given", [
    "1151130108778239R",  # 17 characters: a character is missing
    "1151130108778239R_6391",  # an internal suffix
    "130501003",  # an organisation code whose check character is wrong (should be 6)
    "0087790701",  # ten digits
    "11736",
    "3946653276082720768",  # an internal number
    "TE5116020105116050",  # 18 characters failing the check
])
def test_unreadable_department_codes_are_kept_as_published_with_a_note(given):
    reading = read_department_code(given)
    assert (reading.credit_code, reading.org_code) == ("", "")
    assert reading.given == given and reading.notes


@pytest.mark.parametrize(("given", "expected"), [
    ("1", "01"), ("01", "01"), ("5", "05"), ("10", "10"), ("20", "20"), (7, "07"),
    ("11", None), ("99", None), ("许可", None), ("", None), ("001", None),
])
def test_item_types_are_the_gbt_39046_codes_with_or_without_the_leading_zero(given, expected):
    assert read_item_type(given) == expected
