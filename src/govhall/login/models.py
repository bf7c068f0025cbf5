"""Login state: second factors, one-time SMS codes, failed attempts and locks, session generations.

Secrets are sealed (govhall.crypto.fields), SMS codes are stored as keyed hashes only; nothing here
holds a password. The simulator's outbox keeps phone numbers and texts encrypted (crypto.dbfields).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.crypto.dbfields import EncryptedTextField


class TotpDevice(models.Model):
    """A TOTP authenticator (RFC 6238) of one user. Confirmed once the user has typed a valid code."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret_ciphertext = models.BinaryField(help_text="sealed base32 secret, field login.totp.secret")
    key_version = models.PositiveSmallIntegerField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0, help_text="last accepted time step: replay protection")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("TOTP authenticator")

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class LoginProfile(models.Model):
    """Per-user login settings: SMS second factor opted in, and the session generation
    (raising it ends every session of the user, see middleware.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_profile")
    sms_factor = models.BooleanField(default=False, help_text="require an SMS code at login")
    session_generation = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"login profile of {self.user_id}"


class SmsCode(models.Model):
    """A one-time code sent by SMS. Only an HMAC of the code is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=30, default="login")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"SMS code for {self.user_id} ({self.purpose})"


class SmsMessage(models.Model):
    """Outbox of the development SMS simulator (demo mode only; real gateways do not write here)."""

    phone = EncryptedTextField(label="login.smsmessage.phone")
    text = EncryptedTextField(label="login.smsmessage.text")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"SMS #{self.pk}"


class LoginFailure(models.Model):
    """One failed attempt (wrong password, unknown account, wrong second-factor code)."""

    username = models.CharField(max_length=150, db_index=True, help_text="as typed, lower-cased")
    address = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.address}"


class LoginLock(models.Model):
    """A temporary lock on an account name or a client address."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("client address")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=150)
    locked_at = models.DateTimeField()
    locked_until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "locked_until"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} until {self.locked_until}"
