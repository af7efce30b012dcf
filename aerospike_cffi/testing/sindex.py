"""Secondary indexes: their info commands and how a query's range matches a record.

An index covers one namespace and set (or the records without a set filter when
created without one), and takes its values from a bin, a CDT context inside the
bin, or an expression; ``indextype`` says whether the value itself (default),
the elements of a list, or a map's keys or values are indexed.  Index types:
numeric (integers), string, blob and geo2dsphere.  Indexes are built lazily:
a query reads the current records, so an index is always complete
(``load_pct=100``).  Each indexed value is filed under the real server's 64-bit
key (bval, see ``bval``) so queries walk, report and resume in the server's order.

Info commands (server 8.1 syntax, older ``indexdata=bin,type`` accepted):
``sindex-create``, ``sindex-delete``, ``sindex-list``, ``sindex-exists``,
``sindex-stat`` and ``sindex/<ns>/<name>``.
"""

import base64
import math
import struct

from . import commands, values
from .errors import (INDEX_FOUND, INDEX_NOT_FOUND, NAMESPACE_NOT_FOUND, PARAMETER,
                     ServerError)

KEY_TYPES = ("numeric", "string", "blob", "geo2dsphere")
INDEX_TYPES = ("default", "list", "mapkeys", "mapvalues")
# Index type byte of a query (field 26) -> name.
QUERY_INDEX_TYPES = {0: "default", 1: "list", 2: "mapkeys", 3: "mapvalues"}
# Particle type of a query range -> index key type.
RANGE_KEY_TYPES = {values.P_INTEGER: "numeric", values.P_STRING: "string",
                   values.P_BLOB: "blob", values.P_GEOJSON: "geo2dsphere"}

# CDT context step types (lookup kind in the low bits, list/map flag).
_CTX_LIST, _CTX_MAP = 0x10, 0x20
_CTX_INDEX, _CTX_RANK, _CTX_KEY, _CTX_VALUE = 0, 1, 2, 3


class SecondaryIndex:
    def __init__(self, name, namespace, set_name, bin_name, key_type, index_type="default",
                 context=None, expression=None):
        self.name = name
        self.namespace = namespace
        self.set_name = set_name or None
        self.bin = bin_name
        self.key_type = key_type
        self.index_type = index_type
        self.context = context  # packed msgpack ctx (bytes) or None
        self.expression = expression  # expression wire bytes or None

    def describe(self):
        if self.index_type == "set":  # as server 8.1 lists a set index: no bin, no type
            return "ns=%s:indexname=%s:set=%s:indextype=set" % (self.namespace, self.name,
                                                                self.set_name)
        fields = [
            ("ns", self.namespace), ("indexname", self.name), ("set", self.set_name or "null"),
            ("bin", self.bin or "NULL"), ("type", self.key_type), ("indextype", self.index_type),
            ("context", _b64(self.context)), ("exp", _b64(self.expression)), ("state", "RW"),
        ]
        return ":".join("%s=%s" % kv for kv in fields)

    def covers(self, rec, query_set):
        if self.set_name is not None and rec.set_name != self.set_name:
            return False
        return not query_set or rec.set_name == query_set

    def values(self, ctx):
        """The values this index holds for a record (RecordContext)."""
        if self.expression is not None:
            value = commands.engine("expr", "compile_expression")(self.expression).run(ctx)
            if value is commands.engine("expr", "UNKNOWN"):
                return []
        else:
            value = ctx.bins.get(self.bin, values.MISSING)
        if self.context is not None and value is not values.MISSING:
            value = resolve_context(values.unpack(self.context), value)
        if value is values.MISSING or value is None:
            return []
        if self.index_type == "list":
            return list(value) if isinstance(value, values.ListValue) else []
        if self.index_type in ("mapkeys", "mapvalues"):
            if not isinstance(value, values.MapValue):
                return []
            return [kv[0] if self.index_type == "mapkeys" else kv[1] for kv in value.items]
        return [value]

    def bvals(self, ctx, rng):
        """The distinct bvals under which this index holds a record (RecordContext) in
        ``rng``, in index order: one entry per matching value, so a list or map with
        several matching elements is filed several times."""
        found = [v for v in self.values(ctx) if rng.matches(v)]
        if self.index_type == "default" and self.key_type in ("string", "blob"):
            # The server does not index a bin's string or blob of more than 2048 bytes.
            found = [v for v in found if len(_key_bytes(v)) <= _MAX_STRING_KEY + 1]
        return sorted({bval(self.key_type, v) for v in found})


