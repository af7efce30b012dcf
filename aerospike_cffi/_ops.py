"""Operation dicts (aerospike_helpers.operations.*) -> the ops of an Aerospike wire message.

Every op dict becomes one wire op ``(op_type, bin_name, particle_type, payload)``, byte for
byte what the C client 7.6.1 under the official client 19.3.0 sends for it:

* ``op_type``: the wire operator (READ=1, WRITE=2, CDT_READ=3, CDT_MODIFY=4, INCR=5,
  EXP_READ=7, EXP_MODIFY=8, APPEND=9, PREPEND=10, TOUCH=11, BIT_READ=12, BIT_MODIFY=13,
  DELETE=14, HLL_READ=15, HLL_MODIFY=16);
* ``payload``: the op value; for collection ops the msgpack list ``[command, args...]`` or
  the context form ``[0xff, [ctx type, ctx value, ...], [command, args...]]``, values in
  Aerospike's msgpack dialect (``_marshal.Packer.pack``); ``particle_type`` 4 (blob) then.

The op plan
-----------
``encode_operations(ops) -> OpPlan`` validates the whole list and returns what the client
needs to build the command and shape the answer:

* ``wire``: the list of wire ops, in order;
* ``has_read`` / ``has_write``: the command reads / writes (info1 READ, info2 WRITE bits);
* ``respond_all_ops``: map, bit, HLL and expression ops need the server to answer every op
  (info2 RESPOND_ALL_OPS), as the C client sets it;
* ``touch_ttl``: the deprecated ``touch(ttl)`` value, or None (the C client puts it in the
  record ttl of the message);
* ``return_types``: per op, the CDT return type it asked for (None when it has none), so
  the client can tell e.g. ``MAP_RETURN_ORDERED_MAP`` answers apart.

Values are packed by a ``_marshal.Packer`` (``packer=`` argument of every entry point,
the client's own one for its bool/serializer settings; ``DEFAULT_PACKER`` otherwise).
``cdt_ctx_base64(ctx)`` is ``client.get_cdtctx_base64``.  Bad input raises the official's
``ParamError(-2, message)`` (``ClientError(-1)`` or ``BinNameError`` where it does).
"""

import base64
import struct
import warnings

from . import _expr  # (_expr imports this module, and uses it only inside its functions)
from ._marshal import DEFAULT_PACKER
from .exception import BinNameError, ClientError, ParamError

# Wire operators.
READ, WRITE, CDT_READ, CDT_MODIFY, INCR = 1, 2, 3, 4, 5
EXP_READ, EXP_MODIFY, APPEND, PREPEND, TOUCH = 7, 8, 9, 10, 11
BIT_READ, BIT_MODIFY, DELETE, HLL_READ, HLL_MODIFY = 12, 13, 14, 15, 16
_READ_OPS = frozenset((READ, CDT_READ, EXP_READ, BIT_READ, HLL_READ))
_CDT_OPS = frozenset((CDT_READ, CDT_MODIFY))
# Ops after which the C client asks the server to answer every op (map ops too: 1100-1199).
_RESPOND_ALL_OPS = frozenset((EXP_READ, EXP_MODIFY, BIT_READ, BIT_MODIFY, HLL_READ, HLL_MODIFY))

P_NULL, P_INTEGER, P_FLOAT, P_STRING, P_BLOB = 0, 1, 2, 3, 4

# Python-side operator codes of aerospike.OPERATOR_* (they differ from the wire ones).
PY_READ, PY_WRITE, PY_CDT_READ, PY_CDT_MODIFY, PY_INCR = 0, 1, 2, 3, 6
PY_APPEND, PY_PREPEND, PY_TOUCH, PY_DELETE = 9, 10, 11, 14

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
UINT64_MASK = (1 << 64) - 1
BIN_NAME_MAX = 15
RETURN_INVERTED = 0x10000
CTX_VALUE_FLAG = 0x02
CTX_EXP = 0x04
CTX_AND = 0x200
# Python cdt_ctx ids that differ from the wire types: the "create" contexts.
PY_CTX_LIST_INDEX_CREATE, PY_CTX_MAP_KEY_CREATE = 20, 36
CTX_LIST_INDEX, CTX_MAP_KEY = 0x10, 0x22
CTX_INT_TYPES = (0x10, 0x11, 0x20, 0x21)
CTX_VALUE_TYPES = (0x13, 0x22, 0x23, 0x2A)
CTX_MAP_KEYS_IN = 0x2A

FLAGS_OUT_OF_BOUNDS = "%s must be inclusively between %d and %d, but received %d instead."


def _param(msg):
    return ParamError(-2, msg)


# ---------------------------------------------------------------- msgpack pieces

def _uint(v):
    """msgpack unsigned int, smallest form (the C client's as_pack_uint64)."""
    if v < 0x80:
        return bytes((v,))
    if v < 0x100:
        return b"\xcc" + bytes((v,))
    if v < 0x10000:
        return b"\xcd" + struct.pack(">H", v)
    if v < 0x100000000:
        return b"\xce" + struct.pack(">I", v)
    return b"\xcf" + struct.pack(">Q", v)


def _int(v):
    """msgpack signed int, smallest form (as_pack_int64)."""
    if v >= 0:
        return _uint(v)
    if v >= -32:
        return bytes((v & 0xFF,))
    if v >= -0x80:
        return b"\xd0" + struct.pack(">b", v)
    if v >= -0x8000:
        return b"\xd1" + struct.pack(">h", v)
    if v >= -0x80000000:
        return b"\xd2" + struct.pack(">i", v)
    return b"\xd3" + struct.pack(">q", v)


def _u64(v):
    """A C uint64_t parameter fed from an int64 (negative counts wrap as in C)."""
    return _uint(v & UINT64_MASK)


