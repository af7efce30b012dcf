"""The dev server's cluster mode (``Server(nodes=3, replication_factor=2)``) and the
client against it: the info answers each node gives, the partition map after a node
leaves and returns, and the client under node loss and a whole-server restart.

Every test takes its own cluster (the suite's server has one node) from
tests/cluster_control.py: a fresh dev server cluster, or with
``AEROSPIKE_TEST_CLUSTER=real`` the real 3-node CE cluster of
/work/shared/real-server/cluster.sh 3, which the same tests then drive (its nodes
stopped and started for real).  Tests of the dev server's own internals (its
command line, replication factor 1, its exact partition map) are dev-only.  The
answers' formats were compared with the real cluster: see the notes in each test.
"""

import base64
import os
import struct
import subprocess
import sys
import threading
import time

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_cffi.testing import Server
from aerospike_cffi.testing.store import N_PARTITIONS, compute_digest, partition_id

import cluster_control

from . import rawclient

REAL = cluster_control.kind() == "real"
if not REAL:
    # A dev cluster of its own per test: as the other dev server tests, left out when
    # the suite runs against a real server (AEROSPIKE_TEST_SERVER).
    pytestmark = pytest.mark.devserver_only


def dev_only(what):
    """Skip on the real cluster a test of what only the dev server has."""
    return pytest.mark.skipif(REAL, reason="%s (AEROSPIKE_TEST_CLUSTER=real)" % what)


# The C client's shortest tend interval, so the client sees a change within a fraction
# of a second; waits below are bounded generously (they fail, never pass, on time).
TEND_MS = 250
WAIT_S = 30
SET = "cluster"
# What a command meets when its node goes away (retryable).
CLEAN_ERRORS = {"ConnectionError", "TimeoutError", "ClusterError", "InvalidNodeError",
                "MaxErrorRateExceeded"}


class Addr:
    def __init__(self, host, port):
        self.host, self.port = host, port


def node_info(node, *names):
    with rawclient.connect(Addr(node.host, node.port)) as sock:
        return rawclient.info(sock, *names)


def replica_pids(value, ns="test"):
    """[set of partition ids per replica index] of a ``replicas`` answer for ``ns``."""
    for part in value.split(";"):
        name, _, rest = part.partition(":")
        if name != ns:
            continue
        items = rest.split(",")
        regime, count, bitmaps = int(items[0]), int(items[1]), items[2:]
        assert regime == 0 and count == len(bitmaps)
        out = []
        for b64 in bitmaps:
            bits = base64.b64decode(b64)
            assert len(bits) == N_PARTITIONS // 8
            out.append({pid for pid in range(N_PARTITIONS) if bits[pid >> 3] & (0x80 >> (pid & 7))})
        return out
    raise AssertionError("no %s in %r" % (ns, value))


def partition_map(server):
    """{pid: [node index per replica index]} from the live nodes' ``replicas`` answers."""
    owners = {}
    for node in server.nodes:
        if not node.alive:
            continue
        for index, pids in enumerate(replica_pids(node_info(node, "replicas")["replicas"])):
            for pid in pids:
                slot = owners.setdefault(pid, {})
                assert index not in slot, "two nodes claim replica %d of %d" % (index, pid)
                slot[index] = node.index
    return {pid: [slot[i] for i in sorted(slot)] for pid, slot in owners.items()}


# Generous timeouts: a loaded machine must not fail these tests (a dead node's
# connections fail at once, not on a timeout).
LONG = {"total_timeout": 20000, "socket_timeout": 20000}
POLICIES = {name: dict(LONG) for name in ("read", "write", "batch", "scan", "query",
                                          "operate", "remove", "apply", "info")}


def connect(server, **extra):
    config = {"hosts": [(server.host, server.port)], "tend_interval": TEND_MS,
              "connect_timeout": 20000, "policies": POLICIES}
    config.update(extra)
    return aerospike.client(config).connect()


