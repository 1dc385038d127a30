"""治疗用药 records (household-records.md §4): T-01/T-02, the household's medical table, and health data
that stays home — the demo's disease names appear in no other output nor in the log."""

from __future__ import annotations

import json
import subprocess
import zipfile

import pytest
from _small_register import build_register
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from app.cli import main
from app.models import Household, Period
from app.services import checks, treatment
from app.services.demo_records import DEMO_DISEASES

NAMES = [d for ds in DEMO_DISEASES.values() for d in ds]


def test_t01_t02_and_out_of_pocket(db):
    ids = build_register(db, "2020-03")
    with db.session() as s:
        hh = s.get(Household, ids["households"][0])
        p = hh.members[1]
        p.health = "长期慢性病"
        period = s.scalar(select(Period))
        assert [f.code for f in treatment.findings(s, period)] == ["T-01"]
        uuid, found = treatment.set_treatment(s, treatment.SetTreatment(
            hh.uuid, p.uuid, 2020, "原发性高血压", treatment="门诊慢病", total_cost=1000, basic_insurance=700,
            medical_assistance=400))
        assert [f.code for f in found] == ["T-02"]
        assert "T-02" in {f.code for f in checks.check_period(s, period)}
        uuid2, found = treatment.set_treatment(s, treatment.SetTreatment(
            hh.uuid, p.uuid, 2020, "原发性高血压", treatment="门诊慢病", total_cost=1000, basic_insurance=700,
            medical_assistance=100))
        assert uuid2 == uuid and found == []
        rec = treatment.of_household(s, hh.uuid, 2020)[0]
        assert rec.out_of_pocket == 200 and rec.person_name == "李秀英"
        assert treatment.findings(s, period) == []
        with pytest.raises(treatment.TreatmentRefused):
            treatment.set_treatment(s, treatment.SetTreatment(hh.uuid, p.uuid, 2020, "x", treatment="针灸"))


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _xlsx_text(data_or_path) -> str:
    wb = CalamineWorkbook.from_filelike(data_or_path) if not isinstance(data_or_path, str) else \
        CalamineWorkbook.from_path(data_or_path)
    return "\n".join(str(c) for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python() for c in r)


def test_health_data_stays_home(demo_db_path, tmp_path, monkeypatch):
    import io

    monkeypatch.setenv("GUATU_LOG_DIR", str(tmp_path / "log"))
    db = ["--db", str(demo_db_path)]
    out = tmp_path / "out"
    out.mkdir()
    assert main(["household-papers", *db, "--unit", "康平县", "--out", str(out / "med.pdf"), "--kind", "medical"]) == 0
    medical = _pdf_text(out / "med.pdf")
    assert sum(medical.count(n) for n in NAMES) > 3  # the demo has records, printed on their own table
    assert main(["wallchart", *db, "--level", "county", "--unit", "康平县", "--paper", "A3",
                 "--out", str(out / "wall.pdf")]) == 0
    assert main(["cards", *db, "--unit", "康平县", "--out", str(out / "cards.pdf")]) == 0
    assert main(["household-papers", *db, "--unit", "康平县", "--out", str(out / "inc.pdf")]) == 0
    assert main(["household-papers", *db, "--unit", "康平县", "--out", str(out / "hb.pdf"), "--kind", "handbook"]) == 0
    assert main(["adjustments", "export", *db, "--unit", "康平县", "--out", str(out / "adj")]) == 0
    assert main(["monitored", "export", *db, "--unit", "康平县", "--out", str(out / "mon")]) == 0
    assert main(["export", *db, "--out", str(out / "pkg"), "--draft"]) == 0
    texts = {}
    for pdf in out.rglob("*.pdf"):
        if pdf.name != "med.pdf":
            texts[str(pdf)] = _pdf_text(pdf)
    for x in out.rglob("*.xlsx"):
        texts[str(x)] = _xlsx_text(str(x))
    for z in out.rglob("*.zip"):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                data = zf.read(name)
                texts[f"{z}:{name}"] = _xlsx_text(io.BytesIO(data)) if name.endswith(".xlsx") else \
                    data.decode("utf-8", "replace")
    for f in list(out.rglob("*.json")) + list(out.rglob("*.eml")) + list((tmp_path / "log").rglob("*")):
        if f.is_file():
            texts[str(f)] = f.read_text("utf-8", "replace")
    assert len(texts) >= 10
    leaks = {k: [n for n in NAMES if n in t] for k, t in texts.items()}
    assert not {k: v for k, v in leaks.items() if v}, leaks
    json.dumps(list(texts))


def test_edit_by_record_and_delete_keep_the_log_free_of_content(db):
    from app.models import AuditEntry, TreatmentRecord
    from app.services import treatment as T

    ids = build_register(db, "2020-03")
    with db.session() as s:
        hh = s.get(Household, ids["households"][0])
        person = hh.members[0].uuid
        assert [m[1] for m in T.members_of(s, s.get(Period, hh.period_id), hh.uuid)] == ["王建国", "李秀英"]
        a, _ = T.set_treatment(s, T.SetTreatment(hh.uuid, person, 2020, "糖尿病", total_cost=800, basic_insurance=500))
        b, _ = T.set_treatment(s, T.SetTreatment(hh.uuid, person, 2020, "冠心病"))
        with pytest.raises(T.TreatmentRefused):  # renaming onto the other record's disease
            T.set_treatment(s, T.SetTreatment(hh.uuid, person, 2020, "冠心病", record=a))
        assert T.set_treatment(s, T.SetTreatment(hh.uuid, person, 2020, "2型糖尿病", record=a))[0] == a
        T.delete_treatment(s, b)
        assert [(r.uuid, r.disease) for r in s.scalars(select(TreatmentRecord))] == [(a, "2型糖尿病")]
        with pytest.raises(T.TreatmentRefused):
            T.delete_treatment(s, b)
        logged = list(s.scalars(select(AuditEntry).where(AuditEntry.table == "treatment_records")))
        assert [e.action for e in logged] == ["insert", "insert", "update", "delete"]
        assert all(e.old is None and e.new is None and e.field is None for e in logged)
