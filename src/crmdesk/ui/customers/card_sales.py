"""The card's "Purchases" part: what the customer spent, how often, what they like, their
loyalty balance with a Redeem button when a reward is due, and their last sales.

Filled by ui/sales_actions.py from one `Sales.summary` call (a row kept by triggers, one index
scan for the favourites, the last ten sales): the card never loads a customer's whole history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crmdesk.ui.customers.card_text import esc
from crmdesk.ui.formatting import Formatter, count
from crmdesk.ui.icons import icon, render_svg
from crmdesk.ui.widgets import muted_colour, section_title

if TYPE_CHECKING:  # the card is built before the first paint: no sales rules imported for it
    from crmdesk.core.loyalty import Program, Reward
    from crmdesk.core.sales import SalesSummary

#: A shopping bag, drawn like the action icons in resources/icons (kept here, not among them,
#: so the icon set's own checks are untouched).
SALE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
            'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
            'stroke-linejoin="round"><path d="M5 8h14l-1.2 12.1a1 1 0 0 1-1 .9H7.2a1 1 0 0 1'
            '-1-.9z"/><path d="M9 10V6.5a3 3 0 0 1 6 0V10"/></svg>')


def sale_icon() -> QIcon:
    """The "Record a sale" icon in the palette's text colour."""
    colour = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    data = SALE_SVG.replace("currentColor", colour).encode("utf-8")
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(render_svg(data, size))
    return result


def _mid(reward: str) -> str:
    """A reward's words inside a sentence: "8 more for a free coffee" (not "… A free coffee")."""
    first, _, rest = reward.partition(" ")
    return f"{first.lower()} {rest}" if rest and first in ("A", "An", "The") else reward


