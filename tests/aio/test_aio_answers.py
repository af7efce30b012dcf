"""How the async client reads a single-record command's answer (libs/patches/20-async-one-read.patch:
header and body with one read() into the command's read buffer): answers of every size
around that buffer's capacity (a few KB: the body fits, fills it exactly, overflows it, or
is far larger and comes in many reads), and answers that arrive in pieces of a few bytes
(a header read short, a body in many parts), come back as the sync client reads them.
And pooled connections closed by the other side while idle are noticed (the pool's check
before a connection's use) and replaced: the next commands succeed."""

import asyncio
import os
import socket

import pytest

from aerospike_cffi import aio
from aerospike_helpers.operations import operations as op
from tcp_proxy import TcpProxy, recv, send
from test_aio import _PATIENT, run

NS = "test"
SET = "aio-answers-%d" % os.getpid()

# Bodies from empty to 1 MB, dense around 4 KB (a command's read buffer is the rest of
# its 4 KB-rounded allocation) and 8 KB.
SIZES = [0, 1, 7, 8, 9, 100, 1000] + list(range(3800, 4200, 37)) + [
    4096, 8000, 8185, 8192, 8200, 20000, 100000, 1000000]


@pytest.fixture(scope="module")
def config(aerospike_server):
    return {"hosts": [(aerospike_server.host, aerospike_server.port)], "policies": _PATIENT}


@pytest.fixture(scope="module")
def sized_records(client):
    made = {}
    for n in SIZES:
        key = (NS, SET, "size-%d" % n)
        client.put(key, {"s": "x" * n, "n": n})
        made[n] = key
    yield made
    for key in made.values():
        client.remove(key)


def _same_records(c, client, sized_records):
    """Every sized record through get, select, operate, exists and a put's answer."""
    async def body():
        for n, key in sized_records.items():
            assert (await c.get(key))[2] == client.get(key)[2] == {"s": "x" * n, "n": n}
            assert (await c.select(key, ["s"]))[2] == {"s": "x" * n}
            _, _, bins = await c.operate(key, [op.read("s"), op.read("n")])
            assert bins == {"s": "x" * n, "n": n}
            _, meta = await c.exists(key)
            assert meta is not None
        # Many in flight at once, on the same pooled connections.
        keys = list(sized_records.items()) * 4
        got = await asyncio.gather(*[c.get(key) for _, key in keys])
        assert [rec[2]["n"] for rec in got] == [n for n, _ in keys]
        await c.put((NS, SET, "written"), {"s": "y" * 5000})
        assert (await c.get((NS, SET, "written")))[2] == {"s": "y" * 5000}
        await c.remove((NS, SET, "written"))
    return body()


def test_answers_of_every_size_around_the_read_buffer(client, config, sized_records):
    async def main():
        async with aio.client(config) as c:
            await _same_records(c, client, sized_records)
    run(main())


class _TricklingProxy(TcpProxy):
    """A TCP proxy in front of the test server that passes the server's bytes to the
    client a few at a time (1 to 7 bytes per send, with Nagle off), so the client's reads
    see headers and bodies cut anywhere."""

    def __init__(self, host, port, trickle=True):
        self.trickle = trickle
        super().__init__(host, port)

    def joined(self, client_side):
        client_side.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def pump(self, src, dst, to_client):
        trickle = to_client and self.trickle
        step = 0
        while True:
            data = recv(src)
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            if not trickle or len(data) > 20000:
                if not send(dst, data):  # big bodies in one piece, after a cut header
                    return
                continue
            i = 0
            while i < len(data):
                step = step % 7 + 1
                if not send(dst, data[i:i + step]):
                    return
                i += step

    def cut(self, every=1):
        """Close every connection made so far, or every second, third... of them in the
        order they were made (the listener and the other connections stay)."""
        pairs = list(zip(self.socks[0::2], self.socks[1::2]))
        self.socks = [s for i, pair in enumerate(pairs) if i % every for s in pair]
        for i, pair in enumerate(pairs):
            if i % every:
                continue
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass


