"""_marshal.PageUnpacker.read_page, the one-loop reader of whole pages (batch results,
scan and query pages in the packed layout): the same records, values, types and order as
reading them one by one with PageUnpacker.record, for every value the decoders know, with
names repeated from record to record, error rows, header-only reads and raw collections."""

import struct

import pytest
from test_page_unpacker import VALUES
from test_record_marshal import same

from aerospike_cffi import _marshal
from aerospike_helpers.batch.records import BatchRecord

# The collections read_page reads itself, one level deep, and their edges: sizes around
# the small-dict limit and the msgpack header sizes, out-of-order and mixed keys, list and
# ext items, nested collections inside them.
EDGES = [
    {"k%03d" % i: i for i in range(n)} for n in (1, 15, 16, 17, 300)
] + [
    list(range(n)) for n in (1, 15, 16, 17, 70000)
] + [
    {i: "v" for i in range(70000)},
    {"b": 1, "a": 2}, {2: 1, 1: 2}, {1: 1, "a": 2}, {"a": 1, 1: 2},
    {"a": -1, "b": -32, "c": -33, "d": 128, "e": 2 ** 40, "f": 0.5, "g": None, "h": "é"},
    {"x": [1, {"y": 2}], "z": {"w": []}}, [{"a": 1}, [2], "s", -5, 1.25, None, b"b"],
]


class Raw:
    """A bin written as these msgpack bytes (what the Packer would not write)."""

    def __init__(self, ptype, data):
        self.ptype, self.data = ptype, data

    def __repr__(self):
        return "Raw(%d, %r)" % (self.ptype, self.data)


RAW = [
    Raw(_marshal.P_MAP, b"\x81\x92\x01\x02\x01"),                # {[1, 2]: 1}: a tuple key
    Raw(_marshal.P_MAP, b"\x82\xa2\x03a\xd4\x00\x00\xa2\x03b\x01"),  # an ext value: None
    Raw(_marshal.P_LIST, b"\x92\xd4\x00\x00\x05"),                # order flags first: [5]
    Raw(_marshal.P_LIST, b"\x93\x01\xd4\x00\x00\x05"),           # an ext item later: None
    Raw(_marshal.P_MAP, b"\xde\x00\x01\xa2\x03a\x01"),           # map 16 header
    Raw(_marshal.P_LIST, b"\xdd\x00\x00\x00\x01\x07"),           # array 32 header
    Raw(_marshal.P_MAP, b"\x81\xa1\x03\xa0"),                    # "" key and value
]
PAGE_VALUES = VALUES + EDGES + RAW


def bins_bytes(bins, names_seen):
    """A record's bins in the packed layout, names repeated as NAME_REPEAT at the same
    position as the previous record's (_shim/shim.h)."""
    out = []
    for i, (name, value) in enumerate(bins.items()):
        if i < len(names_seen) and names_seen[i] == name:
            out.append(bytes((_marshal.NAME_REPEAT,)))
        else:
            out.append(_marshal.bin_name_bytes(name))
        if type(value) is Raw:
            out.append(struct.pack("<BI", value.ptype, len(value.data)) + value.data)
        else:
            out.append(_marshal.DEFAULT_PACKER.bin_item(value))
    names_seen[:] = list(bins)
    return b"".join(out)


def record_bytes(bins, names_seen, gen=3, ttl=400):
    return struct.pack("<III", gen, ttl, len(bins)) + bins_bytes(bins, names_seen)


def digest(i):
    return bytes(range(i, i + 20))


def stream_page(records):
    """A scan/query page: per record (ns, set, pk, bins)."""
    out, names, last = [], [], (None, None)
    for i, (ns, set_name, pk, bins) in enumerate(records):
        for name, before in ((ns, last[0]), (set_name, last[1])):
            data = name.encode()
            out.append(b"\xff" if name == before else bytes((len(data),)) + data)
        last = (ns, set_name)
        if pk is None:
            out.append(struct.pack("<BI", 0, 0))
        else:
            out.append(_marshal.DEFAULT_PACKER.bin_item(pk))
        out.append(digest(i))
        out.append(record_bytes(bins, names))
    return b"".join(out)


