"""Chinese everywhere: Qt's own buttons from PySide6's qtbase_zh_CN, no CLI flags in messages, import
summary counts that agree with the 问题 tab (pytest-qt)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from app.rules.findings import Finding
from app.ui.app import install_qt_translations, translation_dirs
from app.ui.import_wizard import findings_summary

ROOT = Path(__file__).resolve().parents[2]


def test_qt_buttons_are_chinese(qtbot):
    loaded = install_qt_translations(QApplication.instance())
    assert loaded and loaded[0].endswith("qtbase_zh_CN.qm")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                           | QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No)
    qtbot.addWidget(box)
    texts = {box.button(b).text().replace("&", "") for b in (QDialogButtonBox.StandardButton.Ok,
                                                              QDialogButtonBox.StandardButton.Cancel)}
    assert texts == {"确定", "取消"}
    assert re.match(r"是", box.button(QDialogButtonBox.StandardButton.Yes).text())
    seen: list[str] = []

    def read_and_close():
        w = QApplication.activeModalWidget()
        if isinstance(w, QMessageBox):
            seen.extend(b.text() for b in w.buttons())
            w.accept()

    QTimer.singleShot(50, read_and_close)
    QMessageBox.information(None, "提示", "内容")
    assert seen == ["确定"]


def test_the_installer_bundles_the_catalogue():
    spec = (ROOT / "installer" / "guatu.spec").read_text(encoding="utf-8")
    assert "qtbase_zh_CN.qm" in spec and '"resources/translations"' in spec
    assert (translation_dirs()[0] / "qtbase_zh_CN.qm").exists()  # PySide6-Essentials ships it


def test_no_command_line_flags_in_messages():
    """Services speak to clerks in the window too: no --flags, no 'JSON 文件' in a message (a Chinese
    text); an argument list the window launches (``--db``) is not a message."""
    flagged = []
    for folder in ("services", "ui"):
        for path in (ROOT / "app" / folder).glob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#")[0]
                strings = re.findall(r'"([^"]*)"', code)
                if any(re.search(r"[\u4e00-\u9fff]", s) and re.search(r"--[a-z]|JSON 文件|guatu reopen", s)
                       for s in strings) \
                        and not line.strip().startswith('"""'):
                    flagged.append(f"{path.name}:{n}: {line.strip()}")
    assert flagged == []


def test_import_summary_counts_agree_with_the_tab():
    findings = [Finding("H-01", "E", "x")] * 3 + [Finding("H-09", "W", "y")] * 4
    assert findings_summary(findings, 0) == "问题7个（错误3个，提示4个），数据包自带的错误不阻止导入。"
    assert findings_summary(findings, 3) == "问题7个（错误3个，提示4个）。"
    assert findings_summary(findings[3:], 0) == "问题4个（错误0个，提示4个）。"
