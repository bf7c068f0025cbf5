"""Third parties build on the API: its OpenAPI document must match the reviewed one in docs/openapi.json."""

import difflib
import json

from govhall.api.management.commands.openapi import current_document, default_path


def test_the_openapi_document_is_the_reviewed_one():
    expected = default_path().read_text(encoding="utf-8")
    actual = current_document()
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "docs/openapi.json", "/api/v1/openapi.json", n=2))
        raise AssertionError(
            "The OpenAPI document differs from docs/openapi.json. Third parties build on the API: review the "
            "change (additive only in v1), then regenerate with `govhall openapi --write`.\n" + diff[:20000])


def test_the_checked_in_document_is_what_the_api_serves(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(default_path().read_text(encoding="utf-8"))
