"""一报告 draft (supervision.md §4): the analysis as the sentences an office writes by hand, in the
style of seed 003 ("其中因病致贫2065户，占比67.46%"), under 一、基本情况 二、主要进展 三、存在问题 四、下步工作,
plus the tables the report prints. Pure: the .docx, the PDF and the window all take this content.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.kernel.analysis import Analysis, Line
from app.kernel.month import Month

SECTION_HEADINGS = ("一、基本情况", "二、主要进展", "三、存在问题", "四、下步工作")


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """Bars of counts: (label, count, share text or "")."""

    caption: str
    items: tuple[tuple[str, int, str], ...]
    unit: str = "户"


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportContent:
    title: str
    unit: str
    period: str
    sections: tuple[Section, ...]
    date_line: str  # the date under the signature: the due 20th

    def text(self) -> str:
        out = [self.title]
        for s in self.sections:
            out.append(s.heading)
            out.extend(s.paragraphs)
        return "\n".join(out)


def vs(now: int, before: int | None, unit: str = "户") -> str:
    """"较上月增加3户" / "较上月减少2户" / "与上月持平"; nothing without a last month."""
    if before is None:
        return ""
    d = now - before
    if d > 0:
        return f"较上月增加{d}{unit}"
    if d < 0:
        return f"较上月减少{-d}{unit}"
    return "与上月持平"


def _paren(text: str) -> str:
    return f"（{text}）" if text else ""


def cause_sentence(causes: tuple[Line, ...]) -> str:
    """"其中因病致贫2065户，占比67.46%；…；其他7户，占比0.23%。" — shares add up to 100.00."""
    parts = [f"{c.label}{c.now}户，占比{c.share}%" for c in causes if c.now]
    return "其中" + "；".join(parts) + "。" if parts else ""


def _change_row(ln: Line) -> tuple[str, ...]:
    return (ln.label, str(ln.now), "" if ln.before is None else str(ln.before),
            "" if ln.change is None else f"{ln.change:+d}", f"{ln.share}%" if ln.share else "")


def report_content(a: Analysis, edits: dict[str, str] | None = None) -> ReportContent:
    """The draft of ``a``; a section the clerk has edited (``edits``: heading → text, one paragraph a
    line) keeps the clerk's text, whatever the figures now say; the tables always follow the figures."""
    content = _generated(a)
    if not edits:
        return content
    sections = tuple(Section(s.heading, tuple(p for p in edits[s.heading].split("\n") if p.strip()), s.tables,
                             s.charts)
                     if edits.get(s.heading) is not None else s for s in content.sections)
    return ReportContent(content.title, content.unit, content.period, sections, content.date_line)


