"""Scan and Query: a C stream built from the Python-side settings, then run.

Python is never called back from C. ``results()`` runs the stream in the calling thread,
the C client's threads appending every record to one buffer that Python decodes in one
pass. ``foreach()`` runs it on a thread of the shim's own, which hands the records over in
small chunks and pauses while Python is a few chunks behind: one scan on the wire, memory
bounded, each chunk decoded while its bytes are still in the cache. After ``paginate()``,
or once a call was given a ``partition_filter``, the stream (and the C client's partition
tracking) is kept, so each call continues where the previous one stopped.
"""

import base64
import marshal
import struct
import threading

from . import _marshal
from ._commands.udf import pack_args, udf_error
from ._expr import compile_expression
from ._marshal import NAME_REPEAT
from ._native import error_from, ffi, lib, out_bytes, raise_error, scratch
from ._ops import cdt_ctx_base64
from .exception import ClientError, ParamError
from .types import CDTInfinite, CDTWildcard, GeoJSON, null

_NO_CHANGE_TTL = 0xFFFFFFFD  # "client default": the write policy's ttl applies
_loads = marshal.loads
_key_head = struct.Struct("<BI").unpack_from  # particle type, size of the user key
_MARSHAL_MIXED = 2  # shim.h: some records of the marshal page are packed bytes
_NO_BYTES = _marshal.NO_BYTES  # a digest's bytearray as _NO_BYTES + digest


class _NoNamespace:
    def __repr__(self):
        return "<no namespace>"


# Default of client.scan()/query()'s namespace: missing is the official's ParamError.
NO_NAMESPACE = _NoNamespace()


