"""Records a caller keeps from scan and query results(): exact types, order and ordinary
dict behaviour of every part, whatever compact form PyPy builds them in (issue 13).

read_page (PyPy) starts a record's bins dict as a copy of the previous record's when the
record has as many bins, and replaces it when a name differs; the bin names of a page are
kept in a list that hands back the same str objects. These tests pin what a user sees:
the same records as reading them one by one, for every way the names of consecutive
records can change, and dicts that behave as any dict. Run against the dev server and a
real server alike (AEROSPIKE_TEST_SERVER)."""

import copy
import json
import os
import pickle
import struct

import pytest
from test_read_page import digest, stream_reference
from test_record_marshal import same

import aerospike_cffi as aerospike
from aerospike_cffi import _marshal

try:
    import __pypy__
except ImportError:  # CPython
    __pypy__ = None

NS = "test"
PID = os.getpid()


def shim_page(records):
    """A scan/query page as the shim writes it: per record (ns, set, bins); a bin name
    equal to the last name written at the same position (by any earlier record of the
    page) is the byte NAME_REPEAT (_shim/shim.c record_out)."""
    out, seen, last = [], [], (None, None)
    for i, (ns, set_name, bins) in enumerate(records):
        for name, before in ((ns, last[0]), (set_name, last[1])):
            data = name.encode()
            out.append(b"\xff" if name == before else bytes((len(data),)) + data)
        last = (ns, set_name)
        out.append(struct.pack("<BI", 0, 0) + digest(i))
        out.append(struct.pack("<III", 1 + i, 100 + i, len(bins)))
        for j, (name, value) in enumerate(bins.items()):
            if j < len(seen) and seen[j] == name:
                out.append(b"\xff")
            else:
                out.append(_marshal.bin_name_bytes(name))
                if j < len(seen):
                    seen[j] = name
                else:
                    seen.append(name)
            out.append(_marshal.DEFAULT_PACKER.bin_item(value))
    return b"".join(out)


def bins_of(names, i):
    """A record's bins with these names; values of every kind read_page reads inline."""
    kinds = [i, "s%d" % i, i * 0.5, b"\x01" * (1 + i % 3), {"a": i, "b": "two"}, [i, "x"], None,
             {i: "int key"}, -i, "é%d" % i]
    return {name: kinds[j % len(kinds)] for j, name in enumerate(names)}


ABC = ["a", "b", "c"]
# Consecutive records' bin names: each sequence is one page.
SHAPES = {
    "same names": [ABC] * 4,
    "first name differs": [ABC, ["x", "b", "c"], ABC],
    "middle name differs": [ABC, ["a", "x", "c"], ["a", "x", "c"], ABC],
    "last name differs": [ABC, ["a", "b", "x"], ABC],
    "reordered": [ABC, ["c", "b", "a"], ["b", "a", "c"], ABC],
    "fewer then more": [ABC, ["a"], ABC, ["a", "b"], ABC],
    "names repeated from an older record": [ABC, ["x"], ABC, ["x", "y", "z"], ABC],
    "no bins between": [ABC, [], ABC, [], []],
    "one bin": [["a"], ["a"], ["b"], ["a"]],
    "sixteen bins": [["k%02d" % j for j in range(16)]] * 3,
    "seventeen bins": [["k%02d" % j for j in range(17)]] * 3,
    "sixteen then seventeen": [["k%02d" % j for j in range(n)] for n in (16, 17, 16, 16)],
    "same count, other names": [ABC, ["d", "e", "f"], ["g", "h", "i"]],
}


@pytest.mark.parametrize("shape", list(SHAPES), ids=str)
def test_consecutive_names_read_as_one_by_one(shape):
    records = [("test", "s", bins_of(names, i)) for i, names in enumerate(SHAPES[shape])]
    buf = shim_page(records)
    for unpacker in (_marshal.PageUnpacker(), _marshal.RawPageUnpacker()):
        for count in (0, len(records)):
            got = unpacker.read_page(buf, count=count)
            assert same(got, stream_reference(unpacker, buf)), shape
    got = _marshal.PageUnpacker().read_page(buf)
    assert [list(r[2]) for r in got] == SHAPES[shape]
    assert [r[2] for r in got] == [bins for _, _, bins in records]
    assert [r[1] for r in got] == [{"ttl": 100 + i, "gen": 1 + i} for i in range(len(records))]


