"""The info protocol: newline-separated command names in, ``name\\tvalue\\n`` out.

Answers what the C client asks to tend a one-node cluster (``node``,
``partition-generation``, ``replicas``, ``peers-*``, ...) and the commands users
call (``build``, ``namespaces``, ``namespace/<ns>``, ``sets``, ``statistics``,
``truncate``, ``sindex-*`` ...), in the formats of an Aerospike CE 8.1 server.
"""

import base64
import logging
import time

from . import store as store_mod
from .errors import ServerError

log = logging.getLogger(__name__)

BUILD = "8.1.2.0"
EDITION = "Aerospike Community Edition"
FEATURES = ("batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;"
            "geo;sindex-exists;peers;pipelining;pquery;pscans;query-show;relaxed-sc;replicas;"
            "replicas-all;replicas-master;replicas-max;truncate-namespace;udf")
ENTERPRISE_ONLY = "ERROR:25:enterprise only"
UNKNOWN = "ERROR:4:unrecognized command"
# Every partition is owned by this node: a bitmap of 4096 set bits.
_ALL_PARTITIONS = base64.b64encode(b"\xff" * (store_mod.N_PARTITIONS // 8)).decode()


def handle(server, body):
    """The info response body for request ``body`` (bytes)."""
    text = bytes(body).decode("utf-8", "replace")
    names = [n for n in text.split("\n") if n]
    if not names:
        names = ["node", "build", "edition", "version", "statistics"]
    out = []
    for name in names:
        try:
            value = answer(server, name)
        except ServerError as e:
            value = "ERROR:%d:%s" % (e.code, e.msg)
        except Exception:  # noqa: BLE001 - a broken command must not close the connection
            log.exception("info command %r failed", name)
            value = "ERROR:1:internal error"
        out.append("%s\t%s\n" % (name, value))
    return "".join(out).encode("utf-8")


def edition(server):
    if getattr(server, "edition", "community") == "enterprise":
        return "Aerospike Enterprise Edition"
    return EDITION


def parse_params(text):
    """'a=1;b=2' -> {'a': '1', 'b': '2'}."""
    params = {}
    for part in text.split(";"):
        if not part:
            continue
        k, _, v = part.partition("=")
        params[k.strip()] = v.strip()
    return params


def answer(server, name):
    command, sep, arg = name.partition(":")
    if not sep:
        command, _, arg = name.partition("/")
    cluster = getattr(server, "cluster", None)
    if cluster is not None:
        # A node of a cluster-mode server: the cluster's answers (cluster.py) first.
        fn = cluster.info_command(command)
        if fn is not None:
            return fn(server, arg)
    fn = _COMMANDS.get(command)
    if fn is None:
        sindex = _sindex_module()
        if sindex is not None and command in sindex.INFO_COMMANDS:
            return sindex.INFO_COMMANDS[command](server, arg)
        job = _scan_module()
        if job is not None and command in job.INFO_COMMANDS:
            return job.INFO_COMMANDS[command](server, arg)
        udf = _udf_module()
        if udf is not None and command in udf.INFO_COMMANDS:
            return udf.INFO_COMMANDS[command](server, arg)
        return UNKNOWN
    return fn(server, arg)


def _udf_module():
    try:
        from .lua import registry
    except ImportError:
        return None
    return registry


def _sindex_module():
    try:
        from . import sindex
    except ImportError:
        return None
    return sindex


def _scan_module():
    try:
        from . import scan
    except ImportError:
        return None
    return scan


def _namespaces(server):
    return server.store.namespaces


def replicas(server, _arg):
    return ";".join("%s:0,1,%s" % (ns, _ALL_PARTITIONS) for ns in _namespaces(server))


def replicas_all(server, _arg):
    return ";".join("%s:1,%s" % (ns, _ALL_PARTITIONS) for ns in _namespaces(server))


def replicas_master(server, _arg):
    return ";".join("%s:%s" % (ns, _ALL_PARTITIONS) for ns in _namespaces(server))


def peers(server, _arg):
    # The default port is 3000 whatever the node's own port, as a real node answers
    # (one serving on 3400 answers "7,3000,[...]").
    return "0,3000,[]"


def service(server, _arg):
    host = "[%s]" % server.host if ":" in server.host else server.host
    return "%s:%d" % (host, server.port)


def namespace_info(server, arg):
    ns = server.store.namespace(arg)
    if ns is None:
        return "ERROR::namespace not found"
    with server.store.lock:
        live = ns.live_records()
        used = sum(rec.size() for _, rec in live)
        expirable = sum(1 for _, rec in live if rec.void_time)
    stats = [
        ("ns_cluster_size", 1), ("effective_replication_factor", 1), ("objects", len(live)),
        ("tombstones", 0), ("master_objects", len(live)), ("prole_objects", 0),
        ("non_expirable_objects", len(live) - expirable), ("expired_objects", 0),
        ("evicted_objects", 0), ("stop_writes", "false"), ("hwm_breached", "false"),
        ("current_time", store_mod.now_void()),
        ("truncate_lut", store_mod.clepoch_ms(ns.truncate_lut)),
        ("data_used_bytes", used), ("data_total_bytes", 1073741824),
        ("allow-ttl-without-nsup", "false"), ("conflict-resolution-policy", "generation"),
        ("default-read-touch-ttl-pct", ns.default_read_touch_ttl_pct),
        ("default-ttl", ns.default_ttl),
        ("max-record-size", ns.max_record_size), ("nsup-period", 120),
        ("replication-factor", 1), ("single-query-threads", 4),
        ("strong-consistency", "true" if ns.strong_consistency else "false"),
        ("index-type", "mem"), ("sindex-type", "mem"), ("storage-engine", "memory"),
    ]
    return ";".join("%s=%s" % kv for kv in stats)


def sets(server, arg):
    ns_filter, _, set_filter = arg.partition("/")
    out = []
    with server.store.lock:
        for ns in _namespaces(server).values():
            if ns_filter and ns.name != ns_filter:
                continue
            counts = {}
            for _, rec in ns.live_records():
                counts[rec.set_name] = counts.get(rec.set_name, 0) + 1
            for set_name in ns.sets:
                if set_filter and set_name != set_filter:
                    continue
                stats = [
                    ("ns", ns.name), ("set", set_name), ("objects", counts.get(set_name, 0)),
                    ("tombstones", 0), ("data_used_bytes", 0),
                    ("truncate_lut", store_mod.clepoch_ms(ns.set_truncate_lut.get(set_name, 0))),
                    ("sindexes", _sindex_count(server, ns.name, set_name)),
                    ("index_populating", "false"), ("truncating", "false"),
                    ("default-read-touch-ttl-pct", 0), ("default-ttl", 0),
                    ("disable-eviction", "false"), ("enable-index", "false"),
                    ("stop-writes-count", 0), ("stop-writes-size", 0),
                ]
                out.append(":".join("%s=%s" % kv for kv in stats) + ";")
    return "".join(out)


def _sindex_count(server, ns, set_name):
    indexes = getattr(server, "sindexes", None) or {}
    return sum(1 for ix in indexes.values()
               if getattr(ix, "namespace", None) == ns and getattr(ix, "set_name", None) == set_name)


def bins(server, arg):
    out = []
    with server.store.lock:
        for ns in _namespaces(server).values():
            if arg and ns.name != arg:
                continue
            names = list(ns.bin_names)
            out.append("%s:bin_names=%d,bin_names_quota=65535%s;" % (
                ns.name, len(names), "".join("," + n for n in names)))
    return "".join(out)


def statistics(server, _arg):
    with server.store.lock:
        objects = sum(len(ns.live_records()) for ns in _namespaces(server).values())
    stats = [
        ("cluster_size", 1), ("cluster_key", server.cluster_key), ("cluster_generation", 1),
        ("cluster_principal", server.node_id), ("cluster_integrity", "true"),
        ("cluster_is_member", "true"), ("uptime", int(time.time() - server.started_at)),
        ("objects", objects), ("tombstones", 0),
        ("client_connections", server.connection_count()),
        ("paxos_principal", server.node_id), ("migrate_allowed", "true"),
        ("migrate_partitions_remaining", 0),
    ]
    return ";".join("%s=%s" % kv for kv in stats)


def truncate(server, arg):
    params = parse_params(arg)
    ns = server.store.namespace(params.get("namespace", ""))
    if not params.get("namespace"):
        return "ERROR:20:missing 'namespace'"
    if params.get("set") == "":
        return "ERROR:4:missing 'set' value"
    lut = params.get("lut")
    try:
        lut_ns = int(lut) if lut else None
    except ValueError:
        return "ERROR:4:bad lut"
    if lut_ns is not None and lut_ns > store_mod.now_ns():
        return "ERROR:4:lut is in the future"
    if ns is None:
        # server 8.1 stores the command for the cluster without checking the namespace
        return "ok"
    with server.store.lock:
        ns.truncate(params.get("set") or None, lut_ns)
    return "ok"


def truncate_namespace(server, arg):
    params = parse_params(arg)
    params.pop("set", None)
    return truncate(server, ";".join("%s=%s" % kv for kv in params.items()))


# Namespace settings set-config may change: info name -> (attribute, lowest, highest).
_NS_SETTINGS = {
    "default-ttl": ("default_ttl", 0, store_mod.MAX_TTL),
    "max-record-size": ("max_record_size", 1, 8 * 1024 * 1024),
    "default-read-touch-ttl-pct": ("default_read_touch_ttl_pct", 0, 100),
}


def get_config(server, arg):
    params = parse_params(arg)
    context = params.get("context", "service")
    if context == "namespace":
        ns = server.store.namespace(params.get("id", ""))
        if ns is None:
            return "ERROR:4:namespace not found"
        return ";".join("%s=%s" % (name, getattr(ns, attr))
                        for name, (attr, _, _) in sorted(_NS_SETTINGS.items()))
    if context == "service":
        return "cluster-name=%s;proto-fd-max=15000;service-threads=1" % server.cluster_name
    return "ERROR:4:unknown context"


def set_config(server, arg):
    params = parse_params(arg)
    if params.pop("context", None) != "namespace":
        return "ERROR:4:only namespace settings can be changed"
    ns = server.store.namespace(params.pop("id", ""))
    if ns is None:
        return "ERROR:4:namespace not found"
    updates = []
    for name, text in params.items():
        setting = _NS_SETTINGS.get(name)
        if setting is None or not text.isdigit():
            return "ERROR:4:bad parameter %s" % name
        attr, low, high = setting
        if not low <= int(text) <= high:
            return "ERROR:4:%s out of range" % name
        updates.append((attr, int(text)))
    with server.store.lock:
        for attr, value in updates:
            setattr(ns, attr, value)
    return "ok"


def constant(value):
    return lambda server, arg: value


_COMMANDS = {
    "node": lambda server, arg: server.node_id,
    "partition-generation": constant("0"),
    "rebalance-generation": constant("1"),
    "partitions": constant(str(store_mod.N_PARTITIONS)),
    "replicas": replicas,
    "replicas-all": replicas_all,
    "replicas-master": replicas_master,
    "peers-generation": constant("0"),
    "peers-clear-std": peers,
    "peers-clear-alt": peers,
    "peers-tls-std": constant(ENTERPRISE_ONLY),
    "peers-tls-alt": constant(ENTERPRISE_ONLY),
    "services": constant(""),
    "services-alumni": constant(""),
    "services-alternate": constant(""),
    "service": service,
    "service-clear-std": service,
    "service-clear-alt": service,
    "features": constant(FEATURES),
    "cluster-name": lambda server, arg: server.cluster_name,
    "cluster-stable": lambda server, arg: server.cluster_key,
    "racks": constant(ENTERPRISE_ONLY),
    "xdr-set-filter": constant(ENTERPRISE_ONLY),  # an ee_only command (thr_info.c)
    "rack-ids": lambda server, arg: ";".join("%s:0" % ns for ns in _namespaces(server)),
    "build": constant(BUILD),
    "version": lambda server, arg: "%s build %s" % (edition(server), BUILD),
    "edition": lambda server, arg: edition(server),
    "namespaces": lambda server, arg: ";".join(_namespaces(server)),
    "namespace": namespace_info,
    "sets": sets,
    "bins": bins,
    "statistics": statistics,
    "truncate": truncate,
    "truncate-namespace": truncate_namespace,
    "status": constant("ok"),
    # Clients of server 8.1+ name themselves once per tend; the server only records it.
    "user-agent-set": constant("ok"),
    "get-config": get_config,
    "config-get": get_config,
    "set-config": set_config,
    "config-set": set_config,
}
