"""Policy dicts -> C policy structs, validated once and cached.

A command passes ``policy=None`` most of the time: it then gets the client's default struct
(built once from the config's ``policies``).  A dict is validated like the official client
does (unknown keys are a ``ParamError`` when ``validate_keys`` is set; a non-int value is
``ParamError("<field> is invalid")``), applied on top of the defaults, and cached by its
items when they are hashable.
"""

from ._expr import compile_expression, expression_image
from ._native import ffi
from ._txn import Transaction
from .exception import ClientError, ParamError

# Value kinds: how a dict value is checked and stored.
_U32, _U16, _U64, _INT, _BOOL, _ENUM, _U8 = "u32", "u16", "u64", "int", "bool", "enum", "u8"

_BASE = {
    "total_timeout": ("base.total_timeout", _U32),
    "socket_timeout": ("base.socket_timeout", _U32),
    "timeout_delay": ("base.timeout_delay", _U32),
    "max_retries": ("base.max_retries", _U32),
    "sleep_between_retries": ("base.sleep_between_retries", _U32),
    "compress": ("base.compress", _BOOL),
    "connect_timeout": ("base.connect_timeout", _U32),
    "error_detail_verbosity": ("base.error_detail_verbosity", _U8),
    "expressions": ("base.filter_exp", "exp"),
    "txn": ("base.txn", "txn"),
}


def _fields(base, **fields):
    table = dict(base) if base else {}
    table.update(fields)
    return table


_F = {
    "read": _fields(
        _BASE, key=("key", _ENUM), replica=("replica", _ENUM), deserialize=(None, _BOOL),
        read_touch_ttl_percent=("read_touch_ttl_percent", _INT),
        read_mode_ap=("read_mode_ap", _ENUM), read_mode_sc=("read_mode_sc", _ENUM)),
    "write": _fields(
        _BASE, key=("key", _ENUM), gen=("gen", _ENUM), exists=("exists", _ENUM),
        commit_level=("commit_level", _ENUM), durable_delete=("durable_delete", _BOOL),
        replica=("replica", _ENUM), compression_threshold=("compression_threshold", _U32),
        on_locking_only=("on_locking_only", _BOOL), ttl=("ttl", _U32)),
    "operate": _fields(
        _BASE, key=("key", _ENUM), gen=("gen", _ENUM), commit_level=("commit_level", _ENUM),
        replica=("replica", _ENUM), durable_delete=("durable_delete", _BOOL),
        deserialize=(None, _BOOL), exists=("exists", _ENUM),
        read_touch_ttl_percent=("read_touch_ttl_percent", _INT),
        on_locking_only=("on_locking_only", _BOOL), read_mode_ap=("read_mode_ap", _ENUM),
        read_mode_sc=("read_mode_sc", _ENUM), ttl=("ttl", _U32)),
    "remove": _fields(
        _BASE, generation=("generation", _U16), key=("key", _ENUM), gen=("gen", _ENUM),
        commit_level=("commit_level", _ENUM), replica=("replica", _ENUM),
        durable_delete=("durable_delete", _BOOL)),
    "apply": _fields(
        _BASE, key=("key", _ENUM), replica=("replica", _ENUM),
        commit_level=("commit_level", _ENUM), durable_delete=("durable_delete", _BOOL),
        ttl=("ttl", _U32), on_locking_only=("on_locking_only", _BOOL)),
    "batch": _fields(
        _BASE, concurrent=("concurrent", _BOOL), allow_inline=("allow_inline", _BOOL),
        deserialize=(None, _BOOL), replica=("replica", _ENUM),
        read_touch_ttl_percent=("read_touch_ttl_percent", _INT),
        read_mode_ap=("read_mode_ap", _ENUM), read_mode_sc=("read_mode_sc", _ENUM),
        allow_inline_ssd=("allow_inline_ssd", _BOOL),
        respond_all_keys=("respond_all_keys", _BOOL)),
    "batch_write": _fields(
        None, key=("key", _ENUM), gen=("gen", _ENUM), commit_level=("commit_level", _ENUM),
        durable_delete=("durable_delete", _BOOL), exists=("exists", _ENUM),
        on_locking_only=("on_locking_only", _BOOL), expressions=("filter_exp", "exp"),
        ttl=("ttl", _U32)),
    "batch_read": _fields(
        None, read_touch_ttl_percent=("read_touch_ttl_percent", _INT),
        read_mode_ap=("read_mode_ap", _ENUM), read_mode_sc=("read_mode_sc", _ENUM),
        expressions=("filter_exp", "exp")),
    "batch_apply": _fields(
        None, key=("key", _ENUM), commit_level=("commit_level", _ENUM), ttl=("ttl", _U32),
        durable_delete=("durable_delete", _BOOL), on_locking_only=("on_locking_only", _BOOL),
        expressions=("filter_exp", "exp")),
    "batch_remove": _fields(
        None, key=("key", _ENUM), commit_level=("commit_level", _ENUM), gen=("gen", _ENUM),
        durable_delete=("durable_delete", _BOOL), generation=("generation", _U16),
        expressions=("filter_exp", "exp")),
    "scan": _fields(
        _BASE, durable_delete=("durable_delete", _BOOL),
        records_per_second=("records_per_second", _U32), max_records=("max_records", _U64),
        replica=("replica", _ENUM), ttl=("ttl", _U32), partition_filter=(None, None)),
    "query": _fields(
        _BASE, deserialize=(None, _BOOL), replica=("replica", _ENUM),
        short_query=("short_query", _BOOL), expected_duration=("expected_duration", _ENUM),
        partition_filter=(None, None)),
    "info": {"timeout": ("timeout", _U32), "send_as_is": ("send_as_is", _BOOL),
             "check_bounds": ("check_bounds", _BOOL)},
    "admin": {"timeout": ("timeout", _U32)},
}
# The defaults of a batch with writes: an as_policy_batch of its own, with the batch keys.
_F["batch_parent_write"] = _F["batch"]

