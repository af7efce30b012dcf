"""The marshal form of records (shim_marshal.c): every value reads back exactly as the
Python decoder of the packed layout reads it, and values it cannot express fall back to
that layout. The client uses the form for single records on both interpreters (batch and
stream pages: CPython only; test_page_marshal.py)."""

import math

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi._commands import records
from aerospike_cffi._native import scratch


@pytest.fixture(autouse=True)
def marshal_form(client):
    """Records in marshal form for this test, whatever the interpreter's default."""
    # Single records (_marshal_single) and, for test_page_marshal, batch/stream pages.
    before = client._marshal_single, client._marshal_records
    client._marshal_single = client._marshal_records = True
    yield
    client._marshal_single, client._marshal_records = before

PLAIN = [
    0, 1, -1, 127, 128, 255, 256, -32, -33, -128, -129, 65535, 65536, -32768, -32769,
    2 ** 31 - 1, 2 ** 31, -2 ** 31, -2 ** 31 - 1, 2 ** 32, 2 ** 62, 2 ** 63 - 1, -2 ** 63,
    0.0, -0.0, 1.5, -2.25, 1e300, float("inf"), float("-inf"), float("nan"),
    "", "a", "value-1", "é", "日本語", "😀 ok", "x" * 300, "é" * 300,
    b"", b"\x00\xff", b"\x01" * 1000, True, False,
    [], [1, "a", 2.5, b"x", None, True], [[1, [2, [3, []]]], {"k": [1]}],
    {}, {"a": 1, "b": "two", "c": 3.0}, {1: "x", 2: "y", 300: "z"}, {-5: 1, 7: 2},
    {b"k": 1, b"l": 2}, {-7: 2.5, 9: 3}, {"n": {"m": {"o": [1, 2]}}}, {"": None},
    {"é": 1, "日": 2}, list(range(100)), {str(i): i for i in range(50)},
]

FALLBACK = [
    {1: "int", "s": "str"},                          # keys of mixed types: the decoder sorts
    aerospike.KeyOrderedDict({"b": 1, "a": 2}),
    aerospike.GeoJSON({"type": "Point", "coordinates": [1.0, 2.0]}),
    [aerospike.GeoJSON({"type": "Point", "coordinates": [1.0, 2.0]})],
]


def same(a, b):
    """Equal, with the same types all the way down (float nan and -0.0 included)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return (list(a) == list(b) and all(same(k, j) for k, j in zip(a, b)) and
                all(same(a[k], b[k]) for k in a))
    return a == b


class _SpyLib:
    """The extension's lib, with the answers of the fast reads (shim_*_m) recorded."""

    def __init__(self, lib):
        self._lib, self.answers = lib, []

    def __getattr__(self, name):
        func = getattr(self._lib, name)
        if not name.endswith("_m"):
            return func
        return self.wrap(func)

    def wrap(self, func):
        def call(*args):
            rc = func(*args)
            self.answers.append(rc)
            return rc

        return call


def fast_form(client, read, monkeypatch):
    """(result of the fast read, shim_*_m's / shim_*_f's answer: 0 (operate) or at least
    SHIM_FOUND (get, exists: ttl and gen in it) marshal form in the scratch's buffer,
    SHIM_PACKED packed layout)."""
    spy = _SpyLib(records.lib)
    monkeypatch.setattr(records, "lib", spy)
    # get and exists call shim_get_f / shim_exists_f through module globals (records.py)
    for name in ("_get_f", "_get_fi", "_exists_f"):
        monkeypatch.setattr(records, name, spy.wrap(getattr(records, name)))
    try:
        result = read()
    finally:
        monkeypatch.undo()
    assert spy.answers, "the fast read was not taken"
    return result, spy.answers[-1]


def both_forms(client, read):
    """(result in marshal form, the output's is_marshal: 0 when it was not, result from the
    packed layout); CPython's fast reads (shim_*_m) left out."""
    fast = client._fast_reads
    client._fast_reads = False
    try:
        return _both_forms(client, read)
    finally:
        client._fast_reads = fast


def _both_forms(client, read):
    first = read()
    form = scratch()[1].is_marshal
    # Single records (_marshal_single) and batch/stream pages (_marshal_records, used by
    # test_page_marshal) both in the packed layout.
    before = client._marshal_single, client._marshal_records
    client._marshal_single = client._marshal_records = False
    try:
        packed = read()
        assert not scratch()[1].is_marshal
    finally:
        client._marshal_single, client._marshal_records = before
    return first, form, packed


