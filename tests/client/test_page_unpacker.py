"""_marshal.PageUnpacker, the decoder of records callers keep (batch results, scan and query
pages): the same values, types and order as Unpacker's, with PyPy's compact dicts for bins,
str-keyed maps and meta (_marshal.small_dict, record_meta) that behave as any dict."""

import copy
import json
import pickle
import struct

import pytest
from test_record_marshal import FALLBACK, PLAIN, same

import aerospike_cffi as aerospike
from aerospike_cffi import _marshal

MORE = [
    {"k%02d" % i: i for i in range(16)},                 # the largest small dict
    {"k%02d" % i: i for i in range(17)},                 # one more: a plain dict at once
    {"b": 1, "a": 2, "c": 3},                            # out of order: sorted, as Unpacker
    {"a": 1, 2: "b"},                                    # a str key first, then an int
    {"x": [{"y": {"z": 1}}]},
    {"a": None, "b": True, "c": [], "d": {}},
]


def record_buffer(bins, gen=3, ttl=400):
    """A record in the packed layout Unpacker.record reads (after a 20-byte digest)."""
    out = [b"\0" * 20, struct.pack("<III", gen, ttl, len(bins))]
    for name, value in bins.items():
        out.append(_marshal.bin_name_bytes(name))
        out.append(_marshal.DEFAULT_PACKER.bin_item(value))
    return b"".join(out)


# (A top-level GeoJSON bin reaches Python without the particle header bin_item writes.)
VALUES = [v for v in PLAIN + FALLBACK + MORE if type(v) is not aerospike.GeoJSON]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_values_read_as_unpacker_reads_them(value):
    buf = record_buffer({"v": value, "i": 1})
    for plain, page in ((_marshal.Unpacker(), _marshal.PageUnpacker()),
                        (_marshal.RawCollectionsUnpacker(), _marshal.RawPageUnpacker())):
        expected = plain.record(buf)
        got = page.record(buf)
        assert same(got, expected), (got, expected)


def test_many_bins_and_repeated_names():
    bins = {"b%02d" % i: i for i in range(40)}
    buf = record_buffer(bins)
    names = []
    gen, ttl, got, end = _marshal.PageUnpacker().record(buf, 20, names)
    assert (gen, ttl, end) == (3, 400, len(buf)) and got == bins and list(got) == list(bins)
    assert names == list(bins)


def test_the_dicts_behave_as_dicts():
    _, _, bins, _ = _marshal.PageUnpacker().record(record_buffer({
        "x": 1, "y": {"a": 1, "b": 2}, "z": "s"}))
    meta = _marshal.record_meta(400, 3)
    for d, items in ((bins, [("x", 1), ("y", {"a": 1, "b": 2}), ("z", "s")]),
                     (bins["y"], [("a", 1), ("b", 2)]),
                     (meta, [("ttl", 400), ("gen", 3)])):
        assert type(d) is dict and list(d.items()) == items and d == dict(items)
        assert json.loads(json.dumps(d)) == d and pickle.loads(pickle.dumps(d)) == d
        assert copy.deepcopy(d) == d and repr(d) == repr(dict(items))
        first, value = items[0]
        del d[first]
        d[first] = value  # back in at the end, as in any dict
        assert list(d) == [k for k, _ in items[1:]] + [first]
        d[7] = "int key"
        for i in range(20):
            d["n%d" % i] = i
        assert d[7] == "int key" and len(d) == len(items) + 21 and d.pop("n0") == 0


def test_batch_record_fields(client):
    """Batch results are BatchRecord objects whose attributes are those (and in the order)
    BatchRecord.__init__ sets, in the marshal form (CPython) and the packed layout alike."""
    from aerospike_helpers.batch.records import BatchRecord
    from test_record_marshal import both_forms

    keys = [("test", "cffi", "batch-fields-%d" % i) for i in range(3)]
    client.put(keys[0], {"a": 1, "m": {"x": "y"}})
    client.put(keys[1], {"a": 2})
    try:
        for bins in (None, ["a"], []):
            first, _form, packed = both_forms(client, lambda: client.batch_read(keys, bins))
            for result in (first, packed):
                for rec in result.batch_records:
                    assert type(rec) is BatchRecord
                    assert list(vars(rec)) == list(vars(BatchRecord(rec.key)))
                found, missing = result.batch_records[0], result.batch_records[2]
                assert found.result == 0 and found.in_doubt is False
                assert found.message is None and found.subcode == 0
                assert found.record[0] is found.key and len(found.record) == (2 if bins == [] else 3)
                assert missing.result == 2 and missing.record is None
    finally:
        for key in keys[:2]:
            client.remove(key)
