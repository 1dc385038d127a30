"""The county register on a PostgreSQL server (docs/server.md): creating its database and roles,
backing it up and restoring it with ``pg_dump``/``pg_restore``, and moving a laptop's SQLite
register onto it. Run on (or beside) the server by county IT; no Qt.

Roles (the names docs/server.md gives county IT):

- ``guatu_county_admin``: the county administrator's group — every unit, month lock, reopen,
  final export; owns the register's tables.
- ``guatu_township_clerk``: the township clerks' group — reads and writes the register's rows
  (which townships' rows a clerk may write is the row-level security of the register's policies).
- one login role per person, member of one of the two groups (``add_login``).
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import URL, make_url

from app.connections import connect_args, is_server_url
from app.models import Base
from app.models.dialect import sync_ids

from .errors import Refused, UsageError

log = logging.getLogger("guatu.server")

ADMIN_ROLE = "guatu_county_admin"
CLERK_ROLE = "guatu_township_clerk"
ROLES = {"county-admin": ADMIN_ROLE, "township-clerk": CLERK_ROLE}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str, what: str) -> str:
    """A role or database name county IT can type and PostgreSQL takes unquoted."""
    if not _NAME.match(name or ""):
        raise UsageError(f"{what}只能用小写英文字母、数字和下划线，且不以数字开头：{name}")
    return name


def _url(target: str) -> URL:
    if not is_server_url(target):
        raise UsageError(f"服务器上的数据库应写作 postgresql+psycopg://postgres@服务器:5432/guatu：{target}")
    return make_url(target)


def _maintenance(url: URL):
    """An autocommit engine on the server's ``postgres`` database (CREATE/ALTER DATABASE)."""
    u = url.set(drivername="postgresql+psycopg", database="postgres")
    rendered = u.render_as_string(hide_password=False)
    return create_engine(rendered, isolation_level="AUTOCOMMIT", connect_args=connect_args(rendered),
                         hide_parameters=True)


def _engine(url: URL):
    rendered = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(rendered, connect_args=connect_args(rendered), hide_parameters=True)


# --------------------------------------------------------------------------- init


# Tables and views (their id sequences follow their table).
_OWN_EVERYTHING = f"""DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')
             AND pg_get_userbyid(c.relowner) <> '{ADMIN_ROLE}' LOOP
    EXECUTE format(CASE r.relkind WHEN 'v' THEN 'ALTER VIEW %I OWNER TO {ADMIN_ROLE}'
                   ELSE 'ALTER TABLE %I OWNER TO {ADMIN_ROLE}' END, r.relname);
  END LOOP;
END $$"""


def init_sql(dbname: str) -> list[str]:
    """The statements ``init`` runs after the schema is in place: the county administrators' group
    owns the database and every table (so an administrator's laptop can bring the schema to a
    newer version: app.migrations runs as that group), the clerks' group reads and writes rows."""
    db = _ident(dbname, "数据库名")
    return [
        f"ALTER DATABASE {db} OWNER TO {ADMIN_ROLE}",
        f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {ADMIN_ROLE}, {CLERK_ROLE}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {ADMIN_ROLE}",
        f"GRANT USAGE ON SCHEMA public TO {CLERK_ROLE}",
        _OWN_EVERYTHING.replace("%", "%%"),
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {CLERK_ROLE}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {CLERK_ROLE}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN_ROLE} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {CLERK_ROLE}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {ADMIN_ROLE} IN SCHEMA public "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {CLERK_ROLE}",
    ]


