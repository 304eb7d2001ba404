"""The customer import's last pages: the dry run (what would happen, duplicates row by row,
the rows that cannot be imported) and the import itself. Re-exported by `import_wizard`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from crmdesk.core import importing
from crmdesk.ui.formatting import count
from crmdesk.ui.import_pages import ImportState
from crmdesk.ui.workers import BackgroundJob

SHOWN = 200  # rows listed on the summary page; the rest follow the choice made for all


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def _progress(bar: QProgressBar, done: int, total: int) -> None:
    bar.setRange(0, max(total, 1))
    bar.setValue(done)


def plan_summary(plan) -> str:
    return ", ".join((
        count(len(plan.to_create), "%n new customer", "%n new customers"),
        count(len(plan.to_merge), "%n updated", "%n updated"),
        count(len(plan.skipped), "%n skipped", "%n skipped"),
        count(len(plan.rejected), "%n can't be imported", "%n can't be imported"),
    )) + "."


class SummaryPage(QWizardPage):
    """Step 5: the dry run, in a worker thread: what would happen, and the rows that cannot be
    imported, which can be saved to a file to fix."""

    checked = Signal()

    def __init__(self, state: ImportState, session, parent=None):
        super().__init__(parent)
        self.state, self.session = state, session
        self.plan = None
        self.job: BackgroundJob | None = None
        self.setTitle(tr("Before anything is written"))
        self.setSubTitle(tr("This is what the import will do. Nothing has changed yet."))
        self.setCommitPage(True)
        self.progress = QProgressBar()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.dupes_label = QLabel(tr("Already in your book. You can choose for each one:"))
        self.dupes = QTableWidget(0, 3)
        self.dupes.setHorizontalHeaderLabels([tr("Row"), tr("Why"), tr("What to do")])
        self.dupes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.dupes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.dupes.verticalHeader().setVisible(False)
        self.rejected_label = QLabel(tr("These rows can't be imported:"))
        self.rejected = QListWidget()
        self.save = QPushButton(tr("Save these rows to fix them…"))
        self.save.clicked.connect(self.save_rejected)
        layout = QVBoxLayout(self)
        for widget in (self.progress, self.summary, self.dupes_label, self.dupes,
                       self.rejected_label, self.rejected, self.save):
            layout.addWidget(widget)

    def initializePage(self) -> None:  # noqa: N802
        self.plan = None
        self.summary.setText(tr("Checking every row…"))
        self.rejected.clear()
        self.dupes.setRowCount(0)
        for widget in (self.dupes_label, self.dupes, self.rejected_label, self.rejected,
                       self.save):
            widget.setVisible(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        state, session = self.state, self.session
        today, country = session.today(), session.country()

        def job(progress):
            try:
                return importing.plan(state.table, dict(state.mapping), session.db, country,
                                      state.on_duplicate, state.date_order, today, progress)
            finally:
                session.db.close()  # this thread's connection

        self.job = current = BackgroundJob(job, self)
        current.progress.connect(lambda d, t: _progress(self.progress, d, t))
        # A check stopped by going Back may still report: only the current one counts.
        current.succeeded.connect(lambda plan: current is self.job and self._planned(plan))
        current.failed.connect(lambda message: current is self.job and self.summary.setText(
            tr("The file could not be checked:") + " " + message))
        current.finished.connect(lambda: current is self.job and self._finished())
        current.start()

    def cleanupPage(self) -> None:  # noqa: N802  (going Back: stop the check)
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
            self.job = None

    def _planned(self, plan) -> None:
        self.plan = plan
        self._show_summary()
        for row in plan.rejected[:SHOWN]:
            self.rejected.addItem(f"{row.label}: {row.reason}")
        if len(plan.rejected) > SHOWN:
            self.rejected.addItem(tr("…and %1 more: save them to see them all.").replace(
                "%1", str(len(plan.rejected) - SHOWN)))
        for widget in (self.rejected_label, self.rejected, self.save):
            widget.setVisible(bool(plan.rejected))
        self._show_duplicates([r for r in plan.rows if r.action in ("skip", "merge")])

    def _show_duplicates(self, rows) -> None:
        """Row by row: each duplicate found can be skipped, merged or added anyway."""
        actions = {"skip": tr("Skip"), "merge": tr("Add the new details (merge)"),
                   "create": tr("Add anyway")}
        shown = rows[:SHOWN]
        self.dupes.setRowCount(len(shown))
        for at, row in enumerate(shown):
            self.dupes.setItem(at, 0, QTableWidgetItem(row.label))
            self.dupes.setItem(at, 1, QTableWidgetItem(row.reason or tr("Already in your book.")))
            combo = QComboBox()
            for key, name in actions.items():
                if key != "merge" or row.existing_id is not None:
                    combo.addItem(name, key)
            combo.setCurrentIndex(combo.findData(row.action))
            combo.currentIndexChanged.connect(
                lambda _, row=row, combo=combo: self.choose(row, combo.currentData()))
            self.dupes.setCellWidget(at, 2, combo)
        for widget in (self.dupes_label, self.dupes):
            widget.setVisible(bool(shown))

    def choose(self, row, action: str) -> None:
        importing.choose(row, action)
        self._show_summary()
        self.completeChanged.emit()

    def _show_summary(self) -> None:
        plan = self.plan
        text = plan_summary(plan)
        if not (plan.to_create or plan.to_merge):
            text += " " + tr("There is nothing to import.")
        self.summary.setText(text)

    def _finished(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self.completeChanged.emit()
        self.checked.emit()

    def save_rejected(self) -> None:
        start = str(Path(self.state.path).with_name(Path(self.state.path).stem + "-to-fix.csv"))
        path, _ = QFileDialog.getSaveFileName(self, tr("Save the rows to fix"), start,
                                              tr("CSV files (*.csv)"))
        if not path:
            return
        try:
            saved = importing.rejected_csv(self.plan, path)
        except OSError as exc:
            self.summary.setText(tr("The rows could not be saved: %1").replace(
                "%1", exc.strerror or str(exc)))
            return
        self._show_summary()
        self.summary.setText(self.summary.text() + " " + count(
            saved, "%n row saved to fix and import again.",
            "%n rows saved to fix and import again."))

    def isComplete(self) -> bool:  # noqa: N802
        return self.plan is not None and bool(self.plan.to_create or self.plan.to_merge)


class ImportPage(QWizardPage):
    """Step 6: the import itself, in a worker thread, with Stop. Says what happened."""

    starting = Signal()  # the job exists and is about to start (Stop works from here)
    done = Signal()

    def __init__(self, state: ImportState, session, summary: SummaryPage, parent=None):
        super().__init__(parent)
        self.state, self.session, self.summary_page = state, session, summary
        self.job: BackgroundJob | None = None
        self.result: importing.ImportResult | None = None
        self.cancelled = False
        self.setTitle(tr("Importing"))
        self.progress = QProgressBar()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.stop = QPushButton(tr("Stop the import"))
        self.stop.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        for widget in (self.progress, self.message, self.stop):
            layout.addWidget(widget)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        plan, session = self.summary_page.plan, self.session
        self.result, self.cancelled = None, False
        self.message.setText(tr("Adding your customers…"))
        self.progress.setRange(0, 0)
        self.stop.setEnabled(True)

        def job(progress):
            try:
                return importing.apply(plan, session.db, progress, now=session.now)
            finally:
                session.db.close()  # this thread's connection

        self.job = BackgroundJob(job, self)
        self.job.progress.connect(lambda d, t: _progress(self.progress, d, t))
        self.job.succeeded.connect(self._imported)
        self.job.failed.connect(self._failed)
        self.job.finished.connect(self._finished)
        self.starting.emit()
        self.job.start()

    def busy(self) -> bool:
        return self.job is not None

    def cancel(self) -> None:
        if self.job is not None:
            self.cancelled = True
            self.stop.setEnabled(False)
            self.message.setText(tr("Stopping…"))
            self.job.cancel()

    def _imported(self, result) -> None:
        self.result = result
        words = [count(len(result.created_ids), "%n new customer added",
                       "%n new customers added")]
        if result.merged:
            words.append(count(len(result.merged), "%n updated", "%n updated"))
        if result.skipped:
            words.append(count(result.skipped, "%n skipped", "%n skipped"))
        if result.rejected:
            words.append(count(result.rejected, "%n could not be imported",
                               "%n could not be imported"))
        text = tr("Done: %1.").replace("%1", ", ".join(words))
        text += "\n" + tr("Changed your mind? Choose Edit ▸ Undo (Ctrl+Z) to take this import "
                          "back: the new customers go to Trash.")
        if result.problems:
            text += "\n\n" + "\n".join(result.problems)
        self.message.setText(text)
        self.setTitle(tr("Your customers are in"))

    def _failed(self, message: str) -> None:
        if self.cancelled or "cancelled" in message:
            self.setTitle(tr("Import stopped"))
            self.message.setText(tr("You stopped the import. Nothing was written: your "
                                    "customer book is as it was."))
        else:
            self.setTitle(tr("The import did not work"))
            self.message.setText(tr("Nothing was written: your customer book is as it was.")
                                 + "\n" + message)

    def _finished(self) -> None:
        self.job = None
        self.stop.setVisible(False)
        self.progress.setVisible(False)
        self.completeChanged.emit()
        self.done.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.job is None
