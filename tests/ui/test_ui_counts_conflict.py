"""A count typed by hand in a row another clerk typed meanwhile: named, then re-applied or dropped."""

from __future__ import annotations

import datetime as dt
import sqlite3

from _counts_register import build
from test_ui_counts import _index

from app.services.units import find_unit
from app.ui.dialogs import RecordingDialogs


def _other_clerk_types(path, value: int) -> None:
    con = sqlite3.connect(path, timeout=10)
    with con:
        con.execute("UPDATE hand_counts SET education = ?, version = version + 1, changed_by = '李四', "
                    "changed_at = ?, changed_via = 'another-laptop'", (value, dt.datetime.now()))
    con.close()


def test_a_stale_typed_count_is_named_and_reapplied_or_dropped(db, db_path, qtbot):
    from app.ui.counts_view import CountsView

    build(db)
    with db.session() as s:
        county = find_unit(s, "康平县").id
    for answer, typed, expect in ((True, "5", "5"), (False, "6", "8")):
        dialogs = RecordingDialogs(confirm=answer)
        view = CountsView(db, "2020-03", county, dialogs=dialogs)
        qtbot.addWidget(view)
        m = view.model
        if answer:
            assert m.setData(_index(view, 6, "education"), "4")  # 手填村's row now exists (version 1)
            view.reload()
        _other_clerk_types(db_path, 7 if answer else 8)  # while the view shows what it read
        m.setData(_index(view, 6, "education"), typed)
        assert [k for k, _t, _m in dialogs.shown] == ["stale"] and "已被 李四 于" in dialogs.shown[0][2]
        assert _index(view, 6, "education").data().startswith(expect)
        view.close()