def check_dict(d, items):
    """``d`` is a dict holding ``items`` in order and behaves as one built by hand."""
    assert type(d) is dict and list(d.items()) == items and d == dict(items)
    assert repr(d) == repr(dict(items)) and str(d) == str(dict(items))
    assert pickle.loads(pickle.dumps(d)) == d and copy.deepcopy(d) == d
    assert json.loads(json.dumps(d, default=list)) == json.loads(json.dumps(dict(items),
                                                                           default=list))
    clone = d.copy()
    assert type(clone) is dict and clone == d and list(clone) == list(d)
    clone["new"] = 1
    assert "new" not in d
    if not items:
        return
    first, value = items[0]
    del d[first]
    d[first] = value  # back in, at the end
    assert list(d) == [k for k, _ in items[1:]] + [first]
    d[7] = "int key"
    d[(1, 2)] = "tuple key"
    for i in range(20):
        d["n%d" % i] = i
    assert d[7] == "int key" and d[(1, 2)] == "tuple key" and len(d) == len(items) + 22
    assert d.pop("n0") == 0 and d.setdefault("n0", 5) == 5 and list(d)[-1] == "n0"
    assert sorted(k for k in d if isinstance(k, str)) == sorted(
        [k for k, _ in items if isinstance(k, str)] + ["n%d" % i for i in range(20)])
    d.clear()
    assert d == {} and not d


def check_records(records):
    """Every part of each kept record: types, and dicts that behave as dicts, each owned
    by its record (changing one leaves the others as they were)."""
    before = copy.deepcopy(records)
    for key, meta, bins in records:
        assert type(key) is tuple and len(key) == 4 and type(key[0]) is str
        assert type(key[3]) is bytearray and len(key[3]) == 20
        assert type(meta) is dict and list(meta) == ["ttl", "gen"]
        assert all(type(v) is int for v in meta.values())
        assert type(bins) is dict and all(type(name) is str for name in bins)
    # One record's dicts changed at a time: no other record sees it.
    for i, (_, meta, bins) in enumerate(records):
        check_dict(meta, list(before[i][1].items()))
        for name, value in before[i][2].items():
            if type(value) is dict:
                check_dict(bins[name], list(value.items()))
        check_dict(bins, [(k, bins[k]) for k in bins])
        assert [r[2] == b[2] for r, b in zip(records[i + 1:], before[i + 1:])] == [True] * (
            len(records) - i - 1)
        assert [r[1] == b[1] for r, b in zip(records[i + 1:], before[i + 1:])] == [True] * (
            len(records) - i - 1)


@pytest.mark.parametrize("shape", list(SHAPES), ids=str)
def test_kept_dicts_behave_as_dicts(shape):
    records = [("test", "s", bins_of(names, i)) for i, names in enumerate(SHAPES[shape])]
    check_records(_marshal.PageUnpacker().read_page(shim_page(records)))


def test_compact_forms():
    """The memory forms these records rely on (issue 13), on both interpreters: bin names
    and one-character strings handed back as the str objects stored (PyPy makes a new str
    per read of a list that holds only str), records' parts of their exact types, and on
    PyPy bins, meta and str-keyed maps of up to 16 items as its compact kwargs dicts,
    copied or not (CPython: plain dicts)."""
    names = _marshal.name_list()
    names.append("a")
    names.append("b")
    assert type(names) is list and names == ["a", "b"]
    assert names[0] is names[0] and names[1] is names[1]
    assert type(_marshal._ASCII_CHARS) is tuple and _marshal._ASCII_CHARS[97] == "a"
    assert _marshal._ASCII_CHARS[97] is _marshal._ASCII_CHARS[97]
    if __pypy__ is not None:
        assert __pypy__.strategy(names) == "ObjectListStrategy"
    five = ["i", "s", "f", "b", "m"]  # the benchmark's names; "m" is {"a": .., "b": ..}
    records = [("test", "s", bins_of(names, i)) for i, names in enumerate(
        [five, five, ["i", "s", "x", "b", "m"], five, ["k%02d" % j for j in range(16)]])]
    kept = _marshal.PageUnpacker().read_page(shim_page(records))
    assert len(kept) == 5
    for key, meta, bins in kept:
        assert type(key) is tuple and type(key[3]) is bytearray and len(key[3]) == 20
        assert type(meta) is dict and sorted(meta) == ["gen", "ttl"]
        assert type(bins) is dict
        if "m" in bins:
            assert type(bins["m"]) is dict
        if __pypy__ is not None:
            assert __pypy__.strategy(meta) == "KwargsDictStrategy"
            assert __pypy__.strategy(bins) == "KwargsDictStrategy"
            if "m" in bins:
                assert __pypy__.strategy(bins["m"]) == "KwargsDictStrategy"


