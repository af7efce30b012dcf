"""Security administration: users, roles, privileges, whitelists and quotas (admin_*).

Arguments are checked here with the official's messages (names: 'Username should be a
string', roles: 'Roles should be a list'...); lists are packed for the shim
(shim_admin.c) as NUL-ended names. A name holding a NUL could not reach the server
intact, so it is refused like a non-string. Answers come back as NUL-ended fields
and become the official's shapes: users as {'read_info', 'write_info', 'conns_in_use',
'roles'}, roles as {'privileges', 'whitelist', 'read_quota', 'write_quota'} (or just the
privilege list for admin_query_role(s)), privileges as {'ns', 'set', 'code'}.
"""

from .._native import NulFields, ffi, lib, out_bytes, raise_error, scratch
from ..exception import ClientError, ParamError

_NULL = ffi.NULL
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1
_UNSET = object()  # an argument left out, where the official tells it from None

# shim.h SHIM_ADMIN_* operations.
_CREATE_USER, _CREATE_PKI_USER, _DROP_USER, _SET_PASSWORD, _CHANGE_PASSWORD = 0, 1, 2, 3, 4
_GRANT_ROLES, _REVOKE_ROLES = 5, 6
_CREATE_ROLE, _DROP_ROLE, _GRANT_PRIVILEGES, _REVOKE_PRIVILEGES = 10, 11, 12, 13
_SET_WHITELIST, _SET_QUOTAS = 14, 15


def _c_string(value, message, code=-2):
    if not isinstance(value, str):
        raise (ParamError if code == -2 else ClientError)(code, message)
    data = value.encode("utf-8", "surrogatepass")
    if b"\0" in data:
        raise (ParamError if code == -2 else ClientError)(code, message)
    return data


def _names(values, not_a_list, not_a_list_code=-2):
    """(packed bytes, count) of a list of strings."""
    if not isinstance(values, list):
        raise (ParamError if not_a_list_code == -2 else ClientError)(not_a_list_code,
                                                                      not_a_list)
    parts = [_c_string(v, "Unable to convert unicode object to C string", -1) for v in values]
    return b"".join(p + b"\0" for p in parts), len(parts)


def _privileges(privileges):
    """(codes int[], packed "ns\\0set\\0" bytes, count) of a list of privilege dicts."""
    if not isinstance(privileges, list):
        raise ParamError(-2, "Privileges should be a list")
    codes, scopes = [], []
    for priv in privileges:
        if not isinstance(priv, dict):
            raise ParamError(-2, "Privileges should be a list of dicts")
        if "code" not in priv:
            raise ParamError(-2, "Code is a compulsory parameter in privileges dictionary")
        code = priv["code"]
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= _INT_MAX:
            raise ParamError(-2, "Privilege code should be a non-negative integer")
        ns = _c_string(priv.get("ns", ""), "Privilege ns should be a string")
        set_ = _c_string(priv.get("set", ""), "Privilege set should be a string")
        codes.append(code)
        scopes.append(ns + b"\0" + set_ + b"\0")
    return ffi.new("int[]", codes or [0]), b"".join(scopes), len(codes)