@pytest.mark.parametrize("value", PLAIN + FALLBACK, ids=repr)
def test_get_reads_the_same_in_both_forms(client, key, value):
    client.put(key, {"v": value, "i": 7})
    (_, meta, bins), used_marshal, (_, meta2, bins2) = both_forms(
        client, lambda: client.get(key))
    assert used_marshal == any(value is v for v in PLAIN)
    assert same(bins, bins2) and meta == meta2
    assert same(client.select(key, ["v"])[2], {"v": bins2["v"]})


@pytest.mark.parametrize("value", PLAIN + FALLBACK, ids=repr)
def test_fast_get_reads_the_same_as_the_packed_layout(client, key, value, monkeypatch):
    client.put(key, {"v": value, "i": 7})
    (k, meta, bins), answer = fast_form(client, lambda: client.get(key), monkeypatch)
    _, (k2, meta2, bins2) = both_forms(client, lambda: client.get(key))[1:]
    plain = any(value is v for v in PLAIN)
    if plain:
        assert answer >= aerospike_lib().SHIM_FOUND
    else:
        assert answer == aerospike_lib().SHIM_PACKED
    assert same(bins, bins2) and meta == meta2 and k == k2 and type(k[3]) is bytearray
    assert list(meta) == ["ttl", "gen"]


def test_fast_get_of_a_record_larger_than_the_thread_buffer(client, key, monkeypatch):
    client.put(key, {"big": "x" * 100000, "small": 1})
    (k, meta, bins), answer = fast_form(client, lambda: client.get(key), monkeypatch)
    assert answer == aerospike_lib().SHIM_MARSHAL_HEAP
    assert bins == {"big": "x" * 100000, "small": 1} and meta["gen"] >= 1
    # the next answer is back in the thread's buffer
    client.put(key, {"big": None})
    (k2, _, bins), answer = fast_form(client, lambda: client.get(key), monkeypatch)
    assert answer >= aerospike_lib().SHIM_FOUND and bins == {"small": 1} and k2 == k


@pytest.mark.parametrize("pk", [7, 0, -1, -2 ** 63, 2 ** 63 - 1])
def test_fast_get_of_an_int_key(client, key, pk, monkeypatch):
    """An int key goes through shim_get_fi (three arguments fewer, issue 13): the same
    answers as a str key's shim_get_f, in every form the answer can take."""
    k = (key[0], key[1], pk)
    seen = []
    client.put(k, {"v": pk, "s": "x"})
    # (a MonkeyPatch of its own: fast_form undoes the fixture's after each read)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(records, "_get_f", lambda *a: seen.append(a))  # must not be used
        read_int_key(client, k, key, pk, monkeypatch)
    with pytest.raises(aerospike.exception.RecordNotFound):
        client.get(k)
    assert not seen


def read_int_key(client, k, key, pk, monkeypatch):
    try:
        (k1, meta, bins), answer = fast_form(client, lambda: client.get(k), monkeypatch)
        assert answer >= aerospike_lib().SHIM_FOUND and bins == {"v": pk, "s": "x"}
        assert k1[:3] == (key[0], key[1], None) and len(k1[3]) == 20 and meta["gen"] == 1
        client.put(k, {"g": aerospike.GeoJSON({"type": "Point", "coordinates": [1, 2]})})
        (k2, meta, bins), answer = fast_form(client, lambda: client.get(k), monkeypatch)
        assert answer == aerospike_lib().SHIM_PACKED and k2 == k1 and meta["gen"] == 2
        client.put(k, {"big": "x" * 100000, "g": None})
        (k3, meta, bins), answer = fast_form(client, lambda: client.get(k), monkeypatch)
        assert answer == aerospike_lib().SHIM_MARSHAL_HEAP and k3 == k1
        assert bins == {"v": pk, "s": "x", "big": "x" * 100000} and meta["gen"] == 3
    finally:
        client.remove(k)