def _b64(data):
    return base64.b64encode(data).decode() if data else "null"


def resolve_context(ctx, value):
    """The element a CDT context (decoded [type, arg, ...]) names in ``value``,
    or MISSING.  Read only: creation flags are ignored."""
    if not isinstance(ctx, list) or len(ctx) % 2:
        raise ServerError(PARAMETER, "bad index context")
    for i in range(0, len(ctx), 2):
        kind, arg = ctx[i], ctx[i + 1]
        if not isinstance(kind, int):
            raise ServerError(PARAMETER, "bad index context")
        lookup = kind & 0x0F
        if isinstance(value, values.ListValue) and not kind & _CTX_MAP:
            elements = list(value)
            if lookup == _CTX_INDEX:
                value = _at(elements, arg)
            elif lookup == _CTX_RANK:
                value = _at(sorted(elements, key=values.sort_key), arg)
            elif lookup == _CTX_VALUE:
                value = next((e for e in elements if values.compare(e, arg) == 0), values.MISSING)
            else:
                return values.MISSING
        elif isinstance(value, values.MapValue) and not kind & _CTX_LIST:
            pairs = value.items
            if lookup == _CTX_INDEX:
                pair = _at(sorted(pairs, key=lambda kv: values.sort_key(kv[0])), arg)
            elif lookup == _CTX_RANK:
                pair = _at(sorted(pairs, key=lambda kv: values.sort_key(kv[1])), arg)
            elif lookup == _CTX_KEY:
                pair = next((kv for kv in pairs if values.compare(kv[0], arg) == 0), values.MISSING)
            else:
                pair = next((kv for kv in pairs if values.compare(kv[1], arg) == 0), values.MISSING)
            value = values.MISSING if pair is values.MISSING else pair[1]
        else:
            return values.MISSING
    return value


def check_context(data):
    """A query's index context (field 23) as the server checks it before looking for
    the index: a msgpack list of (type, value) pairs; PARAMETER otherwise."""
    ctx = values.unpack(data) if data else None
    if not isinstance(ctx, list) or len(ctx) % 2 or \
            not all(type(kind) is int for kind in ctx[::2]):
        raise ServerError(PARAMETER, "bad index context")


def _at(seq, index):
    if not isinstance(index, int) or not -len(seq) <= index < len(seq):
        return values.MISSING
    return seq[index]


# ---------------------------------------------------------------- index keys

# The real server files every indexed value under a 64-bit key, its "bval": an
# integer is its own key, a string or blob the wyhash64 of its bytes, a GeoJSON
# point the S2 leaf cell it lies in (compared unsigned).  A partition's index is
# ordered by (bval, digest); a query sends each record's bval back and resumes a
# partition after the (bval, digest) the client returns.
_MASK64 = (1 << 64) - 1
_WY_SECRET = (0xa0761d6478bd642f, 0xe7037ed1a0b428db, 0x8ebc6af09c88c6e3, 0x589965cc75374cc3)
_WY_SEED = 0x29FBB14cc886f ^ _WY_SECRET[0]


def _wymix(a, b):
    product = a * b  # 128-bit product; high and low halves folded together
    return (product & _MASK64) ^ (product >> 64)


def _le(data, pos, size):
    return int.from_bytes(data[pos:pos + size], "little")