# ------------------------------------------------------------------ through a server


@pytest.fixture(scope="module")
def kept_set(client):
    """A set whose records have bins of every shape above, written with their keys."""
    set_name = "kept-%d" % PID
    written = {}
    i = 0
    for names_list in SHAPES.values():
        for names in names_list:
            if names:  # a record needs a bin
                bins = bins_of(names, i)
                # bytes values come back as bytes, None bins are not stored
                bins = {k: v for k, v in bins.items() if v is not None}
                client.put((NS, set_name, i), bins, policy={"key": aerospike.POLICY_KEY_SEND})
                written[i] = bins
                i += 1
    yield set_name, written
    for i in written:
        client.remove((NS, set_name, i))


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_results_as_get_reads_them(client, kept_set, stream):
    """Each record of results() is what get() answers for its key: same key parts, meta
    and bins, with the same types and bin order."""
    set_name, written = kept_set
    records = getattr(client, stream)(NS, set_name).results()
    assert sorted(r[0][2] for r in records) == sorted(written)
    for key, meta, bins in records:
        got_key, got_meta, got_bins = client.get((NS, set_name, key[2]))
        assert same(key[:2] + key[3:], got_key[:2] + got_key[3:]) and same(bins, got_bins)
        assert type(key[2]) is int  # the stored key (get answers with the key given)
        # (the ttl counts down between the two reads)
        assert list(meta) == list(got_meta) and meta["gen"] == got_meta["gen"]
        assert type(meta["ttl"]) is int and abs(meta["ttl"] - got_meta["ttl"]) <= 5
        assert bins == written[key[2]]
    check_records(records)


def test_foreach_records_as_results_records(client, kept_set):
    set_name, written = kept_set
    fed = []
    client.scan(NS, set_name).foreach(fed.append)
    by_key = {r[0][2]: r for r in client.scan(NS, set_name).results()}
    assert len(fed) == len(written)
    for record in fed:
        assert same(record, by_key[record[0][2]])
    check_records(fed)


def raw_map_page(maps):
    """A page of records with one map bin "m" each, written as these msgpack bytes."""
    out = []
    for i, data in enumerate(maps):
        out.append(b"\x04test\x01s" if i == 0 else b"\xff\xff")
        out.append(struct.pack("<BI", 0, 0) + digest(i % 200) + struct.pack("<III", 1, 2, 1))
        out.append((_marshal.bin_name_bytes("m") if i == 0 else b"\xff") +
                   struct.pack("<BI", _marshal.P_MAP, len(data)) + data)
    return b"".join(out)


def test_map_keys_read_as_one_by_one():
    """Str keys of map bins (shared between records by their bytes, up to a bound per
    page): the same keys, values and order as reading the records one by one, also for
    keys that are not UTF-8, keys equal to a bin name, and more distinct keys than the
    bound."""
    pack = _marshal.DEFAULT_PACKER.pack
    maps = []
    for i in range(700):
        doc = {"name": "n%d" % i, "email": "e%d" % i, "m": i, "é-key": 1, "k%d" % i: i,
               "x" * 30: 2}
        maps.append(pack(doc))
    maps.append(b"\x82\xa3\x03\xff\xfe\x01\xa3\x03ab\x02")  # a key that is not UTF-8
    maps.append(b"\x82\xa3\x03\xff\xfe\x03\xa3\x03ab\x04")
    maps.append(pack({"email": 1, "name": 2}))  # out of order: sorted, as any map read
    buf = raw_map_page(maps)
    for unpacker in (_marshal.PageUnpacker(), _marshal.RawPageUnpacker()):
        got = unpacker.read_page(buf)
        assert same(got, stream_reference(unpacker, buf))
    got = _marshal.PageUnpacker().read_page(buf)
    assert got[5][2]["m"] == {"name": "n5", "email": "e5", "m": 5, "é-key": 1, "k5": 5,
                              "x" * 30: 2}
    assert list(got[700][2]["m"]) == ["ab", "\udcff\udcfe"]  # key order, as any map
    assert got[701][2]["m"] == {"\udcff\udcfe": 3, "ab": 4}
    assert list(got[702][2]["m"]) == ["email", "name"]
    if __pypy__ is not None:  # the same str objects from record to record
        first, second = list(got[3][2]["m"]), list(got[600][2]["m"])
        shared = [a for a in first for b in second if a is b]
        assert sorted(shared) == sorted(["name", "email", "m", "é-key", "x" * 30])
    check_records(got[:3] + got[698:])
