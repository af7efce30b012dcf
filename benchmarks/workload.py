"""The benchmark workloads of one client, driven by benchmarks/run.py over stdin/stdout.

Runs unchanged under aerospike_cffi (``--client cffi``, CPython or PyPy) and under the
official client (``--client official``, its own venv): both are imported as ``aerospike``,
so every workload is the same code for both.

Protocol: one command per stdin line, one JSON answer per stdout line.
    setup                 write the records every workload reads (once, by one worker)
    has NAME              {"ok": bool, "why": error}: one call of NAME works
    run NAME CALLS        {"cpu": s, "wall": s} of CALLS calls of workload NAME; NAME@T
                          (e.g. get@8) makes the CALLS calls from T threads at once
    curve NAME B1,B2,...  {"cpu": [s per call of calls 1..B1, B1+1..B2, ...]}: the warm-up
                          curve of a fresh worker (PyPy's JIT), run before anything else
    rss OPS               {"before_kb", "after_kb"}: RSS around OPS mixed get/put/exists/operate
    quit
CPU is time.process_time() of this process (the server is another process).
"""

import gc
import json
import os
import sys
import threading
import time

# The namespace: BENCH_NAMESPACE (run.py --namespace), else "test".
NS = os.environ.get("BENCH_NAMESPACE", "test")
SET, OPS_SET, SCAN_SET = "bench", "bench_ops", "bench_scan"
# Set names start with BENCH_SET_PREFIX (run.py --set-prefix): runs that share a server
# (e.g. several developers' runs against one real server) keep their records apart.
_PREFIX = os.environ.get("BENCH_SET_PREFIX", "")
SET, OPS_SET, SCAN_SET = _PREFIX + SET, _PREFIX + OPS_SET, _PREFIX + SCAN_SET
N_KEYS = 1000              # keys the single-record workloads cycle through
BATCH_KEYS = 100           # keys per batch_read call
SCAN_RECORDS = 10000       # records one scan returns

# Records one call of a workload handles (the others: 1).
RECORDS_PER_CALL = {"batch_read": BATCH_KEYS, "scan": SCAN_RECORDS,
                    "scan_results": SCAN_RECORDS, "aggregate": SCAN_RECORDS}
# The UDF workloads' module (needs a server that runs Lua: run.py --server-port); the
# client's lua user_path is this folder, where aggregations load it from.
HERE = os.path.dirname(os.path.abspath(__file__))
UDF_MODULE = "bench_udf"


def import_client(kind):
    if kind == "cffi":
        import aerospike_cffi

        aerospike_cffi.install_as_aerospike()
    import aerospike
    from aerospike_helpers.operations import list_operations, map_operations

    return aerospike, list_operations, map_operations


def record_bins(i):
    """The 5-bin record of get/put/exists: int, str, float, bytes, small map."""
    return {"i": i, "s": "value-%d" % i, "f": i * 0.5, "b": b"\x01\x02\x03\x04" * 8,
            "m": {"a": i, "b": "two", "c": 3.0}}


