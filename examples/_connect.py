"""Where the examples connect: $AEROSPIKE_TEST_SERVER (host:port) when set, else an
embedded dev server started for the run. Each example calls ``run(main)``."""

import os
from typing import Callable

import aerospike_cffi as aerospike
from aerospike_cffi.testing import Server


def run(main: Callable[[aerospike.Client], None]) -> None:
    address = os.environ.get("AEROSPIKE_TEST_SERVER")
    if address:
        host, _, port = address.rpartition(":")
        with aerospike.client({"hosts": [(host, int(port))]}) as client:
            main(client)
    else:
        with Server() as server:
            with aerospike.client({"hosts": [(server.host, server.port)]}) as client:
                main(client)
