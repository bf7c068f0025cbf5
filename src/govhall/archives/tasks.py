"""Periodic jobs of the archives: the scheduled four-property and fixity checks of every stored
package (both copies), daily by default (``GOVHALL_ARCHIVES_CHECK_HOURS``), and a weekly restore
drill of a random package."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from govhall.core.scheduler import periodic

from . import services


@task()
def check_packages() -> dict:
    runs = services.check_all(trigger="schedule")
    return {"checked": len(runs), "failed": [f"{r.package.case_number} v{r.package.version}" for r in runs if not r.ok]}


@task()
def restore_drill() -> dict:
    from .models import ArchivePackage

    if not ArchivePackage.objects.filter(state=ArchivePackage.State.STORED, current=True).exists():
        return {"skipped": "no package"}
    result = services.drill(actor=None)
    return {"package": result.package.bag_name, "ok": result.ok}


@periodic("archives.check", every=dt.timedelta(hours=int(getattr(settings, "GOVHALL_ARCHIVES_CHECK_HOURS", 24))))
def schedule_checks():
    return check_packages.enqueue()


@periodic("archives.drill", every=dt.timedelta(days=7))
def schedule_drill():
    return restore_drill.enqueue()
