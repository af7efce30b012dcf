"""operate()'s op lists encoded in C from their pickle (shim_pack_ops_pickled, shim_pickle.c):
whatever the shim encodes is byte for byte what aerospike_cffi._ops encodes (records._pack_ops),
and it refuses every list _ops would refuse, warn about, or encode otherwise, so that those
go the Python way. The client takes this path on CPython; the tests force it on PyPy too, so
the shim's encoder is checked under both interpreters."""

import random
import types
import warnings

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import _marshal
from aerospike_cffi._commands import records
from aerospike_cffi._native import ffi, lib
from aerospike_helpers import cdt_ctx
from aerospike_helpers.operations import list_operations as lops
from aerospike_helpers.operations import map_operations as mops
from aerospike_helpers.operations import operations as ops_

from test_record_marshal import PLAIN  # noqa: E402 (tests/client on sys.path)


def packer_client(bool_as_bool=True, validate_keys=False, strict_types=True):
    """What RecordCommands._pack_ops needs of a client."""
    send = _marshal.SEND_BOOL_AS_AS_BOOL if bool_as_bool else _marshal.SEND_BOOL_AS_INTEGER
    packer = _marshal.Packer(send, None, _marshal.SERIALIZER_PYTHON, strict_types=strict_types)
    packer.validate_keys = validate_keys
    return types.SimpleNamespace(_op_packer=packer, _bool_as_bool=bool_as_bool)


