"""Reading vCard files (.vcf, versions 2.1, 3.0 and 4.0), as phones and mail programs write them.

Our own small parser (vobject is used only by the tests, as a second opinion): folded lines,
QUOTED-PRINTABLE with CHARSET (2.1), backslash escapes (3.0/4.0), several TEL and EMAIL, BDAY and
ANNIVERSARY (also X-ANNIVERSARY) with or without a year, PHOTO and other binary lines skipped,
many cards per file. The cards become a `Table` with fixed column names that the mapping knows
(`VCARD_HEADERS`), so vCards go through the same checks as a spreadsheet.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from pathlib import Path

from crmdesk.formats.csv_import import decode
from crmdesk.formats.import_common import (
    MAX_CELL,
    MAX_PHONES,
    MAX_ROWS,
    ImportFileError,
    PartialDate,
    Table,
)

_FIXED = ("First Name", "Last Name", "Full Name", "Organization", "Street", "City",
          "Postcode", "Country", "Birthday", "Anniversary", "Notes", "Categories")
_BINARY = ("PHOTO", "LOGO", "SOUND", "KEY")
_DATE = re.compile(r"^(?:(\d{4})|--)-?(\d{2})-?(\d{2})(?:T.*)?$")


def parse_date(value: str) -> PartialDate | str:
    """YYYYMMDD, YYYY-MM-DD, --MMDD, --MM-DD (with an optional time); anything else as text."""
    match = _DATE.match(value.strip())
    if not match:
        return value.strip()
    year, month, day = match.groups()
    return PartialDate(int(day), int(month), int(year) if year else None)


def _kind(line: str) -> str:
    """What the start of a logical line says about how its value continues: "binary" for a
    property crmdesk does not keep (a picture, a sound, a key, anything base64: its folded
    lines are passed over, never joined), "qp" for quoted-printable (2.1), else ""."""
    head = line.partition(":")[0].upper()
    if "QUOTED-PRINTABLE" in head:
        return "qp"
    pieces = head.split(";")
    if pieces[0].rsplit(".", 1)[-1].strip() in _BINARY or any(
            p.replace(" ", "") in ("ENCODING=B", "ENCODING=BASE64", "BASE64")
            for p in pieces[1:]):
        return "binary"
    return ""


def _unfold(text: str) -> Iterator[tuple[int, str]]:
    """The logical lines of the file and the line each starts on: folded lines joined (and
    quoted-printable soft line breaks of 2.1), in time linear in the file's size. A value
    longer than MAX_CELL once joined is refused; binary values are passed over unjoined.
    (A line's kind is looked at only when a line continues it: most lines stand alone.)"""
    parts: list[str] = []
    size = start = 0
    kind = None  # of the line in `parts`, once looked at
    for number, raw in enumerate(text.splitlines(), start=1):
        if parts:
            if raw[:1] in (" ", "\t"):
                if kind is None:
                    kind = _kind(parts[0])
                if kind == "binary":
                    continue
                piece = raw[1:]
            elif parts[-1][-1:] == "=" and (kind if kind is not None
                                            else _kind(parts[0])) == "qp":
                kind = "qp"
                parts[-1] = parts[-1][:-1]  # quoted-printable soft line break (2.1)
                piece = raw
            else:
                yield start, parts[0] if len(parts) == 1 else "".join(parts)
                parts, size, start, kind = [raw], len(raw), number, None
                if size > MAX_CELL and _kind(raw) != "binary":
                    raise _too_long(start)
                continue
            size += len(piece)
            if size > MAX_CELL:
                raise _too_long(start)
            parts.append(piece)
        else:
            parts, size, start, kind = [raw], len(raw), number, None
            if size > MAX_CELL and _kind(raw) != "binary":
                raise _too_long(start)
    if parts:
        yield start, parts[0] if len(parts) == 1 else "".join(parts)


def _too_long(line: int) -> ImportFileError:
    return ImportFileError(
        f"The value starting on line {line} of the file is longer than {MAX_CELL:,} "
        "characters: this is not a contact crmdesk can read safely. Export the contacts again "
        "(without very long notes) and try once more.")


def _split(value: str, sep: str) -> list[str]:
    """Split on `sep` not escaped by a backslash."""
    parts, current, escaped = [], [], False
    for ch in value:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _parse_line(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    """(NAME, params, raw value) or None for a line that is not a property."""
    colon = line.find(":")
    if colon > 0 and '"' in line[:colon]:  # a quoted parameter may hold a colon
        quoted, colon = False, -1
        for i, ch in enumerate(line):
            if ch == '"':
                quoted = not quoted
            elif ch == ":" and not quoted:
                colon = i
                break
    if colon <= 0:
        return None
    head, value = line[:colon], line[colon + 1:]
    pieces = head.split(";")
    name = pieces[0].rsplit(".", 1)[-1].strip().upper()  # drop a group prefix (item1.TEL)
    if not re.fullmatch(r"[A-Z0-9-]+", name):
        return None
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        key, _, val = piece.partition("=")
        if not val:  # vCard 2.1 bare type: TEL;CELL;VOICE
            key, val = "TYPE", key
        params.setdefault(key.strip().upper(), []).extend(
            v.strip().strip('"').upper() if key.strip().upper() != "CHARSET" else v.strip()
            for v in val.split(","))
    return name, params, value


def _value(params: dict[str, list[str]], value: str) -> str:
    encoding = [e.upper() for e in params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" in encoding:
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("cp1252", errors="replace")
    return value


class _Card:
    def __init__(self, number: int):
        self.number = number  # its place in the file, as the user is told
        self.values: dict[str, object] = {}
        self.phones: list[tuple[int, str]] = []
        self.emails: list[tuple[int, str]] = []
        self.notes: list[str] = []
        self.notes_size = 0

    def _bounded(self, found: list, what: str) -> None:
        if len(found) >= MAX_PHONES:
            raise ImportFileError(
                f"Contact {self.number} has more than {MAX_PHONES} {what}: this is not a "
                "contact crmdesk can read safely. Remove the extra ones (or that contact) and "
                "try again.")

    def finish(self) -> _Card:
        if self.notes:
            self.values["Notes"] = "\n".join(self.notes)
            self.notes = []
        return self

    def add(self, name: str, params: dict[str, list[str]], raw: str) -> None:
        if name in _BINARY or \
                "B" in params.get("ENCODING", []) or "BASE64" in params.get("ENCODING", []):
            return  # pictures and binary data are not kept
        value = _value(params, raw)
        types = set(params.get("TYPE", [])) | {t.upper() for t in params.get("PREF", [])}
        pref = 0 if "PREF" in types or "PREF" in params else 1
        if name == "N":
            parts = [_unescape(p) for p in _split(value, ";")] + ["", ""]
            self.values["Last Name"] = parts[0].strip()
            given = " ".join(p.strip() for p in (parts[1], parts[2]) if p.strip())
            self.values["First Name"] = given
        elif name == "FN":
            self.values["Full Name"] = _unescape(value).strip()
        elif name == "ORG":
            self.values["Organization"] = _unescape(_split(value, ";")[0]).strip()
        elif name == "TEL":
            number = _unescape(value).strip()
            if number.lower().startswith("tel:"):
                number = number[4:]
            if number and "FAX" not in types and "PAGER" not in types:
                self._bounded(self.phones, "phone numbers")
                mobile = 0 if types & {"CELL", "MOBILE", "IPHONE"} else 1
                self.phones.append((pref * 2 + mobile, number))
        elif name == "EMAIL":
            address = _unescape(value).strip()
            if address.lower().startswith("mailto:"):
                address = address[7:]
            if address:
                self._bounded(self.emails, "e-mail addresses")
                self.emails.append((pref, address))
        elif name == "ADR" and "Street" not in self.values:
            parts = [_unescape(p).strip() for p in _split(value, ";")] + [""] * 7
            street = ", ".join(p for p in (parts[2], parts[1], parts[0]) if p)
            self.values.update({"Street": street, "City": parts[3], "Postcode": parts[5],
                                "Country": parts[6]})
        elif name == "BDAY":
            self.values["Birthday"] = parse_date(_unescape(value))
        elif name in ("ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY"):
            self.values["Anniversary"] = parse_date(_unescape(value))
        elif name == "NOTE":
            note = _unescape(value).strip()
            if note:
                self.notes_size += len(note) + 1
                if self.notes_size > MAX_CELL:
                    raise ImportFileError(
                        f"The notes of contact {self.number} are longer than {MAX_CELL:,} "
                        "characters: this is not a contact crmdesk can read safely.")
                self.notes.append(note)
        elif name == "CATEGORIES":
            self.values["Categories"] = ",".join(
                _unescape(p).strip() for p in _split(value, ","))


def read_text(text: str, encoding: str = "") -> Table:
    cards: list[_Card] = []
    current: _Card | None = None
    depth = 0
    for _number, line in _unfold(text):
        if not line.strip():
            continue
        parsed = _parse_line(line.strip())
        if parsed is None:
            continue  # a stray line (an unindented picture in 2.1): skip it
        name, params, value = parsed
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            depth += 1
            if depth == 1:
                if len(cards) >= MAX_ROWS:
                    raise ImportFileError(
                        f"The file holds more than {MAX_ROWS:,} contacts: crmdesk imports at "
                        "most that many at once. Split it into smaller files.")
                current = _Card(len(cards) + 1)
            continue
        if name == "END" and value.strip().upper() == "VCARD":
            depth -= 1
            if depth == 0 and current is not None:
                cards.append(current.finish())
                current = None
            depth = max(depth, 0)
            continue
        if current is not None and depth == 1:
            current.add(name, params, value)
    if current is not None:
        raise ImportFileError(
            f"The file ends in the middle of contact {len(cards) + 1}: it looks cut off. "
            "Export the contacts again and try once more.")
    if not cards:
        raise ImportFileError("This file holds no contacts (no BEGIN:VCARD was found).")
    phones = max(len(c.phones) for c in cards)
    emails = max(len(c.emails) for c in cards)
    headers = list(_FIXED) + [f"Phone {i + 1}" for i in range(phones)] + \
        [f"E-mail {i + 1}" for i in range(emails)]
    rows = []
    for card in cards:
        row = [card.values.get(h, "") for h in _FIXED]
        numbers = [n for _k, n in sorted(card.phones, key=lambda p: p[0])]
        addresses = [a for _k, a in sorted(card.emails, key=lambda p: p[0])]
        row += numbers + [""] * (phones - len(numbers))
        row += addresses + [""] * (emails - len(addresses))
        rows.append(row)
    return Table(headers, rows, list(range(1, len(cards) + 1)), "vcard", unit="card",
                 encoding=encoding)


def read_vcard(path: Path | str) -> Table:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"The file cannot be opened: {exc.strerror or exc}.") from exc
    text, encoding = decode(data)
    return read_text(text, encoding)
