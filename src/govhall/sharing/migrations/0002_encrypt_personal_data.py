"""Dataset records, the copies fetched for applications and the values of discrepancies (names,
birth dates, addresses …) are stored encrypted; existing rows are encrypted in place (reversible).
Records are still found by their subject's blind index. See govhall.crypto.migration_ops."""

from django.db import migrations, models

from govhall.crypto.dbfields import EncryptedJSONField, EncryptedTextField
from govhall.crypto.migration_ops import encrypt_column


class Migration(migrations.Migration):

    dependencies = [
        ('sharing', '0001_initial'),
    ]

    operations = [
        *encrypt_column('sharing', 'datarecord', 'data', models.JSONField(default=dict),
                        EncryptedJSONField(default=dict, label='sharing.datarecord.data')),
        *encrypt_column('sharing', 'materialfetch', 'record', models.JSONField(blank=True, default=dict),
                        EncryptedJSONField(blank=True, default=dict, help_text='the fetched data, as shown to the '
                                           'applicant', label='sharing.materialfetch.record')),
        *encrypt_column('sharing', 'discrepancy', 'shared_value', models.TextField(blank=True),
                        EncryptedTextField(blank=True, label='sharing.discrepancy.shared_value')),
        *encrypt_column('sharing', 'discrepancy', 'submitted_value', models.TextField(blank=True),
                        EncryptedTextField(blank=True, label='sharing.discrepancy.submitted_value')),
    ]
