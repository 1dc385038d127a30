"""OS-level, crash-safe file locks (fcntl on POSIX, msvcrt on Windows). No Qt, no database.

The OS drops such a lock when its holder dies, however it dies: a lock is never left behind by a
killed process, so a temporary file with an unlocked marker is known to be abandoned.
"""

from __future__ import annotations

import os
from pathlib import Path

if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def lock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def unlock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class BusyMarker:
    """A lock on a marker file beside a temporary file or folder, held while it is being written.

    A temporary left by a killed run has no live holder, so ``is_stale`` tells it from one that
    another process is still writing; the OS drops the lock when its holder dies."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = None

    def __enter__(self) -> BusyMarker:
        self._fh = open(self.path, "a+b")  # noqa: SIM115 - held while the work lasts
        lock_file(self._fh)
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            try:
                unlock_file(self._fh)
            finally:
                self._fh.close()
                self._fh = None
        self.path.unlink(missing_ok=True)

    @staticmethod
    def is_stale(path: Path) -> bool:
        """True when no live process holds the marker ``path`` (or it does not exist)."""
        try:
            fh = open(path, "r+b")  # noqa: SIM115
        except FileNotFoundError:
            return True
        except OSError:
            return False
        try:
            lock_file(fh)
        except OSError:
            fh.close()
            return False
        unlock_file(fh)
        fh.close()
        return True


__all__ = ["BusyMarker", "lock_file", "unlock_file"]


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (POSIX); Windows cannot open a directory for that."""
    if os.name == "nt":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
