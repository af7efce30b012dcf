"""Map operations for ``client.operate``.

``ctx`` targets a nested map; ``map_policy``/``policy`` is a map policy dict
(``map_order``, ``map_write_flags``, ``persist_index``); ``return_type`` is a
``MAP_RETURN_*`` constant; ``inverted=True`` selects everything but the matched entries.
"""

import aerospike_cffi as aerospike

from ._opdict import with_ctx

# Keys of the op dicts (public for code that builds or reads them).
#: Keys of the operation dicts this module builds (each name's value is the key).
OP_KEY, BIN_KEY, CTX_KEY, POLICY_KEY = "op", "bin", "ctx", "map_policy"
#: Keys of the operation dicts this module builds (each name's value is the key).
KEY_KEY, VALUE_KEY, RANGE_KEY, INDEX_KEY, RANK_KEY, COUNT_KEY = "key", "val", "range", "index", "rank", "count"
#: Keys of the operation dicts this module builds (each name's value is the key).
RETURN_TYPE_KEY, INVERTED_KEY = "return_type", "inverted"
#: Keys of the operation dicts this module builds (each name's value is the key).
MAP_ORDER_KEY, PERSIST_INDEX_KEY = "map_order", "persist_index"


# Each function writes its dict directly (these run once per op of every operate call);
# the helpers below add the optional keys.  Two ctx conventions, as in the official helpers:
# writes and removals keep any ctx that is not None (an empty list included), reads and
# relative selections only a non-empty one (``with_ctx``).
def _write(op_dict, ctx):
    if ctx is not None:
        op_dict["ctx"] = ctx
    return op_dict


def _put(op_dict, map_policy, ctx):
    # Puts and increments carry the map policy only when given.
    if map_policy is not None:
        op_dict["map_policy"] = map_policy
    if ctx is not None:
        op_dict["ctx"] = ctx
    return op_dict


def _relative(op_dict, count, inverted, ctx):
    # Relative selections carry count only when given and inverted only when set.
    if count is not None:
        op_dict["count"] = count
    if inverted:
        op_dict["inverted"] = True
    return with_ctx(op_dict, ctx)


def _key_sorted(items):
    """``items`` as a dict in key order when the keys are comparable, else unchanged."""
    try:
        return dict(sorted(items.items()))
    except Exception:
        return items


def map_set_policy(bin_name, policy, ctx=None):
    """Set the map's order and flags from ``policy``."""
    return _write({"op": aerospike.OP_MAP_SET_POLICY, "bin": bin_name, "map_policy": policy}, ctx)


def map_create(bin_name, map_order, persist_index, ctx=None):
    """Create an empty map with ``map_order`` (at ``ctx`` when given)."""
    return _write({"op": aerospike.OP_MAP_CREATE, "bin": bin_name, "map_order": map_order,
                   "persist_index": persist_index}, ctx)


def map_put(bin_name, key, value, map_policy=None, ctx=None):
    """Store ``value`` under ``key``; returns the new size."""
    return _put({"op": aerospike.OP_MAP_PUT, "bin": bin_name, "key": key, "val": value}, map_policy, ctx)


def map_put_items(bin_name, item_dict, map_policy=None, ctx=None):
    """Store every entry of ``item_dict`` (sent in key order); returns the new size."""
    return _put({"op": aerospike.OP_MAP_PUT_ITEMS, "bin": bin_name,
                 "val": _key_sorted(item_dict)}, map_policy, ctx)


def map_increment(bin_name, key, amount, map_policy=None, ctx=None):
    """Add ``amount`` to the number under ``key``; returns the result."""
    return _put({"op": aerospike.OP_MAP_INCREMENT, "bin": bin_name, "key": key, "val": amount}, map_policy, ctx)


def map_decrement(bin_name, key, amount, map_policy=None, ctx=None):
    """Subtract ``amount`` from the number under ``key``; returns the result."""
    return _put({"op": aerospike.OP_MAP_DECREMENT, "bin": bin_name, "key": key, "val": amount}, map_policy, ctx)


