"""Structured API errors: moved to ``govhall.core.api_errors`` (shared with the protocol apps); re-exported here."""

from govhall.core.api_errors import (  # noqa: F401
    STATUS_ERRORS,
    error_body,
    error_response,
    install_error_handlers,
    status_error,
    validation_problems,
)
