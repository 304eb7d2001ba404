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
{"argv": [...]}. On Windows two processes started in the same instant could both listen (pipes
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


class SingleInstance(QObject):
    """`try_become_primary(argv)` is True for the first instance (which then listens and emits
    `messageReceived(list)` for each later launch) and False for a later one (whose argv has
    been passed on)."""

    messageReceived = Signal(list)

    def __init__(self, key: str = "crmdesk", parent: QObject | None = None, *,
                 name: str | None = None, timeout_ms: int = CONNECT_TIMEOUT_MS):
        super().__init__(parent)
        self.name = name or server_name(key)
        self.timeout_ms = timeout_ms
        self.server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

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

    def _pass_on(self, argv: Sequence[str]) -> bool:
        """Send argv to a running instance; True when one is listening. (Blocking for at most
        `timeout_ms`, but only in a second launch that exits right after, showing nothing.)"""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(self.timeout_ms):
            return False
        socket.write(json.dumps({"argv": list(argv)}).encode("utf-8") + b"\n")
        if not socket.waitForBytesWritten(self.timeout_ms):
            log.warning("could not pass the arguments to the running crmdesk: %s",
                        socket.errorString())
        socket.disconnectFromServer()
        return True

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
            argv = json.loads(line.decode("utf-8"))["argv"]
            if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
                raise ValueError("argv is not a list of strings")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("single instance: ignoring a malformed message: %s", exc)
            socket.abort()
            return
        self._buffers.pop(socket, None)
        self.messageReceived.emit(argv)

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()
