"""Purchase history from a till or point-of-sale export: columns, and one row read as a sale line.

A mapping is {column name: field}; `FIELDS` lists the fields a column can go to:

- ``date`` (required): the day of the sale; a time after it is ignored.
- ``amount``: the row's own amount (the line's amount when rows share a receipt; the sale's
  total when each row is a sale). ``total``: the whole receipt's total, repeated on its rows or
  given on one of them. ``unit_price`` with ``quantity``: the amount when there is no amount.
  At least one of ``amount``, ``total`` and ``unit_price`` is needed.
- ``phone``, ``email``, ``name`` (or ``first_name`` + ``last_name``): who bought; at least one.
- ``product``, ``category``, ``quantity``, ``note``, ``receipt`` (the receipt or ticket number):
  optional.

Column names are guessed from what tills and shops commonly write, in English and a few other
languages (German, French, Spanish, Italian, Dutch). `looks_like_purchases` tells the wizard when a
file's columns look like a till export rather than a customer list.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crmdesk.core import money
from crmdesk.core.catalogue import MAX_NAME
from crmdesk.core.sales import MAX_AMOUNT, MAX_DESCRIPTION, MAX_QUANTITY
from crmdesk.formats.import_common import Cell, ImportFileError, Table, cell_text
from crmdesk.formats.import_mapping import DateProblem, date_shape, read_date

FIELDS = ("date", "amount", "total", "unit_price", "quantity", "phone", "email", "name",
          "first_name", "last_name", "product", "category", "note", "receipt")
MONEY_FIELDS = ("amount", "total", "unit_price")
WHO_FIELDS = ("phone", "email", "name", "first_name", "last_name")
IGNORE = "ignore"


class PurchaseMappingError(ImportFileError):
    """The columns cannot be read as sales; the message is for the user."""


class RowProblem(ValueError):
    """Why a row cannot be read as a sale; the message is for the user."""


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").casefold())


_SYNONYMS = {
    "date": ("date", "sale date", "date of sale", "purchase date", "order date", "transaction date",
             "paid at", "created at", "day", "datetime", "date time", "timestamp",
             "datum", "verkaufsdatum", "fecha", "data", "date de vente", "datum verkoop"),
    "amount": ("amount", "line total", "line amount", "item total", "net sales", "gross sales",
               "sales", "value", "sum", "price paid", "paid", "lineitem total", "betrag",
               "importe", "montant", "importo", "bedrag", "umsatz"),
    "total": ("total", "receipt total", "ticket total", "order total", "transaction total",
              "grand total", "total amount", "total paid", "total price", "gesamt",
              "gesamtbetrag", "summe", "totale", "importe total", "montant total", "total ttc",
              "totaal"),
    "unit_price": ("unit price", "price", "item price", "lineitem price", "price each",
                   "preis", "einzelpreis", "prix", "prix unitaire", "precio", "prezzo", "prijs"),
    "quantity": ("quantity", "qty", "qty sold", "lineitem quantity", "units", "count", "menge",
                 "anzahl", "quantite", "cantidad", "quantita", "aantal", "pcs"),
    "phone": ("phone", "customer phone", "telephone", "tel", "mobile", "mobile phone",
              "phone number", "customer mobile", "billing phone", "telefon", "telefono",
              "telephone client", "handy"),
    "email": ("email", "e-mail", "email address", "customer email", "customer e-mail", "mail",
              "e-mail address", "courriel", "correo"),
    "name": ("name", "customer", "customer name", "client", "client name", "full name",
             "buyer", "billing name", "member", "member name", "kunde", "kundenname", "nom",
             "nom client", "cliente", "nombre", "klant"),
    "first_name": ("first name", "firstname", "given name", "customer first name", "vorname",
                   "prenom"),
    "last_name": ("last name", "lastname", "surname", "family name", "customer last name",
                  "nachname", "apellido", "cognome", "achternaam"),
    "product": ("product", "item", "item name", "product name", "article", "description",
                "lineitem name", "sku name", "goods", "artikel", "produkt", "bezeichnung",
                "produit", "articulo", "producto", "prodotto", "articolo", "omschrijving"),
    "category": ("category", "product category", "item category", "department", "group",
                 "product group", "kategorie", "warengruppe", "categorie", "categoria",
                 "rayon", "famille"),
    "note": ("note", "notes", "comment", "comments", "remark", "remarks", "memo", "notiz",
             "bemerkung", "commentaire", "nota"),
    "receipt": ("receipt", "receipt number", "receipt no", "receipt id", "receipt #",
                "ticket", "ticket number", "ticket no", "transaction", "transaction id",
                "transaction number", "order", "order id", "order number", "invoice",
                "invoice number", "invoice no", "sale id", "bill", "bill number", "bon",
                "bonnummer", "beleg", "belegnummer", "quittung", "numero de ticket", "ticket n",
                "recibo", "scontrino", "bonnr"),
}
_AUTO: dict[str, str] = {}
for _field, _names in _SYNONYMS.items():
    for _name in _names:
        _AUTO.setdefault(_norm(_name), _field)  # "name" stays a customer's name
_STRONG = {"date", "amount", "total", "unit_price", "quantity", "product", "receipt", "category"}


def guess_field(header: str) -> str | None:
    key = _norm(header)
    if key in _AUTO:
        return _AUTO[key]
    if not key:
        return None
    for prefix in ("customer", "client", "billing", "kunde"):  # "Customer Phone", ...
        if key.startswith(prefix) and key[len(prefix):] in _AUTO:
            field = _AUTO[key[len(prefix):]]
            return field if field in WHO_FIELDS else None
    if key.startswith(("date", "datum", "fecha")):
        return "date"
    if key.endswith(("no", "nr", "number", "id")):
        for stem in ("receipt", "ticket", "transaction", "order", "invoice", "bon", "beleg"):
            if key.startswith(stem):
                return "receipt"
    return None


def build_mapping(headers: list[str], user: dict[str, str] | None = None) -> dict[str, str]:
    """{column name: field} from the column names; `user` wins ("ignore" or "" leaves a column
    out). One column per field, except names (first and last)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = guess_field(header)
        if field and field not in taken:
            mapping[header] = field
            taken.add(field)
    for header, field in (user or {}).items():
        if not field or field == IGNORE:
            mapping.pop(header, None)
        elif field not in FIELDS:
            raise PurchaseMappingError(f"“{field}” is not a field a column can go to.")
        else:
            mapping[header] = field
    return mapping


