"""The SMS simulator's outbox keeps phone numbers and texts encrypted; existing rows are encrypted in
place (reversible). See govhall.crypto.migration_ops."""

from django.db import migrations, models

from govhall.crypto.dbfields import EncryptedTextField
from govhall.crypto.migration_ops import encrypt_column


class Migration(migrations.Migration):

    dependencies = [
        ('login', '0001_initial'),
    ]

    operations = [
        *encrypt_column('login', 'smsmessage', 'phone', models.CharField(max_length=30),
                        EncryptedTextField(label='login.smsmessage.phone')),
        *encrypt_column('login', 'smsmessage', 'text', models.TextField(),
                        EncryptedTextField(label='login.smsmessage.text')),
    ]
