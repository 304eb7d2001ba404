"""The Loyalty part of the settings dialog: no program, points for money spent with rewards at
thresholds, or a stamp card ("every 10th coffee free").

Rewards for points are kept in the settings as text, one a line ("100 = £5 off"); they are typed
the same way here and checked on Save (a problem is shown under the box, nothing is saved).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crmdesk.core import loyalty
from crmdesk.core.settings import BusinessSettings
from crmdesk.ui.formatting import CURRENCY_SYMBOLS

WARNING_COLOUR = "#c0392b"


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class LoyaltySettings(QWidget):
    def __init__(self, settings: BusinessSettings, categories: list[tuple[int, str]] = (),
                 currency_symbol: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._settings = settings
        self.mode = QComboBox()
        self.mode.setObjectName("loyaltyMode")
        self.mode.addItem(self.tr("No loyalty program"), "off")
        self.mode.addItem(self.tr("Points for money spent"), "points")
        self.mode.addItem(self.tr("A stamp card"), "stamps")
        self.mode.setCurrentIndex(max(0, self.mode.findData(settings.loyalty_mode)))
        self.mode.currentIndexChanged.connect(self._mode_changed)

        # The settings dialog may hand over an ISO code ("GBP"): show the sign the shop knows.
        symbol = CURRENCY_SYMBOLS.get(currency_symbol.upper(), currency_symbol)
        if not symbol:
            unit = self.tr("unit of money")
        else:
            unit = symbol + "1" if len(symbol) == 1 else "1 " + symbol
        self._unit = unit
        self.points = QGroupBox(self.tr("Points"))
        self.per_unit = QSpinBox()
        self.per_unit.setObjectName("pointsPerUnit")
        self.per_unit.setRange(1, 1000)
        self.per_unit.setValue(max(1, min(1000, settings.loyalty_points_per_unit)))
        self.per_unit.valueChanged.connect(self._per_unit_changed)
        self._per_unit_changed(self.per_unit.value())
        self.rewards = QPlainTextEdit(settings.loyalty_rewards)
        self.rewards.setObjectName("pointsRewards")
        self.rewards.setTabChangesFocus(True)
        self.rewards.setPlaceholderText(self.tr("100 = %1 off\n250 = a gift box").replace(
            "%1", self._unit.replace("1", "5") if symbol else "5"))
        self.rewards.setFixedHeight(self.rewards.fontMetrics().lineSpacing() * 5 + 12)
        self.rewards.textChanged.connect(lambda: self.error.hide())
        form = QFormLayout(self.points)
        form.addRow(self.tr("Customers get"), self.per_unit)
        form.addRow(self.tr("Rewards"), self.rewards)
        form.addRow("", _note(self.tr("One reward a line: the points needed, “=”, then what "
                                      "the customer gets. Amounts are rounded down: "
                                      "12.99 gives 12 points at 1 point each.")))

        self.stamps = QGroupBox(self.tr("Stamp card"))
        self.stamps_needed = QSpinBox()
        self.stamps_needed.setObjectName("stampsNeeded")
        self.stamps_needed.setRange(1, 1000)
        self.stamps_needed.setValue(max(1, min(1000, settings.loyalty_stamps_needed)))
        self.stamps_needed.setSuffix(self.tr(" stamps"))
        self.stamp_reward = QLineEdit(settings.loyalty_stamp_reward)
        self.stamp_reward.setObjectName("stampReward")
        self.stamp_reward.setPlaceholderText(self.tr("Such as: a free coffee"))
        self.stamp_reward.textChanged.connect(lambda: self.error.hide())
        self.stamp_category = QComboBox()
        self.stamp_category.setObjectName("stampCategory")
        self.stamp_category.addItem(self.tr("Every sale"), 0)
        for category_id, name in categories:
            self.stamp_category.addItem(self.tr("Sales with %1").replace("%1", name),
                                        category_id)
        index = self.stamp_category.findData(settings.loyalty_stamp_category)
        if index < 0:  # a category that is no longer listed: kept, not lost
            self.stamp_category.addItem(self.tr("A category no longer listed"),
                                        settings.loyalty_stamp_category)
            index = self.stamp_category.count() - 1
        self.stamp_category.setCurrentIndex(index)
        form = QFormLayout(self.stamps)
        form.addRow(self.tr("One stamp for"), self.stamp_category)
        form.addRow(self.tr("A reward after"), self.stamps_needed)
        form.addRow(self.tr("The reward"), self.stamp_reward)

        self.error = QLabel()
        self.error.setObjectName("loyaltyError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {WARNING_COLOUR}")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(_note(self.tr(
            "Reward regular customers. Each sale you record earns points or a stamp; the card "
            "shows the balance, Today lists who has a reward waiting, and Redeem gives it in "
            "one click.")))
        layout.addWidget(self.mode)
        layout.addWidget(self.points)
        layout.addWidget(self.stamps)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._mode_changed()

    def _per_unit_changed(self, value: int) -> None:
        text = (self.tr(" point for each %1 spent") if value == 1
                else self.tr(" points for each %1 spent"))
        self.per_unit.setSuffix(text.replace("%1", self._unit))

    def _mode_changed(self) -> None:
        mode = self.mode.currentData()
        self.points.setVisible(mode == "points")
        self.stamps.setVisible(mode == "stamps")
        self.error.hide()

    def values(self) -> dict:
        """The loyalty fields; ValueError with a plain message when something cannot be
        saved (the message is also shown on the page)."""
        mode = self.mode.currentData()
        text = self.rewards.toPlainText()
        try:
            if mode == "points":
                rewards = loyalty.parse_rewards(text)
                if not rewards:
                    raise ValueError(self.tr("Add at least one reward, such as "
                                             "“100 = £5 off”."))
                text = loyalty.format_rewards(rewards)
            elif mode == "stamps" and not self.stamp_reward.text().strip():
                raise ValueError(self.tr("Say what the customer gets after the last stamp."))
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            raise
        if mode != "points" and text.strip() == self._settings.loyalty_rewards.strip():
            text = self._settings.loyalty_rewards  # not in use: kept exactly as it was
        return dict(loyalty_mode=mode, loyalty_points_per_unit=self.per_unit.value(),
                    loyalty_rewards=text, loyalty_stamps_needed=self.stamps_needed.value(),
                    loyalty_stamp_reward=" ".join(self.stamp_reward.text().split()),
                    loyalty_stamp_category=self.stamp_category.currentData())
