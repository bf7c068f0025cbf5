"""Accounts and staff roles. Natural and legal persons, agents, MFA and OIDC come with the identity issue."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    is_demo = models.BooleanField(default=False, help_text="demo account: can log in only in demo mode")

    def __str__(self) -> str:
        return self.display_name or self.username


class StaffRole(models.Model):
    """A role held by a staff member, scoped to one organ or to a region and everything below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    organ = models.ForeignKey("catalog.Organ", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("catalog.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organ__isnull=False) | models.Q(region__isnull=False),
                name="staffrole_has_scope",
            ),
            models.UniqueConstraint(fields=["user", "role", "organ", "region"], name="staffrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organ or self.region}"
