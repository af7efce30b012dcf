"""PyPy: the async client's batch_read takes marking steps as the sync one does
(tests/client/test_pypy_jit_batch.py): step 1 marks add_reads and read_page after the
first batch_reads (shared with the sync client), step 2 the async batch path's own
functions, AsyncClient._batch, _fin_batch and Completions._drain (aio/_client.py). These tests keep the steps
wired, show that they leave the answers as they were (CPython: no steps, same answers),
and that concurrent tasks take each step once."""

import asyncio
import os

import pytest

from aerospike_cffi import _batch, _marshal, aio
from aerospike_cffi.aio import _client as aio_client

from jit_records import marked, records_at  # (tests/)

try:
    import pypyjit
except ImportError:  # CPython: no JIT, and no steps
    pypyjit = None

NS = "test"
SET = "aiojitbatch-%d" % os.getpid()
PATIENT = {kind: {"total_timeout": 30000} for kind in ("read", "write", "batch")}


@pytest.fixture(scope="module")
def config(aerospike_server):
    return {"hosts": [(aerospike_server.host, aerospike_server.port)], "policies": PATIENT}


@pytest.fixture
def keys(client):
    """20 records of a few bin types, removed after."""
    yield from records_at(client, [(NS, SET, i) for i in range(20)])


@pytest.fixture
def fresh_steps(monkeypatch):
    """The async client's marking steps as in a fresh process, step 1 due after 20 keys."""
    monkeypatch.setattr(aio_client, "_jit_stages",
                        [_batch.JIT_STEPS[0], aio_client._batch_functions]
                        if _batch.JIT_STEPS else [])
    monkeypatch.setattr(_batch, "_read_so_far", [0, 0])
    monkeypatch.setattr(_batch, "_MARK_AFTER_KEYS", 20)


def answers(batch):
    return [(r.key, r.result, r.record) for r in batch.batch_records]


def with_client(config, body):
    async def main():
        async with aio.client(config) as c:
            return await body(c)

    return asyncio.run(main())


def test_steps_after_the_keys_then_the_next_call(client, config, keys, fresh_steps):
    async def body(c):
        first = answers(await c.batch_read(keys[:10]))
        if pypyjit is None:
            assert _batch.JIT_STEPS == () and aio_client._jit_stages == []
        else:
            assert len(aio_client._jit_stages) == 2 and _batch._read_so_far == [10, 1]
            await c.batch_read(keys[10:])  # 20 keys read: add_reads and read_page marked
            assert len(aio_client._jit_stages) == 1
            assert marked(_batch.BatchCall.add_reads)
            assert marked(_marshal.PageUnpacker.read_page)
            await c.batch_read(keys[:1])  # the next call: the async batch path marked
            assert aio_client._jit_stages == []
            assert marked(aio.AsyncClient._batch) and marked(aio_client._fin_batch)
            assert marked(aio_client.Completions._drain)
        # Enough calls for the marked functions to run compiled and the loop around them
        # to be compiled: the same answers as the first (interpreted) call's.
        for _ in range(1200):
            batch = await c.batch_read(keys[:10])
        return first, answers(batch), answers(await c.batch_read(keys[:10], ["s", "l"]))

    first, last, some_bins = with_client(config, body)
    assert last == first
    assert first[3][2][2] == {"i": 3, "s": "v3", "f": 1.5, "b": b"\x01" * 3,
                              "m": {"a": 3, "b": "two"}, "l": [3, "x", 1.5]}
    assert some_bins == [(k, r, (rk, meta, {"s": bins["s"], "l": bins["l"]}))
                         for k, r, (rk, meta, bins) in first]
    assert answers(client.batch_read(keys[:10])) == first  # the sync client's


def test_steps_taken_by_tasks_at_once(client, config, keys, fresh_steps):
    """Many tasks in flight take a step at once: each step is taken once, no error."""
    async def body(c):
        async def lane():
            return [answers(await c.batch_read(keys[:5])) for _ in range(30)]

        return await asyncio.gather(*[lane() for _ in range(8)])

    got = [batch for lane in with_client(config, body) for batch in lane]
    assert aio_client._jit_stages == []
    assert got == [got[0]] * 240
    assert got[0] == answers(client.batch_read(keys[:5]))


def test_sync_and_async_steps_apart(client, config, keys, fresh_steps, monkeypatch):
    """The sync client's steps stay as they are when only the async client reads."""
    monkeypatch.setattr(_batch, "_jit_stages", list(_batch.JIT_STEPS))

    async def body(c):
        for _ in range(3):
            await c.batch_read(keys)

    with_client(config, body)
    assert aio_client._jit_stages == []
    assert len(_batch._jit_stages) == len(_batch.JIT_STEPS)
