"""Dev server robustness: records over the namespace's record-size limit are refused as a
real 8.1.2 server refuses them (answers recorded in tests/data/record_too_big.json), and
the server keeps serving everybody else while 200 clients hammer it, while clients hang up
in the middle of a frame, and while clients send malformed frames.  Valid against the dev
server and a real Aerospike server alike."""

import json
import os
import socket
import struct
import threading
import zlib

import pytest

import aerospike_cffi as aerospike
from aerospike_helpers.operations import operations

from . import rawclient as rc

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "data", "record_too_big.json")) as _f:
    TOO_BIG = json.load(_f)

NS, SET = "test", "devserver_robust"
READ, GET_ALL = 1, 2
WRITE, DELETE = 1, 2
OP_READ, OP_WRITE, OP_INCR = 1, 2, 5
P_INTEGER, P_BLOB = 1, 4
P_MAP, P_LIST = 19, 20
KEY_BUSY = 14
BIG_KEY = ("test", "rtbig", "k1")  # the set name's length counts: keep it 5 characters


def _remove(client, key):
    try:
        client.remove(key)
    except aerospike.exception.RecordNotFound:
        pass


def _bins(spec, size):
    def value(v):
        if v == "blob":
            return b"x" * size
        if v == "str":
            return "x" * size
        if isinstance(v, list):
            return [value(x) for x in v]
        return v
    return {name: value(v) for name, v in spec.items()}


def _key(case):
    return ("test", "rtbig", case["key"]) if "key" in case else BIG_KEY


def _put(client, case, size):
    policy = {"key": aerospike.POLICY_KEY_SEND} if case.get("key_send") else None
    client.put(_key(case), _bins(case["bins"], size), case.get("meta"), policy)


def _case_id(case):
    return "-".join("%s=%r" % kv for kv in sorted(case["bins"].items())) + (
        "-ttl" if case.get("meta") else "") + ("-keysend" if case.get("key_send") else "") + (
        "-key=%r" % case["key"] if "key" in case else "")


# ------------------------------------------------------------ record too big

@pytest.mark.parametrize("case", TOO_BIG["limits"], ids=_case_id)
def test_largest_record_that_fits(client, case):
    key = _key(case)
    _remove(client, key)
    try:
        _put(client, case, case["fits"])
        assert client.get(key)[1]["gen"] == 1
        _remove(client, key)
        with pytest.raises(aerospike.exception.RecordTooBig) as info:
            _put(client, case, case["fits"] + 1)
        assert info.value.code == 13
        with pytest.raises(aerospike.exception.RecordNotFound):
            client.get(key)
    finally:
        _remove(client, key)


@pytest.mark.parametrize("case", TOO_BIG["grow"], ids=lambda c: c["call"])
def test_write_that_grows_a_record_too_big_changes_nothing(client, case):
    _remove(client, BIG_KEY)
    try:
        if case["before"]:
            client.put(BIG_KEY, {n: b"a" * size for n, size in case["before"].items()})
        value = b"y" * case["size"]
        with pytest.raises(aerospike.exception.RecordTooBig) as info:
            if case["call"] == "operate_write":
                client.operate(BIG_KEY, [operations.write(case["bin"], value),
                                         operations.read(case["bin"])])
            elif case["call"] == "append":
                client.append(BIG_KEY, case["bin"], value)
            else:
                client.put(BIG_KEY, {case["bin"]: value})
        assert info.value.code == case["error"]
        if case["gen_after"] is None:
            with pytest.raises(aerospike.exception.RecordNotFound):
                client.get(BIG_KEY)
        else:
            _, meta, bins = client.get(BIG_KEY)
            assert meta["gen"] == case["gen_after"]
            assert sorted(bins) == case["bins_after"]
            assert all(bins[n] == b"a" * size for n, size in case["before"].items())
    finally:
        _remove(client, BIG_KEY)


# ------------------------------------------------------------ raw socket helpers

def put_int(sock, digest, name, value):
    body = rc.message(rc.key_fields(NS, SET, digest),
                      [rc.op(OP_WRITE, name, P_INTEGER, struct.pack(">q", value))], info2=WRITE)
    return rc.request(sock, body)


def incr(sock, digest, name, by):
    body = rc.message(rc.key_fields(NS, SET, digest),
                      [rc.op(OP_INCR, name, P_INTEGER, struct.pack(">q", by))], info2=WRITE)
    return rc.request(sock, body)


def get_all(sock, digest):
    return rc.request(sock, rc.message(rc.key_fields(NS, SET, digest), info1=READ | GET_ALL))


def delete(sock, digest):
    return rc.request(sock, rc.message(rc.key_fields(NS, SET, digest), info2=WRITE | DELETE))


