"""Start-up check: the master key must belong to the database (``keycheck``).

Registered as a system check, so every management command run from the shell (``govhall up`` and
the web server, task worker and scheduler it starts, ``runserver``, ``migrate``, ``db_worker``…)
refuses to start with a missing or wrong master key; ``govhall.wsgi`` calls ``refuse_to_start`` for
gunicorn and other WSGI servers. ``govhall backup`` and ``govhall restore`` skip it on purpose (a
backup of an instance whose key is lost is still worth taking; a restore brings its own check).
"""

from __future__ import annotations

import logging

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from . import master

log = logging.getLogger(__name__)


def _problem() -> str:
    try:
        return master.startup_problem()
    except DatabaseError as exc:  # not reachable yet: master_key() checks again at first use
        log.warning("master key not checked at start-up, the database is not reachable: %s", exc)
        return ""


@register("govhall")
def master_key_belongs_to_the_database(app_configs, **kwargs):
    problem = _problem()
    return [Error(problem, id="govhall.E010")] if problem else []


def refuse_to_start() -> None:
    """Raise ImproperlyConfigured when the master key is missing or wrong for this database."""
    if problem := _problem():
        raise ImproperlyConfigured(problem)


def record_key_check(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """``post_migrate`` receiver (after every ``migrate`` and ``flush``): record the master key's
    check value if the database has none, refusing a key that does not open the data already there."""
    if using == DEFAULT_DB_ALIAS:
        master.ensure_key_check()
