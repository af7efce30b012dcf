"""Core expressions: values, record metadata, bins, comparisons, logic, variables and paths.

Bin classes read a bin of the given type; metadata classes read a record property;
comparison and logic classes combine sub-expressions or plain values.
"""

from .. import _wire
from .resources import ResultType, _BaseExpr, _ExprOp, _Keys, _VariadicExpr


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


class Unknown(_BaseExpr):
    """Fails the expression when evaluated (e.g. the default of a ``Cond``)."""

    _op = _ExprOp.UNKNOWN

    def __init__(self):
        pass


class _Key(_BaseExpr):
    """The record's stored user key."""

    _op = _ExprOp.REC_KEY

    def __init__(self):
        pass


class KeyInt(_Key):
    """The stored user key as an integer."""

    _rt = ResultType.INTEGER


class KeyStr(_Key):
    """The stored user key as a string."""

    _rt = ResultType.STRING


class KeyBlob(_Key):
    """The stored user key as bytes."""

    _rt = ResultType.BLOB


class _Meta(_BaseExpr):
    """A record property without operands."""

    def __init__(self):
        pass


class KeyExists(_Meta):
    """Whether the user key is stored with the record."""

    _op = _ExprOp.META_KEY_EXISTS
    _rt = ResultType.BOOLEAN


class SetName(_Meta):
    """The record's set name."""

    _op = _ExprOp.META_SET_NAME
    _rt = ResultType.STRING


class DeviceSize(_Meta):
    """Storage size of the record on device (deprecated: use RecordSize)."""

    _op = _ExprOp.META_DEVICE_SIZE
    _rt = ResultType.INTEGER


class MemorySize(_Meta):
    """Memory size of the record (deprecated: use RecordSize)."""

    _op = _ExprOp.META_MEMORY_SIZE
    _rt = ResultType.INTEGER


class RecordSize(_Meta):
    """Size of the record in bytes."""

    _op = _ExprOp.META_RECORD_SIZE
    _rt = ResultType.INTEGER


class LastUpdateTime(_Meta):
    """Last update time, nanoseconds since the Unix epoch."""

    _op = _ExprOp.META_LAST_UPDATE_TIME
    _rt = ResultType.INTEGER


class SinceUpdateTime(_Meta):
    """Milliseconds since the last update."""

    _op = _ExprOp.META_SINCE_UPDATE_TIME
    _rt = ResultType.INTEGER


class VoidTime(_Meta):
    """Expiration time in nanoseconds since the Unix epoch (-1: never)."""

    _op = _ExprOp.META_VOID_TIME
    _rt = ResultType.INTEGER


class TTL(_Meta):
    """Remaining time to live in seconds."""

    _op = _ExprOp.META_TTL
    _rt = ResultType.INTEGER


class IsTombstone(_Meta):
    """Whether the record is a tombstone (only meaningful in some XDR/scan contexts)."""

    _op = _ExprOp.META_IS_TOMBSTONE
    _rt = ResultType.BOOLEAN


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


class BoolBin(_Bin):
    """A boolean bin's value."""

    _rt = ResultType.BOOLEAN


class IntBin(_Bin):
    """An integer bin's value."""

    _rt = ResultType.INTEGER


class StrBin(_Bin):
    """A string bin's value."""

    _rt = ResultType.STRING


class FloatBin(_Bin):
    """A float bin's value."""

    _rt = ResultType.FLOAT


class BlobBin(_Bin):
    """A bytes bin's value."""

    _rt = ResultType.BLOB


class GeoBin(_Bin):
    """A GeoJSON bin's value."""

    _rt = ResultType.GEOJSON


class ListBin(_Bin):
    """A list bin's value."""

    _rt = ResultType.LIST


class MapBin(_Bin):
    """A map bin's value."""

    _rt = ResultType.MAP


class HLLBin(_Bin):
    """A HyperLogLog bin's value."""

    _rt = ResultType.HLL


class BinExists(_Bin):
    """Whether the bin exists."""

    _op = _ExprOp.BIN_EXISTS
    _rt = ResultType.BOOLEAN


