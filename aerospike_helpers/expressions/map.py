"""Map expressions: modify (return the new map) and read/select (return values).

``ctx`` targets a nested map (None: the bin itself); ``policy`` is a map policy dict;
``return_type`` is a ``MAP_RETURN_*`` constant; ``value_type`` is the ``ResultType`` of a
single selected value; ``bin`` is a bin name (read as a map bin) or a map expression.
"""

import aerospike_cffi as aerospike

from .. import _wire
from ._cdt import _CdtExpr
from .base import MapBin, _bin_operand
from .resources import ReturnType, _BaseExpr, _ExprOp, _Keys  # noqa: F401 (ReturnType: public name)

_CREATE_OR_MODIFY = _ExprOp._AS_EXP_CODE_CDT_MAP_CRMOD


class _MapExpr(_CdtExpr):
    _bin_class = MapBin
    _policy_key = _Keys.MAP_POLICY_KEY


class MapPut(_MapExpr):
    """Map with ``value`` stored under ``key``."""

    _op = aerospike.OP_MAP_PUT

    def __init__(self, ctx, policy, key, value, bin):
        self._modify(ctx, policy, _CREATE_OR_MODIFY, (key, value), bin)


class MapPutItems(_MapExpr):
    """Map with every entry of ``map`` stored."""

    _op = aerospike.OP_MAP_PUT_ITEMS

    def __init__(self, ctx, policy, map, bin):
        self._modify(ctx, policy, _CREATE_OR_MODIFY, (map,), bin)


class MapIncrement(_MapExpr):
    """Map with ``value`` added to the number under ``key``."""

    _op = aerospike.OP_MAP_INCREMENT

    def __init__(self, ctx, policy, key, value, bin):
        self._modify(ctx, policy, _CREATE_OR_MODIFY, (key, value), bin)


class MapClear(_MapExpr):
    """Empty map."""

    _op = aerospike.OP_MAP_CLEAR

    def __init__(self, ctx, bin):
        self._plain(ctx, (), bin)


class MapSize(_MapExpr):
    """Number of entries."""

    _op = aerospike.OP_MAP_SIZE

    def __init__(self, ctx, bin):
        self._plain(ctx, (), bin)


class MapRemoveByKey(_MapExpr):
    """Map without the entry under ``key``."""

    _op = aerospike.OP_MAP_REMOVE_BY_KEY

    def __init__(self, ctx, key, bin):
        self._plain(ctx, (key,), bin)


class MapRemoveByKeyList(_MapExpr):
    """Map without the entries under any of ``keys``."""

    _op = aerospike.OP_MAP_REMOVE_BY_KEY_LIST

    def __init__(self, ctx, keys, bin, inverted=False):
        self._remove(ctx, inverted, (keys,), bin)


class MapRemoveByKeyRange(_MapExpr):
    """Map without the entries with keys in [``begin``, ``end``); a None end is open."""

    _op = aerospike.OP_MAP_REMOVE_BY_KEY_RANGE

    def __init__(self, ctx, begin, end, bin, inverted=False):
        end = aerospike.CDTInfinite() if end is None else end
        self._remove(ctx, inverted, (begin, end), bin)


class MapRemoveByKeyRelIndexRangeToEnd(_MapExpr):
    """Map without the entries from the key index of ``key`` plus ``index`` on."""

    _op = aerospike.OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE_TO_END

    def __init__(self, ctx, key, index, bin, inverted=False):
        self._remove(ctx, inverted, (key, index), bin)


class MapRemoveByKeyRelIndexRange(_MapExpr):
    """Map without ``count`` entries from the key index of ``key`` plus ``index``."""

    _op = aerospike.OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE

    def __init__(self, ctx, key, index, count, bin, inverted=False):
        self._remove(ctx, inverted, (key, index, count), bin)


class MapRemoveByValue(_MapExpr):
    """Map without the entries whose value equals ``value``."""

    _op = aerospike.OP_MAP_REMOVE_BY_VALUE

    def __init__(self, ctx, value, bin, inverted=False):
        self._remove(ctx, inverted, (value,), bin)


class MapRemoveByValueList(_MapExpr):
    """Map without the entries whose value is in ``values``."""

    _op = aerospike.OP_MAP_REMOVE_BY_VALUE_LIST

    def __init__(self, ctx, values, bin, inverted=False):
        self._remove(ctx, inverted, (values,), bin)


