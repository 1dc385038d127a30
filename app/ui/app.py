"""Application set-up: shipped fonts, the global error hook, opening the register, the main loop."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from app import fonts
from app.resources import resource
from app.storage import Database, DatabaseInUse, StorageError
from app.ui.dialogs import Dialogs

log = logging.getLogger("guatu.ui")
_fonts_done = False
_translators: list[QTranslator] = []  # kept alive: Qt holds only a pointer
QT_CATALOGUES = ("qtbase_zh_CN",)


def translation_dirs() -> list[Path]:
    """Where Qt's own .qm catalogues are: PySide6's folder, then the copy the installer ships."""
    return [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), resource("translations")]


def install_qt_translations(app: QApplication) -> list[str]:
    """Qt's own texts (OK/Cancel/Yes/No of message boxes and button boxes, context menus of line
    edits) in Chinese, from the catalogues PySide6 ships; returns the catalogues loaded."""
    if _translators:
        return [t.filePath() for t in _translators]
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    loaded = []
    for name in QT_CATALOGUES:
        for folder in translation_dirs():
            translator = QTranslator(app)
            if (folder / f"{name}.qm").exists() and translator.load(name, str(folder)):
                app.installTranslator(translator)
                _translators.append(translator)
                loaded.append(translator.filePath())
                break
        else:
            log.warning("Qt translations %s not found in %s", name, translation_dirs())
    return loaded


def register_fonts() -> list[str]:
    """Add the shipped faces to Qt so Chinese renders the same on every machine (never boxes)."""
    global _fonts_done
    families: list[str] = []
    if not _fonts_done:
        for _name, file, _family in fonts.FACES:
            fid = QFontDatabase.addApplicationFont(str(resource("fonts", file)))
            if fid < 0:
                log.warning("font %s could not be loaded", file)
            else:
                families += QFontDatabase.applicationFontFamilies(fid)
        _fonts_done = True
    return families


def app_font(size: float = 10.5) -> QFont:
    font = QFont()
    font.setFamilies(["Microsoft YaHei", *fonts.qt_families()])
    font.setPointSizeF(size)
    return font


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused when one exists, as under pytest-qt), with fonts and names."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("guatu")
    app.setApplicationDisplayName("挂图作战")
    app.setOrganizationName("guatu")
    install_qt_translations(app)
    register_fonts()
    app.setFont(app_font())
    try:
        import qtawesome as qta

        app.setWindowIcon(qta.icon("fa5s.map-marked-alt", color="#b22222"))
    except Exception:  # icons are decoration; never block start-up for them
        app.setWindowIcon(QIcon())
    return app


def install_excepthook(dialogs: Dialogs) -> None:
    """Unexpected errors: logged in full, one dialog naming the log file (Anki's errors.py)."""
    from app.logging_setup import log_exception

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        exc.__traceback__ = tb
        from app.logging_setup import mask_text

        where = log_exception(exc)
        first = (str(exc).strip().splitlines() or [""])[0]  # no SQL text; 身份证号 and phones masked
        dialogs.error(QApplication.activeWindow(), "程序内部错误",
                      f"出现了意外错误：{exc_type.__name__}: {mask_text(first)}\n\n已记录到日志：{where}\n"
                      "刚才的修改如已提示保存则不会丢失；请把日志文件发给技术支持。")

    sys.excepthook = hook


def open_database(path: Path, dialogs: Dialogs, parent=None) -> tuple[Database, bool] | None:
    """The register for writing; when another copy holds it, say so and offer read-only.

    Returns (database, read_only) or None when the user chose not to open it.
    """
    opened = _open(path, dialogs, parent)
    return None if isinstance(opened, int) else opened


def _open(path: Path | str, dialogs: Dialogs, parent=None) -> tuple[Database, bool] | int:
    """``open_database`` with the exit code when nothing was opened: 3 in use (or the clerk quit),
    2 a file that cannot be used (damaged, foreign, too new; the dialog said which). ``path`` a
    server URL (str): many clerks write at once, there is no "in use"."""
    try:
        if isinstance(path, str):
            return Database(path), False
        return Database(path, create=not path.exists() or path.stat().st_size == 0), False
    except DatabaseInUse as e:
        answer = dialogs.choose(parent, "数据库正在使用", f"{e}\n\n本窗口不能修改数据。可以只读打开查看，或退出。",
                                ["只读打开", "退出"])
        if answer != 0:
            return 3
        try:
            return Database(path, write=False), True
        except StorageError as e2:
            dialogs.error(parent, "无法打开数据库", str(e2))
            return 2
    except StorageError as e:
        dialogs.error(parent, "无法打开数据库", str(e))
        return 2


def run(db_path: Path | str, screenshot: Path | None = None) -> int:
    """``guatu gui``: the main window on ``db_path``; with ``screenshot``, render a PNG and exit.
    ``db_path`` a server URL (str): no start-up check or laptop backups (the server backs itself up)."""
    from app.logging_setup import setup_logging
    from app.ui.dialogs import RecordingDialogs
    from app.ui.main_window import MainWindow

    setup_logging()
    app = create_application()
    dialogs: Dialogs = RecordingDialogs(choice=0) if screenshot else Dialogs()
    install_excepthook(dialogs)
    server = isinstance(db_path, str)
    if not server and not screenshot and Path(db_path).exists():
        from app.ui.backup_dialog import start_up

        if not start_up(Path(db_path), dialogs):  # a damaged register: restored, or the clerk quit
            return 2
    opened = _open(db_path if server else Path(db_path), dialogs)
    if isinstance(opened, int):
        return opened
    database, read_only = opened
    if not read_only and not screenshot:
        from app.services.export import clean_stale_exports

        try:
            clean_stale_exports(database)  # staging left by a killed export (logged)
        except OSError as e:  # housekeeping: never a reason not to start
            log.warning("cleaning the export folder failed: %s", e)
    window = MainWindow(database, read_only=read_only, dialogs=dialogs)
    try:
        if screenshot:
            return _screenshot(app, window, Path(screenshot))
        if not read_only and not server:
            from app.ui.backup_dialog import start_daily_backups

            start_daily_backups(window, Path(db_path))
        window.remember_layout = True
        if window.layout_memory.restore_geometry():
            window.show()
        else:  # the first start: the whole screen
            window.showMaximized()
        app.processEvents()
        window.fit_screen()
        window.restore_last()
        # A check or an import freezes what was alive when it ended (services.checks.gc_paused); once a
        # minute it is thawed, so cycles that became garbage since are collected as usual.
        thaw = QTimer(window)
        thaw.timeout.connect(gc.unfreeze)
        thaw.start(60_000)
        return app.exec()
    finally:
        window.close()
        window.store.db.close()  # the window may have reopened it after a restore


def _screenshot(app: QApplication, window, out: Path) -> int:
    window.resize(1500, 920)
    window.show()
    window.select_first_village()
    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(out))
    return 0 if ok else 1
