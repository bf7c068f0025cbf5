"""The guide as plain data: one dict shape shared by the demo loader, the Excel import, the console
forms and the API. ``validate_guide`` checks shape and rules and returns every problem at once."""

from __future__ import annotations

from govhall.core.errors import Problem

from .codesets import (
    CaseKind,
    CrossRegionScope,
    HandlingForm,
    MaterialForm,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ResultKind,
    ServiceObject,
    SpecialProcedureKind,
    StepKind,
)

SCALAR_FIELDS = [
    "name", "legal_basis", "service_objects", "keywords", "case_kind", "legal_time_limit_days",
    "legal_time_limit_note", "promised_time_limit_days", "acceptance_conditions", "fee_charged", "online_depth",
    "visits", "handling_forms", "result_kind", "result_name", "result_licence_type_code", "quantity_limit",
    "cross_region_scope", "intermediary_services", "appointment", "online_payment", "postal_delivery", "location",
    "hours", "consultation_phone", "complaint_phone", "min_trust_level",
]
MATERIAL_FIELDS = [
    "name", "necessity", "form", "source", "licence_type_code", "data_resource_code", "issuing_organ",
    "original_count", "copy_count", "paper_size", "paper_legal_basis", "acceptance_standard", "notes", "later_days",
]
FEE_FIELDS = ["name", "standard", "basis", "reduction"]
STEP_FIELDS = ["kind", "name", "description", "time_limit_days"]
PROCEDURE_FIELDS = ["kind", "name", "counts_in_time", "max_days", "legal_basis"]
FAQ_FIELDS = ["question", "answer"]
LIST_FIELDS = {"service_objects", "keywords", "online_depth", "handling_forms"}
BOOL_FIELDS = {"fee_charged", "appointment", "online_payment", "postal_delivery"}
INT_FIELDS = {"legal_time_limit_days", "promised_time_limit_days", "visits"}
CHOICES = {
    "case_kind": CaseKind.values, "result_kind": [*ResultKind.values, ""],
    "cross_region_scope": CrossRegionScope.values,
}
LIST_CHOICES = {"service_objects": ServiceObject.values, "online_depth": OnlineDepth.values,
                "handling_forms": HandlingForm.values}
REQUIRED_TO_PUBLISH = {
    "name": ("事项名称", "item name"), "legal_basis": ("设定依据", "legal basis"),
    "acceptance_conditions": ("受理条件", "acceptance conditions"),
    "legal_time_limit_days": ("法定办结时限", "legal time limit"),
    "promised_time_limit_days": ("承诺办结时限", "promised time limit"),
    "service_objects": ("服务对象", "service objects"), "handling_forms": ("办理形式", "handling forms"),
    "result_name": ("审批结果名称", "result name"), "location": ("办理地点", "location"),
    "hours": ("办理时间", "hours"), "consultation_phone": ("咨询电话", "consultation phone"),
    "complaint_phone": ("监督投诉电话", "complaint phone"),
}


def _p(code: str, zh: str, en: str, field: str) -> Problem:
    return Problem(code, zh, en, field)


