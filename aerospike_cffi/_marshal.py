"""Python values <-> the bytes that cross the FFI boundary, both ways.

Going in, a record's bins (or a command's operations) become one packed buffer (layout in
_shim/shim.h): numbers as native int64/float64, everything else as the raw particle bytes
the server stores; lists and maps in Aerospike's msgpack dialect (strings and blobs carry a
leading particle-type byte, key-ordered maps an ext flags pair first, wildcard/infinity are
ext type 0xff).  Coming out, one record buffer decodes into ``(gen, ttl, bins)``.

Everything here is plain Python on purpose: PyPy's JIT compiles it, and on CPython it stays
a handful of struct calls per bin.
"""

import io
import pickle
import struct
import sys
import threading
import warnings
from operator import itemgetter

from .exception import BinNameError, ClientError, ParamError
from .types import CDTInfinite, CDTWildcard, GeoJSON, KeyOrderedDict, null

# Particle types.
P_NIL, P_INTEGER, P_DOUBLE, P_STRING, P_BLOB = 0, 1, 2, 3, 4
P_PYTHON = 9
P_BOOL, P_HLL, P_MAP, P_LIST, P_GEOJSON = 17, 18, 19, 20, 23

SEND_BOOL_AS_INTEGER, SEND_BOOL_AS_AS_BOOL = 0, 1
NAME_REPEAT = 0xFF  # in a page: "the same name as the previous record's" (_shim/shim.h)
SERIALIZER_NONE, SERIALIZER_PYTHON, SERIALIZER_USER = 0, 1, 3

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
BIN_NAME_MAX = 15

_item_head = struct.Struct("<BI").pack          # particle type, size
_be_int = struct.Struct(">q").pack
_be_double = struct.Struct(">d").pack
_HLL_CLASS = None

# A digest as a new bytearray: ``NO_BYTES + digest`` (digest: bytes or a cffi buffer).
# Cheaper than a bytearray(digest) call, which parses its argument (issue 13: ~600
# against ~1050 instructions on CPython, about 4x less time on PyPy). Never mutated.
NO_BYTES = bytearray()


def _hll_class():
    global _HLL_CLASS
    if _HLL_CLASS is None:
        from aerospike_helpers import HyperLogLog

        _HLL_CLASS = HyperLogLog
    return _HLL_CLASS


def unicode_error():
    return ClientError(-1, "Unicode value not encoded in utf-8.")


