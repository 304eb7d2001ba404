"""The add/edit customer dialog. It never saves: it checks with `validate` and hands back a value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core import phones
from crmdesk.core.model import CustomerInput
from crmdesk.core.validation import ValidationError, display_name
from crmdesk.ui.customers.date_rows import DatesEditor
from crmdesk.ui.customers.editor_parts import (
    ConsentBoxes,
    FieldError,
    TagCompleter,
    default_format_date,
    error_colour,
    error_label,
    form_layout,
    invalid_style,
    padded_page,
    rule_message,
    scrolled,
    split_tags,
    warning_colour,
)

_LINES = ("first_name", "last_name", "business_name", "phone", "phone_alt", "whatsapp", "email",
          "postcode", "city", "country", "source", "diet", "sizes")
_BLOCKS = ("address", "notes", "likes", "dislikes")
_PHONES = ("phone", "phone_alt", "whatsapp")
# Where each error key of the rules is shown, in the order the fields appear.
_ORDER = ("business_name", "first_name", "last_name", "phone", "phone_alt", "whatsapp", "email",
          "address", "postcode", "city", "country", "status", "source", "tags",
          "keep_in_touch_days", "notes", "likes", "dislikes", "diet", "sizes")
_TAB_DATES = 2


class CustomerEditor(QDialog):
    """Add or edit one customer. After Save, `value` holds the checked, normalised input."""

    def __init__(self, validate: Callable[[CustomerInput], CustomerInput],
                 initial: CustomerInput | None = None, parent: QWidget | None = None,
                 known_tags: Iterable[str] = (), *,
                 format_date: Callable[[dt.date], str] = default_format_date):
        super().__init__(parent)
        self._validate = validate
        self.value: CustomerInput | None = None
        self.fields: dict[str, FieldError] = {}
        self.setObjectName("CustomerEditor")
        self.setStyleSheet(invalid_style(error_colour(self), warning_colour(self)))
        self._warned: dict[str, str] = {}  # phone field -> the unchecked number warned about
        self.setWindowTitle(self.tr("Edit {name}").format(name=display_name(initial))
                            if initial is not None and display_name(initial)
                            else self.tr("New customer"))
        self.setSizeGripEnabled(True)

        self.banner = error_label()
        # "A phone number could not be checked... Save again": amber, above the tabs.
        self.notice = error_label()
        self.notice.setObjectName("phoneNotice")
        self.notice.setProperty("role", "warning")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.dates = DatesEditor()
        self.consents = ConsentBoxes(format_date)
        self.tabs.addTab(scrolled(self._details_page(known_tags)), self.tr("Details"))
        self.tabs.addTab(scrolled(self._taste_page()), self.tr("Taste && notes"))
        self.tabs.addTab(scrolled(padded_page(self.dates, self.tr(
            "You are reminded of these days before they come."))), self.tr("Dates"))
        self.tabs.addTab(scrolled(padded_page(self.consents, self.tr(
            "Tick the ways this customer agreed to hear from you. The date is kept as a "
            "record."))), self.tr("Consent"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        # Fits a 1366x768 screen at 125% scaling (about 1090x570 usable) with room to spare.
        self.setMinimumSize(760, 440)
        self.resize(800, 520)

        self._load(initial or CustomerInput())
        if initial is not None:  # numbers already marked "to check" say so from the start
            self._warn_phones(initial)
        self._baseline = self.current()
        self._connect_clearing()
        (self.business_name if self.is_business() else self.first_name).setFocus()

    # --- building ------------------------------------------------------------------------

    def _field(self, name: str, widget: QWidget, *extra: QWidget) -> QWidget:
        widget.setObjectName(name)
        setattr(self, name, widget)
        self.fields[name] = FieldError(widget, *extra)
        return self.fields[name].box

    def _line(self, name: str, placeholder: str = "") -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        return self._field(name, edit)

    def _block(self, name: str, placeholder: str = "", lines: int = 3,
               grow: bool = False) -> QWidget:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(placeholder)
        height = edit.fontMetrics().lineSpacing() * lines + 14
        box = self._field(name, edit)
        if grow:
            edit.setMinimumHeight(height)
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        else:
            edit.setFixedHeight(height)
        return box

    def _details_page(self, known_tags: Iterable[str]) -> QWidget:
        self.person_radio = QRadioButton(self.tr("A person"))
        self.business_radio = QRadioButton(self.tr("A business"))
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.person_radio)
        self.kind_group.addButton(self.business_radio)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.person_radio)
        kind_row.addWidget(self.business_radio)
        kind_row.addStretch(1)

        self._names = contact = form_layout()
        self._names.addRow(self.tr("This customer is"), kind_row)
        self._first_label, self._last_label, self._business_label = QLabel(), QLabel(), QLabel()
        self._name_boxes = {"first_name": self._line("first_name"),
                            "last_name": self._line("last_name"),
                            "business_name": self._line("business_name")}
        for label, name in ((self._first_label, "first_name"), (self._last_label, "last_name"),
                            (self._business_label, "business_name")):
            contact.addRow(label, self._name_boxes[name])
        contact.addRow(self.tr("Phone"), self._line("phone"))
        contact.addRow(self.tr("Second phone"), self._line("phone_alt"))
        self.same_as_phone = QCheckBox(self.tr("Same as phone"))
        contact.addRow(self.tr("WhatsApp"), self._field("whatsapp", QLineEdit(), self.same_as_phone))
        contact.addRow(self.tr("Email"), self._line("email", self.tr("name@example.com")))
        left = QGroupBox(self.tr("Name and contact"))
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(contact)
        left_layout.addStretch(1)

        self.status = QComboBox()
        for key, text in (("prospect", self.tr("Prospect (not bought yet)")),
                          ("customer", self.tr("Customer")),
                          ("former", self.tr("Former customer"))):
            self.status.addItem(text, key)
        self.tags = QLineEdit()
        self.tags.setCompleter(TagCompleter(known_tags, self.tags))
        self.keep_in_touch_days = QSpinBox()
        self.keep_in_touch_days.setRange(0, 3650)
        self.keep_in_touch_days.setSpecialValueText(self.tr("Off"))
        self.keep_in_touch_days.setSuffix(self.tr(" days"))
        self.keep_in_touch_days.setToolTip(self.tr(
            "You are reminded when you have not been in touch for this long."))
        self.do_not_contact = QCheckBox(self.tr("Does not want to be contacted"))
        self.do_not_contact.setObjectName("do_not_contact")
        right = QGroupBox(self.tr("Address and relationship"))
        form = form_layout()
        right.setLayout(form)
        form.addRow(self.tr("Address"), self._block("address", lines=2))
        form.addRow(self.tr("Postcode"), self._line("postcode"))
        form.addRow(self.tr("City"), self._line("city"))
        form.addRow(self.tr("Country"), self._line("country", self.tr("Where they come from")))
        form.addRow(self.tr("Status"), self._field("status", self.status))
        form.addRow(self.tr("How they found us"),
                    self._line("source", self.tr("Walked in, a friend, Instagram...")))
        form.addRow(self.tr("Tags"), self._field("tags", self.tags))
        self.tags.setPlaceholderText(self.tr("Separate with commas: VIP, wedding"))
        form.addRow(self.tr("Keep in touch every"),
                    self._field("keep_in_touch_days", self.keep_in_touch_days))
        form.addRow("", self.do_not_contact)

        page = QWidget()
        layout = QHBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(left, 1)
        layout.addWidget(right, 1)
        self.person_radio.toggled.connect(self._arrange_names)
        self.same_as_phone.toggled.connect(self._same_as_phone_toggled)
        self.phone.textChanged.connect(self._mirror_phone)
        return page

    def _taste_page(self) -> QWidget:
        page = QWidget()
        form = form_layout()
        form.setContentsMargins(10, 10, 10, 10)
        page.setLayout(form)
        form.addRow(self.tr("About them"), self._block(
            "notes", self.tr("Personality, family, what to remember next time"), 4, grow=True))
        form.addRow(self.tr("Likes"), self._block(
            "likes", self.tr("Favourite products, colours, brands"), 2, grow=True))
        form.addRow(self.tr("Dislikes"), self._block("dislikes", "", 2, grow=True))
        form.addRow(self.tr("Diet"), self._line("diet", self.tr("Vegetarian, no nuts...")))
        form.addRow(self.tr("Sizes"), self._line("sizes", self.tr("Dress 38, shoes 39, ring 52")))
        return page

    def _arrange_names(self) -> None:
        for _ in range(3):
            self._names.takeRow(1)
        if self.is_business():
            order = ("business_name", "first_name", "last_name")
            self._business_label.setText(self.tr("Business name"))
            self._first_label.setText(self.tr("Contact first name"))
            self._last_label.setText(self.tr("Contact last name"))
        else:
            order = ("first_name", "last_name", "business_name")
            self._first_label.setText(self.tr("First name"))
            self._last_label.setText(self.tr("Last name"))
            self._business_label.setText(self.tr("Works at"))
        labels = {"first_name": self._first_label, "last_name": self._last_label,
                  "business_name": self._business_label}
        for row, name in enumerate(order, start=1):
            self._names.insertRow(row, labels[name], self._name_boxes[name])
            labels[name].show()
            self._name_boxes[name].show()
        self.fields["business_name"].clear()
        self.fields["first_name"].clear()
        self._set_tab_order(order)

    def _set_tab_order(self, names: tuple[str, ...]) -> None:
        """Tab follows what the eye sees, whichever way the names are arranged."""
        chain = [self.person_radio, self.business_radio, *(getattr(self, n) for n in names),
                 self.phone, self.phone_alt, self.whatsapp, self.same_as_phone, self.email,
                 self.address, self.postcode, self.city, self.country, self.status, self.source,
                 self.tags, self.keep_in_touch_days, self.do_not_contact]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)

    def _same_as_phone_toggled(self, on: bool) -> None:
        self.whatsapp.setEnabled(not on)
        if on:
            self.whatsapp.setText(self.phone.text())

    def _mirror_phone(self, text: str) -> None:
        if self.same_as_phone.isChecked():
            self.whatsapp.setText(text)

    # --- values --------------------------------------------------------------------------

    def is_business(self) -> bool:
        return self.business_radio.isChecked()

    def _load(self, data: CustomerInput) -> None:
        (self.business_radio if data.kind == "business" else self.person_radio).setChecked(True)
        self._arrange_names()
        for name in _LINES:
            getattr(self, name).setText(getattr(data, name) or "")
        for name in _BLOCKS:
            getattr(self, name).setPlainText(getattr(data, name) or "")
        self.same_as_phone.setChecked(bool(data.whatsapp) and data.whatsapp == data.phone)
        self.status.setCurrentIndex(max(0, self.status.findData(data.status)))
        self.tags.setText(", ".join(data.tags))
        self.keep_in_touch_days.setValue(data.keep_in_touch_days or 0)
        self.do_not_contact.setChecked(bool(data.do_not_contact))
        self.dates.set_dates(data.dates)
        self.consents.set_consents(data.consents)

    def current(self) -> CustomerInput:
        """What the widgets hold now, unchecked."""
        values = {name: getattr(self, name).text() for name in _LINES}
        values.update({name: getattr(self, name).toPlainText() for name in _BLOCKS})
        if self.same_as_phone.isChecked():
            values["whatsapp"] = values["phone"]
        keep = self.keep_in_touch_days.value()
        return CustomerInput(
            kind="business" if self.is_business() else "person", status=self.status.currentData(),
            tags=split_tags(self.tags.text()), do_not_contact=self.do_not_contact.isChecked(),
            keep_in_touch_days=keep or None, dates=self.dates.dates(),
            consents=self.consents.consents(), **values)

    def is_changed(self) -> bool:
        return self.current() != self._baseline

    # --- saving and errors ---------------------------------------------------------------

    def save(self) -> bool:
        """Check what was entered; accept when it is fine, otherwise mark what is wrong."""
        data = self.current()
        self.clear_errors()
        try:
            checked = self._validate(data)
        except ValidationError as exc:
            self._show_errors(exc.errors, data)
            return False
        for name in _PHONES:
            getattr(self, name).setText(getattr(checked, name))
        if self._warn_phones(checked):
            # A number not warned about yet: say so, and save when asked again.
            self.notice.setText(self.tr(
                "A phone number could not be checked. Correct it, or choose Save again to "
                "keep it as written (the customer list marks it “to check”)."))
            self.notice.show()
            self._mark_tabs()
            first = next(self.fields[n].field for n in _PHONES if self.fields[n].warned)
            self.tabs.setCurrentIndex(self._tab_of(first))
            first.setFocus()
            return False
        self.value = checked
        self.accept()
        return True

    def _warn_phones(self, checked: CustomerInput) -> bool:
        """Mark the numbers `checked` keeps unchecked; True when one was not warned about."""
        new = False
        for name in phones.unchecked_fields(checked.phone_check):
            if name not in self.fields:
                continue
            self.fields[name].warn(rule_message(phones.UNCHECKED))
            number = getattr(checked, name)
            if self._warned.get(name) != number:
                self._warned[name] = number
                new = True
        return new

    def clear_errors(self) -> None:
        for field in self.fields.values():
            field.clear()
        self.dates.clear_errors()
        self.banner.hide()
        self.notice.hide()
        self._mark_tabs()

    def _show_errors(self, errors: dict[str, str], data: CustomerInput) -> None:
        first = None
        other = []
        for key in _ORDER:
            if key in errors:
                self.fields[key].show(rule_message(errors[key]))
                first = first or self.fields[key].field
        for key, message in errors.items():
            if key.startswith("dates."):
                row = self.dates.show_error(int(key.split(".", 1)[1]), rule_message(message))
                if row is not None:
                    first = first or row.focus_target()
                    continue
            if key not in self.fields:
                other.append(rule_message(message))
        if other:
            self.banner.setText("\n".join(other))
            self.banner.show()
        self._show_normalised_phones(errors, data)
        self._mark_tabs()
        if first is not None:
            self.tabs.setCurrentIndex(self._tab_of(first))
            first.setFocus()

    def _show_normalised_phones(self, errors: dict[str, str], data: CustomerInput) -> None:
        """Show the international form of the phone numbers, and mark those kept unchecked
        (warned about with the other problems: the next Save keeps them)."""
        good = {name: getattr(data, name) for name in _PHONES if name not in errors}
        if not any(good.values()):
            return
        try:
            probe = self._validate(CustomerInput(first_name="-", **good))
        except ValidationError:
            return
        for name in good:
            if not (name == "whatsapp" and self.same_as_phone.isChecked()):
                getattr(self, name).setText(getattr(probe, name))
        self._warn_phones(probe)

    def _tab_of(self, widget: QWidget) -> int:
        for index in range(self.tabs.count()):
            if self.tabs.widget(index).isAncestorOf(widget):
                return index
        return 0

    def _mark_tabs(self) -> None:
        flagged = {self._tab_of(f.field) for f in self.fields.values() if f.shown or f.warned}
        if self.dates.has_errors():
            flagged.add(_TAB_DATES)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for index in range(self.tabs.count()):
            self.tabs.setTabIcon(index, warning if index in flagged else QIcon())

    def _connect_clearing(self) -> None:
        for name, field in self.fields.items():
            field.edited().connect(lambda *_args, n=name: self._clear_field(n))
        # The rules report a missing name on the first name; typing either name answers it.
        self.last_name.textEdited.connect(lambda: self._clear_field("first_name"))
        self.phone.textEdited.connect(lambda: self._clear_field("whatsapp")
                                      if self.same_as_phone.isChecked() else None)
        self.dates.changed.connect(self._mark_tabs)

    def _clear_field(self, name: str) -> None:
        if self.fields[name].shown or self.fields[name].warned:
            self.fields[name].clear()
            self._mark_tabs()

    # --- closing -------------------------------------------------------------------------

    def reject(self) -> None:
        if self.is_changed():
            answer = QMessageBox.question(
                self, self.tr("Discard your changes?"),
                self.tr("Discard your changes?\nWhat you typed here will not be saved."),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
