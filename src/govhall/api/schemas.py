"""Response and query schemas of API v1. Field names are stable: change them additively only."""

import datetime as dt

from ninja import Field, Schema

from govhall.catalog.codesets import ItemType, TopicAudience
from govhall.core.api_schemas import BIGINT_MAX, MAX_PAGE, ErrorDetail, ErrorOut, ProblemOut  # noqa: F401, E402

# --- catalogue ---

class ItemSearchQuery(Schema):
    q: str = Field("", description="全文检索词 / search words (name, keywords, guide text)", max_length=200)
    region: str | None = Field(None, description="行政区划代码，含下级 / division code, subtree included")
    organ: str | None = Field(None, description="实施机构统一社会信用代码（未登记信用代码的机构：O+编号）/ organ's "
                                                "credit code (an organ without one yet: O + its id)")
    type: ItemType | None = Field(None, description="事项类型 / item type (GB/T 39046 A.1)")
    topic: str | None = Field(None, description="主题代码 / topic code")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=100)


class GuideQuery(Schema):
    on: dt.date | None = Field(None, description="YYYY-MM-DD：返回该日有效的版本 / the version in force on that "
                                                 "date (default: today)")


class OrganQuery(Schema):
    region: str | None = Field(None, description="行政区划代码，含下级 / division code, subtree included")


class OrganRef(Schema):
    credit_code: str | None = Field(description="null while the organ's credit code is still to be completed")
    name: str
    ref: str = Field("", description="机构引用（信用代码，或 O+编号）/ the organ's reference: its credit code, or "
                                     "O + its id while that is unknown")


class OrganWithRegion(OrganRef):
    region_code: str


class ItemSummary(Schema):
    implementation_code: str | None = Field(description="国家实施编码；尚未确定时为 null / national implementation "
                                                        "code, null until known")
    key: str = Field("", description="事项标识（实施编码，或地方编码）/ the item's key: its implementation code, or "
                                     "its local code while that is unknown; the detail URL takes it")
    completeness: str = Field("complete", description="complete：完整办事指南；listed：仅列入清单，指南尚未完整公布 / "
                                                      "complete guide, or listed (guide not yet complete)")
    name: str
    item_type: str
    item_type_label: str
    organ: OrganRef
    region_code: str
    promised_time_limit_days: int | None
    legal_time_limit_days: int | None
    visits: int | None = Field(description="null for a listed item (not yet published)")
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


class ItemFamilyRef(Schema):
    key: str
    name: str


class ItemDetail(Schema):
    implementation_code: str | None = Field(description="null until the national implementation code is known")
    key: str = Field("", description="事项标识 / the item's key (implementation code, or local code)")
    local_code: str = Field("", description="地方编码 / the province's own item code, as published")
    completeness: str = Field("complete", description="complete or listed (guide not yet complete: the fields "
                                                      "in not_published are null or empty and mean nothing)")
    not_published: list[str] = Field(default_factory=list, description="尚未公布的指南字段 / guide fields not yet "
                                                                       "published (listed items)")
    can_apply_online: bool = Field(True, description="false for listed items / 仅列入清单的事项不能在线申请")
    main_item: ItemFamilyRef | None = Field(None, description="主项（本事项为子项时）/ the main item of a sub-item")
    sub_items: list[ItemFamilyRef] = Field(default_factory=list, description="子项 / sub-items in force")
    basic_code: str | None
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
    case_kind: str | None
    legal_time_limit_days: int | None
    legal_time_limit_note: str
    promised_time_limit_days: int | None
    acceptance_conditions: str
    fee_charged: bool | None
    online_depth: list[str]
    visits: int | None
    handling_forms: list[str]
    result_kind: str
    result_name: str
    result_licence_type_code: str
    result_sample_url: str | None
    quantity_limit: str
    cross_region_scope: str | None
    intermediary_services: str
    appointment: bool | None
    online_payment: bool | None
    postal_delivery: bool | None
    location: str
    hours: str
    consultation_phone: str
    complaint_phone: str
    min_trust_level: int | None = Field(description="最低实名认证等级 2-5 / minimum real-name trust level")
    topics: list[TopicOut]
    joint_organs: list[OrganRef]
    materials: list[MaterialOut]
    fees: list[FeeOut]
    process_steps: list[StepOut]
    special_procedures: list[SpecialProcedureOut]
    faqs: list[FaqOut]