def map_size(bin_name, ctx=None):
    """Return the number of entries."""
    return _write({"op": aerospike.OP_MAP_SIZE, "bin": bin_name}, ctx)


def map_clear(bin_name, ctx=None):
    """Remove every entry."""
    return _write({"op": aerospike.OP_MAP_CLEAR, "bin": bin_name}, ctx)


def map_remove_by_key(bin_name, key, return_type, ctx=None):
    """Remove the entry under ``key``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_KEY, "bin": bin_name, "key": key,
                   "return_type": return_type}, ctx)


def map_remove_by_key_list(bin_name, key_list, return_type, inverted=False, ctx=None):
    """Remove the entries under any of ``key_list``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_KEY_LIST, "bin": bin_name, "val": key_list,
                   "return_type": return_type, "inverted": inverted}, ctx)


def map_remove_by_key_range(bin_name, key_range_start, key_range_end, return_type, inverted=False, ctx=None):
    """Remove the entries with keys in [start, end)."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_KEY_RANGE, "bin": bin_name, "key": key_range_start,
                   "val": key_range_end, "return_type": return_type, "inverted": inverted}, ctx)


def map_remove_by_value(bin_name, value, return_type, inverted=False, ctx=None):
    """Remove the entries whose value equals ``value``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_VALUE, "bin": bin_name, "val": value,
                   "return_type": return_type, "inverted": inverted}, ctx)


def map_remove_by_value_list(bin_name, value_list, return_type, inverted=False, ctx=None):
    """Remove the entries whose value is in ``value_list``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_VALUE_LIST, "bin": bin_name, "val": value_list,
                   "return_type": return_type, "inverted": inverted}, ctx)


def map_remove_by_value_range(bin_name, value_start, value_end, return_type, inverted=False, ctx=None):
    """Remove the entries with values in [start, end)."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_VALUE_RANGE, "bin": bin_name, "val": value_start,
                   "range": value_end, "return_type": return_type, "inverted": inverted}, ctx)


def map_remove_by_index(bin_name, index, return_type, ctx=None):
    """Remove the entry at key-order ``index``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_INDEX, "bin": bin_name, "index": index,
                   "return_type": return_type}, ctx)


def map_remove_by_index_range(bin_name, index_start, remove_amt, return_type, inverted=False, ctx=None):
    """Remove ``remove_amt`` entries from key-order ``index_start``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_INDEX_RANGE, "bin": bin_name, "index": index_start,
                   "val": remove_amt, "return_type": return_type, "inverted": inverted}, ctx)


def map_remove_by_rank(bin_name, rank, return_type, ctx=None):
    """Remove the entry of value rank ``rank``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_RANK, "bin": bin_name, "index": rank,
                   "return_type": return_type}, ctx)


def map_remove_by_rank_range(bin_name, rank_start, remove_amt, return_type, inverted=False, ctx=None):
    """Remove ``remove_amt`` entries from value rank ``rank_start``."""
    return _write({"op": aerospike.OP_MAP_REMOVE_BY_RANK_RANGE, "bin": bin_name, "index": rank_start,
                   "val": remove_amt, "return_type": return_type, "inverted": inverted}, ctx)


def map_get_by_key(bin_name, key, return_type, ctx=None):
    """Select the entry under ``key``."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_KEY, "bin": bin_name, "return_type": return_type,
                     "key": key}, ctx)


def map_get_by_key_range(bin_name, key_range_start, key_range_end, return_type, inverted=False, ctx=None):
    """Select the entries with keys in [start, end)."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_KEY_RANGE, "bin": bin_name, "return_type": return_type,
                     "key": key_range_start, "range": key_range_end, "inverted": inverted}, ctx)


def map_get_by_key_list(bin_name, key_list, return_type, inverted=False, ctx=None):
    """Select the entries under any of ``key_list``."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_KEY_LIST, "bin": bin_name, "return_type": return_type,
                     "val": key_list, "inverted": inverted}, ctx)


