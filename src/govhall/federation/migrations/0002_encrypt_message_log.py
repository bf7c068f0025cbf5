"""The message log's signed bytes and raw bodies (subject keys, shared records) are stored encrypted;
existing rows are encrypted in place (reversible). See govhall.crypto.migration_ops."""

from django.db import migrations, models

from govhall.crypto.dbfields import EncryptedBinaryField
from govhall.crypto.migration_ops import encrypt_column


class Migration(migrations.Migration):

    dependencies = [
        ('federation', '0001_initial'),
    ]

    operations = [
        *encrypt_column('federation', 'messagelog', 'signed_bytes', models.BinaryField(blank=True, null=True),
                        EncryptedBinaryField(blank=True, null=True, label='federation.messagelog.signed_bytes')),
        *encrypt_column('federation', 'messagelog', 'raw', models.BinaryField(blank=True, null=True),
                        EncryptedBinaryField(blank=True, null=True, label='federation.messagelog.raw')),
    ]
