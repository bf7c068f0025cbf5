"""Personal data at rest: what an application, the shared registers and the SMS outbox hold is read
back from the raw database rows (SQL, not the ORM) and must not be there in clear, anywhere: not in
the application form, the dataset records, the copies fetched for an application, the
discrepancies, the SMS outbox, the audit log. Everything still works through the platform: lookups
by blind index, the applicant's signature, the workbench, the SMS simulator page."""

import io
import json

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from govhall.cases import services as cases
from govhall.cases import signing
from govhall.cases.models import Application, Delivery
from govhall.catalog import testing
from govhall.identity.roles import Role
from govhall.login.models import SmsMessage
from govhall.sharing import keys, services
from govhall.sharing.models import DataRecord, Discrepancy, MaterialFetch

from .conftest import ZHANG_ID

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PHONE = "13955600001"  # 张三's real-name phone (conftest) and the contact phone typed into the form
TYPED_ADDRESS = "六安市金安区新家 8 号"
# what the registers hold (sharing/tests/conftest.py): 张三's and 李娜's household records, the company's
REGISTER = ["梅山南路", "李娜", "1992-05-20", "裕安区 2 号", "1990-03-07", "茶谷大道 18 号"]
POSTAL = "合肥市蜀山区长江西路 99 号"
# Where a needle may still be in clear, and why (nothing of this change's scope).
ALLOWED = {("identity_person", "birth_date", "1990-03-07"): "the real-name record's date of birth (identity)"}


def _forms(needle: str) -> list[bytes]:
    """The needle as stored in clear: UTF-8, or \\u-escaped inside JSON text."""
    return [needle.encode(), json.dumps(needle)[1:-1].encode()]


def plaintext_hits(needles) -> set[tuple[str, str, str]]:
    """(table, column, needle) for every cell of every table that holds a needle in clear."""
    hits = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected name)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    data = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                    hits |= {(table, column, n) for n in needles if any(f in data for f in _forms(n))}
    return {h for h in hits if h not in ALLOWED}


def _submit_with_a_different_address(applicant, company, loan_item):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    rows = {r.material.name: r for r in application.materials.select_related("material")}
    for name in ("经营场所使用证明", "创业项目计划书"):
        cases.material_upload(actor=applicant, application=application, material_id=rows[name].material_id,
                              upload=io.BytesIO(PDF + name.encode()), filename="a.pdf")
    for name in ("户口簿（户籍信息）", "营业执照（企业登记信息）"):
        services.fetch_confirm(actor=applicant, application=application, material_id=rows[name].material_id)
    cases.application_update(actor=applicant, application=application, form_data={
        "contact_name": "张三", "contact_phone": PHONE, "address": TYPED_ADDRESS, "description": "创业"})
    return cases.application_submit(actor=applicant, application=application)


def raw(table: str, column: str) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for (v,) in cursor.fetchall()]


def test_no_phone_name_birth_date_or_address_is_stored_in_clear(loan_item, applicant, company, police_admin,
                                                               requester, hrss):
    case = _submit_with_a_different_address(applicant, company, loan_item)
    discrepancy = Discrepancy.objects.get()  # Art. 9: the typed address differs from the register
    services.discrepancy_decide(actor=police_admin, discrepancy=discrepancy, correct=True, reason="经核实已迁入新址")
    from govhall.login.sms import SimulatorGateway

    SimulatorGateway().send(PHONE, "【六安政务】张三：您的办件已受理，邮寄地址 " + POSTAL)
    window = testing.make_staff("hrss_delivery", Role.WINDOW_OFFICER, hrss)
    Delivery.objects.create(case=case, method="post", address=POSTAL, delivered_by=window,
                            delivered_at=timezone.now())

    assert plaintext_hits([PHONE, TYPED_ADDRESS, POSTAL, ZHANG_ID, *REGISTER]) == set()
    # the columns are ciphertext, not merely escaped text
    assert all(not b.startswith(b"{") for b in raw("cases_application", "form_data"))
    assert all(not b.startswith(b"{") for b in raw("sharing_datarecord", "data"))

    # … and everything still works through the platform
    application = Application.objects.get(pk=case.application_id)
    assert application.form_data["contact_phone"] == PHONE and application.form_data["address"] == TYPED_ADDRESS
    assert signing.verify(application)  # the signature covers the decrypted form
    fetch = MaterialFetch.objects.get(application_material__material__name="户口簿（户籍信息）")
    assert fetch.record["name"] == "张三" and fetch.record["birth_date"] == "1990-03-07"
    discrepancy.refresh_from_db()
    assert (discrepancy.shared_value, discrepancy.submitted_value) == ("六安市金安区梅山南路 1 号", TYPED_ADDRESS)
    answer = services.lookup(resource=discrepancy.resource, subject_key=ZHANG_ID, fields=None, purpose="核验",
                             legal_basis="依据", requester=requester)  # found by the blind index
    assert answer.granted and answer.record["address"] == TYPED_ADDRESS and answer.version == "1.2"
    record = DataRecord.objects.get(subject_index=keys.subject_index("resident_id", "341503199205202420"))
    assert record.data["name"] == "李娜" and record.data["birth_date"] == "1992-05-20"
    assert SmsMessage.objects.get().phone == PHONE
    assert Delivery.objects.get().address == POSTAL