def by_python(client, ops):
    """(packed, count) of _ops, or None when it raises or warns."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            packed, n, plan = records.RecordCommands._pack_ops(client, ops, True)
        except Exception:  # noqa: BLE001 - any error: the shim must refuse the list
            return None
    if caught or plan.touch_ttl is not None:
        return None
    return packed, n


def by_shim(client, ops):
    """(packed, count) of the shim, or None when it refuses the list."""
    pickled = _marshal.pickle_ops(ops)
    if pickled is None:
        return None
    out = ffi.new("shim_buf*")
    try:
        n = lib.shim_pack_ops_pickled(pickled, len(pickled), client._bool_as_bool, out)
        return (ffi.buffer(out.data, out.len)[:], n) if n else None
    finally:
        lib.shim_buf_free(out)


def check(client, ops):
    """The shim's encoding, when it gives one, is _ops' one; returns whether it gave one."""
    shim = by_shim(client, ops)
    if shim is None:
        return False
    assert by_python(client, ops) == shim, ops
    return True


RT = aerospike.LIST_RETURN_VALUE
MRT = aerospike.MAP_RETURN_KEY_VALUE
# Lists the shim encodes (checked against _ops, and that it does take them).
TAKEN = [
    [lops.list_set("l", 0, 5), lops.list_get_by_index_range("l", 0, RT, 3), mops.map_put("m", "k", 5)],
    [ops_.read("a"), ops_.write("a", 1), ops_.increment("i", 2), ops_.increment("f", 1.5)],
    [ops_.append("b", b"xy"), ops_.prepend("b", bytearray(b"z")), ops_.touch(), ops_.delete()],
    [ops_.write("x", v) for v in PLAIN[:40]],
    [ops_.write("y", v) for v in PLAIN[40:]],
    [lops.list_append("l", v) for v in PLAIN],
    [mops.map_put("m", i, v) for i, v in enumerate(PLAIN)],
    [lops.list_append("l", 1, {"list_order": 1, "write_flags": 15}),
     lops.list_append_items("l", [1, 2], {"write_flags": 2}),
     lops.list_insert("l", -1, "x", {"list_order": 0}), lops.list_insert_items("l", 2, [3], {}),
     lops.list_pop("l", -3), lops.list_pop_range("l", 0, 2), lops.list_remove("l", 1),
     lops.list_remove_range("l", 1, 2), lops.list_clear("l"), lops.list_set("l", 2 ** 40, None),
     lops.list_get("l", -2 ** 63), lops.list_get_range("l", 0, 2 ** 63 - 1),
     lops.list_trim("l", 1, 3), lops.list_size("l"), lops.list_increment("l", 0, 1.5),
     lops.list_increment("l", 0, 2, {"list_order": 1})],
    [lops.list_get_by_index("l", 1, RT), lops.list_get_by_index_range("l", 0, RT),
     lops.list_get_by_index_range("l", 0, RT, 3, inverted=True),
     lops.list_get_by_rank("l", -1, aerospike.LIST_RETURN_RANK),
     lops.list_get_by_rank_range("l", 0, RT, 2), lops.list_get_by_value("l", "v", RT),
     lops.list_get_by_value_list("l", [1, "a"], RT, True),
     lops.list_get_by_value_range("l", RT, 1, 5), lops.list_get_by_value_range("l", RT, None, 5),
     lops.list_get_by_value_range("l", RT, [1], None),
     lops.list_remove_by_index("l", 0, RT), lops.list_remove_by_index_range("l", 0, RT, 2),
     lops.list_remove_by_rank("l", 0, RT), lops.list_remove_by_rank_range("l", 0, RT, 1, True),
     lops.list_remove_by_value("l", 3, RT), lops.list_remove_by_value_list("l", [3], RT),
     lops.list_remove_by_value_range("l", RT, 0, 9),
     lops.list_remove_by_value_rank_range_relative("l", 5, -1, RT, 2),
     lops.list_get_by_value_rank_range_relative("l", 5, 1, RT, None, True),
     lops.list_get_by_index("l", 0, -1), lops.list_get_by_index("l", 0, 2 ** 40)],
    [mops.map_put("m", "k", 1, {"map_order": 1, "map_write_flags": 4, "persist_index": True}),
     mops.map_put("m", "k", 1, {"map_order": 3}), mops.map_put_items("m", {"b": 1, "a": [2]}),
     mops.map_put_items("m", {"a": 1}, {"map_write_flags": 2}), mops.map_increment("m", "k", 2),
     mops.map_decrement("m", "k", 1.5, {"map_order": 0}), mops.map_size("m"), mops.map_clear("m"),
     mops.map_remove_by_key("m", "k", MRT), mops.map_remove_by_key_list("m", ["a", 1], MRT),
     mops.map_remove_by_key_range("m", "a", "c", MRT, True),
     mops.map_remove_by_value("m", 1, MRT), mops.map_remove_by_value_list("m", [1], MRT),
     mops.map_remove_by_value_range("m", 1, 5, MRT),
     mops.map_remove_by_index("m", 0, MRT), mops.map_remove_by_index_range("m", 0, 2, MRT),
     mops.map_remove_by_rank("m", 0, MRT), mops.map_remove_by_rank_range("m", 0, 2, MRT, True),
     mops.map_get_by_key("m", "k", MRT), mops.map_get_by_key_range("m", "a", "z", MRT),
     mops.map_get_by_value("m", 2, MRT, True), mops.map_get_by_value_range("m", 1, 3, MRT),
     mops.map_get_by_index("m", 0, MRT), mops.map_get_by_index_range("m", 0, 3, MRT),
     mops.map_get_by_rank("m", -1, MRT), mops.map_get_by_rank_range("m", 0, 1, MRT),
     mops.map_get_by_value_list("m", [1, 2], MRT), mops.map_get_by_key_list("m", ["k"], MRT),
     mops.map_remove_by_value_rank_range_relative("m", 2, 0, MRT, 3),
     mops.map_remove_by_key_index_range_relative("m", "a", 1, MRT),
     mops.map_get_by_value_rank_range_relative("m", 2, 0, MRT, None, True),
     mops.map_get_by_key_index_range_relative("m", "a", 1, MRT, 2)],
    [{"op": aerospike.OP_LIST_SET, "bin": "", "index": 0, "val": 1, "ctx": None}],
    [{"op": aerospike.OP_MAP_PUT, "bin": "é" * 7, "key": None, "val": None, "map_policy": None}],
    [{"op": aerospike.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 0}],          # no return_type: 0
    [{"op": aerospike.OP_MAP_GET_BY_INDEX, "bin": "m", "index": 0, "inverted": True}],
    [{"op": aerospike.OP_LIST_APPEND, "bin": "l", "val": 1, "list_policy": None}],
    [lops.list_append("l", i) for i in range(100)],
]

# Lists the shim must leave to _ops (it encodes them otherwise, or refuses, or warns).
REFUSED = [
    [], [1], [ops_.read("a"), "not a dict"], [{"bin": "a"}], [{"op": "1", "bin": "a"}],
    [{"op": True, "bin": "a", "val": 1}], [ops_.write("a" * 16, 1)], [ops_.write(b"a", 1)],
    [ops_.write("a", 2 ** 63)], [ops_.write("a", "\ud800")], [ops_.write("a", (1, 2))],
    [ops_.write("a", aerospike.KeyOrderedDict({"a": 1}))], [ops_.write("a", {1.5: 2})],
    [ops_.append("s", "str")], [ops_.prepend("s", "str")], [ops_.append("s", 5)],
    [ops_.increment("i", None)], [ops_.increment("i", True)], [ops_.increment("i", "1")],
    [{"op": aerospike.OPERATOR_TOUCH, "val": 10}], [{"op": aerospike.OPERATOR_TOUCH, "val": None}],
    [{"op": aerospike.OPERATOR_READ, "bin": "a", "val": 1}], [{"op": aerospike.OPERATOR_READ}],
    [{"op": aerospike.OPERATOR_WRITE, "bin": "a"}], [{"op": aerospike.OPERATOR_DELETE, "bin": "a"}],
    [lops.list_set("l", 0, 1, ctx=[cdt_ctx.cdt_ctx_list_index(0)])],
    [lops.list_set("l", "0", 1)], [lops.list_set("l", None, 1)], [lops.list_set("l", True, 1)],
    [lops.list_append("l", 1, {"list_order": 2})], [lops.list_append("l", 1, {"write_flags": 16})],
    [lops.list_append("l", 1, {"write_flags": -1})], [lops.list_append("l", 1, {"other": 1})],
    [lops.list_append("l", 1, {"write_flags": True})], [lops.list_append("l", 1, [1])],
    [lops.list_get("l", 0) | {"extra": 1}], [lops.list_get("l", 0) | {"val": 1}],
    [lops.list_get_by_index("l", 0, None)], [lops.list_get_by_index("l", 0, "1")],
    [{"op": aerospike.OP_LIST_GET_BY_INDEX, "bin": "l", "index": 0}],
    [lops.list_get_by_index("l", 0, RT) | {"inverted": 1}],
    [lops.list_get_by_index_range("l", 0, RT, "3")], [lops.list_pop_range("l", 0, None)],
    [lops.list_append_items("l", (1, 2))], [lops.list_append_items("l", "ab")],
    [lops.list_get_by_value_list("l", "ab", RT)], [lops.list_sort("l", 0)],
    [lops.list_set_order("l", 0)], [lops.list_create("l", 0, False, False)],
    [mops.map_put("m", "k", 1, {"map_order": 4})], [mops.map_put("m", "k", 1, {"map_order": -1})],
    [mops.map_put("m", "k", 1, {"map_write_flags": None})], [mops.map_put("m", "k", 1, {"x": 1})],
    [mops.map_put("m", "k", 1, {"persist_index": 1})], [mops.map_put("m", "k", 1, "policy")],
    [mops.map_put("m", "k", 1, ctx=[cdt_ctx.cdt_ctx_map_key("a")])],
    [{"op": aerospike.OP_MAP_PUT, "bin": "m", "val": 1}], [{"op": aerospike.OP_MAP_PUT, "bin": "m", "key": 1}],
    [mops.map_set_policy("m", {"map_order": 1})], [mops.map_create("m", 1, False)],
    [mops.map_get_by_index("m", "0", MRT)], [mops.map_get_by_index("m", 0, None)],
    [mops.map_get_by_key("m", "k", MRT) | {"index": 1}], [mops.map_size("m") | {"return_type": 1}],
    [{"op": aerospike.OP_MAP_GET_BY_KEY, "bin": "m", "return_type": 1}],
    [{"op": aerospike.OP_MAP_REMOVE_BY_KEY_RANGE, "bin": "m", "key": 1, "return_type": 1}],
    [{"op": aerospike.OP_MAP_GET_BY_VALUE_RANGE, "bin": "m", "val": 1, "return_type": 1}],
    [{"op": 2, "bin": "a"}], [{"op": -1, "bin": "a"}], [{"op": 2000, "bin": "a"}],
    [{"op": aerospike.OP_LIST_SET, "bin": None, "index": 0, "val": 1}],
    [{"op": aerospike.OP_LIST_SET, 1: "l", "index": 0, "val": 1}],
]


@pytest.mark.parametrize("ops", TAKEN, ids=range(len(TAKEN)))
def test_the_shim_encodes_the_common_lists_as_ops_does(ops):
    for client in (packer_client(), packer_client(bool_as_bool=False),
                   packer_client(validate_keys=True), packer_client(strict_types=False)):
        assert check(client, ops)


@pytest.mark.parametrize("ops", REFUSED, ids=range(len(REFUSED)))
def test_the_shim_leaves_other_lists_to_ops(ops):
    for client in (packer_client(), packer_client(validate_keys=True)):
        assert by_shim(client, ops) is None


def test_random_op_lists_encode_as_ops_does():
    """The ops above with entries replaced, removed or added at random (values of every
    kind): whatever the shim takes, it encodes as _ops does; it still takes a good part."""
    rng = random.Random(13)
    seeds = [op for ops in TAKEN for op in ops]
    keys = ["op", "bin", "val", "index", "key", "range", "return_type", "inverted", "count", "rank",
            "ctx", "map_policy", "list_policy", "value_list", "value_begin", "value_end"]
    values = PLAIN + [None, -5, 2 ** 31 + 5, -2 ** 40, 2 ** 64, [1, 2], {"a": 1}, "bin", b"by",
                      bytearray(b"ba"), "a" * 16, {"list_order": 1}, {"write_flags": 3, "list_order": 0},
                      {"map_order": 2}, {"map_write_flags": 8, "persist_index": False}, {"map_order": 7},
                      {1.5: 1}, {"a": 1, 2: "b"}, 1001, 1102, 1016, 0, 1, 14]
    clients = (packer_client(), packer_client(bool_as_bool=False))
    taken = 0
    for _ in range(3000):
        ops = []
        for _ in range(rng.randint(1, 3)):
            op = dict(rng.choice(seeds))
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                what = rng.random()
                if what < 0.6 and op:
                    op[rng.choice(list(op))] = rng.choice(values)
                elif what < 0.8 and op:
                    del op[rng.choice(list(op))]
                else:
                    op[rng.choice(keys)] = rng.choice(values)
            ops.append(op)
        for client in clients:
            taken += check(client, ops)
    assert taken > 1000


@pytest.fixture
def pickled_ops(monkeypatch):
    """operate() through the shim's encoder, whatever the interpreter's default."""
    monkeypatch.setattr(records, "_PICKLE_OPS", True)


class _Spy:
    def __init__(self, lib_):
        self._lib = lib_
        self.answers = []

    def __getattr__(self, name):
        fn = getattr(self._lib, name)
        if name not in ("shim_pack_ops_pickled", "shim_operate_pickled_m"):
            return fn

        def call(*args):
            rc = fn(*args)
            # taken: ops encoded (a count), or sent (any answer but SHIM_NOT_PLAIN)
            self.answers.append(rc if name == "shim_pack_ops_pickled" else rc != lib.SHIM_NOT_PLAIN)
            return rc

        return call


def both_ways(client, monkeypatch, call):
    """call() with the shim's encoder, then with _ops': both answers; the shim took it."""
    spy = _Spy(records.lib)
    monkeypatch.setattr(records, "lib", spy)
    monkeypatch.setattr(records, "_PICKLE_OPS", True)
    first = call()
    assert spy.answers and all(spy.answers), spy.answers
    monkeypatch.setattr(records, "_PICKLE_OPS", False)
    second = call()
    return first, second


def test_operate_answers_the_same_through_the_shim(client, key, monkeypatch):
    client.put(key, {"l": [1, 2, 3, 4, 5], "m": {"x": 1, "y": 2}, "i": 1, "b": b"a"})
    ops = [lops.list_set("l", 0, 9), lops.list_get_by_index_range("l", 0, RT, 3),
           mops.map_put("m", "k", 3), mops.map_get_by_key("m", "x", MRT),
           ops_.increment("i", 1), ops_.append("b", b"z"), ops_.read("i"), ops_.read("b")]
    first, second = both_ways(client, monkeypatch, lambda: client.operate(key, ops))
    assert first[2] == {"l": [9, 2, 3], "m": ["x", 1], "i": 2, "b": b"az"}
    assert second[2] == {"l": [9, 2, 3], "m": ["x", 1], "i": 3, "b": b"azz"}
    assert first[0] == second[0]
    first, second = both_ways(client, monkeypatch, lambda: client.operate_ordered(key, ops))
    assert [b for b, _ in first[2]] == [b for b, _ in second[2]] == ["l", "l", "m", "m", "i", "b", "i", "b"]
    assert first[2][1] == second[2][1] == ("l", [9, 2, 3])


def test_operate_write_only_and_delete_through_the_shim(client, key, monkeypatch, pickled_ops):
    assert client.operate(key, [ops_.write("a", 1), ops_.write("b", "x")])[2] == {}
    assert client.get(key)[2] == {"a": 1, "b": "x"}
    client.operate(key, [ops_.touch(), ops_.read("a")])
    client.operate(key, [ops_.delete()])
    with pytest.raises(aerospike.exception.RecordNotFound):
        client.get(key)


def test_bad_ops_raise_as_before_through_the_shim(client, key, pickled_ops):
    with pytest.raises(aerospike.exception.ParamError):
        client.operate(key, [])
    with pytest.raises(aerospike.exception.BinNameError):
        client.operate(key, [ops_.write("a" * 16, 1)])
    with pytest.warns(DeprecationWarning):
        client.operate(key, [ops_.append("s", "x")])
    with pytest.raises(aerospike.exception.ParamError):
        client.operate(key, [lops.list_set("l", "0", 1)], meta={"ttl": "bad"})


def test_a_cycle_is_left_to_ops():
    cycle = [1]
    cycle.append(cycle)
    assert _marshal.pickle_ops([lops.list_append("l", cycle)]) is None


def test_the_fast_operate_answers_in_every_form(client, key, monkeypatch):
    """The one-call operate: answers larger than the thread's buffer, answers the marshal
    form cannot hold (the packed layout), server errors, as through _ops."""
    big = "x" * 100000
    geo = aerospike.GeoJSON({"type": "Point", "coordinates": [1.0, 2.0]})
    client.put(key, {"big": big, "geo": geo, "l": [1], "s": "str"})
    first, second = both_ways(client, monkeypatch, lambda: client.operate(key, [ops_.read("big")]))
    assert first[2] == second[2] == {"big": big}
    first, second = both_ways(client, monkeypatch, lambda: client.operate(
        key, [ops_.read("geo"), ops_.read("s")]))
    assert first[2] == second[2] and first[2]["s"] == "str"
    assert first[1] == second[1]
    errors = []
    for force in (True, False):
        monkeypatch.setattr(records, "_PICKLE_OPS", force)
        with pytest.raises(aerospike.exception.AerospikeError) as info:
            client.operate(key, [lops.list_append("s", 1)])
        errors.append((type(info.value), info.value.code, info.value.key))
    assert errors[0] == errors[1] and errors[0][2] == key


def test_operate_with_a_policy_through_the_shim(client, key, monkeypatch):
    client.put(key, {"l": [1, 2, 3], "m": {"b": [1, 2]}})
    ops = [lops.list_append("l", 4), mops.map_get_by_key("m", "b", MRT)]
    first, second = both_ways(client, monkeypatch, lambda: client.operate(
        key, ops, policy={"total_timeout": 5000}))
    assert first[2] == {"l": 4, "m": ["b", [1, 2]]} and second[2] == {"l": 5, "m": ["b", [1, 2]]}
    # deserialize False: raw collections, which the one-call path does not give
    for force in (True, False):
        monkeypatch.setattr(records, "_PICKLE_OPS", force)
        raw = client.operate(key, [ops_.read("m")], policy={"deserialize": False})[2]
        assert isinstance(raw["m"], (bytes, bytearray))


def _error(call):
    try:
        call()
    except aerospike.exception.AerospikeError as exc:
        return type(exc), exc.code, exc.msg
    raise AssertionError("no error")


@pytest.mark.parametrize("ops", [[lops.list_append("l", 1)], [lops.list_set("l", "0", 1)], []],
                         ids=["good ops", "bad ops", "no ops"])
def test_a_bad_policy_fails_as_through_ops(client, key, monkeypatch, ops):
    """The ops are checked before the policy, whichever path runs."""
    errors = []
    for force in (True, False):
        monkeypatch.setattr(records, "_PICKLE_OPS", force)
        errors.append(_error(lambda: client.operate(key, ops, policy={"total_timeout": "x"})))
        errors.append(_error(lambda: client.operate(key, ops, policy=["not a dict"])))
    assert errors[:2] == errors[2:]


def test_bytes_after_the_pickle_are_refused():
    """A pickler re-entered during a dump (a __del__ calling operate) leaves another list's
    pickle followed by the rest of the first: the shim refuses such input."""
    pickled = _marshal.pickle_ops([lops.list_append("l", 1)])
    out = ffi.new("shim_buf*")
    try:
        assert lib.shim_pack_ops_pickled(pickled, len(pickled), 1, out) == 1
        for tail in (b".", b"N.", b"\x00"):
            assert lib.shim_pack_ops_pickled(pickled + tail, len(pickled) + len(tail), 1, out) == 0
    finally:
        lib.shim_buf_free(out)


def test_the_op_pickler_recovers_from_its_own_state():
    """CPython's fast-mode pickler counts the containers it is in (past 50 it keeps them in
    a memo to find cycles): pickling one frozenset again and again leaves that count
    behind, until a dump fails with a KeyError. Every failure makes a new pickler; lists
    still go the shim's or _ops' way, never raising from the pickler."""
    shallow = [lops.list_append("l", [[1]])]
    cycle = {}
    cycle["x"] = [cycle]
    for odd in (frozenset([1]), frozenset([1, 2]), (1, 2), [aerospike.null()], cycle):
        for _ in range(60):
            assert by_shim(packer_client(), [lops.list_append("l", odd)]) is None
        assert by_shim(packer_client(), shallow)[1] == 1
