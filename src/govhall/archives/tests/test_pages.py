"""The console pages and the API of the archives: search (applicant by blind index), a package's
checks and events, download, the actions of archivists and approvers; another organ sees nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from govhall.archives.models import ArchivePackage, DisposalList
from govhall.catalog import testing
from govhall.identity.roles import Role

pytestmark = pytest.mark.django_db


def test_console_and_api(client, refused, archivist, approver, other_organ, fully_logged_in):
    package = ArchivePackage.objects.get(case_number=refused.number)
    fully_logged_in(client, archivist)
    page = client.get(reverse("console:archives"), {"applicant": "张三"})
    assert page.status_code == 200 and refused.number in page.content.decode()
    assert refused.number not in client.get(reverse("console:archives"), {"applicant": "李四"}).content.decode()
    detail = client.get(reverse("console:archive", args=[refused.number])).content.decode()
    assert 'data-check="integrity_files_present"' in detail and "张*" in detail and "张三" not in detail
    download = client.get(reverse("console:archive_download", args=[refused.number]))
    body = b"".join(download.streaming_content)
    assert download["X-Content-SM3"] == package.sm3
    assert f"{package.bag_name}/bagit.txt" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert client.post(reverse("console:archive_check", args=[refused.number])).status_code == 302
    assert client.post(reverse("console:archive_drill", args=[refused.number])).status_code == 302
    assert package.events.filter(event_type="restore drill", outcome="success").exists()
    client.post(reverse("console:archive_hold", args=[refused.number]), {"hold": "1", "reason": "诉讼"})
    package.refresh_from_db()
    assert package.legal_hold
    # API
    answer = client.get(f"/api/v1/archives/{refused.number}").json()
    assert answer["sm3"] == package.sm3 and answer["applicant"] == "张*" and answer["legal_hold"] is True
    assert {c["property"] for c in answer["checks"]} == {"authenticity", "integrity", "usability", "security"}
    zipped = client.get(f"/api/v1/archives/{refused.number}/package")
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    # the approver reads; another organ's archivist sees nothing
    fully_logged_in(client, approver)
    assert client.get(reverse("console:archive", args=[refused.number])).status_code == 200
    assert client.post(reverse("console:archive_check", args=[refused.number])).status_code == 403
    stranger = testing.make_staff("hefei_archivist", Role.ARCHIVIST, other_organ)
    fully_logged_in(client, stranger)
    assert client.get(reverse("console:archive", args=[refused.number])).status_code == 404
    assert client.get(f"/api/v1/archives/{refused.number}").status_code == 404
    assert client.get(f"/api/v1/archives/{refused.number}/package").status_code == 404
    assert refused.number not in client.get(reverse("console:archives")).content.decode()


def test_disposal_pages(client, refused, archivist, approver, fully_logged_in, clock_start):
    import datetime as dt

    package = ArchivePackage.objects.get(case_number=refused.number)
    ArchivePackage.objects.filter(pk=package.pk).update(retention_period="10y", retain_until=dt.date(2026, 1, 1))
    fully_logged_in(client, archivist)
    client.post(reverse("console:archive_retention_set"), {"item_type": "01", "period": "30y", "note": "测试"})
    from govhall.archives.models import RetentionRule

    assert RetentionRule.objects.get(item_type="01").period == "30y"
    page = client.get(reverse("console:archive_disposals")).content.decode()
    assert refused.number in page and "测试" in page
    client.post(reverse("console:archive_disposal_propose"), {"package": [package.pk], "reason": "期满"})
    disposal = DisposalList.objects.get()
    fully_logged_in(client, approver)
    client.post(reverse("console:archive_disposal_decide", args=[disposal.pk]), {"approve": "1", "note": "同意"})
    disposal.refresh_from_db()
    assert disposal.state == "approved"
    fully_logged_in(client, archivist)
    client.post(reverse("console:archive_disposal_execute", args=[disposal.pk]))
    disposal.refresh_from_db()
    package.refresh_from_db()
    assert disposal.state == "executed" and package.state == "disposed"
    assert client.get(reverse("console:archive_download", args=[refused.number])).status_code == 404
