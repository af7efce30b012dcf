"""Record UDFs: one message naming a module (field 30), a function (31) and a
packed argument list (32) runs that function on one record.

The answer carries one op: ``SUCCESS`` with the returned value, or, with
result code 100, ``FAILURE`` with the error text (Lua's message, "function
not found", "UDF: Execution Error 1" for a module that is missing or does not
load, "result value type unexpected" for an error that is not a string).
Writes the UDF asked for (``aerospike:update`` / ``create`` / ``remove``)
are stored only when it returned without an error, with the usual checks
(bin count, record size, durable delete) and the TTL of ``record.set_ttl``,
else of the message.
"""

from .. import store as store_mod
from .. import values, wire
from ..errors import (BIN_NAME, BIN_TYPE, ENTERPRISE_ONLY, KEY_NOT_FOUND, OK, PARAMETER,
                      RECORD_TOO_BIG, UDF, ServerError)
from . import MISSING_LUPA, LupaMissing, available
from .registry import registry

MAX_NAME = 128  # module and function names (with their NUL) fit 128 bytes
MAX_BINS = 512
EXEC_ERROR_1 = "UDF: Execution Error 1"
UNEXPECTED = "result value type unexpected"
TTL_DONT_UPDATE = -2


class UdfCall:
    """Module, function and packed argument list of a message."""

    def __init__(self, msg):
        module = msg.field(wire.FIELD_UDF_PACKAGE_NAME)
        function = msg.field(wire.FIELD_UDF_FUNCTION)
        args = msg.field(wire.FIELD_UDF_ARGLIST)
        if module is None or function is None or args is None:
            raise ServerError(PARAMETER, "incomplete UDF fields")
        if len(module) >= MAX_NAME or len(function) >= MAX_NAME:
            raise ServerError(PARAMETER, "UDF name too long")
        self.module = bytes(module).split(b"\0")[0].decode("utf-8", "surrogateescape")
        self.function = bytes(function).split(b"\0")[0]
        self.args = bytes(args)


def failure_reply(text, gen=0, void_time=0):
    return wire.build_message(UDF, gen, void_time,
                              ops=[wire.encode_op(wire.OP_READ, "FAILURE", text)])


def success_reply(value, gen=0, void_time=0):
    # A whole result that is a typed blob (HLL, bytes with another type) goes
    # back as plain bytes; inside lists and maps the type stays.
    if isinstance(value, (values.Blob, values.HLL)):
        value = bytes(value)
    return wire.build_message(OK, gen, void_time,
                              ops=[wire.encode_op(wire.OP_READ, "SUCCESS", value)])


def record_meta(ns, digest, set_name, rec, key):
    """What the record module reads of a record (bytes keys for Lua)."""
    now = store_mod.now_void()
    meta = {b"digest": bytes(digest), b"gen": 0, b"ttl": 0, b"lut": 0, b"size": 0,
            b"setname": (set_name or "").encode("utf-8", "surrogateescape") or None}
    if rec is not None:
        meta[b"gen"] = rec.gen
        meta[b"ttl"] = max(rec.void_time - now, 0) if rec.void_time else 0
        meta[b"lut"] = store_mod.clepoch_ms(rec.lut)
        meta[b"size"] = rec.size()
        meta[b"setname"] = rec.set_name.encode("utf-8", "surrogateescape") or None
        stored = rec.key
        if stored is None:
            stored = key
    else:
        stored = key
    if isinstance(stored, (bytes, bytearray)):
        meta[b"key_bytes"] = bytes(stored)  # becomes a Bytes value in Lua
    elif stored is not None:
        meta[b"key"] = _lua_key(stored)
    return meta


def _lua_key(key):
    if isinstance(key, str):
        return key.encode("utf-8", "surrogateescape")
    return key


def packed_bins(bins):
    items = []
    for name, value in bins.items():
        items.append(name)
        items.append(value)
    return values.pack(values.ListValue(items))


