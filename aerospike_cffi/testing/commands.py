"""Single-record commands: read, write/operate, delete, touch, exists.

``handle(server, msg)`` takes a parsed AS_MSG and yields the response bodies
(AS_MSG bytes); batch, scan and query messages are passed on to their modules.
A write works on a ``RecordContext``, a copy of the record: every operation runs
in order against it, and the store only sees the result when all succeeded.

Collection, bit, HLL and expression operations go to their engines
(``cdt``, ``cdt.bits``, ``cdt.hll``, ``expr``), imported when first needed; an
engine that is not there answers UNSUPPORTED_FEATURE.
"""

import importlib
import logging

from . import security
from . import store as store_mod
from . import values, wire
from .errors import (BIN_NAME, BIN_TYPE, ENTERPRISE_ONLY, FILTERED_OUT, GENERATION,
                     GEO_INVALID_GEOJSON, KEY_EXISTS, KEY_MISMATCH, KEY_NOT_FOUND,
                     NAMESPACE_NOT_FOUND, OK, PARAMETER, RECORD_TOO_BIG, SERVER_ERROR,
                     UNSUPPORTED_FEATURE, ServerError)

log = logging.getLogger(__name__)

MAX_BIN_NAME = 15
MONITOR_SET = "<ERO~MRT"  # transaction monitor records (txn.py)
# Read-touch percentages with a special meaning (message record_ttl of a read).
READ_TOUCH_CONFIG_DEFAULT = 0
READ_TOUCH_NEVER = 0xFFFFFFFF

_READ_OPS = (wire.OP_READ, wire.OP_CDT_READ, wire.OP_BITS_READ, wire.OP_HLL_READ,
             wire.OP_EXP_READ)
_MODIFY_OPS = (wire.OP_INCR, wire.OP_APPEND, wire.OP_PREPEND, wire.OP_CDT_MODIFY,
               wire.OP_BITS_MODIFY, wire.OP_HLL_MODIFY, wire.OP_EXP_MODIFY)
# Engine module and function per operation code.
_ENGINES = {
    wire.OP_CDT_READ: ("cdt", "execute"),
    wire.OP_CDT_MODIFY: ("cdt", "execute"),
    wire.OP_BITS_READ: ("cdt.bits", "execute"),
    wire.OP_BITS_MODIFY: ("cdt.bits", "execute"),
    wire.OP_HLL_READ: ("cdt.hll", "execute"),
    wire.OP_HLL_MODIFY: ("cdt.hll", "execute"),
    wire.OP_EXP_READ: ("expr", "execute"),
    wire.OP_EXP_MODIFY: ("expr", "execute"),
}


def engine(module, function):
    """The engine function ``aerospike_cffi.testing.<module>.<function>``."""
    try:
        mod = importlib.import_module("%s.%s" % (__package__, module))
        return getattr(mod, function)
    except (ImportError, AttributeError):
        raise ServerError(UNSUPPORTED_FEATURE, "%s.%s is not available" % (module, function))


def copy_value(v):
    """A copy of a value deep enough that engines may change it in place."""
    if isinstance(v, values.ListValue):
        return values.ListValue([copy_value(e) for e in v], v.flags)
    if isinstance(v, values.MapValue):
        return values.MapValue([[copy_value(k), copy_value(e)] for k, e in v.items], v.flags)
    return v


class RecordContext:
    """The record a command works on, as engines (expressions) see it.

    ``bins`` is the current state (changed by each operation in turn),
    ``exists`` whether the record existed before the command."""

    def __init__(self, ns, digest, set_name, rec):
        self.namespace = ns.name
        self.digest = digest
        self.set_name = rec.set_name if rec is not None else (set_name or "")
        self.exists = rec is not None
        self.bins = dict(rec.bins) if rec is not None else {}
        self.gen = rec.gen if rec is not None else 0
        self.void_time = rec.void_time if rec is not None else 0
        self.last_update_time = rec.lut if rec is not None else 0
        self.key = rec.key if rec is not None else None
        self.is_tombstone = False

    @property
    def record_size(self):
        return store_mod.Record(self.set_name, self.bins, self.gen, self.void_time,
                                key=self.key).size()

    @property
    def device_size(self):
        return 0  # memory namespace: nothing on a device

    @property
    def memory_size(self):
        return self.record_size


# ---------------------------------------------------------------- dispatch

