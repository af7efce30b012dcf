"""Bitwise operations on blob bins for ``client.operate``.

Offsets and sizes count bits (``bit_*``) or bytes (``byte_*``); ``policy`` is a bit policy
dict (``bit_write_flags``); ``sign``/``action`` control integer arithmetic on bit fields.
"""

import warnings

import aerospike_cffi as aerospike

from .. import _wire
from ._opdict import op

# Keys of the op dicts (public for code that builds or reads them); some are unused.
#: Keys of the operation dicts this module builds (each name's value is the key).
OP_KEY, BIN_KEY, POLICY_KEY, VALUE_KEY, VALUE_BYTE_SIZE_KEY = "op", "bin", "policy", "value", "value_byte_size"
#: Keys of the operation dicts this module builds (each name's value is the key).
BIT_OFFSET_KEY, BIT_SIZE_KEY, RESIZE_FLAGS_KEY = "bit_offset", "bit_size", "resize_flags"
#: Keys of the operation dicts this module builds (each name's value is the key).
BYTE_OFFSET_KEY, BYTE_SIZE_KEY = "byte_offset", "byte_size"
#: Keys of the operation dicts this module builds (each name's value is the key).
SIGN_KEY, ACTION_KEY, COUNT_KEY, INDEX_KEY, KEY_KEY, OFFSET_KEY = "sign", "action", "count", "index", "key", "offset"


def _with_value_byte_size(code, bin_name, policy, value_byte_size, value, **fields):
    # value_byte_size is still sent, but the server derives it from the value.
    warnings.warn("value_byte_size is ignored by the server and will go away", DeprecationWarning, stacklevel=3)
    return op(code, bin_name, policy=policy, value_byte_size=value_byte_size, value=value, **fields)


def bit_resize(bin_name, byte_size, policy=None, resize_flags=0):
    """Grow or shrink the blob to ``byte_size`` (``BIT_RESIZE_*`` flags)."""
    return op(aerospike.OP_BIT_RESIZE, bin_name, policy=policy, resize_flags=resize_flags, byte_size=byte_size)


def bit_remove(bin_name, byte_offset, byte_size, policy=None):
    """Remove ``byte_size`` bytes at ``byte_offset``."""
    return op(aerospike.OP_BIT_REMOVE, bin_name, policy=policy, byte_offset=byte_offset, byte_size=byte_size)


def bit_set(bin_name, bit_offset, bit_size, value_byte_size, value, policy=None):
    """Overwrite ``bit_size`` bits at ``bit_offset`` with the bits of ``value``."""
    return _with_value_byte_size(aerospike.OP_BIT_SET, bin_name, policy, value_byte_size, value,
                                 bit_offset=bit_offset, bit_size=bit_size)


def bit_set_int(bin_name, bit_offset, bit_size, value, policy=None):
    """Overwrite ``bit_size`` bits at ``bit_offset`` with the integer ``value``."""
    return op(aerospike.OP_BIT_SET_INT, bin_name, policy=policy, bit_offset=bit_offset, bit_size=bit_size,
              value=value)


def bit_count(bin_name, bit_offset, bit_size):
    """Return how many bits are set in the range."""
    return op(aerospike.OP_BIT_COUNT, bin_name, bit_offset=bit_offset, bit_size=bit_size)


def bit_add(bin_name, bit_offset, bit_size, value, sign, action, policy=None):
    """Add ``value`` to the integer in the range (overflow handled by ``action``)."""
    return op(aerospike.OP_BIT_ADD, bin_name, policy=policy, bit_offset=bit_offset, bit_size=bit_size,
              value=value, sign=sign, action=action)


def bit_subtract(bin_name, bit_offset, bit_size, value, sign, action, policy=None):
    """Subtract ``value`` from the integer in the range (underflow handled by ``action``)."""
    return op(aerospike.OP_BIT_SUBTRACT, bin_name, policy=policy, bit_offset=bit_offset, bit_size=bit_size,
              value=value, sign=sign, action=action)


def bit_and(bin_name, bit_offset, bit_size, value_byte_size, value, policy=None):
    """AND the range with ``value``."""
    return _with_value_byte_size(aerospike.OP_BIT_AND, bin_name, policy, value_byte_size, value,
                                 bit_offset=bit_offset, bit_size=bit_size)


def bit_or(bin_name, bit_offset, bit_size, value_byte_size, value, policy=None):
    """OR the range with ``value``."""
    return _with_value_byte_size(aerospike.OP_BIT_OR, bin_name, policy, value_byte_size, value,
                                 bit_offset=bit_offset, bit_size=bit_size)


def bit_xor(bin_name, bit_offset, bit_size, value_byte_size, value, policy=None):
    """XOR the range with ``value``."""
    return _with_value_byte_size(aerospike.OP_BIT_XOR, bin_name, policy, value_byte_size, value,
                                 bit_offset=bit_offset, bit_size=bit_size)


def bit_insert(bin_name, byte_offset, value_byte_size, value, policy=None):
    """Insert the bytes of ``value`` at ``byte_offset``."""
    return _with_value_byte_size(aerospike.OP_BIT_INSERT, bin_name, policy, value_byte_size, value,
                                 byte_offset=byte_offset)


def bit_not(bin_name, bit_offset, bit_size, policy=None):
    """Invert the bits of the range."""
    return op(aerospike.OP_BIT_NOT, bin_name, bit_offset=bit_offset, bit_size=bit_size, policy=policy)


def bit_lshift(bin_name, bit_offset, bit_size, shift, policy=None):
    """Shift the range left by ``shift`` bits."""
    return op(aerospike.OP_BIT_LSHIFT, bin_name, bit_offset=bit_offset, bit_size=bit_size, value=shift,
              policy=policy)


def bit_rshift(bin_name, bit_offset, bit_size, shift, policy=None):
    """Shift the range right by ``shift`` bits."""
    return op(aerospike.OP_BIT_RSHIFT, bin_name, bit_offset=bit_offset, bit_size=bit_size, value=shift,
              policy=policy)


def bit_get(bin_name, bit_offset, bit_size):
    """Return the bits of the range as bytes."""
    return op(aerospike.OP_BIT_GET, bin_name, bit_offset=bit_offset, bit_size=bit_size)


def bit_get_int(bin_name, bit_offset, bit_size, sign):
    """Return the range as an integer (signed when ``sign``)."""
    return op(aerospike.OP_BIT_GET_INT, bin_name, bit_offset=bit_offset, bit_size=bit_size, sign=sign)


def bit_lscan(bin_name, bit_offset, bit_size, value):
    """Return the position of the first bit equal to ``value`` from the left."""
    return op(aerospike.OP_BIT_LSCAN, bin_name, bit_offset=bit_offset, bit_size=bit_size, value=value)


def bit_rscan(bin_name, bit_offset, bit_size, value):
    """Return the position of the first bit equal to ``value`` from the right."""
    return op(aerospike.OP_BIT_RSCAN, bin_name, bit_offset=bit_offset, bit_size=bit_size, value=value)


def bit_b64_encode(bin_name, byte_offset=0, byte_size=None, invert_size=False, ctx=None):
    """Return (part of) the blob as base64 text."""
    return op(_wire.OP_BIT_B64_ENCODE, bin_name, byte_offset=byte_offset, byte_size=byte_size,
              invert_size=invert_size, ctx=ctx)
