"""Drive a test cluster, the dev server's cluster mode or a real one, through one face.

The node-loss tests (tests/devserver/test_cluster.py) take their cluster from
``open_cluster()``.  By default that is a fresh ``Server(nodes=3,
replication_factor=2)`` per test.  With ``AEROSPIKE_TEST_CLUSTER=real`` it is a
running real cluster of 3 nodes on 127.0.0.1:3400, 3410, 3420 (namespace ``test``,
replication factor 2), as ``/work/shared/real-server/cluster.sh 3`` starts it:

- ``AEROSPIKE_TEST_CLUSTER_SCRIPT``: the script that starts the nodes not running
  (``script N``); default ``/work/shared/real-server/cluster.sh``;
- ``AEROSPIKE_TEST_CLUSTER_DIR``: the folder holding ``nodeI/asd.pid``; default the
  script's (``$AEROSPIKE_REAL_SERVER_DIR`` or ``<script>/../../real-server``)
  ``cluster`` folder.

Both give: ``host``/``port`` (a seed), ``nodes`` (each with ``index``, ``host``,
``port``, ``node_id``, ``alive``), ``stop_node(i)``/``start_node(i)``, ``stop()``/
``start()`` of the whole cluster, ``live_names()``, ``wait_stable()`` (no
migration left) and ``close()``.  Where the two differ by nature, a flag says so:

- ``dev``: the dev server's internals (``server``, ``cluster``) are there;
- ``keeps_records_when_all_stop``: the dev server keeps its records over a
  stop of every node (a real cluster whose namespace is persisted does too); the
  real cluster of cluster.sh stores in memory only and starts empty.

A real node's stop is a SIGTERM to its ``asd`` and returns once the survivors have
formed the smaller cluster; a start runs the script and returns once every node
counts the whole cluster.  Neither waits for migrations (a real cluster migrates
for a while after each change; the dev server's map moves at once): ``wait_stable``
does.  Every real-cluster test begins with a truncated namespace ``test`` (the
cluster is the tests' alone: never point this at a shared server).
"""

import os
import signal
import socket
import struct
import subprocess
import time

ENV_VAR = "AEROSPIKE_TEST_CLUSTER"
SCRIPT_ENV_VAR = "AEROSPIKE_TEST_CLUSTER_SCRIPT"
DIR_ENV_VAR = "AEROSPIKE_TEST_CLUSTER_DIR"
DEFAULT_SCRIPT = "/work/shared/real-server/cluster.sh"
REAL_BASE_PORT, REAL_PORT_STEP = 3400, 10
WAIT_S = 120


def kind():
    """"real" or "dev" (the default)."""
    return "real" if os.environ.get(ENV_VAR, "").strip().lower() == "real" else "dev"


def open_cluster(nodes=3, replication_factor=2):
    if kind() == "real":
        return RealCluster(nodes, replication_factor)
    return DevCluster(nodes, replication_factor)


def info(host, port, *names, timeout=5.0):
    """{name: value} of an info request to one node (raises OSError if it is down)."""
    payload = "".join(n + "\n" for n in names).encode()
    with socket.create_connection((host, port), timeout) as sock:
        sock.sendall(struct.pack(">Q", (2 << 56) | (1 << 48) | len(payload)) + payload)
        head = _recv(sock, 8)
        body = _recv(sock, struct.unpack(">Q", head)[0] & 0xFFFFFFFFFFFF).decode()
    out = {}
    for line in body.split("\n"):
        if line:
            name, _, value = line.partition("\t")
            out[name] = value
    return out


