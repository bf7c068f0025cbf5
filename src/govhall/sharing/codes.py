"""Code sets of the data sharing platform."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShareClass(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("shared unconditionally")
    CONDITIONAL = "conditional", _("shared under an agreement")
    NOT_SHARED = "not_shared", _("not shared")


class Classification(models.TextChoices):
    PUBLIC = "1", _("level 1: public")
    INTERNAL = "2", _("level 2: internal")
    SENSITIVE = "3", _("level 3: sensitive")
    CORE = "4", _("level 4: core")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("in real time")
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    YEARLY = "yearly", _("yearly")
    ON_CHANGE = "on_change", _("when it changes")


class SubjectKind(models.TextChoices):
    RESIDENT_ID = "resident_id", _("resident identity card number")
    CREDIT_CODE = "credit_code", _("unified social credit code")


class ProviderKind(models.TextChoices):
    LOCAL = "local", _("local dataset on this platform")
    REMOTE = "remote", _("remote provider (another node)")


FIELD_TYPES = ("text", "date", "number", "bool")
