"""``guatu verify``: a received package (folder or .zip) checked against its manifest.

Reading a package someone sent is an import's first step, so it shares the importer's hostile-file
checks and never unpacks anything."""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

from app.forms.layouts import DRAFT_SUFFIX

from . import limits
from .package import MANIFEST, MAX_MANIFEST, REGISTER, Folder, Zip, is_member, outside
from .schema import check_manifest

_NOT_LISTED = {MANIFEST}  # the manifest cannot list itself; the .eml carries the manifest


def verify_package(path: str | os.PathLike) -> dict[str, Any]:
    """Check a received package (folder or .zip) against its manifest: ``{"ok", "problems"}``.

    A zip is never unpacked: it passes the importer's hostile-file checks (sizes, compression ratio,
    entry names, bounded inflate) and each entry is hashed from the zip stream. Every name the
    manifest lists must be a plain file of the package; anything else is refused with one message,
    whether or not such a file exists.
    """
    path = Path(path)
    if path.is_file():
        try:
            limits.check_zip(path)
            with zipfile.ZipFile(path) as zf:
                if not any(is_member(n, MANIFEST) for n in zf.namelist()):
                    return {"ok": False, "problems": ["缺少 manifest.json（清单），无法核对。"]}
                store = Zip(zf, path.name)
                names = [n[len(store.prefix):] for n in zf.namelist()
                         if n.startswith(store.prefix) and not n.endswith("/")]
                outside_prefix = [n for n in zf.namelist() if not n.startswith(store.prefix) and not n.endswith("/")]
                return _verify(store, names, [f"文件“{limits._shown(n)}”不在清单中。" for n in outside_prefix])
        except limits.Rejected as e:
            return {"ok": False, "problems": [f"“{path.name}”：{e.message}"]}
        except (OSError, zipfile.BadZipFile, EOFError):
            return {"ok": False, "problems": [f"“{path.name}”不是有效的 zip 文件。"]}
    if not path.is_dir():
        return {"ok": False, "problems": [f"找不到月报文件夹“{path}”。"]}
    store = Folder(path, path.name)
    try:
        store.path(MANIFEST)
    except limits.Rejected:
        return {"ok": False, "problems": [outside(MANIFEST, path.name).message]}
    return _verify(store, [p.name for p in sorted(path.iterdir())], [])


def _verify(store, present: list[str], problems: list[str]) -> dict[str, Any]:
    try:
        manifest = json.loads(store.read(MANIFEST, MAX_MANIFEST).decode("utf-8"))
    except (KeyError, FileNotFoundError):
        return {"ok": False, "problems": ["缺少 manifest.json（清单），无法核对。"]}
    except limits.Rejected as e:
        return {"ok": False, "problems": [e.message]}
    except (ValueError, RecursionError, OSError) as e:
        return {"ok": False, "problems": [f"manifest.json 无法读取：{str(e)[:200]}"]}
    if not isinstance(manifest, dict):
        return {"ok": False, "problems": ["manifest.json 的内容不是清单（应为 JSON 对象）。"]}
    for key in ("unit", "period", "app_version", "exported_at", "final", "files", "findings"):
        if key not in manifest:
            problems.append(f"manifest.json 缺少“{key}”。")
    wrong = check_manifest({**manifest, "files": manifest.get("files") or []}, file=MANIFEST)
    if wrong:
        return {"ok": False, "problems": problems + [f.message for f in wrong]}
    files = manifest.get("files") or []
    listed: set[str] = set()
    for entry in files:
        name = entry["name"]
        listed.add(name)
        try:
            got = store.sha256(name)
        except limits.Rejected as e:
            problems.append(e.message)
            continue
        if got is None:
            problems.append(f"缺少文件“{name}”。")
        elif got != entry["sha256"].lower():
            problems.append(f"文件“{name}”与清单的校验值（SHA-256）不符，可能已被修改或损坏。")
    for name in present:
        if name in listed or name in _NOT_LISTED or name.lower().endswith(".eml"):
            continue
        problems.append(f"文件“{limits._shown(name)}”不在清单中。")
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
    if not problems:  # the files are the ones listed: do their forms agree with each other?
        from .crosscheck import cross_check_store

        problems.extend(cross_check_store(store, sorted(listed)))
    return {"ok": not problems, "problems": problems}
