"""Who may open which console page: anonymous users log in, people without a staff role get 403,
and another organ's items are simply not there (404), for reading and for writing alike."""

import pytest
from django.urls import reverse

from govhall.catalog import testing


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login:login"))


@pytest.mark.parametrize("name", ["console:home", "console:items", "console:audit", "console:calendar"])
def test_an_applicant_without_a_staff_role_is_refused(as_user, applicant, name):
    assert as_user(applicant).get(reverse(name)).status_code == 403


def test_a_catalog_admin_sees_the_items_of_their_own_organ_only(as_user, catalog_admin, organ, other_organ):
    own = testing.make_item(organ=organ, name="食品经营许可（新办）")
    other = testing.make_item(organ=other_organ, name="药品零售许可")
    response = as_user(catalog_admin).get(reverse("console:items"))
    assert response.status_code == 200
    assert own.code in response.content.decode()
    assert other.code not in response.content.decode()


def test_another_organs_item_is_not_found_for_reading_and_writing(as_user, catalog_admin, other_organ):
    other = testing.make_item(organ=other_organ)
    client = as_user(catalog_admin)
    for name in ("console:item", "console:item_edit", "console:item_validate"):
        assert client.get(reverse(name, args=[other.code])).status_code == 404, name
    assert client.post(reverse("console:item_edit", args=[other.code]),
                       {"action": "create_draft"}).status_code == 404
    assert client.post(reverse("console:item_publish", args=[other.code]),
                       {"effective_from": "2026-11-23"}).status_code == 404
    assert client.post(reverse("console:item_retire", args=[other.code]),
                       {"on": "2026-11-23", "reason": "x"}).status_code == 404
    assert other.versions.count() == 1


def test_an_unknown_item_code_is_not_found(as_user, catalog_admin):
    assert as_user(catalog_admin).get(reverse("console:item", args=["nope"])).status_code == 404


def test_a_city_wide_catalog_admin_sees_every_lu_an_organ(as_user, region_catalog_admin, organ, other_organ):
    own = testing.make_item(organ=organ)
    other = testing.make_item(organ=other_organ)
    client = as_user(region_catalog_admin)
    assert client.get(reverse("console:item", args=[own.code])).status_code == 200
    assert client.get(reverse("console:item", args=[other.code])).status_code == 404  # Hefei


def test_a_supervisor_reads_the_audit_log_but_may_not_edit_items(as_user, supervisor, published_item):
    client = as_user(supervisor)
    assert client.get(reverse("console:audit")).status_code == 200
    assert client.get(reverse("console:item_edit", args=[published_item.code])).status_code == 403
    assert client.post(reverse("console:item_publish", args=[published_item.code])).status_code == 403
    assert client.post(reverse("console:item_retire", args=[published_item.code])).status_code == 403
    assert client.get(reverse("console:calendar")).status_code == 403


def test_a_catalog_admin_may_not_read_the_audit_log_or_edit_the_calendar(as_user, catalog_admin):
    client = as_user(catalog_admin)
    assert client.get(reverse("console:audit")).status_code == 403
    assert client.get(reverse("console:calendar")).status_code == 403


def test_publish_and_retire_accept_post_only(as_user, catalog_admin, published_item):
    client = as_user(catalog_admin)
    assert client.get(reverse("console:item_publish", args=[published_item.code])).status_code == 405
    assert client.get(reverse("console:item_retire", args=[published_item.code])).status_code == 405


def test_every_console_url_declares_its_permission():
    from govhall.console.urls import urlpatterns

    assert all(hasattr(p.callback, "govhall_permission") for p in urlpatterns)


def test_the_home_page_counts_items_and_drafts_and_warns_about_next_years_calendar(
        as_user, catalog_admin, organ, published_item):
    testing.make_item(organ=organ, publish=False)
    response = as_user(catalog_admin).get(reverse("console:home"))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert (overview.item_count, overview.draft_count) == (2, 1)
    assert overview.next_year == 2027 and overview.next_year_missing
    assert "2027" in response.content.decode()
