"""Every Client command against the test server: return shapes and errors as the official
client 19.3.0 gives them (learned by running the same calls through it)."""

import contextlib
import itertools
import os
import warnings

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers.operations import operations as op

_ids = itertools.count()


@contextlib.contextmanager
def raises(cls, message, prefix=False):
    """pytest.raises, and the error's message (.msg, or str() of a non-Aerospike error)."""
    with pytest.raises(cls) as info:
        yield info
    got = info.value.msg if isinstance(info.value, ex.AerospikeError) else str(info.value)
    assert got.startswith(message) if prefix else got == message


def fresh_key(pk=None):
    return ("test", "cffi", pk if pk is not None else "cmd-%d-%d" % (os.getpid(), next(_ids)))


def digest_of(key):
    return aerospike.calc_digest(*key[:3])


@pytest.fixture
def config(aerospike_server):
    return {"hosts": [(aerospike_server.host, aerospike_server.port)]}


@pytest.fixture
def closed_client(config):
    c = aerospike.client(config)
    c.close()
    return c


# ---------------------------------------------------------------- reads and writes


def test_put_returns_zero_and_get_returns_key_meta_bins(client, key):
    assert client.put(key, {"i": 1, "s": "x"}) == 0
    rkey, meta, bins = client.get(key)
    # get() returns the key without the user key (as the official), digest a bytearray.
    assert rkey == ("test", "cffi", None, digest_of(key))
    assert type(rkey[3]) is bytearray and len(rkey[3]) == 20
    assert set(meta) == {"ttl", "gen"} and meta["gen"] == 1
    assert bins == {"i": 1, "s": "x"}


class _Name(str):
    """A str subclass as namespace or set name: the official takes it and returns str."""


@pytest.mark.parametrize("where", ["ns", "set", "dict"])
def test_str_subclass_namespace_and_set_are_taken_and_returned_as_str(client, key, where):
    ns, set_name, pk = key
    if where == "ns":
        user_key = (_Name(ns), set_name, pk)
    elif where == "set":
        user_key = (ns, _Name(set_name), pk)
    else:
        user_key = {"ns": _Name(ns), "set": _Name(set_name), "key": pk}
    assert client.put(user_key, {"a": 1}) == 0
    for got_key in (client.get(user_key)[0], client.exists(user_key)[0],
                    client.operate(user_key, [op.read("a")])[0],
                    client.batch_read([user_key]).batch_records[0].key):
        assert got_key[:2] == (ns, set_name)
        assert type(got_key[0]) is str and type(got_key[1]) is str
        assert got_key[3] == digest_of(key)
    assert client.get(key)[2] == {"a": 1}
    assert client.batch_read([user_key]).batch_records[0].record[2] == {"a": 1}


def test_select_returns_only_named_bins_and_echoes_the_user_key(client, key):
    client.put(key, {"a": 1, "b": 2})
    rkey, meta, bins = client.select(key, ["a", "missing"])
    assert rkey == key + (digest_of(key),)
    assert meta["gen"] == 1
    assert bins == {"a": 1}
    assert client.select(key, ("b",))[2] == {"b": 2}


def test_select_cuts_long_bin_names_to_15_bytes(client, key):
    client.put(key, {"a" * 15: 1})
    assert client.select(key, ["a" * 20])[2] == {"a" * 15: 1}


def test_exists(client, key):
    rkey, meta = client.exists(key)
    assert rkey == key + (digest_of(key),) and meta is None
    client.put(key, {"a": 1})
    rkey, meta = client.exists(key)
    assert rkey == key + (digest_of(key),)
    assert meta["gen"] == 1 and isinstance(meta["ttl"], int)


@pytest.mark.parametrize("call", [
    lambda c, k: c.get(k),
    lambda c, k: c.select(k, ["a"]),
    lambda c, k: c.remove(k),
    lambda c, k: c.touch(k),
    lambda c, k: c.remove_bin(k, ["a"]),
    lambda c, k: c.operate(k, [op.read("a")]),
    lambda c, k: c.operate_ordered(k, [op.read("a")]),
], ids=["get", "select", "remove", "touch", "remove_bin", "operate", "operate_ordered"])
def test_missing_record_raises_record_not_found_with_key(client, key, call):
    with pytest.raises(ex.RecordNotFound) as info:
        call(client, key)
    assert info.value.code == 2
    assert info.value.key == key
    assert info.value.bin is None
    assert "AEROSPIKE_ERR_RECORD_NOT_FOUND" in info.value.msg


