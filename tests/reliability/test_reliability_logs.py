"""No personal data in logs or on stderr, even after an unexpected SQL error in the middle of an import.

The error is real: a trigger in the target register aborts the 21st person insert, so SQLAlchemy
raises with the statement (and, without ``hide_parameters``, the values of a whole batch of persons).
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.logging_setup import PersonalDataFilter, mask_text
from app.models import Person
from app.storage import Database

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "kangping-口令-2020"


def test_an_sql_error_during_an_import_leaves_no_names_ids_or_phones_in_the_log_or_stderr(demo_db_path, tmp_path):
    from app.services.export import export_package

    with Database(demo_db_path) as db:
        # to the county (the whole register travels), 身份证号 and phones in their passphrase container
        result = export_package(db, "2020-03", "康平县", tmp_path / "out", draft=True, recipient="county",
                                passphrase=PASSPHRASE)
        with db.session() as s:
            people = s.execute(select(Person.name, Person.id_number, Person.phone)).all()
    secrets = {v for row in people for v in row if v and len(v) >= 2}
    ids = [i for _n, i, _p in people if i]
    phones = [p for _n, _i, p in people if p]
    assert len(ids) > 20 and len(phones) > 20  # the package carries them (in the passphrase container)

    target = tmp_path / "target.db"
    env = dict(os.environ, GUATU_LOG_DIR=str(tmp_path / "logs"))
    init = subprocess.run([sys.executable, "-m", "app", "init", "--db", str(target), "--unit", "康平县"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    con = sqlite3.connect(target)
    con.execute("CREATE TRIGGER boom BEFORE INSERT ON persons WHEN (SELECT count(*) FROM persons) >= 20 "
                "BEGIN SELECT RAISE(ABORT, 'forced failure'); END")
    con.commit()
    con.close()

    (tmp_path / "pass.txt").write_text(PASSPHRASE, encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "app", "import", result["folder"], "--db", str(target),
                          "--passphrase-file", str(tmp_path / "pass.txt")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode != 0
    log = (tmp_path / "logs" / "guatu.log").read_text(encoding="utf-8")
    assert "forced failure" in log and "INSERT INTO persons" in log  # the error was logged in full …
    assert "INSERT INTO" not in res.stderr and "Traceback" not in res.stderr  # … stderr has one line
    # stderr lists the import's findings for the clerk (names included, as on screen); the error
    # message itself carries none
    error = "\n".join(line for line in res.stderr.splitlines() if line.startswith("guatu:"))
    assert "内部错误" in error or "未完成" in error or "导入" in error
    for where, text in (("log", log), ("error message", error)):
        leaked = sorted(v for v in secrets if v in text)
        assert not leaked, f"{where} carries personal data: {leaked[:5]}"
    with sqlite3.connect(target) as con:
        assert con.execute("SELECT count(*) FROM persons").fetchone()[0] == 0  # and nothing was imported


def test_the_filter_masks_ids_and_phones_in_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("guatu.test.mask")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("person %s phone %s", "11010519491231002X", "13812345678")
        try:
            raise ValueError("bad row: 110105194912310021, 024-87312116, 0248731211")
        except ValueError:
            log.exception("failed for %s", "15112341234")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    for secret in ("11010519491231002X", "13812345678", "110105194912310021", "87312116", "15112341234"):
        assert secret not in text
    assert "110105********002X" in text and "138****5678" in text and "151****1234" in text
    assert "ValueError" in text  # the traceback is still there, masked
    # dates, times, counts and paths are left alone
    assert mask_text("2020-03-05 10:15:00 wrote 1048576 bytes to /tmp/a") == "2020-03-05 10:15:00 wrote 1048576 bytes to /tmp/a"
