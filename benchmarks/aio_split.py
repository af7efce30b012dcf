"""Where an async get's or put's CPU goes: the client's two threads, the server, TCP segments.

    ASD_PID=$(pgrep -x asd) python benchmarks/aio_split.py get 40000 256 [ROUNDS] [PIPE_CONNS]

Against the real server on 127.0.0.1:3000 (set aio-split of namespace test): writes 10 000
records, warms up with OPS commands, then runs ROUNDS rounds of OPS commands with TASKS in
flight and prints the round of median CPU as JSON: ops_s (wall clock), cpu (the whole
client process, µs per command), py (the asyncio thread, time.thread_time), loop (the
rest: the C client's event-loop thread), srv (the asd process, from /proc/PID/stat: other
clients of the same server count too), segs (TCP segments sent per command on the whole
machine, /proc/net/snmp: both directions over loopback, other traffic included).
PIPE_CONNS > 0 turns pipelining on (pipe_max_conns_per_node). Runs of two settings are
compared by medians over runs taken in turn (benchmarks/README.md, "asyncio: the C side").
"""

import asyncio
import json
import os
import resource
import sys
import time

from aerospike_cffi import aio

from aio import _in_flight  # benchmarks/aio.py (this script's directory is on sys.path)

BINS = {"name": "user", "age": 42, "score": 3.5, "tags": ["a", "b", "c"]}
PATIENT = {"read": {"total_timeout": 10000}, "write": {"total_timeout": 10000}}


def _server_cpu(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _segments():
    rows = [line.split() for line in open("/proc/net/snmp") if line.startswith("Tcp:")]
    return int(dict(zip(rows[0], rows[1]))["OutSegs"])


def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def main(workload, ops, tasks, rounds, pipe, asd):
    cfg = {"hosts": [("127.0.0.1", 3000)], "async_max_conns_per_node": max(tasks, 100),
           "policies": PATIENT, "pipe_max_conns_per_node": pipe}
    async with aio.client(cfg) as c:
        async def put(k):
            await c.put(k, BINS)

        call = {"get": c.get, "put": put}[workload]
        keys = [("test", "aio-split", i % 10000) for i in range(ops)]
        await _in_flight(put, keys[:10000], tasks)
        await _in_flight(call, keys, tasks)
        out = []
        for _ in range(rounds):
            t = (time.perf_counter(), _cpu(), time.thread_time(), _server_cpu(asd), _segments())
            await _in_flight(call, keys, tasks)
            wall, cpu, py, srv, segs = [b - a for a, b in zip(t, (
                time.perf_counter(), _cpu(), time.thread_time(), _server_cpu(asd),
                _segments()))]
            out.append({"ops_s": ops / wall, "cpu": cpu / ops * 1e6, "py": py / ops * 1e6,
                        "loop": (cpu - py) / ops * 1e6, "srv": srv / ops * 1e6,
                        "segs": segs / ops})
        out.sort(key=lambda r: r["cpu"])
        return out[len(out) // 2]


if __name__ == "__main__":
    args = sys.argv[1:]
    result = asyncio.run(main(args[0], int(args[1]), int(args[2]),
                              int(args[3]) if len(args) > 3 else 3,
                              int(args[4]) if len(args) > 4 else 0,
                              int(os.environ["ASD_PID"])))
    print(json.dumps({k: round(v, 2) for k, v in result.items()}))
