"""The command line never creates a customer book (or its folder) by mistake, and says so when
it does create one; a wrong option shows the usage of the command it was given to."""

from __future__ import annotations

import pytest

from crmdesk.cli import EXIT_DATABASE, EXIT_USAGE, main
from crmdesk.store.db import open_database


@pytest.fixture
def book_file(db_path):
    opened = open_database(db_path)
    opened.db.close()
    return db_path


READERS = [
    ["reminders"],
    ["report"],
    ["export", "--out", "{out}/people.csv"],
    ["backup", "--out", "{out}/copy.db"],
    ["duplicates"],
    ["import", "{out}/people.csv", "--dry-run"],
    ["import", "--undo", "B1"],
]


@pytest.mark.parametrize("argv", READERS, ids=lambda argv: " ".join(argv))
def test_a_reading_command_refuses_a_book_that_is_not_there(argv, tmp_path, capsys):
    (tmp_path / "people.csv").write_text("name,phone\nAda Lovelace,+44 20 7946 0000\n",
                                         encoding="utf-8")
    missing = tmp_path / "no such folder" / "crmdesk.db"
    args = [part.format(out=tmp_path) for part in argv] + ["--db", str(missing)]
    before = sorted(p.name for p in tmp_path.iterdir())
    status = main(args)
    err = capsys.readouterr().err
    assert status == EXIT_DATABASE
    assert str(missing) in err
    assert "no customer book" in err or "there is no file there" in err
    assert not missing.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_reading_command_refuses_a_missing_book_in_an_existing_folder(tmp_path, capsys):
    missing = tmp_path / "crmdesk.db"
    assert main(["reminders", "--db", str(missing)]) == EXIT_DATABASE
    assert "there is no customer book at" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_open_database_can_be_told_not_to_create(tmp_path):
    from crmdesk.store.db import DatabaseOpenError

    with pytest.raises(DatabaseOpenError, match="nothing was created"):
        open_database(tmp_path / "new" / "crmdesk.db", create=False)
    assert list(tmp_path.iterdir()) == []


def test_demo_and_import_say_when_they_create_a_book(tmp_path, capsys):
    demo_book = tmp_path / "demo" / "crmdesk.db"
    assert main(["demo", "--customers", "3", "--db", str(demo_book)]) == 0
    assert f"created a new customer book at {demo_book}" in capsys.readouterr().err
    assert demo_book.is_file()

    people = tmp_path / "people.csv"
    people.write_text("name,phone\nAda Lovelace,+44 20 7946 0000\n", encoding="utf-8")
    new_book = tmp_path / "shop.db"
    assert main(["import", str(people), "--db", str(new_book)]) == 0
    assert f"created a new customer book at {new_book}" in capsys.readouterr().err
    # an existing book: nothing said about creating
    assert main(["demo", "--customers", "1", "--db", str(demo_book)]) == 0
    assert "created" not in capsys.readouterr().err


def test_a_reading_command_on_an_existing_book_works_and_says_nothing_of_creating(
        book_file, capsys):
    assert main(["reminders", "--db", str(book_file), "--today", "2026-03-10"]) == 0
    assert "created" not in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["export", "--out", "x.csv"], ["report"], ["reminders"],
                                  ["backup", "--out", "x.db"], ["demo"], ["import", "x.csv"],
                                  ["restore", "x.db"], ["duplicates"]],
                         ids=lambda argv: argv[0])
def test_a_wrong_option_shows_that_commands_usage(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--bogus", "--db", str(tmp_path / "crmdesk.db")])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"usage: crmdesk {argv[0]} ")
    assert f"crmdesk {argv[0]}: error: unrecognized arguments: --bogus" in err
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_option_before_any_command_shows_the_general_usage(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--bogus"])
    assert exited.value.code == EXIT_USAGE
    assert capsys.readouterr().err.startswith("usage: crmdesk [")
