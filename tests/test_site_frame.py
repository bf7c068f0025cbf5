"""One frame for every public and applicant page: 登录 / 注册 when anonymous; the user's menu (我的办件,
我的证照, 我的消息 with the unread count, 数据使用记录, 账户与安全, 退出) when logged in; 403 and 404 pages in
the frame and the language, with a way on."""

import pytest

from govhall.notifications.models import Message

PUBLIC_PAGES = ["/", "/search/", "/progress/", "/licences/verify/", "/account/login/", "/account/register/"]
APPLICANT_PAGES = ["/", "/search/", "/my/cases/", "/my/licences/", "/account/inbox/", "/my/data-use/", "/account/",
                   "/account/security/"]
MENU = {"/my/cases/": "我的办件", "/my/licences/": "我的证照", "/account/inbox/": "我的消息",
        "/my/data-use/": "数据使用记录", "/account/": "账户与安全"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_anonymous_pages_offer_log_in_and_register(client, path):
    page = client.get(path).content.decode()
    assert 'href="/account/login/?next=' in page and "登录" in page
    assert 'href="/account/register/"' in page and "注册" in page
    assert 'action="/account/logout/"' not in page


@pytest.mark.parametrize("path", APPLICANT_PAGES)
def test_every_applicant_page_has_the_same_account_menu(client, applicant, applicant_person, path):
    client.force_login(applicant)
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.content.decode()
    for href, label in MENU.items():
        assert f'href="{href}"' in page and label in page, (path, label)
    assert 'action="/account/logout/"' in page and "退出" in page
    assert 'href="/account/login/' not in page


def test_the_menu_shows_the_unread_count(client, applicant, applicant_person):
    for i in range(2):
        Message.objects.create(recipient=applicant, kind="test", subject_zh=f"通知{i}", subject_en="n",
                               body_zh="内容", body_en="body")
    client.force_login(applicant)
    page = client.get("/my/cases/").content.decode()
    assert "2 条未读消息" in page


def test_log_out_from_the_menu_ends_the_session(client, applicant):
    client.force_login(applicant)
    assert client.post("/account/logout/")["Location"] == "/"
    assert client.get("/my/cases/").status_code == 302


@pytest.mark.django_db
def test_a_missing_page_is_shown_in_the_frame_and_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'href="/"' in page and 'action="/search/"' in page
    assert 'lang="zh-CN"' in page and "Not Found" not in page


@pytest.mark.django_db
def test_a_missing_page_in_english_mode_is_in_english(client):
    client.cookies["django_language"] = "en"
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page and "页面不存在" not in page


def test_a_citizen_on_a_staff_page_gets_a_403_page_with_a_way_on(client, applicant, applicant_person):
    client.force_login(applicant)
    response = client.get("/console/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问此页面" in page and 'href="/"' in page and 'href="/my/cases/"' in page
