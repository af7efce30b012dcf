"""Wire-level behaviour with raw sockets: info, messages, pipelining, and bad
frames (which close only the connection that sent them).  Valid against the
dev server and a real Aerospike server alike."""

import os
import random
import socket
import struct
import threading
import time
import zlib

import pytest

from . import rawclient as rc

NS, SET = "test", "devserver_proto"
READ, GET_ALL, COMPRESS_RESPONSE = 1, 2, 0x80
WRITE, DELETE = 1, 2
OP_READ, OP_WRITE, OP_TOUCH = 1, 2, 11
P_INTEGER, P_STRING = 1, 3


def put_int(sock, digest, name, value, compress=False):
    body = rc.message(rc.key_fields(NS, SET, digest),
                      [rc.op(OP_WRITE, name, P_INTEGER, struct.pack(">q", value))], info2=WRITE)
    return rc.request(sock, body, compress)


def get_all(sock, digest):
    return rc.request(sock, rc.message(rc.key_fields(NS, SET, digest), info1=READ | GET_ALL))


def assert_still_serving(addr):
    with rc.connect(addr) as sock:
        assert rc.info(sock, "namespaces")["namespaces"]


@pytest.fixture
def sock(aerospike_server):
    s = rc.connect(aerospike_server)
    yield s
    s.close()


def test_info_tend_commands(sock):
    out = rc.info(sock, "node", "partition-generation", "partitions", "replicas", "build",
                  "peers-clear-std", "features", "namespaces")
    assert out["node"]
    assert out["partitions"] == "4096"
    assert int(out["partition-generation"]) >= 0
    namespaces = out["namespaces"].split(";")
    assert NS in namespaces
    replicas = dict(part.split(":", 1) for part in out["replicas"].split(";"))
    assert set(replicas) == set(namespaces)
    assert out["build"].split(".")[0].isdigit()
    assert "pscans" in out["features"].split(";")


def test_unknown_info_command_is_an_error_value(sock):
    assert rc.info(sock, "no-such-command")["no-such-command"].startswith("ERROR")
    assert rc.info(sock, "namespaces")["namespaces"]  # connection still usable


def test_write_read_delete_roundtrip(sock):
    digest = os.urandom(20)
    rcode, gen, _, _ = put_int(sock, digest, "n", 7)
    assert (rcode, gen) == (0, 1)
    rcode, gen, _, ops = get_all(sock, digest)
    assert rcode == 0 and gen == 1
    assert ops == [(OP_READ, P_INTEGER, "n", struct.pack(">q", 7))]
    rcode, _, _, _ = rc.request(sock, rc.message(rc.key_fields(NS, SET, digest), info2=WRITE | DELETE))
    assert rcode == 0
    assert get_all(sock, digest)[0] == 2  # KEY_NOT_FOUND


def test_ttl_expiry_and_touch(sock):
    digest = os.urandom(20)
    body = rc.message(rc.key_fields(NS, SET, digest),
                      [rc.op(OP_WRITE, "e", P_INTEGER, struct.pack(">q", 1))], info2=WRITE, ttl=1)
    rcode, gen, void_time, _ = rc.request(sock, body)
    assert (rcode, gen) == (0, 1) and void_time > 0
    touch = rc.message(rc.key_fields(NS, SET, digest), [rc.op(OP_TOUCH, "")], info2=WRITE, ttl=100)
    rcode, gen, touched_void_time, _ = rc.request(sock, touch)
    assert (rcode, gen) == (0, 2) and touched_void_time >= void_time + 98
    never = rc.message(rc.key_fields(NS, SET, digest), [rc.op(OP_TOUCH, "")], info2=WRITE,
                       ttl=0xFFFFFFFF)
    assert rc.request(sock, never)[:3] == (0, 3, 0)
    short = rc.message(rc.key_fields(NS, SET, digest), [rc.op(OP_TOUCH, "")], info2=WRITE, ttl=1)
    assert rc.request(sock, short)[0] == 0
    time.sleep(2.1)
    assert get_all(sock, digest)[0] == 2  # expired: KEY_NOT_FOUND
    assert rc.request(sock, short)[0] == 2  # touch needs a live record


ENTERPRISE_ONLY = 25


def test_compressed_request_is_enterprise_only(sock):
    # Community Edition cannot uncompress a request: ENTERPRISE_ONLY, nothing written, and
    # the connection keeps serving.
    digest = os.urandom(20)
    assert put_int(sock, digest, "c", 99, compress=True)[0] == ENTERPRISE_ONLY
    assert get_all(sock, digest)[0] == 2  # KEY_NOT_FOUND


def get_all_compressed_response(sock, digest, text):
    body = rc.message(rc.key_fields(NS, SET, digest), [rc.op(OP_WRITE, "big", P_STRING, text)],
                      info2=WRITE)
    assert rc.request(sock, body)[0] == 0
    sock.sendall(rc.frame(rc.MSG, rc.message(rc.key_fields(NS, SET, digest),
                                             info1=READ | GET_ALL | COMPRESS_RESPONSE)))
    return rc.recv_frame(sock)


