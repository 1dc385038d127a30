"""The benchmark harness: an entry registry, the cached demo register, timing and RESULTS.md.

Each entry times an operation *and* a plain baseline in the same run, so the ratio stays meaningful
on a loaded or slow machine; the absolute goal is printed beside it.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CACHE = Path(__file__).resolve().parent / ".cache"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PERSONS = 100_000
SEED = 1


@dataclass
class Outcome:
    """What an entry measured: seconds of the operation and of its baseline, and the goal."""

    seconds: float
    baseline: float
    baseline_label: str
    goal: str = ""
    met: bool | None = None  # None: no absolute goal
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline if self.baseline > 0 else float("inf")


@dataclass
class Entry:
    name: str
    area: str
    fn: Callable[[Context], Outcome]
    doc: str = ""


@dataclass
class Context:
    """Shared by entries: the cached 100,000-person demo register (open it read-only)."""

    persons: int = PERSONS
    seed: int = SEED
    _path: Path | None = field(default=None, repr=False)

    @property
    def demo_path(self) -> Path:
        if self._path is None:
            self._path = demo_register(self.persons, self.seed)
        return self._path


REGISTRY: dict[str, Entry] = {}


def entry(name: str) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
    """Register ``fn(ctx) -> Outcome`` as benchmark ``name``; its area is the module's (bench_<area>)."""

    def deco(fn: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        area = fn.__module__.rsplit(".", 1)[-1].removeprefix("bench_")
        if name in REGISTRY:
            raise ValueError(f"duplicate benchmark {name}")
        REGISTRY[name] = Entry(name, area, fn, (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "")
        return fn

    return deco


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The best wall time of ``repeat`` calls (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def demo_register(persons: int = PERSONS, seed: int = SEED) -> Path:
    """The demo register of ``persons``, built once and cached, keyed by the generator's VERSION and
    the schema head (a renumbered or new migration gets a new register)."""
    from app.migrations import head_revision
    from app.services.demo import VERSION, generate
    from app.storage import Database

    path = CACHE / f"demo-v{VERSION}-r{head_revision()}-{persons}-s{seed}.db"
    for old in CACHE.glob(f"demo-v*-{persons}-s{seed}.db*"):  # registers of older generator versions
        if not old.name.startswith(path.name):
            old.unlink(missing_ok=True)
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)
        print(f"building {path.name} …", file=sys.stderr, flush=True)
        with Database(tmp, create=True) as db:
            generate(db, persons=persons, seed=seed)
        Path(f"{tmp}.lock").unlink(missing_ok=True)
        tmp.rename(path)
    return path


def calibrate() -> float:
    """Seconds of a 1M-iteration empty loop: tells a busy machine from slow code (≈0.03 s idle)."""

    def loop() -> None:
        x = 0
        for i in range(1_000_000):
            x += i

    return best_of(loop, 3)


def discover() -> None:
    import importlib
    import pkgutil

    import bench

    for mod in pkgutil.iter_modules(bench.__path__):
        if mod.name.startswith("bench_"):
            importlib.import_module(f"bench.{mod.name}")


def select_entries(names: list[str]) -> list[Entry]:
    if not names:
        return list(REGISTRY.values())
    out = [e for e in REGISTRY.values() if e.name in names or e.area in names]
    unknown = [n for n in names if n not in REGISTRY and n not in {e.area for e in REGISTRY.values()}]
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(REGISTRY)}")
    return out


def fmt(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def write_results(rows: list[tuple[Entry, Outcome | Exception]], loop: float, path: Path = RESULTS) -> None:
    """Put the rows of the entries just run into RESULTS.md, in place of their old rows; every other
    row (entries not run this time, rows measured outside the harness) is kept as it was."""
    header = [
        "# Benchmark results",
        "",
        f"`python -m bench`, last run {dt.datetime.now():%Y-%m-%d %H:%M} — Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load {_load()}; "
        f"1M-iteration empty loop {loop:.3f} s (≈0.03 s on an idle desktop). "
        f"Register: demo, {PERSONS:,} persons, two periods. Each row is from the run that measured it "
        "(its note ends with the time and the load then).",
        "",
        "| entry | time | baseline | ratio | goal | met? | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    new: dict[str, str] = {}
    for e, o in rows:
        if isinstance(o, Exception):
            new[e.name] = f"| {e.name} | — | — | — | — | error | {type(o).__name__}: {o} |"
            continue
        met = "—" if o.met is None else ("yes" if o.met else "**no**")
        new[e.name] = (f"| {e.name} | {fmt(o.seconds)} | {fmt(o.baseline)} ({o.baseline_label}) | {o.ratio:.1f}× | "
                       f"{o.goal or '—'} | {met} | {o.note} |")
    table: list[str] = []
    for line in _table_rows(path):
        name = line[1:].split("|", 1)[0].strip()
        table.append(new.pop(name, line))
    table.extend(new.values())
    lines = [*header, *table, "", "Ratio = time ÷ baseline, both measured in the same run (see bench/README.md).", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _table_rows(path: Path) -> list[str]:
    """The entry rows of an existing RESULTS.md (none when there is no file yet)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| entry |"):
            rows.append(line)
    return rows


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"
