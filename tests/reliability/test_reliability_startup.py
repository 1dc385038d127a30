"""Start-up: versions logged, XML defences enforced, register checked and backed up."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from app.services import backup as bk

ROOT = Path(__file__).resolve().parents[2]

START = """
import sys
from app.startup import startup_checks
r = startup_checks(sys.argv[1])
print("ok" if r.ok else "damaged", r.backup or "", flush=True)
print(r.check.message)
"""


def _run(code: str, *args: str, env_extra: dict | None = None, tmp: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "GUATU_LOG_DIR": str(tmp / "log"), bk.BACKUP_DIR_ENV: str(tmp / "backups"),
           **(env_extra or {})}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_start_logs_sqlite_version_and_makes_a_start_backup(db_path, tmp_path):
    res = _run(START, str(db_path), tmp=tmp_path)
    assert res.returncode == 0, res.stderr
    status, backup = res.stdout.splitlines()[0].split(" ")
    assert status == "ok"
    assert Path(backup).name.endswith("-start.db") and bk.check_file(Path(backup)) == "ok"
    log = (tmp_path / "log" / "guatu.log").read_text(encoding="utf-8")
    assert f"SQLite {sqlite3.sqlite_version}" in log
    assert "defusedxml active" in log


def test_start_on_a_damaged_register_moves_it_aside_and_offers_the_backup(db_path, tmp_path):
    first = _run(START, str(db_path), tmp=tmp_path)
    assert first.returncode == 0
    data = bytearray(db_path.read_bytes())
    for off in range(4096, len(data), 4096):
        data[off:off + 64] = b"\xa5" * 64
    db_path.write_bytes(bytes(data))
    res = _run(START, str(db_path), tmp=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("damaged")
    assert "已损坏" in res.stdout and "可以恢复最近的完好备份" in res.stdout
    assert not db_path.exists() and list(db_path.parent.glob("register.damaged-*.db"))


def test_start_refuses_when_openpyxl_runs_without_defusedxml(tmp_path):
    code = (
        "from app.startup import check_xml_defences, StartupError\n"
        "try:\n    check_xml_defences()\nexcept StartupError as e:\n    print('refused', e.message)\n"
    )
    res = _run(code, env_extra={"OPENPYXL_DEFUSEDXML": "False"}, tmp=tmp_path)
    assert res.stdout.startswith("refused") and "defusedxml" in res.stdout


def test_cli_logs_each_start_with_the_sqlite_version(db_path, tmp_path):
    res = _run("import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))",
               "backup", "--db", str(db_path), "--out", str(tmp_path / "b.db"), tmp=tmp_path)
    assert res.returncode == 0, res.stderr
    assert f"SQLite {sqlite3.sqlite_version}" in (tmp_path / "log" / "guatu.log").read_text(encoding="utf-8")
