"""The import wizard's last pages when the file holds purchases (a till export).

After the columns page: a check page (the dry run, `purchase_import.plan`, in a worker thread)
with the counts a shop owner needs (sales to add, rows matched, not matched, can't be read,
already imported) and the rows left out with their reasons; then the import page (the one
transaction, `purchase_import.apply`, in a worker thread, with Stop: nothing is written when
stopped), which ends on the result with Undo and the list of rows not imported, to save.
Undo removes the import's sales (and the products and categories it added); Redo adds them again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from crmdesk.core import purchase_import
from crmdesk.ui.formatting import Formatter, count
from crmdesk.ui.workers import BackgroundJob

SHOWN = 200  # rows listed; the rest are in the saved file


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def _progress(bar: QProgressBar, done: int, total: int) -> None:
    bar.setRange(0, max(total, 1))
    bar.setValue(done)


def _formatter(session) -> Formatter:
    return Formatter(session.settings, session.fallback_country)


def check_summary(plan, formatter: Formatter) -> str:
    """What the import will do, in plain words."""
    purchases = plan.to_import
    customers = len({p.customer_id for p in purchases})
    lines = [
        count(len(purchases), "%n sale will be added", "%n sales will be added") + " "
        + count(customers, "to %n customer's history", "to %n customers' history")
        + " (" + formatter.money(plan.total_minor) + ").",
        count(len(plan.matched), "Matched to a customer: %n row.",
              "Matched to a customer: %n rows."),
        count(len(plan.unmatched), "Not matched to any customer: %n row.",
              "Not matched to any customer: %n rows."),
        count(len(plan.rejected), "Can't be read: %n row.", "Can't be read: %n rows."),
        count(len(plan.duplicates), "Already imported, skipped: %n row.",
              "Already imported, skipped: %n rows."),
    ]
    if plan.new_categories or plan.new_products:
        lines.append(tr("New in your catalogue: %1, %2.")
                     .replace("%1", count(len(plan.new_categories), "%n category",
                                          "%n categories"))
                     .replace("%2", count(len(plan.new_products), "%n product", "%n products")))
    lines.append(tr("Imported sales earn no loyalty points: the loyalty program counts from the "
                    "day it is switched on."))
    return "\n".join(lines)


class LeftOutList(QVBoxLayout):
    """The rows not imported, each with its reason, and a button to save them all to a file
    (to fix and import again)."""

    def __init__(self, page: QWizardPage, state):
        super().__init__()
        self.page, self.state, self.plan = page, state, None
        self.label = QLabel(tr("These rows will not be imported:"))
        self.rows = QListWidget()
        self.rows.setWordWrap(True)  # reasons are sentences: show them whole
        self.rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rows.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.save = QPushButton(tr("Save the list…"))
        self.save.clicked.connect(self.save_rows)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        for widget in (self.label, self.rows, self.save, self.saved):
            self.addWidget(widget)
        self.show(None)

    def show(self, plan, label: str = "") -> None:
        self.plan = plan
        self.rows.clear()
        self.saved.clear()
        rows = plan.not_imported if plan is not None else []
        for row in rows[:SHOWN]:
            self.rows.addItem(f"{row.label}: {row.reason}")
        if len(rows) > SHOWN:
            self.rows.addItem(tr("…and %1 more: save the list to see them all.").replace(
                "%1", str(len(rows) - SHOWN)))
        if label:
            self.label.setText(label)
        for widget in (self.label, self.rows, self.save, self.saved):
            widget.setVisible(bool(rows))

    def save_rows(self) -> None:
        source = Path(self.state.path)
        start = str(source.with_name(source.stem + "-not-imported.csv"))
        path, _ = QFileDialog.getSaveFileName(self.page, tr("Save the rows not imported"), start,
                                              tr("CSV files (*.csv)"))
        if not path:
            return
        try:
            saved = purchase_import.rejected_csv(self.plan, path)
        except OSError as exc:
            self.saved.setText(tr("The list could not be saved: %1").replace(
                "%1", exc.strerror or str(exc)))
            return
        self.saved.setText(count(saved, "%n row saved, with the reason, to fix and import "
                                        "again.",
                                 "%n rows saved, with the reason, to fix and import again."))


class PurchaseCheckPage(QWizardPage):
    """The dry run for purchases: counts, and the rows left out. Nothing is written here."""

    checked = Signal()

    def __init__(self, state, session, parent=None):
        super().__init__(parent)
        self.state, self.session = state, session
        self.plan = None
        self.job: BackgroundJob | None = None
        self.setTitle(tr("Before anything is written"))
        self.setSubTitle(tr("Each sale is matched to a customer by phone number, then e-mail, "
                            "then name. Customers in Trash are not matched. Nothing has changed "
                            "yet."))
        self.setCommitPage(True)
        self.progress = QProgressBar()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.left_out = LeftOutList(self, state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addLayout(self.left_out, 1)

    def initializePage(self) -> None:  # noqa: N802
        self.plan = None
        self.summary.setText(tr("Checking every row…"))
        self.left_out.show(None)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        state, session = self.state, self.session
        today, country = session.today(), session.country()
        currency = session.settings.currency

        def job(progress):
            try:
                return purchase_import.plan(state.table, dict(state.mapping), session.db,
                                            country, currency, state.date_order, today,
                                            progress)
            finally:
                session.db.close()  # this thread's connection

        self.job = current = BackgroundJob(job, self)
        current.progress.connect(lambda d, t: _progress(self.progress, d, t))
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
        text = check_summary(plan, _formatter(self.session))
        if not plan.to_import:
            text += "\n" + tr("There is nothing to import.")
        self.summary.setText(text)
        self.left_out.show(plan)

    def _finished(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self.completeChanged.emit()
        self.checked.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.plan is not None and bool(self.plan.to_import)


class PurchaseImportPage(QWizardPage):
    """The import, in a worker thread, with Stop; then the result, Undo, and the rows left out."""

    starting = Signal()
    done = Signal()
    undo_requested = Signal()

    def __init__(self, state, session, check: PurchaseCheckPage, parent=None):
        super().__init__(parent)
        self.state, self.session, self.check_page = state, session, check
        self.job: BackgroundJob | None = None
        self.result: purchase_import.PurchaseResult | None = None
        self.cancelled = False
        self.setTitle(tr("Importing"))
        self.progress = QProgressBar()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.stop = QPushButton(tr("Stop the import"))
        self.stop.clicked.connect(self.cancel)
        self.undo = QPushButton(tr("Undo this import"))
        self.undo.clicked.connect(self.undo_requested)
        self.undo.setVisible(False)
        self.left_out = LeftOutList(self, state)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop)
        buttons.addWidget(self.undo)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.progress, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addLayout(self.left_out, 1)

    def initializePage(self) -> None:  # noqa: N802
        plan, session = self.check_page.plan, self.session
        self.result, self.cancelled = None, False
        self.message.setText(tr("Adding the sales…"))
        self.progress.setRange(0, 0)
        self.stop.setEnabled(True)
        self.undo.setVisible(False)
        self.left_out.show(None)

        def job(progress):
            try:
                return purchase_import.apply(plan, session.db, progress, now=session.now)
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
        plan = self.check_page.plan
        customers = len({p.customer_id for p in plan.to_import})
        text = tr("Done: %1 added to %2 (%3).").replace(
            "%1", count(len(result.purchase_ids), "%n sale", "%n sales")).replace(
            "%2", count(customers, "%n customer's history", "%n customers' history")).replace(
            "%3", _formatter(self.session).money(plan.total_minor))
        if result.duplicates:
            text += " " + count(result.duplicates, "%n sale was already there and was skipped.",
                                "%n sales were already there and were skipped.")
        text += "\n" + tr("They earn no loyalty points. Changed your mind? Undo takes the whole "
                          "import back (also Edit ▸ Undo).")
        if result.problems:
            text += "\n\n" + "\n".join(dict.fromkeys(result.problems))
        self.message.setText(text)
        self.setTitle(tr("Your sales history is in"))
        self.undo.setVisible(True)
        self.undo.setEnabled(True)
        self.left_out.show(plan, tr("Not imported (no customer found, or the row can't be "
                                    "read):"))

    def undone(self) -> None:
        """Said after Undo took the import back."""
        self.undo.setEnabled(False)
        self.setTitle(tr("Import taken back"))
        self.message.setText(tr("The sales of this import were removed: your book is as it "
                                "was before."))

    def _failed(self, message: str) -> None:
        if self.cancelled or "cancelled" in message:
            self.setTitle(tr("Import stopped"))
            self.message.setText(tr("You stopped the import. Nothing was written: your "
                                    "book is as it was."))
        else:
            self.setTitle(tr("The import did not work"))
            self.message.setText(tr("Nothing was written: your book is as it was.") + "\n"
                                 + message)

    def _finished(self) -> None:
        self.job = None
        self.stop.setVisible(False)
        self.progress.setVisible(False)
        self.completeChanged.emit()
        self.done.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.job is None


class ImportPurchases(QUndoCommand):
    """A purchase import already written (the first redo does nothing). Undo removes its sales
    and the catalogue entries it added; Redo writes the same sales again (same batch)."""

    def __init__(self, session, result: purchase_import.PurchaseResult, plan, changed):
        super().__init__(count(len(result.purchase_ids), "import %n sale", "import %n sales"))
        self.session, self.result, self.plan, self.changed = session, result, plan, changed
        self._written = True

    def redo(self) -> None:
        if self._written:
            return
        self.result = purchase_import.apply(self.plan, self.session.db, now=self.session.now,
                                            batch=self.result.batch)
        self._written = True
        self.changed(None)

    def undo(self) -> None:
        purchase_import.undo(self.session.db, self.result.batch, self.result.new_category_ids,
                             self.result.new_product_ids)
        self._written = False
        self.changed(None)
