"""一月一分析 and 一报告 on a real demo register: figures against an independent recount from
register.json, last month's figures against last month's analysis, drill-down, the .docx read back
and the PDF text extracted."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

from docx import Document
from pypdf import PdfReader

from app.cli import main
from app.kernel.analysis_text import SECTION_HEADINGS, report_content
from app.kernel.shares import largest_remainder, shares_text
from app.models import Period
from app.services.analysis import analyse, households_behind
from app.services.units import default_unit


def test_seed003_shares_and_sum():
    # 夏邑县 of seed 003: the printed shares, and they add up to 100.00
    counts = [2065, 610, 33, 5, 90, 229, 22, 7]
    assert shares_text(counts) == ["67.46", "19.93", "1.08", "0.16", "2.94", "7.48", "0.72", "0.23"]
    for c in ([1, 1, 1], [2, 2, 2, 1], [9999, 1], [0, 0], [7]):
        assert sum(largest_remainder(c)) == (10_000 if sum(c) else 0)


def test_causes_match_register_json_and_last_month(demo_db):
    from app.exporters.register_json import dump_register

    with demo_db.session() as s:
        a = analyse(s)
        period = s.query(Period).filter(Period.month == a.period).one()
        doc = dump_register(s, period, default_unit(s))
        counts = Counter(h.get("cause") or "" for h in doc["households"])
        assert {ln.key.split(":")[1]: ln.now for ln in a.causes} == {k: v for k, v in counts.items() if v}
        total = sum(counts.values())
        for ln in a.causes:  # each share within half a hundredth of the exact share
            exact = Decimal(ln.now) * 100 / total
            assert abs(Decimal(ln.share) - exact) < Decimal("0.01")
        assert sum(Decimal(ln.share) for ln in a.causes) == Decimal("100.00")
        assert a.households.now == total == doc["counts"]["households"]
        assert a.persons.now == doc["counts"]["persons"]

        last = analyse(s, a.previous)
        assert a.households.before == last.households.now
        assert a.closed_month.before == last.closed_month.now
        assert [c.before for c in a.causes] == [dict((x.key, x.now) for x in last.causes).get(c.key, 0) for c in a.causes]
        assert [c.before for c in a.colours] == [c.now for c in last.colours]
        assert sum(t.households for t in a.townships) == a.households.now


def test_drill_down_lists_the_households_behind_a_figure(demo_db):
    with demo_db.session() as s:
        a = analyse(s, with_findings=False)
        for ln in (*a.causes, *a.colours, a.closed_month, a.remaining, a.past_expected, *a.income_bins):
            assert len(households_behind(s, a.period, None, ln.key)) == ln.now, ln.label
        town = a.townships[0]
        rows = households_behind(s, a.period, None, f"township:{town.township}")
        assert len(rows) == town.households and all(r.unit.startswith(town.township) for r in rows)
        # a township's own analysis covers only its households
        t = analyse(s, a.period, town.township, with_findings=False)
        assert t.households.now == town.households and len(t.townships) == 1


def test_analysis_json_and_report_files(demo_db_path, tmp_path, capsys):
    assert main(["--db", str(demo_db_path), "analysis", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["title"].endswith("脱贫攻坚工作分析报告")
    assert sum(Decimal(c["share"]) for c in doc["causes"]) == Decimal("100.00")
    assert doc["households"]["before"] is not None

    out = tmp_path / "report"
    assert main(["--db", str(demo_db_path), "report", "--out", str(out)]) == 0
    docx_file = out / f"{doc['title']}.docx"
    pdf_file = out / f"{doc['title']}.pdf"
    text = [p.text for p in Document(str(docx_file)).paragraphs]
    assert text[0] == doc["title"]
    assert [t for t in text if t in SECTION_HEADINGS] == list(SECTION_HEADINGS)
    first = doc["causes"][0]
    sentence = f"{first['label']}{first['now']}户，占比{first['share']}%"
    assert any(sentence in t for t in text)
    assert {"图1 致贫原因结构", "图2 红黄绿预警户"} <= set(text)
    cells = [c.text for t in Document(str(docx_file)).tables for row in t.rows for c in row.cells]
    assert any(c.startswith("█") and c.endswith(f"{first['now']}户 {first['share']}%") for c in cells)
    pdf_text = "".join(p.extract_text() for p in PdfReader(str(pdf_file)).pages).replace("\n", "")
    assert doc["title"] in pdf_text and sentence in pdf_text and "盖章" in pdf_text


def test_report_sentences_read_like_the_seed(demo_db):
    with demo_db.session() as s:
        content = report_content(analyse(s))
    first = content.sections[0].paragraphs[0]
    assert first.startswith("截至") and "共有建档立卡贫困户" in first and "其中" in first and "占比" in first


def test_feedback_lines_enter_the_ledger_and_a_closed_one_leaves(demo_db, tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    from app.exporters.feedback import sheet_table
    from app.exporters.ledgers import write
    from app.kernel.feedback import FEEDBACK_SOURCE
    from app.models import Problem
    from app.services.feedback import feedback_sheets, record_feedback
    from app.services.ledgers import CloseOutProblem, close_out_problem

    with demo_db.session() as s:
        sheets = record_feedback(s)
        lines = [ln for sh in sheets for ln in sh.lines if ln.kind != "逾期任务"]
        assert lines and all(ln.problem for ln in lines)
        total = s.query(Problem).filter(Problem.source == FEEDBACK_SOURCE).count()
        n = s.query(Problem).filter(Problem.feedback_month == sheets[0].period).count()
        assert n == len(lines) - sum(ln.kind == "问题" for ln in lines)
        record_feedback(s)  # again: linked, not duplicated
        assert s.query(Problem).filter(Problem.source == FEEDBACK_SOURCE).count() == total
        mine = next(ln for ln in lines if ln.kind != "问题")
        from app.kernel.month import Month
        from app.services.new_month import new_month

        following = Month.parse(sheets[0].period).next()
        fixed_on = dt.date(following.year, following.month, 10)  # fixed during the month after
        close_out_problem(s, CloseOutProblem(mine.problem, fixed_on, "已落实帮扶措施"))
        after = [ln.problem for sh in feedback_sheets(s) for ln in sh.lines]
        assert mine.problem not in after
        sheet = next(sh for sh in feedback_sheets(s) if sh.lines)
        # next month's analysis reports last month's feedback: one fixed, the rest open, line by line
        new_month(s, sheet.period, str(following))
        nxt = analyse(s, str(following), with_findings=False)
        assert (nxt.feedback_fixed, nxt.feedback_fixed + nxt.feedback_open) == (1, n)
        assert [(r.description, r.closed_on) for r in nxt.feedback_last if r.fixed] == [(mine.description, fixed_on)]
        table = next(t for sec in report_content(nxt).sections for t in sec.tables if "上月分析反馈" in t.caption)
        assert sum(int(r[1]) for r in table.rows) == n and sum(int(r[2]) for r in table.rows) == 1
        assert nxt.households.before == analyse(s, sheet.period, with_findings=False).households.now
        # next month's 反馈单: the closed-out line is gone (its household is still 黄色 with no new
        # measure), the open ones come back linked to last month's problems, none entered twice
        fed = {p.uuid for p in s.query(Problem).filter(Problem.feedback_month == sheet.period)}
        nxt_sheets = record_feedback(s, str(following))
        nxt_lines = [ln for sh in nxt_sheets for ln in sh.lines]
        assert mine.problem not in {ln.problem for ln in nxt_lines}
        assert mine.description not in {ln.description for ln in nxt_lines}
        again = [ln for ln in nxt_lines if ln.problem in fed]
        assert len(again) == n - 1
        assert s.query(Problem).filter(Problem.feedback_month == str(following)).count() == sum(
            ln.problem not in fed and ln.kind not in ("问题", "逾期任务") for ln in nxt_lines)
        # a 已销号 line closed after the month's end is not yet counted as fixed in that month's analysis
        late = next(r for r in analyse(s, str(following), with_findings=False).feedback_last if not r.fixed)
        late_p = s.query(Problem).filter(Problem.feedback_month == sheet.period, Problem.description == late.description,
                                         Problem.status != "已销号").first()
        close_out_problem(s, CloseOutProblem(late_p.uuid, following.next().first_day, "已整改"))
        assert analyse(s, str(following), with_findings=False).feedback_fixed == 1
    out = tmp_path / "fb.xlsx"
    write(sheet_table(sheet), out)
    values = [c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row if c]
    assert sheet.title in values and any("整改回执" in str(v) for v in values)
    pdf = tmp_path / "fb.pdf"
    write(sheet_table(sheet), pdf)
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages).replace("\n", "")
    assert sheet.title in text


def test_frozen_figures_and_clerk_edits_survive(demo_db, tmp_path):
    from app.kernel.month import Month
    from app.models import Household
    from app.services.analysis import export_report, save_section, section_edits
    from app.services.new_month import new_month

    with demo_db.session() as s:
        month = analyse(s, with_findings=False).period
        save_section(s, month, None, "四、下步工作", "一是抓好问题整改。\n二是按时报送。")
        files = export_report(s, tmp_path, month, None, feedback=False)
        text = [p.text for p in Document(str(files[0])).paragraphs]
        assert "一是抓好问题整改。" in text and "二是按时报送。" in text
        assert "（二）对逾期任务和问题督促责任单位限期整改、对表销号，整改情况下月分析反馈。" not in text
        frozen = analyse(s, month, with_findings=False)
        # the exported month changes afterwards: next month still compares with what was sent
        period = s.query(Period).filter(Period.month == month).one()
        h = s.query(Household).filter(Household.period_id == period.id).first()
        s.delete(h)
        s.flush()
        following = str(Month.parse(month).next())
        new_month(s, month, following)
        nxt = analyse(s, following, with_findings=False)
        assert nxt.households.before == frozen.households.now
        assert analyse(s, month, with_findings=False).households.now == frozen.households.now - 1
        assert [c.before for c in nxt.causes] == [
            dict((c.key, c.now) for c in frozen.causes).get(c.key, 0) for c in nxt.causes]
        assert section_edits(s, month, None) == {"四、下步工作": "一是抓好问题整改。\n二是按时报送。"}
        # the edit stays when the figures are generated again
        files = export_report(s, tmp_path / "again", month, None, feedback=False)
        assert "一是抓好问题整改。" in [p.text for p in Document(str(files[0])).paragraphs]


def test_d10_and_d11(demo_db, tmp_path):
    import datetime as dt

    from app.kernel.month import Month
    from app.models import Problem
    from app.services.analysis import analysis_findings, export_report
    from app.services.feedback import record_feedback
    from app.services.ledger_status import ledger_counts

    with demo_db.session() as s:
        month = analyse(s, with_findings=False).period
        m = Month.parse(month).next()
        after_20th = dt.date(m.year, m.month, 21)
        assert [f.code for f in analysis_findings(s, after_20th)] == ["D-10"]
        assert ledger_counts(s, m.year, after_20th).report_late
        assert analysis_findings(s, dt.date(m.year, m.month, 20)) == []  # due on the 20th itself
        export_report(s, tmp_path, month, None, feedback=False)
        late = analysis_findings(s, after_20th)  # exported today, long after that 20th
        assert [f.code for f in late] == ["D-10"] and "才导出" in late[0].message
        from app.models import AnalysisReport, Period

        sent = s.query(AnalysisReport).join(Period, Period.id == AnalysisReport.period_id).filter(Period.month == month)
        sent.one().exported_at = dt.datetime(m.year, m.month, 19, 16, 0)
        s.flush()
        assert analysis_findings(s, after_20th) == []  # exported before the 20th
        # feedback sent for this month: a month on, its open lines are D-11 until answered
        sheets = record_feedback(s, month)
        a_month_on = dt.date(m.next().year, m.next().month, 5)
        d11 = [f for f in analysis_findings(s, a_month_on) if f.code == "D-11"]
        fed = s.query(Problem).filter(Problem.feedback_month == month).all()
        assert len(d11) == len(fed) > 0 and sheets
        fed[0].status = "整改中"
        s.flush()
        assert len([f for f in analysis_findings(s, a_month_on) if f.code == "D-11"]) == len(fed) - 1


def test_problems_entered_this_month_on_the_demo(demo_db):
    from app.models import Problem

    with demo_db.session() as s:
        a = analyse(s, with_findings=False)
        y, m = map(int, a.period.split("-"))
        entered = [p for p in s.query(Problem).filter(Problem.year == y)
                   if p.opened_on and (p.opened_on.year, p.opened_on.month) == (y, m)]
        assert entered and sum(p.opened_month for p in a.problems) == len(entered)
        text = "".join(para for sec in report_content(a).sections for para in sec.paragraphs)
        assert f"本月新增任务0项、问题{len(entered)}个" in text
