"""Batch commands: records packed into one buffer, one shim call, results decoded in bulk.

Each record is packed as shim.h describes (shim_batch); per-record policies travel as an
array of C policy pointers that the packed records index.  Results fill
``aerospike_helpers.batch.records`` objects the way the official client does: the batch's
own status in ``BatchRecords.result``, each record's code, ``in_doubt`` and ``record``
(``(key, meta, bins)``, or ``(key, meta)`` for a header-only read).
"""

import marshal
import platform
import struct

from . import _marshal
# (_commands imports this module through _commands.batch, and udf.py imports neither)
from ._commands.udf import pack_args
from ._keys import key_parts, parse_meta
from ._native import ffi, lib, out_bytes, raise_error, scratch
from .exception import ParamError

READ, WRITE, APPLY, REMOVE = 0, 1, 2, 3
NO_POLICY = 0xFFFF
_CLIENT_DEFAULT_TTL = 0xFFFFFFFD

_head = struct.Struct("<BH").pack           # type, policy index
_key_tail = struct.Struct("<BI").pack       # key type, key size
_key_no_data = struct.Struct("<BIq").pack   # key type, size 0, int64 (int keys)
_int64 = struct.Struct("<q").pack
_ops_head = struct.Struct("<HI").pack       # n_ops, size
_write_head = struct.Struct("<IH").pack     # ttl, gen
_NO_OPS = _ops_head(0, 0)
_loads = marshal.loads
_NO_BYTES = _marshal.NO_BYTES  # a digest's bytearray as _NO_BYTES + digest
_newlist_hint = _marshal._newlist_hint  # PyPy's __pypy__.newlist_hint; None on CPython
# batch_read's keys packed by the shim from their pickle (CPython: pickle walks the list
# in C). PyPy keeps add_reads: its pickler is Python code, and its plain pickler
# (_marshal._PlainPickler) refuses tuples.
_PACK_KEYS_IN_C = platform.python_implementation() == "CPython"


_records = []  # aerospike_helpers.batch.records, imported at first use


def _records_module():
    # Kept after the first import: an import statement per batch call runs importlib's
    # Python code (module lock, parent package lookup) on PyPy, allocating as it goes.
    if not _records:
        from aerospike_helpers.batch import records

        _records.append(records)
    return _records[0]


def _name(data):
    return bytes((len(data),)) + data


_names_cache = {}  # (namespace, set) bytes -> their packed form; these repeat


def _packed_names(nsb, setb):
    """Namespace and set of a key (from key_parts) in the packed-record layout."""
    if not isinstance(setb, bytes):
        setb = b""
    try:
        return _names_cache[nsb, setb]
    except KeyError:
        names = _name(nsb) + _name(setb)
        if len(_names_cache) < 1024:
            _names_cache[nsb, setb] = names
        return names


def pack_key(parts):
    """A key (from _client.key_parts) in the packed-record layout."""
    names = _packed_names(parts[0], parts[1])
    return names + _key_tail(parts[2], parts[4]) + parts[3] + _int64(parts[5])


