"""Bitwise operations on blob bins, as the Aerospike server executes them.

Entry points (used by the server core and by the expression evaluator):

``execute(op, bin_value, write) -> (result, new_value)``
    ``op`` is the decoded op payload ``[op_code, args...]``; ``bin_value`` is the
    bin's current value (``bytes`` for a blob) or ``values.MISSING``; ``write``
    is True for BIT_MODIFY and False for BIT_READ.  ``result`` is the op's answer
    (None for modify ops), ``new_value`` the new blob or ``values.MISSING`` when
    the bin is left as it was.  Errors raise ``ServerError`` with the server's
    result code.

The expression evaluator evaluates bit read calls with
``execute(op, blob, False)[0]`` and bit modify calls with
``execute(op, blob, True)``, taking the new blob (or ``blob`` itself when the
new value is ``MISSING``).

Positions are counted in bits from the most significant bit of the first byte.
A blob is handled as one Python integer; every op works on the bit range
``[start, start + size)`` of it.
"""

from .. import values
from ..errors import (
    BIN_EXISTS,
    BIN_NOT_FOUND,
    BIN_TYPE,
    OP_NOT_APPLICABLE,
    PARAMETER,
    ServerError,
)

PROTO_SIZE_MAX = 128 * 1024 * 1024
U64 = (1 << 64) - 1

# Op codes (as_bits_op_type).
RESIZE, INSERT, REMOVE, SET, OR, XOR, AND, NOT = range(8)
LSHIFT, RSHIFT, ADD, SUBTRACT, SET_INT = range(8, 13)
GET, COUNT, LSCAN, RSCAN, GET_INT = range(50, 55)

# Write flags (bit policy).
CREATE_ONLY, UPDATE_ONLY, NO_FAIL, PARTIAL = 1, 2, 4, 8
# Resize flags.
FROM_FRONT, GROW_ONLY, SHRINK_ONLY = 1, 2, 4
# Integer sub-flags: signedness and overflow action (fail is 0).
SIGNED, SATURATE, WRAP = 1, 2, 4


class NoOp(Exception):
    """The op does nothing: a no-fail failure or a resize to the current size."""


def fail(code, flags):
    """Fail with ``code`` unless the no-fail flag (4 for bit and HLL ops) makes it a no-op."""
    if flags & NO_FAIL:
        raise NoOp()
    raise ServerError(code)


class _Op:
    """Parsed arguments of one bit op; ``offset`` and ``size`` are in bits."""

    __slots__ = ("code", "offset", "size", "value", "buf", "flags", "subflags")

    def __init__(self, code):
        self.code = code
        self.offset = 0
        self.size = 0
        self.value = 0
        self.buf = b""
        self.flags = 0
        self.subflags = 0


# ---------------------------------------------------------------- argument parsing

def int_arg(arg):
    """An integer op argument (msgpack bools are not integers for the server)."""
    if not isinstance(arg, int) or isinstance(arg, bool):
        raise ServerError(PARAMETER, "expected an integer argument")
    return arg


def uint_arg(arg):
    """An integer argument read as uint64, as msgpack_get_uint64 does."""
    return int_arg(arg) & U64


def signed_arg(arg):
    """An integer argument read as int64, as msgpack_get_int64 does."""
    v = int_arg(arg) & U64
    return v - (1 << 64) if v >> 63 else v


def _parse_byte_offset(op, arg):
    offset = signed_arg(arg)
    if abs(offset) > PROTO_SIZE_MAX:
        raise ServerError(PARAMETER, "byte offset too large")
    op.offset = offset * 8


def _parse_offset(op, arg):
    offset = signed_arg(arg)
    if abs(offset) > PROTO_SIZE_MAX * 8:
        raise ServerError(PARAMETER, "bit offset too large")
    op.offset = offset


def _parse_integer_size(op, arg):
    size = uint_arg(arg)
    if not 0 < size <= 64:
        raise ServerError(PARAMETER, "integer size must be 1..64")
    op.size = size


def _parse_byte_size(op, arg):
    size = uint_arg(arg)
    if not 0 < size <= PROTO_SIZE_MAX:
        raise ServerError(PARAMETER, "bad byte size")
    op.size = size * 8


def _parse_byte_size_allow_zero(op, arg):
    size = uint_arg(arg)
    if size > PROTO_SIZE_MAX:
        raise ServerError(PARAMETER, "byte size too large")
    op.size = size * 8


def _parse_size(op, arg):
    size = uint_arg(arg)
    if not 0 < size <= PROTO_SIZE_MAX * 8:
        raise ServerError(PARAMETER, "bad bit size")
    op.size = size


def _parse_bool(op, arg):
    if not isinstance(arg, bool):
        raise ServerError(PARAMETER, "expected a boolean")
    op.value = int(arg)


