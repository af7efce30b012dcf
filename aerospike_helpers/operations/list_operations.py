"""List operations for ``client.operate``.

``ctx`` (a list of :mod:`aerospike_helpers.cdt_ctx` steps) targets a nested list;
``policy`` is a list policy dict (``list_order``, ``write_flags``); ``return_type`` is a
``LIST_RETURN_*`` constant; ``inverted=True`` selects everything but the matched items.
"""

import aerospike_cffi as aerospike

from .. import _wire
from ._opdict import if_given, if_true, op

# Keys of the op dicts (public for code that builds or reads them).
OP_KEY, BIN_KEY, CTX_KEY, LIST_POLICY_KEY = "op", "bin", "ctx", "list_policy"
VALUE_KEY, VALUE_LIST_KEY, VALUE_BEGIN_KEY, VALUE_END_KEY = "val", "value_list", "value_begin", "value_end"
INDEX_KEY, RANK_KEY, COUNT_KEY, RETURN_TYPE_KEY, INVERTED_KEY = "index", "rank", "count", "return_type", "inverted"
LIST_ORDER_KEY, SORT_FLAGS_KEY, PAD_KEY, PERSIST_INDEX_KEY = "list_order", "sort_flags", "pad", "persist_index"


def _write(code, bin_name, policy, ctx, **fields):
    # Writes carry the list policy and ctx only when they are non-empty.
    return op(code, bin_name, list_policy=if_true(policy), ctx=if_true(ctx), **fields)


def _select(code, bin_name, return_type, ctx, count=None, **fields):
    # By-index/rank/value selections: an optional count, ctx only when non-empty.
    return op(code, bin_name, return_type=return_type, count=if_given(count), ctx=if_true(ctx), **fields)


def list_create(bin_name, list_order, pad, persist_index, ctx=None):
    """Create an empty list with ``list_order`` (at ``ctx`` when given, padding if ``pad``)."""
    return op(aerospike.OP_LIST_CREATE, bin_name, list_order=list_order, pad=pad,
              persist_index=persist_index, ctx=if_given(ctx))


def list_append(bin_name, value, policy=None, ctx=None):
    """Append ``value``; returns the new size."""
    return _write(aerospike.OP_LIST_APPEND, bin_name, policy, ctx, val=value)


def list_append_items(bin_name, values, policy=None, ctx=None):
    """Append every item of ``values``; returns the new size."""
    return _write(aerospike.OP_LIST_APPEND_ITEMS, bin_name, policy, ctx, val=values)


def list_insert(bin_name, index, value, policy=None, ctx=None):
    """Insert ``value`` at ``index``; returns the new size."""
    return _write(aerospike.OP_LIST_INSERT, bin_name, policy, ctx, index=index, val=value)


def list_insert_items(bin_name, index, values, policy=None, ctx=None):
    """Insert the items of ``values`` at ``index``; returns the new size."""
    return _write(aerospike.OP_LIST_INSERT_ITEMS, bin_name, policy, ctx, index=index, val=values)


def list_increment(bin_name, index, value, policy=None, ctx=None):
    """Add ``value`` to the number at ``index``; returns the result."""
    return _write(aerospike.OP_LIST_INCREMENT, bin_name, policy, ctx, index=index, val=value)


def list_set(bin_name, index, value, policy=None, ctx=None):
    """Store ``value`` at ``index``."""
    return _write(aerospike.OP_LIST_SET, bin_name, policy, ctx, index=index, val=value)


def list_pop(bin_name, index, ctx=None):
    """Remove and return the item at ``index``."""
    return op(aerospike.OP_LIST_POP, bin_name, index=index, ctx=if_true(ctx))


def list_pop_range(bin_name, index, count, ctx=None):
    """Remove and return ``count`` items from ``index``."""
    return op(aerospike.OP_LIST_POP_RANGE, bin_name, index=index, val=count, ctx=if_true(ctx))


def list_remove(bin_name, index, ctx=None):
    """Remove the item at ``index``; returns the count removed."""
    return op(aerospike.OP_LIST_REMOVE, bin_name, index=index, ctx=if_true(ctx))


def list_remove_range(bin_name, index, count, ctx=None):
    """Remove ``count`` items from ``index``; returns the count removed."""
    return op(aerospike.OP_LIST_REMOVE_RANGE, bin_name, index=index, val=count, ctx=if_true(ctx))


def list_clear(bin_name, ctx=None):
    """Remove every item."""
    return op(aerospike.OP_LIST_CLEAR, bin_name, ctx=if_true(ctx))


def list_get(bin_name, index, ctx=None):
    """Return the item at ``index``."""
    return op(aerospike.OP_LIST_GET, bin_name, index=index, ctx=if_true(ctx))


def list_get_range(bin_name, index, count, ctx=None):
    """Return ``count`` items from ``index``."""
    return op(aerospike.OP_LIST_GET_RANGE, bin_name, index=index, val=count, ctx=if_true(ctx))


def list_trim(bin_name, index, count, ctx=None):
    """Keep only ``count`` items from ``index``; returns the count removed."""
    return op(aerospike.OP_LIST_TRIM, bin_name, index=index, val=count, ctx=if_true(ctx))


def list_size(bin_name, ctx=None):
    """Return the number of items."""
    return op(aerospike.OP_LIST_SIZE, bin_name, ctx=if_true(ctx))


def list_set_order(bin_name, list_order, ctx=None):
    """Make the list ordered or unordered."""
    return op(aerospike.OP_LIST_SET_ORDER, bin_name, list_order=list_order, ctx=if_true(ctx))


