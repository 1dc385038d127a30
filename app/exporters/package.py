"""The month package on disk (cli.md "The month package"): names, manifest, zip, mail draft, verify.

No database here: ``app.services.export`` builds the forms and calls these. A package (folder and
zip) is written under hidden temporary names (``Staging``) and renamed into place (``publish``)
only after the month's lock has been committed, so a failure, a cancel or a killed process never
leaves a package where the clerk looks — least of all a final one for a month still open. Each
staging holds a lock on a ``.busy`` marker while it lives, so ``clean_stale`` can tell what a
killed run left behind from what another process is still writing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from pathlib import Path
from typing import Any

from app.filelocks import BusyMarker
from app.forms.layouts import DRAFT_SUFFIX
from app.kernel.month import Month

log = logging.getLogger("guatu.export")

MANIFEST = "manifest.json"
REGISTER = "register.json"
# 身份证号 and members' phones: only in this AES-256 zip, with a passphrase the two offices agree.
IDENTIFIERS = "identifiers-aes.zip"
MAIL_LIMIT = 25_000_000  # what mailboxes take for one mail (bytes of the .eml)


def package_name(unit_name: str, month: str, draft: bool = False) -> str:
    """``暖泉镇2020年3月挂图作战月报`` (+ ``-草稿``): folder, zip and mail subject."""
    return f"{unit_name}{Month.parse(month).short}挂图作战月报{DRAFT_SUFFIX if draft else ''}"


def sha256_of(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder: Path, *, unit: str, period: str, app_version: str, final: bool,
                   files: list[tuple[str, int]], findings: dict[str, int], recipient: str | None = None,
                   ) -> dict[str, Any]:
    """manifest.json with each listed file's sha256 and row count (cli.md); ``for``: who it is addressed to."""
    doc = {
        "unit": unit,
        "period": period,
        "for": recipient,
        "app_version": app_version,
        "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "final": final,
        "files": [{"name": name, "sha256": sha256_of(folder / name), "rows": rows} for name, rows in files],
        "findings": {"E": int(findings.get("E", 0)), "W": int(findings.get("W", 0))},
    }
    (folder / MANIFEST).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return doc


def mail_body(unit_name: str, month: str, files: list[str], preparer: str, phone: str, draft: bool) -> str:
    data, due = Month.parse(month), Month.parse(month).due
    lines = [
        "您好：",
        "",
        f"现报送{unit_name}{data.short}挂图作战月报（{data.short}数据，{due.year}年{due.month}月{due.day}日前报送），"
        "含调度表的Excel电子版、PDF版及台账数据，请查收。",
        "",
        "（发送前：PDF版须加盖公章，请打印盖章后扫描，替换附件中的PDF。）",
    ]
    if draft:
        lines += ["", "（本件为草稿，仅供核对，不作正式报送。）"]
    lines += ["", "附件：", *[f"{i}. {name}" for i, name in enumerate(files, 1)], ""]
    sign = "，".join(x for x in (f"填报人：{preparer}" if preparer else "", f"联系电话：{phone}" if phone else "") if x)
    lines += [unit_name, sign] if sign else [unit_name]
    return "\n".join(lines) + "\n"