def stream_reference(unpacker, buf):
    """The records of a stream page read one by one (as _stream's _feed)."""
    out, names, pos = [], [], 0
    ns = set_name = None
    while pos < len(buf):
        for slot in range(2):
            n = buf[pos]
            if n != _marshal.NAME_REPEAT:
                text = buf[pos + 1:pos + 1 + n].decode()
                if slot == 0:
                    ns = text
                else:
                    set_name = text or None
                pos += n
            pos += 1
        ptype, size = struct.unpack_from("<BI", buf, pos)
        pos += 5
        pk = unpacker.particle(ptype, buf, pos, pos + size) if ptype else None
        if pk.__class__ is bytes:
            pk = bytearray(pk)
        pos += size
        dig = bytearray(buf[pos:pos + 20])
        gen, ttl, bins, pos = unpacker.record(buf, pos + 20, names)
        out.append(((ns, set_name, pk, dig), _marshal.record_meta(ttl, gen), bins))
    return out


def batch_page(rows):
    """Batch results: per row a bins dict, or (code, subcode, message) of an error row."""
    out, names = [], []
    for i, row in enumerate(rows):
        if isinstance(row, dict):
            out.append(struct.pack("<iBB", 0, 0, 1) + digest(i) + record_bytes(row, names))
        else:
            code, subcode, message = row
            out.append(struct.pack("<iBB", code, 1, 0) + digest(i) +
                       struct.pack("<IH", subcode, len(message)) + message)
    return b"".join(out)


def batch_reference(unpacker, buf, keys, header_only):
    out, names, pos = [], [], 0
    for parts in keys:
        code, in_doubt, has_record = struct.unpack_from("<iBB", buf, pos)
        key = (parts[-3], parts[-2], parts[-1], bytearray(buf[pos + 6:pos + 26]))
        pos += 26
        rec = BatchRecord(key)
        rec.result, rec.in_doubt = code, in_doubt != 0
        if has_record:
            gen, ttl, bins, pos = unpacker.record(buf, pos, names)
            meta = _marshal.record_meta(ttl, gen)
            rec.record = (key, meta) if header_only else (key, meta, bins)
        else:
            rec.subcode, size = struct.unpack_from("<IH", buf, pos)
            pos += 6
            if size:
                rec.message = buf[pos:pos + size].decode("utf-8", "replace")
                pos += size
        out.append(rec)
    return out


UNPACKERS = [_marshal.PageUnpacker(), _marshal.RawPageUnpacker()]


def same_batch(got, expected):
    return len(got) == len(expected) and all(
        type(g) is BatchRecord and list(vars(g)) == list(vars(e)) and
        all(same(getattr(g, name), getattr(e, name)) for name in vars(e))
        for g, e in zip(got, expected))


@pytest.mark.parametrize("value", PAGE_VALUES, ids=lambda v: repr(v)[:60])
def test_stream_page_as_record_by_record(value):
    records = [
        ("test", "s1", 7, {"v": value, "i": 1}),
        ("test", "s1", "pk", {"v": value, "i": 2}),       # names repeated
        ("test", "", b"blob", {"i": 3, "v": value}),      # names in another order
        ("bar", "s2", None, {"i": 4, "v": value}),
        ("bar", "s2", 2 ** 62, {}),
        ("bar", "s2", -1, {"w": "x", "v": value}),
    ]
    buf = stream_page(records)
    for unpacker in UNPACKERS:
        got = unpacker.read_page(buf)
        expected = stream_reference(unpacker, buf)
        assert same(got, expected), (got, expected)
        assert [type(r[1]) for r in got] == [dict] * len(records)


