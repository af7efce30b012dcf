"""Per-call policy dicts on the single-record commands (put, exists, select, operate, remove,
touch besides get): every field is honoured whichever path the call takes (the fast one with
the dict's cached C struct, or the generic one), a dict or expression changed between two
calls is read anew, values that are equal as dict keys but of other types (1, 1.0, True)
are not confused by the cache, and bad values raise before anything is written.
Against the dev server and a real one alike (AEROSPIKE_TEST_SERVER)."""

import os

import pytest
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import operations as op

import aerospike_cffi as aerospike
from aerospike_cffi import exception
from aerospike_cffi._expr import compile_expression, expression_image
from aerospike_cffi._native import ffi

NS, SET = "test", "policy-calls-%d" % os.getpid()
BINS = {"n": 7, "s": "seven"}


@pytest.fixture
def rec(client):
    """A record written without its key stored, removed after the test."""
    key = (NS, SET, "r-%d" % id(object()))
    client.put(key, BINS)
    yield key
    try:
        client.remove(key)
    except exception.RecordNotFound:
        pass


def _match(value=7):
    return {"expressions": exp.Eq(exp.IntBin("n"), value).compile()}


def _key_stored(client, key):
    try:
        client.get(key, {"expressions": exp.KeyExists().compile()})
    except exception.FilteredOut:
        return False
    return True


# ---------------------------------------------------------------- fields honoured

def test_put_key_send_from_the_dict(client, rec):
    assert not _key_stored(client, rec)
    policy = {"key": aerospike.POLICY_KEY_SEND}
    assert client.put(rec, {"n": 8}, policy=policy) == 0
    assert _key_stored(client, rec)
    assert client.put(rec, {"n": 9}, policy=policy) == 0  # its cached struct, again
    assert client.get(rec)[2] == {"n": 9, "s": "seven"}