class _Stream:
    _is_query = False
    _policy_kind = "scan"
    _callback_failed = "Callback function raised an exception"  # the official's words
    # Settings users assign directly, as on the official objects.
    ttl = 0
    max_records = 0
    records_per_second = 0

    # The official's words when the namespace is missing or not a str (they differ
    # between its scan and query types).
    _no_namespace = "Parameters are incorrect"
    _bad_namespace = "Parameters are incorrect"

    def __init__(self, client=None, namespace=NO_NAMESPACE, set=None):  # noqa: A002
        if not hasattr(client, "_conn"):
            # only client.scan()/client.query() make these, as the official's types
            raise TypeError("cannot create 'aerospike.%s' instances" % type(self).__name__)
        if namespace is NO_NAMESPACE:
            raise ParamError(-2, self._no_namespace)
        if not isinstance(namespace, str):
            raise ParamError(-2, self._bad_namespace)
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set should be string, unicode or None")
        self._client = client
        self._ns = namespace
        self._set = set
        self._bins = None
        self._ops = None
        self._predicates = []
        self._paginate = False
        self._c = None              # the kept C stream while paginating
        # The partition status after a foreach() its callback stopped (see _foreach)
        self._stopped_status = None
        self._lock = threading.RLock()  # a foreach callback may use the same stream

    # -------------------------------------------------------- settings

    _selected = False

    def select(self, *bins):
        """Return only the named bins; no names selects every bin, as the official."""
        if self._is_query and self._selected:
            # The official's Query takes one select() (its Scan takes any number).
            raise ClientError(-1, "Query.select() cannot be called more than once on the "
                                  "same instance.")
        self._selected = True  # even when the names are refused, as the official
        names = []
        for name in bins:
            if isinstance(name, bytearray):  # taken as UTF-8, as the official
                name = name.decode("utf-8", "replace")
            elif not isinstance(name, str):
                raise ParamError(-2, "Bin name should be of type string")
            names.append(name)
        self._bins = names or None
        return self

    def add_ops(self, ops):
        """Operations (as for ``operate``) a background run applies to each record; self."""
        if not isinstance(ops, list):
            raise ClientError(-1, "Ops must be list.")
        self._client._pack_ops(ops, True)  # validate now, as the official does
        self._ops = ops
        return self

    _udf = None  # (module, function, packed argument list or None) once apply() was called

    def apply(self, module, function, arguments=None, policy=None):
        """A stream UDF: on a query, an aggregation (results() / foreach() give the values of
        its last stage) or, with execute_background(), a record UDF on every match; on a
        scan, a record UDF run in the background. Returns the object, as the official."""
        try:
            if not isinstance(module, str):
                raise ClientError(-1, "udf module argument must be a string or unicode string")
            if not isinstance(function, str):
                raise ClientError(-1, "udf function argument must be a string or unicode "
                                      "string")
            if arguments is None and self._is_query:
                packed = None
            elif not isinstance(arguments, list):
                raise ClientError(-1, "udf function arguments must be enclosed in a list")
            else:
                if _unsupported_udf_args(arguments):
                    raise ClientError(-1, "udf function argument type must be supported by "
                                          "Aerospike")
                packed = pack_args(self._client._op_packer, arguments)
            if len(_marshal.utf8(module)) > 63 or len(_marshal.utf8(function)) > 63:
                raise ParamError(-2, "UDF module and function names are at most 63 bytes")
        except ClientError as exc:
            raise udf_error(exc, None, module, function) from None
        except ParamError as exc:
            raise udf_error(exc, None, module, function) from None
        self._udf = (_marshal.utf8(module), _marshal.utf8(function), packed)
        if self._c is not None:  # a kept (paginated) stream takes it too
            self._set_udf(self._c)
        return self

    def _set_udf(self, stream):
        module, function, packed = self._udf
        err, _ = scratch()
        if lib.shim_stream_apply(err, stream, module, function,
                                 packed if packed is not None else ffi.NULL,
                                 len(packed) if packed is not None else 0):
            raise_error(err)

    def _aggregate(self, policy):
        """The values of an aggregation's last stage (the reduce and what follows it run
        here, in the C client's Lua, with the modules of the config's lua user_path)."""
        policy, _max_records, _partition_filter = self._split_policy(policy)
        client = self._client
        with self._lock:
            stream = self._new_c_stream(paginate=False)
            conn = client._conn()
            pol, _keep = client._policy("query", policy)
            err, out = scratch()
            _use_lua_path(client._cfg.lua.user_path)
            busy = client._enter(conn)
            try:
                rc = lib.shim_stream_aggregate(conn, err, stream, pol, out)
            finally:
                client._leave(busy)
            if rc:
                module, function = self._udf[0].decode(), self._udf[1].decode()
                raise udf_error(error_from(err), None, module, function)
            buf = out_bytes(out)
        values = []
        pos, end = 0, len(buf)
        while pos < end:
            value, pos = client._udf_value(buf, pos)
            values.append(value)
        return values

    def paginate(self):
        """Make each run go on where the last one stopped (``max_records`` each); True."""
        self._paginate = True
        return True  # as the official

    def is_done(self):
        """Whether a paginated run has returned every record."""
        if self._c is None or self._stopped_status is not None:
            return False
        return bool(lib.shim_stream_done(self._c))

    def get_partitions_status(self):
        """{part_id: (part_id, digest set, retry, digest, bval), 'done': .., 'retry': ..}."""
        if self._stopped_status is not None:
            return dict(self._stopped_status)
        if self._c is None:
            return {}
        _, out = scratch()
        n = lib.shim_stream_partitions(self._c, out)
        return decode_partitions(out_bytes(out), n)

    # -------------------------------------------------------- running

    def _new_c_stream(self, paginate, no_bins=False):
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
        lib.shim_stream_set(stream, 1 if no_bins else 0, _unsigned(self.ttl, 32), 0,
                            _unsigned(self.records_per_second, 32), 1 if paginate else 0)
        if self._ops:
            packed, n, _ = client._pack_ops(self._ops, True)
            if lib.shim_stream_ops(err, stream, packed, len(packed), n):
                raise_error(err)
        for args in self._predicates:
            if lib.shim_stream_where(err, stream, *args):
                raise_error(err)
        if self._udf is not None:
            self._set_udf(stream)
        return stream

    def _run_args(self, stream, policy, max_records, nodename, partition_filter, conn=None):
        """The arguments of shim_stream_run / shim_stream_start up to the output, and what
        must live while the run goes on (the policy's C parts)."""
        client = self._client
        pol, keep = client._policy(self._policy_kind, policy)
        begin, count, digest, parts, n_parts = _partition_args(partition_filter)
        return (conn or client._conn(), scratch()[0], stream, pol, max_records,
                _node_arg(nodename), begin, count, digest, parts, n_parts), keep

    def _raw(self, policy):
        """True when a query's policy (or the config's) has deserialize False: list and map
        bins then come back as raw msgpack bytes, as the official's."""
        if not self._is_query:
            return False
        value = policy.get("deserialize") if policy else None
        if value is None:
            return "query" in self._client._settings.raw_kinds
        return not value

    def _run(self, stream, policy, max_records, nodename, partition_filter):
        """Every record of one run, in the calling thread."""
        args, _keep = self._run_args(stream, policy, max_records, nodename, partition_filter)
        out = scratch()[1]
        if self._raw(policy):
            out.want_marshal = 0
            if self._run_guarded(args, out):
                raise_error(args[1])
            return self._decode(out_bytes(out), raw=True, count=lib.shim_stream_count(stream))
        self._client._want_marshal(out)
        if self._run_guarded(args, out):
            raise_error(args[1])
        if out.is_marshal:
            return self._from_marshal(_loads(ffi.buffer(out.data, out.len)),
                                      out.is_marshal == _MARSHAL_MIXED)
        return self._decode(out_bytes(out), count=lib.shim_stream_count(stream))

    def _run_guarded(self, args, out):
        """shim_stream_run over the connection args[0], counted in against close()."""
        client = self._client
        busy = client._enter(args[0])
        try:
            return lib.shim_stream_run(*args, out)
        finally:
            client._leave(busy)

    def _from_marshal(self, page, mixed):
        """Records of a marshal page: (ns, set, pk, digest, meta, bins) each, or when mixed
        some as bytes in the packed layout."""
        if mixed:
            return [self._decode(item)[0] if item.__class__ is bytes else
                    ((item[0], item[1], _blob_key(item[2]), bytearray(item[3])), item[4],
                     item[5])
                    for item in page]
        # A stored blob key reads back as a bytearray, as the official (then remove(key) of
        # a scanned key finds its record).
        no_bytes = _NO_BYTES
        return [((ns, set_name, pk if pk.__class__ is not bytes else no_bytes + pk,
                  no_bytes + digest), meta, bins)
                for ns, set_name, pk, digest, meta, bins in page]

    def _decode(self, buf, raw=False, count=0):
        """Records of a page in the packed layout (``count`` of them when known: the list is
        made at that size)."""
        return _marshal.page_unpacker(self._client, raw).read_page(buf, count=count)

    def _feed(self, buf, callback, raw=False):
        """Hand each record of a page in the packed layout to ``callback`` as soon as it is
        decoded (under foreach, a record dies young); False once the callback returned False.
        Namespace, set and bin names equal to the previous record's come as NAME_REPEAT.
        ``raw``: list and map bins as their msgpack bytes (deserialize False)."""
        unpacker = _marshal.page_unpacker(self._client, raw)
        record = unpacker.record
        particle = unpacker.particle
        record_meta = _marshal.record_meta
        names = _marshal.name_list()
        ns = set_name = None
        pos, end = 0, len(buf)
        while pos < end:
            n = buf[pos]
            if n != NAME_REPEAT:
                ns = buf[pos + 1:pos + 1 + n].decode()
                pos += n
            pos += 1
            n = buf[pos]
            if n != NAME_REPEAT:
                set_name = buf[pos + 1:pos + 1 + n].decode() or None
                pos += n
            pos += 1
            ptype, size = _key_head(buf, pos)
            pos += 5
            pk = particle(ptype, buf, pos, pos + size) if ptype else None
            if pk.__class__ is bytes:
                pk = bytearray(pk)  # a stored blob key, as in _from_marshal
            pos += size
            digest = _NO_BYTES + buf[pos:pos + 20]  # a new bytearray
            gen, ttl, bins, pos = record(buf, pos + 20, names)
            if not self._deliver(callback,
                                 ((ns, set_name, pk, digest), record_meta(ttl, gen), bins)):
                return False
        return True

    def _feed_marshal(self, page, mixed, callback, accepted=None, with_part=False):
        """_feed() for a marshal page (whose records are built in one go): each record made
        and handed over in one loop, with no Python call per record but the callback's
        (CPython runs ~400 instructions per call: issue 13). ``accepted`` (a dict): notes,
        per partition, the digest of the last record the callback took (did not answer
        False to); ``with_part``: the callback takes (partition id, record)."""
        if mixed or accepted is not None or with_part:
            return self._feed_records(self._from_marshal(page, mixed), callback, accepted,
                                      with_part)
        no_bytes = _NO_BYTES
        try:
            for ns, set_name, pk, digest, meta, bins in page:
                # A stored blob key reads back as a bytearray (_from_marshal).
                if callback(((ns, set_name, pk if pk.__class__ is not bytes else no_bytes + pk,
                              no_bytes + digest), meta, bins)) is False:
                    return False
        except Exception as exc:
            # The official reports a failing callback as a ClientError; keep the cause.
            raise ClientError(-1, self._callback_failed) from exc
        return True

    def _feed_records(self, records, callback, accepted, with_part):
        """_feed_marshal's loop over records already made, with partition ids or tracking."""
        try:
            for record in records:
                digest = record[0][3]
                part_id = (digest[0] | digest[1] << 8) & 4095
                if (callback(part_id, record) if with_part else callback(record)) is False:
                    return False
                if accepted is not None:
                    accepted[part_id] = digest
        except Exception as exc:
            raise ClientError(-1, self._callback_failed) from exc
        return True

    def _deliver(self, callback, record):
        """callback(record); False when it asks to stop (returns False)."""
        try:
            return callback(record) is not False
        except Exception as exc:
            # The official reports a failing callback as a ClientError; keep the cause.
            raise ClientError(-1, self._callback_failed) from exc

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
            return _unsigned(self.max_records, 64)
        if not isinstance(value, int):
            raise ParamError(-2, "max_records is invalid")
        if not -(1 << 63) <= value < (1 << 63):  # the official reads it as a C long
            raise ClientError(-1, "Unable to fetch long value from policy field")
        return _unsigned(value, 64)

    def _usable_filter(self, partition_filter):
        """The official's scans ignore a partition_filter they cannot read (and scan every
        partition); its queries raise the error (in _partition_args)."""
        if self._is_query or partition_filter is None:
            return partition_filter
        try:
            _partition_args(partition_filter)
        except ParamError:
            return None
        return partition_filter

    def _results(self, policy, options, nodename):
        """Every matching record as (key, meta, bins), in one list."""
        no_bins = self._no_bins(options)
        policy, max_records, partition_filter = self._split_policy(policy)
        partition_filter = self._usable_filter(partition_filter)
        with self._lock:
            stream = self._stream_for_call(no_bins, partition_filter)
            if stream is self._c:
                self._stopped_status = None  # this run's status replaces it
            return self._run(stream, policy, max_records, nodename, partition_filter)

    def _foreach(self, callback, policy, options, nodename):
        """Call ``callback((key, meta, bins))`` per record; returning False stops early."""
        if not callable(callback):
            raise ClientError(-1, self._callback_failed)
        no_bins = self._no_bins(options)
        policy, max_records, partition_filter = self._split_policy(policy)
        # The marshal pages' loop (_feed_marshal) takes the user's callback and these two
        # settings; the packed layout's (_feed) a callback wrapped for them.
        feeding = [callback, None, partition_filter is not None]
        if partition_filter is not None:
            # As the official: a partition run hands over (partition id, record).
            callback = _with_partition_id(callback)
            partition_filter = self._usable_filter(partition_filter)
        with self._lock:
            stream = self._stream_for_call(no_bins, partition_filter)
            client = self._client
            conn = client._hold()  # the callback may close the client meanwhile
            accepted = None
            if stream is self._c:
                # A kept partition status must resume at the first record the callback did
                # not take (the C client's status runs ahead: it has read whole pages).
                self._stopped_status = None
                accepted = feeding[1] = {}
                callback = _tracking(callback, accepted)
                before = self.get_partitions_status()
                if isinstance(partition_filter, dict) and isinstance(
                        partition_filter.get("partition_status"), dict):
                    before = partition_filter["partition_status"]
            try:
                stopped = self._foreach_run(stream, conn, callback, policy, max_records,
                                            nodename, partition_filter, feeding)
            finally:
                client._release(conn)
            if stopped and accepted is not None:
                self._stopped_status = self._status_after_stop(before, accepted)

    def _status_after_stop(self, before, accepted):
        """The partition status a resume needs after the callback stopped a run: each
        partition the callback took records of resumes after the last one it took; every
        other partition of the run starts over from where the run started it."""
        status = self.get_partitions_status()
        for part_id, entry in list(status.items()):
            if not isinstance(part_id, int):
                continue
            last = accepted.get(part_id)
            if last is not None and bytes(last) == bytes(entry[3]):
                continue  # the C status stops at the record the callback took last
            if last is not None and not self._predicates:
                status[part_id] = (part_id, True, entry[2], bytearray(last), entry[4])
            else:
                # Not reached, or (a secondary-index query) the index value the server
                # resumes after is unknown for the record taken last: start over.
                start = before.get(part_id)
                status[part_id] = start if isinstance(start, tuple) and len(start) == 5 else (
                    part_id, False, False, bytearray(20), 0)
        status["done"] = False
        return status

    def _foreach_run(self, stream, conn, callback, policy, max_records, nodename,
                     partition_filter, feeding):
        """Run the stream on the shim's thread over ``conn`` and hand its records over
        (``callback`` those of the packed layout, ``feeding`` _feed_marshal's callback,
        accepted and with_part)."""
        args, _keep = self._run_args(stream, policy, max_records, nodename, partition_filter,
                                     conn)
        out = scratch()[1]
        self._client._want_marshal(out)
        if lib.shim_stream_start(*args, out.want_marshal):
            raise_error(args[1])
        try:
            while True:
                err, out = scratch()
                status = lib.shim_stream_next(err, stream, out)
                if status == 0:
                    return False
                if status < 0:
                    raise_error(err)
                if out.is_marshal:
                    # Read in place: marshal.loads has made every object of the chunk
                    # before the callback (which may use this thread's scratch) runs.
                    fed = self._feed_marshal(_loads(ffi.buffer(out.data, out.len)),
                                             out.is_marshal == _MARSHAL_MIXED, *feeding)
                else:
                    # Copied out first: the callback may use this thread's scratch buffer.
                    fed = self._feed(out_bytes(out), callback)
                if not fed:
                    return True  # the callback stopped the run
        finally:
            lib.shim_stream_stop(stream)

    def _no_bins(self, options):
        """The 'nobins' flag of an options dict; the official wants bools there."""
        if options is None or (not self._is_query and not isinstance(options, dict)):
            return False
        if not isinstance(options, dict):
            raise ParamError(-2, "query options must be a dictionary")
        for name in ("nobins", "concurrent"):
            if not isinstance(options.get(name, False), bool):
                raise ParamError(-2, "Invalid value(type) for %s" % name)
        return options.get("nobins", False)

    def _stream_for_call(self, no_bins, partition_filter):
        """The kept stream once paginating or given a partition filter (the official then keeps
        the partition status on the object); else a fresh one."""
        if self._c is None and (self._paginate or partition_filter is not None):
            self._c = self._new_c_stream(paginate=True, no_bins=no_bins)
        if self._c is not None:
            return self._c
        return self._new_c_stream(paginate=False, no_bins=no_bins)

    def execute_background(self, policy=None):
        """Run the operations on every matching record on the server; returns the job id."""
        client = self._client
        conn = client._conn()
        stream = self._new_c_stream(paginate=False)
        pol, _keep = client._policy("write" if self._is_query else "scan", policy)
        err, _ = scratch()
        job_id = ffi.new("uint64_t*")
        busy = client._enter(conn)
        try:
            rc = lib.shim_stream_background(conn, err, stream, pol, job_id)
        finally:
            client._leave(busy)
        if rc:
            raise_error(err)
        return int(job_id[0])


