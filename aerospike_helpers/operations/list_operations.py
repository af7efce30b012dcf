"""List operations for ``client.operate``.

``ctx`` (a list of :mod:`aerospike_helpers.cdt_ctx` steps) targets a nested list;
``policy`` is a list policy dict (``list_order``, ``write_flags``); ``return_type`` is a
``LIST_RETURN_*`` constant; ``inverted=True`` selects everything but the matched items.

Each function writes its dict directly (these run once per op of every operate call);
the helpers below add the optional keys, which the official leaves out when not given.
"""

import aerospike_cffi as aerospike

from .. import _wire
from ._opdict import with_ctx

# Keys of the op dicts (public for code that builds or reads them).
#: Keys of the operation dicts this module builds (each name's value is the key).
OP_KEY, BIN_KEY, CTX_KEY, LIST_POLICY_KEY = "op", "bin", "ctx", "list_policy"
#: Keys of the operation dicts this module builds (each name's value is the key).
VALUE_KEY, VALUE_LIST_KEY, VALUE_BEGIN_KEY, VALUE_END_KEY = "val", "value_list", "value_begin", "value_end"
#: Keys of the operation dicts this module builds (each name's value is the key).
INDEX_KEY, RANK_KEY, COUNT_KEY, RETURN_TYPE_KEY, INVERTED_KEY = "index", "rank", "count", "return_type", "inverted"
#: Keys of the operation dicts this module builds (each name's value is the key).
LIST_ORDER_KEY, SORT_FLAGS_KEY, PAD_KEY, PERSIST_INDEX_KEY = "list_order", "sort_flags", "pad", "persist_index"


def _write(op_dict, policy, ctx):
    # Writes carry the list policy and ctx only when they are non-empty.
    if policy:
        op_dict["list_policy"] = policy
    if ctx:
        op_dict["ctx"] = ctx
    return op_dict


def _select(op_dict, count, ctx):
    # By-index/rank/value selections: an optional count, ctx only when non-empty.
    if count is not None:
        op_dict["count"] = count
    if ctx:
        op_dict["ctx"] = ctx
    return op_dict


def _value_range(op_dict, value_begin, value_end, ctx):
    # A None bound is left out: that side of the interval is open.
    if value_begin is not None:
        op_dict["value_begin"] = value_begin
    if value_end is not None:
        op_dict["value_end"] = value_end
    return with_ctx(op_dict, ctx)


def list_create(bin_name, list_order, pad, persist_index, ctx=None):
    """Create an empty list with ``list_order`` (at ``ctx`` when given, padding if ``pad``)."""
    op_dict = {"op": aerospike.OP_LIST_CREATE, "bin": bin_name, "list_order": list_order, "pad": pad,
               "persist_index": persist_index}
    if ctx is not None:  # kept even when empty
        op_dict["ctx"] = ctx
    return op_dict


def list_append(bin_name, value, policy=None, ctx=None):
    """Append ``value``; returns the new size."""
    return _write({"op": aerospike.OP_LIST_APPEND, "bin": bin_name, "val": value}, policy, ctx)


def list_append_items(bin_name, values, policy=None, ctx=None):
    """Append every item of ``values``; returns the new size."""
    return _write({"op": aerospike.OP_LIST_APPEND_ITEMS, "bin": bin_name, "val": values}, policy, ctx)


def list_insert(bin_name, index, value, policy=None, ctx=None):
    """Insert ``value`` at ``index``; returns the new size."""
    return _write({"op": aerospike.OP_LIST_INSERT, "bin": bin_name, "index": index, "val": value}, policy, ctx)


def list_insert_items(bin_name, index, values, policy=None, ctx=None):
    """Insert the items of ``values`` at ``index``; returns the new size."""
    return _write({"op": aerospike.OP_LIST_INSERT_ITEMS, "bin": bin_name, "index": index, "val": values},
                  policy, ctx)


def list_increment(bin_name, index, value, policy=None, ctx=None):
    """Add ``value`` to the number at ``index``; returns the result."""
    return _write({"op": aerospike.OP_LIST_INCREMENT, "bin": bin_name, "index": index, "val": value}, policy, ctx)


def list_set(bin_name, index, value, policy=None, ctx=None):
    """Store ``value`` at ``index``."""
    return _write({"op": aerospike.OP_LIST_SET, "bin": bin_name, "index": index, "val": value}, policy, ctx)


