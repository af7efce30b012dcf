#!/usr/bin/env python
"""A long fuzz run (issue 15): random calls of every command with the argument generators
of tests/client/test_fuzz.py (junk keys, bins, policies, operations, meta, info commands),
against a server that is up and against one that went away.  Only Python exceptions of
the allowed kinds may come out; a crash ends the process (non-zero exit status, no result
line).  tests/client/test_fuzz.py is the short, derandomized version that runs in CI.

    python scripts/fuzz_long.py [--server HOST:PORT] [--calls 1000000] [--seconds N]
    python scripts/fuzz_long.py --pool 300 [--seed S]    # fast: recombined examples

With --pool K, hypothesis draws K argument tuples per command once; the calls then take
each argument of a command from a randomly chosen tuple of its pool (seeded: --seed
repeats a run), so a call costs the client and the server, not the generator: this is how
the 1 000 000 calls of the README were run. Without it, every call is a fresh hypothesis
example (slow: some tens of calls a second on a loaded machine).

Without --server it starts the dev server in another process (the fuzz sends junk: do not
point it at a shared server).  --seconds stops early after that long, reporting the calls
made.
"""

import argparse
import importlib.util
import os
import platform
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.join(HERE, "..", "tests", "client", "test_fuzz.py")


def load_fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_generators", FUZZ)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def draw_pool(strategy, size, given, settings, HealthCheck):
    """``size`` examples of a hypothesis strategy (argument tuples of one command)."""
    pool = []

    @settings(max_examples=size, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(a=strategy)
    def collect(a):
        pool.append(a)

    collect()
    return pool


def run_pooled(fuzz, up, down, commands, pools, rng, n, calls):
    """``n`` calls of random commands, each argument from a random tuple of the pool;
    nine in ten on the client whose server is up."""
    for _ in range(n):
        command = rng.choice(commands)
        pool = pools[command]
        if not pool:
            continue
        width = len(pool[0])
        args = tuple(rng.choice(pool)[i] for i in range(width))
        fuzz.run(up if rng.random() < 0.9 else down, command, args)
        calls[0] += 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="HOST:PORT (default: a dev server in a subprocess)")
    parser.add_argument("--calls", type=int, default=1000000)
    parser.add_argument("--seconds", type=float, default=0, help="time budget (0: none)")
    parser.add_argument("--chunk", type=int, default=2000,
                        help="examples per command before moving to the next one")
    parser.add_argument("--pool", type=int, default=0,
                        help="argument tuples drawn per command, then recombined (0: off)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the --pool run")
    args = parser.parse_args(argv)

    from hypothesis import HealthCheck, given, settings

    import aerospike_cffi as aerospike
    from aerospike_cffi.testing.server import Server

    fuzz = load_fuzz()
    proc = None
    if args.server:
        host, _, port = args.server.rpartition(":")
        port = int(port)
    else:
        proc = subprocess.Popen([sys.executable, "-m", "aerospike_cffi.testing", "--port", "0"],
                                stdout=subprocess.PIPE, text=True)
        found = re.search(r"listening on (\S+):(\d+)", proc.stdout.readline())
        host, port = found.group(1), int(found.group(2))
    up = aerospike.client({"hosts": [(host, port)]})
    gone = Server().start()  # a server that stops at once: the client's commands fail
    down = aerospike.client({"hosts": [(gone.host, gone.port)]})
    gone.stop()

    calls = [0]
    start = time.time()
    out_of_time = [False]

    def budget_left():
        if args.seconds and time.time() - start > args.seconds:
            out_of_time[0] = True
        return calls[0] < args.calls and not out_of_time[0]

    def fuzz_command(client, command, n):
        @settings(max_examples=n, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(a=fuzz.COMMANDS[command][0])
        def check(a):
            if budget_left():
                fuzz.run(client, command, a)
                calls[0] += 1
        check()

    commands = sorted(fuzz.COMMANDS)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    try:
        if args.pool:
            print("  seed %d" % seed, flush=True)
            pools = {command: draw_pool(fuzz.COMMANDS[command][0], args.pool, given, settings,
                                        HealthCheck)
                     for command in commands}
            print("  pools drawn, %.0f s" % (time.time() - start), flush=True)
        while args.pool and budget_left():
            run_pooled(fuzz, up, down, commands, pools, random.Random(seed + calls[0]),
                       10000, calls)
            if calls[0] % 100000 < 10000:
                print("  %d calls, %.0f s" % (calls[0], time.time() - start), flush=True)
        while not args.pool and budget_left():
            for command in commands:
                # Nine calls in ten with the server up: the down client fails fast and
                # would otherwise dominate the count.
                fuzz_command(up, command, args.chunk)
                fuzz_command(down, command, max(args.chunk // 10, 1))
                if not budget_left():
                    break
            print("  %d calls, %.0f s" % (calls[0], time.time() - start), flush=True)
    finally:
        up.close()
        down.close()
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    print("%s %s: %d random calls (%d commands, server up and down%s) against %s in %.0f s: "
          "no crash, only allowed exceptions%s"
          % (platform.python_implementation(), platform.python_version(), calls[0],
             len(commands), ", pools of %d, seed %d" % (args.pool, seed) if args.pool else "",
             args.server or "the dev server", time.time() - start,
             " (stopped by the time budget)" if out_of_time[0] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
