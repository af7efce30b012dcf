"""asyncio benchmark: gets and puts with many commands in flight from one thread.

    python benchmarks/aio.py --server 127.0.0.1:3000            # markdown table on stdout
    python benchmarks/aio.py --server 127.0.0.1:3000 --ops 20000 --rounds 3

Against one server (a real one: the dev server is the bottleneck otherwise), one worker
process per client, run one after the other, each round in turn:
    aerospike_cffi.aio on PyPy (also with PYPY_GC_NURSERY=16MB) and on CPython (also
    with uvloop when installed), 256 tasks in flight (--tasks); also pipelined on both
    (pipe_max_conns_per_node, --pipe N connections per node; --pipe 0 leaves them out)
    the official client 19.3.0 (CPython), 1, 8 and 32 threads (its best is the reference)
    aerospike-py's AsyncClient (CPython, when installed; ASPY_PYTHON names a python that
    has it), 16, 64 and 256 tasks in flight
Each worker first writes the records it reads and warms up (PyPy's JIT), then measures
ops/s (wall clock) and the process's CPU time per operation (user + system of every thread
of the worker: the C client's event loop and I/O threads included). The best round counts.
The machine is shared and has 2 cores: read the numbers as indicative.
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SET = "bench-aio"
N_KEYS = 10000
BINS = {"name": "user", "age": 42, "score": 3.5, "tags": ["a", "b", "c"]}
# A loaded (shared) machine must not turn a slow answer into an error.
PATIENT = {"read": {"total_timeout": 10000}, "write": {"total_timeout": 10000},
           "batch": {"total_timeout": 10000}}


def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _keys(ops):
    return [("test", SET, i % N_KEYS) for i in range(ops)]


ASPY_TASKS = (16, 64, 256)  # aerospike-py's tasks in flight (its best one counts)
BATCH = 10  # keys per batch_read call (the batch_read workload counts calls, not keys)


def _batch_keys(key):
    return [("test", SET, (key[2] + i) % N_KEYS) for i in range(BATCH)]


# ------------------------------------------------------------------ workers

async def _in_flight(call, keys, tasks):
    """``call(key)`` for every key with ``tasks`` coroutines at a time, each taking the next key."""
    it = iter(keys)

    async def lane():
        for k in it:
            await call(k)

    await asyncio.gather(*[lane() for _ in range(tasks)])


def worker_cffi(host, port, workload, ops, tasks, warmup, rounds, loop_kind):
    from aerospike_cffi import aio

    if loop_kind == "uvloop":
        import uvloop

        uvloop.install()

    async def main():
        cfg = {"hosts": [(host, port)], "async_max_conns_per_node": max(tasks, 100),
               "policies": PATIENT}
        if os.environ.get(PIPE_ENV):  # the pipelined rows
            cfg["pipe_max_conns_per_node"] = int(os.environ[PIPE_ENV])
        async with aio.client(cfg) as c:
            async def put(k):
                await c.put(k, BINS)

            async def batch(k):
                await c.batch_read(_batch_keys(k))

            call = {"get": c.get, "put": put, "batch_read": batch}[workload]
            await _in_flight(put, _keys(N_KEYS), tasks)
            await _in_flight(call, _keys(warmup), tasks)
            out = []
            minor = _minor_gcs()
            for _ in range(rounds):
                keys = _keys(ops)
                gcs = minor[0]
                wall, cpu, thread = time.perf_counter(), _cpu(), time.thread_time()
                await _in_flight(call, keys, tasks)
                wall, cpu = time.perf_counter() - wall, _cpu() - cpu
                # (also: the asyncio thread's own CPU time per op, and on PyPy its minor
                # collections per 1000 ops: what the Python side costs, the C client's
                # event-loop thread left out)
                out.append({"ops_s": ops / wall, "cpu_us": cpu / ops * 1e6,
                            "thread_us": (time.thread_time() - thread) / ops * 1e6,
                            "minor_gcs_per_1000": (minor[0] - gcs) * 1000.0 / ops})
            return out

    return asyncio.run(main())


def _minor_gcs():
    """A one-item list counting PyPy's minor collections from now on (stays 0 elsewhere)."""
    import gc

    count = [0]
    hooks = getattr(gc, "hooks", None)
    if hooks is not None:
        def on_minor(stats):
            count[0] += stats.count

        hooks.on_gc_minor = on_minor
    return count


