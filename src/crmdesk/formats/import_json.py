"""Read a crmdesk JSON export back: the parser (formats/export_json.py describes the shape).

Versions 1 and 2 are read. Two ways in:

- lossless, for a crmdesk file (what `export_json` writes):

      document = read_json(path)                                       # ImportFileError
      plan_ = core.restore.plan(document, db, "GB", on_duplicate="skip")  # writes nothing
      result = core.restore.apply(plan_, db)                           # all or nothing

  `core.restore` holds the writing rules; this module only reads and checks the document's
  shape (`JsonDocument`) and turns one customer into a CustomerInput (`customer_input`).

- through the ordinary wizard: `import_file.read_file` hands a crmdesk .json to `to_table`,
  a Table with columns the auto-mapping knows (names, phones, e-mail, address, notes, tags,
  birthday, anniversary...). Consents, custom dates and history do not travel that way.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crmdesk.core.model import CustomerInput
from crmdesk.formats import export_json
from crmdesk.formats.import_common import ImportFileError, PartialDate, Table, check_shapes

_NOT_OURS = ("This file is JSON but not a crmdesk export (it has no \"format\": \"crmdesk\"). "
             "Only JSON files exported by crmdesk can be imported; for other lists use CSV, "
             "Excel (.xlsx) or vCard (.vcf).")


@dataclass
class JsonDocument:
    customers: Sequence[dict]  # a list, or CustomerLines (read from the file when asked)
    exported_at: str = ""
    version: int = export_json.VERSION
    settings: dict = field(default_factory=dict)
    categories: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    purchases: list[dict] = field(default_factory=list)  # sales without a customer


def looks_like_crmdesk(head: bytes) -> bool:
    """True when the start of a file is a JSON object that names the crmdesk format."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"format"' in text and b'"crmdesk"' in text


