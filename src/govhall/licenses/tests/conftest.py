"""Licence fixtures: a person licence type and a legal-person licence type defined by the Lu'an
market regulation bureau (``organ``), and licences issued to 张三 and to his company."""

import pytest

from govhall.licenses import services

PERSON_SCHEMA = [
    {"name": "category", "label_zh": "类别", "label_en": "Category", "type": "text", "required": True, "public": True},
    {"name": "qualified_on", "label_zh": "取得资格日期", "label_en": "Qualified on", "type": "date",
     "required": True, "public": True},
    {"name": "score", "label_zh": "考核分数", "label_en": "Score", "type": "number", "required": False,
     "public": False},
    {"name": "address", "label_zh": "住址", "label_en": "Address", "type": "text", "required": False,
     "public": False},
]

COMPANY_SCHEMA = [
    {"name": "business_name", "label_zh": "经营者名称", "label_en": "Operator", "type": "text", "required": True,
     "public": True},
    {"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
     "public": True},
    {"name": "scope", "label_zh": "经营项目", "label_en": "Business scope", "type": "text", "required": True,
     "public": False},
    {"name": "legal_rep", "label_zh": "法定代表人", "label_en": "Legal representative", "type": "text",
     "required": True, "public": False},
]


@pytest.fixture
def person_type(organ):
    return services.licence_type_create(actor=None, type_code=organ.credit_code + "001", name="食品安全管理员证",
                                        holder_kind="person", face_schema=PERSON_SCHEMA, defining_organ=organ,
                                        validity_years=3, template="licences/person_card")


@pytest.fixture
def company_type(organ):
    return services.licence_type_create(actor=None, type_code=organ.credit_code + "002", name="食品经营许可证",
                                        holder_kind="legal_person", face_schema=COMPANY_SCHEMA, defining_organ=organ,
                                        validity_years=5, template="licences/food_business")


PERSON_FACE = {"category": "餐饮服务", "qualified_on": "2024-05-06", "score": 92, "address": "六安市金安区梅山路1号"}
COMPANY_FACE = {"business_name": "六安皖西茶业有限公司", "premises": "六安市裕安区茶城路8号",
                "scope": "预包装食品销售", "legal_rep": "张三"}


@pytest.fixture
def person_licence(person_type, organ, applicant_person):
    return services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name="张三",
                                  holder_code="341502199003071235", holder_user=applicant_person.user,
                                  face=dict(PERSON_FACE), case_number="CASE-1")


@pytest.fixture
def company_licence(company_type, organ, company, applicant):
    return services.licence_issue(actor=None, licence_type=company_type, issuer=organ, holder_name=company.name,
                                  holder_code=company.credit_code, holder_user=applicant, face=dict(COMPANY_FACE))


@pytest.fixture
def stranger(db, django_user_model):
    return django_user_model.objects.create_user(username="stranger", password="Correct-Horse-9")
