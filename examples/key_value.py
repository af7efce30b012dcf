"""Key-value basics: put, get, select, exists, touch, increment, remove; TTLs and
generation checks; the errors a missing record raises."""

from aerospike_cffi import exception
import aerospike_cffi as aerospike
from _connect import run


def main(client: aerospike.Client) -> None:
    key = ("test", "examples", "user-1")
    client.put(key, {"name": "Ada", "visits": 1}, meta={"ttl": 3600},
               policy={"key": aerospike.POLICY_KEY_SEND})  # store the user key too

    (ns, set_name, _, digest), meta, bins = client.get(key)
    print("get:", ns, set_name, "generation", meta["gen"], bins)

    _, _, bins = client.select(key, ["name"])
    print("select name:", bins)

    client.increment(key, "visits", 2)
    client.touch(key, 7200)  # new TTL
    _, meta_or_none = client.exists(key)
    print("exists:", meta_or_none is not None)

    # A write that succeeds only if nobody wrote the record since it was read.
    _, meta, _ = client.get(key)
    client.put(key, {"visits": 10}, meta={"gen": meta["gen"]},
               policy={"gen": aerospike.POLICY_GEN_EQ})
    try:
        client.put(key, {"visits": 11}, meta={"gen": meta["gen"]},
                   policy={"gen": aerospike.POLICY_GEN_EQ})
    except exception.RecordGenerationError:
        print("stale generation refused")

    client.remove(key)
    try:
        client.get(key)
    except exception.RecordNotFound as e:
        print("after remove:", type(e).__name__, e.code)


if __name__ == "__main__":
    run(main)
