"""The customer book's rules: add, edit, trash and restore customers, and their card.

Every write is one transaction that also brings the search index in step.
"""

from __future__ import annotations

import datetime as dt

from peewee import SqliteDatabase

from crmdesk.core import dates as date_rules
from crmdesk.core import validation
from crmdesk.core.clock import Now, system_now, utc_naive
from crmdesk.core.model import (
    CardDate,
    ConsentInput,
    CustomerCard,
    CustomerInput,
    DateInput,
    FollowUpView,
    InteractionView,
)
from crmdesk.core.text import clean, clean_block, fold
from crmdesk.store import search
from crmdesk.store.models import (
    CHANNELS,
    DIRECTIONS,
    Appointment,
    Consent,
    Customer,
    CustomerTag,
    FollowUp,
    ImportantDate,
    Interaction,
    ReminderDelivery,
    Tag,
)

#: The customer's own editable columns (what CustomerInput holds besides tags, dates, consents).
EDITABLE_FIELDS = ("kind", "first_name", "last_name", "business_name", "phone", "phone_alt",
                  "email", "whatsapp", "address", "city", "postcode", "country", "notes",
                  "likes", "dislikes", "diet", "sizes", "status", "source", "do_not_contact",
                  "keep_in_touch_days")

CARD_INTERACTIONS = 200


class NotFound(LookupError):
    """The customer (or entry) no longer exists."""


