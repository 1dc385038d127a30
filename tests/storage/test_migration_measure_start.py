"""0006_measure_start on a register made before it: each measure line takes the first month its
household (by UUID) had the same text."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from app import migrations


def test_a_register_at_0005_analysis_gets_start_months(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrations.upgrade(engine, "0005_analysis")
    with engine.begin() as c:
        c.execute(text("INSERT INTO units (id, name, level, position) VALUES (1, '甲镇', 'township', 0)"))
        c.execute(text("INSERT INTO units (id, name, level, parent_id, position) VALUES (2, '乙村', 'village', 1, 0)"))
        for pid, month in ((1, "2026-03"), (2, "2026-04"), (3, "2026-05")):
            c.execute(text("INSERT INTO periods (id, month, state, opened_at) VALUES (:i, :m, 'open', '2026-01-01')"),
                      {"i": pid, "m": month})
        # household U in three months; household V (another UUID, same text) only in May
        for hid, pid, uuid in ((1, 1, "U"), (2, 2, "U"), (3, 3, "U"), (4, 3, "V")):
            c.execute(text("INSERT INTO households (id, uuid, period_id, village_id, position, band, closed_out, "
                           "risk_colour, housing_renovated) VALUES (:h, :u, :p, 2, 0, 'A', 0, 'red', 0)"),
                      {"h": hid, "u": uuid, "p": pid})
        lines = ((1, "养牛"), (2, "养牛"), (2, "公益岗位"), (3, "养牛"), (3, "公益岗位"), (3, "危房改造"), (4, "养牛"))
        for hid, t in lines:
            c.execute(text("INSERT INTO measures (household_id, position, category, text) VALUES (:h, 0, '产业', :t)"),
                      {"h": hid, "t": t})
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == migrations.head_revision()
    with engine.connect() as c:
        got = {(h, t): s for h, t, s in c.execute(text("SELECT household_id, text, start_month FROM measures"))}
    assert got == {(1, "养牛"): "2026-03", (2, "养牛"): "2026-03", (2, "公益岗位"): "2026-04",
                   (3, "养牛"): "2026-03", (3, "公益岗位"): "2026-04", (3, "危房改造"): "2026-05",
                   (4, "养牛"): "2026-05"}
