"""Second factors: TOTP authenticators and SMS one-time codes (write paths and checks)."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from govhall.core import audit
from govhall.crypto.fields import mask_identifier, open_, seal

from . import sms, totp
from .models import LoginProfile, SmsCode, TotpDevice

TOTP_FIELD = "login.totp.secret"
SMS_CODE_TTL = dt.timedelta(minutes=5)
SMS_MAX_ATTEMPTS = 5
SMS_RESEND_AFTER = dt.timedelta(seconds=60)


class FactorError(Exception):
    """A factor operation the policy does not allow; ``str(exc)`` is a translated message."""


def is_staff_member(user) -> bool:
    """Staff = holds any StaffRole. Staff must use TOTP (GB/T 39786 strong authentication)."""
    return user.staff_roles.exists()


def profile_of(user) -> LoginProfile:
    return LoginProfile.objects.get_or_create(user=user)[0]


def confirmed_device(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def _secret(device: TotpDevice) -> str:
    return open_(device.secret_ciphertext, device.key_version, TOTP_FIELD)


# --- TOTP ---------------------------------------------------------------------------------------

@transaction.atomic
def totp_enrolment_start(*, user) -> str:
    """Return the secret of the user's pending (unconfirmed) authenticator, creating one if needed.

    Raises FactorError when a confirmed authenticator exists (remove it first).
    """
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device and device.is_confirmed:
        raise FactorError(_("An authenticator is already set up."))
    if device:
        return _secret(device)
    secret = totp.new_secret()
    sealed = seal(secret, TOTP_FIELD)
    TotpDevice.objects.create(user=user, secret_ciphertext=sealed.ciphertext, key_version=sealed.key_version)
    return secret


def totp_uri(*, user, secret: str) -> str:
    return totp.provisioning_uri(secret, user.get_username(), getattr(settings, "GOVHALL_TOTP_ISSUER", "GovHall"))


@transaction.atomic
def totp_check(*, user, code: str, confirming: bool = False) -> bool:
    """True when ``code`` is valid now (±1 step) and newer than every code accepted before.

    A code's time step is remembered, so a code cannot be used twice (replay). With ``confirming``
    the pending authenticator is confirmed. Audit: login.factor.enrolled on confirmation.
    """
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.is_confirmed == confirming:  # confirm a pending one, log in with a confirmed one
        return False
    step = totp.matching_step(_secret(device), code, time.time())
    if step is None or step <= device.last_step:
        return False
    device.last_step = step
    fields = ["last_step"]
    if confirming:
        device.confirmed_at = timezone.now()
        fields.append("confirmed_at")
        audit.record(actor=user, action="login.factor.enrolled", target=user, after={"factor": "totp"})
    device.save(update_fields=fields)
    return True


@transaction.atomic
def totp_remove(*, actor, user) -> None:
    """Remove the user's authenticator. Staff may not remove theirs (it is mandatory).

    Audit: login.factor.removed. Raises FactorError for staff.
    """
    if is_staff_member(user):
        raise FactorError(_("Staff accounts must keep an authenticator."))
    deleted, _rows = TotpDevice.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=actor, action="login.factor.removed", target=user, after={"factor": "totp"})


# --- SMS ----------------------------------------------------------------------------------------

def sms_available(user) -> bool:
    """SMS codes are for accounts without a staff role that have a mobile number."""
    return bool(sms.phone_of(user)) and not is_staff_member(user)


@transaction.atomic
def sms_factor_set(*, actor, user, enabled: bool) -> None:
    """Turn the SMS second factor on or off. Audit: login.factor.enrolled / login.factor.removed."""
    if enabled and not sms_available(user):
        raise FactorError(_("SMS codes need a mobile number and are not available to staff accounts."))
    profile = LoginProfile.objects.select_for_update().get_or_create(user=user)[0]
    if profile.sms_factor == enabled:
        return
    profile.sms_factor = enabled
    profile.save(update_fields=["sms_factor"])
    audit.record(actor=actor, action="login.factor.enrolled" if enabled else "login.factor.removed",
                 target=user, after={"factor": "sms"})


def _code_hash(user_id: int, code: str) -> str:
    return salted_hmac("govhall.login.sms-code", f"{user_id}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def sms_code_send(*, user, purpose: str = "login") -> None:
    """Send a fresh 6-digit code to the user's phone; earlier unused codes stop working.

    The code is stored hashed, expires after 5 minutes and allows 5 attempts. The SMS leaves after
    commit. Audit: login.sms.sent (masked number). Raises FactorError without a phone or when the
    previous code is less than a minute old.
    """
    phone = sms.phone_of(user)
    if not phone:
        raise FactorError(_("No mobile number is registered for this account."))
    now = timezone.now()
    recent = SmsCode.objects.select_for_update().filter(user=user, purpose=purpose, used_at__isnull=True)
    if recent.filter(created_at__gt=now - SMS_RESEND_AFTER).exists():
        raise FactorError(_("A code was sent less than a minute ago. Please wait before asking again."))
    recent.update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    SmsCode.objects.create(user=user, purpose=purpose, code_hash=_code_hash(user.pk, code), created_at=now,
                           expires_at=now + SMS_CODE_TTL)
    audit.record(actor=user, action="login.sms.sent", target=user,
                 after={"purpose": purpose, "phone": mask_identifier(phone, 3, 4)})
    text = _("[%(site)s] Your verification code is %(code)s. It is valid for 5 minutes. Do not share it.") % {
        "site": settings.GOVHALL_SITE_NAME, "code": code}
    transaction.on_commit(lambda: sms.gateway().send(phone, text))


@transaction.atomic
def sms_code_check(*, user, code: str, purpose: str = "login") -> bool:
    """True when ``code`` matches the latest unused, unexpired code with attempts left; it is then used."""
    row = (SmsCode.objects.select_for_update()
           .filter(user=user, purpose=purpose, used_at__isnull=True).order_by("-created_at").first())
    now = timezone.now()
    if row is None or row.expires_at <= now or row.attempts >= SMS_MAX_ATTEMPTS:
        return False
    row.attempts += 1
    ok = hmac.compare_digest(row.code_hash, _code_hash(user.pk, (code or "").strip()))
    if ok:
        row.used_at = now
    row.save(update_fields=["attempts", "used_at"])
    return ok
