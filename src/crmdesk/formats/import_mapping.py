"""From columns to customer fields: auto-mapping, presets, dates as people write them.

A mapping is a dict {column name: field}; `FIELDS` lists the fields. Several columns may feed one
field: names are joined, phones and e-mails are gathered (the first two phones become phone and
second phone, the first e-mail the e-mail; any others go to the notes so nothing is lost), notes
are joined, and any other field takes the first value that is not empty.
"""

from __future__ import annotations

import datetime as dt
import re

from crmdesk.formats.import_common import Cell, ImportFileError, PartialDate, Table, cell_text

FIELDS = ("first_name", "last_name", "name", "business_name", "kind", "phone", "whatsapp",
          "email", "address", "city", "postcode", "country", "notes", "likes", "dislikes", "diet",
          "sizes", "source", "status", "tags", "birthday", "anniversary", "event", "other_dates",
          "do_not_contact", "keep_in_touch_days", "consent_email", "consent_sms",
          "consent_whatsapp", "consent_phone")
PRESETS = ("auto", "google", "outlook")
IGNORE = "ignore"


class MappingError(ImportFileError):
    """The columns cannot be turned into customers; the message is for the user."""


class AmbiguousDates(MappingError):
    """Dates that read both as day/month and month/day: the user must choose the order."""

    def __init__(self, columns: dict[str, list[str]]):
        self.columns = columns
        names = ", ".join(f"“{c}” (for example {', '.join(v)})" for c, v in columns.items())
        super().__init__(f"The dates in {names} can be read as day/month/year or as "
                         "month/day/year. Choose which order the file uses.")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").casefold())


