"""List expressions: modify (return the new list) and read/select (return values).

``ctx`` targets a nested list (None: the bin itself); ``policy`` is a list policy dict;
``return_type`` is a ``LIST_RETURN_*`` constant; ``value_type`` is the ``ResultType`` of a
single selected item; ``bin`` is a bin name (read as a list bin) or a list expression.
"""

import aerospike_cffi as aerospike

from .. import _wire
from ._cdt import _CdtExpr
from .base import ListBin, _bin_operand
from .resources import ReturnType, _BaseExpr, _ExprOp, _Keys  # noqa: F401 (ReturnType: public name)

_CREATE_OR_MODIFY = _ExprOp._AS_EXP_CODE_CDT_LIST_CRMOD
_MODIFY = _ExprOp._AS_EXP_CODE_CDT_LIST_MOD


class _ListExpr(_CdtExpr):
    _bin_class = ListBin
    _policy_key = _Keys.LIST_POLICY_KEY


class ListAppend(_ListExpr):
    """List with ``value`` appended."""

    _op = aerospike.OP_LIST_APPEND

    def __init__(self, ctx, policy, value, bin):
        self._modify(ctx, policy, _CREATE_OR_MODIFY, (value,), bin)


class ListAppendItems(_ListExpr):
    """List with the items of ``value`` appended."""

    _op = aerospike.OP_LIST_APPEND_ITEMS

    def __init__(self, ctx, policy, value, bin):
        self._modify(ctx, policy, _CREATE_OR_MODIFY, (value,), bin)


class ListInsert(_ListExpr):
    """List with ``value`` inserted at ``index``."""

    _op = aerospike.OP_LIST_INSERT

    def __init__(self, ctx, policy, index, value, bin):
        self._modify(ctx, policy, _MODIFY, (index, value), bin)


class ListInsertItems(_ListExpr):
    """List with the items of ``values`` inserted at ``index``."""

    _op = aerospike.OP_LIST_INSERT_ITEMS

    def __init__(self, ctx, policy, index, values, bin):
        self._modify(ctx, policy, _MODIFY, (index, values), bin)


class ListIncrement(_ListExpr):
    """List with ``value`` added to the number at ``index``."""

    _op = aerospike.OP_LIST_INCREMENT

    def __init__(self, ctx, policy, index, value, bin):
        self._modify(ctx, policy, _CREATE_OR_MODIFY, (index, value), bin)


class ListSet(_ListExpr):
    """List with ``value`` stored at ``index``."""

    _op = aerospike.OP_LIST_SET

    def __init__(self, ctx, policy, index, value, bin):
        self._modify(ctx, policy, _MODIFY, (index, value), bin)


class ListClear(_ListExpr):
    """Empty list."""

    _op = aerospike.OP_LIST_CLEAR

    def __init__(self, ctx, bin):
        self._plain(ctx, (), bin)


class ListSort(_ListExpr):
    """List sorted (``LIST_SORT_*`` ``order`` flags)."""

    _op = aerospike.OP_LIST_SORT

    def __init__(self, ctx, order, bin):
        self._set(ctx, {_Keys.LIST_ORDER_KEY: order}, (), bin)


class ListSize(_ListExpr):
    """Number of items."""

    _op = aerospike.OP_LIST_SIZE

    def __init__(self, ctx, bin):
        self._plain(ctx, (), bin)


class ListRemoveByValue(_ListExpr):
    """List without the items equal to ``value``."""

    _op = aerospike.OP_LIST_REMOVE_BY_VALUE

    def __init__(self, ctx, value, bin, inverted=False):
        self._remove(ctx, inverted, (value,), bin)


class ListRemoveByValueList(_ListExpr):
    """List without the items equal to any of ``values``."""

    _op = aerospike.OP_LIST_REMOVE_BY_VALUE_LIST

    def __init__(self, ctx, values, bin, inverted=False):
        self._remove(ctx, inverted, (values,), bin)


class ListRemoveByValueRange(_ListExpr):
    """List without the items in [``begin``, ``end``); a None end is open."""

    _op = aerospike.OP_LIST_REMOVE_BY_VALUE_RANGE

    def __init__(self, ctx, begin, end, bin, inverted=False):
        end = aerospike.CDTInfinite() if end is None else end
        self._remove(ctx, inverted, (begin, end), bin)


class ListRemoveByValueRelRankToEnd(_ListExpr):
    """List without the items from the rank of ``value`` plus ``rank`` on."""

    _op = aerospike.OP_LIST_REMOVE_BY_REL_RANK_RANGE_TO_END

    def __init__(self, ctx, value, rank, bin, inverted=False):
        self._remove(ctx, inverted, (value, rank), bin)


class ListRemoveByValueRelRankRange(_ListExpr):
    """List without ``count`` items from the rank of ``value`` plus ``rank``."""

    _op = aerospike.OP_LIST_REMOVE_BY_REL_RANK_RANGE

    def __init__(self, ctx, value, rank, count, bin, inverted=False):
        self._remove(ctx, inverted, (value, rank, count), bin)


class ListRemoveByIndex(_ListExpr):
    """List without the item at ``index``."""

    _op = aerospike.OP_LIST_REMOVE_BY_INDEX

    def __init__(self, ctx, index, bin):
        self._plain(ctx, (index,), bin)


