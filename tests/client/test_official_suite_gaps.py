"""Behaviours the official client's own test suite relies on, found missing by running that
suite against ours (scripts/official_suite.sh). Each test states the behaviour in our own
terms; none is taken from that suite."""

import os

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as e
from aerospike_helpers.operations import (bitwise_operations, hll_operations, list_operations,
                                          map_operations)


@pytest.fixture(scope="module")
def hosts(aerospike_server):
    return [(aerospike_server.host, aerospike_server.port)]


@pytest.fixture(scope="module")
def strict_client(hosts):
    c = aerospike.client({"hosts": hosts, "validate_keys": True})
    yield c
    c.close()


# -- methods name their class, as the official's method descriptors do --------------------

@pytest.mark.parametrize("cls, name", [
    ("Client", "get"), ("Client", "operate"), ("Client", "batch_read"), ("Client", "info_all"),
    ("Client", "admin_query_user_info"), ("Scan", "foreach"), ("Query", "where"),
])
def test_methods_carry_their_class(cls, name):
    owner = getattr(aerospike, cls)
    assert getattr(owner, name).__objclass__ is owner


def test_shared_stream_method_names_a_stream_class():
    # results() is one function for Scan and Query; it names one of them
    assert aerospike.Query.results.__objclass__ in (aerospike.Scan, aerospike.Query)


# -- a client built without a config -------------------------------------------------------

@pytest.mark.parametrize("make", [aerospike.client, lambda: aerospike.Client()],
                         ids=["client", "Client"])
def test_missing_config_is_param_error_from_type_error(make):
    with pytest.raises(e.ParamError) as info:
        make()
    assert info.value.code == -2
    assert info.value.msg == "No config argument"
    assert type(info.value.__context__) is TypeError


# -- validate_keys covers the policies inside operations -----------------------------------

BAD = {"nosuchkey": 1}


@pytest.mark.parametrize("op", [
    list_operations.list_append("lb", 1, policy=BAD),
    map_operations.map_put("mb", "k", "v", map_policy=BAD),
    bitwise_operations.bit_not("bb", bit_offset=0, bit_size=8, policy=BAD),
    hll_operations.hll_add("hb", values=[1, 2], policy=BAD),
], ids=["list", "map", "bit", "hll"])
def test_validate_keys_checks_operation_policies(strict_client, client, key, op):
    client.put(key, {"x": 1})
    with pytest.raises(e.ParamError) as info:
        strict_client.operate(key, [op])
    assert info.value.msg == '"nosuchkey" is an invalid policy dictionary key'
    assert client.get(key)[2] == {"x": 1}  # nothing was sent


@pytest.mark.parametrize("op", [
    list_operations.list_append("lb", 1, policy={"list_order": aerospike.LIST_UNORDERED,
                                                 "write_flags": 0}),
    map_operations.map_put("mb", "k", "v", map_policy={"map_order": aerospike.MAP_UNORDERED,
                                                       "map_write_flags": 0,
                                                       "persist_index": False}),
    hll_operations.hll_add("hb", values=[1, 2], index_bit_count=8,
                           policy={"flags": aerospike.HLL_WRITE_DEFAULT}),
], ids=["list", "map", "hll"])
def test_validate_keys_accepts_known_operation_policy_keys(strict_client, key, op):
    strict_client.operate(key, [op])


def test_operation_policies_unchecked_without_validate_keys(client, key):
    client.operate(key, [list_operations.list_append("lb", 1, policy=BAD)])
    assert client.get(key)[2] == {"lb": [1]}


# -- argument errors in the official's words, off the hot path ----------------------------
# (the words themselves are compared with the official client in fidelity_cases.py)

def test_argument_errors_are_reworded_off_the_hot_path(client):
    with pytest.raises(TypeError, match=r"^info_all\(\) missing required argument 'command' "
                                        r"\(pos 1\)$"):
        client.info_all()
    with pytest.raises(TypeError, match=r"^udf_list\(\) takes at most 1 argument \(2 given\)$"):
        client.udf_list({}, 2)
    with pytest.raises(TypeError, match=r"^argument for info_all\(\) given by name "
                                        r"\('command'\) and position \(1\)$"):
        client.info_all("build", command="build")


def test_record_commands_keep_pythons_words(client):
    # no call layer on the hot path: Python's own message
    with pytest.raises(TypeError, match="required positional argument"):
        client.get()
    assert not hasattr(aerospike.Client.get, "__wrapped__")
    assert not hasattr(aerospike.Client.batch_read, "__wrapped__")


