"""The recorded answers of a real Aerospike CE 8.1.2 server (tests/data/server-cases),
replayed through aerospike_cffi against the test server: every case must match."""

import os
import re
import subprocess
import sys

import pytest

CASES = os.path.join(os.path.dirname(__file__), os.pardir, "data", "server-cases")
EXPECTED = {"basic.jsonl": 278, "list.jsonl": 1347, "map.jsonl": 1429, "bit.jsonl": 566,
            "hll.jsonl": 454, "expr.jsonl": 887}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_server_cases_replay_identically(aerospike_server, name):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, os.path.join(CASES, "replay.py"), "--module", "aerospike_cffi",
         "--host", aerospike_server.host, "--port", str(aerospike_server.port), "-v",
         os.path.join(CASES, name)],
        capture_output=True, text=True, timeout=900, env=env)
    total = re.search(r"TOTAL: (\d+) matched, (\d+) differed", proc.stdout)
    assert total, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (int(total.group(1)), int(total.group(2))) == (EXPECTED[name], 0), proc.stdout[-6000:]


def test_recorded_calls_replay_identically(aerospike_server):
    # calls.jsonl (replay_calls.py): any client call, not only operate/get
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    path = os.path.join(CASES, "calls.jsonl")
    with open(path) as f:
        expected = sum(1 for line in f if line.strip())
    proc = subprocess.run(
        [sys.executable, os.path.join(CASES, "replay_calls.py"), "--module", "aerospike_cffi",
         "--host", aerospike_server.host, "--port", str(aerospike_server.port), "-v", path],
        capture_output=True, text=True, timeout=900, env=env)
    total = re.search(r"TOTAL: (\d+) matched, (\d+) differed", proc.stdout)
    assert total, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (int(total.group(1)), int(total.group(2))) == (expected, 0), proc.stdout[-6000:]
