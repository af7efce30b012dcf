"""The dev server's Lua engine on its own: the sandbox, the runaway-UDF guard
and the answer without lupa."""

import pytest

from aerospike_cffi.testing import lua, values

pytestmark = pytest.mark.devserver_only

SOURCE = b"""
function ping(rec, a) return a end
function spin(rec) while true do end end
function spin_pcall(rec) while true do pcall(function() while true do end end) end end
function os_execute(rec) return os.execute('true') end
function io_open(rec) return io.open('/etc/passwd') end
function has(rec, name) return type(_G[name]) end
function needs(rec) return require('golden_other') end
function list_gc(rec) local mt = getmetatable(list()); return type(mt.__gc) end
"""


@pytest.fixture(scope="module")
def state():
    if not lua.available():
        pytest.skip("lupa is not installed")
    from aerospike_cffi.testing.lua.engine import LuaState
    return LuaState("t.lua", SOURCE)


def call(state, fn, *args, budget=None):
    from aerospike_cffi.testing.lua import engine
    old = engine.INSTRUCTION_BUDGET
    if budget:
        engine.INSTRUCTION_BUDGET = budget
    try:
        out = state.apply_record(fn.encode(), values.pack(values.ListValue(list(args))), False,
                                 b"", {b"digest": b"\0" * 20})
    finally:
        engine.INSTRUCTION_BUDGET = old
    if out[0]:
        return values.unpack(bytes(out[1]))
    return ("error", bytes(out[1]).decode() if out[1] is not None else None)


def test_values_round_trip(state):
    assert call(state, "ping", [1, "a", {"k": 2.5}]) == [1, "a", values.MapValue([["k", 2.5]])]


def test_runaway_udf_is_stopped(state):
    assert call(state, "spin", budget=10 ** 6) == ("error", "UDF Execution Timeout")
    assert call(state, "spin_pcall", budget=10 ** 6) == ("error", "UDF Execution Timeout")
    assert call(state, "ping", 5) == 5  # the state is still usable


def test_sandbox_reaches_no_process(state):
    assert "not available" in call(state, "os_execute")[1]
    assert "not available" in call(state, "io_open")[1]
    for name in ("loadfile", "dofile", "python"):
        assert call(state, "has", name) == "nil"
    assert "not found" in call(state, "needs")[1]
    assert call(state, "list_gc") == "nil"  # value finalisers stay out of reach


def test_without_lupa_udf_commands_name_the_package(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_lupa(name, *args, **kwargs):
        if name.startswith("lupa"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_lupa)
    assert not lua.available()
    with pytest.raises(lua.LupaMissing, match="lupa"):
        lua.require_lupa()


def test_without_lupa_the_server_names_the_package(monkeypatch):
    import base64
    import sys

    from aerospike_cffi.testing import Server

    from . import rawclient

    monkeypatch.setitem(sys.modules, "lupa", None)
    monkeypatch.setitem(sys.modules, "lupa.lua54", None)
    content = base64.b64encode(b"function f(rec) return 1 end\n").decode()
    with Server() as server, rawclient.connect(server) as sock:
        put = "udf-put:filename=m.lua;content=%s;content-len=%d;udf-type=LUA;" % (
            content, len(content))
        assert "lupa" in rawclient.info(sock, put)[put]
        fields = rawclient.key_fields("test", "s", b"\x01" * 20) + [
            rawclient.field(30, b"m"), rawclient.field(31, b"f"), rawclient.field(32, b"\x90")]
        rc, _, _, ops = rawclient.request(sock, rawclient.message(fields, info2=1))
        assert rc == 100 and ops[0][2] == "FAILURE" and b"lupa" in ops[0][3]
        # everything else keeps working
        assert rawclient.info(sock, "namespaces")["namespaces"]


TAIL_CALLS = b"""local function helper(x)
  return list.append(x, 1)
end

function via_helper(rec)
  local r = helper('oops')
  return r
end

function direct(rec)
  return map.size(5)
end

function not_tail(rec)
  local s = list.size(7)
  return s
end
"""


@pytest.mark.parametrize("fn, where, message", [
    ("via_helper", 2, "bad argument #1 to 'append' (userdata expected, got string)"),
    ("direct", 11, "bad argument #1 to 'size' (userdata expected, got number)"),
    ("not_tail", 15, "bad argument #1 to 'size' (userdata expected, got number)"),
])
def test_bad_argument_names_the_calling_line(fn, where, message):
    """As a real 8.1.2 server answers (its library functions are C functions, which keep
    their caller's frame even in a tail call): the UDF's file:line, then the message."""
    if not lua.available():
        pytest.skip("lupa is not installed")
    from aerospike_cffi.testing.lua.engine import LuaState
    state = LuaState("tails.lua", TAIL_CALLS)
    kind, text = call(state, fn)
    assert kind == "error"
    assert text.endswith("/tails.lua:%d: %s" % (where, message)), text
