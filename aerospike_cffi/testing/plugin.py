"""pytest plugin: an Aerospike server for the test session.

Fixture ``aerospike_server`` (session scope) gives an object with ``.host`` and
``.port``; ``aerospike_client`` (session scope) an ``aerospike_cffi`` client connected
to it (the client is imported only when a test asks for it).  With ``AEROSPIKE_TEST_SERVER=host:port`` in the environment it names
that (real) server and starts nothing; otherwise it starts the embedded dev
server in a background thread, once per session.

``AEROSPIKE_DEV_SERVER_NODES=3`` makes that dev server a cluster of three nodes
(replication factor 2, see cluster.py), to run a suite against several nodes.

Tests marked ``@pytest.mark.devserver_only`` look inside the dev server
(``aerospike_server.server``) and are skipped against a real server.
"""

import os

import pytest

ENV_VAR = "AEROSPIKE_TEST_SERVER"
NODES_ENV_VAR = "AEROSPIKE_DEV_SERVER_NODES"


class ServerAddress:
    """Where the test server listens; ``server`` is the dev server (None when real)."""

    def __init__(self, host, port, server=None):
        self.host = host
        self.port = port
        self.server = server

    @property
    def is_dev_server(self):
        return self.server is not None

    def __repr__(self):
        kind = "dev server" if self.is_dev_server else "server"
        return "<%s %s:%d>" % (kind, self.host, self.port)


def parse_address(text):
    """'host:port' or '[v6]:port' -> (host, port); port defaults to 3000."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    return host, int(port) if port else 3000


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "devserver_only: the test inspects the embedded dev server's internals")


def pytest_collection_modifyitems(config, items):
    if not os.environ.get(ENV_VAR):
        return
    skip = pytest.mark.skip(reason="inspects the embedded dev server; %s is set" % ENV_VAR)
    for item in items:
        if "devserver_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def aerospike_server():
    real = os.environ.get(ENV_VAR)
    if real:
        host, port = parse_address(real)
        yield ServerAddress(host, port)
        return
    from .server import Server

    server = Server(nodes=int(os.environ.get(NODES_ENV_VAR) or 1)).start()
    try:
        yield ServerAddress(server.host, server.port, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def aerospike_client(aerospike_server):
    import aerospike_cffi

    client = aerospike_cffi.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
    try:
        yield client
    finally:
        client.close()
