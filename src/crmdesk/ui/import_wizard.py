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

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QWizard

from crmdesk.core import importing
from crmdesk.core.customers import NotFound
from crmdesk.ui.formatting import count
from crmdesk.ui.import_customer_pages import (  # re-exported: the customer import's last pages
    ImportPage,
    SummaryPage,
    plan_summary,
)
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

__all__ = ["ImportCustomers", "ImportPage", "ImportWizard", "SummaryPage", "install",
           "open_wizard", "plan_summary"]


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


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
        table = self.state.table
        if page is self.preview_page and not purchases and table is not None and \
                table.kind == "json":  # a crmdesk export: everything comes back, no columns
            return self.page_ids[self.duplicates_page]
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
