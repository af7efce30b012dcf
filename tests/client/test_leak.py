"""Memory: the process RSS must not grow over many commands on a small record.

The dev server runs in its own process here, so that only the client's memory is measured
(with AEROSPIKE_TEST_SERVER the named server is used).  LEAK_OPS sets the operation count
(default 200,000: put/get pairs plus some error paths).  Linux only (/proc).
"""

import gc
import os
import re
import subprocess
import sys
import time

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex

pytestmark = [pytest.mark.leak,
              pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")]

OPS = int(os.environ.get("LEAK_OPS", "200000"))
GROWTH_LIMIT = 5 << 20  # bytes


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(scope="module")
def server_address():
    real = os.environ.get("AEROSPIKE_TEST_SERVER")
    if real:
        from aerospike_cffi.testing.plugin import parse_address

        yield parse_address(real)
        return
    proc = subprocess.Popen([sys.executable, "-m", "aerospike_cffi.testing", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        found = re.search(r"listening on (\S+):(\d+)", line)
        assert found, line
        yield found.group(1), int(found.group(2))
    finally:
        proc.terminate()
        proc.wait(10)


def workload(client, key, missing, rounds):
    bins = {"i": 1, "s": "value", "f": 1.5, "b": b"\x00\x01", "m": {"k": [1, 2]}}
    for i in range(rounds):
        client.put(key, bins)
        client.get(key)
        if i % 16 == 0:  # error paths: an exception object per call
            try:
                client.get(missing)
            except ex.RecordNotFound:
                pass
            try:
                client.put(key, {"x" * 16: 1})
            except ex.BinNameError:
                pass


def test_rss_does_not_grow(server_address):
    client = aerospike.client({"hosts": [server_address]})
    key = ("test", "cffi", "leak-%d" % os.getpid())
    missing = ("test", "cffi", "leak-missing-%d" % os.getpid())
    try:
        workload(client, key, missing, 20000)  # warm up: JIT, caches, allocator pools
        before = rss()
        workload(client, key, missing, OPS // 2)
        growth = rss() - before
        assert growth < GROWTH_LIMIT, "RSS grew by %.1f MB over %d operations" % (
            growth / 1e6, OPS)
    finally:
        client.remove(key)
        client.close()


def streams(client, set_name, rounds):
    """Scans run to the end, stopped early (the shim's thread then waits with chunks queued),
    failed in a callback, and read whole; a batch read of the same records."""
    keys = [("test", set_name, i) for i in range(600)]

    def fail(_record):
        raise ValueError("stop")

    def stop_when_queued(_record):
        time.sleep(0.05)  # the run meanwhile queues chunks, then waits for Python
        return False

    for _ in range(rounds):
        client.scan("test", set_name).foreach(lambda record: None)
        client.scan("test", set_name).foreach(stop_when_queued)
        try:
            client.query("test", set_name).foreach(fail)
        except ex.ClientError:
            pass
        client.scan("test", set_name).results()
        client.batch_read(keys[:100])
        # PyPy collects when its heap has grown by a factor, and what a late collection
        # frees is not always given back to the OS: a collection per round keeps the RSS
        # to what a round needs, so that only memory nothing can free is counted
        gc.collect()


def test_rss_does_not_grow_over_streams(server_address):
    client = aerospike.client({"hosts": [server_address]})
    set_name = "leak-streams-%d" % os.getpid()
    keys = [("test", set_name, i) for i in range(600)]
    for i, key in enumerate(keys):
        client.put(key, {"i": i, "s": "x" * 400, "l": [i, "y" * 50]})
    try:
        streams(client, set_name, 20)
        before = rss()
        streams(client, set_name, max(OPS // 4000, 20))
        growth = rss() - before
        assert growth < GROWTH_LIMIT, "RSS grew by %.1f MB over the streams" % (growth / 1e6)
    finally:
        for key in keys:
            client.remove(key)
        client.close()
