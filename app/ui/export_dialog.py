"""导出月报: choose the month, the unit and the folder, see what the package will hold, then export
off the GUI thread with a progress bar and 取消 (``app.ui.tasks.TaskRunner``). The export locks the
month (a final one) and is audited: it is the ``ExportPackage`` request on the window's write worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services import export as export_service
from app.services.errors import GuatuError, Refused
from app.services.operations import ExportPackage
from app.storage import Database
from app.ui.dialogs import Dialogs
from app.ui.tasks import Cancelled, Progress, TaskDialog, TaskHandle
from app.ui.widgets import (
    action_buttons,
    data_combo,
    esc,
    folder_chooser,
    month_combo,
    path_row,
    preview_label,
)


class ExportDialog(TaskDialog):
    def __init__(self, db: Database, month: str | None = None, parent: QWidget | None = None,
                 dialogs: Dialogs | None = None):
        super().__init__(db, parent, dialogs)
        self.open_folder = True  # show the package in the file manager when done (tests turn it off)
        self.setWindowTitle("导出月报")
        self.setMinimumWidth(560)
        with db.read_session() as s:
            c = export_service.choices(s)

        self.month = month_combo(c["periods"], month)
        self.unit = data_combo(((path, uid) for uid, path in c["units"]), c["unit_id"])
        self.folder = QLineEdit(c["export_dir"] or str(Path.home()))
        row, _browse = path_row(self.folder, folder_chooser(self, "选择输出文件夹"))
        self.recipient = data_combo([("上一级（按本单位自动）", ""), ("县扶贫办（全部附件和台账数据）", "county"),
                                     ("市扶贫办（附件1–3和5000元以下的附件4，其余本级留存）", "city")])
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("可不填；填写则身份证号和电话加密随包报送（至少8个字符，与上级商定）")
        self.draft = QCheckBox("导出草稿（有错误也可导出，文件名带“-草稿”，PDF 加“草稿”水印，不锁定月份）")
        self.contents = preview_label()

        form = QFormLayout()
        form.addRow("数据月份", self.month)
        form.addRow("填报单位", self.unit)
        form.addRow("报送对象", self.recipient)
        form.addRow("加密口令", self.passphrase)
        form.addRow("输出文件夹", row)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.draft)
        box.addWidget(self.contents)
        self.buttons, self.export_button = action_buttons(self, "导出", self.start)
        box.addWidget(self.buttons)
        for w in (self.month, self.unit, self.recipient):
            w.currentIndexChanged.connect(self.refresh)
        self.draft.toggled.connect(self.refresh)
        self.export_button.setEnabled(self.month.count() > 0 and self.unit.count() > 0)
        self.refresh()

    def refresh(self) -> None:
        """Show what the package will hold for the chosen month and unit."""
        if self.month.count() == 0 or self.unit.count() == 0:
            self.contents.setText("数据库中还没有可导出的月份或单位。")
            return
        try:
            with self.db.read_session() as s:
                p = export_service.preview(s, self.month.currentData(), self.unit.currentData(), self.draft.isChecked(),
                                           recipient=self.recipient.currentData() or None)
        except GuatuError as e:
            self.contents.setText(esc(e.message))
            return
        (ha, pa), (hb, pb) = p["band_a"], p["band_b"]
        files = "".join(f"<li>{esc(name)}</li>" for name in p["files"])
        kept = ("<p>本级留存（写在旁边的“-本级留存”文件夹，不报送）：</p><ul>"
                + "".join(f"<li>{esc(name)}</li>" for name in p["kept"]) + "</ul>") if p["kept"] else ""
        lock = ("" if self.draft.isChecked() else
                "<p>正式导出前会检查全部数据：有错误则不导出；导出成功后该月锁定（已报送），如需修改须重新打开。</p>")
        mail = f"邮件草稿收件人：{esc(p['mailbox'])}" if p["mailbox"] else "未设置上级邮箱（设置中填写），邮件草稿无收件人。"
        self.contents.setText(
            f"<p><b>{esc(p['name'])}</b><br>5000元以下：{ha}户{pa}人；5000–5760元：{hb}户{pb}人；资金项目{p['projects']}个。</p>"
            f"<p>报送{export_service.RECIPIENT_NAMES[p['recipient']]}：将生成文件夹及同名 zip，内含：</p><ul>{files}</ul>{kept}"
            f"<p>{mail}</p>{lock}"
        )

    def start(self) -> TaskHandle | None:
        folder = self.folder.text().strip()
        if not folder:
            self.dialogs.warn(self, "导出月报", "请选择输出文件夹。")
            return None
        month, unit, draft = self.month.currentData(), self.unit.currentData(), self.draft.isChecked()
        recipient = self.recipient.currentData() or None
        passphrase = self.passphrase.text() or None
        if passphrase is not None and len(passphrase) < 8:
            self.dialogs.warn(self, "导出月报", "加密口令至少8个字符。")
            return None

        def request(progress: Progress) -> ExportPackage:
            return ExportPackage(month, unit, folder, draft, recipient, passphrase, progress=progress.set,
                                 cancelled=lambda: progress.cancelled, cancel=progress.check)

        self.export_button.setEnabled(False)
        self.handle = self.runner.execute(request, title="导出月报", on_result=lambda out: self._done(out.value),
                                          on_error=self._failed)
        return self.handle

    def _done(self, result: dict[str, Any]) -> None:
        self.result = result
        self.export_button.setEnabled(True)
        kind = "草稿" if self.draft.isChecked() else "正式月报（该月已锁定）"
        kept = f"本级留存（不报送）：{result['kept']}\n" if result.get("kept") else ""
        mail = ("邮件草稿（.eml）在文件夹中，双击用邮件程序打开后发送。" if result.get("eml") else
                "附件超过邮箱上限，未写邮件草稿：请将压缩包单独报送。")
        self.dialogs.info(self, "导出月报", f"已导出{kind}：\n{result['folder']}\n压缩包：{result['zip']}\n{kept}{mail}")
        if self.open_folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(result["folder"]))
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        if isinstance(error, Cancelled | export_service.ExportCancelled):
            self.dialogs.info(self, "导出月报", "已取消，未写入任何文件。")
        elif isinstance(error, Refused):
            lines = [str(f) for f in error.findings[:20]]
            more = f"\n……共 {len(error.findings)} 处" if len(error.findings) > 20 else ""
            self.dialogs.error(self, "导出月报", error.message + ("\n\n" + "\n".join(lines) + more if lines else ""))
        elif isinstance(error, GuatuError):
            self.dialogs.error(self, "导出月报", error.message)
        elif isinstance(error, OSError):
            from app.services.faults import describe

            self.dialogs.error(self, "导出月报", f"写文件失败：{describe(error) or error}。未写入任何文件。")
        else:
            raise error


def open_dialog(parent: QWidget | None, db: Database, month: str | None) -> None:
    """Entry point of the main window's 文件 › 导出月报… (``MainWindow.open_tool``)."""
    ExportDialog(db, month, parent, getattr(parent, "dialogs", None)).exec()
