"""Run the dev server in the foreground: ``python -m aerospike_cffi.testing``."""

import argparse
import signal
import sys
import threading

from .server import Server


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m aerospike_cffi.testing",
                                     description="Embedded Aerospike-compatible dev server")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=3000, help="port (0 = any free port)")
    parser.add_argument("--namespace", action="append", dest="namespaces",
                        help="namespace to serve (repeatable; default: test and bar)")
    parser.add_argument("--cluster-name", default="null")
    parser.add_argument("--edition", choices=("community", "enterprise"), default="community",
                        help="what to behave as where editions differ (compression)")
    parser.add_argument("--security", action="store_true",
                        help="require logins and check roles (default user admin/admin)")
    parser.add_argument("--enable-quotas", action="store_true",
                        help="with --security: allow non-zero role quotas")
    parser.add_argument("--strong-consistency", action="append", default=[], metavar="NAMESPACE",
                        help="make a namespace strong-consistency (transactions run there; "
                             "repeatable)")
    parser.add_argument("--nodes", type=int, default=1,
                        help="serve a cluster of this many nodes on consecutive ports "
                             "from --port")
    parser.add_argument("--replication-factor", type=int, default=2,
                        help="with --nodes: copies of each partition (default 2)")
    args = parser.parse_args(argv)
    if args.nodes < 1:
        parser.error("--nodes must be at least 1")
    names = tuple(args.namespaces or ("test", "bar"))
    unknown = [n for n in args.strong_consistency if n not in names]
    if unknown:
        parser.error("--strong-consistency names no served namespace: %s" % ", ".join(unknown))
    namespaces = {n: {"strong_consistency": n in args.strong_consistency} for n in names}
    security = {"enable_quotas": args.enable_quotas} if args.security else None
    server = Server(args.host, args.port, namespaces, cluster_name=args.cluster_name,
                    edition=args.edition, security=security, nodes=args.nodes,
                    replication_factor=args.replication_factor)
    # The handler goes in before the "listening" line: whoever reads it may stop us at once.
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    server.start()
    print("aerospike dev server listening on %s:%d" % (server.host, server.port), flush=True)
    for node in server.nodes:
        print("node %d %s listening on %s:%d" % (node.index, node.node_id, node.host, node.port),
              flush=True)
    try:
        while not done.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
