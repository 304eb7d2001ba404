"""Edit ▸ Find duplicates…: the pairs, the side-by-side choice, Merge (undoable), Not duplicates."""

from __future__ import annotations

import pytest

from crmdesk.core.model import CustomerInput, DateInput
from crmdesk.ui import duplicates_dialog


@pytest.fixture
def twins(session):
    book = session.book
    anna = book.create(CustomerInput(first_name="Anna", last_name="Schmidt",
                                     phone="020 7946 0123", notes="likes tea", tags=["vip"]))
    annie = book.create(CustomerInput(first_name="Annie", last_name="Schmidt",
                                      phone="020 7946 0123", email="annie@example.com",
                                      city="Leeds", tags=["shoes"],
                                      dates=[DateInput("birthday", 12, 3, 1990)]))
    book.log_interaction(annie, "call", "Asked about boots")
    bob = book.create(CustomerInput(first_name="Bob", last_name="Baker"))
    bobby = book.create(CustomerInput(first_name="Bob", last_name="Baker"))
    book.create(CustomerInput(first_name="Cleo", last_name="Park"))
    return anna, annie, bob, bobby


def open_found(qtbot, window):
    duplicates_dialog.install(window)
    window.duplicates_action.trigger()
    dialog = window.duplicates_dialog
    qtbot.waitUntil(lambda: not dialog.is_busy())
    assert dialog.isVisible()
    return dialog


def radios(dialog, field):
    group = dialog.groups[field]
    return group.button(1), group.button(2)


def test_install_adds_the_entry_once(window):
    duplicates_dialog.install(window)
    duplicates_dialog.install(window)
    texts = [a.text() for a in window.edit_menu.actions()]
    assert texts.count("Find duplicates…") == 1
    assert texts.index("Find duplicates…") == \
        window.edit_menu.actions().index(window.trash_action) + 1


def test_pairs_listed_and_compared_field_by_field(qtbot, window, twins):
    dialog = open_found(qtbot, window)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert texts == ["Anna Schmidt — Annie Schmidt\nsame phone number",
                     "Bob Baker — Bob Baker\nsame name"]
    assert dialog.list.currentRow() == 0
    # only what differs, with the survivor's value chosen unless it is empty
    assert set(dialog.groups) == {"first_name", "email", "city", "notes"}
    a, b = radios(dialog, "first_name")
    assert (a.text(), b.text(), a.isChecked()) == ("Anna", "Annie", True)
    a, b = radios(dialog, "email")
    assert (a.text(), b.text(), b.isChecked()) == ("(empty)", "annie@example.com", True)
    assert radios(dialog, "notes")[0].isChecked()
    dialog.list.setCurrentRow(1)
    assert dialog.groups == {}
    assert dialog.merge_button.isEnabled()


def test_merge_then_undo_and_redo(qtbot, window, twins, session):
    anna, annie, *_ = twins
    before = {cid: session.book.load_input(cid) for cid in (anna, annie)}
    dialog = open_found(qtbot, window)
    radios(dialog, "first_name")[1].click()
    dialog.merge_button.click()

    merged = session.book.load_input(anna)
    assert (merged.first_name, merged.email, merged.city, merged.notes) == \
        ("Annie", "annie@example.com", "Leeds", "likes tea")
    assert merged.tags == ["shoes", "vip"] and len(merged.dates) == 1
    assert session.book.card(anna).interaction_count == 1
    assert session.book.card(annie).deleted_at is not None
    assert dialog.list.count() == 1  # the merged pair is gone
    assert "Merged" in dialog.status.text()
    assert window.undo_stack.undoText() == "merge two customers"

    window.undo_stack.undo()
    for cid in (anna, annie):
        assert session.book.load_input(cid) == before[cid]
    assert session.book.card(annie).interaction_count == 1
    assert session.book.card(annie).deleted_at is None

    window.undo_stack.redo()
    assert session.book.load_input(anna).first_name == "Annie"
    assert session.book.card(annie).deleted_at is not None