def looks_like_purchases(headers: list[str]) -> bool:
    """True when the columns look like a till export: a date and money, not a customer list."""
    fields = {guess_field(h) for h in headers}
    money_found = bool(fields & set(MONEY_FIELDS))
    sale_words = bool(fields & {"receipt", "product", "quantity", "category"})
    return "date" in fields and money_found and (sale_words or len(headers) <= 6)


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    """Raise PurchaseMappingError, in plain words, when the mapping cannot give sales."""
    missing = [h for h in mapping if h not in headers]
    if missing:
        raise PurchaseMappingError(f"The file has no column called “{missing[0]}”.")
    fields = list(mapping.values())
    doubled = sorted({f for f in fields if fields.count(f) > 1})
    if doubled:
        raise PurchaseMappingError(
            "Two columns go to the same field (" + ", ".join(doubled) + "): choose one.")
    if "date" not in fields:
        raise PurchaseMappingError("Choose which column holds the date of each sale.")
    if not set(fields) & set(MONEY_FIELDS):
        raise PurchaseMappingError("Choose which column holds the amount paid.")
    if not set(fields) & set(WHO_FIELDS):
        raise PurchaseMappingError("Choose the column that says who bought: the customer's "
                                   "phone, e-mail or name.")


# --- reading the values ------------------------------------------------------------------------

def date_order(table: Table, mapping: dict[str, str]) -> str | None:
    """"dmy" or "mdy" when the date column tells, "ambiguous" when every date reads both ways
    (the user must choose), "mixed" when rows disagree; None without numeric dates."""
    index = _column(table, mapping, "date")
    if index is None:
        return None
    shapes = {date_shape(row[index]) for row in table.rows} - {None}
    definite = shapes - {"either"}
    if len(definite) == 2:
        return "mixed"
    if definite:
        return definite.pop()
    return "ambiguous" if shapes else None


def ambiguous_examples(table: Table, mapping: dict[str, str], count: int = 3) -> list[str]:
    index = _column(table, mapping, "date")
    if index is None:
        return []
    return [cell_text(r[index]) for r in table.rows if date_shape(r[index]) == "either"][:count]


_POINT_TAIL = re.compile(r"[.,](\d{1,2})\)?\s*-?\s*\D{0,4}$")


def decimal_point(table: Table, mapping: dict[str, str]) -> str | None:
    """The file's decimal point for amounts ("," or "."), judged from amounts like "12,50" and
    "3.5"; None when the file does not tell (then "1,234" reads as thousands)."""
    seen = set()
    for field in MONEY_FIELDS:
        index = _column(table, mapping, field)
        if index is None:
            continue
        for row in table.rows[:5000]:
            cell = row[index]
            if not isinstance(cell, str):
                continue
            match = _POINT_TAIL.search(cell.strip())
            if match:
                seen.add(cell.strip()[match.start()])
    return seen.pop() if len(seen) == 1 else None


def _column(table: Table, mapping: dict[str, str], field: str) -> int | None:
    for header, value in mapping.items():
        if value == field and header in table.headers:
            return table.headers.index(header)
    return None


@dataclass
class SaleRow:
    """One row of the file, read (customer not yet matched)."""

    index: int
    day: dt.date
    amount: int | None  # minor units: the row's own amount
    total: int | None  # minor units: the receipt's total when the file gives it
    quantity: int
    product: str  # a name for the catalogue ("" when there is none, or it is too long for one)
    category: str
    description: str  # the item as the file words it ("0.5 × Cheese" for a weight)
    note: str
    receipt: str
    phone: str
    email: str
    name: str

    @property
    def has_customer(self) -> bool:
        return bool(self.phone or self.email or self.name)


