"""Evaluation on events and by scan, idempotence, the warning workflow and its escalation, and the
efficiency figures, through the real case services (SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from django.core.management import call_command

from govhall.cases import services as cases
from govhall.core import events
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.notifications.models import Message
from govhall.supervision import services
from govhall.supervision.models import Figure, Rule, RuleVersion, Warning, WarningTransition

pytestmark = pytest.mark.django_db


def codes(case=None):
    qs = Warning.objects.all() if case is None else Warning.objects.filter(case=case)
    return sorted((w.rule.code, w.level) for w in qs)


@pytest.fixture
def accepted(submitted, window):
    cases.case_accept(actor=window, case=submitted)
    submitted.refresh_from_db()
    return submitted


def test_catalogue_is_data_with_a_first_version(db):
    assert services.sync_catalogue() == 10
    assert services.sync_catalogue() == 0
    assert Rule.objects.count() == 10 and RuleVersion.objects.filter(number=1).count() == 10


def test_an_overdue_case_raises_yellow_then_red_once(accepted, clock_start, reviewer):
    assert accepted.due_date == dt.date(2026, 6, 15)
    clock_start.shift(dt.timedelta(days=15))  # Tue 06-16: past the promised date, step 承办 (3 days) too
    out = services.evaluate_cases([accepted.pk])
    assert codes() == [("T02", "yellow"), ("T03", "yellow")]
    assert len(out.raised) == 2
    assert services.evaluate_cases([accepted.pk]).raised == []  # idempotent
    assert services.scan().raised == []
    clock_start.shift(dt.timedelta(days=20))  # past the legal date as well
    services.scan()
    assert ("T04", "red") in codes()
    w = Warning.objects.get(rule__code="T04")
    assert w.facts["number"] == accepted.number and w.rule_version == 1
    assert w.rectify_due is not None
    assert WarningTransition.objects.filter(warning=w, to_state="open").count() == 1
    assert AuditEvent.objects.filter(action="supervision.warning.raised").count() == 3


def test_a_case_within_its_limits_raises_nothing(accepted, clock_start):
    clock_start.shift(dt.timedelta(days=2))  # Wed 06-03: the first step is within its 3 days
    assert services.evaluate_cases([accepted.pk]).raised == []


def test_notice_before_the_deadline_goes_to_the_handler_and_closes_itself(accepted, clock_start, reviewer):
    step = accepted.steps.exclude(kind="joint").order_by("order").first()
    cases.case_claim(actor=reviewer, case=accepted)
    clock_start.shift(dt.timedelta(days=11))  # Fri 06-12: one working day before 06-15
    services.evaluate_cases([accepted.pk])
    notice = Warning.objects.get(rule__code="T01")
    assert notice.level == "notice" and notice.responsible == reviewer
    assert Message.objects.filter(recipient=reviewer, kind="supervision.warning").exists()
    cases.case_withdraw(actor=accepted.applicant, case=accepted)
    services.evaluate_cases([accepted.pk])
    notice.refresh_from_db()
    assert notice.state == "closed"
    assert step is not None


def test_late_acceptance_is_red_and_found_by_the_closed_event(submitted, window, clock_start):
    clock_start.shift(dt.timedelta(days=8))  # Tue 06-09, past the acceptance due date 06-08
    cases.case_refuse(actor=window, case=submitted, reason="经营场所位于居民住宅内，不符合选址要求",
                      legal_basis="《食品经营许可和备案管理办法》第十二条")
    events.drain()
    assert codes() == [("T05", "red")]


def test_a_refusal_on_time_with_reasons_raises_nothing(submitted, window):
    cases.case_refuse(actor=window, case=submitted, reason="经营场所位于居民住宅内，不符合选址要求",
                      legal_basis="《食品经营许可和备案管理办法》第十二条")
    events.drain()
    assert codes() == []


def overdue_warning(accepted, clock_start):
    clock_start.shift(dt.timedelta(days=15))
    services.evaluate_cases([accepted.pk])
    return Warning.objects.get(rule__code="T03")


def test_workflow_organ_answers_and_supervisor_closes(accepted, clock_start, window, city_supervisor,
                                                      hefei_supervisor, other_window):
    w = overdue_warning(accepted, clock_start)
    with pytest.raises(NotFound):
        services.warning_acknowledge(actor=other_window, warning=w)
    with pytest.raises(DomainError):
        services.warning_close(actor=window, warning=w, text="x")  # organ staff may not close
    services.warning_acknowledge(actor=window, warning=w)
    with pytest.raises(DomainError):
        services.warning_explain(actor=window, warning=w, text=" ")
    services.warning_explain(actor=window, warning=w, text="审核人员病假，未及时移交")
    services.warning_rectify(actor=window, warning=w, text="已建立 AB 岗制度，办件已加急办理")
    with pytest.raises(NotFound):
        services.warning_close(actor=hefei_supervisor, warning=w, text="同意")
    services.warning_close(actor=city_supervisor, warning=w, text="整改到位，予以办结")
    w.refresh_from_db()
    assert w.state == "closed"
    assert [t.to_state for t in w.transitions.all()] == ["open", "acknowledged", "explained", "rectified", "closed"]
    assert AuditEvent.objects.filter(action__startswith="supervision.warning.", target_id=str(w.pk)).count() == 5
    services.evaluate_cases([accepted.pk])  # the same violation is not raised again once closed
    assert Warning.objects.filter(rule__code="T03").count() == 1


def test_evidence_is_append_only(accepted, clock_start):
    w = overdue_warning(accepted, clock_start)
    w.level = "red"
    with pytest.raises(RuntimeError):
        w.save()
    with pytest.raises(RuntimeError):
        w.delete()


def test_overdue_rectification_escalates_by_itself(accepted, clock_start, approver, city_supervisor):
    w = overdue_warning(accepted, clock_start)
    due = w.rectify_due
    clock_start.shift(dt.timedelta(days=20))
    assert dt.date.today() > due
    assert services.escalate_overdue() == 2  # the step and the promised limit
    w.refresh_from_db()
    assert w.state == "escalated" and w.escalation == 1 and w.rectify_due > due
    assert Message.objects.filter(recipient=approver, kind="supervision.escalated").exists()
    assert Message.objects.filter(recipient=city_supervisor, kind="supervision.escalated").exists()
    assert services.escalate_overdue() == 0  # a new period started
    services.warning_escalate(actor=city_supervisor, warning=w, text="多次督办未整改，报纪检监察")
    w.refresh_from_db()
    assert w.escalation == 2


def test_rule_switched_off_for_a_region_stays_silent(accepted, clock_start, city_supervisor, regions):
    services.sync_catalogue()
    rule = Rule.objects.get(code="T03")
    services.rule_set_region(actor=city_supervisor, rule=rule, region=regions["city"], enabled=False)
    with pytest.raises(NotFound):
        services.rule_set_region(actor=city_supervisor, rule=rule, region=regions["hefei"], enabled=False)
    services.rule_update(actor=city_supervisor, rule=rule, severity="red", reason="本市从严")
    assert rule.versions.count() == 2
    clock_start.shift(dt.timedelta(days=15))
    services.evaluate_cases([accepted.pk])
    assert not Warning.objects.filter(rule__code="T03").exists()


def test_figures_and_grade(accepted, clock_start, reviewer, approver, window):
    for _ in range(3):
        step = accepted.steps.filter(state="active").exclude(kind="joint").first()
        actor = approver if step.kind == "approve" else reviewer
        cases.step_complete(actor=actor, case=accepted, step_id=step.pk, action="pass", opinion="同意")
        clock_start.shift(dt.timedelta(days=1))
    cases.case_decide(actor=approver, case=accepted, outcome="grant", reasons="经营场所与设施符合要求",
                      legal_basis="《食品安全法》第三十五条")
    services.scan()
    organ = Figure.objects.get(dimension="organ", period="2026-06")
    assert (organ.received, organ.accepted, organ.finished, organ.on_time, organ.late) == (1, 1, 1, 1, 0)
    assert organ.avg_days == 3 and organ.p90_days == 3 and organ.avg_promised == 10
    assert organ.online == 1 and organ.online_rate == 1.0
    quarter = Figure.objects.get(dimension="organ", period="2026Q2")
    assert quarter.grade == "优秀" and quarter.score == 100.0
    assert Figure.objects.filter(dimension="item", period="2026Q2").count() == 1


def test_grade_from_configurable_weights():
    from govhall.supervision.figures import grade

    counts = {"received": 10, "accepted": 10, "finished": 10, "on_time": 5, "red": 2, "online": 10}
    score, name = grade(counts)
    assert name in {"合格", "良好"} and 60 <= score < 90
    assert grade(counts, {"weights": {"online": 1}, "thresholds": [[90, "优秀"]], "fail": "不合格"}) == (100.0, "优秀")
    assert grade({}) == (None, "")


def test_commands(accepted, clock_start, capsys):
    clock_start.shift(dt.timedelta(days=40))
    call_command("supervision", "scan")
    call_command("supervision", "warnings")
    out = capsys.readouterr().out
    assert "红牌" in out and "黄牌" in out and "T04" in out


def test_hourly_scan_reads_open_and_recent_cases_and_keeps_older_figures(accepted, submitted, clock_start):
    from govhall.supervision.models import ScanRun

    services.scan()  # full
    june = Figure.objects.get(dimension="organ", period="2026-06")
    clock_start.shift(dt.timedelta(days=15))
    out = services.scan(full=False)
    assert ScanRun.objects.filter(kind="recent").count() == 1
    assert out.cases == 1  # the open case
    assert ("T03", "yellow") in codes()
    assert Figure.objects.get(dimension="organ", period="2026-06").received == june.received
