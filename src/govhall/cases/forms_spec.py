"""The application form: the contact details every item shares, plus, for an item whose result is a
licence, the licence face's fields (主体名称, 经营场所, 经营项目, …) from the licence type's face schema,
stored under ``licence_<name>``. Item materials come from the guide.

A grant fills the licence face only from these ``licence_`` fields, never from an unrelated one (the
contact address is not the premises; the free-text 申请说明 is not the business scope). Drafts keep
whatever the applicant typed; ``form_problems`` lists everything wrong at submission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govhall.core.errors import Problem
from govhall.licenses.models import FORM_PREFIX, LicenceType


@dataclass(frozen=True)
class FormField:
    name: str
    label_zh: str
    label_en: str
    required: bool = True
    pattern: str = ""
    max_length: int = 200
    multiline: bool = False
    group: str = "contact"  # "contact", or "licence" for a field of the licence face
    input_type: str = "text"


FIELDS = (
    FormField("contact_name", "联系人", "contact person", max_length=50),
    FormField("contact_phone", "联系电话", "contact phone", pattern=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
              max_length=20),
    FormField("address", "联系地址", "address", max_length=200),
    FormField("description", "申请说明", "what you apply for", required=False, max_length=2000, multiline=True),
)


def licence_type_of(version):
    """The licence type an item version's result is, or None (no licence, or the type is not defined here)."""
    code = (getattr(version, "result_licence_type_code", "") or "").strip()
    if not code:
        return None
    return LicenceType.objects.filter(type_code=code).first()


def face_fields(licence_type) -> tuple[FormField, ...]:
    if licence_type is None:
        return ()
    return tuple(FormField(FORM_PREFIX + f["name"], f["label_zh"], f["label_en"], required=bool(f.get("required")),
                           max_length=500, multiline=f["name"].endswith(("scope", "items")), group="licence",
                           input_type="date" if f.get("type") == "date" else "text")
                 for f in licence_type.face_schema)


def fields_for(version) -> tuple[FormField, ...]:
    """Every field the application form of ``version`` asks: contact details, then the licence face
    (looked up once per version object: a page asks several times)."""
    cached = getattr(version, "_govhall_form_fields", None)
    if cached is None:
        cached = FIELDS + face_fields(licence_type_of(version))
        if version is not None:
            version._govhall_form_fields = cached
    return cached


def form_problems(data: dict, fields: tuple[FormField, ...] = FIELDS) -> list[Problem]:
    problems = []
    for f in fields:
        value = str(data.get(f.name, "") or "").strip()
        if not value:
            if f.required:
                problems.append(Problem("cases.form.required", f"请填写“{f.label_zh}”", f"{f.label_en} is required",
                                        f.name))
            continue
        if len(value) > f.max_length:
            problems.append(Problem("cases.form.too_long", f"“{f.label_zh}”不超过 {f.max_length} 字",
                                    f"{f.label_en}: at most {f.max_length} characters", f.name))
        elif f.pattern and not re.match(f.pattern, value):
            problems.append(Problem("cases.form.format", f"“{f.label_zh}”格式不正确", f"{f.label_en}: wrong format",
                                    f.name))
    return problems
