"""Property tests of every national code validator against a reference written here from the standard.

The references below are written from the standards' text (DOMAIN.md §5-6), not from the code under
test: weights are derived from their definition (GB 11643 and GB 11714: 2^k mod 11, GB 32100:
3^k mod 31), alphabets are spelt out, and normalisation is NFKC, no whitespace, ASCII upper-case.
For random strings over each standard's alphabet and arbitrary Unicode text:

- the validator never raises (``*_problem``) or raises only its documented error;
- it accepts exactly when the reference accepts the normalised string;
- a body with its computed check character appended is valid, also when typed in full-width forms;
- the same code in non-ASCII digits (Arabic-Indic, Devanagari …) is refused.
"""

import datetime as dt
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from govhall.core import codes as core
from govhall.identity import codes as identity
from govhall.licenses import identifier as licence

TODAY = dt.date(2026, 11, 22)
SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# --- references, from the standards -------------------------------------------------------------

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GB32100_ALPHABET = "".join(c for c in DIGITS + LETTERS if c not in "IOZSV")  # 31 characters
GB11643_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # W_i = 2^(i-1) mod 11, i = 18 … 2
GB32100_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # W_i = 3^(i-1) mod 31, i = 1 … 17
GB11714_WEIGHTS = [pow(2, 8 - i, 11) for i in range(8)]  # 3 7 9 10 5 8 4 2
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
             "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
             "81", "82"}


def ref_normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in text if not c.isspace())


