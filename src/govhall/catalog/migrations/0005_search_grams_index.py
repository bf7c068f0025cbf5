"""Rebuild the SQLite FTS5 table with the bigram column; add the PostgreSQL bigram tsvector."""

from django.db import migrations

from govhall.catalog.search import bigrams


def forwards(apps, schema_editor):
    SearchEntry = apps.get_model("catalog", "SearchEntry")
    for entry in SearchEntry.objects.all().only("pk", "name"):
        SearchEntry.objects.filter(pk=entry.pk).update(name_grams=" ".join(bigrams(entry.name)))
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_search_fts")
        schema_editor.execute("CREATE VIRTUAL TABLE catalog_search_fts USING "
                              "fts5(name, body, grams, tokenize='unicode61 remove_diacritics 0')")
        schema_editor.execute("INSERT INTO catalog_search_fts(rowid, name, body, grams) "
                              "SELECT id, name_tokens, body_tokens, name_grams FROM catalog_searchentry")
    elif vendor == "postgresql":
        schema_editor.execute("""ALTER TABLE catalog_searchentry ADD COLUMN grams_document tsvector
                                 GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, name_grams)) STORED""")
        schema_editor.execute("CREATE INDEX catalog_searchentry_grams_gin ON catalog_searchentry "
                              "USING gin (grams_document)")
        schema_editor.execute("DROP INDEX IF EXISTS catalog_searchentry_name_trgm")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_search_fts")
        schema_editor.execute("CREATE VIRTUAL TABLE catalog_search_fts USING "
                              "fts5(name, body, tokenize='unicode61 remove_diacritics 0')")
        schema_editor.execute("INSERT INTO catalog_search_fts(rowid, name, body) "
                              "SELECT id, name_tokens, body_tokens FROM catalog_searchentry")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS grams_document")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_name_grams")]
    operations = [migrations.RunPython(forwards, backwards)]
