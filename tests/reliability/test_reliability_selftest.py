"""``guatu selftest`` from source, including the path without pdftoppm (Windows)."""

from __future__ import annotations

import shutil

from app.cli import main


def test_selftest_passes_and_says_what_it_did(tmp_path, capsys):
    assert main(["selftest", "--keep", str(tmp_path), "--persons", "60"]) == 0
    err = capsys.readouterr().err
    for step in ("演示数据库", "检查", "导出草稿", "PDF", "Qt", "自检通过"):
        assert step in err
    assert list(tmp_path.glob("page*.png"))  # pdftoppm rendered page 1 here


def test_selftest_without_pdftoppm_extracts_the_text_instead(tmp_path, capsys, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "pdftoppm" else real_which(name))
    assert main(["selftest", "--keep", str(tmp_path), "--persons", "60"]) == 0
    err = capsys.readouterr().err
    assert "文字提取正常" in err and "未找到 pdftoppm" in err
    assert not list(tmp_path.glob("page*.png"))
