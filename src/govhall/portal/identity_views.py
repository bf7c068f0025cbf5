"""Account pages: registration, my account, company registration and agents.

Thin views: parse the form, call one identity service or selector, render. A DomainError re-renders
the form with every problem (Chinese and English) and HTTP 400; nothing is saved. Another user's
mandates answer 404 (``selectors.access_mandate``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from govhall.core.errors import DomainError, NotFound, Problem
from govhall.core.permissions import requires
from govhall.identity import selectors, services
from govhall.identity.models import TrustLevel
from govhall.identity.permissions import ACCOUNT, REGISTER
from govhall.portal.identity_forms import CompanyForm, GrantForm, RegisterForm, RevokeForm

TRUST_EXPLANATIONS = {
    2: gettext_lazy("Your document number has the right format, but nobody has confirmed it belongs to you. "
                    "Services that need a higher level ask you to verify first."),
    3: gettext_lazy("The population register confirmed that your name and ID number belong together."),
    4: gettext_lazy("A face check confirmed that you are the person the register knows."),
    5: gettext_lazy("Your identity was confirmed with a digital certificate or in person at a service window."),
}
_EXTRA_LABELS = {"actor": gettext_lazy("Account"), "person": gettext_lazy("Account"),
                 "mandate": gettext_lazy("Mandate"), "user": gettext_lazy("Account"),
                 "trust_level": gettext_lazy("Trust level"), "image": gettext_lazy("Photo"),
                 "expires_at": gettext_lazy("Valid until (inclusive)")}


def _labelled(problems: list[Problem], form=None) -> list[dict]:
    rows = []
    for p in problems:
        field = form.fields.get(p.field) if form is not None else None
        rows.append({"problem": p, "label": field.label if field else _EXTRA_LABELS.get(p.field, p.field)})
    return rows


def _login_new_account(request, user) -> None:
    login(request, user, backend="govhall.identity.backends.GovHallBackend")


@requires(REGISTER)
def register(request):
    if selectors.person_of(request.user):
        return redirect("identity:account")
    form = RegisterForm(request.POST or None)
    status, problems = 200, []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.person_register(
                    username=data["username"], password=data["password"], name=data["name"],
                    id_type=data["id_type"], id_number=data["id_number"], phone=data["phone"], email=data["email"])
            except DomainError as exc:
                problems = exc.problems
            else:
                _login_new_account(request, person.user)
                messages.success(request, _("Your account is ready. Verify your identity to use more services."))
                return redirect("identity:account")
    return render(request, "identity/register.html", {"form": form, "problems": _labelled(problems, form)},
                  status=status)


def _account_context(request, **extra) -> dict:
    person = selectors.person_of(request.user)
    context = {"person": person, "trust_levels": TrustLevel, **extra}
    if person:
        context.update({
            "explanation": TRUST_EXPLANATIONS.get(person.trust_level, ""),
            "legal_persons": selectors.legal_persons_of(person),
            "held": selectors.mandates_of(person),
        })
    return context


@requires(ACCOUNT)
def account(request):
    person = selectors.person_of(request.user)
    if request.method == "POST" and person is not None and request.POST.get("action") == "verify_register":
        try:
            services.person_verify_register(actor=request.user, person=person)
        except DomainError as exc:
            return render(request, "identity/account.html",
                          _account_context(request, problems=_labelled(exc.problems)), status=400)
        messages.success(request, _("The register confirmed your identity: you are now at level 3."))
        return redirect("identity:account")
    return render(request, "identity/account.html", _account_context(request))


@requires(ACCOUNT)
def register_company(request):
    person = selectors.person_of(request.user)
    form = CompanyForm(request.POST or None)
    status, problems = 200, []
    if request.method == "POST" and person is not None:
        status = 400
        if form.is_valid():
            try:
                company = services.legal_person_register(actor=request.user, name=form.cleaned_data["name"],
                                                         credit_code=form.cleaned_data["credit_code"])
            except DomainError as exc:
                problems = exc.problems
            else:
                messages.success(request, _("%(name)s is registered. You can now authorise agents.")
                                 % {"name": company.name})
                return redirect("identity:agents")
    return render(request, "identity/company.html",
                  {"form": form, "person": person, "problems": _labelled(problems, form)}, status=status)


def _agents_response(request, *, form=None, problems=(), status=200):
    person = selectors.person_of(request.user)
    legal_persons = list(selectors.legal_persons_of(person)) if person else []
    form = form or GrantForm(legal_persons=legal_persons)
    now = timezone.now()
    granted = list(selectors.mandates_granted(person)) if person else []
    held = list(selectors.mandates_of(person)) if person else []
    for m in granted + held:
        m.state = (pgettext("mandate", "revoked") if m.revoked_at
                   else pgettext("mandate", "in force") if m.in_force_at(now) else _("expired"))
        m.active = m.in_force_at(now)
    context = {"person": person, "legal_persons": legal_persons, "granted": granted, "held": held,
               "form": form, "problems": _labelled(list(problems), form)}
    return render(request, "identity/agents.html", context, status=status)


@requires(ACCOUNT)
def agents(request):
    person = selectors.person_of(request.user)
    if request.method != "POST" or person is None:
        return _agents_response(request)
    form = GrantForm(request.POST, legal_persons=selectors.legal_persons_of(person))
    if not form.is_valid():
        return _agents_response(request, form=form, status=400)
    try:
        legal_person = selectors.access_legal_person(request.user, form.cleaned_data["legal_person"])
    except NotFound as exc:
        raise Http404 from exc
    data = form.cleaned_data
    try:
        mandate = services.agent_grant(
            actor=request.user, legal_person=legal_person, agent_name=data["agent_name"],
            agent_id_type=data["agent_id_type"], agent_id_number=data["agent_id_number"],
            all_items=data["scope"] == "all", item_codes=form.codes() if data["scope"] == "items" else (),
            expires_at=form.expires_at())
    except DomainError as exc:
        return _agents_response(request, form=form, problems=exc.problems, status=400)
    messages.success(request, _("%(agent)s may now act for %(company)s.")
                     % {"agent": mandate.agent.name, "company": legal_person.name})
    return redirect("identity:agents")


@requires(ACCOUNT)
def agent_revoke(request, pk: int):
    try:
        mandate = selectors.access_mandate(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc
    form = RevokeForm(request.POST or None)
    status, problems = 200, []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.agent_revoke(actor=request.user, mandate=mandate, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                problems = exc.problems
            else:
                messages.success(request, _("The mandate of %(agent)s is revoked.") % {"agent": mandate.agent.name})
                return redirect("identity:agents")
    return render(request, "identity/revoke.html",
                  {"mandate": mandate, "form": form, "problems": _labelled(problems, form)}, status=status)
