"""The dev server's value model and its msgpack codec, in Aerospike's dialect.

Every engine of the dev server (record store, list/map/bit/HLL engines, the
expression evaluator) works on these Python values:

=================  ===========================================  ===============
server value       Python value                                 bin particle
=================  ===========================================  ===============
nil                ``None``                                     0 (deletes)
integer            ``int`` (signed 64-bit range)                1
double             ``float``                                    2
string             ``str`` (UTF-8; bad bytes kept by            3
                   ``surrogateescape``)
blob               ``bytes``                                    4
other typed blob   ``Blob`` (bytes with ``.ptype``)             its type
boolean            ``bool``                                     17
HyperLogLog        ``HLL`` (bytes subclass)                     18
map                ``MapValue`` (pairs in stored order, flags)  19
list               ``ListValue`` (list subclass with flags)     20
GeoJSON            ``GeoJSON`` (str subclass, the JSON text)    23
=================  ===========================================  ===============

Inside collections Aerospike's msgpack marks strings and blobs with a leading
type byte (3 string, 4 blob, 23 GeoJSON, ...), stores list/map order flags in
an ext header as the first element, and uses ext type 0xff for the wildcard and
infinity values of range operations.  ``pack``/``unpack`` speak that dialect.
"""

import functools
import struct

from .errors import PARAMETER, ServerError

# Particle types (as_particle_type in the server).
P_NULL, P_INTEGER, P_FLOAT, P_STRING, P_BLOB = 0, 1, 2, 3, 4
P_BOOL, P_HLL, P_MAP, P_LIST, P_GEOJSON = 17, 18, 19, 20, 23

LIST_UNORDERED, LIST_ORDERED = 0, 1
MAP_UNORDERED, MAP_K_ORDERED, MAP_KV_ORDERED = 0, 1, 3

CMP_EXT_TYPE = 0xFF


class ListValue(list):
    """A list bin or element; ``flags`` is 1 for an ordered list."""

    __slots__ = ("flags",)

    def __init__(self, items=(), flags=0):
        list.__init__(self, items)
        self.flags = flags

    def __repr__(self):
        return "ListValue(%s, flags=%d)" % (list.__repr__(self), self.flags)


class MapValue:
    """A map bin or element: ``items`` is a list of [key, value] pairs in stored
    order; ``flags`` is 0 unordered, 1 key-ordered, 3 key-value-ordered."""

    __slots__ = ("items", "flags")

    def __init__(self, items=(), flags=0):
        self.items = [list(kv) for kv in items]
        self.flags = flags

    def __len__(self):
        return len(self.items)

    def __eq__(self, other):
        return isinstance(other, MapValue) and compare(self, other) == 0

    def __repr__(self):
        return "MapValue(%r, flags=%d)" % (self.items, self.flags)


class GeoJSON(str):
    """A GeoJSON value; the str is its JSON text."""

    __slots__ = ()


class HLL(bytes):
    """A HyperLogLog value (particle type 18)."""

    __slots__ = ()


class Blob(bytes):
    """Bytes of a particle type other than plain blob (e.g. 9, Python-serialised)."""

    def __new__(cls, data, ptype):
        self = bytes.__new__(cls, data)
        self.ptype = ptype
        return self


class Ext:
    """A msgpack ext value that is neither an order header nor wildcard/infinity."""

    __slots__ = ("type", "data")

    def __init__(self, type_, data):
        self.type = type_
        self.data = bytes(data)

    def __eq__(self, other):
        return isinstance(other, Ext) and (self.type, self.data) == (other.type, other.data)

    def __repr__(self):
        return "Ext(%d, %r)" % (self.type, self.data)


class _Special:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


WILDCARD = _Special("WILDCARD")
INF = _Special("INF")
MISSING = _Special("MISSING")  # no such bin / element; never packed


# ---------------------------------------------------------------- decoding

