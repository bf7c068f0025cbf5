"""Production never runs on a simulator by accident: `govhall check --deploy` names every one in use
as an error unless GOVHALL_ALLOW_SIMULATORS lists it, and then every page says so."""

import pytest
from django.core.checks import ERROR, run_checks
from django.core.management import CommandError, call_command
from django.test import override_settings

from govhall.core import simulators

# the system checks include the master key check, which reads the database
pytestmark = pytest.mark.django_db

ALL = {"population-register", "legal-person-register", "face-check", "sms", "payment"}


class RealGateway:
    """Stands for a carrier's SMS gateway (not a simulator)."""

    def send(self, phone, text):
        raise AssertionError("not called")


def simulator_errors() -> dict[str, object]:
    found = {}
    for message in run_checks(include_deployment_checks=True):
        if message.id == "govhall.E001":
            [name] = [n for n in ALL if f"({n})" in message.msg]
            found[name] = message
    return found


def test_every_adapter_with_a_simulator_is_declared():
    assert ALL <= set(simulators.ADAPTERS)
    assert {a.name for a in simulators.in_use()} == ALL  # the defaults are all simulators


@override_settings(GOVHALL_PRODUCTION=True, GOVHALL_ALLOW_SIMULATORS=[])
def test_in_production_every_simulator_in_use_is_a_deployment_error():
    errors = simulator_errors()
    assert set(errors) == ALL
    assert all(e.level == ERROR for e in errors.values())
    assert "GOVHALL_POPULATION_REGISTER" in errors["population-register"].msg
    assert "GOVHALL_ALLOW_SIMULATORS" in errors["payment"].hint


@override_settings(GOVHALL_PRODUCTION=True, GOVHALL_ALLOW_SIMULATORS=[])
def test_the_check_command_fails_in_production_with_simulators():
    with pytest.raises(CommandError, match=r"govhall\.E001.*SimulatedFaceCheck"):
        call_command("check", deploy=True)


@override_settings(GOVHALL_PRODUCTION=False)
def test_outside_production_simulators_are_no_error():
    assert simulator_errors() == {}


@override_settings(GOVHALL_PRODUCTION=True, GOVHALL_ALLOW_SIMULATORS=["sms", "payment"],
                   GOVHALL_FACE_CHECK=f"{__name__}.RealGateway")
def test_allowed_simulators_and_real_adapters_are_no_error():
    assert set(simulator_errors()) == {"population-register", "legal-person-register"}


@override_settings(GOVHALL_PRODUCTION=True, GOVHALL_ALLOW_SIMULATORS="sms, payment")
def test_the_allow_list_may_be_one_comma_separated_string():
    assert simulators.allowed() == {"sms", "payment"}


@override_settings(GOVHALL_SMS_GATEWAY="govhall.login.sms.NoSuchGateway")
def test_an_adapter_setting_naming_no_class_is_an_error():
    messages = [m for m in run_checks(include_deployment_checks=True) if m.id == "govhall.E002"]
    assert len(messages) == 1 and "GOVHALL_SMS_GATEWAY" in messages[0].msg


@pytest.mark.django_db
@override_settings(GOVHALL_PRODUCTION=True, GOVHALL_ALLOW_SIMULATORS=["population-register", "payment"])
@pytest.mark.parametrize("url", ["/", "/account/login/", "/licences/verify/"])
def test_allowed_simulators_are_named_on_every_page(client, settings, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and "演示/模拟服务：在线支付、人口库" in html
    assert "短信网关" not in html  # not allowed: an error at deployment, not a banner
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Simulated services (not real): payment provider, population register" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("production", [False, True])
def test_no_banner_without_allowed_simulators_in_production(client, production):
    with override_settings(GOVHALL_PRODUCTION=production, GOVHALL_ALLOW_SIMULATORS=[] if production else ALL):
        assert "simulator-banner" not in client.get("/").content.decode()
