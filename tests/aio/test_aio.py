"""aerospike_cffi.aio against the test server: every AsyncClient command gives what the sync
client gives for the same call (the sync client is the reference); cancellation, policy
timeouts, close with commands in flight, the in-flight limit, 10 000 concurrent tasks,
streaming scans and queries, and the same under uvloop where it is installed."""

import asyncio
import gc
import itertools
import os
import threading

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import aio
from aerospike_cffi import exception as ex
from aerospike_cffi import predicates as p
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import list_operations as lop
from aerospike_helpers.operations import operations as op
from tcp_proxy import TcpProxy, recv, send

pytestmark = pytest.mark.filterwarnings("ignore:meta\\[.ttl.\\] is deprecated:DeprecationWarning")

NS = "test"
PID = os.getpid()
SET = "aio-%d" % PID
_ids = itertools.count()

try:
    import uvloop
except ImportError:  # not on PyPy; optional on CPython
    uvloop = None

LOOPS = ["asyncio"] + (["uvloop"] if uvloop is not None else [])


def run(coro, loop_kind="asyncio"):
    if loop_kind == "uvloop":
        loop = uvloop.new_event_loop()
        try:
            return loop.run_until_complete(coro)
        finally:
            loop.close()
    return asyncio.run(coro)


# The dev server shares this process (and its GIL) with the test: under thousands of
# commands in flight on a busy machine, the default one-second timeouts could fire.
_PATIENT = {kind: {"total_timeout": 30000}
            for kind in ("read", "write", "operate", "remove", "apply", "batch",
                         "batch_parent_write")}


@pytest.fixture(scope="module")
def config(aerospike_server):
    return {"hosts": [(aerospike_server.host, aerospike_server.port)], "policies": _PATIENT}


def new_key():
    return (NS, SET, "k-%d" % next(_ids))


@pytest.fixture
def keys(client):
    made = [new_key() for _ in range(4)]
    yield made
    for k in made:
        try:
            client.remove(k)
        except ex.RecordNotFound:
            pass


def with_client(config, body, loop_kind="asyncio", **extra):
    async def main():
        async with aio.client(dict(config, **extra)) as c:
            return await body(c)

    return run(main(), loop_kind)




# ------------------------------------------------------------------ every command

@pytest.mark.parametrize("loop_kind", LOOPS)
def test_single_record_commands_answer_as_sync(client, config, keys, loop_kind):
    k, k2 = keys[0], keys[1]
    bins = {"a": 1, "b": "x", "l": [1, 2], "m": {"x": 1}, "f": 1.5, "y": b"\x01"}

    async def body(c):
        got = {}
        got["put"] = await c.put(k, bins)
        got["get"] = await c.get(k)
        got["select"] = await c.select(k, ["a", "l"])
        got["exists"] = await c.exists(k)
        got["missing"] = await c.exists(k2)
        got["increment"] = await c.increment(k, "a", 5)
        got["append"] = await c.append(k, "b", "yz")
        got["prepend"] = await c.prepend(k, "b", "<")
        got["operate"] = await c.operate(k, [op.read("a"), lop.list_append("l", 3),
                                             op.read("l")])
        got["ordered"] = await c.operate_ordered(k, [op.read("a"), op.read("b")])
        got["touch"] = await c.touch(k, 1000)
        got["remove_bin"] = await c.remove_bin(k, ["m"])
        got["after"] = await c.get(k)
        got["remove"] = await c.remove(k)
        return got

    got = with_client(config, body, loop_kind)
    # The same calls through the sync client, on a second key.
    want = {}
    want["put"] = client.put(k2, bins)
    want["get"] = client.get(k2)
    want["select"] = client.select(k2, ["a", "l"])
    want["exists"] = client.exists(k2)
    want["missing"] = client.exists(k)
    want["increment"] = client.increment(k2, "a", 5)
    want["append"] = client.append(k2, "b", "yz")
    want["prepend"] = client.prepend(k2, "b", "<")
    want["operate"] = client.operate(k2, [op.read("a"), lop.list_append("l", 3), op.read("l")])
    want["ordered"] = client.operate_ordered(k2, [op.read("a"), op.read("b")])
    want["touch"] = client.touch(k2, 1000)
    want["remove_bin"] = client.remove_bin(k2, ["m"])
    want["after"] = client.get(k2)
    want["remove"] = client.remove(k2)

    def norm(name, value):
        # Same shapes; keys differ only by their user key / digest, metas by ttl.
        if isinstance(value, tuple) and len(value) in (2, 3):
            key = value[0]
            meta = value[1]
            rest = value[2:]
            assert key[0] == NS and key[1] == SET and len(key[3]) == 20
            if meta is not None:
                assert set(meta) == {"ttl", "gen"}
                meta = meta["gen"]
            return (key[2] is None, meta) + rest
        return value

    for name in want:
        assert norm(name, got[name]) == norm(name, want[name]), name
    assert got["get"][2] == bins
    assert got["missing"][1] is None
    assert got["after"][2] == {"a": 6, "b": "<xyz", "l": [1, 2, 3], "f": 1.5, "y": b"\x01"}


