"""The settings dialog edits BusinessSettings and hands them back; it never writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from crmdesk.core import settings as settings_store
from crmdesk.core.settings import DATE_FORMATS, BusinessSettings
from crmdesk.ui.settings_dialog import SettingsDialog, countries

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def open_dialog(qtbot):
    def make(current: BusinessSettings) -> SettingsDialog:
        dialog = SettingsDialog(current, today=TODAY, autostart=FakeAutostart())
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def save(qtbot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_round_trip_through_the_database(qtbot, open_dialog, db):
    settings_store.save(db, BusinessSettings(shop_name="Old name", default_country="GB",
                                             currency="EUR", date_format="yyyy-MM-dd"))
    dialog = open_dialog(settings_store.load(db))
    assert dialog.shop_name.text() == "Old name"
    assert dialog.country.currentText() == "United Kingdom"
    assert dialog.currency.currentData() == "EUR"
    assert dialog.date_format.currentText() == "2026-03-10 (year-month-day)"

    dialog.shop_name.selectAll()
    qtbot.keyClicks(dialog.shop_name, "  Maria's   Jewels ")
    dialog.country.setCurrentIndex(dialog.country.findData("DE"))
    dialog.currency.lineEdit().selectAll()
    qtbot.keyClicks(dialog.currency.lineEdit(), "chf")
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.date_format.setCurrentIndex(dialog.date_format.findData("d MMM yyyy"))
    save(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = BusinessSettings(shop_name="Maria's Jewels", default_country="DE",
                                currency="CHF", language="en", date_format="d MMM yyyy")
    assert dialog.value == expected
    assert settings_store.load(db).shop_name == "Old name"  # the caller saves, not the dialog
    settings_store.save(db, dialog.value)
    assert settings_store.load(db) == expected


def test_defaults_come_back_as_defaults(qtbot, open_dialog):
    dialog = open_dialog(BusinessSettings())
    assert dialog.country.currentText() == "Use this computer's setting"
    assert dialog.currency.currentText().startswith("This computer's currency")
    assert dialog.date_format.currentText().startswith("This computer's format")
    save(qtbot, dialog)
    assert dialog.value == BusinessSettings()


def test_every_date_format_shows_today_as_an_example(open_dialog):
    dialog = open_dialog(BusinessSettings())
    shown = {dialog.date_format.itemData(i): dialog.date_format.itemText(i)
             for i in range(dialog.date_format.count())}
    assert list(shown) == list(DATE_FORMATS)
    assert shown["dd/MM/yyyy"] == "10/03/2026 (day/month/year)"
    assert shown["MM/dd/yyyy"] == "03/10/2026 (month/day/year)"
    assert shown["d MMM yyyy"].startswith("10 ") and shown["d MMM yyyy"].endswith(" 2026")


def test_a_currency_that_is_not_a_code_is_refused(qtbot, open_dialog):
    dialog = open_dialog(BusinessSettings())
    dialog.currency.lineEdit().selectAll()
    qtbot.keyClicks(dialog.currency.lineEdit(), "12")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.value is None
    assert dialog.currency_error.isVisible()

    dialog.currency.lineEdit().selectAll()
    qtbot.keyClicks(dialog.currency.lineEdit(), "usd")
    assert not dialog.currency_error.isVisible()
    save(qtbot, dialog)
    assert dialog.value.currency == "USD"


def test_cancel_gives_no_value(qtbot, open_dialog):
    dialog = open_dialog(BusinessSettings(shop_name="Shop"))
    qtbot.keyClicks(dialog.shop_name, " more")
    qtbot.keyClick(dialog.shop_name, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.value is None


def test_countries_are_iso_codes_with_names():
    listed = dict(countries())
    assert listed["GB"] == "United Kingdom"
    assert listed["DE"] == "Germany"
    assert "EU" not in listed
    assert all(len(code) == 2 and code.isupper() for code in listed)


# --- the Reminders tab --------------------------------------------------------------------------


class FakeAutostart:
    """desktop.autostart's interface, remembering calls instead of touching ~/.config."""

    def __init__(self, enabled: bool = False, error: OSError | None = None):
        self.enabled = enabled
        self.error = error
        self.calls: list[tuple] = []

    def is_enabled(self) -> bool:
        return self.enabled

    def launch_command(self) -> list[str]:
        return ["/opt/crmdesk/crmdesk"]

    def enable(self, command=None) -> None:
        self.calls.append(("enable", command))
        if self.error:
            raise self.error
        self.enabled = True

    def disable(self) -> None:
        self.calls.append(("disable",))
        if self.error:
            raise self.error
        self.enabled = False


