"""AsyncClient.close() while async commands (on the C event loop) and threaded ones (the
sync client's commands on worker threads: batch, info, UDF, admin...) are in flight, and
sync threads sharing nothing with it run meanwhile: every command ends with its result or
with ClusterError (code 11), nothing crashes, and the client connects again."""

import asyncio
import os

import pytest

from aerospike_cffi import aio
from aerospike_cffi import exception as ex
from aerospike_helpers.operations import operations as op

NS = "test"
SET = "aio-close-race-%d" % os.getpid()
ROUNDS = int(os.environ.get("CLOSE_ROUNDS", "12"))


def _calls(c, i):
    key = (NS, SET, i % 20)
    keys = [(NS, SET, j) for j in range(5)]
    kind = i % 10
    if kind == 0:
        return c.put(key, {"i": i})
    if kind == 1:
        return c.get(key)
    if kind == 2:
        return c.operate(key, [op.increment("n", 1), op.read("n")])
    if kind == 3:
        return c.exists(key)
    if kind == 4:
        return c.batch_read(keys)  # threaded
    if kind == 5:
        return c.info_all("build")  # threaded
    if kind == 6:
        return c.udf_list()  # threaded
    if kind == 7:
        return c.info_random_node("build")  # threaded
    if kind == 8:
        return c.select(key, ["i"])
    return c.append(key, "s", "x")


def test_close_while_async_and_threaded_commands_run(aerospike_server):
    config = {"hosts": [(aerospike_server.host, aerospike_server.port)],
              "policies": {"read": {"total_timeout": 5000}, "write": {"total_timeout": 5000}}}

    async def body():
        c = await aio.client(dict(config, async_max_conns_per_node=16)).connect()
        outcomes = {"ok": 0, "closed": 0}
        unexpected = []
        for r in range(ROUNDS):
            tasks = [asyncio.ensure_future(_calls(c, r * 100 + i)) for i in range(100)]
            await asyncio.sleep(0)
            closing = asyncio.ensure_future(c.close())
            late = [asyncio.ensure_future(_calls(c, i)) for i in range(20)]
            await closing
            for res in await asyncio.gather(*tasks, *late, return_exceptions=True):
                if not isinstance(res, BaseException):
                    outcomes["ok"] += 1
                elif isinstance(res, ex.ClusterError) and res.code == 11:
                    outcomes["closed"] += 1
                elif not isinstance(res, (ex.RecordNotFound, ex.TimeoutError)):
                    unexpected.append(repr(res))
            with pytest.raises(ex.ClusterError):
                await c.get((NS, SET, 1))
            await c.connect()
        got = await c.put((NS, SET, "after"), {"ok": 1})
        await c.remove((NS, SET, "after"))
        for i in range(20):
            try:
                await c.remove((NS, SET, i))
            except ex.RecordNotFound:
                pass
        await c.close()
        return outcomes, unexpected, got, c._core._retired

    outcomes, unexpected, got, retired = asyncio.run(body())
    assert unexpected == []
    assert outcomes["ok"] > 0 and outcomes["closed"] > 0
    assert got == 0
    assert retired == []
