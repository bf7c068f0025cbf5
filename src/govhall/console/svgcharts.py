"""Server-rendered SVG charts for the console (no script, no inline style: the CSP forbids both).

The functions return plain geometry that templates draw as ``<rect>``/``<text>``/``<polyline>``;
every chart also has its numbers as text (labels and a table beside it), so colour is never the
only cue and screen readers read the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVEL_FILL = {"notice": "#1565c0", "yellow": "#b58100", "red": "#c62828"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    x: float
    y: float
    width: float
    height: float
    fill: str
    text_x: float
    text_y: float
    link: str = ""


def hbars(rows: list[tuple[str, float, str, str, str]], *, width: int = 640, bar: int = 22, gap: int = 8,
          label_width: int = 220, maximum: float | None = None) -> dict:
    """Horizontal bars: rows of (label, value, shown text, fill, link)."""
    top = max([maximum or 0] + [r[1] for r in rows]) or 1
    span = width - label_width - 70
    bars = []
    for i, (label, value, shown, fill, link) in enumerate(rows):
        y = i * (bar + gap)
        w = max(1.0, span * value / top) if value else 0.0
        bars.append(Bar(label, value, shown, label_width, y, round(w, 1), bar, fill, round(label_width + w + 6, 1),
                        y + bar * 0.7, link))
    return {"bars": bars, "width": width, "height": max(len(rows) * (bar + gap), bar), "label_x": label_width - 8}


def columns(series: list[tuple[str, list[tuple[str, float, str]]]], *, height: int = 200, col: int = 14,
            gap: int = 18) -> dict:
    """Grouped vertical columns: [(period, [(name, value, fill)…])…]."""
    top = max([v for _, vals in series for _, v, _ in vals] + [1])
    group = len(series[0][1]) * col if series else col
    out, x = [], 40
    for period, vals in series:
        for i, (name, value, fill) in enumerate(vals):
            h = (height - 40) * value / top
            out.append({"x": x + i * col, "y": round(height - 20 - h, 1), "width": col - 2, "height": round(h, 1),
                        "fill": fill, "title": f"{period} {name}: {value:g}"})
        out.append({"label": period, "label_x": x + group / 2, "label_y": height - 4})
        x += group + gap
    return {"items": out, "width": x + 20, "height": height, "top": top, "top_y": 14, "base_y": height - 20}
