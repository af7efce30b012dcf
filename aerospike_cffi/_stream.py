"""Scan and Query: a C stream built from the Python-side settings, run page by page.

Each run of the shim fills one buffer with a page of records (the C client's threads append
to it, Python is never called back from C); Python decodes the page in one pass.
``results()`` runs once; ``foreach()`` pages through the set so that memory stays bounded;
after ``paginate()`` the stream (and the C client's partition tracking) is kept, so each
call continues where the previous one stopped.
"""

import threading

from . import _marshal
from ._native import ffi, lib, out_bytes, raise_error, scratch
from .exception import ParamError

_FOREACH_PAGE = 1000
_NO_CHANGE_TTL = 0xFFFFFFFD  # "client default": the write policy's ttl applies


class _Stream:
    _is_query = False
    _policy_kind = "scan"
    # Settings users assign directly, as on the official objects.
    ttl = 0
    max_records = 0
    records_per_second = 0

    def __init__(self, client, namespace, set=None):  # noqa: A002
        if not isinstance(namespace, str):
            raise ParamError(-2, "namespace must be a string")
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "set must be a string")
        self._client = client
        self._ns = namespace
        self._set = set
        self._bins = None
        self._ops = None
        self._predicates = []
        self._paginate = False
        self._c = None              # the kept C stream while paginating
        self._lock = threading.Lock()

    # -------------------------------------------------------- settings

    def select(self, *bins):
        if len(bins) == 1 and isinstance(bins[0], (list, tuple)):
            bins = tuple(bins[0])
        for name in bins:
            if not isinstance(name, str):
                raise ParamError(-2, "Bin name should be of type string")
        self._bins = list(bins)

    def add_ops(self, ops):
        if not isinstance(ops, list):
            raise ParamError(-2, "ops must be a list")
        self._client._pack_ops(ops, True)  # validate now, as the official does
        self._ops = ops

    def apply(self, module, function, arguments=None):
        raise ParamError(-2, "Stream UDF aggregation is not supported yet")

    def paginate(self):
        self._paginate = True

    def is_done(self):
        if self._c is None:
            return False
        return bool(lib.shim_stream_done(self._c))

    def get_partitions_status(self):
        """{part_id: (part_id, digest set, retry, digest, bval), 'done': .., 'retry': ..}."""
        if self._c is None:
            return {}
        _, out = scratch()
        n = lib.shim_stream_partitions(self._c, out)
        return decode_partitions(out_bytes(out), n)

    # -------------------------------------------------------- running

    def _new_c_stream(self, paginate):
        client = self._client
        stream = lib.shim_stream_new(1 if self._is_query else 0, self._ns.encode(),
                                     self._set.encode() if self._set else ffi.NULL,
                                     len(self._predicates))
        if stream == ffi.NULL:
            raise MemoryError("cannot create a stream")
        stream = ffi.gc(stream, lib.shim_stream_free)
        err, _ = scratch()
        if self._bins is not None:
            names = [_marshal.bin_name_bytes(b)[1:] for b in self._bins]
            if lib.shim_stream_select(stream, b"\0".join(names) + b"\0", len(names)):
                raise ParamError(-2, "Invalid bin selection")
        ttl = self.ttl if isinstance(self.ttl, int) else 0
        lib.shim_stream_set(stream, 1 if self._bins == [] else 0, ttl & 0xFFFFFFFF, 0,
                            self.records_per_second & 0xFFFFFFFF, 1 if paginate else 0)
        if self._ops:
            packed, n, _ = client._pack_ops(self._ops, True)
            if lib.shim_stream_ops(err, stream, packed, len(packed), n):
                raise_error(err)
        for args in self._predicates:
            if lib.shim_stream_where(err, stream, *args):
                raise_error(err)
        return stream

    def _run(self, stream, policy, max_records, nodename, partition_filter):
        client = self._client
        conn = client._conn()
        pol, _keep = client._policy(self._policy_kind, policy)
        begin, count, digest, parts, n_parts = _partition_args(partition_filter)
        err, out = scratch()
        node = nodename.encode() if nodename else ffi.NULL
        if lib.shim_stream_run(conn, err, stream, pol, max_records, node, begin, count, digest,
                               parts, n_parts, out):
            raise_error(err)
        return self._decode(out_bytes(out))

    def _decode(self, buf):
        unpacker = self._client._unpacker
        records = []
        append = records.append
        pos, end = 0, len(buf)
        while pos < end:
            n = buf[pos]
            ns = buf[pos + 1:pos + 1 + n].decode()
            pos += 1 + n
            n = buf[pos]
            set_name = buf[pos + 1:pos + 1 + n].decode() or None
            pos += 1 + n
            ptype = buf[pos]
            size = int.from_bytes(buf[pos + 1:pos + 5], "little")
            pos += 5
            pk = unpacker.particle(ptype, buf, pos, pos + size) if ptype else None
            pos += size
            digest = bytearray(buf[pos:pos + 20])
            gen, ttl, bins, pos = unpacker.record(buf, pos + 20)
            append(((ns, set_name, pk, digest), {"ttl": ttl, "gen": gen}, bins))
        return records

    def _split_policy(self, policy):
        """(policy without stream-only keys, max_records, partition_filter)."""
        if policy is None:
            return None, self._max_records(None), None
        if not isinstance(policy, dict):
            raise ParamError(-2, "policy must be a dict")
        rest = dict(policy)
        partition_filter = rest.pop("partition_filter", None)
        max_records = self._max_records(rest)
        return rest, max_records, partition_filter

    def _max_records(self, policy):
        value = (policy or {}).pop("max_records", None) if not self._is_query else None
        if value is None:
            value = self.max_records
        if not isinstance(value, int) or value < 0:
            raise ParamError(-2, "max_records must be a non-negative integer")
        return value

    def results(self, policy=None, options=None, nodename=None):
        """Every matching record as (key, meta, bins), in one list."""
        policy, max_records, partition_filter = self._split_policy(policy)
        with self._lock:
            stream = self._stream_for_call()
            return self._run(stream, policy, max_records, nodename, partition_filter)

    def foreach(self, callback, policy=None, options=None, nodename=None):
        """Call ``callback((key, meta, bins))`` per record; returning False stops early."""
        if not callable(callback):
            raise ParamError(-2, "Callback must be callable")
        policy, max_records, partition_filter = self._split_policy(policy)
        with self._lock:
            if self._paginate or max_records or nodename:
                pages = [self._run(self._stream_for_call(), policy, max_records, nodename,
                                   partition_filter)]
            else:
                pages = self._pages(policy, partition_filter)
            for page in pages:
                for record in page:
                    if callback(record) is False:
                        return

    def _pages(self, policy, partition_filter):
        """Page through the whole stream (bounded memory), on a private paginated stream."""
        stream = self._new_c_stream(paginate=True)
        first = True
        while first or not lib.shim_stream_done(stream):
            yield self._run(stream, policy, _FOREACH_PAGE, None,
                            partition_filter if first else None)
            first = False

    def _stream_for_call(self):
        if not self._paginate:
            return self._new_c_stream(paginate=False)
        if self._c is None:
            self._c = self._new_c_stream(paginate=True)
        return self._c

    def execute_background(self, policy=None):
        """Run the operations on every matching record on the server; returns the job id."""
        client = self._client
        conn = client._conn()
        stream = self._new_c_stream(paginate=False)
        pol, _keep = client._policy("write" if self._is_query else "scan", policy)
        err, _ = scratch()
        job_id = ffi.new("uint64_t*")
        if lib.shim_stream_background(conn, err, stream, pol, job_id):
            raise_error(err)
        return int(job_id[0])


