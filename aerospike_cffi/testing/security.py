"""Security mode of the dev server: users, roles, privileges and the admin protocol.

Community Edition has no security, so this models what an Enterprise server does
when its ``security`` stanza is on (``Server(security=True)``):

* Every connection must authenticate before anything else: a ``login`` (user name
  and the client's bcrypt hash of the password) answers a session token and its
  TTL and authenticates that connection; an ``authenticate`` (user name and
  token) authenticates another connection.  A message, batch, scan or info
  request on a connection that did neither is refused with NOT_AUTHENTICATED (80).
* A user holds roles; a role holds privileges, each global or scoped to a
  namespace or a namespace and set (the data privileges: read, read-write,
  read-write-udf, write, truncate); a privilege grants permissions.  A command
  the user's permissions do not cover is refused with ROLE_VIOLATION (81).
* The predefined roles (one per privilege code, global) and the default user
  ``admin`` / ``admin`` holding ``user-admin``, as on a fresh Enterprise server.
* Whitelists (client addresses or CIDR blocks per role) are checked at login
  and authenticate (NOT_WHITELISTED, 82).  Quotas are stored and reported but
  not enforced; setting a non-zero one needs ``enable_quotas`` as on the server.

Admin messages (proto type 2) have a 16-byte header: scheme, result, command,
field count, 12 unused bytes; then fields of 4-byte size (counting the id byte),
1-byte id and data.  Query answers are one record (header + fields) per user or
role and a last header with result QUERY_END (50).
"""

import ipaddress
import os
import struct
import threading
import time

from .errors import ServerError

# Admin commands.
AUTHENTICATE, CREATE_USER, DROP_USER, SET_PASSWORD, CHANGE_PASSWORD = 0, 1, 2, 3, 4
GRANT_ROLES, REVOKE_ROLES, QUERY_USERS = 5, 6, 9
CREATE_ROLE, DROP_ROLE, GRANT_PRIVILEGES, REVOKE_PRIVILEGES = 10, 11, 12, 13
SET_WHITELIST, SET_QUOTAS, QUERY_ROLES, LOGIN = 14, 15, 16, 20

# Admin field ids.
F_USER, F_PASSWORD, F_OLD_PASSWORD, F_CREDENTIAL, F_CLEAR_PASSWORD = 0, 1, 2, 3, 4
F_SESSION_TOKEN, F_SESSION_TTL = 5, 6
F_ROLES, F_ROLE, F_PRIVILEGES, F_WHITELIST = 10, 11, 12, 13
F_READ_QUOTA, F_WRITE_QUOTA, F_READ_INFO, F_WRITE_INFO, F_CONNECTIONS = 14, 15, 16, 17, 18

# Result codes of the security layer (the server's AS_SEC_* values).
OK = 0
QUERY_END = 50
NOT_SUPPORTED = 51
NOT_CONFIGURED = 52
INVALID_COMMAND = 54
INVALID_FIELD = 55
INVALID_USER = 60
USER_ALREADY_EXISTS = 61
INVALID_PASSWORD = 62
FORBIDDEN_PASSWORD = 64
INVALID_CREDENTIAL = 65
EXPIRED_SESSION = 66
INVALID_ROLE = 70
ROLE_ALREADY_EXISTS = 71
INVALID_PRIVILEGE = 72
INVALID_WHITELIST = 73
QUOTAS_NOT_ENABLED = 74
INVALID_QUOTA = 75
NOT_AUTHENTICATED = 80
ROLE_VIOLATION = 81
NOT_WHITELISTED = 82

HEADER_SIZE = 16
DEFAULT_SESSION_TTL = 24 * 3600  # the server's session-ttl default
MAX_NAME = 63  # user and role names (the clients' 64-byte buffers)

