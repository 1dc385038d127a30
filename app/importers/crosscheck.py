"""What a received package's forms say must agree with itself (账账相符 on receipt), beyond checksums.

A manifest proves the files are the ones listed, not that they agree: a 附件4 cell edited and the
manifest's hash recomputed passes the checksums. ``cross_check`` reads the package's workbooks and
reports, in words:

- 附件1 and 附件2: each total row against the rows it sums (M-06);
- 附件1's village totals (年人均纯收入5000元以下建档立卡总人数) against the persons the band-A 附件4
  lists in that village, and the county row against all of them;
- 附件4 (both bands): printed cells that differ from what the export wrote (its hidden sheet, I-13)
  or a hidden sheet that does not hold (I-10).

It needs only a folder of files, so ``verify`` of a folder or of an unpacked zip can call it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .workbook import read_workbook

_KEEP = {"M-06", "I-10", "I-13", "I-03"}


def _find(folder: Path, prefix: str, band_b: bool | None = None) -> Path | None:
    for p in sorted(folder.glob(f"{prefix}*.xlsx")):
        if band_b is None or ("5000-5760" in p.name) == band_b:
            return p
    return None


def cross_check_store(store, names: list[str]) -> list[str]:
    """``cross_check`` of a package read through the importer's store (a folder or a zip, never
    unpacked as a whole): the listed workbooks are copied one by one, under their own checked names,
    into a private temporary folder."""
    import tempfile

    from . import limits

    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name.endswith(".xlsx") and "/" not in name and "\\" not in name and not name.startswith("."):
                (Path(tmp) / name).write_bytes(store.read(name, limits.DEFAULT.max_total_uncompressed))
        return cross_check(tmp)


def cross_check(folder: str | Path) -> list[str]:
    """Disagreements between the package's forms, as sentences (empty when they agree)."""
    folder = Path(folder)
    problems: list[str] = []
    f1 = _find(folder, "附件1")
    f2 = _find(folder, "附件2")
    f4 = _find(folder, "附件4", band_b=False)
    f4b = _find(folder, "附件4", band_b=True)
    sources = {}
    for label, path in (("附件1", f1), ("附件2", f2), ("附件4", f4), ("附件4（5000-5760元）", f4b)):
        if path is None:
            continue
        src = read_workbook(path)
        sources[label] = src
        for f in src.findings:
            if f.code in _KEEP:
                where = f"第{f.row}行" if f.row else ""
                problems.append(f"{label}{where}：{f.message}")
    form1, form4 = sources.get("附件1"), sources.get("附件4")
    if form1 is not None and form4 is not None:
        problems.extend(_form1_against_form4(form1, form4))
    return problems


def _form1_against_form4(form1, form4) -> list[str]:
    """附件1's village totals = the persons of band-A 附件4 in that village (villages 附件4 lists)."""
    persons: Counter[tuple[str, str]] = Counter()
    for h in form4.households:
        persons[(str(h.village[1] or ""), str(h.village[2] or ""))] += len(h.members)
    stated: dict[tuple[str, str], int] = {}
    for c in form1.counts:
        if c.form != 1:
            continue
        key = (str(c.unit[1] or ""), str(c.unit[2] or ""))
        total = c.values.get("total")
        stated[key] = int(total) if isinstance(total, int | float) else 0
    out = []
    for key, n in sorted(persons.items()):
        if key not in stated:
            out.append(f"附件4列有{'/'.join(key)}的{n}人，附件1却没有该村")
        elif stated[key] != n:
            out.append(f"附件1中{'/'.join(key)}的总人数为{stated[key]}人，附件4列有{n}人，账账不符")
    return out
