"""The import wizard: file, preview, columns, duplicates, a dry run, then the import.

The first page also asks what the file holds. Customers go through every page above; purchases
(a till export) go file, preview, columns, then their own check and import pages
(`purchase_import_pages.py`): the sales matched to customers, with Undo at the end.

The dry run (`importing.plan`) and the import (`importing.apply`) run in worker threads, each on
its own database connection (peewee's are per thread), closed when the job ends. Cancel during
the import rolls the one transaction back: nothing is written. A finished import is pushed on
the window's undo stack: Undo sends the new customers to Trash and gives merged customers their
earlier details back; Redo brings them back again.

The main window needs one line: `import_wizard.install(self)` (File ▸ Import customers… and
File ▸ Import purchase history…, which opens the wizard with "Purchases" chosen).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
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
    QWizard,
    QWizardPage,
)

from crmdesk.core import importing
from crmdesk.core.customers import NotFound
from crmdesk.ui.formatting import count
from crmdesk.ui.import_pages import (
    DuplicatesPage,
    FilePage,
    ImportState,
    MappingPage,
    PreviewPage,
)
from crmdesk.ui.purchase_import_pages import (
    ImportPurchases,
    PurchaseCheckPage,
    PurchaseImportPage,
)
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


class ImportWizard(QWizard):
    """Modeless: `open()` it; `imported(result, plan)` is emitted when customers were written,
    `purchases_imported(result, plan)` when sales were."""

    imported = Signal(object, object)  # ImportResult, ImportPlan
    purchases_imported = Signal(object, object)  # PurchaseResult, PurchasePlan

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.state = ImportState()
        self.setWindowTitle(tr("Import customers"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, tr("Import"))
        self.file_page = FilePage(self.state)
        self.preview_page = PreviewPage(self.state, self.file_page)
        self.mapping_page = MappingPage(self.state)
        self.duplicates_page = DuplicatesPage(self.state)
        self.summary_page = SummaryPage(self.state, session)
        self.import_page = ImportPage(self.state, session, self.summary_page)
        self.purchase_check_page = PurchaseCheckPage(self.state, session)
        self.purchase_import_page = PurchaseImportPage(self.state, session,
                                                       self.purchase_check_page)
        self.page_ids = {}
        for page in (self.file_page, self.preview_page, self.mapping_page,
                     self.duplicates_page, self.summary_page, self.import_page,
                     self.purchase_check_page, self.purchase_import_page):
            self.page_ids[page] = self.addPage(page)
        self.import_page.done.connect(self._import_done)
        self.purchase_import_page.done.connect(self._purchases_done)
        self.purchase_import_page.undo_requested.connect(self.undo_purchases)
        self.file_page.kind_changed.connect(self._kind_changed)
        self.undo_purchase_import = None  # set by the window: its undo stack does it
        self.resize(760, 560)

    def nextId(self) -> int:  # noqa: N802
        page = self.currentPage()
        purchases = self.state.kind == "purchases"
        following = {
            self.mapping_page: self.purchase_check_page if purchases else self.duplicates_page,
            self.purchase_check_page: self.purchase_import_page,
            self.import_page: None,
            self.purchase_import_page: None,
        }
        if page in following:
            after = following[page]
            return -1 if after is None else self.page_ids[after]
        return super().nextId()

    def _kind_changed(self, kind: str) -> None:
        self.setWindowTitle(tr("Import purchase history") if kind == "purchases"
                            else tr("Import customers"))

    def set_file(self, path) -> None:
        self.file_page.set_file(str(path))

    def busy(self) -> bool:
        return (self.file_page.busy() or self.summary_page.job is not None
                or self.import_page.busy() or self.purchase_check_page.job is not None
                or self.purchase_import_page.busy())

    def _import_done(self) -> None:
        if self.import_page.result is not None:
            self.imported.emit(self.import_page.result, self.summary_page.plan)

    def _purchases_done(self) -> None:
        if self.purchase_import_page.result is not None:
            self.purchases_imported.emit(self.purchase_import_page.result,
                                         self.purchase_check_page.plan)

    def undo_purchases(self) -> None:
        """The result page's Undo: through the window's undo stack when there is one (so Redo
        works), else directly."""
        result = self.purchase_import_page.result
        if result is None:
            return
        if self.undo_purchase_import is not None:
            self.undo_purchase_import(result)
        else:
            from crmdesk.core import purchase_import

            purchase_import.undo(self.session.db, result.batch, result.new_category_ids,
                                 result.new_product_ids)
        self.purchase_import_page.undone()

    def reject(self) -> None:
        """Cancel: while importing it stops the import (and stays to say so); while checking it
        stops the check, then closes."""
        for page in (self.import_page, self.purchase_import_page):
            if page.busy():
                page.cancel()
                return
        self.summary_page.cleanupPage()
        self.purchase_check_page.cleanupPage()
        super().reject()


class ImportCustomers(QUndoCommand):
    """An import already written (the first redo does nothing). Undo: new customers to Trash,
    merged ones back as they were. Redo: new customers back from Trash, merges done again."""

    def __init__(self, session, result: importing.ImportResult, plan, changed):
        super().__init__(count(len(result.created_ids), "import %n customer",
                               "import %n customers"))
        self.session, self.result, self.changed = session, result, changed
        self.merges = list(plan.to_merge) if plan is not None else []
        self._written = True

    def redo(self) -> None:
        if self._written:
            return
        book = self.session.book
        book.restore(self.result.created_ids)
        merged = []
        for row in self.merges:
            try:
                before = book.load_input(row.existing_id)
                book.update(row.existing_id, importing.merge_into(before, row.data))
            except NotFound:
                continue
            merged.append((row.existing_id, before))
        self.result.merged = merged
        self._written = True
        self.changed(None)

    def undo(self) -> None:
        importing.undo(self.result, self.session.db, now=self.session.now,
                       default_country=self.session.country())
        self._written = False
        self.changed(None)


def open_wizard(window, kind: str | None = None) -> ImportWizard:
    """Open the wizard (or bring the open one forward); `kind` "purchases" chooses that kind
    of file on the first page."""
    wizard = getattr(window, "import_wizard", None)
    if wizard is not None and wizard.isVisible():
        wizard.raise_()
        wizard.activateWindow()
        return wizard
    if wizard is not None and not wizard.busy():
        wizard.deleteLater()  # an earlier, finished wizard
    wizard = ImportWizard(window.session, window)
    if kind is not None:
        wizard.file_page.set_kind(kind)

    def imported(result, plan) -> None:
        window.undo_stack.push(ImportCustomers(window.session, result, plan, window._changed))
        window._changed(None)
        window.statusBar().showMessage(count(
            len(result.created_ids), "Imported %n customer. Press Ctrl+Z to undo.",
            "Imported %n customers. Press Ctrl+Z to undo."), 8000)

    commands: dict[str, ImportPurchases] = {}

    def purchases_imported(result, plan) -> None:
        command = ImportPurchases(window.session, result, plan, window._changed)
        commands[result.batch] = command
        window.undo_stack.push(command)
        window._changed(None)
        window.statusBar().showMessage(count(
            len(result.purchase_ids), "Imported %n sale. Press Ctrl+Z to undo.",
            "Imported %n sales. Press Ctrl+Z to undo."), 8000)

    def undo_purchase_import(result) -> None:
        stack, command = window.undo_stack, commands.get(result.batch)
        if command is not None and stack.index() > 0 and \
                stack.command(stack.index() - 1) is command:
            stack.undo()  # the top step: Edit ▸ Redo brings it back
        elif command is not None and command._written:
            command.undo()  # other steps came after it: take it back on its own
            command.setObsolete(True)

    wizard.imported.connect(imported)
    wizard.purchases_imported.connect(purchases_imported)
    wizard.undo_purchase_import = undo_purchase_import
    window.import_wizard = wizard
    wizard.open()
    return wizard


def install(window) -> None:
    """Add File ▸ Import customers… (Ctrl+I), before the Settings entry. Once only: a second
    call changes nothing (two entries would make Ctrl+I ambiguous)."""
    if getattr(window, "import_action", None) is not None:
        return
    action = QAction(tr("Import customers…"), window)
    action.setShortcut(QKeySequence("Ctrl+I"))
    action.setStatusTip(tr("Bring customers in from a CSV, Excel or vCard file"))
    action.triggered.connect(lambda: open_wizard(window))
    menu = window.file_menu
    actions = menu.actions()
    settings = getattr(window, "settings_action", None)
    if settings in actions:
        at = actions.index(settings)
        before = actions[at - 1] if at > 0 and actions[at - 1].isSeparator() else settings
        menu.insertAction(before, action)
    else:
        menu.addAction(action)
    window.import_action = action
    purchases = QAction(tr("Import purchase history…"), window)
    purchases.setStatusTip(tr("Bring in the sales from your till's export, matched to your "
                              "customers"))
    purchases.triggered.connect(lambda: open_wizard(window, "purchases"))
    at = menu.actions().index(action)
    following = menu.actions()[at + 1] if at + 1 < len(menu.actions()) else None
    if following is not None:
        menu.insertAction(following, purchases)
    else:
        menu.addAction(purchases)
    window.import_purchases_action = purchases
