"""close() while other threads are inside commands of every kind.

A command that is inside the C client when close() comes ends as it would have (its
connection is destroyed by the last command out, see Client._reap); a command that starts
after close() raises ClusterError (code 11), as the official's closed client does. Nothing
crashes and nothing touches freed C memory (scripts/asan.sh runs this file under
AddressSanitizer, where a use after free aborts the process).

CLOSE_ROUNDS (environment) sets the close/connect rounds (default 12).
"""

import os
import threading

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers.operations import operations

SET = "cffi_close_race"
ROUNDS = int(os.environ.get("CLOSE_ROUNDS", "12"))
THREADS = 8


def _commands(client, tid):
    """(name, callable) of every command kind, on this thread's own records."""
    keys = [("test", SET, "c-%d-%d-%d" % (os.getpid(), tid, i)) for i in range(3)]
    key = keys[0]

    def query():
        q = client.query("test", SET)
        q.select("n")
        return q.results()

    return [
        ("put", lambda: client.put(key, {"n": 1, "s": "x" * 20})),
        ("get", lambda: client.get(key)),
        ("select", lambda: client.select(key, ["n"])),
        ("exists", lambda: client.exists(key)),
        ("increment", lambda: client.increment(key, "n", 1)),
        ("append", lambda: client.append(key, "s", "y")),
        ("touch", lambda: client.touch(key, 100)),
        ("operate", lambda: client.operate(key, [operations.increment("n", 1),
                                                 operations.read("n")])),
        ("operate_ordered", lambda: client.operate_ordered(key, [operations.read("n")])),
        ("remove_bin", lambda: client.remove_bin(keys[1], ["s"])),
        ("put2", lambda: client.put(keys[1], {"n": 2, "s": "z"})),
        ("batch_read", lambda: client.batch_read(keys)),
        ("batch_read_bins", lambda: client.batch_read(keys, ["n"])),
        ("batch_operate", lambda: client.batch_operate(keys[1:], [operations.read("n")])),
        ("scan", lambda: client.scan("test", SET).results({"total_timeout": 5000})),
        ("query", query),
        ("foreach", lambda: client.scan("test", SET).foreach(lambda rec: None)),
        ("info_all", lambda: client.info_all("namespaces")),
        ("info_random_node", lambda: client.info_random_node("build")),
        ("get_nodes", lambda: client.get_nodes()),
        ("udf_list", lambda: client.udf_list()),
        ("admin", lambda: client.admin_query_users_info()),
        ("is_connected", lambda: client.is_connected()),
        ("get_stats", lambda: client.get_stats()),
        ("remove", lambda: client.remove(keys[2])),
        ("put3", lambda: client.put(keys[2], {"n": 3})),
    ]


def _normal_errors(client):
    """The exception class each command raises on an open client, if any (admin on a
    server without security, a remove of a missing record...): those stay allowed."""
    normal = {}
    for name, call in _commands(client, 99):
        try:
            call()
        except ex.AerospikeError as e:
            normal[name] = type(e)
    return normal


def _allowed(name, exc, normal):
    if isinstance(exc, ex.ClusterError) and exc.code == 11:
        return True  # the closed client's error
    if isinstance(exc, (ex.RecordNotFound, ex.TimeoutError, ex.ConnectionError)):
        return True  # a removed record; a loaded machine
    if isinstance(exc, ex.RecordBusy):
        return True
    return name in normal and isinstance(exc, normal[name])


def _hammer(client, rounds):
    """Run every command kind on THREADS threads while the main thread closes and
    connects again ``rounds`` times; return (unexpected errors, completed calls,
    closed-client errors)."""
    normal = _normal_errors(client)
    stop = threading.Event()
    unexpected = []
    done = [0] * THREADS
    closed = [0] * THREADS
    progress = threading.Semaphore(0)

    def worker(tid):
        commands = _commands(client, tid)
        n = 0
        while not stop.is_set():
            name, call = commands[n % len(commands)]
            n += 1
            try:
                call()
                done[tid] += 1
            except Exception as e:  # noqa: BLE001 - judged below
                if isinstance(e, ex.ClusterError) and e.code == 11:
                    closed[tid] += 1
                elif not _allowed(name, e, normal):
                    unexpected.append((name, repr(e)))
            if n % 8 == 0:
                progress.release()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    try:
        for _ in range(rounds):
            for _ in range(THREADS):  # let commands get going on the open client
                progress.acquire()
            client.close()
            for _ in range(THREADS):  # and run into the closed one
                progress.acquire()
            client.connect()
    finally:
        stop.set()
        for t in threads:
            t.join()
    return unexpected, sum(done), sum(closed)


@pytest.fixture
def own_client(aerospike_server):
    c = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)],
                          "policies": {"read": {"total_timeout": 5000},
                                       "write": {"total_timeout": 5000}}}).connect()
    yield c
    c.close()


def test_close_while_threads_run_every_command_kind(own_client):
    unexpected, done, closed = _hammer(own_client, ROUNDS)
    assert unexpected == []
    assert done > 0 and closed > 0
    # Every closed connection was destroyed once its last command was out.
    assert own_client._retired == []
    # The client works after the last connect(), from any thread.
    key = ("test", SET, "after-%d" % os.getpid())
    own_client.put(key, {"ok": 1})
    assert own_client.get(key)[2] == {"ok": 1}
    own_client.remove(key)


def test_close_from_many_threads_at_once(own_client):
    """Several threads closing (and one connecting) at the same time destroy each
    connection once."""
    key = ("test", SET, "many-close-%d" % os.getpid())
    for _ in range(ROUNDS):
        own_client.put(key, {"n": 1})
        barrier = threading.Barrier(6)
        errors = []

        def closer():
            barrier.wait()
            try:
                own_client.close()
                own_client.get(key)
            except ex.ClusterError as e:
                assert e.code == 11
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=closer) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert not own_client.is_connected()
        assert own_client._retired == []
        own_client.connect()
    own_client.remove(key)


def test_command_after_close_raises_cluster_error(own_client):
    own_client.close()
    key = ("test", SET, "closed")
    for call in (lambda: own_client.get(key), lambda: own_client.put(key, {"a": 1}),
                 lambda: own_client.batch_read([key]),
                 lambda: own_client.scan("test", SET).results(),
                 lambda: own_client.info_all("build")):
        with pytest.raises(ex.ClusterError) as info:
            call()
        assert info.value.code == 11
    assert own_client.is_connected() is False
