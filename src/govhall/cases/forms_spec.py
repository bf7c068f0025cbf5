"""The application form every item shares (contact details); item materials come from the guide.

Drafts keep whatever the applicant typed; ``form_problems`` lists everything wrong at submission.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govhall.core.errors import Problem


@dataclass(frozen=True)
class FormField:
    name: str
    label_zh: str
    label_en: str
    required: bool = True
    pattern: str = ""
    max_length: int = 200
    multiline: bool = False


FIELDS = (
    FormField("contact_name", "联系人", "contact person", max_length=50),
    FormField("contact_phone", "联系电话", "contact phone", pattern=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
              max_length=20),
    FormField("address", "联系地址", "address", max_length=200),
    FormField("description", "申请说明", "what you apply for", required=False, max_length=2000, multiline=True),
)


def form_problems(data: dict) -> list[Problem]:
    problems = []
    for f in FIELDS:
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
