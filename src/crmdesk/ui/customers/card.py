"""The customer card: everything about one person or business, beside the list."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core import phones
from crmdesk.core.model import CustomerCard
from crmdesk.ui.customers import card_text
from crmdesk.ui.customers.card_appointments import AppointmentsSection
from crmdesk.ui.customers.card_sales import SalesSection
from crmdesk.ui.customers.card_text import esc
from crmdesk.ui.formatting import CHANNEL_NAMES, STATUS_NAMES, Formatter
from crmdesk.ui.icons import icon
from crmdesk.ui.widgets import Avatar, muted_colour, muted_label, section_title


class CustomerCardView(QWidget):
    editRequested = Signal(int)
    logRequested = Signal(int, str, str)  # customer id, channel, summary
    followUpAdded = Signal(int, str, object)  # customer id, title, date
    followUpToggled = Signal(int, bool)  # follow-up id, done
    #: a card was just shown (customer id, in Trash): parts filled by others follow it
    shown = Signal(int, bool)

    def __init__(self, formatter: Formatter, today=dt.date.today, parent=None):
        super().__init__(parent)
        self._fmt = formatter
        self._today = today
        self._card: CustomerCard | None = None

        self._stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)

        empty = muted_label(self.tr("Choose a customer in the list to see their card."))
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack.addWidget(empty)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        scroll.setWidget(body)
        self._scroll = scroll
        self._stack.addWidget(scroll)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 14, 16, 16)
        layout.setSpacing(10)

        # Header: avatar, name, status line, actions.
        header = QHBoxLayout()
        header.setSpacing(12)
        self._avatar = Avatar(52)
        header.addWidget(self._avatar, 0, Qt.AlignmentFlag.AlignTop)
        names = QVBoxLayout()
        names.setSpacing(2)
        self._name = QLabel()
        font = self._name.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self._name.setFont(font)
        self._name.setWordWrap(True)
        self._name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._subtitle = muted_label()
        self._tags = QLabel()
        self._tags.setTextFormat(Qt.TextFormat.RichText)
        names.addWidget(self._name)
        names.addWidget(self._subtitle)
        names.addWidget(self._tags)
        header.addLayout(names, 1)
        self._edit = QPushButton(icon("edit"), self.tr("Edit"))
        self._edit.setToolTip(self.tr("Change this customer's details"))
        self._edit.clicked.connect(lambda: self._card and self.editRequested.emit(self._card.id))
        header.addWidget(self._edit, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)

        self._warning = QLabel()
        self._warning.setObjectName("cardWarning")
        self._warning.setWordWrap(True)
        layout.addWidget(self._warning)

        contact = QHBoxLayout()
        contact.setSpacing(6)
        self._call = self._contact_button("phone", self.tr("Call"))
        self._whatsapp = self._contact_button("whatsapp", self.tr("WhatsApp"))
        self._mail = self._contact_button("mail", self.tr("Email"))
        for button in (self._call, self._whatsapp, self._mail):
            contact.addWidget(button)
        contact.addStretch(1)
        layout.addLayout(contact)

        # Quick log: channel + text + Enter.
        layout.addWidget(section_title(self.tr("Log a conversation")))
        log_row = QHBoxLayout()
        self._channel = QComboBox()
        for key, name in CHANNEL_NAMES.items():
            self._channel.addItem(self.tr(name), key)
        self._channel.setToolTip(self.tr("How you were in touch"))
        self._log = QLineEdit()
        self._log.setPlaceholderText(self.tr("What did you talk about? Enter saves"))
        self._log.setMinimumWidth(80)
        self._log.setClearButtonEnabled(True)
        self._log.returnPressed.connect(self._submit_log)
        log_row.addWidget(self._channel)
        log_row.addWidget(self._log, 1)
        layout.addLayout(log_row)

        layout.addWidget(section_title(self.tr("Important dates")))
        self._dates = self._text_label()
        layout.addWidget(self._dates)

        layout.addWidget(section_title(self.tr("Follow-ups")))
        self._follow_ups = QListWidget()
        self._follow_ups.setObjectName("followUps")
        self._follow_ups.setFrameShape(QFrame.Shape.NoFrame)
        self._follow_ups.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._follow_ups.itemChanged.connect(self._follow_up_changed)
        layout.addWidget(self._follow_ups)
        add_row = QHBoxLayout()
        self._follow_title = QLineEdit()
        self._follow_title.setPlaceholderText(self.tr("Something to do"))
        self._follow_title.setToolTip(self.tr("For example: call when the order arrives"))
        self._follow_title.setMinimumWidth(80)
        self._follow_title.returnPressed.connect(self._submit_follow_up)
        self._follow_due = QDateEdit()
        self._follow_due.setCalendarPopup(True)
        self._follow_due.setToolTip(self.tr("When it is due"))
        add = QToolButton()
        add.setIcon(icon("check"))
        add.setText(self.tr("Add"))
        add.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        add.clicked.connect(self._submit_follow_up)
        add_row.addWidget(self._follow_title, 1)
        add_row.addWidget(self._follow_due)
        add_row.addWidget(add)
        layout.addLayout(add_row)

        self.appointments = AppointmentsSection(formatter)  # filled by the window
        layout.addWidget(self.appointments)

        self.sales = SalesSection(formatter)  # filled by ui/sales_actions.py on `shown`
        layout.addWidget(self.sales)

        layout.addWidget(section_title(self.tr("Details")))
        self._details = self._text_label()
        layout.addWidget(self._details)

        layout.addWidget(section_title(self.tr("Taste and notes")))
        self._taste = self._text_label()
        layout.addWidget(self._taste)

        self._timeline_title = section_title(self.tr("Conversations"))
        layout.addWidget(self._timeline_title)
        self._timeline = self._text_label()
        layout.addWidget(self._timeline)
        layout.addStretch(1)

        focus_log = QShortcut(QKeySequence("Ctrl+L"), self)
        focus_log.setContext(Qt.ShortcutContext.WindowShortcut)
        focus_log.activated.connect(self.focus_log)
        self._stack.setCurrentIndex(0)

    # --- public ----------------------------------------------------------------------------

    @property
    def card(self) -> CustomerCard | None:
        return self._card

    def set_formatter(self, formatter: Formatter) -> None:
        self._fmt = formatter
        self.appointments.set_formatter(formatter)
        self.sales.set_formatter(formatter)
        if self._card is not None:
            self.show_card(self._card)

    def clear(self) -> None:
        self._card = None
        self._stack.setCurrentIndex(0)

    def focus_log(self) -> None:
        if self._card is not None and self._card.deleted_at is None:
            self._log.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self._log.selectAll()

    def show_card(self, card: CustomerCard) -> None:
        same = self._card is not None and self._card.id == card.id
        self._card = card
        data = card.data
        in_trash = card.deleted_at is not None
        self._avatar.set_name(card.name)
        self._name.setText(card.name)
        kind = self.tr("Business") if data.kind == "business" else ""
        parts = [self.tr(STATUS_NAMES.get(data.status, data.status))]
        if kind:
            parts.append(kind)
        parts.append(self.tr("last contact %1").replace(
            "%1", self._fmt.days_ago(card.last_contact, self._today())))
        self._subtitle.setText(" · ".join(parts))
        self._tags.setText(" ".join(
            f"<span style='background:{self._chip()};'>&nbsp;{esc(t)}&nbsp;</span>"
            for t in data.tags))
        self._tags.setVisible(bool(data.tags))

        warnings = []
        if in_trash:
            warnings.append(self.tr("This customer is in Trash. Restore them to make changes."))
        if data.do_not_contact:
            warnings.append(self.tr("Do not contact: this customer asked not to be contacted."))
        if data.phone_check:
            warnings.append(self.tr("A phone number could not be checked and is kept as "
                                    "written: check it with Edit."))
        self._warning.setText("\n".join(warnings))
        self._warning.setVisible(bool(warnings))

        self._call.setProperty("url", f"tel:{data.phone}" if data.phone else "")
        whatsapp = data.whatsapp or data.phone
        self._whatsapp.setProperty("url", f"https://wa.me/{phones.digits(whatsapp)}" if whatsapp else "")
        self._mail.setProperty("url", f"mailto:{data.email}" if data.email else "")
        for button in (self._call, self._whatsapp, self._mail):
            button.setEnabled(bool(button.property("url")) and not in_trash)
        self._edit.setEnabled(not in_trash)
        self._log.setEnabled(not in_trash)
        self._channel.setEnabled(not in_trash)
        if not same:
            self._log.clear()
            self._follow_title.clear()
        self._follow_due.setDisplayFormat(self._fmt.date_pattern())
        self._follow_due.setDate(_qdate(self._today() + dt.timedelta(days=7)))

        muted = self._muted()
        self._dates.setText(card_text.dates_html(card, self._fmt, muted, self.tr))
        self._fill_follow_ups(card)
        self._details.setText(card_text.details_html(card, self._fmt, muted, self.tr))
        self._taste.setText(card_text.taste_html(card, self._fmt, muted, self.tr))
        self._timeline_title.setText(self.tr("Conversations (%1)").replace(
            "%1", str(card.interaction_count)))
        self._timeline.setText(card_text.timeline_html(card, self._fmt, muted, self.tr))
        self._stack.setCurrentIndex(1)
        if not same:
            self._scroll.verticalScrollBar().setValue(0)
        self.shown.emit(card.id, in_trash)

    # --- building ------------------------------------------------------------------------

    def _contact_button(self, icon_name: str, text: str) -> QPushButton:
        button = QPushButton(icon(icon_name), text)
        button.clicked.connect(lambda: self._open_url(button.property("url")))
        return button

    def _open_url(self, url: str) -> None:
        from crmdesk.ui.contact_links import open_link

        self.link_message = open_link(self, url)  # says so when nothing opens the link

    def _text_label(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return label

    def _muted(self) -> str:
        return muted_colour(self).name()

    def _chip(self) -> str:
        return self.palette().color(QPalette.ColorRole.AlternateBase).name()

    def _fill_follow_ups(self, card: CustomerCard) -> None:
        self._follow_ups.blockSignals(True)
        self._follow_ups.clear()
        for item in card.follow_ups:
            text = f"{item.title} — {self._fmt.date(item.due_on)}"
            if item.overdue:
                text += " " + self.tr("(overdue)")
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            entry.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if item.done_at else Qt.CheckState.Unchecked)
            if item.done_at:
                font = entry.font()
                font.setStrikeOut(True)
                entry.setFont(font)
            self._follow_ups.addItem(entry)
        if not card.follow_ups:
            entry = QListWidgetItem(self.tr("Nothing to follow up."))
            entry.setFlags(Qt.ItemFlag.NoItemFlags)
            self._follow_ups.addItem(entry)
        rows = max(1, self._follow_ups.count())
        self._follow_ups.setFixedHeight(min(rows, 6) * (self._follow_ups.sizeHintForRow(0) + 2) + 4)
        self._follow_ups.blockSignals(False)

    # --- user actions ----------------------------------------------------------------------

    def _submit_log(self) -> None:
        text = self._log.text().strip()
        if self._card is None or not text:
            return
        self.logRequested.emit(self._card.id, self._channel.currentData(), text)
        self._log.clear()

    def _submit_follow_up(self) -> None:
        title = self._follow_title.text().strip()
        if self._card is None or not title:
            self._follow_title.setFocus()
            return
        due = self._follow_due.date()
        self.followUpAdded.emit(self._card.id, title, dt.date(due.year(), due.month(), due.day()))
        self._follow_title.clear()

    def _follow_up_changed(self, item: QListWidgetItem) -> None:
        follow_up_id = item.data(Qt.ItemDataRole.UserRole)
        if follow_up_id is not None:
            self.followUpToggled.emit(follow_up_id, item.checkState() == Qt.CheckState.Checked)


def _qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)
