"""Our own packages: export then import into a fresh database gives the same register; consolidation."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_import_helpers import dump, quick_package, run_cli

from app.exporters.register_json import dump_register
from app.models import FundProject, HandCount, Household, Period, Person, VerificationNote
from app.models.units import unit_path, villages_under
from app.services.periods import get_period
from app.services.units import find_unit
from app.storage import Database


def register_of(db_path: Path, unit: str = "康平县", month: str = "2020-03") -> dict:
    """dump_register without what legitimately differs between two databases (times, lock state)."""
    with Database(db_path, write=False) as d, d.session() as s:
        doc = dump_register(s, get_period(s, month), find_unit(s, unit))
    doc.pop("exported_at")
    for k in ("opened_at", "state", "locked_at"):
        doc["period"].pop(k)
    for a in doc.get("adjustments", []):
        a.pop("source")  # how the record entered this register: the window there, an import here
    return doc


PASSPHRASE = "kangping-口令-2020"


@pytest.fixture(scope="module")
def exported(_demo_template: Path, tmp_path_factory) -> tuple[Path, dict]:
    """The demo register (plus a hand count and a note) exported once with the real package writer."""
    from app.services.export import export_package

    work = tmp_path_factory.mktemp("pkg")
    db_path = work / "demo.db"
    shutil.copy(_demo_template, db_path)
    with Database(db_path) as d:
        with d.session() as s:
            period = get_period(s, "2020-03")
            village = villages_under(s, find_unit(s, "康平县"))[0]
            s.add(HandCount(period_id=period.id, unit_id=village.id, form=1, total=12, housing=3, dibao=None))
            s.add(VerificationNote(period_id=period.id, code="M-07", target=unit_path(village), field="total",
                                   note="新识别2人", who="测试"))
        # to the county level (everything travels) with the identifiers in their AES zip
        result = export_package(d, "2020-03", "康平县", work / "out", draft=True, recipient="county",
                                passphrase=PASSPHRASE)
    (work / "pass.txt").write_text(PASSPHRASE, encoding="utf-8")
    result["pass"] = str(work / "pass.txt")
    return db_path, result


def test_real_package_round_trip_is_lossless(exported, db_path: Path):
    src_db, result = exported
    before = register_of(src_db)
    rc, out = run_cli("import", "--db", str(db_path), result["zip"], "--json", "--passphrase-file", result["pass"])
    assert rc == 0, out
    assert out["period"] == "2020-03"
    assert out["added"] == {"households": before["counts"]["households"], "persons": before["counts"]["persons"]}
    after = register_of(db_path)
    assert after == before  # UUIDs, every field, hand counts, projects, notes, office, unit codes
    assert after["hand_counts"][0]["total"] == 12 and after["hand_counts"][0]["dibao"] is None
    # the same counts as the source register derives
    rc1, c1 = run_cli("counts", "--db", str(src_db), "--form", "1", "--period", "2020-03", "--json")
    rc2, c2 = run_cli("counts", "--db", str(db_path), "--form", "1", "--period", "2020-03", "--json")
    assert rc1 == rc2 == 0 and c1 == c2


def test_folder_package_then_reimport_is_unchanged(exported, db_path: Path):
    _src, result = exported
    rc, out = run_cli("import", "--db", str(db_path), result["folder"], "--json", "--passphrase-file", result["pass"])
    assert rc == 0 and out["added"]["households"] > 0
    before = dump(db_path)
    rc, out = run_cli("import", "--db", str(db_path), result["folder"], "--json", "--passphrase-file", result["pass"])
    assert rc == 0 and out["added"]["households"] == 0 and out["changed"]["households"] == 0
    assert out["unchanged"]["households"] > 0
    assert [t for t in dump(db_path) if t[0] != "audit_log"] == [t for t in before if t[0] != "audit_log"]


def test_tampered_package_is_refused_before_reading(exported, db_path: Path, tmp_path: Path):
    _src, result = exported
    folder = Path(shutil.copytree(result["folder"], tmp_path / "改过的包"))
    reg = folder / "register.json"
    reg.write_text(reg.read_text(encoding="utf-8").replace('"age": 4', '"age": 5', 1), encoding="utf-8")
    before = dump(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(folder), "--json")
    assert rc == 1
    assert any(f["code"] == "I-06" and "register.json" in f["message"] for f in out["findings"])
    assert dump(db_path) == before

    zipped = tmp_path / "改过的包.zip"  # the same package, zipped: the zip path checks checksums too
    with zipfile.ZipFile(zipped, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, f"改过的包/{p.name}")
    rc, out = run_cli("import", "--db", str(db_path), str(zipped), "--json")
    assert rc == 1 and any(f["code"] == "I-06" for f in out["findings"])
    assert dump(db_path) == before


def test_period_from_package_conflicts_with_flag(exported, db_path: Path):
    _src, result = exported
    rc, _ = run_cli("import", "--db", str(db_path), result["zip"], "--period", "2020-04", "--json")
    assert rc == 2


def test_county_consolidates_township_packages(demo_db_path: Path, db_path: Path, tmp_path: Path):
    a = quick_package(demo_db_path, "康平县/张强镇", tmp_path / "张强镇")
    b = quick_package(demo_db_path, "康平县/两家子乡", tmp_path / "两家子乡")
    rc, out = run_cli("import", "--db", str(db_path), str(a), str(b), "--json")
    assert rc == 0, out
    assert register_of(db_path, "张强镇")["households"] == register_of(demo_db_path, "张强镇")["households"]
    assert register_of(db_path, "两家子乡")["households"] == register_of(demo_db_path, "两家子乡")["households"]

    # the township sends a corrected package: replacing needs confirmation, and touches only that township
    with Database(demo_db_path) as d, d.session() as s:
        period = get_period(s, "2020-03")
        village = villages_under(s, find_unit(s, "康平县/张强镇"))[0]
        person = s.scalars(select(Person).join(Household)
                           .where(Household.village_id == village.id, Household.period_id == period.id)).first()
        person.age = (person.age or 0) + 1
        changed_uuid = person.uuid
    a2 = quick_package(demo_db_path, "康平县/张强镇", tmp_path / "张强镇2")
    before = dump(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(a2), "--json")
    assert rc == 1 and any(f["code"] == "I-07" for f in out["findings"])
    assert dump(db_path) == before
    other = register_of(db_path, "两家子乡")
    rc, out = run_cli("import", "--db", str(db_path), str(a2), "--replace", "--json")
    assert rc == 0 and out["changed"] == {"households": 1, "persons": 1}
    assert register_of(db_path, "张强镇")["households"] == register_of(demo_db_path, "张强镇")["households"]
    assert register_of(db_path, "两家子乡") == other
    ages = {m["uuid"]: m["age"] for h in register_of(db_path, "张强镇")["households"] for m in h["members"]}
    assert changed_uuid in ages


def _xlsx(result: dict, stem: str) -> Path:
    return Path(result["folder"]) / next(f["name"] for f in result["files"] if f["name"].startswith(stem)
                                         and f["name"].endswith(".xlsx"))


def test_exported_form4_workbooks_read_back_unchanged(exported):
    """Our own 附件4 files, imported like hand-made ones into the register they came from: nothing differs."""
    from app.services.imports import preview_import

    src_db, result = exported
    books = [_xlsx(result, "附件4 "), _xlsx(result, "附件4（5000-5760元）")]
    with Database(src_db, write=False) as d, d.session() as s:
        plan = preview_import(s, books, "2020-03")
        total = s.scalar(select(func.count()).select_from(Household).where(
            Household.period_id == get_period(s, "2020-03").id))
    households = [u for u in plan.units if u.kind == "households"]
    assert {u.band for u in households} == {"A", "B"}
    assert all(u.status == "unchanged" for u in households), [u.differences[:3] for u in households]
    assert sum(u.households["unchanged"] for u in households) == total
    assert not [f for f in plan.findings if f.code.startswith("I-")]


def test_exported_count_and_project_workbooks_import_into_a_fresh_db(exported, db_path: Path):
    src_db, result = exported
    books = [_xlsx(result, "附件2"), _xlsx(result, "附件3")]
    rc, out = run_cli("import", "--db", str(db_path), *map(str, books), "--period", "2020-03", "--json")
    assert rc == 0, [f for f in out.get("findings", []) if f["severity"] == "E"]
    assert {u["kind"] for u in out["units"]} == {"counts2", "projects"}
    with Database(src_db, write=False) as d, d.session() as s:
        want_projects = sorted(s.scalars(select(FundProject.name).join(Period).where(Period.month == "2020-03")))
    with Database(db_path, write=False) as d, d.session() as s:
        assert sorted(s.scalars(select(FundProject.name))) == want_projects
        assert s.scalar(select(func.count()).select_from(HandCount).where(HandCount.form == 2)) >= 1

    # 附件1 carries the fixture's half-typed hand count (total 12 beside derived columns): M-05 refuses it
    before = dump(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(_xlsx(result, "附件1")), "--period", "2020-03", "--json")
    assert rc == 1
    m05 = [f for f in out["findings"] if f["code"] == "M-05"]
    assert m05 and all(f["sheet"] and f["row"] and f["column"] for f in m05)
    assert dump(db_path) == before


def test_new_laptop_import_last_package_then_new_month(exported, db_path: Path):
    src_db, result = exported
    rc, _ = run_cli("import", "--db", str(db_path), result["zip"], "--json", "--passphrase-file", result["pass"])
    assert rc == 0
    rc, out = run_cli("new-month", "--db", str(db_path), "--from", "2020-03", "--to", "2020-04", "--json")
    assert rc == 0
    before = register_of(src_db)
    assert (out["households"], out["persons"]) == (before["counts"]["households"], before["counts"]["persons"])
    after = register_of(db_path, month="2020-04")
    assert [h["uuid"] for h in after["households"]] == [h["uuid"] for h in before["households"]]