class Scan(_Stream):
    """A scan of a namespace or set (``client.scan(ns, set)``)."""


class Query(_Stream):
    """A query by secondary index or a scan with filters (``client.query(ns, set)``)."""

    _is_query = True
    _policy_kind = "query"

    def where(self, predicate, ctx=None):
        self._add_predicate(predicate, ctx=ctx)

    def where_with_expr(self, expr, predicate):
        self._add_predicate(predicate, expr=expr)
        return self

    def where_with_index_name(self, index_name, predicate):
        if not isinstance(index_name, str):
            raise ParamError(-2, "index_name must be a string")
        self._add_predicate(predicate, index_name=index_name)
        return self

    def _add_predicate(self, predicate, ctx=None, expr=None, index_name=None):
        if not isinstance(predicate, tuple) or len(predicate) < 4:
            raise ParamError(-2, "predicate is invalid")
        kind, datatype, bin_name = predicate[0], predicate[1], predicate[2]
        index_type = predicate[5] if len(predicate) > 5 and predicate[5] is not None else 0
        if kind not in (0, 1) or not isinstance(datatype, int):
            raise ParamError(-2, "predicate is invalid")
        if expr is None and index_name is None and not isinstance(bin_name, str):
            raise ParamError(-2, "Bin name should be of type string")
        low = high = 0
        value = ffi.NULL
        value_size = 0
        if datatype in (1, 4):  # integer / numeric
            low = predicate[3]
            high = predicate[4] if kind == 1 and len(predicate) > 4 else 0
            for v in (low, high):
                if isinstance(v, bool) or not isinstance(v, int) or not -(1 << 63) <= v < (1 << 63):
                    raise ParamError(-2, "predicate values must be 64-bit integers")
        else:
            raw = predicate[3]
            if isinstance(raw, str):
                raw = raw.encode("utf-8")
            if not isinstance(raw, (bytes, bytearray)):
                raise ParamError(-2, "predicate value is invalid")
            value, value_size = bytes(raw), len(raw)
        exp_bytes, exp_size = ffi.NULL, 0
        if expr is not None:
            from ._expr import compile_expression

            exp_bytes = compile_expression(expr)
            exp_size = len(exp_bytes)
        ctx_b64 = ffi.NULL
        if ctx:
            from ._ops import cdt_ctx_base64

            ctx_b64 = cdt_ctx_base64(ctx).encode()
        self._predicates.append((
            bin_name.encode() if isinstance(bin_name, str) else ffi.NULL,
            index_name.encode() if index_name else ffi.NULL,
            exp_bytes, exp_size, ctx_b64, kind, index_type, datatype, low, high, value,
            value_size))


