"""Client: each command is validate -> marshal -> one shim call -> unmarshal.

Keys, bins and operations are packed in Python into one buffer each (see _marshal), the
shim runs the C client command with the GIL released, and the answer comes back as one
buffer that decodes in one pass.
"""

import builtins
import marshal
import platform
import threading
import warnings

from . import _batch, _config, _marshal, _stream
from ._native import ffi, lib, out_bytes, raise_error, scratch
from ._ops import encode_operations
from ._policy import PolicySet
from .exception import AerospikeError, BinNameError, ClientError, ClusterError, ParamError

_NULL = ffi.NULL
# CPython decodes records fastest from their marshal form (one marshal.loads, in C; see
# shim.h); PyPy's JIT runs the Python decoder of the packed layout faster still.
_MARSHAL_RECORDS = platform.python_implementation() == "CPython"
# Likewise bins to write go through pickle (C on CPython) to the shim, not the Packer.
_PICKLE_BINS = _MARSHAL_RECORDS
_loads = marshal.loads
_NOT_PLAIN = lib.SHIM_NOT_PLAIN
_CLIENT_DEFAULT_TTL = 0xFFFFFFFD
META_KEYS = ("gen", "ttl")

# Wire operation types used by the single-bin commands.
_OP_INCR, _OP_APPEND, _OP_PREPEND, _OP_TOUCH = 5, 9, 10, 11

_ns_cache = {}

# as_index_datatype values of the C client.
_INDEX_STRING, _INDEX_GEO2DSPHERE, _INDEX_BLOB, _INDEX_NUMERIC = 0, 2, 3, 4


def _name(value, what, limit):
    """Encoded namespace/set name, validated (cached: these repeat)."""
    try:
        return _ns_cache[value]
    except KeyError:
        pass
    data = _marshal.utf8(value)
    if len(data) >= limit:
        raise ParamError(-2, "key is invalid")  # the official's message for a long ns/set
    if len(_ns_cache) < 1024:
        _ns_cache[value] = data
    return data


def key_parts(key):
    """(ns, set, ktype, kdata, kint, ns str, set str, returned pk) of a key tuple."""
    if type(key) is tuple and len(key) == 3:
        # Fast path: (namespace, set, int or str key) with names already validated.
        ns, set_name, pk = key
        if type(ns) is str and type(set_name) is str:
            nsb, setb = _ns_cache.get(ns), _ns_cache.get(set_name)
            if nsb is not None and setb is not None and set_name:
                t = type(pk)
                if t is int and -(1 << 63) <= pk < (1 << 63):
                    return nsb, setb, 1, b"", 0, pk, ns, set_name, pk
                if t is str:
                    data = _marshal.utf8(pk)
                    return nsb, setb, 3, data, len(data), 0, ns, set_name, pk
    if type(key) is tuple:
        n = len(key)
        if n != 3 and n != 4:
            raise ParamError(-2, "key tuple must be (Namespace, Set, Key) or "
                                 "(Namespace, Set, None, Digest)")
        ns, set_name, pk = key[0], key[1], key[2]
        digest = key[3] if n == 4 else None
    elif isinstance(key, dict):
        ns, set_name = key.get("ns"), key.get("set")
        pk, digest = key.get("key"), key.get("digest")
        if ns is None:
            raise ParamError(-2, "namespace is required")
    else:
        raise ParamError(-2, "key is invalid")
    if type(ns) is not str:
        raise ParamError(-2, "namespace must be a string")
    nsb = _name(ns, "namespace", 32)
    if set_name is None:
        setb = _NULL
    elif type(set_name) is str:
        setb = _name(set_name, "set", 64)
        set_name = set_name or None  # the official returns an empty set name as None
    else:
        raise ParamError(-2, "set must be a string")
    t = type(pk)
    if t is str:
        data = _marshal.utf8(pk)
        return nsb, setb, 3, data, len(data), 0, ns, set_name, pk
    if t is int or t is bool:
        if not -(1 << 63) <= pk < (1 << 63):
            raise ParamError(-2, "integer value for KEY exceeds sys.maxsize")
        return nsb, setb, 1, b"", 0, int(pk), ns, set_name, int(pk)
    if pk is not None:
        if t is bytearray:
            if not pk:
                raise ParamError(-2, "Byte array size cannot be 0")
            data = bytes(pk)
            return nsb, setb, 4, data, len(data), 0, ns, set_name, pk
        if isinstance(pk, bytes):
            # The official client sends bytes keys as string keys (up to a NUL).
            data = bytes(pk).split(b"\0", 1)[0]
            return nsb, setb, 3, data, len(data), 0, ns, set_name, data.decode("utf-8", "replace")
        if isinstance(pk, int):
            return key_parts((ns, set_name, int(pk)))
        if isinstance(pk, str):
            return key_parts((ns, set_name, str(pk)))
        raise ParamError(-2, "key is invalid")
    if digest is None:
        raise ParamError(-2, "either key or digest is required")
    if type(digest) is not bytearray:
        raise ParamError(-2, "digest is invalid. expected a bytearray")
    if len(digest) != 20:
        raise ParamError(-2, "digest size is invalid. should be 20 bytes, but received %d"
                         % len(digest))
    data = bytes(digest)
    return nsb, setb, 0, data, 20, 0, ns, set_name, None


