"""Classes of the client metrics API (``client.enable_metrics``).

``MetricsPolicy`` and ``MetricsListeners`` are built by the user; ``Cluster``, ``Node``,
``ConnectionStats`` and ``NamespaceMetrics`` are filled in by the client and passed to the
listeners; ``ClusterStats``/``NodeStats`` describe ``client.get_stats()``.
"""

from typing import List


class ConnectionStats:
    """Connections of one node: ``in_use``, ``in_pool``, ``opened``, ``closed``,
    ``recovered`` and ``aborted`` counts."""


class NamespaceMetrics:
    """Per node and namespace: ``ns``, ``bytes_in``, ``bytes_out``, ``error_count``,
    ``timeout_count``, ``key_busy_count`` and the latency histograms ``conn_latency``,
    ``write_latency``, ``read_latency``, ``batch_latency``, ``query_latency``."""


class Node:
    """A cluster node: ``name``, ``address``, ``port``, ``conns`` (:class:`ConnectionStats`)
    and ``metrics`` (a list of :class:`NamespaceMetrics`)."""


class Cluster:
    """The cluster: ``cluster_name``, ``app_id``, ``invalid_node_count``, ``command_count``,
    ``retry_count``, ``delay_queue_timeout_count`` and ``nodes`` (a list of :class:`Node`)."""


class NodeStats:
    """Statistics of one node (see ``client.get_stats()``)."""

    __annotations__ = dict(name=str, address=str, port=int, conns=ConnectionStats, error_count=int,
                           timeout_count=int, key_busy_count=int)


class ClusterStats:
    """Statistics of the cluster (see ``client.get_stats()``)."""

    __annotations__ = dict(nodes=List[NodeStats], retry_count=int, thread_pool_queued_tasks=int,
                           recover_queue_size=int)


class MetricsListeners:
    """Callbacks for metrics events: enabling, a snapshot (gets the :class:`Cluster`),
    a node closing (gets the :class:`Node`), disabling (gets the :class:`Cluster`)."""

    def __init__(self, enable_listener, snapshot_listener, node_close_listener, disable_listener):
        self.enable_listener = enable_listener
        self.snapshot_listener = snapshot_listener
        self.node_close_listener = node_close_listener
        self.disable_listener = disable_listener


class MetricsPolicy:
    """How metrics are collected: listeners (None: write reports to ``report_dir``),
    report file size limit, ``interval`` in tend iterations, latency histogram shape,
    and ``labels`` added to every report."""

    # The shared ``{}`` default matches the official signature; it is never mutated here.
    def __init__(self, metrics_listeners=None, report_dir=".", report_size_limit=0, interval=30,
                 latency_columns=7, latency_shift=1, labels={}):  # noqa: B006
        self.metrics_listeners = metrics_listeners
        self.report_dir = report_dir
        self.report_size_limit = report_size_limit
        self.interval = interval
        self.latency_columns = latency_columns
        self.latency_shift = latency_shift
        self.labels = labels
