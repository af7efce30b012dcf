"""Sockets and connections of the dev server.

``Server`` listens on a TCP port and serves each client connection in its own
thread: it reads a proto frame, answers it (info, message, compressed message,
admin) and reads the next one, so pipelined requests are answered in order.
A frame that cannot be read closes that connection only; a well-framed message
whose fields or ops do not add up is answered with PARAMETER.
"""

import logging
import os
import socket
import threading
import time

from . import commands, info, wire
from . import security as security_mod
from .errors import ENTERPRISE_ONLY, PARAMETER, Hangup
from .store import Store

log = logging.getLogger(__name__)

# What Community Edition answers every admin message (a client given a user then fails
# to connect with SecurityNotSupported, as against a real CE server).
SECURITY_NOT_SUPPORTED = 51
ADMIN_HEADER_SIZE = 16
# Replies to clients asking for compression are compressed above this size.
COMPRESS_THRESHOLD = 128
EDITIONS = ("community", "enterprise")


class Server:
    """An in-process Aerospike-compatible server.

    ``namespaces`` are names or ``store.Namespace`` objects (for a default TTL or
    record-size limit), or a dict of name -> options, e.g.
    ``{"test": {"strong_consistency": True}, "bar": {}}`` (transactions run on a
    strong-consistency namespace, see txn.py).  ``security=True`` (or a dict of
    ``security.Security`` options) asks every connection to authenticate and checks
    users' roles, as an Enterprise server with security on (see security.py).
    ``edition`` is ``"community"`` (the default, like the server the suite is checked
    against) or ``"enterprise"``: only Enterprise accepts compressed requests and
    compresses its replies.
    ``port=0`` picks a free port; read ``.port`` after ``start()``.  Use as a
    context manager or call ``start()`` / ``stop()``.
    ``nodes=N`` (N > 1) serves a cluster of N nodes on consecutive ports from
    ``.port`` holding each partition on ``replication_factor`` nodes;
    ``stop_node(i)`` / ``start_node(i)`` take one away and bring it back (see
    cluster.py).
    """

    def __init__(self, host="127.0.0.1", port=0, namespaces=("test", "bar"),
                 cluster_name="null", edition="community", security=None,
                 nodes=1, replication_factor=2):
        if edition not in EDITIONS:
            raise ValueError("edition must be one of %s" % ", ".join(EDITIONS))
        self.edition = edition
        self.host = host
        self.port = port
        self.cluster_name = cluster_name
        self.store = Store(namespaces)
        self.node_id = "BB9%012X" % int.from_bytes(os.urandom(6), "big")
        self.cluster_key = "%012X" % int.from_bytes(os.urandom(6), "big")
        self.started_at = time.time()
        self.sindexes = {}  # (namespace, name) -> index, kept by sindex.py
        self.jobs = {}  # job id -> finished background job, kept by scan.py
        self._listener = None
        self._accept_thread = None
        self._connections = set()
        self._conn_lock = threading.Lock()
        self._stopping = threading.Event()
        self.security = security_mod.Security.from_option(security)
        # Cluster mode: the nodes listen, this object holds what they share.
        self.cluster = None
        if nodes != 1:
            from .cluster import Cluster
            self.cluster = Cluster(self, nodes, replication_factor)

    # ------------------------------------------------------------ lifecycle

    def start(self):
        if self.cluster is not None:
            self.started_at = time.time()
            self.cluster.start()
            return self
        listener = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(128)
        listener.settimeout(0.2)  # lets the accept loop notice stop()
        self._listener = listener
        self.port = listener.getsockname()[1]
        self.started_at = time.time()
        self._stopping.clear()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name="aerospike-devserver-accept", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self):
        if self.cluster is not None:
            self.cluster.stop()
            return
        shut_down(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def connection_count(self):
        if self.cluster is not None:
            return sum(node.connection_count() for node in self.cluster.nodes)
        with self._conn_lock:
            return len(self._connections)

    # ------------------------------------------------------------ cluster mode

    @property
    def nodes(self):
        """The nodes of a cluster-mode server (``[]`` for a single server)."""
        return list(self.cluster.nodes) if self.cluster is not None else []

    def stop_node(self, i):
        """Stop node ``i`` (its connections drop); the others take its partitions."""
        self._cluster_only().stop_node(i)

    def start_node(self, i):
        """Start node ``i`` again on its port; it takes its partitions back."""
        self._cluster_only().start_node(i)

    def _cluster_only(self):
        if self.cluster is None:
            raise ValueError("not a cluster: start the server with nodes=N")
        return self.cluster

    # ------------------------------------------------------------ serving

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                conn, _addr = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(None)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._conn_lock:
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,),
                             name="aerospike-devserver-conn", daemon=True).start()

    def _serve(self, conn):
        session = None
        try:
            if self.security is not None:
                session = self.security.session(conn.getpeername()[0])
                session.__enter__()
            while not self._stopping.is_set():
                frame = _read_frame(conn)
                if frame is None:
                    break
                for reply in self.answer(*frame, session=session):
                    conn.sendall(reply)
        except wire.ProtocolError as e:
            log.debug("closing connection on bad frame: %s", e)
        except Hangup as e:
            log.debug("hanging up: %s", e)
        except OSError:
            pass
        except Exception:  # noqa: BLE001 - a bug closes this connection, not the server
            log.exception("connection handler failed")
        finally:
            if session is not None:
                session.__exit__(None, None, None)
            with self._conn_lock:
                self._connections.discard(conn)
            _close(conn)

    def answer(self, ptype, body, session=None):
        """Yield the reply frames (bytes) to one request frame (``session``: the
        connection's security session when security is on)."""
        if ptype == wire.TYPE_COMPRESSED:
            if self.edition != "enterprise":
                # Community Edition cannot uncompress (as_proto_uncompress answers
                # ENTERPRISE_ONLY): the request is refused, the connection stays.
                yield wire.proto(wire.TYPE_MSG, wire.build_message(
                    result_code=ENTERPRISE_ONLY, info3=wire.INFO3_LAST))
                return
            ptype, body = wire.decompress(body)
        secure = self.security is not None and session is not None
        if ptype == wire.TYPE_INFO:
            if secure:
                yield wire.proto(wire.TYPE_INFO, self.security.info(self, session, body,
                                                                    info.handle))
            else:
                yield wire.proto(wire.TYPE_INFO, info.handle(self, body))
        elif ptype == wire.TYPE_MSG and secure and not self.security.is_authenticated(session):
            yield wire.proto(wire.TYPE_MSG, wire.build_message(
                result_code=security_mod.NOT_AUTHENTICATED, info3=wire.INFO3_LAST))
        elif ptype == wire.TYPE_MSG:
            try:
                msg = wire.parse_message(body)
            except wire.ProtocolError as e:
                # A well-framed message whose fields or ops do not add up: the real server
                # answers PARAMETER and keeps the connection (as_transaction_prepare fails).
                log.debug("bad message: %s", e)
                yield wire.proto(wire.TYPE_MSG, wire.build_message(
                    result_code=PARAMETER, info3=wire.INFO3_LAST))
                return
            # Community Edition ignores the request to compress its reply.
            compress = msg.info1 & wire.INFO1_COMPRESS_RESPONSE and self.edition == "enterprise"
            for reply in commands.handle(self, msg):
                frame = wire.proto(wire.TYPE_MSG, reply)
                if compress and len(frame) > COMPRESS_THRESHOLD:
                    frame = wire.compress(frame)
                yield frame
        elif ptype == wire.TYPE_ADMIN and secure:
            for reply in self.security.admin(session, body):
                yield wire.proto(wire.TYPE_ADMIN, reply)
        elif ptype == wire.TYPE_ADMIN:
            # Community edition: no security, every admin command is refused.
            header = bytearray(ADMIN_HEADER_SIZE)
            header[1] = SECURITY_NOT_SUPPORTED
            yield wire.proto(wire.TYPE_ADMIN, bytes(header))
        else:
            raise wire.ProtocolError("unknown proto type %d" % ptype)


