"""UDFs over scans and queries (field 33 names the kind):

- aggregation (1): the stream function runs once per partition that has
  matching records, over those records; each value the server's stages
  hand out goes back as a message with one ``SUCCESS`` op.  An error ends the
  query with a ``FAILURE`` op "UDF: Execution Error 2 : <Lua message>".  A
  filter expression is refused (UNSUPPORTED_FEATURE), as on the server.
- background (2): a record UDF on every matching record, counted as succeeded
  (no error) or failed in the job ``query-show`` reports.
"""

from .. import commands, wire
from ..errors import UNSUPPORTED_FEATURE, ServerError
from . import MISSING_LUPA, LupaMissing, available
from .apply import UdfCall, packed_bins, record_meta, run
from .registry import registry

OP_AGGREGATE = 1
OP_BACKGROUND = 2
EXEC_ERROR_2 = "UDF: Execution Error 2"


def udf_op(msg):
    data = msg.field(wire.FIELD_UDF_OP)
    return data[0] if data is not None and len(data) else None


def _value_reply(value, success=True):
    return wire.build_message(0, ops=[wire.encode_op(
        wire.OP_READ, "SUCCESS" if success else "FAILURE", value)])


def foreground(server, plan):
    """Yield the reply bodies of an aggregation query."""
    from .. import values
    msg = plan.msg
    if msg.field(wire.FIELD_FILTER) is not None:
        raise ServerError(UNSUPPORTED_FEATURE, "filter expression in an aggregation")
    call = UdfCall(msg)
    try:
        if not available():
            raise LupaMissing(MISSING_LUPA)
        state = registry(server).state(call.module)
    except LupaMissing:
        yield _value_reply(MISSING_LUPA, False)
        yield wire.build_message(info3=wire.INFO3_LAST)
        return
    with server.store.lock:
        by_partition = plan.snapshot()
    for pid, after, after_bval in plan.partitions:
        with server.store.lock:
            candidates = plan.candidates(by_partition.get(pid, ()), after, after_bval)
            if plan.index is None:
                # The server reduces a partition's primary index from the
                # highest digest down.
                candidates.reverse()
            records = []
            for digest, rec, _ in candidates:
                ctx = commands.RecordContext(plan.ns, digest, rec.set_name, rec)
                if plan.selects(ctx):
                    records.append((True, packed_bins(rec.bins),
                                    record_meta(plan.ns, digest, rec.set_name, rec, None)))
        if not records:
            continue
        if state is None:
            yield _value_reply("UDF: Execution Error 1", False)
            yield wire.build_message(info3=wire.INFO3_LAST)
            return
        with server.store.lock:
            ok, out = state.apply_stream(call.function, call.args, records)
        if not ok:
            text = EXEC_ERROR_2
            if out is not None:
                text += " : " + bytes(out).decode("utf-8", "surrogateescape")
            yield _value_reply(text, False)
            yield wire.build_message(info3=wire.INFO3_LAST)
            return
        chunk = [_value_reply(_top(values.unpack(bytes(v)))) for v in out]
        if chunk:
            yield b"".join(chunk)
    yield wire.build_message(info3=wire.INFO3_LAST)


def _top(value):
    from .. import values
    if isinstance(value, (values.Blob, values.HLL)):
        return bytes(value)
    return value


def background(server, plan):
    """Run a background record UDF on every matching record; (succeeded,
    failed, filtered) counts."""
    msg = plan.msg
    call = UdfCall(msg)
    succeeded = failed = filtered = 0
    with server.store.lock:
        by_partition = plan.snapshot()
        for pid, after, after_bval in plan.partitions:
            for digest, rec, _ in plan.candidates(by_partition.get(pid, ()), after, after_bval):
                if plan.ns.get(digest) is not rec:
                    continue  # changed or gone since the snapshot
                ctx = commands.RecordContext(plan.ns, digest, rec.set_name, rec)
                if not plan.selects(ctx):
                    filtered += 1
                    continue
                sub = wire.Message(0, msg.info2 & wire.INFO2_DURABLE_DELETE, 0, 0, 0, 0,
                                   msg.record_ttl)
                try:
                    reply = run(server, plan.ns, digest, rec.set_name, None, sub, rec, call)
                except ServerError:
                    failed += 1
                    continue
                if reply[5] == 0:
                    succeeded += 1
                else:
                    failed += 1
    return succeeded, failed, filtered
