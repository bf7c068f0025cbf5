"""Two GovHall nodes on loopback: this one (the test database) and Hefei, a real gunicorn server
with its own SQLite database, each trusting the other's public key."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from django.test import override_settings
from django.utils import timezone

from govhall.crypto import keys, sm
from govhall.federation import client, envelope, services
from govhall.federation.models import Breaker, MessageLog

from .conftest import NODE2_NAME, free_port, make_fake_peer, node1_descriptor

pytestmark = pytest.mark.django_db


def post(node, wire: bytes):
    return requests.post(node.url + "/federation/v1/messages", data=wire, timeout=10,
                         headers={"Content-Type": "application/json"})


def node2_answer(node, response, request=None) -> dict:
    """The second node's answer, its SM2 signature checked with the key it published."""
    parsed = envelope.parse(response.content, expect="response")
    [key] = [k for k in node.descriptor["keys"] if k["key_id"] == parsed.key_id]
    assert sm.sm2_verify(keys.load_public_key(key["public_key_pem"]), parsed.signed_bytes, parsed.signature)
    if request is not None:
        assert parsed.message["in_reply_to"] == request.message["id"]
        assert parsed.message["request_sm3"] == request.digest
    return parsed.message


def signed_by_node1(node, operation="licenses.verify", body=None, **overrides) -> envelope.Sealed:
    message = envelope.request_message(sender="341500", receiver=node.code, operation=operation,
                                       body=body if body is not None else {"identifier": node.identifiers[0]},
                                       case_number="LA-2026-1", purpose="核验营业执照 / check a licence")
    message.update(overrides)
    return envelope.seal(message)


def test_signed_round_trip(linked):
    answer = client.exchange(linked.code, "licenses.verify", {"identifier": linked.identifiers[0]},
                             case_number="LA-2026-1", purpose="核验营业执照 / check a licence")
    assert answer.body["authentic"] is True and answer.body["valid"] is True
    assert answer.body["issuer"]["credit_code"] == linked.issuer
    # both sides logged request and response, with the exact signed bytes
    sent = MessageLog.objects.get(direction="out", kind="request", message_id=answer.request_id)
    got = MessageLog.objects.get(direction="in", kind="response", message_id=answer.response_id)
    assert sent.outcome == got.outcome == "ok" and got.in_reply_to == answer.request_id
    assert json.loads(bytes(sent.signed_bytes))["purpose"] == "核验营业执照 / check a licence"
    there = linked.log_rows(message_id=answer.request_id)
    assert [(r["direction"], r["kind"], r["outcome"]) for r in there] == [("in", "request", "ok")]
    assert bytes(there[0]["signed_bytes"]) == bytes(sent.signed_bytes)
    assert bytes(there[0]["signature"]) == bytes(sent.signature)
    [reply] = linked.log_rows(in_reply_to=answer.request_id)
    assert bytes(reply["signed_bytes"]) == bytes(got.signed_bytes) and reply["digest"] == answer.digest
    # request() gives the body
    body = client.request(linked.code, "licenses.verify", {"identifier": linked.identifiers[0]}, case_number="",
                          purpose="核验 / check")
    assert body["identifier"] == linked.identifiers[0]


def test_tampered_request_is_refused_and_logged(linked):
    sealed = signed_by_node1(linked)
    tampered = sealed.wire.replace(linked.identifiers[0].encode(), linked.identifiers[1].encode())
    assert tampered != sealed.wire
    response = post(linked, tampered)
    assert response.status_code == 401
    assert node2_answer(linked, response)["error"]["code"] == "federation.bad_signature"
    [row] = linked.log_rows(message_id=sealed.message["id"], kind="request")
    assert (row["outcome"], row["reason"]) == ("refused", "bad_signature") and bytes(row["raw"]) == tampered


def test_replayed_message_is_refused(linked):
    sealed = signed_by_node1(linked)
    assert post(linked, sealed.wire).status_code == 200
    again = post(linked, sealed.wire)
    assert again.status_code == 409
    assert node2_answer(linked, again, sealed)["error"]["code"] == "federation.replay"
    rows = linked.log_rows(message_id=sealed.message["id"], kind="request")
    assert [(r["outcome"], r["reason"]) for r in rows] == [("ok", ""), ("refused", "replay")]