class ListRemoveByIndexRangeToEnd(_ListExpr):
    """List without the items from ``index`` on."""

    _op = aerospike.OP_LIST_REMOVE_BY_INDEX_RANGE_TO_END

    def __init__(self, ctx, index, bin, inverted=False):
        self._remove(ctx, inverted, (index,), bin)


class ListRemoveByIndexRange(_ListExpr):
    """List without ``count`` items from ``index``."""

    _op = aerospike.OP_LIST_REMOVE_BY_INDEX_RANGE

    def __init__(self, ctx, index, count, bin, inverted=False):
        self._remove(ctx, inverted, (index, count), bin)


class ListRemoveByRank(_ListExpr):
    """List without the item of value rank ``rank``."""

    _op = aerospike.OP_LIST_REMOVE_BY_RANK

    def __init__(self, ctx, rank, bin):
        self._plain(ctx, (rank,), bin)


class ListRemoveByRankRangeToEnd(_ListExpr):
    """List without the items from value rank ``rank`` on."""

    _op = aerospike.OP_LIST_REMOVE_BY_RANK_RANGE_TO_END

    def __init__(self, ctx, rank, bin, inverted=False):
        self._remove(ctx, inverted, (rank,), bin)


class ListRemoveByRankRange(_ListExpr):
    """List without ``count`` items from value rank ``rank``."""

    _op = aerospike.OP_LIST_REMOVE_BY_RANK_RANGE

    def __init__(self, ctx, rank, count, bin, inverted=False):
        self._remove(ctx, inverted, (rank, count), bin)


class ListGetByValue(_ListExpr):
    """Select the items equal to ``value``."""

    _op = aerospike.OP_LIST_GET_BY_VALUE

    def __init__(self, ctx, return_type, value, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value,), bin)


class ListGetByValueRange(_ListExpr):
    """Select the items in [``value_begin``, ``value_end``)."""

    _op = aerospike.OP_LIST_GET_BY_VALUE_RANGE

    def __init__(self, ctx, return_type, value_begin, value_end, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value_begin, value_end), bin)


class ListGetByValueList(_ListExpr):
    """Select the items equal to any of ``value``."""

    _op = aerospike.OP_LIST_GET_BY_VALUE_LIST

    def __init__(self, ctx, return_type, value, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value,), bin)


class ListGetByValueRelRankRangeToEnd(_ListExpr):
    """Select the items from the rank of ``value`` plus ``rank`` on."""

    _op = aerospike.OP_LIST_GET_BY_VALUE_RANK_RANGE_REL_TO_END

    def __init__(self, ctx, return_type, value, rank, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value, rank), bin)


class ListGetByValueRelRankRange(_ListExpr):
    """Select ``count`` items from the rank of ``value`` plus ``rank``."""

    _op = aerospike.OP_LIST_GET_BY_VALUE_RANK_RANGE_REL

    def __init__(self, ctx, return_type, value, rank, count, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value, rank, count), bin)


class ListGetByIndex(_ListExpr):
    """The item at ``index``, of type ``value_type``."""

    _op = aerospike.OP_LIST_GET_BY_INDEX

    def __init__(self, ctx, return_type, value_type, index, bin):
        self._select_one(ctx, return_type, value_type, (index,), bin)


class ListGetByIndexRangeToEnd(_ListExpr):
    """Select the items from ``index`` on."""

    _op = aerospike.OP_LIST_GET_BY_INDEX_RANGE_TO_END

    def __init__(self, ctx, return_type, index, bin, inverted=False):
        self._select(ctx, return_type, inverted, (index,), bin)


class ListGetByIndexRange(_ListExpr):
    """Select ``count`` items from ``index``."""

    _op = aerospike.OP_LIST_GET_BY_INDEX_RANGE

    def __init__(self, ctx, return_type, index, count, bin, inverted=False):
        self._select(ctx, return_type, inverted, (index, count), bin)


class ListGetByRank(_ListExpr):
    """The item of value rank ``rank``, of type ``value_type``."""

    _op = aerospike.OP_LIST_GET_BY_RANK

    def __init__(self, ctx, return_type, value_type, rank, bin):
        self._select_one(ctx, return_type, value_type, (rank,), bin)


class ListGetByRankRangeToEnd(_ListExpr):
    """Select the items from value rank ``rank`` on."""

    _op = aerospike.OP_LIST_GET_BY_RANK_RANGE_TO_END

    def __init__(self, ctx, return_type, rank, bin, inverted=False):
        self._select(ctx, return_type, inverted, (rank,), bin)


class ListGetByRankRange(_ListExpr):
    """Select ``count`` items from value rank ``rank``."""

    _op = aerospike.OP_LIST_GET_BY_RANK_RANGE

    def __init__(self, ctx, return_type, rank, count, bin, inverted=False):
        self._select(ctx, return_type, inverted, (rank, count), bin)


class ListJoin(_ListExpr):
    """The list's strings joined (by ``separator`` when given)."""

    def __init__(self, ctx, separator, bin):
        if separator:
            self._op = _wire.OP_LIST_JOIN_SEPARATOR
            fixed = {_wire.STR_SEPARATOR_KEY: separator}
        else:
            self._op = _wire.OP_LIST_JOIN
            fixed = {}
        self._set(ctx, fixed, (), bin)


class InList(_BaseExpr):
    """Whether ``value`` is an item of the list."""

    _op = _wire.EXP_CODE_IN_LIST

    def __init__(self, value, bin):
        self._children = (value, _bin_operand(bin, ListBin))
