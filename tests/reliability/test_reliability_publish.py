"""Publish after commit: a final export killed (SIGKILL) at any point never leaves a verified final
package for a month that is still open; what the killed run left is removed by the next export.

Each trial runs ``guatu export`` in a real subprocess on a copy of a clean demo register (no
deliberate errors, so the final export is accepted), kills it at a named point (a patched function
kills its own process) or at a random moment, then looks as the clerk and the upper office would:
the month's state in the register, the audit rows, ``guatu verify`` on whatever package is there.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = "康平县2020年3月挂图作战月报"

# Runs `guatu export` in-process after patching one function to SIGKILL the process at a point.
KILLER = """
    import os, signal, sys, zipfile
    point, argv = sys.argv[1], sys.argv[2:]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    from app.exporters import package as pkg
    from app.services import backup as bk
    from app.services import export as ex

    if point == "zip":  # halfway through writing the staged zip
        real_write, n = zipfile.ZipFile.write, [0]
        def write(self, *a, **k):
            n[0] += 1
            if n[0] == 6:
                die()
            return real_write(self, *a, **k)
        zipfile.ZipFile.write = write
    elif point == "lock":  # the month's lock flushed, not yet committed
        real_lock = ex.lock_period
        def lock(*a, **k):
            real_lock(*a, **k)
            a[0].flush()
            die()
        ex.lock_period = lock
    elif point == "commit":  # committed; nothing renamed yet
        pkg.publish = lambda *a, **k: die()
    elif point == "between":  # the folder renamed into place, not yet the zip
        real_publish = pkg.publish
        def publish(*a, **k):
            real_publish(*a, **k)
            die()
        pkg.publish = publish
    elif point == "backup":  # the pre-export backup half-written (.part)
        real_fsync = bk.os.fsync
        def fsync(fd):
            die()
        bk.os.fsync = fsync
    from app.cli import main
    raise SystemExit(main(argv))
"""


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory) -> Path:
    from app.services.demo import generate
    from app.storage import Database

    path = tmp_path_factory.mktemp("clean") / "clean.db"
    with Database(path, create=True) as database:
        summary = generate(database, persons=120, seed=3, clean=True)
    assert summary["violations"] == {}
    return path


@pytest.fixture
def trial(clean_template, tmp_path, monkeypatch):
    """A fresh copy of the clean register, its output folder, private backup and log folders."""
    db = tmp_path / "office.db"
    shutil.copy(clean_template, db)
    env = dict(os.environ, GUATU_BACKUP_DIR=str(tmp_path / "backups"), GUATU_LOG_DIR=str(tmp_path / "logs"))
    return db, tmp_path / "out", env


def _export_args(db: Path, out: Path) -> list[str]:
    return ["export", "--db", str(db), "--unit", "康平县", "--period", "2020-03", "--out", str(out)]


def _guatu(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _month(db: Path) -> tuple[str, int]:
    """The state of 2020-03 and how many final-export audit rows it has (read as SQLite sees it)."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        state = con.execute("SELECT state FROM periods WHERE month = '2020-03'").fetchone()[0]
        audits = con.execute("SELECT count(*) FROM audit_log WHERE action = 'export' AND field = 'final'").fetchone()[0]
        return state, audits
    finally:
        con.close()


def _assert_consistent(db: Path, out: Path, env) -> dict:
    """Never a verified final package while the month is open; the lock and its audit row together."""
    state, audits = _month(db)
    assert (state == "locked") == (audits == 1), (state, audits)
    seen = {}
    for target in (out / NAME, out / f"{NAME}.zip"):
        if target.exists():
            verified = _guatu(env, "verify", str(target)).returncode == 0
            seen[target.name] = verified
            if verified:
                assert state == "locked", f"{target.name} verifies as final while 2020-03 is {state}"
    return {"state": state, "packages": seen}


def _hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".")) if out.is_dir() else []


