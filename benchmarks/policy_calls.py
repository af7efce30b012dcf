"""CPU per call of single-record commands with and without a per-call policy dict.

    python benchmarks/policy_calls.py                     # this interpreter, aerospike_cffi
    python benchmarks/policy_calls.py --official          # the official client (CPython)
    python benchmarks/policy_calls.py --all               # ours on .venv-cpython and
                                                          # .venv-pypy, and the official
    python benchmarks/policy_calls.py --only get:expr --calls 20000   # one case, no report
                                                          # (run under callgrind twice with
                                                          # two counts: the difference / the
                                                          # difference of counts = per call)

Server: --host (default 127.0.0.1:3000, AEROSPIKE_TEST_SERVER if set), namespace test,
set "policy_calls". Variants per command:
    plain    policy None
    policy   {"total_timeout": 1000}, the same dict every call
    newdict  {"total_timeout": 1000}, a new dict every call (a literal in the call)
    expr     {"expressions": GE(IntBin("i"), 0).compile()}, the same compiled list
CPU per call is time.process_time() over --calls calls; each case is run --rounds times
in rotation (so load hits every case alike) after a warm-up, the best round reported (the
median too, in --json).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COMMANDS = ("get", "put", "exists", "operate", "select", "touch")
VARIANTS = ("plain", "policy", "newdict", "expr")
SET = "policy_calls"


def _client(official, host):
    if official:
        import aerospike
    else:
        import aerospike_cffi as aerospike
    from aerospike_helpers import expressions as exp
    from aerospike_helpers.operations import operations as op
    name, port = host.rsplit(":", 1)
    client = aerospike.client({"hosts": [(name, int(port))]}).connect()
    return client, exp, op


def make_case(client, exp, op, command, variant):
    """A no-argument function doing one call of ``command`` with ``variant``'s policy."""
    key = ("test", SET, "k1")
    bins = {"i": 1, "s": "abc"}
    ops = [op.read("i"), op.read("s")]
    names = ["i"]
    compiled = exp.GE(exp.IntBin("i"), 0).compile()
    fixed = {"total_timeout": 1000} if variant == "policy" else {"expressions": compiled}
    get, put, exists = client.get, client.put, client.exists
    operate, select, touch = client.operate, client.select, client.touch
    if variant == "plain":
        return {
            "get": lambda: get(key), "put": lambda: put(key, bins),
            "exists": lambda: exists(key), "operate": lambda: operate(key, ops),
            "select": lambda: select(key, names), "touch": lambda: touch(key, 1000),
        }[command]
    if variant == "newdict":
        return {
            "get": lambda: get(key, policy={"total_timeout": 1000}),
            "put": lambda: put(key, bins, policy={"total_timeout": 1000}),
            "exists": lambda: exists(key, policy={"total_timeout": 1000}),
            "operate": lambda: operate(key, ops, policy={"total_timeout": 1000}),
            "select": lambda: select(key, names, policy={"total_timeout": 1000}),
            "touch": lambda: touch(key, 1000, policy={"total_timeout": 1000}),
        }[command]
    return {
        "get": lambda: get(key, policy=fixed), "put": lambda: put(key, bins, policy=fixed),
        "exists": lambda: exists(key, policy=fixed),
        "operate": lambda: operate(key, ops, policy=fixed),
        "select": lambda: select(key, names, policy=fixed),
        "touch": lambda: touch(key, 1000, policy=fixed),
    }[command]


def timed(fn, calls):
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls * 1e6


def measure(args):
    client, exp, op = _client(args.official, args.host)
    client.put(("test", SET, "k1"), {"i": 1, "s": "abc"})
    cases = [(c, v) for c in args.commands for v in args.variants]
    fns = {case: make_case(client, exp, op, *case) for case in cases}
    if args.only:
        fn = fns.get(tuple(args.only.split(":"))) or make_case(client, exp, op,
                                                               *args.only.split(":"))
        done = 0
        os.getppid()  # the start of the loop for --callgrind (see instructions())
        while done < args.calls:  # under valgrind: a timeout, or another suite's truncate
            try:
                for _ in range(args.calls - done):
                    fn()
                    done += 1
            except Exception as exc:  # noqa: BLE001 - counted, the record written again
                print("again after %r" % (exc,), file=sys.stderr)
                client.put(("test", SET, "k1"), {"i": 1, "s": "abc"})
                done += 1
        os.getppid()  # its end
        return None
    for fn in fns.values():  # warm-up (PyPy's JIT)
        for _ in range(args.warmup):
            fn()
    runs = {case: [] for case in cases}
    for r in range(args.rounds):
        order = cases[r % len(cases):] + cases[:r % len(cases)]
        for case in order:
            runs[case].append(timed(fns[case], args.calls))
    client.close()
    return {"%s:%s" % case: {"best": min(v), "median": statistics.median(v)}
            for case, v in runs.items()}


