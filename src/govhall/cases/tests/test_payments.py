"""Fee amounts from the catalogue's standards, order numbers, and the payment provider (simulator)."""

import re

import pytest
from django.utils import timezone

from govhall.cases import payments
from govhall.cases.models import PaymentOrder
from govhall.cases.payments import PaymentNotConfirmed, SimulatorProvider


@pytest.mark.parametrize(("text", "fen"), [
    ("每件100元", 10000),
    ("工本费 12.50 元", 1250),
    ("工本费12.5元", 1250),
    ("100元/证", 10000),
    ("20元/证", 2000),
    ("550元/件", 55000),
    ("人民币80元整", 8000),
    ("￥80", 8000),
    ("¥ 1,200.00", 120000),
    ("RMB 35", 3500),
    ("１００元", 10000),  # full-width digits
    ("每本0.5元", 50),
    ("0元", 0),
    ("免费", 0),
    ("不收费", 0),
    ("免收工本费", 0),
    ("每件100元（2019年标准）", 10000),
    ("按件收取，每件10元，每件10元", 1000),  # the same amount twice is still one amount
    # a person must decide
    ("第一本免费，每增加一本10元", None),
    ("10-20元", None),
    ("10至20元/件", None),
    ("按合同金额的0.5%收取", None),
    ("最高不超过500元", None),
    ("80元/件，副本20元/件", None),
    ("按国家规定标准收取", None),
    ("壹佰元", None),
    ("12.345元", None),
    ("", None),
    (None, None),
    ("   ", None),
])
def test_amount_from_standard(text, fen):
    assert payments.amount_from_standard(text) == fen


def test_fee_lines_give_the_total_or_none_when_a_line_cannot_be_read():
    lines, total = payments.fee_lines([{"name": "工本费", "standard": "每件10元"},
                                       {"name": "证书费", "standard": "20元/证"}])
    assert total == 3000
    assert lines[0] == {"name": "工本费", "standard": "每件10元", "amount_fen": 1000}
    lines, total = payments.fee_lines([{"name": "工本费", "standard": "每件10元"},
                                       {"name": "其他", "standard": "按规定收取"}])
    assert total is None and lines[1]["amount_fen"] is None
    assert payments.fee_lines([]) == ([], 0)


def test_fee_lines_read_the_catalogue_fee_items(organ):
    from govhall.catalog import testing

    item = testing.make_item(organ=organ, publish=False, fee_charged=True,
                             fees=[{"name": "工本费", "standard": "每件100元", "basis": "", "reduction": ""},
                                   {"name": "证书费", "standard": "20元/证", "basis": "", "reduction": ""}])
    version = item.versions.get()
    lines, total = payments.fee_lines(version.fees.all())
    assert [line["amount_fen"] for line in lines] == [10000, 2000] and total == 12000


@pytest.mark.parametrize(("fen", "text"), [(0, "0.00"), (5, "0.05"), (1250, "12.50"), (10000, "100.00")])
def test_format_fen(fen, text):
    assert payments.format_fen(fen) == text


def test_order_numbers_are_well_formed_and_distinct():
    numbers = {payments.new_order_number() for _ in range(2000)}
    assert len(numbers) == 2000
    stamp = timezone.localtime().strftime("%Y%m%d")
    for number in numbers:
        assert re.fullmatch(r"PAY\d{14}\d{12}", number)
        assert number[3:11] == stamp or number[3:11] > stamp  # past midnight during the test
        assert len(number) <= PaymentOrder._meta.get_field("order_number").max_length


# --- the provider ---------------------------------------------------------------------------------


def test_the_default_provider_is_the_simulator(settings):
    del settings.GOVHALL_PAYMENT_PROVIDER
    assert isinstance(payments.provider(), SimulatorProvider)
    settings.GOVHALL_PAYMENT_PROVIDER = "govhall.cases.payments.SimulatorProvider"
    assert isinstance(payments.provider(), payments.PaymentProvider)


class FakeBank:
    def start(self, order):
        return f"https://bank.example/pay?o={order.order_number}"

    def parse_callback(self, data):
        return data["o"], data["ref"]


class NotAProvider:
    def start(self, order):
        return ""


def test_settings_choose_the_provider_by_dotted_path(settings):
    settings.GOVHALL_PAYMENT_PROVIDER = f"{__name__}.FakeBank"
    bank = payments.provider()
    assert bank.start(PaymentOrder(order_number="PAY1")) == "https://bank.example/pay?o=PAY1"
    settings.GOVHALL_PAYMENT_PROVIDER = f"{__name__}.NotAProvider"
    with pytest.raises(TypeError):
        payments.provider()


def test_the_simulator_pays_on_the_local_page():
    order = PaymentOrder(order_number="PAY20250101120000123456", amount_fen=10000)
    assert SimulatorProvider().start(order) == "/pay/simulator/PAY20250101120000123456/"


def test_a_signed_callback_verifies():
    sim = SimulatorProvider()
    data = sim.sign_callback("PAY20250101120000123456", "SIM-REF-1")
    assert set(data) == {"order_number", "reference", "status", "signature"}
    assert sim.parse_callback(data) == ("PAY20250101120000123456", "SIM-REF-1")
    made_up = sim.sign_callback("PAY2", None)
    assert made_up["reference"].startswith("SIM") and sim.parse_callback(made_up)[1] == made_up["reference"]


def test_the_callback_works_from_a_querydict():
    from django.http import QueryDict

    sim = SimulatorProvider()
    query = QueryDict(mutable=True)
    query.update(sim.sign_callback("PAY3", "REF3"))
    assert sim.parse_callback(query) == ("PAY3", "REF3")


@pytest.mark.parametrize("tamper", [
    lambda d: d.update(order_number="PAY20250101120000999999"),
    lambda d: d.update(reference="SIM-REF-2"),
    lambda d: d.update(status="failed"),
    lambda d: d.update(signature=d["signature"][:-1] + ("0" if d["signature"][-1] != "0" else "1")),
    lambda d: d.update(signature=""),
    lambda d: d.pop("signature"),
    lambda d: d.update(signature=None),
    lambda d: d.update(order_number="P" * 41),
])
def test_a_tampered_callback_is_refused(tamper):
    sim = SimulatorProvider()
    data = sim.sign_callback("PAY20250101120000123456", "SIM-REF-1")
    tamper(data)
    with pytest.raises(PaymentNotConfirmed):
        sim.parse_callback(data)


def test_a_callback_signed_with_another_key_is_refused_and_old_keys_still_verify(settings):
    sim = SimulatorProvider()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    forged = sim.sign_callback("PAY1", "REF1")
    settings.SECRET_KEY = "the-real-secret-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(PaymentNotConfirmed):
        sim.parse_callback(forged)
    settings.SECRET_KEY_FALLBACKS = ["another-secret-key-" + "x" * 40]  # rotated: the old key still verifies
    assert sim.parse_callback(forged) == ("PAY1", "REF1")


def test_a_failed_payment_signed_by_us_is_not_a_confirmation(settings):
    sim = SimulatorProvider()
    data = {"order_number": "PAY1", "reference": "REF1", "status": "failed",
            "signature": sim._mac(settings.SECRET_KEY, "PAY1", "REF1", "failed")}
    with pytest.raises(PaymentNotConfirmed):
        sim.parse_callback(data)


def test_garbage_callbacks_are_refused():
    with pytest.raises(PaymentNotConfirmed):
        SimulatorProvider().parse_callback(None)
    with pytest.raises(PaymentNotConfirmed):
        SimulatorProvider().parse_callback({})
