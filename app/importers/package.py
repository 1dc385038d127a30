"""Our own month package (a folder or its .zip): checksums first, then register.json, losslessly.

The manifest's sha256 of every listed file is verified before anything is read; the register is
then taken from ``register.json`` (UUIDs and every field), and the period and unit from the
package. A zip goes through the same hostile-file checks as a workbook. The manifest and every
record of register.json are checked against ``app.importers.schema`` before anything is planned,
and every name the manifest lists must be a plain file of the package folder (I-12): no folders,
``..``, absolute paths, drive letters, UNC names or symlinks leading out — refused
with the same message whether or not such a target exists.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.kernel.register_codec import decode_fields, parse_register_json
from app.models import Adjustment, FundProject, Household, IncomeItem, Measure, Person, VerificationNote
from app.rules.data import HouseholdData, PersonData
from app.rules.findings import Finding

from . import limits, schema
from .incoming import InCounts, InHousehold, InProject, Source

MANIFEST = "manifest.json"
REGISTER = "register.json"


def is_package(path: str | Path) -> bool:
    """A folder with a manifest, or a zip holding one (at the top or one folder down)."""
    path = Path(path)
    if path.is_dir():
        return (path / MANIFEST).is_file()
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != limits.ZIP_MAGIC:
                return False
        found = limits.directory_entries(path)
        if found is None or found[0] > limits.DEFAULT.max_entries or found[1] > limits.DEFAULT.max_entries * 1024:
            return False  # read as a workbook: check_zip refuses it with the reason
        with zipfile.ZipFile(path) as zf:
            return any(is_member(n, MANIFEST) for n in zf.namelist())
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error):
        return False


def is_member(name: str, base: str) -> bool:
    parts = name.split("/")
    return parts[-1] == base and len(parts) <= 2


MAX_MANIFEST = 16 * 1024 * 1024  # bytes; a real one is a few KB
MAX_REGISTER = 256 * 1024 * 1024  # bytes; a county of 100,000 persons writes ~80 MB


def outside(name: str, label: str) -> limits.Rejected:
    """The one refusal for a name that is not a plain file of the package (whether or not it exists)."""
    return limits.Rejected("I-12", f"清单中的文件名“{limits._shown(str(name))}”不合法或指向数据包以外，已拒绝。",
                           file=label)


class Folder:
    """A package folder; every name is confined to it (``path`` refuses anything else)."""

    def __init__(self, root: Path, label: str = ""):
        self.root = root
        self.real = root.resolve()
        self.label = label or root.name

    def path(self, name: str) -> Path:
        if limits.unsafe_file_name(name):
            raise outside(name, self.label)
        p = self.root / name
        try:
            real = p.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            raise outside(name, self.label) from None
        if real.parent != self.real:
            raise outside(name, self.label)
        return p

    def size(self, name: str) -> int | None:
        p = self.path(name)
        return p.stat().st_size if p.is_file() else None

    def read(self, name: str, limit: int | None = None) -> bytes:
        p = self.path(name)
        if limit is not None and p.stat().st_size > limit:
            raise limits.Rejected("I-02", f"“{name}”过大，已拒绝。", file=self.label)
        return p.read_bytes()

    def sha256(self, name: str) -> str | None:
        p = self.path(name)
        if not p.is_file():
            return None
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


class Zip:
    """A package zip (after ``limits.check_zip``): entries under the folder that holds the manifest."""

    def __init__(self, zf: zipfile.ZipFile, label: str = ""):
        self.zf = zf
        self.label = label
        names = zf.namelist()
        manifest = next(n for n in names if is_member(n, MANIFEST))
        self.prefix = manifest[: -len(MANIFEST)]

    def size(self, name: str) -> int | None:
        if limits.unsafe_file_name(name):
            raise outside(name, self.label)
        try:
            return self.zf.getinfo(self.prefix + name).file_size
        except KeyError:
            return None

    def read(self, name: str, limit: int | None = None) -> bytes:
        size = self.size(name)
        if size is None:
            raise KeyError(name)
        if limit is not None and size > limit:
            raise limits.Rejected("I-02", f"“{name}”过大，已拒绝。", file=self.label)
        return self.zf.read(self.prefix + name)

    def sha256(self, name: str) -> str | None:
        if limits.unsafe_file_name(name):
            raise outside(name, self.label)
        try:
            info = self.zf.getinfo(self.prefix + name)
        except KeyError:
            return None
        h = hashlib.sha256()
        with self.zf.open(info) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


def read_manifest(store, label: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    """manifest.json parsed and checked against its schema: (manifest, problems)."""
    try:
        manifest = json.loads(store.read(MANIFEST, MAX_MANIFEST).decode("utf-8"))
    except (KeyError, ValueError, OSError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None, [Finding("I-06", "E", "数据包的 manifest.json 缺失或无法读取", file=label)]
    problems = schema.check_manifest(manifest, file=label)
    return (None if problems else manifest), problems


def verify(store, label: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    """(manifest, problems): every file listed must be a plain file of the package, present with its sha256."""
    manifest, problems = read_manifest(store, label)
    if manifest is None:
        return None, problems
    names = set()
    for entry in manifest["files"]:
        name = entry["name"]
        names.add(name)
        try:
            got = store.sha256(name)
        except limits.Rejected as e:
            problems.append(e.finding())
            continue
        if got is None:
            problems.append(Finding("I-06", "E", f"数据包缺少文件“{name}”", file=label))
        elif got != entry["sha256"].lower():
            problems.append(Finding("I-06", "E", f"文件“{name}”的校验值与清单不符（文件已被改动或损坏）", file=label))
    if REGISTER not in names and manifest.get("for") != "city":
        problems.append(Finding("I-06", "E", "数据包清单中没有 register.json，无法无损导入", file=label))
    return manifest, problems


IDENTIFIERS = "identifiers-aes.zip"  # app.exporters.package.IDENTIFIERS
PERSONAL_IDENTIFIERS = ("id_number", "phone")


def read_package(path: str | Path, passphrase: str | None = None) -> Source:
    """A package as a ``Source`` (kind ``package``); problems are findings, never raised.

    ``passphrase`` opens the package's AES zip of personal identifiers, if it has one; without it
    they are left as the register holds them."""
    path = Path(path)
    src = Source(file=path.name, kind="package")
    try:
        if path.is_dir():
            doc = _load(Folder(path, path.name), src, passphrase)
        else:
            limits.check_zip(path)
            with zipfile.ZipFile(path) as zf:
                doc = _load(Zip(zf, path.name), src, passphrase)
    except limits.Rejected as e:
        src.findings.append(e.finding())
        return src
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        src.findings.append(Finding("I-01", "E", f"数据包无法读取（{type(e).__name__}）", file=src.file))
        return src
    if doc is not None and "_workbooks" in doc:
        return doc["_workbooks"]
    if doc is not None:
        fill(src, doc)
    return src


def _open_store(path: Path, use: Callable[[Any], Any]) -> Any:
    """``use(store)`` on a package folder or zip; None when it cannot be read as a package."""
    try:
        if path.is_dir():
            return use(Folder(path, path.name))
        limits.check_zip(path)
        with zipfile.ZipFile(path) as zf:
            return use(Zip(zf, path.name))
    except (limits.Rejected, OSError, zipfile.BadZipFile, EOFError, StopIteration, KeyError):
        return None


def holds_identifiers(path: str | Path) -> bool:
    """Whether a package carries the AES zip of 身份证号 and phones (then a passphrase opens it)."""
    path = Path(path)
    if not is_package(path):
        return False
    return bool(_open_store(path, lambda store: store.size(IDENTIFIERS) is not None))


def passphrase_problem(path: str | Path, passphrase: str) -> str | None:
    """Why ``passphrase`` does not open the package's identifiers (a sentence for the clerk), or None
    when it does or the package has none. Asked before a preview, so a mistyped passphrase is said at once."""
    path = Path(path)
    if not holds_identifiers(path):
        return None
    src = Source(file=path.name, kind="package")
    got = _open_store(path, lambda store: _identifiers(store, src, passphrase))
    if got is not None:
        return None
    return src.findings[0].message if src.findings else "身份证号与电话的加密压缩包无法读取"


def _identifiers(store, src: Source, passphrase: str) -> dict[str, list] | None:
    """uuid → [身份证号, phone] from the AES zip; a wrong passphrase or a bad file is an I-06."""
    import io

    import pyzipper

    try:
        with pyzipper.AESZipFile(io.BytesIO(store.read(IDENTIFIERS, limits.DEFAULT.max_total_uncompressed))) as zf:
            zf.setpassword(passphrase.encode("utf-8"))
            info = zf.infolist()[0]
            if info.file_size > 200_000_000:
                raise ValueError("too large")
            doc = json.loads(zf.read(info.filename).decode("utf-8"))
        persons = doc["persons"]
        if not isinstance(persons, dict):
            raise ValueError("persons")
    except RuntimeError:
        src.findings.append(Finding("I-06", "E", "身份证号与电话的加密压缩包口令不对，无法打开", file=src.file))
        return None
    except (ValueError, KeyError, TypeError, IndexError, OSError, zipfile.BadZipFile, UnicodeDecodeError):
        src.findings.append(Finding("I-06", "E", "身份证号与电话的加密压缩包无法读取", file=src.file))
        return None
    return persons


def _from_workbooks(store, src: Source, manifest: dict) -> Source:
    """A county's package to the city carries no register.json: its workbooks (附件4 with its hidden
    sheet) are the data, read as guatu's own workbooks, with the package's month."""
    import tempfile

    from .workbook import read_workbook

    out = Source(file=src.file, kind="workbook", period=manifest.get("period"))
    with tempfile.TemporaryDirectory() as tmp:
        for entry in manifest.get("files") or []:
            name = str(entry.get("name", ""))
            if not name.endswith(".xlsx") or "/" in name or "\\" in name:
                continue
            p = Path(tmp) / name
            p.write_bytes(store.read(name, limits.DEFAULT.max_total_uncompressed))
            one = read_workbook(p, manifest.get("period"))
            out.households.extend(one.households)
            out.counts.extend(one.counts)
            out.projects.extend(one.projects)
            out.forms.extend(one.forms)
            out.findings.extend(f.at(file=src.file) for f in one.findings)
            out.normalised.extend(one.normalised)
            out.columns.update(one.columns)
    out.period = manifest.get("period")
    return out


def _load(store, src: Source, passphrase: str | None = None) -> dict[str, Any] | None:
    manifest, problems = verify(store, src.file)
    if problems:
        src.findings.extend(problems)
        return None
    names = {e["name"] for e in manifest["files"]}
    if REGISTER not in names:
        return {"_workbooks": _from_workbooks(store, src, manifest)}
    try:
        doc = parse_register_json(store.read(REGISTER, MAX_REGISTER))
    except ValueError as e:
        src.findings.append(Finding("I-06", "E", f"register.json 无法读取：{e}", file=src.file))
        return None
    problems = schema.check_register(doc, file=src.file)
    if problems:
        src.findings.extend(problems)
        return None
    if manifest.get("period") and doc["period"].get("month") != manifest["period"]:
        src.findings.append(Finding("I-06", "E", "register.json 的月份与清单不一致", file=src.file))
        return None
    if passphrase and IDENTIFIERS in names:
        persons = _identifiers(store, src, passphrase)
        if persons is None:
            return None
        doc["_identifiers"] = persons
    return doc


def _path(text: str | None) -> tuple[str | None, ...]:
    return tuple((text or "").split("/")) if text else ()


def household_data(fields: dict, members: list[dict], measures: list[dict], income: list[dict],
                   **where: Any) -> HouseholdData:
    """What the rules engine checks, from register records."""
    return HouseholdData(
        uuid=fields.get("uuid"), band=fields.get("band") or "A", prior_income=fields.get("prior_income"),
        head_phone=fields.get("head_phone"), cause=fields.get("cause"), helper_name=fields.get("helper_name"),
        helper_phone=fields.get("helper_phone"), expected_month=fields.get("expected_month"),
        closed_out=bool(fields.get("closed_out")), housing_grade=fields.get("housing_grade"),
        housing_renovated=bool(fields.get("housing_renovated")), ytd_income=fields.get("ytd_income"),
        measures=[(m.get("category"), m.get("text")) for m in measures],
        income_items=[(i.get("label") or i.get("category"), i.get("amount")) for i in income],
        members=[PersonData(uuid=m.get("uuid"), name=m.get("name"), relation=m.get("relation"), age=m.get("age"),
                            health=m.get("health"), labour=m.get("labour"), id_number=m.get("id_number"),
                            phone=m.get("phone")) for m in members],
        **where,
    )


def fill(src: Source, doc: dict[str, Any]) -> None:
    """Turn a register.json document into the source's records."""
    src.period = doc["period"]["month"]
    src.unit = doc.get("unit")
    src.units = list(doc.get("units") or [])
    src.office = doc.get("office")
    ids = doc.get("_identifiers")
    kept = PERSONAL_IDENTIFIERS if doc.get("identifiers") is False and ids is None else ()
    for rec in doc.get("households") or []:
        fields = decode_fields(Household, rec)
        members = [decode_fields(Person, m) for m in rec.get("members") or []]
        if ids is not None:
            for m in members:
                found = ids.get(m.get("uuid")) or [None, None]
                m["id_number"], m["phone"] = (found + [None, None])[:2]
        measures = [decode_fields(Measure, m) for m in rec.get("measures") or []]
        income = [decode_fields(IncomeItem, i) for i in rec.get("income_items") or []]
        village = _path(rec.get("village"))
        data = household_data(fields, members, measures, income, unit="/".join(village[1:]) or None,
                              file=src.file, sheet=REGISTER)
        src.households.append(InHousehold(village, fields, members, measures, income, data, kept=kept))
    for rec in doc.get("hand_counts") or []:
        values = {k: v for k, v in rec.items() if k not in ("unit", "form", "uuid")}
        src.counts.append(InCounts(_path(rec.get("unit")), int(rec.get("form") or 1), values, sheet=REGISTER))
    for rec in doc.get("fund_projects") or []:
        src.projects.append(InProject(_path(rec.get("township")), decode_fields(FundProject, rec), sheet=REGISTER))
    src.notes = [decode_fields(VerificationNote, n) for n in doc.get("verification_notes") or []]
    src.adjustments = [{**decode_fields(Adjustment, a), "village": a.get("village")}
                       for a in doc.get("adjustments") or []]  # absent in packages written before them
    if ids is not None:  # the records' 身份证号 travel in the AES zip too, by the record's UUID
        for a in src.adjustments:
            if a.get("uuid") in ids:
                a["id_number"] = (ids[a["uuid"]] or [None])[0]
    src.forms.append("register.json")
