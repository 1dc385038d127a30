"""Opening a register reads the revisions without alembic; they must be alembic's own."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from app import migrations


def test_revisions_read_from_the_files_are_alembics():
    script = ScriptDirectory.from_config(migrations._config())
    assert migrations.head_revision() == script.get_current_head()
    ours = migrations._revisions()
    assert set(ours) == {r.revision for r in script.walk_revisions()}
    for r in script.walk_revisions():
        down = r.down_revision
        assert ours[r.revision] == (() if down is None else (down,) if isinstance(down, str) else tuple(down))
    assert not migrations.is_known("9999_from_a_newer_guatu")
