"""The dev server's security mode (Server(security=True)): the admin protocol,
login / authenticate, and the checks on every request, with raw sockets, our
client and the official one.  Community Edition has no security, so these run
against an embedded dev server of their own whatever AEROSPIKE_TEST_SERVER says;
against the session's server the admin protocol answers what that server says."""

import os
import struct

import pytest

from aerospike_cffi.testing import Server
from aerospike_cffi.testing import security as sec

from . import rawclient as rc
from .official import run_official

HERE = os.path.dirname(__file__)
ADMIN = 2
# The clients send bcrypt(password) with a constant salt; this is bcrypt("admin"),
# so users made here with it log in with the password "admin".
ADMIN_HASH = b"$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa"
NS, SET = "test", "devserver_sec"


# ---------------------------------------------------------------- raw admin helpers

def afield(fid, data):
    return struct.pack(">IB", len(data) + 1, fid) + data


def admin_request(command, *fields):
    return bytes((0, 0, command, len(fields))) + bytes(12) + b"".join(fields)


def names(*items):
    out = bytes((len(items),))
    for item in items:
        out += bytes((len(item),)) + item.encode()
    return out


def privileges(*privs):
    out = bytes((len(privs),))
    for code, ns, set_ in privs:
        out += bytes((code,))
        if code >= 10:
            out += bytes((len(ns),)) + ns.encode() + bytes((len(set_),)) + set_.encode()
    return out


def parse_records(body):
    """[(result, {field id: bytes})] of the records in an admin reply body."""
    out = []
    pos = 0
    while pos < len(body):
        result, n_fields = body[pos + 1], body[pos + 3]
        pos += 16
        fields = {}
        for _ in range(n_fields):
            size, fid = struct.unpack_from(">IB", body, pos)
            fields[fid] = body[pos + 5:pos + 4 + size]
            pos += 4 + size
        out.append((result, fields))
    return out


def admin(sock, command, *fields):
    """The result code and fields of a one-frame admin answer."""
    sock.sendall(rc.frame(ADMIN, admin_request(command, *fields)))
    ptype, body = rc.recv_frame(sock)
    assert ptype == ADMIN
    return parse_records(body)[0]


def admin_query(sock, command, *fields):
    """The records of a query answer (frames up to the one ending with QUERY_END)."""
    sock.sendall(rc.frame(ADMIN, admin_request(command, *fields)))
    records = []
    while True:
        ptype, body = rc.recv_frame(sock)
        assert ptype == ADMIN
        for result, fields in parse_records(body):
            if result == sec.QUERY_END:
                return records
            assert result == 0, result
            records.append(fields)


def login(sock, user="admin", credential=ADMIN_HASH):
    return admin(sock, sec.LOGIN, afield(sec.F_USER, user.encode()),
                 afield(sec.F_CREDENTIAL, credential))


def put_int(sock, set_name, key, value):
    digest = bytes((key,)) * 20
    body = rc.message(rc.key_fields(NS, set_name, digest),
                      [rc.op(2, "v", 1, struct.pack(">q", value))], info2=1)
    return rc.request(sock, body)[0]


def get(sock, set_name, key):
    digest = bytes((key,)) * 20
    return rc.request(sock, rc.message(rc.key_fields(NS, set_name, digest), info1=3))[0]


@pytest.fixture(scope="module")
def server():
    srv = Server(security=True).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def admin_sock(server):
    with rc.connect(server) as sock:
        assert login(sock)[0] == 0
        yield sock


@pytest.fixture
def user(server, admin_sock):
    """A user 'alice' (password "admin") with read-write on test/devserver_sec only."""
    assert admin(admin_sock, sec.CREATE_ROLE, afield(sec.F_ROLE, b"rw_sec"),
                 afield(sec.F_PRIVILEGES, privileges((11, NS, SET))))[0] == 0
    assert admin(admin_sock, sec.CREATE_USER, afield(sec.F_USER, b"alice"),
                 afield(sec.F_PASSWORD, ADMIN_HASH), afield(sec.F_ROLES, names("rw_sec")))[0] == 0
    yield "alice"
    admin(admin_sock, sec.DROP_USER, afield(sec.F_USER, b"alice"))
    admin(admin_sock, sec.DROP_ROLE, afield(sec.F_ROLE, b"rw_sec"))