_unpack_b = struct.Struct(">b").unpack_from
_unpack_h = struct.Struct(">h").unpack_from
_unpack_i = struct.Struct(">i").unpack_from
_unpack_q = struct.Struct(">q").unpack_from
_unpack_B = struct.Struct(">B").unpack_from
_unpack_H = struct.Struct(">H").unpack_from
_unpack_I = struct.Struct(">I").unpack_from
_unpack_Q = struct.Struct(">Q").unpack_from
_unpack_f = struct.Struct(">f").unpack_from
_unpack_d = struct.Struct(">d").unpack_from


def _bad(msg="malformed msgpack"):
    raise ServerError(PARAMETER, msg)


def _typed_bytes(data):
    if not data:
        return ""
    t = data[0]
    body = bytes(data[1:])
    if t == P_STRING:
        return body.decode("utf-8", "surrogateescape")
    if t == P_BLOB:
        return body
    if t == P_GEOJSON:
        return GeoJSON(body.decode("utf-8", "surrogateescape"))
    if t == P_HLL:
        return HLL(body)
    return Blob(body, t)


def _ext(buf, pos, size):
    if pos + 1 + size > len(buf):
        _bad()
    t = buf[pos]
    data = buf[pos + 1:pos + 1 + size]
    return (t, data), pos + 1 + size


def unpack_from(buf, pos=0):
    """Decode one value at ``buf[pos]``; return (value, position after it)."""
    try:
        b = buf[pos]
    except IndexError:
        _bad("truncated msgpack")
    pos += 1
    try:
        if b <= 0x7F:
            return b, pos
        if b >= 0xE0:
            return b - 0x100, pos
        if 0xA0 <= b <= 0xBF:
            n = b & 0x1F
            return _raw(buf, pos, n)
        if 0x90 <= b <= 0x9F:
            return _array(buf, pos, b & 0x0F)
        if 0x80 <= b <= 0x8F:
            return _map(buf, pos, b & 0x0F)
        if b == 0xC0:
            return None, pos
        if b == 0xC2:
            return False, pos
        if b == 0xC3:
            return True, pos
        if b in (0xC4, 0xD9):
            return _raw(buf, pos + 1, _unpack_B(buf, pos)[0])
        if b in (0xC5, 0xDA):
            return _raw(buf, pos + 2, _unpack_H(buf, pos)[0])
        if b in (0xC6, 0xDB):
            return _raw(buf, pos + 4, _unpack_I(buf, pos)[0])
        if b == 0xCA:
            return _unpack_f(buf, pos)[0], pos + 4
        if b == 0xCB:
            return _unpack_d(buf, pos)[0], pos + 8
        if b == 0xCC:
            return buf[pos], pos + 1
        if b == 0xCD:
            return _unpack_H(buf, pos)[0], pos + 2
        if b == 0xCE:
            return _unpack_I(buf, pos)[0], pos + 4
        if b == 0xCF:
            return _unpack_Q(buf, pos)[0], pos + 8
        if b == 0xD0:
            return _unpack_b(buf, pos)[0], pos + 1
        if b == 0xD1:
            return _unpack_h(buf, pos)[0], pos + 2
        if b == 0xD2:
            return _unpack_i(buf, pos)[0], pos + 4
        if b == 0xD3:
            return _unpack_q(buf, pos)[0], pos + 8
        if 0xD4 <= b <= 0xD8:
            (t, data), pos = _ext(buf, pos, 1 << (b - 0xD4))
            return _ext_value(t, data), pos
        if b == 0xC7:
            (t, data), pos = _ext(buf, pos + 1, _unpack_B(buf, pos)[0])
            return _ext_value(t, data), pos
        if b == 0xC8:
            (t, data), pos = _ext(buf, pos + 2, _unpack_H(buf, pos)[0])
            return _ext_value(t, data), pos
        if b == 0xC9:
            (t, data), pos = _ext(buf, pos + 4, _unpack_I(buf, pos)[0])
            return _ext_value(t, data), pos
        if b == 0xDC:
            return _array(buf, pos + 2, _unpack_H(buf, pos)[0])
        if b == 0xDD:
            return _array(buf, pos + 4, _unpack_I(buf, pos)[0])
        if b == 0xDE:
            return _map(buf, pos + 2, _unpack_H(buf, pos)[0])
        if b == 0xDF:
            return _map(buf, pos + 4, _unpack_I(buf, pos)[0])
    except struct.error:
        _bad("truncated msgpack")
    _bad("bad msgpack byte 0x%02x" % b)


