"""Multi-record transactions: aerospike.Transaction, client.commit / abort and the policies'
``txn`` key.

The type, its checks and empty transactions need no server feature (the C client ends an
empty transaction without asking the server). Transactions with records need a
strong-consistency namespace (feature_servers.sc_client): Enterprise Edition, or the dev
server once it offers one; elsewhere those tests skip with that reason.
"""

import itertools
import os
import sys
import time

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feature_servers import sc_client  # noqa: E402,F401 - fixture

_ids = itertools.count()


def _key(ns, tag):
    return (ns, "cffi-txn", "%s-%d-%d" % (tag, os.getpid(), next(_ids)))


# ------------------------------------------------------------ the type

def test_new_transaction_defaults():
    txn = aerospike.Transaction()
    assert txn.state == aerospike.TXN_STATE_OPEN
    assert txn.in_doubt is False
    assert txn.timeout == 0  # the server's mrt-duration
    assert isinstance(txn.id, int) and 0 < txn.id < 1 << 64


def test_transaction_ids_differ():
    ids = {aerospike.Transaction(16, 16).id for _ in range(50)}
    assert len(ids) == 50


def test_capacities_by_keyword_and_timeout_setter():
    txn = aerospike.Transaction(reads_capacity=0, writes_capacity=1000)
    txn.timeout = 5
    assert txn.timeout == 5


@pytest.mark.parametrize("value, exc, message", [
    ("a", TypeError, "a must be an integer"),
    (1.5, TypeError, "1.5 must be an integer"),
    (-1, OverflowError, "can't convert negative int to unsigned"),
    (1 << 32, ValueError, "4294967296 exceeds 4294967295"),
])
def test_bad_capacity_and_timeout(value, exc, message):
    with pytest.raises(exc, match="^%s$" % message.replace("(", r"\(").replace(".", r"\.")):
        aerospike.Transaction(value)
    with pytest.raises(exc):
        aerospike.Transaction(128, value)
    txn = aerospike.Transaction()
    with pytest.raises(exc):
        txn.timeout = value
    assert txn.timeout == 0


@pytest.mark.parametrize("name", ["id", "in_doubt", "state"])
def test_read_only_attributes(name):
    with pytest.raises(AttributeError):
        setattr(aerospike.Transaction(), name, 1)


def test_status_constants():
    assert (aerospike.COMMIT_OK, aerospike.COMMIT_ALREADY_COMMITTED,
            aerospike.COMMIT_ROLL_FORWARD_ABANDONED, aerospike.COMMIT_CLOSE_ABANDONED) == (0, 1, 5, 6)
    assert (aerospike.ABORT_OK, aerospike.ABORT_ALREADY_ABORTED,
            aerospike.ABORT_ROLL_BACK_ABANDONED, aerospike.ABORT_CLOSE_ABANDONED,
            aerospike.ABORT_COMMIT_FAILED) == (0, 1, 3, 4, 5)


# ------------------------------------------------------------ commit / abort, empty

def test_commit_and_abort_of_an_empty_transaction(client):
    txn = aerospike.Transaction()
    assert client.commit(txn) == aerospike.COMMIT_OK
    assert txn.state == aerospike.TXN_STATE_COMMITTED
    assert client.commit(transaction=txn) == aerospike.COMMIT_ALREADY_COMMITTED
    with pytest.raises(exception.TransactionAlreadyCommitted) as info:
        client.abort(txn)
    assert info.value.code == -18

    txn = aerospike.Transaction()
    assert client.abort(txn) == aerospike.ABORT_OK
    assert txn.state == aerospike.TXN_STATE_ABORTED
    assert client.abort(txn) == aerospike.ABORT_ALREADY_ABORTED
    with pytest.raises(exception.TransactionAlreadyAborted) as info:
        client.commit(txn)
    assert info.value.code == -19 and info.value.msg == "Transaction already aborted"


@pytest.mark.parametrize("bad", [None, 1, "txn", object()])
def test_commit_and_abort_need_a_transaction(client, bad):
    for method in ("commit", "abort"):
        with pytest.raises(TypeError, match="^%s\\(\\) argument 1 must be aerospike.Transaction"
                           % method):
            getattr(client, method)(bad)


@pytest.mark.parametrize("command", ["get", "put", "remove", "operate", "batch_read", "query",
                                     "scan", "exists", "touch"])
def test_txn_policy_key_must_be_a_transaction(client, key, command):
    policy = {"txn": "not a transaction"}
    calls = {
        "get": lambda: client.get(key, policy=policy),
        "put": lambda: client.put(key, {"a": 1}, policy=policy),
        "remove": lambda: client.remove(key, policy=policy),
        "operate": lambda: client.operate(key, [{"op": aerospike.OPERATOR_READ, "bin": "a"}],
                                          policy=policy),
        "batch_read": lambda: client.batch_read([key], policy=policy),
        "query": lambda: client.query(key[0], key[1]).results(policy=policy),
        "scan": lambda: client.scan(key[0], key[1]).results(policy=policy),
        "exists": lambda: client.exists(key, policy=policy),
        "touch": lambda: client.touch(key, policy=policy),
    }
    with pytest.raises(exception.ParamError) as info:
        calls[command]()
    assert info.value.msg == "txn is not of type aerospike.Transaction"
    with pytest.raises(exception.RecordNotFound):
        client.get(key)  # nothing written


