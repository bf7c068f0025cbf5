"""The message endpoint of this node: signed answers, refusals (each logged), handlers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings

from govhall.core.models import AuditEvent
from govhall.crypto import keystore, sm
from govhall.federation import envelope, services
from govhall.federation.handlers import HANDLERS, handler
from govhall.federation.models import MessageLog

from .conftest import make_fake_peer

URL = "/federation/v1/messages"


def post(client, wire: bytes):
    return client.post(URL, data=wire, content_type="application/json")


def answer_of(response, request: envelope.Sealed | None = None) -> dict:
    """The response envelope, its signature checked with this node's key."""
    parsed = envelope.parse(response.content, expect="response")
    assert keystore.verify(key_id=parsed.key_id, data=parsed.signed_bytes, signature=parsed.signature)
    message = parsed.message
    if request is not None:
        assert message["in_reply_to"] == request.message["id"]
        assert message["request_sm3"] == request.digest
    return message


def test_canonical_form_is_sorted_compact_utf8():
    assert envelope.canonical({"b": 1, "a": "证照"}) == '{"a":"证照","b":1}'.encode()
    with pytest.raises(ValueError):
        envelope.canonical({"x": float("nan")})


def test_a_signed_request_gets_a_signed_answer_that_echoes_id_and_digest(client, fake_peer):
    sealed = fake_peer.request("licenses.verify", {"identifier": "1.2.156.3005.2.X"})
    response = post(client, sealed.wire)
    assert response.status_code == 200
    assert "sm2;dur=" in response["Server-Timing"]
    message = answer_of(response, sealed)
    assert message["status"] == "ok" and message["sender"] == "341500" and message["receiver"] == "test-peer"
    assert message["body"]["authentic"] is False and message["body"]["reason"]["code"] == "malformed"
    rows = list(MessageLog.objects.order_by("pk"))
    assert [(r.direction, r.kind, r.outcome) for r in rows] == [("in", "request", "ok"), ("out", "response", "ok")]
    # the log proves what was asked and answered: the exact signed bytes and their signatures
    assert bytes(rows[0].signed_bytes) == sealed.signed_bytes
    assert sm.sm2_verify(fake_peer.private.public, bytes(rows[0].signed_bytes), bytes(rows[0].signature))
    assert rows[1].in_reply_to == sealed.message["id"] and rows[1].digest == sm.sm3_hex(bytes(rows[1].signed_bytes))
    assert keystore.verify(key_id=rows[1].key_id, data=bytes(rows[1].signed_bytes), signature=bytes(rows[1].signature))


def _refused(client, wire: bytes, code: str, status: int, request=None) -> MessageLog:
    response = post(client, wire)
    assert response.status_code == status, response.content
    message = answer_of(response, request)
    assert message["status"] == "error" and message["error"]["code"] == f"federation.{code}"
    logged = MessageLog.objects.filter(direction="in", kind="request").latest("pk")
    assert (logged.outcome, logged.reason) == ("refused", code)
    assert MessageLog.objects.filter(direction="out", kind="response", reason=code).exists()
    return logged


def test_tampered_body_is_refused_and_logged(client, fake_peer):
    sealed = fake_peer.request("licenses.verify", {"identifier": "A"})
    tampered = sealed.wire.replace(b'"identifier":"A"', b'"identifier":"B"')
    logged = _refused(client, tampered, "bad_signature", 401)
    assert logged.message_id == sealed.message["id"] and bytes(logged.raw) == tampered


def test_replayed_message_is_refused(client, fake_peer):
    sealed = fake_peer.request("licenses.verify", {"identifier": "A"})
    assert post(client, sealed.wire).status_code == 200
    _refused(client, sealed.wire, "replay", 409, sealed)


def test_unknown_sender_is_refused(client, fake_peer):
    stranger = make_fake_peer("stranger")
    _refused(client, stranger.request().wire, "unknown_sender", 403)


