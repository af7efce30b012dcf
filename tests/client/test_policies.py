"""Policy fields that reach the server, meta (ttl/gen), and the validation of policies, meta
and client configs with the official 19.3.0 messages."""

import os
import warnings

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import operations as op

NEVER = 0xFFFFFFFF  # ttl of a record that never expires


@pytest.fixture
def config(aerospike_server):
    return {"hosts": [(aerospike_server.host, aerospike_server.port)]}


@pytest.fixture(scope="module")
def strict_client(aerospike_server):
    c = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)],
                          "validate_keys": True})
    yield c
    c.close()


@pytest.fixture(autouse=True)
def quiet_meta_ttl_deprecation():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def ttl_of(client, key):
    return client.get(key)[1]["ttl"]


# ---------------------------------------------------------------- key

def test_key_send_stores_the_user_key(client, key):
    has_key = {"expressions": exp.KeyExists().compile()}
    client.put(key, {"a": 1})
    with pytest.raises(ex.FilteredOut):
        client.get(key, has_key)
    client.put(key, {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    assert client.get(key, has_key)[2] == {"a": 1}
    digest = aerospike.calc_digest(*key)
    stored = [rec[0] for rec in client.scan(key[0], key[1]).results() if rec[0][3] == digest]
    assert stored == [key + (digest,)]


def test_key_send_on_operate(client, key):
    has_key = {"expressions": exp.KeyExists().compile()}
    client.operate(key, [op.write("a", 1)], policy={"key": aerospike.POLICY_KEY_SEND})
    assert client.get(key, has_key)[2] == {"a": 1}


# ---------------------------------------------------------------- exists

def test_exists_create_only(client, key):
    create = {"exists": aerospike.POLICY_EXISTS_CREATE}
    assert client.put(key, {"a": 1}, policy=create) == 0
    with pytest.raises(ex.RecordExistsError) as info:
        client.put(key, {"a": 2}, policy=create)
    assert (info.value.code, info.value.key, info.value.bin) == (5, key, {"a": 2})
    assert client.get(key)[2] == {"a": 1}


@pytest.mark.parametrize("exists", [aerospike.POLICY_EXISTS_UPDATE,
                                    aerospike.POLICY_EXISTS_REPLACE])
def test_exists_update_and_replace_need_a_record(client, key, exists):
    with pytest.raises(ex.RecordNotFound):
        client.put(key, {"a": 1}, policy={"exists": exists})
    assert client.exists(key)[1] is None


@pytest.mark.parametrize("exists,expected", [
    (aerospike.POLICY_EXISTS_UPDATE, {"a": 3, "b": 2}),
    (aerospike.POLICY_EXISTS_IGNORE, {"a": 3, "b": 2}),
    (aerospike.POLICY_EXISTS_REPLACE, {"a": 3}),
    (aerospike.POLICY_EXISTS_CREATE_OR_REPLACE, {"a": 3}),
])
def test_exists_update_or_replace_bins(client, key, exists, expected):
    client.put(key, {"a": 1, "b": 2})
    assert client.put(key, {"a": 3}, policy={"exists": exists}) == 0
    assert client.get(key)[2] == expected


# ---------------------------------------------------------------- generation

def test_generation_eq_and_gt(client, key):
    client.put(key, {"a": 1})
    eq, gt = {"gen": aerospike.POLICY_GEN_EQ}, {"gen": aerospike.POLICY_GEN_GT}
    with pytest.raises(ex.RecordGenerationError) as info:
        client.put(key, {"a": 2}, meta={"gen": 5}, policy=eq)
    assert (info.value.code, info.value.key) == (3, key)
    assert client.put(key, {"a": 2}, meta={"gen": 1}, policy=eq) == 0
    with pytest.raises(ex.RecordGenerationError):
        client.put(key, {"a": 3}, meta={"gen": 2}, policy=gt)
    assert client.put(key, {"a": 3}, meta={"gen": 3}, policy=gt) == 0
    assert client.get(key)[1]["gen"] == 3
    with pytest.raises(ex.RecordGenerationError):
        client.operate(key, [op.increment("a", 1)], meta={"gen": 1}, policy=eq)
    assert client.operate(key, [op.increment("a", 1), op.read("a")], meta={"gen": 3},
                          policy=eq)[2] == {"a": 4}
    with pytest.raises(ex.RecordGenerationError):
        client.increment(key, "a", 1, meta={"gen": 1}, policy=eq)
    with pytest.raises(ex.RecordGenerationError):
        client.touch(key, 0, meta={"gen": 1}, policy=eq)


def test_remove_generation(client, key):
    client.put(key, {"a": 1})
    eq = {"gen": aerospike.POLICY_GEN_EQ}
    with pytest.raises(ex.RecordGenerationError):
        client.remove(key, meta={"gen": 5}, policy=eq)
    with pytest.raises(ex.RecordGenerationError):
        client.remove(key, policy=dict(eq, generation=5))
    assert client.remove(key, policy=dict(eq, generation=1)) == 0
    client.put(key, {"a": 1})
    assert client.remove(key, meta={"gen": 1}, policy=eq) == 0


def test_remove_ignores_meta_without_policy_and_non_int_gen(client, key):
    client.put(key, {"a": 1})
    assert client.remove(key, meta={"gen": "x"}, policy={}) == 0
    client.put(key, {"a": 1})
    assert client.remove(key, meta=5) == 0


# ---------------------------------------------------------------- ttl

def test_ttl_in_meta_and_policy(client, key):
    client.put(key, {"a": 1}, meta={"ttl": 100})
    assert 95 <= ttl_of(client, key) <= 100
    client.put(key, {"a": 1}, policy={"ttl": 200})
    assert 195 <= ttl_of(client, key) <= 200
    client.put(key, {"a": 1}, meta={"ttl": 300}, policy={"ttl": 200})  # meta wins
    assert 295 <= ttl_of(client, key) <= 300
    client.put(key, {"a": 1}, meta={"ttl": aerospike.TTL_DONT_UPDATE})
    assert 295 <= ttl_of(client, key) <= 300
    client.put(key, {"a": 1}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    assert ttl_of(client, key) == NEVER
    client.put(key, {"a": 1}, meta={"ttl": (1 << 32) + 50})  # cut to 32 bits
    assert 45 <= ttl_of(client, key) <= 50
    client.operate(key, [op.write("a", 2)], policy={"ttl": 400})
    assert 395 <= ttl_of(client, key) <= 400
    client.operate(key, [op.write("a", 2)], meta={"ttl": 500})
    assert 495 <= ttl_of(client, key) <= 500


def test_meta_ttl_is_deprecated(client, key):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.put(key, {"a": 1}, meta={"ttl": 100})
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


# ---------------------------------------------------------------- other fields

def test_durable_delete_reaches_the_server(client, key):
    client.put(key, {"a": 1})
    try:
        client.remove(key, policy={"durable_delete": True})
    except ex.AerospikeError as exc:
        assert exc.code == 25  # community edition: AEROSPIKE_ERR_ENTERPRISE_ONLY
        assert client.remove(key, policy={"durable_delete": False}) == 0
    assert client.exists(key)[1] is None


READ_POLICY = {
    "total_timeout": 1000, "socket_timeout": 500, "max_retries": 2, "sleep_between_retries": 1,
    "timeout_delay": 0, "compress": True, "connect_timeout": 100,
    "read_mode_ap": aerospike.POLICY_READ_MODE_AP_ALL,
    "read_mode_sc": aerospike.POLICY_READ_MODE_SC_SESSION,
    "replica": aerospike.POLICY_REPLICA_MASTER, "deserialize": True,
    "read_touch_ttl_percent": 50, "key": aerospike.POLICY_KEY_DIGEST,
}
WRITE_POLICY = {
    "total_timeout": 1000, "socket_timeout": 500, "max_retries": 2, "sleep_between_retries": 1,
    "compress": True, "commit_level": aerospike.POLICY_COMMIT_LEVEL_MASTER,
    "durable_delete": False, "compression_threshold": 10,
    "replica": aerospike.POLICY_REPLICA_SEQUENCE, "key": aerospike.POLICY_KEY_SEND,
    "exists": aerospike.POLICY_EXISTS_IGNORE, "gen": aerospike.POLICY_GEN_IGNORE,
}


def test_every_field_is_accepted(strict_client, key):
    c = strict_client
    if "Community" in c.info_random_node("edition"):
        # Community Edition cannot uncompress a request (`compress` or a
        # `compression_threshold` the request is over): AEROSPIKE_ERR_ENTERPRISE_ONLY, as
        # the official client gets too
        with pytest.raises(ex.AerospikeError) as info:
            c.put(key, {"a": "x" * 100}, policy=WRITE_POLICY)
        assert info.value.code == 25
        plain = {k: v for k, v in WRITE_POLICY.items()
                 if k not in ("compress", "compression_threshold")}
        assert c.put(key, {"a": "x" * 100}, policy=plain) == 0
    else:
        assert c.put(key, {"a": "x" * 100}, policy=WRITE_POLICY) == 0
    assert c.get(key, READ_POLICY)[2] == {"a": "x" * 100}
    assert c.select(key, ["a"], READ_POLICY)[2] == {"a": "x" * 100}
    assert c.exists(key, READ_POLICY)[1]["gen"] == 1
    operate_policy = dict(WRITE_POLICY, read_mode_ap=0, read_mode_sc=0, deserialize=True,
                          read_touch_ttl_percent=0, on_locking_only=False)
    del operate_policy["compression_threshold"]
    assert c.operate(key, [op.read("a")], policy=operate_policy)[2] == {"a": "x" * 100}
    assert c.append(key, "a", "y", policy=operate_policy) == 0
    assert c.touch(key, 100, policy=operate_policy) == 0
    remove_policy = {"total_timeout": 1000, "generation": 0, "key": aerospike.POLICY_KEY_SEND,
                     "gen": aerospike.POLICY_GEN_IGNORE, "durable_delete": False,
                     "commit_level": aerospike.POLICY_COMMIT_LEVEL_ALL,
                     "replica": aerospike.POLICY_REPLICA_ANY}
    assert c.remove(key, policy=remove_policy) == 0


FILTERED = {
    "get": lambda c, k, p: c.get(k, p),
    "select": lambda c, k, p: c.select(k, ["a"], p),
    "exists": lambda c, k, p: c.exists(k, p),
    "put": lambda c, k, p: c.put(k, {"a": 5}, policy=p),
    "remove": lambda c, k, p: c.remove(k, policy=p),
    "remove_bin": lambda c, k, p: c.remove_bin(k, ["a"], policy=p),
    "operate": lambda c, k, p: c.operate(k, [op.write("a", 5)], policy=p),
    "operate_ordered": lambda c, k, p: c.operate_ordered(k, [op.read("a")], policy=p),
    "touch": lambda c, k, p: c.touch(k, 100, policy=p),
    "append": lambda c, k, p: c.append(k, "s", "x", policy=p),
    "prepend": lambda c, k, p: c.prepend(k, "s", "x", policy=p),
    "increment": lambda c, k, p: c.increment(k, "a", 1, policy=p),
}


@pytest.mark.parametrize("name", sorted(FILTERED))
def test_filter_expressions(client, key, name):
    client.put(key, {"a": 1, "s": "t"})
    with pytest.raises(ex.FilteredOut) as info:
        FILTERED[name](client, key, {"expressions": exp.Eq(exp.IntBin("a"), 2).compile()})
    assert info.value.code == 27
    assert client.get(key)[1:] == ({"ttl": NEVER, "gen": 1}, {"a": 1, "s": "t"})
    FILTERED[name](client, key, {"expressions": exp.Eq(exp.IntBin("a"), 1).compile()})


@pytest.mark.parametrize("value,message", [
    (5, "Expressions must be a non empty list of 4 element tuples, generated by a compiled "
        "aerospike expression. For Query.where_with_expr(), it can also be a base64 string."),
    ([1, 2], "Expressions must be a non empty list of 4 element tuples, generated by a "
             "compiled aerospike expression"),
])
def test_bad_filter_expressions(client, key, value, message):
    with pytest.raises(ex.ParamError) as info:
        client.get(key, {"expressions": value})
    assert info.value.msg == message


# ---------------------------------------------------------------- bad policies

POLICY_CALLS = {
    "get": lambda c, k, p: c.get(k, p),
    "select": lambda c, k, p: c.select(k, ["a"], p),
    "exists": lambda c, k, p: c.exists(k, p),
    "put": lambda c, k, p: c.put(k, {"a": 1}, policy=p),
    "remove": lambda c, k, p: c.remove(k, policy=p),
    "operate": lambda c, k, p: c.operate(k, [op.read("a")], policy=p),
    "operate_ordered": lambda c, k, p: c.operate_ordered(k, [op.read("a")], policy=p),
    "touch": lambda c, k, p: c.touch(k, policy=p),
    "append": lambda c, k, p: c.append(k, "a", "x", policy=p),
    "prepend": lambda c, k, p: c.prepend(k, "a", "x", policy=p),
    "increment": lambda c, k, p: c.increment(k, "a", 1, policy=p),
    "info_all": lambda c, k, p: c.info_all("namespaces", p),
    "info_random_node": lambda c, k, p: c.info_random_node("namespaces", p),
}


@pytest.mark.parametrize("name", sorted(POLICY_CALLS))
def test_unknown_policy_keys(client, strict_client, key, name):
    call = POLICY_CALLS[name]
    with pytest.raises(ex.ParamError) as info:
        call(strict_client, key, {"nosuchfield": 1})
    assert info.value.msg == '"nosuchfield" is an invalid policy dictionary key'
    try:  # without validate_keys unknown keys are ignored
        call(client, key, {"nosuchfield": 1})
    except ex.RecordNotFound:
        pass


def test_unknown_policy_key_of_remove_bin(strict_client, key):
    with pytest.raises(ex.ClientError) as info:
        strict_client.remove_bin(key, ["a"], policy={"nosuchfield": 1})
    assert (info.value.code, info.value.msg) == (
        -1, 'Incorrect policy -> "nosuchfield" is an invalid policy dictionary key')


def test_policy_keys_of_another_command_kind(strict_client, key):
    with pytest.raises(ex.ParamError, match="read_mode_ap"):
        strict_client.put(key, {"a": 1}, policy={"read_mode_ap": 1})
    with pytest.raises(ex.ParamError, match="generation"):
        strict_client.put(key, {"a": 1}, policy={"generation": 1})
    assert strict_client.put(key, {"a": 1}) == 0
    assert strict_client.remove(key, policy={"generation": 1}) == 0


@pytest.mark.parametrize("name", sorted(POLICY_CALLS))
@pytest.mark.parametrize("value", ["x", 1.5, None, [1]], ids=repr)
def test_ill_typed_policy_values(client, key, name, value):
    field = "timeout" if name.startswith("info") else "total_timeout"
    with pytest.raises(ex.ParamError) as info:
        POLICY_CALLS[name](client, key, {field: value})
    assert info.value.msg == "%s is invalid" % field


@pytest.mark.parametrize("field", ["key", "replica", "durable_delete", "gen", "exists"])
def test_ill_typed_write_policy_fields(client, key, field):
    with pytest.raises(ex.ParamError) as info:
        client.put(key, {"a": 1}, policy={field: "x"})
    assert info.value.msg == "%s is invalid" % field


def test_policy_values_beyond_a_c_long(client, key):
    with pytest.raises(ex.ClientError) as info:
        client.put(key, {"a": 1}, policy={"total_timeout": 1 << 64})
    assert (info.value.code, info.value.msg) == (
        -1, "Unable to fetch long value from policy field")
    assert client.exists(key)[1] is None


@pytest.mark.parametrize("policy", [5, [], "x"], ids=repr)
def test_policy_must_be_a_dict(client, key, policy):
    for name in ("get", "put", "operate", "remove"):
        with pytest.raises(ex.ParamError) as info:
            POLICY_CALLS[name](client, key, policy)
        assert info.value.msg == "policy must be a dict"


# ---------------------------------------------------------------- bad meta

META_CALLS = {
    "put": lambda c, k, m: c.put(k, {"a": 1}, meta=m),
    "operate": lambda c, k, m: c.operate(k, [op.write("a", 1)], meta=m),
    "touch": lambda c, k, m: c.touch(k, 0, meta=m),
    "append": lambda c, k, m: c.append(k, "s", "x", meta=m),
    "increment": lambda c, k, m: c.increment(k, "a", 1, meta=m),
    "remove_bin": lambda c, k, m: c.remove_bin(k, ["a"], meta=m),
}


@pytest.mark.parametrize("name", sorted(META_CALLS))
@pytest.mark.parametrize("meta,message", [
    (5, "Metadata should be of type dictionary"),
    ([], "Metadata should be of type dictionary"),
    ({"ttl": "x"}, "Ttl should be an int or long"),
    ({"ttl": 1.5}, "Ttl should be an int or long"),
    ({"ttl": None}, "Ttl should be an int or long"),
    ({"gen": "x"}, "Generation should be an int or long"),
    ({"ttl": 1 << 64}, "integer value for ttl exceeds sys.maxsize"),
    ({"gen": 1 << 64}, "integer value for gen exceeds sys.maxsize"),
], ids=repr)
def test_bad_meta(client, key, name, meta, message):
    client.put(key, {"a": 1, "s": "t"})
    with pytest.raises(ex.ParamError) as info:
        META_CALLS[name](client, key, meta)
    assert info.value.msg == message
    assert client.get(key)[1:] == ({"ttl": NEVER, "gen": 1}, {"a": 1, "s": "t"})


@pytest.mark.parametrize("name", ["put", "operate", "touch"])
def test_unknown_meta_keys(client, strict_client, key, name):
    client.put(key, {"a": 1})
    with pytest.raises(ex.ParamError) as info:
        META_CALLS[name](strict_client, key, {"foo": 1})
    assert info.value.msg == '"foo" is an invalid record metadata dictionary key'
    META_CALLS[name](client, key, {"foo": 1})  # ignored without validate_keys


# ---------------------------------------------------------------- client config

CONFIG_ERRORS = [
    (lambda h: 5, "Config must be a dict"),
    (lambda h: {}, "Hosts must be a list"),
    (lambda h: {"hosts": tuple(h)}, "Hosts must be a list"),
    (lambda h: {"hosts": []}, "Hosts must not be empty"),
    (lambda h: {"hosts": [5]}, "Invalid host"),
    (lambda h: {"hosts": [(h[0][0], "3000")]},
     "Invalid host -> The host port must be an integer"),
    (lambda h: {"hosts": [(1, h[0][1])]}, "Invalid host"),
    (lambda h: {"hosts": [(h[0][0],)]}, "Invalid host"),
    (lambda h: {"hosts": [h[0] + ("x", 1)]}, "Invalid host"),
    (lambda h: {"hosts": h, "foo": 1, "validate_keys": True},
     '"foo" is an invalid client config dictionary key'),
    (lambda h: {"hosts": h, "validate_keys": 1}, 'config["validate_keys"] must be a boolean'),
    (lambda h: {"hosts": h, "policies": {"foo": 1}, "validate_keys": True},
     '"foo" is an invalid client config dictionary key'),
    (lambda h: {"hosts": h, "policies": {"read": {"foo": 1}}, "validate_keys": True},
     '"foo" is an invalid policy dictionary key'),
    (lambda h: {"hosts": h, "policies": {"read": {"total_timeout": "x"}}},
     "Invalid Policy setting value"),
    (lambda h: {"hosts": h, "lua": {"foo": 1}, "validate_keys": True},
     '"foo" is an invalid client config dictionary key'),
    (lambda h: {"hosts": h, "tls": {"foo": 1}, "validate_keys": True},
     '"foo" is an invalid client config dictionary key'),
    (lambda h: {"hosts": h, "shm": {"foo": 1}, "validate_keys": True},
     '"foo" is an invalid client config dictionary key'),
    (lambda h: {"hosts": h, "compression_threshold": -1},
     "Compression value must not be negative"),
    (lambda h: {"hosts": h, "rack_aware": 1}, "Invalid Policy setting value"),
    (lambda h: {"hosts": h, "rack_id": "x"}, "Invalid Policy setting value"),
    (lambda h: {"hosts": h, "rack_ids": [1, "x"]}, "Invalid Policy setting value"),
    (lambda h: {"hosts": h, "rack_ids": 5}, "Invalid Policy setting value"),
    (lambda h: {"hosts": h, "use_services_alternate": 1}, "Invalid Policy setting value"),
]


@pytest.mark.parametrize("make,message", CONFIG_ERRORS, ids=[m for _, m in CONFIG_ERRORS])
def test_config_errors(config, make, message):
    with pytest.raises(ex.ParamError) as info:
        aerospike.client(make(config["hosts"]))
    assert (info.value.code, info.value.msg) == (-2, message)


def test_config_accepts_every_key(config, aerospike_server):
    c = aerospike.client(dict(
        config, lua={"user_path": "/tmp"}, shm={}, use_shared_connection=True,
        send_bool_as=aerospike.AS_BOOL, thread_pool_size=4, max_socket_idle=10,
        min_conns_per_node=0, max_conns_per_node=50, max_error_rate=100, error_rate_window=1,
        tend_interval=1000, compression_threshold=0, app_id="x", rack_id=0,
        rack_aware=False, use_services_alternate=False, connect_timeout=1000,
        fail_if_not_connected=True, force_single_node=False, validate_keys=True,
        policies={"read": {"total_timeout": 1000}, "write": {"key": aerospike.POLICY_KEY_SEND},
                  "total_timeout": 2000}))
    try:
        assert c.is_connected()
    finally:
        c.close()
    # Ill-typed values of keys the official ignores when ill-typed.
    for extra in ({"thread_pool_size": "x"}, {"max_conns_per_node": "x"},
                  {"compression_threshold": "x"}, {"cluster_name": 5}, {"policies": 5},
                  {"serialization": 5}, {"shm": 5}, {"connect_timeout": "x"},
                  {"send_bool_as": 7}, {"foo": 1}, {"user": "u"}):
        c = aerospike.client(dict(config, **extra))
        assert c.is_connected()
        c.close()
    host_string = "%s:%d" % (aerospike_server.host, aerospike_server.port)
    c = aerospike.client({"hosts": [host_string]})
    assert c.is_connected()
    c.close()


def test_config_default_policies_apply(config, key):
    c = aerospike.client(dict(config, policies={"write": {"exists": aerospike.POLICY_EXISTS_CREATE}}))
    try:
        c.put(key, {"a": 1})
        with pytest.raises(ex.RecordExistsError):
            c.put(key, {"a": 2})
        assert c.put(key, {"a": 2}, policy={"exists": aerospike.POLICY_EXISTS_IGNORE}) == 0
    finally:
        c.close()


def test_wrong_cluster_name_fails_to_connect(config):
    name = os.environ.get("AEROSPIKE_TEST_CLUSTER_NAME_MISMATCH", "no-such-cluster-name")
    with pytest.raises(ex.ClientError) as info:
        aerospike.client(dict(config, cluster_name=name))
    assert info.value.msg == "Failed to connect"


def test_out_of_range_enum_values_are_cast_as_the_official_does(client, key):
    # The official casts any C long to the field's enum: no error, whatever the value.
    odd = {"key": -1, "replica": -1, "exists": 1 << 40, "commit_level": -5}
    assert client.put(key, {"a": 1}, policy=odd) == 0
    assert client.get(key, {"key": -1, "replica": -1, "read_mode_ap": -1})[2] == {"a": 1}


# ---------------------------------------------------------------- the policy cache

def test_a_float_timeout_is_refused_after_the_same_int_one_was_accepted(client, key):
    # 1000 and 1000.0 are equal as dict keys: the parsed-policy cache must not let the
    # float through because the int was parsed before (the official refuses floats).
    client.put(key, {"a": 1})
    assert client.get(key, {"total_timeout": 1000})[2] == {"a": 1}
    with pytest.raises(ex.ParamError, match="total_timeout is invalid"):
        client.get(key, {"total_timeout": 1000.0})
    assert client.get(key, {"total_timeout": 1000})[2] == {"a": 1}
