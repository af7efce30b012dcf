"""Aerospike wire framing: the proto header, AS_MSG, its fields and operations.

Every request and response starts with an 8-byte proto header: version (2),
type (info 1, admin 2, message 3, compressed message 4) and a 48-bit body size.
A message body (AS_MSG) is a 22-byte header followed by ``n_fields`` fields
(4-byte size, 1-byte type, data) and ``n_ops`` operations (4-byte size, op code,
particle type, version, name length, name, value).  A compressed message body is
an 8-byte uncompressed size and the zlib stream of a whole message frame.
"""

import struct
import zlib

from . import values

PROTO_VERSION = 2
TYPE_INFO, TYPE_ADMIN, TYPE_MSG, TYPE_COMPRESSED = 1, 2, 3, 4

# Larger bodies are refused (the connection is closed) rather than buffered.
MAX_BODY_SIZE = 128 * 1024 * 1024

MSG_HEADER_SIZE = 22

# info1
INFO1_READ = 1 << 0
INFO1_GET_ALL = 1 << 1
INFO1_SHORT_QUERY = 1 << 2
INFO1_BATCH = 1 << 3
INFO1_NOBINDATA = 1 << 5
INFO1_COMPRESS_RESPONSE = 1 << 7
# info2
INFO2_WRITE = 1 << 0
INFO2_DELETE = 1 << 1
INFO2_GENERATION = 1 << 2
INFO2_GENERATION_GT = 1 << 3
INFO2_DURABLE_DELETE = 1 << 4
INFO2_CREATE_ONLY = 1 << 5
INFO2_RESPOND_ALL_OPS = 1 << 7
# info3
INFO3_LAST = 1 << 0
INFO3_PARTITION_DONE = 1 << 2
INFO3_UPDATE_ONLY = 1 << 3
INFO3_CREATE_OR_REPLACE = 1 << 4
INFO3_REPLACE_ONLY = 1 << 5

# Field types.
FIELD_NAMESPACE = 0
FIELD_SET = 1
FIELD_KEY = 2
FIELD_RECORD_VERSION = 3
FIELD_DIGEST = 4
FIELD_TXN_ID = 5
FIELD_TXN_DEADLINE = 6
FIELD_TASK_ID = 7
FIELD_SOCKET_TIMEOUT = 9
FIELD_RPS = 10
FIELD_PID_ARRAY = 11
FIELD_DIGEST_ARRAY = 12
FIELD_MAX_RECORDS = 13
FIELD_BVAL_ARRAY = 15
FIELD_INDEX_NAME = 21
FIELD_INDEX_RANGE = 22
FIELD_INDEX_CONTEXT = 23
FIELD_INDEX_EXPRESSION = 24
FIELD_INDEX_TYPE = 26
FIELD_UDF_PACKAGE_NAME = 30
FIELD_UDF_FUNCTION = 31
FIELD_UDF_ARGLIST = 32
FIELD_UDF_OP = 33
FIELD_QUERY_BINS = 40
FIELD_BATCH_INDEX = 41
FIELD_FILTER = 43

# Operation codes.
OP_READ = 1
OP_WRITE = 2
OP_CDT_READ = 3
OP_CDT_MODIFY = 4
OP_INCR = 5
OP_EXP_READ = 7
OP_EXP_MODIFY = 8
OP_APPEND = 9
OP_PREPEND = 10
OP_TOUCH = 11
OP_BITS_READ = 12
OP_BITS_MODIFY = 13
OP_DELETE_ALL = 14
OP_HLL_READ = 15
OP_HLL_MODIFY = 16

_proto = struct.Struct(">Q")
_msg_header = struct.Struct(">BBBBBBIIIHH")
_field_header = struct.Struct(">IB")
_op_header = struct.Struct(">IBBBB")


class ProtocolError(Exception):
    """A frame that cannot be parsed: the connection that sent it is closed."""


class Op:
    """One operation of a message: code, particle type, bin name (str), raw value."""

    __slots__ = ("op", "ptype", "name", "data")

    def __init__(self, op, ptype, name, data):
        self.op = op
        self.ptype = ptype
        self.name = name
        self.data = data

    def value(self):
        """The bin value the operation carries (server value model)."""
        return values.from_particle(self.ptype, self.data)

    def __repr__(self):
        return "Op(%d, ptype=%d, %r, %r)" % (self.op, self.ptype, self.name, bytes(self.data))


