"""Secondary indexes: their info commands and how a query's range matches a record.

An index covers one namespace and set (or the records without a set filter when
created without one), and takes its values from a bin, a CDT context inside the
bin, or an expression; ``indextype`` says whether the value itself (default),
the elements of a list, or a map's keys or values are indexed.  Index types:
numeric (integers), string, blob and geo2dsphere.  Indexes are built lazily:
a query reads the current records, so an index is always complete
(``load_pct=100``).

Info commands (server 8.1 syntax, older ``indexdata=bin,type`` accepted):
``sindex-create``, ``sindex-delete``, ``sindex-list``, ``sindex-exists``,
``sindex-stat`` and ``sindex/<ns>/<name>``.
"""

import base64
import struct

from . import commands, values
from .errors import INDEX_FOUND, INDEX_NOT_FOUND, PARAMETER, ServerError

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
        fields = [
            ("ns", self.namespace), ("indexname", self.name), ("set", self.set_name or "NULL"),
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


def _at(seq, index):
    if not isinstance(index, int) or not -len(seq) <= index < len(seq):
        return values.MISSING
    return seq[index]


# ---------------------------------------------------------------- query ranges

class Range:
    """A query's index range (field 22): bin, key type, begin and end values."""

    def __init__(self, bin_name, key_type, begin, end):
        self.bin = bin_name
        self.key_type = key_type
        self.begin = begin
        self.end = end

    @classmethod
    def parse(cls, data):
        data = bytes(data)
        try:
            if data[0] != 1:
                raise ServerError(PARAMETER, "exactly one query range is supported")
            name_len = data[1]
            pos = 2 + name_len
            bin_name = data[2:pos].decode("utf-8", "surrogateescape")
            ptype = data[pos]
            pos += 1
            bounds = []
            for _ in range(2):
                size = struct.unpack_from(">I", data, pos)[0]
                bounds.append(data[pos + 4:pos + 4 + size])
                pos += 4 + size
        except (IndexError, struct.error):
            raise ServerError(PARAMETER, "bad query range")
        key_type = RANGE_KEY_TYPES.get(ptype)
        if key_type is None:
            raise ServerError(PARAMETER, "bad query range type")
        if key_type == "numeric":
            begin, end = (struct.unpack(">q", b)[0] for b in bounds)
        elif key_type == "blob":
            begin, end = bounds
        else:
            begin, end = (b.decode("utf-8", "surrogateescape") for b in bounds)
        return cls(bin_name, key_type, begin, end)

    def matches(self, value):
        kind = self.key_type
        if kind == "numeric":
            return type(value) is int and self.begin <= value <= self.end
        if kind == "string":
            return type(value) is str and value == self.begin
        if kind == "blob":
            return type(value) is bytes and value == self.begin
        if isinstance(value, values.GeoJSON):
            parse = commands.engine("expr", "_geo_parse")
            region, point = parse(self.begin), parse(value)
            return region is not None and point is not None and \
                commands.engine("expr", "_geo_match")(point, region)
        return False


def find_index(server, ns, set_name, rng, index_type, context, name, expression):
    """The index a query uses; INDEX_NOT_FOUND when none fits."""
    indexes = server.sindexes
    if name:
        ix = indexes.get((ns, name))
        if ix is None:
            raise ServerError(INDEX_NOT_FOUND)
        return ix
    for ix in indexes.values():
        if (ix.namespace == ns and ix.set_name == (set_name or None)
                and ix.key_type == rng.key_type and ix.index_type == index_type
                and ix.context == context and ix.expression == expression
                and (expression is not None or ix.bin == rng.bin)):
            return ix
    raise ServerError(INDEX_NOT_FOUND)


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
    if not ns or not name:
        return _error(PARAMETER, "missing namespace or indexname")
    if server.store.namespace(ns) is None:
        return _error(PARAMETER, "namespace not found")
    bin_name, key_type = p.get("bin"), p.get("type")
    if "indexdata" in p:
        bin_name, _, key_type = p["indexdata"].partition(",")
    key_type = (key_type or "").lower()
    if key_type == "integer":
        key_type = "numeric"
    index_type = (p.get("indextype") or "default").lower()
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
    with server.store.lock:
        if (ns, name) in server.sindexes:
            return _error(INDEX_FOUND, "index already exists")
        for other in server.sindexes.values():
            if (other.namespace, other.set_name, other.bin, other.key_type, other.index_type,
                    other.context, other.expression) == (ns, ix.set_name, ix.bin, key_type,
                                                         index_type, context, expression):
                return _error(INDEX_FOUND, "index already exists")
        server.sindexes[(ns, name)] = ix
    return "ok"


def delete(server, arg):
    p = _params(arg)
    key = (p.get("namespace") or p.get("ns"), p.get("indexname"))
    with server.store.lock:
        if server.sindexes.pop(key, None) is None:
            return _error(INDEX_NOT_FOUND, "no index")
    return "ok"


def listing(server, arg):
    ns = _params(arg).get("ns") or _params(arg).get("namespace")
    return "".join(ix.describe() + ";" for ix in list(server.sindexes.values())
                   if not ns or ix.namespace == ns)


def exists(server, arg):
    p = _params(arg)
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