C_TYPES = {
    "read": "as_policy_read", "write": "as_policy_write", "operate": "as_policy_operate",
    "remove": "as_policy_remove", "apply": "as_policy_apply", "batch": "as_policy_batch",
    "batch_parent_write": "as_policy_batch",
    "batch_write": "as_policy_batch_write", "batch_read": "as_policy_batch_read",
    "batch_apply": "as_policy_batch_apply", "batch_remove": "as_policy_batch_remove",
    "scan": "as_policy_scan", "query": "as_policy_query", "info": "as_policy_info",
    "admin": "as_policy_admin",
}
_PTR_TYPES = {kind: ffi.typeof(c + "*") for kind, c in C_TYPES.items()}


# C enums of the policies have no negative members: cffi stores them as uint32.
_LIMITS = {_U32: 0xFFFFFFFF, _U16: 0xFFFF, _U64: 0xFFFFFFFFFFFFFFFF, _U8: 0xFF,
           _ENUM: 0xFFFFFFFF}


def _convert(name, kind, value):
    if not isinstance(value, int):
        raise ParamError(-2, "%s is invalid" % name)
    if not -(1 << 63) <= value < (1 << 63):
        raise ClientError(-1, "Unable to fetch long value from policy field")
    if kind == _BOOL:
        return bool(value)
    mask = _LIMITS.get(kind)
    if mask is not None:
        return value & mask  # the official casts to the C field type (-1 -> max)
    if not -(1 << 31) <= value < (1 << 31):
        raise ParamError(-2, "%s is invalid" % name)
    return value


def _set_path(struct_ptr, path, value):
    obj = struct_ptr
    parts = path.split(".")
    for part in parts[:-1]:
        obj = getattr(obj, part)
    setattr(obj, parts[-1], value)


