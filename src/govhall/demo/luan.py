"""The Lu'an demo (``make run``, the default): the catalogue of Anhui province, Lu'an city and its
districts with one demo account per role (govhall.demo.catalog), then, in demo mode, what every other
context adds for the demo people: residents and companies (identity), an OIDC client, licences,
cases and the data sharing platform's resources. Each context loads its own part; this module only
orders them (the demo app sits above every context, which import none of it)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from govhall.core import events
from govhall.demo import catalog as catalog_demo

DATA = catalog_demo.DATA
DEMO_PASSWORD = catalog_demo.DEMO_PASSWORD


def database_is_empty() -> bool:
    return catalog_demo.database_is_empty()


@transaction.atomic
def load(path: Path = DATA, *, publish: bool = True, accounts: bool = True) -> dict[str, int]:
    """Load the demo catalogue and, in demo mode, the demo accounts, people, client, licences, cases
    and sharing resources. Returns counts."""
    counts = catalog_demo.load(path, publish=publish, accounts=accounts)
    if accounts and settings.GOVHALL_DEMO:
        from govhall.demo.cases import create_demo_cases
        from govhall.demo.feedback import create_demo_finished_case
        from govhall.demo.identity import create_demo_people
        from govhall.demo.licenses import create_demo_licences
        from govhall.demo.sharing import create_demo_sharing
        from govhall.demo.supervision import create_demo_supervision
        from govhall.oidc.demo import create_demo_client

        create_demo_people()
        create_demo_client()
        counts.update(create_demo_licences())
        counts.update(create_demo_cases())
        counts.update(create_demo_finished_case())  # a finished case waiting for its rating
        counts.update(create_demo_sharing())
        counts.update(create_demo_supervision())  # an overdue case: a red and a yellow warning at once
        events.drain()  # every demo case's sealed notices, licences and packages at once
    return counts