def test_answers_that_arrive_in_pieces(aerospike_server, client, sized_records):
    proxy = _TricklingProxy(aerospike_server.host, aerospike_server.port)
    cfg = {"hosts": [("127.0.0.1", proxy.port)], "use_services_alternate": False,
           "policies": _PATIENT}
    small = {n: key for n, key in sized_records.items() if n <= 20000}

    async def main():
        async with aio.client(cfg) as c:
            await _same_records(c, client, small)

    try:
        run(main())
    finally:
        proxy.close()


def test_pooled_connections_closed_while_idle_are_replaced(aerospike_server, client,
                                                           sized_records):
    proxy = _TricklingProxy(aerospike_server.host, aerospike_server.port, trickle=False)
    # Each closed connection the pool finds counts as a node error (C client): a few
    # connections, far below max_error_rate (100 per tend interval by default).
    cfg = {"hosts": [("127.0.0.1", proxy.port)], "use_services_alternate": False,
           "policies": _PATIENT}
    sizes = [n for n in sorted(sized_records) if n <= 20000]
    keys = [sized_records[n] for n in sizes]

    async def main():
        async with aio.client(cfg) as c:
            for _ in range(2):
                # A few connections in the pool, then all of them closed under it.
                got = await asyncio.gather(*[c.get(k) for k in keys[:8]])
                assert [rec[2]["n"] for rec in got] == sizes[:8]
                proxy.cut()
                await asyncio.sleep(0)
                # Writes are not retried (max_retries 0): the pool must not hand out a
                # closed connection.
                for k in keys[:5]:
                    await c.put(k, {"n": -1, "s": ""}, policy={"max_retries": 0})
                for n in sizes[:5]:
                    await c.put(sized_records[n], {"n": n, "s": "x" * n})

    try:
        run(main())
    finally:
        proxy.close()


@pytest.mark.parametrize("every", [1, 2, 3])
def test_a_burst_of_commands_after_pooled_connections_closed(aerospike_server, client, every):
    # Commands handed to the event loop together check the pooled connections they will
    # take with one poll() (libs/patches/24-async-batch-pool-check.patch). With all of the
    # pooled connections, or every second or third one, closed under the pool, a burst of
    # writes that are not retried (max_retries 0) must still all go through: the closed
    # ones are dropped, the others and new ones carry the writes. Few enough connections
    # that the node errors the closed ones count stay far below max_error_rate.
    proxy = _TricklingProxy(aerospike_server.host, aerospike_server.port, trickle=False)
    cfg = {"hosts": [("127.0.0.1", proxy.port)], "use_services_alternate": False,
           "policies": _PATIENT}
    keys = [(NS, SET, "burst-%d-%d" % (every, i)) for i in range(20)]

    async def main():
        async with aio.client(cfg) as c:
            for n in range(2):
                await asyncio.gather(*[c.put(k, {"n": n}) for k in keys])
                proxy.cut(every)
                await asyncio.sleep(0)
                await asyncio.gather(*[c.put(k, {"n": -n}, policy={"max_retries": 0})
                                       for k in keys])
                got = await asyncio.gather(*[c.get(k, policy={"max_retries": 0})
                                             for k in keys])
                assert [rec[2] for rec in got] == [{"n": -n}] * len(keys)

    try:
        run(main())
    finally:
        proxy.close()
        for k in keys:
            client.remove(k)


def test_connections_idle_past_the_sweep_are_used_again(config, sized_records):
    # Connections left idle in the pool for seconds are taken again by the next
    # commands (a pool that dropped or broke idle connections would fail or reconnect).
    sizes = [n for n in sorted(sized_records) if n <= 20000]
    keys = [sized_records[n] for n in sizes]

    async def main():
        async with aio.client(config) as c:
            for _ in range(2):
                got = await asyncio.gather(*[c.get(k) for k in keys])
                assert [rec[2]["n"] for rec in got] == sizes
                await asyncio.sleep(2.5)
            await c.put(keys[0], {"n": 0, "s": ""})

    run(main())
