"""Edit ▸ Find duplicates…: customers who may have been entered twice, compared side by side
and merged (undoable with Edit ▸ Undo).

The pairs are looked for on a worker thread (its own connection), as a big book takes a moment.
A merge is done once, then pushed on the window's undo stack as a `MergeCustomers` command:
undo puts both customers back as they were (core.duplicates.undo_merge), redo merges again.
Every merge is also recorded in the book (core/merge.py), so "Undo last merge" puts back a
merge made elsewhere (`crmdesk merge`, another window) that this window's undo stack never saw.
`install(window)` adds the menu entry; the main window needs only that one line.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QUndoCommand
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core import duplicates
from crmdesk.core import merge as merging
from crmdesk.core.customers import NotFound
from crmdesk.core.model import CustomerInput
from crmdesk.ui.formatting import STATUS_NAMES
from crmdesk.ui.formatting import count as plural
from crmdesk.ui.workers import BackgroundJob

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("Duplicates", text)


FIELD_NAMES = {
    "kind": "Kind", "first_name": "First name", "last_name": "Last name",
    "business_name": "Business name", "phone": "Phone", "phone_alt": "Other phone",
    "email": "Email", "whatsapp": "WhatsApp", "address": "Address", "city": "Town or city",
    "postcode": "Postcode", "country": "Country", "notes": "Notes", "likes": "Likes",
    "dislikes": "Dislikes", "diet": "Diet", "sizes": "Sizes", "status": "Status",
    "source": "How they found you", "do_not_contact": "Do not contact",
    "keep_in_touch_days": "Keep in touch every", duplicates.CONSENTS: "Consent",
}
REASONS = {duplicates.REASON_PHONE: "same phone number", duplicates.REASON_EMAIL: "same email",
           duplicates.REASON_NAME: "same name",
           duplicates.REASON_SWAPPED: "first and last name swapped",
           duplicates.REASON_SIMILAR: "similar name in the same town"}


NEWEST_ID = 3  # the consent row's third choice: the newest decision on each channel


class MergeCustomers(QUndoCommand):
    """A merge already done (`record`); undo puts both back, redo merges again."""

    def __init__(self, db, record: duplicates.MergeRecord, choices: dict, now, changed):
        super().__init__(tr("merge two customers"))
        self.db, self.record, self.choices, self.now = db, record, choices, now
        self.changed = changed
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
        else:
            try:
                self.record = duplicates.merge(self.db, self.record.survivor_id,
                                               self.record.other_id, self.choices, self.now)
            except (NotFound, duplicates.MergeError):
                log.exception("merging again failed")
        self.changed(self.record.survivor_id)

    def undo(self) -> None:
        try:
            duplicates.undo_merge(self.db, self.record, self.now)
        except (NotFound, duplicates.MergeError):
            log.exception("undoing a merge failed")
        self.changed(self.record.survivor_id)


def install(window) -> None:
    """Add Edit ▸ Find duplicates… (after Move to Trash). Once only."""
    if getattr(window, "duplicates_action", None) is not None:
        return
    action = QAction(tr("Find duplicates…"), window)
    action.setStatusTip(tr("Find customers entered twice and merge them"))
    action.triggered.connect(lambda: open_dialog(window))
    menu = window.edit_menu
    actions = menu.actions()
    trash = getattr(window, "trash_action", None)
    at = actions.index(trash) + 1 if trash in actions else len(actions)
    if at < len(actions):
        menu.insertAction(actions[at], action)
    else:
        menu.addAction(action)
    window.duplicates_action = action


def open_dialog(window) -> DuplicatesDialog:
    dialog = getattr(window, "duplicates_dialog", None)
    if dialog is None:
        dialog = window.duplicates_dialog = DuplicatesDialog(window)
    dialog.open()
    dialog.raise_()
    dialog.search()
    return dialog


class DuplicatesDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.session = window.session
        self.pairs: list[duplicates.Pair] = []
        self.hidden: set[tuple[int, int]] = set()  # "Not duplicates", for this session
        self.own_batches: set[str] = set()  # merges made here: Edit ▸ Undo takes them back
        self.elsewhere: list[merging.MergeRecord] = []  # the last merge, if made elsewhere
        self.note = ""  # said before the next search's result
        self.job: BackgroundJob | None = None
        self.current: duplicates.Pair | None = None
        self.groups: dict[str, QButtonGroup] = {}
        self.setWindowTitle(self.tr("Find duplicates"))
        self.resize(1000, 600)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.list = QListWidget()
        self.list.setMinimumWidth(260)
        self.list.currentRowChanged.connect(self._show_pair)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.fields = QWidget()
        self.grid = QGridLayout(self.fields)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setHorizontalSpacing(16)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.fields)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.merge_button = QPushButton(self.tr("Merge"))
        self.merge_button.setDefault(True)
        self.merge_button.clicked.connect(self.merge)
        self.not_button = QPushButton(self.tr("Not duplicates"))
        self.not_button.setToolTip(self.tr("Leave these two apart and stop showing them"))
        self.not_button.clicked.connect(self.not_duplicates)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.not_button)
        actions.addWidget(self.merge_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(scroll, 1)
        right_layout.addWidget(self.explain)
        right_layout.addLayout(actions)

        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 600])
        self.again_button = QPushButton(self.tr("Look again"))
        self.again_button.clicked.connect(self.search)
        self.undo_button = QPushButton(self.tr("Undo last merge"))
        self.undo_button.clicked.connect(self.undo_elsewhere)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self._show_pair(-1)

    # --- finding ---------------------------------------------------------------------------

    def search(self) -> None:
        if self.job is not None:
            return
        db = self.session.db

        def work(_progress):
            try:
                return duplicates.find_pairs(db)
            finally:
                db.close()  # this thread's own connection

        self._offer_undo()
        self.status.setText(self.tr("Looking for customers entered twice…"))
        self.again_button.setEnabled(False)
        self.list.clear()
        self.job = BackgroundJob(work, self)
        self.job.succeeded.connect(self._found)
        self.job.failed.connect(lambda message: self.status.setText(
            self.tr("Could not look for duplicates: %1").replace("%1", message)))
        self.job.finished.connect(self._finished)
        self.job.start()

    def is_busy(self) -> bool:
        return self.job is not None

    def _finished(self) -> None:
        self.job = None
        self.again_button.setEnabled(True)

    def _found(self, pairs: list) -> None:
        self.pairs = [p for p in pairs if (p.a_id, p.b_id) not in self.hidden]
        self._fill()
        if self.note:
            self.status.setText(f"{self.note} {self.status.text()}")
            self.note = ""

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for pair in self.pairs:
            reasons = " · ".join(self.tr(REASONS.get(r, r)) for r in pair.reasons)
            item = QListWidgetItem(f"{pair.a_name} — {pair.b_name}\n{reasons}")
            item.setToolTip(reasons)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.pairs:
            self.status.setText(self.tr(
                "These customers may have been entered twice. Choose a pair to compare them."))
            self.list.setCurrentRow(0)
        else:
            self.status.setText(self.tr("No customers seem to be entered twice."))
            self._show_pair(-1)

    # --- comparing -------------------------------------------------------------------------

    def _clear_grid(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.groups = {}

    def _show_pair(self, row: int) -> None:
        self._clear_grid()
        self.current = self.pairs[row] if 0 <= row < len(self.pairs) else None
        self.merge_button.setEnabled(self.current is not None)
        self.not_button.setEnabled(self.current is not None)
        if self.current is None:
            self.heading.clear()
            self.explain.clear()
            return
        pair = self.current
        try:
            a = self.session.book.load_input(pair.a_id)
            b = self.session.book.load_input(pair.b_id)
        except NotFound:
            self.heading.setText(self.tr("One of these customers no longer exists."))
            self.merge_button.setEnabled(False)
            return
        self.heading.setText(self.tr("Choose, line by line, what to keep. Only what differs "
                                     "is shown."))
        for column, name, fate in ((1, pair.a_name, self.tr("stays")),
                                   (2, pair.b_name, self.tr("goes to Trash"))):
            title = QLabel(f"<b>{_escape(name)}</b><br><small>{_escape(fate)}</small>")
            self.grid.addWidget(title, 0, column)
        row = 1
        for name in self._differing(a, b):
            label = QLabel(self.tr(FIELD_NAMES[name]))
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(label, row, 0)
            group = QButtonGroup(self)
            texts = (self._shown(name, a), self._shown(name, b))
            for column, text in ((1, texts[0]), (2, texts[1])):
                button = QRadioButton(_short(text) if text else self.tr("(empty)"))
                button.setToolTip(text)
                group.addButton(button, column)
                self.grid.addWidget(button, row, column)
            keep_b = not texts[0] and bool(texts[1])
            if name == "do_not_contact":  # the person's wish: kept if either side says so
                keep_b = b.do_not_contact and not a.do_not_contact
            group.button(2 if keep_b else 1).setChecked(True)
            if name == duplicates.CONSENTS:
                # the default: each channel keeps the newest decision ("no" on a tie)
                row += 1
                newest = QRadioButton(self.tr("The newest decision on each channel"))
                newest.setToolTip(self.tr("A later “no” replaces an older “yes”, and the other "
                                          "way round; on the same day “no” wins."))
                group.addButton(newest, NEWEST_ID)
                self.grid.addWidget(newest, row, 1, 1, 2)
                newest.setChecked(True)
            self.groups[name] = group
            row += 1
        if row == 1:
            self.grid.addWidget(QLabel(self.tr("Their details are the same.")), 1, 0, 1, 3)
        self.explain.setText(self.tr(
            "Merge keeps the customer on the left, with the details chosen above. The "
            "purchases, points, dates, conversations, follow-ups, appointments and tags of the "
            "one on the right move to it, and the one on the right goes to Trash. Edit ▸ Undo "
            "puts both back as they were."))

    def _differing(self, a: CustomerInput, b: CustomerInput) -> list[str]:
        names = [n for n in duplicates.FIELDS if getattr(a, n) != getattr(b, n)]
        mine = {c.channel: c for c in a.consents}
        theirs = {c.channel: c for c in b.consents}
        if any(ch in mine and (mine[ch].granted, mine[ch].source) !=
               (c.granted, c.source) for ch, c in theirs.items()):
            names.append(duplicates.CONSENTS)
        return names

    def _shown(self, name: str, data: CustomerInput) -> str:
        if name == duplicates.CONSENTS:
            return ", ".join(
                f"{c.channel}: " + (self.tr("yes") if c.granted else self.tr("no"))
                for c in data.consents)
        value = getattr(data, name)
        if name in ("phone", "phone_alt", "whatsapp") and value:
            return self.window_.formatter.phone(value)
        if name == "do_not_contact":
            return self.tr("Yes") if value else self.tr("No")
        if name == "kind":
            return self.tr("Business") if value == "business" else self.tr("Person")
        if name == "status":
            return self.tr(STATUS_NAMES.get(value, value))
        if name == "keep_in_touch_days":
            return "" if value is None else self.tr("%1 days").replace("%1", str(value))
        return str(value or "")

    def choices(self) -> dict[str, str]:
        """Each field's chosen side; consents left to the newest decision are not named."""
        return {name: duplicates.OTHER if group.checkedId() == 2 else duplicates.SURVIVOR
                for name, group in self.groups.items() if group.checkedId() != NEWEST_ID}

    # --- acting ----------------------------------------------------------------------------

    def merge(self) -> None:
        pair = self.current
        if pair is None:
            return
        choices = self.choices()
        session = self.session
        try:
            record = duplicates.merge(session.db, pair.a_id, pair.b_id, choices, session.now)
        except (NotFound, duplicates.MergeError) as exc:
            self.status.setText(str(exc) if isinstance(exc, duplicates.MergeError)
                                else self.tr("One of these customers no longer exists."))
            return
        window = self.window_
        self.own_batches.add(record.batch)
        window._push(MergeCustomers(session.db, record, choices, session.now, window._changed))
        self._offer_undo()
        self._drop(lambda p: pair.b_id in (p.a_id, p.b_id))
        self.status.setText(self.tr("Merged %2 into %1. Edit ▸ Undo puts them back.")
                            .replace("%1", pair.a_name).replace("%2", pair.b_name))

    def _offer_undo(self) -> None:
        """Enable "Undo last merge" when the last merge recorded in the book was made
        elsewhere (one made here is Edit ▸ Undo's)."""
        records = merging.last_batch(self.session.db)
        self.elsewhere = records if records and records[0].batch not in self.own_batches else []
        self.undo_button.setEnabled(bool(self.elsewhere))
        if self.elsewhere:
            self.undo_button.setToolTip(plural(
                len(self.elsewhere),
                "Put back the last merge, made outside this window (%n customer)",
                "Put back the last merge, made outside this window (%n customers)"))
        else:
            self.undo_button.setToolTip(self.tr(
                "No merge made outside this window to undo; Edit ▸ Undo takes back the "
                "merges made here"))

    def undo_elsewhere(self) -> None:
        records = self.elsewhere
        if not records:
            return
        session = self.session
        try:
            with session.db.atomic():
                for record in reversed(records):
                    merging.undo_merge(session.db, record, session.now)
        except (NotFound, merging.MergeError):
            log.exception("undoing a merge made elsewhere failed")
            self.status.setText(self.tr("This merge can no longer be undone."))
            self._offer_undo()
            return
        self.window_._changed(records[0].survivor_id)
        self.note = plural(len(records), "Put back %n customer merged elsewhere.",
                           "Put back %n customers merged elsewhere.")
        self.search()

    def not_duplicates(self) -> None:
        pair = self.current
        if pair is None:
            return
        self.hidden.add((pair.a_id, pair.b_id))
        self._drop(lambda p: p == pair)

    def _drop(self, gone) -> None:
        row = self.list.currentRow()
        self.pairs = [p for p in self.pairs if not gone(p)]
        message = self.status.text()
        self._fill()
        if self.pairs:
            self.list.setCurrentRow(min(row, len(self.pairs) - 1))
            self.status.setText(message)


def _short(text: str, width: int = 40) -> str:
    line = text.splitlines()[0] if text else ""
    if len(line) > width or "\n" in text:
        return line[:width].rstrip() + "…"
    return line


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
