"""Run under the official client: transactions against a dev server whose
namespace ``test`` is strong-consistency (started by test_txn.py).  Prints "ok"."""

import argparse

import aerospike
from aerospike import exception as ex
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op

parser = argparse.ArgumentParser()
parser.add_argument("--host")
parser.add_argument("--port", type=int)
args = parser.parse_args()
client = aerospike.client({"hosts": [(args.host, args.port)]}).connect()
k1, k2, k3 = ("test", "otxn", 1), ("test", "otxn", 2), ("test", "otxn", 3)
client.put(k1, {"v": 0})
client.put(k2, {"v": 0})


def code_of(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except ex.AerospikeError as e:
        return e.code
    return 0


# Commit: the transaction's writes appear together.
t = aerospike.Transaction()
client.put(k1, {"v": 1}, policy={"txn": t})
client.operate(k2, [op.increment("v", 5)], policy={"txn": t})
assert client.get(k1, policy={"txn": t})[2] == {"v": 1}
assert client.get(k1)[2] == {"v": 0}
assert code_of(client.put, k1, {"v": 9}) == 120  # MRT_BLOCKED
other = aerospike.Transaction()
assert code_of(client.put, k1, {"v": 9}, policy={"txn": other}) == 120
client.abort(other)
assert client.commit(t) == aerospike.COMMIT_OK
assert t.state == aerospike.TXN_STATE_COMMITTED
assert client.get(k1)[2] == {"v": 1} and client.get(k2)[2] == {"v": 5}
assert client.commit(t) == aerospike.COMMIT_ALREADY_COMMITTED

# Abort: nothing happened.
t = aerospike.Transaction()
client.put(k1, {"v": 100}, policy={"txn": t})
client.remove(k2, policy={"txn": t})
client.put(k3, {"v": 3}, policy={"txn": t})
assert client.abort(t) == aerospike.ABORT_OK
assert t.state == aerospike.TXN_STATE_ABORTED
assert client.get(k1)[2] == {"v": 1} and client.get(k2)[2] == {"v": 5}
assert code_of(client.get, k3) == 2

# A record read in the transaction and changed outside it fails the commit.
t = aerospike.Transaction()
client.get(k1, policy={"txn": t})
client.put(k1, {"v": 7})
client.put(k2, {"v": 8}, policy={"txn": t})
try:
    client.commit(t)
    raise AssertionError("commit succeeded")
except ex.TransactionFailed as e:
    assert e.code == -17, e.code  # TXN_FAILED
assert t.state == aerospike.TXN_STATE_ABORTED
assert client.get(k2)[2] == {"v": 5}

# Batches in a transaction.
t = aerospike.Transaction()
res = client.batch_write(br.BatchRecords([br.Write(k1, [op.write("v", 61)]),
                                          br.Write(k2, [op.write("v", 62)])]),
                         policy_batch={"txn": t})
assert res.result == 0 and [r.result for r in res.batch_records] == [0, 0]
inside = client.batch_read([k1, k2], policy={"txn": t}).batch_records
assert [r.record[2] for r in inside] == [{"v": 61}, {"v": 62}]
outside = client.batch_read([k1, k2]).batch_records
assert [r.record[2] for r in outside] == [{"v": 7}, {"v": 5}]
assert client.commit(t) == aerospike.COMMIT_OK
assert client.get(k1)[2] == {"v": 61} and client.get(k2)[2] == {"v": 62}

# Namespaces must not change within a transaction (client-side check).
t = aerospike.Transaction()
client.put(k1, {"v": 1}, policy={"txn": t})
assert code_of(client.put, ("bar", "otxn", 1), {"v": 1}, policy={"txn": t}) == -2
client.abort(t)
client.close()
print("ok")