class BatchCall:
    """Builds one batch command: records, per-record policies, then runs it."""

    def __init__(self, client, n_reads=0):
        """``n_reads``: the keys batch_read's add_reads will add (its lists' sizes)."""
        self.client = client
        # parts: the packed records' pieces. keys: per record, for its returned key,
        # (ns, set, pk), the user's key tuple when key_parts took it as it is.
        if n_reads and _newlist_hint is not None:
            # PyPy: the lists made at their size (3 pieces per int key). Grown by append,
            # a list is copied each time it grows by an eighth: ~9 times its final size in
            # arrays allocated and dropped. Packing 100 keys filled 0.041 of a nursery,
            # now 0.015 (a batch_read 0.228, now 0.201: fewer minor collections, each
            # copying out the records being read).
            self.parts = _newlist_hint(3 * n_reads)
            self.keys = _newlist_hint(n_reads)
        else:
            self.parts = []
            self.keys = []
        self.count = 0
        self.policies = []        # C pointers, indexed from the packed records
        self.keep = []
        self.has_write = False
        # batch_write reads its defaults from the config's batch_parent_write policy even
        # when it holds only reads (the official's deserialize shows it).
        self.parent_write = False
        self.raw = False  # deserialize False (set by run_args)
        self.header_only = False  # batch_read of no bins: records are (key, meta)

    def policy_index(self, kind, policy):
        if policy is None:
            return NO_POLICY
        ptr, keep = self.client._policies.get(kind, policy)
        self.policies.append(ptr)
        self.keep.append(keep)
        return len(self.policies) - 1

    def ops(self, ops):
        """(OPS bytes, OpPlan) of an operation list, packed once for every record using it."""
        packed, n, plan = self.client._pack_ops(ops, True)
        return _ops_head(n, len(packed)) + packed, plan

    def add(self, kind, key, body, policy_index=NO_POLICY):
        parts = key_parts(key)
        self.keys.append(parts[6:])
        self.parts.append(_head(kind, policy_index) + pack_key(parts) + body)
        self.count += 1
        if kind != READ:
            self.has_write = True

    def add_reads(self, keys, body):
        """add(READ, key, body) for every key of ``keys`` (batch_read's loop): no call and
        no concatenation per key, the record head and names packed once per run of keys
        in the same set; a key that fails is the official's ParamError with its index.
        (PyPy: the BatchCall made with ``n_reads=len(keys)`` has its lists at their size.)"""
        pieces = self.parts
        append = pieces.append
        kept = self.keys.append
        head = _head(READ, NO_POLICY)
        last_ns = last_set = prefix = None
        for i, key in enumerate(keys):
            try:
                parts = key_parts(key)
            except ParamError as exc:
                raise _key_error(i, exc) from None
            # A (ns, set, pk) key that key_parts took as it is serves as the returned
            # key's first three items (self.keys).
            if (type(key) is tuple and len(key) == 3 and parts[8] is key[2] and
                    parts[6] is key[0] and parts[7] is key[1]):
                kept(key)
            else:
                kept(parts[6:])
            nsb, setb = parts[0], parts[1]
            if nsb is not last_ns or setb is not last_set:
                last_ns, last_set = nsb, setb
                prefix = head + _packed_names(nsb, setb)
            append(prefix)
            size = parts[4]
            if size:
                append(_key_tail(parts[2], size))
                append(parts[3])
                append(_int64(parts[5]))
            else:
                append(_key_no_data(parts[2], 0, parts[5]))
            append(body)
        self.count += len(keys)

    def add_plain_reads(self, keys, body):
        """add_reads() in C (CPython): True when every key was a plain (ns, set, pk) tuple
        that add_reads takes as it is, and then packed by the shim from the pickle of
        ``keys`` (shim_batch_keys.c); False, having added nothing, otherwise."""
        pickled = _marshal.pickle_ops(keys)
        if pickled is None:
            return False
        out = scratch()[1]
        if lib.shim_batch_pack_keys(pickled, len(pickled), body, len(body), out) != len(keys):
            return False
        self.parts.append(out_bytes(out))
        # The user's tuples themselves (the list copied: the async client decodes later).
        self.keys = list(keys)
        self.count += len(keys)
        return True

    @staticmethod
    def read_body(bins=None, packed_ops=_NO_OPS, read_all=False):
        """What follows the key of a read (shared by every key read the same way)."""
        names = b""
        if bins:
            names = b"".join(_marshal.bin_name_bytes(b) for b in bins)
        return (bytes((1 if read_all else 0,)) + struct.pack("<H", len(bins or ())) + names +
                packed_ops)

    def add_read(self, key, bins=None, packed_ops=_NO_OPS, read_all=False,
                 policy_index=NO_POLICY):
        self.add(READ, key, self.read_body(bins, packed_ops, read_all), policy_index)

    def add_write(self, key, packed_ops, ttl=_CLIENT_DEFAULT_TTL, gen=0,
                  policy_index=NO_POLICY):
        self.add(WRITE, key, _write_head(ttl, gen) + packed_ops, policy_index)

    def apply_body(self, module, function, args):
        """What follows the key of an apply (shared by every key of a batch_apply)."""
        if not isinstance(module, str):
            raise ParamError(-2, "module must be a string")
        if not isinstance(function, str):
            raise ParamError(-2, "function must be a string")
        if not isinstance(args, list):
            raise ParamError(-2, "args must be a list of arguments for the UDF")
        packed_args = pack_args(self.client._op_packer, args)
        module_b, function_b = _marshal.utf8(module), _marshal.utf8(function)
        if len(module_b) > 63 or len(function_b) > 63:  # the C client's UDF name limits
            raise ParamError(-2, "UDF module and function names are at most 63 bytes")
        return (_name(module_b + b"\0") + _name(function_b + b"\0") +
                struct.pack("<I", len(packed_args)) + packed_args)

    def add_apply(self, key, module, function, args, policy_index=NO_POLICY):
        self.add(APPLY, key, self.apply_body(module, function, args), policy_index)

    def add_remove(self, key, policy_index=NO_POLICY):
        self.add(REMOVE, key, b"", policy_index)

    def run(self, policy):
        """A BatchRecord per record (see results()), and the batch's status."""
        conn, pol, has_write, packed, policies, _keep = self.run_args(policy)
        err, out = scratch()
        out.want_marshal = self.want_marshal()
        busy = self.client._enter(conn)
        try:
            status = lib.shim_batch(conn, err, pol, has_write, packed, len(packed), self.count,
                                    policies, len(self.policies), out)
        finally:
            self.client._leave(busy)
        return self.results(status, err, out)

    def run_args(self, policy):
        """What shim_batch (and the async client's shim_async_batch) take, and the C policy
        objects that must live as long as the command."""
        conn = self.client._conn()
        # As the C client: a batch with writes starts from the batch_parent_write defaults.
        pol, keep = self.client._policy("batch_parent_write" if self.has_write else "batch",
                                        policy)
        packed = b"".join(self.parts)
        policies = ffi.new("void*[]", self.policies) if self.policies else ffi.NULL
        # deserialize False in the batch policy (or the config's batch policy): list and map
        # bins of every record come back as their msgpack bytes, as the official returns
        # them; the records' own policies do not change it.
        self.raw = self.client._raw_collections(
            "batch_parent_write" if self.has_write or self.parent_write else "batch", policy)
        return conn, pol, 1 if self.has_write else 0, packed, policies, keep

    def want_marshal(self):
        """1 when the results should come in marshal form (after run_args)."""
        client = self.client
        return 0 if self.raw or not (client._marshal_records and
                                     _marshal.GLOBAL_SERIALIZERS.deserializer is None) else 1

    def results(self, status, err, out):
        """run()'s answer from the batch's status, error and output: a BatchRecord per
        record (result, in_doubt, message and subcode set; record when it was read), and
        the batch's status."""
        if status and out.len == 0:
            raise_error(err)
        if out.is_marshal:
            return self._from_marshal(_loads(ffi.buffer(out.data, out.len))), status
        return self._decode(out_bytes(out), self.raw), status

    def _from_marshal(self, page):
        """Results of the marshal form: (code, in_doubt, digest, meta or None, bins) each."""
        batch_record = _records_module().BatchRecord
        new = object.__new__
        no_bytes = _NO_BYTES
        header_only = self.header_only
        results = []
        append = results.append
        for (ns, set_name, pk), (code, in_doubt, digest, meta, bins) in zip(self.keys, page):
            key = (ns, set_name, pk, no_bytes + digest)
            # BatchRecord(key) and its fields set, without the __init__ call (CPython):
            # the same attributes in __init__'s order (test_batch_record_fields).
            rec = new(batch_record)
            rec.key = key
            if meta is None:  # no record: bins holds (subcode, message) of the error
                subcode, message = bins
                rec.record = None
                rec.result = code
                rec.message = None if message is None else message.decode("utf-8", "replace")
                rec.subcode = subcode
            else:
                rec.record = (key, meta) if header_only else (key, meta, bins)
                rec.result = code
                rec.message = None
                rec.subcode = 0
            rec.in_doubt = in_doubt
            append(rec)
        return results

    def _decode(self, buf, raw=False):
        """Results of the packed layout (the layout PyPy reads), as _from_marshal's."""
        unpacker = _marshal.page_unpacker(self.client, raw)
        return unpacker.read_page(buf, self.keys, _records_module().BatchRecord,
                                  self.header_only, len(self.keys))


