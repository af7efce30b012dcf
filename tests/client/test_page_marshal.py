"""The marshal form of batch results and scan/query pages (shim.h): every result reads back
exactly as from the packed layout, a batch with a value the form cannot express falls back
as a whole, a page holds such records as packed bytes. Forced on PyPy too, as in
test_record_marshal, so the shim's writer is checked under both interpreters."""

import os

import pytest
from test_record_marshal import FALLBACK, PLAIN, both_forms, marshal_form, same  # noqa: F401

import aerospike_cffi as aerospike
from aerospike_cffi._native import scratch

NS = "test"
SET = "page-marshal-%d" % os.getpid()
SEND_KEY = {"key": aerospike.POLICY_KEY_SEND}


def batch_view(records):
    """The parts of a BatchRecords a user sees, in order."""
    return [(r.key, r.result, r.in_doubt, r.record) for r in records.batch_records]


@pytest.fixture
def stored(client):
    """Keys of the set, each kind of user key, written with their bins; removed after."""
    written = []

    def put(pk, bins, send_key=True):
        key = (NS, SET, pk)
        client.put(key, bins, policy=SEND_KEY if send_key else None)
        written.append(key)
        return key

    yield put
    for key in written:
        client.remove(key)


def test_batch_read_of_plain_values(client, stored):
    keys = [stored(i, {"v": value, "i": i}) for i, value in enumerate(PLAIN)]
    keys.append((NS, SET, "missing"))
    for bins in (None, ["v"], []):
        result, form, packed = both_forms(client, lambda: client.batch_read(keys, bins))
        assert form == 1
        assert same(batch_view(result), batch_view(packed))
        assert result.result == packed.result
    found = result.batch_records[0]
    assert type(found.key[3]) is bytearray and len(found.key[3]) == 20
    assert found.record[0] is found.key and found.record[1] == {"ttl": found.record[1]["ttl"],
                                                               "gen": 1}
    missing = result.batch_records[-1]
    assert missing.result == aerospike.exception.RecordNotFound.code and missing.record is None


@pytest.mark.parametrize("value", FALLBACK, ids=repr)
def test_a_batch_with_a_fallback_value_is_packed(client, stored, value):
    keys = [stored(1, {"v": 1}), stored(2, {"v": value})]
    result, form, packed = both_forms(client, lambda: client.batch_read(keys))
    assert form == 0
    assert same(batch_view(result), batch_view(packed))


def test_batch_operate_results(client, stored):
    from aerospike_helpers.operations import list_operations, operations

    keys = [stored(i, {"l": [i, 2, 1]}) for i in range(3)]
    ops = [list_operations.list_append("l", 9), operations.read("l")]
    result, form, _ = both_forms(client, lambda: client.batch_operate(keys, ops))
    assert form == 1
    assert [r.record[2] for r in result.batch_records] == [{"l": [i, 2, 1, 9]} for i in range(3)]


def scan_sorted(client):
    records = client.scan(NS, SET).results()
    return sorted(records, key=lambda r: bytes(r[0][3]))


@pytest.mark.parametrize("pk", [7, -2 ** 63, "str-key", "é"], ids=repr)
def test_scan_keys_and_values(client, stored, pk):
    stored(pk, {"v": PLAIN[-1], "f": 1.5})
    stored("no-key", {"v": "x"}, send_key=False)
    result, form, packed = both_forms(client, lambda: scan_sorted(client))
    assert form == 1
    assert same(result, packed)
    keys = [r[0] for r in result]
    assert (NS, SET, pk) in [k[:3] for k in keys] and (NS, SET, None) in [k[:3] for k in keys]
    assert all(type(k[3]) is bytearray and len(k[3]) == 20 for k in keys)


def test_a_page_mixes_marshal_and_packed_records(client, stored):
    for i, value in enumerate(PLAIN + FALLBACK):
        stored(i, {"v": value})
    result, form, packed = both_forms(client, lambda: scan_sorted(client))
    assert form == 2
    assert same(result, packed) and len(result) == len(PLAIN + FALLBACK)


def test_foreach_pages_and_query(client, stored):
    for i in range(25):
        stored(i, {"n": i})
    seen, forms = [], set()

    def callback(record):
        seen.append(record)
        forms.add(scratch()[1].is_marshal)  # the chunk this record came in

    client.scan(NS, SET).foreach(callback)
    assert sorted(r[2]["n"] for r in seen) == list(range(25))
    assert forms == {1}
    query = client.query(NS, SET)
    query.select("n")
    assert sorted(r[2]["n"] for r in query.results()) == list(range(25))
    assert scratch()[1].is_marshal == 1


def test_an_empty_page(client):
    assert client.scan(NS, "page-marshal-empty-%d" % os.getpid()).results() == []
    assert scratch()[1].is_marshal == 1


def test_shared_strings_survive_a_record_that_falls_back(client, stored):
    geo = aerospike.GeoJSON({"type": "Point", "coordinates": [1.0, 2.0]})
    stored(1, {"v": {"zz": 1, "yy-" + "q" * 40: 2}, "w": geo})  # keys seen, then packed
    stored(2, {"v": {"zz": 2}, "w": "zz"})
    stored(3, {"many": {"k%03d" % i: i for i in range(150)}})   # more than the table holds
    result, form, packed = both_forms(client, lambda: scan_sorted(client))
    assert form == 2
    assert same(result, packed)
    keys = [stored(i, {"m": {"k%03d" % j: j for j in range(i, 100)}}) for i in range(4, 8)]
    result, form, packed = both_forms(client, lambda: client.batch_read(keys))
    assert form == 1
    assert same(batch_view(result), batch_view(packed))


def test_names_that_change_from_record_to_record(client, stored):
    """A page writes a namespace, set or bin name equal to the previous record's as one
    byte (shim.h); records whose sets, bin names, order and count vary (more bins than the
    shim remembers too) read back as get() reads each of them, in both forms."""
    from aerospike_helpers import expressions as exp

    other_set = SET + "-b"
    shapes = [{"x%d" % j: j for j in range(40)}, {"a": 1, "b": "s"}, {"b": 2, "a": "t", "c": 1.5},
              {"a": 3}, {}]
    keys = []
    for i in range(40):
        key = (NS, other_set if i % 3 else SET, i)
        bins = dict(shapes[i % len(shapes)]) or {"only": i}
        client.put(key, bins, policy=SEND_KEY)
        keys.append(key)
    try:
        in_sets = exp.Or(exp.Eq(exp.SetName(), SET), exp.Eq(exp.SetName(), other_set)).compile()
        expected = {bytes(client.get(key)[0][3]): (key, client.get(key)[2]) for key in keys}

        def check(records):
            assert len(records) == len(keys)
            for (ns, set_name, pk, digest), _meta, bins in records:
                key, want = expected[bytes(digest)]
                assert (ns, set_name, pk) == key and bins == want
                assert list(bins) == list(want)

        scan = client.scan(NS)
        result, form, packed = both_forms(client, lambda: scan.results({"expressions": in_sets}))
        check(result)
        check(packed)
        for marshal in (True, False):
            client._marshal_records = marshal
            seen = []
            client.scan(NS).foreach(seen.append, {"expressions": in_sets})
            check(seen)
        client._marshal_records = False
        check([r.record for r in client.batch_read(keys).batch_records])
    finally:
        for key in keys:
            client.remove(key)
