"""Each starter rule fires on facts that break it and stays silent on facts that do not (pure: no
database). The calendar is June-July 2026 with weekends off."""

import dataclasses
import datetime as dt

import pytest

from govhall.core.calendar import WorkCalendar
from govhall.supervision import rules as R

D = dt.date
CAL = WorkCalendar.from_days({D(2026, 1, 1) + dt.timedelta(days=i): (D(2026, 1, 1) + dt.timedelta(days=i)).weekday() < 5
                              for i in range(365)})

BASE = R.CaseFacts(case_id=1, number="N1", organ_id=1, item_id=1, region_code="341500", state="in_progress",
                   channel="online", received_on=D(2026, 6, 1), last_received_on=D(2026, 6, 1),
                   acceptance_due=D(2026, 6, 8), accepted_on=D(2026, 6, 2), acceptance_notice="受理〔2026〕1",
                   clock_start=D(2026, 6, 2), promised_days=10, due_date=D(2026, 6, 16), legal_due_date=D(2026, 6, 30),
                   received_at=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), guide_has_steps=True)


def run(code, facts, today):
    d = R.STARTER_BY_CODE[code]
    return R.evaluate(code, d.evaluator, d.params, facts, CAL, today)


def f(**changes):
    return dataclasses.replace(BASE, **changes)


def decided(day, **changes):
    values = dict(state="decided", decided_on=day, decided_at=dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC),
                  decision_outcome="grant", decision_reasons="经营场所与设施符合要求",
                  decision_legal_basis="《食品安全法》第三十五条",
                  steps=(R.StepFacts(1, "承办", "undertake", D(2026, 6, 2), D(2026, 6, 3), 3),))
    return f(**(values | changes))


def test_deadline_near_fires_one_working_day_before():
    found = run("T01", BASE, D(2026, 6, 15))
    assert found and found.facts["left"] == 1 and found.occurrence == "due:2026-06-16"


def test_deadline_near_silent_earlier_and_once_decided():
    assert run("T01", BASE, D(2026, 6, 11)) is None
    assert run("T01", decided(D(2026, 6, 12)), D(2026, 6, 15)) is None


STEP = R.StepFacts(7, "审核", "review", D(2026, 6, 3), None, 3)


def test_step_over_limit_fires_while_the_case_is_within_its_limit():
    found = run("T02", f(steps=(STEP,)), D(2026, 6, 9))  # 4 working days in a 3-day step; case due 06-16
    assert found and found.facts["steps"][0]["used"] == 4


def test_step_over_limit_silent_within_the_limit_or_paused():
    assert run("T02", f(steps=(STEP,)), D(2026, 6, 8)) is None
    paused = f(steps=(STEP,), pauses=(R.PauseFacts(D(2026, 6, 4), D(2026, 6, 5)),))
    assert run("T02", paused, D(2026, 6, 9)) is None


def test_promised_limit_exceeded_fires_open_and_late_decision():
    assert run("T03", BASE, D(2026, 6, 17)).facts["late_working_days"] == 1
    assert run("T03", decided(D(2026, 6, 18)), D(2026, 7, 1)) is not None


def test_promised_limit_silent_on_time():
    assert run("T03", BASE, D(2026, 6, 16)) is None
    assert run("T03", decided(D(2026, 6, 16)), D(2026, 7, 1)) is None
    assert run("T03", f(state="withdrawn", closed_on=D(2026, 6, 20)), D(2026, 7, 1)) is None


def test_legal_limit_exceeded_fires_red():
    found = run("T04", BASE, D(2026, 7, 1))
    assert found and R.STARTER_BY_CODE["T04"].severity == R.RED


def test_legal_limit_silent_before_it():
    assert run("T04", BASE, D(2026, 6, 30)) is None


def test_acceptance_late_fires_for_waiting_late_and_deemed():
    waiting = f(state="submitted", accepted_on=None, clock_start=None)
    assert run("T05", waiting, D(2026, 6, 9)) is not None
    assert run("T05", f(accepted_on=D(2026, 6, 9)), D(2026, 6, 9)) is not None
    assert run("T05", f(acceptance_deemed=True), D(2026, 6, 9)) is not None