class Workloads:
    """Each workload method makes one call (``i`` varies keys and values)."""

    def __init__(self, kind, port):
        aerospike, self.lops, self.mops = import_client(kind)
        self.list_return_value = aerospike.LIST_RETURN_VALUE
        # 10 s timeouts (the default is 1 s): a loaded machine must not end a benchmark run.
        slow = {"total_timeout": 10000}
        self.client = aerospike.client({
            "hosts": [("127.0.0.1", port)], "lua": {"user_path": HERE},
            "policies": {kind: dict(slow) for kind in ("read", "write", "operate", "batch",
                                                        "scan", "query", "apply")},
        }).connect()
        self.keys = [(NS, SET, i) for i in range(N_KEYS)]
        self.op_keys = [(NS, OPS_SET, i) for i in range(N_KEYS)]
        self.bins = [record_bins(i) for i in range(N_KEYS)]

    def setup(self):
        put = self.client.put
        for i in range(N_KEYS):
            put(self.keys[i], self.bins[i])
            put(self.op_keys[i], {"l": [1, 2, 3, 4, 5], "m": {"x": 1, "y": 2}})
        for i in range(SCAN_RECORDS):
            put((NS, SCAN_SET, i), self.bins[i % N_KEYS])
        try:
            self.client.udf_put(os.path.join(HERE, UDF_MODULE + ".lua"))
        except Exception as exc:  # noqa: BLE001 - a server without Lua: apply/aggregate skip
            sys.stderr.write("udf_put: %s\n" % exc)

    def has(self, name):
        """Whether one call of workload NAME works (batch and scan arrive later)."""
        try:
            getattr(self, name.partition("@")[0])(0)
        except Exception as exc:  # noqa: BLE001 - reported, then the workload is skipped
            return {"ok": False, "why": "%s: %s" % (type(exc).__name__, exc)}
        return {"ok": True}

    def get(self, i):
        self.client.get(self.keys[i % N_KEYS])

    def put(self, i):
        self.client.put(self.keys[i % N_KEYS], self.bins[i % N_KEYS])

    def exists(self, i):
        self.client.exists(self.keys[i % N_KEYS])

    def operate(self, i):
        """3 list/map ops: list set, list read by index range, map put."""
        lops, mops = self.lops, self.mops
        self.client.operate(self.op_keys[i % N_KEYS], [
            lops.list_set("l", 0, i),
            lops.list_get_by_index_range("l", 0, self.list_return_value, 3),
            mops.map_put("m", "k", i),
        ])

    def batch_read(self, i):
        start = (i * BATCH_KEYS) % N_KEYS
        keys = [self.keys[(start + j) % N_KEYS] for j in range(BATCH_KEYS)]
        self.client.batch_read(keys)

    def scan(self, i):
        seen = [0]

        def count(_record):
            seen[0] += 1

        self.client.scan(NS, SCAN_SET).foreach(count)
        if seen[0] != SCAN_RECORDS:
            raise AssertionError("scan returned %d records, not %d" % (seen[0], SCAN_RECORDS))

    def scan_results(self, i):
        """The same scan, all records in one list (Scan.results())."""
        n = len(self.client.scan(NS, SCAN_SET).results())
        if n != SCAN_RECORDS:
            raise AssertionError("scan returned %d records, not %d" % (n, SCAN_RECORDS))

    def apply(self, i):
        """One record UDF call that reads, updates and returns a bin."""
        self.client.apply(self.op_keys[i % N_KEYS], UDF_MODULE, "bump", [1])

    def aggregate(self, i):
        """A sum over the scan set: map + reduce on the server, the last reduce here."""
        query = self.client.query(NS, SCAN_SET)
        query.apply(UDF_MODULE, "sum_i")
        if not query.results():
            raise AssertionError("the aggregation returned nothing")

    def run(self, name, calls):
        name, _, threads = name.partition("@")
        fn = getattr(self, name)
        if threads:
            return self.run_threads(fn, calls, int(threads))
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for i in range(calls):
            fn(i)
        return {"cpu": time.process_time() - cpu0, "wall": time.perf_counter() - wall0}

    @staticmethod
    def run_threads(fn, calls, threads):
        """CALLS calls of fn shared by THREADS threads that start together (one client)."""
        start = threading.Barrier(threads + 1)
        errors = []

        def work(first, n):
            start.wait()
            try:
                for i in range(first, first + n):
                    fn(i)
            except Exception as exc:  # noqa: BLE001 - reported to the runner
                errors.append(exc)

        per = calls // threads
        pool = [threading.Thread(target=work, args=(t * per, per)) for t in range(threads)]
        for t in pool:
            t.start()
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        start.wait()
        for t in pool:
            t.join()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if errors:
            raise errors[0]
        # Per call of the calls made (CALLS rounded down to a multiple of THREADS).
        scale = calls / (per * threads)
        return {"cpu": cpu * scale, "wall": wall * scale}

    def curve(self, name, bounds):
        """CPU per call over successive windows of calls, from the first call on."""
        fn = getattr(self, name)
        out, done = [], 0
        for bound in bounds:
            cpu0 = time.process_time()
            for i in range(done, bound):
                fn(i)
            out.append((time.process_time() - cpu0) / (bound - done))
            done = bound
        return {"cpu": out}

    def rss(self, ops):
        mixed = (self.get, self.put, self.exists, self.operate)
        gc.collect()
        before = rss_kb()
        for i in range(ops):
            mixed[i & 3](i)
        gc.collect()
        return {"before_kb": before, "after_kb": rss_kb()}


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main():
    kind, port = sys.argv[1], int(sys.argv[2])
    w = Workloads(kind, port)
    for line in sys.stdin:
        cmd = line.split()
        if cmd[0] == "quit":
            break
        if cmd[0] == "setup":
            w.setup()
            answer = {}
        elif cmd[0] == "has":
            answer = w.has(cmd[1])
        elif cmd[0] == "run":
            answer = w.run(cmd[1], int(cmd[2]))
        elif cmd[0] == "curve":
            answer = w.curve(cmd[1], [int(b) for b in cmd[2].split(",")])
        elif cmd[0] == "rss":
            answer = w.rss(int(cmd[1]))
        else:
            raise ValueError("unknown command %r" % line)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    w.client.close()


if __name__ == "__main__":
    main()