def _partition_args(partition_filter):
    """(begin, count, digest, packed statuses, n) of a policy's partition_filter dict."""
    if partition_filter is None:
        return 0, 4096, ffi.NULL, ffi.NULL, 0
    if not isinstance(partition_filter, dict):
        raise ParamError(-2, "partition_filter must be a dict")
    begin = partition_filter.get("begin", 0)
    count = partition_filter.get("count", 4096)
    if not isinstance(begin, int) or not isinstance(count, int) or not (
            0 <= begin < 4096 and 0 < count <= 4096 - begin):
        raise ParamError(-2, "Invalid partition filter range")
    digest = partition_filter.get("digest")
    if isinstance(digest, dict):
        digest = digest.get("value") if digest.get("init") else None
    if digest is not None:
        if not isinstance(digest, (bytes, bytearray)) or len(digest) != 20:
            raise ParamError(-2, "partition filter digest must be 20 bytes")
        digest = bytes(digest)
    else:
        digest = ffi.NULL
    status = partition_filter.get("partition_status")
    if not status:
        return begin, count, digest, ffi.NULL, 0
    parts = []
    for part_id in range(begin, begin + count):
        entry = status.get(part_id)
        if entry is None:
            raise ParamError(-2, "partition_status lacks partition %d" % part_id)
        pid, init, retry, pdigest, bval = entry
        parts.append(_pack_part(pid, init, retry, pdigest, bval))
    return begin, count, digest, b"".join(parts), count


def _pack_part(part_id, init, retry, digest, bval):
    digest = bytes(digest or b"")[:20].ljust(20, b"\0")
    return (part_id.to_bytes(2, "little") + bytes((1 if init else 0, 1 if retry else 0)) +
            digest + (bval & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"))


def decode_partitions(buf, n):
    if n <= 0:
        return {}
    status = {"done": bool(buf[0]), "retry": bool(buf[1])}
    pos = 2
    for _ in range(n):
        part_id = int.from_bytes(buf[pos:pos + 2], "little")
        status[part_id] = (part_id, bool(buf[pos + 2]), bool(buf[pos + 3]),
                           bytearray(buf[pos + 4:pos + 24]),
                           int.from_bytes(buf[pos + 24:pos + 32], "little"))
        pos += 32
    return status
