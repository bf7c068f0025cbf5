"""Case handling from application to delivery, and every refusal of the issue's 'bad input' list."""

import datetime as dt
import threading

import pytest
from django.db import connection

from govhall.cases import selectors, services, signing
from govhall.cases.models import Application, Case, CaseState, CaseStep, Stage
from govhall.core import audit
from govhall.core.errors import Conflict, DomainError, NotFound
from govhall.notifications.models import Message

from .conftest import fill, pdf

D = dt.date


def codes(exc_info) -> set[str]:
    return {p.code for p in exc_info.value.problems}


def material_id(application, name):
    return application.materials.get(material__name=name).material_id


# --- applying -----------------------------------------------------------------------------------


def test_fetched_materials_are_not_asked_for(ready_application):
    row = ready_application.materials.get(material__name="营业执照")
    assert row.status == "to_fetch"
    with pytest.raises(DomainError) as exc:
        services.material_upload(actor=ready_application.applicant, application=ready_application,
                                 material_id=row.material_id, upload=pdf(), filename="licence.pdf")
    assert codes(exc) == {"cases.material.fetched"}


def test_submission_lists_every_problem_at_once(applicant_person, item, media):
    application = services.application_start(actor=applicant_person.user, item_code=item.code)
    with pytest.raises(DomainError) as exc:
        services.application_submit(actor=applicant_person.user, application=application)
    problems = exc.value.problems
    assert {"cases.form.required", "cases.material.missing"} <= {p.code for p in problems}
    fields = {p.field for p in problems}
    assert {"contact_phone", "address", f"material:{material_id(application, '经营场所平面图')}",
            f"material:{material_id(application, '健康证明')}",
            f"material:{material_id(application, '食品安全承诺书')}"} <= fields
    assert f"material:{material_id(application, '其他说明材料')}" not in fields  # optional
    assert not Case.objects.exists()


def test_submit_signs_and_opens_one_case(submitted):
    application = submitted.application
    assert application.state == Application.State.SUBMITTED
    assert len(submitted.number) == 43 and submitted.number.startswith(submitted.item.code + "20260601")
    assert submitted.number.endswith("0001")
    assert submitted.acceptance_due == D(2026, 6, 8)
    assert signing.verify(application)
    # the signature covers every material digest: changing a file's digest breaks it
    mfile = application.materials.get(material__name="经营场所平面图").files.get()
    stored = mfile.stored
    stored.sha256 = "0" * 64
    stored.save()
    assert not signing.verify(Application.objects.get(pk=application.pk))
    # a second submit (double click, retry) returns the same case
    assert services.application_submit(actor=application.applicant, application=application).pk == submitted.pk
    assert Case.objects.count() == 1
    assert Message.objects.filter(recipient=application.applicant, case_number=submitted.number).exists()


def test_idempotency_key_gives_one_application(applicant_person, item):
    a = services.application_start(actor=applicant_person.user, item_code=item.code, idempotency_key="k-1")
    b = services.application_start(actor=applicant_person.user, item_code=item.code, idempotency_key="k-1")
    assert a.pk == b.pk and Application.objects.count() == 1


