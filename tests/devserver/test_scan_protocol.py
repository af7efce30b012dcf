"""Partition scans on the wire: partition-done markers, max records and resuming
after a digest (the C client's paging protocol).  Valid against any server."""

import os
import struct

import pytest

from aerospike_cffi.testing.store import partition_id

from . import rawclient as rc

NS = "test"
OP_WRITE, P_INTEGER = 2, 1
READ, WRITE = 1, 1
LAST, PARTITION_DONE = 1, 4
FIELD_PID_ARRAY, FIELD_DIGEST_ARRAY, FIELD_MAX_RECORDS = 11, 12, 13


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
    fields = [rc.field(0, NS.encode()), rc.field(1, set_name.encode())]
    if pids:
        fields.append(rc.field(FIELD_PID_ARRAY, b"".join(struct.pack("<H", p) for p in pids)))
    if after:
        fields.append(rc.field(FIELD_DIGEST_ARRAY, b"".join(after)))
    if max_records:
        fields.append(rc.field(FIELD_MAX_RECORDS, struct.pack(">Q", max_records)))
    records, done = {}, []
    with rc.connect(addr) as sock:
        sock.sendall(rc.frame(rc.MSG, rc.message(fields, info1=READ, info3=PARTITION_DONE)))
        while True:
            _, body = rc.recv_frame(sock)
            pos = 0
            while pos < len(body):
                info3, rcode, gen, n_fields, n_ops = struct.unpack_from(">3xBxB I 4x 4x HH", body, pos)
                end = _message_end(body, pos, n_fields, n_ops)
                if info3 & LAST:
                    assert rcode == 0
                    return records, done
                if info3 & PARTITION_DONE:
                    done.append(gen)
                else:
                    _, _, _, ops = rc.parse_reply(body[pos:end])
                    digest = _digest(body, pos, n_fields)
                    assert digest not in records
                    records[digest] = struct.unpack(">q", ops[0][3])[0]
                pos = end


def _message_end(body, pos, n_fields, n_ops):
    pos += 22
    for _ in range(n_fields + n_ops):
        pos += 4 + struct.unpack_from(">I", body, pos)[0]
    return pos


def _digest(body, pos, n_fields):
    pos += 22
    for _ in range(n_fields):
        size, ftype = struct.unpack_from(">IB", body, pos)
        if ftype == 4:
            return body[pos + 5:pos + 4 + size]
        pos += 4 + size
    raise AssertionError("record without digest")


def test_scan_named_partitions(aerospike_server, records):
    set_name, written = records
    pids = sorted({partition_id(d) for d in written})
    got, done = scan(aerospike_server, set_name, pids)
    assert got == written
    assert sorted(done) == pids


def test_scan_all_partitions(aerospike_server, records):
    set_name, written = records
    got, done = scan(aerospike_server, set_name)
    assert got == written


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
