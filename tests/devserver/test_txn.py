"""Multi-record transactions on the dev server's strong-consistency namespaces,
with raw sockets (the protocol the C client speaks: the monitor record, the
transaction fields, verify and roll commands), our client and the official one.
Community Edition runs no transactions, so these use an embedded dev server of
their own whatever AEROSPIKE_TEST_SERVER says."""

import os
import struct

import pytest

from aerospike_cffi.testing import Server, txn
from aerospike_cffi.testing.store import compute_digest

from . import rawclient as rc
from .official import run_official

HERE = os.path.dirname(__file__)
NS, SET = "test", "devserver_txn"
READ, GET_ALL, NOBINDATA = 1, 2, 0x20
WRITE, DELETE, DURABLE_DELETE = 1, 2, 0x10
OP_READ, OP_WRITE, OP_CDT_MODIFY = 1, 2, 4
P_INTEGER, P_BOOL, P_BLOB = 1, 17, 4
F_VERSION, F_TXN_ID, F_DEADLINE = 3, 5, 6
VERIFY, ROLL_FORWARD, ROLL_BACK, ON_LOCKING_ONLY = 1, 2, 4, 16


def message(fields, ops=(), info1=0, info2=0, info3=0, info4=0, ttl=0):
    header = struct.pack(">BBBBBBIIIHH", 22, info1, info2, info3, info4, 0, 0, ttl, 1000,
                         len(fields), len(ops))
    return header + b"".join(fields) + b"".join(ops)


def reply(sock, body):
    """(result code, {field type: bytes}, {bin: raw value}) of a single reply."""
    sock.sendall(rc.frame(rc.MSG, body))
    _, data = rc.recv_frame(sock)
    result, n_fields, n_ops = data[5], *struct.unpack_from(">HH", data, 18)
    pos = 22
    fields = {}
    for _ in range(n_fields):
        size = struct.unpack_from(">I", data, pos)[0]
        fields[data[pos + 4]] = data[pos + 5:pos + 4 + size]
        pos += 4 + size
    bins = {}
    for _ in range(n_ops):
        size, _, _, _, name_len = struct.unpack_from(">IBBBB", data, pos)
        bins[data[pos + 8:pos + 8 + name_len].decode()] = data[pos + 8 + name_len:pos + 4 + size]
        pos += 4 + size
    return result, fields, bins


def key_fields(key, set_name=SET):
    return rc.key_fields(NS, set_name, compute_digest(set_name, key))


def txn_fields(txn_id, deadline=None, version=None):
    fields = [rc.field(F_TXN_ID, struct.pack("<Q", txn_id))]
    if version is not None:
        fields.append(rc.field(F_VERSION, struct.pack("<Q", version)[:7]))
    if deadline is not None:
        fields.append(rc.field(F_DEADLINE, struct.pack("<I", deadline)))
    return fields


def int_op(name, value):
    return rc.op(OP_WRITE, name, P_INTEGER, struct.pack(">q", value))


def put(sock, key, value, txn_id=None, deadline=None, info4=0, version=None):
    fields = key_fields(key)
    if txn_id is not None:
        fields += txn_fields(txn_id, deadline, version)
    return reply(sock, message(fields, [int_op("v", value)], info2=WRITE, info4=info4))[0]


def get(sock, key, txn_id=None):
    """(result, version or None, value of bin v or None)."""
    fields = key_fields(key) + (txn_fields(txn_id) if txn_id is not None else [])
    result, rfields, bins = reply(sock, message(fields, info1=READ | GET_ALL))
    version = rfields.get(F_VERSION)
    value = struct.unpack(">q", bins["v"])[0] if "v" in bins else None
    return result, (struct.unpack("<Q", version + b"\0")[0] if version else None), value


def add_to_monitor(sock, txn_id, key, ttl=0):
    """The monitor write the C client makes before a transaction's first write of a
    key: answers (result, deadline)."""
    digest_list = bytes((0x92, 0x01, 0xC4, 20)) + compute_digest(SET, key)  # [append, digest]
    ops = [int_op("id", txn_id - (1 << 64) if txn_id >= 1 << 63 else txn_id),
           rc.op(OP_CDT_MODIFY, "keyds", 20, digest_list)]
    fields = rc.key_fields(NS, txn.MONITOR_SET, compute_digest(txn.MONITOR_SET, txn_id))
    result, rfields, _ = reply(sock, message(fields, ops, info2=WRITE, ttl=ttl))
    deadline = rfields.get(F_DEADLINE)
    return result, (struct.unpack("<I", deadline)[0] if deadline else None)


def mark_roll_forward(sock, txn_id):
    fields = rc.key_fields(NS, txn.MONITOR_SET, compute_digest(txn.MONITOR_SET, txn_id))
    return reply(sock, message(fields, [rc.op(OP_WRITE, "fwd", P_BOOL, b"\x01")], info2=WRITE))[0]


