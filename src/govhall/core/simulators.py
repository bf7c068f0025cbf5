"""Adapters to services outside the platform, and whether the configured one is a local simulator.

The population and legal-person registers, the face check, the SMS gateway and the payment
provider are each chosen by a setting holding a dotted path; each has a local simulator for
development and demonstration. The context that owns an adapter declares it here at import
(``declare(Adapter(...))``) and marks its simulator classes with ``simulator = True``; core knows
their names only, never their modules.

In production (``GOVHALL_PRODUCTION``, set by ``govhall.settings.production``) a simulator must be
an explicit choice: ``govhall check --deploy`` reports an error for every simulator in use whose
name ``GOVHALL_ALLOW_SIMULATORS`` does not list (core/checks.py), and every page shows a banner
naming the simulators that are allowed (core/context_processors.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Adapter:
    name: str  # stable name used in GOVHALL_ALLOW_SIMULATORS, e.g. "population-register"
    setting: str  # the setting holding the dotted path, e.g. "GOVHALL_POPULATION_REGISTER"
    default: str  # dotted path used when the setting is empty or absent
    label_zh: str
    label_en: str

    def path(self) -> str:
        return getattr(settings, self.setting, "") or self.default

    def configured_class(self) -> type:
        """The configured class; ImportError when the dotted path does not name one."""
        return import_string(self.path())

    def is_simulator(self) -> bool:
        """True when the configured class is (or derives from) a local simulator."""
        return bool(getattr(self.configured_class(), "simulator", False))


ADAPTERS: dict[str, Adapter] = {}


def declare(adapter: Adapter) -> Adapter:
    """Register an adapter (idempotent: a module imported twice declares the same adapter)."""
    ADAPTERS[adapter.name] = adapter
    return adapter


def production() -> bool:
    return bool(getattr(settings, "GOVHALL_PRODUCTION", False))


def allowed() -> set[str]:
    """The simulator names ``GOVHALL_ALLOW_SIMULATORS`` lists (a list, or one comma-separated string)."""
    value = getattr(settings, "GOVHALL_ALLOW_SIMULATORS", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return {str(name).strip() for name in value if str(name).strip()}


def in_use() -> list[Adapter]:
    """Declared adapters whose configured class is a simulator, by name (unloadable ones are skipped:
    the deployment check reports them)."""
    found = []
    for name in sorted(ADAPTERS):
        try:
            if ADAPTERS[name].is_simulator():
                found.append(ADAPTERS[name])
        except ImportError:
            continue
    return found
