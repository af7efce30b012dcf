"""Arithmetic expressions on integers and floats (operands must share one type)."""

import functools

from .resources import _BaseExpr, _ExprOp, _subclass, _VariadicExpr

_declare = functools.partial(_subclass, __name__)


class _Variadic(_VariadicExpr):
    # The base class, with the operand parameter named as users know it here.
    def __init__(self, *args):
        super().__init__(*args)


class _Unary(_BaseExpr):
    def __init__(self, value):
        self._children = (value,)


Add = _declare(_Variadic, "Add", "Sum of the operands.", _op=_ExprOp.ADD)
Sub = _declare(_Variadic, "Sub", "First operand minus the others (negation with one operand).", _op=_ExprOp.SUB)
Mul = _declare(_Variadic, "Mul", "Product of the operands.", _op=_ExprOp.MUL)
Div = _declare(_Variadic, "Div", "First operand divided by the others.", _op=_ExprOp.DIV)
Min = _declare(_Variadic, "Min", "Smallest operand.", _op=_ExprOp.MIN)
Max = _declare(_Variadic, "Max", "Largest operand.", _op=_ExprOp.MAX)

Abs = _declare(_Unary, "Abs", "Absolute value.", _op=_ExprOp.ABS)
Floor = _declare(_Unary, "Floor", "Float rounded down.", _op=_ExprOp.FLOOR)
Ceil = _declare(_Unary, "Ceil", "Float rounded up.", _op=_ExprOp.CEIL)
ToInt = _declare(_Unary, "ToInt", "Float converted to an integer.", _op=_ExprOp.TO_INT)
ToFloat = _declare(_Unary, "ToFloat", "Integer converted to a float.", _op=_ExprOp.TO_FLOAT)


class Pow(_BaseExpr):
    """``base ** exponent`` on floats."""

    _op = _ExprOp.POW

    def __init__(self, base, exponent):
        self._children = (base, exponent)


class Log(_BaseExpr):
    """Logarithm of ``num`` in ``base`` (floats)."""

    _op = _ExprOp.LOG

    def __init__(self, num, base):
        self._children = (num, base)


class Mod(_BaseExpr):
    """Integer remainder of ``numerator / denominator``."""

    _op = _ExprOp.MOD

    def __init__(self, numerator, denominator):
        self._children = (numerator, denominator)
