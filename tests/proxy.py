"""A TCP proxy a test owns, to take a server away (PostgreSQL, RabbitMQ, another
service) without touching the server itself.

    with TcpProxy.in_front_of(database_url) as database:
        env = {"DATABASE_URL": database.route(database_url)}
        ...                 # start a process with env: it reaches the server through the proxy
        database.cut()      # every open connection drops, new ones are refused
        database.restore()  # new connections go through again
        database.hang()     # connections stay open but nothing gets through either way
        database.restore()  # what was held back flows again
"""

import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit


class TcpProxy:
    """Forwards loopback connections to ``127.0.0.1:target_port`` until cut: then it
    drops every open connection and closes each new one at once, like a server that went
    away (clients see a reset or an unexpected close, never a hang)."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self._flowing = threading.Event()
        self._flowing.set()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @classmethod
    def in_front_of(cls, url: str) -> "TcpProxy":
        """A proxy to the loopback server ``url`` names."""
        return cls(urlsplit(url).port)

    def __enter__(self) -> "TcpProxy":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def route(self, url: str) -> str:
        """``url`` (any scheme, with or without user and password) through this proxy."""
        parts = urlsplit(url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def cut(self) -> None:
        with self._lock:
            self.cut_off = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._sockets.clear()

    def hang(self) -> None:
        """Like a server that stopped answering (or a network that drops packets):
        connections are accepted and kept, but no byte gets through until restored."""
        self._flowing.clear()

    def restore(self) -> None:
        self.cut_off = False
        self._flowing.set()

    def close(self) -> None:
        self.cut()
        self._flowing.set()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                self._flowing.wait()
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
