"""HyperLogLog operations on HLL bins, as the Aerospike server executes them.

Entry points (used by the server core and by the expression evaluator):

``execute(op, bin_value, write) -> (result, new_value)``
    ``op`` is the decoded op payload ``[op_code, args...]``; ``bin_value`` is the
    bin's current value (``values.HLL``) or ``values.MISSING``; ``write`` is True
    for HLL_MODIFY and False for HLL_READ.  ``result`` is the op's answer (None
    when the op has none), ``new_value`` the new HLL or ``values.MISSING`` when
    the bin is left as it was.  Errors raise ``ServerError``.

The expression evaluator evaluates HLL read calls with
``execute(op, hll, False)[0]`` and HLL modify calls (init/add) with
``execute(op, hll_or_MISSING, True)``, taking the new HLL (or the input when
the new value is ``MISSING``).  Op code 56 (may-contain) is a read op here too.

The stored format is the server's: a flags byte (0), the index bit count p
(4..16), the minhash bit count m (0 or 4..51, p + m <= 64), a cached count
(uint64, little-endian, 0 = not cached), then 2**p registers of 6 + m bits
each, packed big-endian.  A register holds the HyperLogLog value (count of
trailing zeros of the element hash's second half, plus one) above m minhash
bits.  Elements are hashed as their msgpack encoding with MurmurHash3 x64-128.
Estimators follow the server: Ertl's improved raw estimator for counts,
HyperMinHash for similarity when all sketches carry the same minhash bits.
"""

import math
import struct

from .. import values
from ..errors import (
    BIN_EXISTS,
    BIN_NOT_FOUND,
    BIN_TYPE,
    OP_NOT_APPLICABLE,
    PARAMETER,
    SERVER_ERROR,
    ServerError,
)
from .bits import NoOp, fail, parse_op, signed_arg, uint_arg

# Op codes (as_hll_op_type).
INIT, ADD, SET_UNION, REFRESH_COUNT, FOLD = range(5)
COUNT, GET_UNION, UNION_COUNT, INTERSECT_COUNT, SIMILARITY, DESCRIBE, MAY_CONTAIN = range(50, 57)

# Write flags (HLL policy).
CREATE_ONLY, UPDATE_ONLY, NO_FAIL, ALLOW_FOLD = 1, 2, 4, 8

MIN_INDEX_BITS, MAX_INDEX_BITS = 4, 16
MIN_MINHASH_BITS, MAX_MINHASH_BITS = 4, 51
HLL_BITS = 6
HEADER_SIZE = 11
UNSET = 0xFF  # index / minhash bit count not given (-1 on the wire)
U64 = (1 << 64) - 1

_HEADER = struct.Struct("<BBBQ")


# ---------------------------------------------------------------- sketch

def _valid_index_bits(p):
    return MIN_INDEX_BITS <= p <= MAX_INDEX_BITS


def _valid_minhash_bits(m):
    return m == 0 or MIN_MINHASH_BITS <= m <= MAX_MINHASH_BITS


def _valid_bits(p, m):
    return _valid_index_bits(p) and _valid_minhash_bits(m) and p + m <= 64


def _registers_size(p, m):
    return ((HLL_BITS + m) * (1 << p) + 7) // 8


class Sketch:
    """An unpacked HLL: ``regs`` holds 2**p register values of 6 + m bits."""

    __slots__ = ("p", "m", "cache", "regs", "raw")

    def __init__(self, p, m, cache=0, regs=None, raw=None):
        self.p = p
        self.m = m
        self.cache = cache
        self.regs = regs if regs is not None else [0] * (1 << p)
        self.raw = raw  # the register bytes as read, for has_data()

    @classmethod
    def from_bytes(cls, data):
        flags, p, m, cache = _HEADER.unpack_from(data)
        body = bytes(data[HEADER_SIZE:])
        n_bits = HLL_BITS + m
        digits = format(int.from_bytes(body, "big"), "0%db" % (len(body) * 8))
        regs = [int(digits[i:i + n_bits], 2) for i in range(0, n_bits << p, n_bits)]
        return cls(p, m, cache, regs, body)

    def to_bytes(self):
        n_bits = HLL_BITS + self.m
        size = _registers_size(self.p, self.m)
        digits = "".join(format(v, "0%db" % n_bits) for v in self.regs)
        body = int(digits.ljust(size * 8, "0"), 2).to_bytes(size, "big")
        return _HEADER.pack(0, self.p, self.m, self.cache) + body

    def has_data(self):
        # The server tests only the first 2**p bytes of the registers.
        raw = self.raw if self.raw is not None else self.to_bytes()[HEADER_SIZE:]
        return any(raw[:1 << self.p])

    def n_used(self):
        return sum(1 for v in self.regs if v)

    def hll_value(self, reg):
        return reg >> self.m


