"""Expression tree machinery: codes, result types and the base class with ``compile()``.

An expression node has a code (``_op``), a result type (``_rt``), fixed operands
(``_fixed``, a dict or None) and children (sub-expressions or plain values).
``compile()`` flattens the tree in prefix order into ``(op, rt, fixed, child_count)``
tuples; plain values become ``(VAL, None, {"val": value}, 0)``. The client encodes that list.
"""


class _Keys:
    """Keys of the ``fixed`` dicts."""

    BIN_KEY, CTX_KEY, VALUE_KEY, VALUE_TYPE_KEY = "bin", "ctx", "val", "value_type"
    RETURN_TYPE_KEY, REGEX_OPTIONS_KEY = "return_type", "regex_options"
    LIST_POLICY_KEY, MAP_POLICY_KEY, LIST_ORDER_KEY = "list_policy", "map_policy", "list_order"


class _ExprOp:
    """Expression codes (server wire codes, plus client-side markers >= 128)."""

    UNKNOWN = 0
    EQ, NE, GT, GE, LT, LE, CMP_REGEX, CMP_GEO = range(1, 9)
    AND, OR, NOT, EXCLUSIVE = range(16, 20)
    ADD, SUB, MUL, DIV, POW, LOG, MOD, ABS, FLOOR, CEIL, TO_INT, TO_FLOAT = range(20, 32)
    INT_AND, INT_OR, INT_XOR, INT_NOT, INT_LSHIFT, INT_RSHIFT, INT_ARSHIFT = range(32, 39)
    INT_COUNT, INT_LSCAN, INT_RSCAN = range(39, 42)
    MIN, MAX = 50, 51
    (META_DIGEST_MOD, META_DEVICE_SIZE, META_LAST_UPDATE_TIME, META_VOID_TIME, META_TTL, META_SET_NAME,
     META_KEY_EXISTS, META_SINCE_UPDATE_TIME, META_IS_TOMBSTONE, META_MEMORY_SIZE, META_RECORD_SIZE) = range(64, 75)
    REC_KEY, BIN, BIN_TYPE, BIN_EXISTS = range(80, 84)
    COND, VAR, LET, DEF = range(123, 127)
    # Markers the client turns into C client expression builders.
    _AS_EXP_CODE_AS_VAL = 128
    _AS_EXP_CODE_CALL_VOP_START = 139
    (_AS_EXP_CODE_CDT_LIST_CRMOD, _AS_EXP_CODE_CDT_LIST_MOD, _AS_EXP_CODE_CDT_MAP_CRMOD, _AS_EXP_CODE_CDT_MAP_CR,
     _AS_EXP_CODE_CDT_MAP_MOD) = range(140, 145)
    _AS_EXP_CODE_END_OF_VA_ARGS = 150
    _TRUE = 151
    _FALSE = 152
    _AS_EXP_BIT_FLAGS = 153
    VAL = 200


class ReturnType:
    """Flag that inverts the selection of a list/map expression."""

    LIST_RETURN_INVERTED = MAP_RETURN_INVERTED = 0x10000


class ResultType:
    """Value types an expression can produce."""

    NIL, BOOLEAN, INTEGER, STRING, LIST, MAP, BLOB, FLOAT, GEOJSON, HLL = range(10)


class _AtomExpr:
    """Anything that compiles to an expression."""

    def compile(self):
        raise NotImplementedError


class _BaseExpr(_AtomExpr):
    """An expression node; subclasses set ``_op``/``_rt`` and fill ``_fixed``/``_children``."""

    _op = 0
    _rt = None
    _fixed = None
    _children = ()

    def compile(self):
        """The expression as a prefix-order list of ``(op, rt, fixed, child_count)`` tuples."""
        compiled = []
        pending = [self]
        while pending:
            node = pending.pop()
            if isinstance(node, _BaseExpr):
                compiled.append((node._op, node._rt, node._fixed, len(node._children)))
                pending.extend(reversed(node._children))
            else:
                compiled.append((_ExprOp.VAL, None, {_Keys.VALUE_KEY: node}, 0))
        return compiled

    # Python operators build arithmetic expressions; chains of one operator merge into one node.
    def _operands(self, op_code, keep_end=True):
        if self._op != op_code:
            return (self,)
        return self._children if keep_end else self._children[:-1]

    def _unary(self, op_code):
        return _node(op_code, self._operands(op_code))

    def _binary(self, other, op_code):
        right = other._operands(op_code) if isinstance(other, _BaseExpr) else (other,)
        return _node(op_code, self._operands(op_code) + tuple(right))

    def _variadic(self, other, op_code):
        # Variadic operators end with an end-of-arguments marker; merged chains keep just one.
        right = other._operands(op_code, False) if isinstance(other, _BaseExpr) else (other,)
        end = _node(_ExprOp._AS_EXP_CODE_END_OF_VA_ARGS, ())
        return _node(op_code, self._operands(op_code, False) + tuple(right) + (end,))

    def __floordiv__(self, right):
        return (self / right).__floor__()


# Python operators on expressions build the matching expression nodes.
def _install_operators():
    def unary(op_code):
        return lambda self: self._unary(op_code)

    def variadic(op_code):
        return lambda self, right: self._variadic(right, op_code)

    def binary(op_code):
        return lambda self, right: self._binary(right, op_code)

    table = (("__abs__", unary, _ExprOp.ABS), ("__floor__", unary, _ExprOp.FLOOR),
             ("__ceil__", unary, _ExprOp.CEIL), ("__add__", variadic, _ExprOp.ADD),
             ("__sub__", variadic, _ExprOp.SUB), ("__mul__", variadic, _ExprOp.MUL),
             ("__truediv__", variadic, _ExprOp.DIV), ("__pow__", binary, _ExprOp.POW),
             ("__mod__", binary, _ExprOp.MOD))
    for name, kind, op_code in table:
        setattr(_BaseExpr, name, kind(op_code))


_install_operators()


def _node(op_code, children):
    """A bare node made by an operator: no result type, no fixed part."""
    node = _BaseExpr()
    node._op = op_code
    node._children = tuple(children)
    return node


class _GenericExpr(_BaseExpr):
    """A node given its code, result type and fixed part directly."""

    def __init__(self, op, rt, fixed):
        self._op = op
        self._rt = rt
        self._fixed = fixed


class _VariadicExpr(_BaseExpr):
    """Takes any number of operands; the client sees their end by a closing marker."""

    def __init__(self, *exprs):
        self._children = exprs + (_GenericExpr(_ExprOp._AS_EXP_CODE_END_OF_VA_ARGS, 0, {}),)


def _subclass(module, base, name, doc, **attrs):
    """``class name(base)`` of ``module`` that only sets the class attributes ``attrs``.

    The many expression classes that differ from their base by a code or result type
    are declared with this, one line each.
    """
    return type(name, (base,), dict(attrs, __doc__=doc, __module__=module))