def close_monitor(sock, txn_id):
    fields = rc.key_fields(NS, txn.MONITOR_SET, compute_digest(txn.MONITOR_SET, txn_id))
    return reply(sock, message(fields, info2=WRITE | DELETE | DURABLE_DELETE))[0]


def roll(sock, key, txn_id, how, deadline=None):
    fields = key_fields(key) + txn_fields(txn_id, deadline)
    return reply(sock, message(fields, info2=WRITE | DURABLE_DELETE, info4=how))[0]


def verify(sock, key, version):
    fields = key_fields(key) + [rc.field(F_VERSION, struct.pack("<Q", version)[:7])]
    return reply(sock, message(fields, info1=READ | NOBINDATA, info3=0x40, info4=VERIFY))[0]


@pytest.fixture(scope="module")
def server():
    srv = Server(namespaces={"test": {"strong_consistency": True}, "bar": {}}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def sock(server):
    with rc.connect(server) as s:
        yield s


_ids = iter(range(0x1000, 1 << 30))


@pytest.fixture
def txn_id():
    return next(_ids) << 20


def begin(sock, txn_id, key, ttl=0):
    result, deadline = add_to_monitor(sock, txn_id, key, ttl)
    assert result == 0 and deadline
    return deadline


# ---------------------------------------------------------------- provisional writes

def test_namespace_reports_strong_consistency(sock):
    assert "strong-consistency=true" in rc.info(sock, "namespace/test")["namespace/test"]
    assert "strong-consistency=false" in rc.info(sock, "namespace/bar")["namespace/bar"]


def test_monitor_answers_its_deadline(server, sock, txn_id):
    deadline = begin(sock, txn_id, 1, ttl=30)
    clock = txn.transactions(server.store.namespace(NS)).now()
    assert clock + 28 <= deadline <= clock + 30
    # Later additions keep the deadline of the first.
    assert add_to_monitor(sock, txn_id, 2, ttl=5) == (0, deadline)
    assert add_to_monitor(sock, next(_ids), 3, ttl=121)[0] == 4  # beyond mrt-duration's max


def test_provisional_write_is_seen_by_its_transaction_only(sock, txn_id):
    assert put(sock, 10, 1) == 0
    deadline = begin(sock, txn_id, 10)
    assert put(sock, 10, 2, txn_id, deadline) == 0
    assert get(sock, 10, txn_id)[::2] == (0, 2)
    assert get(sock, 10)[::2] == (0, 1)
    # Blocked for writes from outside and for another transaction's reads and writes.
    assert put(sock, 10, 3) == txn.MRT_BLOCKED
    other = next(_ids)
    assert get(sock, 10, other)[0] == txn.MRT_BLOCKED
    assert put(sock, 10, 3, other, deadline) == txn.MRT_BLOCKED
    assert put(sock, 10, 4, txn_id, deadline, info4=ON_LOCKING_ONLY) == txn.MRT_ALREADY_LOCKED
    assert put(sock, 10, 4, txn_id, deadline) == 0
    # Commit: mark, roll forward, close.
    assert mark_roll_forward(sock, txn_id) == 0
    assert mark_roll_forward(sock, txn_id) == txn.MRT_COMMITTED
    assert roll(sock, 10, txn_id, ROLL_FORWARD, deadline) == 0
    assert close_monitor(sock, txn_id) == 0
    assert get(sock, 10)[::2] == (0, 4)
    assert put(sock, 10, 5) == 0


def test_roll_back_restores_the_record(sock, txn_id):
    assert put(sock, 20, 1) == 0
    deadline = begin(sock, txn_id, 20)
    assert put(sock, 20, 2, txn_id, deadline) == 0
    fields = key_fields(20) + txn_fields(txn_id, deadline)
    assert reply(sock, message(fields, info2=WRITE | DELETE | DURABLE_DELETE))[0] == 0
    assert get(sock, 20, txn_id)[0] == 2  # deleted in the transaction
    assert get(sock, 20)[::2] == (0, 1)
    assert roll(sock, 20, txn_id, ROLL_BACK, deadline) == 0
    assert close_monitor(sock, txn_id) == 0
    assert get(sock, 20)[::2] == (0, 1)
    assert put(sock, 20, 3) == 0


def test_committed_delete_and_create(sock, txn_id):
    assert put(sock, 30, 1) == 0
    deadline = begin(sock, txn_id, 30)
    fields = key_fields(30) + txn_fields(txn_id, deadline)
    assert reply(sock, message(fields, info2=WRITE | DELETE | DURABLE_DELETE))[0] == 0
    assert put(sock, 31, 7, txn_id, deadline) == 0
    assert get(sock, 31)[0] == 2
    assert mark_roll_forward(sock, txn_id) == 0
    for key in (30, 31):
        assert roll(sock, key, txn_id, ROLL_FORWARD, deadline) == 0
    assert close_monitor(sock, txn_id) == 0
    assert get(sock, 30)[0] == 2
    assert get(sock, 31)[::2] == (0, 7)


# ---------------------------------------------------------------- versions

def test_reads_answer_the_version_verified_at_commit(sock, txn_id):
    assert put(sock, 40, 1) == 0
    result, version, value = get(sock, 40, txn_id)
    assert (result, value) == (0, 1) and version
    assert get(sock, 40)[1] is None  # outside a transaction: no version
    assert verify(sock, 40, version) == 0
    assert put(sock, 40, 2) == 0
    assert verify(sock, 40, version) == txn.MRT_VERSION_MISMATCH
    new_version = get(sock, 40, txn_id)[1]
    assert new_version >> 40 == (version >> 40) + 1  # one generation on
    # A write carrying the version it read is refused once the record changed.
    deadline = begin(sock, txn_id, 40)
    assert put(sock, 40, 3, txn_id, deadline, version=version) == txn.MRT_VERSION_MISMATCH
    assert put(sock, 40, 3, txn_id, deadline, version=new_version) == 0
    # A locked record fails verification of other transactions.
    assert verify(sock, 40, new_version) == txn.MRT_BLOCKED
    assert roll(sock, 40, txn_id, ROLL_BACK) == 0
    assert close_monitor(sock, txn_id) == 0
    assert verify(sock, 40, new_version) == 0


def test_record_version_is_generation_over_last_update_time(server, sock):
    assert put(sock, 41, 1) == 0
    ns = server.store.namespace(NS)
    rec = ns.get(compute_digest(SET, 41))
    assert get(sock, 41, next(_ids))[1] == txn.record_version(rec)
    assert txn.record_version(rec) >> 40 == rec.gen


# ---------------------------------------------------------------- deadlines

def test_deadline_passed_rolls_back(server, sock, txn_id):
    assert put(sock, 50, 1) == 0
    deadline = begin(sock, txn_id, 50, ttl=2)
    assert put(sock, 50, 2, txn_id, deadline) == 0
    txn.transactions(server.store.namespace(NS)).advance(10)
    try:
        assert put(sock, 51, 2, txn_id, deadline) == txn.MRT_EXPIRED
        assert add_to_monitor(sock, txn_id, 51)[0] == txn.MRT_EXPIRED
        assert get(sock, 50)[::2] == (0, 1)
        assert put(sock, 50, 3) == 0  # the lock is gone
        assert mark_roll_forward(sock, txn_id) == txn.MRT_ABORTED
        assert roll(sock, 50, txn_id, ROLL_BACK) == 0
        assert close_monitor(sock, txn_id) == 0
    finally:
        txn.transactions(server.store.namespace(NS)).advance(-10)


def test_marked_transaction_survives_its_deadline(server, sock, txn_id):
    deadline = begin(sock, txn_id, 60, ttl=2)
    assert put(sock, 60, 6, txn_id, deadline) == 0
    assert mark_roll_forward(sock, txn_id) == 0
    txn.transactions(server.store.namespace(NS)).advance(10)
    try:
        assert roll(sock, 60, txn_id, ROLL_FORWARD) == 0
        assert close_monitor(sock, txn_id) == 0
        assert get(sock, 60)[::2] == (0, 6)
    finally:
        txn.transactions(server.store.namespace(NS)).advance(-10)


# ---------------------------------------------------------------- other namespaces

def test_namespace_without_strong_consistency(aerospike_server):
    """Other namespaces answer as Community Edition does (also run against the
    session's server, real or not): a command in a transaction and a durable delete
    are enterprise-only."""
    with rc.connect(aerospike_server) as sock:
        fields = rc.key_fields("bar", SET, compute_digest(SET, 70))
        assert reply(sock, message(fields, [int_op("v", 1)], info2=WRITE))[0] == 0
        in_txn = fields + txn_fields(99, 1)
        assert reply(sock, message(in_txn, [int_op("v", 2)], info2=WRITE))[0] == 25
        assert reply(sock, message(in_txn, info1=READ | GET_ALL))[0] == 25
        assert reply(sock, message(fields, info2=WRITE | DELETE | DURABLE_DELETE))[0] == 25
        assert reply(sock, message(fields, info2=WRITE | DELETE))[0] == 0


# ---------------------------------------------------------------- clients

def test_official_client(server):
    proc = run_official([os.path.join(HERE, "official_txn.py"), "--host", server.host,
                         "--port", server.port], timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stdout + proc.stderr


def test_our_client(server):
    import aerospike_cffi as aerospike

    if not hasattr(aerospike, "Transaction"):
        pytest.skip("aerospike_cffi has no Transaction yet")
    client = aerospike.client({"hosts": [(server.host, server.port)]}).connect()
    try:
        k1, k2 = (NS, "ours", 1), (NS, "ours", 2)
        client.put(k1, {"v": 0})
        client.put(k2, {"v": 0})
        t = aerospike.Transaction()
        client.put(k1, {"v": 1}, policy={"txn": t})
        assert client.get(k1, policy={"txn": t})[2] == {"v": 1}
        assert client.get(k1)[2] == {"v": 0}
        client.commit(t)
        assert client.get(k1)[2] == {"v": 1}
        t = aerospike.Transaction()
        client.put(k2, {"v": 9}, policy={"txn": t})
        client.abort(t)
        assert client.get(k2)[2] == {"v": 0}
    finally:
        client.close()


def test_namespace_scan_skips_monitor_records(server, sock, txn_id):
    begin(sock, txn_id, 80)
    assert server.store.namespace(NS).get(compute_digest(txn.MONITOR_SET, txn_id)) is not None

    def scan(set_name):
        fields = [rc.field(0, NS.encode())] + ([rc.field(1, set_name.encode())] if set_name else [])
        sock.sendall(rc.frame(rc.MSG, message(fields, info1=READ, info3=4)))
        sets = []
        while True:
            _, body = rc.recv_frame(sock)
            pos = 0
            while pos < len(body):
                info3, n_fields, n_ops = body[pos + 3], *struct.unpack_from(">HH", body, pos + 18)
                if info3 & 1:
                    return sets
                pos += 22
                name = ""
                for _ in range(n_fields):
                    size = struct.unpack_from(">I", body, pos)[0]
                    if body[pos + 4] == 1:
                        name = body[pos + 5:pos + 4 + size].decode()
                    pos += 4 + size
                for _ in range(n_ops):
                    pos += 4 + struct.unpack_from(">I", body, pos)[0]
                sets.append(name)

    assert txn.MONITOR_SET not in scan(None)
    assert scan(txn.MONITOR_SET).count(txn.MONITOR_SET) >= 1
    assert roll(sock, 80, txn_id, ROLL_BACK) == 0
    assert close_monitor(sock, txn_id) == 0


def test_hang_up_after_a_step(server, txn_id):
    """Fault injection: the step is carried out, the connection closed unanswered."""
    table = txn.transactions(server.store.namespace(NS))
    with rc.connect(server) as sock:
        deadline = begin(sock, txn_id, 90)
        assert put(sock, 90, 9, txn_id, deadline) == 0
        table.hang_up_after("mark")
        with pytest.raises((EOFError, ConnectionError)):
            mark_roll_forward(sock, txn_id)
    with rc.connect(server) as sock:
        assert mark_roll_forward(sock, txn_id) == txn.MRT_COMMITTED
        assert roll(sock, 90, txn_id, ROLL_FORWARD) == 0
        assert close_monitor(sock, txn_id) == 0
        assert get(sock, 90)[::2] == (0, 9)
    with pytest.raises(ValueError):
        table.hang_up_after("nothing")


def test_server_rolls_a_marked_transaction_forward_at_its_deadline(server, sock, txn_id):
    deadline = begin(sock, txn_id, 91, ttl=2)
    assert put(sock, 91, 1, txn_id, deadline) == 0
    assert mark_roll_forward(sock, txn_id) == 0
    assert get(sock, 91)[0] == 2  # not rolled forward yet
    txn.transactions(server.store.namespace(NS)).advance(10)
    try:
        assert get(sock, 91)[::2] == (0, 1)
        assert mark_roll_forward(sock, txn_id) == txn.MRT_COMMITTED
        assert close_monitor(sock, txn_id) == 0
    finally:
        txn.transactions(server.store.namespace(NS)).advance(-10)


def test_official_client_in_doubt_commit(server):
    """The commit mark is carried out but never answered: the official client reports
    the commit in doubt and refuses to abort; committing again (the server answering
    "already marked") finishes it."""
    import subprocess

    from .official import OFFICIAL_PYTHON

    if not os.path.exists(OFFICIAL_PYTHON):
        pytest.skip("official client interpreter %s not found (set OFFICIAL_PYTHON)"
                    % OFFICIAL_PYTHON)
    table = txn.transactions(server.store.namespace(NS))
    table.hang_up_after("mark", times=1000)  # more than the client's retries
    proc = subprocess.Popen([OFFICIAL_PYTHON, os.path.join(HERE, "official_txn_doubt.py"),
                             "--host", server.host, "--port", str(server.port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        table.faults.clear()
        out, err = proc.communicate("go\n", timeout=300)
    finally:
        table.faults.clear()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert first == "in doubt\n" and proc.returncode == 0 and out.strip() == "ok", \
        first + out + err
    assert compute_digest("otxn_doubt", 1) not in table.locks
