"""Response and query schemas of API v1. Field names are stable: change them additively only."""

import datetime as dt

from ninja import Field, Schema

from govhall.catalog.codesets import ItemType, TopicAudience


class ProblemOut(Schema):
    code: str
    message_zh: str
    message_en: str
    field: str = ""


class ErrorDetail(ProblemOut):
    problems: list[ProblemOut] = []


class ErrorOut(Schema):
    error: ErrorDetail


# --- catalogue ---

class ItemSearchQuery(Schema):
    q: str = Field("", description="全文检索词 / search words (name, keywords, guide text)", max_length=200)
    region: str | None = Field(None, description="行政区划代码，含下级 / division code, subtree included")
    organ: str | None = Field(None, description="实施机构统一社会信用代码 / organ's credit code")
    type: ItemType | None = Field(None, description="事项类型 / item type (GB/T 39046 A.1)")
    topic: str | None = Field(None, description="主题代码 / topic code")
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=100)


class GuideQuery(Schema):
    on: dt.date | None = Field(None, description="YYYY-MM-DD：返回该日有效的版本 / the version in force on that "
                                                 "date (default: today)")


class OrganQuery(Schema):
    region: str | None = Field(None, description="行政区划代码，含下级 / division code, subtree included")


class OrganRef(Schema):
    credit_code: str
    name: str


class OrganWithRegion(OrganRef):
    region_code: str


class ItemSummary(Schema):
    implementation_code: str
    name: str
    item_type: str
    item_type_label: str
    organ: OrganRef
    region_code: str
    promised_time_limit_days: int | None
    legal_time_limit_days: int | None
    visits: int
    url: str = Field(description="本接口的事项详情地址 / this API's detail URL of the item")


class ItemPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ItemSummary]
    suggestions: list[str] = Field(default_factory=list, description=(
        "“您是不是要找” did you mean: corrected queries (typos, homophones) or known words close to the query; "
        "empty when there is nothing to suggest"))


class TopicOut(Schema):
    code: str
    name: str


class TopicDetail(TopicOut):
    audience: str
    audience_label: str


class TopicList(Schema):
    count: int
    results: list[TopicDetail]


class TopicQuery(Schema):
    audience: TopicAudience | None = None


class OrganSummary(OrganWithRegion):
    short_name: str
    region_name: str
    address: str
    phone: str
    hours: str
    item_count: int


class OrganList(Schema):
    count: int
    results: list[OrganSummary]


class VersionOut(Schema):
    number: int
    effective_from: dt.date
    effective_until: dt.date | None = Field(description="exclusive; null while open-ended")


class MaterialOut(Schema):
    name: str
    necessity: str
    form: str
    source: str
    fetched_by_organ: bool = Field(description="机关通过电子证照或共享数据获取，申请人无需提交 / "
                                               "the organ fetches it (e-licence or shared data)")
    licence_type_code: str
    data_resource_code: str
    issuing_organ: str
    original_count: int
    copy_count: int
    paper_size: str
    paper_legal_basis: str
    acceptance_standard: str
    notes: str
    later_days: int | None
    blank_form_url: str | None
    sample_url: str | None


class FeeOut(Schema):
    name: str
    standard: str
    basis: str
    reduction: str


class StepOut(Schema):
    kind: str
    name: str
    description: str
    time_limit_days: int | None


class SpecialProcedureOut(Schema):
    kind: str
    name: str
    counts_in_time: bool
    max_days: int | None
    legal_basis: str


class FaqOut(Schema):
    question: str
    answer: str


class ItemDetail(Schema):
    implementation_code: str
    basic_code: str
    catalog_item_name: str
    item_type: str
    item_type_label: str
    level: str = Field(description="行使层级 / exercise level")
    level_label: str
    organ: OrganWithRegion
    version: VersionOut
    is_joint: bool
    # the guide (catalog/guide.py), field for field
    name: str
    legal_basis: str
    service_objects: list[str]
    keywords: list[str]
    case_kind: str
    legal_time_limit_days: int | None
    legal_time_limit_note: str
    promised_time_limit_days: int | None
    acceptance_conditions: str
    fee_charged: bool
    online_depth: list[str]
    visits: int
    handling_forms: list[str]
    result_kind: str
    result_name: str
    result_licence_type_code: str
    result_sample_url: str | None
    quantity_limit: str
    cross_region_scope: str
    intermediary_services: str
    appointment: bool
    online_payment: bool
    postal_delivery: bool
    location: str
    hours: str
    consultation_phone: str
    complaint_phone: str
    min_trust_level: int = Field(description="最低实名认证等级 2-5 / minimum real-name trust level")
    topics: list[TopicOut]
    joint_organs: list[OrganRef]
    materials: list[MaterialOut]
    fees: list[FeeOut]
    process_steps: list[StepOut]
    special_procedures: list[SpecialProcedureOut]
    faqs: list[FaqOut]