def utf8(text):
    """UTF-8 bytes of a str; lone surrogates are a ClientError (as the official)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise unicode_error() from None


class Serializers:
    """Where user serializers come from: per call, per client config, or module-wide."""

    __slots__ = ("serializer", "deserializer")

    def __init__(self, serializer=None, deserializer=None):
        self.serializer = serializer
        self.deserializer = deserializer


GLOBAL_SERIALIZERS = Serializers()


SERIALIZER_JSON = 2


def serialize(value, client_serializers, mode, explicit=False):
    """Bytes of a value no native mapping covers, by the official serializer rules: a
    client-level serializer wins unless the call names a serializer; SERIALIZER_USER falls
    back to the module-wide one."""
    func = client_serializers.serializer if client_serializers else None
    if func is None or explicit:
        if mode == SERIALIZER_USER:
            func = func or GLOBAL_SERIALIZERS.serializer
            if func is None:
                raise ClientError(-1, "No serializer callback registered")
        elif mode in (None, SERIALIZER_NONE):
            raise ParamError(-2, "Cannot serialize: SERIALIZER_NONE selected")
        elif mode == SERIALIZER_PYTHON:
            raise ClientError(-1, "Unable to serialize unknown Python native type.")
        elif mode == SERIALIZER_JSON:
            raise ClientError(-1, "Unable to serialize using standard json serializer")
        else:
            raise ClientError(-1, "Unsupported serializer")
    try:
        data = func(value)
    except Exception as exc:
        raise ClientError(-1, "Unable to call user's registered serializer callback") from exc
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise ClientError(-1, "Unable to set as_bytes")
    return bytes(data)


class Packer:
    """Packs values for one command; knows the client's bool and serializer settings."""

    __slots__ = ("send_bool_as", "serializers", "mode", "explicit", "strict_types",
                 "validate_keys")

    def __init__(self, send_bool_as=SEND_BOOL_AS_AS_BOOL, serializers=None, mode=None,
                 explicit=False, strict_types=True):
        self.send_bool_as = send_bool_as
        self.serializers = serializers
        self.mode = mode
        self.explicit = explicit  # the call named its serializer
        # The config's strict_types: False skips the client-side checks of append, prepend
        # and increment values (the server answers instead), as the official.
        self.strict_types = strict_types
        # The config's validate_keys: unknown keys of an operation's policy dict (list, map,
        # bit, HLL) are a ParamError, as the official (set by the client on its op packer).
        self.validate_keys = False

    # -------------------------------------------------- top-level bin values

    def bin_item(self, value):
        """(particle type, size) header + value bytes of one bin value, as one bytes."""
        t = type(value)
        if t is int:
            if INT64_MIN <= value <= INT64_MAX:
                return _item_head(P_INTEGER, 8) + _be_int(value)
            raise ParamError(-2, "integer value exceeds sys.maxsize")
        if t is str:
            data = value.encode("utf-8")
            return _item_head(P_STRING, len(data)) + data
        if t is float:
            return _item_head(P_DOUBLE, 8) + _be_double(value)
        if t is bool:
            if self.send_bool_as == SEND_BOOL_AS_AS_BOOL:
                return _item_head(P_BOOL, 1) + (b"\x01" if value else b"\x00")
            return _item_head(P_INTEGER, 8) + _be_int(int(value))
        if t is bytes:
            return _item_head(P_BLOB, len(value)) + value
        if t is list or t is dict or t is KeyOrderedDict:
            data = self.pack(value)
            return _item_head(P_MAP if isinstance(value, dict) else P_LIST, len(data)) + data
        if t is bytearray:
            return _item_head(P_BLOB, len(value)) + bytes(value)
        if value is None or t is null:
            return _item_head(P_NIL, 0)
        if t is CDTWildcard or t is CDTInfinite:
            raise ClientError(-1, "Invalid value type: %d" % (13 if t is CDTWildcard else 14))
        if t is GeoJSON:
            # The GeoJSON particle: flags byte and cell count (0), then the JSON text.
            data = b"\x00\x00\x00" + value.dumps().encode("utf-8")
            return _item_head(P_GEOJSON, len(data)) + data
        if isinstance(value, bytes):
            ptype = P_HLL if isinstance(value, _hll_class()) else P_BLOB
            return _item_head(ptype, len(value)) + bytes(value)
        if isinstance(value, int):  # int subclasses (IntEnum, ...)
            return self.bin_item(int(value))
        if isinstance(value, str):
            return self.bin_item(str(value))
        if isinstance(value, float):
            return self.bin_item(float(value))
        if isinstance(value, dict):
            return self.bin_item(dict(value))
        if isinstance(value, list):
            return self.bin_item(list(value))
        data = serialize(value, self.serializers, self.mode, self.explicit)
        return _item_head(P_BLOB, len(data)) + data

    def pack_bins(self, bins):
        """One packed buffer of a bins dict; returns (buffer, number of bins)."""
        if not isinstance(bins, dict):
            raise ParamError(-2, "Record should be passed as bin-value pair")
        parts = []
        append = parts.append
        bin_item = self.bin_item
        try:
            for name, value in bins.items():
                append(bin_name_bytes(name))
                append(bin_item(value))
        except UnicodeEncodeError:
            raise unicode_error() from None
        return b"".join(parts), len(bins)

    # -------------------------------------------------- msgpack (collections)

    def pack(self, value):
        """``value`` in Aerospike's msgpack dialect."""
        out = bytearray()
        try:
            self._pack_into(out, value)
        except UnicodeEncodeError:
            raise unicode_error() from None
        return bytes(out)

    def _pack_into(self, out, v):
        t = type(v)
        if t is int:
            if 0 <= v < 0x80:
                out.append(v)  # positive fixint, the most common int
            else:
                _pack_int(out, v)
        elif t is str:
            data = v.encode("utf-8")
            n = len(data)
            if n < 31:
                out += _FIXSTR_HEADS[n]  # header and particle type of a short string
            else:
                _raw_header(out, n + 1)
                out.append(P_STRING)
            out += data
        elif t is list:
            _container_header(out, len(v), 0x90, b"\xdc", b"\xdd")
            pack_into = self._pack_into
            for e in v:
                pack_into(out, e)
        elif t is dict:
            items = sorted_items(v)
            _container_header(out, len(items), 0x80, b"\xde", b"\xdf")
            pack_into = self._pack_into
            for k, e in items:
                pack_into(out, k)
                pack_into(out, e)
        elif t is float:
            out.append(0xCB)
            out += _be_double(v)
        elif t is bool:
            if self.send_bool_as == SEND_BOOL_AS_AS_BOOL:
                out.append(0xC3 if v else 0xC2)
            else:
                _pack_int(out, int(v))
        elif v is None or t is null:
            out.append(0xC0)
        elif t is KeyOrderedDict:
            # Key-ordered map: one more element, the ext flags pair (flags 1, nil).
            items = sorted_items(v)
            _container_header(out, len(items) + 1, 0x80, b"\xde", b"\xdf")
            out += b"\xc7\x00\x01\xc0"
            for k, e in items:
                self._pack_into(out, k)
                self._pack_into(out, e)
        elif t is bytes or t is bytearray:
            _raw_header(out, len(v) + 1)
            out.append(P_BLOB)
            out += v
        elif t is GeoJSON:
            data = v.dumps().encode("utf-8")
            _raw_header(out, len(data) + 1)
            out.append(P_GEOJSON)
            out += data
        elif t is CDTWildcard:
            out += b"\xd4\xff\x00"
        elif t is CDTInfinite:
            out += b"\xd4\xff\x01"
        elif isinstance(v, bytes):
            _raw_header(out, len(v) + 1)
            out.append(P_HLL if isinstance(v, _hll_class()) else P_BLOB)
            out += v
        elif isinstance(v, bool):
            self._pack_into(out, bool(v))
        elif isinstance(v, int):
            self._pack_into(out, int(v))
        elif isinstance(v, str):
            self._pack_into(out, str(v))
        elif isinstance(v, float):
            self._pack_into(out, float(v))
        elif isinstance(v, KeyOrderedDict):
            self._pack_into(out, KeyOrderedDict(v))
        elif isinstance(v, dict):
            self._pack_into(out, dict(v))
        elif isinstance(v, list):
            self._pack_into(out, list(v))
        else:
            data = serialize(v, self.serializers, self.mode, self.explicit)
            _raw_header(out, len(data) + 1)
            out.append(P_BLOB)
            out += data


class _NotPlain(Exception):
    """A value pickle cannot write by itself: the Packer packs these bins."""


_PICKLE_PLAIN = frozenset((dict, list, str, bytes, bytearray, int, float, bool, type(None)))


class _PlainPickler(pickle.Pickler):
    def reducer_override(self, obj):
        # The C pickler asks only for other types; the pure-Python one (PyPy) for all.
        if type(obj) in _PICKLE_PLAIN:
            return NotImplemented
        raise _NotPlain  # before any reduce (user code) runs


_pickling = threading.local()


def pickle_bins(bins):
    """Protocol-5 pickle of a bins dict holding only plain values (dict, list, str, bytes,
    bytearray, int, float, bool, None), else None. On CPython pickle walks the values in C;
    the shim turns the pickle into packed bins (_shim/shim_pickle.c)."""
    try:
        buf, pickler = _pickling.state
    except AttributeError:
        buf = io.BytesIO()
        pickler = _PlainPickler(buf, 5)
        _pickling.state = buf, pickler
    buf.seek(0)
    buf.truncate()
    pickler.clear_memo()
    try:
        pickler.dump(bins)
    except (_NotPlain, RecursionError, pickle.PicklingError):
        return None
    return buf.getvalue()


