"""Cluster mode of the dev server: ``Server(nodes=3, replication_factor=2)``.

The nodes listen on consecutive ports of one process.  Each answers the info
protocol as a node of a real AP (not strong-consistency) cluster does: its own
``node`` id, its live peers in ``peers-clear-std`` / ``services``, the cluster's
``cluster-stable`` key, and in ``replicas`` the partitions it holds as master and
as replica, so the client tends it as a real cluster and sends each command to
the partition's master.

Partition map.  As on the real server, every partition has a fixed succession
list: all the nodes ordered by a hash of (node id, partition id).  Its replicas
are the first ``replication_factor`` live nodes of that list, the first one the
master.  When a node stops the others take over its partitions (the next live
nodes of each list) and when it returns it takes them back; every change gives a
new cluster key and new peers and partition generations, which is what makes
the client fetch the new peers and map.

Data.  The records live once for the whole cluster (``Server.store``), which
stands for the master and replica copies of a real cluster that has finished
its migrations: a stopped node takes no acknowledged write away, and records
written while it was away are there when it returns.  A real cluster at
replication factor 1 would lose (until the node returns) the records of a
stopped node's partitions; this one does not.

Commands reaching a node that is not the partition's master.  A real AP node
proxies a single-record command or a batch sub-command to the master and
relays its answer; as the data is shared here, the node answers itself, which
is the same answer.  A scan or query naming partitions the node holds neither as
master nor as replica gets, for each of them, a "partition done" message with
PARTITION_UNAVAILABLE (11), which makes the client retry those partitions on
their new owner (``query_job.c``); a background job naming no partitions runs on
the partitions the node masters only, so each record is visited once.
"""

import base64
import hashlib
import os
import socket
import threading
import time

from . import store as store_mod
from .errors import PARTITION_UNAVAILABLE
from .server import shut_down

N_PARTITIONS = store_mod.N_PARTITIONS
# Attributes a node keeps for itself; anything else is the cluster's (the Server's).
_NODE_ATTRIBUTES = frozenset((
    "_primary", "cluster", "index", "node_id", "host", "port", "started_at", "alive",
    "_listener", "_accept_thread", "_connections", "_conn_lock", "_stopping",
    "_accept_loop", "_serve", "answer", "jobs",
))


def _succession(node_ids, pid):
    """Node indexes in the succession order of partition ``pid``."""
    def weight(i):
        data = ("%s:%d" % (node_ids[i], pid)).encode()
        return hashlib.blake2b(data, digest_size=8).digest()
    return sorted(range(len(node_ids)), key=weight, reverse=True)


