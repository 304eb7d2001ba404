"""Property: sales written out the way tills write them come back exactly (day, amount, who)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.core import purchase_import
from crmdesk.core.model import CustomerInput
from crmdesk.formats import csv_import
from crmdesk.formats import purchase_import as sales_format

TODAY = dt.date(2026, 3, 10)
PEOPLE = (("Zoë", "Müller", "020 7946 0111", "zoe@example.com"),
          ("Bob", "Baker", "020 7946 0222", "bob@example.com"),
          ("Ana", "Núñez", "020 7946 0333", "ana@example.com"))

sale = st.tuples(st.integers(0, len(PEOPLE) - 1),
                 st.dates(dt.date(2000, 1, 1), TODAY),
                 st.integers(-10 ** 7, 10 ** 8))
style = st.fixed_dictionaries({
    "delimiter": st.sampled_from([",", ";", "\t"]),
    "point": st.sampled_from([".", ","]),
    "thousands": st.booleans(),
    "dates": st.sampled_from(["iso", "dmy-dots", "dmy-slash"]),
    "who": st.sampled_from(["phone", "email", "name", "reversed"]),
    "symbol": st.sampled_from(["", "€ ", "EUR "]),
})


def amount_text(minor: int, point: str, thousands: bool, symbol: str) -> str:
    whole, cents = divmod(abs(minor), 100)
    digits = f"{whole:,}" if thousands else str(whole)
    digits = digits.replace(",", "." if point == "," else ",")
    text = f"{symbol}{digits}{point}{cents:02d}"
    return f"({text})" if minor < 0 else text


def day_text(day: dt.date, how: str) -> str:
    if how == "iso":
        return day.isoformat()
    sep = "." if how == "dmy-dots" else "/"
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"


def who_text(person: tuple, how: str) -> str:
    first, last, phone, email = person
    return {"phone": phone, "email": email.upper(), "name": f"{first.lower()} {last.upper()}",
            "reversed": f"{last}, {first}"}[how]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(sale, min_size=1, max_size=12), how=style)
def test_sales_come_back_as_written(book, db, sales, how):
    if not db.execute_sql("SELECT count(*) FROM customer").fetchone()[0]:
        for first, last, phone, email in PEOPLE:
            book.create(CustomerInput(first_name=first, last_name=last, phone=phone,
                                      email=email))
    ids = [r[0] for r in db.execute_sql("SELECT id FROM customer ORDER BY id")]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=how["delimiter"])  # quotes "1,234.00" when it must
    writer.writerow(["Date", "Customer", "Amount"])
    for person, day, minor in sales:
        writer.writerow([day_text(day, how["dates"]), who_text(PEOPLE[person], how["who"]),
                         amount_text(minor, how["point"], how["thousands"], how["symbol"])])
    table = csv_import.read_text(out.getvalue())
    mapping = sales_format.build_mapping(table.headers)
    if how["who"] == "phone":
        mapping["Customer"] = "phone"
    elif how["who"] == "email":
        mapping["Customer"] = "email"
    plan = purchase_import.plan(table, mapping, db, "GB", "EUR", date_order="dmy", today=TODAY)
    assert [r.reason for r in plan.rows if r.status != "import"] == []
    assert [(p.customer_id, p.day, p.total) for p in plan.purchases] == [
        (ids[person], day, minor) for person, day, minor in sales]
