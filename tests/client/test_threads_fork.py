"""One client shared by many threads, and clients across ``os.fork()``.

The threads test runs a mixed load (put, get, increment, operate, append, exists, batch
read, remove) from 16 threads on one client.  Each thread owns its records and checks that
every read gives back exactly what it last wrote (a reply for another thread's request, or
bytes of two replies mixed, would show as a wrong record), and all threads increment one
shared counter, which must end at the number of acknowledged increments.
``scripts/soak_threads.py`` runs the same workload with 100 000 operations per thread.

THREAD_OPS (environment) sets the operations per thread here (default 150).
"""

import os
import signal
import sys
import threading
import zlib

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations

SET = "cffi_threads"
OPS_PER_THREAD = int(os.environ.get("THREAD_OPS", "150"))


def _payload(tid, n):
    """A value that names its writer and its step, with a checksum of both."""
    text = "t%d-n%d-" % (tid, n) + "x" * (n % 97)
    return {"tid": tid, "n": n, "text": text, "blob": text.encode() * 3,
            "crc": zlib.crc32(text.encode()), "list": [tid, n, text], "map": {"n": n}}


def _check(bins, tid, n):
    assert bins == _payload(tid, n), "record of thread %d step %d is %r" % (tid, n, bins)


def _increment(client, key):
    """Increment ``key``'s counter once: True when acknowledged, None when in doubt (a
    timeout after the command was sent: the server may or may not have applied it).  A
    busy record (a real server refuses writes that queue up on one record) is retried."""
    while True:
        try:
            client.increment(key, "count", 1)
            return True
        except ex.RecordBusy:
            continue
        except ex.TimeoutError as e:
            if e.in_doubt:
                return None
            raise


def run_workload(client, n_threads, ops_per_thread, prefix="w", namespace="test"):
    """Run the mixed workload; return (acknowledged increments, increments in doubt,
    counter value, errors).  The counter must lie between the acknowledged increments
    and those plus the ones in doubt."""
    counter = (namespace, SET, "%s-counter-%d" % (prefix, os.getpid()))
    try:
        client.remove(counter)
    except ex.RecordNotFound:
        pass
    acked = [0] * n_threads
    doubt = [0] * n_threads
    errors = []

    def _count(done, tid):
        if done:
            acked[tid] += 1
        else:
            doubt[tid] += 1

    def worker(tid):
        keys = [(namespace, SET, "%s-%d-%d-%d" % (prefix, os.getpid(), tid, i)) for i in range(4)]
        last = {}  # key index -> step of the last write that was acknowledged
        try:
            for n in range(ops_per_thread):
                i = n % len(keys)
                key = keys[i]
                kind = n % 8
                if kind in (0, 4):
                    client.put(key, _payload(tid, n))
                    last[i] = n
                elif kind == 1:
                    _count(_increment(client, counter), tid)
                elif kind == 2 and i in last:
                    _check(client.get(key)[2], tid, last[i])
                elif kind == 3:
                    _, _, bins = client.operate(key, [
                        operations.write("tid", tid), operations.increment("ops", 1),
                        operations.read("tid")])
                    assert bins == {"tid": tid}
                    _count(_increment(client, counter), tid)
                    client.put(key, _payload(tid, n), policy={  # back to a checkable record
                        "exists": aerospike.POLICY_EXISTS_REPLACE})
                    last[i] = n
                elif kind == 5:
                    present = [j for j in range(len(keys)) if j in last]
                    result = client.batch_read([keys[j] for j in present])
                    assert result.result == 0
                    for j, rec in zip(present, result.batch_records):
                        assert rec.result == 0 and rec.key[2] == keys[j][2]
                        _check(rec.record[2], tid, last[j])
                elif kind == 6 and i in last:
                    assert client.exists(key)[1]["gen"] >= 1
                    client.remove(key)
                    del last[i]
                    with pytest.raises(ex.RecordNotFound):
                        client.get(key)
                elif kind == 7:
                    client.append(key, "tail", "-%d" % n)
                    bins = client.get(key)[2]
                    assert bins["tail"].endswith("-%d" % n)
                    client.put(key, _payload(tid, n), policy={
                        "exists": aerospike.POLICY_EXISTS_REPLACE})
                    last[i] = n
            for i, key in enumerate(keys):
                if i in last:
                    _check(client.get(key)[2], tid, last[i])
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append((tid, repr(e)))
        finally:
            for key in keys:
                try:
                    client.remove(key)
                except ex.AerospikeError:
                    pass

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    value = client.get(counter)[2]["count"] if sum(acked) + sum(doubt) else 0
    try:
        client.remove(counter)
    except ex.RecordNotFound:
        pass
    return sum(acked), sum(doubt), value, errors


@pytest.fixture
def patient_client(aerospike_server):
    """A client whose commands wait up to 20 s: 16 threads on a machine shared with other
    work must not fail on the default 1 s timeout (that would be load, not a bug)."""
    timeouts = {"total_timeout": 20000, "socket_timeout": 20000}
    c = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)],
                          "policies": {kind: dict(timeouts) for kind in (
                              "read", "write", "operate", "batch", "batch_parent_write",
                              "remove")}}).connect()
    yield c
    c.close()