_pickling_ops = threading.local()


def pickle_ops(ops):
    """Protocol-5 pickle of operate()'s op list when it holds only plain values (as
    pickle_bins), else None; the shim encodes the common ops from it (shim_pickle.c).
    Dumped by a plain_pickler() of the thread's own (fast mode, as put's): a str or
    container met twice is written twice (encoded twice, as _ops does), and a cycle is a
    ValueError (then _ops decides)."""
    try:
        dump, taken = _pickling_ops.state
    except AttributeError:
        dump, taken = _pickling_ops.state = plain_pickler()
    try:
        dump(ops)
    except BaseException as exc:
        # A dump cut short leaves the pickler mid-object (in fast mode, the nesting count
        # and memo it keeps for deep containers, and pieces in `taken`): the next call
        # makes a new one.
        del _pickling_ops.state
        if isinstance(exc, Exception):  # not plain, a cycle, too deep...: _ops decides
            return None
        raise
    pickled = taken.pop()
    if taken:
        pickled = joined_pickle(taken, pickled)
    return pickled


def plain_pickler():
    """(dump, taken) for the fast put (records.py): ``dump(bins)`` appends to the list
    ``taken`` the pickle of plain bins, or raises (then the Packer packs the bins, and the
    scratch gets a new pickler: a dump cut short leaves this one mid-object). Made once per
    scratch: the pickler writes its output to ``taken.append``
    (no BytesIO seek/truncate/getvalue), once per dump unless a value of 64 KB or more is
    written apart (pickle's framing: the caller joins the pieces), and runs in fast mode:
    no memo to fill and clear, so a value met twice is written twice (as the Packer packs
    it) and a cycle is a ValueError (the Packer reports it)."""
    taken = []
    pickler = _PlainPickler(_Writer(taken.append), 5)
    pickler.fast = True
    return pickler.dump, taken


def joined_pickle(taken, last):
    """The whole pickle of a plain_pickler() dump that wrote pieces apart (values of 64 KB
    and more: pickle's framing): the pieces left in ``taken`` (emptied) then ``last``, the
    one the caller popped. Callers pop first and call this only when pieces are left, so
    the common dump costs no call."""
    taken.append(last)
    whole = b"".join(taken)
    del taken[:]
    return whole


class _Writer:
    __slots__ = ("write",)

    def __init__(self, write):
        self.write = write


def _ordered_after(prev, k):
    """Whether map key ``k`` sorts after ``prev`` when they are not both str or both int
    (the rare case of the map readers' order check): False across types."""
    try:
        return type(k) is type(prev) and prev < k
    except TypeError:
        return False


# Values inside operations and expressions: the official packs them in "Python" mode.
DEFAULT_PACKER = Packer(mode=SERIALIZER_PYTHON)

# The C client stores every map (as_orderedmap) with its keys in as_val order: by type
# (nil, bool, int, str, list, map, bytes, double, GeoJSON), then by value. Writing maps in
# that order keeps what is stored identical to what the official client stores.
_TYPE_RANK = {type(None): 1, bool: 2, int: 3, str: 4, list: 5, dict: 6,
              KeyOrderedDict: 6, bytes: 9, bytearray: 9, float: 10, GeoJSON: 11}
_first = itemgetter(0)


def _key_order(item):
    k = item[0]
    rank = _TYPE_RANK.get(type(k), 12)
    if rank in (5, 6, 11, 12):
        return rank, 0  # unorderable keys keep their relative order
    return rank, k


def _invalid_key_text(k):
    """A refused map key as the official's warning shows it (the C client's text)."""
    if k is None:
        return "NIL"
    if isinstance(k, bool):
        return "true" if k else "false"
    return "%.16g" % k


def _drop_invalid_keys(d):
    """As the official 19.3: float, bool and None map keys (the server refuses them) are
    left out, each with a DeprecationWarning (pointing, as the official's, one frame above
    the call into the client)."""
    level = 3
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in (
            "aerospike_cffi", "aerospike_helpers"):
        frame = frame.f_back
        level += 1
    kept = []
    for item in d.items():
        k = item[0]
        if k is None or isinstance(k, (float, bool)):
            warnings.warn("Attempted to store a map with key %s, which is an invalid type"
                          % _invalid_key_text(k), DeprecationWarning, stacklevel=level)
        else:
            kept.append(item)
    return kept


def sorted_items(d):
    items = list(d.items())
    if len(items) > 1:
        t = type(items[0][0])
        if t is str or t is int or t is bytes:
            for k in d:
                if type(k) is not t:
                    break
            else:  # one key type: its own order
                items.sort(key=_first)
                return items
        for k in d:
            if k is None or isinstance(k, (float, bool)):
                items = _drop_invalid_keys(d)
                break
        items.sort(key=_key_order)
    elif items:
        k = items[0][0]
        if k is None or isinstance(k, (float, bool)):
            items = _drop_invalid_keys(d)
    return items


_FIXSTR_HEADS = [bytes((0xA0 | (n + 1), P_STRING)) for n in range(31)]

_u16 = struct.Struct(">H").pack
_u32 = struct.Struct(">I").pack


def _pack_int(out, v):
    if 0 <= v < 0x80:
        out.append(v)
    elif -32 <= v < 0:
        out.append(v & 0xFF)
    elif 0 <= v <= 0xFF:
        out.append(0xCC)
        out.append(v)
    elif 0 <= v <= 0xFFFF:
        out += b"\xcd" + _u16(v)
    elif 0 <= v <= 0xFFFFFFFF:
        out += b"\xce" + _u32(v)
    elif 0 <= v <= INT64_MAX:
        out += b"\xcf" + v.to_bytes(8, "big")
    elif -0x80 <= v < 0:
        out.append(0xD0)
        out.append(v & 0xFF)
    elif -0x8000 <= v < 0:
        out += b"\xd1" + v.to_bytes(2, "big", signed=True)
    elif -0x80000000 <= v < 0:
        out += b"\xd2" + v.to_bytes(4, "big", signed=True)
    elif INT64_MIN <= v < 0:
        out += b"\xd3" + v.to_bytes(8, "big", signed=True)
    else:
        raise ParamError(-2, "integer value exceeds sys.maxsize")


