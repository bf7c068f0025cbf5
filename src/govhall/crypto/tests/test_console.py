"""Console pages for the seal registry and the CA, and the public PKI files."""

import pytest
from django.urls import reverse

from govhall.catalog import testing
from govhall.crypto import ca, seals
from govhall.crypto import x509 as X
from govhall.crypto.models import Seal
from govhall.identity.roles import Role


@pytest.fixture
def security_admin(organ):
    return testing.make_staff("secadmin", Role.SECURITY_ADMIN, organ=organ)


@pytest.fixture
def officer(organ):
    return testing.make_staff("officer", Role.APPROVER, organ=organ)


def test_a_security_administrator_creates_a_seal_and_authorises_an_officer(client, security_admin, officer, organ,
                                                                           fully_logged_in):
    fully_logged_in(client, security_admin)
    response = client.post(reverse("seals:seals"), {"organ": organ.pk, "name": "六安市市场监督管理局行政审批专用章",
                                                    "days": "365"})
    assert response.status_code == 302
    seal = Seal.objects.get(organ=organ)
    assert not seals.is_authorised(seal, officer)
    response = client.post(reverse("seals:authorise", args=[seal.seal_id]), {"username": "officer"})
    assert response.status_code == 302
    assert seals.is_authorised(seal, officer)
    page = client.get(reverse("seals:seal", args=[seal.seal_id])).content.decode()
    assert "officer" in page and 'alt="' in page
    client.post(reverse("seals:unauthorise", args=[seal.seal_id, officer.pk]))
    assert not seals.is_authorised(seal, officer)


def test_only_staff_of_the_seals_organ_can_be_authorised(client, security_admin, organ, applicant, fully_logged_in):
    seal = seals.seal_create(actor=None, organ=organ, name="测试章")
    fully_logged_in(client, security_admin)
    response = client.post(reverse("seals:authorise", args=[seal.seal_id]), {"username": applicant.username})
    assert response.status_code == 400 and "crypto.seal.user" in response.content.decode()
    assert not seals.is_authorised(seal, applicant)


def test_revoking_a_seal_puts_its_certificate_on_the_public_crl(client, security_admin, organ, fully_logged_in):
    seal = seals.seal_create(actor=None, organ=organ, name="测试章")
    fully_logged_in(client, security_admin)
    assert client.post(reverse("seals:revoke", args=[seal.seal_id])).status_code == 302
    client.logout()
    der = client.get(reverse("pki:crl")).content
    revoked = X.crl_revoked(X.load_crl(der))
    assert int(seal.certificate.serial, 16) in revoked


def test_another_citys_seal_answers_404(client, other_organ, organ, fully_logged_in):
    hefei_admin = testing.make_staff("hefei_sec", Role.SECURITY_ADMIN, organ=other_organ)
    seal = seals.seal_create(actor=None, organ=organ, name="测试章")
    fully_logged_in(client, hefei_admin)
    assert client.get(reverse("seals:seal", args=[seal.seal_id])).status_code == 404
    assert client.post(reverse("seals:revoke", args=[seal.seal_id])).status_code == 404
    seal.refresh_from_db()
    assert seal.state == "active"


def test_the_root_certificate_is_public_pem_that_parses(client, db):
    assert client.get(reverse("pki:root")).status_code == 404  # no CA yet: nothing to pretend
    ca.ca_ensure(actor=None)
    response = client.get(reverse("pki:root"))
    assert response.status_code == 200
    cert = X.load_certificate(response.content)
    assert cert.ca


def test_the_ca_page_sets_up_the_root_and_publishes_a_crl(client, system_admin, fully_logged_in):
    fully_logged_in(client, system_admin)
    client.post(reverse("seals:authority"), {"action": "setup"})
    assert ca.root() is not None
    client.post(reverse("seals:authority"), {"action": "crl"})
    client.post(reverse("seals:authority"), {"action": "crl"})
    page = client.get(reverse("seals:authority")).content.decode()
    assert "#2" in page