class Scan(_Stream):
    """A scan of a namespace or set (``client.scan(ns, set)``)."""

    def results(self, policy=None, nodename=None):
        """Every record as (key, meta, bins), in one list; ``nodename`` scans one node."""
        return self._results(policy, None, nodename)

    def foreach(self, callback, policy=None, options=None, nodename=None):
        """Call ``callback((key, meta, bins))`` per record; returning False stops early."""
        return self._foreach(callback, policy, options, nodename)


class Query(_Stream):
    """A query by secondary index or a scan with filters (``client.query(ns, set)``)."""

    _is_query = True
    _policy_kind = "query"
    _no_namespace = "query() expects atleast 1 parameter"
    _bad_namespace = "Namespace should be a string"
    _callback_failed = "Callback function contains an error"

    def results(self, policy=None, options=None):
        """Every matching record as (key, meta, bins), in one list (after apply(): the
        aggregation's values)."""
        if self._udf is not None:
            return self._aggregate(policy)
        return self._results(policy, options, None)

    def apply(self, module, function, arguments=None):
        """A stream UDF (see _Stream.apply); the official's Query.apply takes no policy."""
        return _Stream.apply(self, module, function, arguments)

    def foreach(self, callback, policy=None, options=None):
        """Call ``callback((key, meta, bins))`` per record; returning False stops early
        (after apply(): ``callback(value)`` per value of the aggregation)."""
        if self._udf is not None:
            if not callable(callback):
                raise ClientError(-1, self._callback_failed)
            self._no_bins(options)  # checked as for records
            for value in self._aggregate(policy):
                if not self._deliver(callback, value):
                    break
            return None
        return self._foreach(callback, policy, options, None)

    def where(self, predicate, ctx=None):
        """Keep the records matching the secondary-index ``predicate`` (at ``ctx``); self."""
        self._add_predicate(predicate, ctx=ctx)
        return self

    def where_with_expr(self, expr, predicate):
        """Keep the records matching ``predicate`` on the index of the expression ``expr``; self."""
        self._add_predicate(predicate, expr=expr)
        return self

    def where_with_index_name(self, index_name, predicate):
        """Keep the records matching ``predicate`` on the index named ``index_name``; self."""
        if not isinstance(index_name, str):
            raise TypeError("where_with_index_name() argument 1 must be str, not %s"
                            % type(index_name).__name__)
        self._add_predicate(predicate, index_name=index_name)
        return self

    def _add_predicate(self, predicate, ctx=None, expr=None, index_name=None):
        if not isinstance(predicate, tuple) or len(predicate) < 4:
            raise ParamError(-2, "predicate is invalid.")
        if self._predicates:  # the official takes one filter per query
            raise ParamError(-2, "Failed to add predicate")
        kind, datatype, bin_name = predicate[0], predicate[1], predicate[2]
        if isinstance(bin_name, bytearray):  # taken as UTF-8, as the official
            bin_name = bin_name.decode("utf-8", "replace")
        index_type = predicate[5] if len(predicate) > 5 and predicate[5] is not None else 0
        if kind not in (0, 1) or not all(isinstance(v, int) and -(1 << 31) <= v < (1 << 31)
                                         for v in (datatype, index_type)):  # C enums
            raise ParamError(-2, "predicate is invalid.")
        if expr is None and index_name is None and not isinstance(bin_name, str):
            raise ParamError(-2, "Bin name should be of type string")
        low = high = 0
        value = ffi.NULL
        value_size = 0
        if datatype in (1, 4):  # integer / numeric
            low = predicate[3]
            high = predicate[4] if kind == 1 and len(predicate) > 4 else 0
            for v in (low, high):
                # a bool is an int here, as the official
                if not isinstance(v, int) or not -(1 << 63) <= v < (1 << 63):
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
            exp_bytes = _expression_bytes(expr)
            exp_size = len(exp_bytes)
        ctx_b64 = ffi.NULL
        if ctx:
            ctx_b64 = cdt_ctx_base64(ctx).encode()
        self._predicates.append((
            bin_name.encode() if isinstance(bin_name, str) else ffi.NULL,
            index_name.encode() if index_name else ffi.NULL,
            exp_bytes, exp_size, ctx_b64, kind, index_type, datatype, low, high, value,
            value_size))


