"""User-defined functions through the client: module management, record UDFs (apply),
batch apply, background UDF jobs and stream aggregations, against the test server.

The Lua modules are in tests/data/udf. Until the dev server runs Lua, these tests skip
when the server answers UDF info commands with "unrecognized command" (and only then).
"""

import os
import shutil

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_cffi import predicates as p
from aerospike_helpers import HyperLogLog
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br

UDF_DIR = os.path.join(os.path.dirname(__file__), os.pardir, "data", "udf")
MODULE = "cffi_udf_test"
NS, SET = "test", "cffi_udf"
INDEX = "cffi_udf_v_idx"


def _server_has_udfs(client):
    try:
        answer = client.info_random_node("udf-get:filename=%s.lua" % MODULE)
    except ex.AerospikeError as exc:
        return "unrecognized command" not in str(exc.msg)
    return "unrecognized command" not in answer


@pytest.fixture(scope="module")
def udf_client(aerospike_server, tmp_path_factory):
    """A client whose lua user_path is a fresh folder (udf_put copies modules there, and
    aggregations load them from there), with the test module registered."""
    user_path = str(tmp_path_factory.mktemp("lua"))
    client = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)],
                               "lua": {"user_path": user_path}})
    if not _server_has_udfs(client):
        client.close()
        pytest.skip("the server has no UDF support (it does not know udf-get)")
    client.user_path = user_path
    client.udf_put(os.path.join(UDF_DIR, MODULE + ".lua"))
    try:
        yield client
    finally:
        try:
            client.udf_remove(MODULE + ".lua")
        finally:
            client.close()


@pytest.fixture
def rec_key(udf_client, request):
    key = (NS, SET, "k-" + request.node.name[:40])
    _remove(udf_client, key)
    yield key
    _remove(udf_client, key)


def _remove(client, key):
    try:
        client.remove(key)
    except ex.RecordNotFound:
        pass


def _bins(client, key):
    try:
        return client.get(key)[2]
    except ex.RecordNotFound:
        return None


# ------------------------------------------------------------------ module management

def test_udf_put_copies_into_user_path_and_lists_the_module(udf_client):
    assert os.path.exists(os.path.join(udf_client.user_path, MODULE + ".lua"))
    entries = [u for u in udf_client.udf_list() if u["name"] == MODULE + ".lua"]
    assert len(entries) == 1
    entry = entries[0]
    assert set(entry) == {"name", "hash", "type", "content"}
    assert entry["type"] == aerospike.UDF_TYPE_LUA
    assert type(entry["hash"]) is bytearray and len(entry["hash"]) == 40
    assert entry["content"] == bytearray()


def test_udf_get_returns_the_registered_text(udf_client):
    with open(os.path.join(UDF_DIR, MODULE + ".lua")) as f:
        assert udf_client.udf_get(MODULE + ".lua") == f.read()
    assert udf_client.udf_get(MODULE + ".lua", aerospike.UDF_TYPE_LUA) == \
        udf_client.udf_get(module=MODULE + ".lua")


def test_udf_get_of_a_missing_module_is_a_udf_error(udf_client):
    with pytest.raises(ex.UDFError) as info:
        udf_client.udf_get("cffi_no_such_module.lua")
    assert info.value.code == 100
    assert info.value.msg.startswith("error=not_found")
    assert info.value.module == "cffi_no_such_module.lua"


def test_udf_put_remove_cycle(udf_client, tmp_path):
    path = tmp_path / "cffi_udf_cycle.lua"
    path.write_text("function hello(rec)\n  return 'hello'\nend\n")
    assert udf_client.udf_put(str(path)) == 0
    assert "cffi_udf_cycle.lua" in [u["name"] for u in udf_client.udf_list()]
    key = (NS, SET, "cycle")
    assert udf_client.apply(key, "cffi_udf_cycle", "hello", []) == "hello"
    assert udf_client.udf_remove("cffi_udf_cycle.lua") == 0
    assert "cffi_udf_cycle.lua" not in [u["name"] for u in udf_client.udf_list()]
    assert udf_client.udf_remove("cffi_udf_cycle.lua") == 0  # a missing module is fine
    with pytest.raises(ex.UDFError):
        udf_client.apply(key, "cffi_udf_cycle", "hello", [])