def _raw_header(out, n):
    if n < 32:
        out.append(0xA0 | n)
    elif n < 0x100:
        out.append(0xD9)
        out.append(n)
    elif n < 0x10000:
        out += b"\xda" + _u16(n)
    else:
        out += b"\xdb" + _u32(n)


def _container_header(out, n, fix, h16, h32):
    if n < 16:
        out.append(fix | n)
    elif n < 0x10000:
        out += h16 + _u16(n)
    else:
        out += h32 + _u32(n)


_name_cache = {}


def bin_name_bytes(name):
    """u8 length + UTF-8 name of a bin, validated (cached: bin names repeat)."""
    try:
        return _name_cache[name]
    except (KeyError, TypeError):
        pass
    if not isinstance(name, str):
        raise ClientError(-1, "A bin name must be a string or unicode string.")
    data = utf8(name)
    if len(data) > BIN_NAME_MAX:
        raise BinNameError(21, "A bin name should not exceed 15 characters limit")
    item = bytes((len(data),)) + data
    if len(_name_cache) < 4096:
        _name_cache[name] = item
    return item


# ------------------------------------------------------------------ decoding

_unpack_from = struct.unpack_from
# (gen, ttl, number of bins) of a record buffer at pos (20: after its digest).
record_head = _rec_head = struct.Struct("<III").unpack_from
_bin_head = struct.Struct("<BI").unpack_from
_q = struct.Struct(">q").unpack_from
_d = struct.Struct(">d").unpack_from
_be = {n: struct.Struct(">" + c).unpack_from for n, c in
       (("H", "H"), ("I", "I"), ("Q", "Q"), ("b", "b"), ("h", "h"), ("i", "i"), ("q", "q"),
        ("f", "f"), ("d", "d"))}
_beH, _beI, _beQ = _be["H"], _be["I"], _be["Q"]
_beb, _beh, _bei, _beq = _be["b"], _be["h"], _be["i"], _be["q"]
_bef, _bed = _be["f"], _be["d"]


