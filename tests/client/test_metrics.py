"""Client metrics and statistics: enable_metrics / disable_metrics (the C client's metrics
files, or MetricsListeners called from its threads) and get_stats()."""

import glob
import os
import threading
import time

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception
from aerospike_helpers.metrics import (Cluster, ClusterStats, ConnectionStats, MetricsListeners,
                                       MetricsPolicy, NamespaceMetrics, Node, NodeStats)

CONN_FIELDS = {"in_use", "in_pool", "opened", "closed", "recovered", "aborted"}
LATENCIES = ("conn_latency", "write_latency", "read_latency", "batch_latency", "query_latency")


@pytest.fixture
def own_client(aerospike_server):
    """A client of its own: metrics are per cluster, and closing ends them."""
    c = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
    yield c
    c.close()


def _nothing(*args):
    return None


def _listeners(**overrides):
    callbacks = dict(enable_listener=_nothing, snapshot_listener=_nothing,
                     node_close_listener=_nothing, disable_listener=_nothing)
    callbacks.update(overrides)
    return MetricsListeners(**callbacks)


def _wait_for(condition, what):
    # A snapshot comes after `interval` tend iterations (about a second each here).
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("no %s within a minute" % what)
        time.sleep(0.05)


# ------------------------------------------------------------ policy checks

def _policy(**attrs):
    policy = MetricsPolicy()
    for name, value in attrs.items():
        setattr(policy, name, value)
    return policy


BAD_POLICIES = [
    (1, "policy parameter must be an aerospike_helpers.MetricsPolicy type"),
    ({}, "policy parameter must be an aerospike_helpers.MetricsPolicy type"),
    (_policy(metrics_listeners=1),
     "MetricsPolicy.metrics_listeners must be a aerospike_helpers.metrics.MetricsListeners type"),
    (_policy(report_dir=None), "MetricsPolicy.report_dir must be a str type"),
    (_policy(report_dir="d" * 300), "MetricsPolicy.report_dir must be less than 256 chars"),
    (_policy(report_size_limit=-1),
     "MetricsPolicy.report_size_limit must be a unsigned 64-bit integer type"),
    (_policy(report_size_limit=1 << 64),
     "MetricsPolicy.report_size_limit must be a unsigned 64-bit integer type"),
    (_policy(interval="x"), "MetricsPolicy.interval must be a unsigned 32-bit integer type"),
    (_policy(interval=1 << 32), "MetricsPolicy.interval must be a unsigned 32-bit integer type"),
    (_policy(latency_columns=256),
     "MetricsPolicy.latency_columns must be a unsigned 8-bit integer type"),
    (_policy(latency_shift=-1),
     "MetricsPolicy.latency_shift must be a unsigned 8-bit integer type"),
    (_policy(labels=[]), "MetricsPolicy.labels must be a dict[str, str] type"),
    (_policy(labels={"a": 1}), "MetricsPolicy.labels must be a dict[str, str] type"),
    (_policy(labels={1: "a"}), "MetricsPolicy.labels must be a dict[str, str] type"),
] + [
    (_policy(metrics_listeners=_listeners(**{name: 5})),
     "MetricsPolicy.metrics_listeners.%s must be a callable type" % name)
    for name in ("enable_listener", "snapshot_listener", "node_close_listener",
                 "disable_listener")
]


@pytest.mark.parametrize("policy, message", BAD_POLICIES)
def test_bad_policy(own_client, policy, message):
    with pytest.raises(exception.ParamError) as info:
        own_client.enable_metrics(policy)
    assert info.value.msg == message


def test_listeners_missing_a_callback(own_client):
    listeners = _listeners()
    del listeners.snapshot_listener
    with pytest.raises(exception.ParamError,
                       match="Unable to fetch snapshot_listener attribute from MetricsListeners"):
        own_client.enable_metrics(MetricsPolicy(metrics_listeners=listeners))


def test_closed_client(own_client):
    own_client.close()
    for call in (own_client.enable_metrics, own_client.disable_metrics, own_client.get_stats):
        with pytest.raises(exception.ClusterError):
            call()


# ------------------------------------------------------------ metrics files

def _metrics_files(directory):
    return sorted(glob.glob(os.path.join(str(directory), "metrics-*.log")))


