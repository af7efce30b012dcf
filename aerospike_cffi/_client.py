"""Client: connection life, configuration, policies and record decoding.

The commands come from the family mixins of _commands (records, batch, info, index); each
is validate -> marshal -> one shim call -> unmarshal. Keys, bins and operations are packed
in Python into one buffer each (see _marshal), the shim runs the C client command with the
GIL released, and the answer comes back as one buffer that decodes in one pass.
"""

import marshal
import os
import platform
import threading
import weakref

from . import _config, _marshal, _stream
from ._commands import (AdminCommands, BatchCommands, IndexCommands, InfoCommands,
                        MetricsCommands, RecordCommands, TxnCommands, UDFCommands)
from ._commands.metrics import on_c_client_thread as _on_c_client_thread
from ._expr import expression_base64
from ._keys import key_parts, parse_meta  # noqa: F401 - imported from here by other modules
from ._keys import key_digest, partition_of
from ._native import ffi, lib, out_bytes, raise_error
from ._ops import cdt_ctx_base64
from ._policy import PolicySet
from .exception import ClientError, ClusterError, ParamError

_NO_BYTES = _marshal.NO_BYTES  # a digest's bytearray as _NO_BYTES + digest

_NULL = ffi.NULL
# CPython decodes batch and stream pages fastest from their marshal form (one marshal.loads,
# in C; see shim.h); PyPy's JIT runs the Python decoder of the packed layout faster still.
# (Single records: marshal form on both, see _marshal_single.)
_MARSHAL_RECORDS = platform.python_implementation() == "CPython"
_loads = marshal.loads


def _destroy_connection(conn):
    if conn != _NULL:
        err = ffi.new("as_error*")
        lib.aerospike_close(conn, err)
        lib.aerospike_destroy(conn)


# Every client, for the fork hook below.
_clients = weakref.WeakSet()


def _reset_after_fork():
    # A thread of the parent (in close(), connect() or a command's _reap) may have held a
    # client's lock at the fork; that thread does not exist in the child, which would wait
    # for it forever. The child's copies of the parent's connections are never destroyed
    # there (see close()), so a fresh lock guards nothing the parent was doing.
    for client in list(_clients):
        client._lock = threading.Lock()
    _stream._lua_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


