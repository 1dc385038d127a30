"""Export the month package of a unit (cli.md "The month package"; issue: what goes upward every month).

Without ``draft``: open E findings refuse (``Refused`` with the findings, nothing written); success
locks the month and audits the export. With ``draft``: names end in ``-草稿`` and PDFs carry the
watermark.

Publish after commit: the folder and its zip are written into hidden staging names; the month's
lock and the audit row are flushed in the export's transaction; only when that transaction has
committed are folder and zip renamed into place (a rolled-back one discards them). A process killed
at any point therefore leaves either no package and an open month, or a locked month (with or
without its package) — never a final package for a month still open. What a killed run left in
the output folder is removed at the start of the next export there.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app import __version__
from app.exporters import package as pkg
from app.exporters.register_json import write_identifiers, write_register_json
from app.exporters.xlsx import write_xlsx
from app.forms.layouts import LAYOUTS
from app.kernel.month import Month
from app.models import Office, Period, Unit
from app.models.units import full_path
from app.rules.findings import Finding
from app.services.backup import backup_before

from . import audit
from .errors import GuatuError, Refused, UsageError
from .periods import lock_period
from .units import default_unit, period_and_unit

Progress = Callable[[int, int, str], None]


class ExportCancelled(InterruptedError):
    """The clerk cancelled; nothing was written and the month was not locked."""


class PackageNotPlaced(GuatuError):
    """The month's lock is committed but the package could not be renamed into place (an old
    package's file held open by another program, say): exporting again puts it there."""


def period_findings(session: Session, period: Period, unit: Unit) -> list[Finding]:
    """Every finding of the unit for the period (``checks.check_period``)."""
    from app.services.checks import check_period

    return list(check_period(session, period, unit))


def require_preparer(session: Session) -> None:
    """forms.md §0: a final export needs 填报人 and 联系电话 in the header block (refused like an E)."""
    office = session.get(Office, 1)
    missing = [label for label, value in (("填报人", office.preparer if office else None),
                                          ("联系电话", office.preparer_phone if office else None))
               if not (value or "").strip()]
    if missing:
        raise Refused(f"{'和'.join(missing)}未填写，不能导出正式月报；请在“设置”中填写后再导出"
                      "（或先导出草稿核对）。")


def choices(session: Session) -> dict[str, Any]:
    """What the export dialog offers: months (newest first), units above village level, defaults."""
    from sqlalchemy import select

    periods = [(p.month, p.state) for p in session.scalars(select(Period).order_by(Period.month.desc()))]
    units = [u for u in session.scalars(select(Unit).where(Unit.level != "village").order_by(Unit.id))]
    labels = sorted(((u.id, full_path(u)) for u in units), key=lambda x: x[1])
    office = session.get(Office, 1)
    own = default_unit(session)
    return {
        "periods": periods,
        "units": labels,
        "unit_id": own.id if own is not None else (labels[0][0] if labels else None),
        "export_dir": (office.export_dir if office else None) or "",
    }


def clean_stale_exports(db: Any) -> list[Path]:
    """At start: remove what killed exports left in the office's export folder (logged)."""
    with db.session() as session:
        office = session.get(Office, 1)
        folder = (office.export_dir if office else None) or ""
    if not folder or not Path(folder).is_dir():
        return []
    return pkg.clean_stale(Path(folder))


