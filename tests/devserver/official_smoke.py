"""Smoke test of a server with the official client (PyPI `aerospike`):

    python official_smoke.py [--host 127.0.0.1] --port 3000

put / get / select / exists / touch / operate / info / remove; prints "ok" and
exits 0 when everything behaved, raises otherwise."""

import argparse
import time

import aerospike
from aerospike import exception as ex
from aerospike_helpers.operations import operations


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3000)
    args = ap.parse_args()
    client = aerospike.client({"hosts": [(args.host, args.port)]}).connect()
    key = ("test", "official_smoke", "key-%d" % time.time_ns())
    try:
        client.put(key, {"i": 1, "s": "abc", "f": 1.5, "b": b"\x01", "l": [1, "a"], "m": {"k": 2}})
        _, meta, bins = client.get(key)
        assert meta["gen"] == 1 and meta["ttl"] == 4294967295, meta
        assert bins == {"i": 1, "s": "abc", "f": 1.5, "b": b"\x01", "l": [1, "a"], "m": {"k": 2}}, bins
        assert client.select(key, ["s"])[2] == {"s": "abc"}

        _, meta = client.exists(key)
        assert meta["gen"] == 1, meta

        client.touch(key, 100)
        _, meta = client.exists(key)
        assert meta["gen"] == 2 and 90 <= meta["ttl"] <= 100, meta

        _, meta, bins = client.operate(key, [operations.increment("i", 5), operations.append("s", "d"),
                                             operations.read("i"), operations.read("s")])
        assert bins == {"i": 6, "s": "abcd"} and meta["gen"] == 3, (meta, bins)

        try:
            client.put(key, {"x": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
            raise AssertionError("create-only put on an existing record succeeded")
        except ex.RecordExistsError:
            pass

        namespaces = client.info_all("namespaces")
        assert namespaces and all("test" in resp.split(";") for _err, resp in namespaces.values()), namespaces
        assert client.info_random_node("build").strip()

        client.remove(key)
        assert client.exists(key)[1] is None
        try:
            client.get(key)
            raise AssertionError("get after remove succeeded")
        except ex.RecordNotFound:
            pass
    finally:
        try:
            client.remove(key)
        except ex.RecordNotFound:
            pass
        client.close()
    print("ok")


if __name__ == "__main__":
    main()