def handle(server, msg):
    """Yield the response bodies for one request message."""
    if wire.FIELD_DIGEST in msg.fields or wire.FIELD_KEY in msg.fields:
        if wire.FIELD_BATCH_INDEX not in msg.fields:
            if wire.FIELD_UDF_FUNCTION in msg.fields:
                yield guarded(udf_record(server), server.store, msg)
                return
            yield guarded(single_record, server.store, msg)
            return
    is_batch = wire.FIELD_BATCH_INDEX in msg.fields
    try:
        if not is_batch:
            # A batch's records are checked one by one (single_record); a scan or
            # query as a whole.
            security.check_data(msg.str_field(wire.FIELD_NAMESPACE),
                                msg.str_field(wire.FIELD_SET) or "", scan_permission(msg))
        multi = engine("batch" if is_batch else "scan", "handle")
    except ServerError as e:
        yield wire.build_message(result_code=e.code, info3=wire.INFO3_LAST)
        return
    yield from multi(server, msg)


def udf_record(server):
    """The single-record command of a record UDF on ``server`` (lua/apply.py)."""
    def command(store, msg):
        return engine("lua.apply", "single")(server, store, msg)
    return command


def scan_permission(msg):
    """The permission a scan / query message needs (security mode)."""
    udf = wire.FIELD_UDF_FUNCTION in msg.fields
    if msg.info2 & wire.INFO2_WRITE:
        return security.P_UDF_QUERY if udf else security.P_OPS_QUERY
    return security.P_UDF_QUERY if udf else security.P_QUERY


def guarded(command, store, msg):
    """The response body of ``command(store, msg)`` under the store lock; any
    failure becomes an error reply (an engine bug must not kill the connection)."""
    try:
        with store.lock:
            return command(store, msg)
    except ServerError as e:
        return error_reply(e.code)
    except Exception:  # noqa: BLE001 - reported to the client as a server error
        log.exception("command failed")
        return error_reply(SERVER_ERROR)


def error_reply(code):
    return wire.build_message(result_code=code)


def single_record(store, msg):
    """The response body of a single-record command (raises ServerError)."""
    ns, digest, set_name, key = locate(store, msg)
    security.check_data(ns.name, set_name, record_permission(msg), set_name == MONITOR_SET)
    if ns.strong_consistency:
        # Transactions and their locks (txn.py) stand between the command and the record.
        return engine("txn", "single_record")(ns, digest, set_name, key, msg, run_record)
    if wire.FIELD_TXN_ID in msg.fields:
        raise ServerError(ENTERPRISE_ONLY, "transactions need a strong-consistency namespace")
    return run_record(ns, digest, set_name, key, msg)


def record_permission(msg):
    """The permission a single-record message needs (security mode)."""
    if wire.FIELD_UDF_FUNCTION in msg.fields:
        return security.P_UDF_APPLY
    if msg.info2 & wire.INFO2_WRITE:
        return security.P_DELETE if msg.info2 & wire.INFO2_DELETE else security.P_WRITE
    return security.P_READ


def run_record(ns, digest, set_name, key, msg):
    """A single-record command on the record ``digest`` of ``ns``."""
    if msg.info2 & wire.INFO2_WRITE:
        if msg.info2 & wire.INFO2_DELETE:
            return delete(ns, digest, set_name, key, msg)
        return write(ns, digest, set_name, key, msg)
    return read(ns, digest, set_name, key, msg)


def locate(store, msg):
    """(namespace, digest, set name, user key or None) named by a message."""
    ns_name = msg.str_field(wire.FIELD_NAMESPACE)
    if ns_name is None:
        raise ServerError(PARAMETER, "no namespace")
    ns = store.namespace(ns_name)
    if ns is None:
        raise ServerError(NAMESPACE_NOT_FOUND)
    set_name = msg.str_field(wire.FIELD_SET) or ""
    key = decode_key(msg.field(wire.FIELD_KEY))
    digest = msg.field(wire.FIELD_DIGEST)
    if digest is not None:
        digest = bytes(digest)
        if len(digest) != 20:
            raise ServerError(PARAMETER, "bad digest")
    elif key is not None:
        digest = store_mod.compute_digest(set_name, key)
    else:
        raise ServerError(PARAMETER, "no digest")
    return ns, digest, set_name, key


def decode_key(data):
    if data is None:
        return None
    if len(data) < 1:
        raise ServerError(PARAMETER, "empty key field")
    ptype = data[0]
    if ptype not in (values.P_INTEGER, values.P_FLOAT, values.P_STRING) and ptype < values.P_BLOB:
        raise ServerError(PARAMETER, "bad key type")
    if ptype in (values.P_INTEGER, values.P_FLOAT) and len(data) != 9:
        raise ServerError(PARAMETER, "bad key length")
    return values.from_particle(ptype, bytes(data[1:]))


