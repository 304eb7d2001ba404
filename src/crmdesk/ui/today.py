"""The Today page: what is coming in the next two weeks, with one-click actions on each row.

Sections (important dates, appointments, follow-ups, keep in touch, rewards to give), each with
its count and an empty state in plain words. A row says when, who and what, and carries its actions:
Call, WhatsApp and Email (when the customer has that detail), Note a conversation, Snooze and
Done (its menu: done with a note, dismiss); a reward waiting (while a loyalty program runs)
also has Redeem, Sale (record what they buy now) and Open. What was handled today stays listed
in its place, greyed, with what became of it, so the owner sees the day's work. Double-click or
Enter opens the card.

The page only shows and asks; `today_actions.TodayActions` does the work through the session.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QLocale, Qt, QTime, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core import phones
from crmdesk.core.reminders import REWARDS_LISTED, Occurrence
from crmdesk.ui.formatting import (
    DATE_KIND_NAMES,
    Formatter,
    count,
    needs_you_detail,
    needs_you_words,
)
from crmdesk.ui.icons import icon
from crmdesk.ui.widgets import muted_colour, muted_label, page_title

#: Rows shown per section; past this a "…and N more" line (the card and list have the rest).
SECTION_LIMIT = 100
WARNING = QColor("#c0392b")
ROLE = Qt.ItemDataRole.UserRole
SECTIONS = (
    ("dates", ("birthday", "anniversary", "custom")),
    ("appointments", ("appointment",)),
    ("follow_ups", ("follow_up",)),
    ("keep_in_touch", ("keep_in_touch",)),
    ("rewards", ("reward",)),
)
COL_WHEN, COL_WHO, COL_WHAT, COL_ACTIONS = range(4)


class TodayPage(QWidget):
    openCustomer = Signal(int)
    addAppointmentRequested = Signal()
    logRequested = Signal(object)  # Occurrence
    snoozeRequested = Signal(object, str)  # Occurrence, "hour" | "tomorrow" | "pick"
    doneRequested = Signal(object, bool)  # Occurrence, with a note
    dismissRequested = Signal(object)  # Occurrence
    redeemRequested = Signal(object)  # Occurrence of a reward
    saleRequested = Signal(object)  # Occurrence of a reward: record what the customer buys

    def __init__(self, formatter: Formatter, parent=None):
        super().__init__(parent)
        self._fmt = formatter
        self.rewards_shown = False  # the Rewards section, while a loyalty program runs
        self.title = page_title(self.tr("Today"))
        self.needs_label = QLabel()  # "5 things need you today: …" (the side bar's number)
        self.needs_label.setObjectName("todayNeedsYou")
        self.needs_label.setWordWrap(True)
        font = self.needs_label.font()
        font.setBold(True)
        self.needs_label.setFont(font)
        self.subtitle = muted_label()
        self.needs_label.setText(self.tr("Counting what needs you today…"))
        self.add_button = QPushButton(icon("calendar"), self.tr("Add appointment…"))
        self.add_button.setObjectName("todayAddAppointment")
        self.add_button.clicked.connect(self.addAppointmentRequested)
        self.tree = QTreeWidget()
        self.tree.setObjectName("todayTree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([self.tr("When"), self.tr("Customer"), self.tr("What"), ""])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(0)
        self.tree.setAlternatingRowColors(False)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_WHO, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_ACTIONS, QHeaderView.ResizeMode.Fixed)
        # Narrow enough to leave "What" readable next to a reward row's many buttons.
        header.resizeSection(COL_WHEN, 135)
        header.resizeSection(COL_WHO, 175)
        self.tree.setStyleSheet("QTreeView#todayTree::item { padding: 3px 4px; }")
        self.tree.itemActivated.connect(self._activated)

        top = QHBoxLayout()
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.needs_label)
        words.addWidget(self.subtitle)
        top.addLayout(words, 1)
        top.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addSpacing(4)
        layout.addWidget(self.tree, 1)
        self.heads: dict[str, QTreeWidgetItem] = {}
        # Action buttons are made for the rows on screen only (about 1 ms a row otherwise).
        self._pending: dict[int, tuple] = {}  # id(item) -> (item, occurrence, handled)
        self._filling = False
        self.tree.verticalScrollBar().valueChanged.connect(lambda _v: self._fill_visible())
        self.tree.itemExpanded.connect(lambda _i: self._fill_visible())

    def set_formatter(self, formatter: Formatter) -> None:
        self._fmt = formatter

    def set_needs_you(self, total: int, by_kind: dict[str, int]) -> None:
        """The heading's count: what needs the owner today (the side bar's and tray's
        number), and what it is made of."""
        words = needs_you_words(total)
        words = words[:1].upper() + words[1:]
        detail = needs_you_detail(by_kind)
        self.needs_label.setText(f"{words}: {detail}." if detail else f"{words}.")

    # --- filling -------------------------------------------------------------------------

    def show_occurrences(self, items: list[Occurrence], states: dict[str, tuple],
                         today: dt.date, days: int) -> None:
        """`states`: key -> (state, snoozed until as an aware datetime or None) for what was
        handled (snoozed, dismissed, done); others are open."""
        self._today = today
        scroll = self.tree.verticalScrollBar().value()
        current = self.tree.currentItem()
        current_key = current.data(COL_WHEN, ROLE + 1) if current else None
        self.tree.setUpdatesEnabled(False)
        self._filling = True  # no buttons while building; the rows on screen get them after
        self._pending = {}
        self.tree.clear()
        self.heads = {}
        self.subtitle.setText(self.tr("%1 and the next %2 days. Double-click a row to open "
                                      "the customer's card.")
                              .replace("%1", self._fmt.weekday_date(today))
                              .replace("%2", str(days)))
        by_section: dict[str, list[Occurrence]] = {name: [] for name, _kinds in SECTIONS}
        for occ in items:
            for name, kinds in SECTIONS:
                if occ.kind in kinds:
                    by_section[name].append(occ)
        restore = None
        for name, _kinds in SECTIONS:
            rows = by_section[name]
            if name == "rewards" and not rows and not self.rewards_shown:
                continue
            handled = sum(1 for o in rows if o.key in states)
            head = self._section(name, len(rows) - handled, handled,
                                 more=name == "rewards" and len(rows) >= REWARDS_LISTED)
            if not rows:
                self._note(head, self._empty_text(name))
                continue
            # Handled rows stay where they are (greyed): nothing jumps under the mouse.
            for occ in rows[:SECTION_LIMIT]:
                item = self._row(head, occ, states.get(occ.key))
                if occ.key == current_key:
                    restore = item
            if len(rows) > SECTION_LIMIT:
                self._note(head, count(len(rows) - SECTION_LIMIT, "…and %n more",
                                       "…and %n more"))
        self.tree.expandAll()
        self.tree.header().resizeSection(COL_ACTIONS, self._actions_width())
        if restore is not None:
            self.tree.setCurrentItem(restore)
        self.tree.verticalScrollBar().setValue(scroll)
        self._filling = False
        self._fill_visible()
        self.tree.setUpdatesEnabled(True)

    def _section(self, name: str, open_count: int, handled: int,
                 more: bool = False) -> QTreeWidgetItem:
        titles = {"dates": "Important dates (%1)", "appointments": "Appointments (%1)",
                  "follow_ups": "Follow-ups (%1)", "keep_in_touch": "Keep in touch (%1)",
                  "rewards": "Rewards to give (%1)"}
        text = self.tr(titles[name]).replace("%1", f"{open_count}+" if more else str(open_count))
        if handled:
            text += "   " + self.tr("· %1 handled").replace("%1", str(handled))
        head = QTreeWidgetItem([text])
        head.setData(COL_WHEN, ROLE + 2, name)
        font = head.font(0)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.08)
        head.setFont(0, font)
        head.setFlags(Qt.ItemFlag.ItemIsEnabled)
        head.setBackground(0, QBrush(self.palette().alternateBase()))
        self.tree.addTopLevelItem(head)
        head.setFirstColumnSpanned(True)
        self.heads[name] = head
        return head

    def _note(self, head: QTreeWidgetItem, text: str) -> None:
        child = QTreeWidgetItem(["    " + text])
        child.setFlags(Qt.ItemFlag.ItemIsEnabled)
        child.setForeground(0, QBrush(muted_colour(self)))
        head.addChild(child)
        child.setFirstColumnSpanned(True)

    def _empty_text(self, name: str) -> str:
        return {
            "dates": self.tr("No birthdays or anniversaries in the next two weeks."),
            "appointments": self.tr("No appointments in the next two weeks."),
            "follow_ups": self.tr("Nothing to follow up. Well done!"),
            "keep_in_touch": self.tr("Everyone has heard from you recently."),
            "rewards": self.tr("No loyalty rewards waiting."),
        }[name]

    def _row(self, head: QTreeWidgetItem, occ: Occurrence, state) -> QTreeWidgetItem:
        when, overdue = self.when_text(occ)
        what = self.what_text(occ)
        if state is not None:
            what += "  —  " + self.state_text(*state)
        item = QTreeWidgetItem([when, occ.customer_name, what])
        item.setData(COL_WHEN, ROLE, occ.customer_id)
        item.setData(COL_WHEN, ROLE + 1, occ.key)
        item.setToolTip(COL_WHAT, occ.title)
        if state is not None:
            grey = QBrush(muted_colour(self))
            for column in range(3):
                item.setForeground(column, grey)
        elif overdue or occ.occurs_on == self._today:
            if overdue:
                item.setForeground(COL_WHEN, QBrush(WARNING))
            font = item.font(COL_WHEN)
            font.setBold(True)
            item.setFont(COL_WHEN, font)
        head.addChild(item)
        self._pending[id(item)] = (item, occ, state is not None)
        return item

    def _actions_width(self) -> int:
        kind = "reward" if self.rewards_shown else "follow_up"  # a reward row has the most
        widths = self.__dict__.setdefault("_widths", {})
        if kind not in widths:
            from crmdesk.core.reminders import Occurrence as Sample

            sample = Sample("", kind, 0, "", self._today, dt.datetime.now(dt.UTC), "")
            widths[kind] = self._actions(sample, False).sizeHint().width() + 12
        return widths[kind]

    def _fill_visible(self) -> None:
        """Give the rows on screen their buttons (and a screenful below, for smooth scrolling)."""
        if not self._pending or self._filling:
            return
        self._filling = True
        item = self.tree.itemAt(0, 0)
        limit = self.tree.viewport().height() + 60
        while item is not None:
            self.ensure_actions(item)
            if self.tree.visualItemRect(item).top() > limit:
                break
            item = self.tree.itemBelow(item)
        self._filling = False

    def ensure_actions(self, item: QTreeWidgetItem) -> QWidget | None:
        pending = self._pending.pop(id(item), None)
        if pending is not None:
            _item, occ, handled = pending
            self.tree.setItemWidget(item, COL_ACTIONS, self._actions(occ, handled))
        return self.tree.itemWidget(item, COL_ACTIONS)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fill_visible()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._fill_visible()

    # --- words -----------------------------------------------------------------------------

    def when_text(self, occ: Occurrence) -> tuple[str, bool]:
        """"today", "tomorrow", "in 3 days", a date; overdue ones say so (and are marked)."""
        if occ.kind == "reward":
            return self.tr("waiting"), False
        days = (occ.occurs_on - self._today).days
        if days < 0:
            text = (self.tr("yesterday (overdue)") if days == -1 else
                    count(-days, "%n day overdue", "%n days overdue", self._fmt.locale))
            return text, True
        if days <= 6:
            text = self._fmt.days_left(days)
        else:
            text = self._fmt.day_month(occ.occurs_on.day, occ.occurs_on.month)
            text = f"{self._fmt.locale.dayName(occ.occurs_on.isoweekday(), QLocale.FormatType.ShortFormat)} {text}"
        if occ.starts_at is not None:
            text += " " + self.tr("at %1").replace("%1", self._time(occ.starts_at))
        return text, False

    def what_text(self, occ: Occurrence) -> str:
        if occ.kind in DATE_KIND_NAMES:
            name = occ.label or self.tr(DATE_KIND_NAMES[occ.kind])
            if occ.years is not None:
                name += " · " + (self.tr("turns %1") if occ.kind == "birthday"
                                 else count(occ.years, "%n year", "%n years")
                                 ).replace("%1", str(occ.years))
            return name
        if occ.kind == "appointment":
            text = self.tr("Appointment at %1").replace("%1", self._time(occ.starts_at))
            return f"{text}, {occ.label}" if occ.label else text
        if occ.kind == "follow_up":
            return occ.label
        if occ.kind == "reward":
            return self.tr("Reward: %1").replace("%1", occ.label)
        found = re.search(r"(\d+) days?", occ.title)  # keep in touch: the days since
        if found is None:
            return occ.title
        days = int(found.group(1))
        if "spoken" in occ.title:
            return count(days, "Not spoken to for %n day", "Not spoken to for %n days")
        return count(days, "Not in touch since you added them %n day ago",
                     "Not in touch since you added them %n days ago")

    def state_text(self, state: str, until: dt.datetime | None) -> str:
        if state == "done":
            return self.tr("done")
        if state == "dismissed":
            return self.tr("dismissed")
        if until is None:
            return self.tr("snoozed")
        if until.date() == self._today:
            return self.tr("snoozed until %1").replace("%1", self._time(until))
        if until.date() == self._today + dt.timedelta(days=1):
            return self.tr("snoozed until tomorrow %1").replace("%1", self._time(until))
        return self.tr("snoozed until %1").replace("%1", self._fmt.date(until.date()))

    def _time(self, moment: dt.datetime | None) -> str:
        if moment is None:
            return ""
        return self._fmt.locale.toString(QTime(moment.hour, moment.minute), "HH:mm")

    # --- the actions on a row ---------------------------------------------------------------

    def _actions(self, occ: Occurrence, handled: bool) -> QWidget:
        box = QWidget()
        box.setObjectName("todayActions")
        line = QHBoxLayout(box)
        line.setContentsMargins(4, 0, 4, 0)
        line.setSpacing(2)
        name = occ.customer_name
        whatsapp = occ.whatsapp or occ.phone
        for key, icon_name, tip, url in (
                ("call", "phone", self.tr("Call %1"), f"tel:{occ.phone}" if occ.phone else ""),
                ("whatsapp", "whatsapp", self.tr("WhatsApp %1"),
                 f"https://wa.me/{phones.digits(whatsapp)}" if whatsapp else ""),
                ("email", "mail", self.tr("Email %1"),
                 f"mailto:{occ.email}" if occ.email else "")):
            button = self._tool(icon_name, "", tip.replace("%1", name), key)
            if url:
                button.clicked.connect(lambda _=False, u=url: self.open_url(u))
            else:
                button.setEnabled(False)
                button.setToolTip(self.tr("No %1 for this customer").replace(
                    "%1", {"call": self.tr("phone number"), "whatsapp": self.tr("WhatsApp"),
                           "email": self.tr("email address")}[key]))
            line.addWidget(button)
        line.addSpacing(6)
        if occ.kind == "reward" and not handled:
            redeem = self._tool("check", self.tr("Redeem"),
                                self.tr("Give %1 now: it is taken off the balance and noted")
                                .replace("%1", occ.label), "redeem")
            redeem.clicked.connect(lambda: self.redeemRequested.emit(occ))
            line.addWidget(redeem)
            sale = self._tool(self._sale_icon(), self.tr("Sale…"),
                              self.tr("Record a sale for %1").replace("%1", name), "sale")
            sale.clicked.connect(lambda: self.saleRequested.emit(occ))
            line.addWidget(sale)
            open_card = self._tool("customers", self.tr("Open"),
                                   self.tr("Open %1's card").replace("%1", name), "open")
            open_card.clicked.connect(lambda: self.openCustomer.emit(occ.customer_id))
            line.addWidget(open_card)
        note = self._tool("chat", self.tr("Note…"),
                          self.tr("Write down a conversation with %1").replace("%1", name),
                          "log")
        note.clicked.connect(lambda: self.logRequested.emit(occ))
        line.addWidget(note)
        if handled:
            line.addStretch(1)
            return box
        snooze = self._tool("bell", self.tr("Snooze"), self.tr("Remind me later"), "snooze")
        menu = QMenu(snooze)
        for choice, text in (("hour", self.tr("In 1 hour")),
                             ("tomorrow", self.tr("Tomorrow morning")),
                             ("pick", self.tr("Pick a day…"))):
            action = menu.addAction(text)
            action.setObjectName(f"snooze-{choice}")
            action.triggered.connect(lambda _=False, c=choice: self.snoozeRequested.emit(occ, c))
        snooze.setMenu(menu)
        snooze.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        done = self._tool("check", self.tr("Done"), self.tr("Mark as done"), "done")
        done.clicked.connect(lambda: self.doneRequested.emit(occ, False))
        menu = QMenu(done)
        action = menu.addAction(self.tr("Done, and note a conversation…"))
        action.setObjectName("done-note")
        action.triggered.connect(lambda: self.doneRequested.emit(occ, True))
        action = menu.addAction(self.tr("Dismiss (no more reminders of this)"))
        action.setObjectName("dismiss")
        action.triggered.connect(lambda: self.dismissRequested.emit(occ))
        done.setMenu(menu)
        done.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        line.addWidget(snooze)
        line.addWidget(done)
        line.addStretch(1)  # packed together, not spread over the column's width
        return box

    def _sale_icon(self) -> QIcon:
        """The "Record a sale" icon, drawn once (rows are many)."""
        if "_sale" not in self.__dict__:
            from crmdesk.ui.customers.card_sales import sale_icon

            self._sale = sale_icon()
        return self._sale

    def _tool(self, icon_name: str | QIcon, text: str, tip: str, name: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setIcon(icon_name if isinstance(icon_name, QIcon) else icon(icon_name))
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        if text:
            button.setText(text)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def open_url(self, url: str) -> None:
        from crmdesk.ui.contact_links import open_link

        self.link_message = open_link(self, url)  # says so when nothing opens the link

    # --- reading back (tests, keyboard) --------------------------------------------------------

    def rows(self, section: str) -> list[QTreeWidgetItem]:
        head = self.heads.get(section)
        return [head.child(i) for i in range(head.childCount())] if head else []

    def row_widget(self, item: QTreeWidgetItem) -> QWidget | None:
        return self.ensure_actions(item)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        customer_id = item.data(COL_WHEN, ROLE)
        if customer_id is not None:
            self.openCustomer.emit(customer_id)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        item = self.tree.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self._activated(item)
            return
        super().keyPressEvent(event)
