"""一月一分析 view data (supervision.md §4): the figures of a unit's data month beside last month's,
as the service computes them and the report, the feedback sheets, the window and ``--json`` show them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from app.domain import BAND_A_LIMIT, BAND_A_SPLIT, BAND_B_LIMIT
from app.kernel.month import Month

INCOME_BINS = (
    ("lt_4400", f"{BAND_A_SPLIT}元以下"),
    ("4400_5000", f"{BAND_A_SPLIT}–{BAND_A_LIMIT}元"),
    ("5000_5760", f"{BAND_A_LIMIT}–{BAND_B_LIMIT}元"),
    ("gt_5760", f"{BAND_B_LIMIT}元以上"),
    ("none", "未填"),
)
BAND_NAMES = {"A": "A类（上年人均5000元以下）", "B": "B类（5000–5760元）"}


@dataclass(frozen=True, slots=True)
class Line:
    """One figure beside last month's; ``share``: percent text to two decimals where the figure is a
    part of a whole; ``key``: what ``households_behind`` takes to list its households."""

    label: str
    now: int
    before: int | None = None
    share: str | None = None
    key: str | None = None
    persons: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.before is None else self.now - self.before


@dataclass(frozen=True, slots=True)
class TownshipLine:
    township: str
    households: int
    persons: int
    households_before: int | None
    persons_before: int | None
    closed_month: int
    remaining: int  # households not closed out
    colours: dict[str, int]  # red/yellow/green → households
    findings_e: int = 0
    findings_w: int = 0


@dataclass(frozen=True, slots=True)
class ColourChange:
    household: str
    head: str
    unit: str
    before: str
    now: str
    reasons: str


@dataclass(frozen=True, slots=True)
class AdjustmentLine:
    kind: str
    records: int
    persons: int
    records_before: int | None
    details: tuple[str, ...]  # "户主 某某：死亡（原因）"


@dataclass(frozen=True, slots=True)
class FindingLine:
    code: str
    severity: str
    title: str
    count: int
    before: int | None


@dataclass(frozen=True, slots=True)
class Anomaly:
    unit: str
    message: str
    note: str | None


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """Tasks or problems of one 责任单位: open, closed out this month, overdue (D-02/D-07), entered this
    month (本月新增; a row entered before its date was kept never counts as new)."""

    unit: str
    total: int
    open: int
    closed_month: int
    overdue: int
    opened_month: int = 0


@dataclass(frozen=True, slots=True)
class FeedbackResult:
    """A line of last month's 反馈单 (a 分析反馈 problem) and where it stands at this month's end."""

    township: str
    description: str
    household: str | None
    status: str  # the problem's 状态 now
    closed_on: dt.date | None
    fixed: bool  # 已销号 by the data month's last day


@dataclass(frozen=True, slots=True)
class TargetProgress:
    name: str
    reason: str
    listed_persons: int | None
    remaining: int | None
    entered: bool
    found: int
    solved: int
    note: str | None


@dataclass(frozen=True, slots=True)
class Analysis:
    unit: str
    unit_level: str
    period: str
    previous: str | None
    as_of: dt.date
    due: dt.date
    households: Line
    persons: Line
    remaining: Line  # households not closed out
    remaining_persons: Line
    closed_month: Line
    closed_total: Line
    bands: tuple[Line, ...]
    townships: tuple[TownshipLine, ...]
    causes: tuple[Line, ...]
    colours: tuple[Line, ...]
    colour_changes: tuple[ColourChange, ...]
    measures: tuple[Line, ...]
    income_bins: tuple[Line, ...]
    past_expected: Line
    adjustments: tuple[AdjustmentLine, ...]
    findings: tuple[FindingLine, ...]
    findings_by_township: dict[str, dict[str, int]]
    anomalies: tuple[Anomaly, ...]
    tasks: tuple[LedgerLine, ...]
    problems: tuple[LedgerLine, ...]
    targets: tuple[TargetProgress, ...]
    closed_trend: tuple[tuple[str, int], ...] = field(default=())  # (YYYY-MM, 销号 in that month) of the year
    feedback_fixed: int = 0  # last month's 反馈单 lines (分析反馈 problems) closed out since
    feedback_open: int = 0  # … and still open
    feedback_last: tuple[FeedbackResult, ...] = field(default=())  # those lines, one by one

    @property
    def title(self) -> str:
        m = Month.parse(self.period)
        return f"{self.unit}{m.year}年{m.month}月脱贫攻坚工作分析报告"


@dataclass(frozen=True, slots=True)
class HouseholdRef:
    uuid: str
    head: str
    unit: str
    detail: str




def to_json(a: Analysis) -> dict:
    """The ``guatu analysis --json`` document (docs/analysis.md): the dataclasses as plain JSON, each
    figure as {"label", "now", "before", "change", "share", "key", "persons"}."""

    def conv(x):
        if isinstance(x, Line):
            return {"label": x.label, "now": x.now, "before": x.before, "change": x.change, "share": x.share,
                    "key": x.key, "persons": x.persons}
        if dataclasses.is_dataclass(x):
            return {f.name: conv(getattr(x, f.name)) for f in dataclasses.fields(x)}
        if isinstance(x, tuple | list):
            return [conv(v) for v in x]
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, dt.date):
            return x.isoformat()
        return x

    doc = conv(a)
    doc["title"] = a.title
    return doc


def with_before(a: Analysis, doc: dict) -> Analysis:
    """``a`` with every "上月" value taken from last month's frozen figures (``to_json`` of last month's
    exported analysis): the report sent upward last month is what this month is compared with."""
    def line(ln: Line, old: dict | None) -> Line:
        return dataclasses.replace(ln, before=old["now"] if old else 0)

    def lines(now: tuple[Line, ...], old: list[dict]) -> tuple[Line, ...]:
        by = {o.get("key") or o["label"]: o for o in old}
        return tuple(line(ln, by.get(ln.key or ln.label)) for ln in now)

    singles = {name: line(getattr(a, name), doc.get(name))
               for name in ("households", "persons", "remaining", "remaining_persons", "closed_month", "closed_total",
                            "past_expected") if isinstance(doc.get(name), dict)}
    many = {name: lines(getattr(a, name), doc.get(name) or [])
            for name in ("bands", "causes", "colours", "measures", "income_bins")}
    towns = {t["township"]: t for t in doc.get("townships") or []}
    townships = tuple(dataclasses.replace(t, households_before=towns.get(t.township, {}).get("households", 0),
                                          persons_before=towns.get(t.township, {}).get("persons", 0))
                      for t in a.townships)
    found = {(f["code"], f["severity"]): f["count"] for f in doc.get("findings") or []}
    findings = tuple(dataclasses.replace(f, before=found.get((f.code, f.severity), 0)) for f in a.findings)
    kinds = {x["kind"]: x["records"] for x in doc.get("adjustments") or []}
    adjustments = tuple(dataclasses.replace(x, records_before=kinds.get(x.kind, 0)) for x in a.adjustments)
    return dataclasses.replace(a, **singles, **many, townships=townships, findings=findings, adjustments=adjustments,
                               previous=doc.get("period", a.previous))