def wyhash64(data):
    """cf_wyhash64 (wyhash final version 3 with the server's fixed seed) of ``data``."""
    n = len(data)
    seed = _WY_SEED
    s1, s2, s3 = _WY_SECRET[1:]
    if n <= 16:
        if n >= 4:
            step = (n >> 3) << 2
            a = (_le(data, 0, 4) << 32) | _le(data, step, 4)
            b = (_le(data, n - 4, 4) << 32) | _le(data, n - 4 - step, 4)
        elif n:
            a, b = (data[0] << 16) | (data[n >> 1] << 8) | data[n - 1], 0
        else:
            a = b = 0
    else:
        pos, left = 0, n
        if left > 48:
            see1 = see2 = seed
            while left > 48:
                seed = _wymix(_le(data, pos, 8) ^ s1, _le(data, pos + 8, 8) ^ seed)
                see1 = _wymix(_le(data, pos + 16, 8) ^ s2, _le(data, pos + 24, 8) ^ see1)
                see2 = _wymix(_le(data, pos + 32, 8) ^ s3, _le(data, pos + 40, 8) ^ see2)
                pos += 48
                left -= 48
            seed ^= see1 ^ see2
        while left > 16:
            seed = _wymix(_le(data, pos, 8) ^ s1, _le(data, pos + 8, 8) ^ seed)
            pos += 16
            left -= 16
        a = _le(data, pos + left - 16, 8)
        b = _le(data, pos + left - 8, 8)
    return _wymix(s1 ^ n, _wymix(a ^ s1, b ^ seed))


# Hilbert curve of S2: the position (0-3) of the child holding an (i, j) bit pair,
# per orientation, and how entering that child turns the orientation.
_HILBERT_POS = ((0, 1, 3, 2), (0, 3, 1, 2), (2, 3, 1, 0), (2, 1, 3, 0))
_HILBERT_TURN = (1, 0, 0, 3)
_S2_LEAF_BITS = 30


def _s2_face_uv(x, y, z):
    """The cube face a unit vector points through and its (u, v) there."""
    ax, ay, az = abs(x), abs(y), abs(z)
    axis = (0 if ax > az else 2) if ax > ay else (1 if ay > az else 2)
    if axis == 0:
        return (0, y / x, z / x) if x > 0 else (3, z / x, y / x)
    if axis == 1:
        return (1, -x / y, z / y) if y > 0 else (4, z / y, -x / y)
    return (2, -x / z, -y / z) if z > 0 else (5, -y / z, -x / z)


def _s2_leaf_coordinate(uv):
    st = 0.5 * math.sqrt(1 + 3 * uv) if uv >= 0 else 1 - 0.5 * math.sqrt(1 - 3 * uv)
    size = 1 << _S2_LEAF_BITS
    return max(0, min(size - 1, int(math.floor(size * st))))


def s2_leaf_cell(lng, lat):
    """The id of the S2 leaf cell holding the point (degrees)."""
    phi, theta = math.radians(lat), math.radians(lng)
    face, u, v = _s2_face_uv(math.cos(phi) * math.cos(theta), math.cos(phi) * math.sin(theta),
                             math.sin(phi))
    i, j = _s2_leaf_coordinate(u), _s2_leaf_coordinate(v)
    orientation, pos = face & 1, 0
    for bit in range(_S2_LEAF_BITS - 1, -1, -1):
        child = _HILBERT_POS[orientation][(((i >> bit) & 1) << 1) | ((j >> bit) & 1)]
        pos = (pos << 2) | child
        orientation ^= _HILBERT_TURN[child]
    return (face << 61) | (pos << 1) | 1


def _geo_anchor(geo):
    """A point standing for a parsed GeoJSON: the point itself, a circle's centre or a
    polygon's first vertex (regions are not S2-covered here, so a region's bval is the
    leaf cell of this point rather than the real server's matching covering cell)."""
    if geo.point is not None:
        return geo.point
    if geo.circle is not None:
        return geo.circle[0]
    return next((ring[0] for poly in geo.polygons for ring in poly if ring), (0.0, 0.0))


