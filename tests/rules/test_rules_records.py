"""R-01 on a registered 红 household reads the latest start month of its measures."""

from __future__ import annotations

from app.rules.records import r01_registered


def test_r01_registered_needs_a_measure_started_in_the_month():
    assert r01_registered("h", "镇/村", "刘德明", "2020-04", "2020-04") == []
    (f,) = r01_registered("h", "镇/村", "刘德明", "2020-04", "2020-02")
    assert (f.code, f.severity, f.household, f.field) == ("R-01", "W", "h", "measures")
    assert "2020年4月没有新的帮扶措施" in f.message and "最近一项始于2020年2月" in f.message
    (f,) = r01_registered("h", None, None, "2020-04", None)
    assert "尚无帮扶措施" in f.message
