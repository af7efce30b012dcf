"""asyncio client: ``aerospike_cffi.aio.client(config)`` -> AsyncClient.

The same config, policies, key and record tuples, exceptions and helpers as the sync
client; commands are coroutines::

    from aerospike_cffi import aio

    async with aio.client({"hosts": [("127.0.0.1", 3000)]}) as client:
        await client.put(("test", "demo", 1), {"a": 1})
        key, meta, bins = await client.get(("test", "demo", 1))
        async for key, meta, bins in client.query("test", "demo").results():
            ...

Single-record and batch commands run on the C client's own event loop (a C thread, libev)
and come back to asyncio in batches through an eventfd (see _completions); the rest run on
worker threads (see _client). Types: ``__init__.pyi`` (generated from the sync stub by
tests/packaging/make_aio_stub.py).
"""

from ._client import AsyncClient, client
from ._stream import AsyncQuery, AsyncScan, Records

__all__ = ["AsyncClient", "AsyncQuery", "AsyncScan", "Records", "client"]
