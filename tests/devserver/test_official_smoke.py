"""The official client (PyPI `aerospike`) works against the test server."""

import os

import pytest

from .official import run_official

HERE = os.path.dirname(__file__)


@pytest.mark.parametrize("script", ["official_smoke.py", "official_multi.py"])
def test_official_client(aerospike_server, script):
    proc = run_official([os.path.join(HERE, script), "--host", aerospike_server.host,
                         "--port", aerospike_server.port], timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stdout + proc.stderr
