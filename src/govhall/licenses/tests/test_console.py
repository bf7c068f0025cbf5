"""The console pages for licence types and issued licences: what catalogue administrators and
approvers can do, what they are refused, and that a change is visible to the public at once."""

import json

import pytest
from django.urls import reverse

from govhall.catalog import testing
from govhall.core.models import AuditEvent
from govhall.identity.roles import Role
from govhall.licenses import selectors
from govhall.licenses.models import LicenceType

from .conftest import COMPANY_SCHEMA


@pytest.fixture
def approver(organ):
    return testing.make_staff("approver", Role.APPROVER, organ=organ)


@pytest.fixture
def other_approver(other_organ):
    return testing.make_staff("hefei_approver", Role.APPROVER, organ=other_organ)


def test_a_catalogue_administrator_defines_a_licence_type(client, catalog_admin, organ, fully_logged_in):
    fully_logged_in(client, catalog_admin)
    response = client.post(reverse("licences_console:types"), {
        "defining_organ": organ.pk, "type_code": organ.credit_code + "007", "name": "药品经营许可证",
        "holder_kind": "legal_person", "face_schema": json.dumps(COMPANY_SCHEMA), "validity_years": "5",
        "template": "licences/drug_business"})
    assert response.status_code == 302
    created = LicenceType.objects.get(type_code=organ.credit_code + "007")
    assert created.name == "药品经营许可证" and len(created.face_schema) == 4
    assert AuditEvent.objects.filter(action="licenses.type.created", actor=catalog_admin).exists()
    assert "药品经营许可证" in client.get(reverse("licences_console:types")).content.decode()


def test_a_bad_licence_type_is_refused_with_every_problem_and_nothing_created(client, catalog_admin, organ,
                                                                             fully_logged_in):
    fully_logged_in(client, catalog_admin)
    response = client.post(reverse("licences_console:types"), {
        "defining_organ": organ.pk, "type_code": "91340000000000000X001", "name": "某证",
        "holder_kind": "person", "face_schema": json.dumps([{"name": "x", "type": "colour"}])})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-code="licenses.type.code"' in page or 'data-code="licenses.type.organ"' in page
    assert "licenses.type.schema.type" in page and "licenses.type.schema.label" in page
    assert not LicenceType.objects.exists()


def test_invalid_json_for_the_face_fields_is_told_on_the_field(client, catalog_admin, organ, fully_logged_in):
    fully_logged_in(client, catalog_admin)
    response = client.post(reverse("licences_console:types"), {
        "defining_organ": organ.pk, "type_code": organ.credit_code + "007", "name": "某证",
        "holder_kind": "person", "face_schema": "[{"})
    assert response.status_code == 400
    assert "JSON" in response.content.decode()
    assert not LicenceType.objects.exists()


def test_an_approver_revokes_and_the_public_answer_changes_at_once(client, approver, company_licence,
                                                                  fully_logged_in):
    assert selectors.verify(company_licence.identifier).valid
    fully_logged_in(client, approver)
    page = client.get(reverse("licences_console:licence", args=[company_licence.identifier]))
    assert page.status_code == 200 and "食品经营许可证" in page.content.decode()
    response = client.post(reverse("licences_console:action", args=[company_licence.identifier, "revoke"]),
                           {"reason": "以欺骗手段取得"})
    assert response.status_code == 302
    answer = selectors.verify(company_licence.identifier)
    assert answer.authentic and not answer.valid and answer.status == "revoked"
    assert AuditEvent.objects.filter(action="licenses.licence.revoked", actor=approver).exists()


def test_a_status_change_needs_a_reason(client, approver, company_licence, fully_logged_in):
    fully_logged_in(client, approver)
    response = client.post(reverse("licences_console:action", args=[company_licence.identifier, "suspend"]),
                           {"reason": ""})
    assert response.status_code == 400
    company_licence.refresh_from_db()
    assert company_licence.status == "valid"


def test_another_organs_approver_cannot_see_or_change_the_licence(client, other_approver, company_licence,
                                                                 fully_logged_in):
    fully_logged_in(client, other_approver)
    assert client.get(reverse("licences_console:licence", args=[company_licence.identifier])).status_code == 404
    response = client.post(reverse("licences_console:action", args=[company_licence.identifier, "revoke"]),
                           {"reason": "x"})
    assert response.status_code == 404
    company_licence.refresh_from_db()
    assert company_licence.status == "valid"
    listing = client.get(reverse("licences_console:licences")).content.decode()
    assert company_licence.identifier not in listing


def test_the_list_searches_by_identifier_and_status(client, approver, company_licence, person_licence,
                                                   fully_logged_in):
    fully_logged_in(client, approver)
    page = client.get(reverse("licences_console:licences"), {"q": company_licence.identifier}).content.decode()
    assert company_licence.identifier in page and person_licence.identifier not in page
    page = client.get(reverse("licences_console:licences"), {"status": "revoked"}).content.decode()
    assert company_licence.identifier not in page
