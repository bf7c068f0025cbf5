"""Demo licences (demo mode only), made through the services like real ones:

- the platform CA, and an organ seal for the Lu'an market regulation bureau whose use the demo
  ``approver`` is authorised for (automatic notices are sealed by the platform on the organ's behalf);
- the licence type 食品经营许可证 (11100000MB0150R517002, defined by the State Administration for Market
  Regulation), which the demo items 食品经营许可（新办/延续…） name as their result: granting such a case
  issues the licence to the applicant, with the face taken from the application form;
- one licence already issued to 张三, so that the wallet and the public verification have something to
  show before any case is decided.

The demo catalogue has no national region: the national administration is filed under Anhui, at the
national level (a simplification of the demo data only).
"""

from __future__ import annotations

from django.db import transaction

from govhall.catalog import services as catalog
from govhall.catalog.codesets import ExerciseLevel
from govhall.catalog.models import Organ, Region
from govhall.core.actors import SYSTEM
from govhall.crypto import ca, seals
from govhall.identity.models import User
from govhall.identity.selectors import person_of
from govhall.licenses import services

SAMR = ("11100000MB0150R517", "国家市场监督管理总局")
FOOD_BUSINESS = "11100000MB0150R517002"
MARKET = "六安市市场监督管理局"
# The face of the food business licence (《食品经营许可和备案管理办法》, 2023): the application form asks
# these fields (licence_<name>, cases/forms_spec.py) and a granted case prints them. Disclosure on public
# verification: the operator's and the person in charge's names masked (the holder is a person), the
# residence hidden, premises, business type and scope public.
FOOD_SCHEMA = [
    {"name": "operator_name", "label_zh": "经营者名称", "label_en": "Operator", "type": "text", "required": True,
     "disclosure": "masked"},
    {"name": "legal_representative", "label_zh": "法定代表人（负责人）", "label_en": "Person in charge",
     "type": "text", "required": True, "disclosure": "masked"},
    {"name": "residence", "label_zh": "住所", "label_en": "Residence", "type": "text", "required": True,
     "disclosure": "hidden"},
    {"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
     "disclosure": "public"},
    {"name": "business_type", "label_zh": "主体业态", "label_en": "Type of business", "type": "text",
     "required": True, "disclosure": "public"},
    {"name": "business_scope", "label_zh": "经营项目", "label_en": "Business scope", "type": "text",
     "required": True, "disclosure": "public"},
]


@transaction.atomic
def create_demo_licences() -> dict[str, int]:
    ca.ca_ensure(actor=SYSTEM)
    samr = Organ.objects.filter(credit_code=SAMR[0]).first() or catalog.organ_create(
        actor=SYSTEM, credit_code=SAMR[0], name=SAMR[1], region=Region.objects.get(code="340000"),
        level=ExerciseLevel.NATIONAL, nature="1")
    food = services.licence_type_create(actor=SYSTEM, type_code=FOOD_BUSINESS, name="食品经营许可证",
                                        holder_kind="person", face_schema=FOOD_SCHEMA, defining_organ=samr,
                                        validity_years=5, template="licences/food_business")
    market = Organ.objects.get(name=MARKET)
    seal = market.seals.filter(state="active").first() or seals.seal_create(
        actor=SYSTEM, organ=market, name=f"{MARKET}行政审批专用章")
    seals.seal_authorise(actor=SYSTEM, seal=seal, user=User.objects.get(username="approver"))
    citizen = User.objects.get(username="citizen")
    zhang = person_of(citizen)
    services.licence_issue(actor=SYSTEM, licence_type=food, issuer=market, holder_name=zhang.name,
                           holder_code=zhang.reveal_id_number(), holder_user=citizen,
                           face={"operator_name": zhang.name, "legal_representative": zhang.name,
                                 "residence": "六安市金安区梅山南路 1 号", "premises": "六安市金安区佛子岭路 18 号一层",
                                 "business_type": "食品销售经营者（便利店）",
                                 "business_scope": "预包装食品销售（含冷藏冷冻食品）"})
    return {"licences": 1}
