"""Core expressions: values, record metadata, bins, comparisons, logic, variables and paths.

Bin classes read a bin of the given type; metadata classes read a record property;
comparison and logic classes combine sub-expressions or plain values.
"""

import functools

from .. import _wire
from .resources import ResultType, _BaseExpr, _ExprOp, _Keys, _subclass, _VariadicExpr

_declare = functools.partial(_subclass, __name__)


def _fixed_value(value):
    return {_Keys.VALUE_KEY: value}


def _bin_operand(bin, bin_class):
    """``bin`` itself when it is an expression, else the ``bin_class`` read of the bin so named."""
    return bin if isinstance(bin, _BaseExpr) else bin_class(bin)


class Val(_BaseExpr):
    """A constant value as an expression."""

    _op = _ExprOp._AS_EXP_CODE_AS_VAL

    def __init__(self, value):
        self._fixed = _fixed_value(value)


class _NoOperands(_BaseExpr):
    """An expression of its code alone."""

    def __init__(self):
        pass


Unknown = _declare(_NoOperands, "Unknown", "Fails the expression when evaluated (e.g. the default of a Cond).",
                   _op=_ExprOp.UNKNOWN)
RemoveResult = _declare(_NoOperands, "RemoveResult", "In ModifyByPath: remove the selected element.",
                        _op=_wire.EXP_CODE_REMOVE_RESULT)

# The stored user key, read as one type.
_Key = _declare(_NoOperands, "_Key", "The record's stored user key.", _op=_ExprOp.REC_KEY)
KeyInt = _declare(_Key, "KeyInt", "The stored user key as an integer.", _rt=ResultType.INTEGER)
KeyStr = _declare(_Key, "KeyStr", "The stored user key as a string.", _rt=ResultType.STRING)
KeyBlob = _declare(_Key, "KeyBlob", "The stored user key as bytes.", _rt=ResultType.BLOB)

# Record metadata.
_INT, _BOOL, _STR = ResultType.INTEGER, ResultType.BOOLEAN, ResultType.STRING
KeyExists = _declare(_NoOperands, "KeyExists", "Whether the user key is stored with the record.",
                     _op=_ExprOp.META_KEY_EXISTS, _rt=_BOOL)
SetName = _declare(_NoOperands, "SetName", "The record's set name.", _op=_ExprOp.META_SET_NAME, _rt=_STR)
DeviceSize = _declare(_NoOperands, "DeviceSize", "Storage size of the record on device (use RecordSize).",
                      _op=_ExprOp.META_DEVICE_SIZE, _rt=_INT)
MemorySize = _declare(_NoOperands, "MemorySize", "Memory size of the record (use RecordSize).",
                      _op=_ExprOp.META_MEMORY_SIZE, _rt=_INT)
RecordSize = _declare(_NoOperands, "RecordSize", "Size of the record in bytes.",
                      _op=_ExprOp.META_RECORD_SIZE, _rt=_INT)
LastUpdateTime = _declare(_NoOperands, "LastUpdateTime", "Last update time, nanoseconds since the Unix epoch.",
                          _op=_ExprOp.META_LAST_UPDATE_TIME, _rt=_INT)
SinceUpdateTime = _declare(_NoOperands, "SinceUpdateTime", "Milliseconds since the last update.",
                           _op=_ExprOp.META_SINCE_UPDATE_TIME, _rt=_INT)
VoidTime = _declare(_NoOperands, "VoidTime", "Expiration time, nanoseconds since the Unix epoch (-1: never).",
                    _op=_ExprOp.META_VOID_TIME, _rt=_INT)
TTL = _declare(_NoOperands, "TTL", "Remaining time to live in seconds.", _op=_ExprOp.META_TTL, _rt=_INT)
IsTombstone = _declare(_NoOperands, "IsTombstone", "Whether the record is a tombstone.",
                       _op=_ExprOp.META_IS_TOMBSTONE, _rt=_BOOL)


class DigestMod(_BaseExpr):
    """The record digest modulo ``mod``."""

    _op = _ExprOp.META_DIGEST_MOD
    _rt = ResultType.INTEGER

    def __init__(self, mod):
        self._fixed = _fixed_value(mod)


class _Bin(_BaseExpr):
    """An expression about the bin named ``bin``."""

    _op = _ExprOp.BIN

    def __init__(self, bin):
        self._fixed = {_Keys.BIN_KEY: bin}


BoolBin = _declare(_Bin, "BoolBin", "A boolean bin's value.", _rt=ResultType.BOOLEAN)
IntBin = _declare(_Bin, "IntBin", "An integer bin's value.", _rt=ResultType.INTEGER)
StrBin = _declare(_Bin, "StrBin", "A string bin's value.", _rt=ResultType.STRING)
FloatBin = _declare(_Bin, "FloatBin", "A float bin's value.", _rt=ResultType.FLOAT)
BlobBin = _declare(_Bin, "BlobBin", "A bytes bin's value.", _rt=ResultType.BLOB)
GeoBin = _declare(_Bin, "GeoBin", "A GeoJSON bin's value.", _rt=ResultType.GEOJSON)
ListBin = _declare(_Bin, "ListBin", "A list bin's value.", _rt=ResultType.LIST)
MapBin = _declare(_Bin, "MapBin", "A map bin's value.", _rt=ResultType.MAP)
HLLBin = _declare(_Bin, "HLLBin", "A HyperLogLog bin's value.", _rt=ResultType.HLL)
BinExists = _declare(_Bin, "BinExists", "Whether the bin exists.", _op=_ExprOp.BIN_EXISTS, _rt=_BOOL)
BinType = _declare(_Bin, "BinType", "The bin's particle type (aerospike.AS_BYTES_*).",
                   _op=_ExprOp.BIN_TYPE, _rt=_INT)


