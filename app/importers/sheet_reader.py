"""A workbook's cells with python-calamine, in a child process for a large file.

calamine's ``to_python`` converts a whole sheet in one call holding the GIL: 100,000 persons hold
it for over 100 ms, and the window's reads (on the GUI thread) wait that long. A large file is
therefore read in a child process (``spawn``, as on Windows; the frozen app calls
``multiprocessing.freeze_support()``) that sends the rows back in chunks, each unpickled in a few
milliseconds. A small file is read in-process: starting an interpreter would cost more than it saves.

The hostile-file order is kept: the caller has run ``limits.check_workbook`` on the file (sizes,
entry names, every sheet's real extent) before either reader opens it, and each sheet's shape is
checked (``limits.check_shape``) before calamine allocates its grid. A child that dies (a crash
inside the reader) is an unreadable file (I-01), never a hang.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from . import limits

CHILD_FROM_BYTES = 512 * 1024  # below this a sheet converts in well under the 50 ms a read may wait
CHUNK_ROWS = 1_000  # ~300 KB pickled, unpickled in well under 10 ms


_child_allowed = True


def stay_in_process() -> None:
    """Read every workbook in this process: it is itself a child, already off the window's process."""
    global _child_allowed
    _child_allowed = False


class ReaderFailed(Exception):
    """calamine refused the file (damaged, password-protected, malformed) or its process died."""


def read_sheets(path: Path, *, child: bool | None = None) -> list[tuple[str, list[list], list[tuple]]]:
    """Each sheet's (name, rows, merges (r0, c0, r1, c1)); ``child`` None: by the file's size.
    Raises ``limits.Rejected`` (a sheet over the limits) or ``ReaderFailed``."""
    if child is None:
        child = _child_allowed and path.stat().st_size >= CHILD_FROM_BYTES
    if not child:
        return list(_sheets(str(path), path.name))
    return _in_child(path)


def _sheets(path: str, file: str):
    """(name, rows, merges) per sheet, each shape checked before it is converted."""
    from python_calamine import CalamineWorkbook

    wb = None
    try:
        wb = CalamineWorkbook.from_path(path)
        for name in wb.sheet_names:
            ws = wb.get_sheet_by_name(name)
            limits.check_shape(ws.total_height, ws.total_width, file=file, sheet=name)
            rows = ws.to_python(skip_empty_area=False)
            merges = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
            yield name, rows, merges
    except limits.Rejected:
        raise
    except Exception as e:  # calamine's own errors
        raise ReaderFailed(type(e).__name__) from None
    finally:
        if wb is not None:
            wb.close()


def _child_main(path: str, file: str, conn) -> None:
    """In the child: every sheet as ("sheet", name, merges), then ("rows", chunk)…; ("done",) at the end."""
    try:
        for name, rows, merges in _sheets(path, file):
            conn.send(("sheet", name, merges))
            for i in range(0, len(rows), CHUNK_ROWS):
                conn.send(("rows", rows[i:i + CHUNK_ROWS]))
            del rows
        conn.send(("done",))
    except limits.Rejected as e:  # sent as fields: the exception's keyword arguments do not pickle
        conn.send(("rejected", e.code, e.message, e.file, e.sheet))
    except ReaderFailed as e:
        conn.send(("failed", str(e)))
    finally:
        conn.close()


def _in_child(path: Path) -> list[tuple[str, list[list], list[tuple]]]:
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(str(path), path.name, sender), daemon=True)
    proc.start()
    sender.close()  # only the child writes: its end closing (or the child dying) ends recv with EOFError
    out: list[tuple[str, list[list], list[tuple]]] = []
    try:
        while True:
            try:
                msg = receiver.recv()
            except EOFError:
                raise ReaderFailed("读取进程意外退出") from None
            if msg[0] == "rows":
                out[-1][1].extend(msg[1])
            elif msg[0] == "sheet":
                out.append((msg[1], [], msg[2]))
            elif msg[0] == "done":
                return out
            elif msg[0] == "rejected":
                raise limits.Rejected(msg[1], msg[2], file=msg[3], sheet=msg[4])
            else:
                raise ReaderFailed(msg[1])
    finally:
        receiver.close()
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join()
