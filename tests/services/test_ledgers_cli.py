"""The ledgers through `guatu` on a real register: import real files, find overdue and closed-out
tasks, refuse 销号 without evidence, 挂牌督战 candidates and the exports read back."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from _ledger_files import list_xlsx, seed002_docx
from pypdf import PdfReader
from sqlalchemy import select

from app.cli import main
from app.models import AuditEntry, Unit
from app.storage import Database

SEED004 = ["序号", "督战县", "剩余贫困人口超过1000人", "贫困发生率超过10%的行政村", "千人以上易地扶贫搬迁集中安置点",
           "千人以上乌东德水电移民安置点", "州级领导", "督战小分队部门牵头人"]


def run(capsys, *argv) -> tuple[int, dict | None]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip().startswith("{") else None)


@pytest.fixture
def listed(demo_db_path, tmp_path, capsys):
    """The demo register (2020) with the seed-002 style list imported as the departments' list."""
    docx = seed002_docx(tmp_path / "部门清单.docx")
    # the demo register has its own year of lists: the file replaces the departments' one
    assert main(["--db", str(demo_db_path), "tasks", "import", str(docx)]) == 1
    capsys.readouterr()
    code, doc = run(capsys, "--db", str(demo_db_path), "tasks", "import", str(docx), "--replace", "--json")
    assert code == 0, doc
    return demo_db_path, doc


def test_import_reports_tasks_unplaced_and_findings(listed):
    db, doc = listed
    assert doc["tasks"] == 4 and doc["year"] == 2020
    texts = [u["text"] for u in doc["unplaced"]]
    assert "这一段不属于任何任务。" in texts and "责任单位：各事涉部门、各乡镇" in texts
    (d01,) = [f for f in doc["findings"] if f["code"] == "D-01"]
    assert "责任人" in d01["message"] and d01["record"]["kind"] == "task" and d01["file"] == "部门清单.docx"
    assert d01["message"].startswith("第25段：") and d01["row"] is None  # a paragraph, not a sheet row
    with Database(db) as database, database.session() as s:
        townships = list(s.scalars(select(Unit.name).where(Unit.level == "township")))
    assert doc["task_units"] == (1 + len(townships)) + 1 + 2 + 1  # 组织部 + 各乡镇, 扶贫办, 扶贫办 档案局, 住建局


def test_overdue_then_closed_out(listed, capsys):
    db, _ = listed
    base = ["--db", str(db), "tasks"]
    code, doc = run(capsys, *base, "list", "--kind", "departments", "--overdue", "--today", "2020-07-18", "--json")
    assert code == 0
    assert [t["seq"] for t in doc["tasks"]] == [2, 3]  # 4月30日 and 6月30日 have passed; 9月30日 and 长期坚持 not
    three = doc["tasks"][1]
    assert {u["name"] for u in three["units"]} == {"扶贫办", "档案局"}
    assert {f["code"] for f in doc["findings"] if f["record"]["uuid"] == three["uuid"]} >= {"D-02"}

    # 销号 without 销号依据 is refused, nothing written
    assert main([*base, "close", "--kind", "departments", "--seq", "3", "--date", "2020-07-10"]) == 1
    assert "销号依据" in capsys.readouterr().err
    code, _ = run(capsys, *base, "close", "--kind", "departments", "--seq", "3", "--date", "2020-07-10", "--basis", "满意度调查报告",
                  "--file", "C:/材料/满意度调查.pdf", "--file", "照片1.jpg", "--json")
    assert code == 0
    code, doc = run(capsys, *base, "list", "--kind", "departments", "--closed", "--today", "2020-07-18", "--json")
    (task,) = doc["tasks"]
    assert task["seq"] == 3 and task["status"] == "已销号"
    assert task["units"][0]["closed_on"] == "2020-07-10"
    assert task["units"][0]["evidence_files"] == ["满意度调查.pdf", "照片1.jpg"]
    assert not [f for f in doc["findings"] if f["code"] == "D-02"]
    _, doc = run(capsys, *base, "list", "--kind", "departments", "--overdue", "--today", "2020-07-18", "--json")
    assert [t["seq"] for t in doc["tasks"]] == [2]
    with Database(db) as database, database.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "close_out")).all()


def test_lists_stay_editable_in_a_locked_month_and_refuse_a_second_import(listed, capsys, tmp_path):
    db, _ = listed
    # 2020-02 is locked in the demo register: progress keyed by that month is still taken
    code, doc = run(capsys, "--db", str(db), "tasks", "progress", "--kind", "departments", "--seq", "1", "--unit", "组织部",
                    "--month", "2020-02", "--text", "已驻村检查3次", "--json")
    assert code == 0 and doc["task_units"]
    again = seed002_docx(tmp_path / "again.docx")
    assert main(["--db", str(db), "tasks", "import", str(again)]) == 1  # the list has tasks now
    assert "--replace" in capsys.readouterr().err
    assert main(["--db", str(db), "tasks", "import", str(again), "--replace"]) == 0


