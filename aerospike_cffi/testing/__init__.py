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
and expression engines), delete, touch, exists, TTL / generation / exists
policies, stored keys, truncate, the cluster-tending info commands; batch,
scan, query and secondary indexes as far as their modules reach.

Not supported (yet): security / users (admin commands answer "security not
enabled"), UDFs (``udf-put`` is refused, ``udf-list`` is empty), strong
consistency and transactions (MRT fields are ignored), XDR, TLS, persistence.
"""

from .server import Server
from .store import Namespace

__all__ = ["Server", "Namespace"]
