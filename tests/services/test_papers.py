"""一册两表 (household-records.md §4): income table and handbook PDFs of a village, text and pages checked."""

from __future__ import annotations

import subprocess

from _query import query

from app.cli import main


def _text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_income_table_and_handbook(demo_db_path, tmp_path):
    from _query import query

    [(village, n)] = query(
        demo_db_path,
        "SELECT v.name, count(*) FROM households h JOIN units v ON v.id = h.village_id JOIN periods p ON p.id = h.period_id "
        "WHERE p.month = '2020-03' GROUP BY v.id ORDER BY v.id LIMIT 1")
    income = tmp_path / "收入.pdf"
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(income)]) == 0
    text = _text(income)
    assert text.count("贫困户家庭收入情况一览表（2020年）") == n
    for word in ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "家庭总收入", "本年累计人均纯收入",
                 "第一书记（签字）"):
        assert word in text
    hb = tmp_path / "手册.pdf"
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(hb),
                 "--kind", "handbook"]) == 0
    text = _text(hb)
    assert text.count("扶 贫 手 册") == n and "走访记录" in text and "家庭成员" in text
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(hb), str(tmp_path / "p")], check=True)
    page = next(tmp_path.glob("p-*1.png"))
    assert page.stat().st_size > 1000
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(hb),
                 "--kind", "x-ray"]) == 2


