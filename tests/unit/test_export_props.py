"""Property: whatever the names, notes and numbers, CSV and vCard parse back to what is stored."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.core import phones as phone_rules
from crmdesk.core.model import CustomerInput
from crmdesk.formats import export
from crmdesk.formats.export_csv import spaced_phone, unguard

AWKWARD = "aéÅøß漢 ,;:\"'\\=+-@\t\n"
text = st.text(alphabet=st.sampled_from(AWKWARD) | st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30)
names = text.filter(lambda s: s.strip())
phones = st.sampled_from(["", "+44 7911 123456", "020 7946 0958", "+49 151 12345678",
                          "+1 212 555 0123"])
emails = st.sampled_from(["", "anna@example.com", "o'brien+shop@mail.example.org"])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(names, text, phones, emails, text), min_size=1, max_size=4))
def test_csv_and_vcard_give_back_names_phones_emails(book, db, people):
    ids = [book.create(CustomerInput(first_name=first, last_name=last, phone=phone,
                                     email=email, notes=notes))
           for first, last, phone, email, notes in people]
    stored = [book.load_input(i) for i in ids]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "x.csv"
        export.export_csv(db, out, ids, columns=["first_name", "last_name", "phone", "email",
                                                 "notes"])
        with out.open(encoding="utf-8-sig", newline="") as handle:
            rows = [[unguard(cell) for cell in row] for row in csv.reader(handle)][1:]
        assert rows == [[s.first_name, s.last_name, spaced_phone(s.phone), s.email, s.notes]
                        for s in stored]
        assert all(phone_rules.normalise(row[2], "GB") == s.phone for row, s in zip(
            rows, stored, strict=True) if s.phone)  # the same number
        vcf = Path(folder) / "x.vcf"
        export.export_vcard(db, vcf, ids)
        cards = list(vobject.readComponents(vcf.read_text(encoding="utf-8")))
    assert len(cards) == len(stored)
    for card, person in zip(cards, stored, strict=True):
        assert (card.n.value.given, card.n.value.family) == (person.first_name, person.last_name)
        tels = [t.value for t in card.contents.get("tel", [])]
        assert tels == [person.phone] if person.phone else tels == []
        mails = [m.value for m in card.contents.get("email", [])]
        assert mails == ([person.email] if person.email else [])
        note = card.contents["note"][0].value if "note" in card.contents else ""
        assert note == person.notes
