"""One typed schema for every record a file brings in, checked before anything is planned.

A hand-edited or hostile file must be refused with a finding naming the file, the household (or
row) and the field — never stored and left to break the month's exports later. Each record of
register.json, the package manifest and the records a workbook's cells become is validated here
with pydantic (strict types, finite numbers within sane bounds, real dates, bounded texts and
counts); duplicate UUIDs are caught after it. The record types are built from the ORM columns, so
a column added to a model is validated without a change here.

Two flavours of the same records:

- ``package``: what register.json states is stored as is, so every field must have its column's
  type (an age is an integer, a date a real ``YYYY-MM-DD`` …); closed lists the code relies on
  (档次, 风险颜色, 住房等级, 单位层级, 项目进度) must hold one of their values.
- ``workbook``: a hand-made sheet's value that the rules engine judges (an age ``七十`` → H-05, a
  relation not in the list → H-06) may stay text; only what no rule can judge is refused here (a
  number beyond any sane bound, a text of a megabyte).

Findings: ``I-10`` a field of the wrong type or an impossible value, ``I-11`` the same UUID twice,
``I-02`` a list longer than the limits. A new kind of incoming record plugs in here: the rows of an
exported workbook's hidden register sheet, say, become records of the kinds of ``record_adapters``
and go through ``check_records(..., package=True)`` (they are stored as they are, like a package's)
and ``duplicate_uuids``, before the source's households are planned.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, NotRequired

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict  # pydantic needs this one on Python 3.11

from app.domain import ADJUSTMENT_KINDS, BANDS, HOUSING_GRADES, LEVELS, PROJECT_STAGES, RISK_COLOURS
from app.rules.findings import Finding


@dataclass(frozen=True)
class Bounds:
    """Sane bounds: far beyond any real register, far below what breaks SQLite or the exporters."""

    max_int: int = 10**9  # ages, counts, positions, persons of a project
    max_amount: float = 1e12  # yuan (income) or 万元 (projects)
    max_text: int = 2_000  # a name, a phone, a cause … (String columns)
    max_long_text: int = 100_000  # remarks, measure texts, notes (Text columns)
    max_households: int = 1_000_000
    max_members: int = 200  # persons of one household
    max_items: int = 500  # measures or income items of one household
    max_records: int = 1_000_000  # units, hand counts, projects, notes
    max_files: int = 1_000  # entries of a manifest
    max_findings: int = 200  # violations reported (the rest counted)


BOUNDS = Bounds()
_CONFIG = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, str_max_length=BOUNDS.max_long_text)

UUID_RE = r"^[0-9A-Za-z][0-9A-Za-z-]{7,35}$"  # uuid4 text; older registers' ids are of the same shape
MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only (\d would take ٢٠٢٠)
_PATH_PART = re.compile(r"[^/\x00-\x1f]+")


def _real_date(text: str) -> str:
    if not _DATE_RE.fullmatch(text):
        raise ValueError("date")
    dt.date.fromisoformat(text)
    return text


def _real_datetime(text: str) -> str:
    """A local date-time as the register stores it: ``2020-04-02T09:00:00`` (no time zone)."""
    if len(text) < 10 or not _DATE_RE.fullmatch(text[:10]) or not text.isascii():
        raise ValueError("datetime")
    if dt.datetime.fromisoformat(text).tzinfo is not None:
        raise ValueError("datetime")
    return text


def _unit_path(text: str) -> str:
    if not all(_PATH_PART.fullmatch(p) for p in text.split("/")):
        raise ValueError("path")
    return text


Int = Annotated[int, Field(ge=-BOUNDS.max_int, le=BOUNDS.max_int)]
Amount = Annotated[float, Field(ge=-BOUNDS.max_amount, le=BOUNDS.max_amount)]
Text = Annotated[str, Field(max_length=BOUNDS.max_text)]
LongText = Annotated[str, Field(max_length=BOUNDS.max_long_text)]
Uuid = Annotated[str, Field(pattern=UUID_RE)]
Month = Annotated[str, Field(pattern=MONTH_RE)]
IsoDate = Annotated[str, Field(max_length=10), AfterValidator(_real_date)]
IsoDateTime = Annotated[str, Field(max_length=32), AfterValidator(_real_datetime)]
UnitPath = Annotated[str, Field(max_length=BOUNDS.max_text), AfterValidator(_unit_path)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]

# Closed lists the code relies on (a band "Z" would fall out of every form).
CLOSED: dict[str, Any] = {
    "band": Literal[BANDS], "risk_colour": Literal[RISK_COLOURS], "housing_grade": Literal[HOUSING_GRADES],
    "level": Literal[LEVELS], "stage": Literal[PROJECT_STAGES],
}
# Fields the rules engine judges on a hand-made sheet; text there is left to it.
JUDGED = frozenset({"age", "expected_month", "started_on", "completed_on", "planned", "received", "disbursed",
                    "households", "persons", "amount", "stage", "band", "cause", "health", "labour", "relation"})

_SKIP = {"id", "period_id", "household_id", "village_id", "unit_id", "township_id", "parent_id"}


def _column_type(col, *, package: bool) -> Any:
    """The annotation a register.json value of ``col`` must satisfy."""
    key = col.key
    py = getattr(col.type, "python_type", None)
    if key == "uuid":
        t: Any = Uuid
    elif package and key in CLOSED:
        t = CLOSED[key]
    elif py is bool:
        t = bool
    elif py is int:
        t = Int
    elif py is float:
        t = Amount
    elif py is dt.datetime:
        t = IsoDateTime if package else dt.datetime | Text
    elif py is dt.date:
        t = IsoDate if package else dt.date | Text
    elif getattr(col.type, "length", None):
        t = Text
    else:
        t = LongText
    if not package and key in JUDGED and t is not Text and t is not LongText:
        t = t | Amount | Text if t is Int else t | Text  # 40.5 or 七十 for an age: H-05 judges it
    if col.nullable or not package:
        t = t | None
    return t


def record_type(model: type, name: str, *, package: bool = True, extra: dict[str, Any] | None = None,
                needs: tuple[str, ...] = ()) -> type:
    """A ``TypedDict`` of ``model``'s stored columns plus ``extra`` keys. A key may be left out when the
    column takes NULL or has a default; in a package, one that has neither must be there."""
    fields: dict[str, Any] = {}
    for col in model.__table__.columns:
        if col.key in _SKIP:
            continue
        t = _column_type(col, package=package)
        required = package and not col.nullable and col.default is None and not col.primary_key
        fields[col.key] = t if required else NotRequired[t]
    for key, t in (extra or {}).items():
        fields[key] = t if key in needs else NotRequired[t]
    return with_config(_CONFIG)(TypedDict(name, fields))


def _list(t: Any, n: int) -> Any:
    return Annotated[list[t], Field(max_length=n)]


@with_config(_CONFIG)
class OfficeRecord(TypedDict, total=False):
    unit: UnitPath | None
    preparer: Text | None
    preparer_phone: Text | None
    upper_mailbox: Text | None


@with_config(_CONFIG)
class PeriodRecord(TypedDict):
    month: Month
    state: NotRequired[Text | None]
    opened_at: NotRequired[IsoDateTime | None]
    locked_at: NotRequired[IsoDateTime | None]


@with_config(_CONFIG)
class FileEntry(TypedDict):
    name: Text
    sha256: Sha256
    rows: NotRequired[Int | None]


@cache
def register_adapter() -> TypeAdapter:
    """The whole register.json document (docs/register-json.md)."""
    from app.models import (
        Adjustment,
        FundProject,
        HandCount,
        Household,
        IncomeItem,
        Measure,
        Person,
        Unit,
        VerificationNote,
    )

    b = BOUNDS
    person = record_type(Person, "PersonRecord")
    measure = record_type(Measure, "MeasureRecord")
    income = record_type(IncomeItem, "IncomeRecord")
    household = record_type(Household, "HouseholdRecord", extra={
        "village": UnitPath, "members": _list(person, b.max_members), "measures": _list(measure, b.max_items),
        "income_items": _list(income, b.max_items)}, needs=("village",))
    unit = record_type(Unit, "UnitRecord", extra={"path": UnitPath, "parent": UnitPath | None}, needs=("path",))
    hand = record_type(HandCount, "HandCountRecord", extra={"unit": UnitPath, "form": Literal[1, 2]},
                       needs=("unit",))
    project = record_type(FundProject, "ProjectRecord", extra={"township": UnitPath}, needs=("township",))
    note = record_type(VerificationNote, "NoteRecord")
    adjustment = record_type(Adjustment, "AdjustmentRecord", extra={
        "village": UnitPath, "kind": Literal[ADJUSTMENT_KINDS]}, needs=("village", "kind"))

    register = TypedDict("Register", {  # noqa: UP013 - its lists are of the types built above
        "schema": Text, "period": PeriodRecord, "app_version": NotRequired[Text | None],
        "exported_at": NotRequired[IsoDateTime | None], "unit": NotRequired[UnitPath | None],
        "office": NotRequired[OfficeRecord | None], "units": NotRequired[_list(unit, b.max_records)],
        "households": NotRequired[_list(household, b.max_households)],
        "hand_counts": NotRequired[_list(hand, b.max_records)],
        "fund_projects": NotRequired[_list(project, b.max_records)],
        "verification_notes": NotRequired[_list(note, b.max_records)],
        "adjustments": NotRequired[_list(adjustment, b.max_records)],  # absent in files before them
        "counts": NotRequired[dict[Text, Int]],
    })
    return TypeAdapter(with_config(_CONFIG)(register))


@cache
def manifest_adapter() -> TypeAdapter:
    """What the importer needs of manifest.json: the listed files (cli.md "The month package")."""

    manifest = TypedDict("Manifest", {  # noqa: UP013 - like Register
        "files": _list(FileEntry, BOUNDS.max_files), "unit": NotRequired[Text | None],
        "period": NotRequired[Month | None], "app_version": NotRequired[Text | None],
        "exported_at": NotRequired[Text | None], "final": NotRequired[bool | None],
        "findings": NotRequired[dict[Text, Int] | None],
    })
    return TypeAdapter(with_config(_CONFIG)(manifest))


_STATED = {"stated_size": Amount | Text | None, "stated_total": Amount | Text | None,
           "stated_per_capita": Amount | Text | None}


@cache
def record_adapters(package: bool) -> dict[str, TypeAdapter]:
    """Lists of records of each kind, strict (``package``: stored as they are, e.g. the rows of an
    exported workbook's hidden register sheet) or lenient (a hand-made sheet's cells, after normalising)."""
    from app.models import (
        FundProject,
        HandCount,
        Household,
        IncomeItem,
        Measure,
        Person,
        Unit,
        VerificationNote,
    )

    def adapter(model, name, **extra):
        return TypeAdapter(list[record_type(model, name, package=package, extra=extra)])

    flavour = "Package" if package else "Sheet"
    return {
        "households": adapter(Household, f"{flavour}Household", **({} if package else _STATED)),
        "members": adapter(Person, f"{flavour}Member"),
        "measures": adapter(Measure, f"{flavour}Measure"),
        "income_items": adapter(IncomeItem, f"{flavour}Income"),
        "counts": adapter(HandCount, f"{flavour}Counts"),
        "projects": adapter(FundProject, f"{flavour}Project"),
        "notes": adapter(VerificationNote, f"{flavour}Note"),
        "units": adapter(Unit, f"{flavour}Unit"),
    }


def workbook_adapters() -> dict[str, TypeAdapter]:
    return record_adapters(False)


Where = tuple[str | None, int | None]  # (sheet, 1-based row) of a record
# Records validated per call: pydantic-core holds the GIL for a whole call, and a 100,000-person
# list in one call kept the window (reading on the GUI thread meanwhile) waiting for 250 ms.
VALIDATE_CHUNK = 4_000


def check_records(lists: dict[str, tuple[list[dict], list[Where]]], *, file: str, package: bool,
                  columns: dict[str, dict[str, str]] | None = None) -> list[Finding]:
    """I-10 for every violation among records of a sheet, by kind (a key of ``record_adapters``):
    ``{kind: (records, [(sheet, row) of each record])}``; located at sheet, row, column and field.
    ``columns``: sheet → field code → column letter, for the column of a finding."""
    adapters = record_adapters(package)
    out: list[Finding] = []
    for kind, (records, where) in lists.items():
        if not records:
            continue
        errors = []
        for start in range(0, len(records), VALIDATE_CHUNK):
            try:
                adapters[kind].validate_python(records[start:start + VALIDATE_CHUNK])
            except ValidationError as e:
                for err in e.errors(include_url=False, include_input=True):
                    if err["loc"] and isinstance(err["loc"][0], int):  # the record's index in the whole list
                        err["loc"] = (err["loc"][0] + start, *err["loc"][1:])
                    errors.append(err)
        for err in errors:
            if len(out) >= BOUNDS.max_findings:
                return out
            loc = err["loc"]
            sheet, row = where[loc[0]] if loc and isinstance(loc[0], int) else (None, None)
            field = _clean(str(loc[1]))[:30] if len(loc) > 1 else None
            column = (columns or {}).get(sheet, {}).get(_SHEET_COLUMNS.get(field, field)) if sheet else None
            value = "" if err["type"] == "missing" else f"（{_value(err.get('input'))}）"
            out.append(Finding("I-10", "E", _clean(f"“{field}”{_what(err)}{value}"), file=file, sheet=sheet, row=row,
                               column=column or None, field=field))
    return out


def check_sheet_records(src) -> list[Finding]:
    """I-10 for every value of a hand-made workbook's records that no rule can judge (a number past
    the sane bounds, a text too long …), located at its sheet, row and column."""
    lists: dict[str, tuple[list, list]] = {k: ([], []) for k in ("households", "members", "measures",
                                                                  "income_items", "counts", "projects")}

    def add(kind: str, rec: dict, sheet, row) -> None:
        lists[kind][0].append(rec)
        lists[kind][1].append((sheet, row))

    for h in src.households:
        where = (h.data.sheet, h.row)
        add("households", {**h.fields, "stated_size": h.data.stated_size, "stated_total": h.data.stated_total,
                           "stated_per_capita": h.data.stated_per_capita}, *where)
        for key in ("members", "measures", "income_items"):
            for m in getattr(h, key):
                add(key, m, *where)
    for c in src.counts:
        add("counts", c.values, c.sheet, c.row)
    for p in src.projects:
        add("projects", p.fields, p.sheet, p.row)
    found = check_records(lists, file=src.file, package=False, columns=src.columns)

    def uuids():  # stated by an exported workbook's hidden sheet; none in a hand-made one
        for h in src.households:
            yield "households", h.fields.get("uuid")
            for m in h.members:
                yield "members", m.get("uuid")

    return found + duplicate_uuids(uuids(), file=src.file)


# Record fields → the 附件4 column that shows them (for locating a finding).
_SHEET_COLUMNS = {"head_phone": "head_contact", "helper_name": "helper_contact", "helper_phone": "helper_contact",
                  "amount": "income", "label": "income", "text": "measures", "stated_size": "size",
                  "stated_total": "income", "stated_per_capita": "income"}


# ------------------------------------------------------------------ findings

_MESSAGES = {
    "int_type": "应为整数", "int_parsing": "应为整数", "float_type": "应为数字", "float_parsing": "应为数字",
    "finite_number": "应为有限的数字（不能是 NaN 或 Infinity）", "string_type": "应为文字",
    "string_unicode": "含有无效字符（不成对的代理字符）", "bool_type": "应为 true 或 false",
    "list_type": "应为列表", "dict_type": "应为对象", "model_type": "应为对象", "typed_dict_type": "应为对象",
    "missing": "缺少此项", "string_pattern_mismatch": "格式不对", "literal_error": "不是允许的取值",
    "none_required": "应为空", "date_type": "应为日期", "datetime_type": "应为日期时间",
}
_NAMES = {  # list key → (counter word, what)
    "households": ("户", ""), "members": ("名", "成员"), "measures": ("条", "脱贫措施"),
    "income_items": ("项", "收入"), "units": ("个", "单位"), "hand_counts": ("条", "手填数"),
    "fund_projects": ("个", "项目"), "verification_notes": ("条", "核实说明"), "adjustments": ("条", "动态调整记录"),
    "files": ("个", "文件"),
}


def _what(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        return f"超出合理范围（{ctx.get('le', ctx.get('ge', ''))}）"
    if kind == "string_too_long":
        return f"文字过长（上限 {ctx.get('max_length')} 字）"
    if kind == "too_long":
        return f"条目过多（上限 {ctx.get('max_length')} 个）"
    if kind == "value_error":
        return "不是有效的日期或取值"
    if kind == "literal_error":
        return f"不是允许的取值（应为 {str(ctx.get('expected', '')).replace(' or ', '、')}）"
    return _MESSAGES.get(kind, "取值不合法")


def _clean(text: str) -> str:
    """Text safe to print and to write as UTF-8 (a lone surrogate from the file becomes ``?``)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _value(v: Any) -> str:
    if isinstance(v, str):
        t = v.encode("utf-8", "replace").decode("utf-8")
        return f"“{t[:20]}{'…' if len(t) > 20 else ''}”"
    if isinstance(v, list | dict):
        return "列表" if isinstance(v, list) else "对象"
    t = repr(v)
    return t[:24] + ("…" if len(t) > 24 else "")


