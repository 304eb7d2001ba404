"""The segment builder: rules on the left and right, a live count at the bottom.

Every change restarts a ~150 ms timer; when it fires the rules are counted on a worker thread
(`LatestJob`: a count asked while one runs waits, only the newest is shown). The dialog never
saves by itself: `accepted` means `store.save(name, rules)` succeeded; an empty or duplicate
name is shown under the name field and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

from crmdesk.core import money as money_rules
from crmdesk.core import rfm
from crmdesk.core.segments import SegmentRules
from crmdesk.ui.dashboard.latest import LatestJob
from crmdesk.ui.formatting import count as plural
from crmdesk.ui.segments.page import rule_lines
from crmdesk.ui.widgets import muted_label

DEBOUNCE_MS = 150
STATUS_WORDS = (("customer", "Customers"), ("prospect", "Prospects"),
                ("former", "Former customers"))
CONSENT_WORDS = (("", "No matter"), ("email", "Email"), ("sms", "SMS"),
                 ("whatsapp", "WhatsApp"), ("phone", "Phone calls"))
DNC_WORDS = (("any", "Include them"), ("exclude", "Leave them out"), ("only", "Only them"))


def _days_box(none_text: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 36500)
    box.setSpecialValueText(none_text)  # shown at 0: the rule is off
    box.setSuffix(" " + QSpinBox.tr("days"))
    return box


def _count_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(-1, 1_000_000)
    box.setSpecialValueText(QSpinBox.tr("any"))  # -1: no limit
    box.setValue(-1)
    return box


class SegmentBuilder(QDialog):
    def __init__(self, store, count: Callable[[SegmentRules], int], db, *,
                 currency: str = "", tags: list[str] = (), categories: list[str] = (),
                 products: list[str] = (), cities: list[str] = (), segment=None,
                 locale: QLocale | None = None, parent=None):
        super().__init__(parent)
        self.store = store
        self.count = count
        self.currency = currency
        self.locale = locale or QLocale()
        self.segment_id = segment.id if segment is not None else None
        self.saved_id: int | None = None
        self.last_count: int | None = None
        self.setWindowTitle(self.tr("Edit segment") if segment else self.tr("New segment"))

        self.name = QLineEdit()
        self.name.setObjectName("segmentName")
        self.name.setPlaceholderText(self.tr("For example: Vegetarians, last 90 days"))
        self.name_error = QLabel()
        self.name_error.setObjectName("nameError")
        self.name_error.setStyleSheet("color: #c62828;")
        self.name_error.hide()
        self.name.textEdited.connect(lambda _t: self.name_error.hide())

        # who
        self.status_boxes = {}
        statuses = QHBoxLayout()
        for key, words in STATUS_WORDS:
            box = QCheckBox(self.tr(words))
            self.status_boxes[key] = box
            statuses.addWidget(box)
        statuses.addStretch(1)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText(self.tr("any tag; several: separate with commas"))
        self.tags.setCompleter(self._completer(tags))
        self.city = QLineEdit()
        self.city.setPlaceholderText(self.tr("any city"))
        self.city.setCompleter(self._completer(cities))
        self.birthday = QComboBox()
        self.birthday.addItem(self.tr("No matter"), None)
        for month in range(1, 13):
            self.birthday.addItem(self.locale.monthName(month, QLocale.FormatType.LongFormat),
                                  month)
        self.consent = QComboBox()
        for key, words in CONSENT_WORDS:
            self.consent.addItem(self.tr(words), key)
        self.dnc = QComboBox()
        for key, words in DNC_WORDS:
            self.dnc.addItem(self.tr(words), key)
        self.contact_older = _days_box(self.tr("no matter"))
        who = QFormLayout()
        who.addRow(self.tr("Status:"), statuses)
        who.addRow(self.tr("Tagged:"), self.tags)
        who.addRow(self.tr("City:"), self.city)
        who.addRow(self.tr("Birthday in:"), self.birthday)
        who.addRow(self.tr("Agreed to contact by:"), self.consent)
        who.addRow(self.tr("Asked not to be contacted:"), self.dnc)
        who.addRow(self.tr("Not talked to for:"), self.contact_older)

        # buying
        self.category = QLineEdit()
        self.category.setPlaceholderText(self.tr("any category"))
        self.category.setCompleter(self._completer(categories))
        self.product = QLineEdit()
        self.product.setPlaceholderText(self.tr("any product"))
        self.product.setCompleter(self._completer(products))
        self.within = _days_box(self.tr("ever"))
        self.within.setPrefix(self.tr("in the last") + " ")
        self.within.setToolTip(self.tr("With a category or product: bought it within the last "
                                       "so many days"))
        self.spent_min = QLineEdit()
        self.spent_max = QLineEdit()
        for box in (self.spent_min, self.spent_max):
            box.setPlaceholderText(self.tr("no limit"))
        spent = QHBoxLayout()
        spent.addWidget(QLabel(self.tr("at least")))
        spent.addWidget(self.spent_min)
        spent.addWidget(QLabel(self.tr("at most")))
        spent.addWidget(self.spent_max)
        self.spent_error = QLabel()
        self.spent_error.setStyleSheet("color: #c62828;")
        self.spent_error.hide()
        self.visits_min = _count_box()
        self.visits_max = _count_box()
        visits = QHBoxLayout()
        visits.addWidget(QLabel(self.tr("at least")))
        visits.addWidget(self.visits_min)
        visits.addWidget(QLabel(self.tr("at most")))
        visits.addWidget(self.visits_max)
        self.purchase_older = _days_box(self.tr("no matter"))
        buying = QFormLayout()
        buying.addRow(self.tr("Bought from category:"), self.category)
        buying.addRow(self.tr("Bought product:"), self.product)
        buying.addRow(self.tr("Bought it:"), self.within)  # "in the last 30 days" or "ever"
        buying.addRow(self.tr("Spent in all:"), spent)
        buying.addRow("", self.spent_error)
        buying.addRow(self.tr("Number of purchases:"), visits)
        buying.addRow(self.tr("Not bought for:"), self.purchase_older)

        # RFM groups
        self.rfm_boxes = {}
        groups = QGridLayout()
        for n, (key, label, text) in enumerate(rfm.SEGMENTS):
            box = QCheckBox(self.tr(label))
            box.setToolTip(self.tr(text))
            self.rfm_boxes[key] = box
            groups.addWidget(box, n // 3, n % 3)

        who_box = QGroupBox(self.tr("Who"))
        who_box.setLayout(who)
        buying_box = QGroupBox(self.tr("What they bought"))
        buying_box.setLayout(buying)
        groups_box = QGroupBox(self.tr("Customer groups (from how recently and how often "
                                       "they buy; none ticked = no matter)"))
        groups_box.setLayout(groups)
        columns = QHBoxLayout()
        columns.addWidget(who_box, 1)
        columns.addWidget(buying_box, 1)

        self.count_label = QLabel(self.tr("Counting…"))
        self.count_label.setObjectName("liveCount")
        font = self.count_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.count_label.setFont(font)
        self.summary = muted_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        name_row = QFormLayout()
        name_row.addRow(self.tr("Name:"), self.name)
        name_row.addRow("", self.name_error)
        layout = QVBoxLayout(self)
        layout.addLayout(name_row)
        layout.addLayout(columns)
        layout.addWidget(groups_box)
        layout.addWidget(self.count_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self.counter = LatestJob(db, self)
        self.counter.succeeded.connect(self._counted)
        self.counter.failed.connect(
            lambda _tag, reason: self.count_label.setText(
                self.tr("Could not count: %1").replace("%1", reason)))
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.recount)
        if segment is not None:
            self.name.setText(segment.name)
            self.set_rules(segment.rules)
        self._watch()
        self._changed()
        self.recount()

    # --- rules <-> widgets -----------------------------------------------------------------

    def _completer(self, words) -> QCompleter:
        completer = QCompleter(QStringListModel(list(words), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        return completer

    def _watch(self) -> None:
        for box in (*self.status_boxes.values(), *self.rfm_boxes.values()):
            box.toggled.connect(self._changed)
        for edit in (self.tags, self.city, self.category, self.product, self.spent_min,
                     self.spent_max):
            edit.textChanged.connect(self._changed)
        for combo in (self.birthday, self.consent, self.dnc):
            combo.currentIndexChanged.connect(self._changed)
        for spin in (self.contact_older, self.within, self.visits_min, self.visits_max,
                     self.purchase_older):
            spin.valueChanged.connect(self._changed)

    def _amount(self, edit: QLineEdit) -> int | None:
        text = edit.text().strip()
        if not text:
            return None
        return money_rules.parse_amount(text, self.currency,
                                        self.locale.decimalPoint() or None)

    def _money_text(self, minor: int | None) -> str:
        if minor is None:
            return ""
        return str(money_rules.to_decimal(minor, self.currency))

    def rules(self) -> SegmentRules:
        """The rules as the widgets say; ValueError when an amount cannot be read."""
        def days(box: QSpinBox) -> int | None:
            return box.value() or None

        def limit(box: QSpinBox) -> int | None:
            return None if box.value() < 0 else box.value()

        tags = tuple(t.strip() for t in self.tags.text().split(",") if t.strip())
        has_bought_rule = bool(self.category.text().strip() or self.product.text().strip())
        return SegmentRules(
            statuses=tuple(k for k, box in self.status_boxes.items() if box.isChecked()),
            tags=tags,
            city=self.city.text().strip(),
            consent=self.consent.currentData(),
            do_not_contact=self.dnc.currentData(),
            birthday_month=self.birthday.currentData(),
            bought_category=self.category.text().strip(),
            bought_product=self.product.text().strip(),
            bought_within_days=days(self.within) if has_bought_rule else None,
            spent_min_minor=self._amount(self.spent_min),
            spent_max_minor=self._amount(self.spent_max),
            visits_min=limit(self.visits_min),
            visits_max=limit(self.visits_max),
            last_purchase_older_days=days(self.purchase_older),
            last_contact_older_days=days(self.contact_older),
            rfm_segments=tuple(k for k, box in self.rfm_boxes.items() if box.isChecked()),
        )

    def set_rules(self, rules: SegmentRules) -> None:
        for key, box in self.status_boxes.items():
            box.setChecked(key in rules.statuses)
        self.tags.setText(", ".join(rules.tags))
        self.city.setText(rules.city)
        self.consent.setCurrentIndex(max(0, self.consent.findData(rules.consent)))
        self.dnc.setCurrentIndex(max(0, self.dnc.findData(rules.do_not_contact)))
        self.birthday.setCurrentIndex(rules.birthday_month or 0)
        self.category.setText(rules.bought_category)
        self.product.setText(rules.bought_product)
        self.within.setValue(rules.bought_within_days or 0)
        self.spent_min.setText(self._money_text(rules.spent_min_minor))
        self.spent_max.setText(self._money_text(rules.spent_max_minor))
        self.visits_min.setValue(-1 if rules.visits_min is None else rules.visits_min)
        self.visits_max.setValue(-1 if rules.visits_max is None else rules.visits_max)
        self.purchase_older.setValue(rules.last_purchase_older_days or 0)
        self.contact_older.setValue(rules.last_contact_older_days or 0)
        for key, box in self.rfm_boxes.items():
            box.setChecked(key in rules.rfm_segments)

    # --- counting --------------------------------------------------------------------------

    def _changed(self, *_args) -> None:
        self.within.setEnabled(bool(self.category.text().strip() or self.product.text().strip()))
        self.timer.start()

    def recount(self) -> None:
        self.timer.stop()
        try:
            rules = self.rules()
        except ValueError as exc:
            self.spent_error.setText(self.tr("Not an amount: %1").replace("%1", str(exc)))
            self.spent_error.show()
            self.count_label.setText(self.tr("Check the amounts spent."))
            return
        self.spent_error.hide()
        self.summary.setText("; ".join(rule_lines(rules, self.currency)))
        count = self.count
        self.counter.request(lambda: count(rules), rules)

    def _counted(self, rules, n: int) -> None:
        self.last_count = n
        self.count_label.setText(plural(n, "%n customer matches", "%n customers match",
                                        self.locale))

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        try:
            rules = self.rules()
        except ValueError:
            self.spent_min.setFocus()
            return
        try:
            self.saved_id = self.store.save(self.name.text(), rules, self.segment_id)
        except ValueError as exc:
            self.name_error.setText(str(exc))
            self.name_error.show()
            self.name.setFocus()
            return
        self.accept()

    def done(self, result: int) -> None:
        self.timer.stop()
        self.counter.shut_down()
        super().done(result)


def known_words(session) -> dict[str, list[str]]:
    """Words to offer while typing: tags, categories and products the shop has."""
    from crmdesk.core.catalogue import Catalogue

    catalogue = Catalogue(session.db)
    return {"tags": session.customers.tags(),
            "categories": [c.name for c in catalogue.categories()],
            "products": [p.name for p in catalogue.products()]}