@pytest.mark.parametrize("value", PAGE_VALUES, ids=lambda v: repr(v)[:60])
def test_batch_page_as_record_by_record(value):
    rows = [{"v": value, "i": 1}, (2, 0, b""), {"v": value, "i": 2},
            (-15, 7, "no answer é".encode()), {"i": 3, "v": value, "w": 2.5}, {},
            {"w": "x", "v": value}]
    keys = [("test", "s", i) for i in range(len(rows))]
    buf = batch_page(rows)
    for unpacker in UNPACKERS:
        for header_only in (False, True):
            got = unpacker.read_page(buf, keys, BatchRecord, header_only)
            expected = batch_reference(unpacker, buf, keys, header_only)
            assert same_batch(got, expected)


def test_an_empty_page():
    for unpacker in UNPACKERS:
        assert unpacker.read_page(b"") == []
        assert unpacker.read_page(b"", [], BatchRecord) == []


def test_the_records_own_their_dicts():
    """Each record gets its own bins and collections, even with equal contents."""
    records = [("test", "s", i, {"m": {"a": 1}, "l": [1]}) for i in range(3)]
    got = _marshal.PageUnpacker().read_page(stream_page(records))
    assert len({id(r[2]) for r in got}) == 3
    assert len({id(r[2]["m"]) for r in got}) == 3 and len({id(r[2]["l"]) for r in got}) == 3
    got[0][2]["m"]["b"] = 2
    assert got[1][2]["m"] == {"a": 1}


# (gen, ttl) of consecutive records: equal to the previous record's, to the one before,
# different, zero and the largest values (read_page hands a record the previous record's
# int objects when they are equal).
METAS = [(1, 4294967295), (1, 4294967295), (2, 4294967295), (1, 400), (1, 400), (0, 0),
         (0, 1), (4294967295, 1), (4294967295, 4294967295), (7, 7), (7, 8), (8, 7)]


def test_meta_of_each_record_with_shared_ints():
    stream, batch, names, batch_names = [], [], [], []
    for i, (gen, ttl) in enumerate(METAS):
        stream.append(b"\x04test\x01s" if i == 0 else b"\xff\xff")
        stream.append(struct.pack("<BI", 0, 0) + digest(i))
        stream.append(record_bytes({"i": i}, names, gen=gen, ttl=ttl))
        batch.append(struct.pack("<iBB", 0, 0, 1) + digest(i) +
                     record_bytes({"i": i}, batch_names, gen=gen, ttl=ttl))
    keys = [("test", "s", i) for i in range(len(METAS))]
    expected = [{"ttl": ttl, "gen": gen} for gen, ttl in METAS]
    for unpacker in UNPACKERS:
        got = unpacker.read_page(b"".join(stream))
        assert [r[1] for r in got] == expected
        assert [r[2] for r in got] == [{"i": i} for i in range(len(METAS))]
        got = unpacker.read_page(b"".join(batch), keys, BatchRecord)
        assert [r.record[1] for r in got] == expected
    # each record still owns its meta dict
    got = _marshal.PageUnpacker().read_page(b"".join(stream))
    got[0][1]["ttl"] = 5
    assert got[1][1] == {"ttl": 4294967295, "gen": 1}


@pytest.mark.parametrize("count", [0, 1, 5, 6, 7, 1000])
def test_a_count_hint_only_sizes_the_list(count):
    """read_page's count (the page's length, from the caller) changes nothing but the
    list's first allocation, even when it is wrong."""
    records = [("test", "s1", i, {"i": i, "m": {"a": i}}) for i in range(6)]
    buf = stream_page(records)
    rows = [{"i": i} for i in range(6)]
    keys = [("test", "s", i) for i in range(6)]
    for unpacker in UNPACKERS:
        got = unpacker.read_page(buf, count=count)
        assert same(got, stream_reference(unpacker, buf))
        got.append("more")  # an ordinary list
        assert len(got) == 7
        got = unpacker.read_page(batch_page(rows), keys, BatchRecord, False, count)
        assert same_batch(got, batch_reference(unpacker, batch_page(rows), keys, False))
