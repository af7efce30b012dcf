"""Bad input to every argument of every command: the official 19.3.0's class, code and message,
and nothing written."""

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers.operations import operations as op

KEY_ERRORS = [
    (("test",), ex.ParamError,
     "key tuple must be (Namespace, Set, Key) or (Namespace, Set, None, Digest)"),
    (("test", "s"), ex.ParamError,
     "key tuple must be (Namespace, Set, Key) or (Namespace, Set, None, Digest)"),
    (("test", "s", "a", None, 1), ex.ParamError,
     "key tuple must be (Namespace, Set, Key) or (Namespace, Set, None, Digest)"),
    (["test", "s", "a"], ex.ParamError, "key is invalid"),
    ("test", ex.ParamError, "key is invalid"),
    (None, ex.ParamError, "key is invalid"),
    (5, ex.ParamError, "key is invalid"),
    ((1, "s", "a"), ex.ParamError, "namespace must be a string"),
    ((None, "s", "a"), ex.ParamError, "namespace must be a string"),
    (("test", 1, "a"), ex.ParamError, "set must be a string"),
    (("t" * 32, "s", "a"), ex.ParamError, "key is invalid"),
    (("test", "s" * 64, "a"), ex.ParamError, "key is invalid"),
    (("test", "s", 1.5), ex.ParamError, "key is invalid"),
    (("test", "s", [1]), ex.ParamError, "key is invalid"),
    (("test", "s", 1 << 63), ex.ParamError, "integer value for KEY exceeds sys.maxsize"),
    (("test", "s", -(1 << 63) - 1), ex.ParamError, "integer value for KEY exceeds sys.maxsize"),
    (("test", "s", bytearray()), ex.ParamError, "Byte array size cannot be 0"),
    (("test", "s", None), ex.ParamError, "either key or digest is required"),
    (("test", "s", None, b"x" * 20), ex.ParamError, "digest is invalid. expected a bytearray"),
    (("test", "s", None, "x" * 20), ex.ParamError, "digest is invalid. expected a bytearray"),
    (("test", "s", None, bytearray(19)), ex.ParamError,
     "digest size is invalid. should be 20 bytes, but received 19"),
    (("test", "s", None, bytearray(21)), ex.ParamError,
     "digest size is invalid. should be 20 bytes, but received 21"),
    (("", "s", "a"), ex.NamespaceNotFound, None),
    (("t" * 31, "s", "a"), ex.NamespaceNotFound, None),
]

COMMANDS = {
    "get": lambda c, k: c.get(k),
    "select": lambda c, k: c.select(k, ["a"]),
    "exists": lambda c, k: c.exists(k),
    "put": lambda c, k: c.put(k, {"a": 1}),
    "remove": lambda c, k: c.remove(k),
    "remove_bin": lambda c, k: c.remove_bin(k, ["a"]),
    "touch": lambda c, k: c.touch(k),
    "append": lambda c, k: c.append(k, "a", "x"),
    "prepend": lambda c, k: c.prepend(k, "a", "x"),
    "increment": lambda c, k: c.increment(k, "a", 1),
    "operate": lambda c, k: c.operate(k, [op.read("a")]),
    "operate_ordered": lambda c, k: c.operate_ordered(k, [op.read("a")]),
}


def check(info, cls, message, code=None):
    assert type(info.value) is cls
    if message is not None:
        assert info.value.msg == message
    if code is not None:
        assert info.value.code == code


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("bad_key,cls,message", KEY_ERRORS, ids=[repr(k)[:40] for k, _, _ in KEY_ERRORS])
def test_bad_keys(client, command, bad_key, cls, message):
    with pytest.raises(ex.AerospikeError) as info:
        COMMANDS[command](client, bad_key)
    check(info, cls, message)


