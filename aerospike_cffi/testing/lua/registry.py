"""Registered UDF modules and the info commands that manage them.

``udf-put:filename=<name>;content=<base64>;content-len=<n>;udf-type=LUA;``
compiles the module in a fresh Lua state first; a module that does not load
is refused with ``error=compile_error;file=<name>;line=<n>;message=<base64>``
(the client decodes the message).  ``udf-list`` answers
``filename=<name>,hash=<sha1>,type=LUA;`` per module, the hash being the
SHA-1 of the JSON object the server keeps for it, so it depends only on the
name and content.  ``udf-get`` answers ``type=LUA;content=<base64>;`` or
``error=not_found``; ``udf-remove`` of an unknown module is fine.
"""

import base64
import binascii
import hashlib
import json
import threading

from . import LupaMissing, MISSING_LUPA

MAX_FILE_NAME = 128
MAX_CONTENT = 1024 * 1024


class Module:
    __slots__ = ("name", "content", "hash")

    def __init__(self, name, content):
        self.name = name
        self.content = content
        obj = {"content64": base64.b64encode(content).decode(), "type": "LUA", "name": name}
        self.hash = hashlib.sha1(json.dumps(obj).encode()).hexdigest()


class Registry:
    """The modules of one dev server and their cached Lua states."""

    def __init__(self):
        self.lock = threading.RLock()
        self.modules = {}  # file name -> Module
        self.states = {}  # module name -> LuaState (or the CompileError)

    def sources(self):
        """{module name without .lua: source} for ``require``."""
        with self.lock:
            return {name[:-4]: m.content for name, m in self.modules.items()
                    if name.endswith(".lua")}

    def state(self, module):
        """The Lua state of ``module`` (a name without .lua), or None when it is
        not registered or does not load."""
        from .engine import CompileError, LuaState
        with self.lock:
            if module in self.states:
                st = self.states[module]
                return None if isinstance(st, CompileError) else st
            m = self.modules.get(module + ".lua")
            if m is None or module.endswith(".lua"):
                return None
            try:
                st = LuaState(m.name, m.content, self.sources())
            except CompileError as e:
                self.states[module] = e
                return None
            self.states[module] = st
            return st

    def _changed(self):
        self.states.clear()

    # ------------------------------------------------------------ info commands

    def put(self, arg):
        params = _params(arg)
        name = params.get("filename")
        if not name or len(name.encode()) >= MAX_FILE_NAME:
            return "error=invalid_filename"
        content64 = params.get("content")
        clen = params.get("content-len")
        if clen is None or not clen.isdigit() or int(clen) % 4:
            return "error=invalid_content_len"
        udf_type = params.get("udf-type", "LUA")
        if udf_type != "LUA":
            return "error=invalid_udf_type"
        if content64 is None or len(content64) != int(clen):
            return "error=invalid_content"
        if int(clen) > MAX_CONTENT * 4 // 3 + 4:
            return "error=invalid_udf_content_len,>1M"
        try:
            content = base64.b64decode(content64, validate=True)
        except (binascii.Error, ValueError):
            return "error=invalid_base64_content"
        if not name.endswith(".so"):
            from .engine import CompileError, LuaState
            try:
                LuaState(name, content, self.sources())
            except LupaMissing:
                return "error=" + MISSING_LUPA
            except CompileError as e:
                return "error=compile_error;file=%s;line=%d;message=%s" % (
                    name, e.line, base64.b64encode(e.message.encode("utf-8", "replace")).decode())
        with self.lock:
            self.modules[name] = Module(name, content)
            self._changed()
        return "ok"

    def get(self, arg):
        name = _params(arg).get("filename")
        if not name:
            return "error=invalid_filename"
        with self.lock:
            m = self.modules.get(name)
        if m is None:
            return "error=not_found"
        if not m.content:
            return "error=empty"
        return "type=LUA;content=%s;" % base64.b64encode(m.content).decode()

    def list(self, _arg):
        with self.lock:
            mods = sorted(self.modules.values(), key=lambda m: m.name)
        return "".join("filename=%s,hash=%s,type=LUA;" % (m.name, m.hash) for m in mods)

    def remove(self, arg):
        name = _params(arg).get("filename")
        if not name:
            return "error=invalid_filename"
        with self.lock:
            self.modules.pop(name, None)
            self._changed()
        return "ok"


def _params(arg):
    out = {}
    for part in arg.split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out[k.strip()] = v.strip()
    return out


def registry(server):
    """The registry of ``server`` (made on first use)."""
    reg = getattr(server, "udf_registry", None)
    if reg is None:
        reg = server.udf_registry = Registry()
    return reg


def _command(method):
    def run(server, arg):
        return getattr(registry(server), method)(arg)
    return run


INFO_COMMANDS = {
    "udf-put": _command("put"),
    "udf-get": _command("get"),
    "udf-list": _command("list"),
    "udf-remove": _command("remove"),
}