def test_16_threads_share_one_client(patient_client):
    acked, doubt, value, errors = run_workload(patient_client, 16, OPS_PER_THREAD)
    assert errors == []
    assert acked > 0 and acked <= value <= acked + doubt  # no lost (or doubled) increment


def test_threads_each_with_a_batch_write(patient_client):
    # batch_write builds and frees C batch records per call: many at once must not mix.
    client = patient_client
    errors = []

    def worker(tid):
        try:
            keys = [("test", SET, "bw-%d-%d-%d" % (os.getpid(), tid, i)) for i in range(20)]
            for round_ in range(5):
                batch = br.BatchRecords([
                    br.Write(k, [operations.write("v", tid * 1000 + round_ * 100 + i)])
                    for i, k in enumerate(keys)])
                assert client.batch_write(batch).result == 0
                got = client.batch_read(keys)
                for i, rec in enumerate(got.batch_records):
                    assert rec.record[2] == {"v": tid * 1000 + round_ * 100 + i}
            client.batch_remove(keys)
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append((tid, repr(e)))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# ------------------------------------------------------------ fork

fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _in_child(body):
    """Run ``body()`` in a forked child; return its exit status (0 when body returned)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            body()
            code = 0
        except BaseException as e:  # noqa: BLE001 - reported through the exit status
            try:
                sys.stderr.write("child failed: %r\n" % (e,))
                sys.stderr.flush()
            except Exception:  # noqa: BLE001
                pass
        finally:
            os._exit(code)  # no interpreter shutdown in the child: it is a copy
    _, status = os.waitpid(pid, 0)
    return status


@fork_only
def test_child_creates_its_own_client(client, aerospike_server):
    key = ("test", SET, "fork-%d" % os.getpid())
    client.put(key, {"from": "parent"})  # the parent's client is connected and in use

    def child():
        own = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
        own.connect()
        try:
            assert own.get(key)[2] == {"from": "parent"}
            own.put(key, {"from": "child"})
            assert own.get(key)[2] == {"from": "child"}
        finally:
            own.close()

    try:
        assert _in_child(child) == 0
        # The parent's client is untouched by the child's: it reads what the child wrote.
        assert client.get(key)[2] == {"from": "child"}
        assert client.is_connected()
    finally:
        client.remove(key)


@fork_only
def test_children_in_a_row_and_parent_keeps_working(client, aerospike_server):
    keys = [("test", SET, "forks-%d-%d" % (os.getpid(), i)) for i in range(3)]

    def child_for(key):
        def child():
            own = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
            own.connect()
            try:
                own.put(key, {"pid": os.getpid()})
            finally:
                own.close()
        return child

    try:
        for key in keys:
            assert _in_child(child_for(key)) == 0
            client.put(("test", SET, "parent-%d" % os.getpid()), {"ok": 1})
        for key in keys:
            assert client.get(key)[2]["pid"] != os.getpid()
    finally:
        for key in keys + [("test", SET, "parent-%d" % os.getpid())]:
            try:
                client.remove(key)
            except ex.RecordNotFound:
                pass


@fork_only
def test_closing_the_inherited_client_in_a_child_does_not_crash(client):
    """The child's copy of the parent's client has no C client threads: close() there
    forgets it instead of joining them (the official client crashes the child here)."""
    def child():
        client.close()
        assert not client.is_connected()

    assert _in_child(child) == 0
    assert client.is_connected()
    client.put(("test", SET, "after-child-close-%d" % os.getpid()), {"ok": 1})
    client.remove(("test", SET, "after-child-close-%d" % os.getpid()))


@fork_only
def test_locks_held_at_the_fork_are_free_in_the_child(aerospike_server):
    """A thread of the parent inside close() or connect() (the client's lock), or enabling
    metrics (the listeners' table lock), at the moment of the fork: that thread does not
    exist in the child, whose copies of those locks are fresh."""
    from aerospike_cffi._commands import metrics
    from aerospike_helpers.metrics import MetricsListeners, MetricsPolicy

    hosts = {"hosts": [(aerospike_server.host, aerospike_server.port)]}
    parents = aerospike.client(hosts).connect()
    held, release = threading.Event(), threading.Event()

    def holder():
        with parents._lock, metrics._listeners_lock:
            held.set()
            release.wait()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()

    def child():
        signal.alarm(60)  # a lock still held in the child would wait forever
        parents.close()  # takes the client's lock
        own = aerospike.client(hosts).connect()
        try:
            def nothing(*_args):
                return None
            own.enable_metrics(MetricsPolicy(metrics_listeners=MetricsListeners(
                nothing, nothing, nothing, nothing)))  # takes the table's lock
            own.disable_metrics()
        finally:
            own.close()

    try:
        assert _in_child(child) == 0
    finally:
        release.set()
        thread.join()
        parents.close()