def wait_for(predicate, what, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting for " + what)
        time.sleep(0.05)


def node_names(client):
    return sorted(n["node_name"] for n in client.get_node_names())


def live_names(cluster):
    return sorted(n.node_id for n in cluster.nodes if n.alive)


@pytest.fixture
def cluster():
    """A dev cluster, or the real one (cluster_control): 3 nodes, replication factor 2."""
    controller = cluster_control.open_cluster(nodes=3, replication_factor=2)
    try:
        yield controller
    finally:
        controller.close()


# ------------------------------------------------------------------ info answers

def test_nodes_answer_as_cluster_members(cluster):
    nodes = cluster.nodes
    if cluster.dev:  # on consecutive ports (the real cluster's are 3400, 3410, 3420)
        assert [n.port for n in nodes] == [cluster.port + i for i in range(3)]
    answers = [node_info(n, "node", "peers-generation", "partition-generation",
                         "peers-clear-std", "services", "cluster-stable",
                         "cluster-stable:size=3", "cluster-stable:size=2", "statistics")
               for n in nodes]
    assert [a["node"] for a in answers] == [n.node_id for n in nodes]
    assert len({n.node_id for n in nodes}) == 3
    # One cluster key, the same generations everywhere.
    assert len({a["cluster-stable"] for a in answers}) == 1
    assert all(a["cluster-stable:size=3"] == a["cluster-stable"] for a in answers)
    # as the real server answers a wrong size
    assert all(a["cluster-stable:size=2"] == "ERROR:7:cluster not specified size"
               for a in answers)
    if cluster.dev:
        # The dev server's nodes share their generations; each real node counts its own.
        assert len({a["peers-generation"] for a in answers}) == 1
        assert len({a["partition-generation"] for a in answers}) == 1
    for node, a in zip(nodes, answers):
        # real: "4,3000,[[A1,,[127.0.0.1:3410]],[A2,,[127.0.0.1:3420]]]" (3000 on a
        # node serving on 3400: the default port, not the node's)
        others = [p for p in nodes if p is not node]
        assert a["peers-clear-std"] == "%s,3000,[%s]" % (
            a["peers-generation"],
            ",".join("[%s,,[127.0.0.1:%d]]" % (p.node_id, p.port) for p in others))
        assert a["services"] == ";".join("127.0.0.1:%d" % p.port for p in others)
        stats = dict(kv.split("=", 1) for kv in a["statistics"].split(";"))
        assert stats["cluster_size"] == "3"
        assert stats["cluster_key"] == a["cluster-stable"]


def test_every_partition_has_a_master_and_a_replica_on_two_nodes(cluster):
    owners = partition_map(cluster)
    assert sorted(owners) == list(range(N_PARTITIONS))
    assert all(len(nodes) == 2 and nodes[0] != nodes[1] for nodes in owners.values())
    # Each node masters about a third (real 3-node cluster: 1384 / 1337 / 1375).
    masters = [sum(1 for nodes in owners.values() if nodes[0] == i) for i in range(3)]
    assert all(1000 < m < 1700 for m in masters), masters
    ns = dict(kv.split("=", 1) for kv in node_info(cluster.nodes[0], "namespace/test")
              ["namespace/test"].split(";"))
    assert ns["ns_cluster_size"] == "3"
    assert ns["replication-factor"] == "2"
    assert ns["effective_replication_factor"] == "2"


def test_stopped_node_partitions_move_and_come_back(cluster):
    before = partition_map(cluster)
    first = node_info(cluster.nodes[0], "cluster-stable", "peers-generation",
                      "partition-generation")
    cluster.stop_node(1)
    cluster.wait_stable()  # (a real cluster migrates a while; the dev one at once)
    with pytest.raises(OSError):
        node_info(cluster.nodes[1], "node")
    during = partition_map(cluster)
    assert sorted(during) == list(range(N_PARTITIONS))
    for pid, nodes in during.items():
        assert sorted(nodes) == [0, 2]
        # the survivor of the old pair stays; the master stays master if it survived
        if before[pid][0] != 1:
            assert nodes[0] == before[pid][0]
    after_stop = node_info(cluster.nodes[0], "cluster-stable", "peers-generation",
                           "partition-generation", "peers-clear-std", "services",
                           "services-alumni", "cluster-stable:size=2")
    assert after_stop["cluster-stable"] != first["cluster-stable"]
    assert after_stop["cluster-stable:size=2"] == after_stop["cluster-stable"]
    assert int(after_stop["peers-generation"]) > int(first["peers-generation"])
    assert int(after_stop["partition-generation"]) > int(first["partition-generation"])
    assert cluster.nodes[1].node_id not in after_stop["peers-clear-std"]
    assert after_stop["services"] == "127.0.0.1:%d" % cluster.nodes[2].port
    # alumni keep the departed node, as on the real server
    assert "127.0.0.1:%d" % cluster.nodes[1].port in after_stop["services-alumni"]
    alumni = node_info(cluster.nodes[0], "alumni-clear-std", "peers-clear-alt")
    assert "[%s,,[127.0.0.1:%d]]" % (cluster.nodes[1].node_id, cluster.nodes[1].port) in (
        alumni["alumni-clear-std"])
    # no alternate addresses: no peer listed (as a real node without
    # alternate-access-address)
    assert alumni["peers-clear-alt"] == "%s,3000,[]" % after_stop["peers-generation"]

    cluster.start_node(1)
    cluster.wait_stable()
    assert node_info(cluster.nodes[1], "node")["node"] == cluster.nodes[1].node_id
    assert partition_map(cluster) == before
    back = node_info(cluster.nodes[0], "partition-generation", "peers-generation")
    assert int(back["partition-generation"]) > int(after_stop["partition-generation"])
    assert int(back["peers-generation"]) > int(after_stop["peers-generation"])


def test_one_node_left_holds_everything_once(cluster):
    cluster.stop_node(0)
    cluster.wait_stable()
    cluster.stop_node(2)
    cluster.wait_stable()
    owners = partition_map(cluster)
    assert all(nodes == [1] for nodes in owners.values())
    ns = node_info(cluster.nodes[1], "namespace/test")["namespace/test"]
    assert "effective_replication_factor=1" in ns and "ns_cluster_size=1" in ns


def test_scan_of_a_partition_the_node_does_not_hold_is_unavailable(cluster):
    owners = partition_map(cluster)
    pid_held = next(pid for pid, nodes in owners.items() if nodes[0] == 0)
    pid_not = next(pid for pid, nodes in owners.items() if 0 not in nodes)
    fields = [rawclient.field(0, b"test"), rawclient.field(1, SET.encode()),
              rawclient.field(11, struct.pack("<HH", pid_held, pid_not))]
    node = cluster.nodes[0]
    with rawclient.connect(Addr(node.host, node.port)) as sock:
        sock.sendall(rawclient.frame(rawclient.MSG, rawclient.message(fields, info1=1, info3=4)))
        done = []
        while True:
            _, body = rawclient.recv_frame(sock)
            pos, last = 0, False
            while pos < len(body):
                info3, rcode, gen, n_fields, n_ops = struct.unpack_from(
                    ">3xBxBI4x4xHH", body, pos)
                assert n_fields == n_ops == 0  # the set is empty: no records
                pos += 22
                if info3 & 1:
                    last = True
                    assert rcode == 0
                elif info3 & 4:
                    done.append((gen, rcode))
            if last:
                break
    # (partition id in the generation field, PARTITION_UNAVAILABLE), as query_job.c sends
    assert done == [(pid_not, 11)]


def test_command_to_a_node_that_is_not_master_is_answered(cluster):
    """A real AP node proxies it to the master; the answer is the master's."""
    digest = compute_digest(SET, "proxied")
    owners = partition_map(cluster)[partition_id(digest)]
    other = next(i for i in range(3) if i not in owners)
    node = cluster.nodes[other]
    with rawclient.connect(Addr(node.host, node.port)) as sock:
        put = rawclient.message(rawclient.key_fields("test", SET, digest),
                                [rawclient.op(2, "v", 1, struct.pack(">q", 7))], info2=1)
        assert rawclient.request(sock, put)[0] == 0
    master = cluster.nodes[owners[0]]
    with rawclient.connect(Addr(master.host, master.port)) as sock:
        get = rawclient.message(rawclient.key_fields("test", SET, digest), info1=1 | 2)
        rc, gen, _, ops = rawclient.request(sock, get)
    assert (rc, gen) == (0, 1)
    assert ops[0][2:] == ("v", struct.pack(">q", 7))


@dev_only("the dev server's command line")
def test_command_line_cluster():
    proc = subprocess.Popen([sys.executable, "-m", "aerospike_cffi.testing", "--port", "0",
                             "--nodes", "3"],
                            stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=os.getcwd()))
    try:
        first = proc.stdout.readline()
        assert first.startswith("aerospike dev server listening on 127.0.0.1:")
        port = int(first.rsplit(":", 1)[1])
        lines = [proc.stdout.readline() for _ in range(3)]
        for i, line in enumerate(lines):
            assert line.startswith("node %d " % i)
            assert line.rstrip().endswith("127.0.0.1:%d" % (port + i))
        client = aerospike.client({"hosts": [("127.0.0.1", port)]}).connect()
        try:
            assert len(client.get_nodes()) == 3
        finally:
            client.close()
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


