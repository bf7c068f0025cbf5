"""Demo cases (demo mode only), made through the case services like real ones, so the workbench has
work in every queue and the audit chain holds their events.

- 张三 (``citizen``) has a food business licence application at the acceptance stage, one at review,
  and one whose site check has stopped the clock;
- 六安皖西茶业有限公司 (through its agent 李娜) has a joint "open a restaurant" case waiting for the
  housing bureau's opinion (demo account ``joint_reviewer``);
- two of 张三's cases are closed: one granted with its food business licence and delivered, one not
  accepted. Their ``case.closed`` events archive them (archives app) once the loader's transaction
  commits and the events are delivered.
"""

from __future__ import annotations

import io

from django.db import transaction

from govhall.cases import services
from govhall.cases.models import ApplicationMaterial
from govhall.catalog.models import ImplementationItem
from govhall.core import events
from govhall.identity.models import LegalPerson, User

FOOD_LICENCE = "食品经营许可（新办）"
RESTAURANT = "开办餐饮店“一件事”"
MARKET = "六安市市场监督管理局"

def _sample_pdf() -> bytes:
    """A small complete PDF (catalogue, one empty page, cross-reference table): the archive's
    usability check opens every material, and a PDF without its cross-reference table does not open."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


SAMPLE_PDF = _sample_pdf()


def _item(name: str) -> ImplementationItem:
    return ImplementationItem.objects.get(organ__name=MARKET, versions__name=name, versions__state="published")


def _apply(user, item: ImplementationItem, tag: str, legal_person=None):
    application = services.application_start(actor=user, item_code=item.code, legal_person=legal_person)
    form = {"contact_name": "张三" if legal_person is None else "李娜", "contact_phone": "13955600001",
            "address": "六安市金安区梅山南路 1 号", "description": f"演示申请：{tag}"}
    if legal_person is None:  # the licence face the food licence prints (licences/demo.py FOOD_SCHEMA)
        form |= {"licence_operator_name": "张三", "licence_legal_representative": "张三",
                 "licence_residence": "六安市金安区梅山南路 1 号", "licence_premises": "六安市金安区佛子岭路 18 号一层",
                 "licence_business_type": "餐饮服务经营者（小餐馆）", "licence_business_scope": "热食类食品制售"}
    services.application_update(actor=user, application=application, form_data=form)
    for row in application.materials.select_related("material"):
        m = row.material
        if row.status != ApplicationMaterial.Status.MISSING:
            continue
        if m.necessity == "optional":
            services.material_set(actor=user, application=application, material_id=m.pk, status="not_needed")
        elif m.necessity == "promise":
            services.material_set(actor=user, application=application, material_id=m.pk, status="promised",
                                  promise_text="本人承诺所填信息和提交材料真实有效，如有虚假愿承担法律责任。")
        else:
            body = SAMPLE_PDF + f"% {tag} {m.name}\n".encode()
            services.material_upload(actor=user, application=application, material_id=m.pk,
                                     upload=io.BytesIO(body), filename=f"{m.name}.pdf")
    return services.application_submit(actor=user, application=application)


@transaction.atomic
def create_demo_cases() -> dict[str, int]:
    citizen = User.objects.get(username="citizen")
    window = User.objects.get(username="window_officer")
    reviewer = User.objects.get(username="reviewer")
    food = _item(FOOD_LICENCE)
    # the closed cases first: the citizen's newest case stays one in progress (the API tests use it)
    closed = create_demo_closed_cases(citizen, window, reviewer, food)
    _apply(citizen, food, "待受理")
    reviewing = _apply(citizen, food, "审核中")
    services.case_accept(actor=window, case=reviewing)
    suspended = _apply(citizen, food, "现场核查")
    services.case_accept(actor=window, case=suspended)
    services.special_procedure_start(actor=reviewer, case=suspended, kind="site_check",
                                     reason="核查经营场所布局与申请材料是否一致", legal_basis="《食品经营许可和备案管理办法》",
                                     expected_days=5)
    agent = User.objects.get(username="agent_li")
    company = LegalPerson.objects.get(credit_code="91341502MA2TEA019F")
    joint = _apply(agent, _item(RESTAURANT), "联办", legal_person=company)
    services.case_accept(actor=window, case=joint)
    undertake = joint.steps.exclude(kind="joint").order_by("order").first()
    if undertake is not None:
        services.step_complete(actor=reviewer, case=joint, step_id=undertake.pk, action="pass",
                               opinion="材料齐全，同意报送联办部门")
    events.drain()  # the sealed notices, licences and archival packages at once, not when the worker first runs
    return {"cases": 4 + closed}


def create_demo_closed_cases(citizen, window, reviewer, food) -> int:
    """One case granted (with its licence) and delivered, one not accepted: both closed."""
    approver = User.objects.get(username="approver")
    granted = _apply(citizen, food, "已办结（准予）")
    services.case_accept(actor=window, case=granted)
    for _ in range(10):
        granted.refresh_from_db()
        step = granted.steps.filter(state="active").exclude(kind="joint").order_by("order").first()
        if step is None:
            break
        services.step_complete(actor=approver if step.kind == "approve" else reviewer, case=granted, step_id=step.pk,
                               action="pass", opinion="材料齐全，符合条件")
    granted.refresh_from_db()
    services.case_decide(actor=approver, case=granted, outcome="grant", reasons="经审查，申请材料齐全，符合法定条件",
                         legal_basis="《中华人民共和国食品安全法》第三十五条")
    granted.refresh_from_db()
    services.case_deliver(actor=window, case=granted, method="download")
    refused = _apply(citizen, food, "不予受理")
    services.case_refuse(actor=window, case=refused, reason="申请事项依法不需要取得行政许可",
                         legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（一）项")
    return 2