def test_unknown_sender_is_refused(linked):
    stranger = make_fake_peer("330100")
    sealed = stranger.request(receiver=linked.code, body={"identifier": linked.identifiers[0]})
    response = post(linked, sealed.wire)
    assert response.status_code == 403
    assert node2_answer(linked, response, sealed)["error"]["code"] == "federation.unknown_sender"
    assert linked.log_rows(message_id=sealed.message["id"], reason="unknown_sender")


def test_the_client_reports_a_refusal_as_peer_refused(linked, settings):
    settings.GOVHALL_NODE_CODE = "330100"  # the second node does not know this sender
    with pytest.raises(client.PeerRefused) as caught:
        client.request(linked.code, "licenses.verify", {"identifier": "x"}, case_number="", purpose="p")
    assert caught.value.code == "federation.unknown_sender"


@override_settings(GOVHALL_FEDERATION_RETRIES=1, GOVHALL_FEDERATION_BACKOFF=0.01, GOVHALL_FEDERATION_BREAKER_FAILURES=2,
                   GOVHALL_FEDERATION_BREAKER_COOLDOWN=60, GOVHALL_FEDERATION_CONNECT_TIMEOUT=0.5)
def test_a_peer_that_is_down_is_unavailable_and_the_breaker_opens(linked):
    down = make_fake_peer("341200")
    services.peer_trust(actor=None, descriptor=down.descriptor(base_url=f"http://127.0.0.1:{free_port()}"))
    for _ in range(2):
        with pytest.raises(client.PeerUnavailable) as caught:
            client.request("341200", "licenses.verify", {"identifier": "x"}, case_number="", purpose="p")
        assert caught.value.reason == "down"
    # two calls with one retry each: four attempts, each logged as not delivered
    assert MessageLog.objects.filter(peer="341200", outcome="failed").count() == 4
    breaker = Breaker.objects.get(peer="341200")
    assert breaker.failures == 2 and breaker.open_until > timezone.now()
    with pytest.raises(client.PeerUnavailable) as caught:
        client.request("341200", "licenses.verify", {"identifier": "x"}, case_number="", purpose="p")
    assert caught.value.reason == "circuit_open"
    assert MessageLog.objects.filter(peer="341200").count() == 4  # nothing sent while open
    # after the cool-down one trial goes through: a peer that answers closes its breaker ...
    Breaker.objects.filter(peer="341200").update(open_until=timezone.now() - dt.timedelta(seconds=1))
    Breaker.objects.create(peer=linked.code, failures=2, open_until=timezone.now() - dt.timedelta(seconds=1))
    assert client.request(linked.code, "licenses.verify", {"identifier": linked.identifiers[0]}, case_number="",
                          purpose="p")["valid"] is True
    assert Breaker.objects.filter(peer=linked.code, failures=0, open_until__isnull=True).exists()
    with pytest.raises(client.PeerUnavailable):  # ... and one that is still down opens it again
        client.request("341200", "licenses.verify", {"identifier": "x"}, case_number="", purpose="p")
    assert Breaker.objects.get(peer="341200").open_until > timezone.now() + dt.timedelta(seconds=50)


def test_an_answer_signed_by_another_key_is_invalid(linked):
    from govhall.federation.models import PeerKey

    other = make_fake_peer(linked.code)
    PeerKey.objects.filter(peer__code=linked.code).update(public_key_pem=keys.public_key_to_pem(other.private.public))
    with pytest.raises(client.PeerAnswerInvalid) as caught:
        client.request(linked.code, "licenses.verify", {"identifier": "x"}, case_number="", purpose="p")
    assert caught.value.reason == "bad_signature"
    row = MessageLog.objects.get(direction="in", kind="response", peer=linked.code)
    assert (row.outcome, row.reason) == ("refused", "bad_signature")


def test_foreign_licence_verifies_through_its_node(linked, client):
    page = client.get("/licences/verify/", {"identifier": linked.identifiers[0]})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-valid="true"' in text and NODE2_NAME in text
    api = client.get("/api/v1/licenses/verify", {"identifier": linked.identifiers[0]}).json()
    assert api["valid"] is True and api["issuer"]["credit_code"] == linked.issuer
    assert api["verified_by"]["node_code"] == linked.code and api["verified_by"]["node_name"] == NODE2_NAME
    assert NODE2_NAME in api["reason"]["message_zh"]
    # the peer's signed answer is kept here as evidence
    assert MessageLog.objects.filter(direction="in", kind="response", message_id=api["verified_by"]["answer_id"],
                                     outcome="ok").exists()