# bcrypt("admin") with the clients' constant salt: the credential of the default user.
DEFAULT_ADMIN_HASH = "$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa"
# bcrypt("nopassword"): what clients send as the password of a PKI user (server 8.1+),
# who may not log in with a password nor get one.
PKI_USER_HASH = "$2a$10$7EqJtq98hPqEX7fNZaFWoOePA2sZy..tlOF99W2N0g5KZ3dLaw8WO"

# Permissions (the server's as_sec_perm names).
P_READ, P_QUERY, P_WRITE, P_DELETE = "read", "query", "write", "delete"
P_UDF_APPLY, P_UDF_QUERY, P_OPS_QUERY = "udf-apply", "udf-query", "ops-query"
P_UDF_ADMIN, P_SINDEX_ADMIN, P_QUERY_ADMIN = "udf-admin", "sindex-admin", "query-admin"
P_TRUNCATE, P_EVICT_ADMIN, P_RECORD_INFO = "truncate", "evict-admin", "record-info"
P_SET_CONFIG, P_LOGGING_CTRL, P_SERVICE_CTRL = "set-config", "logging-ctrl", "service-ctrl"
P_XDR_SET_FILTER, P_USER_ADMIN = "xdr-set-filter", "user-admin"

# Privilege codes: (predefined role name, permissions granted, may be scoped).
_DATA_ADMIN = {P_UDF_ADMIN, P_SINDEX_ADMIN, P_QUERY_ADMIN, P_TRUNCATE}
_READ = {P_READ, P_QUERY}
_READ_WRITE = _READ | {P_WRITE, P_DELETE, P_OPS_QUERY}
PRIVILEGES = {
    0: ("user-admin", {P_USER_ADMIN}, False),
    1: ("sys-admin", _DATA_ADMIN | {P_SET_CONFIG, P_LOGGING_CTRL, P_SERVICE_CTRL,
                                    P_XDR_SET_FILTER, P_EVICT_ADMIN, P_RECORD_INFO}, False),
    2: ("data-admin", _DATA_ADMIN, False),
    3: ("udf-admin", {P_UDF_ADMIN}, False),
    4: ("sindex-admin", {P_SINDEX_ADMIN}, False),
    10: ("read", _READ, True),
    11: ("read-write", _READ_WRITE, True),
    12: ("read-write-udf", _READ_WRITE | {P_UDF_APPLY, P_UDF_QUERY}, True),
    13: ("write", {P_WRITE, P_DELETE}, True),
    14: ("truncate", {P_TRUNCATE}, True),
}
# The predefined roles and their privileges (code, ns, set); they cannot be changed.
PREDEFINED_ROLES = {name: [(code, "", "")] for code, (name, _p, _s) in PRIVILEGES.items()}
PREDEFINED_ROLES["superuser"] = [(12, "", ""), (1, "", ""), (0, "", ""), (2, "", "")]

# Info commands that need a permission (the server's info command table); the
# others only need an authenticated connection.
INFO_PERMISSIONS = {
    "config-set": P_SET_CONFIG, "set-config": P_SET_CONFIG,
    "debug-record": P_RECORD_INFO, "debug-record-meta": P_RECORD_INFO,
    "eviction-reset": P_EVICT_ADMIN,
    "log-message": P_LOGGING_CTRL, "log-set": P_LOGGING_CTRL, "set-log": P_LOGGING_CTRL,
    "jem-stats": P_LOGGING_CTRL,
    "query-abort": P_QUERY_ADMIN, "query-abort-all": P_QUERY_ADMIN,
    "quiesce": P_SERVICE_CTRL, "quiesce-undo": P_SERVICE_CTRL, "recluster": P_SERVICE_CTRL,
    "revive": P_SERVICE_CTRL, "roster-set": P_SERVICE_CTRL, "tip": P_SERVICE_CTRL,
    "tip-clear": P_SERVICE_CTRL, "services-alumni-reset": P_SERVICE_CTRL,
    "sindex-create": P_SINDEX_ADMIN, "sindex-delete": P_SINDEX_ADMIN,
    "sindex-exists": P_SINDEX_ADMIN,
    "truncate": P_TRUNCATE, "truncate-namespace": P_TRUNCATE,
    "truncate-undo": P_TRUNCATE, "truncate-namespace-undo": P_TRUNCATE,
    "udf-put": P_UDF_ADMIN, "udf-remove": P_UDF_ADMIN, "udf-clear-cache": P_UDF_ADMIN,
    "xdr-set-filter": P_XDR_SET_FILTER,
}

