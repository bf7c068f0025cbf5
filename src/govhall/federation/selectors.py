"""Federation reads: this node's identity and descriptor, trusted peers, the message log, breakers."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from govhall.core.errors import NotFound
from govhall.crypto import ca, keystore

from .envelope import KEY_PURPOSE
from .models import Breaker, MessageLog, Peer, PeerKey

DESCRIPTOR_FORMAT = "govhall-node/1"


def node_code() -> str:
    return settings.GOVHALL_NODE_CODE


def node_name() -> str:
    return settings.GOVHALL_NODE_NAME


def node_keys():
    """This node's federation keys, newest first (the active one signs; retired ones are published
    so that peers can still check old messages)."""
    return keystore.key_list(purpose=KEY_PURPOSE).order_by("-created_at")


def descriptor() -> dict:
    """What a peer needs to trust this node (printed by ``govhall federation descriptor``).

    Raises NotFound when this node has no federation key yet (``services.node_key_ensure``)."""
    pairs = list(node_keys())
    if not any(p.state == "active" for p in pairs):
        raise NotFound("this node has no federation key")
    root = ca.root_pem() if ca.root() is not None else ""  # the platform CA is optional here
    return {
        "format": DESCRIPTOR_FORMAT,
        "code": node_code(),
        "name": node_name(),
        "base_url": settings.GOVHALL_NODE_BASE_URL,
        "keys": [{"key_id": p.key_id, "algorithm": "SM2", "state": p.state, "fingerprint": p.fingerprint,
                  "public_key_pem": keystore.public_key_pem(key_id=p.key_id)} for p in pairs],
        "issuer_prefixes": list(settings.GOVHALL_NODE_ISSUER_PREFIXES),
        "root_ca_pem": root,
    }


def peers() -> QuerySet[Peer]:
    return Peer.objects.prefetch_related("keys")


def peer(code: str, *, enabled_only: bool = True) -> Peer | None:
    qs = Peer.objects.filter(code=code)
    if enabled_only:
        qs = qs.filter(enabled=True)
    return qs.first()


def peer_key(peer: Peer, key_id: str) -> PeerKey | None:
    """A key of ``peer`` that may verify messages (not revoked)."""
    return peer.keys.filter(key_id=key_id, revoked_at__isnull=True).first()


def peer_for_issuer(issuer_code: str) -> Peer | None:
    """The enabled peer authoritative for licences of ``issuer_code`` (longest prefix wins)."""
    best, best_len = None, 0
    for candidate in Peer.objects.filter(enabled=True).exclude(issuer_prefixes=[]):
        for prefix in candidate.issuer_prefixes or []:
            if prefix and issuer_code.startswith(prefix) and len(prefix) > best_len:
                best, best_len = candidate, len(prefix)
    return best


def trust_anchors() -> list[tuple[Peer, str]]:
    """Root CA certificates (PEM) of enabled peers, for checking their sealed documents."""
    return [(p, p.root_ca_pem) for p in Peer.objects.filter(enabled=True).exclude(root_ca_pem="")]


def breakers() -> dict[str, Breaker]:
    return {b.peer: b for b in Breaker.objects.all()}


def messages(*, peer: str = "", limit: int = 100) -> QuerySet[MessageLog]:
    qs = MessageLog.objects.defer("raw")
    if peer:
        qs = qs.filter(peer=peer)
    return qs[:limit]


def evidence(message_id: str) -> QuerySet[MessageLog]:
    """Every log row about one exchange: the request and the response that answers it."""
    from django.db.models import Q

    return MessageLog.objects.filter(Q(message_id=message_id) | Q(in_reply_to=message_id)).order_by("created_at", "pk")
