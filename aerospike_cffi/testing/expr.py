"""Aerospike filter expressions and expression operations, as the server runs them.

An expression arrives as msgpack: a value is a literal, a list ``[op, args...]``
an operation.  Like the server, the evaluator works in two steps:

``compile_expression(buf)``
    parses the expression and checks its static types (every operation knows
    the type it returns: comparing an int bin with a float, adding a string,
    a filter that is not boolean... are refused here with PARAMETER, the code
    the client sees as ``InvalidRequest``).  The result is a ``Compiled``.
``Compiled.run(rec)``
    evaluates it on a record.  A value that cannot be computed (missing bin, bin
    of another type, division by zero, failed CDT call...) is ``UNKNOWN``; it
    spreads through most operations, ``and``/``or`` can still decide without it.

Public entry points used by the server core:

``evaluate(expr, rec) -> True | False | UNKNOWN``
    a filter (message field 43).  ``expr`` is the wire bytes, their msgpack
    decoding, or a ``Compiled``.  Raises ``ServerError(PARAMETER)`` for an invalid
    or non-boolean expression.  ``UNKNOWN`` is falsy: the caller filters the
    record out unless the answer ``is True``.
``execute(op, rec, bin_name, write) -> (result, new_value)``
    an EXP_READ (write False) or EXP_MODIFY (write True) operation; ``op`` is
    the op payload ``[expression, flags]`` (bytes or decoded).  A read answers
    (value, MISSING); a modify (None, new value), new value MISSING when the bin
    is left alone and None when the bin is deleted.

``rec`` is the core's RecordContext: ``bins``, ``key``, ``digest``,
``set_name``, ``void_time`` (seconds since 2010-01-01, 0 = never),
``last_update_time`` (ns since the Unix epoch), ``record_size``,
``device_size``, ``memory_size``, ``is_tombstone``.

CDT, bit and HLL calls inside expressions run on the engines
``cdt.execute``, ``cdt.bits.execute`` and ``cdt.hll.execute``.
"""

import importlib
import json
import math
import re
import struct
import time

from . import values
from .errors import (
    BIN_EXISTS,
    BIN_NOT_FOUND,
    OP_NOT_APPLICABLE,
    PARAMETER,
    UNSUPPORTED_FEATURE,
    ServerError,
)
from .values import GeoJSON, HLL, ListValue, MapValue, MISSING

# ---------------------------------------------------------------- constants

# Expression op codes (the wire's first list element).
UNK_OP = 0
EQ, NE, GT, GE, LT, LE = 1, 2, 3, 4, 5, 6
CMP_REGEX, CMP_GEO = 7, 8
AND, OR, NOT, EXCLUSIVE = 16, 17, 18, 19
ADD, SUB, MUL, DIV, POW, LOG, MOD, ABS, FLOOR, CEIL = range(20, 30)
TO_INT, TO_FLOAT = 30, 31
INT_AND, INT_OR, INT_XOR, INT_NOT = 32, 33, 34, 35
INT_LSHIFT, INT_RSHIFT, INT_ARSHIFT, INT_COUNT, INT_LSCAN, INT_RSCAN = range(36, 42)
MIN, MAX = 50, 51
DIGEST_MODULO, DEVICE_SIZE, LAST_UPDATE, SINCE_UPDATE, VOID_TIME, TTL = range(64, 70)
SET_NAME, KEY_EXISTS, IS_TOMBSTONE, MEMORY_SIZE, RECORD_SIZE = range(70, 75)
KEY, BIN, BIN_TYPE = 80, 81, 82
MAP_KEYS, MAP_VALUES = 101, 102
COND, VAR, LET, QUOTE, CALL = 123, 124, 125, 126, 127
# Path expressions: the element a path filter / modify sees (loop variable), and
# the modify expression's "remove this element".
VAR_BUILTIN, RESULT_REMOVE = 122, 100
N_BUILTINS, BUILTIN_INDEX = 3, 2
CDT_SELECT = 0xFE

# Static result types (the client's ResultType).
T_NIL, T_BOOL, T_INT, T_STR, T_LIST, T_MAP, T_BLOB, T_FLOAT, T_GEO, T_HLL = range(10)
T_NONE = -1  # a msgpack literal without an expression type (e.g. a wildcard)
T_REMOVE = 10  # RemoveResult's own type (the server's internal TYPE_RESULT_REMOVE)

# CALL systems; the modify flag marks a call that returns the modified bin.
CALL_CDT, CALL_BITS, CALL_HLL = 0, 1, 2
CALL_MODIFY_LOCAL = 0x40
CDT_CONTEXT_EVAL = 0xFF

# Expression operation flags (as_exp_read_flags / as_exp_write_flags).
EXP_CREATE_ONLY, EXP_UPDATE_ONLY, EXP_ALLOW_DELETE = 1, 2, 4
EXP_POLICY_NO_FAIL, EXP_EVAL_NO_FAIL = 8, 16
_READ_FLAGS = EXP_EVAL_NO_FAIL
_MODIFY_FLAGS = (EXP_CREATE_ONLY | EXP_UPDATE_ONLY | EXP_ALLOW_DELETE
                 | EXP_POLICY_NO_FAIL | EXP_EVAL_NO_FAIL)

BIN_NAME_MAX = 15
CITRUSLEAF_EPOCH = 1262304000  # 2010-01-01 in Unix seconds
INT64_MIN = -(1 << 63)
_U64 = (1 << 64) - 1

# POSIX regcomp flags as the server passes them through (glibc values).
REG_EXTENDED, REG_ICASE, REG_NEWLINE = 1, 2, 4


class _Unknown:
    """The 'unknown' trilean: no value could be computed.  Falsy."""

    __slots__ = ()

    def __bool__(self):
        return False

    def __repr__(self):
        return "UNKNOWN"


UNKNOWN = _Unknown()


class _Remove:
    """RemoveResult(): a path modify removes the element."""

    __slots__ = ()

    def __repr__(self):
        return "REMOVE"


