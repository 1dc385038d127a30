"""0007_ledger_dates on a register made before it: the 分析反馈 month moves out of 整改措施 into
``feedback_month``; the dates not known stay NULL; the check-summary triggers are in place."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from app import migrations


def test_a_register_at_0006_gets_feedback_months_and_null_dates(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrations.upgrade(engine, "0006_measure_start")
    with engine.begin() as c:
        for i, (source, measures) in enumerate((("分析反馈", "分析反馈 2026-10"), ("分析反馈", "分析反馈：入户核实"),
                                                ("自查", "分析反馈 2026-10"))):
            c.execute(text("INSERT INTO problems (uuid, year, position, source, description, measures, status) "
                           "VALUES (:u, 2026, :i, :s, '问题', :m, '未整改')"), {"u": f"p{i}", "i": i, "s": source, "m": measures})
        c.execute(text("INSERT INTO responsibility_lists (id, uuid, year, kind) VALUES (1, 'l1', 2026, 'departments')"))
        c.execute(text("INSERT INTO tasks (uuid, list_id, position, ongoing) VALUES ('t1', 1, 0, 1)"))
    migrations.upgrade(engine)
    with engine.connect() as c:
        rows = c.execute(text("SELECT uuid, feedback_month, measures, opened_on FROM problems ORDER BY uuid")).all()
        assert rows == [("p0", "2026-10", None, None), ("p1", None, "分析反馈：入户核实", None),
                        ("p2", None, "分析反馈 2026-10", None)]
        assert c.execute(text("SELECT created_on FROM tasks")).scalar() is None
        triggers = {r[0] for r in c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
    assert "trg_check_summaries_households_update" in triggers and "trg_check_summaries_visits_insert" in triggers
    # and back: the month returns to 整改措施, the columns, table and triggers go
    from alembic import command

    cfg = migrations._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006_measure_start")
    with engine.connect() as c:
        assert c.execute(text("SELECT measures FROM problems WHERE uuid = 'p0'")).scalar() == "分析反馈 2026-10"
        assert not c.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).scalar()
