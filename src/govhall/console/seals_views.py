"""The platform PKI in the console (the public root certificate and CRL: portal/pki_views.py).

The seal registry of the organs a security administrator is scoped to (create a seal,
authorise staff to use it, end an authorisation, revoke the seal) and the certificate authority
(root, CRL, certificates issued). Every change goes through crypto.seals / crypto.ca and is audited.
"""

from __future__ import annotations

import base64

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from govhall.catalog.models import Organ
from govhall.catalog.scope import organs_q
from govhall.console.problems import form_labels, problem_rows
from govhall.core.errors import DomainError, Problem
from govhall.core.permissions import requires
from govhall.crypto import ca, policy, seals
from govhall.crypto import x509 as X
from govhall.crypto.models import Certificate, CertificateRevocationList, Seal
from govhall.crypto.permissions import CA_MANAGE, SEAL_MANAGE
from govhall.identity.models import User
from govhall.identity.roles import Role

# --- seals -----------------------------------------------------------------------------------------


def _seal_organs(user):
    return Organ.objects.filter(organs_q(user, roles=[Role.SECURITY_ADMIN]))


class SealForm(forms.Form):
    organ = forms.ModelChoiceField(queryset=Organ.objects.none(), label=gettext_lazy("Organ"))
    name = forms.CharField(max_length=100, label=gettext_lazy("Seal name (as engraved)"))
    days = forms.IntegerField(min_value=1, max_value=3650, initial=1825, label=gettext_lazy("Validity in days"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = _seal_organs(user).order_by("name")


class UserForm(forms.Form):
    username = forms.CharField(max_length=150, label=gettext_lazy("Staff member's user name"))


LABELS = form_labels(SealForm, UserForm)


@requires(SEAL_MANAGE)
@require_http_methods(["GET", "POST"])
def seal_list(request):
    rows = Seal.objects.for_actor(request.user).select_related("organ", "certificate")
    form, problems, status = SealForm(user=request.user), [], 200
    if request.method == "POST":
        form = SealForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                seal = seals.seal_create(actor=request.user, organ=form.cleaned_data["organ"],
                                         name=form.cleaned_data["name"], days=form.cleaned_data["days"])
            except DomainError as exc:
                problems, status = exc.problems, 400
            else:
                messages.success(request, _("Seal %(id)s created.") % {"id": seal.seal_id})
                return redirect("seals:seal", seal_id=seal.seal_id)
        else:
            status = 400
    return render(request, "crypto/seals.html", {"rows": rows, "form": form, "problems": problem_rows(problems, LABELS)},
                  status=status)


def _access_seal(user, seal_id: str) -> Seal:
    seal = Seal.objects.for_actor(user).filter(seal_id=seal_id).select_related("organ", "certificate").first()
    if seal is None:
        raise Http404
    return seal


def _seal_page(request, seal: Seal, *, problems=(), status=200):
    grants = seal.authorisations.filter(revoked_at__isnull=True).select_related("user", "granted_by")
    return render(request, "crypto/seal.html", {
        "seal": seal, "grants": grants, "form": UserForm(), "problems": problem_rows(problems, LABELS),
        "picture": base64.b64encode(bytes(seal.picture)).decode(),
        "certificate": X.describe(X.load_certificate(bytes(seal.certificate.der))),
    }, status=status)


@requires(SEAL_MANAGE)
def seal_detail(request, seal_id: str):
    return _seal_page(request, _access_seal(request.user, seal_id))


def _staff_of(seal: Seal, username: str) -> User | None:
    """A staff member holding a role in the seal's organ (only they may be authorised: crypto/policy.py)."""
    user = User.objects.filter(username=username.strip()).first()
    if user is None or not policy.is_staff_of_seal_organ(user, seal):
        return None
    return user


@requires(SEAL_MANAGE)
@require_POST
def seal_authorise(request, seal_id: str):
    seal = _access_seal(request.user, seal_id)
    form = UserForm(request.POST)
    user = _staff_of(seal, form.data.get("username", ""))
    if user is None:
        problem = Problem("crypto.seal.user", "只能授权本机关的工作人员使用印章",
                          "only staff of the seal's organ can be authorised", "username")
        return _seal_page(request, seal, problems=[problem], status=400)
    try:
        seals.seal_authorise(actor=request.user, seal=seal, user=user)
    except DomainError as exc:
        return _seal_page(request, seal, problems=exc.problems, status=400)
    messages.success(request, _("%(user)s may now use this seal.") % {"user": user.get_username()})
    return redirect("seals:seal", seal_id=seal_id)


@requires(SEAL_MANAGE)
@require_POST
def seal_unauthorise(request, seal_id: str, user_id: int):
    seal = _access_seal(request.user, seal_id)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    try:
        seals.seal_unauthorise(actor=request.user, seal=seal, user=user)
    except DomainError as exc:
        return _seal_page(request, seal, problems=exc.problems, status=400)
    messages.success(request, _("Authorisation ended."))
    return redirect("seals:seal", seal_id=seal_id)


@requires(SEAL_MANAGE)
@require_POST
def seal_revoke(request, seal_id: str):
    seal = _access_seal(request.user, seal_id)
    try:
        seals.seal_revoke(actor=request.user, seal=seal)
    except DomainError as exc:
        return _seal_page(request, seal, problems=exc.problems, status=400)
    messages.success(request, _("Seal revoked; its certificate is on the new revocation list."))
    return redirect("seals:seal", seal_id=seal_id)


# --- certificate authority ----------------------------------------------------------------------------


@requires(CA_MANAGE)
@require_http_methods(["GET", "POST"])
def authority(request):
    problems, status = [], 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "setup":
                ca.ca_ensure(actor=request.user)
                messages.success(request, _("The platform root certificate is in place."))
            else:
                ca.crl_issue(actor=request.user)
                messages.success(request, _("A new certificate revocation list was published."))
        except DomainError as exc:
            problems, status = exc.problems, 400
        else:
            return redirect("seals:authority")
    root = ca.root()
    latest = CertificateRevocationList.objects.filter(issuer=root).first() if root else None
    issued = Certificate.objects.filter(issuer=root).order_by("-created_at")[:50] if root else []
    return render(request, "crypto/authority.html", {"root": root, "crl": latest, "issued": issued,
                                                     "problems": problem_rows(problems, LABELS)}, status=status)
