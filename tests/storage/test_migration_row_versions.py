"""0009_row_versions on a register made before it: existing rows start at version 1 and open."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from app import migrations


def test_a_register_at_0006_gets_row_versions_and_a_change_sequence(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrations.upgrade(engine, "0006_measure_start")
    with engine.begin() as c:
        c.execute(text("INSERT INTO units (id, name, level, position) VALUES (1, '甲镇', 'township', 0)"))
        c.execute(text("INSERT INTO units (id, name, level, parent_id, position) VALUES (2, '乙村', 'village', 1, 0)"))
        c.execute(text("INSERT INTO periods (id, month, state, opened_at) VALUES (1, '2026-03', 'open', '2026-01-01')"))
        c.execute(text("INSERT INTO households (id, uuid, period_id, village_id, position, band, closed_out, "
                       "risk_colour, housing_renovated) VALUES (1, 'U', 1, 2, 0, 'A', 0, 'red', 0)"))
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == migrations.head_revision()
    with engine.connect() as c:
        assert c.execute(text("SELECT version, changed_by FROM households")).all() == [(1, None)]
        assert "version" in {r[1] for r in c.execute(text("PRAGMA table_info(persons)"))}
        assert c.execute(text("SELECT count(*) FROM changes")).scalar() == 0
