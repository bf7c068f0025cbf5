"""The application form (contact name, phone, address …) and the postal delivery address are stored
encrypted; existing rows are encrypted in place (reversible). See govhall.crypto.migration_ops."""

from django.db import migrations, models

from govhall.crypto.dbfields import EncryptedJSONField, EncryptedTextField
from govhall.crypto.migration_ops import encrypt_column


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
    ]

    operations = [
        *encrypt_column('cases', 'application', 'form_data', models.JSONField(blank=True, default=dict),
                        EncryptedJSONField(blank=True, default=dict, label='cases.application.form_data')),
        *encrypt_column('cases', 'delivery', 'address', models.TextField(blank=True),
                        EncryptedTextField(blank=True, help_text='postal address', label='cases.delivery.address')),
    ]
