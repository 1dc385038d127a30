"""`python -m bench [names or areas…]`: run benchmark entries, print them and put their rows in
bench/RESULTS.md (the rows of entries not run are kept)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bench import harness


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("names", nargs="*", help="entries or areas to run (default: all)")
    p.add_argument("--list", action="store_true", help="list entries and exit")
    p.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = p.parse_args(argv)
    harness.discover()
    if args.list:
        for e in harness.REGISTRY.values():
            print(f"{e.name:28} {e.area:10} {e.doc}")
        return 0
    entries = harness.select_entries(args.names)
    ctx = harness.Context()
    loop = harness.calibrate()
    print(f"calibration: 1M-iteration loop {loop:.3f}s", file=sys.stderr)
    rows = []
    for e in entries:
        print(f"{e.name} …", file=sys.stderr, flush=True)
        try:
            o = e.fn(ctx)
        except Exception as exc:  # report and go on: one broken entry must not hide the others
            print(f"  error: {type(exc).__name__}: {exc}", file=sys.stderr)
            rows.append((e, exc))
            continue
        load = f"load {harness._load().split('/')[0]} ({dt.datetime.now():%Y-%m-%d %H:%M})"  # 1-min average after it
        o.note = f"{o.note}; {load}" if o.note else load
        met = "" if o.met is None else (" ✓" if o.met else " ✗")
        print(f"  {harness.fmt(o.seconds)} vs {harness.fmt(o.baseline)} ({o.baseline_label}) = {o.ratio:.1f}×"
              f"  goal {o.goal or '—'}{met}  {o.note}", file=sys.stderr)
        rows.append((e, o))
    if not args.no_write:
        harness.write_results(rows, loop)
        print(f"wrote {harness.RESULTS}", file=sys.stderr)
    return 1 if any(isinstance(o, Exception) for _e, o in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