_u32 = struct.Struct(">I")
_field_header = struct.Struct(">IB")

# The connection a server thread is serving (set by the server for each connection),
# so that command modules can check permissions without carrying it around.
_current = threading.local()


class SecurityError(ServerError):
    """A refusal with a security result code (answered like any ServerError)."""


class User:
    def __init__(self, name, credential, roles):
        self.name = name
        self.credential = credential
        self.roles = list(roles)


class Role:
    def __init__(self, name, privileges=(), whitelist=(), read_quota=0, write_quota=0):
        self.name = name
        self.privileges = list(privileges)  # [(code, ns, set)]
        self.whitelist = list(whitelist)
        self.read_quota = read_quota
        self.write_quota = write_quota


class Session:
    """One client connection: its peer address and the user it authenticated as."""

    def __init__(self, security, peer):
        self.security = security
        self.peer = peer
        self.user = None

    def __enter__(self):
        _current.session = self
        return self

    def __exit__(self, *exc):
        _current.session = None
        self.security.forget(self)


def current():
    """The Session of the connection this thread serves, or None."""
    return getattr(_current, "session", None)


def check_data(ns_name, set_name, perm, any_set=False):
    """Raise SecurityError unless this thread's connection may ``perm`` on ns/set
    (nothing to check when security is off or outside a served connection).
    ``any_set``: a privilege on any set of the namespace will do (the transaction
    monitor records, written for the user's records wherever they are)."""
    session = current()
    if session is not None:
        session.security.require(session, perm, ns_name, None if any_set else set_name)


