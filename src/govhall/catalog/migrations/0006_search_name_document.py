"""PostgreSQL: a name-only tsvector with its own GIN index, so that the name tier is an exact index
lookup instead of a weight-filtered scan of every matching row."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("""ALTER TABLE catalog_searchentry ADD COLUMN name_document tsvector
                                 GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, name_tokens)) STORED""")
        schema_editor.execute("CREATE INDEX catalog_searchentry_name_gin ON catalog_searchentry "
                              "USING gin (name_document)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS name_document")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_search_grams_index")]
    operations = [migrations.RunPython(forwards, backwards)]