def _int32(v):
    """A C ``int`` parameter fed from an int64 (the bit ops' offsets)."""
    v &= 0xFFFFFFFF
    return _int(v - (1 << 32) if v & 0x80000000 else v)


def _list_header(n):
    if n < 16:
        return bytes((0x90 | n,))
    if n < 0x10000:
        return b"\xdc" + struct.pack(">H", n)
    return b"\xdd" + struct.pack(">I", n)


def _cdt(command, args, ctx=None, create_flag=None):
    """``[command, args...]``, wrapped in the context form when there is a context;
    ``create_flag`` ORs the create flags into the last context item's type."""
    body = _list_header(len(args) + 1) + _uint(command) + b"".join(args)
    if ctx is None:
        return body
    return b"\x93\xcc\xff" + _pack_ctx(ctx, create_flag) + body


def _pack_ctx(items, create_flag=None):
    out = [_list_header(len(items) * 2)]
    last = len(items) - 1
    for i, (ctype, packed) in enumerate(items):
        if i == last and create_flag is not None:
            ctype |= create_flag
        out.append(_uint(ctype))
        out.append(packed)
    return b"".join(out)


# ---------------------------------------------------------------- field readers

def _get_int64(op, key, required=True, what=None):
    """An int64 entry; None when absent/None and not required."""
    v = op.get(key)
    if v is None:
        if required:
            raise _param("Operation missing required entry %s" % key)
        return None
    if not isinstance(v, int):
        raise _param("%s must be an integer" % (what or key))
    if not INT64_MIN <= v <= INT64_MAX:
        raise _param("%s too large" % key)
    return v


def _get_uint32(op, key):
    v = _get_int64(op, key)
    if not 0 <= v <= 0xFFFFFFFF:
        raise _param("%s is not a valid uint32" % key)
    return v


def _get_enum(op, key, low, high, default=None, required=False):
    """A bounded enum entry; out-of-bounds values warn (DeprecationWarning) as the official."""
    v = _get_int64(op, key, required=required)
    if v is None:
        return default
    if not -0x80000000 <= v <= 0x7FFFFFFF:
        raise _param("%s too large for C int." % key)
    if not low <= v <= high:
        warnings.warn(FLAGS_OUT_OF_BOUNDS % (key, low, high, v), DeprecationWarning, stacklevel=4)
    return v


def _get_c_int(op, key, required=True):
    v = _get_int64(op, key, required=required)
    if v is not None and not -0x80000000 <= v <= 0x7FFFFFFF:
        raise _param("%s too large for C int." % key)
    return v


def _get_bool(op, key):
    v = op.get(key, _MISSING)
    if v is _MISSING:
        raise _param("Failed to convert %s" % key)
    if type(v) is not bool:
        raise _param("key %s does not point to a boolean in the dict" % key)
    return v


def _get_value(pk, op, key, required=True):
    """A value entry, packed; None when absent (or None and optional)."""
    v = op.get(key, _MISSING)
    if v is _MISSING or (v is None and not required):
        if required:
            raise _param('Operation must contain a "%s" entry' % key)
        return None
    return pk.pack(v)


def _get_list(pk, op, key):
    v = op.get(key, _MISSING)
    if v is _MISSING:
        raise _param('Operation must contain a "%s" entry' % key)
    if not isinstance(v, list):
        raise _param("Value must be a list")
    return pk.pack(v)


def _get_bytes(pk, op, key):
    v = op.get(key, _MISSING)
    if v is _MISSING:
        raise _param("Failed to convert %s" % key)
    if not isinstance(v, (bytes, bytearray)):
        raise _param("%s must be bytes or byte array" % key)
    return pk.pack(bytes(v))


