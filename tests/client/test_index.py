"""Secondary index create/remove and truncate against the test server: return values,
what the server then lists, and the errors the official client 19.3.0 raises for the same
calls (learned by running them through it).  Waits poll, so the tests also hold on a real
server that builds indexes and truncates in the background."""

import itertools
import os
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers import cdt_ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import expression_operations

NS = "test"
PID = os.getpid()
SET = "idx-%d" % PID
_ids = itertools.count()
FIRST = [cdt_ctx.cdt_ctx_list_index(0)]
PLUS_ONE = exp.Add(exp.IntBin("n"), 1).compile()


def eventually(fn, want, timeout=15.0):
    """fn() until it returns want: a real server works in the background."""
    deadline = time.time() + timeout
    while True:
        got = fn()
        if got == want or time.time() > deadline:
            return got
        time.sleep(0.05)


def listed(client, name):
    """The server's sindex-list fields of index `name`, or None when it is not listed."""
    answer = client.info_random_node("sindex-list:ns=%s" % NS)
    for entry in answer.partition("\t")[2].strip().split(";"):
        fields = dict(part.partition("=")[::2] for part in entry.split(":"))
        if fields.get("indexname") == name:
            return fields
    return None


@pytest.fixture
def name(client):
    """A fresh index name, removed after the test if it was made."""
    made = "idx%d_%d" % (PID, next(_ids))
    yield made
    try:
        client.index_remove(NS, made)
    except ex.IndexNotFound:
        pass


