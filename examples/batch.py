"""Batch commands: read many keys at once, write/operate/remove several records in one
call, and read each record's own outcome."""

import aerospike_cffi as aerospike
from _connect import run
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as ops


def main(client: aerospike.Client) -> None:
    keys = [("test", "examples", "item-%d" % i) for i in range(5)]

    # Several writes of different kinds in one batch.
    batch = br.BatchRecords([br.Write(k, [ops.write("n", i), ops.write("tag", "new")])
                             for i, k in enumerate(keys)])
    client.batch_write(batch)
    print("writes ok:", all(r.result == 0 for r in batch.batch_records))

    # Read them (and one key that does not exist).
    found = client.batch_read(keys + [("test", "examples", "missing")], ["n"])
    for record in found.batch_records:
        bins = record.record[2] if record.record else None
        print(record.key[2], record.result, bins)

    # The same operations on every key, then remove them all.
    client.batch_operate(keys, [ops.increment("n", 100)])
    client.batch_remove(keys)


if __name__ == "__main__":
    run(main)
