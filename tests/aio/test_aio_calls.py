"""What ``AsyncClient.get(...)`` returns behaves as a coroutine object under every way
asyncio and user code drive one: nothing is sent before it is first awaited (or its task
first runs), ``asyncio.iscoroutine`` accepts it, ``gather``/``ensure_future``/``wait_for``
wrap it in a task, a second await fails as a coroutine's does, a task cancelled before its
first step sends nothing, and errors come out of the await. (On PyPy it is a _Call, the
command's waiter and its coroutine in one object; on CPython an ``async def`` coroutine:
the same assertions hold for both.)"""

import asyncio
import os

from aerospike_cffi import exception as ex
from test_aio import config, with_client  # noqa: F401 (config: the module's fixture)

NS = "test"
SET = "aio-calls-%d" % os.getpid()


def test_get_is_sent_when_awaited_and_works_with_asyncio_helpers(config):
    keys = [(NS, SET, i) for i in range(6)]

    async def body(c):
        await asyncio.gather(*[c.put(k, {"i": i}) for i, k in enumerate(keys)])
        out = {}
        call = c.get(keys[0])
        out["iscoroutine"] = asyncio.iscoroutine(call)
        out["isfuture"] = asyncio.isfuture(call)
        out["idle_before_await"] = c.commands_in_flight
        out["awaited"] = (await call)[2]
        try:
            await call
        except RuntimeError:
            out["second_await"] = "RuntimeError"
        out["task"] = (await asyncio.create_task(c.get(keys[1])))[2]
        out["ensure_future"] = (await asyncio.ensure_future(c.get(keys[2])))[2]
        out["gather"] = [r[2] for r in await asyncio.gather(c.get(keys[3]), c.get(keys[4]))]
        out["wait_for"] = (await asyncio.wait_for(c.get(keys[5]), 30))[2]
        done, _ = await asyncio.wait([asyncio.ensure_future(c.get(k)) for k in keys[:2]])
        out["wait"] = sorted(t.result()[2]["i"] for t in done)
        out["shield"] = (await asyncio.shield(c.get(keys[0])))[2]
        # never awaited: nothing sent, nothing left in flight
        c.get(keys[0]).close()
        out["idle_after"] = c.commands_in_flight
        await asyncio.gather(*[c.remove(k) for k in keys])
        return out

    out = with_client(config, body)
    assert out == {
        "iscoroutine": True, "isfuture": False, "idle_before_await": 0, "awaited": {"i": 0},
        "second_await": "RuntimeError", "task": {"i": 1}, "ensure_future": {"i": 2},
        "gather": [{"i": 3}, {"i": 4}], "wait_for": {"i": 5}, "wait": [0, 1],
        "shield": {"i": 0}, "idle_after": 0}


def test_get_errors_cancellation_and_a_task_cancelled_before_it_ran(config):
    key = (NS, SET, "c")

    async def body(c):
        await c.put(key, {"v": 1})
        out = {}
        bad = c.get(("no", "such"))  # a bad key raises where the call is awaited
        try:
            await bad
        except ex.ParamError:
            out["bad_key"] = "ParamError"
        try:
            await c.get((NS, SET, "missing"))
        except ex.RecordNotFound as exc:
            out["missing"] = exc.key
        # a task cancelled before its first step: the get is never sent
        task = asyncio.ensure_future(c.get(key))
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            out["cancelled_first"] = c.commands_in_flight
        # cancelled while in flight: CancelledError, the answer dropped when it comes
        task = asyncio.ensure_future(c.get(key))
        await asyncio.sleep(0)
        out["in_flight"] = c.commands_in_flight
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            out["cancelled_in_flight"] = True
        await c._done.wait_idle()
        out["left"] = c.commands_in_flight
        # thrown into while awaiting (as a task's cancel does to its coroutine)
        call = c.get(key)
        call.send(None)
        try:
            call.throw(ValueError("x"))
        except ValueError:
            out["throw"] = True
        await c._done.wait_idle()
        out["got"] = (await c.get(key))[2]
        await c.remove(key)
        return out

    out = with_client(config, body)
    assert out == {"bad_key": "ParamError", "missing": (NS, SET, "missing"),
                   "cancelled_first": 0, "in_flight": 1, "cancelled_in_flight": True,
                   "left": 0, "throw": True, "got": {"v": 1}}


def test_gets_waiting_for_room_and_many_tasks(config):
    # Over the in-flight limit the gets wait their turn; each gets its own record.
    n = 300

    async def body(c):
        ks = [(NS, SET, "w%d" % i) for i in range(n)]
        await asyncio.gather(*[c.put(k, {"i": i}) for i, k in enumerate(ks)])
        got = await asyncio.gather(*[c.get(k) for k in ks])
        await asyncio.gather(*[c.remove(k) for k in ks])
        return [g[2]["i"] for g in got], [g[0][:3] for g in got], c.commands_in_flight

    got, keys, left = with_client(config, body, async_max_conns_per_node=8)
    assert got == list(range(n))
    assert keys == [(NS, SET, None)] * n
    assert left == 0


def test_put_is_sent_when_awaited(config):
    # put(key, bins) (on PyPy a _Call too when it has no meta, policy or serializer)
    key = (NS, SET, "p")

    async def body(c):
        out = {}
        call = c.put(key, {"v": 1})
        out["iscoroutine"] = asyncio.iscoroutine(call)
        out["idle_before_await"] = c.commands_in_flight
        out["exists_before"] = (await c.exists(key))[1]
        out["put"] = await call
        out["got"] = (await c.get(key))[2]
        out["task"] = await asyncio.ensure_future(c.put(key, {"v": 2}))
        out["gather"] = await asyncio.gather(c.put(key, {"v": 3}), c.put(key, {"w": 4}))
        try:
            await c.put(key, {"a" * 20: 1})  # bin name too long: raised by the await
        except ex.BinNameError:
            out["bad_bin"] = "BinNameError"
        try:
            await c.put(("no", "such"), {"v": 1})
        except ex.ParamError:
            out["bad_key"] = "ParamError"
        out["got_after"] = (await c.get(key))[2]
        await c.remove(key)
        return out

    out = with_client(config, body)
    assert out == {"iscoroutine": True, "idle_before_await": 0, "exists_before": None,
                   "put": 0, "got": {"v": 1}, "task": 0, "gather": [0, 0],
                   "bad_bin": "BinNameError", "bad_key": "ParamError",
                   "got_after": {"v": 3, "w": 4}}