# ---------------------------------------------------------------- checks

def check_set_and_key(rec, set_name, key):
    if set_name and rec.set_name != set_name:
        raise ServerError(PARAMETER, "set name mismatch")
    if key is not None and rec.key is not None and not _same_key(rec.key, key):
        raise ServerError(KEY_MISMATCH)


def _same_key(a, b):
    return type(a) is type(b) and a == b


def check_generation(msg, gen):
    if msg.info2 & wire.INFO2_GENERATION and msg.generation != gen:
        raise ServerError(GENERATION)
    if msg.info2 & wire.INFO2_GENERATION_GT and not msg.generation > gen:
        raise ServerError(GENERATION)


def apply_filter(msg, ctx):
    """FILTERED_OUT unless the message's filter expression holds for ``ctx``."""
    filt = msg.field(wire.FIELD_FILTER)
    if filt is None:
        return
    if engine("expr", "evaluate")(bytes(filt), ctx) is not True:
        raise ServerError(FILTERED_OUT)


def check_bin_name(name):
    if len(name.encode("utf-8", "surrogateescape")) > MAX_BIN_NAME:
        raise ServerError(BIN_NAME)


# ---------------------------------------------------------------- read

def read(ns, digest, set_name, key, msg):
    rec = ns.get(digest)
    if rec is None:
        raise ServerError(KEY_NOT_FOUND)
    check_set_and_key(rec, set_name, key)
    touch_pct = read_touch_pct(ns, msg.record_ttl)
    ctx = RecordContext(ns, digest, set_name, rec)
    apply_filter(msg, ctx)
    results = [] if msg.info1 & wire.INFO1_NOBINDATA else read_ops(ctx, msg)
    reply = wire.build_message(OK, rec.gen, rec.void_time, ops=results)
    if touch_pct:
        read_touch(rec, touch_pct)
    return reply


def read_ops(ctx, msg, no_ops_reads_all=False):
    """Encoded result ops of a read-only message on ``ctx``.  Without ops a
    single-record read must ask for all bins; a scan or query reads them all."""
    if msg.info1 & wire.INFO1_GET_ALL or (no_ops_reads_all and not msg.ops):
        return all_bins(ctx.bins)
    if not msg.ops:
        # neither "all bins" nor any bin named (select(key, [])): the server refuses it
        raise ServerError(PARAMETER, "bin op(s) expected, none present")
    respond_all = bool(msg.info2 & wire.INFO2_RESPOND_ALL_OPS)
    results = []
    for op in msg.ops:
        if op.op not in _READ_OPS:
            raise ServerError(PARAMETER, "write op %d in a read" % op.op)
        run_op(ctx, op, respond_all, results)
    return results


def all_bins(bins):
    return [wire.encode_op(wire.OP_READ, name, value) for name, value in bins.items()]


def read_touch_pct(ns, pct):
    """The read-touch-ttl-percent a read asks for (0 = no touch)."""
    if pct == READ_TOUCH_NEVER:
        return 0
    if pct == READ_TOUCH_CONFIG_DEFAULT:
        return ns.default_read_touch_ttl_pct
    if pct > 100:
        raise ServerError(PARAMETER, "bad read-touch-ttl-percent")
    return pct


