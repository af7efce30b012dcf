"""Security administration: the admin_* methods, connect(user, password).

Argument checks need only a connection (they fail before anything is sent, with the
official's classes and messages). On a server without security every admin command gets
the server's answer (Community Edition and the plain dev server: SecurityNotEnabled).
The rest runs on a server with security (feature_servers.security_server): Enterprise
Edition with security on, or the dev server once it offers security=True.
"""

import itertools
import os
import sys

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feature_servers import admin_client, security_server  # noqa: E402,F401 - fixture

PRIV = [{"code": aerospike.PRIV_READ, "ns": "test", "set": "demo"}]
_ids = itertools.count()

# (method, kwargs) with good arguments
GOOD = [
    ("admin_create_user", dict(user="u1", password="pw", roles=["read"])),
    ("admin_create_pki_user", dict(user="u1", roles=["read"])),
    ("admin_drop_user", dict(user="u1")),
    ("admin_set_password", dict(user="u1", password="pw")),
    ("admin_grant_roles", dict(user="u1", roles=["read"])),
    ("admin_revoke_roles", dict(user="u1", roles=["read"])),
    ("admin_query_user_info", dict(user="u1")),
    ("admin_query_users_info", dict()),
    ("admin_create_role", dict(role="r1", privileges=PRIV)),
    ("admin_set_whitelist", dict(role="r1", whitelist=["10.0.0.1"])),
    ("admin_set_quotas", dict(role="r1", read_quota=1, write_quota=2)),
    ("admin_drop_role", dict(role="r1")),
    ("admin_grant_privileges", dict(role="r1", privileges=PRIV)),
    ("admin_revoke_privileges", dict(role="r1", privileges=PRIV)),
    ("admin_query_role", dict(role="r1")),
    ("admin_query_roles", dict()),
    ("admin_get_role", dict(role="r1")),
    ("admin_get_roles", dict()),
]

# (method, argument, bad value, exception class, message): what the official answers.
BAD = [
    ("admin_create_user", "user", 1, exception.ParamError, "Username should be a string"),
    ("admin_create_user", "password", None, exception.ParamError, "Password should be a string"),
    ("admin_create_user", "roles", "read", exception.ParamError, "Roles should be a list"),
    ("admin_create_user", "roles", ["read", 1], exception.ClientError,
     "Unable to convert unicode object to C string"),
    ("admin_create_user", "policy", [], exception.ParamError, "policy must be a dict"),
    ("admin_create_pki_user", "roles", None, exception.ParamError, "Roles should be a list"),
    ("admin_drop_user", "user", None, exception.ParamError, "Username should be a string"),
    ("admin_set_password", "password", 5, exception.ParamError, "Password should be a string"),
    ("admin_grant_roles", "roles", "read", exception.ClientError, "not a list"),
    ("admin_revoke_roles", "roles", None, exception.ClientError, "not a list"),
    ("admin_revoke_roles", "roles", [1], exception.ClientError,
     "Unable to convert unicode object to C string"),
    ("admin_query_user_info", "user", None, exception.ParamError, "Username should be a string"),
    ("admin_create_role", "role", 1, exception.ParamError, "Role name should be a string"),
    ("admin_create_role", "privileges", None, exception.ParamError, "Privileges should be a list"),
    ("admin_create_role", "privileges", [{"ns": "test"}], exception.ParamError,
     "Code is a compulsory parameter in privileges dictionary"),
    ("admin_create_role", "whitelist", None, exception.ParamError,
     "Whitelist must be a list of IP strings."),
    ("admin_create_role", "whitelist", ["10.0.0.1", 2], exception.ClientError,
     "Unable to convert unicode object to C string"),
    ("admin_set_whitelist", "whitelist", "10.0.0.1", exception.ParamError,
     "Whitelist must be a list of IP strings, or None."),
    ("admin_set_whitelist", "role", None, exception.ParamError, "Role name should be a string."),
    ("admin_set_quotas", "read_quota", None, exception.ParamError,
     "py_read_quota must be an integer."),
    ("admin_set_quotas", "write_quota", 1 << 40, exception.ParamError,
     "py_write_quota too large for C int."),
    ("admin_grant_privileges", "privileges", {"code": 10}, exception.ParamError,
     "Privileges should be a list"),
    ("admin_revoke_privileges", "privileges", 1, exception.ParamError,
     "Privileges should be a list"),
    ("admin_query_role", "role", None, exception.ParamError, "Role name should be a string"),
    ("admin_get_role", "role", 3, exception.ParamError, "Role name should be a string"),
    ("admin_get_roles", "policy", "x", exception.ParamError, "policy must be a dict"),
]