def assert_still_serving(addr):
    digest = os.urandom(20)
    with rc.connect(addr) as sock:
        assert rc.info(sock, "namespaces")["namespaces"]
        assert put_int(sock, digest, "ok", 7)[0] == 0
        rcode, gen, _, ops = get_all(sock, digest)
        assert (rcode, gen, ops[0][3]) == (0, 1, struct.pack(">q", 7))
        assert delete(sock, digest)[0] == 0


# ------------------------------------------------------------ many clients

def test_200_concurrent_connections_with_mixed_load(aerospike_server):
    n_clients, rounds = 200, 5
    shared = os.urandom(20)  # every client increments this one counter
    errors = []
    opened = threading.Barrier(n_clients, timeout=60)

    def worker(i):
        try:
            with rc.connect(aerospike_server, timeout=60) as sock:
                opened.wait()  # all 200 connections are open at once
                own = os.urandom(20)
                for n in range(rounds):
                    assert put_int(sock, own, "v", i * 1000 + n)[0] == 0
                    # A real server answers KEY_BUSY (14) when too many writes wait on one
                    # record (transaction-pending-limit); nothing is applied, a client retries.
                    while True:
                        rcode = incr(sock, shared, "count", 1)[0]
                        if rcode != KEY_BUSY:
                            break
                    assert rcode == 0
                    rcode, gen, _, ops = get_all(sock, own)
                    assert (rcode, gen) == (0, n + 1)
                    assert ops[0][3] == struct.pack(">q", i * 1000 + n)
                    if n % 2:
                        assert rc.info(sock, "namespaces")["namespaces"]
                assert delete(sock, own)[0] == 0
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with rc.connect(aerospike_server) as sock:
        rcode, gen, _, ops = get_all(sock, shared)
        assert rcode == 0
        assert ops[0][3] == struct.pack(">q", n_clients * rounds)  # no lost increment
        assert gen == n_clients * rounds
        delete(sock, shared)
    assert_still_serving(aerospike_server)


# ------------------------------------------------------------ hang-ups

def _write_frame(value):
    body = rc.message(rc.key_fields(NS, SET, b"\x01" * 20),
                      [rc.op(OP_WRITE, "w", P_INTEGER, struct.pack(">q", value))], info2=WRITE)
    return rc.frame(rc.MSG, body)


@pytest.mark.parametrize("cut", [1, 7, 8, 9, 30, -1], ids=lambda c: "cut-%d" % c)
def test_client_hangs_up_in_the_middle_of_a_frame(aerospike_server, cut):
    digest = os.urandom(20)
    with rc.connect(aerospike_server) as good:
        assert put_int(good, digest, "t", 1)[0] == 0
        bad = rc.connect(aerospike_server)
        bad.sendall(_write_frame(99)[:cut])  # a write that never arrives whole
        bad.close()
        # The connection that stayed is not disturbed, and nothing half-sent was applied.
        rcode, gen, _, ops = get_all(good, digest)
        assert (rcode, gen, ops[0][3]) == (0, 1, struct.pack(">q", 1))
        delete(good, digest)
    assert_still_serving(aerospike_server)


def test_client_hangs_up_before_reading_a_large_reply(aerospike_server):
    digest = os.urandom(20)
    blob = os.urandom(512 * 1024)
    with rc.connect(aerospike_server) as good:
        body = rc.message(rc.key_fields(NS, SET, digest),
                          [rc.op(OP_WRITE, "big", P_BLOB, blob)], info2=WRITE)
        assert rc.request(good, body)[0] == 0
        for _ in range(5):
            bad = rc.connect(aerospike_server)
            bad.sendall(rc.frame(rc.MSG, rc.message(rc.key_fields(NS, SET, digest),
                                                    info1=READ | GET_ALL)))
            bad.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            bad.close()  # reset: the server's reply goes nowhere
        rcode, _, _, ops = get_all(good, digest)
        assert rcode == 0 and ops[0][3] == blob
        delete(good, digest)
    assert_still_serving(aerospike_server)


def test_client_hangs_up_in_the_middle_of_an_info_request(aerospike_server):
    bad = rc.connect(aerospike_server)
    bad.sendall(rc.frame(rc.INFO, b"namespaces\nbuild\n")[:12])
    bad.close()
    assert_still_serving(aerospike_server)


# ------------------------------------------------------------ malformed frames

def _msg(header_sz=22, fields=(), ops=(), n_fields=None, n_ops=None, info2=WRITE):
    fields, ops = list(fields), list(ops)
    header = struct.pack(">BBBBBBIIIHH", header_sz, 0, info2, 0, 0, 0, 0, 0, 1000,
                         len(fields) if n_fields is None else n_fields,
                         len(ops) if n_ops is None else n_ops)
    return header + b"".join(fields) + b"".join(ops)


_KEY = rc.key_fields(NS, SET, b"\x02" * 20)
_GOOD_OP = rc.op(OP_WRITE, "m", P_INTEGER, struct.pack(">q", 1))

