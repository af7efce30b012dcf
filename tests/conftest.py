"""Shared fixtures: the test server (dev server, or $AEROSPIKE_TEST_SERVER) and a client."""

import itertools
import os

import pytest

try:
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # hypothesis is a test dependency; keep collection working without it
    _hypothesis_settings = None
else:
    # CI runs the same examples every time (a red CI names a reproducible case); local runs
    # keep exploring new ones.
    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        _hypothesis_settings.load_profile("ci")

PLUGIN = "aerospike_cffi.testing.plugin"


def pytest_configure(config):
    config.addinivalue_line("markers", "leak: measures memory growth over many commands")
    manager = config.pluginmanager
    if not (manager.has_plugin("aerospike_cffi") or manager.has_plugin(PLUGIN)):
        manager.import_plugin(PLUGIN)


@pytest.fixture(scope="session")
def client(aerospike_client):
    """The plugin's session client, under a short name."""
    return aerospike_client


_counter = itertools.count()


@pytest.fixture
def key(client):
    """A fresh key in test/cffi, removed after the test."""
    k = ("test", "cffi", "k-%d-%d" % (os.getpid(), next(_counter)))
    yield k
    try:
        client.remove(k)
    except Exception:
        pass