def _ext_value(t, data):
    if t == CMP_EXT_TYPE and len(data) == 1:
        if data[0] == 0x01:
            return INF
        if data[0] == 0x00:
            return WILDCARD
    return Ext(t, data)


def _raw(buf, pos, n):
    end = pos + n
    if end > len(buf):
        _bad("truncated msgpack")
    return _typed_bytes(buf[pos:end]), end


def _array(buf, pos, n):
    if n > len(buf) - pos:
        _bad("truncated msgpack")
    out = ListValue()
    for i in range(n):
        v, pos = unpack_from(buf, pos)
        if i == 0 and isinstance(v, Ext):
            out.flags = v.type
            continue
        out.append(v)
    return out, pos


def _map(buf, pos, n):
    if n > len(buf) - pos:
        _bad("truncated msgpack")
    out = MapValue()
    items = out.items
    for i in range(n):
        k, pos = unpack_from(buf, pos)
        v, pos = unpack_from(buf, pos)
        if i == 0 and isinstance(k, Ext):
            out.flags = k.type
            continue
        items.append([k, v])
    return out, pos


def unpack(buf):
    """Decode exactly one value filling ``buf``."""
    value, pos = unpack_from(buf, 0)
    if pos != len(buf):
        _bad("trailing bytes after msgpack value")
    return value


# ---------------------------------------------------------------- encoding

def _str_header(out, n):
    if n < 32:
        out.append(0xA0 | n)
    elif n < 0x100:
        out += b"\xd9" + bytes((n,))
    elif n < 0x10000:
        out += b"\xda" + struct.pack(">H", n)
    else:
        out += b"\xdb" + struct.pack(">I", n)


def _container_header(out, n, fix, h16, h32):
    if n < 16:
        out.append(fix | n)
    elif n < 0x10000:
        out.append(h16)
        out += struct.pack(">H", n)
    else:
        out.append(h32)
        out += struct.pack(">I", n)


def _pack_int(out, v):
    if 0 <= v < 0x80:
        out.append(v)
    elif -32 <= v < 0:
        out.append(v & 0xFF)
    elif 0 <= v < 0x100:
        out += b"\xcc" + bytes((v,))
    elif 0 <= v < 0x10000:
        out += b"\xcd" + struct.pack(">H", v)
    elif 0 <= v < 0x100000000:
        out += b"\xce" + struct.pack(">I", v)
    elif 0 <= v < 0x10000000000000000:
        out += b"\xcf" + struct.pack(">Q", v)
    elif -0x80 <= v < 0:
        out += b"\xd0" + struct.pack(">b", v)
    elif -0x8000 <= v < 0:
        out += b"\xd1" + struct.pack(">h", v)
    elif -0x80000000 <= v < 0:
        out += b"\xd2" + struct.pack(">i", v)
    elif -0x8000000000000000 <= v < 0:
        out += b"\xd3" + struct.pack(">q", v)
    else:
        raise ServerError(PARAMETER, "integer out of range")


def _pack_typed(out, ptype, data):
    _str_header(out, len(data) + 1)
    out.append(ptype)
    out += data