def parse_meta(meta, validate_keys=False):
    """(ttl, gen) of a command's meta dict (None: the defaults)."""
    if not isinstance(meta, dict):
        if meta is not None:
            raise ParamError(-2, "Metadata should be of type dictionary")
        return _CLIENT_DEFAULT_TTL, 0
    if validate_keys:
        for k in meta:
            if k not in META_KEYS:
                raise ParamError(-2, '"%s" is an invalid record metadata dictionary key' % (k,))
    ttl, gen = _CLIENT_DEFAULT_TTL, 0
    if "ttl" in meta:
        warnings.warn('meta["ttl"] is deprecated and will be removed in the next client major '
                      'release.', DeprecationWarning, stacklevel=3)
        ttl = meta["ttl"]
        if not isinstance(ttl, int):
            raise ParamError(-2, "Ttl should be an int or long")
        if not -(1 << 63) <= ttl < (1 << 63):
            raise ParamError(-2, "integer value for ttl exceeds sys.maxsize")
        ttl &= 0xFFFFFFFF
    if "gen" in meta:
        gen = meta["gen"]
        if not isinstance(gen, int):
            raise ParamError(-2, "Generation should be an int or long")
        if not -(1 << 63) <= gen < (1 << 63):
            raise ParamError(-2, "integer value for gen exceeds sys.maxsize")
        gen &= 0xFFFF
    return ttl, gen


def _destroy_connection(conn):
    if conn != _NULL:
        err = ffi.new("as_error*")
        lib.aerospike_close(conn, err)
        lib.aerospike_destroy(conn)