def _is_valid_hll(data):
    if len(data) < HEADER_SIZE:
        return False
    flags, p, m = data[0], data[1], data[2]
    return flags == 0 and _valid_bits(p, m) and len(data) == HEADER_SIZE + _registers_size(p, m)


# ---------------------------------------------------------------- hashing

_C1, _C2 = 0x87C37B91114253D5, 0x4CF5AD432745937F


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & U64


def _fmix(k):
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & U64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & U64
    return k ^ (k >> 33)


def murmur3_x64_128(data):
    """MurmurHash3 x64-128 with seed 0: the two 64-bit halves (h1, h2)."""
    n = len(data)
    h1 = h2 = 0
    n_blocks = n // 16
    for i in range(n_blocks):
        k1, k2 = struct.unpack_from("<QQ", data, i * 16)
        h1 ^= (_rotl((k1 * _C1) & U64, 31) * _C2) & U64
        h1 = (_rotl(h1, 27) + h2) & U64
        h1 = (h1 * 5 + 0x52DCE729) & U64
        h2 ^= (_rotl((k2 * _C2) & U64, 33) * _C1) & U64
        h2 = (_rotl(h2, 31) + h1) & U64
        h2 = (h2 * 5 + 0x38495AB5) & U64
    tail = data[n_blocks * 16:]
    if len(tail) > 8:
        k2 = int.from_bytes(tail[8:], "little")
        h2 ^= (_rotl((k2 * _C2) & U64, 33) * _C1) & U64
    if tail:
        k1 = int.from_bytes(tail[:8], "little")
        h1 ^= (_rotl((k1 * _C1) & U64, 31) * _C2) & U64
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & U64
    h2 = (h2 + h1) & U64
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & U64
    h2 = (h2 + h1) & U64
    return h1, h2


def _element_register(sketch, element):
    """(register index, register value) the element maps to in ``sketch``."""
    h1, h2 = murmur3_x64_128(values.pack(element))
    index = h1 & ((1 << sketch.p) - 1)
    minhash = (h1 >> sketch.p) & ((1 << sketch.m) - 1)
    trailing_zeros = (h2 & -h2).bit_length() - 1 if h2 else 64
    hll_value = (trailing_zeros + 1) & 0xFF
    value = ((hll_value << sketch.m) | minhash) & ((1 << (HLL_BITS + sketch.m)) - 1)
    return index, value


def _add(sketch, element):
    """Add one element; True when a register changed."""
    index, value = _element_register(sketch, element)
    if sketch.regs[index] < value:
        sketch.regs[index] = value
        sketch.cache = 0
        return True
    return False


def _may_contain(sketch, element):
    index, value = _element_register(sketch, element)
    return sketch.regs[index] >= value


# ---------------------------------------------------------------- estimators

def _tau(x):
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        z_prev = z
        y *= 0.5
        z -= (1 - x) ** 2 * y
        if z_prev == z:
            return z / 3


def _sigma(x):
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        z_prev = z
        z += x * y
        y += y
        if z_prev == z:
            return z


def _alpha(p):
    return {4: 0.673, 5: 0.697, 6: 0.709}.get(p) or 0.7213 / (1.0 + 1.079 / (1 << p))


def _round_half_away(x):
    """llround: nearest integer, halves away from zero."""
    if x != x or x in (math.inf, -math.inf):
        return 0
    whole = math.floor(abs(x))
    rounded = whole + 1 if abs(x) - whole >= 0.5 else whole
    return int(rounded if x >= 0 else -rounded)


