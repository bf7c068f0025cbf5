"""Rows for ``console/_problems.html``: every problem of a refused action with a human label.

In core because every interface app shows refused actions the same way (console, workbench, portal);
``govhall.console.problems`` re-exports it."""

from __future__ import annotations

from govhall.core.errors import Problem


def problem_rows(problems: list[Problem], labels: dict[str, str] | None = None) -> list[dict]:
    """Each problem with the label of its field (``labels`` by field name; an index such as
    ``face_schema[2]`` falls back to its base name) and the field itself when the label differs."""
    labels = labels or {}
    rows = []
    for p in problems:
        base, _, rest = (p.field or "").partition("[")
        label = labels.get(p.field) or labels.get(base, "")
        index = rest.split("]", 1)[0]
        # staff see labels, never field keys: an indexed field says which entry ("#3"), an unknown one nothing
        where = f"#{int(index) + 1}" if label and index.isdigit() and p.field not in labels else ""
        rows.append({"problem": p, "label": label, "where": where})
    return rows


def form_labels(*forms) -> dict:
    """Field name → label of the given form classes, for ``problem_rows``."""
    return {name: field.label for form in forms for name, field in form.base_fields.items()}  # lazy: per request