def test_the_policy_keeps_its_transaction_alive(client, key):
    # The C policy holds the as_txn pointer: a transaction only the policy dict refers to
    # must stay alive for the whole command.
    policy = {"txn": aerospike.Transaction()}
    try:
        client.exists(key, policy=policy)
    except exception.AerospikeError as exc:
        assert exc.code == 25  # Community Edition: transactions are enterprise only
    del policy
    assert client.commit(aerospike.Transaction()) == aerospike.COMMIT_OK


def test_records_in_a_transaction_need_an_sc_namespace(aerospike_server, client, key):
    # Community Edition refuses any command of a transaction: "enterprise only" (25),
    # which the official raises as a plain AerospikeError; the transaction stays open.
    from feature_servers import sc_namespace

    if aerospike_server.is_dev_server:
        pytest.skip("the dev server does not refuse transactions on its namespaces yet")
    if sc_namespace(client) == key[0]:
        pytest.skip("namespace %s is strong-consistency" % key[0])
    txn = aerospike.Transaction()
    for call in (lambda: client.put(key, {"a": 1}, policy={"txn": txn}),
                 lambda: client.get(key, policy={"txn": txn})):
        with pytest.raises(exception.AerospikeError) as info:
            call()
        assert type(info.value) is exception.AerospikeError and info.value.code == 25
    assert txn.state == aerospike.TXN_STATE_OPEN
    assert client.commit(txn) == aerospike.COMMIT_OK


# ------------------------------------------------------------ with records (SC namespace)

def test_one_namespace_per_transaction(sc_client):
    client, ns = sc_client
    txn = aerospike.Transaction()
    key = _key(ns, "ns")
    try:
        client.put(key, {"a": 1}, policy={"txn": txn})
        other = "bar" if ns != "bar" else "test"
        with pytest.raises(exception.ParamError, match="Namespace must be the same"):
            client.put((other, "cffi-txn", "x"), {"a": 1}, policy={"txn": txn})
    finally:
        client.abort(txn)


def test_commit_makes_the_writes_durable(sc_client):
    client, ns = sc_client
    k1, k2 = _key(ns, "c1"), _key(ns, "c2")
    txn = aerospike.Transaction()
    client.put(k1, {"a": 1}, policy={"txn": txn})
    client.operate(k2, [{"op": aerospike.OPERATOR_WRITE, "bin": "b", "val": 2}],
                   policy={"txn": txn})
    assert client.get(k1, policy={"txn": txn})[2] == {"a": 1}
    assert client.commit(txn) == aerospike.COMMIT_OK
    assert txn.state == aerospike.TXN_STATE_COMMITTED and txn.in_doubt is False
    assert client.get(k1)[2] == {"a": 1}
    assert client.get(k2)[2] == {"b": 2}
    client.remove(k1)
    client.remove(k2)


def test_abort_rolls_the_writes_back(sc_client):
    client, ns = sc_client
    key, fresh = _key(ns, "a1"), _key(ns, "a2")
    client.put(key, {"a": 1})
    txn = aerospike.Transaction()
    client.put(key, {"a": 2}, policy={"txn": txn})
    client.put(fresh, {"a": 3}, policy={"txn": txn})
    assert client.abort(txn) == aerospike.ABORT_OK
    assert txn.state == aerospike.TXN_STATE_ABORTED
    assert client.get(key)[2] == {"a": 1}
    with pytest.raises(exception.RecordNotFound):
        client.get(fresh)
    client.remove(key)


def test_a_record_in_one_transaction_blocks_another(sc_client):
    client, ns = sc_client
    key = _key(ns, "conflict")
    first, second = aerospike.Transaction(), aerospike.Transaction()
    client.put(key, {"a": 1}, policy={"txn": first})
    try:
        with pytest.raises(exception.AerospikeError) as info:
            client.put(key, {"a": 2}, policy={"txn": second})
        assert info.value.code == 120  # AEROSPIKE_MRT_BLOCKED
    finally:
        client.abort(second)
        client.abort(first)


def test_a_transaction_past_its_deadline_cannot_commit(sc_client):
    client, ns = sc_client
    key = _key(ns, "deadline")
    txn = aerospike.Transaction()
    txn.timeout = 1
    client.put(key, {"a": 1}, policy={"txn": txn})
    time.sleep(3)  # past the deadline the server gave it
    with pytest.raises(exception.AerospikeError):
        client.commit(txn)
    assert txn.state != aerospike.TXN_STATE_COMMITTED
    try:
        client.abort(txn)  # the server may have rolled it back already
    except exception.AerospikeError:
        pass
    with pytest.raises(exception.RecordNotFound):
        client.get(key)
