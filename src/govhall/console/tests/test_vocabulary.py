"""Console pages of the search vocabulary: who may use them, and that they go through the services."""

from django.urls import reverse

from govhall.catalog import services_vocabulary as vocab
from govhall.catalog.models import SearchQueryStat, SearchSynonym

from .conftest import TODAY


def test_only_catalogue_administrators_see_the_vocabulary(client, as_user, catalog_admin, supervisor):
    assert client.get(reverse("console:vocabulary")).status_code == 302  # to login
    assert as_user(supervisor).get(reverse("console:vocabulary")).status_code == 403
    assert as_user(supervisor).get(reverse("console:search_words")).status_code == 403
    page = as_user(catalog_admin).get(reverse("console:vocabulary"))
    assert page.status_code == 200 and "检索词表" in page.content.decode()


def test_an_entry_is_added_edited_and_deleted_from_the_console(as_user, catalog_admin):
    client = as_user(catalog_admin)
    response = client.post(reverse("console:vocabulary"), {"term": "低保", "canonical": "最低生活保障",
                                                            "kind": "synonym", "active": "on"})
    assert response.status_code == 302
    entry = SearchSynonym.objects.get(term="低保")
    url = reverse("console:vocabulary_entry", args=[entry.pk])
    response = client.post(url, {"term": "低保", "canonical": "最低生活保障|低保金", "kind": "synonym"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.canonical == ["最低生活保障", "低保金"] and entry.active is False
    assert client.post(reverse("console:vocabulary_delete", args=[entry.pk])).status_code == 302
    assert not SearchSynonym.objects.exists()


def test_a_refused_entry_shows_every_problem_and_saves_nothing(as_user, catalog_admin):
    response = as_user(catalog_admin).post(reverse("console:vocabulary"),
                                           {"term": "开饭店", "canonical": "", "kind": "alias", "item": "NOPE"})
    assert response.status_code == 400
    assert not SearchSynonym.objects.exists()


def test_another_regions_entry_answers_not_found(as_user, catalog_admin, regions):
    entry = vocab.vocabulary_create(actor=None, term="上户", canonical="户口登记", region=regions["county"])
    client = as_user(catalog_admin)
    assert client.get(reverse("console:vocabulary_entry", args=[entry.pk])).status_code == 404
    assert client.post(reverse("console:vocabulary_delete", args=[entry.pk])).status_code == 404
    assert SearchSynonym.objects.filter(pk=entry.pk).exists()


def test_import_with_a_bad_row_shows_its_row_and_saves_nothing(as_user, catalog_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "词语,规范词\n低保,最低生活保障\n,社会保障卡\n".encode()
    response = as_user(catalog_admin).post(reverse("console:vocabulary_import"),
                                           {"file": SimpleUploadedFile("v.csv", data, "text/csv")})
    assert response.status_code == 400
    assert 'data-code="vocabulary.term"' in response.content.decode()
    assert not SearchSynonym.objects.exists()


def test_export_downloads_csv_and_excel(as_user, catalog_admin):
    vocab.vocabulary_create(actor=None, term="低保", canonical="最低生活保障")
    client = as_user(catalog_admin)
    csv_response = client.get(reverse("console:vocabulary_export"))
    assert csv_response["Content-Type"].startswith("text/csv") and "低保" in csv_response.content.decode("utf-8-sig")
    xlsx = client.get(reverse("console:vocabulary_export"), {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_words_to_add_shows_queries_that_found_nothing(as_user, catalog_admin):
    SearchQueryStat.objects.create(query="鹦鹉螺", searches=4, zero_results=4, first_seen=TODAY, last_seen=TODAY)
    html = as_user(catalog_admin).get(reverse("console:search_words")).content.decode()
    assert "鹦鹉螺" in html and "?term=%E9%B9%A6" in html