class SalesSection(QWidget):
    recordRequested = Signal()
    redeemRequested = Signal(object)  # Reward
    removeRequested = Signal(int)  # purchase id
    changeRequested = Signal(int)  # purchase id

    def __init__(self, formatter: Formatter, parent=None):
        super().__init__(parent)
        self._fmt = formatter
        self.summary: SalesSummary | None = None
        self.title = section_title(self.tr("Purchases"))
        self.record_button = QPushButton(sale_icon(), self.tr("Record a sale…"))
        self.record_button.setObjectName("recordSale")
        self.record_button.setToolTip(self.tr("Write down what this customer bought"))
        self.record_button.clicked.connect(self.recordRequested)
        head = QHBoxLayout()
        head.addWidget(self.title, 1, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.totals = self._label("salesTotals")
        self.favourites = self._label("salesFavourites")
        self.loyalty = self._label("loyaltyBalance")
        self.rewards = QHBoxLayout()
        self.rewards.setSpacing(6)
        self.history = self._label("salesHistory")
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.history.linkActivated.connect(self._link)
        self._read_only = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.totals)
        layout.addWidget(self.favourites)
        loyalty_row = QHBoxLayout()
        loyalty_row.addWidget(self.loyalty, 1)
        loyalty_row.addLayout(self.rewards)
        layout.addLayout(loyalty_row)
        layout.addWidget(self.history)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.redeem_buttons: list[QPushButton] = []
        self.hide()  # until filled

    def set_formatter(self, formatter: Formatter) -> None:
        self._fmt = formatter

    def _label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_sales(self, summary: SalesSummary, program: Program, read_only: bool = False) -> None:
        fmt, tr = self._fmt, self.tr
        self.summary = summary
        self._read_only = read_only
        self.record_button.setEnabled(not read_only)
        self.title.setText(tr("Purchases (%1)").replace("%1", str(summary.visits))
                           if summary.visits else tr("Purchases"))
        if summary.visits:
            parts = [tr("Spent %1").replace("%1", fmt.money(summary.total_minor)),
                     count(summary.visits, "%n visit", "%n visits", fmt.locale),
                     tr("average %1").replace("%1", fmt.money(summary.average_minor)),
                     tr("last %1").replace("%1", fmt.date(summary.last_on))]
            self.totals.setText(" · ".join(parts))
        else:
            self.totals.setText(tr("No purchases yet."))
        favourites = ", ".join(f"{name} ({n})" for name, n in summary.favourite_categories)
        self.favourites.setText(tr("Buys most: %1").replace("%1", favourites))
        self.favourites.setVisible(bool(favourites))
        self._show_loyalty(summary.loyalty_balance, program, read_only)
        self.history.setText(self._history_html())
        self.history.setVisible(bool(summary.recent))
        self.show()

    def _show_loyalty(self, balance: int, program: Program, read_only: bool) -> None:
        for button in self.redeem_buttons:
            self.rewards.removeWidget(button)
            button.deleteLater()
        self.redeem_buttons = []
        if not program.active:
            self.loyalty.setVisible(balance != 0)
            self.loyalty.setText(self.tr("Loyalty balance: %1").replace("%1", str(balance)))
            return
        self.loyalty.show()
        lowest = program.rewards[0]
        if program.mode == "stamps":
            text = self.tr("Stamp card: %1 of %2").replace("%1", str(balance)).replace(
                "%2", str(lowest.points))
            if balance < lowest.points:  # as for points: how far to the reward
                text += " · " + self.tr("%1 more for %2").replace(
                    "%1", str(lowest.points - balance)).replace("%2", _mid(lowest.text))
        else:
            text = count(balance, "%n point", "%n points", self._fmt.locale)
            if balance < lowest.points:
                text += " · " + self.tr("%1 more for %2").replace(
                    "%1", str(lowest.points - balance)).replace("%2", _mid(lowest.text))
        self.loyalty.setText(text)
        for reward in program.available(balance)[:3]:
            button = QPushButton(icon("check"), self.tr("Redeem %1").replace("%1", reward.text))
            button.setObjectName("redeem")
            button.setToolTip(self.tr("Give the reward now: takes %1 off the balance and notes "
                                      "it in the conversations").replace("%1",
                                                                         str(reward.points)))
            button.setEnabled(not read_only)
            button.clicked.connect(lambda _=False, r=reward: self._redeem(r))
            self.rewards.addWidget(button)
            self.redeem_buttons.append(button)

    def _redeem(self, reward: Reward) -> None:
        self.redeemRequested.emit(reward)

    def _history_html(self) -> str:
        summary = self.summary
        if summary is None or not summary.recent:
            return ""
        muted = muted_colour(self).name()
        rows = []
        for sale in summary.recent:
            what = esc(sale.items_text) if sale.items_text else ""
            if sale.note:
                what += f" <span style='color:{muted}'>— {esc(sale.note.splitlines()[0])}</span>"
            links = ""
            if not self._read_only:
                links = "&nbsp; ".join(f"<a href='{kind}:{sale.id}' style='color:{muted}'>"
                                       f"{esc(word)}</a>" for kind, word in
                                       (("change", self.tr("change")),
                                        ("remove", self.tr("remove"))))
            rows.append(
                f"<tr><td style='white-space:nowrap'>{esc(self._fmt.date(sale.on))}</td>"
                f"<td align='right' style='white-space:nowrap'><b>"
                f"{esc(self._fmt.money(sale.total_minor, sale.currency))}</b></td>"
                f"<td>{what}</td>"
                f"<td align='right' style='white-space:nowrap'>{links}</td></tr>")
        table = ("<table cellspacing='0' cellpadding='2' width='100%'>" + "".join(rows)
                 + "</table>")
        more = summary.visits - len(summary.recent)
        if more > 0:
            table += (f"<span style='color:{muted}'>"
                      + esc(count(more, "…and %n earlier", "…and %n earlier")) + "</span>")
        return table

    def _link(self, href: str) -> None:
        kind, _, value = href.partition(":")
        if kind == "remove" and value.isdigit():
            self.removeRequested.emit(int(value))
        elif kind == "change" and value.isdigit():
            self.changeRequested.emit(int(value))

    def history_texts(self) -> list[str]:
        """What each history line says (for tests and accessibility)."""
        summary = self.summary
        if summary is None:
            return []
        return [f"{self._fmt.date(s.on)} {self._fmt.money(s.total_minor, s.currency)} "
                f"{s.items_text}".strip() for s in summary.recent]
