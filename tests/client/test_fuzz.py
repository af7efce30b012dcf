"""Crash safety: arbitrary Python objects into every argument of every command, with the
server up and with a client whose server went away.  Only AerospikeError or TypeError may
come out (never a crash or another exception), and a rejected put writes nothing.

FUZZ_EXAMPLES (environment) sets the examples per test (default 300; 18 commands x up/down
plus the put checks: about 11,000 calls in all).
"""

import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers import HyperLogLog

ALLOWED = (ex.AerospikeError, TypeError)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))

ODD_OBJECTS = [
    object(), aerospike.null(), aerospike.CDTWildcard(), aerospike.CDTInfinite(),
    aerospike.KeyOrderedDict(a=1), aerospike.GeoJSON({"type": "Point", "coordinates": [1, 2]}),
    HyperLogLog(b"\x00\x01"), 1j, Ellipsis, NotImplemented, memoryview(b"mv"), len, int, ex,
    float("nan"), float("inf"), -0.0, 1 << 63, -(1 << 63) - 1, 1 << 64, 1 << 200, (1 << 63) - 1,
    "\ud800", "a\x00b", "x" * 300, b"\x00" * 30, bytearray(20), bytearray(b"\xff" * 21),
    range(3), Exception("e"), type("Odd", (), {"__eq__": lambda s, o: 1 / 0})(),
]
HASHABLE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                     st.binary(max_size=20), st.sampled_from([1 << 64, (1, 2), frozenset([1])]))
ANY = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
              st.binary(max_size=30), st.binary(max_size=30).map(bytearray),
              st.sampled_from(ODD_OBJECTS)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner), st.tuples(inner, inner, inner),
        st.dictionaries(HASHABLE, inner, max_size=4), st.frozensets(HASHABLE, max_size=3),
        st.dictionaries(HASHABLE, inner, max_size=3).map(aerospike.KeyOrderedDict)),
    max_leaves=10)
NOT_STR = ANY.filter(lambda v: not isinstance(v, str))
GOOD = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(1 << 63), (1 << 63) - 1), st.floats(),
              st.text(max_size=20), st.binary(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.text(max_size=5), st.integers()),
                                            inner, max_size=4)),
    max_leaves=8)


def mostly(good, bad=ANY):
    """Three draws in four from ``good``: most examples get past the first checks."""
    # (st.one_of would flatten the branches of ``bad`` and drown ``good``.)
    return st.sampled_from((True, True, True, False)).flatmap(lambda g: good if g else bad)


# Keys: sets come from a fixed pool so that a real server does not collect random set names.
NS = mostly(st.just("test"))
SET = mostly(st.sampled_from(["fuzz", None, ""]), NOT_STR)
PK = mostly(st.one_of(st.text(max_size=10), st.integers(), st.binary(max_size=10).map(bytearray)))
DIGEST = mostly(st.binary(min_size=20, max_size=20).map(bytearray))
KEYS = mostly(st.one_of(st.tuples(NS, SET, PK), st.tuples(NS, SET, st.none(), DIGEST)),
              st.one_of(st.tuples(NS, SET, PK, DIGEST), ANY,
                        st.fixed_dictionaries({"ns": NS, "set": SET, "key": PK})))
BIN_NAME = mostly(st.text("abcxyz", min_size=1, max_size=4), st.one_of(st.text(max_size=18), ANY))
BINS = mostly(st.dictionaries(BIN_NAME.filter(lambda n: isinstance(n, str)), mostly(GOOD),
                              min_size=1, max_size=4),
              st.one_of(st.dictionaries(st.one_of(st.text(max_size=18), HASHABLE), ANY,
                                        max_size=4), ANY))
BIN_LIST = mostly(st.lists(BIN_NAME, max_size=4), st.one_of(st.tuples(BIN_NAME), ANY))
INT_VALUE = mostly(st.integers(-(1 << 31), 1 << 31))
CONCAT_VALUE = mostly(st.one_of(st.text(max_size=10), st.binary(max_size=10)))
NUMBER = mostly(st.one_of(st.integers(-(1 << 63), (1 << 63) - 1), st.floats()))

# Policies never get retry/sleep fields: arbitrary values there only make a down server slow.
POLICY_FIELDS = ["total_timeout", "socket_timeout", "compress", "key", "exists", "gen",
                 "commit_level", "durable_delete", "replica", "read_mode_ap", "read_mode_sc",
                 "read_touch_ttl_percent", "ttl", "expressions", "deserialize", "generation",
                 "timeout", "send_as_is", "check_bounds", "on_locking_only", "nosuchfield"]
