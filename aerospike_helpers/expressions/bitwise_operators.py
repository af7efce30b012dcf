"""Bit operators on integer expressions."""

import functools

from .resources import _BaseExpr, _ExprOp, _subclass, _VariadicExpr

_declare = functools.partial(_subclass, __name__)


class _Shift(_BaseExpr):
    def __init__(self, value, shift):
        self._children = (value, shift)


class _Scan(_BaseExpr):
    def __init__(self, value, search):
        self._children = (value, search)


class _OneOperand(_BaseExpr):
    def __init__(self, value):
        self._children = (value,)


IntAnd = _declare(_VariadicExpr, "IntAnd", "Bitwise AND of the operands.", _op=_ExprOp.INT_AND)
IntOr = _declare(_VariadicExpr, "IntOr", "Bitwise OR of the operands.", _op=_ExprOp.INT_OR)
IntXOr = _declare(_VariadicExpr, "IntXOr", "Bitwise XOR of the operands.", _op=_ExprOp.INT_XOR)
IntLeftShift = _declare(_Shift, "IntLeftShift", "value << shift.", _op=_ExprOp.INT_LSHIFT)
IntRightShift = _declare(_Shift, "IntRightShift", "value >> shift, filling with zeros.", _op=_ExprOp.INT_RSHIFT)
IntArithmeticRightShift = _declare(_Shift, "IntArithmeticRightShift", "value >> shift, keeping the sign.",
                                   _op=_ExprOp.INT_ARSHIFT)
IntCount = _declare(_OneOperand, "IntCount", "Number of set bits.", _op=_ExprOp.INT_COUNT)
IntLeftScan = _declare(_Scan, "IntLeftScan", "Position of the first bit equal to search from the most "
                       "significant end (-1: none).", _op=_ExprOp.INT_LSCAN)
IntRightScan = _declare(_Scan, "IntRightScan", "Position of the first bit equal to search from the least "
                        "significant end (-1: none).", _op=_ExprOp.INT_RSCAN)


class IntNot(_BaseExpr):
    """Bitwise complement."""

    _op = _ExprOp.INT_NOT

    def __init__(self, expr):
        self._children = (expr,)