def test_acceptance_late_silent_when_on_time():
    assert run("T05", BASE, D(2026, 7, 1)) is None
    assert run("T05", f(state="submitted", accepted_on=None), D(2026, 6, 8)) is None
    assert run("T05", f(state="correction", accepted_on=None, correction_notices=1), D(2026, 7, 1)) is None


def test_refusal_without_reasons_fires():
    assert run("L01", f(state="not_accepted", refusal_reason="不符合条件。", refusal_legal_basis="x"), D(2026, 7, 1))
    assert run("L01", decided(D(2026, 6, 10), decision_outcome="deny", decision_legal_basis=""), D(2026, 7, 1))


def test_refusal_with_reasons_silent():
    assert run("L01", f(state="not_accepted", refusal_reason="经营场所位于居民楼内，不符合选址要求",
                        refusal_legal_basis="《食品经营许可和备案管理办法》第十二条"), D(2026, 7, 1)) is None
    assert run("L01", decided(D(2026, 6, 10), decision_outcome="deny"), D(2026, 7, 1)) is None
    assert run("L01", BASE, D(2026, 7, 1)) is None


def test_correction_abuse_fires_yellow_for_two_notices_red_for_fetchable():
    assert run("L02", f(correction_notices=2), D(2026, 7, 1)).level == R.YELLOW
    assert run("L02", f(correction_notices=1, fetchable_requests=("营业执照",)), D(2026, 7, 1)).level == R.RED
    assert run("L02", f(correction_notices=1, correction_fetchable_items=("营业执照",)), D(2026, 7, 1)).level == R.RED


def test_correction_abuse_silent_for_one_proper_notice():
    assert run("L02", f(correction_notices=1), D(2026, 7, 1)) is None


def test_fee_mismatch_fires():
    assert run("L03", f(fee_charged_in_catalogue=True, catalogue_fee_fen=10000, charged_fen=12000), D(2026, 7, 1))
    assert run("L03", f(fee_charged_in_catalogue=False, charged_fen=500), D(2026, 7, 1))


def test_fee_mismatch_silent():
    assert run("L03", f(fee_charged_in_catalogue=True, catalogue_fee_fen=10000, charged_fen=10000), D(2026, 7, 1)) is None
    assert run("L03", f(fee_charged_in_catalogue=True, catalogue_fee_fen=None, charged_fen=1), D(2026, 7, 1)) is None
    assert run("L03", BASE, D(2026, 7, 1)) is None


def test_off_platform_fires_without_acceptance_record():
    found = run("R01", decided(D(2026, 6, 10), accepted_on=None, acceptance_notice=""), D(2026, 7, 1))
    assert "no_acceptance_record" in found.facts["signs"]
    assert run("R01", decided(D(2026, 6, 10), steps=()), D(2026, 7, 1)).facts["signs"] == ["no_step_done_online"]


def test_off_platform_silent_for_a_case_handled_online():
    assert run("R01", decided(D(2026, 6, 10)), D(2026, 7, 1)) is None
    assert run("R01", BASE, D(2026, 7, 1)) is None


ITEM = R.ItemFacts(item_id=3, version_id=9, organ_id=1, region_code="341500", name="某事项", completeness="listed",
                   effective_from=D(2026, 6, 1))


def test_listed_item_past_its_deadline_fires():
    assert run("C01", ITEM, D(2026, 7, 1)).subject == "item:3"


def test_listed_item_silent_before_its_deadline_or_when_complete():
    assert run("C01", ITEM, D(2026, 6, 29)) is None
    assert run("C01", dataclasses.replace(ITEM, completeness="complete"), D(2026, 8, 1)) is None


def test_unknown_calendar_year_is_silent_never_guessed():
    assert run("T03", f(due_date=D(2027, 1, 5)), D(2027, 2, 1)) is None


@pytest.mark.parametrize("rule", R.STARTER_RULES, ids=[r.code for r in R.STARTER_RULES])
def test_every_starter_rule_has_a_legal_basis_and_an_evaluator(rule):
    assert rule.legal_basis and rule.evaluator in R.EVALUATORS and rule.kind in R.KIND_ZH