def _return_type(op, key="return_type", default=None):
    rt = _get_int64(op, key, required=default is None)
    if rt is None:
        rt = default
    rt = ((rt & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000  # a C int
    inverted = op.get("inverted")
    if inverted is not None and inverted:
        rt |= RETURN_INVERTED
    return rt


class _Missing:
    __slots__ = ()


_MISSING = _Missing()


def _bin_name(op, too_long):
    """The "bin" entry as the collection/bit/HLL paths read it; ``too_long`` is the message
    of the ClientError the C client ends with when the name is longer than 15 bytes."""
    name = op.get("bin")
    if name is None:
        raise _param('Operation must contain a "bin" entry')
    if isinstance(name, bytearray):
        name = name.decode("utf-8", "replace")
    if not isinstance(name, str):
        raise _param("String value required")
    if len(name.encode("utf-8")) > BIN_NAME_MAX:
        raise ClientError(-1, too_long)
    return name


def _bin_particle(pk, value):
    """(particle type, bytes) of a top-level bin value, as the packer writes bin items."""
    item = pk.bin_item(value)  # header: particle type (1 byte), size (4); then the wire bytes
    return item[0], item[5:]


# ---------------------------------------------------------------- contexts

def _ctx_items(pk, ctx):
    """The contexts of a "ctx" entry as ``[(wire type, packed value), ...]``, or None."""
    if ctx is None:
        return None
    if not isinstance(ctx, list):
        raise _param("Failed to convert ctx")
    return [_ctx_item(pk, c) for c in ctx]


def _ctx_item(pk, c):
    try:
        cid = c.id
    except AttributeError:
        raise _param("Failed to convert ctx, id") from None
    if not isinstance(cid, int) or not 0 <= cid <= UINT64_MASK:
        raise _param("Failed to convert ctx, id to uint64_t")
    value = getattr(c, "value", None)
    extra = getattr(c, "extra_args", None)
    if cid in CTX_INT_TYPES or cid == PY_CTX_LIST_INDEX_CREATE:
        if not isinstance(value, int) or not INT64_MIN <= value <= INT64_MAX:
            raise _param("Failed to convert ctx, value to long")
        if cid != PY_CTX_LIST_INDEX_CREATE:
            return cid, _int(value)
        order = _get_enum(extra or {}, "order_key", 0, 1, required=True)
        pad = _get_c_int(extra or {}, "pad_key")
        flag = 0xC0 if order == 1 else (0x80 if pad else 0x40)
        return CTX_LIST_INDEX | flag, _int(value)
    if cid in CTX_VALUE_TYPES or cid == PY_CTX_MAP_KEY_CREATE:
        try:
            packed = pk.pack(value)
        except Exception:
            raise _param("Failed to convert ctx, value to as_val") from None
        if cid == CTX_MAP_KEYS_IN and not isinstance(value, list):
            raise _param("map_keys_in must take in a list of keys")
        if cid != PY_CTX_MAP_KEY_CREATE:
            return cid, packed
        order = _get_enum(extra or {}, "order_key", 0, 3, required=True)
        return CTX_MAP_KEY | {1: 0x80, 3: 0xC0}.get(order, 0x40), packed
    if cid & ~CTX_AND == CTX_EXP:
        if extra is None:
            return cid, b"\xc3"  # all children: the expression "true"
        expr = extra.get("filter_expr") if isinstance(extra, dict) else None
        if expr is None:
            raise _param("Invalid cdt_ctx_exp")
        return cid, _expr.compile_expression(expr)
    raise _param("Failed to convert ctx")


def cdt_ctx_base64(ctx, packer=None):
    """``client.get_cdtctx_base64(ctx)``: the packed context list, base64."""
    if not isinstance(ctx, list):
        raise _param("parameter is not list type")
    if not ctx:
        raise _param("cdt ctx list entries are empty")
    return base64.b64encode(_pack_ctx(_ctx_items(packer or DEFAULT_PACKER, ctx))).decode("ascii")


# ---------------------------------------------------------------- list ops (and map "rel" ops)
#
# One table row per op code: (name, command, wire op, argument recipe).  Recipe tokens:
#   rt: return type (+inverted)   val / key: packed value   values: packed list "value_list"
#   items: packed list "val"      index / rank: int64       count: optional uint64 "count"
#   vcount: required uint64 "val" policy_*: list policy parts (only when "list_policy" given)

_LIST_OPS = {
    1001: ("LIST_APPEND", 1, CDT_MODIFY, ("val", "policy_order_flags")),
    1002: ("LIST_APPEND_ITEMS", 2, CDT_MODIFY, ("items", "policy_order_flags")),
    1003: ("LIST_INSERT", 3, CDT_MODIFY, ("index", "val", "policy_flags")),
    1004: ("LIST_INSERT_ITEMS", 4, CDT_MODIFY, ("index", "items", "policy_flags")),
    1005: ("LIST_POP", 5, CDT_MODIFY, ("index",)),
    1006: ("LIST_POP_RANGE", 6, CDT_MODIFY, ("index", "vcount")),
    1007: ("LIST_REMOVE", 7, CDT_MODIFY, ("index",)),
    1008: ("LIST_REMOVE_RANGE", 8, CDT_MODIFY, ("index", "vcount")),
    1009: ("LIST_CLEAR", 11, CDT_MODIFY, ()),
    1010: ("LIST_SET", 9, CDT_MODIFY, ("index", "val", "policy_flags")),
    1011: ("LIST_GET", 17, CDT_READ, ("index",)),
    1012: ("LIST_GET_RANGE", 18, CDT_READ, ("index", "vcount")),
    1013: ("LIST_TRIM", 10, CDT_MODIFY, ("index", "vcount")),
    1014: ("LIST_SIZE", 16, CDT_READ, ()),
    1015: ("LIST_INCREMENT", 12, CDT_MODIFY, ("index", "val", "policy_order_flags")),
    1016: ("LIST_GET_BY_INDEX", 19, CDT_READ, ("rt", "index")),
    1017: ("LIST_GET_BY_INDEX_RANGE", 24, CDT_READ, ("rt", "index", "count")),
    1018: ("LIST_GET_BY_RANK", 21, CDT_READ, ("rt", "rank")),
    1019: ("LIST_GET_BY_RANK_RANGE", 26, CDT_READ, ("rt", "rank", "count")),
    1020: ("LIST_GET_BY_VALUE", 22, CDT_READ, ("rt", "val")),
    1021: ("LIST_GET_BY_VALUE_LIST", 23, CDT_READ, ("rt", "values")),
    1022: ("LIST_GET_BY_VALUE_RANGE", 25, CDT_READ, ("rt", "interval")),
    1023: ("LIST_REMOVE_BY_INDEX", 32, CDT_MODIFY, ("rt", "index")),
    1024: ("LIST_REMOVE_BY_INDEX_RANGE", 37, CDT_MODIFY, ("rt", "index", "count")),
    1025: ("LIST_REMOVE_BY_RANK", 34, CDT_MODIFY, ("rt", "rank")),
    1026: ("LIST_REMOVE_BY_RANK_RANGE", 39, CDT_MODIFY, ("rt", "rank", "count")),
    1027: ("LIST_REMOVE_BY_VALUE", 35, CDT_MODIFY, ("rt", "val")),
    1028: ("LIST_REMOVE_BY_VALUE_LIST", 36, CDT_MODIFY, ("rt", "values")),
    1029: ("LIST_REMOVE_BY_VALUE_RANGE", 38, CDT_MODIFY, ("rt", "interval")),
    1030: ("LIST_SET_ORDER", 0, CDT_MODIFY, ("list_order",)),
    1031: ("LIST_SORT", 13, CDT_MODIFY, ("sort_flags",)),
    1032: ("LIST_REMOVE_BY_VALUE_RANK_RANGE_REL", 40, CDT_MODIFY, ("rt", "val", "rank", "count")),
    1033: ("LIST_GET_BY_VALUE_RANK_RANGE_REL", 27, CDT_READ, ("rt", "val", "rank", "count")),
    1041: ("LIST_CREATE", 0, CDT_MODIFY, ("create",)),
    1042: ("LIST_JOIN", 28, CDT_READ, ("separator",)),
    # Map ops whose official conversion shares the list path.
    1128: ("MAP_REMOVE_BY_VALUE_RANK_RANGE_REL", 89, CDT_MODIFY, ("rt", "val", "rank", "count")),
    1129: ("MAP_REMOVE_BY_KEY_INDEX_RANGE_REL", 88, CDT_MODIFY, ("rt", "mapkey", "index", "count")),
    1130: ("MAP_GET_BY_VALUE_RANK_RANGE_REL", 110, CDT_READ, ("rt", "val", "rank", "count")),
    1131: ("MAP_GET_BY_KEY_INDEX_RANGE_REL", 109, CDT_READ, ("rt", "mapkey", "index", "count")),
}
_MAP_REL_OPS = (1128, 1129, 1130, 1131)


def _list_policy(op):
    """(order, flags) of the "list_policy" entry, or None when there is none."""
    if "list_policy" not in op:
        return None
    policy = op["list_policy"]
    if policy is None:
        return 0, 0
    if not isinstance(policy, dict):
        raise _param("List policy must be a dictionary.")
    order = _get_enum(policy, "list_order", 0, 1, default=0)
    flags = _get_enum(policy, "write_flags", 0, 15, default=0)
    return order, flags


class _ListOpSpec:
    """A row of ``_LIST_OPS`` with what the encoder needs from its recipe worked out once."""

    __slots__ = ("command", "op_type", "recipe", "too_long", "is_map", "has_rt", "has_policy",
                 "has_count", "has_vcount", "has_index", "has_rank", "has_order")

    def __init__(self, code, name, command, op_type, recipe):
        self.command, self.op_type, self.recipe = command, op_type, recipe
        self.too_long = "Failed to add %s operation" % name
        self.is_map = code in _MAP_REL_OPS
        self.has_rt = "rt" in recipe
        self.has_policy = bool(recipe) and recipe[-1].startswith("policy")
        self.has_count = "count" in recipe
        self.has_vcount = "vcount" in recipe
        self.has_index = "index" in recipe
        self.has_rank = "rank" in recipe
        self.has_order = recipe[:1] in (("list_order",), ("create",))


_LIST_SPECS = {code: _ListOpSpec(code, *row) for code, row in _LIST_OPS.items()}


def _encode_list_path(op, spec, pk):
    # The entries are checked in the C client's order, so that the first error is the same.
    bin_name = _bin_name(op, spec.too_long)
    rt = _return_type(op) if spec.has_rt else None
    policy = _list_policy(op) if spec.has_policy else None
    count = _get_int64(op, "count", required=False) if spec.has_count else None
    vcount = _get_int64(op, "val") if spec.has_vcount else None
    index = _get_int64(op, "index") if spec.has_index else None
    rank = _get_int64(op, "rank") if spec.has_rank else None
    order = _get_enum(op, "list_order", 0, 1, required=True) if spec.has_order else None
    ctx = _ctx_items(pk, op.get("ctx"))
    args = []
    create_flag = None
    for token in spec.recipe:  # the most common tokens first
        if token == "rt":
            args.append(_int(rt) if spec.is_map else _uint(rt & UINT64_MASK))
        elif token == "index":
            args.append(_int(index))
        elif token == "val":
            args.append(_get_value(pk, op, "val"))
        elif token == "count":
            if count is not None:
                args.append(_u64(count))
        elif token == "policy_flags":
            if policy is not None:
                args.append(_uint(policy[1]))
        elif token == "policy_order_flags":
            if policy is not None:
                args += [_uint(policy[0]), _uint(policy[1])]
        elif token == "rank":
            args.append(_int(rank))
        elif token == "mapkey":
            args.append(_get_value(pk, op, "key"))
        elif token == "items":
            args.append(_get_list(pk, op, "val"))
        elif token == "values":
            args.append(_get_list(pk, op, "value_list"))
        elif token == "vcount":
            args.append(_u64(vcount))
        elif token == "interval":
            begin = _get_value(pk, op, "value_begin", required=False)
            end = _get_value(pk, op, "value_end", required=False)
            args.append(begin if begin is not None else b"\xc0")
            if end is not None:
                args.append(end)
        elif token == "list_order":
            args.append(_uint(order))
        elif token == "sort_flags":
            args.append(_uint(_get_enum(op, "sort_flags", 0, 2, required=True) & UINT64_MASK))
        elif token == "create":
            pad = _get_bool(op, "pad")
            persist = _get_bool(op, "persist_index")
            if ctx is None:
                args.append(_uint(order | (0x10 if persist else 0)))
            else:
                args.append(_uint(order))
                create_flag = 0xC0 if order == 1 else (0x80 if pad else 0x40)
        elif token == "separator":
            sep = op.get("separator")
            if sep is not None:
                if not isinstance(sep, str):
                    raise _param("String value required")
                args.append(pk.pack(sep))
    return spec.op_type, bin_name, P_BLOB, _cdt(spec.command, args, ctx, create_flag), rt


# ---------------------------------------------------------------- record ops and map ops (the
# official's generic path: it validates the dict's keys, then dispatches)

_GENERIC_KEYS = frozenset((
    "op", "bin", "index", "val", "key", "range", "map_policy", "return_type", "inverted",
    "ctx", "map_order", "persist_index", "mod_exp", "cdt_flags",
))
_NO_VALUE_OPS = frozenset((
    PY_READ, PY_TOUCH, 1005, 1007, 1009, 1011, 1014, 1118, 1101, 1106, 1107, 1108, 1114,
    1116, 1122, 1119, 1124, PY_DELETE, 1144, 1041, PY_CDT_READ, PY_CDT_MODIFY,
))
_KEY_OPS = frozenset((1102, 1104, 1105, 1108, 1110, 1118, 1119))
_RANGE_OPS = frozenset((1113, 1121, 1119))
_INDEX_OPS = frozenset((1114, 1116, 1117, 1122, 1123, 1124, 1125, 1115))

# Map op code -> (command, wire op, recipe).  Recipe tokens: rt (int64), key, val, range,
# index (int64), vcount ("val" as uint64 count), list (packed "val", meant as a list).
_MAP_OPS = {
    1106: (96, CDT_READ, ()),
    1107: (75, CDT_MODIFY, ()),
    1108: (76, CDT_MODIFY, ("rt", "key")),
    1109: (81, CDT_MODIFY, ("rt", "list")),
    1110: (84, CDT_MODIFY, ("rt", "key", "val")),
    1111: (82, CDT_MODIFY, ("rt", "val")),
    1112: (83, CDT_MODIFY, ("rt", "list")),
    1113: (86, CDT_MODIFY, ("rt", "val", "range")),
    1114: (77, CDT_MODIFY, ("rt", "index")),
    1115: (85, CDT_MODIFY, ("rt", "index", "vcount")),
    1116: (79, CDT_MODIFY, ("rt", "index")),
    1117: (87, CDT_MODIFY, ("rt", "index", "vcount")),
    1118: (97, CDT_READ, ("rt", "key")),
    1119: (103, CDT_READ, ("rt", "key", "range")),
    1120: (102, CDT_READ, ("rt", "val")),
    1121: (105, CDT_READ, ("rt", "val", "range")),
    1122: (98, CDT_READ, ("rt", "index")),
    1123: (104, CDT_READ, ("rt", "index", "vcount")),
    1124: (100, CDT_READ, ("rt", "index")),
    1125: (106, CDT_READ, ("rt", "index", "vcount")),
    1126: (108, CDT_READ, ("rt", "list")),
    1127: (107, CDT_READ, ("rt", "list")),
}
MAP_PUT, MAP_PUT_ITEMS, MAP_INCREMENT, MAP_DECREMENT = 1102, 1103, 1104, 1105
MAP_SET_POLICY, MAP_CREATE = 1101, 1144
_MAP_WRITE_COMMANDS = {MAP_PUT: 67, MAP_INCREMENT: 73, MAP_DECREMENT: 74}


def _map_policy(policy):
    """(attributes, write flags) of a map policy dict."""
    if policy is None:
        return 0, 0
    if not isinstance(policy, dict):
        raise _param("policy must be a dict")
    order = _get_enum(policy, "map_order", 0, 3, default=0)
    flags = policy.get("map_write_flags", 0)
    if not isinstance(flags, int):
        raise _param("map_write_flags is invalid")
    persist = policy.get("persist_index")
    if persist is not None and type(persist) is not bool:
        raise _param("persist_index is not a boolean")
    return order | (0x10 if persist else 0), flags & 0xFFFFFFFF


def _index_value(value):
    """The official's pyobject_to_index, for counts given in "val"."""
    if not isinstance(value, int):
        raise _param("Offset should be of int or long type")
    if not INT64_MIN <= value <= INT64_MAX:
        raise _param("integer value exceeds sys.maxsize")
    return value


_TYPED_VALUE_OPS = frozenset((PY_TOUCH, PY_INCR, PY_APPEND, PY_PREPEND))


def _check_value_type(code, value):
    is_null = type(value).__name__ == "null"
    if code == PY_TOUCH and not isinstance(value, int) and not is_null:
        raise _param("Unsupported operand type(s) for touch : only int or long allowed")
    if code == PY_INCR and not isinstance(value, (int, float)) and not is_null:
        raise _param("Unsupported operand type(s) for +: only 'int' allowed")
    if code in (PY_APPEND, PY_PREPEND) and not isinstance(value, (str, bytes, bytearray)) and not is_null:
        raise _param("Cannot concatenate 'str' and 'non-str' objects")


def _encode_generic(op, code, pk):
    if not _GENERIC_KEYS.issuperset(op):  # find the first bad key, as the official reports it
        for k in op:
            if not isinstance(k, str):
                raise ClientError(-1, "An operation key must be a string.")
            if k not in _GENERIC_KEYS:
                raise _param("Operation can contain only op, bin, index, key, val, return_type and map_policy keys")
    ctx = _ctx_items(pk, op.get("ctx"))
    bin_name = op.get("bin")
    if bin_name is not None:
        if isinstance(bin_name, bytearray):
            bin_name = bin_name.decode("utf-8", "replace")
        if not isinstance(bin_name, str):
            raise _param("Bin name should be of type string")
        if len(bin_name.encode("utf-8")) > BIN_NAME_MAX:
            raise BinNameError(21, "A bin name should not exceed 15 characters limit")
    elif code not in (PY_TOUCH, PY_DELETE):
        raise _param("Bin is not given")
    # Entries count when present, even when None (as PyDict_GetItemString sees them).
    value = op.get("val")
    if "val" in op:
        if code in _TYPED_VALUE_OPS:
            if pk.strict_types:
                _check_value_type(code, value)
            elif value is None and code != PY_TOUCH:
                raise ClientError(-1, "Unable to serialize unknown Python native type.")
    elif code not in _NO_VALUE_OPS:
        raise _param("Value should be given")
    if "key" not in op and code in _KEY_OPS:
        raise _param("Operation requires key parameter")
    if "map_policy" in op:
        attributes, write_flags = _map_policy(op["map_policy"])
    elif code == MAP_SET_POLICY:
        raise _param("Operation requires map_policy parameter")
    else:
        attributes, write_flags = 0, 0
    if "range" not in op and code in _RANGE_OPS:
        raise _param("Range should be given")
    rt = op.get("return_type")
    if "return_type" in op and not isinstance(rt, int):
        raise _param("Return type should be an integer")
    rt = _return_type(op, default=0) if "return_type" in op or op.get("inverted") else None
    index = op.get("index")
    if "index" in op:
        if code not in _INDEX_OPS:
            raise _param("Operation does not need an index value")
        if not isinstance(index, int):
            raise _param("Index should be an integer")
    elif code in _INDEX_OPS:
        raise _param("Operation needs an index value")
    bin_name = bin_name or ""

    if code == PY_READ:
        return READ, bin_name, P_NULL, b"", None
    if code == PY_WRITE:
        ptype, data = _bin_particle(pk, value)
        return WRITE, bin_name, ptype, data, None
    if code == PY_TOUCH:
        return TOUCH, "", P_NULL, b"", None
    if code == PY_DELETE:
        return DELETE, "", P_NULL, b"", None
    if code == PY_INCR:
        if isinstance(value, float):
            return INCR, bin_name, P_FLOAT, struct.pack(">d", value), None
        if isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                raise _param("integer value exceeds sys.maxsize")
            return INCR, bin_name, P_INTEGER, struct.pack(">q", value), None
        ptype, data = _bin_particle(pk, value)
        return INCR, bin_name, ptype, data, None
    if code in (PY_APPEND, PY_PREPEND):
        wire_op = APPEND if code == PY_APPEND else PREPEND
        if isinstance(value, str):
            warnings.warn("aerospike_helpers.operations.operations.%s is deprecated for strings "
                          "in server 8.2.0 or higher." % ("append" if code == PY_APPEND else "prepend"),
                          DeprecationWarning, stacklevel=3)
            return wire_op, bin_name, P_STRING, value.encode("utf-8"), None
        if isinstance(value, (bytes, bytearray)):
            return wire_op, bin_name, P_BLOB, bytes(value), None
        ptype, data = _bin_particle(pk, value)
        return wire_op, bin_name, ptype, data, None
    if code == MAP_SET_POLICY:
        if ctx is not None:
            attributes &= ~0x10
        return CDT_MODIFY, bin_name, P_BLOB, _cdt(64, [_uint(attributes)], ctx), None
    if code == MAP_CREATE:
        order = _get_enum(op, "map_order", 0, 3, required=True)
        if ctx is None:
            attributes = order | (0x10 if op.get("persist_index") else 0)
            return CDT_MODIFY, bin_name, P_BLOB, _cdt(64, [_uint(attributes)]), None
        flag = {1: 0x80, 3: 0xC0}.get(order, 0x40)
        return CDT_MODIFY, bin_name, P_BLOB, _cdt(64, [_uint(order)], ctx, flag), None
    if code in (MAP_PUT, MAP_INCREMENT, MAP_DECREMENT):
        args = [pk.pack(op["key"]), pk.pack(value), _uint(attributes)]
        if code == MAP_PUT and write_flags:
            args.append(_uint(write_flags))
        command = _MAP_WRITE_COMMANDS[code]
        return CDT_MODIFY, bin_name, P_BLOB, _cdt(command, args, ctx), None
    if code == MAP_PUT_ITEMS:
        # as the official: a value that is not a dict goes as it is (the server refuses it)
        args = [pk.pack(value), _uint(attributes)]
        if write_flags:
            args.append(_uint(write_flags))
        return CDT_MODIFY, bin_name, P_BLOB, _cdt(68, args, ctx), None
    if code in _MAP_OPS:
        command, wire_op, recipe = _MAP_OPS[code]
        rt = 0 if rt is None else rt
        args = []
        for token in recipe:
            if token == "rt":
                args.append(_int(rt))
            elif token == "key":
                args.append(pk.pack(op["key"]))
            elif token == "val":
                args.append(pk.pack(value))
            elif token == "range":
                if "range" in op:  # without it the interval is open-ended
                    args.append(pk.pack(op["range"]))
            elif token == "index":
                args.append(_int(_index_value(index)))
            elif token == "vcount":
                args.append(_u64(_index_value(value)))
            elif token == "list":
                # as the official: a value that is not a list goes as it is (the server
                # answers; list operations, unlike these, refuse it before sending)
                args.append(pk.pack(value))
        return wire_op, bin_name, P_BLOB, _cdt(command, args, ctx), (rt if "rt" in recipe else None)
    raise _param("Invalid operation given")


# ---------------------------------------------------------------- bitwise ops

_BIT_OPS = {
    2000: ("BIT_RESIZE", 0, ("byte_size", "policy", "resize_flags")),
    2001: ("BIT_INSERT", 1, ("byte_offset", "value_bytes", "policy")),
    2002: ("BIT_REMOVE", 2, ("byte_offset", "byte_size", "policy")),
    2003: ("BIT_SET", 3, ("bit_offset", "bit_size", "value_bytes", "policy")),
    2004: ("BIT_OR", 4, ("bit_offset", "bit_size", "value_bytes", "policy")),
    2005: ("BIT_XOR", 5, ("bit_offset", "bit_size", "value_bytes", "policy")),
    2006: ("BIT_AND", 6, ("bit_offset", "bit_size", "value_bytes", "policy")),
    2007: ("BIT_NOT", 7, ("bit_offset", "bit_size", "policy")),
    2008: ("BIT_LSHIFT", 8, ("bit_offset", "bit_size", "shift", "policy")),
    2009: ("BIT_RSHIFT", 9, ("bit_offset", "bit_size", "shift", "policy")),
    2010: ("BIT_ADD", 10, ("bit_offset", "bit_size", "value_u64", "policy", "math_flags")),
    2011: ("BIT_SUBTRACT", 11, ("bit_offset", "bit_size", "value_u64", "policy", "math_flags")),
    2012: ("BIT_GET_INT", 54, ("bit_offset", "bit_size", "signed")),
    2013: ("BIT_SET_INT", 12, ("bit_offset", "bit_size", "value_i64", "policy")),
    2014: ("BIT_GET", 50, ("bit_offset", "bit_size")),
    2015: ("BIT_COUNT", 51, ("bit_offset", "bit_size")),
    2016: ("BIT_LSCAN", 52, ("bit_offset", "bit_size", "value_bool")),
    2017: ("BIT_RSCAN", 53, ("bit_offset", "bit_size", "value_bool")),
    2018: ("BIT_B64_ENCODE", 55, ("b64",)),
}


def _bit_policy_flags(op):
    policy = op.get("policy")
    if policy is None:
        return 0
    if not isinstance(policy, dict):
        raise _param("policy must be a dict")
    return _get_enum(policy, "bit_write_flags", 0, 31, default=0)


def _encode_bit(op, code, pk):
    name, command, recipe = _BIT_OPS[code]
    bin_name = _bin_name(op, "Failed to add %s operation" % name)
    sign = None
    if code in (2010, 2011, 2012):
        sign = _get_bool(op, "sign")
    elif code in (2016, 2017):
        sign = _get_bool(op, "value")
    flags = _bit_policy_flags(op) if "policy" in recipe else 0
    args = []
    ctx = None
    for token in recipe:
        if token == "byte_size":
            args.append(_uint(_get_uint32(op, "byte_size")))
        elif token == "policy":
            args.append(_int(flags))
        elif token == "resize_flags":
            args.append(_uint(_get_enum(op, "resize_flags", 0, 7, default=0) & UINT64_MASK))
        elif token == "byte_offset":
            args.append(_int32(_get_int64(op, "byte_offset")))
        elif token == "bit_offset":
            offset = _get_int64(op, "bit_offset")
            args.append(_int32(offset))
            args.append(_uint(_get_uint32(op, "bit_size")))
        elif token == "value_bytes":
            args.append(_get_bytes(pk, op, "value"))
        elif token == "shift":
            args.append(_uint(_get_uint32(op, "value")))
        elif token == "value_u64":
            v = op.get("value")
            if v is None:
                raise _param("Operation missing required entry value")
            if not isinstance(v, int):
                raise _param("value must be an integer")
            if not 0 <= v <= UINT64_MASK:
                raise _param("value too large")
            args.append(_uint(v))
        elif token == "math_flags":
            action = _get_int64(op, "action")
            args.append(_u64(action | (1 if sign else 0)))
        elif token == "value_i64":
            args.append(_int(_get_int64(op, "value")))
        elif token == "signed":
            if sign:
                args.append(_uint(1))
        elif token == "value_bool":
            args.append(b"\xc3" if sign else b"\xc2")
        elif token == "b64":
            ctx = _ctx_items(pk, op.get("ctx"))
            byte_offset = _get_c_int(op, "byte_offset")
            byte_size = _get_c_int(op, "byte_size", required=False)
            invert = _get_bool(op, "invert_size")
            args.append(_int(byte_offset))
            if byte_size is not None:
                args.append(_int(byte_size))
                if invert:
                    args.append(_uint(1))
    wire_op = BIT_READ if command >= 50 else BIT_MODIFY
    return wire_op, bin_name, P_BLOB, _cdt(command, args, ctx), None


# ---------------------------------------------------------------- HLL ops

# Op code -> (name used in errors, command, recipe); recipe tokens: values, ibc, mhbc, flags.
_HLL_OPS = {
    2100: ("hll_add", 1, ("values", "ibc", "mhbc", "flags")),
    2101: ("hll_describe", 55, ()),
    2102: ("hll_fold", 4, ("ibc",)),
    2103: ("hll_get_count", 50, ()),
    2104: ("hll_get_intersect_count", 53, ("values",)),
    2105: ("hll_get_similarity", 54, ("values",)),
    2106: ("hll_get_union", 51, ("values",)),
    2107: ("hll_get_union_count", 52, ("values",)),
    2108: ("hll_init", 0, ("ibc", "mhbc", "flags")),
    2109: ("hll_refresh_count", 3, ()),
    2110: ("hll_set_union", 2, ("values", "flags")),
}


def _hll_flags(op):
    policy = op.get("hll_policy")
    if policy is None:
        return 0
    if not isinstance(policy, dict):
        raise _param("policy must be a dict")
    return _get_enum(policy, "flags", 0, 15, default=0)


def _encode_hll(op, code, pk):
    name, command, recipe = _HLL_OPS[code]
    bin_name = _bin_name(op, "Failed to add %s operation." % name)
    ibc = _get_c_int(op, "index_bit_count") if "ibc" in recipe else None
    mhbc = _get_c_int(op, "mh_bit_count") if "mhbc" in recipe else None
    flags = _hll_flags(op) if "flags" in recipe else None
    args = []
    for token in recipe:
        if token == "values":
            args.append(_get_list(pk, op, "value_list"))
        elif token == "ibc":
            args.append(_int(ibc))
        elif token == "mhbc":
            args.append(_int(mhbc))
        elif token == "flags":
            args.append(_int(flags))
    wire_op = HLL_READ if command >= 50 else HLL_MODIFY
    return wire_op, bin_name, P_BLOB, _cdt(command, args), None


# ---------------------------------------------------------------- expression ops

def _encode_expr_op(op, code, pk):
    bin_name = _bin_name(op, "Failed to pack %s expression op." % ("read" if code == 2200 else "write"))
    flags = _get_int64(op, "expr_flags")
    packed = _expr.compile_expression(op.get("expr"))
    wire_op = EXP_READ if code == 2200 else EXP_MODIFY
    return wire_op, bin_name, P_BLOB, b"\x92" + packed + _u64(flags), None


# ---------------------------------------------------------------- entry points

def _encode(op, pk):
    """(op_type, bin_name, particle_type, payload, return_type) of one op dict."""
    if not isinstance(op, dict):
        raise _param("Operation must be a dict")
    code = op.get("op", _MISSING)
    if code is _MISSING:
        raise _param('Operation must contain an "op" entry')
    if not isinstance(code, int):
        raise _param("Operation must be an integer")
    if not -(1 << 63) <= code < (1 << 63):
        raise _param("Operation code too large")
    list_spec = _LIST_SPECS.get(code)
    if list_spec is not None:
        return _encode_list_path(op, list_spec, pk)
    if 2000 <= code <= 2018:
        if code not in _BIT_OPS:
            raise _param("Unknown operation")
        return _encode_bit(op, code, pk)
    if 2100 <= code <= 2110:
        if code not in _HLL_OPS:
            raise _param("Unknown operation")
        return _encode_hll(op, code, pk)
    if code in (2200, 2201):
        return _encode_expr_op(op, code, pk)
    if code in (_PATH_SELECT, _PATH_MODIFY):
        return _encode_path(op, code, pk)
    return _encode_generic(op, code, pk)


# Path operations (operations.select_by_path / modify_by_path): the official's op codes,
# sent as the C client's as_operations_select_by_path / _modify_by_path pack them.
_PATH_SELECT, _PATH_MODIFY = 2, 3
_CONTEXT_SELECT = 0xFE
_PATH_APPLY_FLAG = 4


def _encode_path(op, code, pk):
    bin_name = op.get("bin")
    if isinstance(bin_name, bytearray):
        bin_name = bin_name.decode("utf-8", "replace")
    if not isinstance(bin_name, str):
        raise _param("Bin name should be of type string")
    if len(bin_name.encode("utf-8")) > BIN_NAME_MAX:
        raise BinNameError(21, "A bin name should not exceed 15 characters limit")
    ctx = _ctx_items(pk, op.get("ctx"))
    if not ctx:
        raise _param("Context is empty")
    flags = op.get("cdt_flags", 0)
    if not isinstance(flags, int) or not 0 <= flags <= UINT64_MASK:
        raise _param("cdt_flags must be an integer")
    if code == _PATH_SELECT:
        body = (b"\x93" + _uint(_CONTEXT_SELECT) + _pack_ctx(ctx) +
                _uint(flags & ~_PATH_APPLY_FLAG))
        return CDT_READ, bin_name, P_BLOB, body, None
    if "mod_exp" not in op:
        raise _param("Operation missing required entry mod_exp")
    body = (b"\x94" + _uint(_CONTEXT_SELECT) + _pack_ctx(ctx) +
            _uint(flags | _PATH_APPLY_FLAG) + _expr.compile_expression(op["mod_exp"], pk))
    return CDT_MODIFY, bin_name, P_BLOB, body, None


def encode_operation(op, packer=None):
    """``(op_type, bin_name, particle_type, payload)`` of one operation dict."""
    return _encode(op, packer or DEFAULT_PACKER)[:4]


class OpPlan:
    """The wire ops of an operate call and what the client needs around them (see module doc)."""

    __slots__ = ("wire", "has_read", "has_write", "respond_all_ops", "touch_ttl", "return_types")

    def __init__(self):
        self.wire = []
        self.has_read = self.has_write = self.respond_all_ops = False
        self.touch_ttl = None
        self.return_types = []


# The keys each kind of operation policy may hold (the official's sets), by the op dict
# entry that carries it; checked only when the client config sets validate_keys.
_OP_POLICY_KEYS = (
    ("list_policy", ("list_order", "write_flags"), None),
    ("map_policy", ("map_order", "map_write_flags", "persist_index"), None),
    ("policy", ("bit_write_flags",), range(2000, 2100)),
    ("hll_policy", ("flags",), range(2100, 2200)),
)


def _check_op_policy_keys(op):
    for entry, allowed, codes in _OP_POLICY_KEYS:
        policy = op.get(entry)
        if isinstance(policy, dict) and (codes is None or op.get("op") in codes):
            for key in policy:
                if key not in allowed:
                    raise _param('"%s" is an invalid policy dictionary key' % (key,))


def encode_operations(ops, packer=None):
    """Validate and encode a list of op dicts into an :class:`OpPlan`."""
    if not isinstance(ops, list):
        raise _param("Operations should be of type list")
    if not ops:
        raise _param("No operations defined")
    for op in ops:  # every op is checked before any is encoded
        if not isinstance(op, dict):
            raise _param("No operations defined")
    pk = packer or DEFAULT_PACKER
    if pk.validate_keys:
        for op in ops:
            _check_op_policy_keys(op)
    plan = OpPlan()
    wire, return_types = plan.wire, plan.return_types
    for op in ops:
        op_type, bin_name, ptype, payload, rt = _encode(op, pk)
        wire.append((op_type, bin_name, ptype, payload))
        return_types.append(rt)
        if op_type in _READ_OPS:
            plan.has_read = True
        else:
            plan.has_write = True
        # op["op"] is a valid int here: _encode checked it.
        if op_type in _RESPOND_ALL_OPS or (op_type in _CDT_OPS and 1100 <= op["op"] < 1200):
            plan.respond_all_ops = True
        if op_type == TOUCH and op.get("val") is not None:
            plan.touch_ttl = op["val"]
    return plan