def deprecated(call):
    """Call an index creator the official marks deprecated, without its warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call()


# (creator, expected sindex-list fields)
CREATORS = {
    "integer": (lambda c, n: deprecated(lambda: c.index_integer_create(NS, SET, "i", n)),
                {"bin": "i", "type": "numeric", "indextype": "default"}),
    "string": (lambda c, n: deprecated(lambda: c.index_string_create(NS, SET, "s", n)),
               {"bin": "s", "type": "string", "indextype": "default"}),
    "blob": (lambda c, n: deprecated(lambda: c.index_blob_create(NS, SET, "b", n)),
             {"bin": "b", "type": "blob", "indextype": "default"}),
    "geo2dsphere": (lambda c, n: deprecated(lambda: c.index_geo2dsphere_create(NS, SET, "g", n)),
                    {"bin": "g", "type": "geo2dsphere", "indextype": "default"}),
    "single value": (
        lambda c, n: c.index_single_value_create(NS, SET, "v", aerospike.INDEX_STRING, n),
        {"bin": "v", "type": "string", "indextype": "default", "context": "null"}),
    "list": (lambda c, n: c.index_list_create(NS, SET, "l", aerospike.INDEX_NUMERIC, n),
             {"bin": "l", "type": "numeric", "indextype": "list"}),
    "map keys": (lambda c, n: c.index_map_keys_create(NS, SET, "m", aerospike.INDEX_STRING, n),
                 {"bin": "m", "type": "string", "indextype": "mapkeys"}),
    "map values": (
        lambda c, n: c.index_map_values_create(NS, SET, "m", aerospike.INDEX_BLOB, n),
        {"bin": "m", "type": "blob", "indextype": "mapvalues"}),
    "cdt": (lambda c, n: deprecated(lambda: c.index_cdt_create(
        NS, SET, "nested", aerospike.INDEX_TYPE_LIST, aerospike.INDEX_NUMERIC, n, FIRST)),
        {"bin": "nested", "type": "numeric", "indextype": "list"}),
    "list with ctx": (lambda c, n: c.index_list_create(NS, SET, "nl", aerospike.INDEX_STRING, n,
                                                       ctx=[cdt_ctx.cdt_ctx_map_key("a")]),
                      {"bin": "nl", "type": "string", "indextype": "list"}),
    "expression": (lambda c, n: c.index_expr_create(NS, SET, aerospike.INDEX_TYPE_DEFAULT,
                                                    aerospike.INDEX_NUMERIC, PLUS_ONE, n),
                   {"type": "numeric", "indextype": "default"}),
}


@pytest.mark.parametrize("kind", sorted(CREATORS))
def test_create_lists_the_index_and_remove_drops_it(client, name, kind):
    create, want = CREATORS[kind]
    assert create(client, name) == 0
    fields = listed(client, name)
    assert fields is not None
    assert fields["ns"] == NS and fields["set"] == SET
    assert {k: fields[k] for k in want} == want
    has_ctx = kind in ("cdt", "list with ctx")
    assert (fields["context"] != "null") is has_ctx
    assert (fields["exp"] != "null") is (kind == "expression")
    assert client.index_remove(NS, name) == 0
    assert eventually(lambda: listed(client, name), None) is None


def test_index_on_every_set(client, name):
    assert client.index_single_value_create(NS, None, "v", aerospike.INDEX_NUMERIC, name) == 0
    assert listed(client, name)["set"] == "null"


def test_expression_index_on_every_set(client, name):
    assert client.index_expr_create(NS, None, aerospike.INDEX_TYPE_DEFAULT,
                                    aerospike.INDEX_NUMERIC, PLUS_ONE, name) == 0
    assert listed(client, name)["exp"] != "null"


def test_empty_ctx_list_makes_an_index(client, name):
    assert client.index_list_create(NS, SET, "l", aerospike.INDEX_NUMERIC, name, ctx=[]) == 0
    assert listed(client, name)["indextype"] == "list"


# ---------------------------------------------------------------- server errors


def test_same_name_and_definition_again_is_ok(client, name):
    # server 8.1 keeps an index as its definition -> name: asking again changes nothing
    single = client.index_single_value_create
    assert single(NS, SET, "n", aerospike.INDEX_NUMERIC, name) == 0
    assert single(NS, SET, "n", aerospike.INDEX_NUMERIC, name) == 0
    assert listed(client, name)["bin"] == "n"


def test_same_name_with_another_definition_is_index_found(client, name):
    single = client.index_single_value_create
    assert single(NS, SET, "n", aerospike.INDEX_NUMERIC, name) == 0
    with pytest.raises(ex.IndexFoundError) as info:
        single(NS, SET, "other_bin", aerospike.INDEX_NUMERIC, name)
    assert info.value.code == 200
    assert isinstance(info.value, ex.IndexError)
    assert listed(client, name)["bin"] == "n"


def test_same_definition_under_another_name_renames_the_index(client, name):
    single = client.index_single_value_create
    other = "%s_other" % name
    try:
        assert single(NS, SET, "n", aerospike.INDEX_NUMERIC, name) == 0
        assert single(NS, SET, "n", aerospike.INDEX_NUMERIC, other) == 0
        assert eventually(lambda: listed(client, name), None) is None
        assert listed(client, other)["bin"] == "n"
    finally:
        client.index_remove(NS, other)


def test_same_bin_with_another_index_type_is_a_new_index(client, name):
    other = "%s_list" % name
    try:
        client.index_single_value_create(NS, SET, "n", aerospike.INDEX_NUMERIC, name)
        assert client.index_list_create(NS, SET, "n", aerospike.INDEX_NUMERIC, other) == 0
    finally:
        client.index_remove(NS, other)


def test_remove_of_a_missing_index_is_ok(client, name):
    assert client.index_remove(NS, name) == 0  # server 8.1 answers "ok"


def test_remove_twice(client, name):
    client.index_single_value_create(NS, SET, "n", aerospike.INDEX_NUMERIC, name)
    assert client.index_remove(NS, name) == 0
    assert client.index_remove(NS, name) == 0


def test_create_in_an_unknown_namespace(client, name):
    # server 8.1 takes the definition ("ok"); waiting for it to build then fails
    with pytest.raises(ex.NamespaceNotFound) as info:
        client.index_single_value_create("no-such-ns", SET, "n", aerospike.INDEX_NUMERIC, name)
    assert info.value.code == 20
    client.index_remove("no-such-ns", name)


# ---------------------------------------------------------------- argument errors

N = "idx-arg-errors"
I_NUM = aerospike.INDEX_NUMERIC

BAD_INDEX_CALLS = {
    "ns int": lambda c: c.index_single_value_create(1, SET, "n", I_NUM, N),
    "set int": lambda c: c.index_single_value_create(NS, 1, "n", I_NUM, N),
    "bin int": lambda c: c.index_single_value_create(NS, SET, 1, I_NUM, N),
    "name int": lambda c: c.index_single_value_create(NS, SET, "n", I_NUM, 1),
    "name None": lambda c: c.index_single_value_create(NS, SET, "n", I_NUM, None),
    "datatype str": lambda c: c.index_single_value_create(NS, SET, "n", "x", N),
    "policy int": lambda c: c.index_single_value_create(NS, SET, "n", I_NUM, N, 5),
    "policy value": lambda c: c.index_single_value_create(NS, SET, "n", I_NUM, N,
                                                          {"timeout": "x"}),
    "ctx int": lambda c: c.index_single_value_create(NS, SET, "n", I_NUM, N, ctx=5),
    "ctx of int": lambda c: c.index_list_create(NS, SET, "n", I_NUM, N, ctx=[5]),
    "ctx dict": lambda c: c.index_list_create(NS, SET, "n", I_NUM, N, ctx={}),
    "list datatype str": lambda c: c.index_list_create(NS, SET, "n", "x", N),
    "map keys ctx int": lambda c: c.index_map_keys_create(NS, SET, "m", I_NUM, N, ctx=5),
    "map values ctx int": lambda c: c.index_map_values_create(NS, SET, "m", I_NUM, N, ctx=5),
    "cdt ctx None": lambda c: c.index_cdt_create(NS, SET, "n", 0, I_NUM, N, None),
    "cdt ctx int": lambda c: c.index_cdt_create(NS, SET, "n", 0, I_NUM, N, 5),
    "cdt ctx dict": lambda c: c.index_cdt_create(NS, SET, "n", 0, I_NUM, N, {"ctx": FIRST}),
    "cdt index type str": lambda c: c.index_cdt_create(NS, SET, "n", "x", I_NUM, N, FIRST),
    "expr int": lambda c: c.index_expr_create(NS, SET, 0, I_NUM, 5, N),
    "expr None": lambda c: c.index_expr_create(NS, SET, 0, I_NUM, None, N),
    "expr empty": lambda c: c.index_expr_create(NS, SET, 0, I_NUM, [], N),
    "integer bin int": lambda c: c.index_integer_create(NS, SET, 1, N),
    "string set int": lambda c: c.index_string_create(NS, 1, "s", N),
    "geo name int": lambda c: c.index_geo2dsphere_create(NS, SET, "g", 1),
    "blob policy int": lambda c: c.index_blob_create(NS, SET, "b", N, 5),
    "remove ns int": lambda c: c.index_remove(5, N),
    "remove name int": lambda c: c.index_remove(NS, 5),
    "remove policy int": lambda c: c.index_remove(NS, N, 5),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("call", sorted(BAD_INDEX_CALLS))
def test_index_argument_errors(client, call):
    with pytest.raises(ex.ParamError) as info:
        BAD_INDEX_CALLS[call](client)
    assert info.value.code == -2
    assert listed(client, N) is None


_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=False),
    st.text(max_size=10), st.binary(max_size=8), st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just(FIRST))


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.tuples(st.one_of(st.just(NS), _values), st.one_of(st.just(SET), _values),
                      st.one_of(st.just("fz"), _values), st.one_of(st.integers(0, 3), _values),
                      st.one_of(st.integers(0, 4), _values), _values),
       policy=st.one_of(st.none(), _values))
def test_fuzz_index_cdt_create(client, args, policy):
    """Any arguments: 0 or an Aerospike error (or TypeError), never a crash."""
    ns, set_name, bin_name, index_type, datatype, ctx = args
    name = "idx%d_fuzz" % PID
    try:
        made = deprecated(lambda: client.index_cdt_create(ns, set_name, bin_name, index_type,
                                                          datatype, name, ctx, policy))
    except (ex.AerospikeError, TypeError):
        return
    assert made == 0
    client.index_remove(ns, name)


# ---------------------------------------------------------------- truncate


def count(client, ns, set_name):
    return len(client.scan(ns, set_name).results())


def fill(client, ns, set_name, n=5):
    for i in range(n):
        client.put((ns, set_name, i), {"n": i})
    if set_name is not None:
        assert eventually(lambda: count(client, ns, set_name), n) == n


@pytest.fixture
def sets(client):
    """Two fresh set names in NS, emptied after the test."""
    made = ["trunc-%d-%d" % (PID, next(_ids)) for _ in range(2)]
    yield made
    for set_name in made:
        client.truncate(NS, set_name, 0)


def test_truncate_a_set(client, sets):
    fill(client, NS, sets[0])
    fill(client, NS, sets[1])
    assert client.truncate(NS, sets[0], 0) == 0
    assert eventually(lambda: count(client, NS, sets[0]), 0) == 0
    assert count(client, NS, sets[1]) == 5
    client.put((NS, sets[0], "after"), {"n": 1})  # the set takes new records
    assert count(client, NS, sets[0]) == 1


def test_truncate_a_set_before_a_time(client, sets):
    fill(client, NS, sets[0])
    cutoff = cutoff_after(client, [(NS, sets[0], i) for i in range(5)])
    write_after(client, (NS, sets[0], "late"), cutoff)
    assert client.truncate(NS, sets[0], cutoff) == 0
    assert eventually(lambda: count(client, NS, sets[0]), 1) == 1
    assert client.get((NS, sets[0], "late"))[2] == {"n": 99}


def last_update(client, key):
    """The record's last-update time by the server's clock (ns since the Unix epoch)."""
    ops = [expression_operations.expression_read("lut", exp.LastUpdateTime().compile())]
    return client.operate(key, ops)[2]["lut"]


def write_after(client, key, cutoff):
    """Write `key` until the server stamps it at or after `cutoff` (its clock may be coarse)."""
    deadline = time.time() + 5
    while True:
        client.put(key, {"n": 99})
        if last_update(client, key) >= cutoff or time.time() > deadline:
            return
        time.sleep(0.001)


def cutoff_after(client, keys):
    """A truncate time just after the last update of `keys`, by the server's clock."""
    return max(last_update(client, k) for k in keys) + 1_000_000  # + 1 ms: server precision


