"""Public verification pages (Chinese by default, never "valid" for anything unproven) and the
holder's wallet (404 for other people's licences)."""

import re

import pytest
from django.urls import reverse

from govhall.licenses import services
from govhall.licenses.models import ShareLink


def verdict(response) -> tuple[str, str]:
    html = response.content.decode()
    match = re.search(r'data-reason="([a-z_]+)" data-valid="(true|false)"', html)
    assert match, html[:2000]
    return match.group(1), match.group(2)


def test_the_verify_page_is_chinese_by_default_and_answers_valid(client, person_licence):
    response = client.get(reverse("licenses:verify"), {"identifier": person_licence.identifier})
    html = response.content.decode()
    assert response.status_code == 200 and 'lang="zh-CN"' in html
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert verdict(response) == ("valid", "true")
    # the private field (score 92) is neither labelled nor shown; "92" alone could be inside the CSRF token
    assert "证照真实有效" in html and "餐饮服务" in html and "考核分数" not in html and ">92<" not in html
    assert 'name="viewport"' in html


def test_the_verify_page_without_an_identifier_shows_the_form(client, db):
    response = client.get(reverse("licenses:verify"))
    assert response.status_code == 200 and "电子证照核验" in response.content.decode()
    assert "data-reason" not in response.content.decode()


@pytest.mark.parametrize("mutate,reason", [
    (lambda i: i[:-1] + ("A" if i[-1] != "A" else "B"), "check_character"),
    (lambda i: "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U", "unknown"),
    (lambda i: "1.2.3", "malformed"),
])
def test_the_verify_page_never_says_valid_for_what_is_not_proven(client, person_licence, mutate, reason):
    response = client.get(reverse("licenses:verify"), {"identifier": mutate(person_licence.identifier)})
    assert verdict(response) == (reason, "false")
    html = response.content.decode()
    assert "核验未通过" in html and "证照真实有效" not in html


def test_revoked_shows_at_once_on_the_page(client, person_licence):
    services.licence_revoke(actor=None, licence=person_licence, reason="注销")
    response = client.get(reverse("licenses:verify"), {"identifier": person_licence.identifier})
    assert verdict(response) == ("revoked", "false")
    assert "已注销" in response.content.decode()


def test_the_page_speaks_english_on_request(client, person_licence):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("licenses:verify"), {"identifier": person_licence.identifier},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert "Authentic and valid" in response.content.decode()


def test_the_share_link_page_shows_only_the_chosen_fields_and_sends_no_referrer(client, person_licence):
    link = services.share_link_create(actor=person_licence.holder_user, licence=person_licence,
                                      fields=["address"], hours=1)
    response = client.get(reverse("licenses:token", kwargs={"token": link.token}))
    html = response.content.decode()
    assert response.status_code == 200 and verdict(response) == ("valid", "true")
    assert "六安市金安区梅山路1号" in html and "餐饮服务" not in html
    assert response["Referrer-Policy"] == "no-referrer"
    services.share_link_revoke(actor=person_licence.holder_user, link=link)
    response = client.get(reverse("licenses:token", kwargs={"token": link.token}))
    assert response.status_code == 404 and verdict(response) == ("share_revoked", "false")
    assert "六安市金安区梅山路1号" not in response.content.decode()


def test_the_wallet_lists_the_holders_licences(client, fully_logged_in, person_licence, company_licence):
    fully_logged_in(client, person_licence.holder_user)
    response = client.get(reverse("licenses:wallet"))
    html = response.content.decode()
    assert response.status_code == 200
    assert person_licence.identifier in html and company_licence.identifier in html and "我的证照" in html


