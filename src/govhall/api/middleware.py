"""Every answer under ``/api/`` is JSON: errors in the documented shape, whatever produced them.

The API's own handlers (errors.py) answer domain errors, validation and authentication. What happens
around them still answers JSON here: a method the operation does not have (405 from ninja), an
unknown URL, a CSRF refusal, a request too large, a server error (Django logs it first and renders
its HTML page, which is replaced). Pages outside ``/api/`` are left alone.

Input hygiene at the same edge: a NUL character in the path, the query string or a JSON body is
refused with 422 ``request.invalid`` before any view runs. No legitimate value contains one, and
PostgreSQL text cannot store it (the database would answer with an error mid-request).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig

from .errors import error_response, status_error

PREFIX = "/api/"
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # \u0000 in JSON text, not an escaped backslash
KEEP_HEADERS_EXCEPT = {"content-type", "content-length", "content-disposition", "content-encoding"}


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if any("\x00" in str(value) for name, value in request.META.items() if name.startswith("HTTP_")):
        return True
    if request.content_type == "application/json":
        body = request.body
        return b"\x00" in body or bool(_NUL_ESCAPE.search(body))
    return False


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        try:
            refused = _has_nul(request)
        except RequestDataTooBig:
            code, zh, en = status_error(413)
            return error_response(413, code, zh, en)
        if refused:
            return error_response(422, "request.invalid", "请求含有不允许的字符（NUL）",
                                  "the request contains a NUL character")
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        code, zh, en = status_error(response.status_code)
        replaced = error_response(response.status_code, code, zh, en)
        for name, value in response.items():
            if name.lower() not in KEEP_HEADERS_EXCEPT:
                replaced[name] = value
        return replaced
