"""CPU cost of the close() guard around every command (Client._enter / _leave).

Times an _enter/_leave pair with its try/finally against an empty try/finally, on the
interpreter that runs it; then, for scale, single gets against an in-process dev server
(whose CPU is counted too, so they read higher than in run.py).

    python benchmarks/guard_overhead.py
"""

import time

import aerospike_cffi as aerospike
from aerospike_cffi.testing.server import Server

N = 2000000


def main():
    server = Server().start()
    client = aerospike.client({"hosts": [(server.host, server.port)]}).connect()
    conn = client._as

    def guarded(n):
        for _ in range(n):
            busy = client._enter(conn)
            try:
                pass
            finally:
                client._leave(busy)

    def empty(n):
        for _ in range(n):
            try:
                pass
            finally:
                pass

    try:
        for run in (empty, guarded, empty, guarded):
            t = time.process_time()
            run(N)
            print("%-8s %.1f ns per command" % (run.__name__,
                                                (time.process_time() - t) / N * 1e9))
        key = ("test", "guard_overhead", 1)
        client.put(key, {"a": 1})
        for _ in range(3):
            t = time.process_time()
            for _ in range(20000):
                client.get(key)
            print("get      %.1f us CPU per call (client and server)"
                  % ((time.process_time() - t) / 20000 * 1e6))
        client.remove(key)
    finally:
        client.close()
        server.stop()


if __name__ == "__main__":
    main()
