"""The same user scripts (fidelity_cases.py) with the official client and with ours, against
the same server, give the same outcomes: results, exception classes, codes and messages,
the (code, msg, file, line, in_doubt) shape of every error, and the warnings a write gives.
Deliberate differences are listed in docs/migrating.rst and are not cases here."""

import json
import os
import subprocess

import pytest

import aerospike_cffi
import fidelity_cases  # noqa: E402 (tests/client on sys.path)

OFFICIAL_PYTHON = os.environ.get("OFFICIAL_PYTHON", "/tmp/official-venv/bin/python")


@pytest.fixture(scope="module")
def official(aerospike_server):
    """Every case's outcome with the official client (run once, in its interpreter)."""
    if not os.path.exists(OFFICIAL_PYTHON):
        pytest.skip("official client interpreter %s not found (set OFFICIAL_PYTHON)"
                    % OFFICIAL_PYTHON)
    proc = subprocess.run([OFFICIAL_PYTHON, fidelity_cases.__file__, "--host",
                           aerospike_server.host, "--port", str(aerospike_server.port)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", sorted(fidelity_cases.CASES))
def test_same_outcome_as_the_official_client(official, aerospike_server, name):
    ours = fidelity_cases.run(aerospike_cffi, aerospike_server.host, int(aerospike_server.port),
                              [name])[name]
    assert json.loads(json.dumps(ours)) == official[name]