class CustomerBook:
    """Writes and the card. `default_country` is asked each time, as the setting may change."""

    def __init__(self, db: SqliteDatabase, now: Now = system_now,
                 default_country=lambda: "", feb29: str = date_rules.FEB29_ON_FEB28):
        self.db = db
        self.now = now
        self.default_country = default_country
        self.feb29 = feb29

    def today(self) -> dt.date:
        return self.now().date()

    # --- customers -------------------------------------------------------------------------

    def validate(self, data: CustomerInput) -> CustomerInput:
        return validation.validate(data, self.default_country(), self.today())

    def create(self, data: CustomerInput) -> int:
        clean_data = self.validate(data)
        stamp = utc_naive(self.now())
        with self.db.atomic():
            customer = Customer(created_at=stamp, updated_at=stamp)
            self._apply(customer, clean_data)
            customer.save(force_insert=True)
            self._write_children(customer.id, clean_data)
            search.index_customers(self.db, [customer.id])
        return customer.id

    def update(self, customer_id: int, data: CustomerInput) -> None:
        clean_data = self.validate(data)
        with self.db.atomic():
            customer = self._get(customer_id)
            self._apply(customer, clean_data)
            customer.updated_at = utc_naive(self.now())
            customer.save()
            self._write_children(customer_id, clean_data)
            search.index_customers(self.db, [customer_id])

    def load_input(self, customer_id: int) -> CustomerInput:
        """Everything editable about a customer (for the edit dialog and undo snapshots)."""
        customer = self._get(customer_id, include_trash=True)
        data = CustomerInput(**{name: getattr(customer, name) for name in EDITABLE_FIELDS},
                             phone_check=customer.phone_check)
        data.tags = [name for (name,) in self.db.execute_sql(
            "SELECT t.name FROM customer_tag ct JOIN tag t ON t.id = ct.tag_id "
            "WHERE ct.customer_id = ? ORDER BY t.name COLLATE NOCASE", (customer_id,))]
        data.dates = [
            DateInput(kind=d.kind, day=d.day, month=d.month, year=d.year, label=d.label,
                      lead_days=d.lead_days, id=d.id)
            for d in ImportantDate.select().where(ImportantDate.customer == customer_id)
            .order_by(ImportantDate.month, ImportantDate.day)
        ]
        data.consents = [
            ConsentInput(c.channel, bool(c.granted), c.recorded_on, c.source)
            for c in Consent.select().where(Consent.customer == customer_id)
            .order_by(Consent.channel)
        ]
        return data

    def trash(self, customer_ids: list[int]) -> None:
        """Send to Trash (nothing is erased; Restore brings them back)."""
        stamp = utc_naive(self.now())
        with self.db.atomic():
            (Customer.update(deleted_at=stamp)
             .where(Customer.id.in_(customer_ids) & Customer.deleted_at.is_null()).execute())

    def restore(self, customer_ids: list[int]) -> None:
        with self.db.atomic():
            Customer.update(deleted_at=None).where(Customer.id.in_(customer_ids)).execute()

    def empty_trash(self) -> int:
        """Erase everyone in Trash for good, with their dates, conversations and follow-ups."""
        with self.db.atomic():
            ids = [c.id for c in Customer.select(Customer.id).where(Customer.deleted_at.is_null(False))]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for model in (Consent, CustomerTag, ImportantDate, Interaction, FollowUp,
                              Appointment):
                    model.delete().where(model.customer.in_(chunk)).execute()
                ReminderDelivery.delete().where(ReminderDelivery.customer_id.in_(chunk)).execute()
                marks = ",".join("?" * len(chunk))
                self.db.execute_sql(f"DELETE FROM customer_search WHERE rowid IN ({marks})", chunk)
                Customer.delete().where(Customer.id.in_(chunk)).execute()
            self.db.execute_sql(
                "DELETE FROM tag WHERE id NOT IN (SELECT DISTINCT tag_id FROM customer_tag)")
            from crmdesk.core.merge import prune_records  # (core.merge imports this module)

            prune_records(self.db)  # merge records hold copies of the erased customers' details
        return len(ids)

    # --- conversation log and follow-ups ---------------------------------------------------

    def log_interaction(self, customer_id: int, channel: str, summary: str,
                        direction: str = "out", when: dt.datetime | None = None) -> int:
        summary = clean_block(summary)
        if channel not in CHANNELS:
            raise validation.ValidationError({"channel": "Choose how you were in touch."})
        if direction not in DIRECTIONS:
            raise validation.ValidationError({"direction": "Choose who got in touch."})
        if not summary:
            raise validation.ValidationError({"summary": "Write a few words about it."})
        now = self.now()
        with self.db.atomic():
            self._get(customer_id)
            entry = Interaction.create(
                customer=customer_id, channel=channel, direction=direction, summary=summary,
                occurred_at=utc_naive(when or now), created_at=utc_naive(now))
        return entry.id

    def remove_interaction(self, interaction_id: int) -> None:
        with self.db.atomic():
            Interaction.delete().where(Interaction.id == interaction_id).execute()

    def add_follow_up(self, customer_id: int, title: str, due_on: dt.date) -> int:
        title = clean(title)
        if not title:
            raise validation.ValidationError({"title": "Say what to follow up on."})
        with self.db.atomic():
            self._get(customer_id)
            entry = FollowUp.create(customer=customer_id, title=title, due_on=due_on,
                                    created_at=utc_naive(self.now()))
        return entry.id

    def set_follow_up_done(self, follow_up_id: int, done: bool) -> None:
        with self.db.atomic():
            (FollowUp.update(done_at=utc_naive(self.now()) if done else None)
             .where(FollowUp.id == follow_up_id).execute())

    def remove_follow_up(self, follow_up_id: int) -> None:
        with self.db.atomic():
            FollowUp.delete().where(FollowUp.id == follow_up_id).execute()

    # --- the card --------------------------------------------------------------------------

    def card(self, customer_id: int) -> CustomerCard:
        customer = self._get(customer_id, include_trash=True)
        data = self.load_input(customer_id)
        today = self.today()
        card_dates = []
        for item in data.dates:
            coming = date_rules.upcoming(item.day, item.month, item.year, today, self.feb29)
            card_dates.append(CardDate(item.id, item.kind, item.label, item.day, item.month,
                                       item.year, coming.on, coming.days_left, coming.years))
        card_dates.sort(key=lambda d: d.days_left)
        interactions = [
            InteractionView(i.id, i.channel, i.direction, i.occurred_at, i.summary)
            for i in Interaction.select()
            .where(Interaction.customer == customer_id)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(CARD_INTERACTIONS)
        ]
        total = Interaction.select().where(Interaction.customer == customer_id).count()
        follow_ups = [
            FollowUpView(f.id, f.title, f.due_on, f.done_at, f.done_at is None and f.due_on < today)
            for f in FollowUp.select().where(FollowUp.customer == customer_id)
            .order_by(FollowUp.done_at.is_null(False), FollowUp.due_on, FollowUp.id)
        ]
        return CustomerCard(
            id=customer.id, name=customer.display_name, data=data,
            created_at=customer.created_at, updated_at=customer.updated_at,
            deleted_at=customer.deleted_at, last_contact=customer.last_contact_at,
            dates=card_dates, interactions=interactions, interaction_count=total,
            follow_ups=follow_ups)

    # --- internals -------------------------------------------------------------------------

    def _get(self, customer_id: int, include_trash: bool = False) -> Customer:
        query = Customer.select().where(Customer.id == customer_id)
        if not include_trash:
            query = query.where(Customer.deleted_at.is_null())
        customer = query.first()
        if customer is None:
            raise NotFound(customer_id)
        return customer

    @staticmethod
    def _apply(customer: Customer, data: CustomerInput) -> None:
        for name in EDITABLE_FIELDS:
            setattr(customer, name, getattr(data, name))
        customer.phone_check = data.phone_check  # set by validation, never typed
        customer.display_name = validation.display_name(data)
        customer.sort_name = fold(customer.display_name)

    def _write_children(self, customer_id: int, data: CustomerInput) -> None:
        # Dates: keep the ids of dates that stay (reminders refer to them).
        existing = {d.id for d in ImportantDate.select(ImportantDate.id)
                    .where(ImportantDate.customer == customer_id)}
        kept = set()
        for item in data.dates:
            values = dict(kind=item.kind, day=item.day, month=item.month, year=item.year,
                          label=item.label, lead_days=item.lead_days)
            if item.id in existing and item.id not in kept:
                ImportantDate.update(**values).where(ImportantDate.id == item.id).execute()
                kept.add(item.id)
            else:
                ImportantDate.create(customer=customer_id, **values)
        gone = existing - kept
        if gone:
            ImportantDate.delete().where(ImportantDate.id.in_(list(gone))).execute()

        CustomerTag.delete().where(CustomerTag.customer == customer_id).execute()
        for name in data.tags:
            tag = Tag.select().where(Tag.name == name).first()
            if tag is None:
                tag = Tag.create(name=name)
            CustomerTag.insert(customer=customer_id, tag=tag.id).on_conflict_ignore().execute()
        self.db.execute_sql(
            "DELETE FROM tag WHERE id NOT IN (SELECT DISTINCT tag_id FROM customer_tag)")

        stored = {c.channel: c for c in Consent.select().where(Consent.customer == customer_id)}
        today = self.today()
        for consent in data.consents:
            before = stored.get(consent.channel)
            if before is not None and bool(before.granted) == consent.granted and \
                    before.source == consent.source:
                continue
            recorded = consent.recorded_on or today
            if before is not None and bool(before.granted) != consent.granted:
                recorded = consent.recorded_on if consent.recorded_on and \
                    consent.recorded_on != before.recorded_on else today
            (Consent.insert(customer=customer_id, channel=consent.channel,
                            granted=consent.granted, recorded_on=recorded, source=consent.source)
             .on_conflict(conflict_target=[Consent.customer, Consent.channel],
                          update={Consent.granted: consent.granted,
                                  Consent.recorded_on: recorded,
                                  Consent.source: consent.source})
             .execute())
