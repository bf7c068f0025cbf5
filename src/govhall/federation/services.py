"""Federation writes: this node's key, trusting peers from their descriptors, enabling and
disabling them, revoking a peer key; the message log and the replay guard.

Every trust change is audited (``federation.*``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.crypto import keys, keystore, sm
from govhall.crypto import x509 as X

from .envelope import KEY_PURPOSE
from .models import NODE_CODE_RE, MessageLog, Peer, PeerKey, ReceivedMessage

PREFIX_RE = re.compile(r"^[0-9A-Z]{1,18}$")


def _problem(code: str, zh: str, en: str, field: str = "") -> Problem:
    return Problem(f"federation.{code}", zh, en, field)


# --- this node ------------------------------------------------------------------------------------


def node_key_ensure(*, actor):
    """This node's active federation key, generated (audited by the key store) if there is none."""
    try:
        return keystore.active_key(KEY_PURPOSE)
    except NotFound:
        return keystore.key_generate(actor=actor, purpose=KEY_PURPOSE)


def node_key_rotate(*, actor):
    """A new signing key; the old one is retired but stays in the descriptor. Send the new
    descriptor to every peer before messages signed with the new key reach them."""
    return keystore.key_rotate(actor=actor, purpose=KEY_PURPOSE)


# --- peers ----------------------------------------------------------------------------------------


def _peer_view(peer: Peer) -> dict:
    return {"code": peer.code, "name": peer.name, "base_url": peer.base_url, "enabled": peer.enabled,
            "issuer_prefixes": peer.issuer_prefixes, "root_ca_fingerprint": peer.root_ca_fingerprint,
            "keys": sorted(f"{k.key_id} {k.fingerprint}{' revoked' if k.revoked_at else ''}"
                           for k in peer.keys.all())}


def _clean_descriptor(descriptor, issuer_prefixes, expect_fingerprint) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(descriptor, dict):
        return {}, [_problem("descriptor.malformed", "节点描述不是 JSON 对象", "the descriptor is not a JSON object")]
    code = descriptor.get("code")
    if not isinstance(code, str) or not re.match(NODE_CODE_RE, code):
        problems.append(_problem("descriptor.code", "节点代码格式不正确", "the node code is malformed", "code"))
    elif code == settings.GOVHALL_NODE_CODE:
        problems.append(_problem("descriptor.self", "不能把本节点登记为互信节点", "this is this node's own code", "code"))
    name = descriptor.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(_problem("descriptor.name", "请提供节点名称（不超过200字）", "the node needs a name (200 characters at most)",
                                 "name"))
    base_url = descriptor.get("base_url")
    if not isinstance(base_url, str) or not re.match(r"^https?://[^\s/]+(/\S*)?$", base_url) or len(base_url) > 300:
        problems.append(_problem("descriptor.base_url", "节点地址应为 http(s) 网址", "the base URL must be an http(s) URL",
                                 "base_url"))
    cleaned_keys = []
    raw_keys = descriptor.get("keys")
    if not isinstance(raw_keys, list) or not raw_keys:
        problems.append(_problem("descriptor.keys", "节点描述中没有公钥", "the descriptor lists no public key", "keys"))
        raw_keys = []
    for n, item in enumerate(raw_keys, start=1):
        try:
            key_id, pem = item["key_id"], item["public_key_pem"]
            if not isinstance(key_id, str) or not 1 <= len(key_id) <= 64:
                raise ValueError("key id")
            public = keys.load_public_key(pem)
        except (KeyError, TypeError, ValueError, sm.CryptoError):
            problems.append(_problem("descriptor.key", f"第{n}个公钥不是 SM2 公钥（SubjectPublicKeyInfo PEM）",
                                     f"key {n} is not an SM2 public key (SubjectPublicKeyInfo PEM)", "keys"))
            continue
        fingerprint = keys.fingerprint(public)
        if item.get("fingerprint") not in (None, "", fingerprint):
            problems.append(_problem("descriptor.fingerprint", f"第{n}个公钥的指纹与公钥不符",
                                     f"key {n}: the fingerprint does not match the key", "keys"))
        cleaned_keys.append({"key_id": key_id, "pem": keys.public_key_to_pem(public), "fingerprint": fingerprint,
                             "revoked": item.get("state") == "revoked"})
    if expect_fingerprint and expect_fingerprint.lower() not in {k["fingerprint"] for k in cleaned_keys}:
        problems.append(_problem("descriptor.unexpected_key", "节点公钥指纹与线下核对的指纹不一致，未建立互信",
                                 "no key has the fingerprint you checked out of band: nothing was trusted", "keys"))
    prefixes = (descriptor.get("issuer_prefixes") or []) if issuer_prefixes is None else issuer_prefixes
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and PREFIX_RE.match(p) for p in prefixes):
        problems.append(_problem("descriptor.prefixes", "发证机关代码前缀应为1至18位数字或大写字母",
                                 "issuer prefixes are 1-18 digits or capital letters", "issuer_prefixes"))
        prefixes = []
    root_pem, root_fp = descriptor.get("root_ca_pem") or "", ""
    if root_pem:
        try:
            cert = X.load_certificate(root_pem)
            X.certificate_public_key(cert)
            root_fp = sm.sm3_hex(cert.dump())
            root_pem = X.to_pem(cert.dump())
        except (ValueError, TypeError, sm.CryptoError):
            problems.append(_problem("descriptor.root_ca", "根证书不是 SM2 的 X.509 证书",
                                     "the root CA certificate is not an SM2 X.509 certificate", "root_ca_pem"))
    return {"code": code, "name": (name or "").strip(), "base_url": (base_url or "").rstrip("/"), "keys": cleaned_keys,
            "issuer_prefixes": sorted(set(prefixes)), "root_ca_pem": root_pem, "root_ca_fingerprint": root_fp}, problems