_SYNONYMS = {
    "first_name": ("first name", "firstname", "given name", "forename", "first",
                   "middle name", "additional name"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "name": ("name", "full name", "display name", "contact name", "customer", "customer name",
             "contact"),
    "business_name": ("company", "company name", "business", "business name", "organization",
                      "organisation", "organization name", "organization 1 - name", "firm"),
    "phone": ("phone", "telephone", "tel", "mobile", "mobile phone", "mobile number", "cell",
              "cell phone", "cellphone", "phone number", "home phone", "home phone 2",
              "business phone", "business phone 2", "primary phone", "other phone",
              "work phone", "landline", "car phone", "company main phone"),
    "whatsapp": ("whatsapp", "whatsapp number"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail", "e-mail 2 address",
              "e-mail 3 address", "work email", "home email"),
    "address": ("address", "street", "street address", "home street", "address line 1",
                "address 1 - street", "business street", "other street"),
    "city": ("city", "town", "home city", "address 1 - city", "business city", "other city"),
    "postcode": ("postcode", "post code", "postal code", "zip", "zip code", "zipcode",
                 "home postal code", "address 1 - postal code", "business postal code"),
    "country": ("country", "country/region", "home country/region", "address 1 - country",
                "business country/region", "nation"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
    "likes": ("likes",), "dislikes": ("dislikes",), "diet": ("diet",),
    "sizes": ("sizes", "size"), "source": ("source", "referral", "how they found us"),
    "status": ("status",),
    "tags": ("tags", "tag", "labels", "groups", "group membership", "categories"),
    "birthday": ("birthday", "birth date", "birthdate", "date of birth", "dob", "bday"),
    "anniversary": ("anniversary", "wedding anniversary", "wedding day"),
    "kind": ("kind", "customer kind", "customer type", "contact type", "b2b/b2c", "b2c/b2b"),
    "other_dates": ("other dates", "important dates", "special dates", "other important dates"),
    "do_not_contact": ("do not contact", "don't contact", "dont contact", "dnc",
                       "do not disturb", "no contact"),
    "keep_in_touch_days": ("keep in touch (days)", "keep in touch", "keep in touch every",
                           "keep in touch days", "contact every (days)", "contact every"),
    "consent_email": ("email consent", "e-mail consent", "newsletter", "opt in", "opt-in",
                      "optin", "opted in", "email opt in", "email opt-in", "marketing consent",
                      "consent", "gdpr consent", "accepts marketing", "accepts email marketing",
                      "email marketing", "newsletter consent", "mailing list", "subscribed"),
    "consent_sms": ("sms consent", "sms opt in", "sms opt-in", "text consent",
                    "accepts sms marketing", "sms marketing", "text message consent"),
    "consent_whatsapp": ("whatsapp consent", "whatsapp opt in", "whatsapp opt-in"),
    "consent_phone": ("phone consent", "call consent", "telephone consent", "phone opt in",
                      "phone opt-in", "calls consent"),
}
_AUTO = {_norm(name): f for f, names in _SYNONYMS.items() for name in names}
_CONSENT_WORDS = r"(consent|opt.?in|optin|opted in|marketing|subscri\w*|permission|agrees?)"
_NOT_WHEN = r"(?!.*\b(date|time|when|source|by)\b)"  # "Email opt-in date" is not the answer
_PATTERNS = (
    (re.compile(r"\bdo not (contact|disturb|call or e-?mail)\b"), "do_not_contact"),
    (re.compile(rf"^{_NOT_WHEN}(accepts )?(sms|text( messages?)?)\b.*\b{_CONSENT_WORDS}"), "consent_sms"),
    (re.compile(rf"^{_NOT_WHEN}(accepts )?whatsapp\b.*\b{_CONSENT_WORDS}"), "consent_whatsapp"),
    (re.compile(rf"^{_NOT_WHEN}(accepts )?(phone|telephone|calls?)\b.*\b{_CONSENT_WORDS}"),
     "consent_phone"),
    (re.compile(rf"^{_NOT_WHEN}(accepts )?(e-?mail|newsletter|mailing)\b.*\b{_CONSENT_WORDS}"),
     "consent_email"),
    # "Newsletter: yes/no", "Opt in (y/n)", "Marketing consent?": the question's words only.
    (re.compile(r"^(newsletter|opt.?in|optin|opted in|(marketing |gdpr )?consent|subscribed)"
                r"\b\W*(\(?(yes|y)\s*/\s*(no|n)\)?)?\W*$"), "consent_email"),
    (re.compile(r"^phone \d+ - value$"), "phone"),
    (re.compile(r"^e-?mail \d+ - value$"), "email"),
    (re.compile(r"^event \d+ - value$"), "event"),
    (re.compile(r"^e-?mail ?\d*$"), "email"),
    (re.compile(r"^phone ?\d*$"), "phone"),
)

GOOGLE = {
    "Name": "name", "Given Name": "first_name", "Additional Name": "first_name",
    "Family Name": "last_name", "First Name": "first_name", "Middle Name": "first_name",
    "Last Name": "last_name", "Birthday": "birthday", "Notes": "notes",
    "Group Membership": "tags", "Labels": "tags",
    "Organization 1 - Name": "business_name", "Organization Name": "business_name",
    "Address 1 - Street": "address", "Address 1 - City": "city",
    "Address 1 - Postal Code": "postcode", "Address 1 - Country": "country",
    **{f"Phone {i} - Value": "phone" for i in range(1, 10)},
    **{f"E-mail {i} - Value": "email" for i in range(1, 10)},
    **{f"Event {i} - Value": "event" for i in range(1, 10)},
}
OUTLOOK = {
    "First Name": "first_name", "Middle Name": "first_name", "Last Name": "last_name",
    "Company": "business_name", "Mobile Phone": "phone", "Primary Phone": "phone",
    "Home Phone": "phone", "Home Phone 2": "phone", "Business Phone": "phone",
    "Business Phone 2": "phone", "Other Phone": "phone", "E-mail Address": "email",
    "E-mail 2 Address": "email", "E-mail 3 Address": "email", "Home Street": "address",
    "Home City": "city", "Home Postal Code": "postcode", "Home Country/Region": "country",
    "Business Street": "address", "Business City": "city", "Business Postal Code": "postcode",
    "Business Country/Region": "country", "Birthday": "birthday",
    "Anniversary": "anniversary", "Notes": "notes", "Categories": "tags",
}
_PRESET_TABLES = {"google": GOOGLE, "outlook": OUTLOOK}
_PHONE_RANK = ("mobile", "cell", "primary", "home", "phone 1", "business", "work")


def build_mapping(headers: list[str], preset: str = "auto",
                  user: dict[str, str] | None = None) -> dict[str, str]:
    """{column name: field} for the columns that feed a field. `user` wins over the preset;
    a user value of "ignore" (or "") leaves the column out."""
    if preset not in PRESETS:
        raise MappingError(f"Unknown preset “{preset}”: choose {', '.join(PRESETS)}.")
    mapping: dict[str, str] = {}
    table = _PRESET_TABLES.get(preset)
    for header in headers:
        if table is not None:
            field = table.get(header)
        else:
            key = _norm(header)
            field = _AUTO.get(key)
            if field is None:
                spaced = " ".join(header.casefold().split())
                field = next((f for rx, f in _PATTERNS if rx.match(spaced)), None)
        if field:
            mapping[header] = field
    if table is not None and not mapping:
        name = "Google Contacts" if preset == "google" else "Outlook"
        raise MappingError(f"This file does not look like a {name} export: none of its columns "
                           f"are the ones {name} writes.")
    # A Google "Address 1 - Formatted" repeats street, city and postcode: only without a street.
    if "address" not in mapping.values():
        for header in headers:
            if re.match(r"(?i)^address 1 - formatted$", header.strip()):
                mapping[header] = "address"
    for header, field in (user or {}).items():
        if not field or field == IGNORE:
            mapping.pop(header, None)
        elif field not in FIELDS:
            raise MappingError(f"“{field}” is not a field a column can go to.")
        else:
            mapping[header] = field
    return mapping


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    missing = [h for h in mapping if h not in headers]
    if missing:
        raise MappingError(f"The file has no column called “{missing[0]}”.")
    # A person is known by a name, a phone number or an e-mail (a list of numbers from a phone,
    # of addresses from a newsletter tool): any one of them is enough.
    if not set(mapping.values()) & {"first_name", "last_name", "name", "business_name",
                                    "phone", "email", "whatsapp"}:
        raise MappingError(
            "None of the columns holds names, phone numbers or e-mail addresses, so no customer "
            "can be made. Columns found: "
            + ", ".join(f"“{h}”" for h in headers[:12]) + (" ..." if len(headers) > 12 else "")
            + ". Choose which column holds the names.")


# --- dates ---------------------------------------------------------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NOYEAR_ISO = re.compile(r"^--(\d{2})-?(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?\.?(?:\s.*)?$")
_WORDS_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-.]+([a-z]{3,})\.?,?(?:[\s\-]+(\d{4}))?$")
_WORDS_MDY = re.compile(r"^([a-z]{3,})\.?[\s\-]+(\d{1,2})(?:st|nd|rd|th)?,?(?:[\s\-]+(\d{4}))?$")
_EMPTY_DATES = {"0/0/00", "00/00/0000", "0/0/0000", "00.00.0000"}


class DateProblem(ValueError):
    pass


def _year(text: str | None, today: dt.date) -> int | None:
    if not text:
        return None
    year = int(text)
    if len(text) == 2:
        year += 2000 if 2000 + year <= today.year else 1900
    return year


def date_shape(cell: Cell) -> str | None:
    """"dmy" or "mdy" when the value can only be read one way, "either" when both work,
    None for values whose order is not in question (ISO, names of months, spreadsheet dates)."""
    if not isinstance(cell, str):
        return None
    match = _NUMERIC.match(cell.strip())
    if not match or cell.strip() in _EMPTY_DATES:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 and second <= 12:
        return "dmy"
    if second > 12 and first <= 12:
        return "mdy"
    if first <= 12 and second <= 12:
        return "either"
    return None


def read_date(cell: Cell, order: str | None, today: dt.date) -> PartialDate | None:
    """A date in the forms people write, or None for an empty cell; raises DateProblem."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, PartialDate):
        return cell
    if isinstance(cell, dt.datetime):
        return PartialDate(cell.day, cell.month, cell.year)
    if isinstance(cell, dt.date):
        return PartialDate(cell.day, cell.month, cell.year)
    text = " ".join(cell_text(cell).split()).casefold()
    if not text or text in _EMPTY_DATES:
        return None
    for rx in (_ISO, _COMPACT):
        match = rx.match(text)
        if match:
            year, month, day = match.groups()[:3]
            return PartialDate(int(day), int(month), int(year))
    match = _NOYEAR_ISO.match(text)
    if match:
        return PartialDate(int(match.group(2)), int(match.group(1)))
    match = _NUMERIC.match(text)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        year = _year(match.group(3), today)
        shape = date_shape(text)
        if shape is None:
            raise DateProblem(f"“{cell_text(cell)}” is not a date (no month {first} or {second}).")
        if shape == "either" and order is None:
            raise DateProblem(f"“{cell_text(cell)}” can be read as day/month or month/day: "
                              "choose the order of dates.")
        use = order or shape
        if shape != "either" and shape != use:
            raise DateProblem(f"“{cell_text(cell)}” is written in another order than the other "
                              f"dates of its column ({'day/month' if use == 'dmy' else 'month/day'}"
                              "/year).")
        return PartialDate(first, second, year) if use == "dmy" else \
            PartialDate(second, first, year)
    for rx, day_at, month_at in ((_WORDS_DMY, 1, 2), (_WORDS_MDY, 2, 1)):
        match = rx.match(text)
        if match and match.group(month_at)[:3] in _MONTHS:
            return PartialDate(int(match.group(day_at)), _MONTHS[match.group(month_at)[:3]],
                               _year(match.group(3), today))
    raise DateProblem(f"“{cell_text(cell)}” is not a date this program can read "
                      "(write it like 2024-03-15 or 15/03/2024).")


def date_orders(table: Table, mapping: dict[str, str]) -> dict[str, str]:
    """For each date column written as numbers: "dmy", "mdy", or "ambiguous" when every value
    fits both orders (then the user must choose), or "mixed" when some rows can only be one
    and others only the other. Columns without such dates are left out."""
    found: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        if mapping.get(header) not in ("birthday", "anniversary", "event"):
            continue
        shapes = {date_shape(row[index]) for row in table.rows} - {None}
        if not shapes:
            continue
        definite = shapes - {"either"}
        if len(definite) == 2:
            found[header] = "mixed"
        elif definite:
            found[header] = definite.pop()
        else:
            found[header] = "ambiguous"
    return found