def instructions(args, command, variant):
    """Instructions per call of one case in the calling (main) thread, by callgrind: the
    --only run calls os.getppid() (libc's getppid, which nothing else calls) right before
    and right after its loop, and callgrind dumps its counts at each: the second part is
    the loop alone (no start-up, connection or tend thread in it)."""
    import glob
    import tempfile
    out = tempfile.mkdtemp(prefix="policy_calls_cg")
    argv = ["valgrind", "--tool=callgrind", "--separate-threads=yes",
            "--dump-before=getppid", "--callgrind-out-file=%s/cg" % out,
            sys.executable, os.path.abspath(__file__), "--host", args.host,
            "--only", "%s:%s" % (command, variant), "--calls", str(args.calls)]
    if args.official:
        argv.append("--official")
    try:
        run = subprocess.run(argv, stderr=subprocess.PIPE)
        if run.returncode != 0:
            print("\n".join(line for line in run.stderr.decode().splitlines()[-20:]
                            if not line.startswith("==")), file=sys.stderr)
            raise SystemExit("%s:%s failed under valgrind" % (command, variant))
        with open(out + "/cg.2-01") as f:
            total = int([line for line in f if line.startswith("totals:")][0].split()[1])
    finally:
        for path in glob.glob(out + "/*"):
            os.remove(path)
        os.rmdir(out)
    return total / args.calls


def table(results):
    """Markdown: one row per command:variant, one column per client (best us/call)."""
    names = list(results)
    rows = ["| case | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for case in next(iter(results.values())):
        cells = ["%.1f" % results[n][case]["best"] for n in names]
        rows.append("| %s | %s |" % (case, " | ".join(cells)))
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default=os.environ.get("AEROSPIKE_TEST_SERVER",
                                                         "127.0.0.1:3000"))
    parser.add_argument("--official", action="store_true")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3000)
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--only", help="command:variant, run --calls calls and exit")
    parser.add_argument("--json", help="also write the raw numbers here")
    parser.add_argument("--callgrind", action="store_true",
                        help="instructions per call (valgrind) of each case, this interpreter")
    args = parser.parse_args()
    args.commands = args.commands.split(",")
    args.variants = args.variants.split(",")
    if args.callgrind:
        for command in args.commands:
            for variant in args.variants:
                print("%s:%s %.0f" % (command, variant, instructions(args, command, variant)),
                      flush=True)
        return
    if not args.all:
        result = measure(args)
        if result is not None:
            if args.json and args.json != "-":
                with open(args.json, "w") as f:
                    json.dump(result, f, indent=1)
            print(json.dumps(result) if args.json == "-" else table({"this": result}))
        return
    official = os.environ.get("OFFICIAL_PYTHON", os.path.join(ROOT, ".venv-official/bin/python"))
    if not os.path.exists(official):
        official = "/work/main/.venv-official/bin/python"
    clients = {"ours PyPy": [os.path.join(ROOT, ".venv-pypy/bin/python")],
               "ours CPython": [os.path.join(ROOT, ".venv-cpython/bin/python")],
               "official": [official, "--official"]}
    results = {}
    for name, cmd in clients.items():
        argv = cmd[:1] + [os.path.abspath(__file__)] + cmd[1:] + [
            "--host", args.host, "--calls", str(args.calls), "--rounds", str(args.rounds),
            "--warmup", str(args.warmup), "--commands", ",".join(args.commands),
            "--variants", ",".join(args.variants), "--json", "-"]
        out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, cwd=ROOT).stdout
        results[name] = json.loads(out.decode().strip().splitlines()[-1])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    print(table(results))


if __name__ == "__main__":
    main()
