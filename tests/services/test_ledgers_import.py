"""Responsibility lists read from real .docx and .xlsx files written at test time."""

from __future__ import annotations

import datetime as dt

import pytest
from _ledger_files import list_xlsx, seed002_docx, table_docx

from app.importers import limits
from app.importers.tasks import read_list
from app.kernel.ledgers import parse_deadline


def test_seed002_paragraphs(tmp_path):
    got = read_list(seed002_docx(tmp_path / "清单.docx"))
    assert [t.seq for t in got.tasks] == [1, 2, 3, 4]
    one, two, three, four = got.tasks
    assert one.heading == "在组织推动方面" and three.heading == "在精准识别退出方面"
    assert one.target.startswith("驻村工作时间。第一书记每周必须驻村工作5天")  # the numbered line is the 指标
    assert one.units == "组织部、各乡镇" and one.leaders == "相关市级领导" and one.deadline == "长期坚持"
    # half-width colons, 县级责任领导, a 工作措施 running on into the next paragraph
    assert two.leaders == "王天昊" and two.units == "扶贫办" and two.persons == "康明礼"
    assert two.measures.endswith("抽查率每年要在30%以上，2020年底前全覆盖。")
    assert two.deadline == "3月20日—4月30日、长期坚持"
    assert three.target_number() == (90.0, "%")
    assert four.persons is None
    unplaced = {u.text: u.why for u in got.unplaced}
    assert "这一段不属于任何任务。" in unplaced
    assert "责任单位：各事涉部门、各乡镇" in unplaced  # after 三、保障措施: under no target
    assert all(u.where.startswith("第") for u in got.unplaced)


def test_docx_table_with_headings_and_a_merged_heading_row(tmp_path):
    got = read_list(table_docx(tmp_path / "表格清单.docx"))
    assert [(t.seq, t.heading, t.units) for t in got.tasks] == [
        (1, "在政策落实方面", "教育局"), (2, "在政策落实方面", "民政局、各乡镇")]
    assert got.tasks[0].leaders == "董春玲" and got.tasks[1].deadline == "2018年12月31日"


@pytest.mark.parametrize("headings", [True, False])
def test_xlsx_by_headings_or_column_order(tmp_path, headings):
    got = read_list(list_xlsx(tmp_path / "清单.xlsx", headings=headings))
    assert [t.seq for t in got.tasks] == [1, 2, 3]
    assert got.tasks[0].heading == "在组织推动方面" and got.tasks[2].heading == "在政策落实方面"
    assert got.tasks[1].deadline == dt.date(2018, 5, 31)  # a date cell stays a date
    assert got.tasks[0].units == "组织部、各乡镇" and got.tasks[2].persons is None


def test_not_a_list_file_is_refused(tmp_path):
    bad = tmp_path / "清单.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(limits.Rejected):
        read_list(bad)
    with pytest.raises(limits.Rejected):
        read_list(tmp_path / "清单.txt")


def test_a_word_list_that_is_not_one_is_named_as_word(tmp_path):
    bad = tmp_path / "清单.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(limits.Rejected) as refused:
        read_list(bad)
    assert "Word 文档（.docx）" in refused.value.message and "Excel" not in refused.value.message
    old = tmp_path / "旧清单.docx"
    old.write_bytes(limits.OLE2_MAGIC + b"\0" * 512)  # a .doc saved under the new name
    with pytest.raises(limits.Rejected) as refused:
        read_list(old)
    assert "旧版 Word（.doc）" in refused.value.message


@pytest.mark.parametrize(("text", "date", "ongoing"), [
    ("6月30日、长期坚持", dt.date(2018, 6, 30), True),
    ("3月20日—4月30日", dt.date(2018, 4, 30), False),
    ("3月20日-4月30日、长期坚持", dt.date(2018, 4, 30), True),
    ("6月 30 日", dt.date(2018, 6, 30), False),
    ("长期坚持", None, True),
    ("2019年3月1日", dt.date(2019, 3, 1), False),
    ("9月底", dt.date(2018, 9, 30), False),
])
def test_deadlines_as_lists_type_them(text, date, ongoing):
    d = parse_deadline(text, 2018)
    assert (d.date, d.ongoing, d.unread) == (date, ongoing, ())


def test_unreadable_deadline_is_reported():
    assert parse_deadline("年内", 2018).unread == ("年内",)


def test_messy_word_list(tmp_path):
    from _ledger_files import messy_docx

    got = read_list(messy_docx(tmp_path / "杂.docx"))
    by_seq = {(t.seq, t.target.split("。")[0]): t for t in got.tasks}
    a = by_seq[(1, "项目收益率")]
    assert a.heading == "在产业发展方面"
    assert (a.measures, a.deadline, a.units, a.persons, a.leaders) == (
        "扶贫办每季度检查项目运营情况。", "6.30", "扶贫办、审计局", "康明礼、贾东升", "王天昊")
    b = by_seq[(2, "庭院经济")]
    assert (b.measures, b.deadline, b.leaders, b.units, b.persons) == (
        "农业局制定实施方案。", "年底前", "林继春", "农业局", "贾延厚")
    c = by_seq[(1, "安全饮水")]
    assert (c.units, c.leaders, c.deadline) == ("水利局、卫计局", "吴爽", "2018年9月30日")
    assert by_seq[(2, "生活用电")].units == "农电公司"
    assert len(got.tasks) == 4 and got.unplaced == []
    assert parse_deadline(a.deadline, 2018).date == dt.date(2018, 6, 30)
    assert parse_deadline(b.deadline, 2018).date == dt.date(2018, 12, 31)


def test_xlsx_task_over_merged_rows(tmp_path):
    from _ledger_files import merged_xlsx

    got = read_list(merged_xlsx(tmp_path / "合并.xlsx"))
    assert [(t.seq, t.units, t.persons) for t in got.tasks] == [
        (1, "住建局、扶贫办", "侯文敏、康明礼"), (2, "就业局", "李晓坤")]


def test_a_prose_item_followed_by_fields_is_a_task(tmp_path):
    """Seed 002's first item: "一是……" prose, then 完成时限/责任领导/责任单位/责任人 — the prose is its 指标."""
    import docx

    d = docx.Document()
    for text in ("三、工作措施", "一是集中发力整改，确保各类问题清仓见底。对照反馈意见逐项销号整改。",
                 "完成时限：3月20日—4月30日、长期坚持", "市级责任领导：各部门市级分管领导", "责任单位：各事涉部门、各乡镇",
                 "责任人：各事涉部门主要领导", "二是严格对标对表，全面补齐短板。", "（一）在组织推动方面。",
                 "1、驻村工作时间。第一书记每周驻村5天。", "工作措施：组织部负责检查。", "完成时限：长期坚持",
                 "责任单位：组织部", "责任人：张弘"):
        d.add_paragraph(text)
    d.save(str(tmp_path / "l.docx"))
    got = read_list(tmp_path / "l.docx")
    first, second = got.tasks
    assert first.seq is None and first.target.startswith("一是集中发力整改") and first.units == "各事涉部门、各乡镇"
    assert first.deadline == "3月20日—4月30日、长期坚持" and first.measures is None  # D-01 will say so
    assert second.seq == 1 and second.persons == "张弘"
    assert [u.text for u in got.unplaced] == ["二是严格对标对表，全面补齐短板。"]
