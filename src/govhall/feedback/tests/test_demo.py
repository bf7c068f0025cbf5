"""The demo citizen has a finished case waiting for a rating (invited in the inbox)."""

import pytest

from govhall.demo import luan as demo
from govhall.feedback import selectors
from govhall.feedback.models import RatingInvitation
from govhall.identity.models import User
from govhall.notifications.models import Message


@pytest.mark.django_db
def test_the_demo_citizen_has_a_finished_case_to_rate(settings, tmp_path):
    settings.GOVHALL_DEMO = True
    settings.MEDIA_ROOT = tmp_path / "media"
    counts = demo.load()
    assert counts["finished_cases"] == 1
    citizen = User.objects.get(username="citizen")
    waiting = selectors.unrated_cases(citizen)  # the demo's other closed cases wait for a rating too
    case = next(c for c in waiting if c.result_code == "granted")
    assert case.state == "closed"
    assert RatingInvitation.objects.get(case=case).recipient == citizen
    assert Message.objects.filter(recipient=citizen, kind="feedback.rating_invited", case_number=case.number).exists()