class Unpacker:
    """Decodes Aerospike msgpack and record buffers into Python values."""

    __slots__ = ("deserializer",)

    def __init__(self, deserializer=None):
        self.deserializer = deserializer

    def blob(self, ptype, data):
        if ptype == P_BLOB:
            deserializer = self.deserializer or GLOBAL_SERIALIZERS.deserializer
            if deserializer is not None:
                # As the official: the deserializer gets the blob as text; a blob that is
                # not UTF-8, or a deserializer that fails, reads back as the raw bytes.
                try:
                    return deserializer(bytes(data).decode("utf-8"))
                except Exception:
                    return data
            return data
        if ptype == P_HLL:
            return _hll_class()(data)
        if ptype == P_PYTHON:
            return bytearray(data)
        return data

    def particle(self, ptype, buf, start, end):
        """Python value of one top-level particle found at buf[start:end]."""
        if ptype == P_INTEGER:
            return _q(buf, start)[0]
        if ptype == P_STRING:
            return buf[start:end].decode("utf-8", "surrogateescape")
        if ptype == P_DOUBLE:
            return _d(buf, start)[0]
        if ptype == P_MAP or ptype == P_LIST:
            return self.unpack_from(buf, start)[0]
        if ptype == P_BOOL:
            return buf[start] != 0
        if ptype == P_NIL:
            return None
        if ptype == P_GEOJSON:
            return GeoJSON(buf[start:end].decode("utf-8"))
        return self.blob(ptype, buf[start:end])

    def record(self, buf, pos=20, names=None):
        """(gen, ttl, bins dict, end position) of a record buffer (after its digest).

        ``names``: a list kept across the records of a page, the bin names seen so far by
        position; a page repeats a name as the byte NAME_REPEAT (_shim/shim.h)."""
        gen, ttl, n = _rec_head(buf, pos)
        bins = {}
        return gen, ttl, bins, self.read_bins(buf, pos + 12, n, names, bins)

    def read_bins(self, buf, pos, n, names, bins):
        """Reads a record's ``n`` bins at ``pos`` into ``bins`` (given by the caller, so
        PageUnpacker fills its compact dicts); the position after them. ``names`` as in
        record()."""
        particle = self.particle
        for i in range(n):
            name_len = buf[pos]
            if name_len == NAME_REPEAT:
                name = names[i]
                pos += 1
            else:
                name = buf[pos + 1:pos + 1 + name_len].decode("utf-8")
                pos += 1 + name_len
                if names is not None:
                    if i < len(names):
                        names[i] = name
                    else:
                        names.append(name)
            ptype, size = _bin_head(buf, pos)
            pos += 5
            bins[name] = particle(ptype, buf, pos, pos + size)
            pos += size
        return pos

    def record_pairs(self, buf, pos=20):
        """Like record() but bins as a list of (name, value) in wire order."""
        gen, ttl, n = _rec_head(buf, pos)
        pos += 12
        pairs = []
        for _ in range(n):
            name_len = buf[pos]
            name = buf[pos + 1:pos + 1 + name_len].decode("utf-8")
            pos += 1 + name_len
            ptype, size = _bin_head(buf, pos)
            pos += 5
            pairs.append((name, self.particle(ptype, buf, pos, pos + size)))
            pos += size
        return gen, ttl, pairs, pos

    def unpack(self, data):
        return self.unpack_from(data, 0)[0]

    def unpack_from(self, buf, pos):
        b = buf[pos]
        pos += 1
        # The common cases first: small ints, short strings, small maps and lists, doubles.
        if b < 0x80:
            return b, pos
        if 0xA0 <= b < 0xC0:
            n = b & 0x1F
            if n and buf[pos] == P_STRING:
                if n == 2 and buf[pos + 1] < 0x80:  # one ASCII character: a shared str
                    return _ASCII_CHARS[buf[pos + 1]], pos + 2
                return buf[pos + 1:pos + n].decode("utf-8", "surrogateescape"), pos + n
            return self._raw(buf, pos, n)
        if b < 0x90:
            return self._map(buf, pos, b & 0x0F)
        if b < 0xA0:
            return self._list(buf, pos, b & 0x0F)
        if b == 0xCB:
            return _bed(buf, pos)[0], pos + 8
        if b >= 0xE0:
            return b - 0x100, pos
        if b == 0xC0:
            return None, pos
        if b == 0xC2:
            return False, pos
        if b == 0xC3:
            return True, pos
        if b == 0xD9 or b == 0xC4:
            return self._raw(buf, pos + 1, buf[pos])
        if b == 0xDA or b == 0xC5:
            return self._raw(buf, pos + 2, _beH(buf, pos)[0])
        if b == 0xDB or b == 0xC6:
            return self._raw(buf, pos + 4, _beI(buf, pos)[0])
        if b == 0xCC:
            return buf[pos], pos + 1
        if b == 0xCD:
            return _beH(buf, pos)[0], pos + 2
        if b == 0xCE:
            return _beI(buf, pos)[0], pos + 4
        if b == 0xCF:
            return _beQ(buf, pos)[0], pos + 8
        if b == 0xD0:
            return _beb(buf, pos)[0], pos + 1
        if b == 0xD1:
            return _beh(buf, pos)[0], pos + 2
        if b == 0xD2:
            return _bei(buf, pos)[0], pos + 4
        if b == 0xD3:
            return _beq(buf, pos)[0], pos + 8
        if b == 0xCA:
            return _bef(buf, pos)[0], pos + 4
        if b == 0xDC:
            return self._list(buf, pos + 2, _beH(buf, pos)[0])
        if b == 0xDD:
            return self._list(buf, pos + 4, _beI(buf, pos)[0])
        if b == 0xDE:
            return self._map(buf, pos + 2, _beH(buf, pos)[0])
        if b == 0xDF:
            return self._map(buf, pos + 4, _beI(buf, pos)[0])
        ext = self._ext(buf, pos, b)
        if ext is not None:
            return ext
        raise ClientError(-1, "Malformed msgpack from server (byte 0x%02x)" % b)

    def _ext(self, buf, pos, b):
        """(_Ext, pos) for the ext families, else None."""
        if 0xD4 <= b <= 0xD8:
            size = 1 << (b - 0xD4)
        elif b == 0xC7:
            size, pos = buf[pos], pos + 1
        elif b == 0xC8:
            size, pos = _beH(buf, pos)[0], pos + 2
        elif b == 0xC9:
            size, pos = _beI(buf, pos)[0], pos + 4
        else:
            return None
        etype = buf[pos]
        data = buf[pos + 1:pos + 1 + size]
        return _Ext(etype, data), pos + 1 + size

    def _raw(self, buf, pos, n):
        end = pos + n
        if n == 0:
            return "", end
        t = buf[pos]
        if t == P_STRING:
            return buf[pos + 1:end].decode("utf-8", "surrogateescape"), end
        if t == P_GEOJSON:
            return GeoJSON(buf[pos + 1:end].decode("utf-8")), end
        return self.blob(t, bytes(buf[pos + 1:end])), end

    def _list(self, buf, pos, n):
        out = []
        append = out.append
        for i in range(n):
            v, pos = self.unpack_from(buf, pos)
            if i == 0 and type(v) is _Ext:
                continue  # list order flags
            append(None if type(v) is _Ext else v)
        return out, pos

    def _map(self, buf, pos, n):
        ordered = False
        if n and (0xC7 <= buf[pos] <= 0xC9 or 0xD4 <= buf[pos] <= 0xD8):
            # Flags pair first: 1 = key ordered -> KeyOrderedDict; 8 = "preserve order",
            # which the C client hands over as a flat [k, v, k, v, ...] list.
            flags, pos = self._ext(buf, pos + 1, buf[pos])
            _, pos = self.unpack_from(buf, pos)
            n -= 1
            if flags.type & 0x08:
                return self._flat_pairs(buf, pos, n)
            ordered = flags.type == 0x01
        unpack_from = self.unpack_from
        out = {}
        in_order = True
        prev = _NO_KEY
        for _ in range(n):
            k, pos = unpack_from(buf, pos)
            v, pos = unpack_from(buf, pos)
            key_type = type(k)
            if key_type is list:
                k = tuple(k)
            if type(v) is _Ext:
                v = None
            if in_order and prev is not _NO_KEY:
                if key_type is type(prev) and (key_type is str or key_type is int):
                    in_order = prev < k
                else:
                    in_order = _ordered_after(prev, k)
            prev = k
            out[k] = v
        if not in_order:
            # The official client reads every map into a key-sorted C map: same order here.
            out = dict(sorted(out.items(), key=_key_order))
        return (KeyOrderedDict(out) if ordered else out), pos

    def _flat_pairs(self, buf, pos, n):
        out = []
        for _ in range(2 * n):
            v, pos = self.unpack_from(buf, pos)
            out.append(None if type(v) is _Ext else v)
        return out, pos


class RawCollectionsUnpacker(Unpacker):
    """Unpacker of reads with ``deserialize`` False: as the official, list and map bins come
    back as their raw msgpack ``bytes``."""

    __slots__ = ()

    def particle(self, ptype, buf, start, end):
        if ptype == P_MAP or ptype == P_LIST:
            return bytes(buf[start:end])
        return Unpacker.particle(self, ptype, buf, start, end)


