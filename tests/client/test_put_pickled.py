"""put() through pickle (shim_pickle.c): plain bins are stored exactly as the Packer stores
them, and anything else (or bad input) goes the Packer's way, errors and all. The client
takes this path on CPython; the tests force it on PyPy too, so the shim's pickle reader
is checked under both interpreters."""

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import _marshal
from aerospike_cffi._commands import records  # where put() lives
from aerospike_cffi.exception import AerospikeError

from test_record_marshal import PLAIN, same  # noqa: E402 (tests/client on sys.path)



@pytest.fixture(autouse=True)
def pickled_puts(monkeypatch):
    """Puts through pickle for this test, whatever the interpreter's default."""
    monkeypatch.setattr(records, "_PICKLE_BINS", True)


class CallLog:
    """Stands in for the extension module: forwards calls, remembers put answers."""

    def __init__(self, lib):
        self._lib = lib
        self.calls = []

    def __getattr__(self, name):
        fn = getattr(self._lib, name)
        if not name.startswith("shim_put"):
            return fn

        def call(*args):
            rc = fn(*args)
            self.calls.append((name, rc))
            return rc

        return call


@pytest.fixture
def calls(monkeypatch):
    log = CallLog(records.lib)
    monkeypatch.setattr(records, "lib", log)
    # the common put calls shim_put_pickled through a module global (records.py)
    monkeypatch.setattr(records, "_put_pickled", log.shim_put_pickled)
    return log.calls


def stored(client, key):
    """The record as the packed-layout decoder reads it."""
    before = client._marshal_single, client._fast_reads
    client._marshal_single = client._fast_reads = False
    try:
        return client.get(key)[2]
    finally:
        client._marshal_single, client._fast_reads = before


def put_by_packer(client, key, bins, monkeypatch):
    monkeypatch.setattr(records, "_PICKLE_BINS", False)
    try:
        client.put(key, bins)
    finally:
        monkeypatch.setattr(records, "_PICKLE_BINS", True)


EXTRA = [
    {"m": {"b": 1, "a": 2, "c": {"z": 1, "y": [1, 2]}}},            # keys sorted as the C client
    {"m": {2: "x", -1: "y", 10 ** 12: "z"}}, {"m": {b"b": 1, b"a": 2}},
    {"m": {1: "int", "s": "str", b"b": 1, "t": [1]}},                # ranks by type
    {"l": [True, False, None, 1.5, bytearray(b"ba"), [], {}]},
    {"b": bytearray(b"\x00\x01"), "t": True, "f": False},
    {"s": "x" * 40, "u": "é" * 200, "big": list(range(2000)), "n": -2 ** 63, "x": 2 ** 63 - 1},
    {"same": ["shared", "shared", "shared"]},                       # one str object, memoized
    {"blob": b"\x01" * 100000, "s": "y" * 70000, "after": [1, b"z"]},  # written apart by pickle
]


@pytest.mark.parametrize("bins", [{"v": v} for v in PLAIN if v is not None] + EXTRA, ids=repr)
def test_plain_bins_are_stored_as_the_packer_stores_them(client, key, bins, calls, monkeypatch):
    client.put(key, bins)
    assert calls == [("shim_put_pickled", 0)]
    by_pickle = stored(client, key)
    put_by_packer(client, key, bins, monkeypatch)
    assert same(by_pickle, stored(client, key))


def test_shared_containers_are_stored_as_the_packer_stores_them(client, key, calls,
                                                                monkeypatch):
    # pickle_bins' memo refers to a container met twice: the shim leaves it to the Packer;
    # the common put pickles in fast mode (no memo), writing it twice, as the Packer does
    inner = [1, 2]
    for bins in ({"a": inner, "b": inner}, {"a": inner, "m": {"x": inner, "y": [inner]}}):
        del calls[:]
        client.put(key, bins)
        assert calls[-1][1] == 0
        by_pickle = stored(client, key)
        put_by_packer(client, key, bins, monkeypatch)
        assert same(by_pickle, stored(client, key)) and by_pickle["a"] == [1, 2]
    # a cycle: the Packer's error, as before
    cyclic = [1]
    cyclic.append(cyclic)
    with pytest.raises(RecursionError):
        client.put(key, {"c": cyclic})
    client.put(key, {"ok": 1})  # and the next put is whole
    assert stored(client, key)["ok"] == 1


