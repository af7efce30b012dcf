"""Arithmetic expressions on integers and floats (operands must share one type)."""

from .resources import _BaseExpr, _ExprOp, _VariadicExpr


class _Variadic(_VariadicExpr):
    # Same as the base, with the operand parameter named as users know it.
    def __init__(self, *args):
        super().__init__(*args)


class _Unary(_BaseExpr):
    def __init__(self, value):
        self._children = (value,)


class Add(_Variadic):
    """Sum of the operands."""

    _op = _ExprOp.ADD


class Sub(_Variadic):
    """First operand minus the others (negation with one operand)."""

    _op = _ExprOp.SUB


class Mul(_Variadic):
    """Product of the operands."""

    _op = _ExprOp.MUL


class Div(_Variadic):
    """First operand divided by the others (reciprocal with one operand)."""

    _op = _ExprOp.DIV


class Min(_Variadic):
    """Smallest operand."""

    _op = _ExprOp.MIN


class Max(_Variadic):
    """Largest operand."""

    _op = _ExprOp.MAX


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


class Abs(_Unary):
    """Absolute value."""

    _op = _ExprOp.ABS


class Floor(_Unary):
    """Float rounded down."""

    _op = _ExprOp.FLOOR


class Ceil(_Unary):
    """Float rounded up."""

    _op = _ExprOp.CEIL


class ToInt(_Unary):
    """Float converted to an integer."""

    _op = _ExprOp.TO_INT


class ToFloat(_Unary):
    """Integer converted to a float."""

    _op = _ExprOp.TO_FLOAT