def test_remove(client, key):
    client.put(key, {"a": 1})
    assert client.remove(key) == 0
    assert client.exists(key)[1] is None


def test_remove_bin(client, key):
    client.put(key, {"a": 1, "b": 2})
    assert client.remove_bin(key, ["a"]) == 0
    assert client.get(key)[2] == {"b": 2}
    # Removing the last bin removes the record.
    assert client.remove_bin(key, ["b"]) == 0
    assert client.exists(key)[1] is None


def test_remove_bin_with_a_too_long_name_returns_zero_and_writes_nothing(client, key):
    client.put(key, {"a": 1})
    assert client.remove_bin(key, ["a", "b" * 16]) == 0
    assert client.get(key)[1:] == ({"ttl": client.get(key)[1]["ttl"], "gen": 1}, {"a": 1})


def test_put_none_and_null_delete_bins(client, key):
    client.put(key, {"a": 1, "b": 2, "c": 3})
    assert client.put(key, {"a": None, "b": aerospike.null()}) == 0
    assert client.get(key)[2] == {"c": 3}
    assert client.put(key, {"c": None}) == 0
    assert client.exists(key)[1] is None


def test_put_of_only_deletes_on_a_missing_record_is_record_not_found(client, key):
    with pytest.raises(ex.RecordNotFound) as info:
        client.put(key, {"a": None})
    assert info.value.key == key and info.value.bin == {"a": None}


def test_touch(client, key):
    client.put(key, {"a": 1})
    assert client.touch(key, 1000) == 0
    meta = client.get(key)[1]
    assert meta["gen"] == 2 and 990 <= meta["ttl"] <= 1000


