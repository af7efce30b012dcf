"""The marshal form of records (shim_marshal.c): every value reads back exactly as the
Python decoder of the packed layout reads it, and values it cannot express fall back to
that layout. The client uses the form on CPython; the tests force it on PyPy too (marshal
reads the same bytes there), so the shim's writer is checked under both interpreters."""

import math

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi._native import scratch



@pytest.fixture(autouse=True)
def marshal_form(client):
    """Records in marshal form for this test, whatever the interpreter's default."""
    before = client._marshal_records
    client._marshal_records = True
    yield
    client._marshal_records = before

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


def both_forms(client, read):
    """(result in marshal form, the output's is_marshal: 0 when it was not, result from the
    packed layout)."""
    first = read()
    form = scratch()[1].is_marshal
    client._marshal_records = False
    try:
        packed = read()
        assert not scratch()[1].is_marshal
    finally:
        client._marshal_records = True
    return first, form, packed


@pytest.mark.parametrize("value", PLAIN + FALLBACK, ids=repr)
def test_get_reads_the_same_in_both_forms(client, key, value):
    client.put(key, {"v": value, "i": 7})
    (_, meta, bins), used_marshal, (_, meta2, bins2) = both_forms(
        client, lambda: client.get(key))
    assert used_marshal == any(value is v for v in PLAIN)
    assert same(bins, bins2) and meta == meta2
    assert same(client.select(key, ["v"])[2], {"v": bins2["v"]})


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
