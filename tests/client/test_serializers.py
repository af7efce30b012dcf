"""User serializers: module-wide, per call and per client, with the official 19.3.0 rules.

The official protocol is text based: a serializer returns str (we also take bytes), and a
deserializer receives every blob read back decoded as str; its result replaces the blob.
"""

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers.operations import operations as op

USER = aerospike.SERIALIZER_USER


@pytest.fixture(autouse=True)
def no_module_serializers():
    aerospike.unset_serializers()
    yield
    aerospike.unset_serializers()


@pytest.fixture
def config(aerospike_server):
    return {"hosts": [(aerospike_server.host, aerospike_server.port)]}


def test_setters_return_zero_and_check_callables():
    assert aerospike.set_serializer(repr) == 0
    assert aerospike.set_deserializer(str) == 0
    assert aerospike.unset_serializers() == 0
    for setter in (aerospike.set_serializer, aerospike.set_deserializer):
        with pytest.raises(ex.ParamError) as info:
            setter(5)
        assert info.value.msg == "Parameter must be a callable"


def test_without_serializer_argument_no_serializer_is_used(client, key):
    aerospike.set_serializer(lambda v: "S")
    with pytest.raises(ex.ParamError) as info:
        client.put(key, {"a": {1, 2}})
    assert info.value.msg == "Cannot serialize: SERIALIZER_NONE selected"
    with pytest.raises(ex.ParamError):
        client.put(key, {"a": {1, 2}}, serializer=aerospike.SERIALIZER_NONE)
    assert client.exists(key)[1] is None


def test_user_serializer_without_callback(client, key):
    with pytest.raises(ex.ClientError) as info:
        client.put(key, {"a": {1}}, serializer=USER)
    assert (info.value.code, info.value.msg) == (-1, "No serializer callback registered")
    assert client.exists(key)[1] is None


def test_module_serializer_and_deserializer(client, key):
    aerospike.set_serializer(lambda v: "set:" + ",".join(map(str, sorted(v))))
    assert client.put(key, {"a": {2, 1}, "l": [{3}], "m": {"k": {4}}, "i": 1},
                      serializer=USER) == 0
    # Without a deserializer the blobs read back as bytes.
    assert client.get(key)[2] == {"a": b"set:1,2", "l": [b"set:3"], "m": {"k": b"set:4"}, "i": 1}
    aerospike.set_deserializer(lambda text: ("D", text))
    assert client.get(key)[2] == {"a": ("D", "set:1,2"), "l": [("D", "set:3")],
                                  "m": {"k": ("D", "set:4")}, "i": 1}


def test_deserializer_applies_to_every_blob(client, key):
    client.put(key, {"b": b"raw", "ba": bytearray(b"y"), "l": [b"x"], "s": "text"})
    aerospike.set_deserializer(lambda text: ("D", text))
    assert client.get(key)[2] == {"b": ("D", "raw"), "ba": ("D", "y"), "l": [("D", "x")],
                                  "s": "text"}


def test_failing_deserializer_gives_the_raw_bytes(client, key):
    client.put(key, {"b": b"raw", "bad": b"\xff\xfe"})

    def fails(text):
        raise ValueError(text)

    aerospike.set_deserializer(fails)
    assert client.get(key)[2] == {"b": b"raw", "bad": b"\xff\xfe"}
    aerospike.set_deserializer(lambda text: text.upper())
    assert client.get(key)[2] == {"b": "RAW", "bad": b"\xff\xfe"}  # not UTF-8: raw bytes


@pytest.mark.parametrize("serializer,message", [
    (lambda v: 1 / 0, "Unable to call user's registered serializer callback"),
    (lambda v: 5, "Unable to set as_bytes"),
    (lambda v: None, "Unable to set as_bytes"),
], ids=["raises", "returns-int", "returns-none"])
def test_bad_serializer_results(client, key, serializer, message):
    aerospike.set_serializer(serializer)
    with pytest.raises(ex.ClientError) as info:
        client.put(key, {"a": {1}}, serializer=USER)
    assert (info.value.code, info.value.msg) == (-1, message)
    assert client.exists(key)[1] is None


def test_serializer_may_return_str_or_bytes(client, key):
    aerospike.set_serializer(lambda v: "text")
    client.put(key, {"a": (1, 2)}, serializer=USER)
    aerospike.set_serializer(lambda v: b"bytes")
    client.put(key, {"b": object()}, serializer=USER)
    assert client.get(key)[2] == {"a": b"text", "b": b"bytes"}


def test_unknown_serializer_kind(client, key):
    assert client.put(key, {"a": 1}, serializer=99) == 0  # nothing to serialize: fine
    with pytest.raises(ex.ClientError) as info:
        client.put(key, {"a": object()}, serializer=99)
    assert info.value.msg == "Unsupported serializer"


def test_operation_values_use_the_python_mode(client, key):
    aerospike.set_serializer(lambda v: "S")
    for value in (object(), (1, 2)):
        with pytest.raises(ex.ClientError) as info:
            client.operate(key, [op.write("a", value)])
        assert info.value.msg == "Unable to serialize unknown Python native type."
    assert client.exists(key)[1] is None


def test_client_serialization_config(config, client, key):
    c = aerospike.client(dict(config, serialization=(lambda v: "CFG", lambda t: ("CD", t))))
    try:
        aerospike.set_deserializer(lambda t: ("GD", t))
        c.put(key, {"a": {1}, "b": b"r"}, serializer=USER)
        # The client's deserializer wins over the module-wide one, for this client only.
        assert c.get(key)[2] == {"a": ("CD", "CFG"), "b": ("CD", "r")}
        assert client.get(key)[2] == {"a": ("GD", "CFG"), "b": ("GD", "r")}
    finally:
        c.close()


@pytest.mark.parametrize("serialization,message", [
    ((5, None), "Serializer must be callable"),
    ((None, 5), "Deserializer must be callable"),
])
def test_client_serialization_config_errors(config, serialization, message):
    with pytest.raises(ex.ParamError) as info:
        aerospike.client(dict(config, serialization=serialization))
    assert info.value.msg == message