def _bitmap(pids):
    bits = bytearray(N_PARTITIONS // 8)
    for pid in pids:
        bits[pid >> 3] |= 0x80 >> (pid & 7)
    return base64.b64encode(bytes(bits)).decode()


def _bind(host, port):
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise
    return listener


def _bind_consecutive(host, count, attempts=50):
    """``count`` listeners bound on consecutive free ports (``port=0``)."""
    for _ in range(attempts):
        first = _bind(host, 0)
        base = first.getsockname()[1]
        listeners = [first]
        try:
            for i in range(1, count):
                listeners.append(_bind(host, base + i))
            return listeners
        except OSError:
            for listener in listeners:
                listener.close()
    raise OSError("no %d consecutive free ports on %s" % (count, host))


class Cluster:
    """The nodes of a ``Server`` in cluster mode and their partition map."""

    def __init__(self, server, nodes, replication_factor):
        if not isinstance(nodes, int) or nodes < 1:
            raise ValueError("nodes must be a positive integer")
        if not isinstance(replication_factor, int) or not 1 <= replication_factor <= 256:
            raise ValueError("replication_factor must be an integer from 1 to 256")
        from .server import Server
        self.server = server
        self.replication_factor = replication_factor
        self.lock = threading.RLock()
        base = int.from_bytes(os.urandom(5), "big") << 4
        self.nodes = [Node(Server, server, self, i, "BB9%012X" % (base + i))
                      for i in range(nodes)]
        ids = [node.node_id for node in self.nodes]
        self._succession = [_succession(ids, pid) for pid in range(N_PARTITIONS)]
        self.peers_generation = 0
        self.partition_generation = 0
        self.cluster_generation = 0
        self._owners = None  # pid -> tuple of node indexes, master first
        self._holds = {}  # node index -> bytearray, 1 where it holds the partition
        self._replicas = {}  # node index -> [bitmap of replica 0, 1, ...]
        self._seen = set()  # node indexes ever in the cluster (services-alumni)
        # pid -> [node indexes holding it, {namespace: {digest: record}}] of partitions
        # whose every holder is stopped
        self._offline = {}

    # ------------------------------------------------------------ lifecycle

    def start(self):
        """Start every node (on consecutive ports from ``server.port``, or free ones).
        Records of partitions lost with stopped nodes come back with them."""
        host, port = self.server.host, self.server.port
        if all(node.port for node in self.nodes):
            listeners = [None] * len(self.nodes)  # a restart: the ports are known
        elif port:
            listeners = [_bind(host, port + i) for i in range(len(self.nodes))]
        else:
            listeners = _bind_consecutive(host, len(self.nodes))
        for node, listener in zip(self.nodes, listeners):
            node.start(listener)
        self.server.port = self.nodes[0].port
        with self.server.store.lock, self.lock:
            self.rebalance()
            self._bring_back()

    def stop(self):
        # Every node stops listening first, then each waits for its accept loop.
        for node in self.nodes:
            node.halt()
        for node in self.nodes:
            node.stop()
        self.rebalance()

    def stop_node(self, i):
        self.nodes[i].stop()
        with self.server.store.lock, self.lock:
            before = self._owners
            self.rebalance()
            self._take_offline(before)

    def start_node(self, i):
        self.nodes[i].start()
        with self.server.store.lock, self.lock:
            self.rebalance()
            self._bring_back()

    # ------------------------------------------------------------ lost partitions

    def _take_offline(self, before):
        """Partitions whose every copy was on nodes now stopped (any partition of the
        stopped node at replication factor 1; everything when the last node up stops)
        are gone until one of those nodes returns: their records leave the store, kept
        aside with the nodes that hold them.  (Nodes stop one at a time, each followed
        by a rebalance that stands for finished migrations, so at replication factor 2
        or more a single stop loses nothing.)"""
        if before is None:
            return
        alive = [node.alive for node in self.nodes]
        lost = [pid for pid, group in enumerate(before) if group and not any(
            alive[i] for i in group)]
        if not lost:
            return
        lost_set = set(lost)
        for pid in lost:
            self._offline.setdefault(pid, [set(), {}])[0].update(before[pid])
        for ns in self.server.store.namespaces.values():
            for digest in [d for d in ns.records if store_mod.partition_id(d) in lost_set]:
                entry = self._offline[store_mod.partition_id(digest)]
                entry[1].setdefault(ns.name, {})[digest] = ns.records.pop(digest)

    def _bring_back(self):
        """Merge the records of offline partitions held by a node that returned, as the
        real cluster's migrations do: of two versions of a record, the higher
        generation wins, then the later update (conflict-resolution-policy
        generation).  A record deleted meanwhile comes back (no tombstones here, as
        on a Community Edition server without durable deletes)."""
        alive = {node.index for node in self.nodes if node.alive}
        for pid in [p for p, (holders, _) in self._offline.items() if holders & alive]:
            _holders, by_ns = self._offline.pop(pid)
            for ns_name, records in by_ns.items():
                ns = self.server.store.namespace(ns_name)
                for digest, rec in records.items():
                    current = ns.records.get(digest)
                    if current is None or (rec.gen, rec.lut) > (current.gen, current.lut):
                        ns.put(digest, rec)

    def offline_records(self):
        """How many records are in partitions no live node holds (see stop_node)."""
        with self.lock:
            return sum(len(recs) for _h, by_ns in self._offline.values()
                       for recs in by_ns.values())

    # ------------------------------------------------------------ partition map

    def rebalance(self):
        """The new partition map after a node came or went."""
        with self.lock:
            alive = [node.alive for node in self.nodes]
            n_alive = sum(alive)
            rf = min(self.replication_factor, n_alive)
            owners = []
            for succession in self._succession:
                owners.append(tuple([i for i in succession if alive[i]][:rf]))
            changed = N_PARTITIONS if self._owners is None else sum(
                1 for old, new in zip(self._owners, owners) if old != new)
            self._owners = owners
            holds = {}
            replicas = {}
            for node in self.nodes:
                mine = [[] for _ in range(rf)]
                flags = bytearray(N_PARTITIONS)
                for pid, group in enumerate(owners):
                    if node.index in group:
                        mine[group.index(node.index)].append(pid)
                        flags[pid] = 1
                holds[node.index] = flags
                replicas[node.index] = [_bitmap(pids) for pids in mine]
            self._holds = holds
            self._replicas = replicas
            self._seen.update(i for i in range(len(self.nodes)) if alive[i])
            # The partition generation moves before the peers generation: a client that
            # sees the new peers (and drops a departed node) must also see that the map
            # changed, or it would keep partitions pointing at the node it dropped.
            self.partition_generation += changed or 1
            self.cluster_generation += 1
            self.server.cluster_key = "%012X" % int.from_bytes(os.urandom(6), "big")
            self.peers_generation += 1

    def owners(self, pid):
        """Node indexes holding partition ``pid``, master first (empty when none is up)."""
        with self.lock:
            return self._owners[pid] if self._owners else ()

    def live_nodes(self):
        return [node for node in self.nodes if node.alive]

    def effective_replication_factor(self):
        return min(self.replication_factor, len(self.live_nodes()))

    def split_partitions(self, node, requested, named):
        """(partitions ``node`` runs, ids it answers PARTITION_UNAVAILABLE) of a scan's
        ``requested`` [(pid, digest, bval)]: those it holds when the request names
        partitions, else (a background job over everything) those it masters."""
        with self.lock:
            owners = self._owners
            holds = self._holds.get(node.index)
        if owners is None or holds is None:
            return requested, []
        if not named:
            return [p for p in requested if owners[p[0]][:1] == (node.index,)], []
        kept, missing = [], []
        for p in requested:
            (kept if holds[p[0]] else missing).append(p)
        return kept, [p[0] for p in missing]

    # ------------------------------------------------------------ info answers

    def info_command(self, command):
        return _INFO.get(command)


class Node:
    """One node of the cluster: its own id, port, listener and connections; the data,
    indexes, jobs, UDFs and security are the cluster's (``Server``'s).  It serves with
    ``Server``'s methods (bound to it here), so a node answers as a single server does
    except where ``info.py`` asks ``cluster`` for the cluster's answers."""

    def __init__(self, server_class, primary, cluster, index, node_id):
        setter = object.__setattr__
        setter(self, "_primary", primary)
        setter(self, "cluster", cluster)
        setter(self, "index", index)
        setter(self, "node_id", node_id)
        setter(self, "host", primary.host)
        setter(self, "port", 0)
        setter(self, "started_at", time.time())
        setter(self, "alive", False)
        setter(self, "_listener", None)
        setter(self, "_accept_thread", None)
        setter(self, "_connections", set())
        setter(self, "_conn_lock", threading.Lock())
        setter(self, "_stopping", threading.Event())
        # Background jobs are each node's: a node runs a job on its own partitions and
        # query-show answers its own counts (the client adds the nodes' up).
        setter(self, "jobs", {})
        # Served by Server's loops, bound to this node (its listener, its connections).
        for name in ("_accept_loop", "_serve", "answer"):
            setter(self, name, getattr(server_class, name).__get__(self))

    def __getattr__(self, name):
        return getattr(self._primary, name)

    def __setattr__(self, name, value):
        # What a command stores on "the server" (a UDF registry...) is the cluster's.
        if name in _NODE_ATTRIBUTES:
            object.__setattr__(self, name, value)
        else:
            setattr(self._primary, name, value)

    def __repr__(self):
        return "<dev server node %d %s on %s:%d%s>" % (
            self.index, self.node_id, self.host, self.port, "" if self.alive else " (stopped)")

    def start(self, listener=None):
        if self.alive:
            return self
        if listener is None:
            listener = _bind(self.host, self.port)
        listener.listen(128)
        listener.settimeout(0.2)  # lets the accept loop notice stop()
        self._listener = listener
        self.port = listener.getsockname()[1]
        self.started_at = time.time()
        self._stopping.clear()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name="aerospike-devserver-node%d" % self.index,
            daemon=True)
        self._accept_thread.start()
        self.alive = True
        return self

    def halt(self):
        """Stop accepting connections (``stop`` finishes the job)."""
        self.alive = False
        self._stopping.set()
        if self._listener is not None:
            try:
                self._listener.close()
            except OSError:
                pass

    def stop(self):
        """Close the listener and every connection, as a node that dies."""
        self.halt()
        shut_down(self)

    def connection_count(self):
        with self._conn_lock:
            return len(self._connections)