def test_unknown_issuer_and_unreachable_peer_are_never_valid(linked, client):
    from govhall.licenses.identifier import make_identifier

    foreign = make_identifier(linked.issuer + "002", linked.issuer, "20260000001", 1)
    services.peer_issuers_set(actor=None, code=linked.code, issuer_prefixes=[])
    api = client.get("/api/v1/licenses/verify", {"identifier": foreign}).json()
    assert (api["valid"], api["reason"]["code"], api.get("verified_by")) == (False, "unknown", None)
    services.peer_issuers_set(actor=None, code=linked.code, issuer_prefixes=["11340100"])
    services.peer_trust(actor=None, descriptor=linked.descriptor | {"base_url": f"http://127.0.0.1:{free_port()}"})
    api = client.get("/api/v1/licenses/verify", {"identifier": foreign}).json()
    assert (api["valid"], api["authentic"], api["reason"]["code"]) == (False, False, "peer_unavailable")


def test_revoked_foreign_licence_answers_revoked_at_once(linked):
    from govhall.licenses import selectors

    identifier = linked.identifiers[1]
    assert selectors.verify(identifier).valid is True
    assert "REVOKED" in linked.shell(
        "import sys\nfrom govhall.licenses import services\nfrom govhall.licenses.models import Licence\n"
        "services.licence_revoke(actor=None, licence=Licence.objects.get(identifier=sys.stdin.read().strip()), "
        "reason='吊销 / revoked in a test')\nprint('REVOKED')", stdin=identifier)
    result = selectors.verify(identifier)
    assert (result.authentic, result.valid, result.status, result.reason) == (True, False, "revoked", "revoked")
    assert result.node_name == NODE2_NAME


@pytest.mark.django_db(transaction=True)
def test_the_other_node_verifies_a_licence_of_this_node(node2, node1_identity, live_server):
    """This node is the pytest live server; the Hefei node asks it about a Lu'an licence."""
    from govhall.catalog import testing
    from govhall.licenses import services as licences

    from .conftest import install_node_key

    private, key_id = node1_identity
    install_node_key(private, key_id)
    services.peer_trust(actor=None, descriptor=node2.descriptor)
    organ = testing.make_organ(testing.region_tree()["city"], name="六安市市场监督管理局")
    kind = licences.licence_type_create(
        actor=None, type_code=organ.credit_code + "002", name="食品经营许可证", holder_kind="legal_person",
        face_schema=[{"name": "business_name", "label_zh": "经营者名称", "label_en": "Operator", "type": "text",
                      "required": True, "public": True}],
        defining_organ=organ, validity_years=5, template="licences/food_business")
    licence = licences.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name="六安皖西茶业有限公司",
                                     holder_code="91341502MA2TEA019F", face={"business_name": "六安皖西茶业有限公司"})
    node2.govhall("federation", "trust", "-", "--issuer-prefix", organ.credit_code,
                  stdin=json.dumps(node1_descriptor(private, key_id, live_server.url)))
    answer = requests.get(node2.url + "/api/v1/licenses/verify", params={"identifier": licence.identifier},
                          timeout=30).json()
    assert answer["valid"] is True and answer["verified_by"]["node_code"] == "341500"
    assert answer["issuer"]["credit_code"] == organ.credit_code
    logged = MessageLog.objects.get(direction="in", kind="request", peer=node2.code)
    assert logged.outcome == "ok" and json.loads(bytes(logged.signed_bytes))["body"] == {"identifier": licence.identifier}