def test_errors_are_the_sync_classes(client, config, keys):
    k = keys[0]
    client.put(k, {"a": 1})

    async def body(c):
        errors = []
        for call in (lambda: c.get(keys[1]),
                     lambda: c.remove(keys[1]),
                     lambda: c.put(k, {"a": 2}, policy={"gen": aerospike.POLICY_GEN_EQ},
                                   meta={"gen": 7}),
                     lambda: c.increment(k, "a", "x"),
                     lambda: c.get(("test", 1, 2)),
                     lambda: c.put(k, {"a" * 20: 1}),
                     lambda: c.get(("nonexistent-ns", "s", 1)),
                     lambda: c.operate(k, [lop.list_append("a", 1)])):
            try:
                await call()
            except ex.AerospikeError as exc:
                errors.append(exc)
        return errors

    errors = with_client(config, body)
    kinds = [type(e) for e in errors]
    assert kinds[:6] == [ex.RecordNotFound, ex.RecordNotFound, ex.RecordGenerationError,
                         ex.ParamError, ex.ParamError, ex.BinNameError]
    assert kinds[6] in (ex.NamespaceNotFound, ex.InvalidRequest)  # dev / real server
    assert kinds[7] is ex.BinIncompatibleType
    assert errors[0].key == keys[1]
    sync = []
    for call in (lambda: client.get(keys[1]), lambda: client.put(k, {"a" * 20: 1})):
        try:
            call()
        except ex.AerospikeError as exc:
            sync.append(exc)
    assert [e.code for e in sync] == [errors[0].code, errors[5].code]
    assert client.get(k)[2] == {"a": 1}  # nothing was written by the failed calls


def test_batch_info_truncate_and_index_commands(client, config, keys):
    for k in keys[:2]:
        client.put(k, {"a": 1, "l": [1]})
    name = "aio_idx_%d" % PID

    async def body(c):
        got = {}
        got["batch_read"] = await c.batch_read(keys)
        got["batch_operate"] = await c.batch_operate(keys[:2], [op.increment("a", 1)])
        recs = br.BatchRecords([br.Write(keys[2], [op.write("a", 9)]),
                                br.Read(keys[0], [op.read("a")])])
        got["batch_write"] = await c.batch_write(recs)
        got["batch_remove"] = await c.batch_remove([keys[2]])
        got["info"] = await c.info_random_node("namespaces")
        got["info_all"] = await c.info_all("namespaces")
        node = c.get_node_names()[0]["node_name"]
        got["info_single"] = await c.info_single_node("namespaces", node)
        got["index"] = await c.index_integer_create(NS, SET, "a", name)
        got["index_remove"] = await c.index_remove(NS, name)
        return got

    got = with_client(config, body)
    assert [r.record[2] if r.record else None for r in got["batch_read"].batch_records] == [
        {"a": 1, "l": [1]}, {"a": 1, "l": [1]}, None, None]
    assert [r.result for r in got["batch_operate"].batch_records] == [0, 0]
    assert got["batch_write"].batch_records[1].record[2] == {"a": 2}
    assert got["batch_remove"].batch_records[0].result == 0
    assert "test" in got["info"]
    assert all(err is None and "test" in answer for err, answer in got["info_all"].values())
    assert "test" in got["info_single"]
    assert got["index"] == 0 and got["index_remove"] == 0
    assert client.get(keys[0])[2]["a"] == 2


def _rows(batch):
    """A BatchRecords as plain values, to compare the async answer with the sync one (the
    records' generations and TTLs move on between the two runs: their keys are compared)."""
    return batch.result, [(r.key, r.result, r.in_doubt, r.message, r.subcode,
                           None if r.record is None else
                           (r.record[0], sorted(r.record[1]) if r.record[1] else r.record[1])
                           + tuple(r.record[2:]))
                          for r in batch.batch_records]


