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


WIDE = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ")


@pytest.mark.parametrize("code", ["91341500MA2TEAO19F", "91341500MA2TEAI19F", "11440232MB2D0681ZW", "11440232MB2D0S811W"])
def test_letters_outside_the_alphabet_in_the_organisation_part_are_a_reason_not_an_exception(code):
    assert "alphabet" in codes.credit_code_problem(code)
    assert not codes.is_credit_code(code)
    assert "alphabet" in codes.implementation_code_problem(code + "4000117051000")


@pytest.mark.parametrize("value", [None, 91341502, b"91341502MA2TEA019F", "", "\x00" * 18, "９" * 18])
def test_validators_answer_for_anything(value):
    assert codes.credit_code_problem(value)
    assert codes.implementation_code_problem(value)
    assert codes.is_division_code(value) is False


def test_one_code_has_one_stored_form():
    assert codes.normalise_code(" ９１３４ １５０２\u3000ｍａ２ｔｅａ０１９ｆ\n") == "91341502MA2TEA019F"
    assert codes.normalise_code("ı") == "ı"  # only ASCII letters are upper-cased: a dotless i never becomes I
    assert codes.credit_code_problem("91341502MA2TEA019F".translate(WIDE)) is None
    assert codes.credit_code_problem("9134١٥٠٢MA2TEA019F")  # Arabic-Indic digits are not digits of the code
    assert codes.is_division_code("３４１５０２") and not codes.is_division_code("٣٤١٥٠٢")


def test_the_services_store_and_index_the_normalised_code(db, regions):
    from govhall.catalog import services
    from govhall.sharing import keys
    from govhall.sharing.codes import SubjectKind

    region = services.region_create(actor=None, code="３４１５０２００１", name="测试乡", level="township",
                                    parent=regions["county"])
    assert region.code == "341502001"
    organ = services.organ_create(actor=None, credit_code="11440232MB2D06811W".translate(WIDE).lower(),
                                  name="测试局", region=regions["city"], level="3", nature="1")
    assert organ.credit_code == "11440232MB2D06811W"
    for kind, value in ((SubjectKind.RESIDENT_ID, "341502199003071235"), (SubjectKind.CREDIT_CODE,
                                                                          "91341502MA2TEA019F")):
        wide = value.translate(WIDE)
        assert keys.problem(kind, wide) is None and keys.masked(kind, wide) == keys.masked(kind, value)
        assert keys.subject_index(kind, wide) == keys.subject_index(kind, value)
        assert keys.problem(kind, value.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