class MapRemoveByValueRange(_MapExpr):
    """Map without the entries with values in [``begin``, ``end``)."""

    _op = aerospike.OP_MAP_REMOVE_BY_VALUE_RANGE

    def __init__(self, ctx, begin, end, bin, inverted=False):
        self._remove(ctx, inverted, (begin, end), bin)


class MapRemoveByValueRelRankRangeToEnd(_MapExpr):
    """Map without the entries from the value rank of ``value`` plus ``rank`` on."""

    _op = aerospike.OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE_TO_END

    def __init__(self, ctx, value, rank, bin, inverted=False):
        self._remove(ctx, inverted, (value, rank), bin)


class MapRemoveByValueRelRankRange(_MapExpr):
    """Map without ``count`` entries from the value rank of ``value`` plus ``rank``."""

    _op = aerospike.OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE

    def __init__(self, ctx, value, rank, count, bin, inverted=False):
        self._remove(ctx, inverted, (value, rank, count), bin)


class MapRemoveByIndex(_MapExpr):
    """Map without the entry at key index ``index``."""

    _op = aerospike.OP_MAP_REMOVE_BY_INDEX

    def __init__(self, ctx, index, bin):
        self._plain(ctx, (index,), bin)


class MapRemoveByIndexRangeToEnd(_MapExpr):
    """Map without the entries from key index ``index`` on."""

    _op = aerospike.OP_MAP_REMOVE_BY_INDEX_RANGE_TO_END

    def __init__(self, ctx, index, bin, inverted=False):
        self._remove(ctx, inverted, (index,), bin)


class MapRemoveByIndexRange(_MapExpr):
    """Map without ``count`` entries from key index ``index``."""

    _op = aerospike.OP_MAP_REMOVE_BY_INDEX_RANGE

    def __init__(self, ctx, index, count, bin, inverted=False):
        self._remove(ctx, inverted, (index, count), bin)


class MapRemoveByRank(_MapExpr):
    """Map without the entry of value rank ``rank``."""

    _op = aerospike.OP_MAP_REMOVE_BY_RANK

    def __init__(self, ctx, rank, bin):
        self._plain(ctx, (rank,), bin)


class MapRemoveByRankRangeToEnd(_MapExpr):
    """Map without the entries from value rank ``rank`` on."""

    _op = aerospike.OP_MAP_REMOVE_BY_RANK_RANGE_TO_END

    def __init__(self, ctx, rank, bin, inverted=False):
        self._remove(ctx, inverted, (rank,), bin)


class MapRemoveByRankRange(_MapExpr):
    """Map without ``count`` entries from value rank ``rank``."""

    _op = aerospike.OP_MAP_REMOVE_BY_RANK_RANGE

    def __init__(self, ctx, rank, count, bin, inverted=False):
        self._remove(ctx, inverted, (rank, count), bin)


class MapGetByKey(_MapExpr):
    """The entry under ``key`` (a value of type ``value_type``)."""

    _op = aerospike.OP_MAP_GET_BY_KEY

    def __init__(self, ctx, return_type, value_type, key, bin):
        self._select_one(ctx, return_type, value_type, (key,), bin)


class MapGetByKeyRange(_MapExpr):
    """Select the entries with keys in [``begin``, ``end``)."""

    _op = aerospike.OP_MAP_GET_BY_KEY_RANGE

    def __init__(self, ctx, return_type, begin, end, bin, inverted=False):
        self._select(ctx, return_type, inverted, (begin, end), bin)


class MapGetByKeyList(_MapExpr):
    """Select the entries under any of ``keys``."""

    _op = aerospike.OP_MAP_GET_BY_KEY_LIST

    def __init__(self, ctx, return_type, keys, bin, inverted=False):
        self._select(ctx, return_type, inverted, (keys,), bin)


class MapGetByKeyRelIndexRangeToEnd(_MapExpr):
    """Select the entries from the key index of ``key`` plus ``index`` on."""

    _op = aerospike.OP_MAP_GET_BY_KEY_REL_INDEX_RANGE_TO_END

    def __init__(self, ctx, return_type, key, index, bin, inverted=False):
        self._select(ctx, return_type, inverted, (key, index), bin)


