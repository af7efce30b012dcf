"""The batch index protocol on the wire: per-record answers carrying their
index, repeat entries, missing records, and a malformed batch field.  Valid
against any server."""

import os
import struct

from . import rawclient as rc

NS, SET = "test", "devserver_batch"
READ, GET_ALL, BATCH = 1, 2, 8
WRITE = 1
LAST = 1
OP_WRITE, P_INTEGER = 2, 1
FIELD_BATCH_INDEX = 41
TYPE_READ, TYPE_REPEAT = 0, 1


def put(sock, digest, value):
    body = rc.message(rc.key_fields(NS, SET, digest),
                      [rc.op(OP_WRITE, "v", P_INTEGER, struct.pack(">q", value))], info2=WRITE)
    assert rc.request(sock, body)[0] == 0


def batch_field(digests):
    """An old-form batch read of all bins: the first entry in full, the rest repeats."""
    parts = [struct.pack(">IB", len(digests), 1)]
    for i, digest in enumerate(digests):
        parts.append(struct.pack(">I", i) + digest)
        if i == 0:
            fields = rc.field(0, NS.encode()) + rc.field(1, SET.encode())
            parts.append(struct.pack(">BBHH", TYPE_READ, READ | GET_ALL, 2, 0) + fields)
        else:
            parts.append(bytes((TYPE_REPEAT,)))
    return b"".join(parts)


def run_batch(sock, field_data):
    """[(index, result code, [ops])] and the final result code of a batch request."""
    body = rc.message([rc.field(FIELD_BATCH_INDEX, field_data)], info1=READ | BATCH)
    sock.sendall(rc.frame(rc.MSG, body))
    answers = []
    while True:
        _, data = rc.recv_frame(sock)
        pos = 0
        while pos < len(data):
            info3, rcode, index, n_fields, n_ops = struct.unpack_from(">3xBxB 4x 4x I HH", data, pos)
            end = pos + 22
            for _ in range(n_fields + n_ops):
                end += 4 + struct.unpack_from(">I", data, end)[0]
            if info3 & LAST:
                return answers, rcode
            answers.append((index, rcode, rc.parse_reply(data[pos:end])[3]))
            pos = end


def test_batch_read_with_repeats_and_missing_records(aerospike_server):
    digests = [os.urandom(20) for _ in range(4)]
    with rc.connect(aerospike_server) as sock:
        put(sock, digests[0], 10)
        put(sock, digests[2], 12)
        answers, final = run_batch(sock, batch_field(digests))
    assert final == 0
    by_index = {index: (rcode, ops) for index, rcode, ops in answers}
    assert sorted(by_index) == [0, 1, 2, 3]
    assert by_index[0][0] == 0 and by_index[0][1][0][3] == struct.pack(">q", 10)
    assert by_index[2][0] == 0 and by_index[2][1][0][3] == struct.pack(">q", 12)
    assert by_index[1] == (2, []) and by_index[3] == (2, [])


def test_truncated_batch_field(aerospike_server):
    field_data = batch_field([os.urandom(20) for _ in range(3)])[:-5]
    with rc.connect(aerospike_server) as sock:
        try:
            answers, final = run_batch(sock, field_data)
        except (EOFError, ConnectionResetError):
            pass  # closed: fine
        else:
            assert final != 0 or all(rcode != 0 for _, rcode, _ in answers)
    with rc.connect(aerospike_server) as sock:
        assert rc.info(sock, "namespaces")["namespaces"]
