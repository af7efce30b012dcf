"""batch_read's keys packed by the shim from their pickle (BatchCall.add_plain_reads,
_shim/shim_batch_keys.c, CPython's path): the same packed records as add_reads writes,
the user's key tuples kept for the returned keys, and every key add_reads would not take
as it is left to Python (which then answers as before)."""

import io
import pickle
import platform

import pytest

from aerospike_cffi import _batch, _marshal
from aerospike_cffi.exception import ParamError

PLAIN_KEYS = [
    [("test", "cffi", 1)],
    [("test", "cffi", 0), ("test", "cffi", -1), ("test", "cffi", 255), ("test", "cffi", 256),
     ("test", "cffi", 65535), ("test", "cffi", 65536), ("test", "cffi", -(1 << 31)),
     ("test", "cffi", (1 << 31) - 1), ("test", "cffi", 1 << 31), ("test", "cffi", -(1 << 63)),
     ("test", "cffi", (1 << 63) - 1)],
    [("test", "cffi", ""), ("test", "cffi", "é ü 中 \U0001f600"), ("test", "cffi", "x" * 300),
     ("test", "cffi", "y" * 70000)],
    [("test", None, 5), ("bar", "s" * 63, "k"), ("n" * 31, "cffi", 2)],
    # past the pickler's batches of 1000 items (MARK ... APPENDS, a last single APPEND)
    [("test", "cffi", i if i % 2 else "k%d" % i) for i in range(2001)],
]

# Keys add_reads does not take as they are (key_parts' slow path or an error).
NOT_PLAIN = [
    ("test", "cffi", True),
    ("test", "cffi", b"bytes"),
    ("test", "cffi", bytearray(b"blob")),
    ("test", "cffi", 1 << 63),
    ("test", "cffi", -(1 << 63) - 1),
    ("test", "", 1),
    ("test", "s" * 64, 1),
    ("n" * 32, "cffi", 1),
    ("", "cffi", 1),
    ("test", "cffi", None),
    ("test", "cffi", None, bytearray(20)),
    ("test", "cffi"),
    ["test", "cffi", 1],
    ("test", "cffi", "\ud800"),
    ("test", "cffi", 1.5),
    ("test", 5, 1),
    (type("S", (str,), {})("test"), "cffi", 1),
    ("test", "cffi", type("I", (int,), {})(3)),
    {"ns": "test", "set": "cffi", "key": 1},
]


@pytest.fixture(autouse=True)
def keys_pickled_on_pypy_too(monkeypatch):
    """PyPy's batch_read keeps add_reads (its pure-Python pickler is slower than the
    JIT-compiled loop, and the plain pickler there refuses tuples), but the shim's packing
    is the same C on both: on PyPy these tests hand it the keys' pickle from a fast-mode
    pickler of the standard library (the same opcodes as CPython's C pickler)."""
    if platform.python_implementation() == "CPython":
        return

    def pickle_keys(keys):
        out = io.BytesIO()
        pickler = pickle.Pickler(out, 5)
        pickler.fast = True
        try:
            pickler.dump(keys)
        except Exception:  # noqa: BLE001 - as pickle_ops: not plain, add_reads decides
            return None
        return out.getvalue()

    monkeypatch.setattr(_marshal, "pickle_ops", pickle_keys)


def read_body(bins=None):
    return _batch.BatchCall.read_body(bins, read_all=bins is None)


@pytest.mark.parametrize("keys", PLAIN_KEYS, ids=lambda k: "%d keys" % len(k))
@pytest.mark.parametrize("bins", [None, ["a", "b"], []], ids=repr)
def test_plain_keys_packed_as_add_reads_packs_them(client, keys, bins):
    body = read_body(bins)
    in_c = _batch.BatchCall(client)
    assert in_c.add_plain_reads(keys, body)
    in_python = _batch.BatchCall(client)
    in_python.add_reads(keys, body)
    assert b"".join(in_c.parts) == b"".join(in_python.parts)
    assert in_c.count == in_python.count == len(keys)
    assert in_c.keys == keys and all(a is b for a, b in zip(in_c.keys, keys))
    assert in_c.keys is not keys  # a copy: the async client decodes after the user resumes
    assert [tuple(k[-3:]) for k in in_python.keys] == keys


@pytest.mark.parametrize("key", NOT_PLAIN, ids=repr)
def test_other_keys_left_to_python(client, key):
    call = _batch.BatchCall(client)
    keys = [("test", "cffi", 1), key, ("test", "cffi", 2)]
    assert not call.add_plain_reads(keys, read_body())
    assert call.parts == [] and call.keys == [] and call.count == 0


def test_batch_read_answers_the_same_either_way(client, monkeypatch):
    keys = [("test", "cffi", "bk-%d" % i) for i in range(3)] + [("test", None, "bk-none")]
    client.put(keys[0], {"a": 1})
    client.put(keys[3], {"b": "x"})
    try:
        first = client.batch_read(keys)
        monkeypatch.setattr(_batch, "_PACK_KEYS_IN_C", not _batch._PACK_KEYS_IN_C)
        second = client.batch_read(keys)
        for one, two in zip(first.batch_records, second.batch_records):
            assert one.key == two.key and one.result == two.result
            assert one.record == two.record
            assert one.key[:3] == two.key[:3]
        found = first.batch_records[0]
        assert found.key[:3] == keys[0] and found.record[2] == {"a": 1}
        assert first.batch_records[3].key[1] is None
        assert first.batch_records[1].result == 2 and first.batch_records[1].record is None
    finally:
        client.remove(keys[0])
        client.remove(keys[3])


@pytest.mark.parametrize("key, message", [
    (("test", "cffi", 1 << 63), "failed to convert key at index: 1 -> integer value for KEY "
                                "exceeds sys.maxsize"),
    (("test", "cffi"), "failed to convert key at index: 1 -> key tuple must be (Namespace, "
                       "Set, Key) or (Namespace, Set, None, Digest)"),
])
def test_bad_key_still_the_official_error(client, key, message):
    with pytest.raises(ParamError) as info:
        client.batch_read([("test", "cffi", 1), key])
    assert info.value.msg == message


def test_cut_or_damaged_pickles_refused():
    """Every prefix of a key list's pickle, and the pickle with a byte changed, answers -1
    or a whole packing (never reads past the input)."""
    import random

    from aerospike_cffi._native import lib, scratch

    keys = [("test", "cffi", 1), ("test", None, "k"), ("test", "cffi", -(1 << 40))]
    pickled = _marshal.pickle_ops(keys)
    out = scratch()[1]
    assert lib.shim_batch_pack_keys(pickled, len(pickled), b"", 0, out) == 3
    for n in range(len(pickled)):
        cut = pickled[:n]
        assert lib.shim_batch_pack_keys(cut, n, b"", 0, out) == -1
    rng = random.Random(13)
    for _ in range(2000):
        damaged = bytearray(pickled)
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        assert lib.shim_batch_pack_keys(bytes(damaged), len(damaged), b"", 0, out) in (-1, 3)
