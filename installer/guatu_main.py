"""Entry point of the frozen app (PyInstaller): the same ``guatu`` command line as ``python -m app``.

``guatu.exe`` is a window program: Windows gives it no stdout/stderr (None), so they go to the
null device (errors are in the log file). ``guatu-cli.exe`` writes UTF-8 when its output is
redirected, as cli.md promises for ``--json``, whatever the console's code page.
"""

import multiprocessing
import os
import sys


def _streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives with the process
        elif not stream.isatty() and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


if __name__ == "__main__":
    multiprocessing.freeze_support()
    _streams()
    from app.cli import main

    sys.exit(main())
