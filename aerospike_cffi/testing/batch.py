"""The batch index protocol: many single-record commands in one message.

The request's field 41 holds the record count, a flags byte, then per record:
its index (u32), digest (20 bytes) and a type byte.  Type 1 (repeat) reuses the
previous record's namespace, set, attributes and operations.  Type 0 (the old
read form) is followed by read attributes, field and op counts, fields and ops.
Otherwise the type is a bit set (2 = attributes, 4 = generation, 8 = TTL,
16 = info4) telling which of read/write/info attributes, info4, generation (u16)
and TTL (u32) follow before the field and op counts, fields and ops.

Each record runs as the single-record command it describes; its answer is one
AS_MSG whose transaction-timeout slot carries the record's index, and a last
message with INFO3_LAST ends the batch.
"""

import struct

from . import commands, wire
from .errors import PARAMETER, UNSUPPORTED_FEATURE, ServerError

TYPE_REPEAT = 0x1
TYPE_INFO = 0x2
TYPE_GEN = 0x4
TYPE_TTL = 0x8
TYPE_INFO4 = 0x10

# Replies are sent in frames of about this many bytes.
FRAME_TARGET = 256 * 1024

_u16 = struct.Struct(">H").unpack_from
_u32 = struct.Struct(">I").unpack_from


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ServerError(PARAMETER, "truncated batch field")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return _u16(self.take(2))[0]

    def u32(self):
        return _u32(self.take(4))[0]

    def fields_and_ops(self, n_fields, n_ops):
        fields = {}
        for _ in range(n_fields):
            size = self.u32()
            if size < 1:
                raise ServerError(PARAMETER, "bad batch field size")
            chunk = self.take(size)
            fields[chunk[0]] = chunk[1:]
        ops = []
        for _ in range(n_ops):
            size = self.u32()
            if size < 4:
                raise ServerError(PARAMETER, "bad batch op size")
            chunk = self.take(size)
            name_len = chunk[3]
            if 4 + name_len > size:
                raise ServerError(PARAMETER, "bad batch op name")
            name = bytes(chunk[4:4 + name_len]).decode("utf-8", "surrogateescape")
            ops.append(wire.Op(chunk[0], chunk[1], name, chunk[4 + name_len:]))
        return fields, ops


def check_parent_filter(msg):
    """The real server compiles the batch policy's filter once for the whole
    batch: a filter that does not compile, or is not boolean, refuses the
    whole batch with PARAMETER (no record is answered)."""
    filt = msg.field(wire.FIELD_FILTER)
    if filt is None:
        return
    from . import expr

    if expr.compile_expression(bytes(filt)).type != expr.T_BOOL:
        raise ServerError(PARAMETER, "a filter must be boolean")


def parse(msg):
    """[(index, Message)] of the records of a batch request."""
    check_parent_filter(msg)
    reader = _Reader(memoryview(msg.field(wire.FIELD_BATCH_INDEX)))
    count = reader.u32()
    reader.u8()  # flags: inline / respond-all-keys; every key is answered here
    parent_filter = msg.field(wire.FIELD_FILTER)
    records = []
    prev = None
    for _ in range(count):
        index = reader.u32()
        digest = bytes(reader.take(20))
        kind = reader.u8()
        if kind == TYPE_REPEAT:
            if prev is None:
                raise ServerError(PARAMETER, "batch repeat without a previous record")
            sub = _copy_message(prev)
        else:
            sub = wire.Message(record_ttl=msg.record_ttl)
            sub.info1 = reader.u8()
            if kind & TYPE_INFO:
                sub.info2 = reader.u8()
                sub.info3 = reader.u8()
                if kind & TYPE_INFO4:
                    sub.info4 = reader.u8()
                if kind & TYPE_GEN:
                    sub.generation = reader.u16()
                if kind & TYPE_TTL:
                    sub.record_ttl = reader.u32()
            n_fields = reader.u16()
            n_ops = reader.u16()
            sub.fields, sub.ops = reader.fields_and_ops(n_fields, n_ops)
            if wire.FIELD_FILTER not in sub.fields and parent_filter is not None:
                sub.fields[wire.FIELD_FILTER] = parent_filter
        sub.fields[wire.FIELD_DIGEST] = digest
        records.append((index, sub))
        prev = sub
    return records


def _copy_message(msg):
    copy = wire.Message(msg.info1, msg.info2, msg.info3, msg.info4, 0, msg.generation,
                        msg.record_ttl, 0, dict(msg.fields), msg.ops)
    copy.fields.pop(wire.FIELD_KEY, None)  # a user key is never repeated
    return copy


def run_record(store, sub):
    """The single-record reply body for one batch record."""
    if wire.FIELD_UDF_FUNCTION in sub.fields:
        raise ServerError(UNSUPPORTED_FEATURE, "UDFs are not supported")
    return commands.single_record(store, sub)


def with_index(body, index):
    """``body`` with the batch index in its transaction-timeout slot."""
    return body[:14] + struct.pack(">I", index) + body[18:]


def handle(server, msg):
    """Yield the reply bodies of a batch request."""
    try:
        records = parse(msg)
    except ServerError as e:
        yield wire.build_message(result_code=e.code, info3=wire.INFO3_LAST)
        return
    chunk = []
    size = 0
    for index, sub in records:
        command = run_record
        if wire.FIELD_UDF_FUNCTION in sub.fields:
            command = commands.udf_record(server)  # a record UDF (batch apply)
        body = with_index(commands.guarded(command, server.store, sub), index)
        chunk.append(body)
        size += len(body)
        if size >= FRAME_TARGET:
            yield b"".join(chunk)
            chunk, size = [], 0
    chunk.append(wire.build_message(info3=wire.INFO3_LAST))
    yield b"".join(chunk)
