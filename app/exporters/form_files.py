"""A list in the official-form style (名单, 监测户名单 …) written as Excel and/or PDF from one table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.forms.table import FormTable

from .pdf.forms import write_form_pdf
from .xlsx import write_xlsx


def write_form_files(t: FormTable, xlsx: Path | None, pdf: Path | None) -> list[Path]:
    """Write ``t`` to ``xlsx`` and/or ``pdf``; returns the files written."""
    out = []
    if xlsx is not None:
        write_xlsx(t, xlsx)
        out.append(Path(xlsx))
    if pdf is not None:
        write_form_pdf(t, pdf, exported_at=dt.datetime.now())
        out.append(Path(pdf))
    return out