def compile_exp(expressions, packer=None):
    """(as_exp*, its Python-owned memory) holding the compiled filter expression;
    ``packer``: the client's (its serializer packs values of types msgpack lacks)."""
    packed = compile_expression(expressions, packer)
    memory = ffi.new("uint8_t[]", ffi.sizeof("as_exp") + len(packed))
    exp = ffi.cast("as_exp*", memory)
    exp.packed_sz = len(packed)
    ffi.memmove(exp.packed, packed, len(packed))
    return exp, memory


def _config_range(kind, name, vkind, value):
    """The official's stricter reading of a client config's policies: unsigned fields and
    enums must fit their C type (a command's policy dict is cast instead)."""
    if value is None and name == "gen":
        return False  # ignored there
    if vkind in (_U32, _ENUM) or (vkind == _U16 and kind == "batch_remove"):
        high = 0xFFFF if vkind == _U16 else 0xFFFFFFFF
        if not isinstance(value, int) or not 0 <= value <= high:
            raise ParamError(-2, "Invalid Policy setting value")
    return True


def apply_dict(kind, target, policy, validate_keys=True, extra_keys=(), config=False,
               packer=None):
    """Set the fields of ``policy`` onto the C struct ``target``; returns objects to keep alive.
    ``config``: the dict comes from the client config (checked as the official does there)."""
    table = _F[kind]
    if validate_keys:
        for key in policy:
            if key not in table and key not in extra_keys:
                raise ParamError(-2, '"%s" is an invalid policy dictionary key' % (key,))
    keep = None
    for name, value in policy.items():
        spec = table.get(name)
        if spec is None:
            continue
        path, vkind = spec
        if config and not _config_range(kind, name, vkind, value):
            continue
        if vkind == "exp":
            if value is None:
                continue
            exp, memory = compile_exp(value, packer)
            keep = memory if keep is None else (keep, memory)
            _set_path(target, path, exp)
            continue
        if vkind == "txn":
            if type(value) is not Transaction:
                raise ParamError(-2, "txn is not of type aerospike.Transaction")
            _set_path(target, path, value._txn)
            # The policy struct holds its pointer: the Transaction lives as long as it.
            keep = value if keep is None else (keep, value)
            continue
        if vkind is None:
            continue
        value = _convert(name, vkind, value)
        if path is not None:
            _set_path(target, path, value)
    return keep


class PolicySet:
    """One client's policies: defaults per kind and a cache of dict-built structs."""

    packer = None  # the client's value packer, for the values in filter expressions

    def __init__(self, defaults, validate_keys):
        # defaults: kind -> cdata struct (in the client's as_config copy)
        self._defaults = defaults
        self._validate = validate_keys
        self._cache = {}

    def default(self, kind):
        return self._defaults[kind]

    def get(self, kind, policy):
        """(C policy pointer, keep-alive) for a command of ``kind``."""
        if policy is None:
            return self._defaults[kind], None
        if not isinstance(policy, dict):
            raise ParamError(-2, "policy must be a dict")
        # The key: the names, the values and the values' types. The types: 1, 1.0 and True
        # are equal as dict keys, and a float timeout must be refused even after an int one
        # was cached. Hashing the key is what checks that every value is hashable (an
        # expression list is not: _image_key). One layout per number of items n (1 + 3n
        # entries): one or two items written out, (kind, name, value, type, ...), more as
        # (kind, names..., values..., types...); the common one or two items without the
        # star unpacking, which costs ~3k instructions more on CPython 3.11.
        n = len(policy)
        try:
            if n == 1:
                (name, value), = policy.items()
                cache_key = (kind, name, value, type(value))
            elif n == 2:
                (name, value), (name2, value2) = policy.items()
                cache_key = (kind, name, value, type(value), name2, value2, type(value2))
            else:
                values = policy.values()
                cache_key = (kind, *policy, *values, *map(type, values))
            hit = self._cache.get(cache_key)
        except TypeError:
            cache_key = self._image_key(kind, policy)
            try:
                hit = None if cache_key is None else self._cache.get(cache_key)
            except TypeError:  # another unhashable value (a partition filter dict, ...)
                cache_key = hit = None
        except ValueError:  # changed by another thread meanwhile: built, not cached
            cache_key = hit = None
        if hit is not None:
            return hit
        ptr = ffi.new(_PTR_TYPES[kind])
        ptr[0] = self._defaults[kind][0]
        keep = apply_dict(kind, ptr, policy, self._validate, packer=self.packer)
        result = (ptr, keep)
        # Kept with the struct: an expression's memory (the struct points into it, and it
        # is read only). Not a Transaction: the cache would hold it alive (and its state).
        if cache_key is not None and (keep is None or "txn" not in policy):
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[cache_key] = result
        return result

    @staticmethod
    def _image_key(kind, policy):
        """The cache key of a policy dict holding an expression list (rebuilt every call:
        a list mutated between two calls gives another key), or None (not cached); it may
        still hold an unhashable value (the caller's lookup tells)."""
        key = [kind]
        for name, value in policy.items():
            vtype = type(value)
            if vtype is list:
                value = expression_image(value)
                if value is None:
                    return None
            key += (name, value, vtype)
        if len(key) > 7:  # get()'s layout for more than two items
            key = [kind, *key[1::3], *key[2::3], *key[3::3]]
        return tuple(key)