def bval(key_type, value):
    """The bval of an indexed value (signed, or unsigned for geo2dsphere)."""
    if key_type == "numeric":
        return value
    if key_type == "geo2dsphere":
        return s2_leaf_cell(*_geo_anchor(commands.engine("expr", "_geo_parse")(value)))
    raw = wyhash64(_key_bytes(value))
    return raw - (1 << 64) if raw >> 63 else raw


def _key_bytes(value):
    """The bytes a string or blob value is hashed from."""
    return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else bytes(value)


def bval_from_wire(key_type, raw):
    """A bval from its 8 little-endian wire bytes (as the client returns it)."""
    value = struct.unpack("<Q", raw)[0]
    if key_type != "geo2dsphere" and value >> 63:
        value -= 1 << 64
    return value


def bval_to_wire(value):
    return struct.pack("<Q", value & _MASK64)


# ---------------------------------------------------------------- query ranges

# Limits the real server puts on a query's bin name and values.
_MAX_BIN_NAME = 15
_MAX_STRING_KEY = 2047
_MAX_GEOJSON_KEY = (1 << 20) - 1


class Range:
    """A query's index range (field 22): bin, key type, begin and end values.

    Parsed as the real server does: anything it refuses (several ranges, a bad bin
    name, an integer range of other than 8-byte bounds or with begin > end, an
    oversized string, GeoJSON it cannot parse, an unknown particle type) is a
    PARAMETER error.  Strings and blobs match on their begin value only.
    """

    def __init__(self, bin_name, key_type, begin, end, region=None):
        self.bin = bin_name
        self.key_type = key_type
        self.begin = begin
        self.end = end
        self.region = region  # the parsed GeoJSON of a geo query

    @property
    def is_range(self):
        """False for a point lookup (the server de-duplicates only true ranges)."""
        if self.key_type == "numeric":
            return self.begin != self.end
        return self.key_type == "geo2dsphere"

    @classmethod
    def parse(cls, data):
        data = bytes(data)
        if len(data) < 2 or data[0] != 1:
            raise ServerError(PARAMETER, "exactly one query range is supported")
        name_len = data[1]
        pos = 2 + name_len
        # No bin name is fine: a query by index name or expression (server 8.1) has none.
        if name_len > _MAX_BIN_NAME or len(data) <= pos:
            raise ServerError(PARAMETER, "bad query range bin name")
        bin_name = data[2:pos].decode("utf-8", "surrogateescape")
        key_type = RANGE_KEY_TYPES.get(data[pos])
        bounds = data[pos + 1:]
        if key_type == "numeric":
            begin, end = _integer_bounds(bounds)
            return cls(bin_name, key_type, begin, end)
        if key_type in ("string", "blob"):
            value = _first_bound(bounds, _MAX_STRING_KEY)
            if key_type == "string":
                value = value.decode("utf-8", "surrogateescape")
            return cls(bin_name, key_type, value, value)
        if key_type == "geo2dsphere":
            text = _first_bound(bounds, _MAX_GEOJSON_KEY).decode("utf-8", "surrogateescape")
            region = commands.engine("expr", "_geo_parse")(text)
            if not text or not _valid_geo(region):
                raise ServerError(PARAMETER, "bad GeoJSON in query")
            return cls(bin_name, key_type, text, text, region)
        raise ServerError(PARAMETER, "bad query range type")

    def matches(self, value):
        kind = self.key_type
        if kind == "numeric":
            return type(value) is int and self.begin <= value <= self.end
        if kind == "string":
            return type(value) is str and value == self.begin
        if kind == "blob":
            return type(value) is bytes and value == self.begin
        if isinstance(value, values.GeoJSON):
            point = commands.engine("expr", "_geo_parse")(value)
            return point is not None and \
                commands.engine("expr", "_geo_match")(point, self.region)
        return False


