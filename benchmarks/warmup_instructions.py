"""Warm-up curve in instructions: the main thread's user-space instructions per call in each
window of a fresh worker's first calls, counted by callgrind (deterministic, unlike CPU
time on a shared machine).

    python3 benchmarks/warmup_instructions.py --server-port 3000 --namespace bar get
    python3 benchmarks/warmup_instructions.py --python .venv-cpython/bin/python get exists
    python3 benchmarks/warmup_instructions.py --aio batch_read get

``--aio``: the same workloads through ``aerospike_cffi.aio`` (one command awaited at a
time in a coroutine's loop; the main thread is then the asyncio loop's, the C client's
event-loop thread is not counted).

Runs ``workload.py``'s own curve loop (``Workloads.curve``'s shape: a method's loop over a
bound method) under ``valgrind --tool=callgrind --smc-check=all`` (PyPy's JIT writes
code), with a callgrind stats dump at each window's end (a client request from a tiny C
helper built here with the system compiler). Needs valgrind and its headers
(``valgrind/callgrind.h``); the records are the benchmark's (``workload.py setup``, which
``run.py`` runs). Kernel time is not counted: a syscall is one instruction here.
Takes ~40 s per workload for 6000 calls of get on PyPy.
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_BOUNDS = "10,100,1000,1500,3000,6000"
HELPER_C = (b"#include <valgrind/callgrind.h>\n"
            b"void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }\n")


def inside(name, port, bounds, helper):
    """In the process valgrind runs: the curve, a dump at each window's end."""
    import ctypes

    sys.path.insert(0, HERE)
    import workload

    dump = ctypes.CDLL(helper).cg_dump
    w = workload.Workloads("cffi", port)
    fn = getattr(w, name)
    done = 0
    dump(b"w0")
    for bound in bounds:
        for i in range(done, bound):
            fn(i)
        dump(b"w%d" % bound)
        done = bound
    w.client.close()


def inside_aio(name, port, bounds, helper):
    """inside() for the asyncio client: each call awaited in turn by one coroutine."""
    import asyncio
    import ctypes

    sys.path.insert(0, HERE)
    import workload
    from aerospike_cffi import aio

    dump = ctypes.CDLL(helper).cg_dump
    keys = [(workload.NS, workload.SET, i) for i in range(workload.N_KEYS)]
    n, per_batch = workload.N_KEYS, workload.BATCH_KEYS
    slow = {"total_timeout": 10000}

    async def main():
        config = {"hosts": [("127.0.0.1", port)],
                  "policies": {"read": dict(slow), "batch": dict(slow)}}
        async with aio.client(config) as client:
            async def get(i):
                await client.get(keys[i % n])

            async def batch_read(i):  # workload.Workloads.batch_read's keys
                start = (i * per_batch) % n
                await client.batch_read([keys[(start + j) % n] for j in range(per_batch)])

            fn = {"get": get, "batch_read": batch_read}[name]
            done = 0
            dump(b"w0")
            for bound in bounds:
                for i in range(done, bound):
                    await fn(i)
                dump(b"w%d" % bound)
                done = bound

    asyncio.run(main())


def windows(outdir):
    """[(first call, last call, instructions per call)] from the main thread's dumps."""
    rows = []
    for path in glob.glob(os.path.join(outdir, "cg.*-01")):
        with open(path) as f:
            text = f.read()
        m = re.search(r"Client Request: w(\d+)", text)
        if m:
            rows.append((int(m.group(1)), int(re.search(r"^totals: (\d+)", text, re.M).group(1))))
    rows.sort()
    return [(a + 1, b, total / (b - a)) for (a, _), (b, total) in zip(rows, rows[1:])]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workloads", nargs="+", help="e.g. get exists batch_read")
    ap.add_argument("--python", default=os.path.join(ROOT, ".venv-pypy/bin/python"))
    ap.add_argument("--server-port", type=int, default=3000)
    ap.add_argument("--namespace", default=None)
    ap.add_argument("--set-prefix", default=None)
    ap.add_argument("--calls", default=DEFAULT_BOUNDS, help="ends of the windows")
    ap.add_argument("--aio", action="store_true",
                    help="through aerospike_cffi.aio (workloads get, batch_read)")
    ap.add_argument("--inside", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    bounds = [int(b) for b in args.calls.split(",")]
    if args.inside:
        (inside_aio if args.aio else inside)(args.workloads[0], args.server_port, bounds,
                                             args.inside)
        return
    env = dict(os.environ)
    if args.namespace:
        env["BENCH_NAMESPACE"] = args.namespace
    if args.set_prefix:
        env["BENCH_SET_PREFIX"] = args.set_prefix
    with tempfile.TemporaryDirectory() as tmp:
        src, helper = os.path.join(tmp, "cgdump.c"), os.path.join(tmp, "libcgdump.so")
        with open(src, "wb") as f:
            f.write(HELPER_C)
        subprocess.check_call(["cc", "-O1", "-shared", "-fPIC", "-o", helper, src])
        for name in args.workloads:
            outdir = os.path.join(tmp, name)
            os.mkdir(outdir)
            subprocess.run(["valgrind", "--tool=callgrind", "--smc-check=all",
                            "--separate-threads=yes",
                            "--callgrind-out-file=" + os.path.join(outdir, "cg.%p"),
                            os.path.abspath(args.python), os.path.abspath(__file__), name, "--inside", helper,
                            "--server-port", str(args.server_port), "--calls", args.calls]
                           + (["--aio"] if args.aio else []),
                           env=env, cwd=HERE, check=True, stderr=subprocess.DEVNULL)
            print("%s%s (%s): %s" % ("aio " if args.aio else "", name, os.path.basename(os.path.dirname(os.path.dirname(
                args.python))), "; ".join("calls %d-%d %.1fk" % (a, b, n / 1e3)
                                          for a, b, n in windows(outdir))))


if __name__ == "__main__":
    main()