def run(server, ns, digest, set_name, key, msg, rec, call=None):
    """The reply body of a record UDF on ``rec`` (None: no record).  Raises
    ServerError for errors answered without a FAILURE bin."""
    call = call or UdfCall(msg)
    if not available():
        return failure_reply(MISSING_LUPA)
    try:
        state = registry(server).state(call.module)
    except LupaMissing:
        return failure_reply(MISSING_LUPA)
    if state is None:
        return failure_reply(EXEC_ERROR_1)
    meta = record_meta(ns, digest, set_name, rec, key)
    bins = packed_bins(rec.bins) if rec is not None else b""
    out = state.apply_record(call.function, call.args, rec is not None, bins, meta)
    ok, payload, action, new_bins, ttl, drop_key, removed = out
    gen = rec.gen if rec is not None else 0
    void_time = rec.void_time if rec is not None else 0
    if not ok:
        text = payload if payload is not None else UNEXPECTED.encode()
        return failure_reply(bytes(text).decode("utf-8", "surrogateescape"), gen, void_time)
    result = values.unpack(bytes(payload))
    action = bytes(action or b"none").decode()
    if action == "bad_bin":
        raise ServerError(BIN_TYPE, "bin set to the record")
    if action == "delete":
        if rec is not None:
            if msg.info2 & wire.INFO2_DURABLE_DELETE:
                raise ServerError(ENTERPRISE_ONLY)
            ns.delete(digest)
            return success_reply(result, rec.gen % 0xFFFF + 1)
        return success_reply(result)
    if action == "write":
        decoded = values.unpack(bytes(new_bins))
        final = {} if removed or rec is None else dict(rec.bins)
        for i in range(0, len(decoded), 2):
            if decoded[i + 1] is None:
                final.pop(decoded[i], None)
            else:
                final[decoded[i]] = decoded[i + 1]
        if not final:
            if rec is None:
                raise ServerError(KEY_NOT_FOUND)
            if msg.info2 & wire.INFO2_DURABLE_DELETE:
                raise ServerError(ENTERPRISE_ONLY)
            ns.delete(digest)
            return success_reply(result, rec.gen % 0xFFFF + 1)
        if len(final) > MAX_BINS:
            raise ServerError(BIN_NAME, "too many bins")
        record_ttl = msg.record_ttl
        if ttl is not None:
            record_ttl = _ttl_of(ttl)
        now = store_mod.now_void()
        new_key = None if drop_key else (rec.key if rec is not None and rec.key is not None else key)
        new = store_mod.Record(
            rec.set_name if rec is not None else (set_name or ""), final,
            gen=(rec.gen % 0xFFFF + 1) if rec is not None else 1,
            void_time=ns.void_time_for(record_ttl, rec.void_time if rec is not None else 0, now),
            lut=store_mod.now_ns(), key=new_key)
        if new.size() > ns.max_record_size - 1:
            raise ServerError(RECORD_TOO_BIG)
        ns.put(digest, new)
        return success_reply(result, new.gen, new.void_time)
    return success_reply(result, gen, void_time)


def _ttl_of(ttl):
    """A record.set_ttl value as a message TTL: -2 keeps the TTL, -1 never expires."""
    if ttl == TTL_DONT_UPDATE:
        return store_mod.TTL_DONT_UPDATE
    if ttl < 0:
        return store_mod.TTL_NEVER_EXPIRE
    return ttl & 0xFFFFFFFF


def single(server, store, msg):
    """A record UDF message (commands.single_record hands it over)."""
    from .. import commands
    ns, digest, set_name, key = commands.locate(store, msg)
    call = UdfCall(msg)
    rec = ns.get(digest)
    if rec is not None:
        commands.check_set_and_key(rec, set_name, key)
        commands.apply_filter(msg, commands.RecordContext(ns, digest, set_name, rec))
    return run(server, ns, digest, set_name, key, msg, rec, call)