POLICY = st.one_of(st.none(), st.none(),
                   st.dictionaries(st.sampled_from(POLICY_FIELDS),
                                   st.one_of(st.integers(0, 5), st.integers(), ANY), max_size=3),
                   ANY.filter(lambda v: not isinstance(v, dict)))
META = st.one_of(st.none(), st.none(),
                 st.dictionaries(st.sampled_from(["ttl", "gen", "other"]),
                                 mostly(st.integers(-2, 1000)), max_size=3),
                 ANY)
OP_CODES = [1, 2, 3, 4, 5, 9, 10, 11, 14, 1001, 1002, 1003, 1005, 1010, 1015, 1101, 1102, 1105,
            1110, 1119, 1124, 2001, 2003, 2101, 2102, 2201, 2202, 4001, 4002, 4101]
OP = mostly(
    st.fixed_dictionaries({"op": mostly(st.sampled_from(OP_CODES))},
                          optional={"bin": BIN_NAME, "val": mostly(GOOD), "index": INT_VALUE,
                                    "key": mostly(GOOD), "return_type": INT_VALUE, "ctx": ANY,
                                    "map_policy": ANY, "list_policy": ANY, "count": INT_VALUE,
                                    "value_begin": ANY, "rank": INT_VALUE, "policy": ANY,
                                    "inverted": ANY}))
OPS = mostly(st.lists(OP, max_size=4))
SERIALIZER = st.one_of(st.none(), st.sampled_from([aerospike.SERIALIZER_NONE,
                                                   aerospike.SERIALIZER_USER, 99]), ANY)
INFO_COMMAND = mostly(st.sampled_from(["namespaces", "node", "build", "", "statistics",
                                       "namespace/test", "sets"]),
                      st.one_of(st.text(max_size=20), ANY))

# command name -> (strategy of its argument tuple, how to call it)
COMMANDS = {
    "get": (st.tuples(KEYS, POLICY), lambda c, a: c.get(*a)),
    "select": (st.tuples(KEYS, BIN_LIST, POLICY), lambda c, a: c.select(*a)),
    "exists": (st.tuples(KEYS, POLICY), lambda c, a: c.exists(*a)),
    "put": (st.tuples(KEYS, BINS, META, POLICY, SERIALIZER), lambda c, a: c.put(*a)),
    "remove": (st.tuples(KEYS, META, POLICY), lambda c, a: c.remove(*a)),
    "remove_bin": (st.tuples(KEYS, BIN_LIST, META, POLICY), lambda c, a: c.remove_bin(*a)),
    "touch": (st.tuples(KEYS, INT_VALUE, META, POLICY), lambda c, a: c.touch(*a)),
    "append": (st.tuples(KEYS, BIN_NAME, CONCAT_VALUE, META, POLICY),
               lambda c, a: c.append(*a)),
    "prepend": (st.tuples(KEYS, BIN_NAME, CONCAT_VALUE, META, POLICY),
                lambda c, a: c.prepend(*a)),
    "increment": (st.tuples(KEYS, BIN_NAME, NUMBER, META, POLICY),
                  lambda c, a: c.increment(*a)),
    "operate": (st.tuples(KEYS, OPS, META, POLICY), lambda c, a: c.operate(*a)),
    "operate_ordered": (st.tuples(KEYS, OPS, META, POLICY),
                        lambda c, a: c.operate_ordered(*a)),
    "info_all": (st.tuples(INFO_COMMAND, POLICY), lambda c, a: c.info_all(*a)),
    "info_random_node": (st.tuples(INFO_COMMAND, POLICY),
                         lambda c, a: c.info_random_node(*a)),
    "info_single_node": (st.tuples(INFO_COMMAND, mostly(st.text(max_size=16)), POLICY),
                         lambda c, a: c.info_single_node(*a)),
    "get_key_partition_id": (st.tuples(NS, SET, PK), lambda c, a: c.get_key_partition_id(*a)),
    "base64": (st.tuples(ANY, ANY), lambda c, a: (
        _allowed(c.get_expression_base64, a[0]), _allowed(c.get_cdtctx_base64, a[1]))),
    "module": (st.tuples(NS, SET, PK, ANY), lambda c, a: (
        _allowed(aerospike.calc_digest, *a[:3]), _allowed(c.connect, a[3], a[2]),
        c.is_connected())),
}