def list_sort(bin_name, sort_flags=0, ctx=None):
    """Sort the list (``LIST_SORT_*`` flags, e.g. drop duplicates)."""
    return op(aerospike.OP_LIST_SORT, bin_name, sort_flags=sort_flags, ctx=if_true(ctx))


def list_join(bin_name, separator=None, ctx=None):
    """Return the list's strings joined by ``separator``."""
    return op(_wire.OP_LIST_JOIN, bin_name, separator=separator, ctx=if_true(ctx))


def list_get_by_index(bin_name, index, return_type, ctx=None):
    """Select the item at ``index``."""
    return _select(aerospike.OP_LIST_GET_BY_INDEX, bin_name, return_type, ctx, index=index)


def list_get_by_index_range(bin_name, index, return_type, count=None, inverted=False, ctx=None):
    """Select ``count`` items (all when None) from ``index``."""
    return _select(aerospike.OP_LIST_GET_BY_INDEX_RANGE, bin_name, return_type, ctx, count,
                   index=index, inverted=inverted)


def list_get_by_rank(bin_name, rank, return_type, ctx=None):
    """Select the item of value rank ``rank``."""
    return _select(aerospike.OP_LIST_GET_BY_RANK, bin_name, return_type, ctx, rank=rank)


def list_get_by_rank_range(bin_name, rank, return_type, count=None, inverted=False, ctx=None):
    """Select ``count`` items (all when None) from value rank ``rank``."""
    return _select(aerospike.OP_LIST_GET_BY_RANK_RANGE, bin_name, return_type, ctx, count,
                   rank=rank, inverted=inverted)


def list_get_by_value(bin_name, value, return_type, inverted=False, ctx=None):
    """Select the items equal to ``value``."""
    return _select(aerospike.OP_LIST_GET_BY_VALUE, bin_name, return_type, ctx, val=value, inverted=inverted)


def list_get_by_value_list(bin_name, value_list, return_type, inverted=False, ctx=None):
    """Select the items equal to any of ``value_list``."""
    return _select(aerospike.OP_LIST_GET_BY_VALUE_LIST, bin_name, return_type, ctx,
                   value_list=value_list, inverted=inverted)


def list_get_by_value_range(bin_name, return_type, value_begin, value_end, inverted=False, ctx=None):
    """Select the items in [``value_begin``, ``value_end``); a None end is open."""
    return _select(aerospike.OP_LIST_GET_BY_VALUE_RANGE, bin_name, return_type, ctx, inverted=inverted,
                   value_begin=if_given(value_begin), value_end=if_given(value_end))


def list_get_by_value_rank_range_relative(bin_name, value, offset, return_type, count=None, inverted=False,
                                          ctx=None):
    """Select ``count`` items from the rank of ``value`` plus ``offset``."""
    return _select(aerospike.OP_LIST_GET_BY_VALUE_RANK_RANGE_REL, bin_name, return_type, ctx, count,
                   val=value, rank=offset, inverted=inverted)


def list_remove_by_index(bin_name, index, return_type, ctx=None):
    """Remove the item at ``index``."""
    return _select(aerospike.OP_LIST_REMOVE_BY_INDEX, bin_name, return_type, ctx, index=index)


def list_remove_by_index_range(bin_name, index, return_type, count=None, inverted=False, ctx=None):
    """Remove ``count`` items (all when None) from ``index``."""
    return _select(aerospike.OP_LIST_REMOVE_BY_INDEX_RANGE, bin_name, return_type, ctx, count,
                   index=index, inverted=inverted)


def list_remove_by_rank(bin_name, rank, return_type, ctx=None):
    """Remove the item of value rank ``rank``."""
    return _select(aerospike.OP_LIST_REMOVE_BY_RANK, bin_name, return_type, ctx, rank=rank)


def list_remove_by_rank_range(bin_name, rank, return_type, count=None, inverted=False, ctx=None):
    """Remove ``count`` items (all when None) from value rank ``rank``."""
    return _select(aerospike.OP_LIST_REMOVE_BY_RANK_RANGE, bin_name, return_type, ctx, count,
                   rank=rank, inverted=inverted)


def list_remove_by_value(bin_name, value, return_type, inverted=False, ctx=None):
    """Remove the items equal to ``value``."""
    return _select(aerospike.OP_LIST_REMOVE_BY_VALUE, bin_name, return_type, ctx, val=value, inverted=inverted)


def list_remove_by_value_list(bin_name, value_list, return_type, inverted=False, ctx=None):
    """Remove the items equal to any of ``value_list``."""
    return _select(aerospike.OP_LIST_REMOVE_BY_VALUE_LIST, bin_name, return_type, ctx,
                   value_list=value_list, inverted=inverted)


def list_remove_by_value_range(bin_name, return_type, value_begin=None, value_end=None, inverted=False,
                               ctx=None):
    """Remove the items in [``value_begin``, ``value_end``); a None bound is open."""
    return _select(aerospike.OP_LIST_REMOVE_BY_VALUE_RANGE, bin_name, return_type, ctx, inverted=inverted,
                   value_begin=if_given(value_begin), value_end=if_given(value_end))


def list_remove_by_value_rank_range_relative(bin_name, value, offset, return_type, count=None, inverted=False,
                                             ctx=None):
    """Remove ``count`` items from the rank of ``value`` plus ``offset``."""
    return _select(aerospike.OP_LIST_REMOVE_BY_VALUE_RANK_RANGE_REL, bin_name, return_type, ctx, count,
                   val=value, rank=offset, inverted=inverted)