class Client:
    """A connection to an Aerospike cluster, with the official client's API."""

    def __init__(self, config):
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
                                          _marshal.SERIALIZER_PYTHON)
        self._unpacker = _marshal.Unpacker(settings.deserializer)
        self._marshal_records = _MARSHAL_RECORDS and settings.deserializer is None
        pols = cfg.policies
        defaults = {kind: ffi.addressof(pols, member)
                    for kind, member in (("read", "read"), ("write", "write"),
                                         ("operate", "operate"), ("remove", "remove"),
                                         ("apply", "apply"), ("batch", "batch"),
                                         ("batch_write", "batch_write"),
                                         ("batch_apply", "batch_apply"),
                                         ("batch_remove", "batch_remove"), ("scan", "scan"),
                                         ("query", "query"), ("info", "info"),
                                         ("admin", "admin"))}
        self._batch_read_default = ffi.new("as_policy_batch_read*")
        lib.as_policy_batch_read_init(self._batch_read_default)
        defaults["batch_read"] = self._batch_read_default
        self._policies = PolicySet(defaults, settings.validate_keys)
        self._policy = self._policies.get  # (C policy, keep-alive) of (kind, policy dict)
        self._as = _NULL
        self._lock = threading.Lock()
        self._held = {}  # connection -> foreach runs using it on their own threads
        self._connect(settings.user, settings.password)

    # ------------------------------------------------------------ connection

    def _connect(self, user, password):
        with self._lock:
            if self._as != _NULL:
                return
            cfg = _config.for_connection(self._config)
            if user is not None and password is not None:
                _config.set_user(cfg, user, password)
            # aerospike_new copies the struct and owns its heap fields from here on.
            conn = lib.aerospike_new(cfg)
            if conn == _NULL:
                raise ClientError(-1, "Failed to create the C client")
            err = ffi.new("as_error*")
            if lib.aerospike_connect(conn, err) != 0:
                lib.aerospike_destroy(conn)
                raise_error(err)
            self._as = conn

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

    def is_connected(self):
        """True while connected and the cluster has a node (as the official)."""
        conn = self._as
        return conn != _NULL and bool(lib.aerospike_cluster_is_connected(conn))

    def close(self):
        """Close the connections; the client can connect() again later.

        A foreach running on a thread of the shim keeps using its connection until it ends
        (close() may come from its callback): that connection is then closed by the run."""
        with self._lock:
            conn, self._as = self._as, _NULL
            if conn in self._held:
                return  # the last run destroys it (_release)
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
            if conn == self._as:
                return
        _destroy_connection(conn)  # close() came while it was held

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
        return (parts[6], parts[7], parts[8], bytearray(buf[:20]))

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

    # ------------------------------------------------------------ reads

    def get(self, key, policy=None):
        """(key, meta, bins) of a record; RecordNotFound if there is none."""
        conn = self._conn()
        p = key_parts(key)
        pol, _keep = self._policy("read", policy)
        err, out = scratch()
        self._want_marshal(out)
        if lib.shim_get(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], _NULL, 0, out):
            raise_error(err, key=key)
        digest, gen, ttl, bins = self._record(out)
        # As the official get(): the returned key carries no user key.
        return (p[6], p[7], None, bytearray(digest)), {"ttl": ttl, "gen": gen}, bins

    def select(self, key, bins, policy=None):
        """(key, meta, bins) with only the named bins."""
        conn = self._conn()
        p = key_parts(key)
        if not isinstance(bins, (list, tuple)):
            raise ParamError(-2, "not a list or tuple")
        names = []
        for name in bins:
            if not isinstance(name, str):
                raise ParamError(-2, "Bin name must be a string" if type(bins) is builtins.list
                                 else "not string type")
            # As the official: longer names are cut to the 15-byte limit.
            names.append(_marshal.utf8(name)[:_marshal.BIN_NAME_MAX])
        pol, _keep = self._policy("read", policy)
        err, out = scratch()
        packed = b"\0".join(names) + b"\0"
        self._want_marshal(out)
        if lib.shim_get(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, len(names),
                        out):
            raise_error(err, key=key)
        digest, gen, ttl, found = self._record(out)
        return self._key_tuple(p, digest), {"ttl": ttl, "gen": gen}, found

    def exists(self, key, policy=None):
        """(key, meta), with meta None when the record does not exist."""
        conn = self._conn()
        p = key_parts(key)
        pol, _keep = self._policy("read", policy)
        err, out = scratch()
        rc = lib.shim_exists(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], out)
        if rc == 2:
            return self._key_tuple(p, out_bytes(out)), None
        if rc:
            raise_error(err, key=key)
        buf = out_bytes(out)
        gen, ttl, _ = _marshal.record_head(buf, 20)  # an exists answer has no bins
        return (p[6], p[7], p[8], bytearray(buf[:20])), {"ttl": ttl, "gen": gen}

    # ------------------------------------------------------------ writes

    def put(self, key, bins, meta=None, policy=None, serializer=None):
        """Write bins (None / aerospike.null() deletes a bin); returns 0."""
        # As the official: only an int names a serializer (its plain value, no user code).
        serializer = int.__int__(serializer) if isinstance(serializer, int) else None
        return self._put(key, bins, meta, policy, serializer, bins)

    def _put(self, key, bins, meta, policy, serializer, error_bin):
        """put(); record errors carry ``error_bin`` as their ``bin``."""
        conn = self._conn()
        p = key_parts(key)
        pickled = None
        if _PICKLE_BINS and serializer is None and type(bins) is dict:
            pickled = _marshal.pickle_bins(bins)
        if pickled is None:
            packed, n = self._pack_bins(key, bins, serializer, error_bin)
        try:
            ttl, gen = parse_meta(meta, self._settings.validate_keys)
            pol, _keep = self._policy("write", policy)
        except AerospikeError:
            if pickled is not None:
                self._pack_bins(key, bins, serializer, error_bin)  # bins errors come first
            raise
        err, out = scratch()
        if pickled is not None:
            rc = lib.shim_put_pickled(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], pickled,
                                      len(pickled), self._bool_as_bool, ttl, gen, out)
            if rc != _NOT_PLAIN:
                if rc:
                    raise_error(err, key=key, bin=error_bin)
                return 0
            packed, n = self._pack_bins(key, bins, serializer, error_bin)
        if lib.shim_put(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, len(packed), n,
                        ttl, gen, out):
            raise_error(err, key=key, bin=error_bin)
        return 0

    def _pack_bins(self, key, bins, serializer, error_bin):
        """(packed bins, count) by the Packer; bin name errors carry the key and bin."""
        packer = self._packer if serializer is None else self._packer_for(serializer)
        try:
            return packer.pack_bins(bins)
        except BinNameError as exc:
            exc.key, exc.bin = key, error_bin
            raise

    def remove(self, key, meta=None, policy=None):
        """Delete a record; returns 0."""
        conn = self._conn()
        p = key_parts(key)
        pol, _keep = self._policy("remove", policy)
        # As the official: meta's gen counts only with a policy, and only when it is an int.
        gen = meta.get("gen") if policy is not None and isinstance(meta, dict) else None
        if isinstance(gen, int):
            _, gen = parse_meta({"gen": gen})
            copy = ffi.new("as_policy_remove*", pol[0])
            copy.generation = gen
            pol = copy
        err, out = scratch()
        if lib.shim_remove(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], out):
            raise_error(err, key=key)
        return 0

    def remove_bin(self, key, list, meta=None, policy=None):  # noqa: A002 - official name
        """Delete the named bins of a record; returns 0."""
        if type(list) is not builtins.list:
            raise ParamError(-2, "Bins should be a list")
        self._conn()
        key_parts(key)
        try:
            self._policy("write", policy)
        except ParamError as exc:
            raise ClientError(-1, "Incorrect policy -> " + exc.msg) from None
        for name in list:
            if not isinstance(name, str):
                raise ClientError(-1, "Invalid bin name, bin name should be a string or "
                                      "unicode string")
            if len(_marshal.utf8(name)) > _marshal.BIN_NAME_MAX:
                return 0  # the official returns here without writing anything
        return self._put(key, dict.fromkeys(list), meta, policy, None, None)

    # ------------------------------------------------------------ operate

    def _operate(self, key, ops, meta, policy, ordered):
        conn = self._conn()
        p = key_parts(key)
        try:
            packed, n, plan = self._pack_ops(ops, ordered)
        except BinNameError as exc:
            exc.key = key
            raise
        except UnicodeEncodeError:
            raise _marshal.unicode_error() from None
        ttl, gen = parse_meta(meta, self._settings.validate_keys)
        if plan.touch_ttl is not None:
            ttl = plan.touch_ttl & 0xFFFFFFFF
        pol, _keep = self._policy("operate", policy)
        err, out = scratch()
        if not ordered:
            self._want_marshal(out)  # its marshal form is a dict
        if lib.shim_operate(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed,
                            len(packed), n, ttl, gen, out):
            raise_error(err, key=key)
        if out.len <= 20:
            return self._key_tuple(p, out_bytes(out)), None, {} if not ordered else []
        digest, gen, ttl, bins = self._record(out, ordered)
        return self._key_tuple(p, digest), {"ttl": ttl, "gen": gen}, bins

    def _pack_ops(self, ops, ordered):
        """(packed ops, count, OpPlan) of an operation list."""
        if not isinstance(ops, builtins.list):
            raise ParamError(-2, "Operations should be of type list")
        if not ordered:
            ops = [op for op in ops if isinstance(op, dict)]  # as the official operate()
        elif ops and not all(isinstance(op, dict) for op in ops):
            raise ParamError(-2, "Operation must be a dict")
        plan = encode_operations(ops, self._op_packer)
        # Map ops make the C client ask for every op's answer: the shim learns it from bit 7.
        flag = 0x80 if plan.respond_all_ops else 0
        name_bytes, item_head = _marshal.bin_name_bytes, _marshal._item_head
        parts = []  # joined once: no copy of each payload into a per-op bytes
        for op_type, name, ptype, payload in plan.wire:
            if op_type == 3 or op_type == 4:
                op_type |= flag
            parts += (bytes((op_type,)), name_bytes(name or ""), item_head(ptype, len(payload)), payload)
        return b"".join(parts), len(plan.wire), plan

    def operate(self, key, list, meta=None, policy=None):  # noqa: A002 - official name
        """Several operations on one record, atomically; returns (key, meta, bins)."""
        return self._operate(key, list, meta, policy, False)

    def operate_ordered(self, key, list, meta=None, policy=None):  # noqa: A002
        """As operate(), results as a list of (bin, value) in operation order."""
        return self._operate(key, list, meta, policy, True)

    def _single(self, key, op_type, bin_name, value, meta, policy):
        if not isinstance(bin_name, str):
            raise ParamError(-2, "Bin name should be of type string")
        conn = self._conn()
        p = key_parts(key)
        try:
            packed = (bytes((op_type,)) + _marshal.bin_name_bytes(bin_name) +
                      self._op_packer.bin_item(value))
        except BinNameError as exc:
            exc.key, exc.bin = key, bin_name
            raise
        except UnicodeEncodeError:
            raise _marshal.unicode_error() from None
        ttl, gen = parse_meta(meta, self._settings.validate_keys)
        pol, _keep = self._policy("operate", policy)
        err, out = scratch()
        if lib.shim_operate(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed,
                            len(packed), 1, ttl, gen, out):
            raise_error(err, key=key, bin=bin_name)
        return 0

    def append(self, key, bin, val, meta=None, policy=None):  # noqa: A002
        if not isinstance(val, (str, bytes, bytearray)):
            raise ParamError(-2, "Cannot concatenate 'str' and 'non-str' objects")
        return self._single(key, _OP_APPEND, bin, val, meta, policy)

    def prepend(self, key, bin, val, meta=None, policy=None):  # noqa: A002
        if not isinstance(val, (str, bytes, bytearray)):
            raise ParamError(-2, "Cannot concatenate 'str' and 'non-str' objects")
        return self._single(key, _OP_PREPEND, bin, val, meta, policy)

    def increment(self, key, bin, offset, meta=None, policy=None):  # noqa: A002
        if not isinstance(offset, (int, float)):
            raise ParamError(-2, "Unsupported operand type(s) for +: only 'int' allowed")
        if type(offset) is bool:
            offset = int(offset)  # a bool increments as 0/1 (as the official)
        return self._single(key, _OP_INCR, bin, offset, meta, policy)

    def touch(self, key, val=0, meta=None, policy=None):
        """Reset a record's time to live to ``val`` seconds (meta's ttl does not count)."""
        if not isinstance(val, int):
            raise ParamError(-2, "Unsupported operand type(s) for touch : only int or long "
                                 "allowed")
        if not _marshal.INT64_MIN <= val <= _marshal.INT64_MAX:
            raise ParamError(-2, "integer value exceeds sys.maxsize")
        conn = self._conn()
        p = key_parts(key)
        packed = bytes((_OP_TOUCH,)) + _marshal.bin_name_bytes("") + _marshal._item_head(0, 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            _, gen = parse_meta(meta, self._settings.validate_keys)
        ttl = val & 0xFFFFFFFF
        pol, _keep = self._policy("operate", policy)
        err, out = scratch()
        if lib.shim_operate(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed,
                            len(packed), 1, ttl, gen, out):
            raise_error(err, key=key)
        return 0

    # ------------------------------------------------------------ info

    def _info(self, command, policy, node_name, type_error="Request should be a string."):
        if not isinstance(command, str):
            raise ParamError(-2, type_error)
        conn = self._conn("No connection to aerospike cluster.")
        pol, _keep = self._policy("info", policy)
        err, out = scratch()
        if lib.shim_info(conn, err, pol, node_name, _marshal.utf8(command), out):
            raise_error(err)
        return out_bytes(out).decode("utf-8", "replace")

    def info_random_node(self, command, policy=None):
        """The answer of any one node to an info command."""
        return self._info(command, policy, _NULL)

    def info_single_node(self, command, host, policy=None):
        """The answer of the node named ``host`` (a node name, see get_node_names)."""
        if not isinstance(host, str):
            raise ParamError(-2, "Host must be a string.")
        if isinstance(command, str) and host not in self._node_names():
            raise ParamError(-2, "Could not get node with name %s." % host)
        return self._info(command, policy, _marshal.utf8(host))

    def info_all(self, command, policy=None):
        """{node name: (error, answer)} for every node; bad arguments raise."""
        if not isinstance(command, str):
            raise ParamError(-2, "Request must be a string")
        self._conn()
        self._policy("info", policy)  # validated once, before asking any node
        result = {}
        for node in self._node_names():
            try:
                answer = self._info(command, policy, node.encode("utf-8"))
                # As the official: without the echoed request (up to the first tab).
                head, tab, rest = answer.partition("\t")
                result[node] = (None, rest if tab else head)
            except ClientError as exc:
                result[node] = (exc, None)
        return result

    def _node_names(self):
        return [n["node_name"] for n in self.get_node_names()]

    def get_node_names(self):
        """[{'address': ..., 'port': ..., 'node_name': ...}] of the cluster's nodes."""
        conn = self._conn("No connection to aerospike cluster.")
        _, out = scratch()
        lib.shim_nodes(conn, out)
        nodes = []
        for line in out_bytes(out).decode("utf-8", "replace").splitlines():
            name, address, port = line.split("\t")
            nodes.append({"address": address, "port": int(port), "node_name": name})
        return nodes

    def get_nodes(self):
        """[(address, port)] of the cluster's nodes."""
        self._conn()
        return [(n["address"], n["port"]) for n in self.get_node_names()]

    # ------------------------------------------------------------ batch

    def batch_read(self, keys, bins=None, policy=None):
        """BatchRecords with every key's record (all bins, the named ones, or [] = header)."""
        return _batch.batch_read(self, keys, bins, policy)

    def batch_operate(self, keys, ops, policy_batch=None, policy_batch_write=None, ttl=None):
        """The same operations on every key; BatchRecords with each key's results."""
        return _batch.batch_operate(self, keys, ops, policy_batch, policy_batch_write, ttl)

    def batch_write(self, batch_records, policy_batch=None):
        """Run a BatchRecords of Read/Write/Apply/Remove records; fills and returns it."""
        return _batch.batch_write(self, batch_records, policy_batch)

    def batch_remove(self, keys, policy_batch=None, policy_batch_remove=None):
        return _batch.batch_remove(self, keys, policy_batch, policy_batch_remove)

    def batch_apply(self, keys, module, function, args, policy_batch=None,
                    policy_batch_apply=None):
        return _batch.batch_apply(self, keys, module, function, args, policy_batch,
                                  policy_batch_apply)

    # ------------------------------------------------------------ scan, query, indexes

    def scan(self, namespace, set=None):  # noqa: A002
        return _stream.Scan(self, namespace, set)

    def query(self, namespace, set=None):  # noqa: A002
        return _stream.Query(self, namespace, set)

    def _index_create(self, ns, set, bin, name, index_type, datatype, policy, ctx=None,  # noqa: A002
                      expressions=None):
        for value, what in ((ns, "Namespace"), (name, "Index name")):
            if not isinstance(value, str):
                raise ParamError(-2, "%s should be a string" % what)
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set should be a string")
        if expressions is None and not isinstance(bin, str):
            raise ParamError(-2, "Bin should be a string")
        for value, what in ((index_type, "index type"), (datatype, "index datatype")):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 16:
                raise ParamError(-2, "Invalid %s" % what)
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        ctx_b64 = _NULL
        if ctx is not None and not isinstance(ctx, list):
            raise ParamError(-2, "Failed to convert ctx")
        if ctx:
            from ._ops import cdt_ctx_base64

            ctx_b64 = cdt_ctx_base64(ctx).encode()
        exp_bytes, exp_size = _NULL, 0
        if expressions is not None:
            from ._expr import compile_expression

            exp_bytes = compile_expression(expressions)
            exp_size = len(exp_bytes)
        err, _ = scratch()
        if lib.shim_index_create(conn, err, pol, ns.encode(), (set or "").encode(),
                                 bin.encode() if isinstance(bin, str) else _NULL, name.encode(),
                                 index_type, datatype, ctx_b64, exp_bytes, exp_size, 200):
            raise_error(err)
        return 0

    def index_integer_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_NUMERIC, policy)

    def index_string_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_STRING, policy)

    def index_blob_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_BLOB, policy)

    def index_geo2dsphere_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_GEO2DSPHERE, policy)

    def index_single_value_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                                  ctx=None):
        return self._index_create(ns, set, bin, name, 0, index_datatype, policy, ctx)

    def index_list_create(self, ns, set, bin, index_datatype, name, policy=None, ctx=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 1, index_datatype, policy, ctx)

    def index_map_keys_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                              ctx=None):
        return self._index_create(ns, set, bin, name, 2, index_datatype, policy, ctx)

    def index_map_values_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                                ctx=None):
        return self._index_create(ns, set, bin, name, 3, index_datatype, policy, ctx)

    def index_cdt_create(self, ns, set, bin, index_type, index_datatype, name, ctx,  # noqa: A002
                         policy=None):
        if ctx is None:
            raise ParamError(-2, "ctx cannot be None")
        return self._index_create(ns, set, bin, name, index_type, index_datatype, policy, ctx)

    def index_expr_create(self, ns, set, index_type, index_datatype, expressions, name,  # noqa: A002
                          policy=None):
        return self._index_create(ns, set, None, name, index_type, index_datatype, policy,
                                  expressions=expressions)

    def index_remove(self, ns, name, policy=None):
        if not isinstance(ns, str) or not isinstance(name, str):
            raise ParamError(-2, "Namespace and index name should be strings")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        if lib.shim_index_remove(conn, err, pol, ns.encode(), name.encode()):
            raise_error(err)
        return 0

    def truncate(self, namespace, set, nanos, policy=None):  # noqa: A002
        """Delete the records of a namespace or set last updated before ``nanos`` (0: all)."""
        if not isinstance(namespace, str):
            raise ParamError(-2, "Namespace must be a string")
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set must be None, or a string")
        if isinstance(nanos, bool) or not isinstance(nanos, int) or not 0 <= nanos < (1 << 64):
            raise ParamError(-2, "Nanoseconds must be a long type")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        if lib.shim_truncate(conn, err, pol, namespace.encode(),
                             set.encode() if set else _NULL, nanos):
            raise_error(err)
        return 0

    def job_info(self, job_id, module, policy=None):
        """{'status', 'progress_pct', 'records_read'} of a background scan or query job."""
        if isinstance(job_id, bool) or not isinstance(job_id, int) or job_id < 0:
            raise ParamError(-2, "job_id must be a non-negative integer")
        if module not in ("scan", "query"):
            raise ParamError(-2, "module must be aerospike.JOB_SCAN or aerospike.JOB_QUERY")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        values = ffi.new("uint32_t[3]")
        if lib.shim_job_info(conn, err, pol, module.encode(), job_id, values, values + 1,
                             values + 2):
            raise_error(err)
        return {"status": values[0], "progress_pct": values[1], "records_read": values[2]}

    # ------------------------------------------------------------ misc

    def get_key_partition_id(self, ns, set, key):  # noqa: A002
        if not isinstance(ns, str):
            raise ParamError(-2, "Namespace should be a string.")
        if not isinstance(set, str):
            raise ParamError(-2, "Set should be a string or unicode.")
        if not isinstance(key, (str, int, bytearray)):
            raise ParamError(-2, "Key is invalid.")
        self._conn()
        from ._api import calc_digest, get_partition_id

        return get_partition_id(calc_digest(ns, set, key))

    def get_expression_base64(self, expression):
        from ._expr import expression_base64

        return expression_base64(expression)

    def get_cdtctx_base64(self, ctx):
        from ._ops import cdt_ctx_base64

        return cdt_ctx_base64(ctx)

    def shm_key(self):
        return self._cfg.shm_key if self._cfg.use_shm else None