def _allowed(func, *args):
    try:
        return func(*args)
    except ALLOWED:
        return None


def run(client, command, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            COMMANDS[command][1](client, args)
        except ALLOWED:
            pass


def fuzz_test(command):
    @FUZZ
    @given(args=COMMANDS[command][0])
    def check(fuzz_client, args):
        run(fuzz_client, command, args)
    return check


@pytest.fixture(scope="module")
def fuzz_client(aerospike_server):
    c = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
    yield c
    c.close()
    _cleanup(aerospike_server)


def _cleanup(aerospike_server):
    """Remove what the fuzzing wrote in test/fuzz."""
    c = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
    try:
        for rec in c.scan("test", "fuzz").results():
            try:
                c.remove(rec[0])
            except ex.AerospikeError:
                pass
    finally:
        c.close()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_server_up(fuzz_client, command):
    fuzz_test(command)(fuzz_client)


@pytest.fixture(scope="module")
def down_client():
    """A client connected to a dev server that has stopped since."""
    from aerospike_cffi.testing.server import Server

    server = Server().start()
    c = aerospike.client({"hosts": [(server.host, server.port)]})
    server.stop()
    yield c
    c.close()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_server_down(down_client, command):
    fuzz_test(command)(down_client)


def test_server_down_fails_fast_with_connection_errors(down_client):
    # Fast without timing it: a refused connection is its own error at once, never a
    # command left to run into its timeout (TimeoutError) or a "not found" answer.
    for _ in range(20):
        with pytest.raises(ex.AerospikeError) as info:
            down_client.get(("test", "fuzz", "k"))
        assert not isinstance(info.value, ex.TimeoutError), info.value
        assert info.value.code not in (0, 2, 9)


PUT_TARGET = ("test", "fuzz", "put-target-%d" % os.getpid())


def _remove_target(client):
    try:
        client.remove(PUT_TARGET)
    except ex.RecordNotFound:
        pass  # a put of only deletes, or one with a ttl already past


def _check_rejected_write(client, write):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            write()
        except ALLOWED as exc:
            if getattr(exc, "in_doubt", False):  # a timeout after sending: it may be written
                _remove_target(client)
            else:
                assert client.exists(PUT_TARGET)[1] is None, exc
        else:
            _remove_target(client)


@FUZZ
@given(bins=BINS, meta=META, policy=POLICY, serializer=SERIALIZER)
def test_rejected_put_writes_nothing(fuzz_client, bins, meta, policy, serializer):
    _check_rejected_write(fuzz_client,
                          lambda: fuzz_client.put(PUT_TARGET, bins, meta, policy, serializer))


@FUZZ
@given(ops=OPS, meta=META, policy=POLICY)
def test_rejected_operate_writes_nothing(fuzz_client, ops, meta, policy):
    _check_rejected_write(fuzz_client,
                          lambda: fuzz_client.operate(PUT_TARGET, ops, meta, policy))


# Config keys whose large values make the C client start that many threads or connections
# (the official passes them through too) get small ints only; shm is left out.
SMALL_INT_KEYS = ["thread_pool_size", "max_threads", "min_conns_per_node",
                  "max_conns_per_node"]
CONFIG_KEYS = ["lua", "tls", "serialization", "policies", "max_error_rate", "error_rate_window",
               "connect_timeout", "use_shared_connection", "send_bool_as",
               "compression_threshold", "tend_interval", "cluster_name", "rack_aware", "rack_id",
               "rack_ids", "use_services_alternate", "max_socket_idle", "fail_if_not_connected",
               "user", "password", "validate_keys", "app_id", "force_single_node", "nosuchkey"]


@settings(FUZZ, max_examples=max(EXAMPLES // 3, 10))
@given(data=st.data())
def test_client_configs(aerospike_server, data):
    hosts = mostly(st.just([(aerospike_server.host, aerospike_server.port)]),
                   st.one_of(st.lists(st.tuples(st.text(max_size=5), st.integers())), ANY))
    config = data.draw(mostly(st.fixed_dictionaries(
        {"hosts": hosts},
        optional=dict({k: ANY for k in CONFIG_KEYS},
                      **{k: mostly(st.integers(0, 4)) for k in SMALL_INT_KEYS})), ANY))
    if isinstance(config, dict):
        config.setdefault("connect_timeout", 200)
        if not isinstance(config.get("tend_interval"), int) or config["tend_interval"] > 10000:
            config["tend_interval"] = 1000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            client = aerospike.client(config)
        except ALLOWED:
            return
        client.close()