@pytest.mark.parametrize("point", ["zip", "lock", "commit", "between", "backup"])
def test_kill_at_each_point_of_a_final_export(trial, point):
    db, out, env = trial
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLER), point, *_export_args(db, out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    seen = _assert_consistent(db, out, env)
    expected_state = "locked" if point in ("commit", "between") else "open"
    assert seen["state"] == expected_state
    if point == "between":
        assert seen["packages"] == {NAME: True}  # the folder is in place; the zip was not yet renamed
    else:
        assert seen["packages"] == {}
    leftovers = _hidden(out)
    part = list((Path(env["GUATU_BACKUP_DIR"])).rglob("*.part"))
    if point == "backup":
        assert part, "the killed backup should have left its .part"
    elif point != "between":
        assert leftovers, "the killed export should have left its staging"

    # The next export in that folder (or the next start, for backups) cleans up and says so in the log.
    if seen["state"] == "open":
        done = _guatu(env, *_export_args(db, out))
        assert done.returncode == 0, done.stderr
        assert _month(db) == ("locked", 1)
        assert _guatu(env, "verify", str(out / NAME)).returncode == 0
        assert _guatu(env, "verify", str(out / f"{NAME}.zip")).returncode == 0
    else:
        from app.exporters.package import clean_stale

        clean_stale(out)
    assert _hidden(out) == []
    assert not list(Path(env["GUATU_BACKUP_DIR"]).rglob("*.part"))
    log = (Path(env["GUATU_LOG_DIR"]) / "guatu.log").read_text(encoding="utf-8") if seen["state"] == "open" else ""
    if point == "backup":
        assert "removed stale" in log and ".part" in log
    elif seen["state"] == "open":
        assert "removed stale temporary" in log


def test_kill_at_random_moments_of_a_final_export(trial, clean_template, tmp_path):
    """A bounded number of kills at random moments of the whole run (start-up to the last rename)."""
    db, out, env = trial
    started = time.monotonic()
    full = _guatu(env, *_export_args(db, out))
    assert full.returncode == 0, full.stderr
    duration = time.monotonic() - started
    rng = random.Random(13)
    for i in range(4):
        copy, dest = tmp_path / f"t{i}.db", tmp_path / f"out{i}"
        shutil.copy(clean_template, copy)
        proc = subprocess.Popen([sys.executable, "-m", "app", *_export_args(copy, dest)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        _assert_consistent(copy, dest, env)


def test_cleanup_removes_only_what_killed_exports_left(tmp_path, caplog):
    """Stale staging (no live marker) goes; a live export's staging, other hidden files and the
    published packages stay."""
    from app.exporters import package as pkg
    from app.filelocks import BusyMarker

    out = tmp_path / "out"
    out.mkdir()
    stale = out / f".{NAME}.0123abcd.tmp"
    stale.mkdir()
    (stale / "register.json").write_text("{}")
    Path(f"{stale}.zip").write_bytes(b"PK")
    Path(f"{stale}.busy").write_bytes(b"")  # its holder died: unlocked
    old_style = out / f".{NAME}.zip.tmp"
    old_style.write_bytes(b"PK")
    live = pkg.Staging(out, NAME.replace("3月", "4月"))
    (out / NAME).mkdir()
    (out / ".git").mkdir()
    (out / ".notes.tmp").write_text("not ours")
    with caplog.at_level("WARNING", logger="guatu.export"):
        removed = pkg.clean_stale(out)
    assert sorted(p.name for p in removed) == sorted([stale.name, f"{stale.name}.zip", f"{stale.name}.busy",
                                                      old_style.name])
    assert live.folder.is_dir() and not BusyMarker.is_stale(live.marker.path)
    assert (out / NAME).is_dir() and (out / ".git").is_dir() and (out / ".notes.tmp").exists()
    assert "removed stale temporary" in caplog.text
    live.discard()
    assert sorted(p.name for p in out.iterdir()) == sorted([NAME, ".git", ".notes.tmp"])


def test_a_package_that_cannot_be_put_in_place_after_the_commit_says_so(trial):
    """The old zip's name is taken by something that cannot be replaced (here a folder; on Windows
    an old zip open in another program): the month is locked and recorded, the command says the
    package is not in place and how to finish; exporting again once the name is free completes it."""
    db, out, env = trial
    blocker = out / f"{NAME}.zip"
    blocker.mkdir(parents=True)
    (blocker / "x").write_text("in the way")
    res = _guatu(env, *_export_args(db, out))
    assert res.returncode == 1, res.stderr
    assert "该月已锁定" in res.stderr and "再导出一次" in res.stderr and "Traceback" not in res.stderr
    assert _month(db) == ("locked", 1)
    assert _hidden(out) == []  # the staging is not left behind
    shutil.rmtree(blocker)
    again = _guatu(env, *_export_args(db, out))
    assert again.returncode == 0, again.stderr
    assert _guatu(env, "verify", str(out / f"{NAME}.zip")).returncode == 0