def _divide(a, b):
    """IEEE division, as C does it (no ZeroDivisionError)."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def estimate(sketch):
    """The sketch's cardinality estimate (the cached count when one is set)."""
    if sketch.cache:
        return sketch.cache
    n = 1 << sketch.p
    counts = [0] * 65
    for reg in sketch.regs:
        counts[sketch.hll_value(reg)] += 1
    z = n * _tau(counts[64] / n)
    for k in range(64, 0, -1):
        z = 0.5 * (z + counts[k])
    z += n * _sigma(counts[0] / n)
    return _round_half_away(_divide(_alpha(sketch.p) * n * n, z)) & U64


def _template(sketches):
    """Index bits: the smallest; minhash bits: shared by all, else 0."""
    p = min(s.p for s in sketches)
    m = sketches[0].m
    if any(s.m != m for s in sketches):
        m = 0
    return p, m


def _union_into(target, source):
    """Merge ``source`` into ``target`` (target.p <= source.p), folding registers."""
    mask = (1 << target.p) - 1
    regs = target.regs
    if target.m == 0:
        # Plain HLL union: compare HyperLogLog values, drop minhash bits.
        for r, reg in enumerate(source.regs):
            v = source.hll_value(reg)
            if regs[r & mask] < v:
                regs[r & mask] = v
        return
    for r, reg in enumerate(source.regs):
        if regs[r & mask] < reg:
            regs[r & mask] = reg
    target.cache = 0


def union(sketches):
    p, m = _template(sketches)
    result = Sketch(p, m)
    for s in sketches:
        _union_into(result, s)
    return result


def _intersect_into(target, source):
    mask = (1 << target.p) - 1
    regs = target.regs
    for r, reg in enumerate(source.regs):
        small = r & mask
        regs[small] = regs[small] if regs[small] == reg else 0


def _union_count(sketches):
    return estimate(union(sketches))


def _collisions(p, m, card0, card1):
    """Expected minhash collisions of two sets of the given sizes (HyperMinHash)."""
    n_registers = 1 << p
    n_buckets = 1 << HLL_BITS
    total = 0.0
    for i in range(1, n_buckets + 1):
        b1 = 2.0 ** -i if i != n_buckets else 0.0
        b2 = 2.0 ** (-i + 1)
        b1 /= n_registers
        b2 /= n_registers
        pr_x = (1 - b1) ** float(card0) - (1 - b2) ** float(card0)
        pr_y = (1 - b1) ** float(card1) - (1 - b2) ** float(card1)
        total += pr_x * pr_y
    return total * n_registers / 2.0 ** m


def similarity(sketches):
    p, m = _template(sketches)
    if m == 0:
        return _divide(float(_intersect_count_hll(sketches)), float(_union_count(sketches)))
    with_data = [s.has_data() for s in sketches]
    if not all(with_data):
        return 0.0 if any(with_data) else math.nan
    n_union = union(sketches).n_used()
    common = Sketch(p, m)
    _union_into(common, sketches[0])
    for s in sketches[1:]:
        _intersect_into(common, s)
    n_intersect = common.n_used()
    expected_collisions = 0.0
    if len(sketches) == 2:
        expected_collisions = _collisions(p, m, estimate(sketches[0]), estimate(sketches[1]))
    result = _divide(n_intersect - expected_collisions, float(n_union))
    return 0.0 if result < 0.0 else result


def _intersect_count_hll(sketches):
    """Inclusion-exclusion over plain HLL counts (2 or 3 sketches)."""
    cu = _union_count(sketches)
    total = sum(estimate(s) for s in sketches)
    if total > U64:
        total = U64
    if len(sketches) == 2:
        return total - cu if total > cu else 0
    a, b, c = sketches
    pairs = intersect_count([a, b]) + intersect_count([b, c]) + intersect_count([a, c])
    result = cu - (total - pairs)
    return result if result > 0 else 0


def intersect_count(sketches):
    p, m = _template(sketches)
    if m == 0:
        return _intersect_count_hll(sketches)
    j = similarity(sketches)
    if j != j:
        return 0
    return _round_half_away(_union_count(sketches) * j) & U64


# ---------------------------------------------------------------- argument parsing

class _Op:
    __slots__ = ("code", "p", "m", "flags", "elements", "sketches")

    def __init__(self, code):
        self.code = code
        self.p = UNSET
        self.m = UNSET
        self.flags = 0
        self.elements = []
        self.sketches = []


