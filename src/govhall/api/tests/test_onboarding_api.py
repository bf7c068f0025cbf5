"""Onboarding over the API: the same services, scope and problems as the console and the command
line, for staff with the catalogue-administrator permission."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.catalog import services, testing
from govhall.catalog.models import ImplementationItem, Organ, Region
from govhall.core.models import AuditEvent
from govhall.identity.roles import Role

BASE = "/api/v1/catalog/onboarding"
LIST = ("department,group,name,item_code,task_type,dept_code,area_code\n"
        "区司法局,未分类,法律援助,512C0107400001-511602000000-000-00877868-5-1-00,20,00877868-5,511602000000\n")


@pytest.fixture
def sichuan(db):
    return testing.sichuan_tree()


@pytest.fixture
def admin_client(client, sichuan):
    client.force_login(testing.make_staff("guangan_admin", Role.CATALOG_ADMIN, region=sichuan["district"]))
    return client


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("list.csv", text.encode())


def post(client, path, body):
    return client.post(f"{BASE}{path}", json.dumps(body, ensure_ascii=False), content_type="application/json")


def test_anonymous_callers_and_citizens_are_refused(client, applicant, sichuan):
    assert client.get(f"{BASE}/regions").status_code == 401
    client.force_login(applicant)
    assert client.get(f"{BASE}/regions").status_code == 403
    assert post(client, "/regions", {"code": "511602003", "name": "浓洄街道"}).status_code == 403


def test_regions_and_organs_are_registered_and_completed(admin_client):
    response = post(admin_client, "/regions", {"code": "511602003000", "name": "浓洄街道", "parent": "511602"})
    assert response.status_code == 201
    assert response.json()["code"] == "511602003" and response.json()["statistical_code"] == "511602003000"
    response = post(admin_client, "/organs", {"name": "区司法局", "region": "511602000000", "org_code": "00877868-5"})
    assert response.status_code == 201
    organ = response.json()
    assert (organ["credit_code"], organ["org_code"], organ["to_complete"]) == (None, "008778685", True)
    response = admin_client.patch(f"{BASE}/organs/{organ['id']}", json.dumps({"credit_code": "115113010087786859"}),
                                  content_type="application/json")
    assert response.status_code == 200 and response.json()["to_complete"] is False
    assert AuditEvent.objects.filter(action="catalog.organ.updated").count() == 1


def test_every_problem_comes_back_at_once(admin_client):
    response = post(admin_client, "/organs", {"name": "", "region": "511602", "credit_code": "11511301008778183X",
                                              "org_code": "13050100-3"})
    assert response.status_code == 400
    codes = {p["code"] for p in response.json()["error"]["problems"]}
    assert codes == {"organ.credit_code", "organ.org_code", "organ.name"}


def test_an_import_is_a_dry_run_unless_asked_and_reports_rows(admin_client):
    response = admin_client.post(f"{BASE}/imports?kind=items&region=511602",
                                 {"file": upload(LIST)})
    body = response.json()
    assert response.status_code == 200 and body["dry_run"] and not body["committed"]
    assert body["planned"]["items"] == 1 and not ImplementationItem.objects.exists()
    bad = LIST.replace(",20,", ",3x,")
    response = admin_client.post(f"{BASE}/imports?kind=items&region=511602", {"file": upload(bad)})
    assert response.status_code == 400
    assert [(p["row"], p["column"]) for p in response.json()["error"]["problems"]] == [(2, "item_type")]
    response = admin_client.post(f"{BASE}/imports?kind=items&region=511602&dry_run=false",
                                 {"file": upload(LIST)})
    assert response.status_code == 200 and response.json()["committed"]
    item = ImplementationItem.objects.get()
    assert item.versions.get().is_listed


def test_an_item_and_its_sub_item_then_the_completeness(admin_client, sichuan):
    organ = services.organ_create(actor=None, name="区公安分局", region=sichuan["district"])
    main = post(admin_client, "/items", {"organ_id": organ.pk, "name": "户口登记", "item_type": "7", "listed": False})
    assert main.status_code == 201 and main.json()["implementation_code"] is None
    sub = post(admin_client, "/items", {"organ_id": organ.pk, "name": "户口恢复", "item_type": "07",
                                        "local_code": "511F0001", "main_item": main.json()["key"]})
    assert sub.status_code == 201 and sub.json()["main_item"] == main.json()["key"]
    data = admin_client.get(f"/api/v1/catalog/items/{main.json()['key']}")
    assert data.status_code == 404  # the main item is not published yet
    board = admin_client.get(f"{BASE}/completeness").json()
    assert board["items"] == 2 and board["listed"] == 1 and board["draft"] == 1
    row = next(r for r in board["results"] if r["key"] == "511F0001")
    assert row["main_item"] == main.json()["key"] and {"materials", "organ_credit_code"} <= {
        m["field"] for m in row["missing"]}


def test_another_regions_admin_gets_404(client, sichuan):
    organ = services.organ_create(actor=None, name="区司法局", region=sichuan["district"], org_code="008778685")
    client.force_login(testing.make_staff("chengdu_admin", Role.CATALOG_ADMIN, region=sichuan["chengdu"]))
    assert client.patch(f"{BASE}/organs/{organ.pk}", json.dumps({"name": "改名"}),
                        content_type="application/json").status_code == 404
    assert post(client, "/regions", {"code": "511602003", "name": "浓洄街道", "parent": "511602"}).status_code == 404
    assert post(client, "/organs", {"name": "区统计局", "region": "511602"}).status_code == 404
    assert Organ.objects.count() == 1 and not Region.objects.filter(code="511602003").exists()
