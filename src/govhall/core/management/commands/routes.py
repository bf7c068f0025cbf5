"""The list of URL patterns GovHall answers, as checked into docs/public-urls.txt.

Public URLs are printed in QR codes, e-mails, SMS and third parties' code: they must not change by accident.
``govhall routes`` prints the list, ``--check`` compares it with the checked-in file, ``--write`` rewrites it
after a reviewed change.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import URLPattern, URLResolver, get_resolver

HEADER = (
    "# Every URL pattern GovHall answers, in resolution order: route<TAB>name (namespace:name).\n"
    "# Public URLs do not change (QR codes, e-mails, SMS, third parties). tests/core/test_public_urls.py\n"
    "# fails when this list differs from the URL conf; review the change, then: govhall routes --write\n"
)


def default_path() -> Path:
    return Path(settings.BASE_DIR).parent.parent / "docs" / "public-urls.txt"


def walk(patterns, prefix: str = "", namespace: str = ""):
    """(route, name) of every pattern, includes flattened, in the order the resolver tries them."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (namespace + p.name) if p.name else "-"


def current_list() -> str:
    lines = [f"/{route}\t{name}" for route, name in walk(get_resolver().url_patterns)]
    return HEADER + "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = ("Print every URL pattern with its name. --check: fail when docs/public-urls.txt differs; "
            "--write: rewrite docs/public-urls.txt (after reviewing the change: public URLs must not change).")

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="rewrite the checked-in list")
        group.add_argument("--check", action="store_true", help="fail when the checked-in list differs")
        parser.add_argument("--file", type=Path, default=None, help="the list (default docs/public-urls.txt)")

    def handle(self, *args, write: bool, check: bool, file: Path | None, **options):
        target = file or default_path()
        text = current_list()
        if write:
            target.write_text(text, encoding="utf-8")
            self.stdout.write(f"{target}: {text.count(chr(10)) - HEADER.count(chr(10))} URL patterns")
        elif check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                raise CommandError(f"URL 列表已变更 / the URL list differs from {target}: review, then "
                                   "govhall routes --write")
            self.stdout.write("URL 列表未变 / URL list unchanged")
        else:
            self.stdout.write(text, ending="")
