"""The official client (PyPI `aerospike`) works against the test server."""

import os

from .official import run_official

SCRIPT = os.path.join(os.path.dirname(__file__), "official_smoke.py")


def test_official_client_smoke(aerospike_server):
    proc = run_official([SCRIPT, "--host", aerospike_server.host, "--port", aerospike_server.port],
                        timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stdout + proc.stderr