# ---------------------------------------------------------------- authentication

def test_unauthenticated_connection_is_refused(server):
    with rc.connect(server) as sock:
        sock.sendall(rc.frame(rc.INFO, b"namespaces\nbuild\n"))
        assert rc.recv_frame(sock) == (rc.INFO, b"ERROR:80:not authenticated\n")
        assert get(sock, SET, 1) == sec.NOT_AUTHENTICATED
        assert admin(sock, sec.QUERY_USERS)[0] == sec.NOT_AUTHENTICATED


def test_login_answers_a_session_token_that_authenticates_other_connections(server):
    with rc.connect(server) as sock:
        result, fields = login(sock)
        assert result == 0
        token = fields[sec.F_SESSION_TOKEN]
        assert token and struct.unpack(">I", fields[sec.F_SESSION_TTL])[0] == 24 * 3600
        assert rc.info(sock, "namespaces")["namespaces"] == "test;bar"
    with rc.connect(server) as other:
        assert admin(other, sec.AUTHENTICATE, afield(sec.F_USER, b"admin"),
                     afield(sec.F_SESSION_TOKEN, token))[0] == 0
        assert rc.info(other, "build")["build"]
    with rc.connect(server) as third:
        assert admin(third, sec.AUTHENTICATE, afield(sec.F_USER, b"admin"),
                     afield(sec.F_SESSION_TOKEN, b"x" * 32))[0] == sec.INVALID_CREDENTIAL
        assert get(third, SET, 1) == sec.NOT_AUTHENTICATED


def test_login_failures(server):
    with rc.connect(server) as sock:
        assert login(sock, "nobody")[0] == sec.INVALID_USER
        assert login(sock, "admin", b"$2a$10$7EqJtq98hPqEX7fNZaFWoOwrong")[0] == sec.INVALID_CREDENTIAL
        assert rc.info(sock, "build") == {"ERROR:80:not authenticated": ""}


# ---------------------------------------------------------------- users and roles

def test_default_admin_is_a_user_admin_only(admin_sock):
    assert put_int(admin_sock, SET, 1, 1) == sec.ROLE_VIOLATION
    (user,) = admin_query(admin_sock, sec.QUERY_USERS, afield(sec.F_USER, b"admin"))
    assert user[sec.F_USER] == b"admin"
    assert sec.parse_roles(user[sec.F_ROLES]) == ["user-admin"]


def test_predefined_roles_are_listed(admin_sock):
    roles = {bytes(r[sec.F_ROLE]).decode(): sec.parse_privileges(r[sec.F_PRIVILEGES])
             for r in admin_query(admin_sock, sec.QUERY_ROLES)}
    for code, name in [(0, "user-admin"), (1, "sys-admin"), (2, "data-admin"), (3, "udf-admin"),
                       (4, "sindex-admin"), (10, "read"), (11, "read-write"),
                       (12, "read-write-udf"), (13, "write"), (14, "truncate")]:
        assert roles[name] == [(code, "", "")]


