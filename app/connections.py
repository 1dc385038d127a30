"""Where a register lives: a SQLite file on this laptop, or a PostgreSQL database on the office LAN.

``--db`` and 打开数据库… take a path (SQLite), a URL ``postgresql+psycopg://clerk@host:5432/guatu``,
or the name of a saved connection profile. Profiles are kept in ``connections.json`` in the
user's settings folder and never hold a password: the password is in the OS credential store on
Windows (``keyring``) and in a 0600 pgpass file elsewhere, which libpq reads itself (``passfile``).
No Qt, no services.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

APP_NAME = "guatu"
KEYRING_SERVICE = "guatu-postgresql"
SERVER_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")
DEFAULT_PORT = 5432


class ConnectionError_(Exception):  # noqa: N801 - not the builtin ConnectionError
    """A connection profile cannot be used (unknown name, bad fields)."""


@dataclass(frozen=True)
class Profile:
    """A saved server connection, without its password."""

    name: str
    host: str
    dbname: str
    user: str
    port: int = DEFAULT_PORT

    def url(self) -> str:
        from sqlalchemy.engine import URL

        if self.host.startswith("/"):  # a unix socket folder (a server on this machine)
            return URL.create("postgresql+psycopg", username=self.user, database=self.dbname,
                              query={"host": self.host, "port": str(self.port)}).render_as_string(hide_password=False)
        return URL.create("postgresql+psycopg", username=self.user, host=self.host, port=self.port,
                          database=self.dbname).render_as_string(hide_password=False)

    def key(self) -> str:
        """How the password is filed in the credential store."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


def is_server_url(target: object) -> bool:
    return isinstance(target, str) and target.lower().startswith(SERVER_SCHEMES)


def config_dir() -> Path:
    return Path(os.environ.get("GUATU_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME, appauthor=False))


def profiles_file() -> Path:
    return config_dir() / "connections.json"


def pgpass_file() -> Path:
    return config_dir() / "pgpass"


def load_profiles() -> dict[str, Profile]:
    try:
        raw = json.loads(profiles_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise ConnectionError_(f"无法读取连接配置：{profiles_file()}（{e}）") from None
    out = {}
    for name, fields in (raw or {}).items():
        fields = {k: v for k, v in fields.items() if k in ("host", "dbname", "user", "port")}
        out[name] = Profile(name=name, **fields)
    return out


def save_profile(profile: Profile, password: str | None = None) -> None:
    """Save (or replace) a profile; the password, when given, goes to the credential store only."""
    if not profile.name or is_server_url(profile.name):
        raise ConnectionError_("连接名称不能为空，也不能是网址。")
    profiles = load_profiles()
    profiles[profile.name] = profile
    path = profiles_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {p.name: {k: v for k, v in asdict(p).items() if k != "name"} for p in profiles.values()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    if password is not None:
        store_password(profile, password)


def _pgpass_escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace(":", "\\:")


def store_password(profile: Profile, password: str) -> None:
    """Windows: the credential store (keyring). Elsewhere: a line in the 0600 pgpass file."""
    if sys.platform == "win32":  # pragma: no cover - exercised on the Windows build machine
        import keyring

        keyring.set_password(KEYRING_SERVICE, profile.key(), password)
        return
    path = pgpass_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = [profile.host, str(profile.port), profile.dbname, profile.user]
    prefix = ":".join(_pgpass_escape(f) for f in fields) + ":"
    lines = []
    if path.exists():
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith(prefix)]
    lines.append(prefix + _pgpass_escape(password))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # libpq ignores a pgpass file others can read


def connect_args(url: str) -> dict:
    """What libpq needs beside the URL: the password file, or on Windows the stored password."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.password:
        return {}
    if sys.platform == "win32":  # pragma: no cover - exercised on the Windows build machine
        import keyring

        key = f"{u.username}@{u.host}:{u.port or DEFAULT_PORT}/{u.database}"
        pw = keyring.get_password(KEYRING_SERVICE, key)
        return {"password": pw} if pw else {}
    if "PGPASSFILE" not in os.environ and pgpass_file().exists():
        return {"passfile": str(pgpass_file())}
    return {}


def resolve(target: str | os.PathLike) -> str | Path:
    """A server URL (str) or a SQLite file (Path). An existing file wins over a profile of the same name."""
    if is_server_url(target):
        return str(target)
    path = Path(target)
    if isinstance(target, str) and not path.exists() and os.sep not in target and "/" not in target:
        profile = load_profiles().get(target)
        if profile is not None:
            return profile.url()
    return path


def display_name(url: str) -> str:
    """``user@host:port/db`` for titles and messages: never the password."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    host = u.host or u.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    return f"{u.username or ''}@{host}:{u.port or u.query.get('port') or DEFAULT_PORT}/{u.database}"