def test_unknown_key_of_a_known_sender_is_refused(client, fake_peer):
    impostor = make_fake_peer("test-peer")  # same code, another key
    _refused(client, impostor.request().wire, "unknown_key", 401)


def test_disabled_sender_is_refused(client, fake_peer):
    services.peer_set_enabled(actor=None, code="test-peer", enabled=False)
    _refused(client, fake_peer.request().wire, "sender_disabled", 403)


def test_wrong_receiver_is_refused(client, fake_peer):
    sealed = fake_peer.request(receiver="340100")
    _refused(client, sealed.wire, "wrong_receiver", 400, sealed)


@pytest.mark.parametrize("minutes", [-10, 10])
def test_timestamp_outside_the_window_is_refused(client, fake_peer, minutes):
    when = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    sealed = fake_peer.request(timestamp=envelope.utc_text(when))
    _refused(client, sealed.wire, "stale_timestamp", 401, sealed)


def test_missing_purpose_is_refused(client, fake_peer):
    sealed = fake_peer.request(purpose="  ")
    _refused(client, sealed.wire, "missing_purpose", 400, sealed)


def test_unknown_operation_is_refused(client, fake_peer):
    sealed = fake_peer.request("nothing.here")
    _refused(client, sealed.wire, "unknown_operation", 404, sealed)


@pytest.mark.parametrize("wire,code", [
    (b"not json", "malformed"),
    (b'{"message": {}}', "unsigned"),
    (json.dumps({"message": {"type": "request"}, "signature": {"algorithm": "SM2-SM3", "key_id": "k",
                                                                "value": "AA=="}}).encode(), "malformed"),
    (json.dumps({"message": {}, "signature": {"algorithm": "RSA", "key_id": "k", "value": "AA=="}}).encode(),
     "bad_signature"),
])
def test_malformed_envelopes_are_refused_and_logged(client, node_key, wire, code):
    response = post(client, wire)
    assert response.status_code in (400, 401)
    message = answer_of(response)
    assert message["error"]["code"] == f"federation.{code}"
    assert message["request_sm3"] == sm.sm3_hex(wire)
    logged = MessageLog.objects.get(direction="in", kind="request")
    assert logged.outcome == "refused" and bytes(logged.raw) == wire


@override_settings(GOVHALL_FEDERATION_MAX_BYTES=100)
def test_too_large_is_refused(client, fake_peer):
    response = post(client, fake_peer.request(body={"x": "y" * 200}).wire)
    assert response.status_code == 413


def test_get_is_not_allowed(client, db):
    assert client.get(URL).status_code == 405


def test_domain_errors_become_signed_error_answers(client, fake_peer):
    sealed = fake_peer.request("licenses.verify", {})
    response = post(client, sealed.wire)
    assert response.status_code == 200
    message = answer_of(response, sealed)
    assert message["status"] == "error" and message["error"]["code"] == "federation.body"
    assert message["error"]["problems"][0]["field"] == "identifier"
    assert MessageLog.objects.get(direction="out").outcome == "error"


def test_sharing_lookup_without_the_sharing_platform_is_an_unknown_operation(client, fake_peer, monkeypatch):
    """The sharing platform registers its operation (sharing/federation_handlers.py); a node without it
    answers that it knows no such operation."""
    from govhall.federation.handlers import HANDLERS

    monkeypatch.delitem(HANDLERS, "sharing.lookup")  # as if the sharing app were not installed
    sealed = fake_peer.request("sharing.lookup", {"resource_code": "R", "subject_key": "k", "fields": ["a"],
                                                  "legal_basis": "law", "requester": "officer"})
    message = answer_of(post(client, sealed.wire), sealed)
    assert message["error"]["code"] == "federation.unknown_operation"


