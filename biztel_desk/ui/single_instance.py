"""One window per data dir: a second start brings the first window to the front instead of running twice.

Two windows on one data dir would run two link workers and two call sources on the same database and files. The
first instance listens on a local socket named after the data dir (QLocalServer: a named pipe on Windows, a
Unix socket elsewhere); a later start connects, asks it to show itself, and exits.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

ACTIVATE = b"activate\n"
CONNECT_TIMEOUT_MS = 500


def server_name(data_dir: Path) -> str:
    """A name per data dir (and per OS user: local socket names are per user on Windows, per file elsewhere)."""
    digest = hashlib.sha256(str(Path(data_dir).expanduser().resolve()).encode("utf-8")).hexdigest()[:16]
    return f"biztel-desk-{digest}"


class SingleInstance(QObject):
    """``claim()`` is True for the first instance (it then emits ``activate_requested`` on later starts)."""

    activate_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self.server: QLocalServer | None = None

    def claim(self) -> bool:
        if self.notify_running():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # only this OS user may connect
        if not server.listen(self.name):
            # A socket file left by a process that crashed: nobody answered above, so it is stale.
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                return True  # cannot listen (odd file system): run anyway rather than refuse to start
        server.newConnection.connect(self._on_server_new_connection)
        self.server = server
        return True

    def notify_running(self) -> bool:
        """Ask a running instance to show itself; True when one answered."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(ACTIVATE)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def _on_server_new_connection(self) -> None:
        assert self.server is not None
        while (connection := self.server.nextPendingConnection()) is not None:
            # The caller writes its one line at once and leaves: read it here (a few ms at most), no slots
            # left behind on a socket that is about to go.
            arrived = connection.bytesAvailable() > 0 or connection.waitForReadyRead(CONNECT_TIMEOUT_MS)
            if arrived and bytes(connection.readAll().data()).startswith(ACTIVATE.strip()):
                self.activate_requested.emit()
            connection.abort()
            connection.deleteLater()
