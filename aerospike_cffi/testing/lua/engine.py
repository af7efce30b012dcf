"""Lua states of the dev server (lupa, Lua 5.4) and the calls into them.

One ``LuaState`` per registered module, made on first use and kept until the
module changes (the server caches states too, so globals a UDF sets persist
between calls).  A state holds the Aerospike Lua environment (values.lua,
modules.lua, record.lua, stream.lua, sandbox.lua, entry.lua, in that order)
and the module's chunk.  The dev server's store lock serialises every call.

Values cross in both directions as Aerospike msgpack (one string each way),
so no Python object is reachable from Lua: every attribute access on a host
object is refused.
"""

import os
import threading
import time

from . import require_lupa

HERE = os.path.dirname(os.path.abspath(__file__))
CHUNKS = ("values.lua", "modules.lua", "record.lua", "stream.lua", "sandbox.lua", "entry.lua")
# The directory the real server keeps its modules in; error messages carry it.
UDF_PATH = "/opt/aerospike/usr/udf/lua"
# Lua instructions a single UDF call may run before it is stopped.
INSTRUCTION_BUDGET = 200 * 1000 * 1000
MAX_MEMORY = 512 * 1024 * 1024

_sources = {}
_sources_lock = threading.Lock()


def _chunk(name):
    with _sources_lock:
        src = _sources.get(name)
        if src is None:
            with open(os.path.join(HERE, name), "rb") as f:
                src = _sources[name] = f.read()
        return src


class _Host:
    """The object behind each Aerospike value's userdata in Lua."""

    __slots__ = ()


def _deny(obj, name, is_setting):
    raise AttributeError("no access")


class CompileError(Exception):
    """A module that does not load: ``line`` and ``message`` as the server
    reports them."""

    def __init__(self, line, message):
        super().__init__(line, message)
        self.line = line
        self.message = message


def _runtime():
    lupa = require_lupa()
    kwargs = dict(encoding=None, register_eval=False, register_builtins=False,
                  unpack_returned_tuples=True, attribute_filter=_deny)
    try:
        return lupa.LuaRuntime(max_memory=MAX_MEMORY, **kwargs)
    except TypeError:  # a lupa without memory limits
        return lupa.LuaRuntime(**kwargs)


class LuaState:
    """A Lua state with the Aerospike environment and one module loaded.

    ``sources`` maps a module name (without .lua) to its source, for
    ``require``.  Raises CompileError when the module does not load."""

    def __init__(self, filename, source, sources=None):
        self.filename = filename
        self.rt = rt = _runtime()
        sources = sources or {}

        def module_source(name):
            return sources.get(bytes(name).decode("utf-8", "replace"))

        load = rt.globals().load
        private = None
        for name in CHUNKS:
            fn = load(_chunk(name), b"=" + name.encode())
            if name == "values.lua":
                private = fn(_Host)
                private.now_ms = lambda: int(time.time() * 1000)
                private.udf_path = UDF_PATH.encode()
            elif name == "modules.lua":
                mods = fn(private)
                g = rt.globals()
                for key in (b"list", b"map", b"bytes", b"geojson"):
                    g[key] = mods[key]
                # The globals List / Map / Bytes are what getmetatable() gives.
                for key in (b"List", b"Map", b"Bytes"):
                    g[key] = rt.eval("getmetatable")(rt.eval(key.decode().lower())())
            elif name == "record.lua":
                mods = fn(private)
                g = rt.globals()
                g[b"record"] = mods[b"record"]
                g[b"aerospike"] = mods[b"aerospike"]
            elif name == "sandbox.lua":
                fn(private, module_source)
            else:
                fn(private)
        self.private = private
        private.user_source = source  # for error positions (values.lua tail_call_site)
        chunkname = ("@%s/%s" % (UDF_PATH, filename)).encode("utf-8", "surrogateescape")
        loader = rt.eval("function(src, name) local f, e = load(src, name, 't') "
                         "if not f then return false, e end "
                         "local ok, e2 = pcall(f) return ok, e2 end")
        ok, err = loader(source, chunkname)
        if not ok:
            raise CompileError(*_split_error(err, filename))

    def apply_record(self, function, args, exists, packed_bins, meta):
        """(ok, packed result or error text / None, action, packed bins, ttl,
        drop_key, removed) of one record UDF call."""
        try:
            out = self.private.apply_record(function, args, exists, packed_bins,
                                            self.rt.table_from(meta), INSTRUCTION_BUDGET)
        except require_lupa().LuaError as e:
            # The runaway guard can fire again just after the UDF's own pcall.
            self.private.stop_clock()
            return (False, str(e).encode()) + (None,) * 5
        if not isinstance(out, tuple):
            out = (out,)
        return out + (None,) * (7 - len(out))

    def apply_stream(self, function, args, records):
        """(ok, [packed values] or error text / None) of the server's part of a
        stream UDF over ``records`` (an iterator of (exists, packed bins, meta))."""
        it = iter(records)
        rt = self.rt

        def next_record():
            for exists, packed, meta in it:
                return exists, packed, rt.table_from(meta)
            return None

        try:
            out = self.private.apply_stream(function, args, next_record, INSTRUCTION_BUDGET)
        except require_lupa().LuaError as e:
            self.private.stop_clock()
            return False, str(e).encode()
        if not isinstance(out, tuple):
            out = (out,)
        ok, payload = (out + (None, None))[:2]
        if ok:
            payload = [payload[i] for i in range(1, payload[b"n"] + 1)]
        return ok, payload


def _split_error(err, filename):
    """(line, message) of a load error "name:line: message"."""
    text = err if isinstance(err, str) else bytes(err or b"").decode("utf-8", "replace") \
        if isinstance(err, (bytes, bytearray)) else str(err)
    head = "%s/%s:" % (UDF_PATH, filename)
    if text.startswith(head):
        rest = text[len(head):]
        line, sep, message = rest.partition(": ")
        if sep and line.isdigit():
            return int(line), message
    return 0, text
