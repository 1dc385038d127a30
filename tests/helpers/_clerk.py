"""Keys as a clerk's keyboard sends them: always to the widget that has the focus, nothing else.

``keys("李建国", "Tab", "户主", "Enter")``: text is typed a character at a time (ASCII through QTest,
Chinese as the key events with text that the platform sends for a keysym, or — ``ime=True`` — as the
input method's commit strings); the other tokens name keys: Tab, Shift+Tab, Enter, Esc, Up, Down,
Left, Right, Home, End, PgUp, PgDown, F2, Shift+F2, F4, Alt+Down, F6, Shift+F6, Ctrl+N, Ctrl+V, Ctrl+Enter,
Ctrl+Z, Delete, Insert, Space.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.writer import drain_all

K, M = Qt.Key, Qt.KeyboardModifier
NAMED = {
    "Tab": (K.Key_Tab, M.NoModifier), "Shift+Tab": (K.Key_Backtab, M.ShiftModifier),
    "Enter": (K.Key_Return, M.NoModifier), "Esc": (K.Key_Escape, M.NoModifier),
    "Up": (K.Key_Up, M.NoModifier), "Down": (K.Key_Down, M.NoModifier), "Left": (K.Key_Left, M.NoModifier),
    "Right": (K.Key_Right, M.NoModifier), "Home": (K.Key_Home, M.NoModifier), "End": (K.Key_End, M.NoModifier),
    "PgUp": (K.Key_PageUp, M.NoModifier), "PgDown": (K.Key_PageDown, M.NoModifier),
    "F2": (K.Key_F2, M.NoModifier), "Shift+F2": (K.Key_F2, M.ShiftModifier), "F4": (K.Key_F4, M.NoModifier),
    "Alt+Down": (K.Key_Down, M.AltModifier), "F6": (K.Key_F6, M.NoModifier),
    "Shift+F6": (K.Key_F6, M.ShiftModifier), "Ctrl+N": (K.Key_N, M.ControlModifier),
    "Ctrl+V": (K.Key_V, M.ControlModifier), "Ctrl+Enter": (K.Key_Return, M.ControlModifier),
    "Ctrl+Z": (K.Key_Z, M.ControlModifier),
    "Delete": (K.Key_Delete, M.NoModifier), "Insert": (K.Key_Insert, M.NoModifier),
    "Space": (K.Key_Space, M.NoModifier),
}


def focus() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None, "no widget has the keyboard focus"
    return w


def press(name: str, settle: bool = True) -> None:
    """One named key; ``settle=False`` leaves the repaints to the next ``processEvents`` (a soak)."""
    key, mods = NAMED[name]
    QTest.keyClick(focus(), key, mods)
    if settle:
        QApplication.processEvents()
        drain_all()  # the edit a key sent is in the file before the test looks


def type_text(text: str, ime: bool = False) -> None:
    for ch in text:
        w = focus()
        if ch.isascii():
            QTest.keyClicks(w, ch)
        elif ime:  # the input method commits the character (Windows' 微软拼音, ibus, fcitx)
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(w, event)
        else:  # a keysym with its text, as xdotool sends one (QTest cannot type non-ASCII)
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(w, QKeyEvent(kind, ord(ch), M.NoModifier, ch))
        QApplication.processEvents()


def keys(*tokens: str, ime: bool = False) -> None:
    for token in tokens:
        if token in NAMED:
            press(token)
        else:
            type_text(token, ime)