@pytest.mark.parametrize("loop_kind", LOOPS)
def test_batches_answer_as_sync(client, config, keys, loop_kind):
    # The batch family goes through the C client's async batch API (no worker thread): the
    # same results as the sync client's, for reads, operations, mixed writes, removes,
    # UDF applies (errors per record where the server has no such UDF), and for per-record
    # failures next to successes.
    for k in keys[:3]:
        client.put(k, {"a": 1, "s": "x", "l": [1, 2], "m": {"k": 1.5}})
    missing = (NS, SET, "missing-%d" % next(_ids))

    def commands(c):
        return [
            lambda: c.batch_read(keys + [missing]),
            lambda: c.batch_read(keys, ["a", "l"]),
            lambda: c.batch_read(keys, []),
            lambda: c.batch_read(keys[:2], policy={"deserialize": False}),
            lambda: c.batch_operate(keys[:2] + [missing],
                                    [op.read("a"), lop.list_size("l")]),
            lambda: c.batch_operate(keys[:2], [op.increment("a", 2), op.read("a")], ttl=500),
            lambda: c.batch_write(br.BatchRecords(
                [br.Write(keys[3], [op.write("w", 1)]), br.Read(keys[0], [op.read("a")]),
                 br.Read(keys[1], None, read_all_bins=True), br.Remove(keys[2]),
                 br.Read(missing, [op.read("a")])])),
            lambda: c.batch_remove([keys[3], missing]),
            lambda: c.batch_apply(keys[:2], "no_such_module", "f", [1]),
        ]

    # (a sync client as patient as the async one: a loaded machine must not turn the
    # reference answer into a timeout)
    with aerospike.client(config) as sync:
        expected = [_rows(call()) for call in commands(sync)]
    for k in keys[:3]:  # the same starting records for the async run
        client.put(k, {"a": 1, "s": "x", "l": [1, 2], "m": {"k": 1.5}})

    async def body(c):
        answers = []
        for call in commands(c):
            answers.append(_rows(await call()))
        return answers

    got = with_client(config, body, loop_kind)
    assert got == expected


def test_concurrent_batches_and_their_errors(client, config, keys):
    # More batches in flight than the old worker pool had threads, each with its own
    # answer; bad arguments raise the sync client's errors before anything is sent.
    for i, k in enumerate(keys):
        client.put(k, {"i": i})

    async def body(c):
        many = await asyncio.gather(*[c.batch_read([keys[n % 4], keys[(n + 1) % 4]])
                                      for n in range(200)])
        errors = []
        for call in (lambda: c.batch_read("keys"), lambda: c.batch_read([("test",)]),
                     lambda: c.batch_operate(keys, []), lambda: c.batch_write([]),
                     lambda: c.batch_read(keys, policy={"total_timeout": "x"})):
            try:
                await call()
                errors.append(None)
            except ex.AerospikeError as exc:
                errors.append((type(exc), exc.msg))
        # cancelled while in flight: dropped, nothing left behind
        tasks = [asyncio.ensure_future(c.batch_read(keys)) for _ in range(50)]
        await asyncio.sleep(0)
        for t in tasks[::2]:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await c._done.wait_idle()
        return many, errors, c.commands_in_flight

    many, errors, left = with_client(config, body)
    assert [b.result for b in many] == [0] * 200
    assert [[r.record[2]["i"] for r in b.batch_records] for b in many] == [
        [n % 4, (n + 1) % 4] for n in range(200)]
    sync = []
    for call in (lambda: client.batch_read("keys"), lambda: client.batch_read([("test",)]),
                 lambda: client.batch_operate(keys, []),
                 lambda: client.batch_write([]),
                 lambda: client.batch_read(keys, policy={"total_timeout": "x"})):
        try:
            call()
            sync.append(None)
        except ex.AerospikeError as exc:
            sync.append((type(exc), exc.msg))
    assert errors == sync and all(e is not None for e in errors)
    assert left == 0


def test_truncate(client, config):
    tset = "aio-trunc-%d" % PID
    for i in range(5):
        client.put((NS, tset, i), {"i": i})

    async def body(c):
        return await c.truncate(NS, tset, 0)

    assert with_client(config, body) == 0
    # A real server truncates in the background: wait for it.
    for _ in range(200):
        if not client.scan(NS, tset).results():
            break
        threading.Event().wait(0.05)
    assert client.scan(NS, tset).results() == []


def test_bad_arguments_raise_before_anything_is_sent(config, keys):
    async def body(c):
        out = []
        for call in (lambda: c.put(keys[0], {"a": object()}),
                     lambda: c.put(keys[0], "bins"),
                     lambda: c.get("key"),
                     lambda: c.select(keys[0], "a"),
                     lambda: c.operate(keys[0], "ops"),
                     lambda: c.touch(keys[0], "x"),
                     lambda: c.remove_bin(keys[0], "a"),
                     lambda: c.get(keys[0], policy={"total_timeout": "x"})):
            try:
                await call()
                out.append(None)
            except ex.AerospikeError as exc:
                out.append(type(exc))
        out.append(await c.exists(keys[0]))
        out.append(c.commands_in_flight)
        return out

    got = with_client(config, body)
    assert all(kind is not None for kind in got[:8])
    assert got[8][1] is None and got[9] == 0