class BinType(_Bin):
    """The bin's particle type (``aerospike.AS_BYTES_*``)."""

    _op = _ExprOp.BIN_TYPE
    _rt = ResultType.INTEGER


class _Compare(_BaseExpr):
    """Compares two operands of the same type."""

    def __init__(self, expr0, expr1):
        self._children = (expr0, expr1)


class Eq(_Compare):
    """``expr0 == expr1``."""

    _op = _ExprOp.EQ


class NE(_Compare):
    """``expr0 != expr1``."""

    _op = _ExprOp.NE


class GT(_Compare):
    """``expr0 > expr1``."""

    _op = _ExprOp.GT


class GE(_Compare):
    """``expr0 >= expr1``."""

    _op = _ExprOp.GE


class LT(_Compare):
    """``expr0 < expr1``."""

    _op = _ExprOp.LT


class LE(_Compare):
    """``expr0 <= expr1``."""

    _op = _ExprOp.LE


class CmpRegex(_BaseExpr):
    """Whether ``cmp_str`` matches ``regex_str`` (POSIX regex, ``REGEX_*`` options)."""

    _op = _ExprOp.CMP_REGEX

    def __init__(self, options, regex_str, cmp_str):
        self._fixed = {_Keys.REGEX_OPTIONS_KEY: options, _Keys.VALUE_KEY: regex_str}
        self._children = (cmp_str,)


class CmpGeo(_BaseExpr):
    """Whether the two GeoJSON operands intersect or contain each other."""

    _op = _ExprOp.CMP_GEO

    def __init__(self, expr0, expr1):
        self._children = (expr0, expr1)


class Not(_BaseExpr):
    """Logical negation."""

    _op = _ExprOp.NOT

    def __init__(self, *exprs):
        self._children = exprs


class And(_VariadicExpr):
    """True when every operand is true."""

    _op = _ExprOp.AND


class Or(_VariadicExpr):
    """True when any operand is true."""

    _op = _ExprOp.OR


class Exclusive(_VariadicExpr):
    """True when exactly one operand is true."""

    _op = _ExprOp.EXCLUSIVE


class Cond(_VariadicExpr):
    """``bool1, action1, bool2, action2, ..., default``: the action of the first true condition."""

    _op = _ExprOp.COND


class Let(_VariadicExpr):
    """``Def(...), ..., scoped_expr``: define variables, then evaluate the last operand."""

    _op = _ExprOp.LET


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


class LoopVarMap(LoopVar):
    """Loop variable holding a map."""

    _op = _wire.LOOPVAR_MAP


class LoopVarList(LoopVar):
    """Loop variable holding a list."""

    _op = _wire.LOOPVAR_LIST


class LoopVarStr(LoopVar):
    """Loop variable holding a string."""

    _op = _wire.LOOPVAR_STR


class LoopVarFloat(LoopVar):
    """Loop variable holding a float."""

    _op = _wire.LOOPVAR_FLOAT


class LoopVarInt(LoopVar):
    """Loop variable holding an integer."""

    _op = _wire.LOOPVAR_INT


class LoopVarBlob(LoopVar):
    """Loop variable holding bytes."""

    _op = _wire.LOOPVAR_BLOB


class LoopVarBool(LoopVar):
    """Loop variable holding a boolean."""

    _op = _wire.LOOPVAR_BOOL


class LoopVarNil(LoopVar):
    """Loop variable holding nil."""

    _op = _wire.LOOPVAR_NIL


class LoopVarGeoJson(LoopVar):
    """Loop variable holding GeoJSON."""

    _op = _wire.LOOPVAR_GEOJSON


class LoopVarHLL(LoopVar):
    """Loop variable holding a HyperLogLog."""

    _op = _wire.LOOPVAR_HLL


class RemoveResult(_BaseExpr):
    """In ``ModifyByPath``: remove the selected element."""

    _op = _wire.EXP_CODE_REMOVE_RESULT

    def __init__(self):
        pass


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