# ---------------------------------------------------------------- info commands
# Each takes the node that answers and the command's argument.

# The default port of a peers answer: a real node answers 3000 whatever its own
# service port (a CE 8.1.2 node on 3400 answers "7,3000,[...]"); every peer below
# names its port, so the default is never used.
_PEERS_DEFAULT_PORT = 3000


def _peer_list(node, peers):
    """``<generation>,<default port>,[[<node id>,<tls name>,[<address>:<port>]],...]``."""
    entries = ["[%s,,[%s]]" % (peer.node_id, _address(peer)) for peer in peers
               if peer is not node]
    return "%d,%d,[%s]" % (node.cluster.peers_generation, _PEERS_DEFAULT_PORT,
                           ",".join(entries))


def _peers(node, _arg):
    return _peer_list(node, node.cluster.live_nodes())


def _peers_alt(node, _arg):
    # No node has an alternate address (alternate-access-address): the real server
    # lists no peer then (build_peers_reduce skips empty fields).
    return _peer_list(node, ())


def _alumni(node, _arg):
    cluster = node.cluster
    return _peer_list(node, [cluster.nodes[i] for i in sorted(cluster._seen)])


def _address(peer):
    host = "[%s]" % peer.host if ":" in peer.host else peer.host
    return "%s:%d" % (host, peer.port)