def _recv_exact(conn, n):
    """``n`` bytes from ``conn``; None on a clean EOF before the first byte."""
    chunks = []
    got = 0
    while got < n:
        chunk = conn.recv(min(n - got, 1 << 20))
        if not chunk:
            if got == 0:
                return None
            raise wire.ProtocolError("connection closed mid-frame")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_frame(conn):
    """(type, body) of the next frame; None at EOF."""
    header = _recv_exact(conn, 8)
    if header is None:
        return None
    version, ptype, size = wire.split_proto(header)
    if version != wire.PROTO_VERSION:
        raise wire.ProtocolError("bad proto version %d" % version)
    if ptype not in (wire.TYPE_INFO, wire.TYPE_ADMIN, wire.TYPE_MSG, wire.TYPE_COMPRESSED):
        raise wire.ProtocolError("bad proto type %d" % ptype)
    if size > wire.MAX_BODY_SIZE:
        raise wire.ProtocolError("frame of %d bytes is too big" % size)
    body = _recv_exact(conn, size) if size else b""
    if body is None:
        raise wire.ProtocolError("connection closed mid-frame")
    return ptype, body


def shut_down(owner):
    """Stop accepting, then close every connection: of a Server or of a cluster node (both
    keep _stopping, _listener, _accept_thread, _conn_lock and _connections)."""
    owner._stopping.set()
    if owner._listener is not None:
        try:
            owner._listener.close()
        except OSError:
            pass
    if owner._accept_thread is not None:
        owner._accept_thread.join(2)
        owner._accept_thread = None
    with owner._conn_lock:
        conns = list(owner._connections)
    for conn in conns:
        _close(conn)
    owner._listener = None


def _close(conn):
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        conn.close()
    except OSError:
        pass


__all__ = ["Server"]