def _pack_into(out, v):
    if v is None:
        out.append(0xC0)
    elif v is True:
        out.append(0xC3)
    elif v is False:
        out.append(0xC2)
    elif isinstance(v, int):
        _pack_int(out, v)
    elif isinstance(v, float):
        out += b"\xcb" + struct.pack(">d", v)
    elif isinstance(v, GeoJSON):
        _pack_typed(out, P_GEOJSON, v.encode("utf-8", "surrogateescape"))
    elif isinstance(v, str):
        _pack_typed(out, P_STRING, v.encode("utf-8", "surrogateescape"))
    elif isinstance(v, HLL):
        _pack_typed(out, P_HLL, v)
    elif isinstance(v, Blob):
        _pack_typed(out, v.ptype, v)
    elif isinstance(v, (bytes, bytearray)):
        _pack_typed(out, P_BLOB, v)
    elif isinstance(v, list):
        flags = getattr(v, "flags", 0)
        _container_header(out, len(v) + (1 if flags else 0), 0x90, 0xDC, 0xDD)
        if flags:
            out += b"\xc7\x00" + bytes((flags,))
        for e in v:
            _pack_into(out, e)
    elif isinstance(v, MapValue):
        flags = v.flags
        _container_header(out, len(v.items) + (1 if flags else 0), 0x80, 0xDE, 0xDF)
        if flags:
            out += b"\xc7\x00" + bytes((flags,)) + b"\xc0"
        for k, e in v.items:
            _pack_into(out, k)
            _pack_into(out, e)
    elif isinstance(v, dict):
        _pack_into(out, MapValue(v.items()))
    elif v is WILDCARD:
        out += b"\xd4\xff\x00"
    elif v is INF:
        out += b"\xd4\xff\x01"
    elif isinstance(v, Ext):
        n = len(v.data)
        if n in (1, 2, 4, 8, 16):
            out.append(0xD4 + (n.bit_length() - 1))
        elif n < 0x100:
            out += b"\xc7" + bytes((n,))
        elif n < 0x10000:
            out += b"\xc8" + struct.pack(">H", n)
        else:
            out += b"\xc9" + struct.pack(">I", n)
        out.append(v.type)
        out += v.data
    else:
        raise TypeError("cannot pack %r" % (v,))


def pack(value):
    """Encode ``value`` in Aerospike's msgpack dialect."""
    out = bytearray()
    _pack_into(out, value)
    return bytes(out)


# ---------------------------------------------------------------- ordering

# Type ranks of the server's msgpack comparison (msgpack_type order).
_R_NIL, _R_FALSE, _R_TRUE, _R_NEGINT, _R_INT, _R_STRING, _R_LIST, _R_MAP = range(1, 9)
_R_BYTES, _R_DOUBLE, _R_GEOJSON, _R_EXT, _R_WILDCARD, _R_INF = range(9, 15)


def type_rank(v):
    if v is None:
        return _R_NIL
    if v is False:
        return _R_FALSE
    if v is True:
        return _R_TRUE
    if isinstance(v, int):
        return _R_NEGINT if v < 0 else _R_INT
    if isinstance(v, float):
        return _R_DOUBLE
    if isinstance(v, GeoJSON):
        return _R_GEOJSON
    if isinstance(v, str):
        return _R_STRING
    if isinstance(v, (bytes, bytearray)):
        return _R_BYTES
    if isinstance(v, list):
        return _R_LIST
    if isinstance(v, (MapValue, dict)):
        return _R_MAP
    if v is WILDCARD:
        return _R_WILDCARD
    if v is INF:
        return _R_INF
    return _R_EXT


def _cmp_bytes(a, b):
    return (a > b) - (a < b)


class _WildcardReached(Exception):
    """The server stops comparing as soon as either side reaches a wildcard and
    calls the two values equal, even inside lists ([1, *] equals [1, 2, 3])."""


def compare(a, b):
    """-1, 0 or 1: the server's order of two values (msgpack_cmp semantics)."""
    try:
        return _compare(a, b)
    except _WildcardReached:
        return 0