@transaction.atomic
def peer_trust(*, actor, descriptor: dict, issuer_prefixes: list[str] | None = None,
               expect_fingerprint: str = "") -> Peer:
    """Trust (or update) the peer a descriptor describes: name, base URL, keys, prefixes, root CA.

    Keys are added, never dropped: a key the peer no longer lists stays (it verifies old messages)
    unless the descriptor marks it ``revoked``, or ``peer_key_revoke`` is called. ``issuer_prefixes``
    overrides what the peer claims (the trusting node decides what it recognises); without it a new
    peer gets the prefixes its descriptor claims and an update keeps the prefixes already set. Audit:
    federation.peer.trusted (new) or federation.peer.updated. Raises DomainError with every problem.
    """
    data, problems = _clean_descriptor(descriptor, issuer_prefixes, expect_fingerprint)
    if problems:
        raise DomainError(problems)
    now = timezone.now()
    peer = Peer.objects.select_for_update().filter(code=data["code"]).first()
    before = _peer_view(peer) if peer else None
    if peer is None:
        peer = Peer(code=data["code"], created_at=now)
    peer.name, peer.base_url = data["name"], data["base_url"]
    if issuer_prefixes is not None or before is None:  # an update keeps what this node decided before
        peer.issuer_prefixes = data["issuer_prefixes"]
    peer.root_ca_pem, peer.root_ca_fingerprint, peer.updated_at = data["root_ca_pem"], data["root_ca_fingerprint"], now
    peer.full_clean(exclude=["issuer_prefixes"])
    peer.save()
    for item in data["keys"]:
        existing = peer.keys.filter(key_id=item["key_id"]).first()
        if existing is None:
            PeerKey.objects.create(peer=peer, key_id=item["key_id"], public_key_pem=item["pem"],
                                   fingerprint=item["fingerprint"], added_at=now,
                                   revoked_at=now if item["revoked"] else None)
        elif existing.fingerprint != item["fingerprint"]:
            raise DomainError([_problem("descriptor.key_changed", f"公钥 {item['key_id']} 与已登记的不同：密钥编号不可复用",
                                        f"key {item['key_id']} differs from the one on record: key ids are never reused",
                                        "keys")])
        elif item["revoked"] and existing.revoked_at is None:
            existing.revoked_at = now
            existing.save(update_fields=["revoked_at"])
    after = _peer_view(peer)
    if before != after:
        audit.record(actor=actor, action="federation.peer.updated" if before else "federation.peer.trusted",
                     target=peer, before=before, after=after)
    return peer


def _locked(code: str) -> Peer:
    peer = Peer.objects.select_for_update().filter(code=code).first()
    if peer is None:
        raise NotFound(code)
    return peer


@transaction.atomic
def peer_set_enabled(*, actor, code: str, enabled: bool, reason: str = "") -> Peer:
    """Stop (or resume) exchanging messages with a peer. Audit: federation.peer.enabled/disabled."""
    peer = _locked(code)
    if peer.enabled != enabled:
        peer.enabled, peer.updated_at = enabled, timezone.now()
        peer.save(update_fields=["enabled", "updated_at"])
        audit.record(actor=actor, action=f"federation.peer.{'enabled' if enabled else 'disabled'}", target=peer,
                     before={"enabled": not enabled}, after={"enabled": enabled}, reason=reason)
    return peer


@transaction.atomic
def peer_key_revoke(*, actor, code: str, key_id: str, reason: str = "") -> PeerKey:
    """No longer accept signatures by one of a peer's keys (e.g. it was compromised).
    Audit: federation.peer.key_revoked."""
    peer = _locked(code)
    key = peer.keys.filter(key_id=key_id).first()
    if key is None:
        raise NotFound(key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="federation.peer.key_revoked", target=peer,
                     before={"key_id": key_id, "fingerprint": key.fingerprint}, after={"revoked": True}, reason=reason)
    return key


@transaction.atomic
def peer_issuers_set(*, actor, code: str, issuer_prefixes: list[str]) -> Peer:
    """The licence issuer prefixes this node recognises the peer for. Audit: federation.peer.updated."""
    if not all(isinstance(p, str) and PREFIX_RE.match(p) for p in issuer_prefixes):
        raise DomainError([_problem("descriptor.prefixes", "发证机关代码前缀应为1至18位数字或大写字母",
                                    "issuer prefixes are 1-18 digits or capital letters", "issuer_prefixes")])
    peer = _locked(code)
    before = _peer_view(peer)
    peer.issuer_prefixes, peer.updated_at = sorted(set(issuer_prefixes)), timezone.now()
    peer.save(update_fields=["issuer_prefixes", "updated_at"])
    audit.record(actor=actor, action="federation.peer.updated", target=peer, before=before, after=_peer_view(peer))
    return peer


# --- message log and replay guard -----------------------------------------------------------------


def log_write(*rows: MessageLog) -> None:
    """Append rows to the message log (one transaction)."""
    with transaction.atomic():
        MessageLog.objects.bulk_create(list(rows))


def replay_claim(sender: str, message_id: str) -> bool:
    """Record a message id as seen; False if it was seen before (a replay). Ids are forgotten two
    clock-skew windows later: by then their timestamps are refused anyway."""
    try:
        with transaction.atomic():
            ReceivedMessage.objects.create(sender=sender, message_id=message_id)
    except IntegrityError:
        return False
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        horizon = timezone.now() - dt.timedelta(seconds=2 * settings.GOVHALL_FEDERATION_CLOCK_SKEW)
        ReceivedMessage.objects.filter(received_at__lt=horizon).delete()
    return True
