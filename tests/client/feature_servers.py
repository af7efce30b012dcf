"""Servers with the optional features some tests need: strong consistency (transactions)
and security (users, roles). Imported by the test modules that use them.

Against a real server ($AEROSPIKE_TEST_SERVER) the session server is asked what it has;
Community Edition has neither, and the tests skip with that reason. Against the dev server
a second one is started with the feature, when the dev server offers it: the option is
detected (a TypeError means it is not there yet), never assumed.
"""

import pytest

ADMIN_USER, ADMIN_PASSWORD = "admin", "admin"  # a fresh server's superuser


def _info_value(answer):
    # "request\tvalue\n" or just the value
    return answer.split("\t", 1)[-1].strip()


def sc_namespace(client):
    """The name of a strong-consistency namespace of the server, or None."""
    names = [n for n in _info_value(client.info_random_node("namespaces")).split(";") if n]
    for ns in names:
        answer = _info_value(client.info_random_node("namespace/%s" % ns))
        if "strong-consistency=true" in answer.split(";"):
            return ns
    return None


def _start_dev_server(option):
    """A started dev server with one feature option, or skip when it has no such option."""
    from aerospike_cffi.testing import Server

    attempts = []
    if option == "strong_consistency":
        from aerospike_cffi.testing import store

        attempts.append(lambda: Server(namespaces=(store.Namespace("test",
                                                                   strong_consistency=True),
                                                   "bar")))
        attempts.append(lambda: Server(strong_consistency=True))
    else:
        attempts.append(lambda: Server(**{option: True}))
    for attempt in attempts:
        try:
            return attempt().start()
        except TypeError:
            continue
    pytest.skip("the dev server has no %s option yet" % option)


@pytest.fixture(scope="module")
def sc_client(aerospike_server, aerospike_client):
    """(client, namespace) on a server with a strong-consistency namespace."""
    import aerospike_cffi

    if not aerospike_server.is_dev_server:
        ns = sc_namespace(aerospike_client)
        if ns is None:
            pytest.skip("the server has no strong-consistency namespace (transactions need "
                        "one; Community Edition has none)")
        yield aerospike_client, ns
        return
    server = _start_dev_server("strong_consistency")
    client = None
    try:
        client = aerospike_cffi.client({"hosts": [(server.host, server.port)]})
        ns = sc_namespace(client)
        if ns is None:
            pytest.skip("the dev server's namespaces do not report strong-consistency")
        yield client, ns
    finally:
        if client is not None:
            client.close()
        server.stop()


@pytest.fixture(scope="module")
def security_server(aerospike_server, aerospike_client):
    """(host, port) of a server with security enabled, whose superuser is admin/admin."""
    from aerospike_cffi import exception

    if not aerospike_server.is_dev_server:
        try:
            aerospike_client.admin_query_users_info()
        except (exception.SecurityNotEnabled, exception.SecurityNotSupported) as exc:
            pytest.skip("security is not enabled on the server: %s" % exc.msg)
        except exception.NotAuthenticated:
            pass
        yield aerospike_server.host, aerospike_server.port
        return
    server = _start_dev_server("security")
    try:
        yield server.host, server.port
    finally:
        server.stop()


def admin_client(address, user=ADMIN_USER, password=ADMIN_PASSWORD):
    """A client logged in to ``address``; skips when the superuser cannot log in."""
    import aerospike_cffi
    from aerospike_cffi import exception

    try:
        return aerospike_cffi.client({"hosts": [address], "user": user, "password": password})
    except exception.AerospikeError as exc:
        if user == ADMIN_USER:
            pytest.skip("cannot log in as %s: %r" % (user, exc))
        raise