def test_the_wallet_needs_login(client, db):
    response = client.get(reverse("licenses:wallet"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_other_peoples_licences_answer_404(client, fully_logged_in, person_licence, stranger):
    fully_logged_in(client, stranger)
    assert client.get(reverse("licenses:wallet")).content.decode().count("licence-list") == 0
    detail = reverse("licenses:detail", kwargs={"identifier": person_licence.identifier})
    assert client.get(detail).status_code == 404
    share = reverse("licenses:share", kwargs={"identifier": person_licence.identifier})
    assert client.post(share, {"fields": ["score"], "hours": "24"}).status_code == 404
    assert not ShareLink.objects.exists()


def test_the_holder_creates_and_withdraws_a_share_link(client, fully_logged_in, person_licence):
    fully_logged_in(client, person_licence.holder_user)
    detail = reverse("licenses:detail", kwargs={"identifier": person_licence.identifier})
    response = client.get(detail)
    assert response.status_code == 200 and "3415**********1235" in response.content.decode()
    share = reverse("licenses:share", kwargs={"identifier": person_licence.identifier})
    response = client.post(share, {"fields": ["category", "score"], "hours": "24"})
    assert response.status_code == 302 and response["Location"] == detail
    link = ShareLink.objects.get()
    assert link.fields == ["category", "score"]
    html = client.get(detail).content.decode()
    assert reverse("licenses:token", kwargs={"token": link.token}) in html
    revoke = reverse("licenses:share_revoke", kwargs={"identifier": person_licence.identifier, "pk": link.pk})
    assert client.post(revoke).status_code == 302
    link.refresh_from_db()
    assert link.revoked


def test_a_bad_share_request_re_renders_with_every_problem(client, fully_logged_in, person_licence):
    fully_logged_in(client, person_licence.holder_user)
    share = reverse("licenses:share", kwargs={"identifier": person_licence.identifier})
    response = client.post(share, {"fields": ["salary"], "hours": "9999"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-code="licenses.share.field"' in html and 'data-code="licenses.share.hours"' in html


def test_every_licences_view_declares_a_permission():
    from govhall.portal import licenses_urls as urls

    for pattern in urls.urlpatterns:
        assert getattr(pattern.callback, "govhall_permission", None) in {"public", "authenticated"}, pattern


MASKING_SCHEMA = [
    {"name": "operator_name", "label_zh": "经营者名称", "label_en": "Operator", "type": "text", "required": True,
     "disclosure": "masked"},
    {"name": "residence", "label_zh": "住所", "label_en": "Residence", "type": "text", "required": True,
     "disclosure": "hidden"},
    {"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
     "disclosure": "public"},
]


@pytest.fixture
def masked_licence(organ, applicant_person):
    kind = services.licence_type_create(actor=None, type_code=organ.credit_code + "009", name="食品经营许可证",
                                        holder_kind="person", face_schema=MASKING_SCHEMA, defining_organ=organ,
                                        validity_years=5, template="licences/food_business")
    return services.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name="张三丰",
                                  holder_code="341502199003071235", holder_user=applicant_person.user,
                                  face={"operator_name": "张三丰", "residence": "六安市金安区梅山南路 1 号",
                                        "premises": "六安市金安区佛子岭路 18 号一层"})


def test_public_verification_applies_each_fields_disclosure_on_the_page_and_the_api(client, masked_licence):
    page = client.get(reverse("licenses:verify"), {"identifier": masked_licence.identifier}).content.decode()
    api = client.get("/api/v1/licenses/verify", {"identifier": masked_licence.identifier}).content.decode()
    for shown in (page, api):
        assert "张**" in shown and "张三丰" not in shown  # the holder's name masked wherever it appears
        assert "六安市金安区佛子岭路 18 号一层" in shown  # public
        assert "梅山南路" not in shown  # hidden


def test_a_share_link_cannot_disclose_a_hidden_field_nor_unmask_a_masked_one(client, masked_licence):
    link = services.share_link_create(actor=masked_licence.holder_user, licence=masked_licence,
                                      fields=["operator_name", "residence", "premises"], hours=1)
    page = client.get(reverse("licenses:token", kwargs={"token": link.token})).content.decode()
    assert "张**" in page and "张三丰" not in page and "梅山南路" not in page and "佛子岭路" in page
