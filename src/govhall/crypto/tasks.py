"""Periodic job of the platform CA: keep the published CRL current (``ca.crl_refresh``), so that
reading it (``ca.current_crl``, the public /pki/ file, seal and certificate verification) never writes."""

import datetime as dt

from django_tasks import task

from govhall.core.actors import SYSTEM
from govhall.core.scheduler import periodic


@task()
def refresh_crl() -> dict:
    from . import ca

    return {"issued": ca.crl_refresh(actor=SYSTEM) is not None}


@periodic("crypto.crl_refresh", every=dt.timedelta(hours=1))
def schedule_crl_refresh():
    return refresh_crl.enqueue()