def test_sharing_lookup_calls_the_sharing_service(client, fake_peer, monkeypatch):
    from govhall.core.errors import DomainError

    calls = []

    def answer_peer_lookup(**kwargs):
        calls.append(kwargs)
        if kwargs["subject_key"] == "unknown":
            raise DomainError.single("sharing.subject.unknown", "查无此人", "unknown subject", "subject_key")
        return {"record": {"name": "张三"}, "as_of": dt.date(2026, 1, 2)}

    from govhall.sharing import services as sharing_services

    monkeypatch.setattr(sharing_services, "answer_peer_lookup", answer_peer_lookup)
    body = {"resource_code": "R01", "subject_key": "341502199003071235", "fields": ["name"],
            "legal_basis": "《安徽省政务数据共享办法》", "requester": "officer-1"}
    sealed = fake_peer.request("sharing.lookup", body, purpose="核对申请人户籍", case_number="C-9")
    message = answer_of(post(client, sealed.wire), sealed)
    assert message["body"] == {"record": {"name": "张三"}, "as_of": "2026-01-02"}
    assert calls[0] == {"peer": "test-peer", "resource_code": "R01", "subject_key": "341502199003071235",
                        "fields": ["name"], "purpose": "核对申请人户籍", "legal_basis": "《安徽省政务数据共享办法》",
                        "case_number": "C-9", "requester": "officer-1"}
    refused = answer_of(post(client, fake_peer.request("sharing.lookup", body | {"subject_key": "unknown"}).wire))
    assert refused["error"]["code"] == "sharing.subject.unknown"
    assert refused["error"]["problems"][0]["field"] == "subject_key"
    # the evidence log keeps the exchange, but not the subject key or the record in clear
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT signed_bytes, raw FROM federation_messagelog")
        stored = b"".join(bytes(v) for row in cursor.fetchall() for v in row if v is not None)
    assert stored and b"341502199003071235" not in stored
    assert "张三".encode() not in stored and b"\\u5f20\\u4e09" not in stored
    logged = MessageLog.objects.get(direction="in", kind="request", message_id=sealed.message["id"])
    assert bytes(logged.signed_bytes) == sealed.signed_bytes  # read back in clear: the signature still verifies


def test_a_failing_handler_answers_a_signed_internal_error(client, fake_peer):
    @handler("test.boom")
    def boom(ctx, body):
        raise RuntimeError("boom")

    try:
        response = post(client, fake_peer.request("test.boom").wire)
        assert response.status_code == 500
        assert answer_of(response)["error"]["code"] == "federation.internal"
    finally:
        HANDLERS.pop("test.boom")


def test_the_message_log_is_append_only(client, fake_peer):
    post(client, fake_peer.request().wire)
    row = MessageLog.objects.first()
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()


def test_trust_changes_are_audited(node_key):
    peer = make_fake_peer("audited")
    services.peer_trust(actor=None, descriptor=peer.descriptor())
    services.peer_set_enabled(actor=None, code="audited", enabled=False, reason="维护")
    services.peer_issuers_set(actor=None, code="audited", issuer_prefixes=["11340100"])
    services.peer_key_revoke(actor=None, code="audited", key_id=peer.key_id)
    actions = list(AuditEvent.objects.filter(action__startswith="federation.").values_list("action", flat=True))
    assert actions == ["federation.peer.trusted", "federation.peer.disabled", "federation.peer.updated",
                       "federation.peer.key_revoked"]


def test_bad_descriptors_are_refused_with_every_problem(node_key):
    from govhall.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        services.peer_trust(actor=None, descriptor={"code": "341500", "name": "", "base_url": "ftp://x",
                                                    "keys": [{"key_id": "k", "public_key_pem": "nope"}],
                                                    "issuer_prefixes": ["bad prefix"], "root_ca_pem": "junk"})
    codes = {p.code for p in caught.value.problems}
    assert codes == {"federation.descriptor.self", "federation.descriptor.name", "federation.descriptor.base_url",
                     "federation.descriptor.key", "federation.descriptor.prefixes", "federation.descriptor.root_ca"}


