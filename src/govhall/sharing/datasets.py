"""Reading a dataset file (CSV in UTF-8, or Excel .xlsx) for a local resource and checking every row.

The first row names the columns: ``subject_key`` (or 主体标识) and the resource's fields, by name or
by Chinese label, in any order. Every cell is checked against the field's type and whether it is
required; the subject key against its kind (resident ID check character, credit code check
characters); a subject may appear once. Every problem of every row is reported at once, with its
row and column (as the catalogue import does); nothing is stored when anything is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from govhall.core.errors import DomainError, Problem

from . import keys

KEY_HEADERS = {"subject_key", "主体标识", "subject key"}
MAX_PROBLEMS = 200
TRUE = {"1", "true", "yes", "是", "y"}
FALSE = {"0", "false", "no", "否", "n"}


@dataclass(frozen=True)
class ParsedRow:
    index: str
    masked: str
    data: dict


def _p(code: str, zh: str, en: str, row: int | None = None, column: str = "") -> Problem:
    return Problem(code, zh, en, "file", row, column)


def _rows(data: bytes, filename: str) -> Iterator[list]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 (any unreadable workbook is the same answer)
            raise DomainError([_p("sharing.dataset.unreadable", "无法读取该 Excel 文件", "the Excel file cannot be "
                                  "read")]) from exc
        for values in wb.worksheets[0].iter_rows(values_only=True):
            yield ["" if v is None else v for v in values]
        return
    if not name.endswith(".csv"):
        raise DomainError([_p("sharing.dataset.format", "数据集文件须为 CSV（UTF-8）或 Excel（.xlsx）",
                              "the dataset must be a CSV (UTF-8) or Excel (.xlsx) file")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError([_p("sharing.dataset.encoding", "CSV 文件须为 UTF-8 编码", "the CSV file must be UTF-8")]
                          ) from exc
    yield from csv.reader(io.StringIO(text))


def _value(field: dict, raw) -> tuple[object, str | None]:
    """The typed value of one cell, or an English reason it is wrong."""
    kind = field.get("type", "text")
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ("required" if field.get("required") else None)
    if kind == "date":
        if isinstance(raw, dt.date):
            return raw.isoformat(), None
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat(), None
        except ValueError:
            return None, "not a date (YYYY-MM-DD)"
    if kind == "number":
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            return None, "not a number"
        return (int(number) if number == number.to_integral_value() else str(number)), None
    if kind == "bool":
        text = str(raw).strip().lower()
        if text in TRUE:
            return True, None
        if text in FALSE:
            return False, None
        return None, "not yes/no (是/否)"
    return str(raw).strip()[:1000], None


REASONS_ZH = {"required": "必填", "not a date (YYYY-MM-DD)": "不是日期（年-月-日）", "not a number": "不是数字",
              "not yes/no (是/否)": "应为 是/否"}


def parse(resource, data: bytes, filename: str, sink=None, batch: int = 5000) -> list[ParsedRow]:
    """Every row of the file, checked; raises DomainError listing every problem (up to 200).

    With ``sink``, good rows are handed over in batches while no problem has been found (and not
    returned), so a million rows need not be held at once; the caller's transaction must roll the
    written batches back when this raises."""
    rows = _rows(data, filename)
    header = next(rows, None)
    if not header:
        raise DomainError([_p("sharing.dataset.empty", "文件为空", "the file is empty")])
    by_label = {}
    for f in resource.fields:
        by_label[f["name"].lower()] = f
        by_label[str(f.get("label_zh", "")).lower()] = f
    columns: list[dict | None] = []
    key_col, problems = None, []
    for i, name in enumerate(header):
        name = str(name or "").strip()
        if name.lower() in KEY_HEADERS:
            key_col = i
            columns.append(None)
        else:
            field = by_label.get(name.lower())
            if field is None and name:
                problems.append(_p("sharing.dataset.column", f"未知的列“{name}”", f"unknown column “{name}”", 1, name))
            columns.append(field)
    if key_col is None:
        problems.append(_p("sharing.dataset.key_column", "缺少主体标识列（subject_key）",
                           "the subject_key column is missing", 1, "subject_key"))
    present = {c["name"] for c in columns if c}
    for f in resource.fields:
        if f.get("required") and f["name"] not in present:
            problems.append(_p("sharing.dataset.missing_column", f"缺少必填列“{f['name']}”",
                               f"required column “{f['name']}” is missing", 1, f["name"]))
    if problems:
        raise DomainError(problems)
    parsed: list[ParsedRow] = []
    count = 0
    seen: dict[str, int] = {}
    kind = resource.subject_kind
    for n, values in enumerate(rows, start=2):
        if not any(str(v).strip() for v in values):
            continue
        values = list(values) + [""] * (len(columns) - len(values))
        raw_key = keys.clean(values[key_col])
        reason = keys.problem(kind, raw_key)
        index = ""
        if reason:
            problems.append(_p("sharing.dataset.subject_key", f"主体标识无效（{reason}）",
                               f"the subject key is invalid ({reason})", n, "subject_key"))
        else:
            index = keys.subject_index(kind, raw_key)
            if index in seen:
                problems.append(_p("sharing.dataset.duplicate", f"与第 {seen[index]} 行的主体重复",
                                   f"the same subject as row {seen[index]}", n, "subject_key"))
            seen[index] = n
        record = {}
        for col, field in enumerate(columns):
            if field is None:
                continue
            value, why = _value(field, values[col])
            if why:
                problems.append(_p("sharing.dataset.value", f"“{field['name']}”{REASONS_ZH.get(why, why)}",
                                   f"“{field['name']}”: {why}", n, field["name"]))
            record[field["name"]] = value
        if len(problems) >= MAX_PROBLEMS:
            problems.append(_p("sharing.dataset.too_many", "问题过多，已停止检查", "too many problems; checking stopped"))
            break
        if not problems:
            parsed.append(ParsedRow(index, keys.masked(kind, raw_key), record))
            count += 1
            if sink is not None and len(parsed) >= batch:
                sink(parsed)
                parsed = []
    if problems:
        raise DomainError(problems)
    if not count:
        raise DomainError([_p("sharing.dataset.no_rows", "文件中没有数据行", "the file has no data rows")])
    if sink is not None:
        if parsed:
            sink(parsed)
        return []
    return parsed