class _Compare(_BaseExpr):
    """Compares two operands of the same type."""

    def __init__(self, expr0, expr1):
        self._children = (expr0, expr1)


Eq = _declare(_Compare, "Eq", "expr0 == expr1.", _op=_ExprOp.EQ)
NE = _declare(_Compare, "NE", "expr0 != expr1.", _op=_ExprOp.NE)
GT = _declare(_Compare, "GT", "expr0 > expr1.", _op=_ExprOp.GT)
GE = _declare(_Compare, "GE", "expr0 >= expr1.", _op=_ExprOp.GE)
LT = _declare(_Compare, "LT", "expr0 < expr1.", _op=_ExprOp.LT)
LE = _declare(_Compare, "LE", "expr0 <= expr1.", _op=_ExprOp.LE)
CmpGeo = _declare(_Compare, "CmpGeo", "Whether the two GeoJSON operands intersect or contain each other.",
                  _op=_ExprOp.CMP_GEO)


class CmpRegex(_BaseExpr):
    """Whether ``cmp_str`` matches ``regex_str`` (POSIX regex, ``REGEX_*`` options)."""

    _op = _ExprOp.CMP_REGEX

    def __init__(self, options, regex_str, cmp_str):
        self._fixed = {_Keys.REGEX_OPTIONS_KEY: options, _Keys.VALUE_KEY: regex_str}
        self._children = (cmp_str,)


class Not(_BaseExpr):
    """Logical negation."""

    _op = _ExprOp.NOT

    def __init__(self, *exprs):
        self._children = exprs


And = _declare(_VariadicExpr, "And", "True when every operand is true.", _op=_ExprOp.AND)
Or = _declare(_VariadicExpr, "Or", "True when any operand is true.", _op=_ExprOp.OR)
Exclusive = _declare(_VariadicExpr, "Exclusive", "True when exactly one operand is true.", _op=_ExprOp.EXCLUSIVE)
Cond = _declare(_VariadicExpr, "Cond", "bool1, action1, bool2, action2, ..., default: the action of the "
                "first true condition.", _op=_ExprOp.COND)
Let = _declare(_VariadicExpr, "Let", "Def(...), ..., scoped_expr: define variables, then evaluate the last "
               "operand.", _op=_ExprOp.LET)


class Def(_BaseExpr):
    """Inside ``Let``: bind ``var_name`` to the value of ``expr``."""

    _op = _ExprOp.DEF

    def __init__(self, var_name, expr):
        self._fixed = _fixed_value(var_name)
        self._children = (expr,)


class Var(_BaseExpr):
    """The value bound to ``var_name`` by a ``Def``."""

    _op = _ExprOp.VAR

    def __init__(self, var_name):
        self._fixed = _fixed_value(var_name)


class LoopVar(_BaseExpr):
    """In a path filter: the current element (``var_id`` picks key, value or index)."""

    def __init__(self, var_id):
        self._fixed = _fixed_value(var_id)


LoopVarMap = _declare(LoopVar, "LoopVarMap", "Loop variable holding a map.", _op=_wire.LOOPVAR_MAP)
LoopVarList = _declare(LoopVar, "LoopVarList", "Loop variable holding a list.", _op=_wire.LOOPVAR_LIST)
LoopVarStr = _declare(LoopVar, "LoopVarStr", "Loop variable holding a string.", _op=_wire.LOOPVAR_STR)
LoopVarFloat = _declare(LoopVar, "LoopVarFloat", "Loop variable holding a float.", _op=_wire.LOOPVAR_FLOAT)
LoopVarInt = _declare(LoopVar, "LoopVarInt", "Loop variable holding an integer.", _op=_wire.LOOPVAR_INT)
LoopVarBlob = _declare(LoopVar, "LoopVarBlob", "Loop variable holding bytes.", _op=_wire.LOOPVAR_BLOB)
LoopVarBool = _declare(LoopVar, "LoopVarBool", "Loop variable holding a boolean.", _op=_wire.LOOPVAR_BOOL)
LoopVarNil = _declare(LoopVar, "LoopVarNil", "Loop variable holding nil.", _op=_wire.LOOPVAR_NIL)
LoopVarGeoJson = _declare(LoopVar, "LoopVarGeoJson", "Loop variable holding GeoJSON.", _op=_wire.LOOPVAR_GEOJSON)
LoopVarHLL = _declare(LoopVar, "LoopVarHLL", "Loop variable holding a HyperLogLog.", _op=_wire.LOOPVAR_HLL)


class SelectByPath(_BaseExpr):
    """The elements of ``bin`` selected by the path ``ctx``, as ``value_type``."""

    _op = _wire.EXP_CODE_CALL_SELECT

    def __init__(self, ctx, value_type, flags, bin):
        self._fixed = {_Keys.VALUE_TYPE_KEY: value_type, _Keys.CTX_KEY: ctx, _wire.CDT_FLAGS_KEY: flags}
        self._children = (bin,)


class ModifyByPath(_BaseExpr):
    """``bin`` with the elements selected by ``ctx`` replaced by ``mod_exp``."""

    _op = _wire.EXP_CODE_CALL_APPLY

    def __init__(self, ctx, value_type, mod_exp, flags, bin):
        self._fixed = {_Keys.VALUE_TYPE_KEY: value_type, _Keys.CTX_KEY: ctx, _wire.CDT_FLAGS_KEY: flags,
                       _wire.CDT_APPLY_MOD_EXP_KEY: mod_exp}
        self._children = (bin,)