class MapGetByKeyRelIndexRange(_MapExpr):
    """Select ``count`` entries from the key index of ``key`` plus ``index``."""

    _op = aerospike.OP_MAP_GET_BY_KEY_REL_INDEX_RANGE

    def __init__(self, ctx, return_type, key, index, count, bin, inverted=False):
        self._select(ctx, return_type, inverted, (key, index, count), bin)


class MapGetByValue(_MapExpr):
    """Select the entries whose value equals ``value``."""

    _op = aerospike.OP_MAP_GET_BY_VALUE

    def __init__(self, ctx, return_type, value, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value,), bin)


class MapGetByValueRange(_MapExpr):
    """Select the entries with values in [``value_begin``, ``value_end``); a None end is open."""

    _op = aerospike.OP_MAP_GET_BY_VALUE_RANGE

    def __init__(self, ctx, return_type, value_begin, value_end, bin, inverted=False):
        value_end = aerospike.CDTInfinite() if value_end is None else value_end
        self._select(ctx, return_type, inverted, (value_begin, value_end), bin)


class MapGetByValueList(_MapExpr):
    """Select the entries whose value is in ``value``."""

    _op = aerospike.OP_MAP_GET_BY_VALUE_LIST

    def __init__(self, ctx, return_type, value, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value,), bin)


class MapGetByValueRelRankRangeToEnd(_MapExpr):
    """Select the entries from the value rank of ``value`` plus ``rank`` on."""

    _op = aerospike.OP_MAP_GET_BY_VALUE_RANK_RANGE_REL_TO_END

    def __init__(self, ctx, return_type, value, rank, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value, rank), bin)


class MapGetByValueRelRankRange(_MapExpr):
    """Select ``count`` entries from the value rank of ``value`` plus ``rank``."""

    _op = aerospike.OP_MAP_GET_BY_VALUE_RANK_RANGE_REL

    def __init__(self, ctx, return_type, value, rank, count, bin, inverted=False):
        self._select(ctx, return_type, inverted, (value, rank, count), bin)


class MapGetByIndex(_MapExpr):
    """The entry at key index ``index`` (a value of type ``value_type``)."""

    _op = aerospike.OP_MAP_GET_BY_INDEX

    def __init__(self, ctx, return_type, value_type, index, bin):
        self._select_one(ctx, return_type, value_type, (index,), bin)


class MapGetByIndexRangeToEnd(_MapExpr):
    """Select the entries from key index ``index`` on."""

    _op = aerospike.OP_MAP_GET_BY_INDEX_RANGE_TO_END

    def __init__(self, ctx, return_type, index, bin, inverted=False):
        self._select(ctx, return_type, inverted, (index,), bin)


class MapGetByIndexRange(_MapExpr):
    """Select ``count`` entries from key index ``index``."""

    _op = aerospike.OP_MAP_GET_BY_INDEX_RANGE

    def __init__(self, ctx, return_type, index, count, bin, inverted=False):
        self._select(ctx, return_type, inverted, (index, count), bin)


class MapGetByRank(_MapExpr):
    """The entry of value rank ``rank`` (a value of type ``value_type``)."""

    _op = aerospike.OP_MAP_GET_BY_RANK

    def __init__(self, ctx, return_type, value_type, rank, bin):
        self._select_one(ctx, return_type, value_type, (rank,), bin)


class MapGetByRankRangeToEnd(_MapExpr):
    """Select the entries from value rank ``rank`` on."""

    _op = aerospike.OP_MAP_GET_BY_RANK_RANGE_TO_END

    def __init__(self, ctx, return_type, rank, bin, inverted=False):
        self._select(ctx, return_type, inverted, (rank,), bin)


class MapGetByRankRange(_MapExpr):
    """Select ``count`` entries from value rank ``rank``."""

    _op = aerospike.OP_MAP_GET_BY_RANK_RANGE

    def __init__(self, ctx, return_type, rank, count, bin, inverted=False):
        self._select(ctx, return_type, inverted, (rank, count), bin)


class MapGetKeys(_BaseExpr):
    """The map's keys as a list."""

    _op = _wire.EXP_CODE_MAP_KEYS_IN

    def __init__(self, map_value):
        self._children = (_bin_operand(map_value, MapBin),)


class MapGetValues(_BaseExpr):
    """The map's values as a list."""

    _op = _wire.EXP_CODE_MAP_VALUES_IN

    def __init__(self, map_value):
        self._children = (_bin_operand(map_value, MapBin),)