def test_encrypted_columns_refuse_searches_inside_them(db):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(SmsMessage.objects.filter(phone=PHONE))
    with pytest.raises(FieldError):
        list(Application.objects.filter(form_data__contact_phone=PHONE))
    assert list(SmsMessage.objects.filter(phone__isnull=True)) == []


def test_a_ciphertext_copied_into_another_column_does_not_open(db):
    from govhall.crypto.fields import DecryptionFailed

    SmsMessage.objects.create(phone=PHONE, text="hello")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE login_smsmessage SET text = phone")
    with pytest.raises(DecryptionFailed):
        SmsMessage.objects.get()


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_decrypt_them_when_reversed(loan_item, applicant, company):
    from govhall.federation.models import MessageLog

    case = _submit_with_a_different_address(applicant, company, loan_item)
    SmsMessage.objects.create(phone=PHONE, text="验证码 123456")
    evidence = json.dumps({"subject_key": ZHANG_ID, "record": {"address": "梅山南路"}}).encode()
    MessageLog.objects.create(direction="in", kind="request", outcome="ok", signed_bytes=evidence, raw=evidence)
    mail.outbox = []
    ours = [("cases", "0002_encrypt_personal_data"), ("login", "0002_encrypt_sms_outbox"),
            ("sharing", "0002_encrypt_personal_data"), ("federation", "0002_encrypt_message_log")]
    before = [("cases", "0001_initial"), ("login", "0001_initial"), ("sharing", "0001_initial"),
              ("federation", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        # reversed: the plain columns are back, with every row's value
        assert any(PHONE.encode() in v for v in raw("cases_application", "form_data"))
        assert set(raw("login_smsmessage", "phone")) == {PHONE.encode()}
        assert plaintext_hits(["梅山南路", "李娜", TYPED_ADDRESS])
        assert raw("federation_messagelog", "signed_bytes") == [evidence]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(ours)
    # forwards again: the same rows, encrypted, and readable through the models
    assert plaintext_hits([PHONE, TYPED_ADDRESS, ZHANG_ID, *REGISTER]) == set()
    assert bytes(MessageLog.objects.get().signed_bytes) == evidence
    application = Application.objects.get(pk=case.application_id)
    assert application.form_data["address"] == TYPED_ADDRESS and signing.verify(application)
    assert {(m.phone, m.text) for m in SmsMessage.objects.all()} >= {(PHONE, "验证码 123456")}
    assert Discrepancy.objects.get().submitted_value == TYPED_ADDRESS
    assert DataRecord.objects.filter(current=True).count() == 3


def test_the_sms_simulator_page_shows_phone_and_text_in_demo_mode(client, db, settings):
    settings.GOVHALL_DEMO = True
    SmsMessage.objects.create(phone=PHONE, text="【测试】您的验证码为 654321")
    html = client.get(reverse("login:dev_sms")).content.decode()
    assert PHONE in html and "654321" in html
    assert plaintext_hits([PHONE, "654321"]) == set()

