"""Partition scans and index queries on the wire: partition-done markers, max records,
resuming after a digest (scans) or a (bval, digest) pair (index queries: the C client's
paging protocol), and the PARAMETER / INDEX_NOT_FOUND answers to malformed queries.
Valid against any server."""

import os
import struct
import time

import pytest

from aerospike_cffi.testing.store import partition_id

from . import rawclient as rc

NS = "test"
OP_WRITE, P_INTEGER = 2, 1
READ, WRITE = 1, 1
LAST, PARTITION_DONE = 1, 4
FIELD_PID_ARRAY, FIELD_DIGEST_ARRAY, FIELD_MAX_RECORDS = 11, 12, 13
FIELD_BVAL_ARRAY, FIELD_INDEX_RANGE, FIELD_INDEX_TYPE = 15, 22, 26
SERVER_ERROR, PARAMETER, UNSUPPORTED_FEATURE, INDEX_NOT_FOUND = 1, 4, 16, 201


@pytest.fixture
def records(aerospike_server):
    """A fresh set holding 12 records: (set name, {digest: value})."""
    set_name = "scanproto_%s" % os.urandom(4).hex()
    written = {}
    with rc.connect(aerospike_server) as sock:
        for i in range(12):
            digest = os.urandom(20)
            body = rc.message(rc.key_fields(NS, set_name, digest),
                              [rc.op(OP_WRITE, "v", P_INTEGER, struct.pack(">q", i))], info2=WRITE)
            assert rc.request(sock, body)[0] == 0
            written[digest] = i
    return set_name, written


def scan(addr, set_name, pids=(), after=(), max_records=0):
    """(records {digest: value}, partitions marked done) of one scan request."""
    fields = []
    if after:
        fields.append(rc.field(FIELD_DIGEST_ARRAY, b"".join(after)))
    rcode, records, done = stream(addr, set_name, fields, pids, max_records)
    assert rcode == 0
    got = {}
    for digest, value, _ in records:
        assert digest not in got
        got[digest] = value
    return got, done


def stream(addr, set_name, fields, pids=(), max_records=0):
    """(result code, [(digest, value, bval or None)] in arrival order, partitions marked
    done) of one scan/query request with extra ``fields``."""
    fields = [rc.field(0, NS.encode()), rc.field(1, set_name.encode())] + list(fields)
    if pids:
        fields.append(rc.field(FIELD_PID_ARRAY, b"".join(struct.pack("<H", p) for p in pids)))
    if max_records:
        fields.append(rc.field(FIELD_MAX_RECORDS, struct.pack(">Q", max_records)))
    records, done = [], []
    with rc.connect(addr) as sock:
        sock.sendall(rc.frame(rc.MSG, rc.message(fields, info1=READ, info3=PARTITION_DONE)))
        while True:
            _, body = rc.recv_frame(sock)
            pos = 0
            while pos < len(body):
                info3, rcode, gen, n_fields, n_ops = struct.unpack_from(">3xBxB I 4x 4x HH", body, pos)
                end = _message_end(body, pos, n_fields, n_ops)
                if rcode or info3 & LAST:
                    return rcode, records, done
                if info3 & PARTITION_DONE:
                    done.append(gen)
                else:
                    _, _, _, ops = rc.parse_reply(body[pos:end])
                    found = _fields(body, pos, n_fields)
                    bval = found.get(FIELD_BVAL_ARRAY)
                    records.append((found[4], struct.unpack(">q", ops[0][3])[0],
                                    None if bval is None else struct.unpack("<q", bval)[0]))
                pos = end


def _message_end(body, pos, n_fields, n_ops):
    pos += 22
    for _ in range(n_fields + n_ops):
        pos += 4 + struct.unpack_from(">I", body, pos)[0]
    return pos


def _fields(body, pos, n_fields):
    """{field type: data} of the message at ``pos``."""
    found = {}
    pos += 22
    for _ in range(n_fields):
        size, ftype = struct.unpack_from(">IB", body, pos)
        found[ftype] = body[pos + 5:pos + 4 + size]
        pos += 4 + size
    return found


def test_scan_named_partitions(aerospike_server, records):
    set_name, written = records
    pids = sorted({partition_id(d) for d in written})
    got, done = scan(aerospike_server, set_name, pids)
    assert got == written
    assert done == []  # server 8 marks no partition done (only unavailable ones, with an error)


def test_scan_all_partitions(aerospike_server, records):
    set_name, written = records
    got, _ = scan(aerospike_server, set_name, range(4096))
    assert got == written


def test_scan_must_ask_for_partition_done(aerospike_server, records):
    set_name, _ = records
    fields = [rc.field(0, NS.encode()), rc.field(1, set_name.encode()),
              rc.field(FIELD_PID_ARRAY, struct.pack("<H", 1))]
    assert request_error(aerospike_server, rc.message(fields, info1=READ)) == UNSUPPORTED_FEATURE