def load(text: str, allow_empty: bool = False) -> JsonDocument:
    """Parse a document's text; ImportFileError (in plain words) for anything else."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ImportFileError(
            "This JSON file is damaged or cut off and cannot be read "
            f"(line {getattr(exc, 'lineno', '?')}).") from exc
    if not isinstance(data, dict) or data.get("format") != export_json.FORMAT:
        raise ImportFileError(_NOT_OURS)
    version = data.get("version")
    if version not in export_json.VERSIONS:
        raise ImportFileError(
            f"This crmdesk export is version {version!r}; this crmdesk reads versions "
            f"{' and '.join(str(v) for v in export_json.VERSIONS)}. Update crmdesk to import it.")
    customers = data.get("customers")
    if not isinstance(customers, list) or not all(isinstance(c, dict) for c in customers):
        raise ImportFileError("This crmdesk export has no list of customers: it is damaged.")
    lists = {}
    for name in ("categories", "products", "segments", "purchases"):
        value = data.get(name) if version >= 2 else None
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, dict) for v in value)):
            raise ImportFileError(f"The {name} of this crmdesk export are damaged.")
        lists[name] = value or []
    settings = data.get("settings") if version >= 2 else None
    if settings is not None and not isinstance(settings, dict):
        raise ImportFileError("The settings of this crmdesk export are damaged.")
    if not customers and not any(lists.values()) and not allow_empty:
        raise ImportFileError("The file is empty: there is nothing to import.")
    return JsonDocument(customers, str(data.get("exported_at") or ""), version,
                        {str(k): str(v) for k, v in (settings or {}).items()}, **lists)


class CustomerLines(Sequence):
    """The customers of a file in crmdesk's own layout (one customer a line), read from the file
    when asked for: a book of 100,000 customers with their sales is never held whole."""

    def __init__(self, path: Path, offsets: list[int]):
        self.path, self.offsets = path, offsets

    def __len__(self) -> int:
        return len(self.offsets)

    def _parse(self, line: bytes, index: int) -> dict:
        try:
            item = json.loads(line.rstrip(b"\r\n ,").decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ImportFileError(f"Customer {index + 1} of this JSON file is damaged: nothing "
                                  "was imported.") from exc
        if not isinstance(item, dict):
            raise ImportFileError("This crmdesk export has no list of customers: it is damaged.")
        return item

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        with self.path.open("rb") as handle:
            handle.seek(self.offsets[index])
            return self._parse(handle.readline(), index)

    def __iter__(self) -> Iterator[dict]:
        with self.path.open("rb") as handle:
            for index, offset in enumerate(self.offsets):
                handle.seek(offset)
                yield self._parse(handle.readline(), index)


def _read_lines(path: Path) -> JsonDocument | None:
    """A file as `export_json` writes it, read a line at a time; None for any other layout
    (then the whole file is parsed at once)."""
    with path.open("rb") as handle:
        head = handle.readline().removeprefix(b"\xef\xbb\xbf").rstrip()
        if not (head.startswith(b'{"format": "crmdesk"') and head.endswith(b'"customers": [')):
            return None
        offsets, tail = [], b""
        while True:
            offset = handle.tell()
            line = handle.readline()
            if not line:
                return None  # cut off: the whole-file parse says so in plain words
            if line.startswith(b"{"):
                offsets.append(offset)
                continue
            tail = line + handle.read()
            break
    try:
        ends = json.loads((b'{"customers": [' + tail).decode("utf-8"))
        document = load((head + b"]}").decode("utf-8"), allow_empty=True)
    except (ValueError, ImportFileError):
        return None
    if not isinstance(ends, dict) or set(ends) - {"customers", "purchases"}:
        return None
    purchases = ends.get("purchases") if document.version >= 2 else None
    if purchases is not None and not (isinstance(purchases, list)
                                      and all(isinstance(v, dict) for v in purchases)):
        raise ImportFileError("The purchases of this crmdesk export are damaged.")
    document.customers = CustomerLines(path, offsets)
    document.purchases = purchases or []
    if not offsets and not (document.purchases or document.categories or document.products
                            or document.segments):
        raise ImportFileError("The file is empty: there is nothing to import.")
    return document


def read_json(path: Path | str) -> JsonDocument:
    try:
        found = _read_lines(Path(path))
    except IsADirectoryError as exc:
        raise ImportFileError("This is a folder, not a file.") from exc
    except OSError as exc:
        raise ImportFileError(f"The file cannot be opened: {exc.strerror or exc}.") from exc
    if found is not None:
        return found
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError as exc:
        raise ImportFileError("This is a folder, not a file.") from exc
    except OSError as exc:
        raise ImportFileError(f"The file cannot be opened: {exc.strerror or exc}.") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("This JSON file is not UTF-8 text: it is damaged.") from exc
    return load(text)


def customer_input(item: dict) -> CustomerInput:
    """One exported customer as new input (dates without their old ids); ValueError/KeyError/
    TypeError for a damaged entry."""
    data = export_json.customer_input(item)
    check_shapes(data)  # a list or an object where text belongs: TypeError, said plainly
    data.dates = [dataclasses.replace(d, id=None) for d in data.dates]
    return data


# --- the ordinary wizard's way in --------------------------------------------------------

_COLUMNS = (("First name", "first_name"), ("Last name", "last_name"),
            ("Company", "business_name"), ("Phone", "phone"), ("Phone 2", "phone_alt"),
            ("WhatsApp", "whatsapp"), ("E-mail", "email"), ("Address", "address"),
            ("City", "city"), ("Postcode", "postcode"), ("Country", "country"),
            ("Notes", "notes"), ("Likes", "likes"), ("Dislikes", "dislikes"),
            ("Diet", "diet"), ("Sizes", "sizes"), ("Source", "source"), ("Status", "status"))


def to_table(document: JsonDocument) -> Table:
    """The customers as a Table the ordinary mapping reads (live customers only)."""
    headers = [h for h, _ in _COLUMNS] + ["Tags", "Birthday", "Anniversary"]
    rows, numbers = [], []
    for number, item in enumerate(document.customers, start=1):
        if item.get("deleted_at"):
            continue
        row: list[object] = [str(item.get(key) or "") for _, key in _COLUMNS]
        row.append("; ".join(str(t) for t in item.get("tags") or []))
        for kind in ("birthday", "anniversary"):
            found = next((d for d in item.get("dates") or []
                          if isinstance(d, dict) and d.get("kind") == kind), None)
            try:
                row.append(PartialDate(int(found["day"]), int(found["month"]),
                                       int(found["year"]) if found.get("year") else None)
                           if found else "")
            except (KeyError, TypeError, ValueError):
                row.append("")
        rows.append(row)
        numbers.append(number)
    if not rows:
        raise ImportFileError("The file has no customers outside the Trash: nothing to import.")
    return Table(headers, rows, numbers, "json", unit="customer")