# ------------------------------------------------------------------ the client

def test_client_sees_the_three_nodes(cluster):
    client = connect(cluster)
    try:
        assert node_names(client) == live_names(cluster)
        assert sorted(client.get_nodes()) == [("127.0.0.1", n.port) for n in cluster.nodes]
        answers = client.info_all("node")
        assert sorted(answers) == live_names(cluster)
        for name, (err, text) in answers.items():
            assert err is None
            assert text.strip() == name
        # info_all reaches every node: each counts the records it holds (master or
        # replica), together twice the records at replication factor 2.
        for i in range(300):
            client.put(("test", SET, i), {"i": i})
        counts = client.info_all("namespace/test")
        total = 0
        for _err, text in counts.values():
            stats = dict(kv.split("=", 1) for kv in text.strip().split(";"))
            assert int(stats["objects"]) == (int(stats["master_objects"])
                                             + int(stats["prole_objects"]))
            total += int(stats["objects"])
        assert total == 600
    finally:
        client.close()


def _writer(client, keys, acked, errors, stop):
    """Write ``keys``; a failed write is retried (another put) until acknowledged."""
    for k in keys:
        while not stop.is_set():
            try:
                client.put(("test", SET, k), {"k": k, "v": "value-%d" % k})
            except ex.AerospikeError as e:
                errors.append(type(e).__name__)
                time.sleep(0.01)
                continue
            except BaseException as e:  # noqa: BLE001 - an unclean error fails the test
                errors.append("UNCLEAN %r" % (e,))
                raise
            acked.append(k)
            break


