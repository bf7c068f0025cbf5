"""Personal identifiers are stored encrypted, found by blind index, and masked for display."""

import pytest

from govhall.crypto import fields


def test_a_sealed_identifier_opens_only_for_its_field(settings):
    sealed = fields.seal("11010519491231002X", "identity.person.id_number")
    assert b"11010519491231002X" not in sealed.ciphertext
    assert fields.open_(sealed.ciphertext, sealed.key_version, "identity.person.id_number") == "11010519491231002X"
    with pytest.raises(fields.DecryptionFailed):
        fields.open_(sealed.ciphertext, sealed.key_version, "identity.person.phone")


def test_an_altered_ciphertext_is_refused():
    sealed = fields.seal("13800000000", "identity.person.phone")
    tampered = bytearray(sealed.ciphertext)
    tampered[15] ^= 1
    with pytest.raises(fields.DecryptionFailed):
        fields.open_(bytes(tampered), sealed.key_version, "identity.person.phone")


def test_encryption_is_randomised_but_the_blind_index_is_stable_and_normalised():
    a, b = fields.seal("11010519491231002x", "f"), fields.seal(" 11010519491231002X ", "f")
    assert a.ciphertext != b.ciphertext
    assert a.blind_index == b.blind_index == fields.blind_index("11010519491231002X", "f")
    assert fields.blind_index("11010519491231002X", "other") != a.blind_index


def test_rotation_new_version_for_new_rows_old_rows_still_open(settings):
    old = fields.seal("340000", "f")
    settings.GOVHALL_FIELD_KEY_VERSION = 2
    new = fields.seal("340000", "f")
    assert (old.key_version, new.key_version) == (1, 2)
    assert fields.open_(old.ciphertext, 1, "f") == fields.open_(new.ciphertext, 2, "f") == "340000"
    assert old.blind_index == new.blind_index
    with pytest.raises(fields.DecryptionFailed):
        fields.open_(old.ciphertext, 2, "f")


@pytest.mark.parametrize(("value", "masked"), [("34150219900101123X", "3415**********123X"),
                                               ("13800001234", "1380***1234"), ("abc", "a**")])
def test_masking(value, masked):
    assert fields.mask_identifier(value) == masked


def test_a_sealed_blob_carries_its_key_version_and_opens_after_rotation(settings):
    old = fields.seal_bytes("六安市金安区梅山南路 1 号".encode(), "cases.application.form_data")
    settings.GOVHALL_FIELD_KEY_VERSION = 2
    new = fields.seal_bytes("六安市金安区梅山南路 1 号".encode(), "cases.application.form_data")
    assert (old[:2], new[:2]) == (b"\x00\x01", b"\x00\x02")
    assert "梅山南路".encode() not in old
    assert fields.open_bytes(old, "cases.application.form_data") == fields.open_bytes(
        new, "cases.application.form_data") == "六安市金安区梅山南路 1 号".encode()
    for wrong in (old[:10], old[:-1] + bytes([old[-1] ^ 1])):
        with pytest.raises(fields.DecryptionFailed):
            fields.open_bytes(wrong, "cases.application.form_data")
    with pytest.raises(fields.DecryptionFailed):
        fields.open_bytes(old, "sharing.datarecord.data")
