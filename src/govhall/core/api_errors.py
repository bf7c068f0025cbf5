"""Structured API errors: ``{"error": {code, message_zh, message_en, field, problems}}`` everywhere.

In core because every API shares the shape (API v1, the OIDC provider's bearer API);
``govhall.api.errors`` re-exports it.

``problems`` lists every problem found (DomainError, request validation); it is empty for errors
with a single cause, which the top-level fields describe.

A lost database connection answers 503 ``service.database_unavailable`` with ``Retry-After``: the
request may have completed, so the caller retries it with the same Idempotency-Key (core/outage.py
answers the same when the connection is lost outside the view, e.g. while saving the session).
"""

from __future__ import annotations

from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from govhall.core.errors import Conflict, DomainError, NotFound, Problem
from govhall.core.outage import RETRY_AFTER_SECONDS, problem_body


def error_body(code: str, message_zh: str, message_en: str, field: str = "",
               problems: list[dict] | None = None) -> dict:
    return {"error": {"code": code, "message_zh": message_zh, "message_en": message_en, "field": field,
                      "problems": problems or []}}


def error_response(status: int, code: str, message_zh: str, message_en: str, field: str = "",
                   problems: list[dict] | None = None) -> JsonResponse:
    """An error in the documented shape, as UTF-8 JSON (Chinese as characters, not \\u escapes)."""
    return JsonResponse(error_body(code, message_zh, message_en, field, problems), status=status,
                        json_dumps_params={"ensure_ascii": False})


# The error of a bare status (no handler said more): code and wording.
STATUS_ERRORS = {
    400: ("request.bad", "请求无效", "bad request"),
    401: ("auth.required", "请先登录", "authentication required"),
    403: ("auth.forbidden", "无权访问", "permission denied"),
    404: ("not_found", "未找到请求的资源", "not found"),
    405: ("request.method_not_allowed", "不支持该请求方法", "method not allowed"),
    413: ("request.too_large", "请求内容过大", "request too large"),
    429: ("request.too_many", "请求过于频繁，请稍后再试", "too many requests; try again later"),
    500: ("server.error", "服务器内部错误，请稍后再试", "internal server error; try again later"),
}


def status_error(status: int) -> tuple[str, str, str]:
    """``(code, message_zh, message_en)`` for a bare HTTP status."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    try:
        phrase = HTTPStatus(status).phrase.lower()
    except ValueError:
        phrase = "error"
    return f"http.{status}", "请求失败", phrase


def _field_of(loc) -> str:
    # ninja prefixes the location with the parameter source ("query", "path", "body").
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"query", "path", "body", "header", "cookie", "form", "file"}:
        # a JSON body is one parameter: drop its name too ("body.payload.status" → "status")
        parts = parts[2:] if parts[0] == "body" and len(parts) > 2 else parts[1:]
    return ".".join(parts)


# Chinese wording of the pydantic error types a query string can produce.
_ZH = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "须大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "须小于{lt}",
    "enum": "取值无效，可选：{expected}",
    "literal_error": "取值无效，可选：{expected}",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "string_too_long": "不能超过{max_length}个字符",
    "missing": "必须填写",
}


def validation_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors:
        field = _field_of(err.get("loc", ()))
        message = err.get("msg", "invalid value")
        try:
            zh = _ZH[err.get("type", "")].format(**(err.get("ctx") or {}))
        except (KeyError, IndexError):
            zh = "取值无效"
        problems.append(Problem("request.invalid", f"参数 {field} {zh}", f"{field}: {message}", field))
    return problems


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status: int, body: dict):
        return api.create_response(request, body, status=status)

    @api.exception_handler(NotFound)
    def not_found(request, exc):
        return respond(request, 404, error_body("not_found", "未找到请求的资源", "not found"))

    @api.exception_handler(Http404)
    def http404(request, exc):
        return respond(request, 404, error_body("not_found", "未找到请求的资源", "not found"))

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        problems = exc.problems or [Problem("domain.error", "请求无法处理", "the request cannot be processed")]
        first = problems[0]
        return respond(request, 400, error_body(first.code, first.message_zh, first.message_en, first.field,
                                                [p.as_dict() for p in problems]))

    @api.exception_handler(Conflict)
    def conflict(request, exc: Conflict):
        first = exc.problems[0]
        return respond(request, 409, error_body(first.code, first.message_zh, first.message_en, first.field,
                                                [p.as_dict() for p in exc.problems]))

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        problems = validation_problems(exc)
        first = problems[0] if problems else Problem("request.invalid", "请求参数无效", "invalid request")
        return respond(request, 422, error_body("request.invalid", first.message_zh, first.message_en, first.field,
                                                [p.as_dict() for p in problems]))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, error_body("auth.required", "请先登录", "authentication required"))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        message = str(exc.message)
        if exc.status_code == 403 and "CSRF" in message:  # ninja's session auth on POST/PATCH/DELETE
            return respond(request, 403, error_body("http.403", "请求校验失败：CSRF 令牌缺失或无效",
                                                    "CSRF check failed: the token is missing or wrong"))
        _code, zh, _en = status_error(exc.status_code)
        return respond(request, exc.status_code, error_body(f"http.{exc.status_code}", zh, message))

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        response = respond(request, 503, problem_body())
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
