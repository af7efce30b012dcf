"""A TCP proxy between a client under test and the test server, for tests that must hold,
cut, trickle or swallow the traffic (timeouts that fire without timing anything, reads
that return part of a message, connections closed under the client)."""

import socket
import threading


class TcpProxy:
    """Listens on 127.0.0.1 (``self.port``) and joins each connection it accepts to a new
    one to ``(host, port)``; one thread per direction runs ``pump(src, dst, to_client)``.
    The default pump forwards everything; subclasses change what a direction does."""

    def __init__(self, host, port, rcvbuf=None):
        self.target = (host, port)
        self.listener = socket.socket()
        if rcvbuf:  # a small receive buffer (set before listen) makes a sender block early
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.socks = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            up = socket.create_connection(self.target)
            self.joined(conn)
            self.socks += [conn, up]
            threading.Thread(target=self.pump, args=(conn, up, False), daemon=True).start()
            threading.Thread(target=self.pump, args=(up, conn, True), daemon=True).start()

    def joined(self, client_side):
        """A new connection from the client, before any traffic (for socket options)."""

    def pump(self, src, dst, to_client):
        while True:
            data = recv(src)
            if not data or not send(dst, data):
                return

    def close(self):
        self.listener.close()
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass


def recv(sock):
    """The next bytes from sock; b'' at its end or when it failed (closed under us)."""
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def send(sock, data):
    """sock.sendall(data); False when the connection is gone."""
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False