def test_compressed_response_refused_by_community_edition(sock):
    # the flag is accepted and ignored: the reply is a plain message
    text = b"z" * 2000
    ptype, reply = get_all_compressed_response(sock, os.urandom(20), text)
    assert ptype == rc.MSG
    assert rc.parse_reply(reply)[3] == [(OP_READ, P_STRING, "big", text)]


@pytest.fixture
def enterprise_sock():
    from aerospike_cffi.testing import Server

    with Server(edition="enterprise") as server:
        with rc.connect(server) as s:
            yield s


@pytest.mark.devserver_only  # a dev server of its own, as Enterprise Edition
def test_enterprise_edition_compresses(enterprise_sock):
    digest = os.urandom(20)
    assert put_int(enterprise_sock, digest, "c", 99, compress=True)[0] == 0
    assert get_all(enterprise_sock, digest)[3][0][3] == struct.pack(">q", 99)
    text = b"z" * 2000
    ptype, reply = get_all_compressed_response(enterprise_sock, digest, text)
    assert ptype == rc.COMPRESSED
    inner = zlib.decompress(reply[8:])
    assert struct.unpack(">Q", reply[:8])[0] == len(inner)
    assert inner[1] == rc.MSG
    assert rc.parse_reply(inner[8:])[3] == [(OP_READ, P_INTEGER, "c", struct.pack(">q", 99)),
                                            (OP_READ, P_STRING, "big", text)]


def test_pipelined_requests_answered_in_order(sock):
    digest = os.urandom(20)
    bodies = [rc.message(rc.key_fields(NS, SET, digest),
                         [rc.op(OP_WRITE, "p", P_INTEGER, struct.pack(">q", i))], info2=WRITE)
              for i in range(5)]
    sock.sendall(b"".join(rc.frame(rc.MSG, b) for b in bodies))
    gens = [rc.parse_reply(rc.recv_frame(sock)[1])[1] for _ in bodies]
    assert gens == [1, 2, 3, 4, 5]


def test_unknown_op_code_is_a_parameter_error(sock):
    body = rc.message(rc.key_fields(NS, SET, os.urandom(20)), [rc.op(99, "x", P_INTEGER, b"\0" * 8)],
                      info2=WRITE)
    assert rc.request(sock, body)[0] == 4
    assert rc.info(sock, "namespaces")["namespaces"]


def test_unknown_namespace(sock):
    body = rc.message(rc.key_fields("no_such_ns", SET, os.urandom(20)), info1=READ | GET_ALL)
    assert rc.request(sock, body)[0] == 20


@pytest.mark.parametrize("payload", [
    pytest.param(rc.frame(rc.MSG, b"\x16" + b"\0" * 5, version=9), id="bad-version"),
    pytest.param(struct.pack(">Q", (2 << 56) | (77 << 48) | 4) + b"abcd", id="unknown-proto-type"),
    pytest.param(rc.frame(rc.MSG, b"\x16\x00\x00"), id="short-msg-header"),
    pytest.param(rc.frame(rc.MSG, rc.message([], [])[:20] + struct.pack(">HH", 3, 0)),
                 id="missing-fields"),
    pytest.param(rc.frame(rc.MSG, rc.message([rc.field(0, b"test")])[:-2] + b"\xff\xff"),
                 id="field-overruns-frame"),
    pytest.param(rc.frame(rc.COMPRESSED, struct.pack(">Q", 100) + b"not zlib at all"),
                 id="bad-zlib"),
])
def test_malformed_frame_closes_only_that_connection(aerospike_server, sock, payload):
    sock.sendall(payload)
    try:
        ptype, body = rc.recv_frame(sock)
    except (EOFError, ConnectionResetError):
        pass  # closed: fine
    else:  # or answered with an error
        assert ptype == rc.MSG and rc.parse_reply(body)[0] != 0
    assert_still_serving(aerospike_server)


def test_oversized_length_closes_connection(aerospike_server, sock):
    sock.sendall(struct.pack(">Q", (2 << 56) | (3 << 48) | (1 << 47)) + b"\0" * 64)
    assert rc.is_closed(sock)
    assert_still_serving(aerospike_server)


def test_truncated_frame_then_hangup(aerospike_server):
    digest = os.urandom(20)
    with rc.connect(aerospike_server) as good:
        put_int(good, digest, "t", 1)
    bad = rc.connect(aerospike_server)
    bad.sendall(rc.frame(rc.MSG, b"\0" * 100)[:40])
    bad.close()
    with rc.connect(aerospike_server) as good:
        rcode, gen, _, ops = get_all(good, digest)
        assert (rcode, gen, ops[0][3]) == (0, 1, struct.pack(">q", 1))  # nothing lost


def test_random_bytes(aerospike_server):
    rnd = random.Random(1234)
    for _ in range(20):
        with rc.connect(aerospike_server) as sock:
            try:
                sock.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 200))))
                sock.shutdown(socket.SHUT_WR)  # no more requests: the server answers or closes
                while sock.recv(4096):
                    pass
            except OSError:
                pass  # already closed by the server
    assert_still_serving(aerospike_server)


def test_many_concurrent_connections(aerospike_server):
    errors = []

    def worker(i):
        try:
            with rc.connect(aerospike_server) as sock:
                digest = os.urandom(20)
                for n in range(10):
                    assert put_int(sock, digest, "w", n)[0] == 0
                assert get_all(sock, digest)[1] == 10
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append((i, e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
