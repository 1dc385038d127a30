"""The month package on disk (cli.md "The month package"): names, manifest, zip, mail draft, verify.

No database here: ``app.services.export`` builds the forms and calls these. A package folder is
written under a temporary name and renamed into place (``publish``), so a failure or a cancel
leaves nothing half-written where the clerk looks.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
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

from app.forms.layouts import DRAFT_SUFFIX

MANIFEST = "manifest.json"
REGISTER = "register.json"
# 身份证号 and members' phones: only in this AES-256 zip, with a passphrase the two offices agree.
IDENTIFIERS = "identifiers-aes.zip"
MAIL_LIMIT = 25_000_000  # what mailboxes take for one mail (bytes of the .eml)
_NOT_LISTED = {MANIFEST}  # the manifest cannot list itself; the .eml carries the manifest


def package_name(unit_name: str, month: str, draft: bool = False) -> str:
    """``暖泉镇2020年3月挂图作战月报`` (+ ``-草稿``): folder, zip and mail subject."""
    return f"{unit_name}{int(month[:4])}年{int(month[5:7])}月挂图作战月报{DRAFT_SUFFIX if draft else ''}"


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
    y, m = int(month[:4]), int(month[5:7])
    due_m, due_y = (1, y + 1) if m == 12 else (m + 1, y)
    lines = [
        "您好：",
        "",
        f"现报送{unit_name}{y}年{m}月挂图作战月报（{y}年{m}月数据，{due_y}年{due_m}月5日前报送），"
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


def make_zip(folder: Path, target: Path) -> None:
    """``target`` holds ``folder`` (as its top directory); written under a temp name then renamed."""
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, f"{target.stem}/{path.name}")
    os.replace(tmp, target)


def staging_dir(out_dir: Path, name: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir))
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o777 & ~umask)  # mkdtemp makes it private; the package is an ordinary folder
    return path


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
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


# ---------------------------------------------------------------- verify


def verify_package(path: str | os.PathLike) -> dict[str, Any]:
    """Check a received package (folder or .zip) against its manifest: ``{"ok", "problems"}``."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory() as tmp:
            try:
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(tmp)
            except zipfile.BadZipFile:
                return {"ok": False, "problems": [f"“{path.name}”不是有效的 zip 文件。"]}
            inner = [p for p in Path(tmp).iterdir() if p.is_dir()]
            return verify_package(inner[0] if len(inner) == 1 else tmp)
    if not path.is_dir():
        return {"ok": False, "problems": [f"找不到月报文件夹“{path}”。"]}
    problems: list[str] = []
    mpath = path / MANIFEST
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"ok": False, "problems": ["缺少 manifest.json（清单），无法核对。"]}
    except (ValueError, UnicodeDecodeError) as e:
        return {"ok": False, "problems": [f"manifest.json 无法读取：{e}"]}
    for key in ("unit", "period", "app_version", "exported_at", "final", "files", "findings"):
        if key not in manifest:
            problems.append(f"manifest.json 缺少“{key}”。")
    files = manifest.get("files") or []
    listed: set[str] = set()
    for entry in files:
        name = str(entry.get("name", ""))
        listed.add(name)
        target = path / name
        if "/" in name or "\\" in name or name.startswith("."):
            problems.append(f"清单中的文件名“{name}”不合法。")
        elif not target.is_file():
            problems.append(f"缺少文件“{name}”。")
        elif sha256_of(target) != entry.get("sha256"):
            problems.append(f"文件“{name}”与清单的校验值（SHA-256）不符，可能已被修改或损坏。")
    for p in sorted(path.iterdir()):
        if p.name in listed or p.name in _NOT_LISTED or p.suffix.lower() == ".eml":
            continue
        problems.append(f"文件“{p.name}”不在清单中。")
    if REGISTER not in listed and manifest.get("for") != "city":  # a county's package to the city has none
        problems.append("清单中没有 register.json（台账数据）。")
    final = manifest.get("final")
    drafty = any(DRAFT_SUFFIX in n for n in listed)
    if final is True and drafty:
        problems.append("清单标为正式报送，但文件名带有“-草稿”。")
    if final is False and not drafty and files:
        problems.append("清单标为草稿，但文件名没有“-草稿”。")
    if final is True and int((manifest.get("findings") or {}).get("E", 0) or 0) > 0:
        problems.append("清单标为正式报送，但记录有错误（E）未改正。")
    if not problems:  # the files are the ones listed: do they agree with each other?
        from app.importers.crosscheck import cross_check

        problems.extend(cross_check(path))
    return {"ok": not problems, "problems": problems}
