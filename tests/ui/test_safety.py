"""Automatic backups from the app, and recovering a damaged book at start."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox

from crmdesk.core.customers import CustomerBook
from crmdesk.core.model import CustomerInput
from crmdesk.store import backup
from crmdesk.store.db import BookDamaged, open_database
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


def answer(label: str) -> list[str]:
    """Click the button called `label` on the next message box that opens (the real dialog);
    returns the texts that box showed, once it has."""
    shown: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)  # not open yet: look again once events ran
            return
        shown.extend([box.text(), box.informativeText()])
        for button in box.buttons():
            if button.text() == label:
                button.click()
                return
        raise AssertionError(f"no button {label!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(0, click)
    return shown


def damage_page(path, fraction: float = 0.6) -> str:
    """Overwrite one page in the middle of the book (a failing disk); returns its new hash."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(int(size * fraction) // 4096 * 4096)
        handle.write(b"\xa5" * 4096)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_big_book(path, customers: int = 300) -> None:
    from crmdesk.core import demo

    opened = open_database(path)
    demo.generate(opened.db, customers, seed=2)
    opened.db.close()


def kept_aside(folder) -> list:
    return [p for p in folder.iterdir() if ".damaged-" in p.name]


def test_a_damaged_book_is_restored_from_the_newest_good_backup(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    backup.auto_backup(path, force=True)
    path.write_bytes(b"\0garbage" * 4096)  # the disk ate it
    damaged = hashlib.sha256(path.read_bytes()).hexdigest()
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    shown = answer("Restore that backup")
    assert safety.offer_recovery(path)
    assert "damaged" in shown[0] and "1 customers" in shown[1]
    opened = open_database(path)
    assert opened.db.execute_sql("SELECT first_name FROM customer").fetchall() == [("Ada",)]
    opened.db.close()
    kept = kept_aside(tmp_path)
    assert len(kept) == 1 and hashlib.sha256(kept[0].read_bytes()).hexdigest() == damaged
    assert str(kept[0]) in told[0]


def test_nothing_is_changed_when_the_user_leaves_it(qtbot, tmp_path):
    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    backup.auto_backup(path, force=True)
    path.write_bytes(b"\0garbage" * 4096)
    before = path.read_bytes()
    answer("Leave it and quit")
    assert not safety.offer_recovery(path)
    assert path.read_bytes() == before and kept_aside(tmp_path) == []


def test_damage_past_the_first_page_offers_the_backup_or_a_rescue(qtbot, tmp_path,
                                                                  monkeypatch):
    path = tmp_path / "crmdesk.db"
    make_big_book(path)
    backup.auto_backup(path, force=True)
    damaged = damage_page(path)
    with pytest.raises(BookDamaged) as found:
        open_database(path)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    shown = answer("Rescue what can be read")
    assert safety.offer_recovery(path, found.value)
    assert "300 customers" in shown[1]  # the backup was offered too
    assert "rescued" in told[0] and "customers could still be read" in told[0]
    opened = open_database(path, check=True)  # a sound book again
    assert opened.db.execute_sql("SELECT count(*) FROM customer").fetchone()[0] > 250
    opened.db.close()
    kept = kept_aside(tmp_path)
    assert len(kept) == 1 and hashlib.sha256(kept[0].read_bytes()).hexdigest() == damaged


def test_an_empty_book_beside_its_backups_offers_the_backup(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada", "Grace")
    backup.auto_backup(path, force=True)
    path.write_bytes(b"")
    with pytest.raises(BookDamaged) as found:
        open_database(path)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    shown = answer("Restore that backup")
    assert safety.offer_recovery(path, found.value)
    assert "empty" in shown[0]
    opened = open_database(path)
    assert opened.db.execute_sql("SELECT count(*) FROM customer").fetchone()[0] == 2
    opened.db.close()


# --- damage found while the window works ------------------------------------------------


class FakeWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.quit_requested = False

    def request_quit(self) -> None:
        self.quit_requested = True


def test_damage_found_in_the_background_stops_writing_and_offers_repair(qtbot, tmp_path,
                                                                       monkeypatch):
    from crmdesk.ui.book_watch import BookWatch

    path = tmp_path / "crmdesk.db"
    make_big_book(path)
    damaged = damage_page(path)
    opened = open_database(path, check=False)  # as a book too big to check at open
    window = FakeWindow()
    qtbot.addWidget(window)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or
                        QMessageBox.StandardButton.Yes)
    watch = BookWatch(opened, window)
    assert watch.backups_allowed()
    watch.start()
    qtbot.waitUntil(lambda: watch.problem is not None, timeout=20000)
    assert "damaged" in asked[0] and window.quit_requested and watch.repair_requested
    assert "damaged" in window.findChild(QLabel, "bookBannerText").text()
    assert not watch.backups_allowed()
    with pytest.raises(Exception, match="readonly|read-only"):
        opened.db.execute_sql("INSERT INTO tag (name) VALUES ('new')")
    opened.db.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == damaged


def test_a_malformed_error_while_working_is_told_as_damage(qtbot, tmp_path, monkeypatch):
    import sqlite3

    from crmdesk.ui.book_watch import BookWatch

    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    opened = open_database(path)
    window = FakeWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    watch = BookWatch(opened, window)
    assert watch.exception_seen(sqlite3.DatabaseError("database disk image is malformed"))
    assert not watch.exception_seen(ValueError("a bug: the usual dialog shows it"))
    qtbot.waitUntil(lambda: watch.problem is not None)
    assert not window.quit_requested and not watch.repair_requested
    assert not watch.backups_allowed()
    opened.db.close()


def test_a_read_only_book_shows_a_banner(qtbot, tmp_path):
    import dataclasses

    from crmdesk.ui.book_watch import BookWatch

    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    opened = dataclasses.replace(open_database(path), read_only=True)
    window = FakeWindow()
    qtbot.addWidget(window)
    watch = BookWatch(opened, window)
    assert "read-only" in window.findChild(QLabel, "bookBannerText").text()
    assert not watch.backups_allowed()
    opened.db.close()


def test_damage_met_by_any_query_reaches_the_window(qtbot, tmp_path, monkeypatch):
    import peewee

    from crmdesk.ui.book_watch import BookWatch

    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    opened = open_database(path)
    window = FakeWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    watch = BookWatch(opened, window)

    def malformed(self, sql, params=None):
        raise peewee.DatabaseError("database disk image is malformed")

    with monkeypatch.context() as patched, pytest.raises(peewee.DatabaseError):
        patched.setattr(peewee.SqliteDatabase, "execute_sql", malformed)
        opened.db.execute_sql("SELECT * FROM customer")
    qtbot.waitUntil(lambda: watch.problem is not None)
    assert "damaged" in window.findChild(QLabel, "bookBannerText").text()
    with pytest.raises(Exception, match="readonly|read-only"):
        opened.db.execute_sql("UPDATE customer SET first_name = 'X'")
    opened.db.close()


def test_a_background_job_on_a_full_disk_says_so(qtbot):
    import sqlite3

    from crmdesk.ui.workers import BackgroundJob

    def job(_progress):
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError:
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")  # noqa: B904

    task = BackgroundJob(job)
    with qtbot.waitSignal(task.failed, timeout=10000) as failed:
        task.start()
    task.wait()
    assert failed.args[0].startswith("the disk is full: nothing was changed")


def test_a_full_disk_while_working_is_told_once_in_those_words(qtbot, tmp_path, monkeypatch):
    import sqlite3

    from crmdesk.ui.book_watch import BookWatch

    path = tmp_path / "crmdesk.db"
    make_book(path, "Ada")
    opened = open_database(path)
    window = FakeWindow()
    qtbot.addWidget(window)
    told = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: told.append(a[2]))
    watch = BookWatch(opened, window)
    for _ in range(3):  # say a timer keeps trying to write
        assert watch.exception_seen(sqlite3.OperationalError("database or disk is full"))
    qtbot.waitUntil(lambda: len(told) == 1)
    QApplication.processEvents()  # the other two were queued: delivered by now
    assert len(told) == 1 and told[0].startswith("the disk is full: nothing was changed")
    assert watch.problem is None and watch.backups_allowed()  # nothing is damaged
    opened.db.close()


