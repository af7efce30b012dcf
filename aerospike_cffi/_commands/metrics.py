"""Metrics, statistics and the effective policies: enable_metrics, disable_metrics,
get_stats, get_policies.

With listeners, the C client's metrics events arrive on its own threads through the
Python+C callback below (cffi takes the GIL). The callback never lets an exception reach
C: a raising listener becomes the C client's error for that event, with the official's
message ("Python callback <name> threw a <type> exception. Exception value: <value>"),
which the C client logs (snapshot, node close) or returns (enable, disable). Listeners are
kept in a table by handle (the C side holds only the number) until their disable event.
"""

import atexit
import itertools
import logging
import os
import threading

from aerospike_helpers import metrics as _m

from .._native import NulFields, ffi, lib, out_bytes, raise_error, scratch
from ..exception import ClientError, ParamError

_NULL = ffi.NULL
_METRICS_CONFLICT = -20  # AEROSPIKE_METRICS_CONFLICT: logged by the official, not raised
_ENABLE, _SNAPSHOT, _NODE_CLOSE, _DISABLE = 0, 1, 2, 3  # shim.h SHIM_METRICS_*
_LISTENER_NAMES = ("enable_listener", "disable_listener", "node_close_listener",
                   "snapshot_listener")
_EVENT_LISTENER = {_ENABLE: "enable_listener", _SNAPSHOT: "snapshot_listener",
                   _NODE_CLOSE: "node_close_listener", _DISABLE: "disable_listener"}
_LATENCY_NAMES = ("conn_latency", "write_latency", "read_latency", "batch_latency",
                  "query_latency")

_listeners = {}  # handle -> MetricsListeners of an enabled client
_listeners_lock = threading.Lock()
# Set while a listener runs on a thread of the C client (the tend thread: snapshot and
# node close events). That thread holds the cluster's tend and metrics locks, and
# destroying the cluster takes both and joins it, so a close() there must leave the
# destruction to another thread (Client._reap reads this).
on_c_client_thread = threading.local()
_handles = itertools.count(1)
_log = logging.getLogger("aerospike_cffi")
# A client left open at exit still has its tend thread: from then on its events find no
# listener and return at once, instead of running user code during interpreter shutdown.
atexit.register(_listeners.clear)


def _reset_after_fork():
    # A thread of the parent may have held the lock at the fork; it does not exist in
    # the child, which would wait for it forever.
    global _listeners_lock
    _listeners_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


# ------------------------------------------------------------------ decoding (shim_metrics.c)

def _new(cls, **attrs):
    # The official's classes have no constructor taking these: fill a bare instance.
    obj = cls.__new__(cls)
    obj.__dict__.update(attrs)
    return obj


def _node_head(f, cls):
    name, address, port = f.text(), f.text(), f.number()
    conns = _new(_m.ConnectionStats, **{k: f.number() for k in (
        "in_use", "in_pool", "opened", "closed", "recovered", "aborted")})
    counts = {k: f.number() for k in ("error_count", "timeout_count", "key_busy_count")}
    if cls is _m.NodeStats:
        return _new(cls, name=name, address=address, port=port, conns=conns, **counts)
    return _new(cls, name=name, address=address, port=port, conns=conns)


def _node(f):
    node = _node_head(f, _m.Node)
    metrics = []
    for _ in range(f.number()):
        ns = _new(_m.NamespaceMetrics, ns=f.text(), **{k: f.number() for k in (
            "bytes_in", "bytes_out", "error_count", "timeout_count", "key_busy_count")})
        for latency in _LATENCY_NAMES:
            setattr(ns, latency, [f.number() for _ in range(f.number())])
        metrics.append(ns)
    node.metrics = metrics
    return node


def _cluster(f):
    has_name, name = f.number(), f.text()
    has_app_id, app_id = f.number(), f.text()
    cluster = _new(_m.Cluster, cluster_name=name if has_name else None,
                   app_id=app_id if has_app_id else None, invalid_node_count=f.number(),
                   command_count=f.number(), retry_count=f.number())
    cluster.nodes = [_node(f) for _ in range(f.number())]
    return cluster


@ffi.def_extern()
def _aerospike_cffi_metrics(event, handle, data, length, message, message_size):
    name = _EVENT_LISTENER.get(event, "listener")
    try:
        with _listeners_lock:
            listeners = _listeners.get(handle)
            if event == _DISABLE:
                _listeners.pop(handle, None)
        if listeners is None:
            return 0
        callback = getattr(listeners, name)
        if event == _ENABLE:
            callback()
        else:
            fields = NulFields(bytes(ffi.buffer(data, length)) if length else b"")
            value = _node(fields) if event == _NODE_CLOSE else _cluster(fields)
            if event in (_SNAPSHOT, _NODE_CLOSE):  # on the tend thread
                on_c_client_thread.active = True
                try:
                    callback(value)
                finally:
                    on_c_client_thread.active = False
            else:
                callback(value)
        return 0
    except BaseException as exc:  # noqa: BLE001 - nothing may escape into the C client
        head = "Python callback %s threw a %s exception. " % (name, type(exc).__name__)
        try:
            text = head + "Exception value: %s" % (exc,)
        except BaseException:  # noqa: BLE001 - str() of the exception itself failed
            text = head + "str() on exception value threw an error"  # the official's words
        raw = text.encode("utf-8", "replace")[:max(message_size - 1, 0)]
        ffi.memmove(message, raw + b"\0", len(raw) + 1)
        return 1


# ------------------------------------------------------------------ policy checks

