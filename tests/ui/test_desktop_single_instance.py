"""One crmdesk per user: a second launch passes its arguments to the first."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from PySide6.QtNetwork import QLocalSocket

from crmdesk.desktop.single_instance import SingleInstance, server_name


@pytest.fixture
def key():
    return f"crmdesk-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def instances(qapp):
    made = []

    def make(*args, **kwargs) -> SingleInstance:
        instance = SingleInstance(*args, **kwargs)
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()


def test_the_second_launch_is_not_primary_and_its_arguments_reach_the_first(instances, key,
                                                                            qtbot):
    first = instances(key)
    assert first.try_become_primary(["crmdesk"])

    second = instances(key)
    with qtbot.waitSignal(first.messageReceived, timeout=3000) as received:
        assert second.try_become_primary(["--db", "/home/ana/Shop book.db", "--minimized"]) \
            is False

    assert received.args == [["--db", "/home/ana/Shop book.db", "--minimized"]]
    assert first.is_primary and not second.is_primary


def test_every_later_launch_reaches_the_first(instances, key, qtbot):
    first = instances(key)
    assert first.try_become_primary()

    for number in range(3):
        with qtbot.waitSignal(first.messageReceived, timeout=3000) as received:
            assert not instances(key).try_become_primary([f"launch {number}"])
        assert received.args == [[f"launch {number}"]]


def test_after_the_first_quits_the_next_launch_becomes_primary(instances, key):
    first = instances(key)
    assert first.try_become_primary()
    first.close()

    assert instances(key).try_become_primary()


@pytest.mark.skipif(os.name != "posix", reason="a Unix socket file left behind by a crash")
def test_a_socket_left_by_a_crash_is_replaced(instances, tmp_path, qtbot):
    path = str(tmp_path / "crmdesk.sock")
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(path)
    crashed.close()  # the file stays, nobody listens: what a crash leaves

    first = instances(name=path)
    assert first.try_become_primary()

    with qtbot.waitSignal(first.messageReceived, timeout=3000) as received:
        assert not instances(name=path).try_become_primary(["again"])
    assert received.args == [["again"]]


def test_a_malformed_message_is_ignored(instances, key, qtbot):
    first = instances(key)
    assert first.try_become_primary()
    intruder = QLocalSocket()
    intruder.connectToServer(first.name)
    assert intruder.waitForConnected(2000)

    with qtbot.assertNotEmitted(first.messageReceived, wait=300):
        intruder.write(b'{"argv": "not a list"}\n')
        intruder.flush()

    with qtbot.waitSignal(first.messageReceived, timeout=3000) as received:
        assert not instances(key).try_become_primary(["fine"])
    assert received.args == [["fine"]]


def test_the_name_is_per_user_and_private_to_the_user(tmp_path):
    ana = server_name("crmdesk", user="1000", env={})
    ben = server_name("crmdesk", user="1001", env={})

    assert ana != ben and ana.startswith("crmdesk-")
    assert server_name("crmdesk", user="1000", env={}) == ana
    if os.name == "posix":
        in_runtime = server_name("crmdesk", user="1000", env={"XDG_RUNTIME_DIR": str(tmp_path)})
        assert in_runtime == str(tmp_path / f"{ana}.sock")
