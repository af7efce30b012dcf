"""Key tuples and meta dicts: validated and split into what the shim takes.

Shared by every command family (sync and, later, async): a bad key or meta raises here,
before anything reaches C.
"""

import warnings

from . import _marshal
from ._native import ffi, lib, raise_error, scratch
from .exception import ParamError

_NULL = ffi.NULL
_CLIENT_DEFAULT_TTL = 0xFFFFFFFD
META_KEYS = ("gen", "ttl")

_ns_cache = {}


def _name(value, what, limit):
    """Encoded namespace/set name, validated (cached: these repeat)."""
    try:
        return _ns_cache[value]
    except KeyError:
        pass
    data = _marshal.utf8(value)
    if len(data) >= limit:
        raise ParamError(-2, "key is invalid")  # the official's message for a long ns/set
    if len(_ns_cache) < 1024:
        _ns_cache[value] = data
    return data


def key_parts(key):
    """(ns, set, ktype, kdata, kint, ns str, set str, returned pk) of a key tuple."""
    if type(key) is tuple and len(key) == 3:
        # Fast path: (namespace, set, int or str key) with names already validated.
        ns, set_name, pk = key
        if type(ns) is str and type(set_name) is str:
            nsb, setb = _ns_cache.get(ns), _ns_cache.get(set_name)
            if nsb is not None and setb is not None and set_name:
                t = type(pk)
                if t is int and -(1 << 63) <= pk < (1 << 63):
                    return nsb, setb, 1, b"", 0, pk, ns, set_name, pk
                if t is str:
                    data = _marshal.utf8(pk)
                    return nsb, setb, 3, data, len(data), 0, ns, set_name, pk
    if type(key) is tuple:
        n = len(key)
        if n != 3 and n != 4:
            raise ParamError(-2, "key tuple must be (Namespace, Set, Key) or "
                                 "(Namespace, Set, None, Digest)")
        ns, set_name, pk = key[0], key[1], key[2]
        digest = key[3] if n == 4 else None
    elif isinstance(key, dict):
        ns, set_name = key.get("ns"), key.get("set")
        pk, digest = key.get("key"), key.get("digest")
        if ns is None:
            raise ParamError(-2, "namespace is required")
    else:
        raise ParamError(-2, "key is invalid")
    if type(ns) is not str:
        if not isinstance(ns, str):
            raise ParamError(-2, "namespace must be a string")
        ns = str(ns)  # the official takes a str subclass and returns the key with a str
    nsb = _name(ns, "namespace", 32)
    if set_name is None:
        setb = _NULL
    elif isinstance(set_name, str):
        set_name = str(set_name)
        setb = _name(set_name, "set", 64)
        set_name = set_name or None  # the official returns an empty set name as None
    else:
        raise ParamError(-2, "set must be a string")
    t = type(pk)
    if t is str:
        data = _marshal.utf8(pk)
        return nsb, setb, 3, data, len(data), 0, ns, set_name, pk
    if t is int or t is bool:
        if not -(1 << 63) <= pk < (1 << 63):
            raise ParamError(-2, "integer value for KEY exceeds sys.maxsize")
        return nsb, setb, 1, b"", 0, int(pk), ns, set_name, int(pk)
    if pk is not None:
        if t is bytearray:
            if not pk:
                raise ParamError(-2, "Byte array size cannot be 0")
            data = bytes(pk)
            return nsb, setb, 4, data, len(data), 0, ns, set_name, pk
        if isinstance(pk, bytes):
            # The official client sends bytes keys as string keys (up to a NUL).
            data = bytes(pk).split(b"\0", 1)[0]
            return nsb, setb, 3, data, len(data), 0, ns, set_name, data.decode("utf-8", "replace")
        if isinstance(pk, int):
            return key_parts((ns, set_name, int(pk)))
        if isinstance(pk, str):
            return key_parts((ns, set_name, str(pk)))
        raise ParamError(-2, "key is invalid")
    if digest is None:
        raise ParamError(-2, "either key or digest is required")
    if type(digest) is not bytearray:
        raise ParamError(-2, "digest is invalid. expected a bytearray")
    if len(digest) != 20:
        raise ParamError(-2, "digest size is invalid. should be 20 bytes, but received %d"
                         % len(digest))
    data = bytes(digest)
    return nsb, setb, 0, data, 20, 0, ns, set_name, None


def parse_meta(meta, validate_keys=False):
    """(ttl, gen) of a command's meta dict (None: the defaults)."""
    if not isinstance(meta, dict):
        if meta is not None:
            raise ParamError(-2, "Metadata should be of type dictionary")
        return _CLIENT_DEFAULT_TTL, 0
    if validate_keys:
        for k in meta:
            if k not in META_KEYS:
                raise ParamError(-2, '"%s" is an invalid record metadata dictionary key' % (k,))
    ttl, gen = _CLIENT_DEFAULT_TTL, 0
    if "ttl" in meta:
        warnings.warn('meta["ttl"] is deprecated and will be removed in the next client major '
                      'release.', DeprecationWarning, stacklevel=3)
        ttl = meta["ttl"]
        if not isinstance(ttl, int):
            raise ParamError(-2, "Ttl should be an int or long")
        if not -(1 << 63) <= ttl < (1 << 63):
            raise ParamError(-2, "integer value for ttl exceeds sys.maxsize")
        ttl &= 0xFFFFFFFF
    if "gen" in meta:
        gen = meta["gen"]
        if not isinstance(gen, int):
            raise ParamError(-2, "Generation should be an int or long")
        if not -(1 << 63) <= gen < (1 << 63):
            raise ParamError(-2, "integer value for gen exceeds sys.maxsize")
        gen &= 0xFFFF
    return ttl, gen


def key_digest(ns, set_name, key):
    """The 20-byte digest (a bytearray) of the key ``(ns, set_name, key)``, as the server
    computes it; key_parts' errors (calc_digest and get_key_partition_id check the
    arguments' types first, each with the official's words)."""
    p = key_parts((ns, set_name, key))
    err, _ = scratch()
    digest = ffi.new("uint8_t[20]")
    if lib.shim_digest(err, p[0], p[1], p[2], p[3], p[4], p[5], digest):
        raise_error(err)
    return bytearray(ffi.buffer(digest, 20))


def partition_of(digest):
    """The partition (0..4095) of a 20-byte digest."""
    return (digest[0] | digest[1] << 8) & 4095
