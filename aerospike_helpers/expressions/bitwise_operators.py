"""Bit operators on integer expressions."""

from .resources import _BaseExpr, _ExprOp, _VariadicExpr


class _Shift(_BaseExpr):
    def __init__(self, value, shift):
        self._children = (value, shift)


class _Scan(_BaseExpr):
    def __init__(self, value, search):
        self._children = (value, search)


class IntAnd(_VariadicExpr):
    """Bitwise AND of the operands."""

    _op = _ExprOp.INT_AND


class IntOr(_VariadicExpr):
    """Bitwise OR of the operands."""

    _op = _ExprOp.INT_OR


class IntXOr(_VariadicExpr):
    """Bitwise XOR of the operands."""

    _op = _ExprOp.INT_XOR


class IntNot(_BaseExpr):
    """Bitwise complement."""

    _op = _ExprOp.INT_NOT

    def __init__(self, expr):
        self._children = (expr,)


class IntLeftShift(_Shift):
    """``value << shift``."""

    _op = _ExprOp.INT_LSHIFT


class IntRightShift(_Shift):
    """``value >> shift``, filling with zeros."""

    _op = _ExprOp.INT_RSHIFT


class IntArithmeticRightShift(_Shift):
    """``value >> shift``, keeping the sign."""

    _op = _ExprOp.INT_ARSHIFT


class IntCount(_BaseExpr):
    """Number of set bits."""

    _op = _ExprOp.INT_COUNT

    def __init__(self, value):
        self._children = (value,)


class IntLeftScan(_Scan):
    """Position of the first bit equal to ``search`` from the most significant end (-1: none)."""

    _op = _ExprOp.INT_LSCAN


class IntRightScan(_Scan):
    """Position of the first bit equal to ``search`` from the least significant end (-1: none)."""

    _op = _ExprOp.INT_RSCAN
