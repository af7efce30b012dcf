"""Replay the path-expression cases recorded from a real Aerospike CE 8.1.2 server
(tests/data/path-cases/path.jsonl, made by gen_path_cases.py there with the official
client 19.3.0): select_by_path / modify_by_path operations, SelectByPath /
ModifyByPath expressions, every select mode, filters over loop variables, nested
paths, ordered containers and the server's errors.

Both clients replay them against the test server: the official client (under
$OFFICIAL_PYTHON) and aerospike_cffi under this interpreter.  Every case must
match, against the dev server and against a real server."""

import os
import re
import subprocess
import sys

import pytest

from .official import run_official

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")
REPLAY = os.path.join(DATA, "server-cases", "replay.py")
CASES = os.path.join(DATA, "path-cases", "path.jsonl")


def _replay(client, addr):
    args = [REPLAY, "--host", addr.host, "--port", addr.port, "-v", CASES]
    if client == "official":
        return run_official(args)
    return subprocess.run([sys.executable, REPLAY, "--module", "aerospike_cffi"] +
                          [str(a) for a in args[1:]], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("client", ["official", "cffi"])
def test_path_cases(aerospike_server, client):
    proc = _replay(client, aerospike_server)
    total = re.search(r"TOTAL: (\d+) matched, (\d+) differed", proc.stdout)
    assert total, proc.stdout[-5000:] + proc.stderr[-5000:]
    with open(CASES) as f:
        n_cases = sum(1 for line in f if line.strip())
    assert (int(total.group(1)), int(total.group(2))) == (n_cases, 0), proc.stdout[-8000:]