def _attr(policy, name):
    try:
        return getattr(policy, name)
    except AttributeError:
        raise ParamError(-2, "Unable to fetch %s attribute" % name) from None


def _type_error(name, what):
    return ParamError(-2, "MetricsPolicy.%s must be a %s type" % (name, what))


def _unsigned(policy, name, bits, what):
    value = _attr(policy, name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < (1 << bits):
        raise _type_error(name, what)
    return value


def _check_listeners(listeners):
    if listeners is None:
        return None
    if type(listeners) is not _m.MetricsListeners:
        raise _type_error("metrics_listeners", "aerospike_helpers.metrics.MetricsListeners")
    for name in _LISTENER_NAMES:
        try:
            callback = getattr(listeners, name)
        except AttributeError:
            raise ParamError(-2, "Unable to fetch %s attribute from MetricsListeners instance"
                             % name) from None
        if not callable(callback):
            raise ParamError(-2, "MetricsPolicy.metrics_listeners.%s must be a callable type"
                             % name)
    return listeners


def metrics_args(policy):
    """(shim arguments, listeners) of a MetricsPolicy (None: the C defaults), checked as
    the official checks it (also when it comes in the client config)."""
    args = (_NULL, 0, 30, 7, 1, b"", 0)
    listeners = None
    if policy is not None:
        if type(policy) is not _m.MetricsPolicy:
            raise ParamError(-2, "policy parameter must be an "
                                 "aerospike_helpers.MetricsPolicy type")
        listeners = _check_listeners(_attr(policy, "metrics_listeners"))
        report_dir = _attr(policy, "report_dir")
        if not isinstance(report_dir, str):
            raise _type_error("report_dir", "str")
        report_dir = report_dir.encode("utf-8", "surrogatepass")
        if len(report_dir) >= 256:
            raise ParamError(-2, "MetricsPolicy.report_dir must be less than 256 chars")
        if b"\0" in report_dir:
            raise _type_error("report_dir", "str")
        size_limit = _unsigned(policy, "report_size_limit", 64, "unsigned 64-bit integer")
        interval = _unsigned(policy, "interval", 32, "unsigned 32-bit integer")
        columns = _unsigned(policy, "latency_columns", 8, "unsigned 8-bit integer")
        shift = _unsigned(policy, "latency_shift", 8, "unsigned 8-bit integer")
        labels = _attr(policy, "labels")
        if not isinstance(labels, dict):
            raise _type_error("labels", "dict[str, str]")
        packed = []
        for name, value in labels.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise _type_error("labels", "dict[str, str]")
            for text in (name, value):
                data = text.encode("utf-8", "surrogatepass")
                if b"\0" in data:
                    raise _type_error("labels", "dict[str, str]")
                packed.append(data + b"\0")
        args = (report_dir, size_limit, interval, columns, shift, b"".join(packed),
                len(labels))
    return args, listeners


class MetricsCommands:
    """enable_metrics / disable_metrics / get_stats / get_policies of Client."""

    def enable_metrics(self, policy=None):
        """Start periodic metrics: files in ``policy.report_dir`` (the C client's writer),
        or the policy's MetricsListeners called with Cluster / Node objects."""
        if policy is None:  # the client config's, as the official
            policy = self._settings.metrics_policy
        args, listeners = metrics_args(policy)
        conn = self._conn()
        handle = 0
        if listeners is not None:
            handle = next(_handles)
            with _listeners_lock:
                _listeners[handle] = listeners
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_metrics_enable(conn, err, *args, listeners is not None, handle)
        finally:
            self._leave(busy)
        if rc:
            with _listeners_lock:
                _listeners.pop(handle, None)
            if rc == _METRICS_CONFLICT:
                _log.warning(ffi.string(err.message).decode("utf-8", "replace"))
                return None
            raise_error(err)
        return None

    def disable_metrics(self):
        """Stop periodic metrics (the disable listener runs, or the files are closed)."""
        conn = self._conn()
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_metrics_disable(conn, err)
        finally:
            self._leave(busy)
        if rc == _METRICS_CONFLICT:
            _log.warning(ffi.string(err.message).decode("utf-8", "replace"))
        elif rc:
            raise_error(err)
        return None

    def get_stats(self):
        """ClusterStats of the client's cluster: per node connections and error counts."""
        conn = self._conn()
        _, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_stats(conn, out)
        finally:
            self._leave(busy)
        if rc:
            raise ClientError(-1, "Out of memory")
        f = NulFields(out_bytes(out))
        stats = _new(_m.ClusterStats, retry_count=f.number(),
                     thread_pool_queued_tasks=f.number(), recover_queue_size=f.number())
        nodes = []
        for _ in range(f.number()):
            nodes.append(_node_head(f, _m.NodeStats))
            f.number()  # no namespace metrics in stats
        stats.nodes = nodes
        return stats

    def get_policies(self):
        """The client's default policies, as the official reports them (one dict per kind)."""
        from .._policy import describe_policies

        return describe_policies(self._cfg.policies, self._deserialize_settings())

    def _deserialize_settings(self):
        """{kind: deserialize} as configured: the C structs always carry False (the shim
        never builds C lists/maps), the official reports what the config asked for."""
        policies = self._config.get("policies")
        result = {}
        for kind in ("read", "operate", "batch", "batch_parent_write", "query", "txn_verify",
                     "txn_roll"):
            value = True
            sub = policies.get(kind) if isinstance(policies, dict) else None
            if isinstance(sub, dict) and isinstance(sub.get("deserialize"), int):
                value = bool(sub["deserialize"])
            result[kind] = value
        return result
