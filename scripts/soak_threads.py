#!/usr/bin/env python
"""16 threads x 100 000 mixed operations on one client (issue 15).

Runs the workload of tests/client/test_threads_fork.py (put, get, increment, operate,
append, exists, batch read, remove; every read checked against what its thread last
wrote; one counter incremented by all threads) at full length and prints a one-line
result.  Exit status 0 when no thread saw an error and no increment was lost.

    python scripts/soak_threads.py [--server HOST:PORT] [--threads 16] [--ops 100000]

Without --server it starts the dev server in another process.
"""

import argparse
import importlib.util
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOAD = os.path.join(HERE, "..", "tests", "client", "test_threads_fork.py")


def load_workload():
    spec = importlib.util.spec_from_file_location("threads_workload", WORKLOAD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run_workload


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="HOST:PORT of a server (default: start the dev server)")
    parser.add_argument("--namespace", default="test",
                        help="namespace of the records (on a shared server, one that nobody "
                             "truncates meanwhile)")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--ops", type=int, default=100000, help="operations per thread")
    parser.add_argument("--timeout-ms", type=int, default=20000,
                        help="total and socket timeout of every command")
    args = parser.parse_args(argv)

    import aerospike_cffi as aerospike

    server = None
    if args.server:
        host, _, port = args.server.rpartition(":")
        port = int(port)
    else:
        server = subprocess.Popen([sys.executable, "-m", "aerospike_cffi.testing", "--port", "0"],
                                  stdout=subprocess.PIPE, text=True)
        found = re.search(r"listening on (\S+):(\d+)", server.stdout.readline())
        host, port = found.group(1), int(found.group(2))
    # Generous timeouts: on a loaded machine the default 1 s total timeout turns slowness
    # into errors that say nothing about the client.
    timeouts = {"total_timeout": args.timeout_ms, "socket_timeout": args.timeout_ms}
    client = aerospike.client({"hosts": [(host, port)], "policies": {
        kind: dict(timeouts) for kind in ("read", "write", "operate", "batch", "remove")}})
    client.connect()
    run_workload = load_workload()
    start = time.time()
    try:
        acked, doubt, value, errors = run_workload(client, args.threads, args.ops,
                                                   prefix="soak", namespace=args.namespace)
    finally:
        client.close()
        if server is not None:
            server.terminate()
            server.wait(10)
    elapsed = time.time() - start
    ok = not errors and acked <= value <= acked + doubt
    print("%s %s: %d threads x %d ops against %s in %.0f s: %d errors, counter %d for "
          "%d acknowledged increments and %d in doubt (timeouts): %s"
          % (platform.python_implementation(), platform.python_version(), args.threads,
             args.ops, args.server or "the dev server", elapsed, len(errors), value, acked,
             doubt, "OK" if ok else "FAILED"))
    for tid, err in errors[:10]:
        print("  thread %d: %s" % (tid, err))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
