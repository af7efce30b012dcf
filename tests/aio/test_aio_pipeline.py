"""aerospike_cffi.aio with pipelining on (``pipe_max_conns_per_node``): the single-record
commands answer as without it, a cold pipeline pool refuses nothing when hundreds of
commands start at once, and cancellation, policy timeouts and close keep their meaning."""

import asyncio
import os

import pytest

from aerospike_cffi import aio
from aerospike_cffi import exception as ex
from aerospike_cffi._native import lib
from aerospike_helpers.operations import list_operations as lop
from aerospike_helpers.operations import operations as op
from test_aio import _FreezingProxy, config, run, with_client  # noqa: F401 (config: the fixture)

NS = "test"
SET = "aio-pipe-%d" % os.getpid()


@pytest.mark.parametrize("bad", [-1, True, "2", 2.0, 1 << 31])
def test_bad_pipe_conns_raise_at_client(bad):
    with pytest.raises(ex.ParamError):
        aio.client({"hosts": [("127.0.0.1", 3000)], "pipe_max_conns_per_node": bad})


def test_commands_answer_as_without_pipelining(config):
    bins = {"a": 1, "b": "x", "l": [1, 2], "f": 1.5}

    async def body(c):
        k, gone = (NS, SET, "same"), (NS, SET, "never-written")
        got = [await c.put(k, bins), await c.get(k), await c.select(k, ["a"]),
               await c.exists(k), await c.exists(gone), await c.increment(k, "a", 2),
               await c.append(k, "b", "y"),
               await c.operate(k, [lop.list_append("l", 3), op.read("l")]),
               await c.operate_ordered(k, [op.read("a"), op.read("b")]),
               await c.touch(k, 100), await c.remove_bin(k, ["f"])]
        got.append((await c.get(k))[2])
        with pytest.raises(ex.RecordNotFound):
            await c.get(gone)
        got.append(await c.remove(k))
        return got

    def strip(res):  # (key, meta, bins) records: a meta's ttl can tick between the runs
        return [(r[0], {m: v for m, v in r[1].items() if m != "ttl"}, r[2])
                if isinstance(r, tuple) and len(r) == 3 and isinstance(r[1], dict) else r
                for r in res]

    plain = with_client(config, body)
    piped = with_client(config, body, pipe_max_conns_per_node=2)
    assert strip(piped) == strip(plain)


def test_a_cold_pool_refuses_nothing(config):
    """Hundreds of commands at once on a new client: no NoMoreConnections (writes are not
    retried), and once the pools are made every command goes pipelined."""
    n = 600
    no_retry = {"max_retries": 0}

    async def body(c):
        keys = [(NS, SET, i) for i in range(n)]
        puts = await asyncio.gather(*[c.put(k, {"i": i}, policy=no_retry)
                                      for i, k in enumerate(keys)])
        gets = await asyncio.gather(*[c.get(k, policy=no_retry) for k in keys])
        pipelined = lib.shim_async_queue_pipelined(c._done.q)
        await asyncio.gather(*[c.remove(k, policy=no_retry) for k in keys])
        return puts, [g[2]["i"] for g in gets], pipelined

    for conns in (1, 4):
        puts, gets, pipelined = with_client(config, body, pipe_max_conns_per_node=conns,
                                            async_max_conns_per_node=256)
        assert puts == [0] * n and gets == list(range(n))
        assert pipelined == 1


def test_cancelled_and_closed_with_commands_in_flight(config):
    async def body():
        c = await aio.client(dict(config, pipe_max_conns_per_node=2)).connect()
        tasks = [asyncio.ensure_future(c.put((NS, SET, "c%d" % i), {"i": i}))
                 for i in range(1000)]
        await asyncio.sleep(0)
        for t in tasks[::2]:
            t.cancel()
        await c.close()  # waits for every command sent or queued; cancelled ones dropped
        results = await asyncio.gather(*tasks, return_exceptions=True)
        left = c.commands_in_flight
        await c.connect()
        written = await asyncio.gather(*[c.exists((NS, SET, "c%d" % i)) for i in range(1000)])
        for i in range(1000):
            try:
                await c.remove((NS, SET, "c%d" % i))
            except ex.RecordNotFound:
                pass
        await c.close()
        return results, left, written

    results, left, written = run(body())
    assert left == 0
    assert all(r == 0 for r in results[1::2])
    assert all(isinstance(r, asyncio.CancelledError) for r in results[::2])
    assert all(meta is not None for _, meta in written[1::2])


def test_policy_timeouts_raise_timeout_error(aerospike_server):
    # A pipelined command's timeout closes its connection: every command waiting on it
    # gets the same TimeoutError (docs/asyncio.rst); the next ones take a new connection.
    proxy = _FreezingProxy(aerospike_server.host, aerospike_server.port)
    cfg = {"hosts": [("127.0.0.1", proxy.port)], "use_services_alternate": False,
           "pipe_max_conns_per_node": 1}
    quick = {"total_timeout": 200, "max_retries": 0}

    async def body():
        async with aio.client(cfg) as c:
            k = (NS, SET, "t")
            await c.put(k, {"a": 1})
            proxy.frozen.set()
            got = await asyncio.gather(*[c.get(k, policy=quick) for _ in range(5)],
                                       c.put(k, {"a": 2}, policy=quick),
                                       return_exceptions=True)
            proxy.frozen.clear()
            after = await c.get(k)
            await c.remove(k)
            return got, after[2]

    try:
        got, after = run(body())
    finally:
        proxy.close()
    assert all(isinstance(e, ex.TimeoutError) and e.code == 9 for e in got), got
    assert after == {"a": 1}