def test_xlsx_list_as_the_townships_list_and_its_export(demo_db_path, tmp_path, capsys):
    src = list_xlsx(tmp_path / "乡镇清单.xlsx")
    base = ["--db", str(demo_db_path), "tasks"]
    code, doc = run(capsys, *base, "import", str(src), "--kind", "townships", "--replace", "--json")
    assert code == 0 and doc["tasks"] == 3 and doc["unplaced"] == []
    (d01,) = [f for f in doc["findings"] if f["code"] == "D-01"]  # row 3 has no 责任人
    assert (d01["sheet"], d01["row"]) == ("部门清单", 5)
    out = tmp_path / "乡镇清单导出.xlsx"
    assert main([*base, "export", "--kind", "townships", "--out", str(out), "--today", "2020-07-18"]) == 0
    ws = openpyxl.load_workbook(out).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert values[1][0] == "2020年脱贫攻坚决胜年乡镇清单"  # a replaced list keeps its title
    assert str(values[2][0]).startswith("填报单位：")
    header = values[3]
    assert tuple(header[:8]) == ("序号", "方面", "指标", "工作措施", "完成时限", "责任领导", "责任单位", "责任人")
    marks = [r[12] for r in values[4:] if r[0] is not None or r[6]]
    assert "逾期" in marks  # 5月31日 and 4月30日 passed on 2020-07-18
    pdf = tmp_path / "乡镇清单.pdf"
    assert main([*base, "export", "--kind", "townships", "--out", str(pdf), "--today", "2020-07-18"]) == 0
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "乡镇清单" in text and "逾期" in text and "驻村工作时间" in text


def test_problems_ledger(demo_db_path, capsys, tmp_path):
    base = ["--db", str(demo_db_path), "problems"]
    code, doc = run(capsys, *base, "add", "--source", "入户走访", "--description", "危房未改造", "--resp-unit", "住建局",
                    "--deadline", "2020-06-30", "--unit", "康平县", "--today", "2020-07-18", "--json")
    assert code == 0 and [f["code"] for f in doc["findings"]] == ["D-07"]
    uuid = doc["problems"][0]
    with pytest.raises(SystemExit) as e:
        main([*base, "add", "--source", "不存在的来源", "--description", "x"])
    assert e.value.code == 2
    capsys.readouterr()
    _, doc = run(capsys, *base, "list", "--overdue", "--today", "2020-07-18", "--json")
    mine = [p for p in doc["problems"] if p["uuid"] == uuid]
    assert mine and mine[0]["unit"] == "康平县" and all(p["overdue"] for p in doc["problems"])
    assert main([*base, "close", uuid, "--date", "2020-07-01"]) == 1
    capsys.readouterr()
    assert main([*base, "close", uuid, "--date", "2020-07-01", "--basis", "已改造验收"]) == 0
    _, doc = run(capsys, *base, "list", "--today", "2020-07-18", "--json")
    (mine,) = [p for p in doc["problems"] if p["uuid"] == uuid]
    assert mine["status"] == "已销号" and not [f for f in doc["findings"] if f["record"]["uuid"] == uuid]
    out = tmp_path / "台账.xlsx"
    assert main([*base, "export", "--out", str(out), "--today", "2020-07-18"]) == 0
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[3][:3] == ("序号", "来源", "问题描述") and "危房未改造" in [r[2] for r in rows[4:]]
    marked = [r for r in rows[4:] if r[0] is not None and r[11] == "逾期"]
    assert len(marked) == sum(p["overdue"] for p in doc["problems"])


