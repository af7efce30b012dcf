"""Benchmark runner: one dev server, three clients, the same workloads, one report.

    python benchmarks/run.py                 # full run (~10 minutes), markdown on stdout
    python benchmarks/run.py --quick         # short run, to check that everything works
    python benchmarks/run.py --json benchmarks/results.json   # also keep the raw numbers

Starts ONE dev server (``python -m aerospike_cffi.testing``, CPython, its own process),
then one worker process per client (benchmarks/workload.py):
    aerospike_cffi on PyPy       .venv-pypy/bin/python
    aerospike_cffi on CPython    .venv-cpython/bin/python
    official client on CPython   $OFFICIAL_PYTHON, else .venv-official/bin/python, else
                                 /tmp/official-venv/bin/python
Every worker first warms up every workload (PyPy's JIT), then the rounds run interleaved:
each round measures each workload on each client in turn (the order rotates per round), so
a change in machine load hits all clients alike. A client's CPU per call is its best round
(least disturbed by other processes); the median is kept in the JSON too.
"""

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOAD = os.path.join(HERE, "workload.py")
sys.path.insert(0, HERE)
from workload import RECORDS_PER_CALL  # noqa: E402

SINGLE = ("get", "put", "exists", "operate")
MULTI = ("batch_read", "scan", "scan_results")
# gets from 1, 8 and 32 threads of one client (workload.py: NAME@THREADS); target: ops/s at
# least the official's, CPU per call at most the official's.
THREADED = ("get@1", "get@8", "get@32")
# The warm-up curve (--curve): CPU per call over these windows of a fresh worker's first
# calls; target (PyPy): the window after 1000 calls within 1.5x of the steady state.
CURVE = ("get", "batch_read", "scan")
CURVE_BOUNDS = (10, 100, 1000, 1500)
CURVE_LIMIT = 1.5
UDF = ("apply", "aggregate")  # need a server that runs Lua (--server-port); no target yet
# Targets: our client's CPU per call (per record for MULTI) / the official's.
TARGETS = {"PyPy": (1.2, 1.0), "CPython": (1.6, 1.5)}


def official_python():
    for path in (os.environ.get("OFFICIAL_PYTHON"), os.path.join(ROOT, ".venv-official/bin/python"),
                 "/tmp/official-venv/bin/python"):
        if path and os.path.exists(path):
            return path
    sys.exit("no Python with the official client: set OFFICIAL_PYTHON (see scripts/test.sh)")


def l2_cache_bytes():
    """This CPU's L2 cache size as the kernel's sysfs gives it, or None."""
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        for index in sorted(os.listdir(base)):
            with open(os.path.join(base, index, "level")) as f:
                if f.read().strip() != "2":
                    continue
            with open(os.path.join(base, index, "size")) as f:
                size = f.read().strip()
            factor = {"K": 1 << 10, "M": 1 << 20}.get(size[-1:], 1)
            return int(size.rstrip("KM")) * factor
    except (OSError, ValueError):
        pass
    return None


