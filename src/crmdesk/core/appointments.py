"""Appointments and get-togethers with a customer: a day and time in local time (stored as naive
UTC), a place, a note and, if it differs from the setting, how long before to remind.

They remind like the other dates (core/reminders.py). Every write is one transaction; `remove`
hands back everything `restore` needs to put the appointment back, with the same id (so its
reminder keeps its identity and is not shown twice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import SqliteDatabase

from crmdesk.core.clock import Now, local_zone, system_now, utc_naive
from crmdesk.core.customers import NotFound
from crmdesk.core.text import clean, clean_block
from crmdesk.core.validation import ValidationError
from crmdesk.store.models import Appointment, Customer

MAX_LEAD_MINUTES = 7 * 24 * 60
MAX_PLACE = 200
MAX_NOTE = 2000


@dataclass(frozen=True)
class AppointmentInput:
    """What the appointment dialog edits."""

    on: dt.date | None = None
    at: dt.time | None = None  # local time of day; seconds are dropped
    place: str = ""
    note: str = ""
    lead_minutes: int | None = None  # None: the setting's default (an hour)


@dataclass(frozen=True)
class AppointmentView:
    id: int
    customer_id: int
    starts_at: dt.datetime  # aware, local
    place: str
    note: str
    lead_minutes: int | None
    done_at: dt.datetime | None  # naive UTC
    created_at: dt.datetime  # naive UTC

    def as_input(self) -> AppointmentInput:
        return AppointmentInput(self.starts_at.date(), self.starts_at.time().replace(tzinfo=None),
                                self.place, self.note, self.lead_minutes)


@dataclass(frozen=True)
class RemovedAppointment:
    """An appointment as it was before `remove`, for `restore` (undo)."""

    id: int
    customer_id: int
    starts_at: dt.datetime  # naive UTC, as stored
    place: str
    note: str
    lead_minutes: int | None
    created_at: dt.datetime
    done_at: dt.datetime | None


class Appointments:
    """Add, change, remove and list a customer's appointments.

    `tz` is the local zone for days and times (None: the system's, with its DST rules).
    """

    def __init__(self, db: SqliteDatabase, now: Now = system_now, tz: dt.tzinfo | None = None):
        self.db = db
        self.now = now
        self.tz = tz

    # --- local time <-> stored UTC ---------------------------------------------------------

    def to_utc(self, on: dt.date, at: dt.time) -> dt.datetime:
        local = dt.datetime.combine(on, at.replace(second=0, microsecond=0, tzinfo=None))
        return utc_naive(local if self.tz is None else local.replace(tzinfo=self.tz))

    def to_local(self, stored: dt.datetime) -> dt.datetime:
        moment = stored.replace(tzinfo=dt.UTC)
        return moment.astimezone(local_zone() if self.tz is None else self.tz)

    def today(self) -> dt.date:
        now = self.now()
        return now.date() if now.tzinfo is None else now.astimezone(self.tz).date()

    # --- checks ----------------------------------------------------------------------------

    def validate(self, data: AppointmentInput, new: bool = True) -> AppointmentInput:
        """A cleaned copy, or ValidationError naming each field that is wrong, in plain words.
        A new appointment cannot be on a day that has passed; a changed one can (to fix a
        typo in a past one)."""
        errors = {}
        if not isinstance(data.on, dt.date) or isinstance(data.on, dt.datetime):
            errors["on"] = "Choose the day."
        elif new and data.on < self.today():
            errors["on"] = "This day has passed. Choose today or a later day."
        if not isinstance(data.at, dt.time):
            errors["at"] = "Choose the time."
        place, note = clean(data.place), clean_block(data.note)
        if len(place) > MAX_PLACE:
            errors["place"] = f"Keep the place under {MAX_PLACE} characters."
        if len(note) > MAX_NOTE:
            errors["note"] = f"Keep the note under {MAX_NOTE} characters."
        lead = data.lead_minutes
        if lead is not None and (isinstance(lead, bool) or not isinstance(lead, int)
                                 or not 0 <= lead <= MAX_LEAD_MINUTES):
            errors["lead_minutes"] = "Remind between 0 minutes and 7 days before."
        if errors:
            raise ValidationError(errors)
        return AppointmentInput(data.on, data.at.replace(second=0, microsecond=0), place, note,
                                lead)

    def _customer(self, customer_id: int, include_trash: bool = False) -> None:
        query = Customer.select(Customer.id).where(Customer.id == customer_id)
        if not include_trash:
            query = query.where(Customer.deleted_at.is_null())
        if not query.exists():
            raise NotFound(customer_id)

    # --- writes ----------------------------------------------------------------------------

    def add(self, customer_id: int, data: AppointmentInput) -> int:
        clean_data = self.validate(data, new=True)
        with self.db.atomic():
            self._customer(customer_id)
            entry = Appointment.create(
                customer=customer_id, starts_at=self.to_utc(clean_data.on, clean_data.at),
                place=clean_data.place, note=clean_data.note,
                lead_minutes=clean_data.lead_minutes, created_at=utc_naive(self.now()))
        return entry.id

    def update(self, appointment_id: int, data: AppointmentInput) -> None:
        """Change it. A new day or time is a new occurrence: it reminds again."""
        clean_data = self.validate(data, new=False)
        with self.db.atomic():
            changed = (Appointment.update(
                starts_at=self.to_utc(clean_data.on, clean_data.at), place=clean_data.place,
                note=clean_data.note, lead_minutes=clean_data.lead_minutes)
                .where(Appointment.id == appointment_id).execute())
            if not changed:
                raise NotFound(appointment_id)

    def set_done(self, appointment_id: int, done: bool = True) -> None:
        with self.db.atomic():
            (Appointment.update(done_at=utc_naive(self.now()) if done else None)
             .where(Appointment.id == appointment_id).execute())

    def remove(self, appointment_id: int) -> RemovedAppointment:
        """Delete it; returns what `restore` needs to put it back."""
        with self.db.atomic():
            row = Appointment.get_or_none(Appointment.id == appointment_id)
            if row is None:
                raise NotFound(appointment_id)
            removed = RemovedAppointment(row.id, row.customer_id, row.starts_at, row.place,
                                         row.note, row.lead_minutes, row.created_at, row.done_at)
            row.delete_instance()
        return removed

    def restore(self, removed: RemovedAppointment) -> int:
        """Put a removed appointment back, with its id when that is still free."""
        with self.db.atomic():
            self._customer(removed.customer_id, include_trash=True)
            values = dict(customer=removed.customer_id, starts_at=removed.starts_at,
                          place=removed.place, note=removed.note,
                          lead_minutes=removed.lead_minutes, created_at=removed.created_at,
                          done_at=removed.done_at)
            if Appointment.get_or_none(Appointment.id == removed.id) is None:
                values["id"] = removed.id
            return Appointment.insert(**values).execute()

    # --- reads -----------------------------------------------------------------------------

    def get(self, appointment_id: int) -> AppointmentView:
        row = Appointment.get_or_none(Appointment.id == appointment_id)
        if row is None:
            raise NotFound(appointment_id)
        return self._view(row)

    def for_customer(self, customer_id: int, upcoming_only: bool = True,
                     limit: int = 200) -> list[AppointmentView]:
        """A customer's appointments by time: from the start of today on (for the card), or
        all of them, newest first, with `upcoming_only=False`."""
        query = Appointment.select().where(Appointment.customer == customer_id)
        if upcoming_only:
            start = self.to_utc(self.today(), dt.time())
            query = query.where(Appointment.starts_at >= start).order_by(
                Appointment.starts_at, Appointment.id)
        else:
            query = query.order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        return [self._view(row) for row in query.limit(limit)]

    def _view(self, row: Appointment) -> AppointmentView:
        return AppointmentView(row.id, row.customer_id, self.to_local(row.starts_at), row.place,
                               row.note, row.lead_minutes, row.done_at, row.created_at)