def _compare(a, b):
    if a is WILDCARD or b is WILDCARD:
        raise _WildcardReached()
    ra, rb = type_rank(a), type_rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra in (_R_NEGINT, _R_INT, _R_DOUBLE):
        return (a > b) - (a < b)
    if ra in (_R_STRING, _R_GEOJSON):
        return _cmp_bytes(a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape"))
    if ra == _R_BYTES:
        # The particle type byte leads the compared bytes.
        pa = getattr(a, "ptype", P_BLOB)
        pb = getattr(b, "ptype", P_BLOB)
        if pa != pb:
            return -1 if pa < pb else 1
        return _cmp_bytes(bytes(a), bytes(b))
    if ra == _R_LIST:
        for x, y in zip(a, b):
            c = _compare(x, y)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if ra == _R_MAP:
        # Size first, then the pairs in stored order.
        ia = a.items if isinstance(a, MapValue) else list(a.items())
        ib = b.items if isinstance(b, MapValue) else list(b.items())
        if len(ia) != len(ib):
            return -1 if len(ia) < len(ib) else 1
        for (ka, va), (kb, vb) in zip(ia, ib):
            c = _compare(ka, kb) or _compare(va, vb)
            if c:
                return c
        return 0
    if ra == _R_EXT:
        # Payload bytes only; the ext type is not compared.
        return _cmp_bytes(a.data, b.data)
    return 0


sort_key = functools.cmp_to_key(compare)


# ---------------------------------------------------------------- particles

def to_particle(v):
    """(particle type, bytes) of a bin value, as the wire carries it."""
    if v is None:
        return P_NULL, b""
    if v is True or v is False:
        return P_BOOL, b"\x01" if v else b"\x00"
    if isinstance(v, int):
        if v >= 1 << 63:
            v -= 1 << 64
        return P_INTEGER, struct.pack(">q", v)
    if isinstance(v, float):
        return P_FLOAT, struct.pack(">d", v)
    if isinstance(v, GeoJSON):
        # flags byte, cell count (we keep no cells), then the JSON text.
        return P_GEOJSON, b"\x00\x00\x00" + v.encode("utf-8", "surrogateescape")
    if isinstance(v, str):
        return P_STRING, v.encode("utf-8", "surrogateescape")
    if isinstance(v, HLL):
        return P_HLL, bytes(v)
    if isinstance(v, Blob):
        return v.ptype, bytes(v)
    if isinstance(v, (bytes, bytearray)):
        return P_BLOB, bytes(v)
    if isinstance(v, list):
        return P_LIST, pack(v)
    if isinstance(v, (MapValue, dict)):
        return P_MAP, pack(v)
    raise TypeError("no particle for %r" % (v,))


def from_particle(ptype, data):
    """The bin value that particle type ``ptype`` with payload ``data`` carries."""
    if ptype == P_INTEGER:
        if len(data) != 8:
            # The wire allows shorter big-endian integers.
            if not 0 < len(data) < 8:
                _bad("bad integer particle")
            return int.from_bytes(data, "big", signed=False)
        return _unpack_q(data, 0)[0]
    if ptype == P_FLOAT:
        if len(data) != 8:
            _bad("bad float particle")
        return _unpack_d(data, 0)[0]
    if ptype == P_STRING:
        return bytes(data).decode("utf-8", "surrogateescape")
    if ptype == P_BLOB:
        return bytes(data)
    if ptype == P_BOOL:
        if len(data) != 1:
            _bad("bad bool particle")
        return data[0] != 0
    if ptype == P_HLL:
        return HLL(data)
    if ptype in (P_LIST, P_MAP):
        v = unpack(data)
        if ptype == P_LIST and not isinstance(v, ListValue):
            _bad("list particle is not a list")
        if ptype == P_MAP and not isinstance(v, MapValue):
            _bad("map particle is not a map")
        return v
    if ptype == P_GEOJSON:
        if len(data) < 3:
            _bad("bad geojson particle")
        ncells = _unpack_H(data, 1)[0]
        start = 3 + 8 * ncells
        if start > len(data):
            _bad("bad geojson particle")
        return GeoJSON(bytes(data[start:]).decode("utf-8", "surrogateescape"))
    if ptype == P_NULL:
        return None
    return Blob(data, ptype)