def _load(client, count, threads):
    keys = list(range(count))
    acked, errors = [], []
    stop = threading.Event()
    workers = [threading.Thread(target=_writer, args=(client, keys[i::threads], acked, errors,
                                                      stop), daemon=True)
               for i in range(threads)]
    for w in workers:
        w.start()
    return workers, acked, errors, stop


def _finish(workers, stop):
    deadline = time.monotonic() + 120
    for w in workers:
        w.join(max(0.1, deadline - time.monotonic()))
    alive = any(w.is_alive() for w in workers)
    stop.set()
    assert not alive, "the writers hung"


def client_connections(node):
    stats = node_info(node, "statistics")["statistics"]
    return int(stats.split("client_connections=")[1].split(";")[0])


def batch_get(client, keys):
    """[(key, bins or None, result code)] of a batch read of ``keys``."""
    out = []
    for br in client.batch_read(keys).batch_records:
        bins = br.record[2] if br.record is not None else None
        out.append((br.key, bins, br.result))
    return out


def _read_back(client, keys):
    records = batch_get(client, [("test", SET, k) for k in keys])
    wrong = [r for r in records if r[1] != {"k": r[0][2], "v": "value-%d" % r[0][2]}]
    assert not wrong, wrong[:5]


def test_ten_thousand_writes_with_a_node_stopped_and_returning_mid_load(cluster):
    client = connect(cluster)
    try:
        workers, acked, errors, stop = _load(client, 10000, 4)
        wait_for(lambda: len(acked) >= 2500, "the first writes")
        cluster.stop_node(1)
        # The client follows the new map without being recreated: the stopped node
        # leaves its node list while the load goes on.
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to drop node 1")
        mark = len(acked)
        wait_for(lambda: len(acked) >= mark + 1500 or not any(w.is_alive() for w in workers),
                 "writes on two nodes")
        cluster.start_node(1)
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to take node 1")
        _finish(workers, stop)
        assert not [e for e in errors if e.startswith("UNCLEAN")], errors
        # commands in flight to the stopped node, or sent before the next tend
        assert set(errors) <= CLEAN_ERRORS, set(errors)
        assert sorted(acked) == list(range(10000))
        _read_back(client, range(10000))
        # Node 1 serves its partitions again: the client sends it commands.
        wait_for(lambda: client_connections(cluster.nodes[1]) > 0, "a connection to node 1")
        for k in range(0, 10000, 97):
            assert client.get(("test", SET, k))[2]["k"] == k
    finally:
        client.close()


