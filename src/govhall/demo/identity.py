"""Demo people (demo mode only), created through the identity services like real ones.

- ``citizen`` (created by govhall.demo.catalog) becomes 张三 with a demo resident ID, level 3;
- 六安皖西茶业有限公司 is registered with 张三 as legal representative;
- ``agent_li`` (李娜, level 3) holds a one-year mandate for that company covering all items.

Uses the simulated registers explicitly, whatever the settings say: the demo people exist only there.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from govhall.identity import services
from govhall.identity.codes import IdType
from govhall.identity.models import User
from govhall.identity.registers import SimulatedLegalPersonRegister, SimulatedPopulationRegister

DEMO_PASSWORD = "GovHall-Demo-2026"
CITIZEN = {"name": "张三", "id_number": "341502199003071235", "phone": "13955600001",
           "email": "zhangsan@example.cn"}
AGENT = {"username": "agent_li", "name": "李娜", "id_number": "341503199205202420", "phone": "13955600002",
         "email": "lina@example.cn"}
COMPANY = {"name": "六安皖西茶业有限公司", "credit_code": "91341502MA2TEA019F"}


@transaction.atomic
def create_demo_people() -> dict[str, int]:
    """Assumes the identity tables are empty and the ``citizen`` account exists. Returns counts."""
    register = SimulatedPopulationRegister()
    citizen = User.objects.get(username="citizen")
    zhang = services.person_create(actor=None, user=citizen, name=CITIZEN["name"], id_type=IdType.RESIDENT_ID,
                                   id_number=CITIZEN["id_number"], phone=CITIZEN["phone"], email=CITIZEN["email"])
    services.person_verify_register(actor=None, person=zhang, register=register)

    agent_user = User.objects.create_user(username=AGENT["username"], password=DEMO_PASSWORD,
                                          display_name=f"{AGENT['name']}（演示经办人）", email=AGENT["email"],
                                          is_demo=True)
    li = services.person_create(actor=None, user=agent_user, name=AGENT["name"], id_type=IdType.RESIDENT_ID,
                                id_number=AGENT["id_number"], phone=AGENT["phone"], email=AGENT["email"])
    services.person_verify_register(actor=None, person=li, register=register)

    company = services.legal_person_register(actor=citizen, name=COMPANY["name"], credit_code=COMPANY["credit_code"],
                                             register=SimulatedLegalPersonRegister())
    services.agent_grant(actor=citizen, legal_person=company, agent_name=AGENT["name"],
                         agent_id_number=AGENT["id_number"], all_items=True,
                         expires_at=timezone.now() + dt.timedelta(days=365))
    return {"persons": 2, "legal_persons": 1, "mandates": 1}