def _parse_integer_value(op, arg):
    op.value = uint_arg(arg)


def _parse_n_bits(op, arg):
    _parse_integer_value(op, arg)
    if op.value > PROTO_SIZE_MAX * 8:
        raise ServerError(PARAMETER, "shift too large")


def _parse_buf(op, arg):
    if isinstance(arg, str) and not isinstance(arg, values.GeoJSON):
        arg = arg.encode("utf-8", "surrogateescape")
    if not isinstance(arg, bytes) or not arg:
        raise ServerError(PARAMETER, "expected a non-empty blob")
    n_bits = len(arg) * 8
    if op.size == 0:
        op.size = n_bits
    elif n_bits < op.size:
        raise ServerError(PARAMETER, "value shorter than bit size")
    op.buf = bytes(arg)


def _flags_parser(allowed):
    def parse(op, arg):
        op.flags = uint_arg(arg)
        if op.flags & ~allowed:
            raise ServerError(PARAMETER, "write flag not allowed for this op")
        if op.flags & CREATE_ONLY and op.flags & UPDATE_ONLY:
            raise ServerError(PARAMETER, "create-only with update-only")
    return parse


def _subflags_parser(allowed, exclusive=0):
    def parse(op, arg):
        op.subflags = uint_arg(arg)
        if op.subflags & ~allowed or (exclusive and op.subflags & exclusive == exclusive):
            raise ServerError(PARAMETER, "bad sub-flags")
    return parse


_CREATE_FLAGS = _flags_parser(CREATE_ONLY | UPDATE_ONLY | NO_FAIL)
_PARTIAL_FLAGS = _flags_parser(UPDATE_ONLY | NO_FAIL | PARTIAL)
_UPDATE_FLAGS = _flags_parser(UPDATE_ONLY | NO_FAIL)
_RESIZE_SUBFLAGS = _subflags_parser(FROM_FRONT | GROW_ONLY | SHRINK_ONLY, GROW_ONLY | SHRINK_ONLY)
_MATH_SUBFLAGS = _subflags_parser(SIGNED | SATURATE | WRAP, SATURATE | WRAP)
_GET_INT_SUBFLAGS = _subflags_parser(SIGNED)

# op code -> (minimum number of args, argument parsers in order)
_BUF_OP_ARGS = (3, (_parse_offset, _parse_size, _parse_buf, _PARTIAL_FLAGS))
_SHIFT_ARGS = (3, (_parse_offset, _parse_size, _parse_n_bits, _PARTIAL_FLAGS))
_MATH_ARGS = (3, (_parse_offset, _parse_integer_size, _parse_integer_value, _UPDATE_FLAGS,
                  _MATH_SUBFLAGS))
_MODIFY_ARGS = {
    RESIZE: (1, (_parse_byte_size_allow_zero, _CREATE_FLAGS, _RESIZE_SUBFLAGS)),
    INSERT: (2, (_parse_byte_offset, _parse_buf, _CREATE_FLAGS)),
    REMOVE: (2, (_parse_byte_offset, _parse_byte_size, _PARTIAL_FLAGS)),
    SET: _BUF_OP_ARGS,
    OR: _BUF_OP_ARGS,
    XOR: _BUF_OP_ARGS,
    AND: _BUF_OP_ARGS,
    NOT: (2, (_parse_offset, _parse_size, _PARTIAL_FLAGS)),
    LSHIFT: _SHIFT_ARGS,
    RSHIFT: _SHIFT_ARGS,
    ADD: _MATH_ARGS,
    SUBTRACT: _MATH_ARGS,
    SET_INT: (3, (_parse_offset, _parse_integer_size, _parse_integer_value, _UPDATE_FLAGS)),
}
_READ_ARGS = {
    GET: (2, (_parse_offset, _parse_size)),
    COUNT: (2, (_parse_offset, _parse_size)),
    LSCAN: (3, (_parse_offset, _parse_size, _parse_bool)),
    RSCAN: (3, (_parse_offset, _parse_size, _parse_bool)),
    GET_INT: (2, (_parse_offset, _parse_integer_size, _GET_INT_SUBFLAGS)),
}


def parse_op(op_list, table, make_op, what):
    """The op object of ``[code, args...]`` whose code ``table`` maps to (min args, parsers);
    shared by the bit and HLL engines."""
    if not isinstance(op_list, list) or not op_list:
        raise ServerError(PARAMETER, "%s op must be a non-empty list" % what)
    code = op_list[0]
    if not isinstance(code, int) or isinstance(code, bool) or code not in table:
        raise ServerError(PARAMETER, "unknown %s op %r" % (what, code))
    min_args, parsers = table[code]
    args = op_list[1:]
    if not min_args <= len(args) <= len(parsers):
        raise ServerError(PARAMETER, "wrong number of arguments")
    op = make_op(code)
    for parse, arg in zip(parsers, args):
        parse(op, arg)
    return op