def _place(loc: tuple, doc: Any) -> tuple[str, dict[str, Any]]:
    """Readable place of ``loc`` in ``doc`` (第3户（1a2b3c4d）第2名成员“age”) and the finding's location fields."""
    words: list[str] = []
    where: dict[str, Any] = {}
    node = doc
    for i, part in enumerate(loc):
        nxt = node[part] if isinstance(node, dict | list) and _has(node, part) else None
        key = loc[i - 1] if i else None
        if isinstance(part, int) and isinstance(key, str) and key in _NAMES:
            counter, what = _NAMES[key]
            uuid = nxt.get("uuid") if isinstance(nxt, dict) and isinstance(nxt.get("uuid"), str) else None
            words.append(f"第{part + 1}{counter}{what}" + (f"（{uuid[:8]}）" if uuid and key == "households" else ""))
            if key == "households" and uuid:
                where["household"] = uuid[:36]
            elif key == "members" and uuid:
                where["person"] = uuid[:36]
        elif isinstance(part, int):
            words.append(f"第{part + 1}个")
        elif part not in _NAMES or i == len(loc) - 1:
            words.append(f"“{str(part)[:30]}”")
        node = nxt
    if loc and not isinstance(loc[-1], int):
        where["field"] = str(loc[-1])[:30]
    return "".join(words), where


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def validate(adapter: TypeAdapter, data: Any, *, file: str, sheet: str | None = None, row: int | None = None,
             what: str = "", bounds: Bounds = BOUNDS) -> list[Finding]:
    """I-10 findings (I-02 for a list over its limit) for every violation of ``data``; [] when it holds."""
    try:
        adapter.validate_python(data)
    except ValidationError as e:
        errors = e.errors(include_url=False, include_input=True)
    else:
        return []
    out: list[Finding] = []
    for err in errors[: bounds.max_findings]:
        place, where = _place(tuple(err["loc"]), data)
        code = "I-02" if err["type"] == "too_long" else "I-10"
        value = "" if err["type"] in ("missing", "too_long") else f"（{_value(err.get('input'))}）"
        text = f"{what}{place}{'：' if place else ''}{_what(err)}{value}"
        where = {k: _clean(v) for k, v in where.items()}
        out.append(Finding(code, "E", _clean(text), file=file, sheet=sheet, row=row, **where))
    if len(errors) > bounds.max_findings:
        out.append(Finding("I-10", "E", f"另有 {len(errors) - bounds.max_findings} 处不合法的取值未列出", file=file,
                           sheet=sheet))
    return out