def _integer_bounds(data):
    if len(data) < 24 or data[0:4] != b"\0\0\0\x08" or data[12:16] != b"\0\0\0\x08":
        raise ServerError(PARAMETER, "bad integer query range")
    begin, end = struct.unpack_from(">q", data, 4)[0], struct.unpack_from(">q", data, 16)[0]
    if begin > end:
        raise ServerError(PARAMETER, "query range begins after its end")
    return begin, end


def _first_bound(data, max_size):
    """A string/blob/GeoJSON range's begin value (the server ignores the end)."""
    if len(data) < 4:
        raise ServerError(PARAMETER, "bad query range value")
    size = struct.unpack_from(">I", data)[0]
    if size > max_size or len(data) < 4 + size:
        raise ServerError(PARAMETER, "bad query range value")
    return data[4:4 + size]


def _valid_geo(geo):
    """The server's GeoJSON checks: coordinates on the globe, polygon loops closed with
    at least 4 points (repeated points dropped)."""
    if geo is None:
        return False
    points = [geo.point] if geo.point is not None else []
    if geo.circle is not None:
        points.append(geo.circle[0])
    for poly in geo.polygons or ():
        for ring in poly:
            distinct = [pt for n, pt in enumerate(ring) if n == 0 or pt != ring[n - 1]]
            if len(distinct) < 4 or distinct[0] != distinct[-1]:
                return False
            points.extend(distinct)
    return all(-180 <= lng <= 180 and -90 <= lat <= 90 for lng, lat in points)


def find_index(server, ns, set_name, rng, index_type, context, name, expression):
    """The index a query uses: the one of the query's set, else the one on every set;
    INDEX_NOT_FOUND when none fits (also for an unknown index type)."""
    indexes = server.sindexes
    if name:
        ix = indexes.get((ns, name))
        if ix is None:
            raise ServerError(INDEX_NOT_FOUND)
        return ix
    fits = [ix for ix in indexes.values()
            if ix.namespace == ns and ix.set_name in (set_name or None, None)
            and ix.key_type == rng.key_type and ix.index_type == index_type
            and ix.context == context and ix.expression == expression
            and (expression is not None or ix.bin == rng.bin)]
    if not fits:
        raise ServerError(INDEX_NOT_FOUND)
    return min(fits, key=lambda ix: ix.set_name is None)


# ---------------------------------------------------------------- info commands

def _params(arg):
    out = {}
    for part in arg.split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out[k.strip()] = v.strip()
    return out


def _error(code, msg):
    return "ERROR:%d:%s" % (code, msg)


def create(server, arg):
    p = _params(arg)
    ns = p.get("namespace") or p.get("ns")
    name = p.get("indexname")
    for param, size in _PARAM_SIZES:
        bad = _param_error(p, param, size)
        if bad:
            return bad
    if not ns or not name:
        return _error(PARAMETER, "missing namespace or indexname")
    # An unknown namespace is not checked here: server 8.1 stores the definition for the
    # cluster and answers "ok"; sindex-stat then answers NAMESPACE_NOT_FOUND.
    bin_name, key_type = p.get("bin"), p.get("type")
    if "indexdata" in p:
        bin_name, _, key_type = p["indexdata"].partition(",")
    key_type = (key_type or "").lower()
    if key_type == "integer":
        key_type = "numeric"
    index_type = (p.get("indextype") or "default").lower()
    if index_type == "set":
        # A set index (server 8.1): the records of one set, no bin and no value type.
        if not p.get("set"):
            return _error(PARAMETER, "missing 'set' value")
        return _store(server, SecondaryIndex(name, ns, p["set"], None, None, "set"))
    if key_type not in KEY_TYPES or index_type not in INDEX_TYPES:
        return _error(PARAMETER, "bad index type")
    try:
        context = base64.b64decode(p["context"], validate=True) if p.get("context") else None
        expression = base64.b64decode(p["exp"], validate=True) if p.get("exp") else None
    except ValueError:
        return _error(PARAMETER, "bad base64")
    if expression is None and not bin_name:
        return _error(PARAMETER, "missing bin")
    ix = SecondaryIndex(name, ns, p.get("set"), bin_name if expression is None else None,
                        key_type, index_type, context, expression)
    return _store(server, ix)


