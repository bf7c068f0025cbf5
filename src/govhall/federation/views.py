"""The message endpoint (authenticated by the sender's signature, not a session) and the console
page listing trusted nodes and the latest messages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from govhall.core.errors import NotFound
from govhall.core.permissions import declare, requires

from . import selectors, server
from .permissions import NODE_SIGNED, PEER_VIEW


@csrf_exempt  # no cookies: every request is authenticated by its SM2 signature (server.receive)
@require_POST
def messages(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_large = length > settings.GOVHALL_FEDERATION_MAX_BYTES
    try:
        reply = server.receive(b"" if too_large else request.body, declared_length=length if too_large else None)
    except NotFound:  # no federation key here: nothing can be signed (govhall federation descriptor)
        return JsonResponse({"error": {"code": "federation.not_configured", "message_zh": "本节点尚未配置节点密钥",
                                       "message_en": "this node has no federation key"}}, status=503)
    response = HttpResponse(reply.wire, status=reply.status, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Server-Timing"] = f"sm2;dur={reply.sm2_seconds * 1000:.3f}, total;dur={reply.total_seconds * 1000:.3f}"
    return response


messages = declare(NODE_SIGNED, messages)


@requires(PEER_VIEW)
def peers(request):
    try:
        me = selectors.descriptor()
    except NotFound:  # no key yet: the page says so
        me = None
    return render(request, "federation/peers.html", {
        "me": me, "node_code": selectors.node_code(), "node_name": selectors.node_name(),
        "peers": list(selectors.peers()), "breakers": selectors.breakers(),
        "messages": list(selectors.messages(limit=50)),
    })