def test_whole_server_stopped_and_restarted_mid_load(cluster):
    client = connect(cluster)
    try:
        workers, acked, errors, stop = _load(client, 3000, 2)
        wait_for(lambda: len(acked) >= 500, "the first writes")
        cluster.stop()
        mark = len(errors)
        # With every node gone, commands fail with clean errors.
        wait_for(lambda: len(errors) > mark + 5, "errors while the server is down")
        with pytest.raises(ex.AerospikeError):
            client.get(("test", SET, 0))
        # Every node is gone: whatever is acknowledged from here on was written to the
        # cluster that starts now.
        down = len(acked)
        cluster.start()
        _finish(workers, stop)
        assert not [e for e in errors if e.startswith("UNCLEAN")], errors
        assert set(errors) <= CLEAN_ERRORS, set(errors)
        assert sorted(acked) == list(range(3000))
        # recovered without recreating the client
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to return")
        if cluster.keeps_records_when_all_stop:
            _read_back(client, range(3000))
        else:
            # A real in-memory cluster starts empty: what was written since is there.
            assert len(acked) > down
            _read_back(client, acked[down:])
    finally:
        client.close()


def test_batch_and_scan_during_node_loss_return_only_right_records(cluster):
    client = connect(cluster)
    try:
        count = 2000
        for k in range(count):
            client.put(("test", SET, k), {"k": k, "v": "value-%d" % k})
        keys = [("test", SET, k) for k in range(count)]
        stop = threading.Event()
        problems, seen = [], {"batch_errors": 0, "batches": 0, "scans": 0, "scan_errors": 0}

        def reader():
            while not stop.is_set():
                try:
                    records = batch_get(client, keys)
                except ex.AerospikeError:
                    seen["batch_errors"] += 1
                else:
                    seen["batches"] += 1
                    for key, bins, _code in records:
                        # a record is either missing (its sub-command failed) or right
                        if bins is not None and bins != {"k": key[2], "v": "value-%d" % key[2]}:
                            problems.append(("batch", key, bins))
                try:
                    got = client.scan("test", SET).results()
                except ex.AerospikeError:
                    seen["scan_errors"] += 1
                else:
                    seen["scans"] += 1
                    ks = [bins["k"] for _key, _meta, bins in got]
                    if len(ks) != len(set(ks)):
                        problems.append(("scan duplicates", len(ks) - len(set(ks))))
                    for _key, _meta, bins in got:
                        if bins != {"k": bins.get("k"), "v": "value-%s" % bins.get("k")}:
                            problems.append(("scan", bins))
                    if len(set(ks)) != count:
                        problems.append(("scan incomplete", len(set(ks))))

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        wait_for(lambda: seen["scans"] >= 1, "a first scan")
        cluster.stop_node(2)
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to drop node 2")
        mark = seen["scans"]
        wait_for(lambda: seen["scans"] > mark, "a scan on two nodes")
        cluster.start_node(2)
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to take node 2")
        mark = seen["scans"]
        wait_for(lambda: seen["scans"] > mark, "a scan on three nodes again")
        stop.set()
        thread.join(60)
        assert not thread.is_alive()
        assert not problems, problems[:5]
        # and once stable, every record is there, each once
        got = client.scan("test", SET).results()
        assert sorted(bins["k"] for _k, _m, bins in got) == list(range(count))
    finally:
        client.close()