def _tracking(callback, accepted):
    """``callback`` noting, per partition, the digest of the last record it took (did not
    answer False to)."""
    def call(record):
        answer = callback(record)
        if answer is not False:
            digest = record[0][3]
            accepted[(digest[0] | digest[1] << 8) & 4095] = digest
        return answer
    return call


def _with_partition_id(callback):
    def call(record):
        digest = record[0][3]
        return callback((digest[0] | digest[1] << 8) & 4095, record)
    return call


# The C client's Lua settings are process-wide (set at the first connect); an aggregation
# runs with its own client's lua user_path, so clients configured differently each find
# their modules (two such clients aggregating at the same moment may still cross).
_lua_lock = threading.Lock()
_lua_path = [None]


def _unsupported_udf_args(arguments):
    """Whether a stream UDF's arguments hold a value the official refuses there (it walks
    lists and dict values; anything but the plain scalar types is refused)."""
    todo = list(arguments)
    seen = set()  # containers already walked: a list holding itself ends the walk
    while todo:
        value = todo.pop()
        if isinstance(value, (list, dict)):
            if id(value) in seen:
                continue
            seen.add(id(value))
            todo.extend(value.values() if isinstance(value, dict) else value)
        elif not (value is None or isinstance(value, (int, float, str, bytes, bytearray,
                                                      GeoJSON, null, CDTWildcard,
                                                      CDTInfinite))):
            return True
    return False