def test_user_with_scoped_role(server, admin_sock, user):
    (info,) = admin_query(admin_sock, sec.QUERY_USERS, afield(sec.F_USER, b"alice"))
    assert sec.parse_roles(info[sec.F_ROLES]) == ["rw_sec"]
    (role,) = admin_query(admin_sock, sec.QUERY_ROLES, afield(sec.F_ROLE, b"rw_sec"))
    assert sec.parse_privileges(role[sec.F_PRIVILEGES]) == [(11, NS, SET)]
    with rc.connect(server) as sock:
        assert login(sock, "alice")[0] == 0
        assert put_int(sock, SET, 1, 5) == 0
        assert get(sock, SET, 1) == 0
        assert put_int(sock, "other_set", 1, 5) == sec.ROLE_VIOLATION
        assert get(sock, "other_set", 1) == sec.ROLE_VIOLATION
        # Info commands need only authentication, unless they need a permission.
        assert rc.info(sock, "namespaces")["namespaces"] == "test;bar"
        assert rc.info(sock, "truncate:namespace=test") == {
            "truncate:namespace=test": "ERROR:81:role violation - requires permission 'truncate'"}
        # Not a user admin.
        assert admin(sock, sec.CREATE_USER, afield(sec.F_USER, b"bob"),
                     afield(sec.F_PASSWORD, ADMIN_HASH),
                     afield(sec.F_ROLES, names("read")))[0] == sec.ROLE_VIOLATION
        # Privileges change what a logged-in user may do at once.
        assert admin(admin_sock, sec.GRANT_PRIVILEGES, afield(sec.F_ROLE, b"rw_sec"),
                     afield(sec.F_PRIVILEGES, privileges((10, NS, "other_set"))))[0] == 0
        assert get(sock, "other_set", 9) == 2  # allowed now: not found
        assert admin(admin_sock, sec.REVOKE_ROLES, afield(sec.F_USER, b"alice"),
                     afield(sec.F_ROLES, names("rw_sec")))[0] == 0
        assert get(sock, SET, 1) == sec.ROLE_VIOLATION


def test_user_changes_own_password(server, admin_sock, user):
    new_hash = b"$2a$10$7EqJtq98hPqEX7fNZaFWoOnewnewnewnewnewnewnewnewnewne"
    with rc.connect(server) as sock:
        assert login(sock, "alice")[0] == 0
        assert admin(sock, sec.CHANGE_PASSWORD, afield(sec.F_USER, b"alice"),
                     afield(sec.F_OLD_PASSWORD, b"wrong"),
                     afield(sec.F_PASSWORD, new_hash))[0] == sec.INVALID_CREDENTIAL
        assert admin(sock, sec.CHANGE_PASSWORD, afield(sec.F_USER, b"alice"),
                     afield(sec.F_OLD_PASSWORD, ADMIN_HASH),
                     afield(sec.F_PASSWORD, new_hash))[0] == 0
    with rc.connect(server) as sock:
        assert login(sock, "alice")[0] == sec.INVALID_CREDENTIAL
        assert login(sock, "alice", new_hash)[0] == 0


def test_admin_errors(admin_sock, user):
    def create_role(name, *fields):
        return admin(admin_sock, sec.CREATE_ROLE, afield(sec.F_ROLE, name), *fields)[0]

    assert admin(admin_sock, sec.CREATE_USER, afield(sec.F_USER, b"alice"),
                 afield(sec.F_PASSWORD, ADMIN_HASH),
                 afield(sec.F_ROLES, names("read")))[0] == sec.USER_ALREADY_EXISTS
    assert admin(admin_sock, sec.CREATE_USER, afield(sec.F_USER, b"bob"),
                 afield(sec.F_PASSWORD, ADMIN_HASH),
                 afield(sec.F_ROLES, names("no-such-role")))[0] == sec.INVALID_ROLE
    assert admin(admin_sock, sec.DROP_USER, afield(sec.F_USER, b"bob"))[0] == sec.INVALID_USER
    assert create_role(b"rw_sec") == sec.ROLE_ALREADY_EXISTS
    assert create_role(b"read") == sec.ROLE_ALREADY_EXISTS
    assert create_role(b"bad", afield(sec.F_PRIVILEGES, bytes((1, 99)))) == sec.INVALID_PRIVILEGE
    assert create_role(b"bad", afield(sec.F_WHITELIST, b"not-an-address")) == sec.INVALID_WHITELIST
    assert create_role(b"bad", afield(sec.F_READ_QUOTA, struct.pack(">I", 10))) == \
        sec.QUOTAS_NOT_ENABLED
    assert admin(admin_sock, sec.DROP_ROLE, afield(sec.F_ROLE, b"read"))[0] == sec.INVALID_ROLE
    assert admin(admin_sock, 99)[0] == sec.INVALID_COMMAND
    assert admin(admin_sock, sec.QUERY_USERS, afield(sec.F_USER, b"bob"))[0] == sec.INVALID_USER