def test_type_errors_raised_inside_a_method_pass_unchanged(client):
    query = client.query("test", "cffi")
    with pytest.raises(TypeError, match=r"^where_with_index_name\(\) argument 1 must be str"):
        query.where_with_index_name(5, None)
    with pytest.raises(TypeError, match=r"^job_info\(\) argument 1 must be int, not str$"):
        client.job_info("1")


def test_scan_and_query_come_only_from_a_client(client):
    for cls in (aerospike.Scan, aerospike.Query):
        with pytest.raises(TypeError, match="cannot create 'aerospike.%s' instances"
                                            % cls.__name__):
            cls("test", "demo")
    with pytest.raises(e.ParamError, match="query\\(\\) expects atleast 1 parameter"):
        client.query()
    with pytest.raises(e.ParamError, match="Parameters are incorrect"):
        client.scan()
    assert isinstance(client.query(namespace="test"), aerospike.Query)


# -- a foreach stopped by its callback resumes at the first record it did not take --------

@pytest.fixture
def spread_set(client):
    """A set of 40 records over many partitions."""
    set_name = "stop-%d" % os.getpid()
    keys = [("test", set_name, "r%d" % i) for i in range(40)]
    for i, k in enumerate(keys):
        client.put(k, {"i": i})
    yield set_name
    for k in keys:
        client.remove(k)


@pytest.mark.parametrize("kind", ["scan", "query"])
@pytest.mark.parametrize("filtered", [True, False], ids=["partition_filter", "paginate"])
def test_foreach_stopped_by_callback_resumes_after_last_taken(client, spread_set, kind,
                                                              filtered):
    taken = []

    def stop_after_7(*args):
        if len(taken) == 7:
            return False
        taken.append(args[-1][2]["i"])

    first = getattr(client, kind)("test", spread_set)
    policy = {}
    if filtered:
        policy["partition_filter"] = {"begin": 0, "count": 4096}
    else:
        first.paginate()
    first.foreach(stop_after_7, policy)
    assert len(taken) == 7
    assert not first.is_done()
    status = first.get_partitions_status()
    assert status["done"] is False

    rest = []
    second = getattr(client, kind)("test", spread_set)
    second.foreach(lambda *args: rest.append(args[-1][2]["i"]),
                   {"partition_filter": {"begin": 0, "count": 4096,
                                         "partition_status": status}})
    assert sorted(taken + rest) == list(range(40))


def test_log_level_beyond_a_c_long_is_a_param_error():
    try:
        with pytest.raises(e.ParamError, match="integer value exceeds sys.maxsize"):
            aerospike.set_log_level(1 << 66)
        assert aerospike.set_log_level((1 << 31)) == 0  # a C int's bits: off
    finally:
        aerospike.set_log_level(aerospike.LOG_LEVEL_OFF)


def test_filter_expression_values_use_the_client_serializer(hosts, key):
    import json

    from aerospike_helpers import expressions as exp

    own = aerospike.client({"hosts": hosts, "serialization": (json.dumps, json.loads)})
    try:
        own.put(key, {"t": (1, 2, 3), "n": 1})
        match = exp.Eq(exp.BlobBin("t"), (1, 2, 3)).compile()
        assert own.get(key, {"expressions": match})[2]["n"] == 1
        other = exp.Eq(exp.BlobBin("t"), (1, 2)).compile()
        with pytest.raises(e.FilteredOut):
            own.get(key, {"expressions": other})
    finally:
        own.close()


# -- a metrics policy in the client config ---------------------------------------------------

def test_config_metrics_policy_is_checked_at_client_creation(hosts):
    from aerospike_helpers.metrics import MetricsPolicy

    with pytest.raises(e.ParamError, match="MetricsPolicy.report_size_limit must be a "
                                           "unsigned 64-bit integer type"):
        aerospike.client({"hosts": hosts,
                          "policies": {"metrics": MetricsPolicy(report_size_limit=1 << 64)}})


def test_enable_metrics_without_policy_uses_the_config_one(hosts, tmp_path):
    from aerospike_helpers.metrics import MetricsPolicy

    policy = MetricsPolicy(report_dir=str(tmp_path), latency_columns=3)
    own = aerospike.client({"hosts": hosts, "policies": {"metrics": policy}})
    try:
        own.enable_metrics()
        own.disable_metrics()
    finally:
        own.close()
    files = list(tmp_path.glob("metrics-*.log"))
    assert files  # written where the config's policy says
    with open(str(files[0])) as f:
        assert "latency(3,1)" in f.readline()  # the config's latency_columns
