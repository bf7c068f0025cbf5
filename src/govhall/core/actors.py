"""The system actor: who acts when no person does (scheduled jobs, the demo loader, the platform's own
steps such as authorising its sealer).

Services take ``actor=``: a user, or ``SYSTEM``. ``SYSTEM`` is a small frozen object, not ``None``, so a
forgotten actor is not silently taken for the platform. It has no ``pk``, is not authenticated and
holds no permission through roles; policies let it act (``is_system``) and the audit log records it
as "system" (``core.audit.record``), as it recorded ``None`` before.

``None`` is still accepted as the system by the services and policies that accepted it before (old
callers and tests); new code passes ``SYSTEM``. See docs/architecture.md, "Deviations from the target".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own behalf."""

    label: str = "system"
    is_system: bool = True
    pk: None = None
    is_authenticated: bool = False
    is_active: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    def get_username(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    """Whether ``actor`` is the platform itself: ``SYSTEM``, or ``None`` from callers not yet moved."""
    return actor is None or getattr(actor, "is_system", False) is True
