"""Synthetic catalogue for benchmarks: N implementation items with complete published guides.

Names come from a real district's published list (src/govhall/demo/data/guangan-district-items.json, 1,135
items) when present, else from the demo data, combined with organ and region variants. Rows are
bulk-inserted (no audit events: this is load data, not a history) and indexed for search with the
same functions the publishing service uses (catalog.search.bulk_index).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from django.db import connection, transaction

from govhall.catalog import search
from govhall.catalog.models import (
    FAQ,
    CatalogItem,
    ImplementationItem,
    ItemVersion,
    Material,
    Organ,
    ProcessStep,
    Region,
    Topic,
)
from govhall.catalog.testing import make_credit_code

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "src" / "govhall" / "demo" / "data" / "guangan-district-items.json"
DEMO = ROOT / "src" / "govhall" / "demo" / "data" / "anhui_luan.json"
MATERIALS = ["居民身份证", "营业执照", "房屋租赁合同", "食品安全管理制度", "经营场所平面图", "户口簿", "申请表", "健康证明"]
TYPES = ["01", "05", "07", "08", "10", "20"]


def real_names() -> list[tuple[str, str]]:
    if REAL.exists():
        rows = json.loads(REAL.read_text(encoding="utf-8"))
        return [(r["name"], r["task_type"].zfill(2) if r["task_type"] != "20" else "20") for r in rows]
    rows = json.loads(DEMO.read_text(encoding="utf-8"))["implementation_items"]
    return [(r["name"], "01") for r in rows]


def generate(n_items: int = 50_000, seed: int = 7) -> dict:
    rng = random.Random(seed)
    names = real_names()
    with transaction.atomic():
        province = Region.objects.create(code="510000", name="四川省", level="province")
        cities = [Region.objects.create(code=f"51{c:02d}00", name=f"示例市{c}", level="city", parent=province)
                  for c in range(1, 21)]
        counties = [Region.objects.create(code=f"{city.code[:4]}{k:02d}", name=f"{city.name}第{k}区", level="county",
                                          parent=city) for city in cities for k in range(1, 6)]
        organs = Organ.objects.bulk_create([
            Organ(credit_code=make_credit_code(county.code, 80000000 + i),
                  name=f"{county.name}部门{i // len(counties) + 1}",
                  region=county, level="4", nature="1")
            for i, county in enumerate(counties * 4)
        ])
        topics = [Topic.objects.create(code=f"B{i:02d}", name=f"主题{i}", audience="person") for i in range(12)]
        catalog = CatalogItem.objects.bulk_create([
            CatalogItem(basic_code=f"51{i:010d}", name=name, item_type=t if t in TYPES else "10",
                        legal_basis="《中华人民共和国行政许可法》", exercise_levels=["4"], region=province)
            for i, (name, t) in enumerate(names)
        ])
        today = dt.date.today() - dt.timedelta(days=1)
        items, versions = [], []
        for i in range(n_items):
            c, organ = catalog[i % len(catalog)], organs[(i * 7919) % len(organs)]
            code = f"{organ.credit_code}4{c.basic_code}"
            items.append(ImplementationItem(key=code, code=code, catalog_item=c, organ=organ, region_id=organ.region_id,
                                            level="4"))
        # The same (organ, basic code) pair can repeat for large N: keep codes unique.
        seen, unique = set(), []
        for it in items:
            if it.code not in seen:
                seen.add(it.code)
                unique.append(it)
        items = ImplementationItem.objects.bulk_create(unique, batch_size=2000)
        for it in items:
            versions.append(ItemVersion(
                item=it, number=1, state="published", effective_from=today, name=it.catalog_item.name,
                legal_basis="《中华人民共和国行政许可法》第二十九条", service_objects=["1"], keywords=[],
                case_kind="2", legal_time_limit_days=20, promised_time_limit_days=rng.choice([1, 5, 10, 15]),
                acceptance_conditions=f"申请人符合{it.catalog_item.name}的法定条件。", online_depth=["submission"],
                visits=rng.choice([0, 1]), handling_forms=["1", "2"], result_kind="document",
                result_name=f"{it.catalog_item.name}决定书", location=f"{it.organ.region.name}政务服务中心",
                hours="周一至周五", consultation_phone="12345", complaint_phone="12345"))
        versions = ItemVersion.objects.bulk_create(versions, batch_size=2000)
        mats, steps, faqs = [], [], []
        for v in versions:
            for k, name in enumerate(rng.sample(MATERIALS, 4)):
                mats.append(Material(version=v, order=k, name=name, necessity="required", form="electronic",
                                     source="applicant", copy_count=1))
            for k, (kind, name) in enumerate([("apply", "申请"), ("accept", "受理"), ("decide", "决定")]):
                steps.append(ProcessStep(version=v, order=k, kind=kind, name=name))
            faqs.append(FAQ(version=v, question="可以网上办理吗？", answer="可以。"))
        Material.objects.bulk_create(mats, batch_size=5000)
        ProcessStep.objects.bulk_create(steps, batch_size=5000)
        FAQ.objects.bulk_create(faqs, batch_size=5000)
        through = ItemVersion.topics.through
        through.objects.bulk_create([through(itemversion_id=v.pk, topic_id=topics[v.pk % 12].pk) for v in versions],
                                    batch_size=5000)
        for start in range(0, len(versions), 2000):
            chunk = list(ItemVersion.objects.filter(pk__in=[v.pk for v in versions[start:start + 2000]])
                         .select_related("item__organ", "item__catalog_item")
                         .prefetch_related("materials", "topics"))
            search.bulk_index(chunk)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"items": len(items), "organs": len(organs), "names": len(names)}