def test_not_connected(config):
    c = aio.client(config)

    async def body():
        with pytest.raises(ex.ClusterError):
            await c.get(new_key())
        await c.connect()
        assert c.is_connected()
        await c.close()
        assert not c.is_connected()
        with pytest.raises(ex.ClusterError):
            await c.put(new_key(), {"a": 1})
        await c.connect()  # again, after close()
        k = new_key()
        assert await c.put(k, {"a": 1}) == 0
        await c.remove(k)
        await c.close()
        await c.close()  # twice is harmless

    run(body())


def test_bad_config_raises_at_client():
    with pytest.raises(ex.ParamError):
        aio.client({"hosts": [("127.0.0.1", 3000)], "async_max_conns_per_node": 0})
    with pytest.raises(ex.ParamError):
        aio.client({"hosts": "nowhere", "validate_keys": True, "bogus": 1})


# ------------------------------------------------------------------ scans and queries

@pytest.fixture(scope="module")
def stream_set(client):
    sset = "aio-scan-%d" % PID
    for i in range(300):
        client.put((NS, sset, i), {"i": i, "s": "v%d" % i},
                   policy={"key": aerospike.POLICY_KEY_SEND})
    yield sset
    for i in range(300):
        try:
            client.remove((NS, sset, i))
        except ex.RecordNotFound:
            pass


@pytest.mark.parametrize("loop_kind", LOOPS)
def test_scan_streams_and_awaits_as_a_list(client, config, stream_set, loop_kind):
    async def body(c):
        streamed = [rec async for rec in c.scan(NS, stream_set).results()]
        listed = await c.scan(NS, stream_set).results()
        selected = await c.scan(NS, stream_set).select("i").results()
        query = c.query(NS, stream_set)
        query.select("s")
        queried = [rec async for rec in query.results()]
        return streamed, listed, selected, queried

    streamed, listed, selected, queried = with_client(config, body, loop_kind)
    sync = client.scan(NS, stream_set).results()
    assert sorted(r[2]["i"] for r in streamed) == list(range(300))
    assert sorted(r[2]["i"] for r in listed) == list(range(300))
    assert sorted(r[0][2] for r in streamed) == sorted(r[0][2] for r in sync)
    assert all(set(r[2]) == {"i"} for r in selected)
    assert sorted(r[2]["s"] for r in queried) == sorted("v%d" % i for i in range(300))


def test_leaving_a_stream_early_stops_it(config, stream_set):
    async def body(c):
        seen = 0
        async for _ in c.scan(NS, stream_set).results():
            seen += 1
            if seen == 5:
                break
        # The client is still fine, and closes with nothing left running.
        after = await c.scan(NS, stream_set).results()
        calls = []

        async def callback(record):
            calls.append(record)
            return len(calls) < 3

        await c.scan(NS, stream_set).foreach(callback)
        return seen, len(after), len(calls)

    assert with_client(config, body) == (5, 300, 3)


def test_query_with_predicate_and_pagination(client, config, stream_set):
    name = "aio_q_%d" % PID
    client.index_integer_create(NS, stream_set, "i", name)
    try:
        async def body(c):
            q = c.query(NS, stream_set)
            q.where(p.between("i", 10, 19))
            for _ in range(300):  # a real server builds the index in the background
                try:
                    found = await q.results()
                except (ex.IndexNotReadable, ex.IndexNotFound):
                    await asyncio.sleep(0.05)
                    continue
                if len(found) == 10:
                    break
                await asyncio.sleep(0.05)
            pages = []
            scan = c.scan(NS, stream_set)
            scan.paginate()
            while not scan.is_done():
                page = await scan.results({"max_records": 100})
                if not page:
                    break
                pages.append(len(page))
            return sorted(r[2]["i"] for r in found), pages

        found, pages = with_client(config, body)
    finally:
        client.index_remove(NS, name)
    assert found == list(range(10, 20))
    assert sum(pages) == 300 and max(pages) <= 100


_UDF = """
function add(rec, name, n)
    local v = rec[name]
    if v == nil then v = 0 end
    rec[name] = v + n
    if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end
    return rec[name]
end
"""


