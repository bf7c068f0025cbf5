"""The onboarding tables: their columns, and reading them from CSV, Excel (.xlsx) or JSON.

Every format gives the same rows and the same problems. A header is a column's key (``name``), its
Chinese name, "中文名 key" as in the implementation-list workbook, or one of its aliases (the names a
published list uses, such as ``department`` or ``item_code``); columns may come in any order.
Problems carry the table (``field``), the row and the column key: for CSV and Excel the row number
as a spreadsheet shows it (the header is row 1), for JSON the position of the record (from 1).
The layout is documented in docs/excel-format.md ("Onboarding tables").
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from govhall.core.errors import Problem

MAX_ROWS = 20000


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.zh} {self.key}"


@dataclass(frozen=True)
class Table:
    kind: str
    zh: str
    en: str
    columns: tuple[Column, ...]

    def column_for(self, header: str) -> Column | None:
        text = " ".join(str(header).split())
        candidates = {text, text.split(" ")[-1], text.lower(), text.split(" ")[-1].lower()}
        for column in self.columns:
            if candidates & {column.key, column.zh, *column.aliases}:
                return column
        return None


REGIONS = Table("regions", "行政区划", "regions", (
    Column("code", "区划代码", "division code: 6 or 9 digits, or the 12-digit statistical code", True,
           ("area_code", "division_code")),
    Column("name", "名称", "name", True, ("region_name",)),
    Column("level", "层级", "province, city, county or township (default: from the code)"),
    Column("parent", "上级区划代码", "parent's division code (default: from the code)", aliases=("parent_code",)),
))

ORGANS = Table("organs", "实施机构", "organs", (
    Column("name", "机构名称", "name", True, ("department", "organ", "organ_name")),
    Column("region", "所在区划代码", "division code of the organ's region (6, 9 or 12 digits)", True,
           ("area_code", "region_code")),
    Column("credit_code", "统一社会信用代码", "unified social credit code (GB 32100), checked"),
    Column("org_code", "组织机构代码", "legacy organisation code (GB 11714), checked"),
    Column("source_code", "原始部门编码", "the department code exactly as the list publishes it (kept; read "
           "when credit_code and org_code are empty)", aliases=("dept_code",)),
    Column("level", "行使层级", "exercise level 1-7 (default: from the region)"),
    Column("nature", "机构性质", "1 statutory, 2 authorised, 3 entrusted, 9 other (default: not yet known)"),
    Column("short_name", "简称", "short name"),
    Column("address", "地址", "address"),
    Column("phone", "电话", "phone"),
    Column("hours", "办公时间", "office hours"),
))

CATALOG = Table("catalog", "基本目录", "catalogue entries", (
    Column("name", "事项名称", "name", True),
    Column("item_type", "事项类型", "GB/T 39046 item type code (1 or 01 … 20)", True, ("task_type",)),
    Column("region", "编制区划代码", "division code of the region whose catalogue or list it is", True,
           ("area_code", "region_code")),
    Column("basic_code", "基本编码", "national basic code (12 characters), when known"),
    Column("local_code", "地方编码", "the province's own code, as published"),
    Column("legal_basis", "设定依据", "legal basis (required with a basic code)"),
    Column("exercise_levels", "行使层级", "exercise levels, separated by ;"),
    Column("supplementary", "市级补充事项", "是/否: a city's supplementary item"),
))

ITEMS = Table("items", "事项清单", "implementation items (a region's published list)", (
    Column("name", "事项名称", "item name", True),
    Column("organ", "实施机构", "implementing organ's name (registered in the region, or registered by this "
           "import)", aliases=("department", "organ_name", "dept_name")),
    Column("organ_credit_code", "实施机构统一社会信用代码", "the organ's credit code (instead of its name)"),
    Column("organ_code", "原始部门编码", "the department code exactly as the list publishes it",
           aliases=("dept_code", "source_code")),
    Column("main_item", "主项名称", "name of the main item (主项) this is a sub-item of; empty or 未分类 for none",
           aliases=("group", "main_item_name")),
    Column("local_code", "地方编码", "the province's own item code, as published (the item's key while it has "
           "no national code)", aliases=("item_code",)),
    Column("implementation_code", "实施编码", "national implementation code (31 characters), when known"),
    Column("basic_code", "基本编码", "basic code of a registered catalogue entry, when known"),
    Column("item_type", "事项类型", "GB/T 39046 item type code (1 or 01 … 20)", aliases=("task_type",)),
    Column("region", "区划代码", "division code (6, 9 or 12 digits; default: the region chosen for the import)",
           aliases=("area_code",)),
    Column("level", "行使层级", "exercise level 1-7 (default: from the region)"),
    Column("location", "办理地点", "where to apply"),
    Column("hours", "办理时间", "hours"),
    Column("consultation_phone", "咨询电话", "consultation phone"),
    Column("complaint_phone", "监督投诉电话", "complaint phone"),
))

TABLES = {t.kind: t for t in (REGIONS, ORGANS, CATALOG, ITEMS)}


@dataclass
class Rows:
    """Rows read from a file: ``rows`` are (row number, {column key: text}); ``problems`` are about
    the file or its header. ``format`` is csv, xlsx or json."""

    format: str = ""
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def problem(table: Table, code: str, zh: str, en: str, row: int | None = None, column: str = "") -> Problem:
    return Problem(code, zh, en, table.kind, row, column)


def detect_format(data: bytes, file_name: str = "") -> str:
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix in ("csv", "xlsx", "json"):
        return suffix
    if data[:2] == b"PK":
        return "xlsx"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def read_table(table: Table, data: bytes, file_name: str = "") -> Rows:
    """Read ``data`` as ``table``; never raises on bad input (problems say what is wrong)."""
    fmt = detect_format(data, file_name)
    out = Rows(format=fmt)
    try:
        header, records, first_row = {"csv": _csv, "xlsx": _xlsx, "json": _json}[fmt](data)
    except ValueError as exc:
        out.problems.append(problem(table, "onboarding.unreadable", f"无法读取文件：{exc}", f"cannot read the file: {exc}"))
        return out
    keys = _header(table, header, out.problems, row=None if fmt == "json" else 1)
    for number, values in enumerate(records, start=first_row):
        if number - first_row >= MAX_ROWS:
            out.problems.append(problem(table, "onboarding.too_many_rows", f"最多 {MAX_ROWS} 行",
                                        f"at most {MAX_ROWS} rows", number))
            break
        row = {}
        for position, key in keys.items():
            value = values[position] if isinstance(values, list | tuple) else values.get(position)
            row[key] = _text(value)
        if any(row.values()):
            out.rows.append((number, row))
    return out


def _header(table: Table, header: list, problems: list[Problem], row: int | None) -> dict:
    """{position in a record (index, or JSON key): column key}; unknown and missing columns are problems."""
    keys: dict = {}
    seen: set[str] = set()
    for position, name in header:
        if name is None or not str(name).strip():
            continue
        column = table.column_for(str(name))
        if column is None:
            problems.append(problem(table, "onboarding.unknown_column", f"无法识别的列“{name}”",
                                    f"unknown column {name!r}", row, str(name)))
        elif column.key in seen:
            problems.append(problem(table, "onboarding.duplicate_column", f"列 {column.key} 重复",
                                    f"column {column.key} appears twice", row, column.key))
        else:
            seen.add(column.key)
            keys[position] = column.key
    for column in table.columns:
        if column.required and column.key not in seen:
            problems.append(problem(table, "onboarding.column_missing", f"缺少必填列“{column.header}”",
                                    f"required column {column.header!r} is missing", row, column.key))
    return keys


def _csv(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("not UTF-8 or GB 18030 text")
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        raise ValueError("the file is empty")
    return list(enumerate(records[0])), records[1:], 2


def _xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValueError("not an Excel .xlsx workbook") from exc
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows:
        raise ValueError("the first sheet is empty")
    return list(enumerate(rows[0])), rows[1:], 2


def _json(data: bytes):
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from exc
    if isinstance(value, dict):
        value = value.get("rows", value.get("items"))
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ValueError("JSON must be a list of objects (or {\"rows\": [...]})")
    names: list[str] = []
    for record in value:
        names += [k for k in record if k not in names]
    return [(n, n) for n in names], value, 1


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ";".join(_text(v) for v in value)
    return str(value).strip()


def template_bytes(table: Table, fmt: str = "xlsx") -> bytes:
    """An empty table with its header row (CSV or .xlsx)."""
    headers = [c.header for c in table.columns]
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerow(headers)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = table.kind
    ws.append(headers)
    notes = wb.create_sheet("说明 Notes")
    notes.append(["列 column", "必填 required", "说明 meaning", "别名 aliases"])
    for c in table.columns:
        notes.append([c.header, "是" if c.required else "", c.en, ", ".join(c.aliases)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
