"""一册两表 (household-records.md §4): income table and handbook PDFs of a village, text and pages checked."""

from __future__ import annotations

import subprocess

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
