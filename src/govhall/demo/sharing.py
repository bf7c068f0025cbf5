"""Demo data of the sharing platform (demo mode only), made through the services like real data.

- 户籍信息 (DR-GA-HJ-001, 六安市公安局, unconditional, keyed by resident ID) with 张三's record;
- 企业登记信息 (DR-SCJG-DJ-001, 六安市市场监督管理局, conditional, keyed by credit code) with the record
  of 六安皖西茶业有限公司, and an agreement approved for 六安市人力资源和社会保障局;
- the item 创业担保贷款申请 (六安市人力资源和社会保障局) whose materials include both: 张三 applying for
  his company sees both fetched and is asked only for the other two materials.

Existing demo items that name DR-GA-HJ-001 or DR-SCJG-DJ-001 (e.g. 居民户口迁移) fetch them too.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from govhall.catalog import services as catalog
from govhall.catalog.models import Organ, Region
from govhall.catalog.testing import guide
from govhall.sharing import keys, services
from govhall.sharing.datasets import ParsedRow

HOUSEHOLD = "DR-GA-HJ-001"
BUSINESS = "DR-SCJG-DJ-001"
POLICE = "1134150000312085XP"
MARKET = "11341500MB1K04Q74U"
HRSS = "11341500MB1A37285Q"
LOAN_BASIC_CODE = "000112095000"
LOAN_NAME = "创业担保贷款申请"

HOUSEHOLD_FIELDS = [
    {"name": "name", "label_zh": "姓名", "label_en": "name", "type": "text", "required": True},
    {"name": "gender", "label_zh": "性别", "label_en": "gender", "type": "text"},
    {"name": "birth_date", "label_zh": "出生日期", "label_en": "date of birth", "type": "date"},
    {"name": "address", "label_zh": "户籍地址", "label_en": "registered address", "type": "text", "required": True,
     "form_field": "address"},
    {"name": "household_head", "label_zh": "户主", "label_en": "head of household", "type": "text"},
    {"name": "relation", "label_zh": "与户主关系", "label_en": "relation to the head", "type": "text"},
]
BUSINESS_FIELDS = [
    {"name": "name", "label_zh": "企业名称", "label_en": "name", "type": "text", "required": True},
    {"name": "legal_representative", "label_zh": "法定代表人", "label_en": "legal representative", "type": "text"},
    {"name": "address", "label_zh": "住所", "label_en": "registered address", "type": "text"},
    {"name": "registered_capital", "label_zh": "注册资本（万元）", "label_en": "registered capital (10k yuan)",
     "type": "number"},
    {"name": "established_on", "label_zh": "成立日期", "label_en": "established on", "type": "date"},
    {"name": "business_scope", "label_zh": "经营范围", "label_en": "business scope", "type": "text"},
    {"name": "status", "label_zh": "登记状态", "label_en": "status", "type": "text"},
]


def _material(name, source="applicant", resource="", necessity="required"):
    return {"name": name, "necessity": necessity, "form": "electronic", "source": source, "licence_type_code": "",
            "data_resource_code": resource, "issuing_organ": "", "original_count": 1 if source == "applicant" else 0,
            "copy_count": 0, "paper_size": "A4" if source == "applicant" else "", "paper_legal_basis": "",
            "acceptance_standard": "", "notes": "", "later_days": None}


def _store(resource, kind, rows):
    parsed = [ParsedRow(keys.subject_index(kind, key), keys.masked(kind, key), data) for key, data in rows]
    return services.store_dataset(actor=None, resource=resource, rows=parsed, filename="演示数据.csv",
                                  sha256=hashlib.sha256(repr(rows).encode()).hexdigest(), note="演示数据 demo data")


@transaction.atomic
def create_demo_sharing() -> dict[str, int]:
    from govhall.demo.identity import CITIZEN, COMPANY

    police, market, hrss = (Organ.objects.get(credit_code=c) for c in (POLICE, MARKET, HRSS))
    household = services.resource_create(
        actor=None, code=HOUSEHOLD, provider_organ=police, name="户籍信息", name_en="Household registration",
        fields=HOUSEHOLD_FIELDS, share_class="unconditional", classification="3",
        legal_basis="《中华人民共和国户口登记条例》；《安徽省政务数据资源管理办法》", update_frequency="realtime",
        subject_kind="resident_id")
    business = services.resource_create(
        actor=None, code=BUSINESS, provider_organ=market, name="企业登记信息", name_en="Business registration",
        fields=BUSINESS_FIELDS, share_class="conditional", classification="2",
        legal_basis="《中华人民共和国市场主体登记管理条例》", update_frequency="daily", subject_kind="credit_code")
    _store(household, "resident_id", [(CITIZEN["id_number"], {
        "name": CITIZEN["name"], "gender": "男", "birth_date": "1990-03-07", "address": "六安市金安区梅山南路 1 号",
        "household_head": CITIZEN["name"], "relation": "户主"})])
    _store(business, "credit_code", [(COMPANY["credit_code"], {
        "name": COMPANY["name"], "legal_representative": CITIZEN["name"], "address": "六安市金安区茶谷大道 18 号",
        "registered_capital": 200, "established_on": "2019-04-16", "business_scope": "茶叶种植、加工、销售",
        "status": "存续"})])
    agreement = services.agreement_request(
        actor=None, resource=business, requester_organ=hrss, fields=[f["name"] for f in BUSINESS_FIELDS],
        purpose="创业担保贷款申请审核：核验申请企业的登记信息", legal_basis="《创业担保贷款管理办法》",
        valid_until=timezone.localdate() + dt.timedelta(days=365))
    services.agreement_decide(actor=None, agreement=agreement, approve=True, note="演示：同意")
    catalog_item = catalog.catalog_item_create(
        actor=None, basic_code=LOAN_BASIC_CODE, name=LOAN_NAME, item_type="20",
        legal_basis="《关于进一步加大创业担保贷款贴息力度全力支持重点群体创业就业的通知》",
        exercise_levels=["3"], region=Region.objects.get(code="340000"))
    item = catalog.implementation_item_create(actor=None, catalog_item=catalog_item, organ=hrss, level="3", guide=guide(
        name=LOAN_NAME, legal_basis="《创业担保贷款管理办法》", keywords=["创业", "贷款", "担保"],
        # the borrowers the national notice names (财金〔2020〕21号), not the food licence's conditions
        acceptance_conditions="1. 申请人为城镇登记失业人员、就业困难人员（含残疾人）、退役军人、刑满释放人员、高校毕业生"
        "（含大学生村官和留学回国学生）、化解过剩产能企业职工和失业人员、返乡创业农民工、网络商户、脱贫人口等符合条件的个人，"
        "或符合条件的小微企业；\n2. 除助学贷款、扶贫贷款、住房贷款、购车贷款、5万元以下小额消费贷款（含信用卡消费）以外，"
        "个人申请人及其配偶没有其他贷款。",
        result_kind="other", result_name="创业担保贷款审核意见", special_procedures=[],
        service_objects=["1", "2"], case_kind="2", legal_time_limit_days=20, promised_time_limit_days=10,
        location="六安市政务服务中心一楼人社窗口", consultation_phone="0564-3370000",
        materials=[_material("创业担保贷款申请表", source="online_form"),
                   _material("户口簿（户籍信息）", source="shared_data", resource=HOUSEHOLD),
                   _material("营业执照（企业登记信息）", source="shared_data", resource=BUSINESS),
                   _material("经营场所使用证明"), _material("创业项目计划书")]))
    catalog.version_publish(actor=None, version=item.versions.get(), reason="演示数据 demo data")
    return {"data_resources": 2, "demo_sharing_items": 1}