def preview(session: Session, period: Period | str | None, unit: Unit | str | int | None,
            draft: bool = False, recipient: str | None = None) -> dict[str, Any]:
    """What a package will hold, without writing or checking: names and row counts, cheap SQL only."""
    from sqlalchemy import func, select

    from app.models import FundProject, Household, Person
    from app.models.units import villages_under

    per, u = period_and_unit(session, period, unit)
    villages = [v.id for v in villages_under(session, u)]
    sizes = {"A": (0, 0), "B": (0, 0)}
    if villages:
        q = (select(Household.band, func.count(func.distinct(Household.id)), func.count(Person.id))
             .join(Person, Person.household_id == Household.id, isouter=True)
             .where(Household.period_id == per.id, Household.village_id.in_(villages))
             .group_by(Household.band))
        for band, hh, persons in session.execute(q):
            sizes[band] = (hh, persons)
    townships = [x.id for x in ([u] if u.level == "township" else u.children if u.level == "county" else [])]
    projects = session.scalar(select(func.count(FundProject.id)).where(
        FundProject.period_id == per.id, FundProject.township_id.in_(townships))) if townships else 0
    office = session.get(Office, 1)
    recipient = recipient or default_recipient(u)
    where = destinations(recipient)
    files = [lay.file_name(ext, draft) for lay in LAYOUTS.values() for ext in ("xlsx", "pdf") if where[lay.key] == "send"]
    kept = [lay.file_name(ext, draft) for lay in LAYOUTS.values() for ext in ("xlsx", "pdf") if where[lay.key] == "keep"]
    registers = [pkg.REGISTER] if where["register"] == "send" else []
    if where["register"] == "keep":
        kept.append(pkg.REGISTER)
    name = pkg.package_name(u.name, per.month, draft)
    return {
        "name": name, "period": per.month, "locked": per.locked, "unit": full_path(u),
        "band_a": sizes["A"], "band_b": sizes["B"], "projects": projects or 0,
        "recipient": recipient, "kept": kept,
        "files": [*files, *registers, pkg.MANIFEST, f"{name}.eml"],
        "mailbox": (office.upper_mailbox if office else None) or "",
    }


def export_package(
    db_or_session: Any,
    period: Period | str | None,
    unit: Unit | str | None,
    out_dir: str | os.PathLike,
    draft: bool = False,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    *,
    filed_on: dt.date | None = None,
    recipient: str | None = None,
    passphrase: str | None = None,
    ledgers: bool = False,
) -> dict[str, Any]:
    """Write the package; returns ``{"folder", "zip", "files": [{"name","sha256","rows"}], "findings": [...]}``
    (and ``"kept"``: the folder of what this office keeps, when the package leaves something behind).

    ``recipient``: "county" or "city" (default: the level above the unit, ``default_recipient``);
    ``passphrase``: the personal identifiers travel in an AES-256 zip with it, else they are left out.

    ``db_or_session``: a ``Database`` (one transaction is opened and committed here) or a
    ``Session`` (the caller commits; the lock is part of its transaction, and the package appears
    in ``folder`` when that commit succeeds — a rollback discards it). ``ledgers``: the year's
    lists, problems ledger and 挂牌督战表 go in too (supervision.md §5), listed in the manifest.
    """
    args = (period, unit, Path(out_dir), draft, progress, cancel, filed_on, recipient, passphrase, ledgers)
    if isinstance(db_or_session, Session):
        return _export(db_or_session, *args)
    with db_or_session.session() as session:
        return _export(session, *args)


def _publish_on_commit(session: Session, staging: pkg.Staging, final_dir: Path, final_zip: Path, month: str,
                       final: bool, kept: tuple[Path, Path] | None = None) -> None:
    """Rename the staged package into place once ``session``'s transaction commits; discard it when
    the transaction ends any other way."""
    state = {"done": False, "ended": False}  # listeners stay (no removal while dispatching): one-shot by state

    def committed(_session: Session) -> None:
        if state["done"] or state["ended"]:
            return
        state["done"] = True
        try:
            staging.publish(final_dir, final_zip)
            if kept is not None:
                pkg.publish(*kept)  # what this office keeps, beside the package
        except BaseException as e:
            staging.discard()  # the month is locked; the clerk can export again (same name)
            if kept is not None:
                pkg.discard(kept[0])
            if not isinstance(e, OSError):
                raise
            from .faults import describe

            raise PackageNotPlaced(
                f"{Month.parse(month).short}的{'正式月报已记录、该月已锁定' if final else '草稿导出已记录'}，"
                f"但月报没能放到“{final_dir.parent}”：{describe(e) or e}。"
                "请关闭正在使用旧月报文件的程序后再导出一次（已锁定的月份可以重新导出正式月报）。"
            ) from None

    def ended(_session: Session, transaction) -> None:
        if transaction.parent is not None or state["ended"]:
            return
        state["ended"] = True
        if not state["done"]:
            staging.discard()
            if kept is not None:
                pkg.discard(kept[0])

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_transaction_end", ended)


RECIPIENTS = ("county", "city")
RECIPIENT_NAMES = {"county": "县扶贫办", "city": "市扶贫办"}