BINS_ERRORS = [
    ([("a", 1)], ex.ParamError, "Record should be passed as bin-value pair"),
    (None, ex.ParamError, "Record should be passed as bin-value pair"),
    ("a", ex.ParamError, "Record should be passed as bin-value pair"),
    ({1: 1}, ex.ClientError, "A bin name must be a string or unicode string."),
    ({b"a": 1}, ex.ClientError, "A bin name must be a string or unicode string."),
    ({"a" * 16: 1}, ex.BinNameError, "A bin name should not exceed 15 characters limit"),
    ({"é" * 8: 1}, ex.BinNameError, "A bin name should not exceed 15 characters limit"),
    ({"ok": 1, "a" * 16: 1}, ex.BinNameError, "A bin name should not exceed 15 characters limit"),
    ({}, ex.InvalidRequest, None),
]


@pytest.mark.parametrize("bins,cls,message", BINS_ERRORS, ids=[repr(b)[:40] for b, _, _ in BINS_ERRORS])
def test_bad_bins(client, key, bins, cls, message):
    with pytest.raises(ex.AerospikeError) as info:
        client.put(key, bins)
    check(info, cls, message)
    if cls is ex.BinNameError:
        assert (info.value.code, info.value.key, info.value.bin) == (21, key, bins)
    assert client.exists(key)[1] is None


def test_bin_name_limits(client, key):
    assert client.put(key, {"a" * 15: 1, "é" * 7: 2}) == 0
    assert client.get(key)[2] == {"a" * 15: 1, "é" * 7: 2}


@pytest.mark.parametrize("bins,cls,message", [
    ("a", ex.ParamError, "not a list or tuple"),
    (None, ex.ParamError, "not a list or tuple"),
    ({"a": 1}, ex.ParamError, "not a list or tuple"),
    ([1], ex.ParamError, "Bin name must be a string"),
    (["a", None], ex.ParamError, "Bin name must be a string"),
    ((1,), ex.ParamError, "not string type"),
], ids=repr)
def test_bad_select_bins(client, key, bins, cls, message):
    client.put(key, {"a": 1})
    with pytest.raises(ex.AerospikeError) as info:
        client.select(key, bins)
    check(info, cls, message)


def test_select_of_no_bins_is_refused_by_the_server(client, key):
    # the read names no bin and does not ask for all: server 8.1 answers PARAMETER
    client.put(key, {"a": 1, "b": 2})
    with pytest.raises(ex.InvalidRequest) as info:
        client.select(key, [])
    assert info.value.code == 4


@pytest.mark.parametrize("names,cls,message", [
    ("a", ex.ParamError, "Bins should be a list"),
    (("a",), ex.ParamError, "Bins should be a list"),
    (None, ex.ParamError, "Bins should be a list"),
    ([1], ex.ClientError, "Invalid bin name, bin name should be a string or unicode string"),
    ([], ex.InvalidRequest, None),
], ids=repr)
def test_bad_remove_bin_names(client, key, names, cls, message):
    client.put(key, {"a": 1})
    with pytest.raises(ex.AerospikeError) as info:
        client.remove_bin(key, names)
    check(info, cls, message)
    assert client.get(key)[2] == {"a": 1}


SINGLE_BIN = {
    "append": lambda c, k, b, v: c.append(k, b, v),
    "prepend": lambda c, k, b, v: c.prepend(k, b, v),
    "increment": lambda c, k, b, v: c.increment(k, b, v),
}
GOOD_VALUE = {"append": "x", "prepend": "x", "increment": 1}


@pytest.mark.parametrize("command", sorted(SINGLE_BIN))
def test_bad_bin_argument(client, key, command):
    call, value = SINGLE_BIN[command], GOOD_VALUE[command]
    for bad in (1, None, b"a", ["a"]):
        with pytest.raises(ex.ParamError) as info:
            call(client, key, bad, value)
        check(info, ex.ParamError, "Bin name should be of type string")
    with pytest.raises(ex.BinNameError) as info:
        call(client, key, "a" * 16, value)
    assert (info.value.code, info.value.key, info.value.bin) == (21, key, "a" * 16)
    assert client.exists(key)[1] is None


