"""The OpenAPI document of /api/v1/, as checked into docs/openapi.json.

Third parties build on the API: a change to the document must be reviewed. ``govhall openapi`` prints it,
``--check`` compares it with the checked-in file, ``--write`` rewrites it after a reviewed change.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def default_path() -> Path:
    return Path(settings.BASE_DIR).parent.parent / "docs" / "openapi.json"


def current_document() -> str:
    """The document as /api/v1/openapi.json serves it, as stable text (UTF-8, indented, final newline)."""
    from govhall.api.v1 import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = ("Print the OpenAPI document of /api/v1/. --check: fail when docs/openapi.json differs; --write: "
            "rewrite docs/openapi.json (after reviewing the change: third parties build on the API).")

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="rewrite the checked-in document")
        group.add_argument("--check", action="store_true", help="fail when the checked-in document differs")
        parser.add_argument("--file", type=Path, default=None, help="the document (default docs/openapi.json)")

    def handle(self, *args, write: bool, check: bool, file: Path | None, **options):
        target = file or default_path()
        text = current_document()
        if write:
            target.write_text(text, encoding="utf-8")
            self.stdout.write(f"{target}: {len(json.loads(text)['paths'])} paths")
        elif check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                raise CommandError(f"OpenAPI 文档已变更 / the OpenAPI document differs from {target}: review, "
                                   "then govhall openapi --write")
            self.stdout.write("OpenAPI 文档未变 / OpenAPI document unchanged")
        else:
            self.stdout.write(text, ending="")