def test_paging_with_max_records_visits_every_record_once(aerospike_server, records):
    set_name, written = records
    pids = sorted({partition_id(d) for d in written})
    seen = {}
    last_digest = {}  # partition -> digest of the last record received from it
    for _ in range(20):
        full = [p for p in pids if p not in last_digest]
        after = [last_digest[p] for p in pids if p in last_digest]
        got, _ = scan(aerospike_server, set_name, full, after, max_records=5)
        assert len(got) <= 5
        assert not set(got) & set(seen)
        seen.update(got)
        for digest in got:  # arrival order: the last one per partition is where to resume
            last_digest[partition_id(digest)] = digest
        if not got:
            break
    assert seen == written


# ---------------------------------------------------------------- index queries

P_STRING, P_GEOJSON = 3, 23


def int_range(bin_name, begin, end, n_ranges=1, bound_size=8):
    name = bin_name.encode()
    bound = struct.pack(">I", bound_size)
    return (struct.pack(">BB", n_ranges, len(name)) + name + bytes((P_INTEGER,)) +
            bound + struct.pack(">q", begin)[-bound_size:] +
            bound + struct.pack(">q", end)[-bound_size:])


def text_range(bin_name, ptype, text):
    name, text = bin_name.encode(), text.encode()
    value = struct.pack(">I", len(text)) + text
    return struct.pack(">BB", 1, len(name)) + name + bytes((ptype,)) + value + value


def in_partition(pid):
    """A random digest of partition ``pid``."""
    return bytes((pid & 0xFF, (pid >> 8) | (os.urandom(1)[0] & 0xF0))) + os.urandom(18)


def query(addr, set_name, pid, begin, end, resume=None, max_records=0):
    """(result code, [(digest, value, bval)]) of an index query on one partition,
    resuming after ``resume`` = (digest, bval)."""
    fields = [rc.field(FIELD_INDEX_RANGE, int_range("v", begin, end))]
    pids = (pid,)
    if resume is not None:
        pids = ()
        fields += [rc.field(FIELD_DIGEST_ARRAY, resume[0]),
                   rc.field(FIELD_BVAL_ARRAY, struct.pack("<q", resume[1]))]
    rcode, records, _ = stream(addr, set_name, fields, pids, max_records)
    return rcode, records


@pytest.fixture(scope="module")
def indexed(aerospike_server):
    """12 records in one partition, values 0-2 (4 records share each), a numeric
    index on them: (set name, partition id, {digest: value})."""
    set_name = "qproto_%s" % os.urandom(4).hex()
    index_name = "qproto_%s" % os.urandom(4).hex()
    pid = struct.unpack("<H", os.urandom(2))[0] % 4096
    written = {}
    with rc.connect(aerospike_server) as sock:
        for i in range(12):
            digest = in_partition(pid)
            body = rc.message(rc.key_fields(NS, set_name, digest),
                              [rc.op(OP_WRITE, "v", P_INTEGER, struct.pack(">q", i % 3))],
                              info2=WRITE)
            assert rc.request(sock, body)[0] == 0
            written[digest] = i % 3
        create = "sindex-create:namespace=%s;set=%s;indexname=%s;bin=v;type=numeric" % (
            NS, set_name, index_name)
        assert rc.info(sock, create)[create] == "ok"
    deadline = time.time() + 15  # a real server builds the index in the background
    while len(query(aerospike_server, set_name, pid, 0, 2)[1]) < 12 and time.time() < deadline:
        time.sleep(0.1)
    yield set_name, pid, written
    with rc.connect(aerospike_server) as sock:
        rc.info(sock, "sindex-delete:namespace=%s;indexname=%s" % (NS, index_name))


def index_order(written):
    """(digest, value, bval) in the order of the index: by value (the bval of an
    integer), then digest."""
    return sorted(((d, v, v) for d, v in written.items()), key=lambda r: (r[2], r[0]))


def test_query_walks_the_index_by_bval_then_digest(aerospike_server, indexed):
    set_name, pid, written = indexed
    rcode, records = query(aerospike_server, set_name, pid, 0, 2)
    assert rcode == 0
    assert records == index_order(written)


def test_query_range_keeps_to_its_values(aerospike_server, indexed):
    set_name, pid, written = indexed
    rcode, records = query(aerospike_server, set_name, pid, 1, 1)
    assert rcode == 0
    assert records == [r for r in index_order(written) if r[1] == 1]


@pytest.mark.parametrize("page_size", [1, 3, 4, 5])
def test_query_pages_resume_after_bval_and_digest(aerospike_server, indexed, page_size):
    """Pages end inside runs of equal values: only the (bval, digest) pair says where."""
    set_name, pid, written = indexed
    seen, resume = [], None
    for _ in range(20):
        rcode, page = query(aerospike_server, set_name, pid, 0, 2, resume, page_size)
        assert rcode == 0 and len(page) <= page_size
        if not page:
            break
        seen += page
        resume = (page[-1][0], page[-1][2])
    assert seen == index_order(written)


