"""HyperLogLog operations for ``client.operate``.

``index_bit_count``/``mh_bit_count`` size a new HLL (None: keep or default, sent as -1);
``policy`` is an HLL policy dict (``flags``); ``hll_list`` is a list of HLL values.
"""

import aerospike_cffi as aerospike

from ._opdict import if_true, op

# Keys of the op dicts (public for code that builds or reads them).
#: Keys of the operation dicts this module builds (each name's value is the key).
OP_KEY, BIN_KEY, HLL_POLICY_KEY = "op", "bin", "hll_policy"
#: Keys of the operation dicts this module builds (each name's value is the key).
VALUE_LIST_KEY, INDEX_BIT_COUNT_KEY, MH_BIT_COUNT_KEY = "value_list", "index_bit_count", "mh_bit_count"


def _bit_count(count):
    return -1 if count is None else count


def hll_init(bin_name, index_bit_count=None, mh_bit_count=None, policy=None):
    """Create or reset the HLL bin with the given bit counts."""
    return op(aerospike.OP_HLL_INIT, bin_name, index_bit_count=_bit_count(index_bit_count),
              mh_bit_count=_bit_count(mh_bit_count), hll_policy=if_true(policy))


def hll_add(bin_name, values, index_bit_count=None, mh_bit_count=None, policy=None):
    """Add ``values`` (creating the HLL when missing); returns how many changed it."""
    return op(aerospike.OP_HLL_ADD, bin_name, value_list=values, index_bit_count=_bit_count(index_bit_count),
              mh_bit_count=_bit_count(mh_bit_count), hll_policy=if_true(policy))


def hll_describe(bin_name):
    """Return ``[index_bit_count, mh_bit_count]``."""
    return op(aerospike.OP_HLL_DESCRIBE, bin_name)


def hll_fold(bin_name, index_bit_count):
    """Reduce the HLL to ``index_bit_count`` (only without minhash bits)."""
    return op(aerospike.OP_HLL_FOLD, bin_name, index_bit_count=index_bit_count)


def hll_get_count(bin_name):
    """Return the estimated number of distinct elements."""
    return op(aerospike.OP_HLL_GET_COUNT, bin_name)


def hll_get_intersect_count(bin_name, hll_list):
    """Return the estimated size of the intersection with ``hll_list``."""
    return op(aerospike.OP_HLL_GET_INTERSECT_COUNT, bin_name, value_list=hll_list)


def hll_get_similarity(bin_name, hll_list):
    """Return the estimated Jaccard similarity with ``hll_list``."""
    return op(aerospike.OP_HLL_GET_SIMILARITY, bin_name, value_list=hll_list)


def hll_get_union(bin_name, hll_list):
    """Return the union with ``hll_list`` as an HLL."""
    return op(aerospike.OP_HLL_GET_UNION, bin_name, value_list=hll_list)


def hll_get_union_count(bin_name, hll_list):
    """Return the estimated size of the union with ``hll_list``."""
    return op(aerospike.OP_HLL_GET_UNION_COUNT, bin_name, value_list=hll_list)


def hll_refresh_count(bin_name):
    """Recompute and return the cached count."""
    return op(aerospike.OP_HLL_REFRESH_COUNT, bin_name)


def hll_set_union(bin_name, hll_list, policy=None):
    """Store the union of the bin with ``hll_list``."""
    return op(aerospike.OP_HLL_SET_UNION, bin_name, value_list=hll_list, hll_policy=if_true(policy))
