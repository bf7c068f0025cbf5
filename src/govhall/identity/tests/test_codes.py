"""Document numbers: check characters and shapes, as tables."""

import datetime as dt

import pytest

from govhall.identity import codes

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("number, division, birth, gender", [
    ("11010519491231002X", "110105", dt.date(1949, 12, 31), "female"),
    ("11010519491231002x", "110105", dt.date(1949, 12, 31), "female"),
    ("341502199003071235", "341502", dt.date(1990, 3, 7), "male"),
    ("341503199205202420", "341503", dt.date(1992, 5, 20), "female"),
    ("341501197806159016", "341501", dt.date(1978, 6, 15), "male"),
    (" 3415 0219 8511 1155 51 ", "341502", dt.date(1985, 11, 11), "male"),
])
def test_a_valid_resident_id_yields_division_birth_date_and_gender(number, division, birth, gender):
    parsed = codes.parse_resident_id(number, today=TODAY)
    assert (parsed.division, parsed.birth_date, parsed.gender) == (division, birth, gender)


@pytest.mark.parametrize("number, reason", [
    ("110105194912310021", "check character should be X"),
    ("341502199003071236", "check character should be 5"),
    ("11010519491231002", "17 digits"),
    ("1101051949123100200", "17 digits"),
    ("11010519491231002Y", "17 digits"),
    ("001051194912310021", "names no province"),
    ("110105194902300023", "not a real date"),  # 30 February
    ("110105202712310020", "in the future"),
    ("110105188012310020", "implausibly early"),
])
def test_an_invalid_resident_id_is_refused_with_its_reason(number, reason):
    assert reason in codes.resident_id_problem(number, today=TODAY)
    with pytest.raises(ValueError):
        codes.parse_resident_id(number, today=TODAY)


def test_the_check_character_follows_gb_11643():
    assert codes.resident_id_check_char("11010519491231002") == "X"
    assert codes.resident_id_check_char("34150219900307123") == "5"


@pytest.mark.parametrize("id_type, number, ok", [
    ("passport_cn", "E12345678", True),
    ("passport_cn", "EA1234567", True),
    ("passport_cn", "G12345678", True),
    ("passport_cn", "EI1234567", False),
    ("passport_cn", "X12345678", False),
    ("passport_cn", "E1234567", False),
    ("passport_foreign", "AB12345", True),
    ("passport_foreign", "A1B2", False),
    ("passport_foreign", "123456789012345678901", False),
    ("passport_foreign", "AB-12345", False),
    ("hk_macao_permit", "H12345678", True),
    ("hk_macao_permit", "M1234567890", True),
    ("hk_macao_permit", "H123456789", False),
    ("hk_macao_permit", "C12345678", False),
    ("taiwan_permit", "12345678", True),
    ("taiwan_permit", "1234567", False),
    ("taiwan_permit", "T1234567", False),
    ("resident_id", "11010519491231002X", True),
    ("resident_id", "", False),
    ("driving_licence", "12345678", False),
])
def test_document_numbers_are_checked_by_type(id_type, number, ok):
    assert (codes.id_number_problem(id_type, number, today=TODAY) is None) is ok


@pytest.mark.parametrize("phone, ok", [
    ("13955600001", True), ("+86 139 5560 0001", True), ("0086-139-5560-0001", True),
    ("12955600001", False), ("1395560000", False), ("0564-3331234", False),
])
def test_mobile_numbers(phone, ok):
    assert (codes.mobile_problem(phone) is None) is ok
