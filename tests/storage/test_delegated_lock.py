"""The write lock lent to a child process: only the holder's own child, only while it is held."""

from __future__ import annotations

import os

import pytest

from app.storage import Database, DatabaseInUse, DelegatedLock, WriteLock


def test_a_lent_lock_is_refused_outside_the_holders_child(db):
    token = db.lock.delegate()
    assert token.holder_pid == os.getpid()
    with pytest.raises(DatabaseInUse):
        Database(db.path, lock=token)  # this process is the holder, not its child


def test_a_lent_lock_nobody_holds_is_refused(db_path):
    lock = WriteLock(db_path)
    with pytest.raises(Exception, match="写入锁"):
        lock.delegate()  # not held: nothing to lend
    token = DelegatedLock(db_path, lock.path, os.getppid())  # as if lent by our parent, which holds nothing
    with pytest.raises(DatabaseInUse, match="已经退出"):
        Database(db_path, lock=token)
