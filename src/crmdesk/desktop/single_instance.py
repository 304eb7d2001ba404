"""One crmdesk per user: a second launch hands its arguments to the first and leaves.

    instance = SingleInstance()
    if not instance.try_become_primary(sys.argv[1:]):
        return 0                      # the first one got our arguments
    instance.messageReceived.connect(lambda argv: window.bring_forward(argv))

One instance per *user*, whatever the customer book (the issue asks for that, and a second
process must never open the same database): the server's name holds a hash of the user's name,
so two people on one PC each have their own crmdesk. A launch with another `--db` reaches the
first instance as its argv, and the app decides what to do with it.

Local sockets (QLocalServer/QLocalSocket): a Unix socket in $XDG_RUNTIME_DIR (else Qt's temp
folder), a named pipe on Windows, both readable by this user only. A socket left behind by a
crash is noticed (nobody answers on it) and replaced. The message is one line of JSON,
{"argv": [...], "db": "<the book the second launch wants>"}; the first answers with one line,
{"db": "<the book it has open>"}, so a second launch for another book can tell the user
(`running_db`, `same_book`) instead of silently showing the first one's book. On Windows two processes started in the same instant could both listen (pipes
allow it); everywhere else the loser of that race finds the winner and passes its arguments on.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1000
MAX_MESSAGE = 1 << 20


def user_id() -> str:
    """Who runs this process (uid on Unix, the account name elsewhere)."""
    if hasattr(os, "getuid"):
        return str(os.getuid())
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return os.environ.get("USERNAME", "user")


def server_name(key: str = "crmdesk", user: str | None = None,
                env: Mapping[str, str] | None = None) -> str:
    """The local server's name for `key` and this user; a full path in $XDG_RUNTIME_DIR on
    Linux (private to the user), else a plain name (Qt's temp folder, or a named pipe)."""
    digest = hashlib.sha256((user if user is not None else user_id()).encode()).hexdigest()[:16]
    name = f"{key}-{digest}"
    env = os.environ if env is None else env
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and os.name == "posix" and Path(runtime).is_dir():
        return str(Path(runtime) / f"{name}.sock")
    return name


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Do two paths name the same book? (The same file, or the same place once resolved.)"""
    try:
        return os.path.samefile(a, b)
    except OSError:
        def norm(path):
            return os.path.normcase(os.path.realpath(os.path.abspath(path)))

        return norm(a) == norm(b)


class SingleInstance(QObject):
    """`try_become_primary(argv)` is True for the first instance (which then listens and emits
    `messageReceived(list)` for each later launch) and False for a later one (whose argv has
    been passed on)."""

    messageReceived = Signal(list)
    #: a later launch asked for another book than ours (its path), after messageReceived
    otherBookRequested = Signal(str)

    def __init__(self, key: str = "crmdesk", parent: QObject | None = None, *,
                 name: str | None = None, timeout_ms: int = CONNECT_TIMEOUT_MS,
                 db_path: str | os.PathLike | None = None):
        super().__init__(parent)
        self.name = name or server_name(key)
        self.timeout_ms = timeout_ms
        self.server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}
        #: the book this process has open (the first instance tells later launches)
        self.db_path = str(db_path) if db_path is not None else None
        #: in a later launch: the book the running crmdesk has open (None: it did not say)
        self.running_db: str | None = None

    @property
    def is_primary(self) -> bool:
        return self.server is not None and self.server.isListening()

    def try_become_primary(self, argv: Sequence[str] = ()) -> bool:
        if self.is_primary:
            return True
        if self._pass_on(argv):
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            if server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
                # Another launch started listening a moment ago (then it takes our argv), or
                # a crash left a socket Qt did not clean up itself (nobody answers: remove it).
                if self._pass_on(argv):
                    return False
                log.info("removing a stale single-instance socket %s", self.name)
                QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                # Not being able to listen must not stop the program from starting.
                log.warning("single instance: cannot listen on %s: %s", self.name,
                            server.errorString())
                server.deleteLater()
                return True
        server.newConnection.connect(self._accept)
        self.server = server
        return True

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server.deleteLater()
            self.server = None

    # --- the second launch --------------------------------------------------------------------

    def same_book(self) -> bool:
        """In a later launch: does the running crmdesk have our book open? (True when it did
        not say which, as an older crmdesk would not.)"""
        return self.running_db is None or self.db_path is None or same_file(self.running_db,
                                                                            self.db_path)

    def _pass_on(self, argv: Sequence[str]) -> bool:
        """Send argv (and our book) to a running instance and read which book it has open;
        True when one is listening. (Blocking for at most a few `timeout_ms`, but only in a
        second launch that exits right after.)"""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(self.timeout_ms):
            return False
        message = {"argv": list(argv)}
        if self.db_path is not None:
            message["db"] = self.db_path
        socket.write(json.dumps(message).encode("utf-8") + b"\n")
        if not socket.waitForBytesWritten(self.timeout_ms):
            log.warning("could not pass the arguments to the running crmdesk: %s",
                        socket.errorString())
        if self.db_path is not None:  # only a launch that says its book waits for the answer
            self.running_db = self._read_answer(socket)
        socket.disconnectFromServer()
        return True

    def _read_answer(self, socket: QLocalSocket) -> str | None:
        data = b""
        while b"\n" not in data and len(data) < MAX_MESSAGE:
            if not socket.bytesAvailable() and not socket.waitForReadyRead(self.timeout_ms):
                return None  # an older crmdesk, or a busy one: it did not say
            data += bytes(socket.readAll().data())
        try:
            db = json.loads(data.split(b"\n", 1)[0].decode("utf-8")).get("db")
        except (ValueError, AttributeError):
            return None
        return db if isinstance(db, str) else None

    # --- the first instance -------------------------------------------------------------------

    def _accept(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(partial(self._read, socket))
            socket.disconnected.connect(partial(self._drop, socket))
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        try:
            message = json.loads(line.decode("utf-8"))
            argv = message["argv"]
            if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
                raise ValueError("argv is not a list of strings")
            wanted = message.get("db")
            if wanted is not None and not isinstance(wanted, str):
                raise ValueError("db is not a text")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("single instance: ignoring a malformed message: %s", exc)
            socket.abort()
            return
        self._buffers.pop(socket, None)
        if self.db_path is not None:  # tell the later launch which book is open here
            socket.write(json.dumps({"db": self.db_path}).encode("utf-8") + b"\n")
            socket.flush()
        self.messageReceived.emit(argv)
        if wanted is not None and self.db_path is not None and not same_file(wanted,
                                                                             self.db_path):
            self.otherBookRequested.emit(wanted)

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()