def test_a_backup_that_finds_the_book_damaged_tells_the_window(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    path = tmp_path / "crmdesk.db"
    make_big_book(path)
    damage_page(path)
    parent = QWidget()
    found = []
    safety.backup_in_background(path, parent, on_damage=found.append)
    with qtbot.waitSignal(parent._backup_job.finished, timeout=20000):
        pass
    assert len(found) == 1 and isinstance(found[0], BookDamaged)
    assert backup.list_backups(path) == []  # no damaged copy counts as a backup


def test_a_big_book_whose_damage_the_first_page_meets_exits_2_and_is_left_alone(
        qapp, tmp_path, capsys, monkeypatch):
    """A book too big to check at open: the list's first query meets the damage."""
    import sqlite3

    from crmdesk.app import run_gui
    from crmdesk.store import db as store_db

    monkeypatch.setenv("HOME", str(tmp_path))  # keep QSettings away from the real profile
    monkeypatch.setattr(store_db, "QUICK_CHECK_BYTES", 0)  # as if the book were big
    path = tmp_path / "crmdesk.db"
    make_big_book(path)
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'customer'"
                            ).fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:  # the customers' table itself
        handle.seek((root - 1) * 4096)
        handle.write(b"\xff" * 4096)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    status = run_gui(path, ready_and_exit=True)
    err = capsys.readouterr().err
    assert status == 2 and "damaged" in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