def _encoded_words(text: str) -> str:
    """``text`` as RFC 2047 base64 encoded-words of at most 75 characters, folded: the ``name=`` /
    ``filename=`` fallback that older Outlook and Foxmail read (they ignore RFC 2231)."""
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode("utf-8")) > 45:  # 45 bytes → 60 base64 characters + 12 of markup
            words.append(chunk)
            chunk = ""
        chunk += ch
    if chunk:
        words.append(chunk)
    return "\r\n ".join(f"=?UTF-8?B?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words)


def _rfc2231(param: str, text: str) -> str:
    """``filename*0*=UTF-8''%E9…; filename*1*=…``: RFC 2231 with continuations (lines under 78)."""
    from urllib.parse import quote

    parts, part = [], ""
    for token in re.findall(r"%[0-9A-F]{2}|.", quote(text, safe="")):  # never split a %XX triplet
        if len(part) + len(token) > 54:
            parts.append(part)
            part = ""
        part += token
    parts.append(part)
    if len(parts) == 1:
        return f"{param}*=UTF-8''{parts[0]}"
    return ";\r\n ".join(f"{param}*{n}*={'UTF-8' + chr(39) * 2 if n == 0 else ''}{p}" for n, p in enumerate(parts))


def attachment_headers(name: str, ctype: str) -> bytes:
    """The MIME headers of one attachment: the name both in RFC 2231 form and as an RFC 2047 fallback."""
    if name.isascii():
        lines = [f'Content-Type: {ctype}; name="{name}"', f'Content-Disposition: attachment; filename="{name}"']
    else:
        words = _encoded_words(name)
        lines = [f'Content-Type: {ctype};\r\n name="{words}"',
                 f'Content-Disposition: attachment;\r\n filename="{words}";\r\n {_rfc2231("filename", name)}']
    lines.append("Content-Transfer-Encoding: base64")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def eml_size(folder: Path, attachments: list[str]) -> int:
    """The size the mail draft will have (base64 of every attachment, 76-character lines), before writing it."""
    size = 8192  # headers and the text part
    for name in attachments:
        n = (folder / name).stat().st_size
        size += (n + 2) // 3 * 4 + (n // 57 + 1) * 2 + 600
    return size


def write_eml(folder: Path, subject: str, to: str | None, body: str, attachments: list[str], *,
              sender: str | None = None, sender_name: str | None = None) -> str:
    """``{subject}.eml``: a mail draft (``X-Unsent: 1``) with every file attached; returns its name.

    ``From:`` is the office's own mailbox (settings), with ``Date:`` and ``Message-ID:``, so that
    Outlook, Foxmail and Thunderbird open it as a draft; attachment names carry both RFC 2231 and
    RFC 2047 forms. The attachments are base64-streamed from disk (a county's package never sits
    in memory).
    """
    from email.utils import formataddr, make_msgid

    boundary = f"=_guatu_{uuid.uuid4().hex}"
    top = EmailMessage(policy=SMTP)
    if sender:
        top["From"] = formataddr((sender_name, sender)) if sender_name else sender
    top["Subject"] = subject
    if to:
        top["To"] = to
    top["Date"] = formatdate(localtime=True)
    domain = sender.rsplit("@", 1)[1] if sender and "@" in sender else "guatu.local"
    top["Message-ID"] = make_msgid(domain=domain)
    top["X-Unsent"] = "1"
    top["MIME-Version"] = "1.0"
    top["Content-Type"] = f'multipart/mixed; boundary="{boundary}"'
    head = top.as_bytes().split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    text = EmailMessage(policy=SMTP)
    text.set_content(body, charset="utf-8")
    del text["MIME-Version"]
    eml = f"{subject}.eml"
    sep = f"--{boundary}\r\n".encode("ascii")
    with open(folder / eml, "wb") as fh:
        fh.write(head)
        fh.write(sep + text.as_bytes() + b"\r\n")
        for name in attachments:
            ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if name.endswith(".xlsx"):
                ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            fh.write(sep + attachment_headers(name, ctype))
            with open(folder / name, "rb") as src:
                while chunk := src.read(57 * 1024):  # 57 bytes → one 76-character base64 line
                    fh.write(base64.encodebytes(chunk).replace(b"\n", b"\r\n"))
            fh.write(b"\r\n")
        fh.write(f"--{boundary}--\r\n".encode("ascii"))
    return eml


def write_zip(folder: Path, target: Path, top: str) -> None:
    """Write ``target`` holding the files of ``folder`` under the top directory ``top``."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, f"{top}/{path.name}")


def make_zip(folder: Path, target: Path) -> None:
    """``target`` holds ``folder`` (as its top directory); written under a temp name then renamed."""
    tmp = target.with_name(f".{target.name}.tmp")
    write_zip(folder, tmp, target.stem)
    os.replace(tmp, target)


_STAGING_WORD = "挂图作战月报"  # in every package name: hidden entries without it are never touched


class Staging:
    """The hidden working copy of one package in the output folder: ``.<name>.<random>.tmp/`` (the
    folder), ``….tmp.zip`` (its zip) and ``….tmp.busy`` (the marker locked while it lives)."""

    def __init__(self, out_dir: Path, name: str):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        base = out_dir / f".{name}.{uuid.uuid4().hex[:12]}.tmp"
        self.marker = BusyMarker(Path(f"{base}.busy")).__enter__()  # before the folder: never seen unmarked
        try:
            base.mkdir()
        except BaseException:
            self.marker.__exit__(None, None, None)
            raise
        self.folder = base
        self.zip = Path(f"{base}.zip")

    def publish(self, final_dir: Path, final_zip: Path) -> None:
        """Rename the finished folder, then its zip, into place; drop the marker."""
        try:
            publish(self.folder, final_dir)
            os.replace(self.zip, final_zip)
            _fsync_dir(final_dir.parent)
        finally:
            self.release()

    def discard(self) -> None:
        discard(self.folder, self.zip)
        self.release()

    def release(self) -> None:
        if self.marker is not None:
            marker, self.marker = self.marker, None
            marker.__exit__(None, None, None)


def staging_dir(out_dir: Path, name: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir))
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o777 & ~umask)  # mkdtemp makes it private; the package is an ordinary folder
    return path


def clean_stale(out_dir: Path) -> list[Path]:
    """Remove what killed exports left in ``out_dir``: staging folders and zips whose marker no live
    process holds, old-style ``.….zip.tmp`` files and ``.….old`` folders of a replaced package.
    Logs each removal; returns what was removed."""
    try:
        entries = [e for e in out_dir.iterdir() if e.name.startswith(".") and _STAGING_WORD in e.name]
    except OSError:
        return []
    live = {e.name[: -len(".busy")] for e in entries
            if e.name.endswith(".tmp.busy") and not BusyMarker.is_stale(e)}
    live_names = {b[1:].rsplit(".", 2)[0] for b in live}
    removed = []
    for e in entries:
        n = e.name
        base = n[: -len(".busy")] if n.endswith(".busy") else n[: -len(".zip")] if n.endswith(".tmp.zip") else n
        if base in live:
            continue
        if n.endswith(".old") and n[1: -len(".old")] in live_names:
            continue  # a live export is replacing that package right now
        if n.endswith((".tmp", ".tmp.zip", ".tmp.busy", ".zip.tmp", ".old")):
            try:
                size = _size(e)
                discard(e)
            except OSError as exc:  # pragma: no cover - another user's file, a locked folder
                log.warning("could not remove stale %s: %s", e, exc)
                continue
            log.warning("removed stale temporary %s (%d bytes) left by an interrupted export", e, size)
            removed.append(e)
    return removed


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(staging: Path, final: Path) -> None:
    """Move a finished staging folder to ``final``, replacing an earlier package of the same name."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(final, old)
    try:
        os.replace(staging, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(*paths: Path) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
