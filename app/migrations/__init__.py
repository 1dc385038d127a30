"""Alembic migrations, run programmatically: a database made by an older version opens in a newer one.

Opening a register only reads its revision and compares it with ours: that is done from the
version files' own ``revision``/``down_revision`` lines and the ``alembic_version`` table, without
importing alembic (a tenth of a second of every ``guatu check``); alembic runs only to upgrade.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text

HERE = Path(__file__).resolve().parent
_ASSIGN = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.M)


def _config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


@lru_cache(maxsize=1)
def _revisions() -> dict[str, tuple[str, ...]]:
    """revision → its down revisions, read from versions/*.py."""
    out: dict[str, tuple[str, ...]] = {}
    for path in sorted((HERE / "versions").glob("*.py")):
        values = {k: v.strip() for k, v in _ASSIGN.findall(path.read_text(encoding="utf-8"))}
        if "revision" not in values:
            continue
        down = re.findall(r"[\"']([^\"']+)[\"']", values.get("down_revision", "None"))
        out[re.findall(r"[\"']([^\"']+)[\"']", values["revision"])[0]] = tuple(down)
    return out


def head_revision() -> str:
    revisions = _revisions()
    downs = {d for ds in revisions.values() for d in ds}
    heads = [r for r in revisions if r not in downs]
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]


def is_known(revision: str) -> bool:
    """Whether ``revision`` is one of ours (a database from a newer guatu has one we don't know)."""
    return revision in _revisions()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


COUNTY_ADMIN_ROLE = "guatu_county_admin"  # app.services.server.ADMIN_ROLE
# pg_advisory_xact_lock key: "guatu" as a number, the same for every laptop opening the register.
_MIGRATION_LOCK = 0x6775617475


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction. On PostgreSQL, laptops that open an
    older register at the same moment take turns (an advisory lock); the later ones find it done."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            # A county register (guatu server init): its tables belong to the administrators' group,
            # so what a newer version adds does too, whichever administrator's laptop adds it.
            if conn.execute(text(
                    "SELECT pg_has_role(current_user, d.datdba, 'MEMBER') FROM pg_database d "
                    "WHERE d.datname = current_database() AND pg_get_userbyid(d.datdba) = :r"),
                    {"r": COUNTY_ADMIN_ROLE}).scalar():
                conn.exec_driver_sql(f"SET LOCAL ROLE {COUNTY_ADMIN_ROLE}")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
