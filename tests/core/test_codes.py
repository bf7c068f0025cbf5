import pytest

from govhall.core import codes


@pytest.mark.parametrize("code", ["11440232MB2D06811W", "11100000000013338W", "91110000600037341L"])
def test_real_credit_codes_pass(code):
    assert codes.credit_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("11440232MB2D06811X", "check character"),
        ("11440232MB2D0681", "18 characters"),
        ("1144023IMB2D06811W", "alphabet"),
        ("11100000000013337W", "check"),
    ],
)
def test_bad_credit_codes_say_why(code, why):
    assert why in codes.credit_code_problem(code)


def test_implementation_code_is_organ_code_plus_level_plus_basic_code():
    assert codes.implementation_code("11440232MB2D06811W", "4", "000117051000") == "11440232MB2D06811W4000117051000"
    assert codes.implementation_code_problem("11440232MB2D06811W4000117051000") is None
    assert "31" in codes.implementation_code_problem("11440232MB2D06811W400011705100")
    assert "credit" in codes.implementation_code_problem("11440232MB2D06811X4000117051000")
    assert "level" in codes.implementation_code_problem("11440232MB2D06811W8000117051000")


@pytest.mark.parametrize(("code", "ok"), [("340000", True), ("341502001", True), ("3415", False), ("000000", False)])
def test_division_codes(code, ok):
    assert codes.is_division_code(code) is ok