_NO_KEY = object()
# A tuple, not a list: PyPy keeps a list of str by its strategy as the bare text and makes
# a new str object at every read (32 bytes, one more GC object per map key or value taken
# from it, and kept with the record); a tuple hands back the str objects it holds.
_ASCII_CHARS = tuple([chr(c) for c in range(0x80)])


def name_list():
    """An empty list for a page's bin names (NAME_REPEAT), that keeps the str objects.

    On PyPy a list that holds only str keeps their text and makes a new str at each read
    (its "unicode strategy"), so each record's dict would store its own copy of every bin
    name: 32 bytes and one GC object per bin, kept as long as the record (issue 13). A list
    that once held another object stays in the object strategy and hands back the same
    str each time. (CPython: an ordinary list either way.)"""
    names = [None]
    del names[0]
    return names


class _Ext:
    __slots__ = ("type", "data")

    def __init__(self, etype, data):
        self.type = etype
        self.data = data



def pack_value(value):
    """``value`` in Aerospike's msgpack dialect, with the default settings."""
    return DEFAULT_PACKER.pack(value)


def bin_particle(value):
    """(particle type, wire particle bytes) of a top-level bin value."""
    item = DEFAULT_PACKER.bin_item(value)
    return item[0], item[5:]


# ------------------------------------------------------------------ kept records (pages)
#
# Records of a batch or a scan/query page are usually kept by the caller (a list of
# BatchRecord, results()), and on PyPy their cost is then mostly the GC's: every record
# alive at a minor collection is copied out of the nursery and later marked and swept by
# the major collections, in proportion to its size. A dict built item by item there holds a
# 16-slot table (about 320 bytes for 2 items); PyPy's "kwargs" dicts (two short lists, what
# a **kwargs parameter receives) hold the same items in about 190 bytes, behave as any dict
# (they turn into the usual form at 16 items, at a first non-str key, on deletion), and are
# what PyPy itself builds for every call with keyword arguments. CPython keeps plain dicts.

try:
    from __pypy__ import newdict as _pypy_newdict, newlist_hint as _newlist_hint
except ImportError:  # CPython
    _pypy_newdict = _newlist_hint = None


def _kwargs(**items):
    return items


if _pypy_newdict is not None:
    def small_dict():
        """An empty dict for a few str keys, in PyPy's compact form."""
        return _pypy_newdict("kwargs")

    def record_meta(ttl, gen):
        """A record's meta dict, {"ttl": ttl, "gen": gen}."""
        return _kwargs(ttl=ttl, gen=gen)
else:
    small_dict = dict

    def record_meta(ttl, gen):
        """A record's meta dict, {"ttl": ttl, "gen": gen}."""
        return {"ttl": ttl, "gen": gen}


_SMALL_DICT_MAX = 16  # PyPy's kwargs dicts turn into the usual form past this size
_SHARE_INTS = _pypy_newdict is not None  # read_page: equal ttl/gen ints shared (PyPy)
_COPY_SHAPES = _SHARE_INTS  # read_page: a record's bins dict copied from the previous one's
_MAP_KEYS_MAX = 512  # read_page: distinct map keys shared per page
# A batch result's head: code (signed: -15 is "no response"), in_doubt, has a record; and
# an error row's detail: subcode, message size (_shim/shim_batch.c).
_result_head = struct.Struct("<iBB").unpack_from
_detail_head = struct.Struct("<IH").unpack_from


