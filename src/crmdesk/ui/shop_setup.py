"""The first start's question, on the welcome page: which country, currency and date format
the shop uses, prefilled from the computer's locale, so phone numbers typed without a country
code and money are read right from the first customer.

Shown inside the window (nothing modal blocks the start); "Continue" saves what is shown, the
prefilled values included, and the book is never asked again (`shop_setup_done`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core.settings import DATE_FORMATS, BusinessSettings
from crmdesk.ui.formatting import system_country
from crmdesk.ui.settings_dialog import countries, currencies, date_format_example
from crmdesk.ui.widgets import muted_label, page_title


def locale_date_format(locale: QLocale) -> str:
    """The one of DATE_FORMATS that writes dates in the order `locale` does (day, month and
    year), else "system"."""
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if locale.language() == QLocale.Language.C or not pattern:
        return "d MMM yyyy"
    order = "".join(c for c in pattern if c in "dMy")
    firsts = "".join(dict.fromkeys(order))  # "dMy", "Mdy", "yMd"
    return {"dMy": "dd/MM/yyyy", "Mdy": "MM/dd/yyyy", "yMd": "yyyy-MM-dd"}.get(firsts, "system")


class ShopSetupPage(QWidget):
    """Country, currency, date format (and the shop's name, optional). `saved` carries the
    settings to keep once Continue is pressed."""

    saved = Signal(object)  # BusinessSettings

    def __init__(self, settings: BusinessSettings, today: dt.date,
                 locale: QLocale | None = None, parent=None):
        super().__init__(parent)
        self._settings = settings
        locale = locale or QLocale.system()
        title = page_title(self.tr("First, tell crmdesk about your shop"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        intro = muted_label(self.tr(
            "crmdesk reads phone numbers typed without a country code as numbers of your "
            "country, shows prices in your currency and writes dates the way you read them. "
            "We filled in what this computer uses; change what is wrong. You can change it "
            "later in Settings."))
        intro.setAlignment(Qt.AlignmentFlag.AlignCenter)
        intro.setFixedWidth(520)
        intro.setMinimumHeight(intro.heightForWidth(520))

        self.shop_name = QLineEdit(settings.shop_name)
        self.shop_name.setPlaceholderText(self.tr("Optional, shown in the window's title"))
        self.country = QComboBox()
        self.country.setObjectName("setupCountry")
        for code, name in countries():
            self.country.addItem(name, code)
        country = settings.default_country or system_country(locale)
        self.country.setCurrentIndex(max(0, self.country.findData(country)))
        if not country:  # a computer that does not say: the owner must pick
            self.country.insertItem(0, self.tr("Choose your country"), "")
            self.country.setCurrentIndex(0)
        self.currency = QComboBox()
        self.currency.setObjectName("setupCurrency")
        for code, symbol in currencies():
            self.currency.addItem(code if symbol in ("", code) else f"{code} ({symbol})", code)
        currency = (settings.currency
                    or locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode))
        found = self.currency.findData(currency.upper()) if currency else -1
        if found < 0:  # the computer does not say: no currency is picked for the owner
            self.currency.insertItem(0, self.tr("Choose your currency"), "")
            found = 0
        self.currency.setCurrentIndex(found)
        self.date_format = QComboBox()
        self.date_format.setObjectName("setupDateFormat")
        for fmt in DATE_FORMATS:
            if fmt != "system":  # one plain choice, shown as today's date
                self.date_format.addItem(date_format_example(fmt, today, locale), fmt)
        wanted = (settings.date_format if settings.date_format != "system"
                  else locale_date_format(locale))
        self.date_format.setCurrentIndex(max(0, self.date_format.findData(wanted)))

        form = QFormLayout()
        form.addRow(self.tr("Country"), self.country)
        form.addRow(self.tr("Currency"), self.currency)
        form.addRow(self.tr("Dates look like"), self.date_format)
        form.addRow(self.tr("Shop name"), self.shop_name)
        form_box = QWidget()
        form_box.setLayout(form)
        form_box.setFixedWidth(420)

        self.continue_button = QPushButton(self.tr("Continue"))
        self.continue_button.setObjectName("setupContinue")
        self.continue_button.setDefault(True)
        self.continue_button.setMinimumHeight(36)
        self.continue_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addWidget(intro, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addWidget(form_box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addStretch(3)

    def value(self) -> BusinessSettings:
        return dataclasses.replace(
            self._settings,
            shop_name=" ".join(self.shop_name.text().split()),
            default_country=self.country.currentData() or "",
            currency=self.currency.currentData() or "",
            date_format=self.date_format.currentData() or "system",
            shop_setup_done=True)

    def save(self) -> None:
        self.saved.emit(self.value())