@pytest.mark.parametrize("method, arg, value, exc, message", BAD)
def test_bad_arguments_are_refused_before_sending(client, method, arg, value, exc, message):
    kwargs = dict(dict(GOOD)[method]) if method != "admin_create_role" else dict(
        role="r1", privileges=PRIV)
    kwargs[arg] = value
    with pytest.raises(exc) as info:
        getattr(client, method)(**kwargs)
    assert type(info.value) is exc
    assert info.value.msg == message


@pytest.mark.parametrize("privileges", [["read"], [{"code": "read"}], [{"code": 10, "ns": 1}],
                                        [{"code": 10, "set": b"x"}],
                                        [{"code": 10, "ns": "n" * 40}]])
def test_malformed_privileges_are_a_clean_error(client, privileges):
    # The official sends uninitialised memory for some of these, or crashes (ns not a str).
    with pytest.raises(exception.ParamError):
        client.admin_grant_privileges("r1", privileges)


def test_a_name_with_a_nul_is_refused(client):
    with pytest.raises(exception.ParamError, match="Username should be a string"):
        client.admin_drop_user("a\0b")


@pytest.mark.parametrize("method, kwargs", GOOD)
def test_closed_client(aerospike_server, method, kwargs):
    closed = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
    closed.close()
    with pytest.raises(exception.ClusterError) as info:
        getattr(closed, method)(**kwargs)
    assert info.value.code == 11
    assert info.value.msg.startswith("No connection to aerospike cluster")


# Community Edition answers "security not supported" (51), a server that could have
# security but has it off "security not enabled" (52): the class follows the code.
_NO_SECURITY = {51: exception.SecurityNotSupported, 52: exception.SecurityNotEnabled}


@pytest.mark.parametrize("method, kwargs", GOOD)
def test_without_security_the_server_says_so(client, method, kwargs):
    try:
        client.admin_query_users_info()
    except (exception.SecurityNotEnabled, exception.SecurityNotSupported):
        pass
    else:
        pytest.skip("the server has security enabled")
    with pytest.raises(exception.AdminError) as info:
        getattr(client, method)(**kwargs)
    assert type(info.value) is _NO_SECURITY[info.value.code]


def test_change_password_needs_a_logged_in_user(client):
    # The C client checks this itself: this client has no user.
    with pytest.raises(exception.ParamError, match="Current hashed password is invalid"):
        client.admin_change_password("u1", "pw")


# ------------------------------------------------------------ with security

def _name(tag):
    return "cffi-%s-%d-%d" % (tag, os.getpid(), next(_ids))


@pytest.fixture(scope="module")
def admin(security_server):
    client = admin_client(security_server)
    yield client
    client.close()


