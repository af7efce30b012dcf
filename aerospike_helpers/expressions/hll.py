"""HyperLogLog expressions. ``bin`` is a bin name (read as an HLL bin) or an HLL expression;
``policy`` is an HLL policy dict whose ``flags`` are sent (``HLL_WRITE_*``)."""

import aerospike_cffi as aerospike

from .base import HLLBin, _bin_operand
from .resources import _BaseExpr


def _bit_count(count):
    return -1 if count is None else count


def _policy_flags(policy):
    return policy["flags"] if policy is not None and "flags" in policy else aerospike.HLL_WRITE_DEFAULT


class _HLLExpr(_BaseExpr):
    def _set(self, *operands):
        *values, bin = operands
        self._children = tuple(values) + (_bin_operand(bin, HLLBin),)


class HLLInit(_HLLExpr):
    """A new empty HLL with the given bit counts."""

    _op = aerospike.OP_HLL_INIT

    def __init__(self, policy, index_bit_count, mh_bit_count, bin):
        self._set(_bit_count(index_bit_count), _bit_count(mh_bit_count), _policy_flags(policy), bin)


class HLLAdd(_HLLExpr):
    """The HLL with the values of ``list`` added."""

    _op = aerospike.OP_HLL_ADD

    def __init__(self, policy, list, index_bit_count, mh_bit_count, bin):
        self._set(list, _bit_count(index_bit_count), _bit_count(mh_bit_count), _policy_flags(policy), bin)


class HLLGetCount(_HLLExpr):
    """Estimated number of distinct elements."""

    _op = aerospike.OP_HLL_GET_COUNT

    def __init__(self, bin):
        self._set(bin)


class HLLGetUnion(_HLLExpr):
    """Union of the HLL with the HLLs in ``values``."""

    _op = aerospike.OP_HLL_GET_UNION

    def __init__(self, values, bin):
        self._set(values, bin)


class HLLGetUnionCount(_HLLExpr):
    """Estimated size of the union with ``values``."""

    _op = aerospike.OP_HLL_GET_UNION_COUNT

    def __init__(self, values, bin):
        self._set(values, bin)


class HLLGetIntersectCount(_HLLExpr):
    """Estimated size of the intersection with ``values``."""

    _op = aerospike.OP_HLL_GET_INTERSECT_COUNT

    def __init__(self, values, bin):
        self._set(values, bin)


class HLLGetSimilarity(_HLLExpr):
    """Estimated Jaccard similarity with ``values``."""

    _op = aerospike.OP_HLL_GET_SIMILARITY

    def __init__(self, values, bin):
        self._set(values, bin)


class HLLDescribe(_HLLExpr):
    """``[index_bit_count, mh_bit_count]`` of the HLL."""

    _op = aerospike.OP_HLL_DESCRIBE

    def __init__(self, bin):
        self._set(bin)


class HLLMayContain(_HLLExpr):
    """1 when every value of ``list`` may be in the HLL, else 0."""

    _op = aerospike.OP_HLL_MAY_CONTAIN

    def __init__(self, list, bin):
        self._set(list, bin)