def _store(server, ix):
    """Keep a new index definition; the sindex-create answer."""
    ns, name = ix.namespace, ix.name
    # As server 8.1 keeps them (system metadata keyed by the definition, valued by the
    # name): the same name and definition again is "ok"; the name with another definition
    # is INDEX_FOUND; the definition under another name renames the index.
    with server.store.lock:
        same_name = server.sindexes.get((ns, name))
        if same_name is not None:
            if _definition(same_name) == _definition(ix):
                return "ok"
            return _error(INDEX_FOUND, "'indexname' already exists with different definition")
        for key, other in list(server.sindexes.items()):
            if _definition(other) == _definition(ix):
                del server.sindexes[key]
        server.sindexes[(ns, name)] = ix
    return "ok"


def _definition(ix):
    return (ix.namespace, ix.set_name or None, ix.bin, ix.key_type, ix.index_type, ix.context,
            ix.expression)


def delete(server, arg):
    p = _params(arg)
    key = (p.get("namespace") or p.get("ns"), p.get("indexname"))
    with server.store.lock:
        server.sindexes.pop(key, None)  # a missing index is "ok" too, as on server 8.1
    return "ok"


# Buffer sizes (with the terminating NUL) of sindex-create parameters on server 8.1.
_PARAM_SIZES = (("ns", 32), ("namespace", 32), ("set", 64), ("indexname", 64), ("bin", 16))


def _param_error(params, param, size):
    """The server's answer to a parameter given empty or too long, else None."""
    value = params.get(param)
    if value is None:
        return None
    code = NAMESPACE_NOT_FOUND if param in ("ns", "namespace") else PARAMETER
    if value == "":
        return _error(code, "missing '%s' value" % param)
    if len(value.encode("utf-8", "surrogateescape")) >= size:
        return _error(code, "'%s' value too long" % param)
    return None


def _no_namespace(server, ns):
    """The error of a sindex command naming a namespace this node does not have."""
    if ns and server.store.namespace(ns) is None:
        return _error(NAMESPACE_NOT_FOUND, "namespace not found on node")
    return None


def listing(server, arg):
    ns = _params(arg).get("ns") or _params(arg).get("namespace")
    if _no_namespace(server, ns):
        return _no_namespace(server, ns) + ";" + _no_namespace(server, ns)
    return "".join(ix.describe() + ";" for ix in list(server.sindexes.values())
                   if not ns or ix.namespace == ns)


def exists(server, arg):
    p = _params(arg)
    if _no_namespace(server, p.get("namespace") or p.get("ns")):
        return _no_namespace(server, p.get("namespace") or p.get("ns"))
    return "true" if (p.get("namespace") or p.get("ns"), p.get("indexname")) in server.sindexes \
        else "false"


def stat(server, arg):
    p = _params(arg)
    return _stat(server, p.get("namespace") or p.get("ns"), p.get("indexname"))


def stat_path(server, arg):
    """``sindex/<ns>/<name>`` (the pre-8.1 form of sindex-stat)."""
    ns, _, name = arg.partition("/")
    if not name:
        return listing(server, "ns=" + ns)
    return _stat(server, ns, name)


def _stat(server, ns, name):
    if _no_namespace(server, ns):
        return _no_namespace(server, ns)
    ix = server.sindexes.get((ns, name))
    if ix is None:
        return _error(INDEX_NOT_FOUND, "no index")
    return "entries=0;used_bytes=0;load_pct=100;load_time=0;stat_gc_recs=0"


INFO_COMMANDS = {
    "sindex-create": create,
    "sindex-delete": delete,
    "sindex-list": listing,
    "sindex-exists": exists,
    "sindex-stat": stat,
    "sindex": stat_path,
}
