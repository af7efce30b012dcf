"""Single-bin and record operations: read, write, increment, append, prepend, touch, delete,
and path selection/modification over nested CDTs."""

import warnings

import aerospike_cffi as aerospike

from .. import _wire
from ._opdict import if_true, op


def read(bin_name):
    """Return the value of ``bin_name``."""
    return op(aerospike.OPERATOR_READ, bin_name)


def write(bin_name, write_item):
    """Set ``bin_name`` to ``write_item``."""
    return op(aerospike.OPERATOR_WRITE, bin_name, val=write_item)


def delete():
    """Delete the whole record."""
    return op(aerospike.OPERATOR_DELETE)


def append(bin_name, append_item):
    """Append a string or bytes to ``bin_name``."""
    return op(aerospike.OPERATOR_APPEND, bin_name, val=append_item)


def prepend(bin_name, prepend_item):
    """Prepend a string or bytes to ``bin_name``."""
    return op(aerospike.OPERATOR_PREPEND, bin_name, val=prepend_item)


def increment(bin_name, amount):
    """Add ``amount`` (int or float) to ``bin_name``."""
    return op(aerospike.OPERATOR_INCR, bin_name, val=amount)


def touch(ttl=None):
    """Reset the record's time to live; pass the ttl through the operate policy/meta instead."""
    if ttl:
        warnings.warn("touch(ttl): give the ttl in the operate meta or policy", DeprecationWarning)
    return op(aerospike.OPERATOR_TOUCH, val=if_true(ttl))


def select_by_path(bin_name, ctx, flags):
    """Read the elements of ``bin_name`` selected by the path ``ctx``."""
    return op(_wire.OPERATOR_CDT_READ, bin_name, ctx=ctx, **{_wire.CDT_FLAGS_KEY: flags})


def modify_by_path(bin_name, ctx, expr, flags):
    """Replace the elements of ``bin_name`` selected by ``ctx`` with the result of ``expr``."""
    fields = {_wire.CDT_APPLY_MOD_EXP_KEY: expr, _wire.CDT_FLAGS_KEY: flags}
    return op(_wire.OPERATOR_CDT_MODIFY, bin_name, ctx=ctx, **fields)