# ------------------------------------------------------------------ get_policies

# What client.get_policies() reports per kind: the base fields (flattened) where the kind
# has a base, then its own fields; booleans as bool, the rest as int.
_DESCRIBED_BASE = ("total_timeout", "connect_timeout", "socket_timeout", "timeout_delay",
                   "max_retries", "sleep_between_retries", "compress",
                   "error_detail_verbosity")
_BATCH_FIELDS = ("concurrent", "allow_inline", "deserialize", "read_mode_ap", "read_mode_sc",
                 "replica", "read_touch_ttl_percent")
_DESCRIBED = {
    "read": (True, ("key", "replica", "deserialize", "read_mode_ap", "read_mode_sc",
                    "read_touch_ttl_percent")),
    "write": (True, ("key", "replica", "commit_level", "gen", "exists", "ttl",
                     "compression_threshold", "durable_delete")),
    "apply": (True, ("key", "replica", "ttl", "commit_level", "durable_delete")),
    "remove": (True, ("key", "replica", "commit_level", "gen", "durable_delete")),
    "query": (True, ("deserialize", "replica", "expected_duration")),
    "scan": (True, ("durable_delete", "ttl", "replica")),
    "operate": (True, ("key", "replica", "commit_level", "ttl", "gen", "durable_delete",
                       "deserialize", "read_mode_ap", "read_mode_sc", "read_touch_ttl_percent")),
    "info": (False, ("timeout",)),
    "admin": (False, ("timeout",)),
    "batch_apply": (False, ("commit_level", "durable_delete", "key", "ttl")),
    "batch_remove": (False, ("commit_level", "durable_delete", "gen", "generation", "key")),
    "batch_write": (False, ("commit_level", "durable_delete", "exists", "ttl", "gen", "key")),
    "batch": (True, _BATCH_FIELDS),
    "batch_parent_write": (True, _BATCH_FIELDS),
    "txn_verify": (True, _BATCH_FIELDS),
    "txn_roll": (True, _BATCH_FIELDS),
}


def _plain(value):
    return value if isinstance(value, bool) else int(value)


def describe_policies(policies, deserialize):
    """{kind: {field: value}} of an as_policies struct (``deserialize``: kind -> bool, what
    the config asked for, since our structs always hold False there)."""
    result = {}
    for kind, (has_base, fields) in _DESCRIBED.items():
        struct = getattr(policies, kind)
        entry = {}
        if has_base:
            for name in _DESCRIBED_BASE:
                entry[name] = _plain(getattr(struct.base, name))
        for name in fields:
            if name == "deserialize":
                entry[name] = deserialize.get(kind, True)
            else:
                entry[name] = _plain(getattr(struct, name))
        result[kind] = entry
    return result