def _check_keys(keys):
    if not isinstance(keys, list):
        raise ParamError(-2, "keys should be a list of aerospike key tuples")


def _records_from(results, status):
    """The BatchRecords of a batch's results (BatchCall.results)."""
    out = _records_module().BatchRecords(results)
    out.result = status
    return out


def _key_error(index, exc):
    return ParamError(-2, "failed to convert key at index: %d -> %s" % (index, exc.msg))


def _batch_read_call(client, keys, bins):
    _check_keys(keys)
    if bins is not None and not isinstance(bins, list):
        raise ParamError(-2, "Bins argument should be a list.")
    if bins and not all(isinstance(name, str) for name in bins):
        raise ParamError(-2, "Bin name should be a string or unicode string.")
    call = BatchCall(client, len(keys))
    call.header_only = bins == []
    body = call.read_body(bins, read_all=bins is None)
    if not (_PACK_KEYS_IN_C and keys and call.add_plain_reads(keys, body)):
        call.add_reads(keys, body)
    return call


def batch_read_steps(client, keys, bins=None, policy=None):
    call = _batch_read_call(client, keys, bins)
    # The results go straight to _records_from, never into a local of this frame (see
    # batch_read).
    return _records_from(*(yield call, policy))


def batch_operate_steps(client, keys, ops, policy_batch=None, policy_batch_write=None, ttl=None):
    _check_keys(keys)
    if not isinstance(ops, list) or not ops:
        raise ParamError(-2, "ops should be a non-empty list of operations")
    if ttl is not None and not isinstance(ttl, int):
        raise ParamError(-2, "ttl should be an int")
    call = BatchCall(client)
    index = call.policy_index("batch_write", policy_batch_write)
    packed_ops, plan = call.ops(ops)
    ttl = _CLIENT_DEFAULT_TTL if ttl is None else ttl & 0xFFFFFFFF
    for i, key in enumerate(keys):
        try:
            if plan.has_write:  # the ttl argument wins over a touch(ttl) op, as the official
                call.add_write(key, packed_ops, ttl, policy_index=index)
            else:
                call.add_read(key, packed_ops=packed_ops)
        except ParamError as exc:
            raise _key_error(i, exc) from None
    return _records_from(*(yield call, policy_batch))