class Security:
    """Users, roles and sessions of a security-enabled dev server."""

    def __init__(self, session_ttl=DEFAULT_SESSION_TTL, enable_quotas=False):
        self.session_ttl = session_ttl
        self.enable_quotas = enable_quotas
        self.lock = threading.RLock()
        self.users = {"admin": User("admin", DEFAULT_ADMIN_HASH, ["user-admin"])}
        self.roles = {}  # user-defined roles by name
        self.tokens = {}  # token -> (user name, expiry in time.monotonic seconds)
        self.sessions = set()

    @classmethod
    def from_option(cls, option):
        """A Security from ``Server(security=...)``: True, a dict of options, or None."""
        if not option:
            return None
        if isinstance(option, Security):
            return option
        return cls(**(option if isinstance(option, dict) else {}))

    # ------------------------------------------------------------ sessions

    def session(self, peer):
        s = Session(self, peer)
        with self.lock:
            self.sessions.add(s)
        return s

    def forget(self, session):
        with self.lock:
            self.sessions.discard(session)

    def user_of(self, session):
        """The User a session authenticated as (None when not, or dropped since)."""
        if session.user is None:
            return None
        return self.users.get(session.user)

    def role(self, name):
        if name in PREDEFINED_ROLES:
            return Role(name, PREDEFINED_ROLES[name])
        return self.roles.get(name)

    def permissions(self, user, ns_name=None, set_name=None):
        """The permissions ``user`` holds on ns/set (global ones always count)."""
        perms = set()
        for role_name in user.roles:
            role = self.role(role_name)
            if role is None:
                continue
            for code, ns, set_ in role.privileges:
                if ns and ns != ns_name:
                    continue
                if set_ and set_name is not None and set_ != set_name:
                    continue
                perms |= PRIVILEGES.get(code, ("", set(), False))[1]
        return perms

    def require(self, session, perm, ns_name=None, set_name=None):
        with self.lock:
            user = self.user_of(session)
            if user is None:
                raise SecurityError(NOT_AUTHENTICATED)
            if perm is not None and perm not in self.permissions(user, ns_name, set_name):
                raise SecurityError(ROLE_VIOLATION)

    def is_authenticated(self, session):
        with self.lock:
            return self.user_of(session) is not None

    def _whitelisted(self, user, peer):
        nets = []
        for role_name in user.roles:
            role = self.role(role_name)
            if role is not None:
                nets.extend(role.whitelist)
        if not nets:
            return True
        try:
            addr = ipaddress.ip_address((peer or "").split("%")[0])
        except ValueError:
            return False
        for net in nets:
            try:
                if addr in ipaddress.ip_network(net, strict=False):
                    return True
            except ValueError:
                continue
        return False

    # ------------------------------------------------------------ info

    def info(self, server, session, body, handle):
        """The info answer under security: the whole request refused on an
        unauthenticated connection, a command needing a missing permission refused
        alone; ``handle(server, body)`` answers the rest."""
        if not self.is_authenticated(session):
            return b"ERROR:80:not authenticated\n"
        names = [n for n in bytes(body).decode("utf-8", "replace").split("\n") if n]
        if not names:
            return handle(server, body)
        out = []
        for name in names:
            command = name.split(":", 1)[0].split("/", 1)[0]
            perm = INFO_PERMISSIONS.get(command)
            if perm is not None:
                try:
                    self.require(session, perm)
                except SecurityError:
                    out.append(("%s\tERROR:81:role violation - requires permission '%s'\n"
                                % (name, perm)).encode("utf-8"))
                    continue
            out.append(handle(server, (name + "\n").encode("utf-8")))
        return b"".join(out)

    # ------------------------------------------------------------ admin protocol

    def admin(self, session, body):
        """The reply bodies (admin message bodies) of one admin request."""
        try:
            command, fields = parse_admin(body)
        except SecurityError as e:
            return [header(e.code)]
        with self.lock:
            try:
                if command == LOGIN:
                    return [self._login(session, fields)]
                if command == AUTHENTICATE:
                    self._authenticate(session, fields)
                    return [header(OK)]
                handler = _COMMANDS.get(command)
                if handler is None:
                    return [header(INVALID_COMMAND)]
                result = handler(self, session, fields)
            except SecurityError as e:
                return [header(e.code)]
        if result is None:
            return [header(OK)]
        return result

    def _login(self, session, fields):
        name = _text(fields, F_USER)
        user = self.users.get(name)
        if user is None:
            raise SecurityError(INVALID_USER)
        if user.credential == PKI_USER_HASH or _text(fields, F_CREDENTIAL) != user.credential:
            raise SecurityError(INVALID_CREDENTIAL)
        if not self._whitelisted(user, session.peer):
            raise SecurityError(NOT_WHITELISTED)
        token = os.urandom(32)
        self.tokens[token] = (name, time.monotonic() + self.session_ttl)
        session.user = name
        return header(OK, 2) + field(F_SESSION_TOKEN, token) + field(
            F_SESSION_TTL, _u32.pack(self.session_ttl))

    def _authenticate(self, session, fields):
        name = _text(fields, F_USER)
        token = fields.get(F_SESSION_TOKEN)
        entry = self.tokens.get(bytes(token)) if token is not None else None
        if entry is None or (name is not None and entry[0] != name):
            raise SecurityError(INVALID_CREDENTIAL)
        if entry[1] < time.monotonic():
            del self.tokens[bytes(token)]
            raise SecurityError(EXPIRED_SESSION)
        user = self.users.get(entry[0])
        if user is None:
            raise SecurityError(INVALID_USER)
        if not self._whitelisted(user, session.peer):
            raise SecurityError(NOT_WHITELISTED)
        session.user = entry[0]

    def _admin_user(self, session):
        self.require(session, P_USER_ADMIN)

    def _existing_user(self, fields):
        name = _text(fields, F_USER)
        if not name:
            raise SecurityError(INVALID_USER)
        user = self.users.get(name)
        if user is None:
            raise SecurityError(INVALID_USER)
        return user

    def _known_roles(self, names):
        for name in names:
            if self.role(name) is None:
                raise SecurityError(INVALID_ROLE)
        return names

    def _user_defined_role(self, fields):
        name = _text(fields, F_ROLE)
        if not name or name not in self.roles:
            raise SecurityError(INVALID_ROLE)
        return self.roles[name]

    def create_user(self, session, fields):
        self._admin_user(session)
        name = _text(fields, F_USER)
        if not name or len(name.encode("utf-8")) > MAX_NAME:
            raise SecurityError(INVALID_USER)
        if name in self.users:
            raise SecurityError(USER_ALREADY_EXISTS)
        password = _text(fields, F_PASSWORD)
        if not password:
            raise SecurityError(INVALID_PASSWORD)
        roles = self._known_roles(parse_roles(fields.get(F_ROLES)))
        self.users[name] = User(name, password, _unique(roles))

    def drop_user(self, session, fields):
        self._admin_user(session)
        user = self._existing_user(fields)
        del self.users[user.name]
        for token, (owner, _exp) in list(self.tokens.items()):
            if owner == user.name:
                del self.tokens[token]

    def set_password(self, session, fields):
        self._admin_user(session)
        user = self._existing_user(fields)
        self._new_password(user, fields)

    def _new_password(self, user, fields):
        if user.credential == PKI_USER_HASH:
            raise SecurityError(FORBIDDEN_PASSWORD)
        password = _text(fields, F_PASSWORD)
        if not password:
            raise SecurityError(INVALID_PASSWORD)
        user.credential = password

    def change_password(self, session, fields):
        # Users change their own password with the old one; a user admin anyone's.
        user = self._existing_user(fields)
        if session.user != user.name:
            self._admin_user(session)
        elif self.user_of(session) is None:
            raise SecurityError(NOT_AUTHENTICATED)
        if user.credential == PKI_USER_HASH:
            raise SecurityError(FORBIDDEN_PASSWORD)
        if _text(fields, F_OLD_PASSWORD) != user.credential:
            raise SecurityError(INVALID_CREDENTIAL)
        self._new_password(user, fields)

    def grant_roles(self, session, fields):
        self._admin_user(session)
        user = self._existing_user(fields)
        roles = self._known_roles(parse_roles(fields.get(F_ROLES)))
        user.roles = _unique(user.roles + roles)

    def revoke_roles(self, session, fields):
        self._admin_user(session)
        user = self._existing_user(fields)
        roles = self._known_roles(parse_roles(fields.get(F_ROLES)))
        user.roles = [r for r in user.roles if r not in roles]

    def create_role(self, session, fields):
        self._admin_user(session)
        name = _text(fields, F_ROLE)
        if not name or len(name.encode("utf-8")) > MAX_NAME:
            raise SecurityError(INVALID_ROLE)
        if name in self.roles or name in PREDEFINED_ROLES:
            raise SecurityError(ROLE_ALREADY_EXISTS)
        privileges = parse_privileges(fields.get(F_PRIVILEGES))
        whitelist = parse_whitelist(fields.get(F_WHITELIST))
        read_quota, write_quota = self._quotas(fields)
        self.roles[name] = Role(name, _unique(privileges), whitelist, read_quota, write_quota)

    def drop_role(self, session, fields):
        self._admin_user(session)
        role = self._user_defined_role(fields)
        del self.roles[role.name]
        for user in self.users.values():
            user.roles = [r for r in user.roles if r != role.name]

    def grant_privileges(self, session, fields):
        self._admin_user(session)
        role = self._user_defined_role(fields)
        role.privileges = _unique(role.privileges + parse_privileges(fields.get(F_PRIVILEGES)))

    def revoke_privileges(self, session, fields):
        self._admin_user(session)
        role = self._user_defined_role(fields)
        gone = parse_privileges(fields.get(F_PRIVILEGES))
        role.privileges = [p for p in role.privileges if p not in gone]

    def set_whitelist(self, session, fields):
        self._admin_user(session)
        role = self._user_defined_role(fields)
        role.whitelist = parse_whitelist(fields.get(F_WHITELIST))

    def set_quotas(self, session, fields):
        self._admin_user(session)
        role = self._user_defined_role(fields)
        role.read_quota, role.write_quota = self._quotas(fields)

    def _quotas(self, fields):
        quotas = []
        for fid in (F_READ_QUOTA, F_WRITE_QUOTA):
            data = fields.get(fid)
            if data is None:
                quotas.append(0)
                continue
            if len(data) != 4:
                raise SecurityError(INVALID_FIELD)
            value = struct.unpack(">i", bytes(data))[0]
            if value < 0:
                raise SecurityError(INVALID_QUOTA)
            if value and not self.enable_quotas:
                raise SecurityError(QUOTAS_NOT_ENABLED)
            quotas.append(value)
        return quotas

    def query_users(self, session, fields):
        name = _text(fields, F_USER)
        if name is None or name != session.user:
            self._admin_user(session)
        elif self.user_of(session) is None:
            raise SecurityError(NOT_AUTHENTICATED)
        if name is not None:
            users = [self._existing_user(fields)]
        else:
            users = [self.users[n] for n in sorted(self.users)]
        records = [self._user_record(u) for u in users]
        return [b"".join(records), header(QUERY_END)]

    def _user_record(self, user):
        read_quota = write_quota = 0
        for role_name in user.roles:
            role = self.role(role_name)
            if role is not None:
                read_quota = max(read_quota, role.read_quota)
                write_quota = max(write_quota, role.write_quota)
        conns = sum(1 for s in self.sessions if s.user == user.name)
        # Read / write info: quota, single-record rate, scan/query rate, unlimited scans.
        return (header(OK, 5) + field(F_USER, user.name.encode("utf-8"))
                + field(F_ROLES, encode_names(user.roles))
                + field(F_READ_INFO, encode_info([read_quota, 0, 0, 0]))
                + field(F_WRITE_INFO, encode_info([write_quota, 0, 0, 0]))
                + field(F_CONNECTIONS, _u32.pack(conns)))

    def query_roles(self, session, fields):
        self.require(session, None)
        name = _text(fields, F_ROLE)
        if name is not None:
            role = self.role(name)
            if role is None:
                raise SecurityError(INVALID_ROLE)
            roles = [role]
        else:
            names = sorted(set(PREDEFINED_ROLES) | set(self.roles))
            roles = [self.role(n) for n in names]
        return [b"".join(self._role_record(r) for r in roles), header(QUERY_END)]

    def _role_record(self, role):
        parts = [field(F_ROLE, role.name.encode("utf-8")),
                 field(F_PRIVILEGES, encode_privileges(role.privileges))]
        if role.whitelist:
            parts.append(field(F_WHITELIST, ",".join(role.whitelist).encode("utf-8")))
        if role.read_quota:
            parts.append(field(F_READ_QUOTA, _u32.pack(role.read_quota)))
        if role.write_quota:
            parts.append(field(F_WRITE_QUOTA, _u32.pack(role.write_quota)))
        return header(OK, len(parts)) + b"".join(parts)