def list_pop(bin_name, index, ctx=None):
    """Remove and return the item at ``index``."""
    return with_ctx({"op": aerospike.OP_LIST_POP, "bin": bin_name, "index": index}, ctx)


def list_pop_range(bin_name, index, count, ctx=None):
    """Remove and return ``count`` items from ``index``."""
    return with_ctx({"op": aerospike.OP_LIST_POP_RANGE, "bin": bin_name, "index": index, "val": count}, ctx)


def list_remove(bin_name, index, ctx=None):
    """Remove the item at ``index``; returns the count removed."""
    return with_ctx({"op": aerospike.OP_LIST_REMOVE, "bin": bin_name, "index": index}, ctx)


def list_remove_range(bin_name, index, count, ctx=None):
    """Remove ``count`` items from ``index``; returns the count removed."""
    return with_ctx({"op": aerospike.OP_LIST_REMOVE_RANGE, "bin": bin_name, "index": index, "val": count}, ctx)


def list_clear(bin_name, ctx=None):
    """Remove every item."""
    return with_ctx({"op": aerospike.OP_LIST_CLEAR, "bin": bin_name}, ctx)


def list_get(bin_name, index, ctx=None):
    """Return the item at ``index``."""
    return with_ctx({"op": aerospike.OP_LIST_GET, "bin": bin_name, "index": index}, ctx)


def list_get_range(bin_name, index, count, ctx=None):
    """Return ``count`` items from ``index``."""
    return with_ctx({"op": aerospike.OP_LIST_GET_RANGE, "bin": bin_name, "index": index, "val": count}, ctx)


def list_trim(bin_name, index, count, ctx=None):
    """Keep only ``count`` items from ``index``; returns the count removed."""
    return with_ctx({"op": aerospike.OP_LIST_TRIM, "bin": bin_name, "index": index, "val": count}, ctx)


def list_size(bin_name, ctx=None):
    """Return the number of items."""
    return with_ctx({"op": aerospike.OP_LIST_SIZE, "bin": bin_name}, ctx)


def list_set_order(bin_name, list_order, ctx=None):
    """Make the list ordered or unordered."""
    return with_ctx({"op": aerospike.OP_LIST_SET_ORDER, "bin": bin_name, "list_order": list_order}, ctx)


def list_sort(bin_name, sort_flags=0, ctx=None):
    """Sort the list (``LIST_SORT_*`` flags, e.g. drop duplicates)."""
    return with_ctx({"op": aerospike.OP_LIST_SORT, "bin": bin_name, "sort_flags": sort_flags}, ctx)


def list_join(bin_name, separator=None, ctx=None):
    """Return the list's strings joined by ``separator``."""
    return with_ctx({"op": _wire.OP_LIST_JOIN, "bin": bin_name, "separator": separator}, ctx)


def list_get_by_index(bin_name, index, return_type, ctx=None):
    """Select the item at ``index``."""
    return _select({"op": aerospike.OP_LIST_GET_BY_INDEX, "bin": bin_name, "return_type": return_type,
                    "index": index}, None, ctx)


def list_get_by_index_range(bin_name, index, return_type, count=None, inverted=False, ctx=None):
    """Select ``count`` items (all when None) from ``index``."""
    return _select({"op": aerospike.OP_LIST_GET_BY_INDEX_RANGE, "bin": bin_name, "return_type": return_type,
                    "index": index, "inverted": inverted}, count, ctx)


def list_get_by_rank(bin_name, rank, return_type, ctx=None):
    """Select the item of value rank ``rank``."""
    return _select({"op": aerospike.OP_LIST_GET_BY_RANK, "bin": bin_name, "return_type": return_type,
                    "rank": rank}, None, ctx)


def list_get_by_rank_range(bin_name, rank, return_type, count=None, inverted=False, ctx=None):
    """Select ``count`` items (all when None) from value rank ``rank``."""
    return _select({"op": aerospike.OP_LIST_GET_BY_RANK_RANGE, "bin": bin_name, "return_type": return_type,
                    "rank": rank, "inverted": inverted}, count, ctx)


