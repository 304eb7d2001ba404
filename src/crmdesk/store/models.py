"""Peewee models. The schema itself is created by `migrations.py`; these classes map onto it.

All datetimes are stored as naive UTC; dates are plain calendar dates.
Models are bound to a database by `store.db.open_database`, never at import time.
"""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

CUSTOMER_KINDS = ("person", "business")
STATUSES = ("prospect", "customer", "former")
DATE_KINDS = ("birthday", "anniversary", "custom")
CHANNELS = ("visit", "call", "email", "whatsapp", "sms", "meeting", "other")
DIRECTIONS = ("in", "out")
CONSENT_CHANNELS = ("email", "sms", "whatsapp", "phone")


class BaseModel(Model):
    class Meta:
        database = None
        legacy_table_names = False


class Customer(BaseModel):
    kind = CharField(default="person")
    first_name = TextField(default="")
    last_name = TextField(default="")
    business_name = TextField(default="")
    display_name = TextField(default="")
    sort_name = TextField(default="")
    phone = TextField(default="")
    phone_alt = TextField(default="")
    email = TextField(default="")
    whatsapp = TextField(default="")
    address = TextField(default="")
    city = TextField(default="")
    postcode = TextField(default="")
    country = TextField(default="")
    notes = TextField(default="")
    likes = TextField(default="")
    dislikes = TextField(default="")
    diet = TextField(default="")
    sizes = TextField(default="")
    status = CharField(default="customer")
    source = TextField(default="")
    do_not_contact = BooleanField(default=False)
    keep_in_touch_days = IntegerField(null=True)
    last_contact_at = DateTimeField(null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    # The phone fields whose number is kept unchecked ("phone whatsapp"; schema step 6).
    phone_check = TextField(default="")
    # With keep in touch, the later of the last conversation and the last purchase's day
    # (schema step 7, kept by SQL triggers for the reminders); never written by code (a save
    # writes last_contact_at too, which has the triggers work it out again).
    touched_at = DateTimeField(null=True)


class Consent(BaseModel):
    customer = ForeignKeyField(Customer, backref="consents", on_delete="RESTRICT")
    channel = CharField()
    granted = BooleanField(default=False)
    recorded_on = DateField(null=True)
    source = TextField(default="")

    class Meta:
        indexes = ((("customer", "channel"), True),)


class Tag(BaseModel):
    name = TextField(unique=True)


class CustomerTag(BaseModel):
    customer = ForeignKeyField(Customer, backref="customer_tags", on_delete="RESTRICT")
    tag = ForeignKeyField(Tag, backref="customer_tags", on_delete="RESTRICT")

    class Meta:
        primary_key = CompositeKey("customer", "tag")


class ImportantDate(BaseModel):
    customer = ForeignKeyField(Customer, backref="dates", on_delete="RESTRICT")
    kind = CharField(default="birthday")
    label = TextField(default="")
    day = IntegerField()
    month = IntegerField()
    year = IntegerField(null=True)
    lead_days = IntegerField(null=True)


class Interaction(BaseModel):
    customer = ForeignKeyField(Customer, backref="interactions", on_delete="RESTRICT")
    channel = CharField(default="visit")
    direction = CharField(default="out")
    occurred_at = DateTimeField()
    summary = TextField(default="")
    created_at = DateTimeField()


class FollowUp(BaseModel):
    customer = ForeignKeyField(Customer, backref="follow_ups", on_delete="RESTRICT")
    title = TextField(default="")
    due_on = DateField()
    done_at = DateTimeField(null=True)
    created_at = DateTimeField()


class Setting(BaseModel):
    key = TextField(primary_key=True)
    value = TextField()


class Appointment(BaseModel):
    """An appointment or get-together with a customer, at a time (naive UTC)."""

    customer = ForeignKeyField(Customer, backref="appointments", on_delete="RESTRICT")
    starts_at = DateTimeField()
    place = TextField(default="")
    note = TextField(default="")
    lead_minutes = IntegerField(null=True)
    created_at = DateTimeField()
    done_at = DateTimeField(null=True)


DELIVERY_STATES = ("shown", "snoozed", "dismissed", "done")


class ReminderDelivery(BaseModel):
    """What became of one occurrence of a reminder (see core/reminders.py)."""

    occurrence_key = TextField(unique=True)
    kind = CharField()
    customer_id = IntegerField()  # no foreign key: a log that must not block erasing
    occurs_on = DateField()
    state = CharField(null=True)  # DELIVERY_STATES, or None while only failed attempts exist
    snoozed_until = DateTimeField(null=True)
    updated_at = DateTimeField()
    attempts = IntegerField(default=0)
    last_error = TextField(default="")


class Category(BaseModel):
    name = TextField(unique=True)
    archived = BooleanField(default=False)


class Product(BaseModel):
    name = TextField(unique=True)
    category = ForeignKeyField(Category, null=True, backref="products", on_delete="SET NULL")
    price_minor = IntegerField(null=True)
    archived = BooleanField(default=False)


class Purchase(BaseModel):
    """A sale: money in integer minor units of `currency` (see migrations V4_SQL)."""

    customer = ForeignKeyField(Customer, null=True, backref="purchases", on_delete="SET NULL")
    purchased_on = DateField()
    total_minor = IntegerField()
    currency = TextField(default="")
    note = TextField(default="")
    source = TextField(default="")
    import_batch = TextField(null=True)
    created_at = DateTimeField()


class PurchaseItem(BaseModel):
    purchase = ForeignKeyField(Purchase, backref="items", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, null=True, backref="purchase_items", on_delete="SET NULL")
    purchased_on = DateField()  # the purchase's own, repeated for the segment index
    product = ForeignKeyField(Product, null=True, backref="items", on_delete="SET NULL")
    category = ForeignKeyField(Category, null=True, backref="items", on_delete="SET NULL")
    description = TextField(default="")
    quantity = IntegerField(default=1)
    amount_minor = IntegerField(null=True)


LOYALTY_KINDS = ("earn", "redeem", "adjust")


class LoyaltyEntry(BaseModel):
    customer = ForeignKeyField(Customer, backref="loyalty_entries", on_delete="CASCADE")
    purchase = ForeignKeyField(Purchase, null=True, backref="loyalty_entries", on_delete="CASCADE")
    kind = CharField()
    points = IntegerField()
    reward = TextField(default="")
    created_at = DateTimeField()


class CustomerSales(BaseModel):
    """Per-customer sums kept by SQL triggers; RFM columns written by core."""

    customer = ForeignKeyField(Customer, primary_key=True, backref="sales",
                               on_delete="CASCADE")
    purchases = IntegerField(default=0)
    total_minor = IntegerField(default=0)
    first_purchase_on = DateField(null=True)
    last_purchase_on = DateField(null=True)
    loyalty_balance = IntegerField(default=0)
    r_score = IntegerField(null=True)
    f_score = IntegerField(null=True)
    m_score = IntegerField(null=True)
    rfm_segment = TextField(null=True)


class Segment(BaseModel):
    name = TextField(unique=True)
    rules = TextField(default="{}")
    created_at = DateTimeField()
    updated_at = DateTimeField()


MODELS = (Customer, Consent, Tag, CustomerTag, ImportantDate, Interaction, FollowUp, Setting,
          Appointment, ReminderDelivery, Category, Product, Purchase, PurchaseItem, LoyaltyEntry,
          CustomerSales, Segment)