def test_udf_put_of_a_module_that_does_not_compile(udf_client):
    with pytest.raises(ex.UDFError) as info:
        udf_client.udf_put(os.path.join(UDF_DIR, "cffi_udf_broken.lua"))
    assert info.value.code == 100
    assert info.value.msg.startswith("error=compile_error;file=cffi_udf_broken.lua;line=")
    assert "cffi_udf_broken.lua" not in [u["name"] for u in udf_client.udf_list()]


@pytest.mark.parametrize("args, exc_class, code, msg", [
    ([os.path.join(UDF_DIR, "cffi_udf_empty.lua")], ex.LuaFileNotFound, 1302,
     "Script file is empty"),
    ([os.path.join(UDF_DIR, "cffi_udf_missing.lua")], ex.LuaFileNotFound, 1302,
     "cannot open script file"),
    ([os.path.join(UDF_DIR, "cffi\0udf.lua")], ex.LuaFileNotFound, 1302,
     "cannot open script file"),
    ([123], ex.ParamError, -2, "Filename should be a string"),
    ([UDF_DIR + "/"], ex.ParamError, -2, "Empty udf filename"),
    ([os.path.join(UDF_DIR, MODULE + ".lua"), 1], ex.ClientError, -1, "Invalid UDF language"),
])
def test_udf_put_bad_input(udf_client, args, exc_class, code, msg):
    with pytest.raises(exc_class) as info:
        udf_client.udf_put(*args)
    assert type(info.value) is exc_class
    assert (info.value.code, info.value.msg) == (code, msg)


@pytest.mark.parametrize("call, exc_class, msg", [
    (lambda c: c.udf_get(MODULE + ".lua", 1), ex.ClientError, "Invalid language"),
    (lambda c: c.udf_get(5), ex.ClientError, "Module name should be a string or unicode string."),
    (lambda c: c.udf_remove(123), ex.ParamError, "Filename should be a string"),
])
def test_udf_get_and_remove_bad_input(udf_client, call, exc_class, msg):
    with pytest.raises(exc_class) as info:
        call(udf_client)
    assert type(info.value) is exc_class and info.value.msg == msg


# ------------------------------------------------------------------ apply

ECHO_VALUES = [
    0, 1, -1, 2 ** 63 - 1, -2 ** 63, 2.5, -0.0, float("inf"), "", "text", "ünïcode",
    b"\x00\x01\xff", None, True, False, [], [1, "a", 2.5, None, [True]],
    {"a": 1, "b": [1, 2]}, {1: "x", "k": {"n": None}},
]


@pytest.mark.parametrize("value", ECHO_VALUES, ids=repr)
def test_apply_returns_every_value_type(udf_client, rec_key, value):
    got = udf_client.apply(rec_key, MODULE, "echo", [value])
    assert type(got) is type(value) and got == value


def test_apply_value_edges(udf_client, rec_key):
    # A bytearray comes back as bytes; NaN stays NaN.
    assert udf_client.apply(rec_key, MODULE, "echo", [bytearray(b"ab")]) == b"ab"
    nan = udf_client.apply(rec_key, MODULE, "echo", [float("nan")])
    assert nan != nan
    ordered = aerospike.KeyOrderedDict({"b": 1, "a": 2})
    got = udf_client.apply(rec_key, MODULE, "echo", [ordered])
    assert type(got) is aerospike.KeyOrderedDict and list(got.items()) == [("a", 2), ("b", 1)]
    geo = aerospike.GeoJSON({"type": "Point", "coordinates": [1.5, 2.5]})
    got = udf_client.apply(rec_key, MODULE, "echo", [geo])
    assert type(got) is aerospike.GeoJSON and got.dumps() == geo.dumps()
    hll = HyperLogLog(b"\x00\x08\x00\x00")
    got = udf_client.apply(rec_key, MODULE, "echo", [[hll]])
    assert type(got[0]) is HyperLogLog and got[0] == hll
    assert udf_client.apply(rec_key, MODULE, "echo_type", [[1]]) == "userdata"
    assert udf_client.apply(rec_key, MODULE, "many", [1, "b", [2]]) == [1, "b", [2]]


def test_apply_writes_and_reads_the_record(udf_client, rec_key):
    assert udf_client.apply(rec_key, MODULE, "write_bin", ["b", {"x": [1, 2]}]) == {"x": [1, 2]}
    assert _bins(udf_client, rec_key) == {"b": {"x": [1, 2]}}
    assert udf_client.apply(rec_key, MODULE, "add", ["n", 5]) == 5
    assert udf_client.apply(rec_key, MODULE, "add", ["n", 2]) == 7
    assert udf_client.apply(rec_key, MODULE, "read_bin", ["n"]) == 7
    _, meta, bins = udf_client.get(rec_key)
    assert bins == {"b": {"x": [1, 2]}, "n": 7} and meta["gen"] == 3


