"""index_set_create (an index of a set's records, server 8.1) and set_xdr_filter (XDR,
Enterprise Edition)."""

import os

import pytest

from aerospike_cffi import exception
from aerospike_helpers.expressions import base as exp


def test_index_set_create_and_remove(client):
    name = "cffi_setidx_%d" % os.getpid()
    try:
        assert client.index_set_create("test", "cffi-setidx", name) == 0
    except exception.InvalidRequest as exc:
        pytest.skip("the server has no set indexes: %s" % exc.msg)
    assert client.index_remove("test", name) == 0


@pytest.mark.parametrize("args, message", [
    ((1, "s", "n"), "Namespace should be a string"),
    (("test", 1, "n"), "Set should be string, unicode or None"),
    (("test", "s", None), "Index name should be string or unicode"),
])
def test_index_set_create_checks(client, args, message):
    with pytest.raises(exception.ParamError, match=message):
        client.index_set_create(*args)


@pytest.mark.parametrize("args, message", [
    ((1, "test", None), "Data_center should be a string."),
    (("dc1", None, None), "Namespace should be a string."),
])
def test_set_xdr_filter_checks(client, args, message):
    with pytest.raises(exception.ParamError) as info:
        client.set_xdr_filter(*args)
    assert info.value.msg == message


def test_set_xdr_filter_bad_expression(client):
    with pytest.raises(exception.ParamError):
        client.set_xdr_filter("dc1", "test", 5)


@pytest.mark.parametrize("expression", [None, exp.Eq(exp.IntBin("a"), 1).compile()])
def test_set_xdr_filter_without_xdr(client, expression):
    # Community Edition: "enterprise only" (25), raised as the official does; a server
    # with XDR answers "ok" or its error for an unknown datacenter.
    try:
        answer = client.set_xdr_filter("cffi-dc", "test", expression)
    except exception.InvalidRequest as exc:
        pytest.skip("the server does not know the command: %s" % exc.msg)
    except exception.AerospikeError as exc:
        assert type(exc) is exception.AerospikeError and exc.code == 25
    else:
        assert isinstance(answer, str)
