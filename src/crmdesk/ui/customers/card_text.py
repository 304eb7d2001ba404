"""The rich text of the customer card: dates, details, taste and the conversations timeline.

Pure functions returning HTML for the card's labels. Each takes the card, the Formatter, the
muted colour (a colour name) and `tr`, the card view's own `tr`, so the texts are translated
exactly as they were in the view.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from crmdesk.core.model import CustomerCard
from crmdesk.ui.formatting import CHANNEL_NAMES, DATE_KIND_NAMES, Formatter

CONSENT_NAMES = {"email": "Email", "sms": "SMS", "whatsapp": "WhatsApp", "phone": "Phone calls"}

Translate = Callable[[str], str]

#: The "to check" mark beside a phone number that could not be checked (kept as written).
CHECK_COLOUR = "#b26a00"


def esc(text: str) -> str:
    return html.escape(text or "").replace("\n", "<br>")


def none_html(text: str, muted: str) -> str:
    return f"<span style='color:{muted}'>{esc(text)}</span>"


def dates_html(card: CustomerCard, fmt: Formatter, muted: str, tr: Translate) -> str:
    if not card.dates:
        return none_html(tr("No dates yet. Add a birthday with Edit."), muted)
    rows = []
    for d in card.dates:
        name = d.label or tr(DATE_KIND_NAMES.get(d.kind, d.kind))
        when = fmt.day_month(d.day, d.month)
        extra = ""
        if d.years is not None:
            if d.kind == "birthday":
                extra = tr("turns %1").replace("%1", str(d.years))
            else:
                extra = tr("%1 years").replace("%1", str(d.years))
        left = fmt.days_left(d.days_left)
        tail = f" · {esc(extra)}" if extra else ""
        rows.append(f"<b>{esc(name)}</b> — {esc(when)} "
                    f"<span style='color:{muted}'>({esc(left)}{tail})</span>")
    return "<br>".join(rows)


def details_html(card: CustomerCard, fmt: Formatter, muted: str, tr: Translate) -> str:
    data = card.data
    rows = []

    def add(label: str, value: str, mark: str = "") -> None:
        if value:
            rows.append(f"<tr><td style='color:{muted}; padding-right:12px'>"
                        f"{esc(label)}</td><td>{esc(value)}{mark}</td></tr>")

    unchecked = data.phone_check.split()
    to_check = (f" <span style='color:{CHECK_COLOUR}'>⚠ "
                f"{esc(tr('to check: kept as written'))}</span>")
    for name, label in (("phone", tr("Phone")), ("phone_alt", tr("Other phone")),
                        ("whatsapp", tr("WhatsApp"))):
        add(label, fmt.phone(getattr(data, name)), to_check if name in unchecked else "")
    add(tr("Email"), data.email)
    if data.kind == "business":
        add(tr("Contact"), " ".join(x for x in (data.first_name, data.last_name) if x))
    elif data.business_name:
        add(tr("Works at"), data.business_name)
    place = ", ".join(x for x in (data.address.replace("\n", ", "),
                                  " ".join(y for y in (data.postcode, data.city) if y),
                                  data.country) if x)
    add(tr("Address"), place)
    add(tr("Found us through"), data.source)
    if data.keep_in_touch_days:
        add(tr("Keep in touch"),
            tr("every %1 days").replace("%1", str(data.keep_in_touch_days)))
    consents = []
    for c in data.consents:
        if not c.granted or c.channel not in CONSENT_NAMES:
            continue
        about = [f"{tr('since')} {fmt.date(c.recorded_on)}"] if c.recorded_on else []
        if c.source and c.source.strip():
            about.append(" ".join(c.source.split()))  # where it was given: "at the till"
        consents.append(tr(CONSENT_NAMES[c.channel])
                        + (f" ({', '.join(about)})" if about else ""))
    add(tr("May contact by"), ", ".join(consents) or tr("no consent recorded"))
    add(tr("Customer since"), fmt.date(card.created_at.date()))
    return "<table>" + "".join(rows) + "</table>"


def taste_html(card: CustomerCard, fmt: Formatter, muted: str, tr: Translate) -> str:
    data = card.data
    rows = []
    for label, value in ((tr("Likes"), data.likes), (tr("Dislikes"), data.dislikes),
                         (tr("Diet"), data.diet), (tr("Sizes"), data.sizes)):
        if value:
            rows.append(f"<b>{esc(label)}:</b> {esc(value)}")
    if data.notes:
        rows.append(esc(data.notes))
    return "<br>".join(rows) or none_html(tr("Nothing noted yet."), muted)


def timeline_html(card: CustomerCard, fmt: Formatter, muted: str, tr: Translate) -> str:
    if not card.interactions:
        return none_html(tr("No conversations logged yet."), muted)
    rows = []
    for entry in card.interactions:
        arrow = "←" if entry.direction == "in" else "→"
        channel = tr(CHANNEL_NAMES.get(entry.channel, entry.channel))
        rows.append(
            f"<p style='margin:0 0 8px 0'><span style='color:{muted}'>"
            f"{esc(fmt.moment(entry.occurred_at))} · {arrow} {esc(channel)}</span><br>"
            f"{esc(entry.summary)}</p>")
    if card.interaction_count > len(card.interactions):
        rows.append(none_html(tr("Older conversations are kept but not shown here."), muted))
    return "".join(rows)