def duplicate_uuids(items: Iterable[tuple[str, Any]], *, file: str, sheet: str | None = None,
                    bounds: Bounds = BOUNDS) -> list[Finding]:
    """I-11 for every UUID seen twice among (kind, uuid) pairs (a household's and a person's may not clash
    with another of their kind)."""
    seen: set[tuple[str, Any]] = set()
    out: list[Finding] = []
    names = {"households": "户", "members": "成员", "fund_projects": "项目"}
    for kind, uuid in items:
        if uuid is None:
            continue
        key = (kind, uuid)
        if key in seen:
            if len(out) < bounds.max_findings:
                where = {"household": uuid} if kind == "households" else {"person": uuid} if kind == "members" else {}
                out.append(Finding("I-11", "E", f"{names.get(kind, kind)}的 UUID“{uuid}”出现了不止一次", file=file,
                                   sheet=sheet, field="uuid", **where))
            continue
        seen.add(key)
    return out


def check_register(doc: Any, *, file: str, sheet: str = "register.json") -> list[Finding]:
    """Every violation of register.json's schema, then duplicate UUIDs; [] when the document holds."""
    found = validate(register_adapter(), doc, file=file, sheet=sheet, what="register.json ")
    if found:
        return found

    def uuids():
        for h in doc.get("households") or []:
            yield "households", h.get("uuid")
            for m in h.get("members") or []:
                yield "members", m.get("uuid")
        for p in doc.get("fund_projects") or []:
            yield "fund_projects", p.get("uuid")

    return duplicate_uuids(uuids(), file=file, sheet=sheet)


def check_manifest(manifest: Any, *, file: str) -> list[Finding]:
    return validate(manifest_adapter(), manifest, file=file, sheet="manifest.json", what="manifest.json ")


__all__ = [
    "BOUNDS", "Bounds", "check_manifest", "check_records", "check_register", "check_sheet_records", "duplicate_uuids", "manifest_adapter", "record_type",
    "record_adapters", "register_adapter", "validate", "workbook_adapters",
]
