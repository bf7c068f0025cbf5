"""Fixtures: a household register (police, unconditional) and a business register (market
regulation, conditional, with an agreement for the labour bureau), each with a local dataset, and
an item of the labour bureau whose materials include both. Time is frozen on a 2026 working day."""

import datetime as dt

import pytest
import time_machine

from govhall.catalog import testing
from govhall.demo.sharing import BUSINESS_FIELDS, HOUSEHOLD_FIELDS
from govhall.identity.roles import Role
from govhall.sharing import services

START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ZHANG_ID = "341502199003071235"
COMPANY_CODE = "91341502MA2TEA019F"
HOUSEHOLD_CSV = ("subject_key,name,gender,birth_date,address,household_head,relation\n"
                 f"{ZHANG_ID},张三,男,1990-03-07,六安市金安区梅山南路 1 号,张三,户主\n"
                 "341503199205202420,李娜,女,1992-05-20,六安市裕安区 2 号,李娜,户主\n").encode()
BUSINESS_CSV = ("subject_key,name,legal_representative,address,registered_capital,established_on,business_scope,"
                "status\n"
                f"{COMPANY_CODE},六安皖西茶业有限公司,张三,六安市金安区茶谷大道 18 号,200,2019-04-16,茶叶销售,存续\n").encode()


def shared_material(name, resource):
    return {"name": name, "necessity": "required", "form": "electronic", "source": "shared_data",
            "licence_type_code": "", "data_resource_code": resource, "issuing_organ": "", "original_count": 0,
            "copy_count": 0, "paper_size": "", "paper_legal_basis": "", "acceptance_standard": "", "notes": "",
            "later_days": None}


def applicant_material(name, source="applicant"):
    return {**shared_material(name, ""), "source": source, "original_count": 1, "paper_size": "A4"}


@pytest.fixture
def clock_start():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def police(regions):
    return testing.make_organ(regions["city"], name="六安市公安局")


@pytest.fixture
def market(regions):
    return testing.make_organ(regions["city"], name="六安市市场监督管理局")


@pytest.fixture
def hrss(regions):
    return testing.make_organ(regions["city"], name="六安市人力资源和社会保障局")


@pytest.fixture
def police_admin(police):
    return testing.make_staff("police_data_admin", Role.DATA_ADMIN, police)


@pytest.fixture
def market_admin(market):
    return testing.make_staff("market_data_admin", Role.DATA_ADMIN, market)


@pytest.fixture
def hrss_admin(hrss):
    return testing.make_staff("hrss_data_admin", Role.DATA_ADMIN, hrss)


@pytest.fixture
def window(hrss):
    return testing.make_staff("hrss_window", Role.WINDOW_OFFICER, hrss)


@pytest.fixture
def household(police, police_admin, clock_start):
    resource = services.resource_create(
        actor=police_admin, code="DR-GA-HJ-001", provider_organ=police, name="户籍信息", name_en="Household",
        fields=HOUSEHOLD_FIELDS, share_class="unconditional", classification="3", legal_basis="《户口登记条例》",
        update_frequency="realtime", subject_kind="resident_id")
    services.dataset_upload(actor=police_admin, resource=resource, data=HOUSEHOLD_CSV, filename="hj.csv")
    resource.refresh_from_db()
    return resource


@pytest.fixture
def business(market, market_admin, clock_start):
    resource = services.resource_create(
        actor=market_admin, code="DR-SCJG-DJ-001", provider_organ=market, name="企业登记信息", name_en="Business",
        fields=BUSINESS_FIELDS, share_class="conditional", classification="2", legal_basis="《市场主体登记管理条例》",
        update_frequency="daily", subject_kind="credit_code")
    services.dataset_upload(actor=market_admin, resource=resource, data=BUSINESS_CSV, filename="dj.csv")
    resource.refresh_from_db()
    return resource


@pytest.fixture
def agreement(business, hrss, hrss_admin, market_admin):
    a = services.agreement_request(actor=hrss_admin, resource=business, requester_organ=hrss,
                                   fields=["name", "legal_representative", "address", "status"],
                                   purpose="创业担保贷款审核", legal_basis="《创业担保贷款管理办法》",
                                   valid_until=dt.date(2026, 12, 31))
    return services.agreement_decide(actor=market_admin, agreement=a, approve=True)


@pytest.fixture
def loan_item(hrss, household, business, agreement):
    return testing.make_item(organ=hrss, name="创业担保贷款申请", special_procedures=[], materials=[
        applicant_material("申请表", source="online_form"),
        shared_material("户口簿（户籍信息）", "DR-GA-HJ-001"),
        shared_material("营业执照（企业登记信息）", "DR-SCJG-DJ-001"),
        applicant_material("经营场所使用证明"),
        applicant_material("创业项目计划书"),
    ])


@pytest.fixture
def requester(hrss):
    return services.Requester(label="hrss officer", organ=hrss)
