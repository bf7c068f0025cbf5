"""The client against answers it must not accept, retries and the breaker (no network: the HTTP
session is replaced by a fake peer that answers from the test)."""

from __future__ import annotations

import json

import pytest
import requests
from django.test import override_settings

from govhall.federation import client, envelope
from govhall.federation.models import Breaker, MessageLog


class FakeResponse:
    def __init__(self, content: bytes, status: int = 200):
        self.content, self.status_code = content, status


class FakeSession:
    """Answers each POST with ``answer(request_envelope)``: bytes, (bytes, status) or an exception."""

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def post(self, url, data, timeout, allow_redirects):
        self.calls.append(json.loads(data))
        result = self.answer(envelope.parse(data, expect="request"))
        if isinstance(result, Exception):
            raise result
        content, status = result if isinstance(result, tuple) else (result, 200)
        return FakeResponse(content, status)


@pytest.fixture
def peer_answers(fake_peer, monkeypatch):
    """Install a fake peer session; returns a setter for its behaviour."""

    def install(answer):
        session = FakeSession(answer)
        monkeypatch.setattr(client, "_session", lambda: session)
        return session

    return install


def reply(fake_peer, request, body=None, **overrides) -> bytes:
    message = envelope.response_message(sender=fake_peer.code, receiver=request.message["sender"],
                                        in_reply_to=request.message["id"], request_sm3=request.digest,
                                        operation=request.message["operation"], case_number="", body=body or {"ok": 1})
    message.update(overrides)
    return envelope.seal(message, signer=fake_peer.sign).wire


def ask():
    return client.request("test-peer", "licenses.verify", {"identifier": "x"}, case_number="C-1", purpose="核验")


def test_a_valid_answer_is_returned_and_logged(fake_peer, peer_answers):
    session = peer_answers(lambda req: reply(fake_peer, req, {"answer": "是"}))
    assert ask() == {"answer": "是"}
    sent = session.calls[0]["message"]
    assert (sent["sender"], sent["receiver"], sent["purpose"], sent["case_number"]) == ("341500", "test-peer", "核验", "C-1")
    assert list(MessageLog.objects.order_by("pk").values_list("direction", "kind", "outcome")) == [
        ("out", "request", "ok"), ("in", "response", "ok")]


@pytest.mark.parametrize("make,reason", [
    (lambda peer, req: b'{"answer": "unsigned"}', "unsigned"),
    (lambda peer, req: b"<html>proxy</html>", "malformed"),
    (lambda peer, req: reply(peer, req).replace(b'"ok":1', b'"ok":2'), "bad_signature"),
    (lambda peer, req: reply(peer, req, in_reply_to="00000000-0000-0000-0000-000000000000"), "mismatch"),
    (lambda peer, req: reply(peer, req, request_sm3="0" * 64), "mismatch"),
    (lambda peer, req: reply(peer, req, sender="someone-else"), "mismatch"),
    (lambda peer, req: reply(peer, req, timestamp="2020-01-01T00:00:00.000000Z"), "stale_timestamp"),
])
def test_answers_that_do_not_prove_anything_are_invalid(fake_peer, peer_answers, make, reason):
    peer_answers(lambda req: make(fake_peer, req))
    with pytest.raises(client.PeerAnswerInvalid) as caught:
        ask()
    assert caught.value.reason == reason
    row = MessageLog.objects.get(direction="in", kind="response")
    assert (row.outcome, row.reason) == ("refused", reason)
    assert Breaker.objects.get(peer="test-peer").failures == 1


def test_an_answer_signed_by_an_unknown_key_is_invalid(fake_peer, peer_answers):
    from .conftest import make_fake_peer

    impostor = make_fake_peer("test-peer")
    peer_answers(lambda req: reply(impostor, req))
    with pytest.raises(client.PeerAnswerInvalid) as caught:
        ask()
    assert caught.value.reason == "unknown_key"


@override_settings(GOVHALL_FEDERATION_RETRIES=2, GOVHALL_FEDERATION_BACKOFF=0.001)
def test_server_errors_and_timeouts_are_retried_for_idempotent_operations(fake_peer, peer_answers):
    answers = iter([(b"Bad gateway", 502), requests.ReadTimeout("slow")])
    session = peer_answers(lambda req: next(answers, None) or reply(fake_peer, req))
    assert ask() == {"ok": 1}
    assert len(session.calls) == 3
    assert len({c["message"]["id"] for c in session.calls}) == 3  # every attempt is a new message
    assert list(MessageLog.objects.filter(direction="out", kind="request").order_by("pk")
                .values_list("outcome", "reason")) == [("failed", "server_error"), ("failed", "timeout"), ("ok", "")]


@override_settings(GOVHALL_FEDERATION_RETRIES=2, GOVHALL_FEDERATION_BACKOFF=0.001)
def test_a_read_timeout_is_not_retried_for_an_operation_that_is_not_idempotent(fake_peer, peer_answers):
    session = peer_answers(lambda req: requests.ReadTimeout("slow"))
    with pytest.raises(client.PeerUnavailable) as caught:
        client.request("test-peer", "cases.submit", {}, case_number="", purpose="p")
    assert caught.value.reason == "timeout" and len(session.calls) == 1


@override_settings(GOVHALL_FEDERATION_RETRIES=0, GOVHALL_FEDERATION_BREAKER_FAILURES=3)
def test_the_breaker_opens_after_n_consecutive_failures_and_success_resets_the_count(fake_peer, peer_answers):
    fail = {"on": True}
    session = peer_answers(lambda req: requests.ConnectionError("refused") if fail["on"] else reply(fake_peer, req))
    for _ in range(2):
        with pytest.raises(client.PeerUnavailable):
            ask()
    fail["on"] = False
    ask()
    assert Breaker.objects.get(peer="test-peer").failures == 0
    fail["on"] = True
    for _ in range(3):
        with pytest.raises(client.PeerUnavailable):
            ask()
    calls = len(session.calls)
    with pytest.raises(client.PeerUnavailable) as caught:
        ask()
    assert caught.value.reason == "circuit_open" and len(session.calls) == calls


def test_a_signed_refusal_is_peer_refused_and_does_not_trip_the_breaker(fake_peer, peer_answers):
    def refuse(req):
        message = envelope.response_message(
            sender="test-peer", receiver="341500", in_reply_to=req.message["id"], request_sm3=req.digest,
            operation="licenses.verify", case_number="",
            error={"code": "sharing.agreement.expired", "message_zh": "共享协议已过期", "message_en": "agreement expired",
                   "field": "", "problems": []})
        return envelope.seal(message, signer=fake_peer.sign).wire, 200

    peer_answers(refuse)
    with pytest.raises(client.PeerRefused) as caught:
        ask()
    assert caught.value.code == "sharing.agreement.expired"
    assert caught.value.problems[0].message_zh == "共享协议已过期"
    assert not Breaker.objects.filter(peer="test-peer", failures__gt=0).exists()


def test_unknown_and_disabled_peers_are_unavailable(fake_peer):
    from govhall.federation import services

    with pytest.raises(client.PeerUnavailable) as caught:
        client.request("nowhere", "licenses.verify", {}, case_number="", purpose="p")
    assert caught.value.reason == "unknown_peer"
    services.peer_set_enabled(actor=None, code="test-peer", enabled=False)
    with pytest.raises(client.PeerUnavailable) as caught:
        ask()
    assert caught.value.reason == "disabled"
