"""The management command and the console page."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from govhall.core.models import AuditEvent
from govhall.federation.models import Peer

from .conftest import make_fake_peer


def run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    if stdin:
        import sys

        old, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            call_command("federation", *args, stdout=out)
        finally:
            sys.stdin = old
    else:
        call_command("federation", *args, stdout=out)
    return out.getvalue()


def test_descriptor_creates_the_key_once_and_prints_what_a_peer_needs(db):
    first = json.loads(run("descriptor"))
    assert first["code"] == "341500" and first["format"] == "govhall-node/1"
    [key] = first["keys"]
    assert key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----") and key["state"] == "active"
    assert json.loads(run("descriptor"))["keys"] == first["keys"]
    rotated = json.loads(run("descriptor", "--rotate"))
    assert [k["state"] for k in rotated["keys"]] == ["active", "retired"]


def test_trust_enable_disable_issuers_and_revoke_key(db, tmp_path):
    peer = make_fake_peer("340100")
    path = tmp_path / "hefei.json"
    path.write_text(json.dumps(peer.descriptor(base_url="https://hefei.example.gov.cn/")))
    out = run("trust", str(path), "--issuer-prefix", "11340100")
    assert "trusted 340100" in out and peer.descriptor()["keys"][0]["fingerprint"] in out
    stored = Peer.objects.get(code="340100")
    assert stored.base_url == "https://hefei.example.gov.cn" and stored.issuer_prefixes == ["11340100"]
    run("disable", "340100", "--reason", "维护")
    assert not Peer.objects.get(code="340100").enabled
    run("enable", "340100")
    run("issuers", "340100", "11340100", "11340200")
    run("revoke-key", "340100", peer.key_id)
    assert "340100\tenabled" in run("peers")
    assert AuditEvent.objects.filter(action__startswith="federation.peer.").count() == 5
    with pytest.raises(CommandError):
        run("trust", "-", stdin="{not json")
    with pytest.raises(CommandError):
        run("enable", "nobody")


def test_the_console_lists_peers_and_messages(client, fully_logged_in, system_admin, fake_peer):
    fully_logged_in(client, system_admin)
    client.post("/federation/v1/messages", data=fake_peer.request().wire, content_type="application/json")
    page = client.get("/console/federation/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "test-peer" in text and "licenses.verify" in text and "互信节点" in text