def ref_gb11643_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: the check digit makes Σ a_i·W_i ≡ 1 (mod 11); 10 is written X."""
    value = (12 - sum(int(c) * w for c, w in zip(first17, GB11643_WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def ref_resident_id_ok(text: str) -> bool:
    n = ref_normalise(text)
    if len(n) != 18 or any(c not in DIGITS for c in n[:17]) or n[17] not in DIGITS + "X":
        return False
    if n[:2] not in PROVINCES:
        return False
    try:
        birth = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return False
    return dt.date(1890, 1, 1) <= birth <= TODAY and ref_gb11643_check(n[:17]) == n[17]


def ref_gb11714_check(body: str) -> str:
    value = 11 - sum(int(c, 36) * w for c, w in zip(body, GB11714_WEIGHTS, strict=True)) % 11  # A=10 … Z=35
    return {10: "X", 11: "0"}.get(value, str(value))


def ref_gb32100_check(first17: str) -> str:
    total = sum(GB32100_ALPHABET.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


def ref_credit_code_ok(text: str) -> bool:
    n = ref_normalise(text)
    return (len(n) == 18 and all(c in GB32100_ALPHABET for c in n) and all(c in DIGITS for c in n[2:8])
            and ref_gb32100_check(n[:17]) == n[17] and ref_gb11714_check(n[8:16]) == n[16])


def ref_division_ok(text: str) -> bool:
    n = ref_normalise(text)
    return len(n) in (6, 9) and all(c in DIGITS for c in n) and not n.startswith("00")


def ref_implementation_code_ok(text: str) -> bool:
    n = ref_normalise(text)
    return (len(n) == 31 and ref_credit_code_ok(n[:18]) and n[18] in "1234567"
            and all(c in DIGITS + LETTERS for c in n[19:]))


def ref_document_ok(id_type: str, text: str) -> bool:
    n = ref_normalise(text)
    digits = lambda s: bool(s) and all(c in DIGITS for c in s)  # noqa: E731
    if id_type == "passport_cn":
        return len(n) == 9 and ((n[0] in "EG" and digits(n[1:]))
                                or (n[0] == "E" and n[1] in LETTERS and n[1] not in "IO" and digits(n[2:])))
    if id_type == "passport_foreign":
        return 5 <= len(n) <= 20 and all(c in DIGITS + LETTERS for c in n)
    if id_type == "hk_macao_permit":
        return len(n) in (9, 11) and n[0] in "HM" and digits(n[1:])
    if id_type == "taiwan_permit":
        return len(n) == 8 and digits(n)
    return ref_resident_id_ok(text)


def ref_mobile_ok(text: str) -> bool:
    n = "".join(c for c in unicodedata.normalize("NFKC", text) if not c.isspace() and c != "-")
    n = n[3:] if n.startswith("+86") else n[4:] if n.startswith("0086") else n
    return len(n) == 11 and all(c in DIGITS for c in n) and n[0] == "1" and n[1] in "3456789"


def ref_mod37_36(data: str) -> str:
    """ISO/IEC 7064 hybrid system MOD 37,36 over 0-9A-Z."""
    p = 36
    for c in data:
        s = (p + int(c, 36)) % 36 or 36
        p = (2 * s) % 37
    return (DIGITS + LETTERS)[(1 - p) % 36]


# --- strategies ----------------------------------------------------------------------------------

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in DIGITS + LETTERS}  # "９", "Ａ" … NFKC gives them back
ARABIC_INDIC = {c: chr(0x0660 + int(c)) for c in DIGITS}  # "٣": a Unicode digit, not an ASCII one
DEVANAGARI = {c: chr(0x0966 + int(c)) for c in DIGITS}


def over(alphabet: str, min_size: int, max_size: int):
    return st.text(alphabet=st.sampled_from(alphabet), min_size=min_size, max_size=max_size)


def disguised(code: str, data, table: dict[str, str]) -> str:
    """``code`` with some of its characters (at least one, when any can be) replaced through ``table``."""
    positions = [i for i, c in enumerate(code) if c in table]
    if not positions:
        return code
    chosen = data.draw(st.sets(st.sampled_from(positions), min_size=1))
    return "".join(table[c] if i in chosen else c for i, c in enumerate(code))


def any_text(alphabet: str, length: int):
    """Random strings near the code: its alphabet (and its neighbours), any Unicode, or a mix."""
    near = alphabet + "IOZSVxX -٣９Ａ\u3000"
    return st.one_of(over(near, length - 2, length + 2), over(alphabet, length, length), st.text(max_size=40),
                     st.builds(lambda a, b: a + b, over(alphabet, 0, length), st.text(max_size=4)))


resident_bodies = st.builds(
    lambda province, rest, birth, seq: province + rest + birth.strftime("%Y%m%d") + seq,
    st.sampled_from(sorted(PROVINCES)), over(DIGITS, 4, 4),
    st.dates(min_value=dt.date(1890, 1, 1), max_value=TODAY), over(DIGITS, 3, 3))
credit_parts = st.tuples(over(GB32100_ALPHABET, 2, 2), over(DIGITS, 6, 6), over(GB32100_ALPHABET, 8, 8))


def credit_code(parts) -> str:
    """A valid credit code from its parts (the GB 11714 check, 0-9 or X, is in the GB 32100 alphabet)."""
    head, division, body = parts
    org = body + ref_gb11714_check(body)
    first17 = head + division + org
    return first17 + ref_gb32100_check(first17)


# --- GB 11643 resident ID -------------------------------------------------------------------------


@SETTINGS
@given(any_text(DIGITS + "X", 18))
@example("11010519491231002X")
@example("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
@example("")
def test_resident_id_problem_never_raises_and_agrees_with_the_reference(text):
    problem = identity.resident_id_problem(text, today=TODAY)
    assert problem is None or isinstance(problem, str)
    assert (problem is None) == ref_resident_id_ok(text)
    assert (identity.id_number_problem("resident_id", text, today=TODAY) is None) == ref_resident_id_ok(text)


@SETTINGS
@given(any_text(DIGITS + "X", 18))
def test_parse_resident_id_raises_only_value_error(text):
    try:
        parsed = identity.parse_resident_id(text, today=TODAY)
    except ValueError:
        assert not ref_resident_id_ok(text)
    else:
        assert parsed.number == ref_normalise(text) and parsed.number.isascii()


@SETTINGS
@given(resident_bodies, st.data())
def test_a_resident_id_with_its_check_character_is_valid_in_ascii_and_full_width_only(body, data):
    number = body + identity.resident_id_check_char(body)
    assert identity.resident_id_check_char(body) == ref_gb11643_check(body)
    assert identity.resident_id_problem(number, today=TODAY) is None
    wide = disguised(number.lower(), data, FULL_WIDTH | {"x": "ｘ"})
    assert identity.resident_id_problem(wide, today=TODAY) is None
    assert identity.normalise_id(wide) == number  # one stored form, one blind index
    for table in (ARABIC_INDIC, DEVANAGARI):
        assert identity.resident_id_problem(disguised(number, data, table), today=TODAY) is not None


# --- other personal documents and mobile numbers -----------------------------------------------------


@SETTINGS
@given(st.sampled_from(["passport_cn", "passport_foreign", "hk_macao_permit", "taiwan_permit"]),
       any_text(DIGITS + "EGHM" + LETTERS, 10))
@example("passport_cn", "E١٢٣٤٥٦٧٨")
@example("taiwan_permit", "１２３４５６７８")
def test_document_numbers_agree_with_their_shapes(id_type, text):
    problem = identity.id_number_problem(id_type, text, today=TODAY)
    assert problem is None or isinstance(problem, str)
    assert (problem is None) == ref_document_ok(id_type, text)


@SETTINGS
@given(st.one_of(any_text(DIGITS + "+-", 13), st.builds(lambda d: "1" + d, over(DIGITS, 10, 10))))
@example("１３９５５６００００１")
@example("١٣٩٥٥٦٠٠٠٠١")
def test_mobile_numbers_never_raise_and_accept_only_ascii_digits(text):
    problem = identity.mobile_problem(text)
    assert problem is None or isinstance(problem, str)
    assert (problem is None) == ref_mobile_ok(text)


# --- GB 32100 credit code, GB 11714 organisation code ---------------------------------------------


@SETTINGS
@given(any_text(GB32100_ALPHABET, 18))
@example("91341500MA2TEAO19F")  # an O in positions 9-17: once a ValueError (HTTP 500)
@example("11440232MB2D06811W")
@example("９１３４１５０２ＭＡ２ＴＥＡ０１９Ｆ")
def test_credit_code_problem_never_raises_and_agrees_with_the_reference(text):
    problem = core.credit_code_problem(text)
    assert problem is None or isinstance(problem, str)
    assert (problem is None) == ref_credit_code_ok(text) == core.is_credit_code(text)


@SETTINGS
@given(over(GB32100_ALPHABET, 18, 18), st.integers(0, 17), st.sampled_from("IOZSV"))
def test_letters_outside_the_alphabet_anywhere_are_a_problem_not_an_exception(code, position, letter):
    code = code[:position] + letter + code[position + 1:]
    assert "alphabet" in core.credit_code_problem(code)


@SETTINGS
@given(credit_parts, st.data())
def test_a_credit_code_with_its_check_characters_is_valid_also_in_full_width(parts, data):
    code = credit_code(parts)
    assert core.credit_check_char(code[:17]) == code[17]
    assert core.org_code_check_char(code[8:16]) == code[16] == ref_gb11714_check(code[8:16])
    assert core.credit_code_problem(code) is None
    wide = disguised(code, data, FULL_WIDTH)
    assert core.credit_code_problem(wide) is None and core.normalise_code(wide) == code
    assert core.credit_code_problem(disguised(code, data, ARABIC_INDIC)) is not None


@SETTINGS
@given(over(DIGITS + LETTERS, 8, 8))
def test_the_organisation_code_check_follows_gb_11714(body):
    assert core.org_code_check_char(body) == ref_gb11714_check(body)


@SETTINGS
@given(st.text(max_size=20))
def test_check_character_helpers_raise_only_value_error(text):
    for helper in (core.credit_check_char, core.org_code_check_char, identity.resident_id_check_char):
        try:
            helper(text)
        except ValueError:
            pass


# --- GB/T 2260 divisions, implementation codes ------------------------------------------------------


@SETTINGS
@given(any_text(DIGITS, 6))
@example("３４００００")
@example("٣٤٠٠٠٠")
@example("340000\n")
def test_division_codes_agree_with_the_reference(text):
    assert core.is_division_code(text) == ref_division_ok(text)


@SETTINGS
@given(st.one_of(any_text(GB32100_ALPHABET + "1234567", 31),
                 st.builds(lambda parts, level, basic: credit_code(parts) + level + basic, credit_parts,
                           st.sampled_from("123456789"), any_text(DIGITS + LETTERS, 12))))
def test_implementation_codes_agree_with_the_reference(text):
    problem = core.implementation_code_problem(text)
    assert problem is None or isinstance(problem, str)
    assert (problem is None) == ref_implementation_code_ok(text)


# --- licence identifiers (ISO/IEC 7064 MOD 37,36) -----------------------------------------------------


@SETTINGS
@given(over(DIGITS + LETTERS, 1, 60))
def test_mod_37_36_agrees_with_the_reference(data):
    assert licence.check_char(data) == ref_mod37_36(data)
    assert licence.is_check_valid(data + ref_mod37_36(data))


identifier_parts = st.tuples(credit_parts, over(DIGITS, 3, 3), credit_parts, over(DIGITS + LETTERS, 1, 32),
                             over(DIGITS, 3, 3))


@SETTINGS
@given(identifier_parts, st.data())
def test_a_made_identifier_parses_back_also_typed_in_full_width(parts, data):
    type_org, type_seq, issuer, serial, version = parts
    made = licence.make_identifier(credit_code(type_org) + type_seq, credit_code(issuer), serial, version)
    assert licence.is_valid(made)
    assert made.endswith("." + ref_mod37_36(made.replace(".", "")[len("1215630052"):-1]))
    wide = disguised(made, data, FULL_WIDTH | {".": "．"})
    assert licence.parse_identifier(wide).identifier == made
    tampered = disguised(made[len(licence.ROOT):], data, ARABIC_INDIC)
    if tampered != made[len(licence.ROOT):]:
        with pytest.raises(licence.IdentifierError):
            licence.parse_identifier(licence.ROOT + tampered)


@SETTINGS
@given(st.one_of(st.text(max_size=80),
                 st.builds(lambda s: licence.ROOT + "." + s, over(DIGITS + LETTERS + ".٣９", 0, 70))))
@example("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.٠٠١.U")
def test_parse_identifier_raises_nothing_but_identifier_error(text):
    try:
        licence.parse_identifier(text)
    except licence.IdentifierError:
        assert not licence.is_valid(text)
    else:
        assert licence.is_valid(text)
