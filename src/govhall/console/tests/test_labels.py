"""Staff read labels, not codes: audit actions, problem fields, version states, dates in inputs."""

import datetime as dt

from django.utils import translation

from govhall.console.audit_labels import action_label
from govhall.console.forms import RetireForm
from govhall.console.problems import problem_rows
from govhall.core.errors import Problem


def test_audit_actions_have_labels_in_each_language():
    with translation.override("zh-hans"):
        assert action_label("catalog.item.published") == "实施清单事项 · 发布"
        assert action_label("cases.extension.approved") == "延期 · 批准"
    with translation.override("en"):
        assert action_label("catalog.item.published") == "implementation item · published"
    assert action_label("newapp.thing.did") == "newapp.thing · did"  # unknown: shown as it is, never an error


def test_problem_rows_never_show_field_keys():
    rows = problem_rows([Problem("x", "请填写理由", "give the reasons", "reasons"),
                         Problem("y", "第3项有误", "entry 3 is wrong", "face_schema[2]"),
                         Problem("z", "有误", "wrong", "internal_key")],
                        {"reasons": "理由", "face_schema": "照面字段"})
    assert [(r["label"], r["where"]) for r in rows] == [("理由", ""), ("照面字段", "#3"), ("", "")]


def test_date_inputs_carry_iso_dates_whatever_the_language():
    with translation.override("zh-hans"):
        html = str(RetireForm(initial={"on": dt.date(2026, 12, 8)})["on"])
    assert 'value="2026-12-08"' in html and 'type="date"' in html
