"""A throwaway PostgreSQL cluster for the tests: started once per test run, one fresh database a test.

initdb runs as an unprivileged user when the tests run as root (PostgreSQL refuses root; CI runs as
root): ``runuser -u postgres``. The cluster listens only on a unix socket in a temp folder, on a
free port number, with fsync off (nothing here has to survive a power cut). A test's database is
``CREATE DATABASE … TEMPLATE`` a migrated (or demo-filled) template: a file copy, milliseconds.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

RUN_AS = "postgres"


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/<major>/bin)."""
    env = os.environ.get("GUATU_PG_BIN")
    if env and (Path(env) / "initdb").exists():
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, bindir: Path):
        self.bin = bindir
        self.root = Path(tempfile.mkdtemp(prefix="guatu-pg-"))
        self.data = self.root / "data"
        self.sock = self.root  # the socket's folder
        self.port = _free_port()
        self.user = "postgres"
        self._names = itertools.count(1)
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        digits = [p for p in bindir.parts if p.isdigit()]
        self.major = int(digits[-1]) if digits else 15

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", RUN_AS, "--"] if self._as_root else []
        subprocess.run([*prefix, *cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root)

    def start(self) -> None:
        if self._as_root:
            shutil.chown(self.root, RUN_AS)
            self.root.chmod(0o700)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", self.user, "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        opts = (f"-p {self.port} -k {self.sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{dbname}?host={self.sock}&port={self.port}"

    def admin(self, sql: str) -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE) on the maintenance database."""
        import psycopg

        for attempt in range(20):
            try:
                with psycopg.connect(host=str(self.sock), port=self.port, user=self.user, dbname="postgres",
                                     autocommit=True) as con:
                    con.execute(sql)
                return
            except psycopg.errors.ObjectInUse:  # a template still in use for a moment after close
                if attempt == 19:
                    raise
                time.sleep(0.1)

    def new_database(self, template: str | None = None, prefix: str = "t") -> str:
        name = f"{prefix}{next(self._names)}"
        # FILE_COPY: a small database is copied file by file instead of through the WAL (PostgreSQL 15+).
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
                   + (" STRATEGY FILE_COPY" if self.major >= 15 else ""))
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
