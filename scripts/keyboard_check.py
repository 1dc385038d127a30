"""The keyboard check of the real window, from outside the process (not part of the tests).

A demo register, the real ``guatu gui`` under Xvfb with openbox, keystrokes by xdotool (each CJK
character its own keysym): thousands of navigation keys through the tree, the household list, the
member grid and the household panel (the window must stay alive and the register unchanged), then
Ctrl+N and a household of three typed as a clerk types it, Ctrl+Q; the register is read back from the
SQLite file: exactly those three persons in one new household, nobody else changed.

    python scripts/keyboard_check.py --xclerk ../shared/tools/xclerk.py --guatu .venv/bin/guatu \\
        --display 91 --out /tmp/kb [--keys 3000]

Run it with ``PYTHONPATH`` at the checkout so that ``guatu`` runs this code.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

FIELDS = ("name", "relation", "age", "health", "labour", "id_number", "phone")
HOUSEHOLD = (
    ("李建国", "Tab", "户主", "Tab", "52", "Tab", "健康", "Tab", "普通", "Return"),
    ("王秀英", "Tab", "配偶", "Tab", "50", "Tab", "长期", "Tab", "弱", "Return"),
    ("李明", "Tab", "之子", "Tab", "25", "Tab", "健康", "Tab", "普通", "Return"),
)
EXPECTED = [
    ("李建国", "户主", 52, "健康", "普通劳动力"),
    ("王秀英", "配偶", 50, "长期慢性病", "弱劳动力"),
    ("李明", "之子", 25, "健康", "普通劳动力"),
]
# Keys that move and never change a value, per pane (F6 order: tree, list, grid, panel, problems).
PANE_KEYS = {
    "tree": ("Down", "Down", "Up", "Right", "Left", "Down", "Home", "End", "Page_Down", "Page_Up"),
    "list": ("Down", "Down", "Down", "Up", "Page_Down", "Page_Up", "Home", "End", "Right", "Left"),
    "grid": ("Tab", "Tab", "Return", "ISO_Left_Tab", "Down", "Up", "Right", "Left", "Home", "End", "Return"),
    "panel": ("Tab", "Tab", "ISO_Left_Tab", "Tab"),
    "problems": ("Down", "Up", "Page_Down", "Home"),
}


def persons(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as con:
        rows = con.execute(f"select p.uuid, h.uuid, h.village_id, {', '.join('p.' + f for f in FIELDS)} "
                           "from persons p join households h on h.id = p.household_id").fetchall()
    return {r[0]: r[1:] for r in rows}


def households(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        return dict(con.execute("select uuid, village_id from households").fetchall())


def household_rows(db: Path) -> dict[str, tuple]:
    """Every household's own fields, measures and income lines (navigation must change none)."""
    with sqlite3.connect(db) as con:
        rows = {r[1]: r for r in con.execute("select * from households").fetchall()}
        for table in ("measures", "income_items"):
            for r in con.execute(f"select h.uuid, t.* from {table} t join households h on h.id = t.household_id"):
                rows[r[0]] = (*rows[r[0]], r[1:])
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--xclerk", required=True)
    ap.add_argument("--guatu", required=True)
    ap.add_argument("--display", type=int, default=91)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--keys", type=int, default=3000)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("xclerk", args.xclerk)
    xclerk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(xclerk)
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "demo.db"
    if db.exists():
        db.unlink()
    subprocess.run([args.guatu, "demo", "--db", str(db)], check=True, capture_output=True)
    before, hh_before, rows_before = persons(db), households(db), household_rows(db)

    desk = xclerk.Desk(args.guatu, str(db), display=args.display)
    rng = random.Random(12)
    sent, t0 = 0, time.time()
    panes = list(PANE_KEYS)
    pane = 1  # the window opens with focus in the household list
    while sent < args.keys and desk.alive():
        batch = [rng.choice(PANE_KEYS[panes[pane]]) for _ in range(40)]
        desk.key(*batch, delay_ms=4)
        sent += len(batch)
        if rng.random() < 0.5:
            step = rng.choice((1, -1))
            desk.key("F6" if step == 1 else "shift+F6")
            pane = (pane + step) % len(panes)
            sent += 1
    print(f"navigation: {sent} keys in {time.time() - t0:.0f}s, alive: {desk.alive()}")
    desk.shot(str(args.out / "after-navigation.png"))
    alive_after_nav = desk.alive()
    desk.key("ctrl+n")
    time.sleep(1.5)
    for member in HOUSEHOLD:
        for token in member:
            if token in ("Tab", "Return"):
                desk.key(token)
                time.sleep(0.3)
            else:
                desk.type(token)
                time.sleep(0.2)
    time.sleep(1.0)
    desk.shot(str(args.out / "household-typed.png"))
    code = desk.close()
    print("exit code:", code)

    after, hh_after = persons(db), households(db)
    changed = [u for u in before if after.get(u) != before[u]]
    rows_after = household_rows(db)
    changed_hh = [u for u in rows_before if rows_after.get(u) != rows_before[u]]
    new = {u: v for u, v in after.items() if u not in before}
    new_households = [u for u in hh_after if u not in hh_before]
    got = sorted((tuple(v[2:7]) for v in new.values()), key=lambda r: [e[0] for e in EXPECTED].index(r[0])
                 if r[0] in [e[0] for e in EXPECTED] else 9)
    print("changed persons:", len(changed), "changed households:", len(changed_hh), "new households:", len(new_households), "new persons:")
    for r in got:
        print("  ", r)
    ok = (alive_after_nav and code == 0 and not changed and not changed_hh and len(new_households) == 1
          and {v[0] for v in new.values()} == set(new_households) and got == EXPECTED)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