def pypy_nursery():
    """PYPY_GC_NURSERY for the second PyPy worker: half the L2 cache, the size PyPy means to
    pick. PyPy takes the "cache size" of /proc/cpuinfo for its L2, which on many machines
    is the last-level cache (480 MB on the benchmark VM), and then allocates every young
    object far outside the caches. None when the L2 size is unknown."""
    l2 = l2_cache_bytes()
    return "%dKB" % (l2 // 2048) if l2 else None


def clients(nursery=None):
    """(label, interpreter family, python, client kind, extra environment) of each
    benchmarked client; ``nursery``: PYPY_GC_NURSERY of the second PyPy worker (default:
    half the L2 cache)."""
    pypy = os.path.join(ROOT, ".venv-pypy/bin/python")
    specs = [("aerospike_cffi PyPy", "PyPy", pypy, "cffi", {})]
    nursery = nursery or pypy_nursery()
    if nursery:
        specs.append(("aerospike_cffi PyPy, nursery %s" % nursery, "PyPy", pypy, "cffi",
                      {"PYPY_GC_NURSERY": nursery}))
    return specs + [
        ("aerospike_cffi CPython", "CPython", os.path.join(ROOT, ".venv-cpython/bin/python"),
         "cffi", {}),
        ("official CPython", "CPython", official_python(), "official", {}),
    ]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port):
    python = os.path.join(ROOT, ".venv-cpython/bin/python")
    proc = subprocess.Popen([python, "-m", "aerospike_cffi.testing", "--port", str(port)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    line = proc.stdout.readline()
    if "listening" not in line:
        proc.kill()
        sys.exit("the dev server did not start: %r" % line)
    return proc


class Worker:
    def __init__(self, label, family, python, kind, env, port):
        self.label, self.family = label, family
        self.proc = subprocess.Popen([python, WORKLOAD, kind, str(port)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=HERE,
                                     env=dict(os.environ, **env))

    def ask(self, *command):
        self.proc.stdin.write(" ".join(str(c) for c in command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("%s worker died (command %s)" % (self.label, command))
        return json.loads(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(30)


def calls_for(name, ops, records):
    """Calls of a workload in a round: ``ops`` calls of a single-record workload, calls
    that read ``records`` records of a batch or scan one (at least two)."""
    if name in RECORDS_PER_CALL:
        return max(2, records // RECORDS_PER_CALL[name])
    return ops


def warmup_curves(specs, port, workloads, bounds, runs=3, ops=3000, records=30000):
    """{workload: {label: [CPU s per call of each window]}} (each window's median over
    ``runs`` fresh workers, a JIT that has seen nothing), and {workload: {label: [{"cpu":
    [...], "steady": s}]}}: every worker's curve and the steady state that same worker
    then reaches (median of 5 rounds after a warm-up), one worker at a time.

    Several workers, not one: on a small VM one fresh process in three to seven runs
    everything 1.5-2x slower for a spell (CPython workers too, with no JIT), so a single
    worker's curve says more about the machine than about the warm-up (benchmarks/README.md,
    branch pypy-warm)."""
    curves, every = {}, {}
    for name in workloads:
        curves[name], every[name] = {}, {}
        for spec in specs:
            done = []
            for _ in range(runs):
                w = Worker(*spec, port)
                try:
                    cpu = w.ask("curve", name, ",".join(map(str, bounds)))["cpu"]
                    w.ask("run", name, calls_for(name, 10 * ops, 3 * records))
                    calls = calls_for(name, ops, records)
                    steady = statistics.median(w.ask("run", name, calls)["cpu"] / calls
                                               for _ in range(5))
                    done.append({"cpu": cpu, "steady": steady})
                    w.close()
                finally:
                    if w.proc.poll() is None:
                        w.proc.kill()
            label = spec[0]
            every[name][label] = done
            curves[name][label] = [statistics.median(run["cpu"][i] for run in done)
                                   for i in range(len(bounds))]
        print("warm-up curve of %s done" % name, file=sys.stderr)
    return curves, every


def benchmark(workers, workloads, rounds, ops, records, warmup, warmup_records):
    """{workload: {label: [(cpu s, wall s) per call, per round]}} (None: not available).

    Each workload is first run ``warmup`` calls (single-record) or ``warmup_records``
    records (batch, scan), so that its rounds measure the steady state."""
    samples = {}
    for name in workloads:
        samples[name] = {}
        for w in workers:
            has = w.ask("has", name)
            samples[name][w.label] = [] if has["ok"] else None
            if not has["ok"]:
                print("%s: no %s (%s)" % (w.label, name, has["why"]), file=sys.stderr)
            else:
                # the threaded runs share the single-thread warm-up (the same code)
                w.ask("run", name, calls_for(name, warmup // 10 if "@" in name else warmup,
                                             warmup_records))
    for r in range(rounds):
        order = workers[r % len(workers):] + workers[:r % len(workers)]
        for name in workloads:
            calls = calls_for(name, ops, records)
            for w in order:
                if samples[name][w.label] is not None:
                    m = w.ask("run", name, calls)
                    samples[name][w.label].append((m["cpu"] / calls, m["wall"] / calls))
        print("round %d/%d done" % (r + 1, rounds), file=sys.stderr)
    return samples


def summarize(samples):
    """{workload: {label: {...}}}: best and median CPU per call, calls/s, per record."""
    out = {}
    for name, per_client in samples.items():
        records = RECORDS_PER_CALL.get(name, 1)
        out[name] = {}
        for label, runs in per_client.items():
            if runs is None:
                out[name][label] = None
                continue
            cpus = [c for c, _ in runs]
            walls = [w for _, w in runs]
            out[name][label] = {
                "cpu_us_per_call": min(cpus) * 1e6,
                "cpu_us_per_call_median": statistics.median(cpus) * 1e6,
                "calls_per_s": 1 / statistics.median(walls),
                "calls_per_s_best": 1 / min(walls),
                "records_per_call": records,
                "cpu_us_per_record": min(cpus) * 1e6 / records,
                "cpu_us_per_record_median": statistics.median(cpus) * 1e6 / records,
            }
    return out


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%s, %d CPUs, Linux %s" % (model, os.cpu_count(), platform.release())


def markdown(result, workers):
    official = "official CPython"
    lines = ["Machine: " + result["machine"], "",
             "| workload | client | CPU µs/call | CPU µs/record | calls/s | CPU ratio to official "
             "(best / median round) | target |",
             "|---|---|---:|---:|---:|---:|---|"]
    threaded = []
    for name, per_client in result["workloads"].items():
        if "@" in name:
            threaded.append((name, per_client))
            continue
        ref = per_client.get(official)
        for w in workers:
            m = per_client.get(w.label)
            if m is None:
                lines.append("| %s | %s | n/a | | | | |" % (name, w.label))
                continue
            ratio = target = ""
            if w.label != official and ref:
                r = m["cpu_us_per_call"] / ref["cpu_us_per_call"]
                ratio = "%.2f× / %.2f×" % (r, m["cpu_us_per_call_median"] /
                                          ref["cpu_us_per_call_median"])
                if name not in UDF:
                    limit = TARGETS[w.family][1 if name in MULTI else 0]
                    target = "≤ %.1f× %s" % (limit, "met" if r <= limit else "**missed**")
            per_record = "%.2f" % m["cpu_us_per_record"] if name in RECORDS_PER_CALL else ""
            lines.append("| %s | %s | %.1f | %s | %.0f | %s | %s |" % (
                name, w.label, m["cpu_us_per_call"], per_record, m["calls_per_s"], ratio, target))
    if threaded:
        lines += ["", "| workload | client | calls/s (median / best round) | CPU µs/call "
                  "(median round) | calls/s ratio | CPU ratio | target (calls/s ≥ 1, CPU ≤ 1) |",
                  "|---|---|---:|---:|---:|---:|---|"]
        for name, per_client in threaded:
            ref = per_client.get(official)
            for w in workers:
                m = per_client.get(w.label)
                if m is None:
                    continue
                ratios = target = ""
                if w.label != official and ref:
                    speed = m["calls_per_s"] / ref["calls_per_s"]
                    cpu = m["cpu_us_per_call_median"] / ref["cpu_us_per_call_median"]
                    ratios = "| %.2f× | %.2f×" % (speed, cpu)
                    target = "met" if speed >= 1 and cpu <= 1 else "**missed**"
                else:
                    ratios = "| |"
                lines.append("| %s | %s | %.0f / %.0f | %.1f %s | %s |" % (
                    name.replace("@", " × ") + " threads", w.label, m["calls_per_s"],
                    m["calls_per_s_best"], m["cpu_us_per_call_median"], ratios, target))
    if result.get("curves"):
        bounds = result["curve_bounds"]
        each = result.get("curve_each") or {}
        heads, low = [], 0
        for b in bounds:
            heads.append("calls %d–%d" % (low + 1, b))
            low = b
        lines += ["", "Warm-up: each window's median over %s fresh workers; the last column "
                  "divides each worker's last window by the steady state that same worker "
                  "reaches afterwards (median, lowest–highest)." % result.get("curve_runs", 1),
                  "", "| warm-up, CPU µs/call | client | " + " | ".join(heads) +
                  " | steady (median round) | last window / steady | target | "
                  "last window / the worker's own steady |",
                  "|---|---|" + "---:|" * (len(bounds) + 2) + "---|---:|"]
        for name, per_client in result["curves"].items():
            for label, cpus in per_client.items():
                steady = (result["workloads"].get(name) or {}).get(label)
                cells = " | ".join("%.1f" % (c * 1e6) for c in cpus)
                if steady:
                    r = cpus[-1] * 1e6 / steady["cpu_us_per_call_median"]
                    tail = "%.1f | %.2f× | %s" % (
                        steady["cpu_us_per_call_median"], r,
                        "≤ %.1f× %s" % (CURVE_LIMIT, "met" if r <= CURVE_LIMIT else "**missed**"))
                else:
                    tail = " | | "
                own = sorted(run["cpu"][-1] / run["steady"]
                             for run in (each.get(name) or {}).get(label, []))
                own_cell = ("%.2f× (%.2f–%.2f)" % (statistics.median(own), own[0], own[-1])
                            if own else "")
                lines.append("| %s | %s | %s | %s | %s |" % (name, label, cells, tail, own_cell))
    if result.get("rss"):
        lines += ["", "| RSS over mixed ops | client | before | after | growth | target |",
                  "|---|---|---:|---:|---:|---|"]
        for label, r in result["rss"].items():
            growth = (r["after_kb"] - r["before_kb"]) / 1024
            lines.append("| %d ops | %s | %.1f MB | %.1f MB | %+.2f MB | %s |" % (
                r["ops"], label, r["before_kb"] / 1024, r["after_kb"] / 1024, growth,
                "< 5 MB " + ("met" if growth < 5 else "**missed**")))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--ops", type=int, default=3000,
                    help="calls per single-record workload per round")
    ap.add_argument("--records", type=int, default=30000,
                    help="records per batch or scan workload per round")
    ap.add_argument("--warmup", type=int, default=100000,
                    help="calls per single-record workload, first")
    # Counted apart from --warmup: 30 000 records (the old shared count in the README's
    # commands) are 300 batch_read calls and 3 scans, and PyPy's batch_read is still
    # warming up after 1 500 calls (its warm-up curve), so its rounds measured warm-up.
    ap.add_argument("--warmup-records", type=int, default=300000,
                    help="records per batch or scan workload, first (300 000: 3 000 "
                         "batch_read calls, 30 scans)")
    ap.add_argument("--rss-ops", type=int, default=None,
                    help="mixed get/put/exists/operate for the RSS growth (0: skip)")
    ap.add_argument("--workloads", default=",".join(SINGLE + MULTI + THREADED))
    ap.add_argument("--curve", default=",".join(CURVE),
                    help="workloads of the warm-up curve, fresh workers after the rounds "
                         "('' skips it)")
    ap.add_argument("--curve-calls", default=",".join(map(str, CURVE_BOUNDS)),
                    help="ends of the warm-up curve's windows, in calls")
    ap.add_argument("--curve-runs", type=int, default=3,
                    help="fresh workers per client and workload of the warm-up curve (the "
                         "median of each window is reported)")
    ap.add_argument("--quick", action="store_true", help="2 rounds of 2000, RSS over 20000")
    ap.add_argument("--json", default=None, help="also write the results to this file")
    ap.add_argument("--pypy-nursery", default=None,
                    help="PYPY_GC_NURSERY of the second PyPy worker, e.g. 16MB (default: half "
                         "the L2 cache, which is PyPy's own default where /proc/cpuinfo gives "
                         "the L2)")
    ap.add_argument("--server-port", type=int, default=None,
                    help="use the server already listening on 127.0.0.1:PORT (a real one runs "
                         "the UDF workloads %s) instead of starting the dev server"
                         % ",".join(UDF))
    ap.add_argument("--namespace", default=None,
                    help="the namespace the workloads use (default: test)")
    ap.add_argument("--set-prefix", default=None,
                    help="a prefix of the workloads' set names (a shared server)")
    args = ap.parse_args()
    if args.namespace:
        os.environ["BENCH_NAMESPACE"] = args.namespace  # inherited by the workers
    if args.set_prefix:
        os.environ["BENCH_SET_PREFIX"] = args.set_prefix  # inherited by the workers
    if args.quick:
        args.rounds, args.ops, args.records, args.warmup = 2, 2000, 20000, 5000
        args.warmup_records = 20000
        args.curve_calls = "10,100,200"
    if args.rss_ops is None:  # given explicitly, it counts in --quick runs too
        args.rss_ops = 20000 if args.quick else 500000

    if args.server_port:
        port, server = args.server_port, None
    else:
        port = free_port()
        server = start_server(port)
    workers = []
    try:
        workers = [Worker(*spec, port) for spec in clients(args.pypy_nursery)]
        workers[-1].ask("setup")
        samples = benchmark(workers, args.workloads.split(","), args.rounds, args.ops,
                            args.records, args.warmup, args.warmup_records)
        result = {"machine": machine(), "rounds": args.rounds, "ops": args.ops,
                  "records": args.records, "warmup": args.warmup,
                  "warmup_records": args.warmup_records,
                  "workloads": summarize(samples), "rss": {}}
        if args.rss_ops:
            for w in workers:
                r = w.ask("rss", args.rss_ops)
                r["ops"] = args.rss_ops
                result["rss"][w.label] = r
        for w in workers:
            w.close()
        if args.curve:
            bounds = [int(b) for b in args.curve_calls.split(",")]
            result["curve_bounds"] = bounds
            result["curve_runs"] = args.curve_runs
            result["curves"], result["curve_each"] = warmup_curves(
                clients(args.pypy_nursery), port, args.curve.split(","), bounds,
                args.curve_runs, args.ops, args.records)
    finally:
        for w in workers:
            if w.proc.poll() is None:
                w.proc.kill()
        if server is not None:
            server.terminate()
            server.wait(30)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print(markdown(result, workers))


if __name__ == "__main__":
    main()