MALFORMED = [
    pytest.param(rc.frame(rc.MSG, b""), id="empty-msg"),
    pytest.param(rc.frame(rc.MSG, _msg(n_ops=3, ops=[_GOOD_OP], fields=_KEY)), id="ops-missing"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[_GOOD_OP])[:-3]), id="op-cut-short"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[struct.pack(">IBBBB", 0, 2, 1, 0, 0)])),
                 id="op-size-zero"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[
        struct.pack(">IBBBB", 4 + 200, OP_WRITE, P_INTEGER, 0, 200) + b"n" * 8])),
        id="op-name-overruns"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=[struct.pack(">IB", 0, 0)] + _KEY[1:],
                                       ops=[_GOOD_OP])), id="field-size-zero"),
    pytest.param(rc.frame(rc.MSG, _msg(n_fields=65535, fields=_KEY)), id="too-many-fields"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=[rc.field(0, NS.encode()), rc.field(4, b"short")],
                                       ops=[_GOOD_OP])), id="digest-too-short"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[
        rc.op(OP_WRITE, "m", P_INTEGER, b"\x01\x02\x03")])), id="int-of-3-bytes"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[rc.op(200, "m", P_INTEGER,
                                                               struct.pack(">q", 1))])),
                 id="unknown-op"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY + [rc.field(41, b"\xff" * 7)],
                                       ops=[_GOOD_OP], info2=0)), id="junk-batch-field"),
    pytest.param(rc.frame(rc.INFO, b"\xff\xfe\x00junk\n\tnamespaces\n"), id="info-junk-bytes"),
    pytest.param(rc.frame(rc.INFO, b"x" * 100000 + b"\n"), id="info-huge-name"),
    pytest.param(rc.frame(2, b"\x00" * 7), id="admin-short"),
    # The 8-byte proto header itself.
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[_GOOD_OP]), version=9),
                 id="unknown-proto-version"),
    pytest.param(rc.frame(99, b"junk" * 4), id="unknown-proto-type"),
    pytest.param(struct.pack(">Q", (2 << 56) | (rc.MSG << 48) | ((1 << 40) - 1)) + b"\x16" * 30,
                 id="declared-size-of-a-terabyte"),
    # The message header.
    pytest.param(rc.frame(rc.MSG, _msg(header_sz=0, fields=_KEY, ops=[_GOOD_OP])),
                 id="header-size-zero"),
    pytest.param(rc.frame(rc.MSG, _msg(header_sz=255, fields=_KEY, ops=[_GOOD_OP])),
                 id="header-size-255"),
    pytest.param(rc.frame(rc.MSG, _msg()[:10]), id="header-cut-short"),
    # Compressed frames.
    pytest.param(rc.frame(rc.COMPRESSED, struct.pack(">Q", 100) + b"not zlib at all"),
                 id="compressed-not-zlib"),
    pytest.param(rc.frame(rc.COMPRESSED, struct.pack(">Q", 1 << 40) + zlib.compress(b"x" * 64)),
                 id="compressed-size-lies"),
    pytest.param(rc.frame(rc.COMPRESSED, b"\x00" * 3), id="compressed-too-short"),
    # Particles and fields with junk content.
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[rc.op(OP_WRITE, "l", P_LIST,
                                                               b"\xc1\xdd\xff\xff")])),
                 id="list-particle-junk-msgpack"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY, ops=[rc.op(OP_WRITE, "m", P_MAP,
                                                               b"\x8f\x01")])),
                 id="map-particle-cut-short"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY + [rc.field(30, b"nomod"),
                                                      rc.field(31, b"nofn"),
                                                      rc.field(32, b"\x9f\xc1"),
                                                      rc.field(33, b"\x01")])),
                 id="udf-junk-arglist"),
    pytest.param(rc.frame(rc.MSG, _msg(fields=_KEY + [rc.field(43, b"\x93\xc1")],
                                       ops=[_GOOD_OP])), id="junk-filter-expression"),
]


@pytest.mark.parametrize("payload", MALFORMED)
def test_malformed_frame_does_not_disturb_other_clients(aerospike_server, payload):
    digest = os.urandom(20)
    with rc.connect(aerospike_server) as good:
        assert put_int(good, digest, "g", 5)[0] == 0
        bad = rc.connect(aerospike_server, timeout=10)
        try:
            bad.sendall(payload)
            bad.shutdown(socket.SHUT_WR)
            while bad.recv(65536):  # whatever the answer (an error or a close), drain it
                pass
        except OSError:
            pass  # reset by the server: fine
        finally:
            bad.close()
        rcode, gen, _, ops = get_all(good, digest)
        assert (rcode, gen, ops[0][3]) == (0, 1, struct.pack(">q", 5))
        delete(good, digest)
    assert_still_serving(aerospike_server)