def test_whitelist_and_quotas():
    with Server(security={"enable_quotas": True}) as srv, rc.connect(srv) as sock:
        assert login(sock)[0] == 0
        assert admin(sock, sec.CREATE_ROLE, afield(sec.F_ROLE, b"far"),
                     afield(sec.F_PRIVILEGES, privileges((10, "", ""))),
                     afield(sec.F_WHITELIST, b"10.1.0.0/16,192.168.7.7"),
                     afield(sec.F_READ_QUOTA, struct.pack(">I", 100)))[0] == 0
        (role,) = admin_query(sock, sec.QUERY_ROLES, afield(sec.F_ROLE, b"far"))
        assert role[sec.F_WHITELIST] == b"10.1.0.0/16,192.168.7.7"
        assert struct.unpack(">I", role[sec.F_READ_QUOTA]) == (100,)
        assert admin(sock, sec.CREATE_USER, afield(sec.F_USER, b"remote"),
                     afield(sec.F_PASSWORD, ADMIN_HASH), afield(sec.F_ROLES, names("far")))[0] == 0
        with rc.connect(srv) as other:
            assert login(other, "remote")[0] == sec.NOT_WHITELISTED
        assert admin(sock, sec.SET_WHITELIST, afield(sec.F_ROLE, b"far"),
                     afield(sec.F_WHITELIST, b"127.0.0.0/8"))[0] == 0
        with rc.connect(srv) as other:
            assert login(other, "remote")[0] == 0
        assert admin(sock, sec.SET_QUOTAS, afield(sec.F_ROLE, b"far"),
                     afield(sec.F_READ_QUOTA, struct.pack(">I", 5)),
                     afield(sec.F_WRITE_QUOTA, struct.pack(">I", 7)))[0] == 0
        (info,) = admin_query(sock, sec.QUERY_USERS, afield(sec.F_USER, b"remote"))
        assert info[sec.F_READ_INFO][0] == 4
        assert struct.unpack_from(">I", info[sec.F_READ_INFO], 1) == (5,)
        assert struct.unpack_from(">I", info[sec.F_WRITE_INFO], 1) == (7,)


def test_batch_records_are_checked_one_by_one(server, admin_sock, user):
    with rc.connect(server) as sock:
        assert login(sock, "alice")[0] == 0
        assert put_int(sock, SET, 3, 1) == 0
        rows = b""
        for i, set_name in enumerate((SET, "other_set")):
            rows += struct.pack(">I", i) + bytes((3,)) * 20 + bytes((0, 3))  # read all bins
            rows += struct.pack(">HH", 2, 0) + rc.field(0, NS.encode()) + rc.field(1, set_name.encode())
        batch = struct.pack(">I", 2) + b"\x00" + rows
        sock.sendall(rc.frame(rc.MSG, rc.message([rc.field(41, batch)], info1=1 | 8)))
        results = []
        while True:
            _, body = rc.recv_frame(sock)
            pos = 0
            done = False
            while pos < len(body):
                info3, code = body[pos + 3], body[pos + 5]
                if info3 & 1:
                    done = True
                    break
                results.append(code)
                n_fields, n_ops = struct.unpack_from(">HH", body, pos + 18)
                pos += 22
                for _ in range(n_fields + n_ops):
                    pos += 4 + struct.unpack_from(">I", body, pos)[0]
            if done:
                break
        assert results == [0, sec.ROLE_VIOLATION]


def test_scan_needs_query_permission(server, admin_sock, user):
    with rc.connect(server) as sock:
        assert login(sock, "alice")[0] == 0
        body = rc.message([rc.field(0, NS.encode()), rc.field(1, b"other_set")], info1=1,
                          info3=4)
        assert rc.request(sock, body)[0] == sec.ROLE_VIOLATION


