"""Replay the recorded Lua UDF cases of a real Aerospike CE 8.1.2 server
(tests/data/server-cases/udf.jsonl, modules in udf/) against the test server.

The client that replays is a parameter: both the official client (under
$OFFICIAL_PYTHON) and aerospike_cffi under this interpreter by default;
$AEROSPIKE_UDF_REPLAY_CLIENTS (comma separated, ``official`` and/or ``cffi``)
chooses.  Every case must match, against the dev server and a real one."""

import os
import re
import subprocess
import sys

import pytest

from .official import run_official

CASES = os.path.join(os.path.dirname(__file__), os.pardir, "data", "server-cases")
REPLAY = os.path.join(CASES, "replay.py")
CLIENTS = [c.strip() for c in os.environ.get("AEROSPIKE_UDF_REPLAY_CLIENTS", "official,cffi").split(",")
           if c.strip()]


def _replay(client, addr):
    args = [REPLAY, "--host", addr.host, "--port", addr.port, "-v",
            os.path.join(CASES, "udf.jsonl")]
    if client == "official":
        return run_official(args, timeout=1800)
    return subprocess.run([sys.executable] + [str(a) for a in args[:1]] +
                          ["--module", "aerospike_cffi"] + [str(a) for a in args[1:]],
                          capture_output=True, text=True, timeout=1800)


@pytest.mark.parametrize("client", CLIENTS)
def test_udf_cases(aerospike_server, client):
    if not os.environ.get("AEROSPIKE_TEST_SERVER"):
        from aerospike_cffi.testing import lua
        if not lua.available():
            pytest.skip("the dev server needs lupa to run Lua UDFs")
    proc = _replay(client, aerospike_server)
    total = re.search(r"TOTAL: (\d+) matched, (\d+) differed", proc.stdout)
    assert total, proc.stdout[-5000:] + proc.stderr[-5000:]
    assert re.findall(r"^DIFF (\S+)", proc.stdout, re.M) == [], proc.stdout[-8000:]
    with open(os.path.join(CASES, "udf.jsonl")) as f:
        n_cases = sum(1 for line in f if line.strip())
    assert int(total.group(1)) + int(total.group(2)) == n_cases
