"""A database connection lost during an API call answers 503 JSON telling the caller to retry with the same
Idempotency-Key, never a 400/500 HTML page; the retry returns what was already committed, once."""
# ruff: noqa: F811 (the case fixtures are imported from govhall.cases.tests.conftest and used as arguments)

from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client

from govhall.cases.models import Application, Case
from govhall.cases.tests.conftest import clock_start, item, media, ready_application  # noqa: F401 (fixtures)

API = "/api/v1"


@contextmanager
def connection_cut(when):
    """Every SQL statement for which ``when(sql)`` holds, and every one after it, fails as a dropped
    PostgreSQL connection does. The statements are never sent, and savepoint statements still are, so
    the test's own transaction stays usable."""
    cut = []

    def wrapper(execute, sql, params, many, context):
        if (cut or when(sql)) and not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            cut.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield cut


def saving_the_session(sql: str) -> bool:
    return sql.startswith('UPDATE "django_session"')


def outage(response) -> dict:
    assert response.status_code == 503, response.content.decode()
    assert response["Content-Type"].startswith("application/json") and response["Retry-After"]
    body = response.json()["error"]
    assert set(body) == {"code", "message_zh", "message_en", "field", "problems"}
    assert body["code"] == "service.database_unavailable"
    assert "Idempotency-Key" in body["message_zh"] and "same Idempotency-Key" in body["message_en"]
    return body


@pytest.fixture
def citizen(applicant_person, fully_logged_in):
    return fully_logged_in(Client(raise_request_exception=False), applicant_person.user)


def submit(client, application):
    return client.post(f"{API}/applications/{application.public_id}/submit", {}, content_type="application/json")


def test_a_submit_committed_before_the_connection_was_cut_answers_503_json_and_the_retry_returns_the_case(
        citizen, ready_application):
    with connection_cut(saving_the_session) as cut:  # after the case was committed, before the answer
        response = submit(citizen, ready_application)
    assert cut
    outage(response)
    case = Case.objects.get()
    assert case.application_id == ready_application.pk

    retried = submit(citizen, ready_application)
    assert retried.status_code == 201, retried.content.decode()
    assert retried.json()["number"] == case.number and Case.objects.count() == 1


def test_a_submit_cut_before_its_commit_answers_503_json_and_the_retry_opens_the_case(citizen, ready_application):
    with connection_cut(lambda sql: sql.startswith('INSERT INTO "cases_case"')):
        outage(submit(citizen, ready_application))
    assert not Case.objects.exists()

    retried = submit(citizen, ready_application)
    assert retried.status_code == 201, retried.content.decode()
    assert Case.objects.count() == 1


def test_starting_an_application_again_with_the_same_key_after_a_cut_returns_the_one_application(citizen, item):
    def start():
        return citizen.post(f"{API}/applications", {"item_code": item.code}, content_type="application/json",
                            headers={"Idempotency-Key": "kiosk-7f3a"})

    with connection_cut(saving_the_session):
        outage(start())
    first = Application.objects.get()

    replay = start()
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["public_id"] == str(first.public_id) and Application.objects.count() == 1


def test_a_connection_lost_before_the_view_answers_503_json_on_the_api_and_a_503_page_elsewhere(citizen, item):
    with connection_cut(lambda sql: True):  # already while loading the session in the middleware
        api = citizen.get(f"{API}/cases/SOME-CASE")
        page = citizen.get("/")
    outage(api)
    assert page.status_code == 503 and page["Content-Type"].startswith("text/html")
    assert "服务暂时不可用" in page.content.decode() and "try again" in page.content.decode()


def test_a_session_ended_by_a_concurrent_logout_is_still_a_400_not_an_outage(citizen, item):
    from django.contrib.sessions.models import Session

    def logged_out_meanwhile(execute, sql, params, many, context):
        if saving_the_session(sql):
            Session.objects.all().delete()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(logged_out_meanwhile):
        response = citizen.get(f"{API}/cases/SOME-CASE")
    assert response.status_code == 400
