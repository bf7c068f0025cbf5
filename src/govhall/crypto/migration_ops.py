"""Migration operations that move a plain column into an encrypted one (``crypto.dbfields``), rows
included, and back.

``encrypt_column(app_label, model_name, name, plain, encrypted)`` returns six operations:

1. add ``<name>_sealed`` (the encrypted field, nullable for now);
2. let the plain column be NULL (so that, reversed, it can come back before it is filled);
3. copy every row: read the plain value, write its ciphertext (``executemany``, in batches: a
   million dataset records take minutes, not hours); reversed, decrypt back into the plain column;
4. remove the plain column (reversed: add it again, nullable, filled by step 3's reverse and made
   NOT NULL again by step 2's reverse);
5. rename ``<name>_sealed`` to ``<name>``;
6. make it what the model says (not nullable, its default).

The associated data of the ciphertext is the field's fixed ``label``, so the rename in step 5 does
not matter. Every step is reversible; a failure in step 3 rolls the migration back where the database
has transactional DDL, and in any case the plain column is removed only after every row has its
ciphertext.
"""

from __future__ import annotations

import copy

from django.db import migrations
from django.db.models import NOT_PROVIDED

BATCH = 2000


def _settle(schema_editor) -> None:
    """PostgreSQL queues the (deferred) foreign-key checks of updated rows until commit and then
    refuses to ALTER the table in the same transaction: run them now."""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _seal_rows(app_label: str, model_name: str, plain: str, sealed: str):
    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(sealed)
        qn = schema_editor.quote_name
        sql = (f"UPDATE {qn(model._meta.db_table)} SET {qn(field.column)} = %s "  # noqa: S608 (names quoted)
               f"WHERE {qn(model._meta.pk.column)} = %s")
        rows = model._base_manager.order_by().values_list("pk", plain)
        batch = []
        with schema_editor.connection.cursor() as cursor:
            for pk, value in rows.iterator(chunk_size=BATCH):
                if value is None:  # stays NULL; step 5 gives it the field's default
                    continue
                batch.append((field.encrypt(value), pk))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        _settle(schema_editor)
    return run


def _open_rows(app_label: str, model_name: str, sealed: str, plain: str):
    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        manager = model._base_manager
        for pk, value in manager.order_by().values_list("pk", sealed).iterator(chunk_size=BATCH):
            manager.filter(pk=pk).update(**{plain: value})
        _settle(schema_editor)
    return run


def encrypt_column(app_label: str, model_name: str, name: str, plain, encrypted) -> list:
    """The operations replacing the plain field ``name`` (defined as ``plain``) by ``encrypted`` (a
    crypto.dbfields field)."""
    temporary = copy.deepcopy(encrypted)
    temporary.null, temporary.default = True, NOT_PROVIDED  # filled by the copy, not by a default
    nullable = copy.deepcopy(plain)
    nullable.null = True
    sealed = f"{name}_sealed"
    return [
        migrations.AddField(model_name, sealed, temporary),
        migrations.AlterField(model_name, name, nullable),
        migrations.RunPython(_seal_rows(app_label, model_name, name, sealed),
                             _open_rows(app_label, model_name, sealed, name), elidable=False),
        migrations.RemoveField(model_name, name),
        migrations.RenameField(model_name, sealed, name),
        migrations.AlterField(model_name, name, encrypted),
    ]