def test_trust_checks_the_fingerprint_given_out_of_band(node_key):
    from govhall.core.errors import DomainError

    peer = make_fake_peer("checked")
    with pytest.raises(DomainError):
        services.peer_trust(actor=None, descriptor=peer.descriptor(), expect_fingerprint="00" * 32)
    fingerprint = peer.descriptor()["keys"][0]["fingerprint"]
    assert services.peer_trust(actor=None, descriptor=peer.descriptor(), expect_fingerprint=fingerprint).code == "checked"


def test_a_root_ca_is_kept_as_trust_anchor(node_key):
    from govhall.crypto import ca
    from govhall.federation import selectors

    ca.ca_ensure(actor=None)
    peer = make_fake_peer("with-ca")
    services.peer_trust(actor=None, descriptor=peer.descriptor(root_ca_pem=ca.root_pem()))
    [(anchor_peer, pem)] = selectors.trust_anchors()
    assert anchor_peer.code == "with-ca" and pem.startswith("-----BEGIN CERTIFICATE-----")
    assert anchor_peer.root_ca_fingerprint == sm.sm3_hex(bytes(ca.root().der))


def test_openssl_verifies_the_logged_evidence(client, fake_peer, tmp_path):
    """A third party proves the exchange from the log alone: both signatures with OpenSSL 3, and the
    answer's request_sm3 against the request's signed bytes."""
    import shutil
    import subprocess

    from govhall.crypto import keys

    if not shutil.which("openssl"):
        pytest.skip("no openssl")
    sealed = fake_peer.request("licenses.verify", {"identifier": "1.2.156.3005.2.X"})
    post(client, sealed.wire)
    request_row = MessageLog.objects.get(direction="in", kind="request")
    response_row = MessageLog.objects.get(direction="out", kind="response", in_reply_to=request_row.message_id)
    for name, row, public in [("req", request_row, fake_peer.private.public),
                              ("resp", response_row, keystore.public_key(response_row.key_id))]:
        (tmp_path / f"{name}.pem").write_text(keys.public_key_to_pem(public))
        (tmp_path / f"{name}.bin").write_bytes(bytes(row.signed_bytes))
        (tmp_path / f"{name}.sig").write_bytes(bytes(row.signature))
        done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / f"{name}.pem"),
                               "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
                               "-in", str(tmp_path / f"{name}.bin"), "-sigfile", str(tmp_path / f"{name}.sig")],
                              capture_output=True, timeout=30)
        assert b"Signature Verified Successfully" in done.stdout, done.stderr
    answer = json.loads(bytes(response_row.signed_bytes))
    assert answer["request_sm3"] == sm.sm3_hex(bytes(request_row.signed_bytes))


def test_sharing_lookup_of_an_unknown_resource_is_a_signed_refusal_of_the_sharing_service(client, fake_peer):
    pytest.importorskip("govhall.sharing.services").answer_peer_lookup  # noqa: B018
    body = {"resource": "NO-SUCH-RESOURCE", "subject_key": "341502199003071235", "fields": ["name"],
            "legal_basis": "《安徽省政务数据共享办法》", "requester": "officer-1"}
    sealed = fake_peer.request("sharing.lookup", body, purpose="核对申请人户籍", case_number="C-9")
    response = post(client, sealed.wire)
    assert response.status_code == 200
    message = answer_of(response, sealed)
    assert message["status"] == "error" and message["error"]["code"].startswith("sharing.")


def test_a_node_without_a_key_answers_503_and_its_client_reports_not_configured(client, db):
    from govhall.federation import client as federation_client

    peer = make_fake_peer("keyless-peer")
    services.peer_trust(actor=None, descriptor=peer.descriptor())
    response = post(client, peer.request().wire)
    assert response.status_code == 503 and response.json()["error"]["code"] == "federation.not_configured"
    with pytest.raises(federation_client.PeerUnavailable) as caught:
        federation_client.request("keyless-peer", "licenses.verify", {}, case_number="", purpose="p")
    assert caught.value.reason == "not_configured"