def test_touch_uses_val_not_meta_ttl(client, key):
    client.put(key, {"a": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client.touch(key, 500, meta={"ttl": 5000})
    assert 490 <= client.get(key)[1]["ttl"] <= 500


def test_append_prepend(client, key):
    assert client.append(key, "s", "b") == 0  # creates the record
    assert client.prepend(key, "s", "a") == 0
    assert client.append(key, "s", "c") == 0
    client.put(key, {"y": b"2"}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    assert client.append(key, "y", b"3") == 0
    assert client.prepend(key, "y", bytearray(b"1")) == 0
    assert client.get(key)[2] == {"s": "abc", "y": b"123"}


def test_increment(client, key):
    assert client.increment(key, "i", 5) == 0
    assert client.increment(key, "i", -2) == 0
    assert client.increment(key, "i", True) == 0  # a bool counts as 1
    assert client.increment(key, "f", 1.5) == 0
    assert client.increment(key, "f", 1.25) == 0
    assert client.get(key)[2] == {"i": 4, "f": 2.75}


@pytest.mark.parametrize("call", [
    lambda c, k: c.append(k, "n", "x"),
    lambda c, k: c.prepend(k, "n", b"x"),
    lambda c, k: c.increment(k, "s", 1),
    lambda c, k: c.increment(k, "n", 1.5),
], ids=["append-int", "prepend-int", "increment-str", "increment-float-on-int"])
def test_incompatible_bin_type(client, key, call):
    client.put(key, {"n": 1, "s": "x"})
    with pytest.raises(ex.BinIncompatibleType) as info:
        call(client, key)
    assert info.value.code == 12 and info.value.key == key
    assert info.value.bin in ("n", "s")


def test_operate_returns_read_results(client, key):
    client.put(key, {"a": 1, "b": 2})
    rkey, meta, bins = client.operate(key, [op.read("a"), op.increment("a", 1)])
    assert rkey == key + (digest_of(key),)
    assert meta["gen"] == 2
    assert bins == {"a": 1}
    assert client.operate(key, [op.increment("a", 1), op.read("a")])[2] == {"a": 3}
    # Only writes: no bins.
    assert client.operate(key, [op.increment("b", 1)])[2] == {}
    # Non-dict entries are skipped by operate() (as the official).
    assert client.operate(key, [1, op.read("b")])[2] == {"b": 3}


def test_operate_write_creates_and_touch_sets_ttl(client, key):
    bins = client.operate(key, [op.write("a", 1), op.read("a")])[2]
    assert bins == {"a": 1}
    meta = client.operate(key, [op.touch(500), op.read("a")])[1]
    assert 490 <= meta["ttl"] <= 500


def test_operate_delete(client, key):
    client.put(key, {"a": 1})
    rkey, meta, bins = client.operate(key, [op.delete()])
    assert bins == {}
    assert client.exists(key)[1] is None


def test_operate_ordered_keeps_operation_order(client, key):
    client.put(key, {"a": 1, "b": 2})
    rkey, meta, pairs = client.operate_ordered(key, [op.read("b"), op.read("a")])
    assert rkey == key + (digest_of(key),)
    assert meta["gen"] == 1
    assert pairs == [("b", 2), ("a", 1)]
    assert client.operate_ordered(key, [op.increment("a", 1)])[2] == []


@pytest.mark.parametrize("ordered", [False, True])
def test_operate_argument_errors(client, key, ordered):
    call = client.operate_ordered if ordered else client.operate
    with raises(ex.ParamError, "No operations defined"):
        call(key, [])
    with raises(ex.ParamError, "Operations should be of type list"):
        call(key, (op.read("a"),))
    with raises(ex.ParamError, "Bin is not given"):
        call(key, [{"op": aerospike.OPERATOR_INCR, "val": 1}])
    with raises(ex.ParamError, "Value should be given"):
        call(key, [{"op": aerospike.OPERATOR_WRITE, "bin": "a"}])
    with pytest.raises(ex.BinNameError) as info:
        call(key, [op.write("a" * 16, 1)])
    assert info.value.key == key
    if ordered:
        with raises(ex.ParamError, "Operation must be a dict"):
            call(key, [1, op.read("a")])
    assert client.exists(key)[1] is None


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize("pk", [0, -1, 2 ** 63 - 1, -2 ** 63, "", "é", True])
def test_key_kinds_round_trip(client, pk):
    key = fresh_key(pk)
    try:
        client.put(key, {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
        echoed = client.exists(key)[0]
        assert echoed[2] == pk and echoed[3] == digest_of(key)
        # Commands echo the key they were given: a digest key has no user key.
        by_digest = ("test", "cffi", None, digest_of(key))
        assert client.operate(by_digest, [op.read("a")])[0] == by_digest
        assert client.get(by_digest)[2] == {"a": 1}
    finally:
        client.remove(key)


def test_bytearray_and_bytes_keys(client):
    key = fresh_key(bytearray(b"ab"))
    try:
        client.put(key, {"a": 1})
        assert client.exists(key)[0][2] == bytearray(b"ab")
    finally:
        client.remove(key)
    # bytes are sent as a string key (up to a NUL), as the official does
    key = fresh_key(b"ab\x00cd")
    try:
        client.put(key, {"a": 1})
        assert client.exists(key)[0][2] == "ab"
        assert client.get(fresh_key("ab"))[2] == {"a": 1}
    finally:
        client.remove(key)


def test_digest_key(client, key):
    client.put(key, {"a": 1})
    by_digest = ("test", "cffi", None, digest_of(key))
    assert client.get(by_digest)[2] == {"a": 1}
    assert client.exists(by_digest)[0] == by_digest
    # A user key and a digest: the user key wins (as the official).
    both = key + (bytearray(20),)
    assert client.exists(both)[0] == key + (digest_of(key),)


def test_set_none_and_empty_set(client):
    for set_name in (None, ""):
        key = ("test", set_name, "set-%d" % next(_ids))
        client.put(key, {"a": 1})
        try:
            # An empty set name comes back as None.
            assert client.exists(key)[0][:3] == ("test", None, key[2])
            assert client.exists(key)[0][3] == aerospike.calc_digest("test", "", key[2])
        finally:
            client.remove(key)


def test_key_as_dict(client, key):
    assert client.put({"ns": key[0], "set": key[1], "key": key[2]}, {"a": 1}) == 0
    assert client.get(key)[2] == {"a": 1}


def test_unknown_namespace(client):
    for call in (lambda k: client.put(k, {"a": 1}), client.get, client.exists):
        with pytest.raises(ex.NamespaceNotFound) as info:
            call(("nosuchns", "s", "k"))
        assert info.value.code == 20


# ---------------------------------------------------------------- info and nodes


def test_node_names_and_nodes(client):
    names = client.get_node_names()
    assert names and all(set(n) == {"address", "port", "node_name"} for n in names)
    assert all(isinstance(n["node_name"], str) and isinstance(n["port"], int) for n in names)
    nodes = client.get_nodes()
    assert nodes == [(n["address"], n["port"]) for n in names]


@pytest.mark.parametrize("name", ["get_nodes", "get_node_names", "is_connected", "shm_key"])
def test_argumentless_methods_ignore_arguments(client, name):
    # The official's C methods parse no arguments, so anything passed is ignored (its own
    # suite calls get_nodes("parameter")); a TypeError here would break such callers.
    method = getattr(client, name)
    want = method()
    assert method("parameter") == want
    assert method(1, None, policy={"timeout": 5}) == want


def test_info_commands(client):
    namespaces = client.info_random_node("namespaces")
    assert namespaces.startswith("namespaces\t") and "test" in namespaces
    node = client.get_node_names()[0]["node_name"]
    assert client.info_single_node("namespaces", node) == namespaces
    assert client.info_random_node("node") == "node\t%s\n" % node
    everything = client.info_all("namespaces")
    assert set(everything) == {n["node_name"] for n in client.get_node_names()}
    # info_all answers without the echoed request
    assert all(v == (None, namespaces.split("\t", 1)[1]) for v in everything.values())
    # build answers a version string; read it from the server, do not hard-code it
    build = client.info_random_node("build").split("\t")[1].strip()
    assert build and build[0].isdigit()
    # a policy with every info field
    assert client.info_random_node(
        "namespaces", {"timeout": 1000, "send_as_is": True, "check_bounds": True}) == namespaces


def test_info_errors(client):
    node = client.get_node_names()[0]["node_name"]
    with raises(ex.ParamError, "Request should be a string."):
        client.info_random_node(1)
    with raises(ex.ParamError, "Request should be a string."):
        client.info_single_node(1, node)
    with raises(ex.ParamError, "Request must be a string"):
        client.info_all(1)
    with raises(ex.ParamError, "Host must be a string."):
        client.info_single_node("namespaces", ("127.0.0.1", 3000))
    with raises(ex.ParamError, "Could not get node with name nonode."):
        client.info_single_node("namespaces", "nonode")
    for call in (lambda p: client.info_all("namespaces", p),
                 lambda p: client.info_random_node("namespaces", p),
                 lambda p: client.info_single_node("namespaces", node, p)):
        with raises(ex.ParamError, "timeout is invalid"):
            call({"timeout": "x"})
        with raises(ex.ParamError, "policy must be a dict"):
            call(5)
    with pytest.raises(ex.InvalidRequest) as info:
        client.info_random_node("nosuchcommand")
    assert info.value.code == 4


# ---------------------------------------------------------------- digests, partitions, base64


def test_calc_digest_and_partition_id(client):
    digest = aerospike.calc_digest("test", "demo", "pk")
    assert type(digest) is bytearray and len(digest) == 20
    pid = client.get_key_partition_id("test", "demo", "pk")
    assert pid == int.from_bytes(digest[:2], "little") & 4095
    assert client.get_key_partition_id("test", "demo", 5) == (
        int.from_bytes(aerospike.calc_digest("test", "demo", 5)[:2], "little") & 4095)
    assert 0 <= client.get_key_partition_id("test", "demo", bytearray(b"x")) < 4096


def test_calc_digest_type_errors():
    for args, message in ((("test", None, "pk"), "Set should be a string or unicode"),
                          (("test", "s", b"pk"), "Key is invalid"),
                          (("test", "s", 1.5), "Key is invalid"),
                          ((1, "s", 1), "Namespace should be a string")):
        with raises(TypeError, message):
            aerospike.calc_digest(*args)
    with raises(ex.ParamError, "integer value for KEY exceeds sys.maxsize"):
        aerospike.calc_digest("test", "s", 2 ** 64)


def test_get_key_partition_id_errors(client, closed_client):
    for args, message in ((("test", "demo", 1.5), "Key is invalid."),
                          (("test", "demo", b"x"), "Key is invalid."),
                          ((1, "demo", 1), "Namespace should be a string."),
                          (("test", None, 1), "Set should be a string or unicode.")):
        with raises(ex.ParamError, message):
            client.get_key_partition_id(*args)
    with raises(ex.ClusterError, "No connection to aerospike cluster"):
        closed_client.get_key_partition_id("test", "demo", "pk")


def test_base64_helpers(client, closed_client):
    from aerospike_helpers import cdt_ctx
    from aerospike_helpers import expressions as exp

    expr = exp.Eq(exp.IntBin("a"), 1).compile()
    assert client.get_expression_base64(expr) == "kwGTUQKhYQE="
    assert closed_client.get_expression_base64(expr) == "kwGTUQKhYQE="
    ctx = [cdt_ctx.cdt_ctx_list_index(0), cdt_ctx.cdt_ctx_map_key("k")]
    assert client.get_cdtctx_base64(ctx) == "lBAAIqIDaw=="
    assert closed_client.get_cdtctx_base64([cdt_ctx.cdt_ctx_list_index(0)]) == "khAA"
    with raises(ex.ParamError, "parameter is not list type"):
        client.get_cdtctx_base64(5)
    with raises(ex.ParamError, "cdt ctx list entries are empty"):
        client.get_cdtctx_base64([])
    with raises(ex.ParamError, "Failed to convert ctx, id"):
        client.get_cdtctx_base64([1])
    with raises(ex.ParamError, "expression must be a non empty list of 4 element", prefix=True):
        client.get_expression_base64(5)


# ---------------------------------------------------------------- connection life cycle


def test_is_connected_close_connect(config, key):
    c = aerospike.client(config)
    assert c.is_connected() is True
    assert c.connect() is c  # connected: returns at once
    assert c.close() is None
    assert c.is_connected() is False
    assert c.close() is None  # closing twice is fine
    assert c.connect() is c and c.is_connected()
    for _ in range(3):  # each connection gets its own C config
        c.close()
        c.connect()
        assert c.put(key, {"a": 1}) == 0
    c.close()


def test_connect_credentials(config):
    c = aerospike.client(config)
    assert c.connect(1, 2) is c  # non-string credentials are ignored when connected
    c.close()
    with raises(ex.ParamError, "Username must not be empty"):
        c.connect("", "p")
    with raises(ex.ParamError, "Password must not be empty"):
        c.connect("u", "")
    with raises(ex.ParamError, "Username length exceeds the maximum of 63 characters"):
        c.connect("u" * 64, "p")
    with raises(ex.ParamError, "Password length exceeds the maximum of 63 characters"):
        c.connect("u", "p" * 64)
    assert c.connect(1, 2).is_connected()
    c.close()


def test_context_manager_closes(config):
    with aerospike.client(config) as c:
        assert c.is_connected()
    assert not c.is_connected()


def test_close_with_filter_expressions_in_config_policies(config, key):
    # Closing and reconnecting a client whose config holds filter expressions once crashed.
    from aerospike_helpers import expressions as exp

    policies = {"read": {"expressions": exp.Eq(exp.IntBin("a"), 2).compile()}}
    c = aerospike.client(dict(config, policies=policies))
    try:
        c.put(key, {"a": 2})
        assert c.get(key)[2] == {"a": 2}
        c.close()
        c.connect()
        assert c.get(key, {"total_timeout": 1000})[2] == {"a": 2}
    finally:
        c.close()


CLOSED_CALLS = {
    "get": lambda c, k: c.get(k),
    "select": lambda c, k: c.select(k, ["a"]),
    "exists": lambda c, k: c.exists(k),
    "put": lambda c, k: c.put(k, {"a": 1}),
    "remove": lambda c, k: c.remove(k),
    "remove_bin": lambda c, k: c.remove_bin(k, ["a"]),
    "touch": lambda c, k: c.touch(k),
    "append": lambda c, k: c.append(k, "a", "x"),
    "prepend": lambda c, k: c.prepend(k, "a", "x"),
    "increment": lambda c, k: c.increment(k, "a", 1),
    "operate": lambda c, k: c.operate(k, [op.read("a")]),
    "operate_ordered": lambda c, k: c.operate_ordered(k, [op.read("a")]),
    "info_all": lambda c, k: c.info_all("namespaces"),
    "get_nodes": lambda c, k: c.get_nodes(),
    "bad key": lambda c, k: c.get(1),
}
CLOSED_WITH_PERIOD = {
    "get_node_names": lambda c, k: c.get_node_names(),
    "info_random_node": lambda c, k: c.info_random_node("namespaces"),
}


@pytest.mark.parametrize("name", sorted(CLOSED_CALLS) + sorted(CLOSED_WITH_PERIOD))
def test_closed_client_raises_cluster_error(closed_client, key, name):
    call = CLOSED_CALLS.get(name) or CLOSED_WITH_PERIOD[name]
    message = "No connection to aerospike cluster" + ("." if name in CLOSED_WITH_PERIOD else "")
    with pytest.raises(ex.ClusterError) as info:
        call(closed_client, key)
    assert (info.value.code, info.value.msg) == (11, message)


def test_unconnectable_host():
    with pytest.raises(ex.ConnectionError) as info:
        aerospike.client({"hosts": [("127.0.0.1", 1)]})
    assert (info.value.code, info.value.msg) == (-10, "Failed to connect")


def test_unreachable_host_without_fail_if_not_connected(key):
    c = aerospike.client({"hosts": [("127.0.0.1", 1)], "fail_if_not_connected": False})
    try:
        assert c.is_connected() is False  # no node in the cluster
        with raises(ex.NamespaceNotFound, "Cluster is empty"):
            c.get(key)
    finally:
        c.close()
