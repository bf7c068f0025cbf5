"""Vendor-specific full-text index for SearchEntry (see catalog/search.py)."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE catalog_search_fts USING fts5(name, body, tokenize='unicode61 remove_diacritics 0')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS catalog_search_fts"]
PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE catalog_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
           setweight(to_tsvector('simple'::regconfig, coalesce(name_tokens, '')), 'A') ||
           setweight(to_tsvector('simple'::regconfig, coalesce(body_tokens, '')), 'D')) STORED""",
    "CREATE INDEX catalog_searchentry_document_gin ON catalog_searchentry USING gin (document)",
    "CREATE INDEX catalog_searchentry_name_trgm ON catalog_searchentry USING gin (name gin_trgm_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS catalog_searchentry_name_trgm",
    "DROP INDEX IF EXISTS catalog_searchentry_document_gin",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]
    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
                             _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN})),
    ]
