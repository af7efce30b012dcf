"""Run under the official client: its admin_* methods against a security-enabled
dev server (started by test_security.py).  Prints "ok" at the end."""

import argparse

import aerospike
from aerospike import exception as ex

parser = argparse.ArgumentParser()
parser.add_argument("--host")
parser.add_argument("--port", type=int)
args = parser.parse_args()
hosts = [(args.host, args.port)]


def expect(exc, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except exc:
        return
    raise AssertionError("%s did not raise %s" % (fn, exc))


expect(ex.NotAuthenticated, lambda: aerospike.client({"hosts": hosts}).connect())
expect(ex.InvalidCredential,
       lambda: aerospike.client({"hosts": hosts, "user": "admin", "password": "x"}).connect())
admin = aerospike.client({"hosts": hosts, "user": "admin", "password": "admin"}).connect()
expect(ex.RoleViolation, admin.put, ("test", "osec", 1), {"a": 1})

admin.admin_create_role("osec_rw", [{"code": aerospike.PRIV_READ_WRITE, "ns": "test",
                                     "set": "osec"}])
assert admin.admin_query_role("osec_rw") == [{"ns": "test", "set": "osec",
                                              "code": aerospike.PRIV_READ_WRITE}]
admin.admin_create_user("ouser", "secret", ["osec_rw", "read"])
info = admin.admin_query_user_info("ouser")
assert info["roles"] == ["osec_rw", "read"], info
assert set(admin.admin_query_users_info()) == {"admin", "ouser"}
expect(ex.UserExistsError, admin.admin_create_user, "ouser", "x", ["read"])
expect(ex.InvalidRole, admin.admin_grant_roles, "ouser", ["no-such-role"])
expect(ex.QuotasNotEnabled, admin.admin_set_quotas, "osec_rw", 10, 10)

user = aerospike.client({"hosts": hosts, "user": "ouser", "password": "secret"}).connect()
user.put(("test", "osec", 1), {"a": 1})
assert user.get(("test", "osec", 1))[2] == {"a": 1}
assert user.get(("test", "osec", 1))[2] == {"a": 1}
expect(ex.RoleViolation, user.put, ("test", "elsewhere", 1), {"a": 1})
expect(ex.RoleViolation, user.admin_create_user, "x", "y", ["read"])

admin.admin_revoke_roles("ouser", ["osec_rw"])
expect(ex.RoleViolation, user.put, ("test", "osec", 2), {"a": 1})
admin.admin_grant_privileges("osec_rw", [{"code": aerospike.PRIV_WRITE, "ns": "test"}])
admin.admin_grant_roles("ouser", ["osec_rw"])
user.put(("test", "elsewhere", 1), {"a": 1})
admin.admin_set_whitelist("osec_rw", ["10.9.9.9"])
expect(ex.NotWhitelisted,
       lambda: aerospike.client({"hosts": hosts, "user": "ouser", "password": "secret"}).connect())
admin.admin_set_whitelist("osec_rw", [])
admin.admin_set_password("ouser", "secret2")
user2 = aerospike.client({"hosts": hosts, "user": "ouser", "password": "secret2"}).connect()
assert user2.get(("test", "osec", 1))[2] == {"a": 1}
user2.admin_change_password("ouser", "secret3")
aerospike.client({"hosts": hosts, "user": "ouser", "password": "secret3"}).connect().close()
user.close()
user2.close()
# A PKI user (server 8.1+) logs in with a certificate only: no password, none settable.
admin.admin_create_pki_user("opki", ["read"])
assert admin.admin_query_user_info("opki")["roles"] == ["read"]
expect(ex.InvalidCredential, lambda: aerospike.client(
    {"hosts": hosts, "user": "opki", "password": "nopassword"}).connect())
expect(ex.ForbiddenPassword, admin.admin_set_password, "opki", "x")
admin.admin_drop_user("opki")
admin.admin_drop_user("ouser")
admin.admin_drop_role("osec_rw")
expect(ex.InvalidUser, admin.admin_query_user_info, "ouser")
admin.close()
print("ok")