def test_without_security_admin_commands_are_refused(aerospike_server):
    """Community Edition (and the dev server by default) answers every admin
    command with SECURITY_NOT_SUPPORTED, so a client given a user cannot connect."""
    import aerospike_cffi as aerospike
    from aerospike_cffi import exception as ex

    with rc.connect(aerospike_server) as sock:
        assert login(sock)[0] == sec.NOT_SUPPORTED
        assert admin(sock, sec.QUERY_USERS)[0] == sec.NOT_SUPPORTED
    with pytest.raises(ex.SecurityNotSupported):
        aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)],
                          "user": "admin", "password": "admin"}).connect()


# ---------------------------------------------------------------- clients

def test_our_client_logs_in_and_is_checked(server, admin_sock, user):
    import aerospike_cffi as aerospike
    from aerospike_cffi import exception as ex

    with pytest.raises(ex.NotAuthenticated):
        aerospike.client({"hosts": [(server.host, server.port)]}).connect()
    with pytest.raises(ex.InvalidCredential):
        aerospike.client({"hosts": [(server.host, server.port)], "user": "alice",
                          "password": "wrong"}).connect()
    client = aerospike.client({"hosts": [(server.host, server.port)], "user": "alice",
                               "password": "admin"}).connect()
    try:
        client.put((NS, SET, "k"), {"a": 1})
        assert client.get((NS, SET, "k"))[2] == {"a": 1}
        with pytest.raises(ex.RoleViolation):
            client.put((NS, "other_set", "k"), {"a": 1})
        with pytest.raises(ex.RoleViolation):
            client.get((NS, "other_set", "k"))
    finally:
        client.close()


def test_official_client(server):
    proc = run_official([os.path.join(HERE, "official_security.py"), "--host", server.host,
                         "--port", server.port], timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stdout + proc.stderr


def test_command_line_flags():
    """``python -m aerospike_cffi.testing --security --strong-consistency test``."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "aerospike_cffi.testing", "--port", "0",
                             "--security", "--strong-consistency", "test"],
                            stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=os.getcwd()))
    try:
        line = proc.stdout.readline()
        assert "listening on 127.0.0.1:" in line

        class Addr:
            host = "127.0.0.1"
            port = int(line.rsplit(":", 1)[1])

        with rc.connect(Addr) as sock:
            assert rc.info(sock, "build") == {"ERROR:80:not authenticated": ""}
            assert login(sock)[0] == 0
            assert "strong-consistency=true" in rc.info(sock, "namespace/test")["namespace/test"]
            assert "strong-consistency=false" in rc.info(sock, "namespace/bar")["namespace/bar"]
    finally:
        proc.terminate()
        assert proc.wait(5) == 0


def test_transaction_monitor_needs_write_in_the_namespace():
    """A transaction's monitor record (set <ERO~MRT) is written for the user's own
    records: a write privilege anywhere in the namespace covers it."""
    from . import test_txn as t

    with Server(security=True, namespaces={"test": {"strong_consistency": True}}) as srv, \
            rc.connect(srv) as sock:
        assert login(sock)[0] == 0
        assert admin(sock, sec.CREATE_ROLE, afield(sec.F_ROLE, b"w_txn"),
                     afield(sec.F_PRIVILEGES, privileges((11, NS, t.SET))))[0] == 0
        for name, role in ((b"writer", "w_txn"), (b"reader", "read")):
            assert admin(sock, sec.CREATE_USER, afield(sec.F_USER, name),
                         afield(sec.F_PASSWORD, ADMIN_HASH), afield(sec.F_ROLES, names(role)))[0] == 0
        with rc.connect(srv) as writer:
            assert login(writer, "writer")[0] == 0
            result, deadline = t.add_to_monitor(writer, 77, 1)
            assert result == 0
            assert t.put(writer, 1, 5, 77, deadline) == 0
            assert t.mark_roll_forward(writer, 77) == 0
            assert t.roll(writer, 1, 77, t.ROLL_FORWARD) == 0
            assert t.close_monitor(writer, 77) == 0
            assert t.get(writer, 1)[::2] == (0, 5)
        with rc.connect(srv) as reader:
            assert login(reader, "reader")[0] == 0
            assert t.add_to_monitor(reader, 78, 1)[0] == sec.ROLE_VIOLATION
            assert t.get(reader, 1)[::2] == (0, 5)
