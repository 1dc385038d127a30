"""The steps of ``guatu selftest`` (no Qt import until the Qt step): each step reports what it did
or raises ``SelftestFailed`` naming the step."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

Report = Callable[[str, str], None]


class SelftestFailed(Exception):
    def __init__(self, step: str, detail: str):
        super().__init__(f"{step}: {detail}")
        self.step, self.detail = step, detail


class _Step:
    def __init__(self, name: str):
        self.name = name

    def __enter__(self) -> _Step:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or isinstance(exc, SelftestFailed):
            return False
        from app.logging_setup import log_exception

        log_exception(exc)
        raise SelftestFailed(self.name, f"{type(exc).__name__}: {exc}") from exc


def run_selftest(folder: Path, *, persons: int = 120, report: Report) -> dict:
    """Build, check, export and render in ``folder``; returns the export result."""
    from app import __version__

    with _Step("环境"):
        from app.startup import check_xml_defences

        check_xml_defences()
        frozen = "打包版" if getattr(sys, "frozen", False) else "源码版"
        report("环境", f"guatu {__version__}（{frozen}），Python {sys.version.split()[0]}，SQLite {sqlite3.sqlite_version}，defusedxml 已启用")

    db_path = folder / "selftest.db"
    with _Step("演示数据库"):
        from app.services.demo import generate
        from app.storage import Database

        db_path.unlink(missing_ok=True)
        with Database(db_path, create=True) as db:
            summary = generate(db, persons=persons, seed=1)
        report("演示数据库", f"{db_path.name}，{_summary_text(summary)}")

    with _Step("备份"):
        from app.services.backup import check_file, copy_database

        copy = copy_database(db_path, folder / "selftest-backup.db")
        if check_file(copy, full=True) != "ok":
            raise SelftestFailed("备份", "备份文件未通过完整性检查")
        report("备份", f"{copy.name}，完整性检查通过")

    with Database(db_path) as db:
        with _Step("检查"), db.session() as s:
            from app.services.checks import check_period
            from app.services.periods import latest_period

            period = latest_period(s)
            findings = check_period(s, period)
            errors = sum(f.severity == "E" for f in findings)
            report("检查", f"{period.month}：{errors} 个错误，{len(findings) - errors} 个提示")

        with _Step("导出草稿"):
            from app.services.export import export_package

            with db.session() as s:
                unit = _export_unit(s)
            result = export_package(db, period.month, unit, folder / "out", draft=True)
            files = result["files"]
            report("导出草稿", f"{Path(result['folder']).name}，{len(files)} 个文件")

    with _Step("PDF"):
        pdfs = sorted(Path(result["folder"]).glob("*.pdf"))
        if not pdfs:
            raise SelftestFailed("PDF", "导出结果中没有 PDF 文件")
        report("PDF", render_first_page(pdfs[0], folder))

    with _Step("Qt"):
        report("Qt", qt_render_check(folder))
    return result


def _summary_text(summary: dict) -> str:
    parts = [f"{k}={v}" for k, v in summary.items() if isinstance(v, int | str)]
    return "，".join(parts[:6])


def _export_unit(session) -> str | None:
    """The office's own unit (None lets export use it), else the first county of the register."""
    from app.services.units import default_unit, root_units

    if default_unit(session) is not None:
        return None
    roots = root_units(session)
    if not roots:
        raise SelftestFailed("导出草稿", "演示数据库中没有单位")
    return roots[0].name


def render_first_page(pdf: Path, folder: Path) -> str:
    """Page 1 to PNG with pdftoppm where it exists; else (Windows) its text extracted with pypdf,
    which proves the embedded fonts map back to the Chinese text."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    text = reader.pages[0].extract_text() or ""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        raise SelftestFailed("PDF", f"{pdf.name} 第1页提取不到中文文字")
    tool = shutil.which("pdftoppm")
    if tool:
        prefix = folder / "page"
        subprocess.run([tool, "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True,
                       capture_output=True, timeout=120)
        pngs = sorted(folder.glob("page*.png"))
        if not pngs or pngs[0].stat().st_size < 1000:
            raise SelftestFailed("PDF", "pdftoppm 没有生成页面图像")
        return f"{pdf.name}：{len(reader.pages)} 页，第1页已渲染为 {pngs[0].name}（{pngs[0].stat().st_size} 字节）"
    return f"{pdf.name}：{len(reader.pages)} 页，第1页文字提取正常（{len(text)} 字；未找到 pdftoppm，未渲染图像）"


def qt_render_check(folder: Path) -> str:
    """The Qt platform plugin loads and the shipped fonts draw Chinese (non-blank pixels)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from app import fonts
    from app.resources import resource

    # a QApplication (not only QGuiApplication): widgets may follow in the same process (tests, GUI)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    families = []
    for _n, file, _family in fonts.FACES[:1]:
        fid = QFontDatabase.addApplicationFont(str(resource("fonts", file)))
        if fid < 0:
            raise SelftestFailed("Qt", f"字体 {file} 无法载入")
        families += QFontDatabase.applicationFontFamilies(fid)
    image = QImage(240, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont()
    font.setFamilies(families)
    font.setPixelSize(32)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, "挂图作战")
    painter.end()
    dark = sum(1 for x in range(0, 240, 2) for y in range(0, 60, 2) if image.pixelColor(x, y).lightness() < 128)
    if dark < 20:
        raise SelftestFailed("Qt", "中文没有画出来")
    out = folder / "qt-text.png"
    image.save(str(out))
    return f"平台插件 {app.platformName()}，字体 {families[0]} 画出中文（{dark} 个深色采样点）"