REMOVE = _Remove()


class _NoRecord:
    """What a path filter runs on: no record (the server gives it none, so bins
    read as unknown)."""

    __slots__ = ()
    bins = {}

    def __getattr__(self, name):
        raise ServerError(PARAMETER, "no record in a path expression")


_NO_RECORD = _NoRecord()


def _bad(msg):
    raise ServerError(PARAMETER, msg)


def _i64(v):
    """Wrap an integer to signed 64 bits, as C arithmetic does."""
    v &= _U64
    return v - (1 << 64) if v >> 63 else v


# ---------------------------------------------------------------- msgpack reading

class _Reader:
    """A cursor over the expression's msgpack (strings kept raw where the
    server reads raw names)."""

    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def at_list(self):
        if self.pos >= len(self.buf):
            _bad("truncated expression")
        b = self.buf[self.pos]
        return 0x90 <= b <= 0x9F or b in (0xDC, 0xDD)

    def list_header(self):
        if not self.at_list():
            _bad("expected a list")
        b = self.buf[self.pos]
        if b <= 0x9F:
            self.pos += 1
            return b & 0x0F
        size = 2 if b == 0xDC else 4
        n = int.from_bytes(self.buf[self.pos + 1:self.pos + 1 + size], "big")
        self.pos += 1 + size
        return n

    def value(self):
        """The next element as a server value (typed strings decoded)."""
        v, self.pos = values.unpack_from(self.buf, self.pos)
        return v

    def integer(self):
        v = self.value()
        if type(v) is not int:
            _bad("expected an integer")
        return _i64(v)

    def raw(self):
        """A msgpack str/bin read as plain bytes (no Aerospike type byte)."""
        buf, pos = self.buf, self.pos
        if pos >= len(buf):
            _bad("truncated expression")
        b = buf[pos]
        if 0xA0 <= b <= 0xBF:
            n, pos = b & 0x1F, pos + 1
        elif b in (0xC4, 0xD9):
            n, pos = buf[pos + 1], pos + 2
        elif b in (0xC5, 0xDA):
            n, pos = int.from_bytes(buf[pos + 1:pos + 3], "big"), pos + 3
        elif b in (0xC6, 0xDB):
            n, pos = int.from_bytes(buf[pos + 1:pos + 5], "big"), pos + 5
        else:
            _bad("expected a string")
        if pos + n > len(buf):
            _bad("truncated expression")
        self.pos = pos + n
        return bytes(buf[pos:pos + n])

    def skip(self):
        """Skip one element; return its raw bytes."""
        start = self.pos
        self.value()
        return bytes(self.buf[start:self.pos])


def _repack(v):
    """Bytes of an expression that the core has already msgpack-decoded.

    Decoding loses one thing: an empty raw string (e.g. the regex '') comes back
    as '' and would re-encode as a typed string; it is re-encoded raw here, and
    the compiler reads a raw empty string in a value position as ''."""
    if isinstance(v, list):
        flags = getattr(v, "flags", 0)
        n = len(v) + (1 if flags else 0)
        if n < 16:
            out = bytearray((0x90 | n,))
        elif n < 0x10000:
            out = bytearray(b"\xdc" + struct.pack(">H", n))
        else:
            out = bytearray(b"\xdd" + struct.pack(">I", n))
        if flags:
            out += b"\xc7\x00" + bytes((flags,))
        for e in v:
            out += _repack(e)
        return bytes(out)
    if type(v) is str and v == "":
        return b"\xa0"
    return values.pack(v)


def _as_bytes(expr):
    if isinstance(expr, (bytes, bytearray, memoryview)):
        return bytes(expr)
    return _repack(expr)


# ---------------------------------------------------------------- runtime helpers

class _Env:
    """What one evaluation sees: the record and the let-variable slots."""

    __slots__ = ("rec", "vars", "builtins")

    def __init__(self, rec, n_vars, builtins=None):
        self.rec = rec
        self.vars = [UNKNOWN] * n_vars
        self.builtins = builtins  # path expressions: {loop variable id: value}


def _particle_type(v):
    if v is True or v is False:
        return values.P_BOOL
    if isinstance(v, int):
        return values.P_INTEGER
    if isinstance(v, float):
        return values.P_FLOAT
    if isinstance(v, GeoJSON):
        return values.P_GEOJSON
    if isinstance(v, str):
        return values.P_STRING
    if isinstance(v, HLL):
        return values.P_HLL
    if isinstance(v, values.Blob):
        return v.ptype
    if isinstance(v, (bytes, bytearray)):
        return values.P_BLOB
    if isinstance(v, list):
        return values.P_LIST
    if isinstance(v, (MapValue, dict)):
        return values.P_MAP
    return values.P_NULL


_TYPE_OF_PARTICLE = {
    values.P_NULL: T_NIL, values.P_BOOL: T_BOOL, values.P_INTEGER: T_INT,
    values.P_FLOAT: T_FLOAT, values.P_STRING: T_STR, values.P_BLOB: T_BLOB,
    values.P_LIST: T_LIST, values.P_MAP: T_MAP, values.P_GEOJSON: T_GEO,
    values.P_HLL: T_HLL,
}


def _value_type(v):
    """The expression type of a server value (None: none fits)."""
    if v is None:
        return T_NIL
    return _TYPE_OF_PARTICLE.get(_particle_type(v))


def _copy(v):
    """A deep copy of a collection (engines may change what they are given)."""
    if isinstance(v, ListValue):
        return ListValue([_copy(e) for e in v], v.flags)
    if isinstance(v, MapValue):
        return MapValue([[_copy(k), _copy(e)] for k, e in v.items], v.flags)
    return v


