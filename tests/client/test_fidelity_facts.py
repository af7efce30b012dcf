"""The official client's behaviour that test_fidelity.py compares, held here as plain facts
too (so they are guarded where the official client cannot run)."""

import warnings

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex

NS, SET = "test", "fidelity_facts"


@pytest.fixture
def rec(client):
    key = (NS, SET, "user-1")
    client.put(key, {"l": [1, "a"], "m": {"k": 1}, "i": 2}, policy={"key": aerospike.POLICY_KEY_SEND})
    yield key
    client.remove(key)


def test_errors_raised_in_python_carry_five_args(client):
    with pytest.raises(ex.ParamError) as info:
        client.get(("test",))
    code, msg, file, line, in_doubt = info.value.args
    assert (code, in_doubt) == (-2, False) and msg.startswith("key tuple must be")
    assert file.startswith("aerospike_cffi/") and isinstance(line, int)
    # An exception an application builds keeps the args it was given.
    assert ex.ParamError(-2, "mine").args == (-2, "mine")
    assert ex.AerospikeError().code is None and ex.RecordNotFound().code == 2


def test_get_returns_the_user_key_when_the_read_policy_sends_it(client, rec):
    assert client.get(rec)[0][2] is None
    assert client.get(rec, {"key": aerospike.POLICY_KEY_SEND})[0][2] == "user-1"


def test_deserialize_false_reads_lists_and_maps_as_msgpack_bytes(client, rec):
    bins = client.get(rec, {"deserialize": False})[2]
    assert bins == {"l": b"\x92\x01\xa2\x03a", "m": b"\x81\xa2\x03k\x01", "i": 2}
    assert client.get(rec)[2]["l"] == [1, "a"]


def test_map_keys_the_server_refuses_are_dropped_with_a_warning(client):
    key = (NS, SET, "keys")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert client.put(key, {"m": {1.5: "f", 2: "i", None: "n", True: "t"}}) == 0
    try:
        assert sorted(str(w.message) for w in caught) == [
            "Attempted to store a map with key %s, which is an invalid type" % k
            for k in ("1.5", "NIL", "true")]
        assert client.get(key)[2] == {"m": {2: "i"}}
    finally:
        client.remove(key)


def test_query_select_once(client):
    query = client.query(NS, SET)
    query.select("a")
    with pytest.raises(ex.ClientError) as info:
        query.select("b")
    assert "cannot be called more than once" in info.value.msg
    scan = client.scan(NS, SET)
    assert scan.select("a").select("b") is scan


def test_geojson_text_that_is_no_json_is_a_client_error():
    with pytest.raises(ex.ClientError):
        aerospike.GeoJSON("not json")
    with pytest.raises(ex.ParamError):
        aerospike.GeoJSON("[1]")


def test_partition_filter_errors_in_the_official_words(client):
    with pytest.raises(ex.ParamError) as info:
        client.query(NS, SET).results({"partition_filter": {"count": 0}})
    assert info.value.msg.startswith("invalid partition_filter policy count")
    with pytest.raises(ex.ParamError) as info:
        client.query(NS, SET).results({"partition_filter": {
            "begin": 0, "count": 1, "partition_status": {"done": 0, "retry": 1,
                                                         0: (0, "x", 1, bytearray(20))}}})
    assert info.value.msg == "invalid init for part_id: 0"
    # A scan ignores a filter it cannot read, as the official's.
    assert client.scan(NS, SET).results({"partition_filter": {"count": 0}}) == []


def test_foreach_with_a_partition_filter_gets_the_partition_id(client, rec):
    calls = []
    client.query(NS, SET).foreach(lambda *a: calls.append(a),
                                  {"partition_filter": {"begin": 0, "count": 4096}})
    part_id = aerospike.get_partition_id(aerospike.calc_digest(*rec))
    assert [(a[0], a[1][2]["i"]) for a in calls] == [(part_id, 2)]


def test_strict_types_false_lets_the_server_answer(client, rec, aerospike_server):
    other = aerospike.client({"hosts": [(aerospike_server.host, int(aerospike_server.port))],
                              "strict_types": False})
    try:
        with pytest.raises(ex.BinIncompatibleType):
            other.append(rec, "i", {"a": 1})
        with pytest.raises(ex.ClientError):
            other.increment(rec, "i", None)
    finally:
        other.close()
    with pytest.raises(ex.ParamError):
        client.append(rec, "i", {"a": 1})


def test_calc_digest_argument_errors_read_like_the_officials():
    with pytest.raises(TypeError, match=r"^calc_digest\(\) missing required argument 'key' \(pos 3\)$"):
        aerospike.calc_digest("test", "s")
    with pytest.raises(TypeError, match=r"^calc_digest\(\) takes at most 3 arguments \(4 given\)$"):
        aerospike.calc_digest("test", "s", 1, 2)
    with pytest.raises(TypeError, match="^argument must be sequence of length 1, not 0$"):
        aerospike.get_partition_id()