def test_background_job_runs_each_record_once(cluster):
    from aerospike_helpers.operations import operations as ops
    client = connect(cluster)
    try:
        for k in range(200):
            client.put(("test", SET, k), {"n": 0})
        scan = client.scan("test", SET)
        scan.add_ops([ops.increment("n", 1)])
        job = scan.execute_background()
        wait_for(lambda: client.job_info(job, aerospike.JOB_SCAN)["status"]
                 == aerospike.JOB_STATUS_COMPLETED, "the job")
        got = batch_get(client, [("test", SET, k) for k in range(200)])
        assert [bins["n"] for _key, bins, _code in got] == [1] * 200
    finally:
        client.close()


@dev_only("the dev server's Server API")
def test_stop_node_needs_a_cluster():
    with Server() as single:
        with pytest.raises(ValueError):
            single.stop_node(0)
        assert single.nodes == []


@dev_only("the dev server's Server API")
def test_bad_cluster_options():
    with pytest.raises(ValueError):
        Server(nodes=0)
    with pytest.raises(ValueError):
        Server(nodes=2, replication_factor=0)


@dev_only('a dev cluster at replication factor 1 (cluster.sh starts replication factor 2)')
def test_replication_factor_1_loses_a_stopped_nodes_records_until_it_returns():
    with Server(nodes=3, replication_factor=1) as server:
        client = connect(server)
        try:
            owners = partition_map(server)
            assert all(len(nodes) == 1 for nodes in owners.values())
            keys = [("test", SET, k) for k in range(300)]
            for key in keys:
                client.put(key, {"v": 0})
            on_1 = [key for key in keys
                    if owners[partition_id(compute_digest(SET, key[2]))] == [1]]
            assert on_1
            older, newer = on_1[0], on_1[1]
            for i in range(1, 3):  # older: generation 3 on node 1
                client.put(older, {"v": i})
            server.stop_node(1)
            wait_for(lambda: node_names(client) == live_names(server), "the client to drop node 1")
            # The records of node 1's partitions are gone from the cluster meanwhile...
            assert server.cluster.offline_records() == len(on_1)
            # (The client may need another tend to take the new map; meanwhile a read
            # fails, but never finds a record.)
            def not_found():
                got = batch_get(client, on_1)
                assert all(bins is None for _key, bins, _code in got), got
                return all(code == 2 for _key, _bins, code in got)  # NOT_FOUND
            wait_for(not_found, "the new map")
            assert len(client.scan("test", SET).results()) == 300 - len(on_1)
            # ...and what is written to them lands on their new master.
            client.put(older, {"v": "while away"})  # generation 1 < 3
            client.put(newer, {"v": "while away"})  # generation 1, later than node 1's 1
            server.start_node(1)
            wait_for(lambda: node_names(client) == live_names(server), "the client to take node 1")
            assert server.cluster.offline_records() == 0
            # Merged as migrations do: the higher generation, then the later update wins.
            assert client.get(older)[2] == {"v": 2}
            assert client.get(newer)[2] == {"v": "while away"}
            assert len(client.scan("test", SET).results()) == 300
        finally:
            client.close()