@pytest.mark.parametrize("command,value,message", [
    ("append", 1, "Cannot concatenate 'str' and 'non-str' objects"),
    ("append", None, "Cannot concatenate 'str' and 'non-str' objects"),
    ("append", ["x"], "Cannot concatenate 'str' and 'non-str' objects"),
    ("prepend", 1.5, "Cannot concatenate 'str' and 'non-str' objects"),
    ("prepend", {"a": 1}, "Cannot concatenate 'str' and 'non-str' objects"),
    ("increment", "1", "Unsupported operand type(s) for +: only 'int' allowed"),
    ("increment", None, "Unsupported operand type(s) for +: only 'int' allowed"),
    ("increment", [1], "Unsupported operand type(s) for +: only 'int' allowed"),
    ("increment", 1 << 63, "integer value exceeds sys.maxsize"),
], ids=repr)
def test_bad_single_bin_values(client, key, command, value, message):
    with pytest.raises(ex.ParamError) as info:
        SINGLE_BIN[command](client, key, "a", value)
    check(info, ex.ParamError, message)
    assert client.exists(key)[1] is None


def test_increment_wraps_around_on_the_server(client, key):
    client.put(key, {"i": (1 << 63) - 1})
    assert client.increment(key, "i", 1) == 0
    assert client.get(key)[2] == {"i": -(1 << 63)}


@pytest.mark.parametrize("val,cls,message", [
    ("x", ex.ParamError, "Unsupported operand type(s) for touch : only int or long allowed"),
    (1.5, ex.ParamError, "Unsupported operand type(s) for touch : only int or long allowed"),
    (None, ex.ParamError, "Unsupported operand type(s) for touch : only int or long allowed"),
    (1 << 64, ex.ParamError, "integer value exceeds sys.maxsize"),
], ids=repr)
def test_bad_touch_values(client, key, val, cls, message):
    client.put(key, {"a": 1})
    with pytest.raises(ex.AerospikeError) as info:
        client.touch(key, val)
    check(info, cls, message)
    assert client.get(key)[1]["gen"] == 1


def test_touch_values_are_cut_to_32_bits(client, key):
    client.put(key, {"a": 1})
    assert client.touch(key, (1 << 32) + 100) == 0
    assert 95 <= client.get(key)[1]["ttl"] <= 100
    assert client.touch(key, -1) == 0
    assert client.get(key)[1]["ttl"] == 0xFFFFFFFF


@pytest.mark.parametrize("ops,cls,message", [
    ([{"bin": "a"}], ex.ParamError, 'Operation must contain an "op" entry'),
    ([{"op": "x", "bin": "a"}], ex.ParamError, "Operation must be an integer"),
    ([{"op": 9999, "bin": "a"}], ex.ParamError, "Value should be given"),
    ([op.read(1)], ex.ParamError, "Bin name should be of type string"),
    ([op.touch("x")], ex.ParamError,
     "Unsupported operand type(s) for touch : only int or long allowed"),
    ([op.increment("a", "x")], ex.ParamError,
     "Unsupported operand type(s) for +: only 'int' allowed"),
    ([op.append("a", 1)], ex.ParamError, "Cannot concatenate 'str' and 'non-str' objects"),
    ([op.write("a", 1 << 64)], ex.ParamError, "integer value exceeds sys.maxsize"),
    ([op.increment("a", 1 << 64)], ex.ParamError, "integer value exceeds sys.maxsize"),
    ([op.write("a", object())], ex.ClientError,
     "Unable to serialize unknown Python native type."),
    ([op.write("a", ["\ud800"])], ex.ClientError, "Unicode value not encoded in utf-8."),
], ids=repr)
def test_bad_operations(client, key, ops, cls, message):
    for call in (client.operate, client.operate_ordered):
        with pytest.raises(ex.AerospikeError) as info:
            call(key, ops)
        check(info, cls, message)
    assert client.exists(key)[1] is None


def test_operate_read_of_a_long_bin_name(client, key):
    client.put(key, {"a": 1})
    with pytest.raises(ex.BinNameError) as info:
        client.operate(key, [op.read("a" * 16)])
    assert (info.value.key, info.value.bin) == (key, None)


def test_record_too_big_or_unknown_bins_do_not_crash(client, key):
    # A 2 MB string is over the default 1 MB record limit of a server.
    try:
        client.put(key, {"a": "x" * (2 << 20)})
    except ex.AerospikeError as exc:
        assert exc.code == 13  # RecordTooBig
        assert client.exists(key)[1] is None
    else:
        assert len(client.get(key)[2]["a"]) == 2 << 20