def test_apply_on_a_missing_record(udf_client, rec_key):
    assert udf_client.apply(rec_key, MODULE, "read_bin", ["n"]) is None
    assert udf_client.apply(rec_key, MODULE, "exists", []) is False
    assert _bins(udf_client, rec_key) is None  # reading created nothing


def test_apply_keyword_arguments_and_key_forms(udf_client, rec_key):
    assert udf_client.apply(key=rec_key, module=MODULE, function="echo", args=[3],
                            policy={"total_timeout": 2000}) == 3
    digest = aerospike.calc_digest(*rec_key)
    assert udf_client.apply((NS, SET, None, digest), MODULE, "echo", ["d"]) == "d"


def test_apply_filter_expression(udf_client, rec_key):
    udf_client.put(rec_key, {"n": 1})
    policy = {"expressions": exp.Eq(exp.IntBin("n"), 2).compile()}
    with pytest.raises(ex.FilteredOut):
        udf_client.apply(rec_key, MODULE, "add", ["n", 10], policy)
    assert _bins(udf_client, rec_key) == {"n": 1}
    policy = {"expressions": exp.Eq(exp.IntBin("n"), 1).compile()}
    assert udf_client.apply(rec_key, MODULE, "add", ["n", 10], policy) == 11


def test_a_udf_that_raises_writes_nothing(udf_client, rec_key):
    udf_client.put(rec_key, {"n": 1})
    with pytest.raises(ex.UDFError) as info:
        udf_client.apply(rec_key, MODULE, "write_then_fail", ["n", 99])
    err = info.value
    assert err.code == 100 and err.msg.endswith("cffi_udf_test.lua:34: failed on purpose")
    assert (err.module, err.func) == (MODULE, "write_then_fail")
    assert _bins(udf_client, rec_key) == {"n": 1}


def test_missing_module_and_function(udf_client, rec_key):
    with pytest.raises(ex.UDFError) as info:
        udf_client.apply(rec_key, "cffi_no_such_module", "f", [])
    assert info.value.msg.endswith("UDF: Execution Error 1")
    assert (info.value.module, info.value.func) == ("cffi_no_such_module", "f")
    with pytest.raises(ex.UDFError) as info:
        udf_client.apply(rec_key, MODULE, "no_such_function", [])
    assert info.value.msg.endswith("function not found")
    assert _bins(udf_client, rec_key) is None


@pytest.mark.parametrize("args", [5, (1,), {"a": 1}, None, "abc"])
def test_apply_args_must_be_a_list(udf_client, rec_key, args):
    with pytest.raises(TypeError, match="expected UDF method arguments in a 'list'"):
        udf_client.apply(rec_key, MODULE, "write_bin", args)
    assert _bins(udf_client, rec_key) is None


@pytest.mark.parametrize("arg", [object(), (1, 2), {1, 2}, 2 ** 64, aerospike.CDTWildcard()],
                         ids=repr)
def test_apply_unsupported_argument_types_write_nothing(udf_client, rec_key, arg):
    with pytest.raises(ex.AerospikeError) as info:
        udf_client.apply(rec_key, MODULE, "write_bin", ["b", arg])
    assert info.value.code in (-1, -2)
    assert _bins(udf_client, rec_key) is None


@pytest.mark.parametrize("module, function, msg", [
    (None, "echo", "udf module argument must be a string or unicode string"),
    (MODULE, 5, "function name must be a string or unicode string"),
])
def test_apply_module_and_function_must_be_strings(udf_client, rec_key, module, function, msg):
    with pytest.raises(ex.ClientError) as info:
        udf_client.apply(rec_key, module, function, [1])
    assert info.value.msg == msg


# ------------------------------------------------------------------ batch

def test_batch_apply(udf_client, rec_key):
    keys = [(NS, SET, "batch-%d" % i) for i in range(3)]
    for k in keys:
        _remove(udf_client, k)
    udf_client.put(keys[0], {"n": 1})
    udf_client.put(keys[1], {"n": 2})
    res = udf_client.batch_apply(keys, MODULE, "add", ["n", 10])
    assert res.result == 0
    assert [r.result for r in res.batch_records] == [0, 0, 0]
    assert [r.record[2] for r in res.batch_records] == [{"SUCCESS": 11}, {"SUCCESS": 12},
                                                       {"SUCCESS": 10}]
    # update() on a missing record writes nothing (the UDF still returned its value)
    assert [_bins(udf_client, k) for k in keys] == [{"n": 11}, {"n": 12}, None]
    res = udf_client.batch_apply(keys, MODULE, "fail", [])
    assert res.result == -16
    assert all(r.result == 100 and r.record is None for r in res.batch_records)
    assert all(r.message.endswith("cffi_udf_test.lua:38: failed on purpose")
               for r in res.batch_records)
    for k in keys:
        _remove(udf_client, k)