def worker_aerospike_py(host, port, workload, ops, tasks, warmup, rounds, loop_kind):
    import aerospike_py

    if loop_kind == "uvloop":
        import uvloop

        uvloop.install()

    # Its config has no default policies: the same patient timeouts go with each call.
    read, write = PATIENT["read"], PATIENT["write"]

    async def main():
        c = aerospike_py.AsyncClient({"hosts": [(host, port)],
                                      "max_conns_per_node": max(tasks, 100)})
        await c.connect()
        try:
            async def get(k):
                await c.get(k, read)

            async def put(k):
                await c.put(k, BINS, policy=write)

            async def batch(k):
                await c.batch_read(_batch_keys(k), policy=PATIENT["batch"])

            call = {"get": get, "put": put, "batch_read": batch}[workload]
            await _in_flight(put, _keys(N_KEYS), tasks)
            await _in_flight(call, _keys(warmup), tasks)
            out = []
            for _ in range(rounds):
                keys = _keys(ops)
                wall, cpu = time.perf_counter(), _cpu()
                await _in_flight(call, keys, tasks)
                wall, cpu = time.perf_counter() - wall, _cpu() - cpu
                out.append({"ops_s": ops / wall, "cpu_us": cpu / ops * 1e6})
            return out
        finally:
            await c.close()

    return asyncio.run(main())


