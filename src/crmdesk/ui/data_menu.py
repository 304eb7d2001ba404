"""Taking data out and keeping it safe, from the menus: Export, Back up now, Restore from a
backup (File menu), and per customer "Export this person's data" and "Forget this person"
(Edit menu).

`install(window)` adds the entries; the main window needs only that one line. Exports, backups
and forgetting run in a BackgroundJob on the worker thread's own connection (closed when the
job ends). Restoring runs on the UI thread, on purpose: the book must have no open connection
while it is replaced, and with the UI thread busy nothing (a repaint of the list, a reminder
tick) can open one again in the middle of it. It is a file copy, over in a moment.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTime
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from crmdesk.core import book_health, privacy
from crmdesk.core.customers import NotFound
from crmdesk.core.model import ListQuery
from crmdesk.formats import export
from crmdesk.ui.data_dialogs import (
    SCOPE_CHOSEN,
    SCOPE_EVERYONE,
    SCOPE_SHOWN,
    ExportChoice,
    ExportDialog,
    reopen_book,
)
from crmdesk.ui.formatting import count
from crmdesk.ui.workers import BackgroundJob

log = logging.getLogger(__name__)

FILTERS = {"csv": "CSV (*.csv)", "xlsx": "Excel (*.xlsx)", "vcf": "vCard (*.vcf)",
           "ics": "iCalendar (*.ics)", "json": "JSON (*.json)"}


def install(window) -> None:
    """Add the data entries to the window's File (and Edit) menu."""
    window.data_menu = DataMenu(window)