def test_two_nodes_share_data_with_signed_messages(linked):
    """Issue 5: the Lu'an node fetches a household record from the Hefei node's sharing platform."""
    from .conftest import SHARED_RESOURCE, SHARED_SUBJECT

    assert linked.sharing_error is None, linked.sharing_error
    body = {"resource_code": SHARED_RESOURCE, "subject_key": SHARED_SUBJECT, "fields": ["name", "address"],
            "legal_basis": "《安徽省政务数据共享管理办法》", "requester": "luan-window-1"}
    answer = client.exchange(linked.code, "sharing.lookup", body, case_number="LA-2026-7", purpose="跨市通办：核对户籍")
    assert answer.body["record"] == {"name": "王芳", "address": "合肥市蜀山区长江西路 100 号"}
    [asked] = linked.log_rows(message_id=answer.request_id)
    assert json.loads(bytes(asked["signed_bytes"]))["purpose"] == "跨市通办：核对户籍"
    with pytest.raises(client.PeerRefused) as caught:
        client.request(linked.code, "sharing.lookup", body | {"subject_key": "110101199001011237"},
                       case_number="LA-2026-7", purpose="跨市通办：核对户籍")
    assert caught.value.code == "sharing.subject.unknown"
    refused = MessageLog.objects.get(direction="in", kind="response", outcome="error")
    assert refused.reason == "sharing.subject.unknown"


def test_the_sharing_platform_fetches_from_a_remote_provider_node(linked, regions):
    """The Lu'an sharing platform's remote resource is answered by the Hefei node."""
    from govhall.catalog import testing
    from govhall.demo.sharing import HOUSEHOLD_FIELDS
    from govhall.sharing import services as sharing

    from .conftest import SHARED_RESOURCE, SHARED_SUBJECT

    assert linked.sharing_error is None, linked.sharing_error
    police = testing.make_organ(regions["city"], name="六安市公安局")
    resource = sharing.resource_create(
        actor=None, code=SHARED_RESOURCE, provider_organ=police, name="户籍信息（合肥）", name_en="Household (Hefei)",
        fields=HOUSEHOLD_FIELDS, share_class="unconditional", classification="3", legal_basis="《户口登记条例》",
        update_frequency="realtime", subject_kind="resident_id", provider_kind="remote", peer_code=linked.code)
    result = sharing.lookup(resource=resource, subject_key=SHARED_SUBJECT, fields=["name", "address"],
                            purpose="跨市通办：核对户籍", legal_basis="《安徽省政务数据共享管理办法》",
                            requester=sharing.Requester(label="luan window", organ=police), case_number="LA-2026-8")
    assert result.granted and result.record == {"name": "王芳", "address": "合肥市蜀山区长江西路 100 号"}
    sent = MessageLog.objects.get(direction="out", kind="request", operation="sharing.lookup")
    assert sent.case_number == "LA-2026-8" and sent.outcome == "ok"


def test_a_remote_refusal_is_recorded_and_its_evidence_kept(linked, regions):
    """The Hefei node answers a signed "no record": the Lu'an sharing platform records the refusal
    (no exception, nothing attached) and keeps both signed messages in its log."""
    from govhall.catalog import testing
    from govhall.demo.sharing import HOUSEHOLD_FIELDS
    from govhall.sharing import services as sharing
    from govhall.sharing.models import AccessRecord

    from .conftest import SHARED_RESOURCE

    assert linked.sharing_error is None, linked.sharing_error
    police = testing.make_organ(regions["city"], name="六安市公安局")
    resource = sharing.resource_create(
        actor=None, code=SHARED_RESOURCE, provider_organ=police, name="户籍信息（合肥）", name_en="Household (Hefei)",
        fields=HOUSEHOLD_FIELDS, share_class="unconditional", classification="3", legal_basis="《户口登记条例》",
        update_frequency="realtime", subject_kind="resident_id", provider_kind="remote", peer_code=linked.code)
    result = sharing.lookup(resource=resource, subject_key="110101199001011237", fields=["name", "address"],
                            purpose="跨市通办：核对户籍", legal_basis="《安徽省政务数据共享管理办法》",
                            requester=sharing.Requester(label="luan window", organ=police), case_number="LA-2026-9")
    assert not result.granted and result.access.reason_code == "sharing.subject.unknown"
    assert AccessRecord.objects.get(resource_code=SHARED_RESOURCE).outcome == "not_found"
    sent = MessageLog.objects.get(direction="out", kind="request", operation="sharing.lookup", case_number="LA-2026-9")
    answer = MessageLog.objects.get(direction="in", kind="response", in_reply_to=sent.message_id)
    assert answer.outcome == "error" and answer.reason == "sharing.subject.unknown"


def test_ping_both_ways_with_the_command(linked):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("federation", "ping", linked.code, stdout=out)
    assert f"signed answer from {NODE2_NAME}" in out.getvalue()