def test_subclasses_go_to_the_packer(client, key, calls):
    for bins in ({"k": aerospike.KeyOrderedDict({"b": 1, "a": 2})},
                 {"g": aerospike.GeoJSON({"type": "Point", "coordinates": [1.0, 2.0]})},
                 {"n": float("nan"), "m": {float("nan"): 1}}):
        del calls[:]
        client.put(key, bins)
        assert calls[-1] == ("shim_put", 0)


@pytest.mark.parametrize("bins", [
    {"i": 2 ** 63}, {"l": [-2 ** 63 - 1]}, {"a" * 16: 1}, {1: "not a str name"},
    {"s": "\ud800"}, {"m": {"k": "\udfff"}}, {"t": (1, 2)}, {"s": {1, 2}},
])
def test_bad_bins_fail_as_with_the_packer(client, key, bins, monkeypatch):
    with pytest.raises(AerospikeError) as by_pickle:
        client.put(key, bins)
    monkeypatch.setattr(records, "_PICKLE_BINS", False)
    with pytest.raises(AerospikeError) as by_packer:
        client.put(key, bins)
    assert type(by_pickle.value) is type(by_packer.value)
    assert by_pickle.value.args == by_packer.value.args


def test_bad_bins_are_reported_before_bad_meta(client, key, monkeypatch):
    bins, meta = {"i": 2 ** 64}, {"gen": "not an int"}
    with pytest.raises(AerospikeError) as by_pickle:
        client.put(key, bins, meta)
    monkeypatch.setattr(records, "_PICKLE_BINS", False)
    with pytest.raises(AerospikeError) as by_packer:
        client.put(key, bins, meta)
    assert by_pickle.value.args == by_packer.value.args


def test_pickle_refuses_without_running_user_code():
    class Sneaky:
        def __reduce_ex__(self, protocol):
            raise AssertionError("user code ran")

    assert _marshal.pickle_bins({"x": [Sneaky()]}) is None
    assert _marshal.pickle_bins({"x": [1]}) is not None


def _deep(levels, leaf):
    top = cur = []
    for _ in range(levels):
        nxt = []
        cur.append(nxt)
        cur = nxt
    cur.append(leaf)
    return top


@pytest.mark.parametrize("bad", [
    {"f": frozenset([1])}, {"d": _deep(60, frozenset([2]))}, {"d": _deep(60, object())},
    {"m": {"k": _deep(55, {1, 2})}},
], ids=["frozenset", "deep-frozenset", "deep-object", "deep-set"])
def test_a_dump_cut_short_leaves_the_next_put_whole(client, key, bad, monkeypatch):
    """The common put's pickler runs in fast mode, which keeps a nesting count (and, past 50
    levels, a memo) that a dump cut short leaves behind: the scratch gets a new pickler,
    the bins go the Packer's way, and the next puts are whole."""
    try:
        client.put(key, bad)
        by_pickle = None, stored(client, key)
    except AerospikeError as exc:
        by_pickle = (type(exc), exc.args), None
    monkeypatch.setattr(records, "_PICKLE_BINS", False)
    try:
        client.put(key, bad)
        by_packer = None, stored(client, key)
    except AerospikeError as exc:
        by_packer = (type(exc), exc.args), None
    monkeypatch.setattr(records, "_PICKLE_BINS", True)
    assert by_pickle[0] == by_packer[0] and same(by_pickle[1], by_packer[1])
    for i in range(3):
        good = {"ok": [i, {"a": _deep(10, i)}]}
        client.put(key, good)
        assert same(stored(client, key)["ok"], good["ok"])
