"""Undo/redo of register edits, built on the same requests as the edits themselves.

A command holds two requests: the one that was run and its inverse (``request.inverse(change)``).
Undo runs the inverse through the write worker, and the inverse of what it did becomes the redo;
so a removed household put back and removed again keeps its UUIDs. The first ``redo`` is skipped:
the edit was already run (and could be refused) before the command was pushed. An undone or redone
field edit only puts back what this window wrote (``concurrency.replayed``): once another clerk has
changed the row, it is refused naming them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from app.services.concurrency import replayed
from app.services.operations import Outcome

Run = Callable[[Any], Outcome | None]  # a request run at once (None: refused, already said why)


class Command(QUndoCommand):
    def __init__(self, text: str, run: Run, request: Any, outcome: Outcome):
        super().__init__(text)
        self.run = run
        self.forward, self.backward = request, request.inverse(outcome.value)
        self.value = outcome.value
        self._first = True
        self.failed = False
        self.discard = False  # undo it once and forget it (a household left empty)

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        out = self.run(replayed(self.forward))
        self.failed = out is None
        if out is not None:
            self.value, self.backward = out.value, self.forward.inverse(out.value)

    def undo(self) -> None:
        out = self.run(replayed(self.backward))
        self.failed = out is None
        if out is not None:
            self.value, self.forward = out.value, self.backward.inverse(out.value)
        if self.discard:
            self.setObsolete(True)  # QUndoStack drops a command that is obsolete after its undo