def other_namespace(client):
    namespaces = client.info_random_node("namespaces").partition("\t")[2].strip().split(";")
    others = [ns for ns in namespaces if ns and ns != NS]
    if not others:
        pytest.skip("the server has no namespace besides %r to truncate" % NS)
    return others[0]


@pytest.mark.parametrize("with_time", [False, True])
def test_truncate_a_namespace(client, with_time):
    ns = other_namespace(client)
    set_name = "trunc-ns-%d" % PID
    # The test owns the other namespace: what other runs left in it goes first, so that the
    # counts below are this test's records.
    client.truncate(ns, None, 0)
    assert eventually(lambda: count(client, ns, None), 0) == 0
    fill(client, ns, set_name, 3)
    fill(client, ns, None, 2)
    assert eventually(lambda: count(client, ns, None), 5) == 5
    cutoff = 0
    if with_time:
        early = [(ns, set_name, i) for i in range(3)] + [(ns, None, i) for i in range(2)]
        cutoff = cutoff_after(client, early)
        write_after(client, (ns, set_name, "late"), cutoff)
    assert client.truncate(ns, None, cutoff) == 0
    left = 1 if with_time else 0
    assert eventually(lambda: count(client, ns, set_name), left) == left
    assert eventually(lambda: count(client, ns, None), left) == left
    client.truncate(ns, None, 0)