def test_replication_factor_2_loses_nothing_when_one_node_stops(cluster):
    client = connect(cluster)
    try:
        for k in range(300):
            client.put(("test", SET, k), {"v": k})
        cluster.stop_node(0)
        if cluster.dev:
            assert cluster.cluster.offline_records() == 0
        # One at a time, the migrations done between: the survivors hold a copy of
        # everything.
        cluster.wait_stable()
        cluster.stop_node(1)
        if cluster.dev:
            assert cluster.cluster.offline_records() == 0
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to follow")
        assert sorted(b["v"] for _k, _m, b in client.scan("test", SET).results()) == list(
            range(300))
    finally:
        client.close()


def test_index_query_during_node_loss(cluster):
    from aerospike_cffi import predicates
    client = connect(cluster)
    try:
        for k in range(500):
            client.put(("test", SET, k), {"n": k})
        if not cluster.dev:  # a real cluster keeps an index a failed run left
            try:
                client.index_remove("test", "cluster_n_idx")
            except ex.AerospikeError:
                pass
        client.index_integer_create("test", SET, "n", "cluster_n_idx")

        # created through one node, the index is the cluster's: every node lists it
        # (a real cluster spreads it to the others a moment later)
        def listed():
            lists = client.info_all("sindex-list:ns=test")
            return all("cluster_n_idx" in text for _err, text in lists.values())
        wait_for(listed, "every node to list the index")

        def query():
            q = client.query("test", SET)
            q.where(predicates.between("n", 100, 299))
            return sorted(bins["n"] for _k, _m, bins in q.results())

        assert query() == list(range(100, 300))
        cluster.stop_node(0)
        assert query() == list(range(100, 300))  # whatever map the client has now
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to follow")
        assert query() == list(range(100, 300))
        cluster.start_node(0)
        wait_for(lambda: node_names(client) == live_names(cluster), "the client to follow")
        assert query() == list(range(100, 300))
        client.index_remove("test", "cluster_n_idx")
    finally:
        client.close()


def test_aggregation_sums_every_record_once(cluster, tmp_path):
    from aerospike_cffi.testing import lua
    if not lua.available():
        pytest.skip("lupa is not installed")
    module = tmp_path / "cluster_sum.lua"
    module.write_text("local function add(a, b) return a + b end\n"
                      "function sum_n(s) return s : map(function(r) return r.n end)"
                      " : reduce(add) end\n")
    client = connect(cluster, lua={"user_path": str(tmp_path)})
    try:
        for k in range(300):
            client.put(("test", SET, k), {"n": k})
        client.udf_put(str(module))
        q = client.query("test", SET)
        q.apply("cluster_sum", "sum_n")
        assert q.results() == [sum(range(300))]
    finally:
        client.close()


def test_asyncio_client_writes_through_node_loss(cluster):
    import asyncio

    from aerospike_cffi import aio

    async def run():
        acked, errors = set(), []
        config = {"hosts": [(cluster.host, cluster.port)], "tend_interval": TEND_MS,
                  "connect_timeout": 20000, "policies": POLICIES}
        async with aio.client(config) as client:
            async def write(k):
                while True:
                    try:
                        await client.put(("test", SET, k), {"k": k})
                    except ex.AerospikeError as e:  # the in-flight ones: clean errors
                        errors.append(type(e).__name__)
                        await asyncio.sleep(0.01)
                    else:
                        acked.add(k)
                        return

            async def load(keys):
                for k in keys:
                    await write(k)

            async def until(count):
                deadline = time.monotonic() + WAIT_S
                while len(acked) < count and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)

            tasks = [asyncio.ensure_future(load(range(i, 3000, 8))) for i in range(8)]
            await until(800)
            cluster.stop_node(1)
            await until(2000)
            cluster.start_node(1)
            await asyncio.wait_for(asyncio.gather(*tasks), 120)
            got = await asyncio.gather(*[client.get(("test", SET, k)) for k in range(3000)])
        return acked, errors, got

    acked, errors, got = asyncio.run(run())
    assert acked == set(range(3000))
    assert all(isinstance(getattr(ex, name, None), type) for name in set(errors)), errors
    assert [bins for _key, _meta, bins in got] == [{"k": k} for k in range(3000)]
