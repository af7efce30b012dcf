#!/usr/bin/env python
"""RSS over 1 000 000 mixed commands on one client (issue 15).

Runs put / get / operate / increment / batch read / exists / remove, and error paths
(missing record, generation mismatch, refused bin name) in a loop, and prints the
process RSS after a warm-up and at the end.  Exit status 0 when the growth after warm-up
stays under --limit-kb (default 1024).  Linux only (/proc).

    python scripts/soak_rss.py [--server HOST:PORT] [--ops 1000000] [--warmup 100000]

Without --server it starts the dev server in another process, so that only the client's
memory is in this process.
"""

import argparse
import gc
import os
import platform
import re
import subprocess
import sys
import time


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def put_full(client, key, i):
    client.put(key, {"i": i, "s": "value-%d" % (i % 100), "f": 1.5, "b": b"\x00\x01",
                     "l": [1, "two", 3.0], "m": {"k": [1, 2]}})


def one_round(client, aerospike, ops, br, i, keys, missing):
    ex = aerospike.exception
    key = keys[i % len(keys)]
    kind = i % 10
    if kind == 0:
        put_full(client, key, i)
    elif kind == 1:
        client.get(key)
    elif kind == 2:
        client.operate(key, [ops.increment("i", 1), ops.read("s"), ops.read("m")])
    elif kind == 3:
        client.increment(key, "n", 1)
    elif kind == 4:
        client.batch_read(keys)
    elif kind == 5:
        client.exists(key)
    elif kind == 6:
        try:
            client.get(missing)
        except ex.RecordNotFound:
            pass
    elif kind == 7:
        try:
            client.put(key, {"x": 1}, {"gen": 1 << 30},
                       {"gen": aerospike.POLICY_GEN_EQ})
        except ex.RecordGenerationError:
            pass
    elif kind == 8:
        try:
            client.put(key, {"n" * 20: 1})
        except ex.BinNameError:
            pass
    else:
        client.select(key, ["i", "s"])
        if i % 1000 == 9:
            client.remove(key)
            put_full(client, key, i)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="HOST:PORT (default: a dev server in a subprocess)")
    parser.add_argument("--ops", type=int, default=1000000)
    parser.add_argument("--namespace", default="test",
                        help="namespace of the records (on a shared server, one that nobody "
                             "truncates meanwhile)")
    parser.add_argument("--warmup", type=int, default=100000)
    parser.add_argument("--limit-kb", type=int, default=1024)
    args = parser.parse_args(argv)

    import aerospike_cffi as aerospike
    from aerospike_helpers.operations import operations as ops
    from aerospike_helpers.batch import records as br

    proc = None
    if args.server:
        host, _, port = args.server.rpartition(":")
        port = int(port)
    else:
        proc = subprocess.Popen([sys.executable, "-m", "aerospike_cffi.testing", "--port", "0"],
                                stdout=subprocess.PIPE, text=True)
        found = re.search(r"listening on (\S+):(\d+)", proc.stdout.readline())
        host, port = found.group(1), int(found.group(2))
    timeouts = {"total_timeout": 20000, "socket_timeout": 20000}
    client = aerospike.client({"hosts": [(host, port)], "policies": {
        kind: dict(timeouts) for kind in ("read", "write", "operate", "batch", "remove")}})
    client.connect()
    keys = [(args.namespace, "cffi_soak_rss", "k%d-%d" % (os.getpid(), n)) for n in range(8)]
    missing = (args.namespace, "cffi_soak_rss", "missing-%d" % os.getpid())
    start = time.time()
    try:
        for i, key in enumerate(keys):
            put_full(client, key, i)
        for i in range(args.warmup):
            one_round(client, aerospike, ops, br, i, keys, missing)
        gc.collect()
        after_warmup = rss()
        samples = []
        step = max((args.ops - args.warmup) // 10, 1)
        for i in range(args.warmup, args.ops):
            one_round(client, aerospike, ops, br, i, keys, missing)
            if (i - args.warmup) % step == step - 1:
                gc.collect()
                samples.append(rss())
        gc.collect()
        end = rss()
    finally:
        for key in keys:
            try:
                client.remove(key)
            except aerospike.exception.AerospikeError:
                pass
        client.close()
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    growth = end - after_warmup
    ok = growth < args.limit_kb * 1024
    print("%s %s: %d ops (%d warm-up) against %s in %.0f s: RSS %.1f MB after warm-up, "
          "%.1f MB at the end, growth %+d KB (limit %d KB): %s"
          % (platform.python_implementation(), platform.python_version(), args.ops,
             args.warmup, args.server or "the dev server", time.time() - start,
             after_warmup / 2.0 ** 20, end / 2.0 ** 20, growth // 1024, args.limit_kb,
             "OK" if ok else "FAILED"))
    print("  RSS samples (MB): " + " ".join("%.1f" % (s / 2.0 ** 20) for s in samples))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