def _use_lua_path(user_path):
    path = ffi.string(user_path)
    with _lua_lock:
        if _lua_path[0] != path:
            lib.shim_lua_configure(path)
            _lua_path[0] = path


def _blob_key(pk):
    return bytearray(pk) if pk.__class__ is bytes else pk


def _node_arg(nodename):
    if nodename is not None and not isinstance(nodename, str):
        raise ParamError(-2, "nodename must be a string")
    return nodename.encode() if nodename else ffi.NULL


def _unsigned(value, bits):
    """A setting stored in an unsigned C field, as the official does (negatives wrap)."""
    if not isinstance(value, int):
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(value).__name__)
    return value & ((1 << bits) - 1)


def _expression_bytes(expr):
    """Compiled bytes of an expression list, or of its base64 text (where_with_expr takes both)."""
    if isinstance(expr, str):
        try:
            return base64.b64decode(expr, validate=True)
        except ValueError:
            raise ParamError(-2, "expression base64 text is invalid") from None
    return compile_expression(expr)


# The official's messages (its C source continues their lines, hence the tabs).
_TABS = "\t" * 6
_BAD_BEGIN = "invalid partition_filter policy begin, begin must " + _TABS + \
    "be an int between 0 and 4095 inclusive"
_BAD_COUNT = "invalid partition_filter policy count, count must " + _TABS + \
    "be an int between 1 and 4096 inclusive"