def _quota(value, name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(-2, "%s must be an integer." % name)
    if not _INT_MIN <= value <= _INT_MAX:
        raise ParamError(-2, "%s too large for C int." % name)
    return value


def _user(fields):
    name = fields.text()
    info = {"read_info": fields.number(), "write_info": fields.number(),
            "conns_in_use": fields.number()}
    info["roles"] = [fields.text() for _ in range(fields.number())]
    return name, info


def _role(fields):
    name = fields.text()
    read_quota, write_quota = fields.number(), fields.number()
    whitelist = [fields.text() for _ in range(fields.number())]
    privileges = []
    for _ in range(fields.number()):
        code = fields.number()
        privileges.append({"ns": fields.text(), "set": fields.text(), "code": code})
    return name, {"privileges": privileges, "whitelist": whitelist,
                  "read_quota": read_quota, "write_quota": write_quota}


class AdminCommands:
    """The admin_* family of Client."""

    def _admin_policy(self, policy, message="No connection to aerospike cluster"):
        conn = self._conn(message)
        pol, _keep = self._policy("admin", policy)
        return conn, pol

    def _user_op(self, op, user, policy, password=_UNSET, roles=_UNSET, roles_code=-2):
        self._conn()  # as the official: a closed client says so before any argument check
        name = _c_string(user, "Username should be a string")
        secret = _NULL if password is _UNSET else _c_string(password,
                                                             "Password should be a string")
        packed, count = b"", 0
        if roles is not _UNSET:
            message = "Roles should be a list" if roles_code == -2 else "not a list"
            packed, count = _names(roles, message, roles_code)
        conn, pol = self._admin_policy(policy)
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_admin_user(conn, err, pol, op, name, secret, packed, count)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return 0

    def admin_create_user(self, user, password, roles, policy=None):
        """Create a user with a password and roles."""
        return self._user_op(_CREATE_USER, user, policy, password, roles)

    def admin_create_pki_user(self, user, roles, policy=None):
        """Create a user that authenticates by TLS certificate (no password)."""
        return self._user_op(_CREATE_PKI_USER, user, policy, roles=roles)

    def admin_drop_user(self, user, policy=None):
        """Remove the user ``user``."""
        return self._user_op(_DROP_USER, user, policy)

    def admin_set_password(self, user, password, policy=None):
        """Set a user's password (as an administrator)."""
        return self._user_op(_SET_PASSWORD, user, policy, password)

    def admin_change_password(self, user, password, policy=None):
        """Change the password of the user this client logged in as."""
        return self._user_op(_CHANGE_PASSWORD, user, policy, password)

    def admin_grant_roles(self, user, roles, policy=None):
        """Add the roles named in ``roles`` to the user ``user``."""
        # The official's grant/revoke check the list later, as a ClientError "not a list".
        return self._user_op(_GRANT_ROLES, user, policy, roles=roles, roles_code=-1)

    def admin_revoke_roles(self, user, roles, policy=None):
        """Take the roles named in ``roles`` from the user ``user``."""
        return self._user_op(_REVOKE_ROLES, user, policy, roles=roles, roles_code=-1)

    def _role_op(self, op, role, policy, privileges=_UNSET, whitelist=_UNSET, read_quota=0,
                 write_quota=0, period=""):
        # set_whitelist and set_quotas end their messages with a period, as the official.
        self._conn("No connection to aerospike cluster" + period)
        name = _c_string(role, "Role name should be a string" + period)
        codes, scopes, n_privs = ffi.new("int[]", 1), b"", 0
        if privileges is not _UNSET:
            codes, scopes, n_privs = _privileges(privileges)
        conn, pol = self._admin_policy(policy, "No connection to aerospike cluster" + period)
        white, n_white = b"", 0
        if whitelist is not _UNSET and not (whitelist is None and op == _SET_WHITELIST):
            white, n_white = _names(whitelist, "Whitelist must be a list of IP strings%s."
                                    % (", or None" if op == _SET_WHITELIST else ""))
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_admin_role(conn, err, pol, op, name, codes, scopes, n_privs, white,
                                     n_white, read_quota, write_quota)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return 0

    def admin_create_role(self, role, privileges=_UNSET, policy=None, whitelist=_UNSET,
                          read_quota=None, write_quota=None):
        """Create a role with privileges, and optionally a whitelist and quotas."""
        self._conn()
        if not isinstance(role, str):
            raise ParamError(-2, "Role name should be a string")
        reads = 0 if read_quota is None else _quota(read_quota, "py_read_quota")
        writes = 0 if write_quota is None else _quota(write_quota, "py_write_quota")
        return self._role_op(_CREATE_ROLE, role, policy,
                             [] if privileges is _UNSET else privileges, whitelist, reads, writes)

    def admin_drop_role(self, role, policy=None):
        """Remove the user-defined role ``role``."""
        return self._role_op(_DROP_ROLE, role, policy)

    def admin_grant_privileges(self, role, privileges, policy=None):
        """Add ``privileges`` (dicts with ``code``, ``ns``, ``set``) to the role ``role``."""
        return self._role_op(_GRANT_PRIVILEGES, role, policy, privileges)

    def admin_revoke_privileges(self, role, privileges, policy=None):
        """Take ``privileges`` (dicts with ``code``, ``ns``, ``set``) from the role ``role``."""
        return self._role_op(_REVOKE_PRIVILEGES, role, policy, privileges)

    def admin_set_whitelist(self, role, whitelist, policy=None):
        """Set a role's allowed client addresses (None or [] clears it)."""
        return self._role_op(_SET_WHITELIST, role, policy, whitelist=whitelist, period=".")

    def admin_set_quotas(self, role, read_quota=_UNSET, write_quota=_UNSET, policy=None):
        """Set a role's read and write quotas (records per second; unset: -1 as sent)."""
        self._conn("No connection to aerospike cluster.")
        if not isinstance(role, str):
            raise ParamError(-2, "Role name should be a string.")
        reads = -1 if read_quota is _UNSET else _quota(read_quota, "py_read_quota")
        writes = -1 if write_quota is _UNSET else _quota(write_quota, "py_write_quota")
        return self._role_op(_SET_QUOTAS, role, policy, read_quota=reads, write_quota=writes,
                             period=".")

    # ------------------------------------------------------------ queries

    def _query(self, roles, name, policy, name_message):
        self._conn()
        key = _NULL if name_message is None else _c_string(name, name_message)
        conn, pol = self._admin_policy(policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_admin_query(conn, err, pol, roles, key, out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        fields = NulFields(out_bytes(out))
        parse = _role if roles else _user
        result = {}
        while fields.more():
            entry_name, entry = parse(fields)
            result[entry_name] = entry
        return result

    def admin_query_user_info(self, user, policy=None):
        """{'read_info', 'write_info', 'conns_in_use', 'roles'} of one user."""
        found = self._query(0, user, policy, "Username should be a string")
        return next(iter(found.values()), {})

    def admin_query_users_info(self, policy=None):
        """{user name: the admin_query_user_info dict} of every user."""
        return self._query(0, None, policy, None)

    def admin_get_role(self, role, policy=None):
        """{'privileges', 'whitelist', 'read_quota', 'write_quota'} of one role."""
        found = self._query(1, role, policy, "Role name should be a string")
        return next(iter(found.values()), {})

    def admin_get_roles(self, policy=None):
        """{role name: the admin_get_role dict} of every role."""
        return self._query(1, None, policy, None)

    def admin_query_role(self, role, policy=None):
        """The privilege list of one role."""
        return self.admin_get_role(role, policy).get("privileges", [])

    def admin_query_roles(self, policy=None):
        """{role name: its privilege list} of every role."""
        return {name: info["privileges"] for name, info in self.admin_get_roles(policy).items()}
