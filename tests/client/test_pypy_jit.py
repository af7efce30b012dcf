"""PyPy: get() and exists() are compiled by the JIT on their own and called, not inlined,
from the caller's compiled loops (records.py, issue 13: the warm-up of a loop of gets).
The marking goes with the fast reads' scratch pool; these tests keep it wired and show
that it leaves the answers as they were."""

import threading

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi._commands import records
from aerospike_cffi._native import _Scratch, _idle_scratches

try:
    import pypyjit
except ImportError:  # CPython: no JIT, and no marking (the last two tests run the same)
    pypyjit = None


def marked(method):
    """Whether the JIT keeps a cell for ``method``'s start (dont_trace_here makes one)."""
    return pypyjit.get_jitcell_at_key(0, False, method.__code__)


def test_a_fast_read_marks_get_and_exists(client, key):
    client.put(key, {"a": 1})
    del _idle_scratches[:]  # the pool found empty: the next fast read makes a scratch
    assert client.get(key)[2] == {"a": 1}
    if pypyjit is None:
        # Without a JIT the pool's scratches are plain ones: nothing is marked.
        assert records._fast_read_scratch is _Scratch
        return
    assert marked(aerospike.Client.get) and marked(aerospike.Client.exists)
    # Marking again (another scratch for the pool) changes nothing.
    records._fast_read_scratch()
    assert marked(aerospike.Client.get) and marked(aerospike.Client.exists)


def test_answers_from_compiled_and_interpreted_calls_agree(client, key):
    client.put(key, {"i": 7, "s": "seven", "m": {"k": [1, 2]}})
    first = client.get(key), client.exists(key)
    # Enough calls for get and exists to run compiled (traced at their second call after
    # the marking) and for this loop to be compiled around them.
    for _ in range(1200):
        got, found = client.get(key), client.exists(key)
    assert (got, found) == first
    assert got[2] == {"i": 7, "s": "seven", "m": {"k": [1, 2]}}
    client.remove(key)
    assert client.exists(key)[1] is None
    with pytest.raises(aerospike.exception.RecordNotFound):
        client.get(key)


def test_threads_each_making_a_scratch(client, key):
    """Several threads at once: each may find the pool empty and mark again."""
    client.put(key, {"a": 2})
    del _idle_scratches[:]
    answers, start = [], threading.Barrier(4)

    def work():
        start.wait()
        for _ in range(200):
            answers.append(client.get(key)[2])

    pool = [threading.Thread(target=work) for _ in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert answers == [{"a": 2}] * 800
