"""Import purchase history from a till export: a dry run (`plan`), one transaction (`apply`),
`undo` by the import's batch id.

    table = import_file.read_file(path)                     # the same reader as for customers
    mapping = purchase_import.build_mapping(table.headers)  # formats/purchase_import.py
    plan_ = plan(table, mapping, db, country, currency, date_order)    # writes nothing
    result = apply(plan_, db, progress)    # all or nothing; ImportCancelled writes nothing
    undo(db, result.batch, result.new_category_ids, result.new_product_ids)

The rules (decided here, shown to the user on the check page and in the CLI summary):

- Matching, per row, in this order: the phone number, normalised to E.164 with the shop's country
  (against phone, second phone and WhatsApp); then the e-mail, case-insensitive; then the name,
  exact once case, accents and spacing are folded ("Müller, Anna" also finds Anna Müller). A
  value shared by two or more customers decides nothing and the next one is tried; when nothing
  finds exactly one customer the row is listed as unmatched, or as ambiguous ("2 customers are
  called ..."). Customers in Trash are never matched. (core/purchase_match.py.)
- Rows sharing a receipt (ticket) number and a date are one purchase with one item per row; rows
  of a receipt without customer details take the customer of the receipt's other rows. Without a
  receipt number each row is a purchase. A purchase's total is the file's receipt total when it
  has one, else the sum of its rows' amounts.
- A row whose date or amount cannot be read is rejected with the reason; the rest import. A
  receipt is imported whole or not at all: when one of its rows is rejected, so are the others
  (else its total would be wrong).
- Products and categories named in the file are matched case-insensitively against the catalogue
  and added to it when missing (undo takes away the ones it added, if nothing else uses them).
- The receipt number is kept at the start of the purchase's note ("Receipt 1042"); source is
  "import" and import_batch the batch id, which is what undo removes.
- Importing the same file again does not double the history: a purchase equal to one already in
  the book (same customer, day, total and receipt number) is skipped and counted as "already
  imported". Equal purchases within one file are all kept (two coffees on one day are two).
- Imported history earns no loyalty points: the program counts from when it is switched on.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from peewee import SqliteDatabase

from crmdesk.core import money
from crmdesk.core.clock import Now, system_now, utc_naive
from crmdesk.core.importing import ImportCancelled
from crmdesk.core.purchase_match import Matcher
from crmdesk.core.sales import MAX_NOTE
from crmdesk.core.write_turn import write_turn
from crmdesk.formats import purchase_import as sales_format
from crmdesk.formats.export_files import atomic_output
from crmdesk.formats.import_common import Table, cell_text
from crmdesk.formats.import_mapping import AmbiguousDates
from crmdesk.formats.purchase_import import RowProblem, SaleReader, SaleRow

log = logging.getLogger(__name__)

Progress = Callable[[int, int], bool | None]
CHUNK = 5000
SOURCE = "import"
RECEIPT_NOTE = "Receipt "
_RECEIPT_IN_NOTE = re.compile(r"^Receipt (.+?)(?: · |$)", re.DOTALL)

__all__ = ["ImportCancelled", "Item", "Matcher", "PlannedPurchase", "PlannedRow", "PurchasePlan",
           "PurchaseResult", "apply", "plan", "rejected_csv", "undo"]


@dataclass
class PlannedRow:
    index: int  # position in table.rows
    label: str  # "Row 7", as the user sees the file
    status: str  # "import", "duplicate", "unmatched", "ambiguous", "reject"
    reason: str = ""
    customer_id: int | None = None


@dataclass
class Item:
    product: str  # catalogue names ("" for none)
    category: str
    description: str
    quantity: int
    amount: int | None


@dataclass
class PlannedPurchase:
    customer_id: int
    day: dt.date
    total: int
    receipt: str
    note: str
    items: list[Item]
    rows: list[int]  # indexes into PurchasePlan.rows
    duplicate: bool = False


@dataclass
class PurchasePlan:
    table: Table
    mapping: dict[str, str]
    currency: str
    today: dt.date
    rows: list[PlannedRow]
    purchases: list[PlannedPurchase]
    new_categories: list[str] = field(default_factory=list)
    new_products: list[str] = field(default_factory=list)

    def _with(self, *statuses: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.status in statuses]

    @property
    def to_import(self) -> list[PlannedPurchase]:
        return [p for p in self.purchases if not p.duplicate]

    @property
    def matched(self) -> list[PlannedRow]:
        """Rows matched to a customer that will be imported."""
        return self._with("import")

    @property
    def duplicates(self) -> list[PlannedRow]:
        return self._with("duplicate")

    @property
    def unmatched(self) -> list[PlannedRow]:
        """Rows read right but matched to no customer, or to more than one."""
        return self._with("unmatched", "ambiguous")

    @property
    def rejected(self) -> list[PlannedRow]:
        return self._with("reject")

    @property
    def not_imported(self) -> list[PlannedRow]:
        """Unmatched and rejected rows, in file order, each with its reason."""
        return self._with("unmatched", "ambiguous", "reject")

    @property
    def duplicate_purchases(self) -> int:
        return sum(1 for p in self.purchases if p.duplicate)

    @property
    def total_minor(self) -> int:
        return sum(p.total for p in self.to_import)


@dataclass
class PurchaseResult:
    batch: str
    purchase_ids: list[int] = field(default_factory=list)
    items: int = 0
    new_category_ids: list[int] = field(default_factory=list)
    new_product_ids: list[int] = field(default_factory=list)
    duplicates: int = 0  # purchases skipped as already imported
    problems: list[str] = field(default_factory=list)


# --- the dry run -------------------------------------------------------------------------------

def plan(table: Table, mapping: dict[str, str], db: SqliteDatabase, country: str,
         currency: str, date_order: str | None = None, today: dt.date | None = None,
         progress: Progress | None = None) -> PurchasePlan:
    """Read, match and check every row; writes nothing. Raises PurchaseMappingError,
    AmbiguousDates (when every date reads both ways and `date_order` is None) and
    ImportCancelled (when `progress` returns False)."""
    if date_order not in (None, "dmy", "mdy"):
        raise ValueError("date_order must be 'dmy', 'mdy' or None")
    today = today or system_now().date()
    sales_format.check_mapping(mapping, table.headers)
    found = sales_format.date_order(table, mapping)
    if found == "ambiguous" and date_order is None:
        header = next(h for h, f in mapping.items() if f == "date")
        raise AmbiguousDates({header: sales_format.ambiguous_examples(table, mapping)})
    order = found if found in ("dmy", "mdy") else date_order
    reader = SaleReader(table, mapping, currency, order, today)
    matcher = Matcher(db, country)

    rows: list[PlannedRow] = []
    read: list[SaleRow | None] = []
    receipts: list[str] = []
    total = len(table.rows)
    for index in range(total):
        label = table.label(index)
        try:
            sale = reader.read(index)
        except RowProblem as exc:
            rows.append(PlannedRow(index, label, "reject", str(exc)))
            read.append(None)
        else:
            rows.append(PlannedRow(index, label, "import"))
            read.append(sale)
        receipts.append(reader.receipt(index).casefold())
        if progress is not None and index % CHUNK == CHUNK - 1 and \
                progress(index + 1, total) is False:
            raise ImportCancelled("The check was cancelled.")

    purchases: list[PlannedPurchase] = []
    for members in _groups(read, receipts, rows):
        purchase = _purchase(members, read, rows, matcher, currency)
        if purchase is not None:
            purchases.append(purchase)
    _mark_duplicates(db, purchases, rows)
    result = PurchasePlan(table, mapping, currency, today, rows, purchases)
    result.new_categories, result.new_products = _new_names(db, result.to_import)
    return result


def _groups(read: list[SaleRow | None], receipts: list[str],
            rows: list[PlannedRow]) -> list[list[int]]:
    """Row indexes that make one purchase: a receipt number and a day, or a row on its own.
    A receipt with a rejected row is rejected whole (its other rows are marked here)."""
    by_receipt: dict[str, list[int]] = {}
    singles: list[list[int]] = []
    for index, sale in enumerate(read):
        receipt = receipts[index]
        if receipt:
            by_receipt.setdefault(receipt, []).append(index)
        elif sale is not None:
            singles.append([index])
    groups = singles
    for members in by_receipt.values():
        bad = [i for i in members if read[i] is None]
        if bad:
            for i in members:
                if read[i] is not None:
                    rows[i].status = "reject"
                    rows[i].reason = (f"Another row of this receipt cannot be read "
                                      f"({rows[bad[0]].label.lower()}): the receipt is left out "
                                      "whole.")
            continue
        by_day: dict[dt.date, list[int]] = {}
        for i in members:
            by_day.setdefault(read[i].day, []).append(i)
        groups.extend(by_day.values())
    groups.sort(key=lambda g: g[0])
    return groups


def _purchase(members: list[int], read: list, rows: list[PlannedRow], matcher: Matcher,
              currency: str) -> PlannedPurchase | None:
    sales = [read[i] for i in members]
    ids, misses = [], []
    for sale in sales:
        if sale.has_customer:
            cid, status, reason = matcher.match(sale.phone, sale.email, sale.name)
            if cid is not None:
                ids.append(cid)
            else:
                misses.append((status, reason))
    distinct = list(dict.fromkeys(ids))
    receipt = sales[0].receipt
    if len(distinct) > 1:
        return _drop(members, rows, "reject", f"The rows of receipt {receipt} name different "
                                              "customers.")
    if not distinct:
        status, reason = misses[0] if misses else (
            "unmatched", "No customer details on this row (phone, e-mail or name).")
        return _drop(members, rows, status, reason)
    totals = {s.total for s in sales if s.total is not None}
    if len(totals) > 1:
        shown = ", ".join(money.format_plain(t, currency) for t in sorted(totals))
        return _drop(members, rows, "reject", f"The rows of receipt {receipt} give different "
                                              f"totals ({shown}).")
    amount = totals.pop() if totals else sum(s.amount or 0 for s in sales)
    items = [Item(s.product, s.category, s.description, s.quantity, s.amount) for s in sales
             if s.description]
    notes = list(dict.fromkeys(s.note for s in sales if s.note))
    note = "; ".join(notes)
    if receipt:
        note = f"{RECEIPT_NOTE}{receipt}" + (f" · {note}" if note else "")
    note = note[:MAX_NOTE]
    for i in members:
        rows[i].customer_id = distinct[0]
    return PlannedPurchase(distinct[0], sales[0].day, amount, receipt, note, items, members)


def _drop(members: list[int], rows: list[PlannedRow], status: str, reason: str) -> None:
    for i in members:
        rows[i].status, rows[i].reason = status, reason
    return None


def _key(purchase: PlannedPurchase) -> tuple:
    return (purchase.customer_id, purchase.day.isoformat(), purchase.total,
            purchase.receipt.casefold())


def _mark_duplicates(db: SqliteDatabase, purchases: list[PlannedPurchase],
                     rows: list[PlannedRow], accounted: Counter | None = None) -> None:
    """Skip purchases already in the book: same customer, day, total and receipt number. Each
    purchase in the book accounts for one in the file (`accounted`: those already matched to
    file purchases marked as duplicates before)."""
    if not purchases:
        return
    wanted = sorted({(p.customer_id, p.day.isoformat()) for p in purchases})
    known: Counter = Counter()
    for start in range(0, len(wanted), 20000):
        pairs = json.dumps(wanted[start:start + 20000])
        # Only the sales of these customers on these days: one index range each.
        for cid, day, total, note in db.execute_sql(
                "WITH wanted (customer_id, day) AS (SELECT json_extract(value, '$[0]'), "
                "json_extract(value, '$[1]') FROM json_each(?)) "
                "SELECT p.customer_id, p.purchased_on, p.total_minor, p.note "
                "FROM wanted CROSS JOIN purchase p "
                "ON p.customer_id = wanted.customer_id AND p.purchased_on = wanted.day",
                (pairs,)):
            match = _RECEIPT_IN_NOTE.match(note or "")
            known[(cid, str(day)[:10], total, match.group(1).casefold() if match else "")] += 1
    if accounted:
        known.subtract(accounted)
    if not known:
        return
    for purchase in purchases:
        key = _key(purchase)
        if known[key] > 0:
            known[key] -= 1
            purchase.duplicate = True
            for i in purchase.rows:
                rows[i].status = "duplicate"
                rows[i].reason = "Already imported: this sale is in the book."


def _catalogue(db: SqliteDatabase, table: str) -> dict[str, int]:
    return {name.casefold(): cid for cid, name in
            db.execute_sql(f"SELECT id, name FROM {table}")}


def _new_names(db: SqliteDatabase, purchases: list[PlannedPurchase]) -> tuple[list, list]:
    categories, products = _catalogue(db, "category"), _catalogue(db, "product")
    new_categories: dict[str, str] = {}
    new_products: dict[str, str] = {}
    for purchase in purchases:
        for item in purchase.items:
            if item.category and item.category.casefold() not in categories:
                new_categories.setdefault(item.category.casefold(), item.category)
            if item.product and item.product.casefold() not in products:
                new_products.setdefault(item.product.casefold(), item.product)
    return list(new_categories.values()), list(new_products.values())


# --- writing -----------------------------------------------------------------------------------

_INSERT_PURCHASE = ("INSERT INTO purchase (id, customer_id, purchased_on, total_minor, currency, "
                    "note, source, import_batch, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_ITEM = ("INSERT INTO purchase_item (purchase_id, customer_id, purchased_on, product_id, "
                "category_id, description, quantity, amount_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


def apply(plan_: PurchasePlan, db: SqliteDatabase, progress: Progress | None = None,
          now: Now = system_now, batch: str | None = None, patience: float | None = None,
          waiting: Callable[[], None] | None = None) -> PurchaseResult:
    """Write the plan's purchases (not those already imported) in one transaction, in chunks.
    `progress(done, total)` after each chunk; returning False raises ImportCancelled and
    nothing is written. No loyalty points are earned by imported history. Another crmdesk
    writing: see `write_turn` (`patience`, `waiting`; BookBusy)."""
    stamp = utc_naive(now()).replace(microsecond=0)
    with write_turn(db, patience, waiting):
        # Checked again now that this import holds the book: sales another import wrote since
        # the check (the same file imported twice at once) are skipped, not doubled.
        _mark_duplicates(db, plan_.to_import, plan_.rows,
                         Counter(_key(p) for p in plan_.purchases if p.duplicate))
        result = PurchaseResult(batch=batch or uuid.uuid4().hex[:12],
                                duplicates=plan_.duplicate_purchases)
        # In customer order: the per-customer indexes and sums are written close together.
        purchases = sorted(plan_.to_import, key=lambda p: (p.customer_id, p.day))
        total = len(purchases)
        categories, products = _catalogue(db, "category"), _catalogue(db, "product")
        _add_catalogue(db, purchases, categories, products, result)
        product_category = dict(db.execute_sql("SELECT id, category_id FROM product"))
        alive = {row[0] for row in db.execute_sql("SELECT id FROM customer")}
        next_id = db.execute_sql("SELECT COALESCE(MAX(id), 0) + 1 FROM purchase").fetchone()[0]
        cursor = db.cursor()
        for start in range(0, total, CHUNK):
            heads, lines = [], []
            for purchase in purchases[start:start + CHUNK]:
                cid = purchase.customer_id
                if cid not in alive:  # erased for good since the check
                    result.problems.append("A sale of a customer deleted since the check was "
                                           "left out.")
                    continue
                pid, day = next_id, purchase.day.isoformat()
                next_id += 1
                heads.append((pid, cid, day, purchase.total, plan_.currency, purchase.note,
                              SOURCE, result.batch, stamp))
                for item in purchase.items:
                    product_id = products.get(item.product.casefold()) if item.product else None
                    category_id = categories.get(item.category.casefold()) \
                        if item.category else None
                    if category_id is None and product_id is not None:
                        category_id = product_category.get(product_id)
                    lines.append((pid, cid, day, product_id, category_id,
                                  item.description, item.quantity, item.amount))
                result.purchase_ids.append(pid)
            cursor.executemany(_INSERT_PURCHASE, heads)
            cursor.executemany(_INSERT_ITEM, lines)
            result.items += len(lines)
            if progress is not None and progress(min(start + CHUNK, total), total) is False:
                raise ImportCancelled("The import was cancelled: nothing was written.")
    if total >= WARM_DASHBOARD_FROM:
        _warm_dashboard(db, now().date())
    return result


#: From this many sales in one import, the dashboard's kept figures are worked out again at the
#: end of the import (in its worker), so the first dashboard afterwards opens fast.
WARM_DASHBOARD_FROM = 5000


def _warm_dashboard(db: SqliteDatabase, today) -> None:
    from crmdesk.core import report

    try:
        report.warm_up(db, today)
    except Exception:  # the sales are in: a figure that cannot be kept now is worked out later
        log.exception("the dashboard could not be worked out after the import")


def _add_catalogue(db: SqliteDatabase, purchases: list[PlannedPurchase],
                   categories: dict[str, int], products: dict[str, int],
                   result: PurchaseResult) -> None:
    """Add the categories and products the file names that the catalogue lacks."""
    for purchase in purchases:
        for item in purchase.items:
            if item.category and item.category.casefold() not in categories:
                cid = db.execute_sql("INSERT INTO category (name) VALUES (?)",
                                     (item.category,)).lastrowid
                categories[item.category.casefold()] = cid
                result.new_category_ids.append(cid)
    for purchase in purchases:
        for item in purchase.items:
            if item.product and item.product.casefold() not in products:
                category = categories.get(item.category.casefold()) if item.category else None
                pid = db.execute_sql("INSERT INTO product (name, category_id) VALUES (?, ?)",
                                     (item.product, category)).lastrowid
                products[item.product.casefold()] = pid
                result.new_product_ids.append(pid)


def undo(db: SqliteDatabase, batch: str, new_category_ids: list[int] = (),
         new_product_ids: list[int] = ()) -> int:
    """Take an import back in one transaction: its purchases and their items go, and the
    products and categories it added, unless something else uses them now. Returns how many
    purchases were removed."""
    with db.atomic():
        db.execute_sql("DELETE FROM purchase_item WHERE purchase_id IN "
                       "(SELECT id FROM purchase WHERE import_batch = ?)", (batch,))
        removed = db.execute_sql("DELETE FROM purchase WHERE import_batch = ?",
                                 (batch,)).rowcount
        for pid in new_product_ids:
            db.execute_sql("DELETE FROM product WHERE id = ? AND NOT EXISTS "
                           "(SELECT 1 FROM purchase_item WHERE product_id = ?)", (pid, pid))
        for cid in new_category_ids:
            db.execute_sql("DELETE FROM category WHERE id = ? AND NOT EXISTS "
                           "(SELECT 1 FROM purchase_item WHERE category_id = ?) AND NOT EXISTS "
                           "(SELECT 1 FROM product WHERE category_id = ?)", (cid, cid, cid))
    return removed


def rejected_csv(plan_: PurchasePlan, path: Path | str) -> int:
    """Write the rows not imported (unmatched, ambiguous, rejected) as they were in the file,
    with a "reason" column first; returns how many. UTF-8 with a byte-order mark; readable by
    its owner only (ExportError when it cannot be written)."""
    rows = plan_.not_imported
    with atomic_output(Path(path), encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reason", *plan_.table.headers])
        for row in rows:
            writer.writerow([row.reason, *(cell_text(c) for c in plan_.table.rows[row.index])])
    return len(rows)
