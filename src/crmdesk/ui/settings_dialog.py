"""The shop's settings: name, country, currency, language and how dates are written (the Shop
tab), when reminders come (the Reminders tab, settings_reminders.py) and the loyalty program
(the Loyalty tab, settings_loyalty.py).

The dialog only edits: after Save, `value` holds the new BusinessSettings and the caller saves it.
The one thing it does itself is "Start crmdesk when I log in", through the `autostart` object it
is given (the desktop.autostart module unless a test hands it a fake).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from PySide6.QtCore import QCollator, QCoreApplication, QDate, QLocale
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.settings import DATE_FORMATS, BusinessSettings
from crmdesk.desktop import autostart as autostart_module
from crmdesk.ui.settings_loyalty import LoyaltySettings
from crmdesk.ui.settings_reminders import ReminderSettings

# Codes QLocale knows that are groups of countries, not countries.
_NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "ZZ"}
_CURRENCY = re.compile(r"\s*([A-Za-z]{3})\b")
LANGUAGES = ("system", "en")


def _tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


def countries() -> list[tuple[str, str]]:
    """(ISO 3166 alpha-2 code, name) for every country Qt knows, sorted by name."""
    found = {}
    for territory in QLocale.Country:
        code = QLocale.territoryToCode(territory)
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
            found[code] = QLocale.territoryToString(territory)
    collator = QCollator(QLocale())
    return sorted(found.items(), key=lambda item: collator.sortKey(item[1]))


def currencies() -> list[tuple[str, str]]:
    """(ISO 4217 code, symbol) for every currency used by a locale Qt knows, sorted by code."""
    found: dict[str, str] = {}
    for locale in QLocale.matchingLocales(QLocale.Language.AnyLanguage, QLocale.Script.AnyScript,
                                          QLocale.Country.AnyCountry):
        code = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
        if len(code) == 3 and code.isalpha():
            symbol = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol)
            if code not in found or len(symbol) < len(found[code]):
                found[code] = symbol
    return sorted(found.items())


def date_format_example(fmt: str, today: dt.date, locale: QLocale | None = None) -> str:
    """How today looks in `fmt`, e.g. "10/03/2026 (day/month/year)"."""
    locale = locale or QLocale()
    day = QDate(today.year, today.month, today.day)
    if fmt == "system":
        return _tr("This computer's format ({example})").format(
            example=locale.toString(day, QLocale.FormatType.ShortFormat))
    example = locale.toString(day, fmt)
    hint = {"dd/MM/yyyy": _tr("day/month/year"), "MM/dd/yyyy": _tr("month/day/year"),
            "yyyy-MM-dd": _tr("year-month-day")}.get(fmt)
    return f"{example} ({hint})" if hint else example


class SettingsDialog(QDialog):
    """Edit the business settings. After Save, `value` is the new BusinessSettings."""

    def __init__(self, settings: BusinessSettings, parent: QWidget | None = None, *,
                 today: dt.date | None = None, autostart=autostart_module,
                 categories: list[tuple[int, str]] | None = None):
        super().__init__(parent)
        self._settings = settings
        self._autostart = autostart
        self.value: BusinessSettings | None = None
        self.setWindowTitle(self.tr("Settings"))
        today = today or dt.date.today()

        self.shop_name = QLineEdit(settings.shop_name)
        self.shop_name.setPlaceholderText(self.tr("Shown on exports and printouts"))

        self.country = QComboBox()
        self.country.addItem(self.tr("Use this computer's setting"), "")
        for code, name in countries():
            self.country.addItem(name, code)
        self._select(self.country, settings.default_country.upper())
        country_note = QLabel(self.tr(
            "Phone numbers typed without a country code are read as numbers of this country."))

        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        system_code = QLocale().currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
        self.currency.addItem(self.tr("This computer's currency ({code})").format(code=system_code)
                              if system_code else self.tr("This computer's currency"), "")
        for code, symbol in currencies():
            self.currency.addItem(code if symbol in ("", code) else f"{code} ({symbol})", code)
        self._select(self.currency, settings.currency.upper())
        self.currency.setToolTip(self.tr("Pick from the list or type a three-letter code "
                                         "such as EUR."))
        self.currency_error = QLabel()
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        self.currency_error.setStyleSheet("color: %s;" % ("#ff8a80" if dark else "#b3261e"))
        self.currency_error.setWordWrap(True)
        self.currency_error.hide()
        self.currency.editTextChanged.connect(lambda _text: self.currency_error.hide())

        self.language = QComboBox()
        self.language.addItem(self.tr("Same as this computer"), "system")
        self.language.addItem("English", "en")  # a language is listed under its own name
        self._select(self.language, settings.language)
        language_note = QLabel(self.tr("More languages will come in a later version."))

        self.date_format = QComboBox()
        for fmt in DATE_FORMATS:
            self.date_format.addItem(date_format_example(fmt, today), fmt)
        self._select(self.date_format, settings.date_format)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Shop name"), self.shop_name)
        form.addRow(self.tr("Country"), self._stacked(self.country, country_note))
        form.addRow(self.tr("Currency"), self._stacked(self.currency, self.currency_error))
        form.addRow(self.tr("Language"), self._stacked(self.language, language_note))
        form.addRow(self.tr("Dates look like"), self.date_format)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        shop = QWidget()
        shop_layout = QVBoxLayout(shop)
        shop_layout.addLayout(form)
        shop_layout.addStretch(1)

        self.reminders = ReminderSettings(settings)
        self.start_at_login = self.reminders.start_at_login
        self._started_at_login = self._autostart_enabled()
        self.start_at_login.setChecked(self._started_at_login)

        if categories is None:
            categories = _categories_of(parent)
        symbol = (settings.currency or QLocale().currencySymbol(
            QLocale.CurrencySymbolFormat.CurrencySymbol))
        self.loyalty = LoyaltySettings(settings, categories, symbol)

        self.tabs = QTabWidget()
        self.tabs.addTab(shop, self.tr("Shop"))
        self.tabs.addTab(self.reminders, self.tr("Reminders"))
        self.tabs.addTab(self.loyalty, self.tr("Loyalty"))

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def show_reminders(self) -> None:
        self.tabs.setCurrentWidget(self.reminders)

    def show_loyalty(self) -> None:
        self.tabs.setCurrentWidget(self.loyalty)

    def _autostart_enabled(self) -> bool:
        try:
            return bool(self._autostart.is_enabled())
        except OSError:
            return False

    def _apply_start_at_login(self) -> None:
        """Turn start-at-login on or off if the tick changed; a failure is told, not fatal."""
        wanted = self.start_at_login.isChecked()
        if wanted == self._started_at_login:
            return
        try:
            if wanted:
                self._autostart.enable(self._autostart.launch_command())
            else:
                self._autostart.disable()
        except OSError as error:
            message = (self.tr("crmdesk could not be set to start when you log in.") if wanted
                       else self.tr("crmdesk could not be stopped from starting when you "
                                    "log in."))
            QMessageBox.warning(self, self.tr("Start when I log in"), "\n\n".join((
                message, self.tr("Your other settings are saved."),
                self.tr("Details: %1").replace("%1", error.strerror or str(error)))))
            return
        self._started_at_login = wanted

    @staticmethod
    def _stacked(field: QWidget, note: QLabel) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(note)
        if note.styleSheet() == "":
            note.setStyleSheet("color: palette(placeholder-text);")
        note.setWordWrap(True)
        return box

    @staticmethod
    def _select(combo: QComboBox, data: str) -> None:
        index = combo.findData(data)
        if index < 0 and data:
            # A value this list does not know (kept as it is rather than lost).
            combo.addItem(data, data)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    def _currency_code(self) -> str | None:
        text = self.currency.currentText().strip()
        index = self.currency.currentIndex()
        if index >= 0 and text == self.currency.itemText(index):
            return self.currency.itemData(index)
        if not text:
            return ""
        match = _CURRENCY.match(text)
        return match.group(1).upper() if match else None

    def save(self) -> bool:
        currency = self._currency_code()
        if currency is None:
            self.currency_error.setText(self.tr(
                "Type a three-letter currency code such as EUR, or pick one from the list."))
            self.currency_error.show()
            self.tabs.setCurrentIndex(0)
            self.currency.setFocus()
            return False
        try:
            loyalty_values = self.loyalty.values()
        except ValueError:
            self.show_loyalty()
            return False
        # replace() keeps any setting this dialog does not show.
        self.value = dataclasses.replace(
            self._settings,
            shop_name=" ".join(self.shop_name.text().split()),
            default_country=self.country.currentData(),
            currency=currency,
            language=self.language.currentData(),
            date_format=self.date_format.currentData(),
            **self.reminders.values(),
            **loyalty_values,
        )
        self._apply_start_at_login()
        self.accept()
        return True


def _categories_of(parent) -> list[tuple[int, str]]:
    """The shop's categories for the stamp card's choice, when the dialog's parent is the main
    window (it is given them otherwise)."""
    session = getattr(parent, "session", None)
    if session is None or not hasattr(session, "sales"):
        return []
    return [(c.id, c.name) for c in session.sales.catalogue.categories()]