def test_fast_exists_and_operate(client, key, monkeypatch):
    from aerospike_helpers.operations import operations

    missing = (key[0], key[1], "no-such-record-fast")
    (k, meta), answer = fast_form(client, lambda: client.exists(missing), monkeypatch)
    assert meta is None and answer == 2 and len(k[3]) == 20 and k[2] == missing[2]
    client.put(key, {"n": 1})
    (k, meta), answer = fast_form(client, lambda: client.exists(key), monkeypatch)
    assert answer >= aerospike_lib().SHIM_FOUND
    assert meta == both_forms(client, lambda: client.exists(key))[0][1]
    assert meta == {"ttl": (answer >> 16) & 0xFFFFFFFF, "gen": answer & 0xFFFF}
    ops = [operations.increment("n", 1), operations.read("n")]
    (k, meta, bins), answer = fast_form(client, lambda: client.operate(key, ops), monkeypatch)
    assert answer == 0 and bins == {"n": 2} and list(meta) == ["ttl", "gen"]
    # a write-only operate: the record's meta, no bins (as the official)
    ops = [operations.write("w", 1)]
    (k, meta, bins), answer = fast_form(client, lambda: client.operate(key, ops), monkeypatch)
    old = both_forms(client, lambda: client.operate(key, ops))[0]
    assert answer == 0 and bins == {} and k == old[0] and meta["gen"] == old[1]["gen"] - 1


def aerospike_lib():
    from aerospike_cffi._native import lib

    return lib


def test_operate_results_in_both_forms(client, key):
    from aerospike_helpers.operations import list_operations, map_operations, operations

    client.put(key, {"l": [3, 1, 2], "m": {"x": 1, "y": 2}})
    ops = [list_operations.list_get_by_index_range("l", 0, aerospike.LIST_RETURN_VALUE, 2),
           map_operations.map_size("m"), operations.read("m")]
    result, used_marshal, packed = both_forms(client, lambda: client.operate(key, ops))
    assert used_marshal
    assert same(result[1:], packed[1:]) and result[0] == packed[0]


def test_a_deserializer_gets_every_blob(client, key):
    client.put(key, {"b": b"\x01\x02"})
    aerospike.set_deserializer(lambda data: ("seen", data))
    try:
        bins = client.get(key)[2]
        assert not scratch()[1].is_marshal
    finally:
        aerospike.unset_serializers()
    assert bins["b"][0] == "seen"


@pytest.mark.parametrize("bad, message", [
    ((["test"], "cffi", 1), "namespace must be a string"),
    (("test", {}, 1), "set must be a string"),
    (("test", "cffi", 2 ** 63), "integer value for KEY exceeds sys.maxsize"),
    (("test", "cffi", -2 ** 63 - 1), "integer value for KEY exceeds sys.maxsize"),
    (("test", "cffi", [1]), "key is invalid"),
    (("test", "cffi"), "key tuple must be (Namespace, Set, Key) or "
                       "(Namespace, Set, None, Digest)"),
], ids=repr)
def test_fast_paths_reject_bad_keys_as_key_parts(client, bad, message):
    """get/exists/put write key_parts' common case out (records.py); whatever it does not
    take goes to key_parts, and an int key beyond int64 is caught at the shim call."""
    from aerospike_cffi import _native
    from aerospike_cffi.exception import ParamError

    for call in (client.get, client.exists, lambda k: client.put(k, {"a": 1})):
        idle = len(_native._idle_scratches)
        with pytest.raises(ParamError) as exc:
            call(bad)
        assert exc.value.msg == message
        assert len(_native._idle_scratches) >= idle  # no scratch lost to the error


def test_fast_paths_keys_and_meta(client, key):
    """The fast paths return the key as key_parts' general path does (str, int, empty
    set) and meta from the shim's answer (ttl, gen)."""
    ns, set_name, _ = key
    client.put(key, {"a": 1})  # the fast put
    client.put(key, {"a": 2}, meta={"ttl": 1000})
    k, meta, bins = client.get(key)
    assert k[:3] == (ns, set_name, None) and bins == {"a": 2}
    assert meta["gen"] == 2 and 0 < meta["ttl"] <= 1000 and list(meta) == ["ttl", "gen"]
    assert client.exists(key) == (key + (k[3],), meta)
    for pk in (7, -2 ** 63, 2 ** 63 - 1, "s-é"):
        k2 = (ns, set_name, pk)
        client.put(k2, {"v": pk})
        try:
            assert client.get(k2)[2] == {"v": pk} and client.exists(k2)[0][2] == pk
        finally:
            client.remove(k2)
    assert client.exists((ns, "", "no-such-fast"))[0][:3] == (ns, None, "no-such-fast")