def _parse_index_bits(op, arg):
    p = signed_arg(arg)
    if p != -1 and not _valid_index_bits(p):
        raise ServerError(PARAMETER, "index bit count out of range")
    op.p = p & 0xFF


def _parse_minhash_bits(op, arg):
    m = signed_arg(arg)
    if m != -1:
        if not _valid_minhash_bits(m):
            raise ServerError(PARAMETER, "minhash bit count out of range")
        if op.p != UNSET and not _valid_bits(op.p, m):
            raise ServerError(PARAMETER, "index + minhash bits above 64")
    op.m = m & 0xFF


def _flags_parser(allowed):
    def parse(op, arg):
        op.flags = uint_arg(arg)
        if op.flags & ~allowed:
            raise ServerError(PARAMETER, "write flag not allowed for this op")
        if op.flags & CREATE_ONLY and op.flags & UPDATE_ONLY:
            raise ServerError(PARAMETER, "create-only with update-only")
    return parse


def _parse_elements(op, arg):
    if not isinstance(arg, list) or not arg:
        raise ServerError(PARAMETER, "expected a non-empty list of elements")
    for element in arg:
        if isinstance(element, (list, values.MapValue, dict)):
            raise ServerError(PARAMETER, "list and map elements are not supported")
    op.elements = list(arg)


def _hll_bytes(arg):
    if isinstance(arg, str):
        return arg.encode("utf-8", "surrogateescape")
    if isinstance(arg, (bytes, bytearray)):
        return bytes(arg)
    raise ServerError(PARAMETER, "expected an HLL")


def _parse_hlls(op, arg):
    if not isinstance(arg, list):
        arg = [arg]  # the server takes one HLL in place of a list (hll_parse_hlls)
    if not arg:
        raise ServerError(PARAMETER, "expected a non-empty list of HLLs")
    for item in arg:
        data = _hll_bytes(item)
        if len(data) < HEADER_SIZE:
            raise ServerError(PARAMETER, "HLL too short")
        flags, p, m = data[0], data[1], data[2]
        if flags != 0 or not _valid_index_bits(p) or not _valid_minhash_bits(m):
            raise ServerError(PARAMETER, "bad HLL header")
        if len(data) != HEADER_SIZE + _registers_size(p, m):
            raise ServerError(PARAMETER, "bad HLL size")
        op.sketches.append(Sketch.from_bytes(data))


def _parse_hlls_intersect(op, arg):
    _parse_hlls(op, arg)
    if len(op.sketches) > 2:
        m = op.sketches[0].m
        if any(s.m != m for s in op.sketches) or m == 0:
            raise ServerError(PARAMETER, "more than 2 HLLs need equal, non-zero minhash bits")


# op code -> (minimum number of args, argument parsers in order)
_MODIFY_ARGS = {
    INIT: (0, (_parse_index_bits, _parse_minhash_bits,
               _flags_parser(CREATE_ONLY | UPDATE_ONLY | NO_FAIL))),
    ADD: (1, (_parse_elements, _parse_index_bits, _parse_minhash_bits,
              _flags_parser(CREATE_ONLY | NO_FAIL))),
    SET_UNION: (1, (_parse_hlls, _flags_parser(CREATE_ONLY | UPDATE_ONLY | ALLOW_FOLD | NO_FAIL))),
    REFRESH_COUNT: (0, ()),
    FOLD: (1, (_parse_index_bits,)),
}
_READ_ARGS = {
    COUNT: (0, ()),
    GET_UNION: (1, (_parse_hlls,)),
    UNION_COUNT: (1, (_parse_hlls,)),
    INTERSECT_COUNT: (1, (_parse_hlls_intersect,)),
    SIMILARITY: (1, (_parse_hlls_intersect,)),
    DESCRIBE: (0, ()),
    MAY_CONTAIN: (1, (_parse_elements,)),
}


def _parse(op_list, write):
    return parse_op(op_list, _MODIFY_ARGS if write else _READ_ARGS, _Op, "HLL")


# ---------------------------------------------------------------- modify ops

def _init(op, old):
    if old is None:
        if op.p == UNSET:
            raise ServerError(OP_NOT_APPLICABLE, "init needs the index bit count")
        return None, Sketch(op.p, 0 if op.m == UNSET else op.m)
    p = old.p if op.p == UNSET else op.p
    m = old.m if op.m == UNSET else op.m
    if not _valid_bits(p, m):
        raise ServerError(OP_NOT_APPLICABLE, "invalid bit counts")
    return None, Sketch(p, m)