# Row-level security: a township clerk writes only the rows of the townships given to their login
# (``clerk_townships``, filled by ``add-login --township``); everyone reads the whole county (the
# checks compare across townships: the same 身份证号 in two households). County administrators own
# the tables and so are not bound by the policies; they alone lock, reopen and delete months.
_WRITE_UNIT = f"""CREATE OR REPLACE FUNCTION guatu_may_write_unit(u integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT pg_has_role(current_user, '{ADMIN_ROLE}', 'MEMBER') OR EXISTS (
    SELECT 1 FROM units x LEFT JOIN units p ON p.id = x.parent_id
    JOIN clerk_townships c ON c.login = current_user AND c.unit_id IN (x.id, p.id)
    WHERE x.id = u)
$$"""
_WRITE_HOUSEHOLD = """CREATE OR REPLACE FUNCTION guatu_may_write_household(h integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT guatu_may_write_unit(village_id) FROM households WHERE id = h), false)
$$"""
# table → the condition a written row must meet
RLS_TABLES = {
    "households": "guatu_may_write_unit(village_id)",
    "persons": "guatu_may_write_household(household_id)",
    "measures": "guatu_may_write_household(household_id)",
    "income_items": "guatu_may_write_household(household_id)",
    "hand_counts": "guatu_may_write_unit(unit_id)",
    "fund_projects": "guatu_may_write_unit(township_id)",
    # the household records of a village (household-records.md): 动态调整, visits, 监测户
    "adjustments": "guatu_may_write_unit(village_id)",
    "visits": "guatu_may_write_unit(village_id)",
    "monitored_households": "guatu_may_write_unit(village_id)",
}
_ADMIN_ONLY = f"pg_has_role(current_user, '{ADMIN_ROLE}', 'MEMBER')"


