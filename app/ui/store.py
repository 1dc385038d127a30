"""The window's one door to the data: every read and edit opens its own session and calls a service.

Views and undo commands hold plain values (ids, uuids, rows) and ask the store; nothing here runs
SQL itself. A read is a deferred read session (``db.read_session()``: never waits behind a write in
progress); a change is a typed request (``write``), run on the window's write worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.rules.findings import Finding
from app.services import browse, concurrency, register
from app.services import search as search_service
from app.services.errors import Refused
from app.services.operations import AddFindingNote, Outcome, ReopenPeriod, UpdateOffice, execute
from app.storage import Database

if TYPE_CHECKING:
    from app.ui.writer import WriteWorker


class ReadOnly(Refused):
    pass


class Store:
    def __init__(self, database: Database, read_only: bool = False):
        self.db = database
        self.read_only = read_only or not database.write
        self.period: browse.PeriodInfo | None = None
        self._paths: dict[int, str] | None = None
        self.worker: WriteWorker | None = None  # the window's write worker, once it has one

    # -- other registers' changes ----------------------------------------------------------------
    def change_cursor(self) -> concurrency.Cursor:
        """The end of the change sequence now: what other registers change from here on is followed."""
        with self.db.read_session() as s:
            return concurrency.start(s)

    @property
    def via(self) -> str:
        """This window's register token: its own writes are left out of what it repaints."""
        return concurrency.via_of(self.db)

    def poll_changes(self, cursor: concurrency.Cursor) -> concurrency.Remote | None:
        """What other registers changed since ``cursor`` (this window's own writes left out)."""
        with self.db.read_session() as s:
            return self.poll_in(s, cursor, self.via)

    @staticmethod
    def poll_in(session, cursor: concurrency.Cursor, via: str) -> concurrency.Remote | None:
        """``poll_changes`` in a read session of a background task."""
        return concurrency.poll(session, cursor, via)

    # -- periods and units ---------------------------------------------------------------------
    def periods(self) -> list[browse.PeriodInfo]:
        with self.db.read_session() as s:
            return browse.list_periods(s)

    def set_period(self, period: browse.PeriodInfo | None) -> None:
        self.period = period

    @property
    def period_id(self) -> int:
        if self.period is None:
            raise Refused("数据库中还没有任何月份，请先导入或新建月份。")
        return self.period.id

    @property
    def locked(self) -> bool:
        return self.period is not None and self.period.state == "locked"

    @property
    def editable(self) -> bool:
        return not self.read_only and self.period is not None and not self.locked

    def paths(self) -> dict[int, str]:
        if self._paths is None:
            with self.db.read_session() as s:
                self._paths = browse.unit_paths(s)
        return self._paths

    def tree(self) -> list[browse.UnitNode]:
        if self.period is None:
            return []
        with self.db.read_session() as s:
            return browse.unit_tree(s, self.period.id)

    # -- rows ----------------------------------------------------------------------------------
    def household_ids(self, village_ids: list[int], risky_only: bool = False) -> list[int]:
        if self.period is None:
            return []
        with self.db.read_session() as s:
            return browse.household_ids(s, self.period.id, village_ids, risky_only)

    def household_rows(self, ids: list[int]) -> dict[int, browse.HouseholdRow]:
        with self.db.read_session() as s:
            return browse.household_rows(s, ids, self.paths())

    def household_detail(self, household_id: int) -> browse.HouseholdDetail | None:
        with self.db.read_session() as s:
            return browse.household_detail(s, household_id, self.paths())

    def member_ids(self, household_id: int) -> list[int]:
        with self.db.read_session() as s:
            return browse.member_ids(s, household_id)

    def person_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        with self.db.read_session() as s:
            return browse.person_rows(s, ids)

    def search(self, text: str) -> list[search_service.Hit]:
        if self.period is None:
            return []
        with self.db.read_session() as s:
            return search_service.search(s, self.period.id, text)

    def household_id(self, uuid: str) -> int | None:
        with self.db.read_session() as s:
            return register.household_id_for(s, self.period_id, uuid)

    def person_place(self, person_uuid: str) -> tuple[int, int, int] | None:
        with self.db.read_session() as s:
            return browse.person_place(s, self.period_id, person_uuid)

    def person_id(self, household_id: int, uuid: str) -> int | None:
        with self.db.read_session() as s:
            return register.person_id_for(s, household_id, uuid)

    # -- edits ---------------------------------------------------------------------------------
    def write(self, request: Any) -> Outcome:
        """One user action as a typed request: on the window's write worker when it has one (after
        the edits queued before it), else in one write transaction here; its outcome, or its
        typed error raised."""
        if self.read_only:
            raise ReadOnly("本窗口以只读方式打开，不能修改。")
        if self.worker is not None and not self.worker.closed:
            return self.worker.call(request)
        return execute(self.db, request)

    def reopen_month(self, reason: str) -> browse.PeriodInfo:
        """重新打开本月: the same audited service as ``guatu reopen``; the month as it now stands."""
        month = self.period.month if self.period else None
        if month is None:
            raise Refused("数据库中还没有任何月份。")
        self.write(ReopenPeriod(month, reason))
        return next(p for p in self.periods() if p.month == month)

    # -- checks --------------------------------------------------------------------------------
    def check_household(self, household_id: int) -> list[Finding]:
        from app.services import checks

        with self.db.read_session() as s:
            return list(checks.check_household_id(s, household_id))

    @staticmethod
    def warm_search_in(session, period_id: int) -> None:
        """Build the month's pinyin-initials index ahead of the first search (background task)."""
        search_service.warm(session, period_id)

    @staticmethod
    def check_period_in(session, month: str) -> list[Finding]:
        """The whole month's findings and the D-rules of its year's ledgers as of today (background
        task: runs in the worker's own session)."""
        import datetime as dt

        from app.services import checks

        return list(checks.check_period(session, month, today=dt.date.today()))

    def suggested_note(self, finding: Finding) -> str | None:
        """The 核实说明 offered before one is typed (an M-07 total change: the month's 动态调整)."""
        from app.services import adjustments

        with self.db.read_session() as s:
            return adjustments.suggested_note(s, self.period.month if self.period else None, finding)

    def add_note(self, finding: Finding, note: str) -> None:
        """A warning's 核实说明 kept, signed with the office's filler."""
        self.write(AddFindingNote(self.period.month if self.period else None, finding, note,
                                  self.office().get("preparer")))

    # -- settings ------------------------------------------------------------------------------
    def office(self) -> dict[str, Any]:
        from app.services.office import read_office

        with self.db.read_session() as s:
            o = read_office(s)
            return {k: getattr(o, k) for k in ("unit_id", "preparer", "preparer_phone", "upper_mailbox",
                                               "mailbox", "export_dir")}

    def update_office(self, **values: Any) -> dict[str, tuple]:
        return self.write(UpdateOffice(values)).value
