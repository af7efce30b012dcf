"""Where the examples connect: $AEROSPIKE_TEST_SERVER (host:port) when set, else an
embedded dev server started for the run. Each example calls ``run(main)`` (the asyncio
example takes the address from ``server_address()``)."""

import contextlib
import os
from typing import Callable, Iterator, Tuple

import aerospike_cffi as aerospike
from aerospike_cffi.testing import Server


@contextlib.contextmanager
def server_address() -> Iterator[Tuple[str, int]]:
    address = os.environ.get("AEROSPIKE_TEST_SERVER")
    if address:
        host, _, port = address.rpartition(":")
        yield host, int(port)
    else:
        with Server() as server:
            yield server.host, server.port


def run(main: Callable[[aerospike.Client], None]) -> None:
    with server_address() as (host, port):
        with aerospike.client({"hosts": [(host, port)]}) as client:
            main(client)