class SaleReader:
    """Reads rows of `table` with `mapping`; `read(index)` gives a SaleRow or raises
    RowProblem with the reason in plain words."""

    def __init__(self, table: Table, mapping: dict[str, str], currency: str,
                 order: str | None, today: dt.date, point: str | None = None):
        self.table, self.currency, self.order, self.today = table, currency, order, today
        self.point = point if point is not None else decimal_point(table, mapping)
        self.at = {field: _column(table, mapping, field) for field in FIELDS}
        # Tills repeat prices and days: each distinct text is read once.
        self._amounts: dict[str, int | str] = {}
        self._days: dict[object, dt.date | str] = {}

    def _text(self, row: list[Cell], field: str) -> str:
        index = self.at[field]
        if index is None:
            return ""
        cell = row[index]
        text = cell if isinstance(cell, str) else cell_text(cell)
        return " ".join(text.split()) if text else ""

    def _money(self, row: list[Cell], field: str, label: str) -> int | None:
        index = self.at[field]
        if index is None:
            return None
        cell = row[index]
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return money.to_minor(Decimal(repr(cell)), self.currency)  # a spreadsheet number
        text = cell_text(cell).strip()
        if not text:
            return None
        value = self._amounts.get(text)
        if value is None:
            try:
                value = money.parse_amount(text, self.currency, self.point)
            except ValueError as exc:
                value = f"{exc}."
            else:
                if abs(value) >= MAX_AMOUNT:
                    value = f"“{text}” is too large for a sale."
            self._amounts[text] = value
        if isinstance(value, str):
            raise RowProblem(f"{label}: {value}")
        return value

    def receipt(self, index: int) -> str:
        """The receipt number of a row, even of a row that cannot be read."""
        return self._text(self.table.rows[index], "receipt")

    def read(self, index: int) -> SaleRow:
        row = self.table.rows[index]
        day = self._date(row)
        amount = self._money(row, "amount", "Amount")
        total = self._money(row, "total", "Total")
        price = self._money(row, "unit_price", "Price")
        quantity, fraction = self._quantity(row)
        product = self._text(row, "product")
        category = self._text(row, "category")
        description = (product or category)[:MAX_DESCRIPTION]
        if fraction is not None:
            description = f"{fraction} × {description}".strip()[:MAX_DESCRIPTION]
        if amount is None and price is not None:
            amount = money.to_minor(money.to_decimal(price, self.currency) * (fraction or quantity),
                                    self.currency)
        if amount is None and total is None:
            raise RowProblem("No amount on this row.")
        name = self._text(row, "name")
        if not name:
            name = " ".join(x for x in (self._text(row, "first_name"),
                                        self._text(row, "last_name")) if x)
        return SaleRow(index, day, amount, total, quantity,
                       product if len(product) <= MAX_NAME else "",
                       category if len(category) <= MAX_NAME else "", description,
                       self._text(row, "note"), self._text(row, "receipt"),
                       self._text(row, "phone"), self._text(row, "email"), name)

    def _date(self, row: list[Cell]) -> dt.date:
        cell = row[self.at["date"]]
        key = cell if isinstance(cell, str) else repr(cell)
        day = self._days.get(key)
        if day is None:
            try:
                day = self._day(cell)
            except RowProblem as exc:
                day = str(exc)
            self._days[key] = day
        if isinstance(day, str):
            raise RowProblem(day)
        return day

    def _day(self, cell: Cell) -> dt.date:
        try:
            value = read_date(cell, self.order, self.today)
        except DateProblem as exc:
            raise RowProblem(f"Date: {exc}") from None
        if value is None:
            raise RowProblem("No date on this row.")
        if value.year is None:
            raise RowProblem(f"Date “{cell_text(cell)}” has no year.")
        try:
            day = dt.date(value.year, value.month, value.day)
        except ValueError:
            raise RowProblem(f"Date “{cell_text(cell)}” does not exist.") from None
        if day.year < 1900:
            raise RowProblem(f"Date “{cell_text(cell)}” is too long ago.")
        if day > self.today + dt.timedelta(days=1):
            raise RowProblem(f"Date “{cell_text(cell)}” is in the future.")
        return day

    def _quantity(self, row: list[Cell]) -> tuple[int, Decimal | None]:
        """A whole quantity, or (1, the fraction) for weights like 0.5 (kept in the item's
        description, since quantities are whole numbers). A return (-1) counts as 1: its
        amount is what is negative."""
        text = self._text(row, "quantity").replace(",", ".")
        if not text:
            return 1, None
        try:
            value = Decimal(text.rstrip("x×").strip())
        except InvalidOperation:
            raise RowProblem(f"Quantity “{text}” is not a number.") from None
        if abs(value) > MAX_QUANTITY:
            raise RowProblem(f"Quantity “{text}” is too large.")
        if value == value.to_integral_value():
            return max(1, abs(int(value))), None
        return 1, value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize()
