"""Model fields whose column holds only SM4-GCM ciphertext: personal data typed into forms, shared
records, SMS texts, messages exchanged with other nodes.

The model sees plain values (a dict for ``EncryptedJSONField``, a str for ``EncryptedTextField``,
bytes for ``EncryptedBinaryField``);
the database column (binary) holds ``fields.seal_bytes(value, label)``: key version, nonce,
ciphertext, tag. ``label`` is the associated data: fixed per field (``"<app>.<model>.<field>"``) and
written into the migrations, so renaming a field or a column never changes it, and a ciphertext
copied into another column does not open.

Nothing can be searched inside these columns: every lookup but ``isnull`` is refused (a ``FieldError``
at query-building time rather than a query that silently matches nothing). Rows are found by other
columns, such as a keyed blind index (``fields.blind_index``) stored beside the ciphertext.
Writers that bypass the ORM (bulk loaders) call ``field.encrypt(value)`` to get the column's bytes.
"""

from __future__ import annotations

import base64
import json

from django.db import models

from .fields import open_bytes, seal_bytes


class EncryptedField(models.Field):
    """Base class: ``encode`` a value to bytes, ``decode`` bytes to the value."""

    def __init__(self, *args, label: str, **kwargs):
        if not label:
            raise ValueError("an encrypted field needs its label (the associated data), e.g. 'app.model.field'")
        self.label = label
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["label"] = self.label
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None

    def encode(self, value) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes):
        raise NotImplementedError

    def encrypt(self, value) -> bytes:
        """The column's bytes for ``value`` (a fresh nonce each time)."""
        return seal_bytes(self.encode(value), self.label)

    def decrypt(self, blob: bytes):
        return self.decode(open_bytes(blob, self.label))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return connection.Database.Binary(self.encrypt(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.decrypt(value)

    def value_to_string(self, obj) -> str:
        return self.to_string(self.value_from_object(obj))

    def to_string(self, value) -> str:
        raise NotImplementedError


class EncryptedTextField(EncryptedField):
    description = "text, stored encrypted (SM4-GCM)"

    def encode(self, value) -> bytes:
        return str(value).encode()

    def decode(self, data: bytes) -> str:
        return data.decode()

    def to_python(self, value):
        return value if value is None or isinstance(value, str) else str(value)

    def to_string(self, value) -> str:
        return "" if value is None else str(value)


class EncryptedJSONField(EncryptedField):
    """A JSON object or list (compact UTF-8 JSON inside the ciphertext)."""

    description = "JSON, stored encrypted (SM4-GCM)"
    empty_strings_allowed = False

    def encode(self, value) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, data: bytes):
        return json.loads(data)

    def to_python(self, value):
        """Serialised rows (fixtures, ``dumpdata``) carry the value as a JSON string."""
        return json.loads(value) if isinstance(value, str) else value

    def to_string(self, value) -> str:
        return json.dumps(value, ensure_ascii=False)


class EncryptedBinaryField(EncryptedField):
    """Bytes (e.g. a signed message kept as evidence: its signature still verifies on the bytes)."""

    description = "bytes, stored encrypted (SM4-GCM)"
    empty_strings_allowed = False

    def encode(self, value) -> bytes:
        return bytes(value)

    def decode(self, data: bytes) -> bytes:
        return bytes(data)

    def to_python(self, value):
        """Serialised rows carry bytes in base64, as Django's BinaryField."""
        return base64.b64decode(value) if isinstance(value, str) else value

    def to_string(self, value) -> str:
        return "" if value is None else base64.b64encode(bytes(value)).decode()