def test_udf_apply_batch_apply_and_partition_filter(client, config, keys, stream_set,
                                                     tmp_path):
    # A module of this test's own (other tests of a shared server register theirs): the
    # async udf_put (a worker thread), apply and batch_apply (the C async API) answer as
    # the sync client does; a query over a partition filter gets every record.
    try:
        answer = client.info_random_node("udf-list")
    except ex.AerospikeError as exc:
        answer = str(exc.msg)
    if "unrecognized command" in answer:
        pytest.skip("the server has no UDF support")
    module = "aio_udf_%d" % PID
    path = tmp_path / (module + ".lua")
    path.write_text(_UDF)
    a, b = keys[0], keys[1]

    async def body(c):
        await c.udf_put(str(path))
        try:
            first = await c.apply(a, module, "add", ["n", 2])
            second = await c.apply(a, module, "add", ["n", 3])
            batch = _rows(await c.batch_apply([a, b], module, "add", ["n", 10]))
            q = c.query(NS, stream_set)
            by_filter = await q.results({"partition_filter": {"begin": 0, "count": 4096}})
        finally:
            await c.udf_remove(module + ".lua")
        return first, second, batch, len(by_filter)

    # (udf_put keeps a copy in the client's lua user_path: a folder of the test's own)
    lua = tmp_path / "lua"
    lua.mkdir()
    first, second, batch, n = with_client(config, body, lua={"user_path": str(lua)})
    assert (first, second) == (2, 5)
    assert client.get(a)[2] == {"n": 15} and client.get(b)[2] == {"n": 10}
    assert batch[0] == 0 and [row[1] for row in batch[1]] == [0, 0]
    assert [row[5][2] for row in batch[1]] == [{"SUCCESS": 15}, {"SUCCESS": 10}]
    assert n == 300


# ------------------------------------------------------------------ concurrency

def test_ten_thousand_concurrent_tasks(client, config):
    cset = "aio-many-%d" % PID
    n = 10000

    async def body(c):
        puts = await asyncio.gather(*[c.put((NS, cset, i), {"i": i}) for i in range(n)])
        gets = await asyncio.gather(*[c.get((NS, cset, i)) for i in range(n)])
        removes = await asyncio.gather(*[c.remove((NS, cset, i)) for i in range(n)])
        return puts, gets, removes, c.commands_in_flight

    # A small limit: most of the 10 000 wait in the client's queue (none fails).
    puts, gets, removes, left = with_client(config, body, async_max_conns_per_node=32)
    assert puts == [0] * n and removes == [0] * n
    assert [g[2]["i"] for g in gets] == list(range(n))
    assert left == 0


def test_cancelled_tasks_leak_nothing_and_others_complete(config):
    cset = "aio-cancel-%d" % PID

    async def body(c):
        tasks = [asyncio.ensure_future(c.put((NS, cset, i), {"i": i})) for i in range(2000)]
        await asyncio.sleep(0)
        for t in tasks[::2]:
            t.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        cancelled = sum(isinstance(r, asyncio.CancelledError) for r in results)
        ok = sum(r == 0 for r in results)
        # Cancelled before they were sent or while in flight: either way nothing is left.
        await c._done.wait_idle()
        left = c.commands_in_flight
        gets = await asyncio.gather(*[c.exists((NS, cset, i)) for i in range(1, 2000, 2)])
        for i in range(2000):
            try:
                await c.remove((NS, cset, i))
            except ex.RecordNotFound:
                pass
        return cancelled, ok, left, gets

    cancelled, ok, left, gets = with_client(config, body, async_max_conns_per_node=64)
    assert cancelled == 1000 and ok == 1000 and left == 0
    assert all(meta is not None for _, meta in gets)  # the uncancelled ones were written


