"""Demo cases (demo mode only), made through the case services like real ones, so the workbench has
work in every queue and the audit chain holds their events.

- 张三 (``citizen``) has a food business licence application at the acceptance stage, one at review,
  and one whose site check has stopped the clock;
- 六安皖西茶业有限公司 (through its agent 李娜) has a joint "open a restaurant" case waiting for the
  housing bureau's opinion (demo account ``joint_reviewer``).
"""

from __future__ import annotations

import io

from django.db import transaction

from govhall.cases import services
from govhall.cases.models import ApplicationMaterial
from govhall.catalog.models import ImplementationItem
from govhall.identity.models import LegalPerson, User

FOOD_LICENCE = "食品经营许可（新办）"
RESTAURANT = "开办餐饮店“一件事”"
MARKET = "六安市市场监督管理局"

SAMPLE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
              b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _item(name: str) -> ImplementationItem:
    return ImplementationItem.objects.get(organ__name=MARKET, versions__name=name, versions__state="published")


def _apply(user, item: ImplementationItem, tag: str, legal_person=None):
    application = services.application_start(actor=user, item_code=item.code, legal_person=legal_person)
    services.application_update(actor=user, application=application, form_data={
        "contact_name": "张三" if legal_person is None else "李娜", "contact_phone": "13955600001",
        "address": "六安市金安区梅山南路 1 号", "description": f"演示申请：{tag}"})
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
    return {"cases": 4}
