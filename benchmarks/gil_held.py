"""Instructions per get with the GIL held, for this client and the official one (issue 13).

Threads that share a client on CPython wait for the GIL; what a get costs them is what it
runs with the GIL held: everything but the C call that the client makes with the GIL
released (cffi releases it around shim_get_f / shim_get_fi; the official client around
aerospike_key_get). valgrind's callgrind counts a process making N1 and then N2 gets
(after the same warm-up) on the main thread; the difference over N2 - N1 is per get, the
released call's inclusive count is subtracted. Deterministic to a few instructions.

    python3 benchmarks/gil_held.py --server-port 3000 --namespace bar [--official PYTHON]

Needs valgrind and a server with the benchmark's records (benchmarks/workload.py setup;
run.py writes them). Prints per get: total, in the released call, with the GIL held.
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

# One process: WARM gets, then N gets, all on the main thread (workload.py's get).
DRIVER = r"""
import sys
sys.path.insert(0, %(here)r)
import workload
w = workload.Workloads(sys.argv[1], int(sys.argv[2]))
w.run("get", 3000)
w.run("get", int(sys.argv[3]))
"""


def counts(python, kind, port, n, env):
    """(total, {function: inclusive}) instructions of the main thread."""
    out = tempfile.mkdtemp(prefix="gil_held_")
    script = os.path.join(out, "driver.py")
    with open(script, "w") as f:
        f.write(DRIVER % {"here": HERE})
    run = subprocess.run(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                          "--callgrind-out-file=" + os.path.join(out, "cg.%p"), python,
                          script, kind, str(port), str(n)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode:
        sys.exit("%s failed:\n%s" % (python, run.stderr[-2000:]))
    main = min(glob.glob(os.path.join(out, "cg.*-01")))
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", main],
                          capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"^([\d,]+) .*PROGRAM TOTALS", text, re.M).group(1).replace(",", ""))
    inclusive = {}
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) .*:(shim_get_fi?|aerospike_key_get) ", line)
        if m and m.group(2) not in inclusive:
            inclusive[m.group(2)] = int(m.group(1).replace(",", ""))
    return total, inclusive


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server-port", type=int, default=3000)
    ap.add_argument("--namespace", default="test")
    ap.add_argument("--set-prefix", default="")
    ap.add_argument("--official", default=os.environ.get("OFFICIAL_PYTHON"))
    ap.add_argument("--calls", default="1000,3000", help="N1,N2")
    args = ap.parse_args()
    n1, n2 = (int(x) for x in args.calls.split(","))
    env = dict(os.environ, PYTHONHASHSEED="0", BENCH_NAMESPACE=args.namespace,
               BENCH_SET_PREFIX=args.set_prefix)
    clients = [("aerospike_cffi CPython", os.path.join(ROOT, ".venv-cpython/bin/python"),
                "cffi", ("shim_get_f", "shim_get_fi"))]
    if args.official:
        clients.append(("official CPython", args.official, "official", ("aerospike_key_get",)))
    for label, python, kind, released in clients:
        (t1, i1), (t2, i2) = (counts(python, kind, args.server_port, n, env) for n in (n1, n2))
        total = (t2 - t1) / (n2 - n1)
        out = sum(i2.get(f, 0) - i1.get(f, 0) for f in released) / (n2 - n1)
        print("%-24s per get: %6.0f instructions, %6.0f in the released call, %6.0f with "
              "the GIL held" % (label, total, out, total - out))


if __name__ == "__main__":
    sys.exit(main())