class Client(RecordCommands, BatchCommands, InfoCommands, IndexCommands, UDFCommands,
             AdminCommands, TxnCommands, MetricsCommands):
    """A connection to an Aerospike cluster, with the official client's API."""

    def __init__(self, config=_config.NO_CONFIG):
        cfg, settings, keep = _config.build(config)
        _config.force_raw_collections(cfg)
        self._cfg = cfg  # template: never given to the C client (see _config.for_connection)
        self._config = dict(config)
        self._keep = keep
        self._settings = settings
        self._serializers = _marshal.Serializers(settings.serializer, settings.deserializer)
        self._packer = _marshal.Packer(settings.send_bool_as, self._serializers)
        self._bool_as_bool = settings.send_bool_as == _marshal.SEND_BOOL_AS_AS_BOOL
        self._op_packer = _marshal.Packer(settings.send_bool_as, self._serializers,
                                          _marshal.SERIALIZER_PYTHON,
                                          strict_types=settings.strict_types)
        self._op_packer.validate_keys = settings.validate_keys
        self._unpacker = _marshal.Unpacker(settings.deserializer)
        # deserialize False reads: list and map bins stay raw msgpack (stateless, kept once)
        self._raw_unpacker = _marshal.RawCollectionsUnpacker(settings.deserializer)
        self._marshal_records = _MARSHAL_RECORDS and settings.deserializer is None
        # Single records (get, select, operate) come in marshal form on PyPy too: the one
        # RPython-level marshal.loads leaves nothing per bin for the JIT to trace, so a get
        # reaches its steady state sooner (issue 13), and at steady state it ran fewer
        # instructions than the JIT-compiled decoder of the packed layout (42k against 48k).
        self._marshal_single = settings.deserializer is None
        pols = cfg.policies
        defaults = {kind: ffi.addressof(pols, member)
                    for kind, member in (("read", "read"), ("write", "write"),
                                         ("operate", "operate"), ("remove", "remove"),
                                         ("apply", "apply"), ("batch", "batch"),
                                         ("batch_write", "batch_write"),
                                         ("batch_apply", "batch_apply"),
                                         ("batch_remove", "batch_remove"), ("scan", "scan"),
                                         ("query", "query"), ("info", "info"),
                                         ("admin", "admin"),
                                         ("batch_parent_write", "batch_parent_write"))}
        self._batch_read_default = ffi.new("as_policy_batch_read*")
        lib.as_policy_batch_read_init(self._batch_read_default)
        defaults["batch_read"] = self._batch_read_default
        self._policies = PolicySet(defaults, settings.validate_keys)
        self._policies.packer = self._packer  # expression values use the serializer too
        self._policy = self._policies.get  # (C policy, keep-alive) of (kind, policy dict)
        # policy=None fast paths of the hot commands (records.py): the default structs, and
        # whether reads return raw collections by the config alone.
        self._policy_defaults = defaults
        self._read_raw = "read" in settings.raw_kinds
        self._operate_raw = "operate" in settings.raw_kinds
        # The fast reads (records.py: shim_get_f, ...) with the default read policy:
        # the struct, whether it sends keys (fixed once the client is made), and whether
        # the config lets records come as marshal data with their collections decoded.
        self._read_default = defaults["read"]
        self._write_default = defaults["write"]  # the fast put's (records.py)
        self._read_sends_key = self._read_default.key == 1  # AS_POLICY_KEY_SEND
        self._fast_reads = self._marshal_single and not self._read_raw
        self._as = _NULL
        self._lock = threading.Lock()
        _clients.add(self)
        self._held = {}  # connection -> foreach runs using it on their own threads
        # Commands inside the C client over the current connection, one entry each
        # (_enter/_leave): list.append and list.pop are atomic under the GIL on CPython and
        # PyPy, so the hot path takes no lock. Each connection has its own list; close()
        # retires both, and the last command out of a retired connection destroys it.
        self._busy = []
        self._retired = []  # (connection, its busy list) closed and not yet destroyed
        self._connect(settings.user, settings.password)

    # ------------------------------------------------------------ connection

    def _connect(self, user, password):
        with self._lock:
            if self._as != _NULL:
                return
            err = ffi.new("as_error*")
            # The C client's event loop (used by aerospike_cffi.aio) must exist before any
            # cluster is made: the C client cannot close a cluster made without it once it
            # exists. Made once per process; later calls only check.
            if lib.shim_async_init(err, 1) != 0:
                raise_error(err)
            cfg = _config.for_connection(self._config)
            self._tune_connection(cfg)
            if user is not None and password is not None:
                _config.set_user(cfg, user, password)
            # aerospike_new copies the struct and owns its heap fields from here on.
            conn = lib.aerospike_new(cfg)
            if conn == _NULL:
                raise ClientError(-1, "Failed to create the C client")
            if lib.aerospike_connect(conn, err) != 0:
                lib.aerospike_destroy(conn)
                raise_error(err)
            self._busy = []  # before _as: whoever sees the new _as sees its own list
            self._as = conn
            self._pid = os.getpid()  # whose C client threads and sockets these are

    def _tune_connection(self, cfg):
        """Last changes to a connection's as_config (the async client sets its pools)."""

    def connect(self, username=None, password=None):
        """Connect (again, after close()); returns the client.

        As the official: a connected client returns at once, and the credentials count
        only when both are strings (then they replace the configured ones).
        """
        if self._as != _NULL:
            return self
        settings = self._settings
        if isinstance(username, str) and isinstance(password, str):
            _config.check_user(username, password)
            settings.user, settings.password = username, password
        self._connect(settings.user, settings.password)
        return self

    def is_connected(self, *_ignored, **_ignored_kw):
        """True while connected and the cluster has a node (as the official, which also
        ignores any arguments)."""
        conn = self._as
        if conn == _NULL:
            return False
        try:
            busy = self._enter(conn)
        except ClusterError:
            return False  # closed meanwhile
        try:
            return bool(lib.aerospike_cluster_is_connected(conn))
        finally:
            self._leave(busy)

    def close(self):
        """Close the connections; the client can connect() again later.

        Commands already inside the C client on other threads (and a foreach running on a
        thread of the shim, whose callback may call close()) keep using the connection
        until they end; the last of them destroys it (_reap). Commands started after
        close() raise ClusterError."""
        with self._lock:
            conn, self._as = self._as, _NULL
            if conn == _NULL:
                return
            if os.getpid() != self._pid:
                # A forked child's copy of the parent's connection: its C client threads do
                # not exist here, and closing it would join them (a crash). Let it go; the
                # parent still owns the real one. The commands and runs counted in, and
                # the connections retired, were the parent's, so forget them too.
                self._busy = []
                self._held = {}
                self._retired = []
                return
            self._retired.append((conn, self._busy))
        self._reap()

    def _enter(self, conn):
        """Count a command in before it hands ``conn`` (from _conn()) to the C client and
        return the token for _leave() (call it in a finally); ClusterError if close() came
        meanwhile."""
        busy = self._busy
        busy.append(None)
        # Appended first, read second: a close() that swapped _as before this read is seen
        # here; one that swaps it after this read sees this command in the connection's
        # list (see _reap). connect() sets _busy before _as, so when _as is still conn,
        # busy is conn's own list.
        if self._as is not conn:
            self._leave(busy)
            raise ClusterError(11, "No connection to aerospike cluster")
        return busy

    def _leave(self, busy):
        busy.pop()
        if self._retired:
            self._reap()

    def _reap(self):
        """Destroy the closed connections that no command or foreach run uses any more."""
        if os.getpid() != self._pid:
            return  # a forked child's copies of the parent's connections: see close()
        with self._lock:
            kept, free = [], []
            for conn, busy in self._retired:
                if busy or conn in self._held:
                    kept.append((conn, busy))
                else:
                    free.append(conn)
            if not free:
                return
            self._retired = kept
        for conn in free:
            if getattr(_on_c_client_thread, "active", False):
                # close() from a metrics listener, on the C client's tend thread: the
                # destruction joins that thread and takes the locks it holds, so it
                # runs on a thread of its own, which waits for the listener to return.
                threading.Thread(target=_destroy_connection, args=(conn,),
                                 name="aerospike-cffi-close", daemon=True).start()
            else:
                _destroy_connection(conn)

    def _hold(self):
        """The connection, kept alive for a run on another thread until _release()."""
        with self._lock:
            conn = self._conn()
            self._held[conn] = self._held.get(conn, 0) + 1
            return conn

    def _release(self, conn):
        with self._lock:
            self._held[conn] -= 1
            if self._held[conn]:
                return
            del self._held[conn]
        if self._retired:
            self._reap()  # close() came while it was held

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _conn(self, message="No connection to aerospike cluster"):
        conn = self._as
        if conn == _NULL:
            raise ClusterError(11, message)  # info and node calls end it with a period
        return conn

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _key_tuple(parts, buf):
        return (parts[6], parts[7], parts[8], _NO_BYTES + buf[:20])

    def _want_marshal(self, out):
        """Ask for the record in marshal form, unless blobs need a deserializer."""
        out.want_marshal = (self._marshal_records and
                            _marshal.GLOBAL_SERIALIZERS.deserializer is None)

    def _record(self, out, pairs=False):
        """(digest, gen, ttl, bins) of a single-record command's output (layouts: shim.h)."""
        if out.is_marshal:
            data = ffi.buffer(out.data, out.len)
            gen, ttl, bins = _loads(data[20:])
            return data[:20], gen, ttl, bins
        buf = out_bytes(out)
        gen, ttl, bins, _ = (self._unpacker.record_pairs if pairs else self._unpacker.record)(buf)
        return buf[:20], gen, ttl, bins

    def _packer_for(self, serializer):
        if serializer is None:
            return self._packer
        return _marshal.Packer(self._settings.send_bool_as, self._serializers, serializer, True)

    # ------------------------------------------------------------ scan, query, indexes

    def scan(self, namespace=_stream.NO_NAMESPACE, set=None):  # noqa: A002
        """A new :class:`Scan` of the set ``set`` (every set when None) of ``namespace``."""
        return _stream.Scan(self, namespace, set)

    def query(self, namespace=_stream.NO_NAMESPACE, set=None):  # noqa: A002
        """A new :class:`Query` of the set ``set`` (every set when None) of ``namespace``."""
        return _stream.Query(self, namespace, set)

    # ------------------------------------------------------------ misc

    def get_key_partition_id(self, ns, set, key):  # noqa: A002
        """The partition id (0..4095) of the key ``(ns, set, key)``."""
        if not isinstance(ns, str):
            raise ParamError(-2, "Namespace should be a string.")
        if not isinstance(set, str):
            raise ParamError(-2, "Set should be a string or unicode.")
        if not isinstance(key, (str, int, bytearray)):
            raise ParamError(-2, "Key is invalid.")
        self._conn()
        return partition_of(key_digest(ns, set, key))

    def get_expression_base64(self, expression):
        """The compiled expression ``expression`` as the base64 text the server takes."""
        return expression_base64(expression)

    def get_cdtctx_base64(self, ctx):
        """The context list ``ctx`` as the base64 text the server takes (for index contexts)."""
        return cdt_ctx_base64(ctx)

    def shm_key(self, *_ignored, **_ignored_kw):
        """The shared-memory key of the cluster state when ``shm`` is configured, else None
        (any arguments are ignored, as the official's)."""
        return self._cfg.shm_key if self._cfg.use_shm else None

