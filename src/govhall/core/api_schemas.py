"""The API error schemas every API shares (``{"error": {...}}``) and the bounds of integer parameters;
``govhall.api.schemas`` re-exports them."""

from ninja import Schema

# Bounds of integer parameters: every integer the API reads is bounded, so none can overflow a
# database column (a 64-bit id, a page offset); out of bounds answers 422 request.invalid.
BIGINT_MAX = 2**63 - 1
MAX_PAGE = 100_000


class ProblemOut(Schema):
    code: str
    message_zh: str
    message_en: str
    field: str = ""


class ErrorDetail(ProblemOut):
    problems: list[ProblemOut] = []


class ErrorOut(Schema):
    error: ErrorDetail