def _services(node, _arg):
    return ";".join(_address(p) for p in node.cluster.live_nodes() if p is not node)


def _services_alumni(node, _arg):
    cluster = node.cluster
    return ";".join(_address(cluster.nodes[i]) for i in sorted(cluster._seen)
                    if i != node.index)


def _replica_bitmaps(node):
    with node.cluster.lock:
        return list(node.cluster._replicas.get(node.index, ()))


def _replicas(node, _arg):
    bitmaps = _replica_bitmaps(node)
    # regime 0: an AP namespace
    return ";".join("%s:0,%d,%s" % (ns, len(bitmaps), ",".join(bitmaps))
                    for ns in node.store.namespaces)


def _replicas_all(node, _arg):
    bitmaps = _replica_bitmaps(node)
    return ";".join("%s:%d,%s" % (ns, len(bitmaps), ",".join(bitmaps))
                    for ns in node.store.namespaces)


def _replicas_master(node, _arg):
    bitmaps = _replica_bitmaps(node) or [_bitmap(())]
    return ";".join("%s:%s" % (ns, bitmaps[0]) for ns in node.store.namespaces)


def _cluster_stable(node, arg):
    from .info import parse_params
    params = parse_params(arg)
    size = params.get("size")
    if size is not None:
        if not size.isdigit():
            return "ERROR:4:bad size"
        if int(size) != len(node.cluster.live_nodes()):
            return "ERROR:7:cluster not specified size"
    ns = params.get("namespace")
    if ns is not None and node.store.namespace(ns) is None:
        return "ERROR:4:namespace not found"
    return node.cluster_key


def _object_counts(node, ns):
    """(master, replica) record counts of ``node`` in namespace ``ns``."""
    cluster = node.cluster
    master = prole = 0
    with node.store.lock:
        digests = [digest for digest, _ in ns.live_records()]
    with cluster.lock:
        owners = cluster._owners or ()
        for digest in digests:
            group = owners[store_mod.partition_id(digest)] if owners else ()
            if group[:1] == (node.index,):
                master += 1
            elif node.index in group:
                prole += 1
    return master, prole


def _patch(text, values):
    """``text`` (k=v;k=v) with the values of ``values`` replaced."""
    out = []
    for part in text.split(";"):
        key, sep, _ = part.partition("=")
        if sep and key in values:
            part = "%s=%s" % (key, values[key])
        out.append(part)
    return ";".join(out)


def _namespace(node, arg):
    from . import info
    text = info.namespace_info(node, arg)
    ns = node.store.namespace(arg)
    if ns is None:
        return text
    cluster = node.cluster
    master, prole = _object_counts(node, ns)
    return _patch(text, {
        "ns_cluster_size": len(cluster.live_nodes()),
        "effective_replication_factor": cluster.effective_replication_factor(),
        "replication-factor": cluster.replication_factor,
        "objects": master + prole, "master_objects": master, "prole_objects": prole,
    })


def _statistics(node, arg):
    from . import info
    text = info.statistics(node, arg)
    cluster = node.cluster
    live = cluster.live_nodes()
    objects = 0
    for ns in node.store.namespaces.values():
        objects += sum(_object_counts(node, ns))
    return _patch(text, {
        "cluster_size": len(live),
        "cluster_generation": cluster.cluster_generation,
        "cluster_principal": max((p.node_id for p in live), default=node.node_id),
        "paxos_principal": max((p.node_id for p in live), default=node.node_id),
        "objects": objects,
    })


_INFO = {
    "node": lambda node, arg: node.node_id,
    "peers-generation": lambda node, arg: str(node.cluster.peers_generation),
    "partition-generation": lambda node, arg: str(node.cluster.partition_generation),
    "rebalance-generation": lambda node, arg: str(node.cluster.cluster_generation),
    "peers-clear-std": _peers,
    "peers-clear-alt": _peers_alt,
    "alumni-clear-std": _alumni,
    "alumni-clear-alt": _peers_alt,
    "services-alternate": lambda node, arg: "",
    "services": _services,
    "services-alumni": _services_alumni,
    "replicas": _replicas,
    "replicas-all": _replicas_all,
    "replicas-master": _replicas_master,
    "cluster-stable": _cluster_stable,
    "namespace": _namespace,
    "statistics": _statistics,
}

__all__ = ["Cluster", "Node", "PARTITION_UNAVAILABLE"]
