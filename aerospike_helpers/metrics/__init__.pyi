"""Type stubs of aerospike_helpers.metrics."""

from typing import Any, Callable, Dict, List, Optional

class ConnectionStats:
    in_use: int
    in_pool: int
    opened: int
    closed: int
    recovered: int
    aborted: int

class NamespaceMetrics:
    ns: str
    bytes_in: int
    bytes_out: int
    error_count: int
    timeout_count: int
    key_busy_count: int
    conn_latency: List[int]
    write_latency: List[int]
    read_latency: List[int]
    batch_latency: List[int]
    query_latency: List[int]

class Node:
    name: str
    address: str
    port: int
    conns: ConnectionStats
    metrics: List[NamespaceMetrics]

class Cluster:
    cluster_name: Optional[str]
    app_id: Optional[str]
    invalid_node_count: int
    command_count: int
    retry_count: int
    delay_queue_timeout_count: int
    nodes: List[Node]

class NodeStats:
    name: str
    address: str
    port: int
    conns: ConnectionStats
    error_count: int
    timeout_count: int
    key_busy_count: int

class ClusterStats:
    nodes: List[NodeStats]
    retry_count: int
    thread_pool_queued_tasks: int
    recover_queue_size: int

class MetricsListeners:
    enable_listener: Callable[[], None]
    snapshot_listener: Callable[[Cluster], None]
    node_close_listener: Callable[[Node], None]
    disable_listener: Callable[[Cluster], None]
    def __init__(self, enable_listener: Callable[[], None], snapshot_listener: Callable[[Cluster], None],
                 node_close_listener: Callable[[Node], None],
                 disable_listener: Callable[[Cluster], None]) -> None: ...

class MetricsPolicy:
    metrics_listeners: Optional[MetricsListeners]
    report_dir: str
    report_size_limit: int
    interval: int
    latency_columns: int
    latency_shift: int
    labels: Dict[str, str]
    def __init__(self, metrics_listeners: Optional[MetricsListeners] = ..., report_dir: str = ...,
                 report_size_limit: int = ..., interval: int = ..., latency_columns: int = ...,
                 latency_shift: int = ..., labels: Dict[str, str] = ...) -> None: ...
