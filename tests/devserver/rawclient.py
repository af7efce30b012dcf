"""A minimal raw-socket Aerospike client for protocol tests (independent of the
dev server's own encoder, so both sides are checked against each other)."""

import socket
import struct
import zlib

INFO, MSG, COMPRESSED = 1, 3, 4


def connect(addr, timeout=5):
    sock = socket.create_connection((addr.host, addr.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def frame(ptype, body, version=2):
    return struct.pack(">Q", (version << 56) | (ptype << 48) | len(body)) + body


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def recv_frame(sock):
    word = struct.unpack(">Q", recv_exact(sock, 8))[0]
    size = word & 0xFFFFFFFFFFFF
    return (word >> 48) & 0xFF, recv_exact(sock, size)


def is_closed(sock):
    """True when the peer closed the connection (EOF or reset)."""
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def info(sock, *names):
    """{name: value} for info commands sent on ``sock``."""
    sock.sendall(frame(INFO, "".join(n + "\n" for n in names).encode()))
    ptype, body = recv_frame(sock)
    assert ptype == INFO
    out = {}
    for line in body.decode().split("\n"):
        if line:
            name, _, value = line.partition("\t")
            out[name] = value
    return out


def field(ftype, data):
    return struct.pack(">IB", len(data) + 1, ftype) + data


def op(code, name, ptype=0, value=b""):
    name = name.encode()
    return struct.pack(">IBBBB", 4 + len(name) + len(value), code, ptype, 0, len(name)) + name + value


def message(fields, ops=(), info1=0, info2=0, info3=0, ttl=0, gen=0):
    header = struct.pack(">BBBBBBIIIHH", 22, info1, info2, info3, 0, 0, gen, ttl, 1000,
                         len(fields), len(ops))
    return header + b"".join(fields) + b"".join(ops)


def key_fields(ns, set_name, digest):
    return [field(0, ns.encode()), field(1, set_name.encode()), field(4, digest)]


def compressed(body):
    inner = frame(MSG, body)
    return frame(COMPRESSED, struct.pack(">Q", len(inner)) + zlib.compress(inner))


def parse_reply(body):
    """(result code, generation, void time, [(op, ptype, name, value)]) of a reply."""
    (_, _, _, _, _, rc, gen, void_time, _, n_fields, n_ops) = struct.unpack_from(
        ">BBBBBBIIIHH", body, 0)
    pos = 22
    for _ in range(n_fields):
        pos += 4 + struct.unpack_from(">I", body, pos)[0]
    ops = []
    for _ in range(n_ops):
        size, code, ptype, _, name_len = struct.unpack_from(">IBBBB", body, pos)
        name = body[pos + 8:pos + 8 + name_len].decode()
        ops.append((code, ptype, name, body[pos + 8 + name_len:pos + 4 + size]))
        pos += 4 + size
    return rc, gen, void_time, ops


def request(sock, body, compress=False):
    sock.sendall(compressed(body) if compress else frame(MSG, body))
    ptype, reply = recv_frame(sock)
    assert ptype == MSG
    return parse_reply(reply)