def validate_guide(data: dict) -> list[Problem]:
    """Shape and rule problems of a guide dict (draft-level: empty fields are allowed here)."""
    problems: list[Problem] = []
    for field in INT_FIELDS:
        value = data.get(field)
        if value in (None, ""):
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(_p("guide.not_integer", "应为整数", "must be a whole number", field))
        elif value < (0 if field == "visits" else 1):
            problems.append(_p("guide.time_limit_not_positive", "时限必须大于零", "must be greater than zero", field)
                            if field != "visits" else _p("guide.negative", "不能为负数", "must not be negative", field))
    if "min_trust_level" in data and data["min_trust_level"] not in (2, 3, 4, 5):
        problems.append(_p("guide.bad_choice", "最低实名等级应为 2-5", "minimum trust level must be 2-5",
                           "min_trust_level"))
    legal, promised = data.get("legal_time_limit_days"), data.get("promised_time_limit_days")
    if isinstance(legal, int) and isinstance(promised, int) and promised > legal >= 1:
        problems.append(_p("guide.promised_exceeds_legal",
                           f"承诺时限（{promised}个工作日）不得超过法定时限（{legal}个工作日）",
                           f"the promised time limit ({promised} working days) exceeds the legal one ({legal})",
                           "promised_time_limit_days"))
    for field, allowed in CHOICES.items():
        if field in data and data[field] not in allowed:
            problems.append(_p("guide.bad_choice", f"取值无效：{data[field]!r}", f"invalid value {data[field]!r}", field))
    for field, allowed in LIST_CHOICES.items():
        bad = [v for v in data.get(field) or [] if v not in allowed]
        if bad:
            problems.append(_p("guide.bad_choice", f"取值无效：{bad}", f"invalid values {bad}", field))
    for i, m in enumerate(data.get("materials") or [], start=1):
        problems += _material_problems(i, m)
    for i, s in enumerate(data.get("process_steps") or [], start=1):
        if s.get("kind") not in StepKind.values:
            problems.append(_p("guide.bad_choice", f"第{i}个环节类型无效", f"step {i}: invalid kind", f"process_steps[{i}]"))
        if not (s.get("name") or "").strip():
            problems.append(_p("guide.required", f"第{i}个环节缺少名称", f"step {i}: name is required",
                               f"process_steps[{i}]"))
    for i, s in enumerate(data.get("special_procedures") or [], start=1):
        if s.get("kind") not in SpecialProcedureKind.values:
            problems.append(_p("guide.bad_choice", f"第{i}个特别程序类型无效", f"special procedure {i}: invalid kind",
                               f"special_procedures[{i}]"))
    for i, f in enumerate(data.get("fees") or [], start=1):
        if not (f.get("name") or "").strip() or not (f.get("standard") or "").strip():
            problems.append(_p("guide.required", f"第{i}个收费项目缺少名称或标准", f"fee {i}: name and standard required",
                               f"fees[{i}]"))
    if data.get("fee_charged") is False and data.get("fees"):
        problems.append(_p("guide.fee_inconsistent", "标为不收费但列有收费项目", "marked free but fee items are listed",
                           "fee_charged"))
    return problems


