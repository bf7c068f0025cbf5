"""Demo data: Anhui province, Lu'an city and its districts (demo/data/anhui_luan.json),
loaded through the same services as real data, plus one demo account per role (demo mode only).
The whole Lu'an demo (people, licences, cases, sharing, ratings, supervision) is loaded by
``govhall.demo.luan``."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from govhall.catalog import services
from govhall.catalog.models import CatalogItem, Organ, Region
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import Role

DATA = Path(__file__).parent / "data" / "anhui_luan.json"
DEMO_PASSWORD = "GovHall-Demo-2026"
CITY_MARKET = "六安市市场监督管理局"

# username, display name, role, organ name (None = the region below), region code
DEMO_ACCOUNTS = [
    ("catalog_admin", "市场监管局事项管理员", Role.CATALOG_ADMIN, CITY_MARKET, None),
    ("city_catalog_admin", "六安市事项管理员", Role.CATALOG_ADMIN, None, "341500"),
    ("window_officer", "市场监管窗口人员", Role.WINDOW_OFFICER, CITY_MARKET, None),
    ("reviewer", "市场监管审核人", Role.REVIEWER, CITY_MARKET, None),
    ("approver", "市场监管局负责人", Role.APPROVER, CITY_MARKET, None),
    ("joint_reviewer", "住建局联办审核人", Role.REVIEWER, "六安市住房和城乡建设局", None),
    ("data_admin", "数据资源管理员", Role.DATA_ADMIN, None, "341500"),
    ("supervisor", "电子监察人员", Role.SUPERVISOR, None, "341500"),
    ("security_admin", "安全管理员", Role.SECURITY_ADMIN, None, "341500"),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, None, "340000"),
    ("archivist", "市场监管局档案管理员", Role.ARCHIVIST, CITY_MARKET, None),
]


def database_is_empty() -> bool:
    return not Region.objects.exists()


@transaction.atomic
def load(path: Path = DATA, *, publish: bool = True, accounts: bool = True) -> dict[str, int]:
    """Load the demo catalogue and (in demo mode) the demo accounts. Returns counts."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    regions: dict[str, Region] = {}
    for r in data["regions"]:
        regions[r["code"]] = services.region_create(actor=None, code=r["code"], name=r["name"], level=r["level"],
                                                    parent=regions.get(r["parent"]) if r["parent"] else None)
    organs: dict[str, Organ] = {}
    for o in data["organs"]:
        organs[o["credit_code"]] = services.organ_create(
            actor=None, credit_code=o["credit_code"], name=o["name"], region=regions[o["region"]], level=o["level"],
            nature=o["nature"], parent=organs.get(o["parent"]) if o.get("parent") else None,
            short_name=o.get("short_name", ""), address=o.get("address", ""), phone=o.get("phone", ""),
            hours=o.get("hours", ""),
        )
    for t in data["topics"]:
        services.topic_create(actor=None, code=t["code"], name=t["name"], audience=t["audience"],
                              order=t.get("order", 0))
    catalog: dict[str, CatalogItem] = {}
    for c in data["catalog_items"]:
        catalog[c["basic_code"]] = services.catalog_item_create(
            actor=None, basic_code=c["basic_code"], name=c["name"], item_type=c["item_type"],
            legal_basis=c["legal_basis"], exercise_levels=c["exercise_levels"], region=regions[c["region"]],
            supplementary=c["supplementary"], local_code=c.get("local_code", ""),
        )
    skip = {"basic_code", "organ", "level", "implementation_code", "local_code"}
    for i in data["implementation_items"]:
        item = services.implementation_item_create(
            actor=None, catalog_item=catalog[i["basic_code"]], organ=organs[i["organ"]], level=i["level"],
            code=i["implementation_code"], local_code=i.get("local_code", ""),
            guide={k: v for k, v in i.items() if k not in skip},
        )
        if publish:
            services.version_publish(actor=None, version=item.versions.get(), reason="演示数据 demo data")
    counts = {"regions": len(regions), "organs": len(organs), "topics": len(data["topics"]),
              "catalog_items": len(catalog), "implementation_items": len(data["implementation_items"])}
    from govhall.catalog.services_vocabulary import vocabulary_import_starter

    counts["vocabulary"] = vocabulary_import_starter(actor=None).created
    if accounts and settings.GOVHALL_DEMO:
        counts["accounts"] = create_demo_accounts()
    return counts


def create_demo_accounts() -> int:
    for username, display, role, organ_name, region_code in DEMO_ACCOUNTS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=display,
                                        is_demo=True)
        organ = Organ.objects.get(name=organ_name) if organ_name else None
        region = Region.objects.get(code=region_code) if region_code else None
        StaffRole.objects.create(user=user, role=role, organ=organ, region=region)
    User.objects.create_user(username="citizen", password=DEMO_PASSWORD, display_name="张三（演示市民）", is_demo=True)
    return len(DEMO_ACCOUNTS) + 1