def batch_remove_steps(client, keys, policy_batch=None, policy_batch_remove=None):
    _check_keys(keys)
    call = BatchCall(client)
    index = call.policy_index("batch_remove", policy_batch_remove)
    for i, key in enumerate(keys):
        try:
            call.add_remove(key, index)
        except ParamError as exc:
            raise _key_error(i, exc) from None
    return _records_from(*(yield call, policy_batch))


def batch_apply_steps(client, keys, module, function, args, policy_batch=None,
                      policy_batch_apply=None):
    """The same record UDF on every key (checks in the official's order)."""
    _check_keys(keys)
    call = BatchCall(client)
    for name, value in (("module", module), ("function", function)):
        if not isinstance(value, str):
            raise ParamError(-2, "%s must be a string" % name)
    if not isinstance(args, list):
        raise ParamError(-2, "args must be a list of arguments for the UDF")
    client._conn()
    for i, key in enumerate(keys):
        if not isinstance(key, tuple):
            raise ParamError(-2, "key should be an aerospike key tuple")
        try:
            key_parts(key)
        except ParamError:
            raise ParamError(-2, "failed to convert key at index: %d" % i) from None
    index = call.policy_index("batch_apply", policy_batch_apply)
    body = call.apply_body(module, function, args)  # packed once for every key
    for key in keys:
        call.add(APPLY, key, body, index)
    return _records_from(*(yield call, policy_batch))


def batch_write_steps(client, batch_records, policy_batch=None):
    records = _records_module()
    if not isinstance(batch_records, records.BatchRecords):
        raise ParamError(-2, "batch_records must be a BatchRecords object")
    items = batch_records.batch_records
    if not isinstance(items, list):
        raise ParamError(-2, "batch_records.batch_records must be a list")
    call = BatchCall(client)
    call.parent_write = True
    for item in items:
        kind = getattr(item, "_type", None)
        policy = getattr(item, "policy", None)
        if kind == READ:
            index = call.policy_index("batch_read", policy)
            packed_ops = call.ops(item.ops)[0] if item.ops else _NO_OPS
            call.add_read(item.key, packed_ops=packed_ops, read_all=bool(item.read_all_bins),
                          policy_index=index)
        elif kind == WRITE:
            index = call.policy_index("batch_write", policy)
            ttl, gen = _meta(item.meta)
            packed_ops, plan = call.ops(item.ops)
            if plan.touch_ttl is not None:  # a touch(ttl) op wins over meta, as the official
                ttl = plan.touch_ttl & 0xFFFFFFFF
            call.add_write(item.key, packed_ops, ttl, gen, index)
        elif kind == APPLY:
            index = call.policy_index("batch_apply", policy)
            call.add_apply(item.key, item.module, item.function, item.args, index)
        elif kind == REMOVE:
            index = call.policy_index("batch_remove", policy)
            call.add_remove(item.key, index)
        else:
            raise ParamError(-2, "batch_type unknown: %r" % (kind,))
    results, status = yield call, policy_batch
    batch_records.result = status
    for item, rec in zip(items, results):
        item.result = rec.result
        item.in_doubt = rec.in_doubt
        item.message, item.subcode = rec.message, rec.subcode
        if rec.result == 0:
            item.record = rec.record
    return batch_records


def _meta(meta):
    if meta is None:
        return _CLIENT_DEFAULT_TTL, 0
    return parse_meta(meta)


