"""What a closed-list cell makes of typed text, and how a paste is cleaned (no Qt)."""

from __future__ import annotations

import pytest

from app import domain
from app.importers import normalise, paste
from app.ui.completion import complete


@pytest.mark.parametrize(("text", "choices", "value"), [
    ("普通", domain.LABOUR, "普通劳动力"), ("长期", domain.HEALTH, "长期慢性病"), ("弱", domain.LABOUR, "弱劳动力"),
    ("cq", domain.HEALTH, "长期慢性病"), ("ptl", domain.LABOUR, "普通劳动力"), ("PTL", domain.LABOUR, "普通劳动力"),
    ("户主", domain.RELATIONS, "户主"), ("儿子", domain.RELATIONS, "之子"), ("妻子", domain.RELATIONS, "配偶"),
    ("无劳动力（含丧失劳动力）", domain.LABOUR, "无劳动力"), ("大病", domain.HEALTH, "大病"), ("", domain.HEALTH, None),
])
def test_exact_then_prefix_then_pinyin_initials(text, choices, value):
    done = complete(text, choices)
    assert done.ok and done.value == value


@pytest.mark.parametrize(("text", "why"), [("之", "可指"), ("zz", "可指"), ("大病健康", "不在可选项中"), ("x", "不在可选项中")])
def test_what_completes_to_nothing_is_refused_with_the_reason(text, why):
    choices = domain.RELATIONS if text in ("之", "zz") else domain.HEALTH
    done = complete(text, choices)
    assert not done.ok and done.value is None and why in done.message


def test_paste_uses_the_importers_conversions_and_skips_a_header():
    assert paste.CONVERTERS["relation"] is normalise.relation  # one table for import and paste
    rows = paste.clean_rows("序号\t姓名\t与户主关系\n1\t张 三\t儿子\n", ("phone", "name", "relation"))
    assert len(rows) == 1 and rows[0]["name"] == "张三" and rows[0]["relation"] == "之子"
    assert paste.is_header(["姓名", "与户主关系", "年龄", "健康状况", "劳动能力"])
    assert not paste.is_header(["王建国", "户主", "58", "健康", "普通劳动力"])