def default_recipient(unit: Unit) -> str:
    """The level above the exporting unit: a county reports to the city, a township (or village) to its county."""
    return "city" if unit.level == "county" else "county"


def destinations(recipient: str) -> dict[str, str]:
    """cli.md "Who receives what": each form's key (and ``register``) → "send" or "keep".

    A county sends the city 附件1–3 and band-A 附件4; the band-B detail ("由县级自行汇总备查") and the
    full register stay in the kept folder beside the package. A township sends its county everything."""
    if recipient not in RECIPIENTS:
        raise UsageError(f"报送对象应为 county（县）或 city（市），而不是“{recipient}”。")
    if recipient == "city":
        return {"1": "send", "2": "send", "3": "send", "4": "send", "4B": "keep", "register": "keep"}
    return {"1": "send", "2": "send", "3": "send", "4": "send", "4B": "send", "register": "send"}


def _fit_mail(staging: Path, kept_staging: Path | None, listed: list[tuple[str, int]], kept: list[tuple[str, int]],
              progress: Progress | None, step: int, steps: int) -> list[str]:
    """When the mail would pass the mailbox limit and the office keeps a folder (a county's package
    to the city), the band-A 附件4's PDF — hundreds of pages, printed at home, never consolidated —
    moves to the kept folder; the city consolidates from its Excel. Said before the mail is
    written; returns what moved."""
    if kept_staging is None:
        return []
    if pkg.eml_size(staging, [n for n, _ in listed]) + 4096 <= pkg.MAIL_LIMIT:  # + the manifest
        return []
    moved = []
    for name, rows in list(listed):
        if name.startswith(LAYOUTS["4"].file_stem) and name.endswith(".pdf"):
            os.replace(staging / name, kept_staging / name)
            listed.remove((name, rows))
            kept.append((name, rows))
            moved.append(name)
    if moved and progress is not None:
        progress(step, steps, f"邮件附件超过{pkg.MAIL_LIMIT // 1_000_000} MB：{'、'.join(moved)}放入本级留存文件夹，"
                 "不随月报报送（市级据 Excel 汇总）。")
    return moved


def kept_name(name: str) -> str:
    return f"{name}-本级留存"


