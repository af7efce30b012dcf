"""Type stubs of aerospike_helpers.expressions.resources."""

from typing import Any, Dict, List, Optional, Tuple, Union

# One compiled node: (op code, result type, fixed operands, child count).
_CompiledNode = Tuple[int, Optional[int], Optional[Dict[str, Any]], int]

class ReturnType:
    LIST_RETURN_INVERTED: int
    MAP_RETURN_INVERTED: int

class ResultType:
    NIL: int
    BOOLEAN: int
    INTEGER: int
    STRING: int
    LIST: int
    MAP: int
    BLOB: int
    FLOAT: int
    GEOJSON: int
    HLL: int

class _AtomExpr:
    def compile(self) -> List[_CompiledNode]: ...

class _BaseExpr(_AtomExpr):
    def __add__(self, right: Any) -> "_BaseExpr": ...
    def __sub__(self, right: Any) -> "_BaseExpr": ...
    def __mul__(self, right: Any) -> "_BaseExpr": ...
    def __truediv__(self, right: Any) -> "_BaseExpr": ...
    def __floordiv__(self, right: Any) -> "_BaseExpr": ...
    def __pow__(self, right: Any) -> "_BaseExpr": ...
    def __mod__(self, right: Any) -> "_BaseExpr": ...
    def __abs__(self) -> "_BaseExpr": ...
    def __floor__(self) -> "_BaseExpr": ...
    def __ceil__(self) -> "_BaseExpr": ...

# What expression constructors take: a bin is named or given as an expression; numbers may
# be expressions too.
_BinArg = Union[str, _BaseExpr]
_IntArg = Union[int, _BaseExpr]
