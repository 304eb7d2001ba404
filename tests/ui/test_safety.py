"""Automatic backups from the app, and recovering a damaged book at start."""

from __future__ import annotations

import hashlib

from PySide6.QtWidgets import QMessageBox

from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import CustomerInput
from crmdesk.store import backup
from crmdesk.store.db import open_database
from crmdesk.ui import safety


def make_book(path, *names):
    opened = open_database(path)
    book = CustomerBook(opened.db)
    for name in names:
        book.create(CustomerInput(first_name=name))
    opened.db.close()


def test_todays_backup_is_made_in_the_background(qtbot, tmp_path, qapp):
    from PySide6.QtWidgets import QWidget

    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada", "Grace")
    parent = QWidget()
    safety.backup_in_background(path, parent)
    with qtbot.waitSignal(parent._backup_job.finished, timeout=20000):
        pass
    made = backup.list_backups(path)
    assert len(made) == 1
    assert backup.inspect_backup(made[0][1]).customers == 2


def test_a_damaged_book_is_restored_from_the_newest_good_backup(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    backup.auto_backup(path, force=True)
    path.write_bytes(b"\0garbage" * 4096)  # the disk ate it
    damaged = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    assert safety.offer_recovery(path)
    opened = open_database(path)
    assert opened.db.execute_sql("SELECT first_name FROM customer").fetchall() == [("Ada",)]
    opened.db.close()
    kept = [p for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert len(kept) == 1 and hashlib.sha256(kept[0].read_bytes()).hexdigest() == damaged
    assert str(kept[0]) in told[0]


def test_no_recovery_is_offered_when_the_user_says_no(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    backup.auto_backup(path, force=True)
    path.write_bytes(b"\0garbage" * 4096)
    before = path.read_bytes()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert not safety.offer_recovery(path)
    assert path.read_bytes() == before
