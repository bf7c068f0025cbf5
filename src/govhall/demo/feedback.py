"""Demo data of the feedback context (demo mode only): 张三 (``citizen``) has a food business licence
case handled to the end (accepted, every step passed, granted, delivered by download), closed
through the case services like a real one. Its ``case.closed`` event is delivered here
(``events.drain()``), so the rating invitation is in 张三's inbox and the case waits for a rating."""

from __future__ import annotations

from django.db import transaction

from govhall.cases import services as case_services
from govhall.cases.models import CaseStep
from govhall.core import events
from govhall.demo.cases import FOOD_LICENCE, _apply, _item
from govhall.identity.models import User


def create_demo_finished_case() -> dict[str, int]:
    with transaction.atomic():
        citizen = User.objects.get(username="citizen")
        window = User.objects.get(username="window_officer")
        reviewer = User.objects.get(username="reviewer")
        approver = User.objects.get(username="approver")
        case = _apply(citizen, _item(FOOD_LICENCE), "已办结，待评价")
        case_services.case_accept(actor=window, case=case)
        for step in case.steps.exclude(kind=CaseStep.Kind.JOINT).order_by("order"):
            if step.state == CaseStep.State.DONE:
                continue
            actor = approver if step.kind == CaseStep.Kind.APPROVE else reviewer
            case_services.step_complete(actor=actor, case=case, step_id=step.pk, action="pass",
                                        opinion="材料齐全，符合条件")
        case.refresh_from_db()
        if case.state == "in_progress":
            case_services.case_decide(actor=approver, case=case, outcome="grant", reasons="申请材料齐全，符合法定条件",
                                      legal_basis="《中华人民共和国食品安全法》第三十五条")
        case_services.case_deliver(actor=window, case=case, method="download")
    events.drain()  # the rating invitation (feedback.subscribers), as the worker would after commit
    return {"finished_cases": 1}
