"""Login pages. Thin: parse the form, call one service, render or redirect."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from govhall.core.csp import allow_form_redirect, continuation_callbacks
from govhall.core.permissions import AUTHENTICATED, PUBLIC, requires

from . import factors, services
from .forms import CodeForm, PasswordForm, ResetCompleteForm, ResetStartForm
from .models import LoginProfile, SmsMessage
from .sms import phone_of

STEP_URLS = {"totp": "login:totp", "enrol": "login:totp_enrol", "sms": "login:sms"}


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()},
                                                      require_https=request.is_secure()):
        return candidate
    return ""


def _login_page(request, template: str, context: dict, next_url: str):
    """A page of the login steps; when the login continues a sign-in to another platform (OpenID
    Connect), its form may end in a redirect to that platform's callback (core/csp.py)."""
    return allow_form_redirect(render(request, template, context), *continuation_callbacks(next_url))


def _after_login(request, user, next_url: str):
    if next_url:
        return redirect(next_url)
    return redirect(resolve_url(settings.LOGIN_REDIRECT_URL) if factors.is_staff_member(user)
                    else resolve_url("portal:home"))


@requires(PUBLIC)
@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = PasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_step(request, username=form.cleaned_data["username"],
                                          password=form.cleaned_data["password"], next_url=next_url)
        except services.LoginRefused as refused:
            error = str(refused)
        else:
            step = services.next_step(user)
            if step.kind == "done":
                services.complete_login(request, user, factors_used=["password"])
                return _after_login(request, user, next_url)
            if step.kind == "sms":
                try:
                    factors.sms_code_send(user=user)
                except factors.FactorError as exc:
                    messages.warning(request, str(exc))
            return redirect(STEP_URLS[step.kind])
    return _login_page(request, "login/login.html", {"form": form, "error": error, "next": next_url}, next_url)


def _pending_or_restart(request):
    user = services.pending_user(request)
    if user is None:
        messages.info(request, _("Your log-in took too long or was not started. Please log in again."))
    return user


@requires(PUBLIC)
@never_cache
def totp_view(request):
    """Second step with an authenticator app code (pending login only)."""
    user = _pending_or_restart(request)
    if user is None:
        return redirect("login:login")
    form, error = CodeForm(request.POST or None), ""
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_step(request, user=user, factor="totp", code=form.cleaned_data["code"])
        except services.LoginRefused as refused:
            error = str(refused)
        else:
            return _after_login(request, user, services.pending_next(request) or "")
    return _login_page(request, "login/totp.html", {"form": form, "error": error,
                                                    "sms_available": factors.sms_available(user)},
                       services.pending_next(request) or "")


@requires(PUBLIC)
@never_cache
def sms_view(request):
    """Second step with a code sent by SMS (pending login of a non-staff user with a phone)."""
    user = _pending_or_restart(request)
    if user is None:
        return redirect("login:login")
    if not factors.sms_available(user):
        raise Http404
    next_url = services.pending_next(request)
    form, error = CodeForm(request.POST or None), ""
    if request.method == "POST" and request.POST.get("action") == "send":
        form = CodeForm()
        try:
            factors.sms_code_send(user=user)
            messages.info(request, _("A code has been sent to your mobile phone."))
        except factors.FactorError as exc:
            error = str(exc)
    elif request.method == "POST" and form.is_valid():
        try:
            services.second_factor_step(request, user=user, factor="sms", code=form.cleaned_data["code"])
        except services.LoginRefused as refused:
            error = str(refused)
        else:
            return _after_login(request, user, next_url)
    return _login_page(request, "login/sms.html", {"form": form, "error": error}, next_url or "")


