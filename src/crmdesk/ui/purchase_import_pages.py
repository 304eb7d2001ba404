"""The import wizard's last pages when the file holds purchases (a till export).

After the columns page: a check page (the dry run, `purchase_import.plan`, in a worker thread)
with the counts a shop owner needs (sales to add, rows matched, not matched, can't be read,
already imported) and the rows left out with their reasons; then the import page (the one
transaction, `purchase_import.apply`, in a worker thread, with Stop: nothing is written when
stopped), which ends on the result with Undo and the list of rows not imported, to save.
Undo removes the import's sales (and the products and categories it added); Redo adds them again.
What these pages share with the customer import's is in `import_run_page.py`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from crmdesk.core import purchase_import
from crmdesk.ui.formatting import Formatter, count
from crmdesk.ui.import_run_page import CheckPage, RunPage, save_rows_as

SHOWN = 200  # rows listed; the rest are in the saved file


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def _formatter(session) -> Formatter:
    return Formatter(session.settings, session.fallback_country)


def check_summary(plan, formatter: Formatter) -> str:
    """What the import will do, in plain words."""
    purchases = plan.to_import
    customers = len({p.customer_id for p in purchases})
    headline = (count(len(purchases), "%n sale will be added", "%n sales will be added") + " "
                + count(customers, "to %n customer's history", "to %n customers' history")
                + " (" + formatter.money(plan.total_minor) + ").")
    # The counts under it; a kind of problem the file does not have is not listed.
    lines = [count(len(plan.matched), "Matched to a customer: %n row.",
                   "Matched to a customer: %n rows.")]
    for rows, one, many in (
            (plan.unmatched, "Not matched to any customer: %n row.",
             "Not matched to any customer: %n rows."),
            (plan.rejected, "Can't be read: %n row.", "Can't be read: %n rows."),
            (plan.duplicates, "Already imported, skipped: %n row.",
             "Already imported, skipped: %n rows.")):
        if rows:
            lines.append(count(len(rows), one, many))
    if plan.new_categories or plan.new_products:
        lines.append(tr("New in your catalogue: %1, %2.")
                     .replace("%1", count(len(plan.new_categories), "%n category",
                                          "%n categories"))
                     .replace("%2", count(len(plan.new_products), "%n product", "%n products")))
    note = tr("Imported sales earn no loyalty points: the loyalty program counts from the day "
              "it is switched on.")
    return "\n\n".join((headline, "\n".join(lines), note))


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
        self.rows.setSelectionMode(QListWidget.SelectionMode.NoSelection)  # to read, not pick
        self.rows.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save = QPushButton(tr("Save these rows to a file…"))
        self.save.setToolTip(tr("A file with each row and its reason, to fix and import again"))
        self.save.clicked.connect(self.save_rows)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        self.addSpacing(8)  # apart from the counts above
        self.addWidget(self.label)
        self.addWidget(self.rows, 1)
        line = QHBoxLayout()  # a button its own size, not a bar across the page
        line.addWidget(self.save)
        line.addWidget(self.saved, 1)
        self.addLayout(line)
        self.show(None)

    def show(self, plan, label: str = "") -> None:
        self.plan = plan
        self.rows.clear()
        self.saved.clear()
        rows = plan.not_imported if plan is not None else []
        for row in rows[:SHOWN]:
            self.rows.addItem(f"{row.label}: {row.reason}")
        if len(rows) > SHOWN:
            self.rows.addItem(tr("…and %1 more: save these rows to a file to see them all.").replace(
                "%1", str(len(rows) - SHOWN)))
        if label:
            self.label.setText(label)
        for widget in (self.label, self.rows, self.save, self.saved):
            widget.setVisible(bool(rows))

    def save_rows(self) -> None:
        saved = save_rows_as(
            self.page, self.state.path, "-not-imported.csv", tr("Save the rows not imported"),
            lambda path: purchase_import.rejected_csv(self.plan, path),
            lambda why: self.saved.setText(tr("The list could not be saved: %1").replace(
                "%1", why)))
        if saved is None:
            return
        self.saved.setText(count(saved, "%n row saved, with the reason, to fix and import "
                                        "again.",
                                 "%n rows saved, with the reason, to fix and import again."))


class PurchaseCheckPage(CheckPage):
    """The dry run for purchases: counts, and the rows left out. Nothing is written here."""

    def __init__(self, state, session, parent=None):
        super().__init__(state, session, tr(
            "Each sale is matched to a customer by phone number, then e-mail, then name. "
            "Customers in Trash are not matched. Nothing has changed yet."), parent)
        self.left_out = LeftOutList(self, state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addLayout(self.left_out, 1)

    def reset(self) -> None:
        self.left_out.show(None)

    def work(self):
        state, session = self.state, self.session
        today, country = session.today(), session.country()
        currency = session.settings.currency
        return lambda progress: purchase_import.plan(
            state.table, dict(state.mapping), session.db, country, currency, state.date_order,
            today, progress)

    def _planned(self, plan) -> None:
        self.plan = plan
        text = check_summary(plan, _formatter(self.session))
        if not plan.to_import:
            text += "\n\n" + tr("There is nothing to import.")
        self.summary.setText(text)
        self.left_out.show(plan)

    def isComplete(self) -> bool:  # noqa: N802
        return self.plan is not None and bool(self.plan.to_import)


class PurchaseImportPage(RunPage):
    """The import, in a worker thread, with Stop; then the result, Undo, and the rows left out."""

    undo_requested = Signal()

    def __init__(self, state, session, check: PurchaseCheckPage, parent=None):
        super().__init__(state, session, parent)
        self.check_page = check
        self.result: purchase_import.PurchaseResult | None = None
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

    def running_text(self) -> str:
        return tr("Adding the sales…")

    def reset(self) -> None:
        self.undo.setVisible(False)
        self.left_out.show(None)

    def work(self):
        plan, session = self.check_page.plan, self.session
        return lambda progress: purchase_import.apply(plan, session.db, progress,
                                                      now=session.now)

    def nothing_written(self, stopped: bool) -> str:
        if stopped:
            return tr("You stopped the import. Nothing was written: your book is as it was.")
        return tr("Nothing was written: your book is as it was.")

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
