"""PyPy: batch_read is compiled as three functions of their own (add_reads and read_page
once their loops run compiled, then Client.batch_read), marked in two steps after the
first batch_reads (_batch.py, issue 13: batch_read's warm-up). These tests keep the steps
wired, show that they leave the answers as they were, and that a batch_read runs no
import machinery per call."""

import sys
import threading

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import _batch, _marshal

from jit_records import marked, records_at  # (tests/)

try:
    import pypyjit
except ImportError:  # CPython: no JIT, and no steps (the answers are checked the same)
    pypyjit = None

SET = "jitbatch"


@pytest.fixture
def keys(client):
    """20 records of a few bin types (int, str, float, bytes, map, list), removed after."""
    yield from records_at(client, [("test", SET, i) for i in range(20)])


@pytest.fixture
def fresh_steps(monkeypatch):
    """The marking steps as in a fresh process, due after 20 keys."""
    monkeypatch.setattr(_batch, "_jit_stages", list(_batch.JIT_STEPS))
    monkeypatch.setattr(_batch, "_read_so_far", [0, 0])
    monkeypatch.setattr(_batch, "_MARK_AFTER_KEYS", 20)


def answers(batch):
    return [(r.key, r.result, r.record) for r in batch.batch_records]


def test_steps_after_the_keys_then_the_next_call(client, keys, fresh_steps):
    first = answers(client.batch_read(keys[:10]))
    if pypyjit is None:
        assert _batch.JIT_STEPS == () and _batch._jit_stages == []
    else:
        assert len(_batch._jit_stages) == 2 and _batch._read_so_far == [10, 1]
        client.batch_read(keys[10:])  # 20 keys read: add_reads and read_page marked
        assert len(_batch._jit_stages) == 1
        assert marked(_batch.BatchCall.add_reads)
        assert marked(_marshal.PageUnpacker.read_page)
        client.batch_read(keys[:1])  # the next call: Client.batch_read marked
        assert _batch._jit_stages == []
        assert marked(aerospike.Client.batch_read)
    # Enough calls for the marked functions to run compiled and for this loop to be
    # compiled around them: the same answers as the first (interpreted) call's.
    for _ in range(1200):
        batch = client.batch_read(keys[:10])
    assert answers(batch) == first
    assert first[3][2][2] == {"i": 3, "s": "v3", "f": 1.5, "b": b"\x01" * 3,
                              "m": {"a": 3, "b": "two"}, "l": [3, "x", 1.5]}


def test_few_keys_marked_after_the_calls(client, keys, fresh_steps, monkeypatch):
    """Batches of few keys take the first step after _MARK_AFTER_CALLS calls."""
    monkeypatch.setattr(_batch, "_MARK_AFTER_CALLS", 5)
    for _ in range(4):
        client.batch_read(keys[:1])
    assert len(_batch._jit_stages) == len(_batch.JIT_STEPS)
    client.batch_read(keys[:1])
    assert len(_batch._jit_stages) == max(0, len(_batch.JIT_STEPS) - 1)


def test_steps_taken_by_threads_at_once(client, keys, fresh_steps):
    """Several threads may take a step at once: each step is taken once, no error."""
    start, errors, got = threading.Barrier(4), [], []

    def work():
        start.wait()
        try:
            for _ in range(30):
                got.append(answers(client.batch_read(keys[:5])))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    pool = [threading.Thread(target=work) for _ in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == [] and _batch._jit_stages == []
    assert got == [got[0]] * 120


def test_no_import_machinery_per_call(client, keys):
    """A batch_read after the first runs no importlib code (PyPy ran its _find_and_load
    and module lock on every call for an import statement in BatchCall.__init__)."""
    client.batch_read(keys)
    seen = []

    def profile(frame, event, _arg):
        if event == "call" and "importlib" in frame.f_code.co_filename:
            seen.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        client.batch_read(keys)
    finally:
        sys.setprofile(None)
    assert seen == []