def test_supervision_candidates_confirm_entries_and_the_seed004_table(demo_db_path, capsys, tmp_path):
    base = ["--db", str(demo_db_path), "supervision"]
    code, doc = run(capsys, *base, "candidates", "--county-over", "100", "--township-at-least", "60", "--json")
    assert code == 0
    levels = {c["level"] for c in doc["candidates"]}
    assert "county" in levels and "township" in levels
    county = next(c for c in doc["candidates"] if c["level"] == "county")
    assert county["listed"]  # the demo lists its county
    assert county["reason_text"] == "剩余贫困人口超过1000人" and county["figure"] == f"{county['persons']}人"
    new = [c for c in doc["candidates"] if not c["listed"]]
    assert new
    code, doc = run(capsys, *base, "candidates", "--county-over", "100", "--township-at-least", "60", "--confirm",
                    "--json")
    assert code == 0 and len(doc["listed"]) == len(new)
    _, doc = run(capsys, *base, "candidates", "--county-over", "100", "--township-at-least", "60", "--json")
    assert all(c["listed"] for c in doc["candidates"])  # a confirmed unit is not proposed twice

    _, doc = run(capsys, *base, "list", "--today", "2020-03-25", "--json")
    assert {f["code"] for f in doc["findings"]} == {"D-09"}
    name = new[0]["unit"]
    assert name in {f["message"].split("“")[1].split("”")[0] for f in doc["findings"]}
    assert main([*base, "entry", "--target", name, "--month", "2020-03", "--actions", "走访12户，召开推进会1次",
                 "--found", "2", "--solved", "1", "--today", "2020-03-19"]) == 0
    _, doc = run(capsys, *base, "list", "--today", "2020-03-25", "--json")
    assert name not in {f["message"].split("“")[1].split("”")[0] for f in doc["findings"]}

    out = tmp_path / "挂牌督战表.xlsx"
    assert main([*base, "export", "--out", str(out), "--today", "2020-03-25"]) == 0
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[1][0] == "县级定点挂牌督战表"
    header = list(rows[3])
    assert header[:6] == SEED004[:6] and header[6] == "县级领导" and header[7] == SEED004[7]
    assert rows[4][0] == 1 and rows[4][1] == "康平县" and rows[4][2] == county["figure"]

    towns = tmp_path / "乡镇名单.pdf"
    assert main([*base, "export", "--townships", "--township-at-least", "60", "--out", str(towns)]) == 0
    text = PdfReader(towns).pages[0].extract_text()
    assert "贫困人口60人以上的" in text and "乡(镇)" in text and "贫困人口数(人)" in text


def test_village_incidence_needs_its_rural_population(demo_db_path, capsys):
    base = ["--db", str(demo_db_path), "supervision"]
    _, doc = run(capsys, *base, "candidates", "--json")
    assert not [c for c in doc["candidates"] if c["level"] == "village"]  # no village has a rural population yet
    with Database(demo_db_path) as database, database.session() as s:
        from app.models.units import unit_path
        from app.services.periods import get_period
        from app.services.supervision import remaining_by_unit

        village = s.scalars(select(Unit).where(Unit.level == "village").order_by(Unit.id)).first()
        path, poor = unit_path(village), remaining_by_unit(s, get_period(s, None))[village.id]
    assert main([*base, "population", "--unit", path, "--persons", str(poor * 5)]) == 0  # 20 %
    _, doc = run(capsys, *base, "candidates", "--json")
    (v,) = [c for c in doc["candidates"] if c["level"] == "village"]
    assert v["unit"] == path and v["incidence"] == 20.0 and v["figure"] == "20.00%" and v["reason"] == "incidence"
    assert main([*base, "population", "--unit", path, "--persons", str(poor * 10)]) == 0  # 10 % is not over 10 %
    _, doc = run(capsys, *base, "candidates", "--json")
    assert not [c for c in doc["candidates"] if c["level"] == "village"]
    assert main([*base, "population", "--unit", path.split("/")[0], "--persons", "5"]) == 2  # a township


def test_ledgers_inside_the_month_package(demo_db_path, capsys, tmp_path):
    code, doc = run(capsys, "--db", str(demo_db_path), "export", "--out", str(tmp_path / "out"), "--draft",
                    "--with-ledgers", "--json")
    assert code == 0
    names = {f["name"] for f in doc["files"]}
    for stem in ("部门清单", "乡镇清单", "问题整改台账", "挂牌督战表"):
        assert {f"{stem}-草稿.xlsx", f"{stem}-草稿.pdf"} <= names
    manifest = json.loads((Path(doc["folder"]) / "manifest.json").read_text(encoding="utf-8"))
    assert {f["name"] for f in manifest["files"]} == names
    code, verified = run(capsys, "verify", doc["folder"], "--json")
    assert code == 0 and verified["ok"], verified
    rows = list(openpyxl.load_workbook(Path(doc["folder"]) / "挂牌督战表-草稿.xlsx").active.iter_rows(values_only=True))
    assert rows[1][0] == "县级定点挂牌督战表" and "数据月份：2020年3月" in str(rows[-1][0])


def test_office_thresholds_are_kept(demo_db_path, capsys):
    base = ["--db", str(demo_db_path), "supervision", "candidates", "--json"]
    _, doc = run(capsys, *base)
    assert doc["thresholds"] == {"county_over": 1000, "township_at_least": 300, "incidence_over": 10.0}
    _, doc = run(capsys, *base, "--township-at-least", "60", "--save")
    assert doc["thresholds"]["township_at_least"] == 60
    _, again = run(capsys, *base)  # no flags: the office's own now
    assert again["thresholds"]["township_at_least"] == 60 and again["candidates"] == doc["candidates"]