def _old_row_sql(table: str, cond: str) -> list[str]:
    """A policy's WITH CHECK sees only the row as written: a clerk could otherwise move a household of
    another township (or a member of one) into their own. This trigger asks the same of the row as it
    was, and refuses with the same error (insufficient privilege) as the policies."""
    old = re.sub(r"\((\w+)\)$", r"(OLD.\1)", cond)
    fn = f"guatu_old_row_{table}"
    return [f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT {old} THEN
    RAISE EXCEPTION 'row of a township this login may not write (table {table})' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$""", f"ALTER FUNCTION {fn}() OWNER TO {ADMIN_ROLE}",
            f"DROP TRIGGER IF EXISTS guatu_old_row ON {table}",
            f"CREATE TRIGGER guatu_old_row BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}()"]


def rls_sql() -> list[str]:
    """The statements that make the database itself refuse a clerk's write outside their townships,
    and a month lock, reopen or removal by anyone but a county administrator (run by ``init``)."""
    out = [
        "CREATE TABLE IF NOT EXISTS clerk_townships (login varchar(63) NOT NULL, "
        "unit_id integer NOT NULL REFERENCES units(id) ON DELETE CASCADE, PRIMARY KEY (login, unit_id))",
        f"ALTER TABLE clerk_townships OWNER TO {ADMIN_ROLE}",
        f"REVOKE INSERT, UPDATE, DELETE ON clerk_townships FROM {CLERK_ROLE}",
        f"GRANT SELECT ON clerk_townships TO {CLERK_ROLE}",
        _WRITE_UNIT, _WRITE_HOUSEHOLD,
        f"ALTER FUNCTION guatu_may_write_unit(integer) OWNER TO {ADMIN_ROLE}",
        f"ALTER FUNCTION guatu_may_write_household(integer) OWNER TO {ADMIN_ROLE}",
    ]
    for table, cond in {**RLS_TABLES, "periods": None}.items():
        write = cond or _ADMIN_ONLY
        out += [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
        # An UPDATE sees every row (USING true) and is checked on the row written (WITH CHECK): a
        # refused change is an error the clerk is told about, not an update of no rows.
        for policy, clause in (("read", "FOR SELECT USING (true)"),
                               ("add", f"FOR INSERT WITH CHECK ({cond or 'true'})"),
                               ("change", f"FOR UPDATE USING (true) WITH CHECK ({write})"),
                               ("remove", f"FOR DELETE USING ({write})")):
            out += [f"DROP POLICY IF EXISTS guatu_{policy} ON {table}",
                    f"CREATE POLICY guatu_{policy} ON {table} {clause}"]
        if cond:
            out += _old_row_sql(table, cond)
    return out


def set_townships(target: str, login: str, townships: list[str]) -> list[str]:
    """The townships a clerk's login may write (replacing what it had); returns their paths."""
    from app.storage import Database

    from .units import find_unit, full_path

    login = _ident(login, "登录名")
    with Database(_url(target).render_as_string(hide_password=False)) as database, database.session() as s:
        units = [find_unit(s, name) for name in townships]
        bad = [full_path(u) for u in units if u.level != "township"]
        if bad:
            raise UsageError(f"只能指定乡镇：{'、'.join(bad)}")
        s.execute(text("DELETE FROM clerk_townships WHERE login = :l"), {"l": login})
        for u in units:
            s.execute(text("INSERT INTO clerk_townships (login, unit_id) VALUES (:l, :u)"), {"l": login, "u": u.id})
        return [full_path(u) for u in units]


def _ensure_role(conn, role: str, *, login: bool = False, password: str | None = None) -> bool:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if not exists:
        conn.exec_driver_sql(f"CREATE ROLE {role} {'LOGIN' if login else 'NOLOGIN'}")
    if password is not None:  # the server keeps only its SCRAM verifier
        from psycopg import sql

        conn.connection.driver_connection.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    return not exists


def init_server(target: str) -> dict:
    """Create the database named in ``target`` (connected as a superuser or a role with CREATEDB
    and CREATEROLE), the two group roles, the schema (the same migrations as a laptop's) and the
    grants. Safe to run again: what exists is kept."""
    from app.storage import Database

    url = _url(target)
    dbname = _ident(url.database or "", "数据库名")
    made: dict = {"database": dbname, "created": False, "roles": []}
    eng = _maintenance(url)
    try:
        with eng.connect() as conn:
            for role in (ADMIN_ROLE, CLERK_ROLE):
                if _ensure_role(conn, role):
                    made["roles"].append(role)
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": dbname}).first():
                conn.exec_driver_sql(f"CREATE DATABASE {dbname} OWNER {ADMIN_ROLE} ENCODING 'UTF8' "
                                     "TEMPLATE template0")
                made["created"] = True
    finally:
        eng.dispose()
    with Database(url.render_as_string(hide_password=False)) as database, database.engine.begin() as conn:
        for sql in init_sql(dbname) + rls_sql():
            conn.exec_driver_sql(sql)
        made["revision"] = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return made


def add_login(target: str, name: str, role: str, password: str) -> bool:
    """A login for one person, member of ``county-admin`` or ``township-clerk``; True when new."""
    if role not in ROLES:
        raise UsageError(f"角色应为 {' 或 '.join(ROLES)}：{role}")
    name = _ident(name, "登录名")
    if len(password) < 8:
        raise UsageError("口令至少8个字符。")
    eng = _maintenance(_url(target))
    try:
        with eng.connect() as conn:
            new = _ensure_role(conn, name, login=True, password=password)
            conn.exec_driver_sql(f"GRANT {ROLES[role]} TO {name}")
            if role == "county-admin":
                conn.exec_driver_sql(f"REVOKE {CLERK_ROLE} FROM {name}")
            else:
                conn.exec_driver_sql(f"REVOKE {ADMIN_ROLE} FROM {name}")
    finally:
        eng.dispose()
    return new


# --------------------------------------------------------------------------- pg_dump / pg_restore


def pg_tool(name: str) -> Path:
    """``pg_dump``/``pg_restore``/``psql``: GUATU_PG_BIN, the PATH, then where installers put them."""
    exe = name + (".exe" if sys.platform == "win32" else "")
    env = os.environ.get("GUATU_PG_BIN")
    if env and (Path(env) / exe).exists():
        return Path(env) / exe
    found = shutil.which(name)
    if found:
        return Path(found)
    patterns = [r"C:\Program Files\PostgreSQL\*\bin", "/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin"]
    dirs = [d for pat in patterns for d in glob.glob(pat) if (Path(d) / exe).exists()]
    if dirs:
        newest = max(dirs, key=lambda d: [int(x) for x in re.findall(r"\d+", d)] or [0])
        return Path(newest) / exe
    raise UsageError(f"找不到 {name}：请在装有 PostgreSQL 的服务器上运行（或设置 GUATU_PG_BIN 为其 bin 文件夹）。")


def _libpq(url: URL) -> tuple[str, dict]:
    """The URL as libpq takes it (``postgresql://…``), and the environment (password file)."""
    env = dict(os.environ)
    rendered = url.set(drivername="postgresql").render_as_string(hide_password=False)
    extra = connect_args(url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    if "passfile" in extra:
        env["PGPASSFILE"] = extra["passfile"]
    if "password" in extra:  # pragma: no cover - Windows credential store
        env["PGPASSWORD"] = extra["password"]
    return rendered, env


def _run(cmd: list[str], env: dict) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise Refused(f"{Path(cmd[0]).name} 失败：{detail}")


def verify_dump(path: Path) -> int:
    """A custom-format dump's table of contents can be read through: its entry count."""
    if not path.is_file() or path.stat().st_size == 0:
        raise Refused(f"备份文件不存在或是空的：{path}")
    with open(path, "rb") as fh:
        if fh.read(5) != b"PGDMP":
            raise Refused(f"不是 pg_dump 备份文件（自定义格式）：{path}")
    done = subprocess.run([str(pg_tool("pg_restore")), "-l", str(path)], capture_output=True, text=True,
                          encoding="utf-8", errors="replace")
    if done.returncode != 0:
        raise Refused(f"备份文件已损坏：{path}（{(done.stderr.strip().splitlines() or ['?'])[-1]}）")
    entries = [ln for ln in done.stdout.splitlines() if ln and not ln.startswith(";")]
    if not any(" TABLE DATA public households " in ln for ln in entries):
        raise Refused(f"备份文件中没有挂图作战台账：{path}")
    return len(entries)


def backup_name(dbname: str, reason: str, now: dt.datetime | None = None) -> str:
    return f"{dbname}-{(now or dt.datetime.now()):%Y%m%d-%H%M%S}-{reason}.dump"


def backup(target: str, out: Path, reason: str = "manual") -> Path:
    """``pg_dump`` custom format into ``out`` (a folder: a dated name in it), written beside as
    ``.part`` and renamed only once its table of contents reads back."""
    url = _url(target)
    if out.is_dir():
        out = out / backup_name(url.database, reason)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    conninfo, env = _libpq(url)
    try:
        # custom format, no owners or grants (init gives them): -Fc -O -x
        _run([str(pg_tool("pg_dump")), "-Fc", "-O", "-x", "-f", str(part), "-d", conninfo], env)
        verify_dump(part)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    log.info("server backup %s -> %s", url.render_as_string(hide_password=True), out)
    return out


@dataclass
class Restored:
    database: str
    backup: Path
    before: Path  # the pre-restore backup, kept
    entries: int


def restore(target: str, backup_path: Path, keep_dir: Path) -> Restored:
    """Replace the register with ``backup_path``: the dump is verified, restored into a scratch
    database and checked there to be a guatu register; only then is the current one backed up
    (kept in ``keep_dir``) and swapped out. A failure at any step leaves the register as it was."""
    from app.migrations import is_known
    from app.storage import Database

    url = _url(target)
    dbname = _ident(url.database or "", "数据库名")
    entries = verify_dump(backup_path)
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    scratch = f"{dbname}_restoring_{stamp}"
    eng = _maintenance(url)
    try:
        with eng.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {scratch} ENCODING 'UTF8' TEMPLATE template0")
        try:
            conninfo, env = _libpq(url.set(database=scratch))
            # no owners or grants, stop at the first error, one transaction: -O -x -e -1
            _run([str(pg_tool("pg_restore")), "-O", "-x", "-e", "-1", "-d", conninfo, str(backup_path)], env)
            check = _engine(url.set(database=scratch))
            try:
                with check.connect() as c:
                    tables = set(inspect(c).get_table_names())
                    rev = c.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                        if "alembic_version" in tables else None
            finally:
                check.dispose()
            if not {"units", "periods", "households", "persons"} <= tables:
                raise Refused(f"备份中不是挂图作战台账：{backup_path}")
            if rev is not None and not is_known(rev):
                raise Refused(f"备份由更新版本的挂图作战创建（结构版本 {rev}），请升级本程序后再恢复。")
            before = backup(target, keep_dir, "pre-restore")
            with eng.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": dbname})
                conn.exec_driver_sql(f"ALTER DATABASE {dbname} RENAME TO {dbname}_replaced_{stamp}")
                conn.exec_driver_sql(f"ALTER DATABASE {scratch} RENAME TO {dbname}")
                scratch = f"{dbname}_replaced_{stamp}"  # dropped below: its dump is kept
        finally:
            with eng.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {scratch}")
    finally:
        eng.dispose()
    with Database(url.render_as_string(hide_password=False)) as database, database.engine.begin() as conn:
        for sql in init_sql(dbname):  # grants as init gave them; the schema brought to head by the open
            conn.exec_driver_sql(sql)
    log.info("server restore %s from %s (before: %s)", dbname, backup_path, before)
    return Restored(dbname, backup_path, before, entries)


# --------------------------------------------------------------------------- SQLite → server


def import_sqlite(source: Path, target: str) -> dict[str, int]:
    """Copy every table of the SQLite register ``source`` into the empty server register ``target``
    in one transaction; rows are read and written through the models' types (dates, booleans),
    ids kept (so the audit log's references hold) and the id sequences moved past them."""
    import sqlite3
    import tempfile

    from app.migrations import head_revision
    from app.storage import Database, inspect_file, real_path

    _url(target)
    scratch = None
    if inspect_file(Path(source), write=True) != head_revision():  # refuses a damaged, foreign or newer file
        # a register of an older version: brought up to date in a copy (the office's file stays as it was)
        scratch = tempfile.TemporaryDirectory(prefix="guatu-import-")
        copy = Path(scratch.name) / "register.db"
        old, new = sqlite3.connect(f"{real_path(source).as_uri()}?mode=ro", uri=True), sqlite3.connect(copy)
        try:
            old.backup(new)
        finally:
            old.close()
            new.close()
        Database(copy).close()  # the migrations
        source = copy
    src = Database(source, write=False)
    try:
        dst = Database(target)
        try:
            counts: dict[str, int] = {}
            with src.engine.connect() as r, dst.engine.begin() as w:
                for t in ("units", "periods"):
                    if w.execute(select(func.count()).select_from(Base.metadata.tables[t])).scalar():
                        raise Refused("服务器上的数据库已有数据：只能把本机台账移到一个空的服务器数据库中。")
                for table in Base.metadata.sorted_tables:
                    rows = [dict(m) for m in r.execute(select(table)).mappings()]
                    for start in range(0, len(rows), 5000):
                        w.execute(insert(table), rows[start:start + 5000])
                    counts[table.name] = len(rows)
                sync_ids(w, [t.name for t in Base.metadata.sorted_tables if "id" in t.c and t.c.id.primary_key])
                for name, n in counts.items():
                    got = w.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar()
                    if got != n:
                        raise Refused(f"移到服务器后 {name} 表行数不符（{got} ≠ {n}），已撤销。")
        finally:
            dst.close()
    finally:
        src.close()
        if scratch is not None:
            scratch.cleanup()
    return counts
