"""Factories for tests and benchmarks: a small valid region/organ tree and complete guides."""

from __future__ import annotations

import copy
import itertools

from govhall.core.codes import credit_check_char, org_code_check_char

from . import services
from .models import CatalogItem, ImplementationItem, Organ, Region, Topic

_serial = itertools.count(1)


def make_credit_code(division: str, n: int) -> str:
    """A valid unified social credit code for a government organ ("11" + division + org code)."""
    body = f"{n:08d}"[-8:]
    org = body + org_code_check_char(body)
    first17 = "11" + division[:6] + org
    return first17 + credit_check_char(first17)


def guide(**overrides) -> dict:
    data = {
        "name": "食品经营许可（新办）",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "service_objects": ["1", "2"],
        "topics": [],
        "keywords": ["餐饮", "饭店"],
        "case_kind": "2",
        "legal_time_limit_days": 20,
        "legal_time_limit_note": "",
        "promised_time_limit_days": 10,
        "acceptance_conditions": "1. 具有与经营的食品品种、数量相适应的经营场所；2. 从事餐饮服务的，具有食品安全管理制度。",
        "process_steps": [
            {"kind": "apply", "name": "申请", "description": "网上提交申请", "time_limit_days": None},
            {"kind": "accept", "name": "受理", "description": "", "time_limit_days": 1},
            {"kind": "review", "name": "审查", "description": "", "time_limit_days": 5},
            {"kind": "decide", "name": "决定", "description": "", "time_limit_days": 2},
        ],
        "joint_organs": [],
        "special_procedures": [{"kind": "site_check", "name": "现场核查", "counts_in_time": False, "max_days": 10,
                                "legal_basis": "《食品经营许可管理办法》"}],
        "fee_charged": False,
        "fees": [],
        "online_depth": ["consultation", "submission", "acceptance"],
        "visits": 0,
        "handling_forms": ["1", "2", "3"],
        "result_kind": "licence",
        "result_name": "食品经营许可证",
        "result_licence_type_code": "",
        "quantity_limit": "无数量限制",
        "cross_region_scope": "none",
        "intermediary_services": "无",
        "appointment": True,
        "online_payment": False,
        "postal_delivery": True,
        "location": "六安市政务服务中心二楼",
        "hours": "周一至周五 8:30-12:00 14:30-17:30",
        "consultation_phone": "0564-3370000",
        "complaint_phone": "12345",
        "min_trust_level": 2,
        "faqs": [{"question": "可以网上办理吗？", "answer": "可以，全程网办。"}],
        "materials": [
            {"name": "食品经营许可申请书", "necessity": "required", "form": "electronic", "source": "online_form",
             "licence_type_code": "", "data_resource_code": "", "issuing_organ": "", "original_count": 1,
             "copy_count": 0, "paper_size": "A4", "paper_legal_basis": "", "acceptance_standard": "填写完整",
             "notes": "", "later_days": None},
            {"name": "营业执照", "necessity": "required", "form": "electronic", "source": "e_licence",
             "licence_type_code": "11100000000019713D001", "data_resource_code": "", "issuing_organ": "市场监管部门",
             "original_count": 0, "copy_count": 0, "paper_size": "", "paper_legal_basis": "",
             "acceptance_standard": "", "notes": "", "later_days": None},
        ],
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def region_tree() -> dict[str, Region]:
    """Anhui → Lu'an → Jin'an district (get-or-create, so tests can call it freely)."""
    province, _ = Region.objects.get_or_create(code="340000", defaults={"name": "安徽省", "level": "province"})
    city, _ = Region.objects.get_or_create(code="341500", defaults={"name": "六安市", "level": "city",
                                                                      "parent": province})
    county, _ = Region.objects.get_or_create(code="341502", defaults={"name": "金安区", "level": "county",
                                                                        "parent": city})
    hefei, _ = Region.objects.get_or_create(code="340100", defaults={"name": "合肥市", "level": "city",
                                                                       "parent": province})
    return {"province": province, "city": city, "county": county, "hefei": hefei}


def make_organ(region: Region | None = None, name: str | None = None, level: str = "3") -> Organ:
    region = region or region_tree()["city"]
    n = next(_serial) + Organ.objects.count() * 1000
    return services.organ_create(actor=None, credit_code=make_credit_code(region.code, 70000000 + n),
                                 name=name or f"测试局{n}", region=region, level=level, nature="1")


def make_catalog_item(basic_code: str | None = None, name: str = "食品经营许可", item_type: str = "01") -> CatalogItem:
    province = region_tree()["province"]
    code = basic_code or f"{117000000 + next(_serial) + CatalogItem.objects.count() * 1000:012d}"
    return services.catalog_item_create(actor=None, basic_code=code, name=name, item_type=item_type,
                                        legal_basis="《中华人民共和国行政许可法》", exercise_levels=["3", "4"],
                                        region=province)


def make_item(*, organ: Organ | None = None, publish: bool = True, actor=None, level: str = "3",
              catalog_item: CatalogItem | None = None, **guide_overrides) -> ImplementationItem:
    organ = organ or make_organ()
    catalog_item = catalog_item or make_catalog_item(name=guide_overrides.get("name", "食品经营许可"))
    item = services.implementation_item_create(actor=actor, catalog_item=catalog_item, organ=organ, level=level,
                                               guide=guide(**guide_overrides))
    if publish:
        services.version_publish(actor=actor, version=item.versions.get())
    return item


def make_topic(code: str = "E02", name: str = "准营准办", audience: str = "enterprise") -> Topic:
    return Topic.objects.get_or_create(code=code, defaults={"name": name, "audience": audience})[0]


def make_staff(username: str, role: str, organ: Organ | None = None, region: Region | None = None):
    """A staff account holding ``role`` in ``organ`` (or for ``region`` and everything below it)."""
    from govhall.identity.models import StaffRole, User

    user = User.objects.create_user(username=username, password="Correct-Horse-9", display_name=username)
    StaffRole.objects.create(user=user, role=role, organ=organ, region=region)
    return user


def sichuan_tree() -> dict[str, Region]:
    """Sichuan → Guang'an city → Guang'an district (and Chengdu), registered through the service as an
    operator would, the city from its 12-digit statistical code (get-or-create)."""
    found = {r.code: r for r in Region.objects.filter(code__in=["510000", "511600", "511602", "510100"])}
    if len(found) == 4:
        return {"province": found["510000"], "city": found["511600"], "district": found["511602"],
                "chengdu": found["510100"]}
    province = services.region_create(actor=None, code="510000", name="四川省")
    city = services.region_create(actor=None, code="511600000000", name="广安市", parent=province)
    district = services.region_create(actor=None, code="511602", name="广安区", parent=city)
    chengdu = services.region_create(actor=None, code="510100", name="成都市", parent=province)
    return {"province": province, "city": city, "district": district, "chengdu": chengdu}
