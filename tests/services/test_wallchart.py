"""Wall charts: paper sizes, tiling, masked phones, closed-out marks, rare characters, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _query import query as _q
from pypdf import PdfReader
from reportlab.lib.pagesizes import A0, A1, A2, A3, A4

from app.cli import main
from app.exporters.wallchart import write_wallchart
from app.services.periods import get_period
from app.services.units import find_unit
from app.services.wallchart import build
from app.storage import Database

PHONE11 = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _text(pdf: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, _demo_template) -> Path:
    path = tmp_path_factory.mktemp("wall") / "demo.db"
    path.write_bytes(Path(_demo_template).read_bytes())
    return path


def _village_with_closed(path: Path) -> tuple[str, int]:
    """(township/village, closed households) of the village with most closed-out households in 2020-03."""
    return _q(path, "SELECT t.name || '/' || v.name, sum(h.closed_out) n FROM households h "
                    "JOIN periods p ON p.id = h.period_id JOIN units v ON v.id = h.village_id "
                    "JOIN units t ON t.id = v.parent_id WHERE p.month = '2020-03' GROUP BY v.id ORDER BY n DESC")[0]


@pytest.mark.parametrize("paper,size", [("A0", A0), ("A1", A1), ("A2", A2), ("A3", A3)])
def test_paper_sizes_landscape(demo, tmp_path, paper, size):
    out = tmp_path / f"c-{paper}.pdf"
    assert main(["wallchart", "--db", str(demo), "--level", "county", "--unit", "康平县", "--paper", paper,
                 "--out", str(out)]) == 0
    pages = PdfReader(out).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert abs(float(box.width) - size[1]) < 1 and abs(float(box.height) - size[0]) < 1


def test_county_chart_contents(demo, tmp_path):
    out = tmp_path / "county.pdf"
    with Database(demo, write=False) as db, db.session() as s:
        chart = build(s, find_unit(s, "康平县"), get_period(s, None), "county")
    write_wallchart(chart, out, "A1")
    text = _text(out)
    assert "康平县2020年脱贫攻坚挂图作战图" in text and "2020年3月数据" in text and "4月5日前报送" in text
    townships = [n for (n,) in _q(demo, "SELECT name FROM units WHERE level = 'township'")]
    assert all(t in text for t in townships)  # the bar chart labels every township
    assert f"{chart.persons}人" in text and f"{chart.band_a[1]}人" in text and f"{chart.band_b[1]}人" in text
    assert chart.persons == _q(demo, "SELECT count(*) FROM persons p JOIN households h ON h.id = p.household_id "
                                     "WHERE h.period_id = 2")[0][0]
    assert "帮扶责任人" in text and "产业带动" in text
    # Cadres' work phones are shown; no household head's phone is.
    heads = {p for (p,) in _q(demo, "SELECT head_phone FROM households WHERE head_phone IS NOT NULL")}
    found = set(PHONE11.findall(text))
    assert found and not (found & heads)
    assert "大病" not in text and "长期慢性病" not in text


def test_village_chart_masks_phones_and_marks_closed(demo, tmp_path):
    village, closed = _village_with_closed(demo)
    assert closed > 0
    out = tmp_path / "village.pdf"
    assert main(["wallchart", "--db", str(demo), "--level", "village", "--unit", village, "--paper", "A2",
                 "--out", str(out)]) == 0
    text = _text(out)
    phones = [p for (p,) in _q(demo, "SELECT h.head_phone FROM households h JOIN units v ON v.id = h.village_id "
                                     "WHERE h.period_id = 2 AND v.name = ?", village.split("/")[1])]
    assert phones
    heads_in_text = set(PHONE11.findall(text)) & {p for p in phones if p}
    assert not heads_in_text
    for p in phones:
        if p and PHONE11.fullmatch(p):
            assert f"{p[:3]}****{p[-4:]}" in text
    # One stamp per closed-out household (the stamp is a line of its own).
    assert [ln.strip() for ln in text.splitlines()].count("已销号") == closed
    assert "大病" not in text and "长期慢性病" not in text


def test_rare_characters_print(demo, tmp_path):
    row = _q(demo, "SELECT t.name || '/' || v.name, p.name FROM persons p JOIN households h ON h.id = p.household_id "
                   "JOIN units v ON v.id = h.village_id JOIN units t ON t.id = v.parent_id "
                   "WHERE h.period_id = 2 AND p.position = 0 AND (p.name LIKE '%堃%' OR p.name LIKE '%䶮%' "
                   "OR p.name LIKE '%𠮷%')")
    assert row
    village, name = row[0]
    out = tmp_path / "rare.pdf"
    assert main(["wallchart", "--db", str(demo), "--level", "village", "--unit", village, "--paper", "A3",
                 "--out", str(out)]) == 0
    assert name in _text(out)
    fonts = {str(f) for p in PdfReader(out).pages for f in p["/Resources"]["/Font"].values()}
    assert len(fonts) >= 2  # the fallback face is embedded beside the main one


def test_tiled_chart(demo, tmp_path):
    out = tmp_path / "tiles.pdf"
    assert main(["wallchart", "--db", str(demo), "--level", "county", "--unit", "康平县", "--paper", "A1",
                 "--tile", "A4", "--out", str(out)]) == 0
    reader = PdfReader(out)
    sizes = {tuple(sorted((round(float(p.mediabox.width)), round(float(p.mediabox.height))))) for p in reader.pages}
    assert sizes == {(round(A4[0]), round(A4[1]))}
    first = reader.pages[0].extract_text()
    m = re.search(r"分(\d+)行×(\d+)列共(\d+)张A4纸", first)
    assert m
    rows, cols, n = map(int, m.groups())
    assert rows * cols == n == len(reader.pages) - 1 and rows >= 2 and cols >= 2
    labels = [re.search(r"第(\d+)行第(\d+)列", p.extract_text()).groups() for p in reader.pages[1:]]
    assert labels == [(str(r), str(c)) for r in range(1, rows + 1) for c in range(1, cols + 1)]


def test_cli_refusals(demo, tmp_path):
    out = tmp_path / "x.pdf"
    assert main(["wallchart", "--db", str(demo), "--level", "village", "--unit", "康平县", "--paper", "A1",
                 "--out", str(out)]) == 2
    assert main(["wallchart", "--db", str(demo), "--level", "county", "--unit", "没有这个县", "--paper", "A1",
                 "--out", str(out)]) == 2
    with pytest.raises(SystemExit) as exc:  # argparse rejects the flag value
        main(["wallchart", "--db", str(demo), "--level", "county", "--paper", "A4", "--out", str(out)])
    assert exc.value.code == 2
    assert main(["wallchart", "--db", str(demo), "--level", "county", "--paper", "A3", "--tile", "A3",
                 "--out", str(out)]) == 2
    assert main(["wallchart", "--db", str(demo), "--level", "county", "--period", "2020-02", "--paper", "A3",
                 "--out", str(out)]) == 0  # default unit: the office's; any stored month
    assert "2020年2月数据" in _text(out)
    assert not out.with_name("x.pdf.part").exists()


def test_aggregates_add_up(demo):
    with Database(demo, write=False) as db, db.session() as s:
        period = get_period(s, None)
        county = build(s, find_unit(s, "康平县"), period)
        towns = [build(s, find_unit(s, r.name), period) for r in county.by_unit]
    assert sum(r.persons for r in county.by_unit) == county.persons
    assert sum(r.households for r in county.by_unit) == county.households
    assert [t.persons for t in towns] == [r.persons for r in county.by_unit]
    assert sum(t.poor_villages for t in towns) == county.poor_villages
    assert sum(county.band_a_bins.values()) == county.band_a[1]
    assert sum(county.band_b_bins.values()) == county.band_b[1]
    assert county.band_a[1] + county.band_b[1] == county.persons
    assert sum(h for _m, h, _c in county.expected) == county.households
    assert sum(c for _m, _h, c in county.expected) == county.closed[0]
    assert sum(county.risk.values()) == county.households
    assert sum(c.households for c in county.cadres) == county.households
    assert all(h <= county.households for _c, h, _p in county.measures)
    n_closed = _q(demo, "SELECT count(*) FROM households WHERE period_id = 2 AND closed_out")[0][0]
    assert county.closed[0] == n_closed > 0


def test_many_units_all_labelled(tmp_path):
    """A township of 45 villages: every village keeps its own labelled bar (columns of horizontal bars)."""
    import datetime as dt

    from app.kernel.views import UnitRow, WallChart

    rows = [UnitRow(f"第{i + 1}号村", households=i + 1, persons=3 * (i + 1), band_a=i + 1, band_b=2 * (i + 1))
            for i in range(45)]
    chart = WallChart(unit="某某镇", unit_path="某县/某某镇", level="township", month="2020-03",
                      due=dt.date(2020, 4, 5), made=dt.date(2020, 4, 1), by_unit=rows,
                      households=sum(r.households for r in rows), persons=sum(r.persons for r in rows))
    out = tmp_path / "many.pdf"
    write_wallchart(chart, out, "A2")
    text = _text(out)
    for r in rows:
        assert r.name in text and str(r.persons) in text
