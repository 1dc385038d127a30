"""PySide6 6.12.0 on CPython 3.11 drops a reference to None on every QLineEdit.setText; after enough
calls the interpreter aborts with "Fatal Python error: none_dealloc" and the window dies without a
dialog. The loop runs in a child process so that a pin which brings the bug back fails here, not in
a clerk's hands."""
from __future__ import annotations

import os
import subprocess
import sys

LOOP = """
from PySide6.QtWidgets import QApplication, QLineEdit
app = QApplication([])
e = QLineEdit()
for i in range(200_000):
    e.setText("x")
print("alive")
"""


def test_setText_loop_survives_in_a_child_process():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", LOOP], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    assert r.stdout.startswith("alive")