def read_touch(rec, pct):
    """After a read late in a record's life, extend its void time by the TTL it
    was written with (the generation stays, as on the server)."""
    if rec.void_time == 0:
        return
    write_ttl = max(rec.void_time - (rec.lut // 10 ** 9 - store_mod.CITRUSLEAF_EPOCH), 0)
    now = store_mod.now_void()
    if now >= rec.void_time - write_ttl * pct // 100 and now + write_ttl > rec.void_time:
        rec.void_time = now + write_ttl
        rec.lut = store_mod.now_ns()


# ---------------------------------------------------------------- operations

def run_op(ctx, op, respond_all, results):
    """Apply one operation to ``ctx``, appending its encoded result (if any)."""
    code = op.op
    name = op.name
    bins = ctx.bins
    if code == wire.OP_READ:
        if name == "":
            results.extend(all_bins(bins))
        elif name in bins:
            results.append(wire.encode_op(code, name, bins[name]))
        elif respond_all:
            results.append(wire.encode_op(code, name, None))
        return
    if code == wire.OP_WRITE:
        if op.ptype == values.P_NULL:
            remove_bin(bins, name)
        else:
            bins[name] = check_map_keys(check_hll(check_geojson(op.value())))
    elif code == wire.OP_INCR:
        bins[name] = increment(bins.get(name, values.MISSING), op)
    elif code in (wire.OP_APPEND, wire.OP_PREPEND):
        bins[name] = concatenate(bins.get(name, values.MISSING), op)
    elif code == wire.OP_TOUCH:
        return
    elif code == wire.OP_DELETE_ALL:
        bins.clear()
    elif code in _ENGINES:
        run_engine(ctx, op, respond_all, results)
        return
    else:
        raise ServerError(PARAMETER, "unknown op %d" % code)
    if respond_all:
        results.append(wire.encode_op(wire.OP_READ, name, None))


def run_engine(ctx, op, respond_all, results):
    """A collection / bit / HLL / expression operation."""
    code = op.op
    name = op.name
    write = code in _MODIFY_OPS
    fn = engine(*_ENGINES[code])
    current = ctx.bins.get(name, values.MISSING)
    if code in (wire.OP_EXP_READ, wire.OP_EXP_MODIFY):
        result, new_value = fn(bytes(op.data), ctx, name, write)
    else:
        payload = values.unpack(op.data)
        if not write and current is values.MISSING:
            if respond_all:
                results.append(wire.encode_op(wire.OP_READ, name, None))
            return
        result, new_value = fn(payload, copy_value(current), write)
    if write and new_value is not values.MISSING:
        if new_value is None:
            remove_bin(ctx.bins, name)
        else:
            ctx.bins[name] = new_value
    if code == wire.OP_EXP_MODIFY:
        result = None
    elif code == wire.OP_EXP_READ:
        results.append(wire.encode_op(wire.OP_READ, name, result))
        return
    if result is not None or respond_all:
        results.append(wire.encode_op(wire.OP_READ, name, result))


def remove_bin(bins, name):
    """Delete bin ``name`` from ``bins`` (in order) as the server does: its last bin
    moves into the freed place (as_bin_remove), which a later get shows."""
    if name not in bins:
        return
    names = list(bins)
    last = names[-1]
    if last == name:
        del bins[name]
        return
    moved = bins[last]
    reordered = [(last, moved) if n == name else (n, bins[n]) for n in names[:-1]]
    bins.clear()
    bins.update(reordered)


def check_geojson(value):
    """``value``, refused with GEO_INVALID_GEOJSON when it is GeoJSON the
    server would not parse (the expression engine owns the GeoJSON parser)."""
    if isinstance(value, values.GeoJSON) and engine("expr", "_geo_parse")(value) is None:
        raise ServerError(GEO_INVALID_GEOJSON)
    return value


def check_map_keys(value):
    """``value``, refused with SERVER_ERROR when a map in it (at any depth) has a key
    that is not an integer, string or blob (a float, bool or nil key), as a server 8.1
    refuses such a bin when it is written whole."""
    if _bad_map_key(value):
        raise ServerError(SERVER_ERROR, "bad map key")
    return value


def _bad_map_key(value):
    if isinstance(value, values.MapValue):
        for k, v in value.items:
            if isinstance(k, (bool, float)) or k is None or _bad_map_key(v):
                return True
        return False
    if isinstance(value, values.ListValue):
        return any(_bad_map_key(v) for v in value)
    return False


def check_hll(value):
    """``value``, refused with PARAMETER when it is an HLL bin whose header and size
    do not describe a sketch (hll_from_wire)."""
    if isinstance(value, values.HLL) and not engine("cdt.hll", "_is_valid_hll")(value):
        raise ServerError(PARAMETER, "bad hll")
    return value


def increment(current, op):
    if op.ptype not in (values.P_INTEGER, values.P_FLOAT):
        raise ServerError(PARAMETER, "increment by a non-number")
    delta = op.value()
    if current is values.MISSING:
        return delta
    if op.ptype == values.P_INTEGER and type(current) is int:
        total = (current + delta) & 0xFFFFFFFFFFFFFFFF
        return total - (1 << 64) if total >= 1 << 63 else total
    if op.ptype == values.P_FLOAT and type(current) is float:
        return current + delta
    raise ServerError(BIN_TYPE)


def concatenate(current, op):
    if op.ptype not in (values.P_STRING, values.P_BLOB):
        raise ServerError(BIN_TYPE)
    value = op.value()
    if current is values.MISSING:
        return value
    if op.ptype == values.P_STRING and type(current) is str:
        return current + value if op.op == wire.OP_APPEND else value + current
    if op.ptype == values.P_BLOB and type(current) is bytes:
        return current + value if op.op == wire.OP_APPEND else value + current
    raise ServerError(BIN_TYPE)


def next_generation(gen):
    return gen % 0xFFFF + 1  # 16-bit generation, 0 is never used by a live record


# ---------------------------------------------------------------- write

def check_write_policies(msg):
    """Validate the ops of a write message; (must_not_create, replace)."""
    if not msg.ops:
        raise ServerError(PARAMETER, "write without ops")
    ttl = msg.record_ttl
    if ttl > store_mod.MAX_TTL and ttl not in (store_mod.TTL_NEVER_EXPIRE, store_mod.TTL_DONT_UPDATE):
        raise ServerError(PARAMETER, "bad ttl")
    respond_all = msg.info2 & wire.INFO2_RESPOND_ALL_OPS
    must_not_create = bool(msg.info3 & (wire.INFO3_UPDATE_ONLY | wire.INFO3_REPLACE_ONLY))
    replace = bool(msg.info3 & (wire.INFO3_CREATE_OR_REPLACE | wire.INFO3_REPLACE_ONLY))
    has_read = has_read_all = makes_results = False
    for op in msg.ops:
        code = op.op
        if code == wire.OP_TOUCH:
            if replace:
                raise ServerError(PARAMETER, "touch with replace")
            must_not_create = True
            continue
        check_bin_name(op.name)
        if code == wire.OP_WRITE:
            if op.ptype == values.P_NULL and replace:
                raise ServerError(PARAMETER, "bin delete with replace")
        elif code in _MODIFY_OPS or code == wire.OP_DELETE_ALL:
            if replace:
                raise ServerError(PARAMETER, "modify op with replace")
            if code in (wire.OP_CDT_MODIFY, wire.OP_HLL_MODIFY):
                makes_results = True
        elif code == wire.OP_READ and op.name == "":
            if respond_all or has_read_all:
                raise ServerError(PARAMETER, "bad read-all op")
            has_read = has_read_all = True
        elif code in _READ_OPS:
            has_read = makes_results = True
        else:
            raise ServerError(PARAMETER, "unknown op %d" % code)
    if has_read and not msg.info1 & wire.INFO1_READ:
        raise ServerError(PARAMETER, "read op without read flag")
    if has_read_all and makes_results:
        raise ServerError(PARAMETER, "read-all op mixed with result ops")
    if msg.info1 & wire.INFO1_GET_ALL and not has_read_all:
        raise ServerError(PARAMETER, "get-all without read-all op")
    return must_not_create, replace


def write(ns, digest, set_name, key, msg):
    must_not_create, replace = check_write_policies(msg)
    rec = ns.get(digest)
    if rec is None and must_not_create:
        raise ServerError(KEY_NOT_FOUND)
    if rec is not None and msg.info2 & wire.INFO2_CREATE_ONLY:
        raise ServerError(KEY_EXISTS)
    check_generation(msg, rec.gen if rec is not None else 0)
    ctx = RecordContext(ns, digest, set_name, rec)
    if rec is not None:
        check_set_and_key(rec, set_name, key)
        apply_filter(msg, ctx)
    if replace:
        ctx.bins = {}
    respond_all = bool(msg.info2 & wire.INFO2_RESPOND_ALL_OPS)
    results = []
    for op in msg.ops:
        run_op(ctx, op, respond_all, results)
    if not ctx.bins:
        if rec is None:
            raise ServerError(KEY_NOT_FOUND)
        if msg.info2 & wire.INFO2_DURABLE_DELETE:
            raise ServerError(ENTERPRISE_ONLY)
        ns.delete(digest)
        return wire.build_message(OK, 0, 0, ops=results)
    now = store_mod.now_void()
    new = store_mod.Record(
        ctx.set_name, ctx.bins,
        gen=next_generation(rec.gen if rec is not None else 0),
        void_time=ns.void_time_for(msg.record_ttl, rec.void_time if rec is not None else 0, now),
        lut=store_mod.now_ns(),
        key=key if key is not None else ctx.key)
    if new.size() > ns.max_record_size:
        raise ServerError(RECORD_TOO_BIG)
    ns.put(digest, new)
    return wire.build_message(OK, new.gen, new.void_time, ops=results)


def delete(ns, digest, set_name, key, msg):
    rec = ns.get(digest)
    if rec is None:
        raise ServerError(KEY_NOT_FOUND)
    check_generation(msg, rec.gen)
    check_set_and_key(rec, set_name, key)
    apply_filter(msg, RecordContext(ns, digest, set_name, rec))
    if msg.info2 & wire.INFO2_DURABLE_DELETE:
        raise ServerError(ENTERPRISE_ONLY)
    ns.delete(digest)
    return wire.build_message(OK, 0, 0)

