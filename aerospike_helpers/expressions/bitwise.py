"""Bit expressions on blob values: modify (return the new blob) and read (return a value).

``policy`` is a bit policy dict (its ``bit_write_flags`` are sent); ``bin`` is a bin name
(read as a blob bin) or a blob expression.
"""

import aerospike_cffi as aerospike

from .. import _wire
from .base import BlobBin, _bin_operand
from .resources import _BaseExpr, _ExprOp, _GenericExpr, _Keys


def _flags(value):
    return _GenericExpr(_ExprOp._AS_EXP_BIT_FLAGS, 0, {_Keys.VALUE_KEY: value})


def _write_flags(policy):
    has_flags = policy is not None and "bit_write_flags" in policy
    return _flags(policy["bit_write_flags"] if has_flags else 0)


class _BitExpr(_BaseExpr):
    def _read(self, operands, bin):
        self._children = tuple(operands) + (_bin_operand(bin, BlobBin),)

    def _modify(self, policy, operands, bin, *extra_flags):
        # The policy's write flags (then resize flags or overflow action) go before the bin.
        flags = (_write_flags(policy),) + tuple(_flags(0 if f is None else f) for f in extra_flags)
        self._read(tuple(operands) + flags, bin)


class BitResize(_BitExpr):
    """Blob resized to ``byte_size`` (``BIT_RESIZE_*`` ``flags``)."""

    _op = aerospike.OP_BIT_RESIZE

    def __init__(self, policy, byte_size, flags, bin):
        self._modify(policy, (byte_size,), bin, flags)


class BitInsert(_BitExpr):
    """Blob with ``value`` inserted at ``byte_offset``."""

    _op = aerospike.OP_BIT_INSERT

    def __init__(self, policy, byte_offset, value, bin):
        self._modify(policy, (byte_offset, value), bin)


class BitRemove(_BitExpr):
    """Blob with ``byte_size`` bytes removed at ``byte_offset``."""

    _op = aerospike.OP_BIT_REMOVE

    def __init__(self, policy, byte_offset, byte_size, bin):
        self._modify(policy, (byte_offset, byte_size), bin)


class BitSet(_BitExpr):
    """Blob with the bit range overwritten by ``value``."""

    _op = aerospike.OP_BIT_SET

    def __init__(self, policy, bit_offset, bit_size, value, bin):
        self._modify(policy, (bit_offset, bit_size, value), bin)


class BitOr(_BitExpr):
    """Blob with the bit range ORed with ``value``."""

    _op = aerospike.OP_BIT_OR

    def __init__(self, policy, bit_offset, bit_size, value, bin):
        self._modify(policy, (bit_offset, bit_size, value), bin)


class BitXor(_BitExpr):
    """Blob with the bit range XORed with ``value``."""

    _op = aerospike.OP_BIT_XOR

    def __init__(self, policy, bit_offset, bit_size, value, bin):
        self._modify(policy, (bit_offset, bit_size, value), bin)


class BitAnd(_BitExpr):
    """Blob with the bit range ANDed with ``value``."""

    _op = aerospike.OP_BIT_AND

    def __init__(self, policy, bit_offset, bit_size, value, bin):
        self._modify(policy, (bit_offset, bit_size, value), bin)


class BitNot(_BitExpr):
    """Blob with the bit range inverted."""

    _op = aerospike.OP_BIT_NOT

    def __init__(self, policy, bit_offset, bit_size, bin):
        self._modify(policy, (bit_offset, bit_size), bin)


class BitLeftShift(_BitExpr):
    """Blob with the bit range shifted left by ``shift``."""

    _op = aerospike.OP_BIT_LSHIFT

    def __init__(self, policy, bit_offset, bit_size, shift, bin):
        self._modify(policy, (bit_offset, bit_size, shift), bin)


class BitRightShift(_BitExpr):
    """Blob with the bit range shifted right by ``shift``."""

    _op = aerospike.OP_BIT_RSHIFT

    def __init__(self, policy, bit_offset, bit_size, shift, bin):
        self._modify(policy, (bit_offset, bit_size, shift), bin)


class BitAdd(_BitExpr):
    """Blob with ``value`` added to the integer in the bit range (overflow ``action``)."""

    _op = aerospike.OP_BIT_ADD

    def __init__(self, policy, bit_offset, bit_size, value, action, bin):
        self._modify(policy, (bit_offset, bit_size, value), bin, action)


class BitSubtract(_BitExpr):
    """Blob with ``value`` subtracted from the integer in the bit range (overflow ``action``)."""

    _op = aerospike.OP_BIT_SUBTRACT

    def __init__(self, policy, bit_offset, bit_size, value, action, bin):
        self._modify(policy, (bit_offset, bit_size, value), bin, action)


class BitSetInt(_BitExpr):
    """Blob with the bit range set to the integer ``value``."""

    _op = aerospike.OP_BIT_SET_INT

    def __init__(self, policy, bit_offset, bit_size, value, bin):
        self._modify(policy, (bit_offset, bit_size, value), bin)


class BitGet(_BitExpr):
    """The bits of the range as a blob."""

    _op = aerospike.OP_BIT_GET

    def __init__(self, bit_offset, bit_size, bin):
        self._read((bit_offset, bit_size), bin)


class BitCount(_BitExpr):
    """How many bits of the range are set."""

    _op = aerospike.OP_BIT_COUNT

    def __init__(self, bit_offset, bit_size, bin):
        self._read((bit_offset, bit_size), bin)


class BitLeftScan(_BitExpr):
    """Position of the first bit equal to ``value`` from the left of the range."""

    _op = aerospike.OP_BIT_LSCAN

    def __init__(self, bit_offset, bit_size, value, bin):
        self._read((bit_offset, bit_size, value), bin)


class BitRightScan(_BitExpr):
    """Position of the first bit equal to ``value`` from the right of the range."""

    _op = aerospike.OP_BIT_RSCAN

    def __init__(self, bit_offset, bit_size, value, bin):
        self._read((bit_offset, bit_size, value), bin)


class BitGetInt(_BitExpr):
    """The bit range as an integer (signed when ``sign``)."""

    _op = aerospike.OP_BIT_GET_INT

    def __init__(self, bit_offset, bit_size, sign, bin):
        self._read((bit_offset, bit_size, 1 if sign else 0), bin)


class BitB64Encode(_BitExpr):
    """The blob (or ``byte_size`` bytes from ``byte_offset``) as base64 text."""

    def __init__(self, byte_offset, byte_size, invert_size, bin):
        if byte_size is None:
            self._op = _wire.OP_BIT_B64_ENCODE
            self._read((), bin)
        else:
            self._op = _wire.OP_BIT_B64_ENCODE_RANGE
            self._read((byte_offset, byte_size, 1 if invert_size else 0), bin)