# Each batch command is written as its steps (a generator): validate and build the
# BatchCall, yield it with the batch policy, get back run()'s answer, make the result. The
# sync commands run the call here; the async client sends it through the C client's async
# batch API (aerospike_cffi.aio) and finishes the same steps.

def run_steps(steps):
    call, policy = next(steps)
    try:
        steps.send(call.run(policy))
    except StopIteration as done:
        return done.value
    raise AssertionError("a batch command's steps run one batch")  # pragma: no cover


def batch_read(client, keys, bins=None, policy=None):
    # Not through run_steps (PyPy, issue 13): a generator's frame lives through the whole
    # call, so a minor collection during it moves the frame out of the nursery; the
    # results then sent into it are referenced from an old object, which the next minor
    # collection takes as alive even after the frame is dead, copying out every record of
    # a batch the caller has long dropped (~150 KB per 100-record batch_read).
    records = _records_from(*_batch_read_call(client, keys, bins).run(policy))
    if _jit_stages:
        _jit_step(len(keys), _jit_stages)
    return records


# PyPy (issue 13, warm-up): batch_read compiled as three functions of its own, early.
# Left to itself, PyPy traces the caller's loop at its ~1040th turn and inlines what it
# calls, unrolling the loops of the functions it inlines (add_reads' over the keys): a
# batch_read of 100 keys made a trace of ~25 000 operations, past the JIT's limit
# (6 000), traced and thrown away five times in calls 1001-1500, each time marking one
# more function as not to be inlined, before those were compiled one by one (calls
# 1001-1500 ran at 1.85x the steady state's CPU per call, 1.35x its instructions).
# pypyjit.dont_trace_here marks a function "do not inline; compile from its start at its
# next call" (no global JIT setting), in two steps:
# 1. add_reads and read_page, once their loops are compiled: after the calls that read
#    _MARK_AFTER_KEYS keys (the loops run a turn per key or more, and PyPy compiles a
#    loop after ~1 000 turns), or _MARK_AFTER_CALLS calls of few keys. A function's start
#    traced when its loop already runs compiled becomes an entry into that loop; traced
#    before, its trace makes the loop out of its first turns, and read_page's first turns
#    (the first record's bin names) are not the common ones (7 % more instructions per
#    call at steady state when marked at the first call).
# 2. Client.batch_read, at the next call: compiled at the call after, calling the two
#    compiled functions (marked together with them, its trace would call placeholders
#    that count calls to PyPy's function threshold, ~1 600, before compiling them). The
#    caller's loop then calls it instead of inlining it.
_MARK_AFTER_KEYS = 3000
_MARK_AFTER_CALLS = 300


def _loop_functions():
    return BatchCall.add_reads, _marshal.PageUnpacker.read_page


def _client_batch_read():
    from ._commands.batch import BatchCommands  # (it imports this module); once

    return (BatchCommands.batch_read,)


try:
    from pypyjit import dont_trace_here as _dont_trace_here
except ImportError:  # CPython (or a PyPy without its JIT): nothing to mark
    JIT_STEPS = ()
else:
    JIT_STEPS = (_loop_functions, _client_batch_read)
_jit_stages = list(JIT_STEPS)  # the steps still to take
# The keys and calls of batch_read before step 1, sync and async (the async client takes
# the same step 1, then a step 2 of its own: aio._client._jit_stages).
_read_so_far = [0, 0]


def _jit_step(n_keys, stages):
    """After a batch_read of ``n_keys`` keys: the next marking step of ``stages`` (this
    module's _jit_stages, or the async client's) when it is due."""
    if len(stages) == 2:
        _read_so_far[0] += n_keys
        _read_so_far[1] += 1
        if _read_so_far[0] < _MARK_AFTER_KEYS and _read_so_far[1] < _MARK_AFTER_CALLS:
            return
    try:
        functions = stages.pop(0)()
    except IndexError:  # another thread took the last step
        return
    for function in functions:
        _dont_trace_here(0, False, function.__code__)


def batch_operate(client, keys, ops, policy_batch=None, policy_batch_write=None, ttl=None):
    return run_steps(batch_operate_steps(client, keys, ops, policy_batch, policy_batch_write,
                                         ttl))


def batch_remove(client, keys, policy_batch=None, policy_batch_remove=None):
    return run_steps(batch_remove_steps(client, keys, policy_batch, policy_batch_remove))


def batch_apply(client, keys, module, function, args, policy_batch=None,
                policy_batch_apply=None):
    return run_steps(batch_apply_steps(client, keys, module, function, args, policy_batch,
                                       policy_batch_apply))


def batch_write(client, batch_records, policy_batch=None):
    return run_steps(batch_write_steps(client, batch_records, policy_batch))