def test_not_duplicates_hides_the_pair_for_the_session(qtbot, window, twins):
    dialog = open_found(qtbot, window)
    dialog.list.setCurrentRow(1)
    dialog.not_button.click()
    assert dialog.list.count() == 1
    dialog.close()
    dialog = open_found(qtbot, window)  # opened again: still hidden
    assert [p.b_name for p in dialog.pairs] == ["Annie Schmidt"]
    dialog.not_button.click()
    assert dialog.list.count() == 0
    assert "No customers" in dialog.status.text()
    assert not dialog.merge_button.isEnabled()


def test_nothing_to_find(qtbot, window):
    dialog = open_found(qtbot, window)
    assert dialog.list.count() == 0
    assert not dialog.merge_button.isEnabled()


def test_a_merge_made_elsewhere_can_be_undone_here(qtbot, window, twins, session):
    import datetime as dt

    from crmdesk.core import merge as merging

    anna, annie, bob, bobby = twins
    before = session.book.load_input(annie)
    dialog = open_found(qtbot, window)
    assert not dialog.undo_button.isEnabled()  # nothing merged yet
    dialog.close()
    # as `crmdesk merge` does, in another process: the window's undo stack never sees it
    merging.merge(session.db, anna, annie, {}, dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC),
                  batch="cli-1")
    dialog = open_found(qtbot, window)
    assert [p.b_id for p in dialog.pairs] == [bobby]
    assert dialog.undo_button.isEnabled()
    dialog.undo_button.click()
    qtbot.waitUntil(lambda: not dialog.is_busy())
    assert session.book.card(annie).deleted_at is None
    assert session.book.load_input(annie) == before
    assert session.book.card(annie).interaction_count == 1
    assert [p.b_id for p in dialog.pairs] == [annie, bobby]
    assert dialog.status.text().startswith("Put back 1 customer merged elsewhere.")
    assert not dialog.undo_button.isEnabled()
    # a merge made here is Edit ▸ Undo's, not this button's
    dialog.list.setCurrentRow(1)
    dialog.merge_button.click()
    assert not dialog.undo_button.isEnabled()
    assert window.undo_stack.undoText() == "merge two customers"


def test_consents_keep_the_newest_decision_unless_a_side_is_chosen(qtbot, window, session):
    import datetime as dt

    from crmdesk.core.model import ConsentInput

    book = session.book
    anna = book.create(CustomerInput(first_name="Anna", last_name="Lee", phone="020 7946 0123",
                                     consents=[ConsentInput("email", True, dt.date(2025, 1, 1),
                                                            "shop")]))
    annie = book.create(CustomerInput(first_name="Anna", last_name="Lee", phone="020 7946 0123",
                                      consents=[ConsentInput("email", False,
                                                             dt.date(2025, 6, 1), "form")]))
    dialog = open_found(qtbot, window)
    group = dialog.groups["consents"]
    assert group.checkedId() == duplicates_dialog.NEWEST_ID
    assert group.checkedButton().text() == "The newest decision on each channel"
    assert dialog.choices() == {}
    dialog.merge_button.click()
    assert [c.granted for c in book.load_input(anna).consents] == [False]  # the later "no"
    window.undo_stack.undo()
    dialog = open_found(qtbot, window)
    radios(dialog, "consents")[0].click()  # chosen by hand: the left one's "yes"
    assert dialog.choices() == {"consents": "survivor"}
    dialog.merge_button.click()
    assert [c.granted for c in book.load_input(anna).consents] == [True]
    assert book.card(annie).deleted_at is not None


def test_do_not_contact_on_either_side_is_chosen(qtbot, window, session):
    book = session.book
    anna = book.create(CustomerInput(first_name="Anna", last_name="Lee", phone="020 7946 0123"))
    book.create(CustomerInput(first_name="Anna", last_name="Lee", phone="020 7946 0123",
                              do_not_contact=True))
    dialog = open_found(qtbot, window)
    assert radios(dialog, "do_not_contact")[1].isChecked()
    dialog.merge_button.click()
    assert book.load_input(anna).do_not_contact is True
