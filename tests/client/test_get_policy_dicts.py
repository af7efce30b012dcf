"""get() with a per-call policy dict: what each field does to the answer, whichever way the
client reads it (a policy dict with deserialize on takes the same path as a get without a
policy, with the dict's C struct; deserialize False the generic one). Against the dev
server and a real one alike (AEROSPIKE_TEST_SERVER)."""

import os

import pytest
from aerospike_helpers import expressions as exp

import aerospike_cffi as aerospike
from aerospike_cffi import exception

NS, SET = "test", "policy-dicts-%d" % os.getpid()
BINS = {"n": 7, "s": "seven", "l": [1, 2, 3], "m": {"a": 1}}


@pytest.fixture(scope="module")
def keys(client):
    """One record per kind of user key (int, str, bytes), written with its key stored."""
    written = [(NS, SET, 1), (NS, SET, "one"), (NS, SET, bytearray(b"\x01one"))]
    for key in written:
        client.put(key, BINS, policy={"key": aerospike.POLICY_KEY_SEND})
    yield written
    for key in written:
        client.remove(key)


@pytest.mark.parametrize("kind", ["int", "str", "bytes"])
def test_key_policy_decides_the_returned_user_key(client, keys, kind):
    key = keys[["int", "str", "bytes"].index(kind)]
    sent = client.get(key, {"key": aerospike.POLICY_KEY_SEND})
    digest_only = client.get(key, {"key": aerospike.POLICY_KEY_DIGEST})
    default = client.get(key)
    assert sent[0][2] == key[2] and digest_only[0][2] is None and default[0][2] is None
    assert sent[0][:2] == digest_only[0][:2] == (NS, SET)
    assert sent[0][3] == digest_only[0][3] == default[0][3] == aerospike.calc_digest(
        NS, SET, key[2])
    assert sent[2] == digest_only[2] == default[2] == BINS
    assert sent[1]["gen"] == default[1]["gen"] >= 1


def test_key_policy_against_a_config_that_sends_keys(aerospike_server, keys):
    hosts = [(aerospike_server.host, aerospike_server.port)]
    config = {"hosts": hosts, "policies": {"read": {"key": aerospike.POLICY_KEY_SEND}}}
    other = aerospike.client(config).connect()
    try:
        for key in keys:
            assert other.get(key)[0][2] == key[2]
            assert other.get(key, {"key": aerospike.POLICY_KEY_DIGEST})[0][2] is None
            assert other.get(key, {"total_timeout": 2000})[0][2] == key[2]
    finally:
        other.close()


def test_the_same_dict_again_and_equal_dicts_read_alike(client, keys):
    policy = {"total_timeout": 2000, "max_retries": 1}
    answers = [client.get(keys[0], policy) for _ in range(3)]
    answers.append(client.get(keys[0], dict(policy)))
    assert all(answer == answers[0] for answer in answers)
    assert answers[0][2] == BINS


def test_deserialize_false_reads_collections_raw(client, keys):
    raw = client.get(keys[0], {"deserialize": False})[2]
    assert raw["n"] == 7 and raw["s"] == "seven"
    assert type(raw["l"]) is bytes and type(raw["m"]) is bytes
    assert client.get(keys[0], {"deserialize": True})[2] == BINS
    with pytest.raises(exception.ParamError):  # as the official: not a bool
        client.get(keys[0], {"deserialize": None})


def test_filter_expressions(client, keys):
    match = {"expressions": exp.Eq(exp.IntBin("n"), 7).compile()}
    other = {"expressions": exp.Eq(exp.IntBin("n"), 8).compile()}
    for key in keys:
        for _ in range(2):  # the same dict twice (the second: its cached struct)
            assert client.get(key, match)[2] == BINS
            with pytest.raises(exception.FilteredOut):
                client.get(key, other)


def test_missing_record_and_bad_input(client, keys):
    with pytest.raises(exception.RecordNotFound):
        client.get((NS, SET, "never-written"), {"total_timeout": 2000})
    with pytest.raises(exception.ParamError):
        client.get(keys[0], {"total_timeout": "soon"})
    # as the official (without validate_keys in the config): unknown fields are ignored
    assert client.get(keys[0], {"no_such_field": 1})[2] == BINS
    with pytest.raises(exception.ParamError):
        client.get(keys[0], ["not", "a", "dict"])
    # the key is read before the policy, with or without one
    with pytest.raises(exception.ParamError) as bad_key:
        client.get((NS, SET), {"total_timeout": "soon"})
    with pytest.raises(exception.ParamError) as bad_key_alone:
        client.get((NS, SET))
    assert str(bad_key.value) == str(bad_key_alone.value)
    assert client.get(keys[0], {"total_timeout": 2000})[2] == BINS  # nothing left behind
