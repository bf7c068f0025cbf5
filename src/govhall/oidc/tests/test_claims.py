"""Claims by scope; the identity context is authoritative, with a fallback while it is missing."""

import sys

import pytest

from govhall.oidc import claims

pytestmark = pytest.mark.django_db


def test_without_the_identity_context_an_account_is_level_2_with_its_display_name(resident, monkeypatch):
    monkeypatch.setitem(sys.modules, "govhall.identity.selectors", None)  # import raises ImportError
    assert claims.trust_level(resident) == 2
    assert claims.user_claims(resident, "openid profile id_masked") == {
        "sub": str(resident.pk), "trust_level": 2, "name": "张三"}


def test_identity_context_provides_real_name_level_and_masked_numbers(resident, monkeypatch):
    from govhall.identity import selectors

    def oidc_claims(user, scopes):
        out = {"trust_level": 4}
        if "profile" in scopes:
            out["name"] = "张三丰"
        if "id_masked" in scopes:
            out.update(id_type="resident_id", id_number_masked="3415**********002X", sub="forged")
        return out

    monkeypatch.setattr(selectors, "oidc_claims", oidc_claims)
    assert claims.user_claims(resident, "openid") == {"sub": str(resident.pk), "trust_level": 4}
    assert claims.user_claims(resident, "openid profile") == {"sub": str(resident.pk), "trust_level": 4,
                                                              "name": "张三丰"}
    assert claims.user_claims(resident, "openid id_masked") == {
        "sub": str(resident.pk), "trust_level": 4, "id_type": "resident_id",
        "id_number_masked": "3415**********002X"}
