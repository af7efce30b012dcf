"""An embedded, pure-Python, Aerospike-compatible dev server.

    from aerospike_cffi.testing import Server
    with Server() as srv:            # a free port on 127.0.0.1
        client = aerospike.client({"hosts": [(srv.host, srv.port)]}).connect()

or ``python -m aerospike_cffi.testing --port 3000``.  It speaks the Aerospike
wire protocol (info, messages, compressed messages) well enough for the C client
(and so this project's client and the official one) to see a one-node
Community Edition 8.1 cluster with namespaces ``test`` and ``bar``, kept in
memory.  It imports nothing from the rest of ``aerospike_cffi``.

Supported: single-record reads, writes, operate (with the collection, bit, HLL
and expression engines), delete, touch, exists; TTL / generation / exists
policies, read-touch, stored keys, record-size and bin-name limits; batch
reads, writes, operates and removes; partition scans and queries with paging,
filter expressions and secondary indexes (numeric, string, blob, geo2dsphere;
on bins, list elements, map keys/values, CDT contexts or expressions);
background operate jobs with ``query-show``; truncate with a cutoff; the info
commands clients use to tend a cluster.

Optionally, as an Enterprise server: security (``Server(security=True)``: users,
roles, privileges, the admin protocol; see ``security.py``) and strong-consistency
namespaces running multi-record transactions (``Server(namespaces={"test":
{"strong_consistency": True}})``; see ``txn.py``).  Without these options it is
Community Edition: admin commands answer "security not supported" and commands in
a transaction "enterprise only".

Cluster mode: ``Server(nodes=3, replication_factor=2)`` serves several nodes on
consecutive ports, each with its share of the partitions; ``stop_node(i)`` /
``start_node(i)`` take one away and bring it back (see ``cluster.py``).

Not supported (yet): UDFs and aggregations (refused with UNSUPPORTED_FEATURE;
``udf-list`` is empty), XDR, TLS, persistence, records-per-second throttling of
background jobs.
"""

from .server import Server
from .store import Namespace

__all__ = ["Server", "Namespace"]