def _fdiv(a, b):
    """IEEE division (Python raises where C gives inf or nan)."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _c_pow(a, b):
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf if a > 0 or float(b).is_integer() and b % 2 == 0 else -math.inf
    except ValueError:
        if a == 0.0:  # 0 to a negative power
            return math.inf
        return math.nan


def _c_log(a):
    if a != a or a < 0.0:
        return math.nan
    if a == 0.0:
        return -math.inf
    return math.log(a)


def _c_to_int(f):
    """double -> int64 as x86 converts it: out of range or nan gives INT64_MIN."""
    if f != f or not -9.223372036854775808e18 <= f < 9.223372036854775808e18:
        return INT64_MIN
    return int(f)


def _c_div(a, b):
    """C integer division (truncates toward zero); INT64_MIN / -1 wraps instead
    of trapping like the real server does."""
    q = abs(a) // abs(b)
    return _i64(q if (a < 0) == (b < 0) else -q)


def _c_mod(a, b):
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def _str_bytes(v):
    return v.encode("utf-8", "surrogateescape") if isinstance(v, str) else bytes(v)


def _msgpack_cmp(a, b, seen):
    """Server order of two CDT values; ``seen[0]`` is set when a non-empty
    unordered map takes part (such comparisons are unknown)."""
    for x in (a, b):
        if isinstance(x, MapValue) and x.items and not x.flags & 1:
            seen[0] = True
    if isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b):
            c = _msgpack_cmp(x, y, seen)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if isinstance(a, MapValue) and isinstance(b, MapValue):
        if len(a.items) != len(b.items):
            return -1 if len(a.items) < len(b.items) else 1
        for (ka, va), (kb, vb) in zip(a.items, b.items):
            c = _msgpack_cmp(ka, kb, seen) or _msgpack_cmp(va, vb, seen)
            if c:
                return c
        return 0
    return values.compare(a, b)


_CMP_RESULT = {
    EQ: lambda c: c == 0, NE: lambda c: c != 0, GT: lambda c: c > 0,
    GE: lambda c: c >= 0, LT: lambda c: c < 0, LE: lambda c: c <= 0,
}


def _compare(code, t, a, b):
    """The trilean of comparison ``code`` between two values of type ``t``."""
    if t == T_NIL:
        return code in (EQ, GE, LE)
    if t in (T_STR, T_BLOB):
        a, b = _str_bytes(a), _str_bytes(b)
    elif t in (T_LIST, T_MAP):
        seen = [False]
        c = _msgpack_cmp(a, b, seen)
        return UNKNOWN if seen[0] else _CMP_RESULT[code](c)
    elif t == T_BOOL:
        a, b = int(a), int(b)
    if code == EQ:
        return a == b
    if code == NE:
        return a != b
    if code == GT:
        return a > b
    if code == GE:
        return a >= b
    if code == LT:
        return a < b
    return a <= b


# ---------------------------------------------------------------- regex (POSIX -> Python)

_POSIX_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
    "lower": "a-z", "space": " \\t\\n\\r\\f\\v", "blank": " \\t",
    "punct": "!-/:-@\\[-`{-~", "xdigit": "0-9A-Fa-f", "cntrl": "\\x00-\\x1f\\x7f",
    "print": " -~", "graph": "!-~", "word": "a-zA-Z0-9_",
}
_GNU_ESCAPES = {"w": r"\w", "W": r"\W", "s": r"\s", "S": r"\S", "b": r"\b",
                "B": r"\B", "<": r"\b(?=\w)", ">": r"\b(?<=\w)", "`": r"\A", "'": r"\Z"}


def _bracket(p, i, newline):
    """Translate the bracket expression starting after '[' at ``p[i]``."""
    out = []
    negate = i < len(p) and p[i] == "^"
    if negate:
        i += 1
    first = True
    while True:
        if i >= len(p):
            raise re.error("unterminated bracket")
        c = p[i]
        if c == "]" and not first:
            i += 1
            break
        first = False
        if c == "[" and i + 1 < len(p) and p[i + 1] in ":=.":
            kind = p[i + 1]
            end = p.find(kind + "]", i + 2)
            if end < 0:
                raise re.error("unterminated class")
            name = p[i + 2:end]
            if kind == ":":
                if name not in _POSIX_CLASSES:
                    raise re.error("unknown class")
                out.append(_POSIX_CLASSES[name])
            else:
                out.append(re.escape(name))
            i = end + 2
            continue
        if c == "-" and out and i + 1 < len(p) and p[i + 1] != "]":
            out.append("-")
        else:
            out.append("\\" + c if c in "\\]^-[" else c)
        i += 1
    if negate and newline:
        out.append("\\n")
    return "[" + ("^" if negate else "") + "".join(out) + "]", i


def _posix_to_python(pattern, flags):
    """A Python regex matching like POSIX regcomp(pattern, flags) (basic or
    extended syntax, GNU extensions)."""
    ere = bool(flags & REG_EXTENDED)
    newline = bool(flags & REG_NEWLINE)
    p = pattern
    out = []
    i = 0
    at_start = True  # where a BRE '*' or '^' is special / literal
    while i < len(p):
        c = p[i]
        start_here = at_start
        at_start = False
        if c == "\\":
            i += 1
            if i >= len(p):
                raise re.error("trailing backslash")
            c = p[i]
            if not ere and c in "(){}|+?":
                out.append(c)
                at_start = c in "(|"
            elif c.isdigit() and c != "0":
                out.append("\\" + c)
            elif c in _GNU_ESCAPES:
                out.append(_GNU_ESCAPES[c])
            else:
                out.append(re.escape(c))
            i += 1
            continue
        if c == "[":
            cls, i = _bracket(p, i + 1, newline)
            out.append(cls)
            continue
        if c == ".":
            out.append(".")
        elif c == "^":
            out.append("^" if ere or start_here else "\\^")
            at_start = not ere and start_here
        elif c == "$":
            anchor = ere or i + 1 == len(p) or p.startswith("\\)", i + 1) or p.startswith("\\|", i + 1)
            out.append(("$" if newline else r"\Z") if anchor else "\\$")
        elif c == "*":
            out.append("\\*" if start_here and not ere else "*")
        elif ere and c in "(){}|+?":
            out.append(c)
            at_start = c in "(|"
        else:
            out.append(re.escape(c))
        i += 1
    py_flags = (re.I if flags & REG_ICASE else 0) | (re.M if newline else re.S)
    return re.compile("".join(out), py_flags)


# ---------------------------------------------------------------- GeoJSON

_EARTH_RADIUS_M = 6371000.0


class _Geo:
    """A parsed GeoJSON: a point (lng, lat) or a region (polygons / circle)."""

    __slots__ = ("point", "polygons", "circle")

    def __init__(self, point=None, polygons=None, circle=None):
        self.point = point
        self.polygons = polygons
        self.circle = circle


def _geo_parse(text):
    """A _Geo, or None when the text is not GeoJSON the server accepts."""
    try:
        obj = json.loads(text)
        kind = obj["type"]
        coords = obj["coordinates"]
        if kind == "Point":
            return _Geo(point=(float(coords[0]), float(coords[1])))
        if kind == "Polygon":
            return _Geo(polygons=[[[(float(x), float(y)) for x, y in ring] for ring in coords]])
        if kind == "MultiPolygon":
            return _Geo(polygons=[[[(float(x), float(y)) for x, y in ring] for ring in poly]
                                  for poly in coords])
        if kind == "AeroCircle":
            (x, y), radius = coords
            return _Geo(circle=((float(x), float(y)), float(radius)))
    except (ValueError, KeyError, TypeError, IndexError):
        pass
    return None


def _in_ring(pt, ring):
    x, y = pt
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _region_contains(region, pt):
    if region.circle is not None:
        (lng, lat), radius = region.circle
        p1, p2 = math.radians(lat), math.radians(pt[1])
        dp, dl = p2 - p1, math.radians(pt[0] - lng)
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))) <= radius
    for poly in region.polygons:
        if poly and _in_ring(pt, poly[0]) and not any(_in_ring(pt, hole) for hole in poly[1:]):
            return True
    return False


def _geo_match(a, b):
    """cmp_geo: a point within a region, or a region containing a point."""
    if a.point is not None and b.point is None:
        return _region_contains(b, a.point)
    if a.point is None and b.point is not None:
        return _region_contains(a, b.point)
    return False


# ---------------------------------------------------------------- compiler

class _Node:
    """A compiled sub-expression: ``fn(env)`` evaluates it; ``type`` is its static
    result type; ``is_unknown`` marks the literal unknown (allowed in any cond
    branch)."""

    __slots__ = ("fn", "type", "is_unknown")

    def __init__(self, fn, type_, is_unknown=False):
        self.fn = fn
        self.type = type_
        self.is_unknown = is_unknown


class Compiled:
    """A checked expression, ready to run on any number of records."""

    __slots__ = ("root", "n_vars")

    def __init__(self, root, n_vars):
        self.root = root
        self.n_vars = n_vars

    @property
    def type(self):
        return self.root.type

    def run(self, rec, builtins=None):
        """The expression's value on ``rec``, or UNKNOWN.  A path expression runs
        with no record (``rec`` None) and its loop variables in ``builtins``."""
        if rec is None:
            rec = _NO_RECORD
        return self.root.fn(_Env(rec, self.n_vars, builtins))


def _const(v, t):
    return _Node(lambda env: v, t)


class _Compiler:
    def __init__(self, buf):
        self.r = _Reader(buf)
        self.scopes = []  # let scopes: lists of [name, slot, type]
        self.n_slots = 0
        self.max_slots = 0

    def compile(self):
        try:
            root = self.node()
        except (IndexError, RecursionError):  # truncated or absurdly nested input
            _bad("malformed expression")
        if self.r.pos != len(self.r.buf):
            _bad("trailing bytes after the expression")
        if root.type == T_NONE:
            _bad("expression has no result type")
        return Compiled(root, self.max_slots)

    # -- one element

    def node(self):
        r = self.r
        if not r.at_list():
            return self.literal()
        n = r.list_header()
        if n == 0:
            _bad("empty expression list")
        code = r.integer()
        build = _BUILDERS.get(code)
        if build is None:
            _bad("unknown expression op %d" % code)
        return build(self, code, n - 1)

    def literal(self):
        v = self.r.value()
        if v is None:
            return _const(None, T_NIL)
        if v is True or v is False:
            return _const(v, T_BOOL)
        if isinstance(v, int):
            return _const(_i64(v), T_INT)
        if isinstance(v, float):
            return _const(v, T_FLOAT)
        if isinstance(v, GeoJSON):
            geo = _geo_parse(v)
            if geo is None:
                _bad("invalid GeoJSON")
            return _const(v, T_GEO)
        if isinstance(v, str):
            return _const(v, T_STR)
        if isinstance(v, HLL):
            return _const(v, T_HLL)
        if isinstance(v, values.Blob):
            _bad("unexpected blob type %d" % v.ptype)
        if isinstance(v, bytes):
            return _const(v, T_BLOB)
        if isinstance(v, MapValue):
            return _const(v, T_MAP)
        return _const(v, T_NONE)

    def args(self, count):
        return [self.node() for _ in range(count)]

    # -- let scopes

    def find_var(self, name):
        for scope in reversed(self.scopes):
            for entry in scope:
                if entry[0] == name:
                    return entry
        return None


def _expect_count(n, want, what):
    if n != want:
        _bad("%s expects %d args, found %d" % (what, want, n))


# Each builder reads the op's arguments (n of them) and returns a _Node.

def _build_unknown(c, code, n):
    _expect_count(n, 0, "unknown")
    return _Node(lambda env: UNKNOWN, T_BOOL, is_unknown=True)


def _build_compare(c, code, n):
    _expect_count(n, 2, "compare")
    a, b = c.args(2)
    if a.type != b.type:
        _bad("compare of mismatched types")
    t = a.type
    if t in (T_GEO, T_HLL, T_NONE):
        _bad("cannot compare this type")
    return _Node(_binary(a.fn, b.fn, lambda x, y: _compare(code, t, x, y)), T_BOOL)


def _build_regex(c, code, n):
    _expect_count(n, 3, "cmp_regex")
    flags = c.r.integer()
    pattern = c.r.raw()
    arg = c.node()
    if arg.type != T_STR:
        _bad("cmp_regex needs a string")
    try:
        rx = _posix_to_python(pattern.split(b"\0", 1)[0].decode("utf-8", "surrogateescape"),
                              flags)
    except (re.error, RecursionError, OverflowError):
        _bad("invalid regex")
    fa = arg.fn

    def fn(env):
        s = fa(env)
        if s is UNKNOWN:
            return UNKNOWN
        # regexec sees a C string: it ends at the first NUL.
        return rx.search(s.split("\0", 1)[0]) is not None
    return _Node(fn, T_BOOL)


def _build_geo(c, code, n):
    _expect_count(n, 2, "cmp_geo")
    a, b = c.args(2)
    if a.type != T_GEO or b.type != T_GEO:
        _bad("cmp_geo needs two GeoJSON values")

    def match(x, y):
        gx, gy = _geo_parse(x), _geo_parse(y)
        if gx is None or gy is None:
            return UNKNOWN
        return _geo_match(gx, gy)
    return _Node(_binary(a.fn, b.fn, match), T_BOOL)


def _build_logical(c, code, n):
    if n < 2:
        _bad("logical op needs 2 or more args")
    nodes = c.args(n)
    if any(a.type != T_BOOL for a in nodes):
        _bad("logical op on a non-boolean")
    fns = [a.fn for a in nodes]
    if code == AND:
        def fn(env):
            ret = True
            for f in fns:
                v = f(env)
                if v is UNKNOWN:
                    ret = UNKNOWN
                elif not v:
                    return False
            return ret
    elif code == OR:
        def fn(env):
            ret = False
            for f in fns:
                v = f(env)
                if v is UNKNOWN:
                    ret = UNKNOWN
                elif v:
                    return True
            return ret
    else:  # exclusive: exactly one is true
        def fn(env):
            seen = False
            for f in fns:
                v = f(env)
                if v is UNKNOWN:
                    return UNKNOWN
                if v:
                    if seen:
                        return False
                    seen = True
            return seen
    return _Node(fn, T_BOOL)


def _build_not(c, code, n):
    _expect_count(n, 1, "not")
    a = c.node()
    if a.type != T_BOOL:
        _bad("not of a non-boolean")
    fa = a.fn

    def fn(env):
        v = fa(env)
        return UNKNOWN if v is UNKNOWN else not v
    return _Node(fn, T_BOOL)


def _numeric_args(c, n, what):
    """At least one argument, all int or all float; returns (fns, type)."""
    if n < 1:
        _bad("%s needs an argument" % what)
    nodes = c.args(n)
    t = nodes[0].type
    if t not in (T_INT, T_FLOAT) or any(a.type != t for a in nodes):
        _bad("%s needs all-int or all-float args" % what)
    return [a.fn for a in nodes], t


def _eval_all(fns, env):
    """The values of ``fns``, or None when one is unknown."""
    out = []
    for f in fns:
        v = f(env)
        if v is UNKNOWN:
            return None
        out.append(v)
    return out


def _build_math(c, code, n):
    fns, t = _numeric_args(c, n, "math op")
    is_int = t == T_INT

    def fn(env):
        vs = _eval_all(fns, env)
        if vs is None:
            return UNKNOWN
        first, rest = vs[0], vs[1:]
        if code == ADD:
            total = first
            for v in rest:
                total += v
        elif code == SUB:
            total = first if rest else -first
            for v in rest:
                total -= v
        elif code == MUL:
            total = first
            for v in rest:
                total *= v
        elif code == DIV:
            # first / (product of the rest); one argument means 1 / first.
            divisor = first
            if rest:
                divisor = 1 if is_int else 1.0
                for v in rest:
                    divisor = _i64(divisor * v) if is_int else divisor * v
            else:
                first = 1 if is_int else 1.0
            if not is_int:
                return _fdiv(first, divisor)
            if divisor == 0:
                return UNKNOWN
            return _c_div(first, divisor)
        elif code == MIN:
            total = first
            for v in rest:
                if total > v:
                    total = v
        else:  # MAX
            total = first
            for v in rest:
                if total < v:
                    total = v
        return _i64(total) if is_int else total
    return _Node(fn, t)


def _two_args(c, n, want_a, want_b, what):
    _expect_count(n, 2, what)
    a, b = c.args(2)
    if a.type != want_a or b.type != want_b:
        _bad("%s: wrong argument types" % what)
    return a.fn, b.fn


def _binary(fa, fb, op):
    def fn(env):
        x = fa(env)
        if x is UNKNOWN:
            return UNKNOWN
        y = fb(env)
        if y is UNKNOWN:
            return UNKNOWN
        return op(x, y)
    return fn


def _unary(fa, op):
    def fn(env):
        x = fa(env)
        return UNKNOWN if x is UNKNOWN else op(x)
    return fn


def _build_pow_log(c, code, n):
    fa, fb = _two_args(c, n, T_FLOAT, T_FLOAT, "pow/log")
    if code == POW:
        return _Node(_binary(fa, fb, _c_pow), T_FLOAT)
    return _Node(_binary(fa, fb, lambda x, y: _fdiv(_c_log(x), _c_log(y))), T_FLOAT)


def _build_mod(c, code, n):
    fa, fb = _two_args(c, n, T_INT, T_INT, "mod")
    return _Node(_binary(fa, fb, lambda x, y: UNKNOWN if y == 0 else _c_mod(x, y)), T_INT)


def _one_arg(c, n, allowed, what):
    _expect_count(n, 1, what)
    a = c.node()
    if a.type not in allowed:
        _bad("%s: wrong argument type" % what)
    return a


def _build_abs(c, code, n):
    a = _one_arg(c, n, (T_INT, T_FLOAT), "abs")
    op = (lambda x: _i64(abs(x))) if a.type == T_INT else math.fabs
    return _Node(_unary(a.fn, op), a.type)


def _round_float(rounder):
    def op(x):
        return x if math.isinf(x) or x != x else float(rounder(x))
    return op


def _build_float_op(c, code, n):
    a = _one_arg(c, n, (T_FLOAT,), "float op")
    if code == TO_INT:
        return _Node(_unary(a.fn, _c_to_int), T_INT)
    return _Node(_unary(a.fn, _round_float(math.floor if code == FLOOR else math.ceil)), T_FLOAT)


def _build_to_float(c, code, n):
    a = _one_arg(c, n, (T_INT,), "to_float")
    return _Node(_unary(a.fn, float), T_FLOAT)


def _build_int_vargs(c, code, n):
    if n < 1:
        _bad("int op needs an argument")
    nodes = c.args(n)
    if any(a.type != T_INT for a in nodes):
        _bad("int op on a non-int")
    fns = [a.fn for a in nodes]

    def fn(env):
        vs = _eval_all(fns, env)
        if vs is None:
            return UNKNOWN
        total = vs[0]
        for v in vs[1:]:
            if code == INT_AND:
                total &= v
            elif code == INT_OR:
                total |= v
            else:
                total ^= v
        return total
    return _Node(fn, T_INT)


def _popcount(x):
    return bin(x & _U64).count("1")


def _clz(x):
    """Leading zeros of a 64-bit value (64 for 0)."""
    return 64 - (x & _U64).bit_length()


def _ctz(x):
    x &= _U64
    return 64 if x == 0 else (x & -x).bit_length() - 1


def _build_int_one(c, code, n):
    a = _one_arg(c, n, (T_INT,), "int op")
    op = (lambda x: ~x) if code == INT_NOT else _popcount
    return _Node(_unary(a.fn, op), T_INT)


_SHIFTS = {
    INT_LSHIFT: lambda x, s: _i64(x << (s & 63)),
    INT_RSHIFT: lambda x, s: _i64((x & _U64) >> (s & 63)),
    INT_ARSHIFT: lambda x, s: x >> (s & 63),
}


def _build_shift(c, code, n):
    fa, fb = _two_args(c, n, T_INT, T_INT, "shift")
    return _Node(_binary(fa, fb, _SHIFTS[code]), T_INT)


def _lscan(x, want_set):
    pos = _clz(x if want_set else ~x)
    return -1 if pos == 64 else pos


def _rscan(x, want_set):
    return 63 - _ctz(x if want_set else ~x)


def _build_scan(c, code, n):
    fa, fb = _two_args(c, n, T_INT, T_BOOL, "scan")
    return _Node(_binary(fa, fb, _lscan if code == INT_LSCAN else _rscan), T_INT)


def _build_digest_mod(c, code, n):
    _expect_count(n, 1, "digest_modulo")
    mod = c.r.integer() & 0xFFFFFFFF
    mod = mod - (1 << 32) if mod >> 31 else mod  # the server keeps an int32
    if mod == 0:
        _bad("digest_modulo by zero")

    def fn(env):
        val = int.from_bytes(bytes(env.rec.digest[16:20]), "little")
        return _c_mod(val, mod)
    return _Node(fn, T_INT)


def _last_update_ms(rec):
    """The record's last update in ms since the Unix epoch (the server's precision)."""
    return rec.last_update_time // 1000000


def _since_update_ms(rec):
    return max(int(time.time() * 1000) - _last_update_ms(rec), 0)


def _meta_ttl(rec):
    if not rec.void_time:
        return -1
    now = int(time.time()) - CITRUSLEAF_EPOCH
    return rec.void_time - now if rec.void_time > now else 1


_META = {
    DEVICE_SIZE: (lambda rec: rec.device_size, T_INT),
    MEMORY_SIZE: (lambda rec: rec.memory_size, T_INT),
    RECORD_SIZE: (lambda rec: rec.record_size, T_INT),
    LAST_UPDATE: (lambda rec: _last_update_ms(rec) * 1000000, T_INT),
    SINCE_UPDATE: (_since_update_ms, T_INT),
    VOID_TIME: (lambda rec: (rec.void_time + CITRUSLEAF_EPOCH) * 1000000000
                if rec.void_time else -1, T_INT),
    TTL: (_meta_ttl, T_INT),
    SET_NAME: (lambda rec: rec.set_name or "", T_STR),
    KEY_EXISTS: (lambda rec: rec.key is not None, T_BOOL),
    IS_TOMBSTONE: (lambda rec: bool(getattr(rec, "is_tombstone", False)), T_BOOL),
}


def _build_meta(c, code, n):
    _expect_count(n, 0, "metadata")
    get, t = _META[code]
    return _Node(lambda env: get(env.rec), t)


def _build_key(c, code, n):
    _expect_count(n, 1, "key")
    t = c.r.integer()
    if t not in (T_INT, T_STR, T_BLOB):
        _bad("invalid key type")

    def fn(env):
        k = env.rec.key
        if k is None or _value_type(k) != t:
            return UNKNOWN
        return k
    return _Node(fn, t)


def _bin_name(c):
    raw = c.r.raw()
    if len(raw) > BIN_NAME_MAX:
        _bad("invalid bin name")
    return raw.decode("utf-8", "surrogateescape")


def _build_bin(c, code, n):
    _expect_count(n, 2, "bin")
    t = c.r.integer()
    name = _bin_name(c)
    if not 0 <= t <= T_HLL:
        _bad("invalid bin type")

    def fn(env):
        v = env.rec.bins.get(name, MISSING)
        if v is MISSING or v is None or _value_type(v) != t:
            return UNKNOWN
        return v
    return _Node(fn, t)


def _build_bin_type(c, code, n):
    _expect_count(n, 1, "bin_type")
    name = _bin_name(c)

    def fn(env):
        v = env.rec.bins.get(name, MISSING)
        return values.P_NULL if v is MISSING or v is None else _particle_type(v)
    return _Node(fn, T_INT)


def _build_var_builtin(c, code, n):
    _expect_count(n, 2, "var_builtin")
    t = c.r.integer()
    idx = c.r.integer()
    if not 0 <= idx < N_BUILTINS or (idx == BUILTIN_INDEX and t != T_INT):
        _bad("invalid loop variable")
    if not 0 <= t <= T_HLL:
        _bad("invalid loop variable type")

    def fn(env):
        b = env.builtins
        v = MISSING if b is None else b.get(idx, MISSING)
        if v is MISSING or _value_type(v) != t:
            return UNKNOWN
        return v
    return _Node(fn, t)


def _build_result_remove(c, code, n):
    _expect_count(n, 0, "result_remove")
    return _Node(lambda env: REMOVE, T_REMOVE)


def _build_cond(c, code, n):
    if n < 3 or n % 2 == 0:
        _bad("cond needs condition/value pairs and a default")
    t = None
    cases = []
    for _ in range(n // 2):
        cond = c.node()
        if cond.type != T_BOOL:
            _bad("cond condition is not boolean")
        value = c.node()
        if not value.is_unknown:
            if t is None:
                t = value.type
            elif value.type != t:
                _bad("cond values of mismatched types")
        cases.append((cond.fn, value.fn))
    default = c.node()
    if t is None:
        t = default.type
    elif not default.is_unknown and default.type != t:
        _bad("cond default of a mismatched type")
    fdefault = default.fn

    def fn(env):
        for fc, fv in cases:
            v = fc(env)
            if v is UNKNOWN:
                return UNKNOWN
            if v:
                return fv(env)
        return fdefault(env)
    return _Node(fn, t)


_VAR_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*\Z")


def _build_let(c, code, n):
    if n < 3 or n % 2 == 0:
        _bad("let needs name/value pairs and a body")
    scope = []
    c.scopes.append(scope)
    slots = []
    for _ in range(n // 2):
        name = c.r.raw()
        if not _VAR_NAME.match(name):
            _bad("illegal variable name")
        if c.find_var(name) is not None:
            _bad("duplicate variable name")
        entry = [name, c.n_slots, None]  # type None: being defined
        c.n_slots += 1
        scope.append(entry)
        value = c.node()
        entry[2] = value.type
        slots.append((entry[1], value.fn))
    body = c.node()
    c.max_slots = max(c.max_slots, c.n_slots)
    c.n_slots -= len(scope)
    c.scopes.pop()
    fbody = body.fn

    def fn(env):
        for slot, fv in slots:
            env.vars[slot] = fv(env)
        return fbody(env)
    return _Node(fn, body.type)


def _build_var(c, code, n):
    _expect_count(n, 1, "var")
    entry = c.find_var(c.r.raw())
    if entry is None:
        _bad("undefined variable")
    if entry[2] is None:
        _bad("variable used in its own definition")
    slot = entry[1]
    return _Node(lambda env: env.vars[slot], entry[2])


def _build_quote(c, code, n):
    _expect_count(n, 1, "quote")
    if not c.r.at_list():
        _bad("quote of a non-list")
    return _const(c.r.value(), T_LIST)


def _build_map_parts(c, code, n):
    a = _one_arg(c, n, (T_MAP,), "map keys/values")
    part = 0 if code == MAP_KEYS else 1
    return _Node(_unary(a.fn, lambda m: ListValue(kv[part] for kv in m.items)), T_LIST)


_SYSTEM_BIN_TYPES = {CALL_CDT: (T_LIST, T_MAP), CALL_BITS: (T_BLOB,), CALL_HLL: (T_HLL,)}
_SYSTEM_ENGINES = {CALL_CDT: ("cdt", "execute"), CALL_BITS: ("cdt.bits", "execute"),
                   CALL_HLL: ("cdt.hll", "execute")}


def _engine(system):
    """The engine's execute function, imported on first use (an engine that is
    not there answers UNSUPPORTED_FEATURE, as the core does)."""
    module, name = _SYSTEM_ENGINES[system]
    try:
        return getattr(importlib.import_module("." + module, __package__), name)
    except (ImportError, AttributeError):
        raise ServerError(UNSUPPORTED_FEATURE, "no %s engine" % module)


def _build_call(c, code, n):
    _expect_count(n, 4, "call")
    t = c.r.integer()
    system = c.r.integer()
    if not 0 <= t <= T_HLL:
        _bad("invalid call result type")
    modify = bool(system & CALL_MODIFY_LOCAL)
    system &= ~CALL_MODIFY_LOCAL
    # The op vector: [op, params...] or [0xff, ctx, [op, params...]];
    # list params are sub-expressions, anything else a literal.
    r = c.r
    count = r.list_header()
    if count == 0:
        _bad("empty call")
    op_code = r.integer()
    ctx = None
    if op_code == CDT_CONTEXT_EVAL:
        if count != 3:
            _bad("bad context call")
        ctx = r.value()
        count = r.list_header()
        if count == 0:
            _bad("empty call")
        op_code = r.integer()
    params = []
    if op_code == CDT_SELECT and ctx is None and count in (3, 4):
        # select / modify by path: the path (with its filter expressions) and the
        # flags are literals; a modify expression runs per element, in the engine.
        params.append(lambda env, v=r.value(): v)
        params.append(lambda env, v=r.value(): v)
        if count == 4:
            params.append(lambda env, v=r.skip(): v)
        count = 1
    for _ in range(count - 1):
        if r.at_list():
            params.append(c.node().fn)
        else:
            v = r.value()
            params.append(lambda env, v=v: v)
    target = c.node()
    if system not in _SYSTEM_BIN_TYPES:
        _bad("invalid call system")
    if target.type != T_NIL and target.type not in _SYSTEM_BIN_TYPES[system]:
        _bad("call on a bin of the wrong type")
    ftarget = target.fn

    def fn(env):
        args = [op_code]
        for f in params:
            v = f(env)
            if v is UNKNOWN:
                return UNKNOWN
            args.append(_copy(v))
        op = ListValue(args)
        if ctx is not None:
            op = ListValue([CDT_CONTEXT_EVAL, _copy(ctx), op])
        bin_value = ftarget(env)
        if bin_value is UNKNOWN:
            return UNKNOWN
        bin_value = MISSING if bin_value is None else _copy(bin_value)
        run = _engine(system)
        try:
            result, new_value = run(op, bin_value, modify)
        except ServerError:
            return UNKNOWN
        if modify:
            result = bin_value if new_value is MISSING else new_value
        if result is MISSING or _value_type(result) != t:
            return UNKNOWN
        return result
    return _Node(fn, t)


_BUILDERS = {UNK_OP: _build_unknown, CMP_REGEX: _build_regex, CMP_GEO: _build_geo,
             NOT: _build_not, POW: _build_pow_log, LOG: _build_pow_log, MOD: _build_mod,
             ABS: _build_abs, FLOOR: _build_float_op, CEIL: _build_float_op,
             TO_INT: _build_float_op, TO_FLOAT: _build_to_float,
             INT_NOT: _build_int_one, INT_COUNT: _build_int_one,
             INT_LSCAN: _build_scan, INT_RSCAN: _build_scan,
             DIGEST_MODULO: _build_digest_mod, KEY: _build_key, BIN: _build_bin,
             BIN_TYPE: _build_bin_type, COND: _build_cond, VAR: _build_var,
             LET: _build_let, QUOTE: _build_quote, CALL: _build_call,
             MAP_KEYS: _build_map_parts, MAP_VALUES: _build_map_parts,
             VAR_BUILTIN: _build_var_builtin, RESULT_REMOVE: _build_result_remove}
_BUILDERS.update(dict.fromkeys((EQ, NE, GT, GE, LT, LE), _build_compare))
_BUILDERS.update(dict.fromkeys((AND, OR, EXCLUSIVE), _build_logical))
_BUILDERS.update(dict.fromkeys((ADD, SUB, MUL, DIV, MIN, MAX), _build_math))
_BUILDERS.update(dict.fromkeys((INT_AND, INT_OR, INT_XOR), _build_int_vargs))
_BUILDERS.update(dict.fromkeys((INT_LSHIFT, INT_RSHIFT, INT_ARSHIFT), _build_shift))
_BUILDERS.update(dict.fromkeys(_META, _build_meta))


# ---------------------------------------------------------------- public API

_CACHE = {}
_CACHE_MAX = 256


def compile_expression(expr):
    """A ``Compiled`` for wire bytes (or their msgpack decoding); compiled
    expressions are cached by their bytes since scans run one per record."""
    if isinstance(expr, Compiled):
        return expr
    buf = _as_bytes(expr)
    compiled = _CACHE.get(buf)
    if compiled is None:
        compiled = _Compiler(buf).compile()
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[buf] = compiled
    return compiled


def evaluate(expr, rec):
    """A filter expression on ``rec``: True, False or UNKNOWN (falsy)."""
    compiled = compile_expression(expr)
    if compiled.type != T_BOOL:
        _bad("a filter must be boolean")
    return compiled.run(rec)


def _parse_op(op, write):
    """(Compiled, flags) of an expression operation's payload [expr, flags]."""
    r = _Reader(_as_bytes(op))
    count = r.list_header()
    if not 1 <= count <= 2:
        _bad("expression op needs [expression, flags]")
    exp_bytes = r.skip()
    flags = 0
    if count == 2:
        v = r.value()
        if type(v) is int and v >= 0:
            flags = v
    if flags & ~(_MODIFY_FLAGS if write else _READ_FLAGS):
        _bad("invalid expression op flags")
    return compile_expression(exp_bytes), flags