def _generated(a: Analysis) -> ReportContent:
    m = Month.parse(a.period)
    where = a.unit
    month = f"{m.month}月"
    change = "，".join(x for x in (vs(a.households.now, a.households.before),
                                   vs(a.persons.now, a.persons.before, "人")) if x)
    if change == "与上月持平，与上月持平":
        change = "户数、人数均与上月持平"
    s1 = [
        f"截至{m.year}年{month}底，{where}共有建档立卡贫困户{a.households.now}户、{a.persons.now}人{_paren(change)}。"
        + cause_sentence(a.causes),
        "按上年度人均纯收入分，" + "；".join(f"{b.label}{b.now}户、{b.persons or 0}人" for b in a.bands) + "。",
        f"本月销号{a.closed_month.now}户{_paren(vs(a.closed_month.now, a.closed_month.before))}，累计销号{a.closed_total.now}户，"
        f"尚未销号{a.remaining.now}户、{a.remaining_persons.now}人。",
    ]
    if a.townships:
        s1.append("分乡镇看，" + "；".join(
            f"{t.township}{t.households}户{t.persons}人，未销号{t.remaining}户" for t in a.townships) + "。")

    colours = "、".join(f"{c.label}色预警{c.now}户{_paren(vs(c.now, c.before))}" for c in a.colours)
    s2 = [f"（一）动态监测。{colours}。"
          + (f"本月风险等级变化{len(a.colour_changes)}户。" if a.colour_changes else "本月无风险等级变化的户。")]
    measures = "、".join(f"{ln.label}{ln.now}户" for ln in a.measures if ln.now)
    if measures:
        s2.append(f"（二）帮扶措施。落实{measures}。")
    income = "；".join(f"{ln.label}{ln.now}户，占比{ln.share}%" for ln in a.income_bins if ln.now)
    if income:
        s2.append(f"（三）收入情况。本年累计人均纯收入{income}。")
    changes = [f"{x.kind}{x.records}条、{x.persons}人" for x in a.adjustments if x.records]
    s2.append("（四）动态调整。本月" + ("、".join(changes) if changes else "无动态调整") + "。")
    closed_tasks = sum(t.closed_month for t in a.tasks)
    closed_problems = sum(p.closed_month for p in a.problems)
    new_tasks, new_problems = sum(t.opened_month for t in a.tasks), sum(p.opened_month for p in a.problems)
    s2.append(f"（五）对表销号。本月新增任务{new_tasks}项、问题{new_problems}个，"
              f"销号任务{closed_tasks}项、整改问题{closed_problems}个；"
              f"责任清单任务共{sum(t.total for t in a.tasks)}项（按责任单位计），问题台账共{sum(p.total for p in a.problems)}个。")
    if a.feedback_fixed or a.feedback_open:
        still: dict[str, int] = {}
        for r in a.feedback_last:
            if not r.fixed:
                still[r.township] = still.get(r.township, 0) + 1
        where = "，其中" + "、".join(f"{t}{n}个" for t, n in still.items()) if still else ""
        s2.append(f"上月分析反馈问题{a.feedback_fixed + a.feedback_open}个，已销号{a.feedback_fixed}个，"
                  f"尚未销号{a.feedback_open}个{where}。")
    if a.targets:
        entered = sum(t.entered for t in a.targets)
        s2.append(f"（六）挂牌督战。{len(a.targets)}个督战对象中{entered}个本月已填报督战台账，"
                  f"发现问题{sum(t.found for t in a.targets)}个、解决{sum(t.solved for t in a.targets)}个。")

    s3: list[str] = []
    if a.past_expected.now:
        s3.append(f"预计收入达到5000元以上时间已到但尚未销号的{a.past_expected.now}户"
                  f"{_paren(vs(a.past_expected.now, a.past_expected.before))}，需逐户核实。")
    errors = sum(f.count for f in a.findings if f.severity == "E")
    warnings = sum(f.count for f in a.findings if f.severity == "W")
    if errors or warnings:
        top = sorted(a.findings, key=lambda f: -f.count)[:3]
        s3.append(f"数据质量方面，尚有错误{errors}条、提示{warnings}条，主要为"
                  + "、".join(f"{f.title}（{f.code}）{f.count}条" for f in top) + "。")
    for an in a.anomalies:
        s3.append(f"{an.unit}{an.message}" + (f"。核实说明：{an.note}" if an.note else "，尚未填写核实说明") + "。")
    overdue_t = [t for t in a.tasks if t.overdue]
    overdue_p = [p for p in a.problems if p.overdue]
    if overdue_t:
        s3.append(f"责任清单逾期未销号任务{sum(t.overdue for t in overdue_t)}项，涉及"
                  + "、".join(f"{t.unit}{t.overdue}项" for t in overdue_t) + "。")
    if overdue_p:
        s3.append(f"逾期未整改问题{sum(p.overdue for p in overdue_p)}个，涉及"
                  + "、".join(f"{p.unit}{p.overdue}个" for p in overdue_p) + "。")
    missing = [t.name for t in a.targets if not t.entered]
    if missing:
        s3.append("督战对象" + "、".join(missing) + "本月尚无督战台账。")
    if not s3:
        s3.append("本月未发现突出问题。")

    s4 = ["（一）对预计时间已到未销号户和红、黄色预警户逐户研判，落实针对性帮扶措施。",
          "（二）对逾期任务和问题督促责任单位限期整改、对表销号，整改情况下月分析反馈。",
          "（三）对数据错误和异常变化逐条核实，按时完成下月调度数据报送。",
          f"（四）本报告及反馈单于{a.due.month}月{a.due.day}日前报送。"]

    tables = (
        Table("表1 基本情况", ("项目", "本月", "上月", "增减", "占比"),
              tuple(_change_row(x) for x in (a.households, a.persons, a.closed_month, a.closed_total, a.remaining,
                                               a.past_expected))),
        Table("表2 致贫原因", ("致贫原因", "本月", "上月", "增减", "占比"), tuple(_change_row(x) for x in a.causes)),
        Table("表3 红黄绿预警", ("等级", "本月", "上月", "增减", "占比"), tuple(_change_row(x) for x in a.colours)),
        Table("表4 分乡镇情况", ("乡镇", "户数", "人数", "本月销号", "未销号户", "红", "黄", "绿"),
              tuple((t.township, str(t.households), str(t.persons), str(t.closed_month), str(t.remaining),
                     str(t.colours.get("red", 0)), str(t.colours.get("yellow", 0)), str(t.colours.get("green", 0)))
                    for t in a.townships)),
    )
    if a.feedback_last:  # which of last month's 反馈单 lines were fixed, by township
        by: dict[str, list[int]] = {}
        for r in a.feedback_last:
            by.setdefault(r.township, [0, 0])[0 if r.fixed else 1] += 1
        tables += (Table("表5 上月分析反馈问题整改情况", ("乡镇", "反馈问题", "已销号", "尚未销号"),
                         tuple((t, str(f + o), str(f), str(o)) for t, (f, o) in by.items())),)
    causes = Chart("图1 致贫原因结构", tuple((x.label, x.now, x.share or "") for x in a.causes))
    colours = Chart("图2 红黄绿预警户", tuple((f"{x.label}色", x.now, x.share or "") for x in a.colours))
    trend = Chart(f"图3 {m.year}年各月销号户数", tuple((f"{int(k[5:])}月", n, "") for k, n in a.closed_trend))
    sections = (
        Section(SECTION_HEADINGS[0], tuple(s1), tables[:2], (causes,)),
        Section(SECTION_HEADINGS[1], tuple(s2), tables[2:], (colours, trend)),
        Section(SECTION_HEADINGS[2], tuple(s3)),
        Section(SECTION_HEADINGS[3], tuple(s4)),
    )
    return ReportContent(a.title, a.unit, a.period, sections, f"{a.due.year}年{a.due.month}月{a.due.day}日")