class DataMenu(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.job: BackgroundJob | None = None
        self.dialog: ExportDialog | None = None
        self.last_message = ""

        def action(text: str, slot) -> QAction:
            item = QAction(text, window)
            item.triggered.connect(slot)
            return item

        self.export_action = action(self.tr("Export…"), self.export)
        self.backup_action = action(self.tr("Back up now…"), self.back_up)
        self.restore_action = action(self.tr("Restore from a backup…"), self.restore)
        self.person_export_action = action(self.tr("Export this person's data…"),
                                           self.export_person)
        self.forget_action = action(self.tr("Forget this person…"), self.forget)

        file_menu = window.file_menu
        quit_action = getattr(window, "quit_action", None)
        before = quit_action if quit_action in file_menu.actions() else None
        entries = (self.export_action, self.backup_action, self.restore_action)
        if before is not None:
            for entry in entries:
                file_menu.insertAction(before, entry)
            file_menu.insertSeparator(before)
        else:
            file_menu.addSeparator()
            file_menu.addActions(list(entries))
        person_menu = getattr(window, "edit_menu", None) or file_menu
        person_menu.addSeparator()
        person_menu.addAction(self.person_export_action)
        person_menu.addAction(self.forget_action)

        # The page on screen decides who "this person" is (the list, Trash or Today's row).
        window.chosenChanged.connect(lambda: self._current_changed(window.chosen_id()))
        self._current_changed(window.chosen_id())

    # --- helpers ---------------------------------------------------------------------------

    @property
    def session(self):
        return self.window.session

    def _current_changed(self, customer_id) -> None:
        for item in (self.person_export_action, self.forget_action):
            item.setEnabled(customer_id is not None)

    def _say(self, text: str) -> None:
        self.last_message = text
        self.window.statusBar().showMessage(text, 10000)

    def _busy(self) -> bool:
        other = getattr(self.window, "_job", None)
        if (self.job is not None) or (other is not None and other.is_running()):
            QMessageBox.information(self.window, "crmdesk", self.tr(
                "Please wait: crmdesk is still busy with the last task."))
            return True
        return False

    def _run(self, work, done, failure: str, busy_text: str) -> BackgroundJob:
        """Run `work(progress)` on a worker thread with its own connection; `done(result)` on
        the UI thread; a failure is shown as `failure` with %1 the reason."""
        db = self.session.db

        def job(progress):
            try:
                return work(progress)
            finally:
                db.close()  # peewee connections are per thread: close this thread's one

        self.job = BackgroundJob(job, self)
        self.job.progress.connect(lambda n, total: self.window.statusBar().showMessage(
            busy_text + " " + self.tr("%1 of %2").replace("%1", str(n))
            .replace("%2", str(total))))
        self.job.succeeded.connect(done)
        self.job.failed.connect(lambda message: self._failed(failure, message))
        self.job.finished.connect(self._finished)
        self.window.statusBar().showMessage(busy_text)
        self.job.start()
        return self.job

    def _failed(self, failure: str, message: str) -> None:
        self.last_message = failure.replace("%1", message)
        self.window.statusBar().clearMessage()
        QMessageBox.warning(self.window, "crmdesk", self.last_message)

    def _finished(self) -> None:
        self.job = None

    def _when(self, moment: dt.datetime) -> str:
        formatter = self.window.formatter
        time_text = formatter.locale.toString(QTime(moment.hour, moment.minute),
                                              formatter.locale.FormatType.ShortFormat)
        return f"{formatter.date(moment.date())} {time_text}"

    # --- export ----------------------------------------------------------------------------

    def export(self) -> None:
        if self._busy():
            return
        chosen = self.window.customers_page.selected_ids()
        self.dialog = ExportDialog(len(chosen), self.window)
        self.dialog.accepted.connect(lambda: self._export_chosen(self.dialog.choice(), chosen))
        self.dialog.open()

    def export_selection(self, selection, name: str, known_count: int | None = None) -> None:
        """Export a group picked elsewhere (a saved segment): the Export dialog opens with that
        group chosen. `selection` is a ListQuery (such as ListQuery(segment=rules)) or ids."""
        if self._busy():
            return
        self.dialog = ExportDialog(1, self.window)
        label = self.tr("The customers in \u201c%1\u201d").replace("%1", name)
        if known_count is not None:
            label += f" ({self.window.formatter.locale.toString(known_count)})"
        self.dialog.chosen.setText(label)
        self.dialog.chosen.setChecked(True)
        stem = "crmdesk-" + ("".join(ch if ch.isalnum() or ch in "-_" else "-"
                                     for ch in name.strip()).strip("-") or "segment")
        self.dialog.accepted.connect(
            lambda: self._export_chosen(self.dialog.choice(), selection, stem))
        self.dialog.open()

    def _export_chosen(self, choice: ExportChoice, chosen, stem: str = "crmdesk-customers"
                       ) -> None:
        start = str(Path.home() / (stem + choice.suffix))
        path, _filter = QFileDialog.getSaveFileName(self.window, self.tr("Export to"), start,
                                                    FILTERS[choice.format])
        if not path:
            return
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(choice.suffix)
        if choice.scope == SCOPE_EVERYONE:
            selection = None
        elif choice.scope == SCOPE_SHOWN:
            selection = self.window.model.query
        else:
            assert choice.scope == SCOPE_CHOSEN
            selection = chosen if isinstance(chosen, ListQuery) else list(chosen)
        self.start_export(choice, selection, path)

    def start_export(self, choice: ExportChoice, selection, path: Path) -> BackgroundJob:
        db = self.session.db

        def work(progress):
            if choice.format == "csv":
                return export.export_csv(db, path, selection, marketing=choice.marketing,
                                         progress=progress)
            if choice.format == "xlsx":
                return export.export_xlsx(db, path, selection, marketing=choice.marketing,
                                          progress=progress)
            if choice.format == "vcf":
                return export.export_vcard(db, path, selection, marketing=choice.marketing,
                                           progress=progress)
            if choice.format == "ics":
                return export.export_ical(db, path, selection, progress=progress)
            return export.export_json(db, path, selection, progress=progress)

        def done(result) -> None:
            text = count(result.customers, "Exported %n customer to %1.",
                         "Exported %n customers to %1.")
            self._say(text.replace("%1", str(result.path)))

        return self._run(work, done, self.tr("The export could not be written: %1"),
                         self.tr("Exporting…"))

    # --- backup and restore ----------------------------------------------------------------

    def back_up(self) -> None:
        if self._busy():
            return
        stamp = dt.datetime.now().strftime("%Y-%m-%d")
        start = str(Path.home() / f"crmdesk-backup-{stamp}.db")
        path, _filter = QFileDialog.getSaveFileName(
            self.window, self.tr("Back up to"), start, self.tr("crmdesk backup (*.db)"))
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".db")
        db_path = self.session.path

        def done(info) -> None:
            text = count(info.customers, "Backed up %n customer to %1.",
                         "Backed up %n customers to %1.")
            self._say(text.replace("%1", str(info.path)))

        self._run(lambda _progress: book_health.backup_to(db_path, target), done,
                  self.tr("The backup could not be made: %1"), self.tr("Backing up…"))

    def restore(self) -> None:
        if self._busy():
            return
        path, _filter = QFileDialog.getOpenFileName(
            self.window, self.tr("Restore from a backup"), str(Path.home()),
            self.tr("crmdesk backup (*.db);;All files (*)"))
        if not path:
            return
        try:
            info = book_health.inspect_backup(path)
        except book_health.BackupError as exc:
            self._failed(self.tr("This file cannot be restored: %1"), str(exc))
            return
        question = (
            self.tr("This backup was made on %1 and holds %2.")
            .replace("%1", self._when(info.created_at))
            .replace("%2", count(info.customers, "%n customer", "%n customers"))
            + "\n\n" + self.tr("Your customer book will be replaced by it. The book you have "
                               "now is saved aside first, as a copy next to it, so nothing "
                               "is lost.")
            + "\n\n" + self.tr("Restore this backup?"))
        answer = QMessageBox.question(
            self.window, self.tr("Restore from a backup"), question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.restore_now(Path(path))

    def restore_now(self, path: Path) -> Path | None:
        """Replace the book by the backup at `path` (confirmed already); see the module notes."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        problem = None
        try:
            self.session.db.close()
            try:
                aside = book_health.restore(path, self.session.path)
            except book_health.BackupError as exc:
                problem = str(exc)
            finally:
                reopen_book(self.session)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if problem is not None:
            self._failed(self.tr("The backup could not be restored: %1"), problem)
            return None
        log.info("restored the customer book from a backup")
        self.window.undo_stack.clear()  # its steps refer to the book that was replaced
        self.window._changed(None)
        if aside is not None:
            self._say(self.tr("Restored the backup. Your previous customer book was saved as "
                              "%1.").replace("%1", str(aside)))
            QMessageBox.information(self.window, self.tr("Restore from a backup"),
                                    self.last_message)
        else:
            self._say(self.tr("Restored the backup."))
        return aside

    # --- one person ------------------------------------------------------------------------

    def export_person(self) -> None:
        customer_id = self.window.chosen_id()
        if customer_id is None or self._busy():
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Choose a folder for this person's data"), str(Path.home()))
        if not folder:
            return
        self.start_person_export(customer_id, Path(folder))

    def start_person_export(self, customer_id: int, folder: Path) -> BackgroundJob:
        db = self.session.db
        now = self.session.now()

        def work(_progress):
            result = export.export_person(db, customer_id, folder, now=now)
            log.info("exported the data of customer %d", customer_id)
            return result

        def done(result) -> None:
            self._say(self.tr("Saved this person's data as %1, %2 and %3.")
                      .replace("%1", str(result.text_path)).replace("%2", str(result.json_path))
                      .replace("%3", str(result.vcard_path)))

        return self._run(work, done, self.tr("This person's data could not be saved: %1"),
                         self.tr("Saving this person's data…"))

    def forget(self) -> None:
        customer_id = self.window.chosen_id()
        if customer_id is None or self._busy():
            return
        try:
            name = self.session.book.card(customer_id).name
        except NotFound:
            return
        warning = (
            self.tr("Forget %1?").replace("%1", name or self.tr("this person"))
            + "\n\n" + self.tr("Their name, phone numbers, email, address, notes, dates, "
                               "consents and tags are erased for good, and the words of "
                               "their conversations, follow-ups and appointments too. Only "
                               "anonymous totals stay (how many conversations, and when), "
                               "under the name \u201cForgotten customer\u201d, in Trash.")
            + "\n\n" + self.tr("This cannot be undone. Backups made before now still hold "
                               "their data."))
        answer = QMessageBox.warning(
            self.window, self.tr("Forget this person"), warning,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.start_forget(customer_id)

    def start_forget(self, customer_id: int) -> BackgroundJob:
        db = self.session.db
        now = self.session.now()

        def done(report) -> None:
            # Undo steps may hold the person's data (an edit's "before"): they must go.
            self.window.undo_stack.clear()
            self.window._changed(None)
            self._say(self.tr("Forgot this person. Only anonymous totals were kept, as %1 in "
                              "Trash.").replace("%1", report.name))

        return self._run(lambda _progress: privacy.forget(db, customer_id, now), done,
                         self.tr("This person could not be forgotten: %1"),
                         self.tr("Forgetting this person…"))
