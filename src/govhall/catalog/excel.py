"""The implementation list (实施清单) as an Excel workbook: the column layout, parsing a workbook into
guide dicts (catalog/guide.py shape) with every cell problem, and building a workbook from versions.

No writes here: the import service (services_import.py) checks the parsed rows against the database
and calls the catalogue services. The layout is documented in docs/excel-format.md and in the
"说明 Notes" sheet of every exported workbook and template.

Problems found in a workbook are ``Problem`` objects whose ``field`` is the sheet name, ``row`` the
row number as Excel shows it (the header is row 1) and ``column`` the header's machine key.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from govhall.core.errors import Problem

from .codesets import (
    CaseKind,
    CrossRegionScope,
    ExerciseLevel,
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
from .guide import publish_problems, validate_guide
from .models import FAQ, FeeItem, ImplementationItem, ItemVersion, Material, ProcessStep, SpecialProcedure

XLSX_SIGNATURE = b"PK\x03\x04"
MAX_ROWS_PER_SHEET = 20_000
TRUE_WORDS = {"是", "true", "1", "yes", "y", "t"}
FALSE_WORDS = {"否", "false", "0", "no", "n", "f"}
LIST_SEPARATORS = re.compile(r"[;；]")

TEXT, INT, BOOL, LIST, CHOICE, CHOICES = "text", "int", "bool", "list", "choice", "choices"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = TEXT
    choices: tuple[str, ...] = ()
    required: bool = False
    default: Any = ""
    model: type[Model] | None = None

    @property
    def header(self) -> str:
        return f"{self.zh} {self.key}"

    @property
    def max_length(self) -> int | None:
        if self.model is None or self.kind != TEXT:
            return None
        try:
            return getattr(self.model._meta.get_field(self.key), "max_length", None)
        except Exception:  # noqa: BLE001 - not a model field (codes of the item row)
            return None


def _c(key, zh, en, kind=TEXT, choices=None, required=False, default=None, model=ItemVersion) -> Column:
    if default is None:
        default = {TEXT: "", INT: None, BOOL: False, LIST: [], CHOICE: "", CHOICES: []}[kind]
    return Column(key, zh, en, kind, tuple(choices.values) if choices is not None else (), required, default, model)


_CODE = _c("implementation_code", "实施编码", "implementation code (31 characters)", required=True, model=None)

ITEM_COLUMNS = [
    _c("implementation_code", "实施编码",
       "implementation code = organ credit code + level + basic code; may be empty for a new item", model=None),
    _c("basic_code", "基本编码", "basic code of the catalogue item (12 characters)", required=True, model=None),
    _c("organ_credit_code", "实施机构统一社会信用代码", "implementing organ's unified social credit code",
       required=True, model=None),
    _c("level", "行使层级", "exercise level", CHOICE, ExerciseLevel, required=True, model=None),
    _c("local_code", "地方编码", "local code (new items only)", model=ImplementationItem),
    _c("name", "事项名称", "item name", required=True),
    _c("legal_basis", "设定依据", "legal basis"),
    _c("service_objects", "服务对象", "service objects", CHOICES, ServiceObject),
    _c("keywords", "关键词", "keywords", LIST),
    _c("case_kind", "办件类型", "case kind (empty = 2 promised)", CHOICE, CaseKind, default=CaseKind.PROMISED.value),
    _c("legal_time_limit_days", "法定办结时限（工作日）", "legal time limit (working days)", INT),
    _c("legal_time_limit_note", "法定办结时限说明", "note on the legal time limit"),
    _c("promised_time_limit_days", "承诺办结时限（工作日）", "promised time limit (working days)", INT),
    _c("acceptance_conditions", "受理条件", "acceptance conditions"),
    _c("fee_charged", "是否收费", "fees charged", BOOL),
    _c("online_depth", "网上办理深度", "online handling depth", CHOICES, OnlineDepth),
    _c("visits", "到办事现场次数", "visits to the hall (empty = 1)", INT, default=1),
    _c("handling_forms", "办理形式", "handling forms", CHOICES, HandlingForm),
    _c("result_kind", "审批结果类型", "result kind", CHOICE, ResultKind),
    _c("result_name", "审批结果名称", "result name"),
    _c("result_licence_type_code", "结果证照类型代码", "licence type code of the result"),
    _c("quantity_limit", "数量限制", "quantity limit"),
    _c("cross_region_scope", "通办范围", "cross-region scope (empty = none)", CHOICE, CrossRegionScope,
       default=CrossRegionScope.NONE.value),
    _c("intermediary_services", "中介服务", "intermediary services"),
    _c("appointment", "是否支持预约办理", "appointment available", BOOL),
    _c("online_payment", "是否支持网上支付", "online payment", BOOL),
    _c("postal_delivery", "是否支持物流快递", "delivery by post", BOOL),
    _c("location", "办理地点", "location"),
    _c("hours", "办理时间", "hours"),
    _c("consultation_phone", "咨询电话", "consultation phone"),
    _c("complaint_phone", "监督投诉电话", "complaint phone"),
    _c("min_trust_level", "最低实名认证等级", "minimum trust level 2-5 (empty = 2)", INT, default=2),
    _c("topics", "主题分类", "service topic codes", LIST),
    _c("joint_organs", "联办机构", "credit codes of co-implementing organs", LIST),
]
MATERIAL_COLUMNS = [
    _CODE,
    _c("name", "材料名称", "material name", required=True, model=Material),
    _c("necessity", "必要性", "necessity", CHOICE, Necessity, required=True, model=Material),
    _c("form", "材料形式", "form", CHOICE, MaterialForm, required=True, model=Material),
    _c("source", "来源渠道", "source channel", CHOICE, MaterialSource, required=True, model=Material),
    _c("licence_type_code", "电子证照类型代码", "e-licence type code (source e_licence)", model=Material),
    _c("data_resource_code", "共享数据资源代码", "shared data resource code (source shared_data)", model=Material),
    _c("issuing_organ", "出具单位", "issuing organ", model=Material),
    _c("original_count", "原件份数", "originals (empty = 0)", INT, default=0, model=Material),
    _c("copy_count", "复印件份数", "copies (empty = 0)", INT, default=0, model=Material),
    _c("paper_size", "纸质规格", "paper size", model=Material),
    _c("paper_legal_basis", "要求纸质原件的依据", "legal basis for requiring paper", model=Material),
    _c("acceptance_standard", "受理标准", "acceptance standard", model=Material),
    _c("notes", "填报须知", "notes", model=Material),
    _c("later_days", "容缺后补期限（工作日）", "working days to supply later (necessity later)", INT,
       model=Material),
]
FEE_COLUMNS = [
    _CODE,
    _c("name", "收费项目名称", "fee item", required=True, model=FeeItem),
    _c("standard", "收费标准", "standard", required=True, model=FeeItem),
    _c("basis", "收费依据", "basis", model=FeeItem),
    _c("reduction", "减免政策", "reductions", model=FeeItem),
]
STEP_COLUMNS = [
    _CODE,
    _c("kind", "环节类型", "step kind", CHOICE, StepKind, required=True, model=ProcessStep),
    _c("name", "环节名称", "step name", required=True, model=ProcessStep),
    _c("description", "环节说明", "description", model=ProcessStep),
    _c("time_limit_days", "环节时限（工作日）", "time limit (working days)", INT, model=ProcessStep),
]
PROCEDURE_COLUMNS = [
    _CODE,
    _c("kind", "特别程序种类", "kind", CHOICE, SpecialProcedureKind, required=True, model=SpecialProcedure),
    _c("name", "特别程序名称", "name", required=True, model=SpecialProcedure),
    _c("counts_in_time", "是否计入办理时限", "counts in the time limit", BOOL, model=SpecialProcedure),
    _c("max_days", "最长时限（工作日）", "maximum duration (working days)", INT, model=SpecialProcedure),
    _c("legal_basis", "设定依据", "legal basis", model=SpecialProcedure),
]
FAQ_COLUMNS = [
    _CODE,
    _c("question", "问题", "question", required=True, model=FAQ),
    _c("answer", "解答", "answer", required=True, model=FAQ),
]


@dataclass(frozen=True)
class Sheet:
    name: str
    guide_key: str  # "" for the items sheet
    columns: list[Column]

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


NOTES_SHEET = "说明 Notes"
ITEMS = Sheet("实施清单 Items", "", ITEM_COLUMNS)
CHILD_SHEETS = [
    Sheet("申请材料 Materials", "materials", MATERIAL_COLUMNS),
    Sheet("收费项目 Fees", "fees", FEE_COLUMNS),
    Sheet("办理流程 Steps", "process_steps", STEP_COLUMNS),
    Sheet("特别程序 Special procedures", "special_procedures", PROCEDURE_COLUMNS),
    Sheet("常见问题 FAQ", "faqs", FAQ_COLUMNS),
]
SHEETS = [ITEMS, *CHILD_SHEETS]
ITEM_IDENTITY = ("implementation_code", "basic_code", "organ_credit_code", "level", "local_code")


def cell_problem(code: str, zh: str, en: str, sheet: str, row: int | None = None, column: str = "") -> Problem:
    return Problem(code, zh, en, sheet, row, column)


def describe(problem: Problem) -> str:
    """One line for a person: sheet, row, column, then the message in both languages."""
    where = problem.field or ""
    if problem.row is not None:
        where += f" 第{problem.row}行 row {problem.row}"
    if problem.column:
        where += f" [{problem.column}]"
    return f"{where}: {problem.message_zh} / {problem.message_en}".strip()


# --- parsing ---

@dataclass
class ParsedItem:
    """One Items row with its child rows folded into ``guide``; ``child_rows`` keeps Excel row numbers
    per guide list (``materials`` → [5, 6]) so that guide problems can name the cell."""

    row: int
    code: str
    basic_code: str
    organ_credit_code: str
    level: str
    local_code: str
    guide: dict
    child_rows: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class ParsedList:
    items: list[ParsedItem]
    problems: list[Problem]


def open_workbook(data: bytes):
    """The workbook (read-only) or a Problem when the bytes are not an .xlsx file."""
    bad = cell_problem("import.not_xlsx", "文件不是有效的 Excel 工作簿（.xlsx）",
                       "the file is not a valid Excel workbook (.xlsx)", "file")
    if not data.startswith(XLSX_SIGNATURE):
        return None, bad
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True), None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds (BadZipFile, KeyError…) for bad packages
        return None, Problem(bad.code, bad.message_zh, f"{bad.message_en} ({type(exc).__name__})", "file")


def parse_workbook(data: bytes) -> ParsedList:
    """Every Items row as a ParsedItem, and every problem of shape and type at once."""
    wb, problem = open_workbook(data)
    if problem:
        return ParsedList([], [problem])
    try:
        return _parse(wb)
    finally:
        wb.close()


def _find_sheet(wb, sheet: Sheet):
    wanted = _norm_sheet(sheet.name)
    for name in wb.sheetnames:
        if _norm_sheet(name) == wanted or _norm_sheet(name) == _norm_sheet(sheet.name.split(" ", 1)[1]):
            return wb[name]
    return None


def _norm_sheet(name: str) -> str:
    return " ".join(str(name).split()).lower()


def _parse(wb) -> ParsedList:
    problems: list[Problem] = []
    ws = _find_sheet(wb, ITEMS)
    if ws is None:
        return ParsedList([], [cell_problem("import.sheet_missing", f"缺少工作表“{ITEMS.name}”",
                                            f"the sheet '{ITEMS.name}' is missing", ITEMS.name)])
    items: list[ParsedItem] = []
    by_code: dict[str, ParsedItem] = {}
    present, rows = _read_sheet(ws, ITEMS, problems)
    for row, values in rows:
        values.pop(_FAILED, None)
        ident = {k: values.pop(k, "") for k in ITEM_IDENTITY}
        code = ident["implementation_code"] or (
            f"{ident['organ_credit_code']}{ident['level']}{ident['basic_code']}"
            if ident["organ_credit_code"] and ident["level"] and ident["basic_code"] else "")
        item = ParsedItem(row, code, ident["basic_code"], ident["organ_credit_code"], ident["level"],
                          ident["local_code"], values)
        if code and code in by_code:
            problems.append(cell_problem("import.duplicate_code",
                                         f"实施编码 {code} 与第{by_code[code].row}行重复",
                                         f"implementation code {code} repeats row {by_code[code].row}",
                                         ITEMS.name, row, "implementation_code"))
            continue
        if code:
            by_code[code] = item
        items.append(item)
    for sheet in CHILD_SHEETS:
        ws = _find_sheet(wb, sheet)
        if ws is None:
            continue  # an absent child sheet leaves that part of existing drafts unchanged
        for item in items:
            item.guide[sheet.guide_key] = []
            item.child_rows[sheet.guide_key] = []
        _, rows = _read_sheet(ws, sheet, problems)
        for row, values in rows:
            code = values.pop("implementation_code", "")
            if not code:
                continue  # reported as a required cell
            parent = by_code.get(code)
            if parent is None:
                problems.append(cell_problem("import.unknown_parent",
                                             f"实施编码 {code} 不在“{ITEMS.name}”工作表中",
                                             f"implementation code {code} is not on the sheet '{ITEMS.name}'",
                                             sheet.name, row, "implementation_code"))
                continue
            failed = values.pop(_FAILED, set())
            child = {c.key: values.get(c.key, c.default) for c in sheet.columns
                     if c.key != "implementation_code" and c.key not in failed}
            parent.guide[sheet.guide_key].append(child)
            parent.child_rows[sheet.guide_key].append(row)
    return ParsedList(items, problems)


_FAILED = "__failed__"  # keys of a row's cells that did not convert (left out of the guide)


def _read_sheet(ws, sheet: Sheet, problems: list[Problem]) -> tuple[set[str], list[tuple[int, dict]]]:
    """(keys of present columns, [(excel row, {key: converted value})]); bad cells are left out."""
    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None) or ()
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        if cell is None or not str(cell).strip():
            continue
        key = str(cell).split()[-1].strip()
        column = sheet.column(key)
        if column is None:
            problems.append(cell_problem("import.unknown_column", f"无法识别的列“{cell}”",
                                         f"unknown column '{cell}'", sheet.name, 1, key))
        elif key in index:
            problems.append(cell_problem("import.duplicate_column", f"列 {key} 重复", f"column {key} appears twice",
                                         sheet.name, 1, key))
        else:
            index[key] = i
    for column in sheet.columns:
        if column.required and column.key not in index:
            problems.append(cell_problem("import.column_missing", f"缺少必填列“{column.header}”",
                                         f"required column '{column.header}' is missing", sheet.name, 1, column.key))
    out = []
    for row_number, raw in enumerate(rows_iter, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue
        if row_number > MAX_ROWS_PER_SHEET + 1:
            problems.append(cell_problem("import.too_many_rows", f"每个工作表最多 {MAX_ROWS_PER_SHEET} 行",
                                         f"at most {MAX_ROWS_PER_SHEET} rows per sheet", sheet.name, row_number))
            break
        values: dict[str, Any] = {}
        failed: set[str] = set()
        for key, i in index.items():
            column = sheet.column(key)
            raw_value = raw[i] if i < len(raw) else None
            value, error = convert(column, raw_value)
            if error:
                problems.append(cell_problem(f"import.{error[0]}", error[1], error[2], sheet.name, row_number, key))
                failed.add(key)
            else:
                values[key] = value
        if failed:
            values[_FAILED] = failed
        out.append((row_number, values))
    return set(index), out


def _is_empty(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def convert(column: Column, raw) -> tuple[Any, tuple[str, str, str] | None]:
    """(value, None) or (None, (code, message_zh, message_en)) for one cell."""
    if _is_empty(raw):
        if column.required:
            return None, ("required", "必填", "required")
        return (list(column.default) if isinstance(column.default, list) else column.default), None
    if column.kind == INT:
        return _int(raw)
    if column.kind == BOOL:
        word = _text(raw).lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, ("not_boolean", f"应填“是”或“否”，不是“{_text(raw)}”", f"must be 是 or 否 (yes/no), not {_text(raw)!r}")
    text = _text(raw)
    if column.key == "basic_code" and isinstance(raw, int | float) and len(text) < 12:
        text = text.zfill(12)  # Excel drops the leading zeros of a code typed as a number
    if column.kind in (LIST, CHOICES):
        values = [v.strip() for v in LIST_SEPARATORS.split(text) if v.strip()]
        bad = [v for v in values if column.choices and v not in column.choices]
        if bad:
            return None, ("bad_choice", f"取值无效：{'；'.join(bad)}（可选：{'；'.join(column.choices)}）",
                          f"invalid value(s) {bad}; allowed: {', '.join(column.choices)}")
        return values, None
    if column.kind == CHOICE and column.choices and text not in column.choices:
        return None, ("bad_choice", f"取值无效：{text}（可选：{'；'.join(c for c in column.choices if c)}）",
                      f"invalid value {text!r}; allowed: {', '.join(c for c in column.choices if c)}")
    if column.max_length and len(text) > column.max_length:
        return None, ("too_long", f"不得超过 {column.max_length} 个字符", f"at most {column.max_length} characters")
    return text, None


def _int(raw) -> tuple[Any, tuple[str, str, str] | None]:
    value = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d+\s*", raw):
        value = int(raw)
    if value is None:
        return None, ("not_integer", f"应为整数，不是“{_text(raw)}”", f"must be a whole number, not {_text(raw)!r}")
    if not 0 <= value <= 32767:
        return None, ("out_of_range", "应为 0 至 32767 的整数", "must be a whole number from 0 to 32767")
    return value, None


# --- guide rules, mapped to cells ---

_MATERIAL_CODE_COLUMNS = {"material.licence_type_required": "licence_type_code",
                          "material.resource_required": "data_resource_code",
                          "material.later_days_required": "later_days",
                          "material.paper_basis_required": "paper_legal_basis", "guide.required": "name"}
_CHILD_INDEX = re.compile(r"^(\w+)\[(\d+)\]$")


def guide_problems(item: ParsedItem, *, publish: bool, complete: bool = True) -> list[Problem]:
    """catalog.guide rules for one parsed item, each placed on its sheet, row and column.

    ``complete`` is False for an existing item whose workbook leaves columns out: fields that are
    absent are not reported as missing for publishing (version_publish checks the merged draft).
    """
    problems = publish_problems(item.guide) if publish else validate_guide(item.guide)
    out = []
    for p in problems:
        if not complete and p.code == "publish.required" and p.field not in item.guide:
            continue
        out.append(locate(item, p))
    return out


def locate(item: ParsedItem, p: Problem) -> Problem:
    """Place a service or guide problem (field = guide path) on the workbook cell it is about."""
    match = _CHILD_INDEX.match(p.field or "")
    if match and match.group(1) in item.child_rows:
        key, i = match.group(1), int(match.group(2))
        rows = item.child_rows[key]
        sheet = next(s for s in CHILD_SHEETS if s.guide_key == key)
        child = item.guide[key][i - 1] if i <= len(item.guide[key]) else {}
        column = _child_column(key, p, child)
        return Problem(p.code, p.message_zh, p.message_en, sheet.name, rows[i - 1] if i <= len(rows) else item.row,
                       column)
    column = p.field if p.field and "[" not in p.field else ""
    return Problem(p.code, p.message_zh, p.message_en, ITEMS.name, item.row, column)


def _child_column(key: str, p: Problem, child: dict) -> str:
    if key == "materials":
        if p.code == "guide.bad_choice" and (m := re.search(r"invalid (\w+)$", p.message_en)):
            return m.group(1)
        if p.code == "guide.not_integer" and (m := re.search(r": (\w+) must be", p.message_en)):
            return m.group(1)
        return _MATERIAL_CODE_COLUMNS.get(p.code, "")
    if key == "fees":
        return "name" if not (child.get("name") or "").strip() else "standard"
    return "kind" if p.code == "guide.bad_choice" else "name"


# --- building workbooks ---

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TEXT_FORMAT = "@"


def _cell_value(column: Column, value):
    if column.kind in (LIST, CHOICES):
        return ";".join(str(v) for v in value or [])
    if column.kind == BOOL:
        return "" if value is None else ("是" if value else "否")  # None: not published (a listed version)
    if column.kind == INT:
        return value
    return "" if value is None else str(value)


def _add_sheet(wb: Workbook, sheet: Sheet, rows: Iterable[dict]) -> None:
    ws = wb.create_sheet(sheet.name)
    ws.append([c.header for c in sheet.columns])
    for i, c in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = max(14, min(40, len(c.header) + 4))
    ws.freeze_panes = "A2"
    for values in rows:
        ws.append([_cell_value(c, values.get(c.key, c.default)) for c in sheet.columns])
        for i, c in enumerate(sheet.columns, start=1):
            if c.kind in (TEXT, CHOICE, LIST, CHOICES):
                ws.cell(row=ws.max_row, column=i).number_format = TEXT_FORMAT


def build_workbook(entries: Iterable[tuple[ItemVersion, dict]]) -> Workbook:
    """A workbook in the import layout from (version, guide_of(version)) pairs.

    The version needs ``item__organ`` and ``item__catalog_item`` loaded; an empty iterable gives
    the blank template."""
    items: list[dict] = []
    children: dict[str, list[dict]] = {s.guide_key: [] for s in CHILD_SHEETS}
    for version, guide in entries:
        item = version.item
        row = {**guide, "implementation_code": item.code, "basic_code": item.catalog_item.basic_code,
               "organ_credit_code": item.organ.credit_code, "level": item.level, "local_code": item.local_code}
        items.append(row)
        for key, rows in children.items():
            rows.extend({**child, "implementation_code": item.code} for child in guide.get(key) or [])
    wb = Workbook()
    notes = wb.active
    notes.title = NOTES_SHEET
    _fill_notes(notes)
    _add_sheet(wb, ITEMS, items)
    for sheet in CHILD_SHEETS:
        _add_sheet(wb, sheet, children[sheet.guide_key])
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _allowed(column: Column, labels: dict[str, dict[str, str]]) -> str:
    if column.kind == BOOL:
        return "是/否 (also true/false, 1/0, yes/no)"
    if column.kind == INT:
        return "整数 whole number"
    if column.kind == LIST:
        return "多个值用 ; 分隔 / several values separated by ;"
    if column.choices:
        choices = labels.get(column.key, {})
        listed = "; ".join(f"{v} = {choices.get(v, v)}" for v in column.choices if v)
        return ("多选，用 ; 分隔 / several, separated by ; — " if column.kind == CHOICES else "") + listed
    return "文本 text"


_CHOICE_CLASSES = {
    "level": ExerciseLevel, "service_objects": ServiceObject, "case_kind": CaseKind, "online_depth": OnlineDepth,
    "handling_forms": HandlingForm, "result_kind": ResultKind, "cross_region_scope": CrossRegionScope,
    "necessity": Necessity, "form": MaterialForm, "source": MaterialSource,
}


def _choice_labels() -> dict[str, dict[str, str]]:
    with translation.override("en"):
        labels = {k: {v: str(label) for v, label in cls.choices} for k, cls in _CHOICE_CLASSES.items()}
        labels["kind"] = {v: str(label) for v, label in [*StepKind.choices, *SpecialProcedureKind.choices]}
    return labels


def _fill_notes(ws) -> None:
    labels = _choice_labels()
    lines = [
        ["实施清单导入导出模板 Implementation list import / export template"],
        ["第1行为表头，数据从第2行开始；表头为“中文名 key”，按空格后的 key 识别列，列的顺序不限。"],
        ["Row 1 is the header, data starts on row 2; a header is 'Chinese name key' and columns are matched by "
         "the key after the space, in any order."],
        ["多值用英文或中文分号分隔（如 1;2;3）；是否类填“是/否”；代码类取值填代码（如 required、01）。"],
        ["Several values are separated by ';' (e.g. 1;2;3); yes/no cells take 是/否; coded cells take the code."],
        ["子表（材料、收费、流程、特别程序、常见问题）每行以实施编码关联到“实施清单 Items”中的事项，按行序排列。"],
        ["Child sheets link each row to an item on 'Items' by implementation code; rows keep their order."],
        ["任何一行有错误时整个文件都不导入，并列出全部错误（工作表、行号、列）。"],
        ["If any row has an error nothing is imported, and every error is listed (sheet, row, column)."],
        [],
        ["工作表 sheet", "表头 header", "说明 meaning", "必填 required", "取值 allowed values"],
    ]
    for line in lines:
        ws.append(line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for i in range(1, 6):
        ws.cell(row=len(lines), column=i).font = HEADER_FONT
    for sheet in SHEETS:
        for c in sheet.columns:
            ws.append([sheet.name, c.header, c.en, "是" if c.required else "", _allowed(c, labels)])
    for letter, width in zip("ABCDE", (26, 36, 48, 10, 80), strict=True):
        ws.column_dimensions[letter].width = width
