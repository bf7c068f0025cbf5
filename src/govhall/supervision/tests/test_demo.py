"""At start-up the demo holds an overdue case: a red and a yellow warning show at once."""

import datetime as dt

import pytest
import time_machine

from govhall.demo import luan as demo
from govhall.supervision.models import Figure, Warning


@pytest.fixture
def loaded(db, settings):
    settings.GOVHALL_DEMO = True
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield demo.load()


def test_demo_shows_a_red_and_a_yellow_warning(loaded):
    assert loaded["supervision_warnings"] >= 2
    levels = {(w.rule.code, w.level) for w in Warning.objects.filter(state="open")}
    assert ("T04", "red") in levels and ("T03", "yellow") in levels
    assert Figure.objects.filter(dimension="organ").exists()