def _material_problems(i: int, m: dict) -> list[Problem]:
    where, out = f"materials[{i}]", []
    name = (m.get("name") or "").strip()
    label_zh, label_en = f"材料{i}（{name}）", f"material {i} ({name})"
    if not name:
        out.append(_p("guide.required", f"第{i}个材料缺少名称", f"material {i}: name is required", where))
    for field, allowed in (("necessity", Necessity.values), ("form", MaterialForm.values),
                           ("source", MaterialSource.values)):
        if m.get(field) not in allowed:
            out.append(_p("guide.bad_choice", f"{label_zh}：{field} 取值无效", f"{label_en}: invalid {field}", where))
    if m.get("source") == MaterialSource.E_LICENCE and not m.get("licence_type_code"):
        out.append(_p("material.licence_type_required", f"{label_zh}：来自电子证照库的材料须注明证照类型代码",
                      f"{label_en}: an e-licence material needs its licence type code", where))
    if m.get("source") == MaterialSource.SHARED_DATA and not m.get("data_resource_code"):
        out.append(_p("material.resource_required", f"{label_zh}：来自共享数据的材料须注明数据资源代码",
                      f"{label_en}: a shared-data material needs its data resource code", where))
    if m.get("necessity") == Necessity.LATER and not m.get("later_days"):
        out.append(_p("material.later_days_required", f"{label_zh}：容缺后补材料须注明补交期限（工作日）",
                      f"{label_en}: a may-follow-later material needs its deadline in working days", where))
    if m.get("form") == MaterialForm.PAPER and (m.get("original_count") or 0) > 0 and not m.get("paper_legal_basis"):
        out.append(_p("material.paper_basis_required", f"{label_zh}：要求提交纸质原件须注明法律依据（第七条）",
                      f"{label_en}: requiring a paper original needs its legal basis (Art. 7)", where))
    for field in ("original_count", "copy_count"):
        value = m.get(field, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            out.append(_p("guide.not_integer", f"{label_zh}：份数应为非负整数", f"{label_en}: {field} must be ≥ 0", where))
    return out


def publish_problems(data: dict) -> list[Problem]:
    """Everything a guide needs before it may be published, plus the draft-level rules."""
    problems = validate_guide(data)
    for field, (zh, en) in REQUIRED_TO_PUBLISH.items():
        value = data.get(field)
        if value in (None, "", []):
            problems.append(_p("publish.required", f"发布前须填写：{zh}", f"required before publishing: {en}", field))
    if not data.get("materials"):
        problems.append(_p("publish.required", "发布前须至少列出一项申请材料", "list at least one material", "materials"))
    if not data.get("process_steps"):
        problems.append(_p("publish.required", "发布前须列出办理流程", "list the process steps", "process_steps"))
    if data.get("fee_charged") and not data.get("fees"):
        problems.append(_p("publish.required", "收费事项须列出收费项目及标准", "a charged item lists its fees", "fees"))
    return problems


# --- listed before complete ---

# A *listed* version publishes that the item exists: name, organ, type, codes and where to apply.
# These guide fields keep a stored default that cannot be told from a published value (a draft made
# from a list has "free of charge", "1 visit", "promised" …), so a listed guide never shows them.
DEFAULTED_FIELDS = ("case_kind", "fee_charged", "visits", "appointment", "online_payment", "postal_delivery",
                    "cross_region_scope", "min_trust_level", "online_depth")

# The parts of a guide, in the order the portal shows them: (key, zh, en, guide fields that publish it).
GUIDE_PARTS = [
    ("legal_basis", "设定依据", "legal basis", ("legal_basis",)),
    ("service_objects", "服务对象", "service objects", ("service_objects",)),
    ("acceptance_conditions", "受理条件", "acceptance conditions", ("acceptance_conditions",)),
    ("materials", "申请材料", "materials", ("materials",)),
    ("process_steps", "办理流程", "process steps", ("process_steps",)),
    ("legal_time_limit_days", "法定办结时限", "legal time limit", ("legal_time_limit_days",)),
    ("promised_time_limit_days", "承诺办结时限", "promised time limit", ("promised_time_limit_days",)),
    ("fees", "收费", "fees", ("fees",)),
    ("handling_forms", "办理形式", "handling forms", ("handling_forms",)),
    ("online", "网上办理深度、到现场次数、预约、网上支付、物流快递", "online depth, visits, appointment, online payment, "
     "delivery by post", ()),
    ("result_name", "审批结果", "result", ("result_name",)),
    ("location", "办理地点", "location", ("location",)),
    ("hours", "办理时间", "hours", ("hours",)),
    ("consultation_phone", "咨询电话", "consultation phone", ("consultation_phone",)),
    ("complaint_phone", "监督投诉电话", "complaint phone", ("complaint_phone",)),
    ("faqs", "常见问题", "frequently asked questions", ("faqs",)),
]


def listed_parts(data: dict) -> dict[str, bool]:
    """For a listed guide: which parts are published (a value was given) and which are not. Parts
    whose fields only have stored defaults (``online``) are never published in a listed guide; fees
    count as published only when fee items are listed."""
    return {key: bool(fields) and all(data.get(f) not in (None, "", []) for f in fields)
            for key, _zh, _en, fields in GUIDE_PARTS}


def missing_for_complete(data: dict) -> list[tuple[str, str, str]]:
    """(field, zh, en) of everything a guide still lacks before it can be published complete."""
    out, seen = [], set()
    for p in publish_problems(data):
        if p.code == "publish.required" and p.field not in seen:
            seen.add(p.field)
            zh, en = REQUIRED_TO_PUBLISH.get(p.field, (p.message_zh.split("：")[-1], p.message_en.split(": ")[-1]))
            if p.field == "materials":
                zh, en = "申请材料", "materials"
            elif p.field == "process_steps":
                zh, en = "办理流程", "process steps"
            elif p.field == "fees":
                zh, en = "收费项目", "fee items"
            out.append((p.field, zh, en))
    return out


def listing_problems(data: dict, *, item) -> list[Problem]:
    """What publishing ``item`` as *listed* needs: a name, and a code to find it by (national or
    local) unless it is a main item with sub-items; plus the draft-level rules. Organ and type
    come with the item and its catalogue entry."""
    problems = validate_guide(data)
    if not (data.get("name") or "").strip():
        problems.append(_p("publish.required", "发布前须填写：事项名称", "required before publishing: item name", "name"))
    if not (item.code or item.local_code or item.sub_items.exists()):
        problems.append(_p("publish.listing_code", "列入清单须有实施编码或地方编码（主项须有子项）",
                           "a listed item needs its implementation code or local code (a main item needs "
                           "sub-items)", "implementation_code"))
    return problems