def worker_official(host, port, workload, ops, threads, warmup, rounds, loop_kind):
    import aerospike

    c = aerospike.client({"hosts": [(host, port)], "max_conns_per_node": max(threads, 100),
                          "policies": PATIENT})
    call = {"get": c.get, "put": lambda k: c.put(k, BINS),
            "batch_read": lambda k: c.batch_read(_batch_keys(k))}[workload]

    def run(keys):
        it = iter(keys)
        lock = threading.Lock()

        def lane():
            while True:
                with lock:
                    k = next(it, None)
                if k is None:
                    return
                call(k)

        ts = [threading.Thread(target=lane) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    for k in _keys(N_KEYS):
        c.put(k, BINS)
    run(_keys(warmup))
    out = []
    for _ in range(rounds):
        keys = _keys(ops)
        wall, cpu = time.perf_counter(), _cpu()
        run(keys)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        out.append({"ops_s": ops / wall, "cpu_us": cpu / ops * 1e6})
    c.close()
    return out


WORKERS = {"cffi": worker_cffi, "official": worker_official, "aerospike-py": worker_aerospike_py}


# ------------------------------------------------------------------ runner

def _python(name):
    return {"pypy": os.path.join(ROOT, ".venv-pypy/bin/python"),
            "cpython": os.path.join(ROOT, ".venv-cpython/bin/python"),
            "official": os.environ.get("OFFICIAL_PYTHON") or os.path.join(
                ROOT, ".venv-official/bin/python"),
            # aerospike-py in an environment of its own (pip install aerospike-py), else
            # the CPython one when it has it
            "aerospike-py": os.environ.get("ASPY_PYTHON") or os.path.join(
                ROOT, ".venv-cpython/bin/python")}[name]


def _has(python, module):
    return subprocess.call([python, "-c", "import " + module], stderr=subprocess.DEVNULL) == 0


PYPY_NURSERY = "16MB"  # the PyPy row with a larger GC nursery (a deployment setting)
PIPE_ENV = "BENCH_AIO_PIPE_CONNS"  # (to the worker) pipe_max_conns_per_node of its client
PIPE_CONNS = 8  # the pipelined rows' pipe_max_conns_per_node (--pipe)


def runs(tasks, pipe=PIPE_CONNS):
    """(label, python, worker kind, concurrency, loop kind[, environment])."""
    out = [("aerospike_cffi.aio PyPy", _python("pypy"), "cffi", tasks, "asyncio"),
           # PyPy sizes its nursery from the L2 cache (1 MB on a small VM): with hundreds
           # of commands in flight their objects outlive it (see README.md)
           ("aerospike_cffi.aio PyPy, PYPY_GC_NURSERY=" + PYPY_NURSERY, _python("pypy"),
            "cffi", tasks, "asyncio", {"PYPY_GC_NURSERY": PYPY_NURSERY}),
           ("aerospike_cffi.aio CPython", _python("cpython"), "cffi", tasks, "asyncio")]
    if _has(_python("cpython"), "uvloop"):
        out.append(("aerospike_cffi.aio CPython+uvloop", _python("cpython"), "cffi", tasks,
                    "uvloop"))
    if pipe:
        # pipelining (pipe_max_conns_per_node, off by default: docs/asyncio.rst)
        out += [("aerospike_cffi.aio %s, pipelined (%d conns)" % (name, pipe), _python(py),
                 "cffi", tasks, "asyncio", {PIPE_ENV: str(pipe)})
                for name, py in (("PyPy", "pypy"), ("CPython", "cpython"))]
    if os.path.exists(_python("official")):
        out += [("official 19.3.0, %d threads" % n, _python("official"), "official", n,
                 "threads") for n in (1, 8, 32)]
    aspy = _python("aerospike-py")
    if os.path.exists(aspy) and _has(aspy, "aerospike_py"):
        out += [("aerospike-py async, %d tasks" % n, aspy, "aerospike-py", n, "asyncio")
                for n in ASPY_TASKS]
    else:
        print("aerospike-py not found (set ASPY_PYTHON to a python that has it)",
              file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", default="127.0.0.1:3000")
    ap.add_argument("--ops", type=int, default=50000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=50000)
    ap.add_argument("--tasks", type=int, default=256)
    ap.add_argument("--workloads", default="get,put",
                    help="get, put, batch_read (%d keys a call; ops are calls)" % BATCH)
    ap.add_argument("--json", default=None)
    ap.add_argument("--pipe", type=int, default=PIPE_CONNS,
                    help="pipe_max_conns_per_node of the pipelined rows (0: no such rows)")
    ap.add_argument("--only", default=None,
                    help="run only the clients whose label contains this text")
    ap.add_argument("--worker", nargs=4, metavar=("KIND", "WORKLOAD", "N", "LOOP"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    host, _, port = args.server.rpartition(":")
    port = int(port)
    if args.worker:
        kind, workload, n, loop_kind = args.worker
        result = WORKERS[kind](host, port, workload, args.ops, int(n), args.warmup,
                               args.rounds, loop_kind)
        print(json.dumps(result))
        return
    results = []
    for workload in args.workloads.split(","):
        for label, python, kind, n, loop_kind, *env in runs(args.tasks, args.pipe):
            if args.only and args.only not in label:
                continue
            env = dict(os.environ, **env[0]) if env else None
            cmd = [python, os.path.abspath(__file__), "--server", args.server, "--ops",
                   str(args.ops), "--rounds", str(args.rounds), "--warmup", str(args.warmup),
                   "--worker", kind, workload, str(n), loop_kind]
            out = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if out.returncode:
                # (a negative code is the signal that ended the worker)
                print("%s %s failed (exit code %d):\n%s" % (
                    label, workload, out.returncode, out.stderr[-2000:]), file=sys.stderr)
                results.append({"workload": workload, "client": label, "rounds": [],
                                "failed": "exit code %d: %s" % (
                                    out.returncode, out.stderr.strip()[-300:])})
                continue
            rounds = json.loads(out.stdout.strip().splitlines()[-1])
            best = max(rounds, key=lambda r: r["ops_s"])
            results.append({"workload": workload, "client": label, "rounds": rounds,
                            "ops_s": best["ops_s"], "cpu_us": min(r["cpu_us"] for r in rounds)})
            print("%-6s %-40s %9.0f ops/s %7.1f us CPU/op" % (
                workload, label, best["ops_s"], results[-1]["cpu_us"]), file=sys.stderr)
            if "thread_us" in best:
                print("%-6s %-40s asyncio thread %.1f us/op, %.1f minor GCs per 1000 ops" % (
                    "", "", min(r["thread_us"] for r in rounds),
                    min(r["minor_gcs_per_1000"] for r in rounds)), file=sys.stderr)
    print("| workload | client | ops/s (best round) | client CPU per op (us) |")
    print("|---|---|---:|---:|")
    for r in results:
        if "failed" in r:
            print("| %s | %s | failed (%s) | |" % (r["workload"], r["client"],
                                                  r["failed"].splitlines()[-1] if r["failed"]
                                                  else ""))
            continue
        print("| %s | %s | %.0f | %.1f |" % (r["workload"], r["client"], r["ops_s"],
                                             r["cpu_us"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