def test_retired_version_cannot_be_applied_for(applicant_person, item, clock_start):
    from govhall.catalog import services as catalog

    application = services.application_start(actor=applicant_person.user, item_code=item.code)
    catalog.item_retire(actor=None, item=item, reason="职能调整")
    clock_start.shift(dt.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.application_start(actor=applicant_person.user, item_code=item.code)
    assert codes(exc) == {"cases.item.not_available"}
    fill(application, applicant_person.user)
    with pytest.raises(DomainError) as exc:
        services.application_submit(actor=applicant_person.user, application=application)
    assert "cases.item.retired" in codes(exc)


def test_trust_level_and_agent_authority(applicant, item, company, enterprise_agent):
    with pytest.raises(DomainError) as exc:  # a bare account without a real-name identity
        from govhall.identity.models import User

        services.application_start(actor=User.objects.create_user("nobody", password="x"), item_code=item.code)
    assert codes(exc) == {"cases.applicant.no_identity"}
    application = services.application_start(actor=enterprise_agent, item_code=item.code, legal_person=company)
    assert application.mandate is not None and application.applicant_name == company.name


def test_case_numbers_are_unique_under_concurrency(transactional_db, applicant_person, item, media):
    applications = []
    for _ in range(6):
        a = services.application_start(actor=applicant_person.user, item_code=item.code)
        fill(a, applicant_person.user)
        applications.append(a)
    errors = []

    def submit(a):
        try:
            services.application_submit(actor=a.applicant, application=a)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection: persistent ones would outlive the test DB

    threads = [threading.Thread(target=submit, args=(a,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert [n[-4:] for n in numbers] == [f"{i:04d}" for i in range(1, 7)]


# --- the path through the organ -----------------------------------------------------------------


def test_full_journey_with_correction_special_procedure_and_extension(submitted, window, reviewer, approver,
                                                                      clock_start):
    case = submitted
    plan = material_id(case.application, "经营场所平面图")
    notice = services.correction_notice_issue(actor=window, case=case, items=[
        {"material": plan, "problem": "平面图未标注面积"}, {"form_field": "address", "problem": "地址不完整"}])
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION and case.stage == Stage.CORRECTION
    assert notice.items.count() == 2
    inbox = Message.objects.filter(recipient=case.applicant, kind="case.correction").get()
    assert "平面图未标注面积" in inbox.body_zh and "地址不完整" in inbox.body_zh

    clock_start.shift(dt.timedelta(days=1))  # Tue 06-02
    with pytest.raises(DomainError) as exc:
        services.correction_submit(actor=case.applicant, case=case, form_data={"address": "六安市金安区梅山南路1号3楼"})
    assert codes(exc) == {"cases.correction.material_missing"}
    services.material_upload(actor=case.applicant, application=case.application, material_id=plan,
                             upload=pdf("plan v2"), filename="平面图-修订.pdf")
    services.correction_submit(actor=case.applicant, case=case, form_data={"address": "六安市金安区梅山南路1号3楼"})
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.acceptance_due == D(2026, 6, 9)
    assert case.application.form_data["address"].endswith("3楼")
    assert signing.verify(case.application)

    clock_start.shift(dt.timedelta(days=1))  # Wed 06-03
    services.case_accept(actor=window, case=case)
    case.refresh_from_db()
    assert case.accepted_on == D(2026, 6, 3) and not case.acceptance_deemed
    assert case.due_date == D(2026, 6, 17)  # promised 10 working days
    assert case.legal_due_date == D(2026, 7, 2)  # legal 20, Dragon Boat 06-19 skipped
    assert case.stage == Stage.UNDERTAKE

    undertake = case.steps.get(kind="undertake")
    services.step_complete(actor=reviewer, case=case, step_id=undertake.pk, action="pass", opinion="材料齐全")
    clock_start.shift(dt.timedelta(days=5))  # Mon 06-08
    procedure = services.special_procedure_start(actor=reviewer, case=case, kind="site_check",
                                                 reason="核查经营场所", legal_basis="《食品经营许可管理办法》",
                                                 expected_days=5)
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED and case.due_date == D(2026, 6, 25)  # projected +5 (06-19 holiday)
    with pytest.raises(Conflict):  # steps wait while the clock is stopped
        services.step_complete(actor=reviewer, case=case, step_id=case.current_step_id, action="pass", opinion="x")
    clock_start.shift(dt.timedelta(days=3))  # Thu 06-11: ended after 3 working days
    services.special_procedure_end(actor=reviewer, case=case, procedure_id=procedure.pk, result="场所符合要求")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.due_date == D(2026, 6, 23)  # 06-17 + 3 (06-19 holiday)
    ended = Message.objects.filter(recipient=case.applicant, kind="case.special_ended").get()
    assert "2026-06-23" in ended.body_zh

    extension = services.extension_request(actor=reviewer, case=case, days=10, reason="需征求相关部门意见")
    case.refresh_from_db()
    assert case.due_date == D(2026, 6, 23)  # nothing moves before approval
    with pytest.raises(DomainError) as exc:  # a reviewer cannot approve
        services.extension_decide(actor=reviewer, case=case, extension_id=extension.pk, approve=True)
    assert codes(exc) == {"cases.forbidden"}
    services.extension_decide(actor=approver, case=case, extension_id=extension.pk, approve=True)
    case.refresh_from_db()
    assert case.due_date == D(2026, 7, 7) and case.extension_days == 10
    told = Message.objects.filter(recipient=case.applicant, kind="case.extension").get()
    assert "需征求相关部门意见" in told.body_zh and "2026-07-07" in told.body_zh

    review = case.steps.get(kind="review")
    services.step_complete(actor=reviewer, case=case, step_id=review.pk, action="pass", opinion="符合条件")
    approve = case.steps.get(kind="approve")
    with pytest.raises(DomainError) as exc:
        services.step_complete(actor=reviewer, case=case, step_id=approve.pk, action="pass", opinion="同意")
    assert codes(exc) == {"cases.forbidden"}
    services.step_complete(actor=approver, case=case, step_id=approve.pk, action="pass", opinion="同意")
    case.refresh_from_db()
    assert case.stage == Stage.DECIDE
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=approver, case=case, outcome="grant", reasons=" ", legal_basis="")
    assert codes(exc) == {"cases.decision.reasons", "cases.decision.legal_basis"}
    decision = services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合许可条件",
                                    legal_basis="《中华人民共和国食品安全法》第三十五条")
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.result_code == "granted"
    assert decision.document is not None and case.results.count() == 1
    services.case_deliver(actor=window, case=case, method="download")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.stage == Stage.DONE
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[:3] == ["received", "correction_notice", "corrected"] and kinds[-2:] == ["decided", "delivered"]
    assert audit.verify().ok
    actions = set(audit.history("cases.case", case.pk).values_list("action", flat=True))
    assert {"cases.case.submitted", "cases.correction.issued", "cases.case.accepted", "cases.special.started",
            "cases.extension.approved", "cases.case.decided", "cases.case.delivered"} <= actions


def test_correction_notice_rules(submitted, window):
    case = submitted
    licence = material_id(case.application, "营业执照")
    with pytest.raises(DomainError) as exc:
        services.correction_notice_issue(actor=window, case=case, items=[])
    assert codes(exc) == {"cases.correction.empty"}
    with pytest.raises(DomainError) as exc:
        services.correction_notice_issue(actor=window, case=case, items=[{"material": licence, "problem": "请提供"}])
    assert codes(exc) == {"cases.correction.fetchable"}
    services.correction_notice_issue(actor=window, case=case, items=[{"form_field": "address", "problem": "不完整"}])
    with pytest.raises(DomainError) as exc:
        services.correction_notice_issue(actor=window, case=case, items=[{"form_field": "address", "problem": "x"}])
    assert codes(exc) == {"cases.correction.second"}


def test_art32_deemed_acceptance_after_five_working_days(submitted, window, clock_start):
    clock_start.shift(dt.timedelta(days=8))  # Tue 06-09, one working day past 06-08
    with pytest.raises(DomainError) as exc:
        services.correction_notice_issue(actor=window, case=submitted, items=[{"form_field": "address",
                                                                                "problem": "不完整"}])
    assert codes(exc) == {"cases.correction.too_late"}
    assert services.deem_overdue_acceptances() == [submitted.number]
    submitted.refresh_from_db()
    assert submitted.state == CaseState.IN_PROGRESS and submitted.acceptance_deemed
    assert submitted.clock_start == D(2026, 6, 1)  # from the day of receipt
    assert submitted.due_date == D(2026, 6, 15)


def test_correction_timeout_ends_the_case(submitted, window, clock_start):
    notice = services.correction_notice_issue(actor=window, case=submitted, deadline_days=5,
                                              items=[{"form_field": "address", "problem": "不完整"}])
    clock_start.shift(dt.timedelta(days=7))
    assert services.expire_corrections() == []
    clock_start.shift(dt.timedelta(days=2))
    assert notice.deadline == D(2026, 6, 8)
    assert services.expire_corrections() == [submitted.number]
    submitted.refresh_from_db()
    assert submitted.state == CaseState.CORRECTION_EXPIRED and submitted.result_code == "correction_expired"


def test_refusal_needs_reason_and_basis(submitted, window):
    with pytest.raises(DomainError) as exc:
        services.case_refuse(actor=window, case=submitted, reason="", legal_basis="")
    assert codes(exc) == {"cases.refuse.reason", "cases.refuse.legal_basis"}
    services.case_refuse(actor=window, case=submitted, reason="不属于本机关职权范围",
                         legal_basis="《行政许可法》第三十二条第一款第（二）项")
    submitted.refresh_from_db()
    assert submitted.state == CaseState.NOT_ACCEPTED


def test_extension_limits(submitted, window, reviewer, approver):
    services.case_accept(actor=window, case=submitted)
    with pytest.raises(DomainError) as exc:
        services.extension_request(actor=reviewer, case=submitted, days=11, reason="x")
    assert codes(exc) == {"cases.extension.days"}
    with pytest.raises(DomainError) as exc:
        services.extension_request(actor=reviewer, case=submitted, days=5, reason="")
    assert codes(exc) == {"cases.extension.reason"}
    ext = services.extension_request(actor=reviewer, case=submitted, days=5, reason="需专家论证")
    services.extension_decide(actor=approver, case=submitted, extension_id=ext.pk, approve=True)
    with pytest.raises(DomainError) as exc:
        services.extension_request(actor=reviewer, case=submitted, days=5, reason="再延")
    assert "cases.extension.once" in codes(exc)


def test_other_organ_sees_nothing(submitted, other_window):
    with pytest.raises(NotFound):
        services.case_accept(actor=other_window, case=submitted)
    with pytest.raises(NotFound):
        selectors.access_case(other_window, submitted.number)
    assert selectors.queue(other_window, Stage.ACCEPT) == []


def test_stale_form_is_a_conflict(submitted, window):
    seen = submitted.row_version
    services.case_accept(actor=window, case=submitted, expected_version=seen)
    with pytest.raises(Conflict) as exc:
        services.case_refuse(actor=window, case=submitted, reason="x", legal_basis="y", expected_version=seen)
    assert codes(exc) == {"cases.case.changed"}


def test_two_officers_at_once_one_wins(transactional_db, submitted, window, organ):
    from govhall.identity.models import StaffRole, User

    second = User.objects.create_user("window_2", password="x")
    StaffRole.objects.create(user=second, role="window_officer", organ=organ)
    results = []
    barrier = threading.Barrier(2)

    def act(user, accept):
        barrier.wait()
        try:
            if accept:
                services.case_accept(actor=user, case=submitted)
            else:
                services.case_refuse(actor=user, case=submitted, reason="材料不齐", legal_basis="第三十二条")
            results.append("ok")
        except Conflict as exc:
            results.append(exc.problems[0].code)
        finally:
            connection.close()  # this thread's own connection: persistent ones would outlive the test DB

    threads = [threading.Thread(target=act, args=(window, True)), threading.Thread(target=act, args=(second, False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["cases.case.state", "ok"]
    submitted.refresh_from_db()
    assert submitted.state in (CaseState.IN_PROGRESS, CaseState.NOT_ACCEPTED)
    assert submitted.events.filter(kind__in=["accepted", "not_accepted"]).count() == 1


def test_withdrawal_before_decision(submitted, window):
    services.case_accept(actor=window, case=submitted)
    services.case_withdraw(actor=submitted.applicant, case=submitted, reason="不再经营")
    submitted.refresh_from_db()
    assert submitted.state == CaseState.WITHDRAWN
    assert not submitted.steps.filter(state__in=["active", "waiting"]).exists()
    with pytest.raises(Conflict):
        services.case_withdraw(actor=submitted.applicant, case=submitted)


# --- joint handling -----------------------------------------------------------------------------


def test_joint_item_runs_parallel_tasks_and_one_decision(applicant_person, joint_item, co_organ, window, reviewer,
                                                         approver, co_reviewer, media):
    user = applicant_person.user
    application = services.application_start(actor=user, item_code=joint_item.code)
    fill(application, user)
    case = services.application_submit(actor=user, application=application)
    assert case.is_joint and case.legal_days == 45
    services.case_accept(actor=window, case=case)
    case.refresh_from_db()
    joint = case.steps.get(kind=CaseStep.Kind.JOINT)
    assert joint.organ == co_organ and joint.state == CaseStep.State.ACTIVE
    # the co-organ sees the task in its joint queue, not the lead organ's other queues
    assert [c.number for c in selectors.queue(co_reviewer, Stage.JOINT)] == [case.number]
    assert selectors.access_case(co_reviewer, case.number).pk == case.pk
    with pytest.raises(DomainError):  # but cannot act on the lead organ's steps
        services.step_complete(actor=co_reviewer, case=case, step_id=case.current_step_id, action="pass",
                               opinion="同意")
    services.step_complete(actor=reviewer, case=case, step_id=case.current_step_id, action="pass", opinion="同意")
    case.refresh_from_db()
    assert case.stage == Stage.JOINT
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=approver, case=case, outcome="grant", reasons="r", legal_basis="b")
    assert codes(exc) == {"cases.decision.steps"}
    services.step_complete(actor=co_reviewer, case=case, step_id=joint.pk, action="pass", opinion="规划条件符合")
    case.refresh_from_db()
    assert case.stage == Stage.DECIDE
    services.case_decide(actor=approver, case=case, outcome="grant", reasons="各部门意见一致",
                         legal_basis="《行政许可法》第二十六条")
    ext_limit = services.clock.extension_limit(case.is_joint)
    assert ext_limit == 15


def test_an_extension_request_waits_in_the_approvers_queue(submitted, window, reviewer, approver, other_window):
    services.case_accept(actor=window, case=submitted)
    before = selectors.queue_counts(approver)[Stage.APPROVE]
    ext = services.extension_request(actor=reviewer, case=submitted, days=5, reason="需专家论证")
    assert selectors.queue_counts(approver)[Stage.APPROVE] == before + 1
    assert submitted.number in [c.number for c in selectors.queue(approver, Stage.APPROVE)]
    assert selectors.queue_counts(reviewer)[Stage.APPROVE] == before  # reviewers do not approve
    assert submitted.number not in [c.number for c in selectors.queue(other_window, Stage.APPROVE)]
    services.extension_decide(actor=approver, case=submitted, extension_id=ext.pk, approve=True)
    assert selectors.queue_counts(approver)[Stage.APPROVE] == before


def test_messages_name_the_item_and_carry_the_query_code(submitted):
    message = Message.objects.filter(recipient=submitted.applicant, kind="case.received").get()
    assert submitted.item_name in message.subject_zh and submitted.number not in message.subject_zh
    assert submitted.query_code in message.body_zh and submitted.number in message.body_zh


def test_a_special_procedure_is_named_in_chinese_whatever_the_officers_language(submitted, window, reviewer):
    from django.utils import translation

    services.case_accept(actor=window, case=submitted)
    with translation.override("en"):
        services.special_procedure_start(actor=reviewer, case=submitted, kind="site_check", reason="核查场所",
                                         legal_basis="第四十五条", expected_days=3)
    event = submitted.events.filter(kind="special_started").get()
    assert "现场核查" in event.summary_zh and "site check" not in event.summary_zh
    assert "site check" in event.summary_en