def _halves(pdf) -> list[tuple[str, str, tuple[float, float]]]:
    """(left text, right text, page size) of every sheet, read back with pdfium."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    out = []
    for page in doc:
        w, h = page.get_size()
        tp = page.get_textpage()
        out.append((tp.get_text_bounded(0, 0, w / 2, h), tp.get_text_bounded(w / 2, 0, w, h), (w, h)))
    doc.close()
    return out


def test_handbook_is_a5_two_up_in_booklet_or_sequence_order(demo_db_path, tmp_path):
    village, n = query(
        demo_db_path,
        "SELECT v.name, count(*) FROM households h JOIN units v ON v.id = h.village_id JOIN periods p ON p.id = h.period_id "
        "WHERE p.month = '2020-03' GROUP BY v.id, v.name ORDER BY v.id LIMIT 1")[0]
    booklet, seq = tmp_path / "手册.pdf", tmp_path / "顺序.pdf"
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(booklet),
                 "--kind", "handbook"]) == 0
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(seq),
                 "--kind", "handbook", "--layout", "sequence"]) == 0
    sheets = _halves(booklet)
    assert all(abs(w - 841.89) < 1 and abs(h - 595.28) < 1 for _l, _r, (w, h) in sheets)  # landscape A4
    covers = [i for i, (_l, right, _s) in enumerate(sheets) if "扶 贫 手 册" in right]
    assert len(covers) == n and len(sheets) % 2 == 0
    assert all("扶 贫 手 册" not in left for left, _r, _s in sheets)
    # booklet: the cover sheet's back carries pages 2 and 3, and the household's pages are a multiple of 4
    first, back = sheets[0], sheets[1]
    assert "家庭基本情况" in back[0] and "家庭成员" in back[0] and "— 2 —" in back[0] and "— 3 —" in back[1]
    per_household = [b - a for a, b in zip(covers, [*covers[1:], len(sheets)], strict=True)]
    assert all(k % 2 == 0 for k in per_household)
    assert "— 2 —" not in first[1] and "帮扶责任人" in first[1]
    # sequence: cover | page 2 on the first side
    s = _halves(seq)
    assert "扶 贫 手 册" in s[0][0] and "家庭基本情况" in s[0][1] and "— 2 —" in s[0][1]
    assert sum("扶 贫 手 册" in left for left, _r, _s in s) == n
    text = "".join(a + b for a, b, _s in sheets)
    for word in ("帮扶措施", "开始月份", "家庭收入", "走访记录", "红黄绿预警记录", "销号 / 返贫记录"):
        assert word in text
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(seq),
                 "--kind", "handbook", "--layout", "fan"]) == 2
    # one household, by its head's name: its own booklet only
    head = query(
        demo_db_path,
        "SELECT x.name FROM persons x JOIN households h ON h.id = x.household_id JOIN units v ON v.id = h.village_id "
        "JOIN periods p ON p.id = h.period_id WHERE v.name = ? AND p.month = '2020-03' AND x.relation = '户主' "
        "ORDER BY h.position LIMIT 1", village)[0][0]
    one = tmp_path / "一户.pdf"
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(one),
                 "--kind", "handbook", "--household", head]) == 0
    single = _halves(one)
    assert sum("扶 贫 手 册" in right for _l, right, _s in single) == 1 and head in single[0][1]
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(one),
                 "--household", "无此人"]) == 2


def test_income_table_has_the_years_months_to_date(demo_db_path, tmp_path):
    """本年累计 by month: each month of the year to the data month shows that month's 本年累计人均纯收入
    from the register (and × household size); a month the register does not hold shows —."""
    import pypdfium2 as pdfium

    village = query(demo_db_path, "SELECT v.name FROM units v WHERE v.level = 'village' ORDER BY v.id LIMIT 1")[0][0]
    rows = query(
        demo_db_path,
        "SELECT p.month, h.ytd_income, (SELECT count(*) FROM persons x WHERE x.household_id = h.id) "
        "FROM households h JOIN periods p ON p.id = h.period_id JOIN units v ON v.id = h.village_id "
        "WHERE v.name = ? AND h.uuid = (SELECT h2.uuid FROM households h2 JOIN periods p2 ON p2.id = h2.period_id "
        "WHERE h2.village_id = v.id AND p2.month = '2020-03' ORDER BY h2.position LIMIT 1) ORDER BY p.month",
        village)
    assert [r[0] for r in rows] == ["2020-02", "2020-03"] and all(r[1] is not None for r in rows)
    out = tmp_path / "收入.pdf"
    assert main(["household-papers", "--db", str(demo_db_path), "--unit", village, "--out", str(out)]) == 0
    doc = pdfium.PdfDocument(str(out))
    text = doc[0].get_textpage().get_text_range()
    doc.close()
    line = next(ln for ln in text.splitlines() if ln.startswith("本年累计人均纯收入"))
    family = next(ln for ln in text.splitlines() if ln.startswith("本年累计家庭纯收入"))
    assert line.split()[1:3] == ["—", f"{rows[0][1]:.0f}"] and line.split()[3] == f"{rows[1][1]:.0f}"
    assert family.split()[2:4] == [f"{rows[0][1] * rows[0][2]:.0f}", f"{rows[1][1] * rows[1][2]:.0f}"]
    assert "1月" in text and "2月" in text and "3月" in text and "4月" not in text


def test_handbook_lists_measures_by_month_with_those_ended(db, tmp_path):
    """A measure replaced in March shows its months (至2020-02); the new one starts 2020-03, 实施中."""
    import pypdfium2 as pdfium
    from _small_register import build_register
    from sqlalchemy import select

    from app.models import Household, Period, Person
    from app.services import register
    from app.services.new_month import new_month
    from app.services.papers import WritePapers, write_papers

    build_register(db, "2020-02")
    out = tmp_path / "手册.pdf"
    with db.session() as s:
        new_month(s, "2020-02", "2020-03")
        hid = s.scalar(select(Household.id).join(Period).join(Person).where(
            Period.month == "2020-03", Person.name == "张凤兰"))
        register.set_measures(s, hid, [("就业", "扶贫车间就业")])
        write_papers(s, WritePapers("2020-03", "前暖泉村", str(out), "handbook", "sequence"))
    doc = pdfium.PdfDocument(str(out))
    text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    part = text[text.index("张凤兰"):]
    rows = [ln for ln in part.splitlines() if ln.startswith("2020-0") and ("发展庭院经济" in ln or "扶贫车间" in ln)]
    assert rows[:2] == ["2020-02 产业带动 发展庭院经济 至2020-02", "2020-03 就业 扶贫车间就业 实施中"]
