"""The customer import's last pages: the dry run (what would happen, duplicates row by row,
the rows that cannot be imported) and the import itself. Re-exported by `import_wizard`.
What these pages share with the purchase import's is in `import_run_page.py`."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from crmdesk.core import importing, restore
from crmdesk.formats import import_json
from crmdesk.ui.formatting import count
from crmdesk.ui.import_pages import ImportState
from crmdesk.ui.import_run_page import CheckPage, RunPage, save_rows_as

SHOWN = 200  # rows listed on the summary page; the rest follow the choice made for all
WAIT_FOR_TURN = 600.0  # seconds an import waits for another crmdesk to finish writing


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def kept_line(kept: int) -> str:
    """The line about phone numbers that could not be checked (kept, marked in the list)."""
    return tr("Kept as written: %1 (a phone number to check, marked “Phone to check” in the "
              "customer list).").replace("%1", str(kept))


def plan_summary(plan) -> str:
    text = ", ".join((
        count(len(plan.to_create), "%n new customer", "%n new customers"),
        count(len(plan.to_merge), "%n updated", "%n updated"),
        count(len(plan.skipped), "%n skipped", "%n skipped"),
        count(len(plan.rejected), "%n can't be imported", "%n can't be imported"),
    )) + "."
    kept = len(getattr(plan, "kept_as_written", ()))
    return text + "\n" + kept_line(kept) if kept else text


class SummaryPage(CheckPage):
    """Step 5: the dry run, in a worker thread: what would happen, and the rows that cannot be
    imported, which can be saved to a file to fix."""

    def __init__(self, state: ImportState, session, parent=None):
        super().__init__(state, session,
                         tr("This is what the import will do. Nothing has changed yet."), parent)
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

    def reset(self) -> None:
        self.rejected.clear()
        self.dupes.setRowCount(0)
        for widget in (self.dupes_label, self.dupes, self.rejected_label, self.rejected,
                       self.save):
            widget.setVisible(False)

    def work(self):
        state, session = self.state, self.session
        today, country = session.today(), session.country()
        if state.table.kind == "json":  # a crmdesk export: brought back whole (core/restore)
            return lambda progress: restore.plan(import_json.read_json(state.path), session.db,
                                                 country, state.on_duplicate, today)
        return lambda progress: importing.plan(
            state.table, dict(state.mapping), session.db, country, state.on_duplicate,
            state.date_order, today, progress)

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

    def save_rejected(self) -> None:
        saved = save_rows_as(
            self, self.state.path, "-to-fix.csv", tr("Save the rows to fix"),
            lambda path: importing.rejected_csv(self.plan, path),
            lambda why: self.summary.setText(tr("The rows could not be saved: %1").replace(
                "%1", why)))
        if saved is None:
            return
        self._show_summary()
        self.summary.setText(self.summary.text() + " " + count(
            saved, "%n row saved to fix and import again.",
            "%n rows saved to fix and import again."))

    def isComplete(self) -> bool:  # noqa: N802
        return self.plan is not None and bool(self.plan.to_create or self.plan.to_merge)


class ImportPage(RunPage):
    """Step 6: the import itself, in a worker thread, with Stop. Says what happened."""

    def __init__(self, state: ImportState, session, summary: SummaryPage, parent=None):
        super().__init__(state, session, parent)
        self.summary_page = summary
        self.result: importing.ImportResult | None = None
        layout = QVBoxLayout(self)
        for widget in (self.progress, self.message, self.stop):
            layout.addWidget(widget)
        layout.addStretch(1)

    def running_text(self) -> str:
        return tr("Adding your customers…")

    def work(self):
        plan, session = self.summary_page.plan, self.session
        if isinstance(plan, restore.RestorePlan):  # with history, sales, products, settings
            return lambda progress: restore.apply(plan, session.db, progress=progress,
                                                  now=session.now).result
        # In its worker, the import waits its turn while another crmdesk writes (the bar
        # turns busy; Stop still works), up to WAIT_FOR_TURN seconds.
        return lambda progress: importing.apply(
            plan, session.db, progress, now=session.now, patience=WAIT_FOR_TURN,
            still_waiting=lambda: progress(0, 0))

    def nothing_written(self, stopped: bool) -> str:
        if stopped:
            return tr("You stopped the import. Nothing was written: your customer book is as "
                      "it was.")
        return tr("Nothing was written: your customer book is as it was.")

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
        if result.kept_as_written:
            text += "\n" + kept_line(result.kept_as_written)
        text += "\n" + tr("Changed your mind? Choose Edit ▸ Undo (Ctrl+Z) to take this import "
                          "back: the new customers go to Trash.")
        if result.problems:
            text += "\n\n" + "\n".join(result.problems)
        self.message.setText(text)
        self.setTitle(tr("Your customers are in"))
