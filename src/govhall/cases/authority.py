"""Acting on someone's behalf: may this user act on this application or case, now?

An application belongs to its applicant, the account that started it (a window officer who took it
at the counter acts for that applicant). When it is made for a legal person (法人), the applicant acts
on the legal person's behalf, and that authority is checked at every action, at the moment of the
action (DOMAIN.md §6):

- the legal person's current legal representative always may act, also on the applications and
  cases an agent started for it;
- anyone else needs an agent mandate (``identity.AgentMandate``) in force at that moment and covering
  the item (``identity.selectors.agent_authority``). A mandate revoked, expired, not yet in force or
  not covering the item ends the agent's access at once: writes raise ``DomainError`` with the
  ``identity.agent.*`` problem (``.revoked``, ``.expired``, ``.not_yet``, ``.item_not_covered``,
  ``.none``), reads answer ``NotFound`` (not found is what one may not see).

``ensure_acting_authority`` is called inside every service that acts for the applicant (edit,
upload, material status, submit, correction, withdraw, payment, the data-sharing confirmations) and,
through ``may_read``, by the selectors that show an application, a case and their files; a later
service acting on a case for its applicant (rating the service, for one) calls it too.
``visible_q`` is the same rule as a query filter, for lists.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from govhall.core.errors import DomainError, NotFound
from govhall.identity.models import AgentMandate, Person
from govhall.identity.selectors import agent_authority

from .models import Application, Case


def _application(target: Application | Case) -> Application:
    return target.application if isinstance(target, Case) else target


def _person(user_id: int | None) -> Person | None:
    """The account's real-name identity, read afresh (a cached ``user.person`` may be stale)."""
    return Person.objects.filter(user_id=user_id).first() if user_id else None


def _is_representative(person: Person | None, application: Application) -> bool:
    legal_person = application.legal_person
    return person is not None and legal_person is not None and legal_person.legal_representative_id == person.pk


def _is_account_party(user, application: Application) -> bool:
    """The applicant's account, or the window officer who took the application (never an account
    without a primary key: an online application has no officer, and None must not match it)."""
    pk = getattr(user, "pk", None)
    return pk is not None and pk in (application.applicant_id, application.taken_by_id)


def ensure_acting_authority(actor, target: Application | Case, *, at: dt.datetime | None = None,
                            lock: bool = False) -> AgentMandate | None:
    """Check that ``actor`` may act now (or at ``at``) on ``target``, an application or a case, for
    its applicant. Returns the agent mandate the action rests on, or None when none is needed (a
    natural person's own application, or the legal representative acting).

    Raises NotFound when the actor is neither the applicant, the window officer who took the
    application, nor the legal person's legal representative; DomainError (``identity.agent.*``)
    when the applicant acts for a legal person without a mandate in force covering the item.
    ``lock=True`` (inside a transaction) locks the agent's mandates first, so a revocation running
    at the same moment waits for this action or is seen by it: never both.
    """
    application = _application(target)
    party = _is_account_party(actor, application)
    if party and application.legal_person_id is None:
        return None  # a natural person's own application (or the officer who took it): no identity read
    actor_person = _person(getattr(actor, "pk", None))
    if not party and not _is_representative(actor_person, application):
        raise NotFound(str(application.public_id))
    if application.legal_person_id is None or _is_representative(actor_person, application):
        return None
    agent = actor_person if getattr(actor, "pk", None) == application.applicant_id else _person(
        application.applicant_id)
    if _is_representative(agent, application):
        return None
    if agent is None:  # an account without a real-name identity never applied for a legal person
        raise DomainError.single("identity.agent.none", "申请人未完成实名登记，不能代表单位办理",
                                 "the applicant has no real-name identity and cannot act for the organisation",
                                 "applicant")
    if lock:
        list(AgentMandate.objects.select_for_update().filter(agent=agent, legal_person_id=application.legal_person_id)
             .order_by("pk").values_list("pk", flat=True))
    return agent_authority(agent=agent, legal_person=application.legal_person, item_code=application.item.code,
                           at=at or timezone.now())


def may_read(user, target: Application | Case) -> bool:
    """Whether ``user`` may see ``target`` now: the same rule as acting on it."""
    if not getattr(user, "pk", None):
        return False
    try:
        ensure_acting_authority(user, target)
    except (NotFound, DomainError):
        return False
    return True


def is_party(user, target: Application | Case) -> bool:
    """The applicant, the window officer who took it, or the legal representative: whoever may be
    told why an action is refused (writes), whether or not their authority still holds."""
    application = _application(target)
    return _is_account_party(user, application) or _is_representative(_person(getattr(user, "pk", None)),
                                                                     application)


def visible_q(user, *, legal_person: str = "legal_person") -> Q:
    """``may_read`` as a filter on applications (``legal_person="legal_person"``) or cases
    (``legal_person="application__legal_person"``): the user's own applications for themself, those
    for a legal person they represent or hold a mandate in force for (covering the item), and every
    application of a legal person they represent."""
    if not getattr(user, "pk", None):
        return Q(pk__in=[])
    own = Q(applicant_id=user.pk)
    person = _person(user.pk)
    if person is None:
        return own & Q(**{f"{legal_person}__isnull": True})
    now = timezone.now()
    allowed = Q(**{f"{legal_person}__isnull": True})
    mandates = (AgentMandate.objects.filter(agent=person, granted_at__lte=now, expires_at__gt=now)
                .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now)))
    for mandate in mandates:
        scope = Q(**{legal_person: mandate.legal_person_id})
        allowed |= scope if mandate.all_items else scope & Q(item__code__in=list(mandate.item_codes or []))
    return (own & allowed) | Q(**{f"{legal_person}__legal_representative": person})


def addressee(case: Case):
    """Who is told about the case: its applicant while they may see it, else the legal
    representative of the legal person it was made for (an agent whose mandate ended is told
    nothing more)."""
    application = case.application
    if application.legal_person_id is None or may_read(case.applicant, case):
        return case.applicant
    return application.legal_person.legal_representative.user
