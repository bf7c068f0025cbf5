"""Agent mandates: granted by the legal representative, ended by expiry or revocation."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from govhall.catalog import testing
from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent
from govhall.identity import services
from govhall.identity.models import AgentMandate
from govhall.identity.selectors import agent_authority, mandates_of

LI = {"agent_name": "李娜", "agent_id_number": "341503199205202420"}
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def li(db):
    person = services.person_register(username="agent_li", password="Tea-Garden-2026", name="李娜",
                                      id_type="resident_id", id_number=LI["agent_id_number"], phone="13955600002")
    return services.person_verify_register(actor=person.user, person=person)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def grant(company, **changes):
    data = {"actor": company.legal_representative.user, "legal_person": company, **LI, "all_items": True,
            "expires_at": timezone.now() + dt.timedelta(days=30), **changes}
    return services.agent_grant(**data)


def test_the_legal_representative_grants_authority_for_all_items(frozen, company, li):
    mandate = grant(company)
    assert (mandate.agent, mandate.all_items, mandate.granted_at) == (li, True, NOW)
    assert agent_authority(agent=li, legal_person=company, item_code="ANY") == mandate
    event = AuditEvent.objects.get(action="identity.agent.granted")
    assert event.on_behalf_of == company.credit_code
    assert event.after["agent_id_number"] == "3415**********2420"
    assert list(mandates_of(li)) == [mandate]


def test_a_mandate_for_listed_items_covers_only_those(frozen, company, li, organ):
    item = testing.make_item(organ=organ)
    mandate = grant(company, all_items=False, item_codes=[item.code.lower()])
    assert mandate.item_codes == [item.code]
    assert agent_authority(agent=li, legal_person=company, item_code=item.code) == mandate
    with pytest.raises(DomainError) as exc:
        agent_authority(agent=li, legal_person=company, item_code="OTHER")
    assert exc.value.problems[0].code == "identity.agent.item_not_covered"


def test_every_grant_problem_is_listed_and_nothing_is_saved(frozen, company, li):
    with pytest.raises(DomainError) as exc:
        grant(company, agent_name="李四", all_items=True, item_codes=["X" * 31],
              expires_at=NOW - dt.timedelta(days=1))
    assert {p.code for p in exc.value.problems} == {"agent.not_found", "agent.scope", "agent.expires_past"}
    with pytest.raises(DomainError) as exc:
        grant(company, all_items=False, item_codes=["91341502MA2TEA019F3000000000001", "bad"],
              expires_at=NOW + dt.timedelta(days=6 * 365))
    assert {p.code for p in exc.value.problems} == {"agent.item_unknown", "agent.item_code", "agent.expires_far"}
    assert not AgentMandate.objects.exists()


def test_the_agent_must_be_verified_and_not_the_representative(frozen, company):
    services.person_register(username="wang5", password="Tea-Garden-2026", name="王五", id_type="resident_id",
                             id_number="341502198511115551", phone="13955600003")
    with pytest.raises(DomainError) as exc:
        grant(company, agent_name="王五", agent_id_number="341502198511115551")
    assert exc.value.problems[0].code == "agent.low_trust"
    with pytest.raises(DomainError) as exc:
        grant(company, agent_name="张三", agent_id_number="341502199003071235")
    assert exc.value.problems[0].code == "agent.self"


def test_only_the_legal_representative_grants(frozen, company, li):
    with pytest.raises(DomainError) as exc:
        grant(company, actor=li.user)
    assert exc.value.problems[0].code == "agent.not_representative"


def test_a_second_mandate_in_force_is_refused(frozen, company, li):
    grant(company)
    with pytest.raises(DomainError) as exc:
        grant(company)
    assert exc.value.problems[0].code == "agent.exists"


def test_a_mandate_expires(company, li):
    with time_machine.travel(NOW, tick=False):
        mandate = grant(company, expires_at=NOW + dt.timedelta(days=30))
    assert agent_authority(agent=li, legal_person=company, item_code="X", at=NOW + dt.timedelta(days=29)) == mandate
    with pytest.raises(DomainError) as exc:
        agent_authority(agent=li, legal_person=company, item_code="X", at=NOW + dt.timedelta(days=30))
    assert exc.value.problems[0].code == "identity.agent.expired"
    with pytest.raises(DomainError) as exc:
        agent_authority(agent=li, legal_person=company, item_code="X", at=NOW - dt.timedelta(days=1))
    assert exc.value.problems[0].code == "identity.agent.not_yet"
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        grant(company)  # the old one has ended, so a new one may be granted
        with pytest.raises(DomainError) as exc:
            services.agent_revoke(actor=company.legal_representative.user, mandate=mandate, reason="离职")
        assert exc.value.problems[0].code == "agent.already_expired"


def test_a_revoked_mandate_gives_no_authority_from_the_moment_of_revocation(company, li):
    with time_machine.travel(NOW, tick=False):
        mandate = grant(company)
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        with pytest.raises(DomainError) as exc:
            services.agent_revoke(actor=company.legal_representative.user, mandate=mandate, reason=" ")
        assert exc.value.problems[0].field == "reason"
        revoked = services.agent_revoke(actor=company.legal_representative.user, mandate=mandate, reason="已离职")
        with pytest.raises(DomainError) as exc:
            agent_authority(agent=li, legal_person=company, item_code="X")
        assert exc.value.problems[0].code == "identity.agent.revoked"
        with pytest.raises(DomainError) as exc:
            services.agent_revoke(actor=company.legal_representative.user, mandate=mandate, reason="again")
        assert exc.value.problems[0].code == "agent.already_revoked"
    assert (revoked.revoked_by, revoked.reason) == (company.legal_representative.user, "已离职")
    assert agent_authority(agent=li, legal_person=company, item_code="X", at=NOW + dt.timedelta(days=1)) == mandate
    event = AuditEvent.objects.get(action="identity.agent.revoked")
    assert (event.reason, event.on_behalf_of) == ("已离职", company.credit_code)


def test_the_agent_cannot_revoke(frozen, company, li):
    mandate = grant(company)
    with pytest.raises(DomainError):
        services.agent_revoke(actor=li.user, mandate=mandate, reason="不想做了")


def test_no_mandate_at_all(company, li):
    with pytest.raises(DomainError) as exc:
        agent_authority(agent=li, legal_person=company, item_code="X")
    assert exc.value.problems[0].code == "identity.agent.none"
    assert "李娜" in exc.value.problems[0].message_zh


def test_the_agent_is_found_by_the_number_in_full_width_digits(frozen, company, li):
    mandate = grant(company, agent_id_number="３４１５０３１９９２０５２０２４２０")
    assert mandate.agent == li
