"""Searching the customer list as the user types (FTS5)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.core.model import ListQuery
from crmdesk.store import search


@pytest.fixture
def people(add):
    return {
        "zoe": add("Zoë", "Ångström", phone="07400 123456", email="Zoe.A@Example.com",
                   city="Bristol", tags=["VIP", "Knitting"], likes="lavender soap",
                   diet="vegan", notes="Prefers mornings"),
        "muller": add("Jürgen", "Müller", phone="+49 170 9876543", email="jm@web.de",
                      city="München", tags=["Wholesale"], dislikes="strong perfume"),
        "andrea": add("Andrea", "Orla", phone="0117 496 0123", city="Nottingham",
                      diet="gluten-free", sizes="EU 38"),
        "cafe": add(kind="business", business_name="Café Übersee", city="Berlin",
                    email="einkauf@cafe-uebersee.de", tags=["Wholesale"]),
    }


@pytest.mark.parametrize("typed", ["Zoë", "zoë", "ZOË", "Zoe", "zoe", "ZOE", "Zoe\u0308",
                                   "angstrom", "ÅNGSTRÖM", "Ångström"])
def test_names_match_whatever_the_case_and_accents(people, find, typed):
    assert find(typed) == [people["zoe"]]


@pytest.mark.parametrize("typed", ["Müller", "muller", "MULLER", "Mül", "jurgen"])
def test_umlauts_match_plain_letters(people, find, typed):
    assert find(typed) == [people["muller"]]


def test_business_names_are_searched(people, find):
    assert find("cafe ubersee") == [people["cafe"]]
    assert find("CAFÉ") == [people["cafe"]]


@pytest.mark.parametrize("name", ["Ångström", "Zoë"])
def test_every_prefix_of_a_name_finds_it_as_you_type(people, find, name):
    for end in range(1, len(name) + 1):
        assert people["zoe"] in find(name[:end]), name[:end]


def test_every_word_typed_must_match(people, find):
    assert find("zoe bristol") == [people["zoe"]]
    assert find("zoe berlin") == []
    assert find("zo br") == [people["zoe"]]


@pytest.mark.parametrize("typed", ["3456", "123456", "7400123456", "447400123456",
                                   "07400 123456", "07400123456", "+44 7400 123456",
                                   "0044 7400 123456", "(07400) 123-456"])
def test_phone_numbers_are_found_by_their_digits(people, find, typed):
    assert find(typed) == [people["zoe"]]


def test_a_national_number_with_its_trunk_zero_finds_a_foreign_customer_too(people, find):
    # Stored as +491709876543; typed as a German phone shows it.
    assert find("0170 9876543") == [people["muller"]]
    assert find("01709876543") == [people["muller"]]


def test_last_digits_find_only_the_matching_number(people, find):
    assert find("6543") == [people["muller"]]
    assert find("4960") == [people["andrea"]]
    assert find("9999") == []


def test_last_four_digits_starting_with_zero_find_that_number(people, find):
    # Digits match anywhere inside a number: 0117 496 0123 ends with them, and
    # 07400 123456 holds them in the middle; 0170 9876543 does not hold them at all.
    found = find("0123")
    assert people["andrea"] in found and people["zoe"] in found
    assert people["muller"] not in found


@pytest.mark.parametrize("typed", ["zoe.a@example.com", "example.com", "example", "Zoe.A",
                                   "zoe@"])
def test_email_fragments(people, find, typed):
    assert find(typed) == [people["zoe"]]


def test_city_tags_and_taste_notes_are_searched(people, find):
    assert find("bristol") == [people["zoe"]]
    assert find("munchen") == [people["muller"]]
    assert find("knitting") == [people["zoe"]]
    assert find("vip") == [people["zoe"]]
    assert sorted(find("wholesale")) == sorted([people["muller"], people["cafe"]])
    assert find("lavender") == [people["zoe"]]
    assert find("vegan") == [people["zoe"]]
    assert find("gluten") == [people["andrea"]]
    assert find("perfume") == [people["muller"]]
    assert find("mornings") == [people["zoe"]]
    assert find("EU 38") == [people["andrea"]]


def test_a_postcode_starting_with_zero_is_found(add, find):
    dresden = add("Heike", "Wolf", city="Dresden", postcode="01067")
    assert find("01067") == [dresden]


def test_blank_or_punctuation_only_search_shows_everyone(people, find):
    everyone = sorted(people.values())
    assert sorted(find("")) == everyone
    assert sorted(find("   ")) == everyone
    assert sorted(find(" - , . ")) == everyone
    assert search.match_expression(" -,.\t") is None


@pytest.mark.parametrize("typed", [
    '"', '""', '"zoe', 'zoe"', "'", "AND", "OR", "NOT", "zoe AND", "OR zoe", "zoe NOT bristol",
    "NEAR", "NEAR(zoe bristol)", "NEAR(zoe bristol, 2)", "*", "zo*", "*zoe", "(", ")", "(zoe",
    "zoe)", "-", "- zoe", "zoe -bristol", "^zoe", ":", "names:zoe", "{names details}: zoe",
    "+", "\\", "%", "_", "zoe_", "zoe OR", "a AND OR NOT b", "\x00", "😀", "漢字",
])
def test_operators_typed_by_the_user_never_raise(people, find, typed):
    result = find(typed)
    assert set(result) <= set(people.values())


def test_operator_words_are_plain_words(people, find):
    assert find("AND") == [people["andrea"]]  # Andrea
    assert find("OR") == [people["andrea"]]  # Orla
    assert find("NOT") == [people["andrea"]]  # Nottingham
    assert find("zo*") == [people["zoe"]]
    assert find('"zoe"') == [people["zoe"]]


def test_search_follows_an_update(book, people, find):
    data = book.load_input(people["zoe"])
    data.last_name = "Whitfield"
    data.tags = ["Pottery"]
    book.update(people["zoe"], data)
    assert find("angstrom") == []
    assert find("knitting") == []
    assert find("whitfield") == [people["zoe"]]
    assert find("pottery") == [people["zoe"]]


def test_search_follows_trash_restore_and_empty_trash(book, db, people, find):
    zoe = people["zoe"]
    book.trash([zoe])
    assert find("zoe") == []
    assert find("zoe", trash=True) == [zoe]
    assert find("jurgen", trash=True) == []
    book.restore([zoe])
    assert find("zoe") == [zoe]
    assert find("zoe", trash=True) == []
    book.trash([zoe])
    book.empty_trash()
    assert find("zoe") == []
    assert find("zoe", trash=True) == []
    assert db.execute_sql("SELECT count(*) FROM customer_search WHERE rowid = ?",
                          (zoe,)).fetchone()[0] == 0
    assert find("jurgen") == [people["muller"]]


def test_search_combines_with_status_and_tag_filters(add, people, find):
    prospect = add("Zora", "Price", status="prospect", tags=["VIP"])
    assert find("zo") == [people["zoe"], prospect]
    assert find("zo", status="prospect") == [prospect]
    assert find("zo", tag="Knitting") == [people["zoe"]]
    assert find("bristol", tag="Wholesale") == []


_FTS_NOISE = st.text(alphabet='"*()-+:^{}., _\'\\NEARANDORNOT zoe0123456789Ω\u0308', max_size=30)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.one_of(st.text(max_size=40), _FTS_NOISE))
def test_any_text_typed_is_a_valid_search(people, customer_list, typed):
    expression = search.match_expression(typed)
    ids = customer_list.find_ids(ListQuery(text=typed))
    assert set(ids) <= set(people.values())
    if expression is None:
        assert len(ids) == len(people)
    ids_in_trash = customer_list.find_ids(ListQuery(text=typed, trash=True))
    assert ids_in_trash == []
