"""Sync commands' socket timeouts, through a proxy that holds back part of the traffic.

libs/patches/10-sync-socket-io.patch makes the C client send before waiting for the socket
and read a message body before waiting for it.  These tests hold a request, an answer's
header, an answer's body or a large request's tail until the client has given up, and
check that the policy's socket_timeout and total_timeout still end the command with
TimeoutError (and leave the client usable); and that answers cut into small pieces (reads
that return part of what was asked) still arrive whole.  Nothing is timed: the proxy holds
the traffic until the test has seen the TimeoutError.
"""

import os
import threading
import time

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from tcp_proxy import TcpProxy, recv, send

NS, SET = "test", "sockto"
MESSAGE = 3  # proto type of a command's answer (info answers are type 1)
# The proxy lets held traffic go after this long even if the test has not released it:
# a client whose timeout stopped working then fails the test (DID NOT RAISE) instead of
# hanging it.  Far above every timeout used here, so load cannot reach it.
HOLD_LIMIT = 30


class _Proxy(TcpProxy):
    """A TCP proxy in front of the test server.

    mode (set by the test, read by the pumps for each chunk of a command's traffic):
      None             forward everything;
      "hold_request"   swallow requests (the server never answers);
      "hold_answer"    forward nothing of an answer until released;
      "hold_body"      forward an answer's 8-byte proto header, the rest when released;
      "hold_tail"      forward all of an answer but its last 3 bytes, those when released;
      "hold_upload"    stop reading a request after its first chunk until released (the
                       client's send buffer fills up);
      "trickle"        forward answers a few bytes at a time;
      "split"          forward each chunk of an answer in two halves;
      "surplus"        forward each answer with 5 bytes more (a server does not do that).
    Info traffic (the cluster tend) is forwarded as is.
    """

    def __init__(self, host, port):
        self.mode = None
        self.released = threading.Event()
        super().__init__(host, port, rcvbuf=4096)

    def pump(self, src, dst, to_client):
        (self._answers if to_client else self._requests)(src, dst)

    def _requests(self, src, dst):
        while True:
            data = recv(src)
            if not data:
                return
            mode = self.mode
            if data[1:2] == bytes([MESSAGE]) and mode == "hold_request":
                continue
            if data[1:2] == bytes([MESSAGE]) and mode == "hold_upload":
                self.released.wait(HOLD_LIMIT)
            if not send(dst, data):
                return

    def _answers(self, src, dst):
        while True:
            data = recv(src)
            if not data:
                return
            mode = self.mode if data[1:2] == bytes([MESSAGE]) else None
            if mode == "hold_answer":
                self.released.wait(HOLD_LIMIT)
            elif mode == "hold_body":
                if not send(dst, data[:8]):
                    return
                data = data[8:]
                self.released.wait(HOLD_LIMIT)
            elif mode == "hold_tail":
                if not send(dst, data[:-3]):
                    return
                data = data[-3:]
                self.released.wait(HOLD_LIMIT)
            elif mode == "split":
                if not send(dst, data[:len(data) // 2]):
                    return
                data = data[len(data) // 2:]
                time.sleep(0.001)  # lets the client's read find the first half (not timed)
            elif mode == "surplus":
                data += b"\0" * 5
            elif mode == "trickle":
                while len(data) > 5:
                    if not send(dst, data[:5]):
                        return
                    data = data[5:]
                    time.sleep(0.0005)  # lets the client's read find a part (not timed)
            if not send(dst, data):
                return

    def close(self):
        self.released.set()
        super().close()


@pytest.fixture
def proxy(aerospike_server):
    if int(os.environ.get("AEROSPIKE_DEV_SERVER_NODES") or 1) > 1:
        pytest.skip("the proxy stands in front of one node only")
    p = _Proxy(aerospike_server.host, aerospike_server.port)
    yield p
    p.close()


@pytest.fixture
def pclient(proxy):
    c = aerospike.client({"hosts": [("127.0.0.1", proxy.port)],
                          "use_services_alternate": False}).connect()
    yield c
    proxy.mode = None
    proxy.released.set()
    c.close()


def _key(name):
    return (NS, SET, "%s-%d" % (name, os.getpid()))


def _timed_out(proxy, call, mode):
    """call() under mode must raise TimeoutError; then the proxy lets everything through."""
    proxy.released.clear()
    proxy.mode = mode
    try:
        with pytest.raises(ex.TimeoutError) as info:
            call()
    finally:
        proxy.mode = None
        proxy.released.set()
    assert info.value.code == 9
    return info.value


SOCKET_ONLY = {"socket_timeout": 150, "total_timeout": 0, "max_retries": 0}
TOTAL_ONLY = {"socket_timeout": 0, "total_timeout": 150, "max_retries": 0}
BOTH = {"socket_timeout": 100, "total_timeout": 300, "max_retries": 1}
RECOVER = {"socket_timeout": 150, "total_timeout": 0, "max_retries": 0, "timeout_delay": 3000}


@pytest.mark.parametrize("policy", [SOCKET_ONLY, TOTAL_ONLY, BOTH, RECOVER],
                         ids=["socket", "total", "both", "timeout_delay"])
@pytest.mark.parametrize("mode", ["hold_request", "hold_answer", "hold_body", "hold_tail"])
def test_a_read_that_gets_no_answer_times_out(pclient, proxy, mode, policy):
    k = _key("read")
    pclient.put(k, {"a": 1})
    _timed_out(proxy, lambda: pclient.get(k, policy=policy), mode)
    # the client goes on: the timed-out connection is closed or recovered, not reused
    # with the old answer still in it
    for i in range(5):
        pclient.put(k, {"a": i})
        assert pclient.get(k)[2] == {"a": i}
    pclient.remove(k)


@pytest.mark.parametrize("mode", ["hold_answer", "hold_body", "hold_tail"])
def test_exists_operate_and_batch_time_out(pclient, proxy, mode):
    k = _key("other")
    pclient.put(k, {"a": 1, "l": [1]})
    _timed_out(proxy, lambda: pclient.exists(k, policy=SOCKET_ONLY), mode)
    from aerospike_helpers.operations import list_operations
    _timed_out(proxy, lambda: pclient.operate(
        k, [list_operations.list_append("l", 2)], policy=SOCKET_ONLY), mode)
    # a batch that times out returns (as the official does) its records unanswered:
    # AEROSPIKE_NO_RESPONSE (-15), no record
    proxy.released.clear()
    proxy.mode = mode
    try:
        records = pclient.batch_read([k], policy=SOCKET_ONLY).batch_records
    finally:
        proxy.mode = None
        proxy.released.set()
    assert [(r.result, r.record) for r in records] == [(-15, None)]
    assert pclient.get(k)[2]["a"] == 1
    pclient.remove(k)


@pytest.mark.parametrize("policy", [SOCKET_ONLY, TOTAL_ONLY], ids=["socket", "total"])
def test_a_write_the_server_stops_reading_times_out(pclient, proxy, policy):
    # 16 MB is more than the client's send buffer and the proxy's receive buffer can hold
    # (tcp_wmem's default maximum is 4 MB): the send returns part, the wait times out.
    k = _key("upload")
    big = b"x" * (16 << 20)
    _timed_out(proxy, lambda: pclient.put(k, {"b": big}, policy=policy), "hold_upload")
    pclient.put(k, {"a": 1})
    assert pclient.get(k)[2] == {"a": 1}
    pclient.remove(k)


def test_answers_in_small_pieces_arrive_whole(pclient, proxy):
    keys = [_key("piece%d" % i) for i in range(20)]
    value = {"s": "v" * 300, "i": 7, "l": list(range(50))}
    for k in keys:
        pclient.put(k, value)
    proxy.mode = "trickle"
    try:
        slow = {"socket_timeout": 30000, "total_timeout": 60000}
        assert pclient.get(keys[0], policy=slow)[2] == value
        assert pclient.exists(keys[1], policy=slow)[1] is not None
        records = pclient.batch_read(keys, policy=slow).batch_records
        assert [r.record[2] for r in records] == [value] * 20
    finally:
        proxy.mode = None
    for k in keys:
        pclient.remove(k)


@pytest.mark.parametrize("size", [10, 5000, 16 << 10, 40 << 10, 300 << 10])
def test_answers_in_two_parts_arrive_whole(pclient, proxy, size):
    # bodies below and above the 16 KB a single-record answer's first read takes
    k = _key("split%d" % size)
    value = {"b": bytes(range(256)) * (size // 256) + b"x" * (size % 256), "i": size}
    pclient.put(k, value)
    proxy.mode = "split"
    try:
        slow = {"socket_timeout": 30000, "total_timeout": 60000}
        for _ in range(3):
            assert pclient.get(k, policy=slow)[2] == value
        assert pclient.operate(k, [{"op": aerospike.OPERATOR_READ, "bin": "b"}],
                               policy=slow)[2] == {"b": value["b"]}
    finally:
        proxy.mode = None
    assert pclient.get(k)[2] == value
    pclient.remove(k)


def test_bytes_after_an_answer_cost_the_connection_not_the_answer(pclient, proxy):
    # The answer is taken; the connection with bytes left over is not used again (the next
    # command's answer would otherwise be read from the wrong place).
    k = _key("surplus")
    pclient.put(k, {"a": 1})
    proxy.mode = "surplus"
    try:
        assert pclient.get(k)[2] == {"a": 1}
    finally:
        proxy.mode = None
    for i in range(5):
        pclient.put(k, {"a": i})
        assert pclient.get(k)[2] == {"a": i}
    pclient.remove(k)