def list_get_by_value(bin_name, value, return_type, inverted=False, ctx=None):
    """Select the items equal to ``value``."""
    return _select({"op": aerospike.OP_LIST_GET_BY_VALUE, "bin": bin_name, "return_type": return_type,
                    "val": value, "inverted": inverted}, None, ctx)


def list_get_by_value_list(bin_name, value_list, return_type, inverted=False, ctx=None):
    """Select the items equal to any of ``value_list``."""
    return _select({"op": aerospike.OP_LIST_GET_BY_VALUE_LIST, "bin": bin_name, "return_type": return_type,
                    "value_list": value_list, "inverted": inverted}, None, ctx)


def list_get_by_value_range(bin_name, return_type, value_begin, value_end, inverted=False, ctx=None):
    """Select the items in [``value_begin``, ``value_end``); a None end is open."""
    return _value_range({"op": aerospike.OP_LIST_GET_BY_VALUE_RANGE, "bin": bin_name, "return_type": return_type,
                         "inverted": inverted}, value_begin, value_end, ctx)


def list_get_by_value_rank_range_relative(bin_name, value, offset, return_type, count=None, inverted=False,
                                          ctx=None):
    """Select ``count`` items from the rank of ``value`` plus ``offset``."""
    return _select({"op": aerospike.OP_LIST_GET_BY_VALUE_RANK_RANGE_REL, "bin": bin_name,
                    "return_type": return_type, "val": value, "rank": offset, "inverted": inverted}, count, ctx)


def list_remove_by_index(bin_name, index, return_type, ctx=None):
    """Remove the item at ``index``."""
    return _select({"op": aerospike.OP_LIST_REMOVE_BY_INDEX, "bin": bin_name, "return_type": return_type,
                    "index": index}, None, ctx)


def list_remove_by_index_range(bin_name, index, return_type, count=None, inverted=False, ctx=None):
    """Remove ``count`` items (all when None) from ``index``."""
    return _select({"op": aerospike.OP_LIST_REMOVE_BY_INDEX_RANGE, "bin": bin_name, "return_type": return_type,
                    "index": index, "inverted": inverted}, count, ctx)


def list_remove_by_rank(bin_name, rank, return_type, ctx=None):
    """Remove the item of value rank ``rank``."""
    return _select({"op": aerospike.OP_LIST_REMOVE_BY_RANK, "bin": bin_name, "return_type": return_type,
                    "rank": rank}, None, ctx)


def list_remove_by_rank_range(bin_name, rank, return_type, count=None, inverted=False, ctx=None):
    """Remove ``count`` items (all when None) from value rank ``rank``."""
    return _select({"op": aerospike.OP_LIST_REMOVE_BY_RANK_RANGE, "bin": bin_name, "return_type": return_type,
                    "rank": rank, "inverted": inverted}, count, ctx)


def list_remove_by_value(bin_name, value, return_type, inverted=False, ctx=None):
    """Remove the items equal to ``value``."""
    return _select({"op": aerospike.OP_LIST_REMOVE_BY_VALUE, "bin": bin_name, "return_type": return_type,
                    "val": value, "inverted": inverted}, None, ctx)


def list_remove_by_value_list(bin_name, value_list, return_type, inverted=False, ctx=None):
    """Remove the items equal to any of ``value_list``."""
    return _select({"op": aerospike.OP_LIST_REMOVE_BY_VALUE_LIST, "bin": bin_name, "return_type": return_type,
                    "value_list": value_list, "inverted": inverted}, None, ctx)


def list_remove_by_value_range(bin_name, return_type, value_begin=None, value_end=None, inverted=False,
                               ctx=None):
    """Remove the items in [``value_begin``, ``value_end``); a None bound is open."""
    return _value_range({"op": aerospike.OP_LIST_REMOVE_BY_VALUE_RANGE, "bin": bin_name,
                         "return_type": return_type, "inverted": inverted}, value_begin, value_end, ctx)


def list_remove_by_value_rank_range_relative(bin_name, value, offset, return_type, count=None, inverted=False,
                                             ctx=None):
    """Remove ``count`` items from the rank of ``value`` plus ``offset``."""
    return _select({"op": aerospike.OP_LIST_REMOVE_BY_VALUE_RANK_RANGE_REL, "bin": bin_name,
                    "return_type": return_type, "val": value, "rank": offset, "inverted": inverted}, count, ctx)