_COMMANDS = {
    CREATE_USER: Security.create_user,
    DROP_USER: Security.drop_user,
    SET_PASSWORD: Security.set_password,
    CHANGE_PASSWORD: Security.change_password,
    GRANT_ROLES: Security.grant_roles,
    REVOKE_ROLES: Security.revoke_roles,
    QUERY_USERS: Security.query_users,
    CREATE_ROLE: Security.create_role,
    DROP_ROLE: Security.drop_role,
    GRANT_PRIVILEGES: Security.grant_privileges,
    REVOKE_PRIVILEGES: Security.revoke_privileges,
    SET_WHITELIST: Security.set_whitelist,
    SET_QUOTAS: Security.set_quotas,
    QUERY_ROLES: Security.query_roles,
}


# ---------------------------------------------------------------- encoding

def header(result, n_fields=0):
    return bytes((0, result, 0, n_fields)) + bytes(HEADER_SIZE - 4)


def field(fid, data):
    return _field_header.pack(len(data) + 1, fid) + bytes(data)


def parse_admin(body):
    """(command, {field id: bytes}) of an admin request body."""
    body = memoryview(body)
    if len(body) < HEADER_SIZE:
        raise SecurityError(INVALID_COMMAND)
    if body[0] != 0:
        raise SecurityError(53)  # unsupported security scheme
    command, n_fields = body[2], body[3]
    fields = {}
    pos = HEADER_SIZE
    for _ in range(n_fields):
        if pos + 5 > len(body):
            raise SecurityError(INVALID_FIELD)
        size, fid = _field_header.unpack_from(body, pos)
        if size < 1 or pos + 4 + size > len(body):
            raise SecurityError(INVALID_FIELD)
        fields[fid] = bytes(body[pos + 5:pos + 4 + size])
        pos += 4 + size
    return command, fields


