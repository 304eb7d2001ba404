"""A search pasted as a long run of words looks for the first few (store.search.MAX_WORDS)."""

from __future__ import annotations

from crmdesk.store import search


def test_a_long_paste_of_one_letter_words_is_a_short_query(add, find):
    anna = add("Anna", "Berg", city="Bristol")
    pasted = " ".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(475))  # 950 chars
    expression = search.match_expression(pasted)
    assert expression.count(" AND ") == search.MAX_WORDS - 1
    assert find(pasted) == []  # nobody has all of a..h as name initials: an answer, quickly
    # Eight different words are looked for; the ninth (and a repeated word) is not.
    assert find("anna berg bristol an be br anna ann ber zzz") == [anna]
    assert find("anna berg zzz bristol an be br ann ber") == []
