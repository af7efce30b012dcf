"""Quickstart: put, get, operate and remove one record.

Runs against $AEROSPIKE_TEST_SERVER (host:port) when set, else against the embedded
dev server started here.
"""

import os

import aerospike_cffi as aerospike
from aerospike_cffi.testing import Server
from aerospike_helpers.operations import list_operations, operations


def demo(host: str, port: int) -> None:
    with aerospike.client({"hosts": [(host, port)]}) as client:
        key = ("test", "demo", "quickstart")
        client.put(key, {"name": "Ada", "visits": 1, "tags": ["math"]})
        _, meta, bins = client.get(key)
        print("get:", meta, bins)
        _, _, bins = client.operate(key, [
            operations.increment("visits", 1),
            list_operations.list_append("tags", "engines"),
            operations.read("visits"),
        ])
        print("operate:", bins)
        client.remove(key)
        print("exists after remove:", client.exists(key)[1])


if __name__ == "__main__":
    address = os.environ.get("AEROSPIKE_TEST_SERVER")
    if address:
        host, _, port = address.rpartition(":")
        demo(host, int(port))
    else:
        with Server() as server:
            demo(server.host, server.port)
