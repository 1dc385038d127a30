"""The mail draft opens in real clients: From/Date/Message-ID, and every attachment named both ways
(RFC 2231 and the RFC 2047 fallback) and byte for byte the file of the package."""

from __future__ import annotations

import email
import shutil
from email import policy
from email.header import decode_header, make_header
from pathlib import Path

import _export_register as R

from app.models import Office
from app.services.export import export_package
from app.storage import Database


def test_mail_draft_parses_with_the_standard_library(tmp_path):
    path = tmp_path / "clean.db"
    with Database(path, create=True) as db:
        R.build(db)
    with Database(path) as db, db.session() as s:
        s.get(Office, 1).mailbox = "kpxfpb@163.com"
    with Database(path) as db:
        result = export_package(db, "2020-03", "康平县", tmp_path / "out", draft=True)
    folder = Path(result["folder"])
    raw = (folder / result["eml"]).read_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["From"].addresses[0].addr_spec == "kpxfpb@163.com" and msg["From"].addresses[0].display_name == "康平县"
    assert msg["Date"].datetime is not None and msg["Message-ID"].endswith("@163.com>")
    assert msg["X-Unsent"] == "1" and msg["Subject"] == folder.name
    parts = [p for p in msg.iter_attachments()]
    names = sorted(p.get_filename() for p in parts)
    expected = sorted(p.name for p in folder.iterdir() if p.suffix != ".eml")
    assert names == expected and any(not n.isascii() for n in names)
    for part in parts:
        name = part.get_filename()
        assert part.get_content() == (folder / name).read_bytes(), name  # byte for byte
        fallback = part.get_param("name", header="content-type")  # what older Outlook / Foxmail read
        raw_name = str(make_header(decode_header(email.utils.collapse_rfc2231_value(fallback))))
        assert raw_name == name
    shutil.rmtree(tmp_path / "out")