def _add_elements(op, old):
    if old is None:
        if op.p == UNSET:
            raise ServerError(OP_NOT_APPLICABLE, "add needs the index bit count to create")
        sketch = Sketch(op.p, 0 if op.m == UNSET else op.m)
    else:
        sketch = old
    n_added = sum(1 for element in op.elements if _add(sketch, element))
    return n_added, sketch


def _set_union(op, old):
    min_p = min(s.p for s in op.sketches)
    # The server's running "minimum" of minhash bits: the first value, then 0
    # once any differs.
    min_m = UNSET
    for s in op.sketches:
        if s.m != min_m:
            min_m = s.m if min_m == UNSET else 0
    if old is not None and not op.flags & ALLOW_FOLD:
        if old.p > min_p:
            raise ServerError(OP_NOT_APPLICABLE, "cannot reduce index bits")
        if old.m != 0 and old.m != min_m:
            raise ServerError(OP_NOT_APPLICABLE, "cannot reduce minhash bits")
    sources = op.sketches + ([old] if old is not None else [])
    return None, union(sources)


def _refresh_count(op, old):
    if old is None:
        raise ServerError(BIN_NOT_FOUND, "no HLL to count")
    old.cache = estimate(old)
    return old.cache, old


def _fold(op, old):
    if old is None:
        raise ServerError(BIN_NOT_FOUND, "no HLL to fold")
    if old.m > 0:
        raise ServerError(OP_NOT_APPLICABLE, "cannot fold an HLL with minhash bits")
    if old.p < op.p:
        raise ServerError(OP_NOT_APPLICABLE, "cannot fold to more index bits")
    if old.p == op.p:
        return None, old
    folded = Sketch(op.p, 0)
    _union_into(folded, old)
    return None, folded


_MODIFIERS = {
    INIT: _init,
    ADD: _add_elements,
    SET_UNION: _set_union,
    REFRESH_COUNT: _refresh_count,
    FOLD: _fold,
}


# ---------------------------------------------------------------- read ops

def _check_intersect(op, sketch):
    m = op.sketches[0].m
    if len(op.sketches) > 2 and (sketch.m == 0 or sketch.m != m):
        raise ServerError(OP_NOT_APPLICABLE, "more than 2 HLLs need equal minhash bits")


def _read(op, sketch):
    code = op.code
    if code == COUNT:
        return estimate(sketch)
    if code == DESCRIBE:
        return values.ListValue([sketch.p, sketch.m])
    if code == MAY_CONTAIN:
        return int(all(_may_contain(sketch, e) for e in op.elements))
    sketches = op.sketches + [sketch]
    if code == GET_UNION:
        return values.HLL(union(sketches).to_bytes())
    if code == UNION_COUNT:
        return _union_count(sketches)
    _check_intersect(op, sketch)
    if code == INTERSECT_COUNT:
        return intersect_count(sketches)
    return similarity(sketches)


# ---------------------------------------------------------------- entry point

def _bin_sketch(bin_value):
    """The bin's sketch (None when missing); the server's bin checks."""
    if bin_value is values.MISSING:
        return None
    if not isinstance(bin_value, values.HLL):
        raise ServerError(BIN_TYPE, "HLL op on a non-HLL bin")
    if not _is_valid_hll(bin_value):
        raise ServerError(SERVER_ERROR, "corrupt HLL bin")
    return Sketch.from_bytes(bin_value)


def execute(op, bin_value, write):
    """Run one HLL op (see the module docstring); returns (result, new_value)."""
    if not write and bin_value is values.MISSING:
        return None, values.MISSING
    old = _bin_sketch(bin_value)
    parsed = _parse(op, write)
    if not write:
        return _read(parsed, old), values.MISSING
    try:
        if old is not None and parsed.flags & CREATE_ONLY:
            fail(BIN_EXISTS, parsed.flags)
        if old is None and parsed.flags & UPDATE_ONLY:
            fail(BIN_NOT_FOUND, parsed.flags)
    except NoOp:
        return None, values.MISSING
    result, sketch = _MODIFIERS[parsed.code](parsed, old)
    return result, values.HLL(sketch.to_bytes())