def test_batch_write_with_apply_records(udf_client, rec_key):
    udf_client.put(rec_key, {"n": 1})
    records = br.BatchRecords([
        br.Apply(rec_key, MODULE, "add", ["n", 4]),
        br.Read(rec_key, ops=None, read_all_bins=True),
        br.Apply(rec_key, MODULE, "echo", [[1, {"a": None}]]),
    ])
    res = udf_client.batch_write(records)
    assert res.result == 0
    assert res.batch_records[0].record[2] == {"SUCCESS": 5}
    assert res.batch_records[1].record[2] == {"n": 5}
    assert res.batch_records[2].record[2] == {"SUCCESS": [1, {"a": None}]}


# ------------------------------------------------------------------ background jobs

@pytest.fixture
def bg_records(udf_client):
    keys = [(NS, SET + "_bg", i) for i in range(8)]
    for i, k in enumerate(keys):
        udf_client.put(k, {"v": i, "n": 0})
    yield keys
    for k in keys:
        _remove(udf_client, k)


@pytest.fixture
def v_index(udf_client):
    try:
        udf_client.index_integer_create(NS, SET + "_bg", "v", INDEX)
    except ex.IndexFoundError:
        pass
    yield INDEX
    try:
        udf_client.index_remove(NS, INDEX)
    except ex.AerospikeError:
        pass


def test_scan_apply_waits_for_the_job(udf_client, bg_records):
    job = udf_client.scan_apply(NS, SET + "_bg", MODULE, "add", ["n", 3])
    assert isinstance(job, int)
    info = udf_client.job_info(job, aerospike.JOB_SCAN)
    assert info["status"] == aerospike.JOB_STATUS_COMPLETED
    assert info["records_read"] == len(bg_records)
    assert [_bins(udf_client, k)["n"] for k in bg_records] == [3] * len(bg_records)


def test_query_apply_and_execute_background(udf_client, bg_records, v_index):
    job = udf_client.query_apply(NS, SET + "_bg", p.between("v", 2, 4), MODULE, "add", ["n", 1])
    assert udf_client.job_info(job, aerospike.JOB_QUERY)["status"] == \
        aerospike.JOB_STATUS_COMPLETED
    assert [_bins(udf_client, k)["n"] for k in bg_records] == [0, 0, 1, 1, 1, 0, 0, 0]
    query = udf_client.query(NS, SET + "_bg")
    query.where(p.equals("v", 7))
    assert query.apply(MODULE, "add", ["n", 5]) is query
    job = query.execute_background()
    _wait(udf_client, job, aerospike.JOB_QUERY)
    assert _bins(udf_client, bg_records[7])["n"] == 5


def test_scan_apply_execute_background(udf_client, bg_records):
    scan = udf_client.scan(NS, SET + "_bg")
    scan.apply(MODULE, "add", ["n", 2])
    job = scan.execute_background()
    _wait(udf_client, job, aerospike.JOB_SCAN)
    assert [_bins(udf_client, k)["n"] for k in bg_records] == [2] * len(bg_records)


def _wait(client, job, module):
    import time

    while client.job_info(job, module)["status"] != aerospike.JOB_STATUS_COMPLETED:
        time.sleep(0.05)