def _result(compiled, rec):
    """The value an expression op produces, or MISSING when evaluation failed."""
    v = compiled.run(rec)
    if v is UNKNOWN:
        return MISSING
    if isinstance(v, GeoJSON) and _geo_parse(v) is None:
        return MISSING
    if v is not None and _value_type(v) is None:
        return MISSING  # a msgpack literal that is no bin value (e.g. a wildcard)
    return _copy(v)


def execute(op, rec, bin_name, write):
    """An EXP_READ / EXP_MODIFY operation on ``rec`` (see the module docstring)."""
    compiled, flags = _parse_op(op, write)
    if not write:
        v = _result(compiled, rec)
        if v is MISSING:
            if flags & EXP_EVAL_NO_FAIL:
                return None, MISSING
            raise ServerError(OP_NOT_APPLICABLE, "expression failed to evaluate")
        return v, MISSING
    was_live = rec.bins.get(bin_name) is not None
    if was_live and flags & EXP_CREATE_ONLY:
        if flags & EXP_POLICY_NO_FAIL:
            return None, MISSING
        raise ServerError(BIN_EXISTS, "expression write would update")
    if not was_live and flags & EXP_UPDATE_ONLY:
        if flags & EXP_POLICY_NO_FAIL:
            return None, MISSING
        raise ServerError(BIN_NOT_FOUND, "expression write would create")
    v = _result(compiled, rec)
    if v is MISSING:
        if flags & EXP_EVAL_NO_FAIL:
            return None, MISSING
        raise ServerError(OP_NOT_APPLICABLE, "expression failed to evaluate")
    if v is None:
        if not was_live:
            return None, MISSING
        if not flags & EXP_ALLOW_DELETE:
            # The server tests 'flags && POLICY_NO_FAIL': any flag at all turns
            # the refused delete into a silent no-op.
            if flags:
                return None, MISSING
            raise ServerError(OP_NOT_APPLICABLE, "expression write would delete")
    return None, v
