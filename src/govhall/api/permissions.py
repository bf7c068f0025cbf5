"""Deny by default for ninja operations: moved to ``govhall.core.api_permissions`` (shared with the protocol apps); re-exported here."""

from govhall.core.api_permissions import (  # noqa: F401
    ATTRIBUTE,
    DOCS_PERMISSION,
    NINJA_OWN_URL_NAMES,
    operation_permissions,
    permission,
    permitted_urls,
)