@pytest.mark.parametrize("call, exc_class, msg", [
    (lambda c: c.scan_apply(NS, SET, MODULE, "add", 5), ex.ParamError,
     "Arguments should be a list"),
    (lambda c: c.scan_apply(NS, 5, MODULE, "add", []), ex.ParamError,
     "Set name should be string"),
    (lambda c: c.scan_apply(NS, SET, 5, "add", []), ex.ParamError,
     "Module name should be string"),
    (lambda c: c.query_apply(NS, SET, p.equals("v", 1), MODULE, "add", 5), ex.ParamError,
     "Arguments should be a list"),
    (lambda c: c.query_apply(NS, SET, "v", MODULE, "add", []), ex.ParamError,
     "Predicate must be a tuple"),
    (lambda c: c.query(NS, SET).apply(MODULE, "sum", 5), ex.ClientError,
     "udf function arguments must be enclosed in a list"),
    (lambda c: c.scan(NS, SET).apply(MODULE, "add"), ex.ClientError,
     "udf function arguments must be enclosed in a list"),
    (lambda c: c.query(NS, SET).apply(1, "sum"), ex.ClientError,
     "udf module argument must be a string or unicode string"),
    (lambda c: c.query(NS, SET).apply(MODULE, "sum", [[1, (2, 3)]]), ex.ClientError,
     "udf function argument type must be supported by Aerospike"),
    (lambda c: c.scan(NS, SET).apply(MODULE, "add", [{"a": object()}]), ex.ClientError,
     "udf function argument type must be supported by Aerospike"),
    (lambda c: c.batch_apply([(NS, SET, 1)], 5, "add", []), ex.ParamError,
     "module must be a string"),
    (lambda c: c.batch_apply([(NS, SET, 1)], MODULE, None, []), ex.ParamError,
     "function must be a string"),
    (lambda c: c.batch_apply([(NS, SET, 1)], MODULE, "add", 5), ex.ParamError,
     "args must be a list of arguments for the UDF"),
    (lambda c: c.batch_apply([[NS, SET, 1]], MODULE, "add", []), ex.ParamError,
     "key should be an aerospike key tuple"),
    (lambda c: c.batch_apply([(NS, SET, 1), (NS, 5, 1)], MODULE, "add", []), ex.ParamError,
     "failed to convert key at index: 1"),
])
def test_stream_udf_bad_input(udf_client, call, exc_class, msg):
    with pytest.raises(exc_class) as info:
        call(udf_client)
    assert type(info.value) is exc_class and info.value.msg == msg


# ------------------------------------------------------------------ aggregations

def test_aggregation_results_and_foreach(udf_client, bg_records):
    query = udf_client.query(NS, SET + "_bg")
    query.apply(MODULE, "sum")
    assert query.results() == [sum(range(8))]
    got = []
    query.foreach(got.append)
    assert got == [sum(range(8))]
    query = udf_client.query(NS, SET + "_bg")
    query.apply(MODULE, "sum_above", [4])
    assert query.results() == [5 + 6 + 7]
    assert query.results() == [5 + 6 + 7]  # the arguments stay for the next run
    query = udf_client.query(NS, SET + "_bg")
    query.apply(MODULE, "count_by_parity")
    assert query.results() == [{"even": 4, "odd": 4}]


def test_aggregation_with_a_where_predicate(udf_client, bg_records, v_index):
    query = udf_client.query(NS, SET + "_bg")
    query.where(p.between("v", 1, 3))
    query.apply(MODULE, "sum")
    assert query.results() == [6]
    query = udf_client.query(NS, SET + "_bg")
    query.where(p.between("v", 1, 5))
    query.apply(MODULE, "values")
    assert sorted(query.results()) == [1, 2, 3, 4, 5]
    got = []
    query.foreach(lambda v: got.append(v) if len(got) < 2 else False)
    assert len(got) == 2


def test_aggregation_error_in_the_client_side_reduce(udf_client, bg_records):
    query = udf_client.query(NS, SET + "_bg")
    query.apply(MODULE, "reduce_fails")
    with pytest.raises(ex.AerospikeError) as info:
        query.results()
    assert "reduce failed on purpose" in info.value.msg


def test_aggregation_of_an_empty_set(udf_client):
    query = udf_client.query(NS, SET + "_empty")
    query.apply(MODULE, "sum")
    assert query.results() == []


def test_aggregation_finds_modules_in_its_own_clients_user_path(aerospike_server, udf_client,
                                                                bg_records, tmp_path):
    # A second client with another user_path: the module is not there until udf_put copies
    # it; the first client keeps finding its own copy.
    other = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)],
                              "lua": {"user_path": str(tmp_path)}})
    try:
        shutil.copy(os.path.join(UDF_DIR, MODULE + ".lua"), str(tmp_path))
        query = other.query(NS, SET + "_bg")
        query.apply(MODULE, "sum")
        assert query.results() == [28]
        query = udf_client.query(NS, SET + "_bg")
        query.apply(MODULE, "sum")
        assert query.results() == [28]
    finally:
        other.close()

# The recorded UDF cases (udf.jsonl) replay through both clients in
# tests/devserver/test_replay_udf.py.
