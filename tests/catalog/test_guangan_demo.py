"""The real list as a second demo: Guang'an district's 1,135 published items of 34 departments,
loaded through the onboarding import, every item listed, nothing invented for the guides."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from govhall.catalog import selectors
from govhall.catalog.models import Completeness, ImplementationItem, ItemVersion, Organ, Region
from govhall.core import audit
from govhall.core.models import AuditEvent
from govhall.demo import guangan
from govhall.identity.models import StaffRole


@pytest.fixture
def loaded(db):
    out = io.StringIO()
    call_command("demo", "load", "--set", "guangan", stdout=out)
    return out.getvalue()


def test_the_guangan_list_is_served_whole_and_listed(loaded, client, settings):
    rows = json.loads(guangan.ITEMS.read_text(encoding="utf-8"))
    assert len(rows) == 1135 and "items: 1135" in loaded
    assert list(Region.objects.values_list("code", "parent_id").order_by("code")) == [
        ("510000", None), ("511600", "510000"), ("511602", "511600")]
    assert Region.objects.get(code="511602").statistical_code == "511602000000"
    assert Organ.objects.count() == 34 == len({r["department"] for r in rows})
    assert set(Organ.objects.values_list("region_id", flat=True)) == {"511602"}
    # every department code as published is kept; only valid credit codes became credit codes
    published = {(r["department"], r["dept_code"]) for r in rows}
    kept = {(o.name, c) for o in Organ.objects.all() for c in o.source_codes}
    assert kept == published
    assert Organ.objects.filter(credit_code__isnull=True).exists()
    sub_items = ImplementationItem.objects.exclude(local_code="")
    assert sub_items.count() == 1135
    assert sub_items.filter(parent__isnull=False).count() == sum(r["group"] != "未分类" for r in rows) == 520
    mains = ImplementationItem.objects.filter(local_code="")
    assert mains.count() == len({(r["department"], r["group"]) for r in rows if r["group"] != "未分类"})
    assert not ImplementationItem.objects.filter(code__isnull=False).exists()
    assert set(ItemVersion.objects.values_list("completeness", flat=True)) == {Completeness.LISTED}
    # no guide value was filled in
    assert not ItemVersion.objects.exclude(legal_basis="", acceptance_conditions="", location="",
                                            promised_time_limit_days=None).exists()
    assert audit.verify().ok
    assert AuditEvent.objects.filter(action="catalog.item.published").count() == ItemVersion.objects.count()
    # a citizen finds an item and reads its guide: listed, not yet published, no invented time limit
    entries, total = selectors.search_items("户口", region="511602")
    assert total and all(e.version.completeness == Completeness.LISTED for e in entries)
    page = client.get(reverse("portal:guide", args=[entries[0].version.item.key])).content.decode()
    assert "尚未公布" in page and "个工作日" not in page
    settings.GOVHALL_DEMO_SET = "guangan"  # the banner says the list is real, the rest is not
    assert "广安区公开发布的清单" in client.get(reverse("portal:home")).content.decode()
    admin = StaffRole.objects.get(user__username="catalog_admin")
    assert (admin.role, admin.region_id) == ("catalog_admin", "511602")
