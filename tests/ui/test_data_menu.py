"""The data menu: export, back up, restore, and one person's data (export, forget)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox

from crmdesk.store import backup
from crmdesk.ui import data_menu


@pytest.fixture
def menu(filled_window):
    data_menu.install(filled_window)
    return filled_window.data_menu


def shown_ids(window) -> list[int]:
    model = window.model
    return [model.customer_id(row) for row in range(model.rowCount())]


def wait_job(qtbot, menu):
    job = menu.job
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert menu.job is None


def save_to(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(path), "")))


def no_warnings(monkeypatch):
    seen = []

    def warning(*args, **kwargs):
        seen.append(args[2] if len(args) > 2 else "")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(warning))
    return seen


def test_entries_are_in_the_menus(menu, filled_window):
    file_texts = [a.text() for a in filled_window.file_menu.actions()]
    assert {"Export…", "Back up now…", "Restore from a backup…"} <= set(file_texts)
    edit_texts = [a.text() for a in filled_window.edit_menu.actions()]
    assert {"Export this person's data…", "Forget this person…"} <= set(edit_texts)


def run_export(qtbot, menu, window, monkeypatch, path, *, fmt="csv", marketing=False):
    save_to(monkeypatch, path)
    window.data_menu.export_action.trigger()
    dialog = menu.dialog
    assert dialog.isVisible()
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(fmt))
    dialog.marketing.setChecked(marketing)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(
        QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    wait_job(qtbot, menu)


def test_export_everyone_to_csv_from_the_menu(qtbot, menu, filled_window, monkeypatch, tmp_path):
    target = tmp_path / "out" / "everyone.csv"
    target.parent.mkdir()
    no_warnings(monkeypatch)
    run_export(qtbot, menu, filled_window, monkeypatch, target)
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert len(rows) == 4  # header and three customers
    assert "Anna" in text and "Zoë" in text and "Bob" in text
    assert menu.last_message == f"Exported 3 customers to {target}."
    assert filled_window.statusBar().currentMessage() == menu.last_message


def test_export_to_excel_from_the_menu(qtbot, menu, filled_window, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "everyone.xlsx"
    no_warnings(monkeypatch)
    run_export(qtbot, menu, filled_window, monkeypatch, target, fmt="xlsx")
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    anna = dict(zip(headers, next(r for r in rows if r[headers.index("First name")] == "Anna"),
                    strict=True))
    assert anna["Phone"] == "+442079460123"  # text, + and every digit kept
    assert anna["Birthday"].date() == dt.date(1990, 3, 12)  # a date cell
    assert len(rows) == 4 and menu.last_message == f"Exported 3 customers to {target}."


def test_marketing_export_leaves_out_do_not_contact(qtbot, menu, filled_window, monkeypatch,
                                                    tmp_path, sample_people, session):
    bob = sample_people[2]
    data = session.book.load_input(bob)
    from dataclasses import replace
    session.book.update(bob, replace(data, do_not_contact=True))
    no_warnings(monkeypatch)
    target = tmp_path / "marketing.vcf"
    run_export(qtbot, menu, filled_window, monkeypatch, target, fmt="vcf", marketing=True)
    text = target.read_text(encoding="utf-8")
    assert "Anna" in text and "Zoë" in text
    assert "Baker" not in text
    assert menu.last_message == f"Exported 2 customers to {target}."


def test_marketing_does_not_apply_to_json(menu, filled_window):
    filled_window.data_menu.export_action.trigger()
    dialog = menu.dialog
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("json"))
    assert not dialog.marketing.isEnabled()
    dialog.reject()


def test_back_up_now_writes_a_backup_inspect_can_read(qtbot, menu, filled_window, monkeypatch,
                                                      tmp_path):
    target = tmp_path / "my-backup.db"
    save_to(monkeypatch, target)
    no_warnings(monkeypatch)
    filled_window.data_menu.backup_action.trigger()
    wait_job(qtbot, menu)
    info = backup.inspect_backup(target)
    assert info.customers == 3
    assert menu.last_message == f"Backed up 3 customers to {target}."


def test_restore_brings_back_a_customer_and_saves_the_book_aside(qtbot, menu, filled_window,
                                                                 monkeypatch, tmp_path, session,
                                                                 sample_people):
    saved = tmp_path / "saved.db"
    backup.backup_to(session.path, saved)
    zoe = sample_people[1]
    session.book.trash([zoe])
    session.book.empty_trash()
    filled_window._changed(None)
    assert zoe not in shown_ids(filled_window)

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (str(saved), "")))
    asked = []

    def question(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    told = no_warnings(monkeypatch)
    filled_window.data_menu.restore_action.trigger()

    assert "holds 3 customers" in asked[0] and "saved aside" in asked[0]
    assert zoe in shown_ids(filled_window)
    assert filled_window.undo_stack.count() == 0
    # The connection was opened again, with its pragmas.
    assert session.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    asides = sorted(session.path.parent.glob("*before-restore*"))
    assert len(asides) == 1
    assert backup.inspect_backup(asides[0]).customers == 2
    assert str(asides[0]) in told[-1] and str(asides[0]) in menu.last_message


def test_restore_cancelled_changes_nothing(menu, filled_window, monkeypatch, tmp_path, session):
    saved = tmp_path / "saved.db"
    backup.backup_to(session.path, saved)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (str(saved), "")))
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *args: QMessageBox.StandardButton.Cancel))
    filled_window.data_menu.restore_action.trigger()
    assert list(session.path.parent.glob("*before-restore*")) == []


def test_export_this_persons_data(qtbot, menu, filled_window, monkeypatch, tmp_path,
                                  sample_people):
    anna = sample_people[0]
    filled_window.open_customer(anna)
    assert menu.person_export_action.isEnabled()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kwargs: str(tmp_path)))
    no_warnings(monkeypatch)
    filled_window.data_menu.person_export_action.trigger()
    wait_job(qtbot, menu)
    written = sorted(p.name for p in tmp_path.glob("crmdesk-*"))
    assert written == [f"crmdesk-Anna-Schmidt-{anna}.{suffix}" for suffix in ("json", "txt", "vcf")]
    data = json.loads((tmp_path / written[0]).read_text(encoding="utf-8"))
    assert "Schmidt" in json.dumps(data)
    assert "Schmidt" in (tmp_path / written[2]).read_text(encoding="utf-8")


def test_forget_this_person_erases_them_and_the_list_no_longer_shows_them(
        qtbot, menu, filled_window, monkeypatch, sample_people, session):
    anna = sample_people[0]
    session.book.log_interaction(anna, "visit", "Bought a Schmidt-sized hat")
    filled_window.open_customer(anna)
    warned = []

    def warning(parent, title, text, *args):
        warned.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    filled_window.data_menu.forget_action.trigger()
    wait_job(qtbot, menu)

    assert "cannot be undone" in warned[0]
    assert anna not in shown_ids(filled_window)
    assert len(shown_ids(filled_window)) == 2
    card = session.book.card(anna)
    assert card.name == f"Forgotten customer {anna}"
    assert card.interaction_count == 1 and card.interactions[0].summary == ""
    from crmdesk.core.model import ListQuery
    assert session.customers.count_matching(ListQuery(text="Schmidt", trash=True)) == 0
    assert "Forgotten customer" in menu.last_message


def test_forget_cancelled_keeps_the_person(menu, filled_window, monkeypatch, sample_people,
                                           session):
    anna = sample_people[0]
    filled_window.open_customer(anna)
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda *args: QMessageBox.StandardButton.Cancel))
    filled_window.data_menu.forget_action.trigger()
    assert menu.job is None
    assert session.book.load_input(anna).last_name == "Schmidt"


def test_person_entries_need_a_chosen_customer(window):
    data_menu.install(window)
    assert window.customers_page.current_id() is None
    assert not window.data_menu.forget_action.isEnabled()
    assert not window.data_menu.person_export_action.isEnabled()
