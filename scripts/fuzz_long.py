#!/usr/bin/env python
"""A long fuzz run (issue 15): random calls of every command with the argument generators
of tests/client/test_fuzz.py (junk keys, bins, policies, operations, meta, info commands),
against a server that is up and against one that went away.  Only Python exceptions of
the allowed kinds may come out; a crash ends the process (non-zero exit status, no result
line).  tests/client/test_fuzz.py is the short, derandomized version that runs in CI.

    python scripts/fuzz_long.py [--server HOST:PORT] [--calls 1000000] [--seconds N]

Without --server it starts the dev server in another process (the fuzz sends junk: do not
point it at a shared server).  --seconds stops early after that long, reporting the calls
made.
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
FUZZ = os.path.join(HERE, "..", "tests", "client", "test_fuzz.py")


def load_fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_generators", FUZZ)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="HOST:PORT (default: a dev server in a subprocess)")
    parser.add_argument("--calls", type=int, default=1000000)
    parser.add_argument("--seconds", type=float, default=0, help="time budget (0: none)")
    parser.add_argument("--chunk", type=int, default=2000,
                        help="examples per command before moving to the next one")
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
    try:
        while budget_left():
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
    print("%s %s: %d random calls (%d commands, server up and down) against %s in %.0f s: "
          "no crash, only allowed exceptions%s"
          % (platform.python_implementation(), platform.python_version(), calls[0],
             len(commands), args.server or "the dev server", time.time() - start,
             " (stopped by the time budget)" if out_of_time[0] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