class PageUnpacker(Unpacker):
    """Unpacker of records the caller keeps (batches, scan and query pages): the same
    values as Unpacker's, with bins dicts and str-keyed maps made by small_dict()."""

    __slots__ = ()

    def record(self, buf, pos=20, names=None):
        """(gen, ttl, bins dict, end position), as Unpacker.record."""
        gen, ttl, n = _rec_head(buf, pos)
        bins = small_dict() if n <= _SMALL_DICT_MAX else {}
        return gen, ttl, bins, self.read_bins(buf, pos + 12, n, names, bins)

    def _map(self, buf, pos, n):
        if n and (0xC7 <= buf[pos] <= 0xC9 or 0xD4 <= buf[pos] <= 0xD8):
            return Unpacker._map(self, buf, pos, n)  # flags first: ordered maps and kin
        unpack_from = self.unpack_from
        out = None
        in_order = True
        prev = _NO_KEY
        for _ in range(n):
            k, pos = unpack_from(buf, pos)
            v, pos = unpack_from(buf, pos)
            key_type = type(k)
            if out is None:
                out = small_dict() if key_type is str and n <= _SMALL_DICT_MAX else {}
            if key_type is list:
                k = tuple(k)
            if type(v) is _Ext:
                v = None
            if in_order and prev is not _NO_KEY:
                if key_type is type(prev) and (key_type is str or key_type is int):
                    in_order = prev < k
                else:
                    in_order = _ordered_after(prev, k)
            prev = k
            out[k] = v
        if out is None:
            return {}, pos
        if not in_order:
            # The official client reads every map into a key-sorted C map: same order here.
            out = dict(sorted(out.items(), key=_key_order))
        return out, pos

    # Collections inside a bin are read by read_page's own loop (one level deep);
    # RawPageUnpacker hands them to particle() (their msgpack bytes).
    inline_collections = True

    def read_page(self, buf, keys=None, new_record=None, header_only=False, count=0):
        """Every record of a page in the packed layout, in one list: with ``keys`` (one
        per record, ending with ns, set, pk) a batch's results, ``new_record(key)`` each
        (a BatchRecord) with its fields set; else a scan or query page's ``(key, meta,
        bins)`` records (as _stream's _feed hands them over one by one). ``count``: the
        number of records when the caller knows it; on PyPy the list is then made at that
        size (a list grown by append is copied each time it grows by an eighth, and on a
        large page each discarded copy is old-generation memory the next major collection
        sweeps).

        Why one loop, shaped so (PyPy; issue 13): a loop of a few turns in a function
        called per record (the bins of a record, the items of a small map) is compiled by
        PyPy's JIT as a loop of its own, and each entry into it from the caller's loop
        builds the callee's frame and boxes its locals; that was about 3 KB of garbage per
        record of the benchmark, twice what the record keeps, so the nursery filled twice
        as often and more records still being built were copied out of it. Here records,
        bins and the items of a map or list bin are the turns of one loop in one frame,
        with the common scalars read inline. Each kind of turn is a bridge of that loop,
        and every int local alive at its end is boxed when it jumps back: hence the
        loop's ints kept in a list of ints between turns, flags as bools, the keys taken
        from an iterator and the turn's ints cleared at its end. What is rarer (nested
        collections, ext types, ordered maps, other particles) goes through the usual
        methods, which stay the one definition of the mapping."""
        unpack_from = self.unpack_from
        particle = self.particle
        inline = self.inline_collections
        batch = keys is not None
        next_key = iter(keys or ()).__next__
        results = _newlist_hint(count) if count and _newlist_hint is not None else []
        append = results.append
        names = name_list()  # bin names repeated from record to record (NAME_REPEAT)
        end = len(buf)
        ns = set_name = None
        bins = None
        # The loop's ints, kept unboxed in a list of ints between turns: position, bins
        # of the record, bins read, items left in the collection bin being read.
        state = [0, 0, 0, 0]
        cont = cont_name = prev = None
        is_map = in_order = small = first = False
        # A scan or query record goes into the list once its bins are read (at the next
        # record's head, or at the end), so its bins dict may still be replaced: the dict
        # starts as a copy of the previous record's when the record has as many bins
        # (``shaped``; its values are all replaced, and a name that is not the previous
        # record's ends the copy, see _first_items). On PyPy a copied dict's two lists
        # are made at their length; grown by one item at a time they hold room for more
        # (5 bins: 8 slots each, 48 bytes more per record, kept with it). PyPy only
        # (CPython's dicts gain nothing, and it costs ~0.4 % more instructions).
        rec_key = rec_meta = None  # the record being read (scan or query)
        shaped = False
        copy_shapes = _COPY_SHAPES
        # The str keys of the map bins read here (2 to 30 bytes; one-character ones are
        # _ASCII_CHARS'), by their bytes: records whose maps have the same keys (the fields
        # of a document) keep the same str objects, not one copy per record (PyPy: 72
        # bytes and 2 GC objects for a 5-character key, kept as long as the record). Per
        # page and bounded: keys that are data rather than field names stop being added.
        map_keys = {}
        # On PyPy, the previous record's ttl and gen as int objects: a record whose ttl or
        # gen is the same takes the same object (PyPy compares ints by value, so `is`
        # cannot tell), one GC object less per field kept. A list of objects, not locals:
        # an int local carried by the loop is unboxed and boxed again per record. (CPython:
        # not done, the compares cost more than the objects.)
        last = [None, None]
        share_ints = _SHARE_INTS
        while True:
            pos, nbins, bin_i, items = state
            if items:
                # One item of a map or list bin, the common scalars inline (as unpack_from).
                if is_map:
                    b = buf[pos]
                    if 0xA1 <= b < 0xC0 and buf[pos + 1] == P_STRING:
                        if b == 0xA2 and buf[pos + 2] < 0x80:
                            k = _ASCII_CHARS[buf[pos + 2]]
                        else:
                            raw = buf[pos + 2:pos + 1 + (b & 0x1F)]
                            k = map_keys.get(raw)
                            if k is None:
                                k = raw.decode("utf-8", "surrogateescape")
                                if len(map_keys) < _MAP_KEYS_MAX:
                                    map_keys[raw] = k
                            raw = None
                        pos += 1 + (b & 0x1F)
                    elif b < 0x80:
                        k = b
                        pos += 1
                    else:
                        k, pos = unpack_from(buf, pos)
                b = buf[pos]
                if b < 0x80:
                    v = b
                    pos += 1
                elif 0xA1 <= b < 0xC0 and buf[pos + 1] == P_STRING:
                    if b == 0xA2 and buf[pos + 2] < 0x80:
                        v = _ASCII_CHARS[buf[pos + 2]]
                    else:
                        v = buf[pos + 2:pos + 1 + (b & 0x1F)].decode("utf-8", "surrogateescape")
                    pos += 1 + (b & 0x1F)
                elif b == 0xCB:
                    v = _bed(buf, pos + 1)[0]
                    pos += 9
                elif b >= 0xE0:
                    v = b - 0x100
                    pos += 1
                else:
                    v, pos = unpack_from(buf, pos)
                    if type(v) is _Ext:
                        # in a list, an ext first item is its order flags: no item
                        v = _NO_KEY if first and not is_map else None
                items -= 1
                if is_map:
                    key_type = type(k)
                    if cont is None:
                        cont = small_dict() if key_type is str and small else {}
                    if key_type is list:
                        k = tuple(k)
                    if in_order and not first:
                        if key_type is type(prev) and (key_type is str or key_type is int):
                            in_order = prev < k
                        else:
                            in_order = _ordered_after(prev, k)
                    prev = k
                    cont[k] = v
                    if not items:
                        if not in_order:
                            # The official reads every map into a key-sorted C map.
                            cont = dict(sorted(cont.items(), key=_key_order))
                        bins[cont_name] = cont
                elif v is not _NO_KEY:
                    cont.append(v)
                first = False
                if not items:
                    cont = prev = None
            elif bin_i < nbins:
                # One bin (as Unpacker.read_bins and particle).
                size = buf[pos]
                if size == NAME_REPEAT:
                    name = names[bin_i]
                    pos += 1
                else:
                    name = buf[pos + 1:pos + 1 + size].decode("utf-8")
                    pos += 1 + size
                    if bin_i < len(names):
                        names[bin_i] = name
                    else:
                        names.append(name)
                    if shaped:  # not the previous record's names from here on
                        bins = _first_items(bins, bin_i)
                        shaped = False
                bin_i += 1
                ptype, size = _bin_head(buf, pos)
                pos += 5
                if ptype == P_INTEGER:
                    bins[name] = _q(buf, pos)[0]
                elif ptype == P_STRING:
                    bins[name] = buf[pos:pos + size].decode("utf-8", "surrogateescape")
                elif ptype == P_DOUBLE:
                    bins[name] = _d(buf, pos)[0]
                elif (ptype == P_MAP or ptype == P_LIST) and inline and size:
                    b = buf[pos]
                    if 0x80 <= b < 0xA0:
                        items, at = b & 0x0F, pos + 1
                    elif b == 0xDE or b == 0xDC:
                        items, at = _beH(buf, pos + 1)[0], pos + 3
                    elif b == 0xDF or b == 0xDD:
                        items, at = _beI(buf, pos + 1)[0], pos + 5
                    else:
                        items, at = -1, pos
                    is_map = b < 0x90 or b == 0xDE or b == 0xDF
                    if items < 0 or (is_map and items and
                                     (0xC7 <= buf[at] <= 0xC9 or 0xD4 <= buf[at] <= 0xD8)):
                        # not a collection's header, or an ordered map and kin: as usual
                        items = 0
                        bins[name] = particle(ptype, buf, pos, pos + size)
                    elif not items:
                        bins[name] = {} if is_map else []
                    else:
                        # Its items are the next turns; the map goes into bins when full.
                        first = True
                        if is_map:
                            cont_name = name
                            small = items <= _SMALL_DICT_MAX
                            in_order = True
                        else:
                            cont = bins[name] = []
                        size = at - pos
                else:
                    bins[name] = particle(ptype, buf, pos, pos + size)
                pos += size
            elif pos >= end:
                if rec_key is not None:
                    append((rec_key, rec_meta, bins))
                return results
            elif batch:  # the next record's head (a batch result)
                parts = next_key()
                code, in_doubt, has_record = _result_head(buf, pos)
                key = (parts[-3], parts[-2], parts[-1], NO_BYTES + buf[pos + 6:pos + 26])
                pos += 26
                rec = new_record(key)
                rec.result = code
                rec.in_doubt = in_doubt != 0
                if has_record:
                    gen, ttl, nbins = _rec_head(buf, pos)
                    pos += 12
                    if share_ints:
                        if ttl == last[0]:
                            ttl = last[0]
                        else:
                            last[0] = ttl
                        if gen == last[1]:
                            gen = last[1]
                        else:
                            last[1] = gen
                    bins = small_dict() if nbins <= _SMALL_DICT_MAX else {}
                    meta = record_meta(ttl, gen)
                    rec.record = (key, meta) if header_only else (key, meta, bins)
                else:  # the row's error detail
                    nbins = 0
                    rec.subcode, size = _detail_head(buf, pos)
                    pos += 6
                    if size:
                        rec.message = buf[pos:pos + size].decode("utf-8", "replace")
                        pos += size
                append(rec)
                bin_i = 0
                rec = None
            else:  # the next record's head (a scan or query page)
                size = buf[pos]
                if size != NAME_REPEAT:
                    ns = buf[pos + 1:pos + 1 + size].decode()
                    pos += size
                pos += 1
                size = buf[pos]
                if size != NAME_REPEAT:
                    set_name = buf[pos + 1:pos + 1 + size].decode() or None
                    pos += size
                pos += 1
                ptype, size = _bin_head(buf, pos)  # the user key's particle type and size
                pos += 5
                pk = particle(ptype, buf, pos, pos + size) if ptype else None
                if pk.__class__ is bytes:
                    pk = bytearray(pk)  # a stored blob key, as _stream's _from_marshal
                pos += size
                digest = NO_BYTES + buf[pos:pos + 20]  # a new bytearray (NO_BYTES)
                gen, ttl, nbins = _rec_head(buf, pos + 20)
                pos += 32
                if share_ints:
                    if ttl == last[0]:
                        ttl = last[0]
                    else:
                        last[0] = ttl
                    if gen == last[1]:
                        gen = last[1]
                    else:
                        last[1] = gen
                if rec_key is not None:
                    append((rec_key, rec_meta, bins))
                rec_key = (ns, set_name, pk, digest)
                rec_meta = record_meta(ttl, gen)
                if (copy_shapes and nbins and bins is not None and
                        len(bins) == nbins <= _SMALL_DICT_MAX):
                    bins = bins.copy()
                    shaped = True
                else:
                    bins = small_dict() if nbins <= _SMALL_DICT_MAX else {}
                    shaped = False
                bin_i = 0
            state[0] = pos
            state[1] = nbins
            state[2] = bin_i
            state[3] = items
            # The turn's ints die here (else boxed at the jump back, see above).
            pos = nbins = bin_i = items = b = at = size = ptype = code = in_doubt = None
            has_record = gen = ttl = k = v = None


class RawPageUnpacker(PageUnpacker):
    """PageUnpacker of reads with ``deserialize`` False (as RawCollectionsUnpacker)."""

    __slots__ = ()
    inline_collections = False

    def particle(self, ptype, buf, start, end):
        if ptype == P_MAP or ptype == P_LIST:
            return bytes(buf[start:end])
        return Unpacker.particle(self, ptype, buf, start, end)


def _first_items(bins, n):
    """A new dict of the first ``n`` items of ``bins`` (read_page: a record whose names
    differ from the previous record's after its first ``n``)."""
    out = small_dict()
    for name in list(bins)[:n]:
        out[name] = bins[name]
    return out


def page_unpacker(client, raw=False):
    """The client's PageUnpacker (raw: its RawPageUnpacker), made at first use."""
    try:
        pair = client._page_unpackers
    except AttributeError:
        deserializer = client._unpacker.deserializer
        pair = client._page_unpackers = (PageUnpacker(deserializer),
                                         RawPageUnpacker(deserializer))
    return pair[1 if raw else 0]