def test_users_roles_and_their_shapes(admin):
    user, role = _name("user"), _name("role")
    admin.admin_create_role(role, PRIV, whitelist=["10.0.0.0/8"], read_quota=10,
                            write_quota=20)
    try:
        got = admin.admin_get_role(role)
        assert got == {"privileges": [{"ns": "test", "set": "demo", "code": aerospike.PRIV_READ}],
                       "whitelist": ["10.0.0.0/8"], "read_quota": 10, "write_quota": 20}
        assert admin.admin_query_role(role) == got["privileges"]
        assert admin.admin_get_roles()[role] == got
        assert admin.admin_query_roles()[role] == got["privileges"]

        write = {"code": aerospike.PRIV_WRITE, "ns": "test", "set": ""}
        assert admin.admin_grant_privileges(role, [write]) == 0
        assert write in admin.admin_query_role(role)
        assert admin.admin_revoke_privileges(role, [write]) == 0
        assert write not in admin.admin_query_role(role)
        assert admin.admin_set_whitelist(role, None) == 0
        assert admin.admin_get_role(role)["whitelist"] == []
        assert admin.admin_set_quotas(role, read_quota=1, write_quota=2) == 0
        assert admin.admin_get_role(role)["read_quota"] == 1

        assert admin.admin_create_user(user, "secret-1", [role]) == 0
        try:
            info = admin.admin_query_user_info(user)
            assert set(info) == {"read_info", "write_info", "conns_in_use", "roles"}
            assert info["roles"] == [role]
            assert admin.admin_query_users_info()[user]["roles"] == [role]
            assert admin.admin_grant_roles(user, ["read-write"]) == 0
            assert sorted(admin.admin_query_user_info(user)["roles"]) == sorted(
                [role, "read-write"])
            assert admin.admin_revoke_roles(user, ["read-write"]) == 0
            assert admin.admin_query_user_info(user)["roles"] == [role]
            assert admin.admin_set_password(user, "secret-2") == 0
        finally:
            assert admin.admin_drop_user(user) == 0
        with pytest.raises(exception.InvalidUser):
            admin.admin_query_user_info(user)
    finally:
        admin.admin_drop_role(role)
    with pytest.raises(exception.InvalidRole):
        admin.admin_get_role(role)


def test_login_and_a_forbidden_command(admin, security_server):
    user = _name("reader")
    admin.admin_create_user(user, "pw-1", ["read"])
    try:
        reader = admin_client(security_server, user, "pw-1")
        try:
            with pytest.raises(exception.RoleViolation) as info:
                reader.put(("test", "cffi-sec", user), {"a": 1})
            assert info.value.code == 81
            assert reader.admin_change_password(user, "pw-2") == 0
        finally:
            reader.close()
        with pytest.raises(exception.AerospikeError):
            admin_client(security_server, user, "pw-1")
        again = aerospike.client({"hosts": [security_server]})
        again.close()
        assert again.connect(user, "pw-2") is again
        again.close()
    finally:
        admin.admin_drop_user(user)


def test_commands_without_login_are_not_authenticated(security_server):
    anonymous = None
    try:
        anonymous = aerospike.client({"hosts": [security_server]})
        with pytest.raises((exception.NotAuthenticated, exception.InvalidCredential)):
            anonymous.get(("test", "cffi-sec", "nobody"))
    except exception.NotAuthenticated:
        pass  # refused at connect: as good
    finally:
        if anonymous is not None:
            anonymous.close()


# ------------------------------------------------------------ credentials in the config

@pytest.mark.parametrize("extra, exc, message", [
    ({"user": "u" * 64, "password": "p"}, exception.ParamError,
     "Username length exceeds the maximum of 63 characters"),
    ({"policies": {"auth_mode": 9}}, exception.ParamError, "Specify valid auth_mode"),
    ({"policies": {"auth_mode": aerospike.AUTH_EXTERNAL}}, exception.ClientError,
     "TLS is required for external or PKI authentication"),
])
def test_bad_credentials_config(aerospike_server, extra, exc, message):
    config = {"hosts": [(aerospike_server.host, aerospike_server.port)]}
    config.update(extra)
    with pytest.raises(exc) as info:
        aerospike.client(config)
    assert type(info.value) is exc and info.value.msg == message


def test_a_login_to_a_server_without_security(aerospike_server, client):
    try:
        client.admin_query_users_info()
    except (exception.SecurityNotEnabled, exception.SecurityNotSupported):
        pass
    else:
        pytest.skip("the server has security enabled")
    config = {"hosts": [(aerospike_server.host, aerospike_server.port)], "user": "u",
              "password": "p"}
    try:
        logged_in = aerospike.client(config)
    except exception.AdminError as exc:
        assert type(exc) is _NO_SECURITY[exc.code]  # Community Edition: not supported
    else:
        logged_in.close()
        pytest.skip("the server accepted a login without security (Community Edition "
                    "refuses it: SecurityNotSupported)")