def test_put_exists_and_gen_policies(client, rec):
    fresh = (NS, SET, "fresh-%d" % id(object()))
    with pytest.raises(exception.RecordExistsError):
        client.put(rec, {"n": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    with pytest.raises(exception.RecordNotFound):
        client.put(fresh, {"n": 1}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    assert not client.exists(fresh)[1]
    # gen EQ without meta: generation 0 expected, the record has 1 or more (written again
    # just before: on a shared server another suite may truncate the namespace)
    client.put(rec, BINS)
    with pytest.raises(exception.RecordGenerationError):
        client.put(rec, {"n": 1}, policy={"gen": aerospike.POLICY_GEN_EQ})
    gen = client.exists(rec)[1]["gen"]
    assert client.put(rec, {"n": 2}, meta={"gen": gen},
                      policy={"gen": aerospike.POLICY_GEN_EQ}) == 0
    assert client.get(rec)[2]["n"] == 2


def test_exists_with_a_policy_dict(client, rec):
    (key, meta) = client.exists(rec, {"total_timeout": 2000})
    assert key[:3] == rec and key[3] == aerospike.calc_digest(*rec) and meta["gen"] >= 1
    assert client.exists(rec, _match(7))[1] == meta
    with pytest.raises(exception.FilteredOut):
        client.exists(rec, _match(8))
    missing = (NS, SET, "never-written")
    assert client.exists(missing, {"total_timeout": 2000}) == (
        (NS, SET, "never-written", aerospike.calc_digest(*missing)), None)


@pytest.mark.parametrize("command", ["put", "operate", "remove", "touch", "select", "get",
                                     "exists", "increment", "operate_ordered"])
def test_filter_expression_on_every_command(client, rec, command):
    calls = {
        "put": lambda p: client.put(rec, {"n": 99}, policy=p),
        "operate": lambda p: client.operate(rec, [op.write("n", 99), op.read("n")], policy=p),
        "operate_ordered": lambda p: client.operate_ordered(rec, [op.write("n", 99)],
                                                            policy=p),
        "remove": lambda p: client.remove(rec, policy=p),
        "touch": lambda p: client.touch(rec, 1000, policy=p),
        "select": lambda p: client.select(rec, ["n"], policy=p),
        "get": lambda p: client.get(rec, policy=p),
        "exists": lambda p: client.exists(rec, policy=p),
        "increment": lambda p: client.increment(rec, "n", 92, policy=p),
    }
    call = calls[command]
    before = client.get(rec)
    for _ in range(2):  # the second time with the cached struct
        with pytest.raises(exception.FilteredOut):
            call(_match(8))
    assert client.get(rec) == before  # nothing written
    call(_match(7))
    if command == "remove":
        assert client.exists(rec)[1] is None
    elif command in ("put", "operate", "increment", "operate_ordered"):
        assert client.get(rec)[2]["n"] == 99


# ---------------------------------------------------------------- changes between calls

def test_a_mutated_policy_dict_is_read_again(client, rec):
    policy = _match(7)
    assert client.get(rec, policy)[2] == BINS
    policy["expressions"] = _match(8)["expressions"]
    with pytest.raises(exception.FilteredOut):
        client.get(rec, policy)
    with pytest.raises(exception.FilteredOut):
        client.put(rec, {"n": 1}, policy=policy)
    del policy["expressions"]
    assert client.exists(rec, policy)[1] is not None
    policy["key"] = aerospike.POLICY_KEY_SEND
    client.put(rec, {"n": 1}, policy=policy)
    assert _key_stored(client, rec)


def test_an_expression_mutated_in_place_is_compiled_again(client, rec):
    expr = exp.Eq(exp.IntBin("n"), 7).compile()
    policy = {"expressions": expr}
    for command in (client.get, client.exists):
        assert command(rec, policy)[1] is not None
    value_node = next(item for item in expr if item[2] and "val" in item[2])
    value_node[2]["val"] = 8  # the same list, the same tuple: its dict changed
    for command in (client.get, client.exists):
        with pytest.raises(exception.FilteredOut):
            command(rec, policy)
    value_node[2]["val"] = 7
    assert client.get(rec, policy)[2] == BINS
    # with another unhashable value (ignored field): built every call, not cached
    other = {"expressions": _match(8)["expressions"], "nosuchfield": {}}
    for _ in range(2):
        with pytest.raises(exception.FilteredOut):
            client.get(rec, other)
    other["expressions"] = expr
    assert client.get(rec, other)[2] == BINS
    expr[0] = (expr[0][0] + 1, *expr[0][1:])  # Eq -> Ne, the list itself changed
    with pytest.raises(exception.FilteredOut):
        client.get(rec, policy)


# ---------------------------------------------------------------- 1, 1.0, True

def _filter_bytes(client, kind, policy):
    """The packed filter expression of the C struct the client uses for ``policy``."""
    ptr, _keep = client._policy(kind, policy)
    exp_ptr = ptr.base.filter_exp
    return ffi.buffer(exp_ptr.packed, exp_ptr.packed_sz)[:]


def test_equal_values_of_other_types_are_not_confused(client, rec):
    for kind in ("read", "write"):
        assert client._policy(kind, {"total_timeout": 1})[0].base.total_timeout == 1
        for bad in (1.0, "1", None):
            with pytest.raises(exception.ParamError):
                client._policy(kind, {"total_timeout": bad})
    with pytest.raises(exception.ParamError):  # after the int one was cached
        client.put(rec, {"n": 100}, policy={"total_timeout": 1.0})
    with pytest.raises(exception.ParamError):
        client.exists(rec, {"total_timeout": 1000.0})
    assert client.get(rec)[2] == BINS
    # in an expression: True, 1 and 1.0 pack differently, so do 0.0 and -0.0
    values = [1, True, 1.0, 0.0, -0.0, "1", b"1", bytearray(b"1"), [1], [True], {"a": 1},
              {"a": True}, None]
    seen = {}
    for round_ in range(2):
        for value in values:
            expr = exp.Eq(exp.IntBin("n"), value).compile()
            packed = _filter_bytes(client, "read", {"expressions": expr})
            assert packed == compile_expression(expr, client._packer)
            if round_:
                assert seen[repr(value)] == packed
            seen[repr(value)] = packed
    assert seen["b'1'"] == seen["bytearray(b'1')"]  # both a blob
    assert len(set(seen.values())) == len(values) - 1
    assert client.get(rec, _match(7))[2] == BINS


# ---------------------------------------------------------------- bad input

def test_bad_policies_raise_before_writing(client, rec):
    good = {"total_timeout": 2000}
    client.put(rec, {"n": 1}, policy=good)  # cached now
    good["total_timeout"] = "soon"  # the same dict, now bad
    with pytest.raises(exception.ParamError):
        client.put(rec, {"n": 2}, policy=good)
    with pytest.raises(exception.ParamError):
        client.put(rec, {"n": 2}, policy={"expressions": [("not", "an", "expr", 0)]})
    with pytest.raises(exception.ParamError):
        client.exists(rec, {"expressions": "nope"})
    with pytest.raises(exception.ParamError):
        client.put(rec, {"n": 2}, policy=["not", "a", "dict"])
    with pytest.raises(exception.ParamError):
        client.operate(rec, [op.write("n", 2)], policy={"total_timeout": 1.5})
    with pytest.raises(exception.ParamError):
        client.remove(rec, policy={"total_timeout": 1.5})
    assert client.get(rec)[2] == {"n": 1, "s": "seven"}


def test_bad_bins_come_before_a_bad_policy(client, rec):
    long_name = {"a" * 20: 1}
    with pytest.raises(exception.AerospikeError) as alone:
        client.put(rec, long_name)
    with pytest.raises(exception.AerospikeError) as with_policy:
        client.put(rec, long_name, policy={"total_timeout": "soon"})
    assert type(with_policy.value) is type(alone.value)
    assert str(with_policy.value) == str(alone.value)
    with pytest.raises(exception.ParamError) as bad_key:
        client.exists((NS, SET), {"total_timeout": "soon"})
    with pytest.raises(exception.ParamError) as bad_key_alone:
        client.exists((NS, SET))
    assert str(bad_key.value) == str(bad_key_alone.value)
    assert client.get(rec)[2] == BINS


# ---------------------------------------------------------------- the image itself

def test_expression_image_is_exact_or_none():
    a = exp.And(exp.GE(exp.IntBin("i"), 0), exp.Eq(exp.StrBin("s"), "x")).compile()
    b = exp.And(exp.GE(exp.IntBin("i"), 0), exp.Eq(exp.StrBin("s"), "x")).compile()
    assert expression_image(a) == expression_image(b) is not None
    hash(expression_image(a))
    for one, other in ((0, False), (1, 1.0), (0.0, -0.0), (b"x", bytearray(b"x")),
                       ([1], [1.0]), ({"a": 1, "b": 2}, {"b": 2, "a": 1})):
        left = expression_image(exp.Eq(exp.IntBin("i"), one).compile())
        right = expression_image(exp.Eq(exp.IntBin("i"), other).compile())
        assert left is not None and right is not None and left != right
    assert expression_image(exp.Eq(exp.IntBin("i"), 1.0).compile()) == expression_image(
        exp.Eq(exp.IntBin("i"), 1.0).compile())
    cycle = []
    cycle.append(cycle)
    for odd in ("not a list", (), [("a", None, None, 0)], [(1, None, None, True)],
                [(1, None, {"val": object()}, 0)], [(1, None, {"val": cycle}, 0)],
                [(1, None, {1: 2}, 0)], [[1, None, None, 0]],
                [(1, None, {"val": (1,)}, 0)]):  # a tuple: packed by the serializers
        assert expression_image(odd) is None