def map_get_by_value(bin_name, value, return_type, inverted=False, ctx=None):
    """Select the entries whose value equals ``value``."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_VALUE, "bin": bin_name, "return_type": return_type,
                     "val": value, "inverted": inverted}, ctx)


def map_get_by_value_range(bin_name, value_start, value_end, return_type, inverted=False, ctx=None):
    """Select the entries with values in [start, end)."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_VALUE_RANGE, "bin": bin_name, "return_type": return_type,
                     "val": value_start, "range": value_end, "inverted": inverted}, ctx)


def map_get_by_value_list(bin_name, key_list, return_type, inverted=False, ctx=None):
    """Select the entries whose value is in ``key_list`` (a list of values)."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_VALUE_LIST, "bin": bin_name, "return_type": return_type,
                     "val": key_list, "inverted": inverted}, ctx)


def map_get_by_index(bin_name, index, return_type, ctx=None):
    """Select the entry at key-order ``index``."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_INDEX, "bin": bin_name, "return_type": return_type,
                     "index": index}, ctx)


def map_get_by_index_range(bin_name, index_start, get_amt, return_type, inverted=False, ctx=None):
    """Select ``get_amt`` entries from key-order ``index_start``."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_INDEX_RANGE, "bin": bin_name, "return_type": return_type,
                     "index": index_start, "val": get_amt, "inverted": inverted}, ctx)


def map_get_by_rank(bin_name, rank, return_type, ctx=None):
    """Select the entry of value rank ``rank``."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_RANK, "bin": bin_name, "return_type": return_type,
                     "index": rank}, ctx)


def map_get_by_rank_range(bin_name, rank_start, get_amt, return_type, inverted=False, ctx=None):
    """Select ``get_amt`` entries from value rank ``rank_start``."""
    return with_ctx({"op": aerospike.OP_MAP_GET_BY_RANK_RANGE, "bin": bin_name, "return_type": return_type,
                     "index": rank_start, "val": get_amt, "inverted": inverted}, ctx)


def map_remove_by_value_rank_range_relative(bin_name, value, offset, return_type, count=None, inverted=False,
                                            ctx=None):
    """Remove ``count`` entries from the value rank of ``value`` plus ``offset``."""
    return _relative({"op": aerospike.OP_MAP_REMOVE_BY_VALUE_RANK_RANGE_REL, "bin": bin_name,
                      "return_type": return_type, "val": value, "rank": offset}, count, inverted, ctx)


def map_get_by_value_rank_range_relative(bin_name, value, offset, return_type, count=None, inverted=False,
                                         ctx=None):
    """Select ``count`` entries from the value rank of ``value`` plus ``offset``."""
    return _relative({"op": aerospike.OP_MAP_GET_BY_VALUE_RANK_RANGE_REL, "bin": bin_name,
                      "return_type": return_type, "val": value, "rank": offset}, count, inverted, ctx)


def map_remove_by_key_index_range_relative(bin_name, key, offset, return_type, count=None, inverted=False,
                                           ctx=None):
    """Remove ``count`` entries from the key index of ``key`` plus ``offset``."""
    return _relative({"op": aerospike.OP_MAP_REMOVE_BY_KEY_INDEX_RANGE_REL, "bin": bin_name,
                      "return_type": return_type, "key": key, "index": offset}, count, inverted, ctx)


def map_get_by_key_index_range_relative(bin_name, value, offset, return_type, count=None, inverted=False,
                                        ctx=None):
    """Select ``count`` entries from the key index of ``value`` (a key) plus ``offset``."""
    return _relative({"op": aerospike.OP_MAP_GET_BY_KEY_INDEX_RANGE_REL, "bin": bin_name,
                      "return_type": return_type, "key": value, "index": offset}, count, inverted, ctx)
