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


# Maps with a float, bool or nil key: a real server 8.1 refuses such a bin (SERVER_ERROR),
# and so does the dev server now; the official client drops those keys before sending.
# Until the client does the same (issue 9, "Data and results"), these tests that store
# such maps fail with ServerError, and only with it.
_FLOAT_KEY_TESTS = (
    "tests/client/test_put_pickled.py::test_plain_bins_are_stored_as_the_packer_stores_them"
    "[{'v': {1.5: 2, 2.5: 3}}]",
    "tests/client/test_put_pickled.py::test_plain_bins_are_stored_as_the_packer_stores_them"
    "[{'m': {1: 't', 's': 'str', None: 0, 2.5: 'f', b'b': 1}}]",
    "tests/client/test_put_pickled.py::test_shared_containers_and_subclasses_go_to_the_packer",
    "tests/client/test_record_marshal.py::test_get_reads_the_same_in_both_forms[{1.5: 2, 2.5: 3}]",
    "tests/client/test_record_marshal.py::test_get_reads_the_same_in_both_forms[{True: 1, False: 2}]",
    "tests/client/test_page_marshal.py::test_batch_read_of_plain_values",
    "tests/client/test_page_marshal.py::test_a_batch_with_a_fallback_value_is_packed[{True: 1,",
    "tests/client/test_page_marshal.py::test_a_page_mixes_marshal_and_packed_records",
)


def pytest_collection_modifyitems(config, items):
    from aerospike_cffi.exception import ServerError

    mark = pytest.mark.xfail(raises=ServerError, strict=False,
                             reason="issue 9: maps with float/bool/nil keys are refused by the "
                                    "server; the official client drops those keys")
    for item in items:
        if item.nodeid.startswith(_FLOAT_KEY_TESTS):
            item.add_marker(mark)


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