def test_truncate_in_the_future_is_refused(client, sets):
    with pytest.raises(ex.InvalidRequest) as info:
        client.truncate(NS, sets[0], time.time_ns() + 10 ** 12)
    assert info.value.code == 4


def test_truncate_of_an_unknown_namespace_is_ok(client):
    # server 8.1 hands the command to the cluster's metadata without checking the namespace
    assert client.truncate("no-such-ns", None, 0) == 0


def test_truncate_of_an_empty_set_name_is_refused(client):
    # "" is not None: the command names an empty set and the server refuses it, as with
    # the official (which the official suite checks); it once truncated the namespace.
    # Done in the namespace test_truncate_a_namespace owns, so that a regression empties
    # nothing another test (or another run on a shared server) is using.
    ns = other_namespace(client)
    set_name = "trunc-empty-%d" % PID
    fill(client, ns, set_name, 2)
    with pytest.raises(ex.InvalidRequest) as info:
        client.truncate(ns, "", 0)
    assert info.value.code == 4
    assert "missing 'set' value" in info.value.msg
    assert count(client, ns, set_name) == 2
    with pytest.raises(ex.NamespaceNotFound) as info:  # an empty namespace name
        client.truncate("", set_name, 0)
    assert info.value.code == 20
    assert count(client, ns, set_name) == 2
    client.truncate(ns, set_name, 0)


@pytest.mark.parametrize("args", [
    (5, None, 0), (NS, 5, 0), (NS, "s", "x"), (NS, "s", -1), (NS, "s", 1.5), (NS, "s", None),
], ids=["ns int", "set int", "nanos str", "nanos negative", "nanos float", "nanos None"])
def test_truncate_argument_errors(client, args):
    with pytest.raises(ex.ParamError):
        client.truncate(*args)


def test_truncate_policy_not_a_dict(client, sets):
    with pytest.raises(ex.AerospikeError):
        client.truncate(NS, sets[0], 0, 5)


def test_bytes_bin_name_up_to_its_first_nul(client, name):
    # as the official client: a bytes/bytearray bin name is taken up to its first NUL
    assert client.index_single_value_create(NS, SET, bytearray(b"n\0kj"),
                                            aerospike.INDEX_NUMERIC, name) == 0
    assert listed(client, name)["bin"] == "n"