def _parse(op_list, write):
    return parse_op(op_list, _MODIFY_ARGS if write else _READ_ARGS, _Op, "bit")


# ---------------------------------------------------------------- range helpers

class _Bits:
    """A blob as an integer: ``n`` bits, bit 0 being the first byte's top bit."""

    __slots__ = ("value", "n")

    def __init__(self, data):
        self.value = int.from_bytes(data, "big")
        self.n = len(data) * 8

    def get(self, start, size):
        return (self.value >> (self.n - start - size)) & ((1 << size) - 1)

    def put(self, start, size, field):
        shift = self.n - start - size
        mask = ((1 << size) - 1) << shift
        self.value = (self.value & ~mask) | ((field << shift) & mask)

    def to_bytes(self):
        return self.value.to_bytes(self.n // 8, "big")


def _leading_bits(buf, size):
    """The first ``size`` bits of ``buf`` as an integer."""
    return int.from_bytes(buf, "big") >> (len(buf) * 8 - size)


def _sign_extend(v, n_bits):
    v &= (1 << n_bits) - 1
    return v - (1 << n_bits) if v >> (n_bits - 1) else v


def _normalize(op, old_size):
    """Resolve a negative offset against the blob; return the op's first byte."""
    if op.offset < 0:
        if -op.offset > old_size * 8:
            raise ServerError(PARAMETER, "offset before start of blob")
        op.offset += old_size * 8
    return op.offset // 8


def _check_in_blob(op, old_size, allow_partial):
    """Modify/read ops work inside the blob; partial clips the range at its end.

    Returns the op's (possibly clipped) size in bits.
    """
    start = op.offset
    first_byte = start // 8
    end_byte = (start + op.size + 7) // 8
    if first_byte >= old_size:
        fail(OP_NOT_APPLICABLE, op.flags)
    if end_byte > old_size:
        if not (allow_partial and op.flags & PARTIAL):
            fail(OP_NOT_APPLICABLE, op.flags)
        return old_size * 8 - start
    return op.size


# ---------------------------------------------------------------- modify ops

def _resize(op, data):
    old_size, new_size = len(data), op.size // 8
    if new_size < old_size:
        if op.subflags & GROW_ONLY:
            fail(PARAMETER, op.flags)
        return data[old_size - new_size:] if op.subflags & FROM_FRONT else data[:new_size]
    if new_size > old_size:
        if op.subflags & SHRINK_ONLY:
            fail(PARAMETER, op.flags)
        pad = bytes(new_size - old_size)
        return pad + data if op.subflags & FROM_FRONT else data + pad
    raise NoOp()


def _insert(op, data):
    at = op.offset // 8
    if at >= len(data):
        return data + bytes(at - len(data)) + op.buf
    return data[:at] + op.buf + data[at:]


def _remove(op, data):
    at = op.offset // 8
    n_bytes = op.size // 8
    if at >= len(data):
        fail(PARAMETER, op.flags)
    if at + n_bytes > len(data):
        if not op.flags & PARTIAL:
            fail(PARAMETER, op.flags)
        n_bytes = len(data) - at
    return data[:at] + data[at + n_bytes:]


def _bitwise(combine):
    """A range op: ``combine(op, field, size) -> new field``."""

    def run(op, data):
        size = _check_in_blob(op, len(data), allow_partial=True)
        bits = _Bits(data)
        bits.put(op.offset, size, combine(op, bits.get(op.offset, size), size))
        return bits.to_bytes()

    return run


def _buf_field(op, size):
    return _leading_bits(op.buf, op.size) >> (op.size - size)


def _math(compute):
    """An integer op: ``compute(op, loaded, size) -> stored``; no partial."""

    def run(op, data):
        _check_in_blob(op, len(data), allow_partial=False)
        bits = _Bits(data)
        bits.put(op.offset, op.size, compute(op, bits.get(op.offset, op.size), op.size))
        return bits.to_bytes()

    return run


def _signed_overflow(op, n_bits, load, value, result):
    """The server's signed overflow check (value already negated for subtract)."""
    s_load, s_value = _sign_extend(load, n_bits), _sign_extend(value, n_bits)
    s_result = _sign_extend(result, n_bits)
    if s_load < 0 and s_value < 0 and s_result > 0:
        if not op.subflags & SATURATE:
            fail(OP_NOT_APPLICABLE, op.flags)
        return 1 << (n_bits - 1)
    if s_load > 0 and s_value > 0 and s_result < 0:
        if not op.subflags & SATURATE:
            fail(OP_NOT_APPLICABLE, op.flags)
        return (1 << (n_bits - 1)) - 1
    return result


def _add(op, load, n_bits):
    mask = (1 << n_bits) - 1
    value = op.value & mask
    result = (load + value) & mask
    if op.subflags & WRAP:
        return result
    if op.subflags & SIGNED:
        return _signed_overflow(op, n_bits, load, value, result)
    if result < load:
        if not op.subflags & SATURATE:
            fail(OP_NOT_APPLICABLE, op.flags)
        return mask
    return result


def _subtract(op, load, n_bits):
    mask = (1 << n_bits) - 1
    value = op.value & mask
    result = (load - value) & mask
    if op.subflags & WRAP:
        return result
    if op.subflags & SIGNED:
        return _signed_overflow(op, n_bits, load, -value & U64, result)
    if result > load:
        if not op.subflags & SATURATE:
            fail(OP_NOT_APPLICABLE, op.flags)
        return 0
    return result


_MODIFIERS = {
    RESIZE: _resize,
    INSERT: _insert,
    REMOVE: _remove,
    SET: _bitwise(lambda op, field, size: _buf_field(op, size)),
    OR: _bitwise(lambda op, field, size: field | _buf_field(op, size)),
    XOR: _bitwise(lambda op, field, size: field ^ _buf_field(op, size)),
    AND: _bitwise(lambda op, field, size: field & _buf_field(op, size)),
    NOT: _bitwise(lambda op, field, size: ~field),
    LSHIFT: _bitwise(lambda op, field, size: field << op.value if op.value < size else 0),
    RSHIFT: _bitwise(lambda op, field, size: field >> op.value),
    ADD: _math(_add),
    SUBTRACT: _math(_subtract),
    SET_INT: _math(lambda op, load, n_bits: op.value),
}


def _modify(op, bin_value):
    if bin_value is values.MISSING:
        if op.code not in (INSERT, RESIZE) or op.flags & UPDATE_ONLY:
            fail(BIN_NOT_FOUND, op.flags)
        data = b""
        if op.offset < 0:
            raise ServerError(PARAMETER, "negative offset on a missing bin")
    else:
        if op.flags & CREATE_ONLY:
            fail(BIN_EXISTS, op.flags)
        if type(bin_value) is not bytes:
            raise ServerError(BIN_TYPE, "bit op on a non-blob bin")
        data = bin_value
    if op.code != RESIZE:
        _normalize(op, len(data))
    new = _MODIFIERS[op.code](op, data)
    if len(new) >= PROTO_SIZE_MAX:
        raise ServerError(PARAMETER, "blob too large")
    return new


# ---------------------------------------------------------------- read ops

def _read_get(op, bits, window_start):
    field = bits.get(op.offset, op.size)
    n_bytes = (op.size + 7) // 8
    return (field << (n_bytes * 8 - op.size)).to_bytes(n_bytes, "big")


def _read_count(op, bits, window_start):
    return bin(bits.get(op.offset, op.size)).count("1")


def _read_lscan(op, bits, window_start):
    field = bits.get(op.offset, op.size)
    if not op.value:
        field ^= (1 << op.size) - 1
    if not field:
        return -1
    return op.size - field.bit_length()


def _read_rscan(op, bits, window_start):
    # The server scans back into the head of the first byte, before the
    # offset, and then answers a negative position.
    head = op.offset - window_start
    width = head + op.size
    field = bits.get(window_start, width)
    if not op.value:
        field ^= (1 << width) - 1
    if not field:
        return -1
    lowest = (field & -field).bit_length() - 1
    return width - 1 - lowest - head


def _read_get_int(op, bits, window_start):
    field = bits.get(op.offset, op.size)
    # The answer is an int64 particle: an unsigned 64-bit value wraps negative.
    return _sign_extend(field, op.size if op.subflags & SIGNED else 64)


_READERS = {
    GET: _read_get,
    COUNT: _read_count,
    LSCAN: _read_lscan,
    RSCAN: _read_rscan,
    GET_INT: _read_get_int,
}


def _read(op, data):
    first_byte = _normalize(op, len(data))
    _check_in_blob(op, len(data), allow_partial=False)
    return _READERS[op.code](op, _Bits(data), first_byte * 8)


# ---------------------------------------------------------------- entry point

def execute(op, bin_value, write):
    """Run one bit op (see the module docstring); returns (result, new_value)."""
    if not write and bin_value is values.MISSING:
        return None, values.MISSING
    parsed = _parse(op, write)
    if not write:
        if type(bin_value) is not bytes:
            raise ServerError(BIN_TYPE, "bit op on a non-blob bin")
        return _read(parsed, bin_value), values.MISSING
    try:
        return None, _modify(parsed, bin_value)
    except NoOp:
        return None, values.MISSING
