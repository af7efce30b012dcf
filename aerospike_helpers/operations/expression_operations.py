"""Operations that evaluate an expression: read its result, or write it to a bin."""

import aerospike_cffi as aerospike

from ._opdict import op

# Keys of the op dicts.
#: Keys of the operation dicts this module builds (each name's value is the key).
OP_KEY, BIN_KEY, EXPR_KEY, EXPR_FLAGS_KEY = "op", "bin", "expr", "expr_flags"


def expression_read(bin_name, expression, expression_read_flags=0):
    """Return the value of the compiled ``expression`` under the name ``bin_name``."""
    return op(aerospike.OP_EXPR_READ, bin_name, expr=expression, expr_flags=expression_read_flags)


def expression_write(bin_name, expression, expression_write_flags=0):
    """Store the value of the compiled ``expression`` in ``bin_name``."""
    return op(aerospike.OP_EXPR_WRITE, bin_name, expr=expression, expr_flags=expression_write_flags)
