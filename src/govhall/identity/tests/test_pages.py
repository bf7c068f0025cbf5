"""Account pages: registration, my account, companies and agents; others' mandates answer 404."""

import datetime as dt

import pytest
from django.urls import reverse

from govhall.core.permissions import AUTHENTICATED, PUBLIC
from govhall.identity import services
from govhall.identity.models import AgentMandate, LegalPerson, Person
from govhall.portal import identity_urls as urls

FORM = {"username": "wang5", "password": "Tea-Garden-2026", "password_again": "Tea-Garden-2026", "name": "王五",
        "id_type": "resident_id", "id_number": "341502198511115551", "phone": "13955600003", "email": ""}


def test_every_account_url_declares_its_permission():
    declared = {p.name: p.callback.govhall_permission for p in urls.urlpatterns}
    assert declared == {"account": AUTHENTICATED, "register": PUBLIC, "register_company": AUTHENTICATED,
                        "agents": AUTHENTICATED, "agent_revoke": AUTHENTICATED}


@pytest.mark.parametrize("name", ["account", "register_company", "agents"])
def test_account_pages_send_anonymous_visitors_to_login(client, db, name):
    response = client.get(reverse(f"identity:{name}"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_registration_through_the_page_logs_the_new_user_in(client, db):
    page = client.get(reverse("identity:register"))
    assert page.status_code == 200
    assert 'for="id_id_number"' in page.content.decode()
    response = client.post(reverse("identity:register"), FORM)
    assert response.status_code == 302 and response["Location"] == reverse("identity:account")
    account = client.get(reverse("identity:account")).content.decode()
    assert "3415**********5551" in account and "341502198511115551" not in account
    assert "139****0003" in account


def test_a_failed_registration_lists_every_problem_in_the_readers_language(client, db):
    response = client.post(reverse("identity:register"),
                           {**FORM, "id_number": "341502198511115552", "password": "12345678",
                            "password_again": "12345678"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="id_number"' in html and 'data-field="password"' in html
    assert "证件号码无效" in html and "the document number check character should be 1" not in html  # one language
    assert not Person.objects.exists()


def test_mismatched_passwords_are_a_form_error(client, db):
    response = client.post(reverse("identity:register"), {**FORM, "password_again": "Other-Garden-2026"})
    assert response.status_code == 400 and not Person.objects.exists()


def test_my_account_shows_the_masked_id_and_verifies_against_the_register(client, applicant):
    person = services.person_create(actor=None, user=applicant, name="张三", id_type="resident_id",
                                    id_number="341502199003071235", phone="13955600001")
    client.force_login(applicant)
    html = client.get(reverse("identity:account")).content.decode()
    assert "3415**********1235" in html and "341502199003071235" not in html
    assert 'value="verify_register"' in html
    response = client.post(reverse("identity:account"), {"action": "verify_register"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.trust_level == 3


def test_a_register_mismatch_is_shown_on_my_account(client, applicant):
    services.person_create(actor=None, user=applicant, name="张山", id_type="resident_id",
                           id_number="341502199003071235", phone="13955600001")
    client.force_login(applicant)
    response = client.post(reverse("identity:account"), {"action": "verify_register"})
    assert response.status_code == 400
    assert "person.register_mismatch" in response.content.decode()


def test_a_staff_account_has_no_real_name_identity(client, catalog_admin):
    client.force_login(catalog_admin)
    response = client.get(reverse("identity:account"))
    assert response.status_code == 200 and response.context["person"] is None


def test_the_legal_representative_registers_a_company_through_the_page(client, applicant_person):
    client.force_login(applicant_person.user)
    response = client.post(reverse("identity:register_company"),
                           {"name": "六安皖西茶业有限公司", "credit_code": "91341502MA2TEA019F"})
    assert response.status_code == 302
    assert LegalPerson.objects.get().legal_representative == applicant_person


def test_grant_and_revoke_through_the_agents_page(client, company):
    li = services.person_register(username="li_na", password="Tea-Garden-2026", name="李娜", id_type="resident_id",
                                  id_number="341503199205202420", phone="13955600002")
    services.person_verify_register(actor=li.user, person=li)
    client.force_login(company.legal_representative.user)
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(reverse("identity:agents"), {
        "legal_person": company.pk, "agent_name": "李娜", "agent_id_type": "resident_id",
        "agent_id_number": "341503199205202420", "scope": "all", "item_codes": "", "valid_until": until})
    assert response.status_code == 302
    mandate = AgentMandate.objects.get()
    page = client.get(reverse("identity:agents")).content.decode()
    assert "3415**********2420" in page and "341503199205202420" not in page
    response = client.post(reverse("identity:agent_revoke", args=[mandate.pk]), {"reason": "已离职"})
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None


def test_a_bad_grant_is_listed_on_the_page(client, company):
    client.force_login(company.legal_representative.user)
    response = client.post(reverse("identity:agents"), {
        "legal_person": company.pk, "agent_name": "无名", "agent_id_type": "resident_id",
        "agent_id_number": "341503199205202420", "scope": "items", "item_codes": "",
        "valid_until": "2000-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "agent.not_found" in html and "agent.scope" in html and "agent.expires_past" in html


def test_the_agent_sees_the_authority_held(client, enterprise_agent, company):
    client.force_login(enterprise_agent)
    response = client.get(reverse("identity:agents"))
    assert [m.legal_person for m in response.context["held"]] == [company]
    assert response.context["granted"] == []


def test_nobody_else_can_see_or_revoke_a_mandate(client, enterprise_agent, company):
    mandate = AgentMandate.objects.get()
    url = reverse("identity:agent_revoke", args=[mandate.pk])
    other = services.person_register(username="wang5", password="Tea-Garden-2026", name="王五",
                                     id_type="resident_id", id_number="341502198511115551", phone="13955600003")
    for user in (enterprise_agent, other.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "恶意撤销"}).status_code == 404
    assert client.get(reverse("identity:agent_revoke", args=[mandate.pk + 100])).status_code == 404
    mandate.refresh_from_db()
    assert mandate.revoked_at is None


def test_granting_for_someone_elses_company_is_refused(client, company):
    other = services.person_register(username="wang5", password="Tea-Garden-2026", name="王五",
                                     id_type="resident_id", id_number="341502198511115551", phone="13955600003")
    client.force_login(other.user)
    response = client.post(reverse("identity:agents"), {
        "legal_person": company.pk, "agent_name": "李娜", "agent_id_type": "resident_id",
        "agent_id_number": "341503199205202420", "scope": "all", "valid_until": "2099-01-01"})
    assert response.status_code in (400, 404)
    assert not AgentMandate.objects.exists()


def test_pages_render_in_english(client, applicant_person):
    client.cookies["django_language"] = "en"
    client.force_login(applicant_person.user)
    html = client.get(reverse("identity:account")).content.decode()
    assert "Trust level" in html


@pytest.mark.parametrize("credit_code", ["91341500MA2TEAO19F", "91341500MA2TEAI19F", "9134150OMA2TEA019F"])
def test_a_credit_code_with_letters_outside_gb_32100_is_a_form_error_not_a_server_error(client, applicant_person,
                                                                                       credit_code):
    client.force_login(applicant_person.user)
    response = client.post(reverse("identity:register_company"), {"name": "六安皖西茶业有限公司",
                                                                   "credit_code": credit_code})
    assert response.status_code == 400
    problems = [row["problem"] for row in response.context["problems"]]
    assert [(p.code, p.field) for p in problems] == [("legal_person.credit_code", "credit_code")]
    assert "GB 32100" in problems[0].message_en and not LegalPerson.objects.exists()


def test_a_credit_code_typed_in_full_width_is_the_same_code(client, applicant_person):
    client.force_login(applicant_person.user)
    url = reverse("identity:register_company")
    response = client.post(url, {"name": "六安皖西茶业有限公司", "credit_code": "９１３４１５０２ＭＡ２ＴＥＡ０１９ｆ"})
    assert response.status_code == 302
    assert LegalPerson.objects.get().credit_code == "91341502MA2TEA019F"
    again = client.post(url, {"name": "六安皖西茶业有限公司", "credit_code": "91341502MA2TEA019F"})
    assert again.status_code == 400 and LegalPerson.objects.count() == 1