class Message:
    """A parsed AS_MSG: header attributes, fields by type (in order) and ops."""

    __slots__ = ("info1", "info2", "info3", "info4", "result_code", "generation",
                 "record_ttl", "timeout", "fields", "ops")

    def __init__(self, info1=0, info2=0, info3=0, info4=0, result_code=0, generation=0,
                 record_ttl=0, timeout=0, fields=None, ops=None):
        self.info1 = info1
        self.info2 = info2
        self.info3 = info3
        self.info4 = info4
        self.result_code = result_code
        self.generation = generation
        self.record_ttl = record_ttl
        self.timeout = timeout
        self.fields = fields if fields is not None else {}
        self.ops = ops if ops is not None else []

    def field(self, ftype, default=None):
        return self.fields.get(ftype, default)

    def str_field(self, ftype):
        data = self.fields.get(ftype)
        return None if data is None else bytes(data).decode("utf-8", "surrogateescape")


def split_proto(header):
    """(version, type, body size) of an 8-byte proto header."""
    word = _proto.unpack(header)[0]
    return word >> 56, (word >> 48) & 0xFF, word & 0xFFFFFFFFFFFF


def proto(ptype, body):
    """``body`` framed with a proto header of type ``ptype``."""
    return _proto.pack((PROTO_VERSION << 56) | (ptype << 48) | len(body)) + body


def compress(frame):
    """A whole message frame as a compressed-message frame."""
    return proto(TYPE_COMPRESSED, _proto.pack(len(frame)) + zlib.compress(frame))


def decompress(body):
    """The (type, body) inside a compressed message body."""
    if len(body) < 8:
        raise ProtocolError("short compressed message")
    try:
        inner = zlib.decompress(bytes(body[8:]))
    except zlib.error as e:
        raise ProtocolError("bad compressed message: %s" % e)
    if len(inner) < 8:
        raise ProtocolError("short decompressed frame")
    version, ptype, size = split_proto(inner[:8])
    if version != PROTO_VERSION or ptype != TYPE_MSG or size != len(inner) - 8:
        raise ProtocolError("bad decompressed frame header")
    return ptype, inner[8:]


def parse_message(body):
    """A Message from an AS_MSG body; ProtocolError when malformed."""
    body = memoryview(body)
    if len(body) < MSG_HEADER_SIZE:
        raise ProtocolError("message shorter than its header")
    (header_sz, info1, info2, info3, info4, result_code, generation, record_ttl, timeout,
     n_fields, n_ops) = _msg_header.unpack_from(body, 0)
    if header_sz < MSG_HEADER_SIZE or header_sz > len(body):
        raise ProtocolError("bad message header size %d" % header_sz)
    msg = Message(info1, info2, info3, info4, result_code, generation, record_ttl, timeout)
    pos = header_sz
    end = len(body)
    for _ in range(n_fields):
        if pos + 5 > end:
            raise ProtocolError("truncated field header")
        size, ftype = _field_header.unpack_from(body, pos)
        if size < 1 or pos + 4 + size > end:
            raise ProtocolError("bad field size %d" % size)
        msg.fields[ftype] = body[pos + 5:pos + 4 + size]
        pos += 4 + size
    for _ in range(n_ops):
        if pos + 8 > end:
            raise ProtocolError("truncated op header")
        size, op, ptype, _version, name_len = _op_header.unpack_from(body, pos)
        if size < 4 + name_len or pos + 4 + size > end:
            raise ProtocolError("bad op size %d" % size)
        name = bytes(body[pos + 8:pos + 8 + name_len]).decode("utf-8", "surrogateescape")
        msg.ops.append(Op(op, ptype, name, body[pos + 8 + name_len:pos + 4 + size]))
        pos += 4 + size
    if pos != end:
        raise ProtocolError("%d trailing bytes after message" % (end - pos))
    return msg


def encode_field(ftype, data):
    return _field_header.pack(len(data) + 1, ftype) + bytes(data)


def encode_op(op, name, value):
    """A response operation carrying ``value`` (None = nil) for bin ``name``."""
    ptype, data = values.to_particle(value)
    name_b = name.encode("utf-8", "surrogateescape")
    return _op_header.pack(4 + len(name_b) + len(data), op, ptype, 0, len(name_b)) + name_b + data


def build_message(result_code=0, generation=0, void_time=0, fields=(), ops=(),
                  info1=0, info2=0, info3=0):
    """An AS_MSG body; ``fields`` are (type, bytes), ``ops`` are encoded ops
    (``encode_op``), so results are frozen the moment an operation makes them."""
    parts = [_msg_header.pack(MSG_HEADER_SIZE, info1, info2, info3, 0, result_code,
                              generation, void_time, 0, len(fields), len(ops))]
    for ftype, data in fields:
        parts.append(encode_field(ftype, data))
    parts.extend(ops)
    return b"".join(parts)
