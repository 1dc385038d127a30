"""Privacy of public outputs: a wall chart hangs in the village hall, so household phones are masked
and health is left out; ID numbers never appear. Read back from the PDF text as anyone could."""

from __future__ import annotations

from pathlib import Path

import _export_register as R
import pytest
from pypdf import PdfReader

from app.cli import main
from app.models import Person
from app.services import backup as bk
from app.storage import Database

ID_NUMBER = "210123195001011234"


@pytest.fixture
def clean(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(bk.BACKUP_DIR_ENV, str(tmp_path / "backups"))
    path = tmp_path / "clean.db"
    with Database(path, create=True) as db:
        R.build(db)
        with db.session() as s:
            for p in s.query(Person):
                p.id_number = ID_NUMBER
                p.phone = "13012345678"
    return path


def _text(pdf: Path) -> str:
    return "".join("".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages)


@pytest.mark.parametrize("level,unit", [("village", "暖泉镇/前暖泉村"), ("township", "暖泉镇"), ("county", "康平县")])
def test_wall_chart_masks_phones_and_leaves_out_health_and_ids(clean, tmp_path, level, unit):
    out = tmp_path / f"{level}.pdf"
    assert main(["wallchart", "--db", str(clean), "--level", level, "--unit", unit, "--paper", "A3",
                 "--out", str(out)]) == 0
    text = _text(out)
    assert ("前暖泉村" if level != "county" else "建档立卡贫困人口") in text  # the chart is really there, readable
    phones = [h[4] for h in R.HOUSEHOLDS]
    for phone in [*phones, "13012345678"]:
        assert phone not in text, f"full phone {phone} on a public wall chart"
    if level == "village":
        assert "151****1234" in text  # the head's phone, masked
    for health in ("残疾", "长期慢性病"):
        assert health not in text, f"health detail {health} on a public wall chart"
    assert ID_NUMBER not in text and ID_NUMBER[:6] + "19500101" not in text


def test_cards_mask_the_phone_and_carry_no_id_number(clean, tmp_path):
    out = tmp_path / "cards.pdf"
    assert main(["cards", "--db", str(clean), "--unit", "暖泉镇/前暖泉村", "--out", str(out)]) == 0
    text = _text(out)
    assert "于长海" in text
    assert "15140731234" not in text and ID_NUMBER not in text


def test_cards_name_no_illness_or_disability_but_keep_the_amounts(clean, tmp_path):
    """A 明白卡 hangs in the home: income items and measures that name a health condition appear
    under a neutral name; their amounts stay, so 合计 is what the register says."""
    from sqlalchemy import select

    from app.models import Household, IncomeItem, Measure

    with Database(clean) as db, db.session() as s:
        head = s.scalars(select(Person).where(Person.name == "于长海")).first()
        hh = s.get(Household, head.household_id)
        hh.income_items.clear()
        hh.measures.clear()
        s.flush()
        hh.income_items.extend([
            IncomeItem(category="残疾人补助", label="残疾人补助", amount=1234, position=0),
            IncomeItem(category="其他转移性收入", label="大病医疗救助", amount=2345, position=1),
            IncomeItem(category="种植业", label="玉米", amount=3456, position=2),
        ])
        hh.measures.extend([
            Measure(category="健康扶贫", text="慢性病门诊报销", position=0),
            Measure(category="其它", text="残疾人两项补贴", position=1),
            Measure(category="产业带动", text="庭院经济种植辣椒", position=2),
        ])
    out = tmp_path / "cards.pdf"
    assert main(["cards", "--db", str(clean), "--unit", "暖泉镇/前暖泉村", "--out", str(out)]) == 0
    text = _text(out)
    assert "于长海" in text and "庭院经济种植辣椒" in text and "玉米" in text
    for word in ("残疾", "慢性病", "大病", "医疗"):
        assert word not in text, f"{word} on a 明白卡"
    assert "政策性补助" in text and "健康扶贫" in text
    assert "1,234" in text or "1234" in text
    assert "合计7,035元" in text or "合计7035元" in text