def _text(fields, fid):
    data = fields.get(fid)
    return None if data is None else data.decode("utf-8", "surrogateescape")


def _unique(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def parse_roles(data):
    """Role names of a ROLES field: a count, then (length, name) each."""
    if data is None:
        return []
    names = []
    pos = 1
    try:
        for _ in range(data[0]):
            n = data[pos]
            names.append(data[pos + 1:pos + 1 + n].decode("utf-8", "surrogateescape"))
            pos += 1 + n
    except IndexError:
        raise SecurityError(INVALID_FIELD)
    if pos > len(data):
        raise SecurityError(INVALID_FIELD)
    return names


def parse_privileges(data):
    """[(code, ns, set)] of a PRIVILEGES field; unknown codes or a scoped global
    privilege are INVALID_PRIVILEGE."""
    if data is None:
        return []
    privileges = []
    pos = 1
    try:
        for _ in range(data[0]):
            code = data[pos]
            pos += 1
            if code not in PRIVILEGES:
                raise SecurityError(INVALID_PRIVILEGE)
            ns = set_ = ""
            if code >= 10:
                n = data[pos]
                ns = data[pos + 1:pos + 1 + n].decode("utf-8", "surrogateescape")
                pos += 1 + n
                n = data[pos]
                set_ = data[pos + 1:pos + 1 + n].decode("utf-8", "surrogateescape")
                pos += 1 + n
            if set_ and not ns:
                raise SecurityError(INVALID_PRIVILEGE)
            privileges.append((code, ns, set_))
    except IndexError:
        raise SecurityError(INVALID_FIELD)
    return privileges


def parse_whitelist(data):
    if not data:
        return []
    entries = [e.strip() for e in data.decode("utf-8", "replace").split(",") if e.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SecurityError(INVALID_WHITELIST)
    return entries


def encode_names(names):
    out = bytearray((len(names),))
    for name in names:
        b = name.encode("utf-8", "surrogateescape")
        out.append(len(b))
        out += b
    return bytes(out)


def encode_privileges(privileges):
    out = bytearray((len(privileges),))
    for code, ns, set_ in privileges:
        out.append(code)
        if code >= 10:
            for text in (ns, set_):
                b = text.encode("utf-8", "surrogateescape")
                out.append(len(b))
                out += b
    return bytes(out)


def encode_info(values):
    return bytes((len(values),)) + b"".join(_u32.pack(v) for v in values)
