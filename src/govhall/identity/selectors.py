"""Identity reads. ``access_*`` answer NotFound both for what does not exist and for what the user
may not see; identifiers leave this module masked (``Person.id_number_masked``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from govhall.core.errors import DomainError, NotFound
from govhall.crypto.fields import blind_index

from .codes import normalise_id
from .models import ID_NUMBER_FIELD, AgentMandate, LegalPerson, Person

NO_TRUST = 0


def person_of(user) -> Person | None:
    """The real-name identity of a login account, or None (anonymous users, staff accounts)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def trust_level(user) -> int:
    """The user's real-name trust level (2-5), or 0 without a real-name identity.

    Staff accounts have no Person and therefore level 0: they sign in to the console with their own
    controls and never apply for services under a staff account.
    """
    person = person_of(user)
    return person.trust_level if person else NO_TRUST


def oidc_claims(user, scopes: set[str]) -> dict:
    """Claims for the OIDC provider (``sub`` is the OIDC app's business).

    Always ``trust_level``; scope ``profile`` adds ``name``; ``id_masked`` adds ``id_type`` and
    ``id_number_masked``; ``phone`` adds ``phone_number_masked``. Never an identifier in clear.
    """
    person = person_of(user)
    claims: dict = {"trust_level": person.trust_level if person else NO_TRUST}
    if "profile" in scopes:
        claims["name"] = person.name if person else (getattr(user, "display_name", "") or user.get_username())
    if person and "id_masked" in scopes:
        claims["id_type"] = person.id_type
        claims["id_number_masked"] = person.id_number_masked
    if person and "phone" in scopes:
        claims["phone_number_masked"] = person.phone_masked
    return claims


def find_person(*, id_type: str, id_number: str, name: str) -> Person | None:
    """The person with this document number (normalised, then by blind index) and exactly this name,
    else None."""
    index = blind_index(normalise_id(id_number), ID_NUMBER_FIELD)
    person = Person.objects.select_related("user").filter(id_type=id_type, id_number_index=index).first()
    return person if person and person.name == (name or "").strip() else None


def mandates_of(person: Person) -> QuerySet[AgentMandate]:
    """Mandates the person holds as agent, newest first (including ended ones)."""
    return AgentMandate.objects.filter(agent=person).select_related("legal_person").order_by("-granted_at")


def legal_persons_of(person: Person) -> QuerySet[LegalPerson]:
    """Legal persons the person represents."""
    return LegalPerson.objects.filter(legal_representative=person).order_by("name")


def mandates_granted(person: Person) -> QuerySet[AgentMandate]:
    """Mandates of every legal person the person represents, newest first."""
    return (AgentMandate.objects.filter(legal_person__legal_representative=person)
            .select_related("legal_person", "agent").order_by("legal_person__name", "-granted_at"))


def access_legal_person(user, pk: int) -> LegalPerson:
    person = person_of(user)
    legal_person = LegalPerson.objects.filter(pk=pk, legal_representative=person).first() if person else None
    if legal_person is None:
        raise NotFound
    return legal_person


def access_mandate(user, pk: int) -> AgentMandate:
    """A mandate the user may manage: one of a legal person the user represents."""
    person = person_of(user)
    mandate = (AgentMandate.objects.select_related("legal_person", "agent")
               .filter(pk=pk, legal_person__legal_representative=person).first()) if person else None
    if mandate is None:
        raise NotFound
    return mandate


def agent_authority(*, agent: Person, legal_person: LegalPerson, item_code: str,
                    at: dt.datetime | None = None) -> AgentMandate:
    """The mandate under which ``agent`` may act for ``legal_person`` on ``item_code`` at ``at`` (now).

    Raises DomainError with code identity.agent.none, .not_yet, .expired, .revoked or
    .item_not_covered. The legal representative needs no mandate: check that first.
    """
    at = at or timezone.now()
    mandates = list(AgentMandate.objects.filter(agent=agent, legal_person=legal_person).order_by("-granted_at"))
    for mandate in mandates:
        if mandate.in_force_at(at) and mandate.covers(item_code):
            return mandate
    who = f"{agent.name} / {legal_person.name}"
    if not mandates:
        raise DomainError.single("identity.agent.none", f"{who}：未获法定代表人授权",
                                 f"{who}: no mandate from the legal representative", "agent")
    if any(m.in_force_at(at) for m in mandates):
        raise DomainError.single("identity.agent.item_not_covered", f"{who}：授权范围不含事项 {item_code}",
                                 f"{who}: the mandate does not cover item {item_code}", "item_code")
    started = [m for m in mandates if m.granted_at <= at]
    if not started:
        raise DomainError.single("identity.agent.not_yet", f"{who}：授权尚未生效",
                                 f"{who}: the mandate is not yet in force", "agent")
    latest = started[0]
    if latest.revoked_at and latest.revoked_at <= at:
        raise DomainError.single("identity.agent.revoked", f"{who}：授权已于 {_local(latest.revoked_at)} 撤销",
                                 f"{who}: the mandate was revoked on {_local(latest.revoked_at)}", "agent")
    raise DomainError.single("identity.agent.expired", f"{who}：授权已于 {_local(latest.expires_at)} 到期",
                             f"{who}: the mandate expired on {_local(latest.expires_at)}", "agent")


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
