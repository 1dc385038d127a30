"""RESULTS.md: a run of some entries replaces only their rows and keeps the others."""

from __future__ import annotations

from bench.harness import Entry, Outcome, write_results


def _entry(name: str) -> Entry:
    return Entry(name, "x", lambda ctx: None)


def test_one_entry_updates_only_its_row(tmp_path):
    path = tmp_path / "RESULTS.md"
    write_results([(_entry("alpha"), Outcome(1.0, 0.5, "a", note="first")),
                   (_entry("beta"), Outcome(2.0, 1.0, "b", note="first"))], 0.03, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Ratio =", "| by_hand | 3 s | 1 s (x) | 3.0× | — | — | measured outside |\n\nRatio ="),
                    encoding="utf-8")
    write_results([(_entry("beta"), Outcome(4.0, 1.0, "b", note="second")),
                   (_entry("gamma"), ValueError("broken"))], 0.03, path)
    rows = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("| ") and "entry |" not in ln]
    assert [r.split("|")[1].strip() for r in rows] == ["alpha", "beta", "by_hand", "gamma"]
    assert "first" in rows[0] and "1.00 s" in rows[0]
    assert "second" in rows[1] and "4.00 s" in rows[1] and "first" not in rows[1]
    assert "measured outside" in rows[2]
    assert "ValueError: broken" in rows[3]
