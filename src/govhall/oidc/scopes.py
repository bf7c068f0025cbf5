"""The scopes a client may ask for, in the plain words the consent screen shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    name: str
    label: str | Promise
    for_people: bool  # True: only with a person's consent (authorization code), never client credentials


OPENID = "openid"
PROFILE = "profile"
ID_MASKED = "id_masked"
API_READ = "api.read"

SCOPES: dict[str, Scope] = {
    OPENID: Scope(OPENID, _("Confirm who you are on this platform, and your real-name trust level"), True),
    PROFILE: Scope(PROFILE, _("Your name"), True),
    ID_MASKED: Scope(ID_MASKED, _("Your identity document numbers, masked (e.g. 3415**********123X)"), True),
    API_READ: Scope(API_READ, _("Read the platform's API on your behalf"), False),
}
PERSONAL_SCOPES = frozenset(s for s, d in SCOPES.items() if d.for_people)


def parse(scope: str | None) -> list[str]:
    """Space-separated scope string → list without duplicates, in the order of SCOPES."""
    wanted = set((scope or "").split())
    return [name for name in SCOPES if name in wanted] + sorted(wanted - SCOPES.keys())


def join(scopes) -> str:
    return " ".join(parse(" ".join(scopes)))
