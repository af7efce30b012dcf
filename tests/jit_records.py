"""What the PyPy JIT-marking tests of batch_read share (tests/client/test_pypy_jit_batch.py
and tests/aio/test_aio_pypy_jit_batch.py): whether a function is marked, and the records
they read."""

try:
    import pypyjit
except ImportError:  # CPython: no JIT, nothing is ever marked
    pypyjit = None


def marked(function):
    """Whether the JIT keeps a cell for ``function``'s start (dont_trace_here makes one)."""
    return pypyjit.get_jitcell_at_key(0, False, function.__code__)


def records_at(client, keys):
    """A fixture's body: a record of a few bin types (int, str, float, bytes, map, list) at
    each of ``keys``, yielded, then removed."""
    for i, key in enumerate(keys):
        client.put(key, {"i": i, "s": "v%d" % i, "f": i / 2, "b": b"\x01" * i,
                         "m": {"a": i, "b": "two"}, "l": [i, "x", 1.5]})
    yield keys
    for key in keys:
        client.remove(key)