def _export(session: Session, period, unit, out_dir: Path, draft: bool, progress: Progress | None,
            cancel: Callable[[], bool] | None, filed_on: dt.date | None, recipient: str | None = None,
            passphrase: str | None = None, ledgers: bool = False) -> dict[str, Any]:
    from . import forms as form_service

    per, u = period_and_unit(session, period, unit)
    if not draft:
        require_preparer(session)
    recipient = recipient or default_recipient(u)
    where = destinations(recipient)
    steps = 4 + 2 * 5  # findings, 5 forms × (xlsx, pdf), register, mail, zip
    step = 0

    def tick(text: str) -> None:
        nonlocal step
        if cancel is not None and cancel():
            raise ExportCancelled("已取消导出")
        if progress is not None:
            progress(step, steps, text)
        step += 1

    tick("检查数据…")
    findings = period_findings(session, per, u)
    errors = [f for f in findings if f.severity == "E"]
    if errors and not draft:
        raise Refused(
            f"{u.name}{per.year}年{per.month_number}月数据有{len(errors)}处错误，不能导出正式月报；"
            "请先改正，或先导出草稿核对。",
            findings=errors,
        )

    if not draft:
        backup_before(session, "export-final")  # reliability: a backup before the month is locked
    name = pkg.package_name(u.name, per.month, draft)
    final_dir, final_zip = out_dir / name, out_dir / f"{name}.zip"
    out_dir.mkdir(parents=True, exist_ok=True)
    pkg.clean_stale(out_dir)
    staging = pkg.Staging(out_dir, name)
    folder = staging.folder
    kept_final = out_dir / kept_name(name)
    kept_staging = pkg.staging_dir(out_dir, kept_name(name)) if "keep" in where.values() else None
    try:
        listed: list[tuple[str, int]] = []
        kept: list[tuple[str, int]] = []
        from app.exporters.pdf.forms import write_form_pdf

        exported_at = dt.datetime.now()
        built = form_service.iter_forms(session, per, u, filed_on=filed_on, draft=draft)
        for stem in [lay.file_stem for lay in LAYOUTS.values()]:
            tick(f"整理{stem}，写 Excel…")
            lay, table = next(built)
            assert lay.file_stem == stem
            into_dir, into = (folder, listed) if where[lay.key] == "send" else (kept_staging, kept)
            assert into_dir is not None
            xname = lay.file_name("xlsx", draft)
            rows = write_xlsx(table, into_dir / xname, cancel=cancel)
            into.append((xname, rows))
            tick(f"写{lay.file_stem}（PDF）…")
            pname = lay.file_name("pdf", draft)
            write_form_pdf(table, into_dir / pname, exported_at=exported_at)
            into.append((pname, rows))
        tick("写台账数据 register.json…")
        if where["register"] == "send":
            counts = write_register_json(folder / pkg.REGISTER, session, per, u, identifiers=False)
            listed.append((pkg.REGISTER, counts["persons"]))
            if passphrase:
                ids = write_identifiers(folder / pkg.IDENTIFIERS, session, per, u, passphrase)
                listed.append((pkg.IDENTIFIERS, ids))
        else:
            assert kept_staging is not None
            counts = write_register_json(kept_staging / pkg.REGISTER, session, per, u)
            kept.append((pkg.REGISTER, counts["persons"]))
        if ledgers:  # the year's lists, problems ledger and 挂牌督战表 (supervision.md §5)
            from .ledger_export import write_into

            listed.extend(write_into(session, folder, per.year, per.month, filed_on or dt.date.today(), draft))

        set_aside = _fit_mail(folder, kept_staging, listed, kept, progress, step, steps)
        n_e, n_w = len(errors), len(findings) - len(errors)
        manifest = pkg.write_manifest(folder, unit=u.name, period=per.month, app_version=__version__,
                                      final=not draft, files=listed, findings={"E": n_e, "W": n_w},
                                      recipient=recipient)
        tick("写邮件草稿…")
        office = Office() if session.get(Office, 1) is None else session.get(Office, 1)
        attachments = [n for n, _ in listed] + [pkg.MANIFEST]
        mail_size = pkg.eml_size(folder, attachments)
        eml: str | None = None
        too_large = mail_size > pkg.MAIL_LIMIT
        if too_large:  # said before any mail is written: no mailbox takes it; the zip goes alone
            if progress is not None:
                progress(step, steps, f"附件合计约{mail_size / 1e6:.0f} MB，超过邮箱上限"
                         f"{pkg.MAIL_LIMIT // 1_000_000} MB，不写邮件草稿；请将 zip 压缩包单独报送（如政务网盘、U盘）。")
        else:
            body = pkg.mail_body(u.name, per.month, attachments, office.preparer or "", office.preparer_phone or "",
                                 draft)
            eml = pkg.write_eml(folder, name, office.upper_mailbox, body, attachments, sender=office.mailbox,
                                sender_name=u.name)
        tick("打包 zip…")
        pkg.write_zip(folder, staging.zip, name)
        if cancel is not None and cancel():
            raise ExportCancelled("已取消导出")
        if not draft:
            lock_period(session, per, reason=f"导出正式月报：{name}")
        audit.record(session, "export", period=per.month, table="package", record=name[:60],
                     field="draft" if draft else "final", new=str(final_dir))
        session.flush()
        _publish_on_commit(session, staging, final_dir, final_zip, per.month, not draft,  # they appear after the commit
                           (kept_staging, kept_final) if kept_staging is not None else None)
    except BaseException as e:
        staging.discard()
        if kept_staging is not None:
            pkg.discard(kept_staging)
        if isinstance(e, InterruptedError) and not isinstance(e, ExportCancelled):
            raise ExportCancelled("已取消导出") from e  # cancelled inside a writer
        raise
    if progress is not None:
        progress(steps, steps, "完成")
    return {
        "folder": str(final_dir),
        "zip": str(final_zip),
        "files": manifest["files"],
        "eml": eml,
        "mail_size": mail_size,
        "mail_too_large": too_large,
        "set_aside": set_aside,
        "recipient": recipient,
        "kept": str(kept_final) if kept_staging is not None else None,
        "kept_files": [n for n, _ in kept],
        "final": not draft,
        "findings": [f.to_dict() for f in findings],
    }
