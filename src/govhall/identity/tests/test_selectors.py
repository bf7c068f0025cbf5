"""Trust level and OIDC claims: masked identifiers only."""

from govhall.identity import selectors


def test_trust_level_comes_from_the_person_and_staff_have_none(applicant_person, catalog_admin, applicant):
    assert selectors.trust_level(applicant_person.user) == 3
    assert selectors.trust_level(catalog_admin) == 0


def test_oidc_claims_follow_the_scopes_and_never_reveal_identifiers(applicant_person):
    user = applicant_person.user
    assert selectors.oidc_claims(user, set()) == {"trust_level": 3}
    claims = selectors.oidc_claims(user, {"openid", "profile", "id_masked", "phone"})
    assert claims == {"trust_level": 3, "name": "张三", "id_type": "resident_id",
                      "id_number_masked": "3415**********1235", "phone_number_masked": "139****0001"}


def test_oidc_claims_of_a_staff_account(catalog_admin):
    assert selectors.oidc_claims(catalog_admin, {"profile", "id_masked"}) == {"trust_level": 0,
                                                                            "name": "catalog_admin"}


def test_find_person_needs_number_and_name(applicant_person):
    assert selectors.find_person(id_type="resident_id", id_number="341502199003071235", name="张三") == applicant_person
    assert selectors.find_person(id_type="resident_id", id_number="341502199003071235", name="张山") is None
    assert selectors.find_person(id_type="passport_cn", id_number="341502199003071235", name="张三") is None
