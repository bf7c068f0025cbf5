"""Load the Guang'an District list (bench/data/guangan-district-items.json) into an empty database
for the search benchmarks: region 511602 under Sichuan and Guang'an City, one organ per department,
one catalogue item and one published implementation item per row, names only, indexed for search.

Bench only, and kept apart on purpose (the catalogue's own loader replaces it): rows are inserted
directly (the list has no guides, so the publishing rules would refuse them), without audit events.
The list's codes do not fit today's models everywhere, so:
- the area code is 12 digits (511602000000): the region is its first 6 digits;
- department codes that are not valid unified social credit codes (most are organisation codes of 9
  or 10 characters) are replaced by a synthetic, valid code marked in the organ's address field
  "（代码为基准测试生成）" (not a searched field); valid ones are kept;
- the Sichuan local item code is kept as the implementation item's ``local_code``; the 31-character
  implementation code is built from the organ's credit code, level 4 and a generated basic code.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from govhall.catalog import search
from govhall.catalog.models import CatalogItem, ImplementationItem, ItemVersion, Organ, Region
from govhall.catalog.testing import make_credit_code
from govhall.core.codes import credit_code_problem

DATA = Path(__file__).resolve().parent / "data" / "guangan-district-items.json"
SYNTHETIC_MARK = "（代码为基准测试生成）"


def item_type(task_type: str) -> str:
    return task_type.zfill(2) if task_type != "20" else "20"


def load(path: Path = DATA, *, county_code: str = "511602", county_name: str = "广安区",
         basic_prefix: str = "5116") -> dict:
    """Create the region, organs and published items of the list. Returns counts and a map from the
    list's item codes to SearchEntry ids (``entries``)."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    today = dt.date.today() - dt.timedelta(days=1)
    with transaction.atomic():
        province, _ = Region.objects.get_or_create(code="510000", defaults={"name": "四川省", "level": "province"})
        city, _ = Region.objects.get_or_create(code=county_code[:4] + "00",
                                               defaults={"name": "广安市", "level": "city", "parent": province})
        county, _ = Region.objects.get_or_create(code=county_code,
                                                 defaults={"name": county_name, "level": "county", "parent": city})
        organs: dict[str, Organ] = {}
        for n, department in enumerate(dict.fromkeys(r["department"] for r in rows)):
            code = next(r["dept_code"] for r in rows if r["department"] == department)
            synthetic = credit_code_problem(code) is not None or Organ.objects.filter(credit_code=code).exists()
            if synthetic:
                code = make_credit_code(county_code, 91000000 + n + int(county_code) % 1000 * 100)
            organs[department] = Organ.objects.create(
                credit_code=code, name=department, region=county, level="4", nature="1",
                address=SYNTHETIC_MARK if synthetic else "")
        catalog = CatalogItem.objects.bulk_create([
            CatalogItem(basic_code=f"{basic_prefix}{i:08d}", name=r["name"], item_type=item_type(r["task_type"]),
                        legal_basis="（清单未载明）", exercise_levels=["4"], region=province, local_code=r["item_code"])
            for i, r in enumerate(rows)
        ])
        items = ImplementationItem.objects.bulk_create([
            ImplementationItem(code=f"{organs[r['department']].credit_code}4{c.basic_code}", catalog_item=c,
                               organ=organs[r["department"]], level="4", local_code=r["item_code"])
            for r, c in zip(rows, catalog, strict=True)
        ])
        versions = ItemVersion.objects.bulk_create([
            ItemVersion(item=it, number=1, state="published", effective_from=today, name=r["name"])
            for r, it in zip(rows, items, strict=True)
        ])
        for v, it in zip(versions, items, strict=True):
            v.item = it
        versions = list(ItemVersion.objects.filter(pk__in=[v.pk for v in versions])
                        .select_related("item__organ", "item__catalog_item").prefetch_related("materials", "topics"))
        search.bulk_index(versions)
    entries = dict(ImplementationItem.objects.filter(pk__in=[i.pk for i in items])
                   .values_list("local_code", "search_entry__id"))
    return {"region": county.code, "organs": len(organs), "items": len(items), "entries": entries}
