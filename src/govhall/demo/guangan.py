"""The Guang'an district demo (``make run DEMO=guangan``): Sichuan → 广安市 → 广安区, its 34
departments and 1,135 items from the district's real published list (data/README.md), loaded
through the onboarding import exactly as an operator loads a list (docs/onboarding.md): first the
regions table, then the item list for 511602. Every item is *listed*: the list gives no guides,
and nothing is invented for them. Plus demo staff to log in (demo mode only)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from govhall.catalog.models import Organ, Region
from govhall.catalog.onboarding.importer import OnboardingReport, onboard
from govhall.catalog.services_vocabulary import vocabulary_import_starter
from govhall.core.errors import DomainError
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import Role

DATA = Path(__file__).parent / "data"
REGIONS = DATA / "regions.csv"
ITEMS = DATA / "guangan-district-items.json"
DISTRICT = "511602"
DEMO_PASSWORD = "GovHall-Demo-2026"
APPROVAL_BUREAU = "区行政审批局"

# username, display name, role, organ name (None = the region below), region code
DEMO_ACCOUNTS = [
    ("catalog_admin", "广安区事项管理员", Role.CATALOG_ADMIN, None, DISTRICT),
    ("organ_catalog_admin", "区行政审批局事项管理员", Role.CATALOG_ADMIN, APPROVAL_BUREAU, None),
    ("window_officer", "区行政审批局窗口人员", Role.WINDOW_OFFICER, APPROVAL_BUREAU, None),
    ("supervisor", "广安区电子监察人员", Role.SUPERVISOR, None, DISTRICT),
    ("security_admin", "安全管理员", Role.SECURITY_ADMIN, None, DISTRICT),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, None, "510000"),
]


def _checked(report: OnboardingReport) -> OnboardingReport:
    if not report.ok:
        raise DomainError(report.problems)
    return report


@transaction.atomic
def load(*, accounts: bool = True, vocabulary: bool = True, items: Path = ITEMS) -> dict[str, int]:
    """Load the regions and the list through the onboarding import (system actor), then the demo
    accounts when demo mode is on. Returns counts. Raises DomainError if the import refuses."""
    regions = _checked(onboard(actor=None, kind="regions", file=REGIONS, dry_run=False))
    district = Region.objects.get(code=DISTRICT)
    listed = _checked(onboard(actor=None, kind="items", file=items, region=district, dry_run=False))
    counts = {"regions": regions.created["regions"], "organs": listed.created["organs"],
              "items": listed.created["items"], "main_items": listed.created["main_items"],
              "listed": listed.created["listed"]}
    if vocabulary:  # the citizen vocabulary shipped with the platform (口语 → catalogue words)
        counts["vocabulary"] = vocabulary_import_starter(actor=None).created
    if accounts and settings.GOVHALL_DEMO:
        counts["accounts"] = create_demo_accounts()
    return counts


def create_demo_accounts() -> int:
    for username, display, role, organ_name, region_code in DEMO_ACCOUNTS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=display,
                                        is_demo=True)
        organ = Organ.objects.get(region_id=DISTRICT, name=organ_name) if organ_name else None
        region = Region.objects.get(code=region_code) if region_code else None
        StaffRole.objects.create(user=user, role=role, organ=organ, region=region)
    User.objects.create_user(username="citizen", password=DEMO_PASSWORD, display_name="张三（演示市民）", is_demo=True)
    return len(DEMO_ACCOUNTS) + 1
