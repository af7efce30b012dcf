"""Replay the recorded answers of a real Aerospike CE 8.1.2 server (tests/data/
server-cases) with the official client against the test server: every case must
match."""

import os
import re

import pytest

from . import rawclient
from .official import run_official

CASES = os.path.join(os.path.dirname(__file__), os.pardir, "data", "server-cases")
REPLAY = os.path.join(CASES, "replay.py")


def replay(addr, name):
    proc = run_official([REPLAY, "--host", addr.host, "--port", addr.port, "-v",
                         os.path.join(CASES, name)])
    total = re.search(r"TOTAL: (\d+) matched, (\d+) differed", proc.stdout)
    assert total, proc.stdout + proc.stderr
    return int(total.group(1)), int(total.group(2)), proc.stdout


def count_cases(name):
    with open(os.path.join(CASES, name)) as f:
        return sum(1 for line in f if line.strip())


@pytest.mark.parametrize("name", ["basic.jsonl", "list.jsonl", "map.jsonl", "bit.jsonl",
                                  "hll.jsonl", "expr.jsonl"])
def test_recorded_cases(aerospike_server, name):
    matched, differed, out = replay(aerospike_server, name)
    assert (matched, differed) == (count_cases(name), 0), out[-5000:]


@pytest.mark.devserver_only  # these cases crash a real 8.1.2 server
def test_crashers_leave_the_server_running(aerospike_server):
    replay(aerospike_server, "crashers.jsonl")
    with rawclient.connect(aerospike_server) as sock:
        assert rawclient.info(sock, "namespaces")["namespaces"]


def test_recorded_calls(aerospike_server):
    # calls.jsonl: select, remove_bin order, compression, HLL bins, query select, index and
    # truncate answers of the real server, through the official client (replay_calls.py)
    path = os.path.join(CASES, "calls.jsonl")
    proc = run_official([os.path.join(CASES, "replay_calls.py"), "--host", aerospike_server.host,
                         "--port", aerospike_server.port, "-v", path])
    total = re.search(r"TOTAL: (\d+) matched, (\d+) differed", proc.stdout)
    assert total, proc.stdout + proc.stderr
    assert (int(total.group(1)), int(total.group(2))) == (count_cases("calls.jsonl"), 0), \
        proc.stdout[-5000:]
