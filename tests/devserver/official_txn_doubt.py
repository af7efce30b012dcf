"""Run under the official client against test_txn.py's dev server, which hangs up
after every commit mark until told otherwise: the commit's outcome is in doubt.
Prints "in doubt", waits for a line on stdin, then commits again; prints "ok"."""

import argparse
import sys

import aerospike
from aerospike import exception as ex

parser = argparse.ArgumentParser()
parser.add_argument("--host")
parser.add_argument("--port", type=int)
args = parser.parse_args()
client = aerospike.client({"hosts": [(args.host, args.port)]}).connect()
key = ("test", "otxn_doubt", 1)
client.put(key, {"v": 0})
t = aerospike.Transaction()
client.put(key, {"v": 1}, policy={"txn": t})
try:
    client.commit(t)
    raise AssertionError("commit succeeded")
except ex.AerospikeError as e:
    assert e.in_doubt is True, e
assert t.in_doubt is True and t.state == aerospike.TXN_STATE_COMMIT_FAILED, (t.in_doubt, t.state)
# The test stops the hang-ups, then lets us go on.
print("in doubt", flush=True)
sys.stdin.readline()
# Abort is not allowed any more; committing again finds the mark and finishes.
try:
    client.abort(t)
    raise AssertionError("abort succeeded")
except ex.TransactionFailed:
    pass
assert client.get(key)[2] == {"v": 0}  # still locked: rolled forward by nobody yet
status = client.commit(t)
assert status == aerospike.COMMIT_OK, status
assert t.state == aerospike.TXN_STATE_COMMITTED and t.in_doubt is False
assert client.get(key)[2] == {"v": 1}
client.close()
print("ok")
