"""Names are shown as the text they are, never as markup: every kind of name in the register holds
``<h1><font color=red>假户主</font></h1>`` and every place the window shows it must show those
characters literally (labels in PlainText, tooltips and rich paragraphs escaped, message boxes plain).

What the clerk sees is read back the way Qt renders it: a label's text in its format, a tooltip or
a rich paragraph through ``QTextDocument`` (rich when Qt would take it for rich text).
"""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox

from app.storage import Database
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs, message_box
from app.ui.main_window import MainWindow

MARK = "<h1><font color=red>假户主</font></h1>"
R = Qt.ItemDataRole


def rendered(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """The characters Qt puts on screen for ``text`` shown in format ``fmt`` (AutoText: Qt's guess)."""
    rich = fmt == Qt.TextFormat.RichText or (fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    doc = QTextDocument()
    if rich:
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    return doc.toPlainText()


def shows_literally(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> bool:
    """Wherever the name's characters appear on screen, the markup around them appears too."""
    seen = rendered(text, fmt)
    return "假户主" not in seen or MARK in seen


@pytest.fixture
def marked(demo_db_path):
    """The demo register with the markup in unit, person, helper, project, measure and income names
    and in every household remark."""
    con = sqlite3.connect(demo_db_path)
    with con:
        con.execute("UPDATE units SET name = ? || name", (MARK,))
        con.execute("UPDATE persons SET name = ? || name", (MARK,))
        con.execute("UPDATE households SET remark = ?, helper_name = ?, helper_unit = ?", (MARK, MARK, MARK))
        con.execute("UPDATE measures SET text = ? || text", (MARK,))
        con.execute("UPDATE income_items SET label = ?", (MARK,))
        con.execute("UPDATE fund_projects SET name = ? || name", (MARK,))
    con.close()
    return demo_db_path


@pytest.fixture
def window(qtbot, marked):
    create_application()
    database = Database(marked)
    win = MainWindow(database, dialogs=RecordingDialogs())
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    win.select_first_village()
    win.wait_checks()
    yield win
    win.close()
    database.close()


def _labels_showing_the_name(widget) -> list[QLabel]:
    return [lab for lab in widget.findChildren(QLabel) if "假户主" in lab.text()]


def test_window_labels_show_names_literally(window):
    panel = window.panel
    assert panel.detail is not None
    assert MARK in panel.title.text() and MARK in panel.head.text()
    labels = _labels_showing_the_name(window)
    assert panel.title in labels and window.hh_title in labels
    for lab in labels:
        assert shows_literally(lab.text(), lab.textFormat()), (lab.objectName(), lab.text())


def _member_tips(window) -> list[str]:
    m = window.member_model
    return [t for r in range(m.rowCount()) for c in range(m.columnCount()) if (t := m.index(r, c).data(R.ToolTipRole))]


def test_tree_list_grid_and_their_tooltips_show_names_literally(window, qtbot):
    qtbot.waitUntil(lambda: bool(_member_tips(window)), timeout=20_000)  # the selected household's findings
    assert any("假户主" in rendered(t) for t in _member_tips(window))
    tree = window.tree.model_
    assert tree.item(0).text().startswith(MARK)  # items are drawn as plain text
    tips = []
    for model in (window.member_model, window.hh_model):
        for row in range(model.rowCount()):
            for col in range(model.columnCount()):
                index = model.index(row, col)
                shown = index.data(R.DisplayRole)
                if isinstance(shown, str) and "假户主" in shown:
                    assert MARK in shown
                tip = index.data(R.ToolTipRole)
                if tip:
                    tips.append(tip)
    for w in window.panel.findChildren(QLabel) + list(window.panel._widgets.values()):
        if w.toolTip():
            tips.append(w.toolTip())
    problems = window.problems.model
    for row in range(problems.rowCount()):
        tip = problems.index(row, 4).data(R.ToolTipRole)
        if tip:
            tips.append(tip)
    quoting = [t for t in tips if "假户主" in rendered(t)]
    assert quoting, "the H-03 findings on the marked names should quote them in tooltips"
    for tip in tips:
        assert shows_literally(tip), tip


@pytest.mark.parametrize("module, cls", [("app.ui.export_dialog", "ExportDialog"),
                                         ("app.ui.cards_dialog", "CardsDialog"),
                                         ("app.ui.wallchart_dialog", "WallChartDialog")])
def test_dialog_previews_put_unit_names_in_escaped(window, module, cls):
    import importlib

    dialog_cls = getattr(importlib.import_module(module), cls)
    dialog = dialog_cls(window.store.db, None, window, RecordingDialogs())
    dialog.refresh()
    labels = _labels_showing_the_name(dialog) or [
        lab for lab in dialog.findChildren(QLabel) if "假户主" in rendered(lab.text(), lab.textFormat())]
    assert labels, "the preview names the unit"
    for lab in labels:
        assert shows_literally(lab.text(), lab.textFormat()), lab.text()
    dialog.close()


def test_message_boxes_and_questions_are_plain(window):
    box = message_box(QMessageBox.Icon.Warning, "导入", f"单位“{MARK}”已有本月数据", window)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert shows_literally(box.text(), box.textFormat())
    from PySide6.QtWidgets import QInputDialog

    from app.ui import dialogs as dlg

    shown = {}

    def fake_exec(self):  # read the question as laid out, then answer 取消
        shown["labels"] = [(lab.text(), lab.textFormat()) for lab in self.findChildren(QLabel)]
        return 0

    original = QInputDialog.exec
    QInputDialog.exec = fake_exec
    try:
        assert dlg.input_text(window, "改名", f"将“{MARK}”改名为：", MARK) is None
    finally:
        QInputDialog.exec = original
    assert any("假户主" in t for t, _f in shown["labels"])
    assert all(shows_literally(t, f) for t, f in shown["labels"])