@pytest.fixture
def open_reminders(qtbot):
    def make(current: BusinessSettings, autostart: FakeAutostart | None = None) -> SettingsDialog:
        dialog = SettingsDialog(current, today=TODAY, autostart=autostart or FakeAutostart())
        qtbot.addWidget(dialog)
        dialog.show_reminders()
        dialog.open()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def click(qtbot, box) -> None:
    # On the tick itself: a check box in a wide row is wider than its tick and words.
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def ticks(dialog: SettingsDialog, kind: str) -> dict[int, bool]:
    return {days: box.isChecked() for days, box in dialog.reminders.leads[kind].ticks.items()}


def test_defaults_tick_a_week_before_and_on_the_day(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings())
    assert dialog.tabs.currentWidget() is dialog.reminders
    birthday = dialog.reminders.leads["birthday"]
    assert [box.text() for box in birthday.ticks.values()] == [
        "a week before", "the day before", "on the day"]
    assert ticks(dialog, "birthday") == {7: True, 1: False, 0: True}
    assert ticks(dialog, "custom") == {7: False, 1: False, 0: True}
    assert not birthday.other.isChecked() and not birthday.other_days.isEnabled()
    assert dialog.reminders.hour.text() == "09:00"
    assert dialog.reminders.feb29.currentText() == "28 February"
    assert dialog.reminders.keep_in_touch.isChecked()
    save(qtbot, dialog)
    assert dialog.value == BusinessSettings()


def test_unticking_a_week_before_leaves_on_the_day(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings())
    click(qtbot, dialog.reminders.leads["birthday"].ticks[7])
    save(qtbot, dialog)
    assert dialog.value.remind_birthday_days == "0"
    assert dialog.value.remind_anniversary_days == "7,0"


def test_nothing_ticked_means_no_reminders(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings())
    lead = dialog.reminders.leads["anniversary"]
    click(qtbot, lead.ticks[7])
    click(qtbot, lead.ticks[0])
    save(qtbot, dialog)
    assert dialog.value.remind_anniversary_days == ""


def test_the_day_before_and_other_days(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings())
    lead = dialog.reminders.leads["custom"]
    click(qtbot, lead.ticks[1])
    click(qtbot, lead.other)
    assert lead.other_days.isEnabled()
    lead.other_days.lineEdit().selectAll()
    qtbot.keyClicks(lead.other_days.lineEdit(), "14")
    save(qtbot, dialog)
    assert dialog.value.remind_custom_days == "14,1,0"


def test_stored_leads_show_as_ticks_and_come_back_the_same(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings(remind_birthday_days="1, 30",
                                             remind_custom_days="14,3,0",
                                             remind_anniversary_days="soon"))
    birthday = dialog.reminders.leads["birthday"]
    assert ticks(dialog, "birthday") == {7: False, 1: True, 0: False}
    assert birthday.other.isChecked() and birthday.other_days.value() == 30
    custom = dialog.reminders.leads["custom"]
    assert custom.other_days.value() == 3
    assert custom.note.isVisible() and "14" in custom.note.text()
    assert dialog.reminders.leads["anniversary"].note.isVisible()
    save(qtbot, dialog)
    # Untouched lines are handed back exactly, even those the ticks cannot show.
    assert dialog.value.remind_birthday_days == "1, 30"
    assert dialog.value.remind_custom_days == "14,3,0"
    assert dialog.value.remind_anniversary_days == "soon"


def test_changing_a_line_the_ticks_cannot_fully_show_replaces_it(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings(remind_custom_days="14,3,0"))
    click(qtbot, dialog.reminders.leads["custom"].ticks[7])
    save(qtbot, dialog)
    assert dialog.value.remind_custom_days == "7,3,0"


