"""Public URLs do not change by accident: the URL conf must match the reviewed list in docs/public-urls.txt."""

import difflib

from django.urls import path

from govhall.core.management.commands.routes import current_list, default_path, walk


def test_the_url_patterns_are_the_reviewed_list():
    expected = default_path().read_text(encoding="utf-8")
    actual = current_list()
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "docs/public-urls.txt", "URL conf"))
        raise AssertionError(
            "The URL patterns differ from docs/public-urls.txt. Public URLs are printed in QR codes, e-mails "
            "and SMS: review the change, then regenerate the list with `govhall routes --write`.\n" + diff)


def test_the_list_names_namespaced_patterns_and_public_pages():
    listed = default_path().read_text(encoding="utf-8")
    assert "/api/v1/openapi.json\tapi:v1:openapi-json" in listed
    assert "\n/\t" in listed  # the home page


def test_the_walk_sees_routes_and_names():
    def view(request):
        return None

    assert list(walk([path("a/<int:pk>/", view, name="x"), path("b/", view)])) == [("a/<int:pk>/", "x"),
                                                                                  ("b/", "-")]
