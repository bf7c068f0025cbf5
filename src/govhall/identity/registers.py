"""Adapters to the registers that confirm identities, and local simulators of them.

The real population register (人口库), legal-person register (法人库) and face comparison service
will be reached through the provincial data-sharing platform (数据共享交换平台); until that adapter
exists the simulators below stand in. Each adapter is chosen by a setting holding a dotted path:

- ``GOVHALL_POPULATION_REGISTER`` (default ``SimulatedPopulationRegister``)
- ``GOVHALL_LEGAL_PERSON_REGISTER`` (default ``SimulatedLegalPersonRegister``)
- ``GOVHALL_FACE_CHECK`` (default ``SimulatedFaceCheck``)

Services call ``population_register()`` etc. outside their database transaction: a slow register
must not hold row locks.

The simulators carry ``simulator = True``: in production ``govhall check --deploy`` refuses them
unless ``GOVHALL_ALLOW_SIMULATORS`` names them (core/simulators.py; names "population-register",
"legal-person-register", "face-check").
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from govhall.core import simulators

from .codes import normalise_id

POPULATION = simulators.declare(simulators.Adapter(
    "population-register", "GOVHALL_POPULATION_REGISTER", "govhall.identity.registers.SimulatedPopulationRegister",
    "人口库", "population register"))
LEGAL_PERSONS = simulators.declare(simulators.Adapter(
    "legal-person-register", "GOVHALL_LEGAL_PERSON_REGISTER",
    "govhall.identity.registers.SimulatedLegalPersonRegister", "法人库", "legal-person register"))
FACE = simulators.declare(simulators.Adapter(
    "face-check", "GOVHALL_FACE_CHECK", "govhall.identity.registers.SimulatedFaceCheck", "人脸核验", "face check"))


class PopulationRegister(Protocol):
    def check(self, name: str, id_number: str) -> bool:
        """True when the register holds a resident with this name and resident ID number."""


class LegalPersonRecord(NamedTuple):
    name: str
    legal_representative_name: str
    region_code: str = ""


class LegalPersonRegister(Protocol):
    def lookup(self, credit_code: str) -> LegalPersonRecord | None:
        """The registered name and legal representative of ``credit_code``, or None if unknown."""


class FaceCheck(Protocol):
    def verify(self, person, image_bytes: bytes) -> bool:
        """True when the live image shows the person whose register photo belongs to ``person``."""


# Demo residents (valid GB 11643 numbers, invented people).
DEMO_RESIDENTS = {
    "341502199003071235": "张三",
    "341503199205202420": "李娜",
    "341502198511115551": "王五",
    "341501197806159016": "赵六",
    "11010519491231002X": "陈晓明",
}

# Demo companies (valid GB 32100 codes, invented companies).
DEMO_COMPANIES = {
    "91341502MA2TEA019F": LegalPersonRecord("六安皖西茶业有限公司", "张三", "341502"),
    "91341502MA2T000239": LegalPersonRecord("六安市金安区示例商贸有限公司", "王五", "341502"),
    "91341503MA2T00031J": LegalPersonRecord("六安市裕安区示例餐饮服务部", "赵六", "341503"),
}

NOT_REGISTERED_SEQUENCES = range(900, 1000)


class SimulatedPopulationRegister:
    """The demo residents above must match by name. Any other valid resident ID number is treated as
    registered under whatever name is given, unless its sequence code (digits 15-17) is 900-999, which
    stands for "not in the register": enough to exercise both outcomes with generated test data."""

    simulator = True

    def check(self, name: str, id_number: str) -> bool:
        number = normalise_id(id_number)
        if number in DEMO_RESIDENTS:
            return DEMO_RESIDENTS[number] == name.strip()
        return bool(name.strip()) and len(number) == 18 and int(number[14:17]) not in NOT_REGISTERED_SEQUENCES


class SimulatedLegalPersonRegister:
    """Knows the demo companies above only; every other credit code is "not registered"."""

    simulator = True

    def lookup(self, credit_code: str) -> LegalPersonRecord | None:
        return DEMO_COMPANIES.get(normalise_id(credit_code))


JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


class SimulatedFaceCheck:
    """Accepts any JPEG or PNG image of at least 1 KiB unless it contains the marker
    ``GOVHALL-NOT-THE-SAME-PERSON`` (how tests simulate a mismatch). Images are never stored."""

    simulator = True

    def verify(self, person, image_bytes: bytes) -> bool:
        data = bytes(image_bytes or b"")
        if len(data) < 1024 or not (data.startswith(JPEG) or data.startswith(PNG)):
            return False
        return b"GOVHALL-NOT-THE-SAME-PERSON" not in data


def _load(adapter: simulators.Adapter):
    return adapter.configured_class()()


def population_register() -> PopulationRegister:
    return _load(POPULATION)


def legal_person_register() -> LegalPersonRegister:
    return _load(LEGAL_PERSONS)


def face_check() -> FaceCheck:
    return _load(FACE)