def _recv(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("node closed the connection")
        data += chunk
    return data


def _wait(predicate, what, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting for " + what)
        time.sleep(0.1)


class DevCluster:
    """A fresh dev server cluster (one process, consecutive ports)."""

    dev = True
    keeps_records_when_all_stop = True

    def __init__(self, nodes, replication_factor):
        from aerospike_cffi.testing import Server
        self.server = Server(nodes=nodes, replication_factor=replication_factor).start()
        self.cluster = self.server.cluster

    @property
    def host(self):
        return self.server.host

    @property
    def port(self):
        return self.server.port

    @property
    def nodes(self):
        return self.server.nodes

    def stop_node(self, i):
        self.server.stop_node(i)

    def start_node(self, i):
        self.server.start_node(i)

    def stop(self):
        self.server.stop()

    def start(self):
        self.server.start()

    def live_names(self):
        return sorted(n.node_id for n in self.nodes if n.alive)

    def wait_stable(self):
        """The dev server's map moves at once: nothing to wait for."""

    def close(self):
        self.server.stop()


class RealNode:
    def __init__(self, cluster, index):
        self.cluster = cluster
        self.index = index
        self.host = "127.0.0.1"
        self.port = REAL_BASE_PORT + REAL_PORT_STEP * index
        self.pid_file = os.path.join(cluster.directory, "node%d" % index, "asd.pid")
        self.node_id = None

    def pid(self):
        try:
            with open(self.pid_file) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    @property
    def alive(self):
        """The process runs (not a zombie) and its service port accepts."""
        pid = self.pid()
        if pid is None:
            return False
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return False
        except OSError:
            return False
        try:
            socket.create_connection((self.host, self.port), 2).close()
        except OSError:
            return False
        return True

    def info(self, *names):
        return info(self.host, self.port, *names)

    def terminate(self):
        """SIGTERM (a clean shutdown); ``gone`` says when it has ended."""
        pid = self.pid()
        if pid is not None and self.alive:
            os.kill(pid, signal.SIGTERM)
        return pid

    def gone(self, pid):
        """The process ``pid`` no longer exists.  A zombie counts as there: cluster.sh
        takes a node whose pid answers ``kill -0`` as running and would not restart
        it (the init of this machine reaps in about 2 s)."""
        if pid is None:
            return not self.alive
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def __repr__(self):
        return "<real node %d %s on %s:%d>" % (self.index, self.node_id, self.host, self.port)


class RealCluster:
    """The running real cluster of cluster.sh; started (missing nodes) if need be."""

    dev = False
    keeps_records_when_all_stop = False

    def __init__(self, nodes, replication_factor):
        if replication_factor != 2:
            raise ValueError("the real cluster of cluster.sh has replication factor 2")
        self.script = os.environ.get(SCRIPT_ENV_VAR) or DEFAULT_SCRIPT
        directory = os.environ.get(DIR_ENV_VAR)
        if not directory:
            server_dir = os.environ.get("AEROSPIKE_REAL_SERVER_DIR") or os.path.join(
                os.path.dirname(os.path.abspath(self.script)), "..", "..", "real-server")
            directory = os.path.join(server_dir, "cluster")
        self.directory = os.path.abspath(directory)
        self.count = nodes
        self.nodes = [RealNode(self, i) for i in range(nodes)]
        self.host, self.port = self.nodes[0].host, self.nodes[0].port
        self._start_missing()
        for node in self.nodes:
            node.node_id = node.info("node")["node"]
        self.wait_stable()
        self._truncate()

    # ---------------------------------------------------------------- lifecycle

    def _start_missing(self):
        if all(node.alive for node in self.nodes):
            return
        # The script starts the nodes that are not running and waits (30 s at most)
        # for the cluster to form.
        subprocess.run(["sh", self.script, str(self.count)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: all(node.alive for node in self.nodes), "every node to serve")
        self._wait_size()

    def _wait_size(self):
        """Every live node counts the live nodes as its cluster."""
        def formed():
            live = [n for n in self.nodes if n.alive]
            want = str(len(live))
            return all(n.info("statistics")["statistics"].split("cluster_size=")[1]
                       .split(";")[0] == want for n in live)
        _wait(formed, "the cluster to form")

    def stop_node(self, i):
        node = self.nodes[i]
        pid = node.terminate()
        _wait(lambda: node.gone(pid), "node %d to stop" % i)
        if any(n.alive for n in self.nodes):
            self._wait_size()

    def start_node(self, i):
        self._start_missing()

    def stop(self):
        pids = [node.terminate() for node in self.nodes]
        _wait(lambda: all(n.gone(pid) for n, pid in zip(self.nodes, pids)),
              "every node to stop")

    def start(self):
        self._start_missing()

    def live_names(self):
        return sorted(n.node_id for n in self.nodes if n.alive)

    def wait_stable(self):
        """Every live node answers the same cluster key with no migration left."""
        def stable():
            live = [n for n in self.nodes if n.alive]
            command = "cluster-stable:size=%d;ignore-migrations=false" % len(live)
            keys = {n.info(command)[command] for n in live}
            return len(keys) == 1 and not next(iter(keys)).startswith("ERROR")
        _wait(stable, "the cluster to finish its migrations", timeout=300)

    def _truncate(self):
        """An empty namespace ``test`` for the test (truncation is the cluster's)."""
        node = self.nodes[0]
        answer = node.info("truncate-namespace:namespace=test")
        assert list(answer.values()) == ["ok"], answer

        def empty():
            return all(dict(kv.split("=", 1) for kv in n.info("namespace/test")
                            ["namespace/test"].split(";") if "=" in kv)["objects"] == "0"
                       for n in self.nodes if n.alive)
        _wait(empty, "the truncation")
        # Records written in the truncation's millisecond would be cut too.
        time.sleep(0.01)

    def close(self):
        """Leave the cluster whole and settled for the next test."""
        self._start_missing()
        self.wait_stable()