def test_get_keys_as_sync_with_the_config_read_policy(config, keys):
    """get's returned key carries the user key when the read policy sends keys, from the
    config's default read policy too, for every key form (int, str, bytes, digest,
    an empty set name), as the sync get."""
    policies = dict(_PATIENT, read=dict(_PATIENT["read"], key=aerospike.POLICY_KEY_SEND))
    cfg = dict(config, policies=policies)
    sync = aerospike.client(cfg).connect()
    try:
        ns, cset = NS, keys[0][1]
        forms = [(ns, cset, 7), (ns, cset, "s-7"), (ns, cset, b"b-7"), (ns, cset, "u-\u00e9")]
        for k in forms:
            sync.put(k, {"v": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
        forms.append((ns, cset, None, sync.get(forms[0])[0][3]))
        forms.append({"ns": ns, "set": cset, "key": 7})
        expect = [sync.get(k) for k in forms]

        async def body(c):
            return [await c.get(k) for k in forms], [await c.get(k, {"key": 0}) for k in forms]

        got, got_digest_only = with_client(cfg, body)
        assert got == expect
        assert got_digest_only == [sync.get(k, {"key": 0}) for k in forms]
        for k in forms[:4]:
            sync.remove(k)
    finally:
        sync.close()



class _Str(str):
    pass


def _outcome(call):
    try:
        return ("ok", call())
    except ex.AerospikeError as exc:
        return (type(exc).__name__, exc.code, exc.msg)
    except RecursionError:  # (a cycle in the bins, as the sync Packer reports it)
        return ("RecursionError",)


@pytest.mark.parametrize("loop_kind", LOOPS)
def test_common_put_and_get_edge_cases_as_sync(client, config, loop_kind):
    """put(key, bins) and get(key), which CPython runs on paths of their own (their
    common case written out), answer every edge of that case as the sync client: keys
    out of int64, str subclasses, empty or new set names, bins pickle cannot take (a
    tuple, a cycle), a value of 64 KB and more, bools and None; and a get whose answer
    comes in the packed layout (a config reading raw collections)."""
    cset = "aio-edge-%d" % PID
    fresh = "aio-edge-new-%d" % PID  # a set name no key used yet (not cached)
    cyc = [1]
    cyc.append(cyc)
    puts = [((NS, cset, 1), {"a": 1, "b": True, "n": None, "s": "x" * 70000}),
            ((NS, cset, 2), {"t": (1, 2), "l": [1, [2]], "m": {"k": b"v"}}),
            ((NS, cset, 3), {"c": cyc}),
            ((NS, cset, 1 << 63), {"a": 1}),
            ((NS, cset, -(1 << 63)), {"a": 1}),
            ((_Str(NS), _Str(cset), "sub"), {"a": 1}),
            ((NS, "", 4), {"a": 1}),
            ((NS, fresh, 5), {"a": 1}),
            ((NS, cset, 1.5), {"a": 1}),
            ((NS, cset, bytearray(b"ba")), {"a": 1}),
            ((NS, cset), {"a": 1})]
    gets = [k for k, _ in puts] + [(NS, cset, "missing")]

    def sync_side(c):
        out = [_outcome(lambda: c.put(k, b)) for k, b in puts]
        return out + [_outcome(lambda: c.get(k)) for k in gets]

    async def body(c):
        out = []
        for k, b in puts:
            try:
                out.append(("ok", await c.put(k, b)))
            except ex.AerospikeError as exc:
                out.append((type(exc).__name__, exc.code, exc.msg))
            except RecursionError:
                out.append(("RecursionError",))
        for k in gets:
            try:
                out.append(("ok", await c.get(k)))
            except ex.AerospikeError as exc:
                out.append((type(exc).__name__, exc.code, exc.msg))
        return out

    def clean():
        for k in gets:
            try:
                client.remove(k)
            except ex.AerospikeError:
                pass

    try:
        got = with_client(config, body, loop_kind)
        clean()
        want = sync_side(client)
        assert [g[0] for g in got] == [w[0] for w in want]
        # (a record's ttl may differ by a second between the two writes)
        def same(g, w):
            if g[0] == "ok" and isinstance(g[1], tuple):
                return g[1][0] == w[1][0] and g[1][2] == w[1][2] and \
                    g[1][1]["gen"] == w[1][1]["gen"]
            return g == w
        assert all(same(g, w) for g, w in zip(got, want)), list(zip(got, want))
        # raw collections: the answer in the packed layout
        raw_cfg = dict(config, policies=dict(_PATIENT, read=dict(_PATIENT["read"],
                                                                 deserialize=False)))
        raw_sync = aerospike.client(raw_cfg).connect()
        try:
            client.put(gets[0], {"l": [1, [2]], "m": {"k": b"v"}, "i": 1})

            async def raw_body(c):
                return await c.get(gets[0])

            got = with_client(raw_cfg, raw_body, loop_kind)
            assert got == raw_sync.get(gets[0]) and isinstance(got[2]["l"], bytes)
        finally:
            raw_sync.close()
    finally:
        clean()

@pytest.mark.parametrize("loop_kind", LOOPS)
def test_cancelled_after_the_answer_came_back(config, loop_kind):
    """A task cancelled between its command's answer coming back and the task running
    again gets CancelledError (on PyPy a get's record is decoded only when its task
    runs, so the answer is dropped undecoded); the other tasks get their records, and a
    failed get its error."""
    import select

    cset = "aio-late-cancel-%d" % PID

    async def body(c):
        ks = [(NS, cset, i) for i in range(40)]
        await asyncio.gather(*[c.put(k, {"i": i, "s": "v%d" % i}) for i, k in enumerate(ks)])
        missing = (NS, cset, "missing")
        tasks = [asyncio.ensure_future(c.get(k)) for k in ks + [missing]]
        await asyncio.sleep(0)  # every get is sent
        done = c._done
        # Without giving the loop a turn: wait for the answers and drain them as the
        # loop's reader callback would; their tasks are woken, not yet run.
        while done.in_flight():
            select.select([done._fd], [], [], 30)
            done._drain()
        for t in tasks[:40:2]:
            t.cancel()
        got = await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*[c.remove(k) for k in ks])
        return got, done.in_flight()

    got, left = with_client(config, body, loop_kind)
    assert left == 0
    for i, g in enumerate(got[:40]):
        if i % 2 == 0:
            assert isinstance(g, asyncio.CancelledError)
        else:
            assert g[2] == {"i": i, "s": "v%d" % i} and g[0][:3] == (NS, cset, None)
    assert isinstance(got[40], ex.RecordNotFound) and got[40].key == (NS, cset, "missing")



@pytest.mark.parametrize("debug", [False, True])
def test_tasks_woken_by_the_drain_cancel_and_send(config, debug):
    """The drain resumes each command's task itself (not in debug mode): a task
    resumed there may cancel another whose answer is in the same drain (that one gets
    CancelledError, nothing leaks) and send its next commands, over the in-flight limit
    too (they wait their turn)."""
    cset = "aio-wake-%d" % PID
    n = 200

    async def body(c):
        asyncio.get_running_loop().set_debug(debug)
        await asyncio.gather(*[c.put((NS, cset, i), {"i": i}) for i in range(n)])
        tasks = {}

        async def one(i):
            got = await c.get((NS, cset, i))
            victim = tasks.get(i + 1)
            if i % 3 == 0 and victim is not None and not victim.done():
                victim.cancel()
            # the next commands, from inside the wake-up
            again = await asyncio.gather(c.get((NS, cset, i)), c.exists((NS, cset, i)))
            return got[2]["i"], again[0][2]["i"], again[1][1] is not None

        for i in range(n):
            tasks[i] = asyncio.ensure_future(one(i))
        out = await asyncio.gather(*tasks.values(), return_exceptions=True)
        await c._done.wait_idle()
        left = c.commands_in_flight
        await asyncio.gather(*[c.remove((NS, cset, i)) for i in range(n)])
        return out, left

    out, left = with_client(config, body, async_max_conns_per_node=16)
    assert left == 0
    for i, r in enumerate(out):
        assert r == (i, i, True) or isinstance(r, asyncio.CancelledError), (i, r)
    assert sum(r == (i, i, True) for i, r in enumerate(out)) >= n // 2

@pytest.mark.parametrize("loop_kind", LOOPS)
def test_commands_with_asyncio_helpers(config, keys, loop_kind):
    # What a command's coroutine awaits (on PyPy a _Waiter, not an asyncio.Future) works
    # under every way asyncio runs a coroutine: tasks, ensure_future, wait, shield,
    # as_completed, and a cancel with a message while the command is in flight.
    async def body(c):
        await c.put(keys[0], {"a": 1})
        task = asyncio.create_task(c.get(keys[0]))
        fut = asyncio.ensure_future(c.exists(keys[1]))
        await asyncio.wait([task, fut])
        shielded = await asyncio.shield(c.get(keys[0]))
        order = [await each for each in asyncio.as_completed(
            [c.get(keys[0]), c.increment(keys[0], "a", 1)])]
        slow = asyncio.create_task(c.get(keys[0]))
        await asyncio.sleep(0)  # the command is sent
        slow.cancel("bye")
        try:
            await slow
        except asyncio.CancelledError:
            cancelled = True
        else:
            cancelled = False
        missing = asyncio.create_task(c.get(keys[1]))
        try:
            await missing
        except ex.RecordNotFound as exc:
            not_found = exc.key == keys[1]
        return (task.result()[2], fut.result()[1], shielded[2], len(order), cancelled,
                not_found, (await c.get(keys[0]))[2])

    got = with_client(config, body, loop_kind)
    assert got == ({"a": 1}, None, {"a": 1}, 2, True, True, {"a": 2})


def test_wait_for_timeout_cancels_cleanly(config):
    async def body(c):
        k = new_key()
        await c.put(k, {"a": 1})
        for _ in range(50):
            try:
                await asyncio.wait_for(c.get(k), 0)
            except asyncio.TimeoutError:
                pass
        await c._done.wait_idle()
        got = await c.get(k)
        await c.remove(k)
        return got[2], c.commands_in_flight

    assert with_client(config, body) == ({"a": 1}, 0)


def test_close_with_commands_in_flight(config):
    cset = "aio-close-%d" % PID

    async def body():
        c = await aio.client(dict(config, async_max_conns_per_node=16)).connect()
        tasks = [asyncio.ensure_future(c.put((NS, cset, i), {"i": i})) for i in range(500)]
        await asyncio.sleep(0)
        await c.close()  # waits for every command sent or queued
        results = await asyncio.gather(*tasks)
        with pytest.raises(ex.ClusterError):
            await c.get((NS, cset, 1))
        await c.connect()
        got = await asyncio.gather(*[c.get((NS, cset, i)) for i in range(500)])
        await asyncio.gather(*[c.remove((NS, cset, i)) for i in range(500)])
        await c.close()
        return results, got

    results, got = run(body())
    assert results == [0] * 500
    assert [g[2]["i"] for g in got] == list(range(500))


def test_many_clients_and_loops_in_threads(config):
    """Two event loops in two threads, a client each: their completions never cross."""
    out = {}

    def worker(n):
        async def body(c):
            ks = [(NS, SET, "t%d-%d" % (n, i)) for i in range(200)]
            await asyncio.gather(*[c.put(k, {"n": n, "i": i}) for i, k in enumerate(ks)])
            got = await asyncio.gather(*[c.get(k) for k in ks])
            await asyncio.gather(*[c.remove(k) for k in ks])
            return [(g[2]["n"], g[2]["i"]) for g in got]

        out[n] = with_client(config, body, async_max_conns_per_node=16)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in range(2):
        assert out[n] == [(n, i) for i in range(200)]


# ------------------------------------------------------------------ policy timeouts

class _FreezingProxy(TcpProxy):
    """A TCP proxy in front of the test server that can stop answering (to make the
    client's own policy timeouts fire, without timing anything in the test)."""

    def __init__(self, host, port):
        self.frozen = threading.Event()
        super().__init__(host, port)

    def pump(self, src, dst, to_client):
        while True:
            data = recv(src)
            if not data:
                return
            if self.frozen.is_set():
                continue  # swallowed: the client hears nothing back
            if not send(dst, data):
                return


def test_policy_timeout_raises_timeout_error(aerospike_server):
    proxy = _FreezingProxy(aerospike_server.host, aerospike_server.port)
    cfg = {"hosts": [("127.0.0.1", proxy.port)], "use_services_alternate": False}

    async def body():
        async with aio.client(cfg) as c:
            k = new_key()
            await c.put(k, {"a": 1})
            proxy.frozen.set()
            with pytest.raises(ex.TimeoutError) as info:
                await c.get(k, policy={"total_timeout": 200, "max_retries": 0})
            with pytest.raises(ex.TimeoutError):
                await c.put(k, {"a": 2}, policy={"total_timeout": 200, "max_retries": 0})
            proxy.frozen.clear()
            return info.value

    try:
        exc = run(body())
    finally:
        proxy.close()
    assert exc.code == 9
    assert isinstance(exc, ex.ClientError) or isinstance(exc, ex.AerospikeError)


def test_nothing_grows_over_many_cancelled_commands(config):
    """Cancelled commands free their C side: the process keeps its size."""
    import resource

    async def body(c):
        k = new_key()
        await c.put(k, {"a": "x" * 1000})

        async def round_():
            tasks = [asyncio.ensure_future(c.get(k)) for _ in range(500)]
            await asyncio.sleep(0)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await c._done.wait_idle()

        for _ in range(4):
            await round_()
        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for _ in range(20):
            await round_()
        gc.collect()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        await c.remove(k)
        return after - before

    grown_kb = with_client(config, body)
    assert grown_kb < 20000  # 10 000 cancelled 1 kB answers would be > 10 MB if kept


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_makes_its_own_event_loop(client, config):
    """The C client's event loop thread is not in a forked child: sync and async clients
    made there work and close (instead of waiting for the parent's loop thread)."""
    import aerospike_cffi as sync_module

    k = new_key()
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 only when everything worked
        code = 1
        try:
            c = sync_module.client(config)
            c.put(k, {"child": 1})
            c.close()

            async def body(a):
                return (await a.get(k))[2]

            if with_client(config, body) == {"child": 1}:
                code = 0
        finally:
            os._exit(code)
    for _ in range(600):  # a guard against a hang, not a measurement
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        threading.Event().wait(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the child hung")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert client.get(k)[2] == {"child": 1}
    client.remove(k)