def _filter_int(value, default, low, high, message):
    if value is None:
        return default
    if not isinstance(value, int) or not low <= value <= high:
        raise ParamError(-2, message)
    return int(value)


def _partition_args(partition_filter):
    """(begin, count, digest, packed statuses, n) of a policy's partition_filter dict.

    Validated in the official's order and words. A ``digest`` ({"init": .., "value": ..})
    resumes that record's partition after it, as the official's documentation says (the
    official reads ``value`` only when it is a str, and then sets it on the range's first
    partition)."""
    if partition_filter is None:
        return 0, 4096, ffi.NULL, ffi.NULL, 0
    if not isinstance(partition_filter, dict):
        raise ParamError(-2, "invalid partition_filter policy, partition_filter must be a dict")
    status = partition_filter.get("partition_status")
    if status is not None and not isinstance(status, dict):
        raise ParamError(-2, "invalid partition_filter policy, partition_status must be a dict")
    begin = _filter_int(partition_filter.get("begin"), 0, 0, 4095, _BAD_BEGIN)
    count = _filter_int(partition_filter.get("count"), 4096, 1, 4096, _BAD_COUNT)
    if begin + count > 4096:
        raise ParamError(-2, "invalid partition filter range," + _TABS +
                         "begin: %d count: %d, valid range when begin + count <= 4096"
                         % (begin, count))
    first = None  # the digest the first partition starts after
    digest = partition_filter.get("digest")
    if isinstance(digest, dict) and isinstance(digest.get("init"), int) and digest["init"]:
        value = digest.get("value")
        if isinstance(value, str):
            value = value.encode("utf-8")
        first = bytes(value)[:20] if isinstance(value, (bytes, bytearray)) else b""
    if status is None:
        if first is None:
            return begin, count, ffi.NULL, ffi.NULL, 0
        status = {"done": False, "retry": True}
    for name in ("done", "retry"):
        if name not in status:
            raise ParamError(-2, "partition_status dict missing key '%s'" % name)
        if not isinstance(status[name], int):
            raise ParamError(-2, "partition_status dict key '%s' must be an int" % name)
    parts = []
    # The digest's own partition resumes after it (the server refuses it in another one).
    first_part = (first[0] | first[1] << 8) & 4095 if first and len(first) == 20 else begin
    for part_id in range(begin, begin + count):
        fresh = (part_id, first is not None and part_id == first_part, True, first, 0)
        parts.append(_status_entry(part_id, status.get(part_id), fresh))
    return begin, count, ffi.NULL, b"".join(parts), count


def _status_entry(part_id, entry, fresh):
    """One partition's packed status from its tuple in a partition_status dict; a
    partition the dict lacks (or holds no tuple for) starts as ``fresh``, as the official."""
    _, init, retry, digest, bval = fresh
    if isinstance(entry, tuple):
        n = len(entry)
        if n > 1:
            init = entry[1]
            if not isinstance(init, int):
                raise ParamError(-2, "invalid init for part_id: %d" % part_id)
        if n > 2:
            retry = entry[2]
            if not isinstance(retry, int):
                raise ParamError(-2, "invalid retry for part_id: %d" % part_id)
        if n > 3:
            digest = entry[3]
            if type(digest) is not bytearray:
                raise ParamError(-2, "invalid digest value for part_id: %d" % part_id)
        if n > 4:
            bval = entry[4]
            if not isinstance(bval, int):
                raise ParamError(-2, "invalid bval for part_id: %d" % part_id)
            if not 0 <= bval < (1 << 64):
                raise ParamError(-2, "invalid bval for partition id: %d, bval must fit in "
                                     "unsigned long long" % part_id)
    return _pack_part(part_id, init, retry, digest, bval)


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