def test_resume_by_digest_alone_skips_nothing_of_a_lower_bval(aerospike_server, indexed):
    """Resuming after (bval 1, d) starts right after that entry: every record of
    value 2, and of value 1 those with a greater digest."""
    set_name, pid, written = indexed
    order = index_order(written)
    middle = [r for r in order if r[1] == 1][1]
    rcode, records = query(aerospike_server, set_name, pid, 0, 2, (middle[0], 1))
    assert rcode == 0
    assert records == order[order.index(middle) + 1:]


def request_error(addr, body):
    """The result code of a request whose answer is one error; the connection must
    still serve afterwards."""
    with rc.connect(addr) as sock:
        sock.sendall(rc.frame(rc.MSG, body))
        _, reply = rc.recv_frame(sock)
        rcode = struct.unpack_from(">5xB", reply)[0]
        assert rc.info(sock, "namespaces")["namespaces"]
        return rcode


def query_body(set_name, fields, pids=(1,)):
    fields = [rc.field(0, NS.encode()), rc.field(1, set_name.encode())] + list(fields)
    if pids:
        fields.append(rc.field(FIELD_PID_ARRAY, b"".join(struct.pack("<H", p) for p in pids)))
    return rc.message(fields, info1=READ, info3=PARTITION_DONE)


GEO_POINT = '{"type": "Point", "coordinates": [0, 0]}'
BAD_QUERIES = [
    ("begin after end", [rc.field(FIELD_INDEX_RANGE, int_range("v", 5, 1))]),
    ("4-byte integer bounds", [rc.field(FIELD_INDEX_RANGE, int_range("v", 1, 5, bound_size=4))]),
    ("two ranges", [rc.field(FIELD_INDEX_RANGE, int_range("v", 1, 5, n_ranges=2))]),
    ("unknown particle type", [rc.field(FIELD_INDEX_RANGE, text_range("v", 5, "x"))]),
    ("geojson not json", [rc.field(FIELD_INDEX_RANGE, text_range("g", P_GEOJSON, "{nope"))]),
    ("geojson open loop", [rc.field(FIELD_INDEX_RANGE, text_range("g", P_GEOJSON, (
        '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}')))]),
    ("range without values", [rc.field(FIELD_INDEX_RANGE, b"\x01\x01v")]),
    ("empty index type", [rc.field(FIELD_INDEX_TYPE, b""),
                          rc.field(FIELD_INDEX_RANGE, int_range("v", 1, 5))]),
    ("digests without bvals", [rc.field(FIELD_INDEX_RANGE, int_range("v", 1, 5)),
                               rc.field(FIELD_DIGEST_ARRAY, in_partition(7))]),
    ("bvals not one per digest", [rc.field(FIELD_INDEX_RANGE, int_range("v", 1, 5)),
                                  rc.field(FIELD_DIGEST_ARRAY, in_partition(7)),
                                  rc.field(FIELD_BVAL_ARRAY, b"\0" * 16)]),
    ("bvals without digests", [rc.field(FIELD_INDEX_RANGE, int_range("v", 1, 5)),
                               rc.field(FIELD_BVAL_ARRAY, b"\0" * 8)]),
]


@pytest.mark.parametrize("fields", [f for _, f in BAD_QUERIES], ids=[n for n, _ in BAD_QUERIES])
def test_malformed_query_is_a_parameter_error(aerospike_server, fields):
    assert request_error(aerospike_server, query_body("qproto_none", fields)) == PARAMETER


def test_unknown_index_type_finds_no_index(aerospike_server):
    fields = [rc.field(FIELD_INDEX_TYPE, b"\x09"), rc.field(FIELD_INDEX_RANGE, int_range("v", 1, 5))]
    assert request_error(aerospike_server, query_body("qproto_none", fields)) == INDEX_NOT_FOUND


def test_range_field_longer_than_written_is_a_parameter_error(aerospike_server):
    """What the C client sends for a predicate it cannot encode (a string range, a geo
    equality): the range field counts 9 bytes it never wrote, so the fields after it
    run past the message.  The server answers PARAMETER and keeps the connection."""
    short_range = b"\x01\x01v"
    fields = [rc.field(0, NS.encode()), rc.field(1, b"qproto_none"),
              struct.pack(">IB", len(short_range) + 1 + 9, FIELD_INDEX_RANGE) + short_range,
              rc.field(FIELD_PID_ARRAY, b"".join(struct.pack("<H", p) for p in range(64)))]
    assert request_error(aerospike_server, rc.message(fields, info1=READ,
                                                      info3=PARTITION_DONE)) == PARAMETER


@pytest.mark.devserver_only
def test_engine_bug_is_a_server_error_not_a_dropped_connection(aerospike_server, records,
                                                                 monkeypatch):
    from aerospike_cffi.testing import scan as scan_engine

    def broken(*args):
        raise KeyError("bug")

    monkeypatch.setattr(scan_engine.Plan, "candidates", broken)
    set_name, _ = records
    fields = [rc.field(0, NS.encode()), rc.field(1, set_name.encode()),
              rc.field(FIELD_PID_ARRAY, struct.pack("<H", 1))]
    assert request_error(aerospike_server, rc.message(fields, info1=READ,
                                                      info3=PARTITION_DONE)) == SERVER_ERROR
