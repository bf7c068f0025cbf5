"""What the archives do when a case ends: build its archival package (GB/T 42727: every closed,
not accepted, withdrawn or ended case)."""

from __future__ import annotations

from govhall.cases.models import Case
from govhall.core import events
from govhall.documents.selectors import being_prepared

from . import services
from .models import ArchivePackage


@events.subscriber("archives.package", on=["case.closed"])
def package_closed_case(event: events.Event) -> None:
    """Idempotent: a case that already has a package is left alone (a rebuild is an archivist's
    explicit act, ``services.package_build``, which makes a new version)."""
    number = event.payload.get("number", "")
    if ArchivePackage.objects.filter(case_number=number).exists():
        return
    case = Case.objects.filter(pk=event.payload.get("case_id")).first()
    if case is None:
        raise LookupError(f"case {event.payload.get('case_id')} ({number}) not found")
    waiting = being_prepared(case)
    if waiting:  # its sealed notices or licence are still being made: archive them too, on a retry
        raise RuntimeError(f"case {number}: {waiting} document(s) or licence(s) still being prepared")
    services.package_build(actor=None, case=case, trigger="archiving")  # the system
