"""Plain data passed between the rules and the window (no Peewee, no Qt)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmdesk.core.segments import SegmentRules


@dataclass
class DateInput:
    kind: str = "birthday"  # birthday, anniversary, custom
    day: int = 1
    month: int = 1
    year: int | None = None
    label: str = ""
    lead_days: int | None = None
    id: int | None = None  # set for a date that already exists


@dataclass
class ConsentInput:
    channel: str  # email, sms, whatsapp, phone
    granted: bool = False
    recorded_on: dt.date | None = None
    source: str = ""


@dataclass
class CustomerInput:
    """Everything the add/edit dialog edits, and an undo snapshot of a customer."""

    kind: str = "person"
    first_name: str = ""
    last_name: str = ""
    business_name: str = ""
    phone: str = ""
    phone_alt: str = ""
    email: str = ""
    whatsapp: str = ""
    address: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    notes: str = ""
    likes: str = ""
    dislikes: str = ""
    diet: str = ""
    sizes: str = ""
    status: str = "customer"
    source: str = ""
    do_not_contact: bool = False
    keep_in_touch_days: int | None = None
    # The phone fields whose number could not be checked and is kept as written ("phone
    # whatsapp"): worked out by validation from the numbers, whatever it holds on the way in.
    phone_check: str = ""
    tags: list[str] = field(default_factory=list)
    dates: list[DateInput] = field(default_factory=list)
    consents: list[ConsentInput] = field(default_factory=list)


@dataclass(frozen=True)
class ListQuery:
    text: str = ""
    status: str | None = None
    tag: str | None = None
    sort: str = "name"  # name, phone, city, last_contact, next_date, created
    descending: bool = False
    trash: bool = False
    segment: SegmentRules | None = None  # only the customers matching these rules
    only_ids: tuple[int, ...] | None = None  # only these customers (those behind a chart bar)
    phone_check: bool = False  # only customers with a phone number kept unchecked


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list."""

    id: int
    kind: str
    name: str
    phone: str
    city: str
    tags: str
    status: str
    last_contact: dt.datetime | None  # UTC, naive
    next_date: dt.date | None
    next_date_kind: str
    next_date_label: str
    deleted_at: dt.datetime | None
    phone_check: str = ""  # the fields whose number is kept unchecked ("phone whatsapp")


@dataclass(frozen=True)
class CardDate:
    id: int
    kind: str
    label: str
    day: int
    month: int
    year: int | None
    next_on: dt.date
    days_left: int
    years: int | None


@dataclass(frozen=True)
class InteractionView:
    id: int
    channel: str
    direction: str
    occurred_at: dt.datetime  # UTC, naive
    summary: str


@dataclass(frozen=True)
class FollowUpView:
    id: int
    title: str
    due_on: dt.date
    done_at: dt.datetime | None
    overdue: bool


@dataclass(frozen=True)
class CustomerCard:
    id: int
    name: str
    data: CustomerInput
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None
    last_contact: dt.datetime | None
    dates: list[CardDate]
    interactions: list[InteractionView]
    interaction_count: int
    follow_ups: list[FollowUpView]
