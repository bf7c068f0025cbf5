"""Answers when the database connection is lost in the middle of a request.

The outcome of such a request is unknown to the caller: the write may have been committed just before
the connection went (a submitted case), or not at all. Answering 400 or 500 would suggest the request
was wrong or failed; the truthful answer is 503 with advice to retry the same request with the same
``Idempotency-Key``, which returns what was already done instead of doing it twice.

Three places can meet a lost connection: an API view (the API's exception handler, api/errors.py),
the session save after the view (Django turns it into ``SessionInterrupted``, a 400: ``handler400``
here), and anything else outside a view (a 500: ``handler500`` here). API paths answer JSON in the
API's error shape; pages answer a short bilingual HTML page.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults

from .errors import Problem

RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = Problem(
    "service.database_unavailable",
    "数据库连接中断，无法确认请求是否已完成。请稍后重试同一请求，并使用相同的 Idempotency-Key："
    "已创建的申请、已提交的办件会原样返回，不会重复。",
    "The database connection was lost; whether the request completed is unknown. Retry the same request "
    "shortly with the same Idempotency-Key: an application already started or a case already submitted is "
    "returned as it is, not made twice.",
)
_PAGE = ("<!doctype html><html lang=\"zh-Hans\"><meta charset=\"utf-8\"><title>服务暂时不可用 / Service unavailable"
         "</title><h1>服务暂时不可用 / Service temporarily unavailable</h1><p>数据库连接中断，请稍后重试。"
         "</p><p lang=\"en\">The database connection was lost. Please try again shortly.</p></html>")


def is_database_outage(exc: BaseException | None) -> bool:
    """True when ``exc`` is, or was raised while handling, a lost or refused database connection
    (Django's OperationalError/InterfaceError; a session save wraps it in UpdateError, then in
    SessionInterrupted)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def problem_body(problem: Problem = DATABASE_UNAVAILABLE) -> dict:
    """The API's error shape (docs/api.md): ``{"error": {code, message_zh, message_en, field, problems}}``."""
    return {"error": {**problem.as_dict(), "problems": []}}


def outage_response(request) -> HttpResponse:
    if is_api(request):
        response = JsonResponse(problem_body(), status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(_PAGE, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handler400(request, exception=None):
    if is_database_outage(exception):
        return outage_response(request)
    return defaults.bad_request(request, exception)


def handler500(request):
    if is_database_outage(sys.exc_info()[1]):
        return outage_response(request)
    return defaults.server_error(request)