def test_metrics_file_as_the_official_writes_it(own_client, tmp_path):
    assert own_client.enable_metrics(MetricsPolicy(report_dir=str(tmp_path),
                                                   labels={"app": "demo"})) is None
    assert own_client.disable_metrics() is None
    files = _metrics_files(tmp_path)
    assert len(files) == 1
    with open(files[0]) as f:
        lines = f.read().splitlines()
    header, snapshot = lines[0], lines[-1]
    assert " header(2) cluster[name,clientType,clientVersion,appId,label[]," in header
    assert "latency(7,1)[type[l1,l2,l3...]]" in header
    # The client names itself as the official does: "python", then its version.
    assert (" cluster[,python,%s,not-set,[[app,demo]]," % aerospike.__version__) in snapshot
    node = own_client.get_node_names()[0]
    assert "[%s,%s,%d," % (node["node_name"], node["address"], node["port"]) in snapshot


def test_default_policy_writes_in_the_current_directory(own_client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    own_client.enable_metrics()
    own_client.close()  # closing ends the metrics too
    assert len(_metrics_files(tmp_path)) == 1


def test_latency_shape_in_the_header(own_client, tmp_path):
    own_client.enable_metrics(MetricsPolicy(report_dir=str(tmp_path), latency_columns=5,
                                            latency_shift=3))
    own_client.disable_metrics()
    with open(_metrics_files(tmp_path)[0]) as f:
        assert "latency(5,3)" in f.readline()


# ------------------------------------------------------------ listeners

def test_listeners_get_the_official_objects(own_client, key):
    events = []
    threads = set()

    def record(name):
        def callback(*args):
            threads.add(threading.get_ident())
            events.append((name,) + args)
        return callback

    listeners = MetricsListeners(record("enable"), record("snapshot"), record("node_close"),
                                 record("disable"))
    own_client.enable_metrics(MetricsPolicy(metrics_listeners=listeners, interval=1,
                                            latency_columns=4))
    own_client.put(key, {"a": 1})
    own_client.get(key)
    _wait_for(lambda: any(e[0] == "snapshot" for e in events), "snapshot event")
    own_client.disable_metrics()
    names = [e[0] for e in events]
    assert names[0] == "enable" and names[-1] == "disable"
    assert events[0] == ("enable",)

    cluster = events[-1][1]
    assert type(cluster) is Cluster
    assert cluster.cluster_name is None and cluster.app_id == "not-set"
    for name in ("invalid_node_count", "command_count", "retry_count"):
        assert isinstance(getattr(cluster, name), int)
    assert cluster.command_count >= 2
    node = cluster.nodes[0]
    assert type(node) is Node
    assert {n["node_name"] for n in own_client.get_node_names()} == {n.name for n in cluster.nodes}
    assert isinstance(node.address, str) and isinstance(node.port, int)
    assert type(node.conns) is ConnectionStats and set(vars(node.conns)) == CONN_FIELDS
    by_ns = {m.ns: m for m in node.metrics}
    metrics = by_ns[key[0]]
    assert type(metrics) is NamespaceMetrics
    for name in LATENCIES:
        assert len(getattr(metrics, name)) == 4
    assert sum(metrics.write_latency) >= 1 and sum(metrics.read_latency) >= 1
    assert metrics.bytes_in > 0 and metrics.bytes_out > 0
    assert metrics.error_count == 0


def test_a_raising_enable_listener_fails_enable(own_client):
    def boom():
        raise ValueError("boom")

    with pytest.raises(exception.ClientError) as info:
        own_client.enable_metrics(MetricsPolicy(metrics_listeners=_listeners(
            enable_listener=boom)))
    assert info.value.msg == ("Python callback enable_listener threw a ValueError exception. "
                              "Exception value: boom")


def test_an_enable_listener_error_that_cannot_be_shown(own_client):
    class Unshowable:
        def __str__(self):
            raise RuntimeError("no text")

    def boom():
        raise ValueError(Unshowable())

    with pytest.raises(exception.ClientError) as info:
        own_client.enable_metrics(MetricsPolicy(metrics_listeners=_listeners(
            enable_listener=boom)))
    assert info.value.msg == ("Python callback enable_listener threw a ValueError exception. "
                              "str() on exception value threw an error")


def test_a_raising_disable_listener_fails_disable(own_client):
    def boom(cluster):
        raise KeyError("gone")

    own_client.enable_metrics(MetricsPolicy(metrics_listeners=_listeners(disable_listener=boom)))
    with pytest.raises(exception.ClientError, match="Python callback disable_listener threw a "
                                                    "KeyError exception"):
        own_client.disable_metrics()
    assert own_client.disable_metrics() is None  # already off


def test_a_raising_snapshot_listener_does_not_stop_metrics(own_client):
    calls = []
    done = []

    def boom(cluster):
        calls.append(cluster)
        raise RuntimeError("snapshot failed")

    own_client.enable_metrics(MetricsPolicy(
        metrics_listeners=_listeners(snapshot_listener=boom, disable_listener=done.append),
        interval=1))
    _wait_for(lambda: len(calls) >= 2, "second snapshot after a raising one")
    own_client.disable_metrics()
    assert len(done) == 1 and type(done[0]) is Cluster


def test_enabling_again_replaces_the_listeners(own_client):
    first, second = [], []
    own_client.enable_metrics(MetricsPolicy(metrics_listeners=_listeners(
        disable_listener=first.append)))
    own_client.enable_metrics(MetricsPolicy(metrics_listeners=_listeners(
        disable_listener=second.append)))
    assert len(first) == 1 and not second
    own_client.close()
    assert len(second) == 1


# ------------------------------------------------------------ get_stats

def test_get_stats_shape(own_client, key):
    own_client.put(key, {"a": 1})
    stats = own_client.get_stats()
    assert type(stats) is ClusterStats
    for name in ("retry_count", "thread_pool_queued_tasks", "recover_queue_size"):
        assert isinstance(getattr(stats, name), int)
    names = {n["node_name"]: n for n in own_client.get_node_names()}
    assert {n.name for n in stats.nodes} == set(names)
    for node in stats.nodes:
        assert type(node) is NodeStats
        assert node.address == names[node.name]["address"]
        assert node.port == names[node.name]["port"]
        assert type(node.conns) is ConnectionStats and set(vars(node.conns)) == CONN_FIELDS
        assert node.conns.opened >= 1
        for name in ("error_count", "timeout_count", "key_busy_count"):
            assert isinstance(getattr(node, name), int)


# ------------------------------------------------------------ close() from a listener

def test_snapshot_listener_that_closes_its_client(own_client, key):
    """The snapshot listener runs on the C client's tend thread, holding its tend and
    metrics locks; close() there must neither join that thread nor take those locks on
    it (a deadlock): the connection is destroyed on another thread once the listener
    has returned."""
    events = []
    closed = threading.Event()

    def snapshot(cluster):
        events.append("snapshot")
        if not closed.is_set():
            own_client.close()
            events.append("closed")
            closed.set()

    def disable(cluster):
        events.append("disable")

    own_client.put(key, {"a": 1})
    own_client.enable_metrics(MetricsPolicy(metrics_listeners=_listeners(
        snapshot_listener=snapshot, disable_listener=disable), interval=1))
    assert closed.wait(60), "no snapshot within a minute"
    # close() returned inside the listener; the C client then ends the metrics (the
    # disable listener, on the destroying thread) and stops its tend thread.
    _wait_for(lambda: "disable" in events, "disable event")
    assert events[:2] == ["snapshot", "closed"]
    assert not own_client.is_connected()
    with pytest.raises(exception.ClusterError):
        own_client.get(key)
    # The same object connects again and works.
    own_client.connect()
    assert own_client.get(key)[2] == {"a": 1}


def test_disable_listener_may_close_too(own_client, key):
    """close() from the disable listener (run by disable_metrics on the caller's
    thread) waits for disable_metrics to end; then the connection goes."""
    def disable(cluster):
        own_client.close()

    own_client.enable_metrics(MetricsPolicy(metrics_listeners=_listeners(
        disable_listener=disable)))
    own_client.disable_metrics()
    assert not own_client.is_connected()
    own_client.connect()
    own_client.put(key, {"b": 2})
    assert own_client.get(key)[2] == {"b": 2}