@requires(PUBLIC)
@never_cache
def totp_enrol_view(request):
    """Set up an authenticator: for a pending staff login (mandatory) or from the security page."""
    pending = None if request.user.is_authenticated else _pending_or_restart(request)
    user = request.user if request.user.is_authenticated else pending
    if user is None:
        return redirect("login:login")
    try:
        secret = factors.totp_enrolment_start(user=user)
    except factors.FactorError as exc:
        messages.info(request, str(exc))
        return redirect("login:security")
    form, error = CodeForm(request.POST or None), ""
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if pending is not None:
            try:
                services.second_factor_step(request, user=pending, factor="totp", code=code, confirming=True)
            except services.LoginRefused as refused:
                error = str(refused)
            else:
                return _after_login(request, pending, services.pending_next(request) or "")
        elif factors.totp_check(user=user, code=code, confirming=True):
            messages.success(request, _("The authenticator is set up."))
            return redirect("login:security")
        else:
            error = _("The code is wrong, expired or already used.")
    uri = factors.totp_uri(user=user, secret=secret)
    qr = segno.make_qr(uri, error="m").svg_inline(scale=5, light="#fff", title=_("QR code of the key"))
    return _login_page(request, "login/totp_enrol.html", {
        "form": form, "error": error, "secret": secret, "uri": uri, "qr": mark_safe(qr),  # noqa: S308 (our own SVG)
        "mandatory": pending is not None}, (services.pending_next(request) or "") if pending is not None else "")


@requires(AUTHENTICATED)
@never_cache
def security_view(request):
    user = request.user
    profile = LoginProfile.objects.filter(user=user).first()
    return render(request, "login/security.html", {
        "is_staff_member": factors.is_staff_member(user),
        "totp": factors.confirmed_device(user),
        "sms_enabled": bool(profile and profile.sms_factor),
        "sms_available": factors.sms_available(user),
        "has_phone": bool(phone_of(user)),
        "factors_used": request.session.get(services.FACTORS, []),
    })


@requires(AUTHENTICATED)
@require_POST
def totp_remove_view(request):
    try:
        factors.totp_remove(actor=request.user, user=request.user)
        messages.success(request, _("The authenticator was removed."))
    except factors.FactorError as exc:
        messages.error(request, str(exc))
    return redirect("login:security")


@requires(AUTHENTICATED)
@require_POST
def sms_factor_view(request):
    try:
        factors.sms_factor_set(actor=request.user, user=request.user, enabled=request.POST.get("enable") == "1")
    except factors.FactorError as exc:
        messages.error(request, str(exc))
    return redirect("login:security")


@requires(AUTHENTICATED)
@require_POST
def logout_everywhere_view(request):
    services.logout_everywhere(request, actor=request.user)
    messages.success(request, _("You have been logged out on every device."))
    return redirect("login:login")


@requires(AUTHENTICATED)
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(request, form=form)
        messages.success(request, _("Your password has been changed. Other sessions have been ended."))
        return redirect("login:security")
    return render(request, "login/password_change.html", {"form": form})


@requires(PUBLIC)
@require_POST
def logout_view(request):
    services.cancel_pending(request)
    logout(request)
    return redirect("/")


@requires(PUBLIC)
@never_cache
def dev_sms_inbox_view(request):
    """The SMS simulator's outbox: demo mode only (404 otherwise, as if it did not exist)."""
    if not settings.GOVHALL_DEMO:
        raise Http404
    return render(request, "login/dev_sms.html", {"sms_messages": SmsMessage.objects.all()[:50]})


@requires(PUBLIC)
@never_cache
def password_reset_view(request):
    """忘记密码: ask for the account name; a code goes by SMS to the registered phone."""
    form, error = ResetStartForm(request.POST or None), ""
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_start(request, username=form.cleaned_data["username"])
        except services.LoginRefused as refused:
            error = str(refused)
        else:
            return redirect("login:password_reset_confirm")
    return render(request, "login/password_reset.html", {"form": form, "error": error})


@requires(PUBLIC)
@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def password_reset_confirm_view(request):
    if not services.password_reset_username(request):
        messages.info(request, _("The reset took too long or was not started. Please start again."))
        return redirect("login:password_reset")
    form, error = ResetCompleteForm(request.POST or None), ""
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(request, code=form.cleaned_data["code"].replace(" ", ""),
                                             new_password1=form.cleaned_data["new_password1"],
                                             new_password2=form.cleaned_data["new_password2"])
        except services.LoginRefused as refused:
            error = str(refused)
        else:
            messages.success(request, _("Your password has been reset. Please log in with the new password."))
            return redirect("login:login")
    return render(request, "login/password_reset_confirm.html", {"form": form, "error": error})
