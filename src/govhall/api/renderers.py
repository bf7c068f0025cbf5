"""The UTF-8 JSON renderer: moved to ``govhall.core.api_renderers`` (shared with the protocol apps); re-exported here."""

from govhall.core.api_renderers import (  # noqa: F401
    Utf8JSONRenderer,
)
