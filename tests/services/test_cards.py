"""明白卡: two per A4 sheet, QR codes that decode back to the payload, masked head phones, 销号 stamps."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import pytest
from _query import query as _q
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from app.cli import main
from app.kernel.views import make_payload, parse_payload
from app.services.cards import cards_for, find_by_payload
from app.services.periods import get_period
from app.services.units import find_unit
from app.storage import Database


@pytest.fixture(scope="module")
def village_cards(tmp_path_factory, _demo_template) -> tuple[Path, Path, str, list]:
    """The cards PDF of the village with most closed-out households (2020-03)."""
    tmp = tmp_path_factory.mktemp("cards")
    db = tmp / "demo.db"
    db.write_bytes(Path(_demo_template).read_bytes())
    village = _q(db, "SELECT t.name || '/' || v.name, sum(h.closed_out) n FROM households h "
                     "JOIN units v ON v.id = h.village_id JOIN units t ON t.id = v.parent_id "
                     "WHERE h.period_id = 2 GROUP BY v.id ORDER BY n DESC")[0][0]
    out = tmp / "cards.pdf"
    assert main(["cards", "--db", str(db), "--unit", village, "--out", str(out)]) == 0
    with Database(db, write=False) as database, database.session() as s:
        cards = cards_for(s, find_unit(s, village), get_period(s, None))
    return db, out, village, cards


def test_pages_are_a4_two_cards_each(village_cards):
    _db, out, _v, cards = village_cards
    pages = PdfReader(out).pages
    assert len(pages) == math.ceil(len(cards) / 2)
    for p in pages:
        assert abs(float(p.mediabox.width) - A4[0]) < 1 and abs(float(p.mediabox.height) - A4[1]) < 1
    first = pages[0].extract_text()
    assert first.count("扶贫明白卡") == 2 and "沿此虚线剪开" in first
    assert cards[0].head in first and cards[1].head in first


def test_qr_codes_decode_to_the_payload(village_cards, tmp_path):
    import zxingcpp

    db, out, _v, cards = village_cards
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    found = sorted(r.text for r in zxingcpp.read_barcodes(Image.open(png)))
    expected = sorted(c.payload for c in cards[:2])
    assert found == expected
    code = _q(db, "SELECT v.division_code FROM households h JOIN units v ON v.id = h.village_id "
                  "WHERE h.uuid = ? AND h.period_id = 2", cards[0].uuid)[0][0]
    assert cards[0].payload == make_payload(cards[0].uuid, code, "2020-03")
    parsed = parse_payload(found[0])
    assert parsed is not None and parsed["month"] == "2020-03"
    with Database(db, write=False) as database, database.session() as s:
        hh = find_by_payload(s, found[0])
        assert hh is not None and hh.uuid == parsed["household"] and hh.period_id == 2


def test_phones_masked_and_closed_out_stamped(village_cards):
    _db, out, _v, cards = village_cards
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    for c in cards:
        if c.head_phone and re.fullmatch(r"1\d{10}", c.head_phone):
            assert c.head_phone not in text
            assert f"{c.head_phone[:3]}****{c.head_phone[-4:]}" in text
        assert c.helper_phone in text  # the cadre's work phone is whole
    closed = [c for c in cards if c.closed_out]
    assert closed
    lines = [ln.strip() for ln in text.splitlines()]
    assert lines.count("已销号") == len(closed)
    for c in closed:
        assert f"{c.closed_out_on.year}年{c.closed_out_on.month}月{c.closed_out_on.day}日" in text
    # income total and per capita, derived as in 附件4 (合计 ÷ 人口, half up)
    c = cards[0]
    assert f"合计{c.income_total:.0f}元，人均{c.per_capita}元" in text


def test_payload_parsing():
    u = "3f2b8c1e-0a4d-4c7e-9b1a-2d3e4f5a6b7c"
    p = make_payload(u, "210123101201", "2020-03")
    assert p == f"GUATU1|{u}|210123101201|2020-03"
    assert parse_payload("  " + p + "\n") == {"household": u, "unit": "210123101201", "month": "2020-03"}
    assert parse_payload(f"guatu1|{u.upper()}|暖泉镇/前暖泉村|2020-12")["household"] == u
    for bad in ("", "GUATU1|x|y|2020-03", f"GUATU2|{u}|a|2020-03", f"GUATU1|{u}|a|2020-13", f"GUATU1|{u}||2020-03",
                f"GUATU1|{u}|a|2020-03|extra"):
        assert parse_payload(bad) is None
    with pytest.raises(ValueError):
        make_payload(u, "a|b", "2020-03")


def test_cli_cards_refusals(village_cards, tmp_path):
    db, *_ = village_cards
    assert main(["cards", "--db", str(db), "--unit", "没有这个村", "--out", str(tmp_path / "x.pdf")]) == 2
    assert main(["cards", "--db", str(db), "--unit", "康平县", "--out", str(tmp_path / "x.txt")]) == 2
    assert main(["cards", "--db", str(db), "--unit", "康平县", "--period", "2019-12",
                 "--out", str(tmp_path / "x.pdf")]) == 2
    assert not (tmp_path / "x.pdf").exists()
