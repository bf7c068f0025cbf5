"""Electronic licence identifiers (pure functions; DOMAIN.md §5, GB/T 36904).

``1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>``

- ``1.2.156.3005.2``: the licence root OID;
- type code: the credit code (18) of the organ that defines the licence type + 3 digits;
- issuer code: the issuing organ's unified social credit code (18);
- serial: issuer-defined, here issue year + 7-digit sequence;
- version: 3 digits ("001" for the first issue, +1 for each replacement);
- check: ISO/IEC 7064 MOD 37,36 over type code + issuer code + serial + version, without dots.

MOD 37,36 is the hybrid system with M = 36, M + 1 = 37 over the alphabet 0-9A-Z: starting from
P = M, each character a gives S = (P + a) mod M (0 read as M) and the next P = 2S mod (M + 1); the
check character c makes (P + c) mod M = 1. It detects every single-character substitution and
all but a small fraction (about 0.2 %) of transpositions of adjacent characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govhall.core.codes import normalise_code

ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
M = 36

# ASCII classes only (``\d`` would match any Unicode digit, which the check has no value for); fullmatch
_TYPE = re.compile(r"[0-9A-Z]{18}[0-9]{3}")
_ISSUER = re.compile(r"[0-9A-Z]{18}")
_SERIAL = re.compile(r"[0-9A-Z]{1,32}")
_VERSION = re.compile(r"[0-9]{3}")


class IdentifierError(ValueError):
    """A string that is not a licence identifier. ``code`` is ``malformed`` or ``check_character``."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


def _product(data: str) -> int:
    p = M
    for char in data:
        value = ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"{char!r} is not in the MOD 37,36 alphabet 0-9A-Z")
        s = (p + value) % M or M
        p = (2 * s) % (M + 1)
    return p


def check_char(data: str) -> str:
    """The MOD 37,36 check character of ``data`` (characters 0-9 and A-Z); ValueError for others."""
    return ALPHABET[(M + 1 - _product(data)) % M]


def is_check_valid(data_with_check: str) -> bool:
    """True when the last character is the MOD 37,36 check character of the rest."""
    if len(data_with_check) < 2 or any(c not in ALPHABET for c in data_with_check):
        return False
    return (_product(data_with_check[:-1]) + ALPHABET.index(data_with_check[-1])) % M == 1


@dataclass(frozen=True)
class IdentifierParts:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    @property
    def body(self) -> str:
        return f"{self.type_code}{self.issuer_code}{self.serial}{self.version}"

    @property
    def identifier(self) -> str:
        return f"{ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


def shape_problem(type_code: str, issuer_code: str, serial: str, version: str) -> str | None:
    if not _TYPE.fullmatch(type_code):
        return "the type code must be 18 letters or digits (a credit code) and 3 digits"
    if not _ISSUER.fullmatch(issuer_code):
        return "the issuer code must be 18 letters or digits (a credit code)"
    if not _SERIAL.fullmatch(serial):
        return "the serial must be 1-32 letters or digits"
    if not _VERSION.fullmatch(version):
        return "the version must be 3 digits"
    return None


def make_identifier(type_code: str, issuer_code: str, serial: str, version: str | int) -> str:
    """The full identifier with its check character. Raises ValueError for malformed parts."""
    version = f"{version:03d}" if isinstance(version, int) else version
    if problem := shape_problem(type_code, issuer_code, serial, version):
        raise ValueError(problem)
    body = f"{type_code}{issuer_code}{serial}{version}"
    return IdentifierParts(type_code, issuer_code, serial, version, check_char(body)).identifier


def normalise(text: str) -> str:
    """NFKC (full-width ``１．２`` → ``1.2``), whitespace removed (people paste identifiers from PDFs
    and messages), ASCII letters upper-cased (``govhall.core.codes.normalise_code``)."""
    return normalise_code(text)


def parse_identifier(text: str) -> IdentifierParts:
    """The parts of an identifier. Raises IdentifierError ``malformed`` for anything not shaped like
    one, ``check_character`` when the shape is right but the check character is wrong; nothing else
    for any string."""
    value = normalise(text)
    prefix = ROOT + "."
    malformed = IdentifierError(
        "malformed", "证照标识格式不正确，应为 1.2.156.3005.2.类型代码.颁发机构代码.流水号.版本号.校验位",
        "not a licence identifier: expected 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>")
    if not value.startswith(prefix):
        raise malformed
    pieces = value[len(prefix):].split(".")
    if len(pieces) != 5:
        raise malformed
    type_code, issuer_code, serial, version, check = pieces
    if shape_problem(type_code, issuer_code, serial, version) or len(check) != 1 or check not in ALPHABET:
        raise malformed
    parts = IdentifierParts(type_code, issuer_code, serial, version, check)
    if check_char(parts.body) != check:
        raise IdentifierError("check_character", "证照标识校验位错误：标识有误或被篡改",
                              "wrong check character: the identifier was mistyped or altered")
    return parts


def is_valid(text: str) -> bool:
    try:
        parse_identifier(text)
    except IdentifierError:
        return False
    return True