def test_appointment_minutes_hour_and_feb29_round_trip(qtbot, open_reminders, db):
    dialog = open_reminders(BusinessSettings())
    reminders_page = dialog.reminders
    reminders_page.appointment_minutes.lineEdit().selectAll()
    qtbot.keyClicks(reminders_page.appointment_minutes.lineEdit(), "1500")
    assert reminders_page.appointment_words.text() == "(1 day 1 hour)"
    reminders_page.hour.lineEdit().selectAll()
    qtbot.keyClicks(reminders_page.hour.lineEdit(), "7")
    qtbot.keyClick(reminders_page.hour, Qt.Key.Key_Up)
    assert reminders_page.hour.text() == "08:00"
    reminders_page.feb29.setCurrentIndex(reminders_page.feb29.findText("1 March"))
    save(qtbot, dialog)
    assert dialog.value.remind_appointment_minutes == 1500
    assert dialog.value.remind_hour == 8
    assert dialog.value.feb29 == "mar1"

    settings_store.save(db, dialog.value)
    again = open_reminders(settings_store.load(db))
    assert again.reminders.appointment_minutes.value() == 1500
    assert again.reminders.hour.text() == "08:00"
    assert again.reminders.feb29.currentData() == "mar1"
    save(qtbot, again)
    assert again.value == dialog.value


def test_keep_in_touch_can_be_turned_off_and_on(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings())
    click(qtbot, dialog.reminders.keep_in_touch)
    save(qtbot, dialog)
    assert dialog.value.remind_keep_in_touch is False

    dialog = open_reminders(dialog.value)
    assert not dialog.reminders.keep_in_touch.isChecked()
    click(qtbot, dialog.reminders.keep_in_touch)
    save(qtbot, dialog)
    assert dialog.value.remind_keep_in_touch is True


def test_values_the_dialog_does_not_change_are_kept_exactly(qtbot, open_reminders):
    # Out-of-range or unknown stored values the widgets cannot hold are not "corrected".
    odd = BusinessSettings(shop_name="Deli", remind_hour=25, remind_appointment_minutes=99999,
                           feb29="leap", remind_custom_days="")
    dialog = open_reminders(odd)
    save(qtbot, dialog)
    assert dialog.value == odd


def test_start_at_login_shows_whether_it_is_on(open_reminders):
    assert not open_reminders(BusinessSettings()).start_at_login.isChecked()
    assert open_reminders(BusinessSettings(),
                          FakeAutostart(enabled=True)).start_at_login.isChecked()


def test_ticking_start_at_login_enables_it_with_the_launch_command(qtbot, open_reminders):
    autostart = FakeAutostart()
    dialog = open_reminders(BusinessSettings(), autostart)
    click(qtbot, dialog.start_at_login)
    save(qtbot, dialog)
    assert autostart.calls == [("enable", ["/opt/crmdesk/crmdesk"])]


def test_unticking_start_at_login_disables_it(qtbot, open_reminders):
    autostart = FakeAutostart(enabled=True)
    dialog = open_reminders(BusinessSettings(), autostart)
    click(qtbot, dialog.start_at_login)
    save(qtbot, dialog)
    assert autostart.calls == [("disable",)]


@pytest.mark.parametrize("enabled", [False, True])
def test_start_at_login_left_alone_is_not_touched(qtbot, open_reminders, enabled):
    autostart = FakeAutostart(enabled=enabled)
    dialog = open_reminders(BusinessSettings(), autostart)
    click(qtbot, dialog.start_at_login)
    click(qtbot, dialog.start_at_login)  # back as it was
    save(qtbot, dialog)
    assert autostart.calls == []


def test_start_at_login_failing_is_told_and_the_settings_are_still_saved(
        qtbot, open_reminders, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *rest: shown.append(text))
    autostart = FakeAutostart(error=PermissionError(13, "Permission denied"))
    dialog = open_reminders(BusinessSettings(), autostart)
    click(qtbot, dialog.start_at_login)
    click(qtbot, dialog.reminders.keep_in_touch)
    save(qtbot, dialog)
    assert autostart.calls == [("enable", ["/opt/crmdesk/crmdesk"])]
    assert len(shown) == 1
    assert "could not be set to start when you log in" in shown[0]
    assert "Permission denied" in shown[0]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.value.remind_keep_in_touch is False


def test_a_bad_currency_brings_the_shop_tab_back(qtbot, open_reminders):
    dialog = open_reminders(BusinessSettings())
    dialog.currency.lineEdit().setText("12")
    save(qtbot, dialog)
    assert dialog.value is None
    assert dialog.tabs.currentIndex() == 0
    assert dialog.currency_error.isVisible()
