"""导入向导: choose files (and, for a package carrying 身份证号 and phones in its AES zip, the
passphrase the two offices agreed) → preview (per unit: added / changed / unchanged; findings; normalised
values) → confirm → one transaction, off the GUI thread (``app.ui.tasks.TaskRunner``). Services only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.services.errors import GuatuError, month_label
from app.storage import Database
from app.ui.tasks import TaskHandle, TaskRunner
from app.ui.widgets import plain_label

STATUS = {"added": "新增", "changed": "有变化", "unchanged": "无变化"}
KINDS = {"households": "台账（附件4）", "counts1": "附件1人数", "counts2": "附件2人数", "projects": "附件3项目"}
MAX_ROWS = 3000  # rows shown per table


def findings_summary(findings: list, blocking: int, *, total: int | None = None, errors: int | None = None) -> str:
    """The 问题 count as the 问题 tab lists it, split by level; says which of them stop the import.
    ``total``/``errors``: the counts when ``findings`` is only the first of them (a large preview)."""
    if errors is None:
        errors = sum(1 for f in findings if f.severity == "E")
    if total is None:
        total = len(findings)
    text = f"问题{total}个（错误{errors}个，提示{total - errors}个）"
    if errors and blocking < errors:
        text += f"，其中{blocking}个错误阻止导入" if blocking else "，数据包自带的错误不阻止导入"
    return text + "。"


def _table(headers: list[str], rows: list[list[Any]]) -> QTableWidget:
    t = QTableWidget(min(len(rows), MAX_ROWS), len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    for r, row in enumerate(rows[:MAX_ROWS]):
        for c, v in enumerate(row):
            t.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class FilesPage(QWizardPage):
    def __init__(self, month: str | None):
        super().__init__()
        self.setTitle("选择要导入的文件")
        self.setSubTitle("上月的数据包（文件夹或 .zip），或按官方表样填写的工作簿（附件1、附件2、附件3、附件4）。")
        self.files = QListWidget()
        add = QPushButton("添加文件…")
        add.clicked.connect(self._add_files)
        add_dir = QPushButton("添加数据包文件夹…")
        add_dir.clicked.connect(self._add_folder)
        remove = QPushButton("移除")
        remove.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        for b in (add, add_dir, remove):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.month = QLineEdit(month or "")
        self.month.setPlaceholderText("YYYY-MM，工作簿须指明；数据包自带月份")
        # 身份证号 and phones travel only in the package's AES zip (cli.md "Who receives what"): asked for
        # only when a chosen package holds one, checked before the preview.
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("两级扶贫办商定的口令；不填则保留本库已有的身份证号和电话")
        self.passphrase.textChanged.connect(lambda _t: self.passphrase_error.setText(""))
        self.passphrase_error = plain_label()
        self.passphrase_error.setWordWrap(True)
        self.passphrase_error.setStyleSheet("color:#c0392b;")
        form = QFormLayout()
        form.addRow("导入到月份：", self.month)
        form.addRow("身份证号与电话的口令：", self.passphrase)
        form.addRow("", self.passphrase_error)
        self.form = form
        lay = QVBoxLayout(self)
        lay.addWidget(self.files, 1)
        lay.addLayout(buttons)
        lay.addLayout(form)
        self._show_passphrase()

    def add_paths(self, paths: list[str]) -> None:
        have = {self.files.item(i).text() for i in range(self.files.count())}
        for p in paths:
            if p and p not in have:
                self.files.addItem(p)
        self._show_passphrase()
        self.completeChanged.emit()

    def encrypted(self) -> list[str]:
        """The chosen packages that carry 身份证号 and phones in an AES zip."""
        from app.importers.package import holds_identifiers

        return [p for p in self.paths() if holds_identifiers(p)]

    def _show_passphrase(self) -> None:
        shown = bool(self.encrypted())
        self.form.setRowVisible(self.passphrase, shown)
        self.form.setRowVisible(self.passphrase_error, shown)

    def passphrase_text(self) -> str | None:
        """The passphrase typed, for the packages that need one; None when none is needed or typed."""
        if not self.form.isRowVisible(self.passphrase):
            return None
        return self.passphrase.text() or None

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        """A passphrase that does not open a package's identifiers is said here, before any preview."""
        from app.importers.package import passphrase_problem

        text = self.passphrase_text()
        if text is None:
            return True
        if len(text) < 8:
            self.passphrase_error.setText("口令至少8个字符。请核对两级扶贫办商定的口令；不填口令则保留本库已有的身份证号和电话。")
            self.passphrase.setFocus()
            return False
        for path in self.encrypted():
            if passphrase_problem(path, text) is not None:
                name = Path(path).name
                self.passphrase_error.setText(
                    f"口令不对：打不开“{name}”中加密的身份证号与电话。请核对两级扶贫办商定的口令后重新输入；"
                    "不填口令则导入其他内容，保留本库已有的身份证号和电话。")
                self.passphrase.selectAll()
                self.passphrase.setFocus()
                return False
        return True

    def paths(self) -> list[str]:
        return [self.files.item(i).text() for i in range(self.files.count())]

    def period(self) -> str | None:
        """The month typed, for workbooks; packages carry their own (then the field is not used)."""
        from app.importers.package import is_package

        if all(is_package(p) for p in self.paths()):
            return None
        return self.month.text().strip() or None

    def _add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择文件", "", "工作簿或数据包 (*.xlsx *.zip);;所有文件 (*)")
        self.add_paths(paths)

    def _add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "选择数据包文件夹")
        self.add_paths([path] if path else [])

    def _remove(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self._show_passphrase()
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.files.count() > 0


class PreviewPage(QWizardPage):
    """Runs the preview in the background; shows units, findings and normalised values."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("预览：将要导入的内容")
        self.summary = plain_label("正在读取文件…")
        self.summary.setWordWrap(True)
        self.tabs = QTabWidget()
        self.replace = QCheckBox("本月已有数据的单位：确认用文件中的数据替换")
        self.replace.setVisible(False)
        self.replace.toggled.connect(self.completeChanged)
        self.setCommitPage(True)  # the next button imports; there is no going back after it
        self.setButtonText(QWizard.WizardButton.CommitButton, "导入")
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.replace)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.w.plan = None
        self.tabs.clear()
        self.replace.setChecked(False)
        self.replace.setVisible(False)
        self.summary.setText("正在读取并检查文件…")
        files, period = self.w.files_page.paths(), self.w.files_page.period()
        secret = self.w.files_page.passphrase_text()  # as typed, as the export dialog takes it
        from app.services import import_child
        from app.services.imports import preview_import

        if import_child.worth_a_child(files):  # read and checked in a child process: the window stays free
            db = self.w.db
            self.w.handle = self.w.runner.run(
                lambda p: import_child.preview_in_child(db, files, period, passphrase=secret, progress=p),
                title="读取文件", on_result=self.show_plan, on_error=self.show_error, with_session=False)
            return
        self.w.handle = self.w.runner.run(
            lambda s, _p: import_child.summarise(preview_import(s, files, period, passphrase=secret)),
            title="读取文件", on_result=self.show_plan, on_error=self.show_error)

    def show_error(self, error: BaseException) -> None:
        self.summary.setText(f"无法预览：{getattr(error, 'message', error)}")
        self.completeChanged.emit()

    def show_plan(self, plan) -> None:
        """``plan``: an ``import_child.PreviewSummary`` (what is shown, never the records)."""
        self.w.plan = plan
        a, c, u = plan.totals("added"), plan.totals("changed"), plan.totals("unchanged")
        e = plan.blocking_count
        lines = [
            f"{month_label(plan.period) if plan.period else ''}：新增{a['households']}户{a['persons']}人，"
            f"变化{c['households']}户{c['persons']}人，无变化{u['households']}户；规范化{plan.normalised_count}处；"
            + findings_summary(plan.findings, e, total=plan.finding_count, errors=plan.error_count)
        ]
        if e or plan.locked:
            lines.append("有错误，不能导入：请按“问题”页改正文件后重新导入。数据库不会有任何改动。")
        elif plan.needs_replace:
            lines.append(f"{len(plan.needs_replace)}个单位本月已有数据且与文件不同，请查看差异后确认替换。")
            self.replace.setVisible(True)
        self.summary.setText("\n".join(lines))
        units = [[u.unit, KINDS.get(u.kind, u.kind) + (f"（{u.band}档）" if u.band else ""), STATUS[u.status],
                  u.households.get("added", ""), u.households.get("changed", ""), u.households.get("unchanged", ""),
                  u.households.get("removed", ""), "；".join(u.differences[:20])] for u in plan.units]
        self.tabs.addTab(_table(["单位", "内容", "状态", "新增户", "变化户", "无变化户", "减少户", "差异"], units),
                         f"单位（{len(units)}）")
        sev = {"E": "错误", "W": "提示"}
        findings = [[f.code, sev.get(f.severity, f.severity), f.file, f.sheet, f.row, f.column, f.message]
                    for f in sorted(plan.findings, key=lambda f: f.severity != "E")]
        self.tabs.addTab(_table(["规则", "级别", "文件", "工作表", "行", "列", "说明"], findings),
                         f"问题（{plan.finding_count}）")
        norm = [[n["file"], n["sheet"], n["row"], n["column"], n["from"], n["to"]] for n in plan.normalised]
        self.tabs.addTab(_table(["文件", "工作表", "行", "列", "原值", "规范为"], norm),
                         f"规范化（{plan.normalised_count}）")
        if e:
            self.tabs.setCurrentIndex(1)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        plan = self.w.plan
        if plan is None or plan.errors or plan.locked:
            return False
        return not plan.needs_replace or self.replace.isChecked()


class DonePage(QWizardPage):
    """Writes in one transaction (again previewed inside it, so nothing changed in between)."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("导入")
        self.label = plain_label()
        self.label.setWordWrap(True)
        QVBoxLayout(self).addWidget(self.label)
        self.setFinalPage(True)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.w.result = None
        self.label.setText("正在导入…")
        files, period = self.w.files_page.paths(), self.w.files_page.period()
        secret = self.w.files_page.passphrase_text()  # as typed, as the export dialog takes it
        replace, before = self.w.preview_page.replace.isChecked(), self.w.before_write
        from app.services import import_child
        from app.services.imports import ImportFiles

        request = ImportFiles(tuple(str(f) for f in files), period, replace, secret or None, before)
        # the same operation as ``guatu import``, on the window's write worker (its own write transaction);
        # large files are read, checked and written by a child process under the worker's write lock
        child = import_child.worth_a_child(request.files)
        self.w.handle = self.w.runner.execute(
            lambda p: import_child.ImportInChild(request, p) if child else request, title="导入",
            on_result=lambda out: self.done(out.value[1]), on_error=self.failed)

    def done(self, result: dict) -> None:
        self.w.result = result
        a, c = result["added"], result["changed"]
        self.label.setText(f"导入完成（{month_label(result['period'])}）：新增{a['households']}户{a['persons']}人，"
                           f"替换变化{c['households']}户{c['persons']}人。")
        self.completeChanged.emit()

    def failed(self, error: BaseException) -> None:
        msg = error.message if isinstance(error, GuatuError) else f"{type(error).__name__}: {error}"
        self.label.setText(f"导入未完成，数据库没有任何改动。\n{msg}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.w.handle is None or self.w.handle.done


class ImportWizard(QWizard):
    def __init__(self, db: Database, month: str | None = None, parent: QWidget | None = None,
                 before_write: Callable | None = None):
        super().__init__(parent)
        self.db = db
        if before_write is None:  # as the CLI: a consistent backup just before the first write
            def before_write(_plan, db=db):
                from app.services.backup import backup_before

                return backup_before(db, "import")
        self.before_write = before_write
        self.runner = TaskRunner(db, self)
        self.handle: TaskHandle | None = None
        self.plan = None
        self.result: dict | None = None
        self.setWindowTitle("导入数据")
        self.setMinimumSize(900, 600)
        self.files_page = FilesPage(month)
        self.preview_page = PreviewPage(self)
        self.done_page = DonePage(self)
        for page in (self.files_page, self.preview_page, self.done_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")


def open_dialog(parent: QWidget | None, db: Database, month: str | None) -> None:
    from app.services.backup import backup_before

    ImportWizard(db, month, parent, before_write=lambda _plan: backup_before(db, "import")).exec()


__all__ = ["ImportWizard", "open_dialog"]
