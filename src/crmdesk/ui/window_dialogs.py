"""The main window's dialogs that stand apart from the customer list: settings, sample
customers, About. A mixin of MainWindow (it uses the window's session, formatter and pages)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from crmdesk import __version__
from crmdesk.ui.formatting import Formatter, count
from crmdesk.ui.workers import BackgroundJob

SAMPLE_CUSTOMERS = 200


class WindowDialogs:
    def open_settings(self) -> None:
        from crmdesk.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.session.settings, self)

        dialog.accepted.connect(lambda: self.apply_settings(dialog.value))
        self.settings_dialog = dialog
        dialog.open()

    def apply_settings(self, value) -> None:
        """Save the shop's settings and show everything the way they ask."""
        self.session.save_settings(value)
        self.formatter = Formatter(self.session.settings, self.session.fallback_country)
        for view in (self.model, self.trash_model, self.card, self.today_page):
            view.set_formatter(self.formatter)
        self.setWindowTitle(self._title())
        self._changed(self.customers_page.current_id())
        # Lead times, the reminder hour or Feb 29 may have changed what Today shows
        # (_changed refreshes Today when it is the open page; say so for the others).
        self._today_dirty = True
        self._update_today_badge()

    def ask_shop_setup(self) -> None:
        """A new book's first start: the shop's country, currency and date format first."""
        from crmdesk.ui.shop_setup import ShopSetupPage

        self.shop_setup = ShopSetupPage(self.session.settings, self.session.today())
        self.shop_setup.saved.connect(self._shop_setup_saved)
        self.first_run.show_setup(self.shop_setup)

    def _shop_setup_saved(self, value) -> None:
        self.first_run.show_welcome()
        self.shop_setup = None
        self.apply_settings(value)
        self.first_run.add_button.setFocus()

    def finish_shop_setup(self) -> None:
        """Adding a customer (or samples) while the questions show keeps what they show."""
        if getattr(self, "shop_setup", None) is not None:
            self.shop_setup.save()

    def load_samples(self) -> None:
        if self._job is not None:
            return
        have = self.session.customers.count()
        if have:  # a book in use: samples would mix with real customers, so ask first
            answer = QMessageBox.question(
                self, self.tr("Load sample customers"),
                count(have, "Your customer book already has %n customer.",
                      "Your customer book already has %n customers.") + " "
                + self.tr("Add %1 sample customers to it?").replace("%1", str(SAMPLE_CUSTOMERS))
                + "\n\n" + self.tr("They carry the tag “sample”, and File ▸ Remove "
                                    "sample customers takes them all out again."),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.finish_shop_setup()
        self.first_run.set_busy(self.tr("Adding sample customers…"))
        self.sample_action.setEnabled(False)
        job = BackgroundJob(lambda progress: self.session.add_sample_customers(
            SAMPLE_CUSTOMERS, progress), self)
        job.progress.connect(lambda done, total: self.statusBar().showMessage(
            self.tr("Adding sample customers: %1 of %2").replace("%1", str(done))
            .replace("%2", str(total))))
        job.succeeded.connect(lambda added: self.statusBar().showMessage(
            count(added, "Added %n sample customer.", "Added %n sample customers."), 6000))
        job.failed.connect(lambda message: QMessageBox.warning(
            self, "crmdesk", self.tr("The sample customers could not be added: %1")
            .replace("%1", message)))
        job.finished.connect(self._samples_finished)
        self._job = job
        job.start()

    def _samples_finished(self) -> None:
        self._job = None
        self.first_run.set_busy("")
        self.sample_action.setEnabled(True)
        self._changed(None)

    def remove_samples(self) -> None:
        """Every sample customer (tagged "sample") to Trash, in one step Edit ▸ Undo takes back."""
        from crmdesk.core.demo import sample_ids

        ids = sample_ids(self.session.db)
        if not ids:
            self.statusBar().showMessage(
                self.tr("There are no sample customers to remove."), 6000)
            return
        self.trash(ids)

    def _update_sample_actions(self) -> None:
        """File menu about to show: Remove sample customers only when there are some."""
        from crmdesk.core.demo import sample_ids

        self.remove_samples_action.setEnabled(self._job is None
                                              and bool(sample_ids(self.session.db)))

    def show_about(self) -> None:
        QMessageBox.about(
            self, self.tr("About crmdesk"),
            self.tr("<h3>crmdesk %1</h3><p>Your customer book, with reminders. "
                    "Everything stays on this computer.</p><p>Your customer book is kept in:"
                    "<br><code>%2</code></p>")
            .replace("%1", __version__).replace("%2", str(self.session.path)))
