"""batch_read / batch_operate / batch_write / batch_remove / batch_apply against the test
server: the result shapes, per-record codes and errors the official client 19.3.0 gives for
the same calls (learned by running them through it)."""

import itertools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import list_operations as lop
from aerospike_helpers.operations import operations as op

pytestmark = pytest.mark.filterwarnings("ignore:meta\\[.ttl.\\] is deprecated:DeprecationWarning")

NS = "test"
SET = "batch-%d" % os.getpid()
_ids = itertools.count()

OK, NOT_FOUND, GEN_MISMATCH, EXISTS, TYPE_ERROR, NS_NOT_FOUND, FILTERED = 0, 2, 3, 5, 12, 20, 27
BATCH_FAILED = -16  # BatchRecords.result when a record failed for another reason than 2 or 27


@pytest.fixture
def keys(client):
    """Four fresh keys; the first two hold {'a': 1, 'b': 'x', 'l': [1, 2]}."""
    made = [(NS, SET, "k-%d" % next(_ids)) for _ in range(4)]
    for k in made[:2]:
        client.put(k, {"a": 1, "b": "x", "l": [1, 2]})
    yield made
    for k in made:
        try:
            client.remove(k)
        except ex.RecordNotFound:
            pass


def check_key(got, key):
    """The key of a batch record: (ns, set, pk, 20-byte digest bytearray)."""
    assert got[:3] == key
    assert isinstance(got[3], bytearray) and got[3] == aerospike.calc_digest(*key)


def codes(batch):
    return [r.result for r in batch.batch_records]


def bins_of(batch):
    return [r.record[2] if r.record is not None else None for r in batch.batch_records]


# ---------------------------------------------------------------- batch_read


@pytest.mark.parametrize("bins, want", [
    (None, {"a": 1, "b": "x", "l": [1, 2]}),
    (["a", "missing"], {"a": 1}),
])
def test_batch_read_shapes(client, keys, bins, want):
    batch = client.batch_read(keys, bins) if bins is not None else client.batch_read(keys)
    assert isinstance(batch, br.BatchRecords)
    assert batch.result == 0
    assert len(batch.batch_records) == 4
    for rec, key in zip(batch.batch_records, keys):
        assert type(rec) is br.BatchRecord
        assert rec.in_doubt is False
        check_key(rec.key, key)
    assert codes(batch) == [OK, OK, NOT_FOUND, NOT_FOUND]
    for rec, key in zip(batch.batch_records[:2], keys):
        rkey, meta, got = rec.record
        check_key(rkey, key)
        assert set(meta) == {"ttl", "gen"} and meta["gen"] == 1
        assert got == want
    assert [r.record for r in batch.batch_records[2:]] == [None, None]


def test_batch_read_empty_bin_list_reads_headers_only(client, keys):
    batch = client.batch_read(keys, [])
    assert codes(batch) == [OK, OK, NOT_FOUND, NOT_FOUND]
    for rec in batch.batch_records[:2]:
        assert len(rec.record) == 2  # (key, meta): no bins element
        assert rec.record[1]["gen"] == 1


def test_batch_read_keeps_order_and_duplicates(client, keys):
    order = [keys[1], keys[3], keys[0], keys[1]]
    batch = client.batch_read(order, ["a"])
    assert codes(batch) == [OK, NOT_FOUND, OK, OK]
    for rec, key in zip(batch.batch_records, order):
        check_key(rec.key, key)


def test_batch_read_of_a_digest_key(client, keys):
    digest_key = (NS, SET, None, aerospike.calc_digest(*keys[0]))
    rec = client.batch_read([digest_key], ["a"]).batch_records[0]
    assert rec.result == OK and rec.record[2] == {"a": 1}
    assert rec.key[:3] == (NS, SET, None)


def test_batch_read_filtered_by_policy_expression(client, keys):
    client.put(keys[1], {"a": 2})
    policy = {"expressions": exp.Eq(exp.IntBin("a"), 2).compile()}
    batch = client.batch_read(keys, ["a"], policy)
    assert batch.result == 0  # filtered out and not found do not fail the batch
    assert codes(batch) == [FILTERED, OK, NOT_FOUND, NOT_FOUND]
    assert bins_of(batch) == [None, {"a": 2}, None, None]


def test_batch_read_unknown_namespace_fails_the_record(client):
    batch = client.batch_read([("no-such-ns", SET, "k")])
    assert batch.result == BATCH_FAILED
    assert codes(batch) == [NS_NOT_FOUND]
    assert batch.batch_records[0].record is None


def test_batch_read_of_many_keys(client):
    many = [(NS, SET, "many-%d-%d" % (next(_ids), i)) for i in range(300)]
    try:
        for i, k in enumerate(many[::2]):
            client.put(k, {"i": i})
        batch = client.batch_read(many)
        assert codes(batch) == [OK, NOT_FOUND] * 150
        assert [b["i"] for b in bins_of(batch)[::2]] == list(range(150))
    finally:
        client.batch_remove(many)


# ---------------------------------------------------------------- batch_operate


def test_batch_operate_read_ops(client, keys):
    batch = client.batch_operate(keys, [op.read("a")])
    assert batch.result == 0
    assert codes(batch) == [OK, OK, NOT_FOUND, NOT_FOUND]
    assert bins_of(batch) == [{"a": 1}, {"a": 1}, None, None]


def test_batch_operate_writes_create_records_and_set_ttl(client, keys):
    batch = client.batch_operate(keys[1:3], [op.increment("a", 1), op.read("a")], ttl=200)
    assert batch.result == 0
    assert codes(batch) == [OK, OK]
    assert bins_of(batch) == [{"a": 2}, {"a": 1}]
    gens = [r.record[1]["gen"] for r in batch.batch_records]
    assert gens == [2, 1]
    for rec in batch.batch_records:
        assert 190 <= rec.record[1]["ttl"] <= 200
    assert 190 <= client.exists(keys[2])[1]["ttl"] <= 200


def test_batch_operate_ttl_minus_one_never_expires(client, keys):
    batch = client.batch_operate(keys[:1], [op.increment("a", 1), op.read("a")], ttl=-1)
    assert codes(batch) == [OK]
    assert batch.batch_records[0].record[1]["ttl"] == 0xFFFFFFFF


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_touch_ttl_loses_in_batch_operate_and_wins_in_batch_write(client, keys):
    batch = client.batch_operate(keys[:1], [op.touch(600), op.read("a")], ttl=123)
    assert 113 <= batch.batch_records[0].record[1]["ttl"] <= 123
    batch = client.batch_operate(keys[:1], [op.touch(600), op.read("a")], ttl=-1)
    assert batch.batch_records[0].record[1]["ttl"] == 0xFFFFFFFF
    batch = client.batch_write(br.BatchRecords([
        br.Write(keys[0], [op.touch(500)], policy={"ttl": 200})]))
    assert 490 <= batch.batch_records[0].record[1]["ttl"] <= 500


def test_batch_operate_cdt_ops(client, keys):
    batch = client.batch_operate(keys[:3], [lop.list_append("l", 9)])
    assert codes(batch) == [OK, OK, OK]
    assert bins_of(batch) == [{"l": 3}, {"l": 3}, {"l": 1}]
    assert client.get(keys[2])[2] == {"l": [9]}


def test_batch_operate_type_error_fails_each_record(client, keys):
    batch = client.batch_operate(keys[:2], [op.increment("b", 1)])
    assert batch.result == BATCH_FAILED
    assert codes(batch) == [TYPE_ERROR, TYPE_ERROR]
    assert [r.record for r in batch.batch_records] == [None, None]
    assert [r.in_doubt for r in batch.batch_records] == [False, False]


def test_batch_operate_policy_batch_filters_reads(client, keys):
    client.put(keys[1], {"a": 2})
    policy = {"expressions": exp.Eq(exp.IntBin("a"), 2).compile()}
    batch = client.batch_operate(keys[:2], [op.read("a")], policy)
    assert batch.result == 0
    assert codes(batch) == [FILTERED, OK]
    assert bins_of(batch) == [None, {"a": 2}]


def test_batch_operate_policy_batch_write_filters_and_exists(client, keys):
    client.put(keys[1], {"a": 2})
    only_a2 = {"expressions": exp.Eq(exp.IntBin("a"), 2).compile()}
    batch = client.batch_operate(keys[:2], [op.write("z", 1)], None, only_a2)
    assert codes(batch) == [FILTERED, OK]
    assert bins_of(batch) == [None, {"z": None}]  # a write op returns the bin with None
    update_only = {"exists": aerospike.POLICY_EXISTS_UPDATE}
    batch = client.batch_operate(keys[1:3], [op.write("z", 2)], None, update_only)
    assert codes(batch) == [OK, NOT_FOUND]
    assert client.get(keys[1])[2]["z"] == 2
    with pytest.raises(ex.RecordNotFound):
        client.get(keys[2])


# ---------------------------------------------------------------- batch_remove


def test_batch_remove(client, keys):
    batch = client.batch_remove([keys[0], keys[3]])
    assert batch.result == 0
    assert codes(batch) == [OK, NOT_FOUND]
    removed = batch.batch_records[0].record
    check_key(removed[0], keys[0])
    assert removed[1]["gen"] == 0 and removed[2] == {}
    assert batch.batch_records[1].record is None
    assert codes(client.batch_read(keys[:2])) == [NOT_FOUND, OK]


def test_batch_remove_generation_mismatch(client, keys):
    policy = {"gen": aerospike.POLICY_GEN_EQ, "generation": 99}
    batch = client.batch_remove(keys[:1], None, policy)
    assert batch.result == BATCH_FAILED
    assert codes(batch) == [GEN_MISMATCH]
    assert client.exists(keys[0])[1]["gen"] == 1


def test_batch_remove_generation_match(client, keys):
    policy = {"gen": aerospike.POLICY_GEN_EQ, "generation": 1}
    assert codes(client.batch_remove(keys[:1], None, policy)) == [OK]
    assert client.exists(keys[0])[1] is None


def test_batch_remove_filtered_by_policy_expression(client, keys):
    client.put(keys[1], {"a": 2})
    only_a2 = {"expressions": exp.Eq(exp.IntBin("a"), 2).compile()}
    batch = client.batch_remove(keys[:3], None, only_a2)
    assert batch.result == 0
    assert codes(batch) == [FILTERED, OK, NOT_FOUND]
    assert codes(client.batch_read(keys[:2])) == [OK, NOT_FOUND]


def test_batch_operate_generation_policy_without_generation(client, keys):
    batch = client.batch_operate(keys[:2], [op.write("z", 1)], None,
                                 {"gen": aerospike.POLICY_GEN_EQ})
    assert batch.result == BATCH_FAILED
    assert codes(batch) == [GEN_MISMATCH, GEN_MISMATCH]


# ---------------------------------------------------------------- batch_write


def mixed_records(keys):
    """Read/Write/Remove records with per-record policies; their official results below."""
    return br.BatchRecords([
        br.Read(keys[0], [op.read("a")]),
        br.Read(keys[1], None, read_all_bins=True),
        br.Read(keys[3], [op.read("a")]),
        br.Write(keys[2], [op.write("a", 5), op.read("a")], policy={"ttl": 300}),
        br.Write(keys[1], [op.write("c", 5)], meta={"gen": 99},
                 policy={"gen": aerospike.POLICY_GEN_EQ}),
        br.Write(keys[0], [op.increment("b", 1)]),
        br.Remove(keys[3]),
        br.Read(keys[1], [op.read("b")],
                policy={"expressions": exp.Eq(exp.IntBin("a"), 7).compile()}),
    ])


def test_batch_write_mixed_records(client, keys):
    batch = mixed_records(keys)
    assert client.batch_write(batch) is batch  # filled in place and returned
    assert batch.result == BATCH_FAILED
    assert codes(batch) == [OK, OK, NOT_FOUND, OK, GEN_MISMATCH, TYPE_ERROR, NOT_FOUND, FILTERED]
    assert bins_of(batch) == [{"a": 1}, {"a": 1, "b": "x", "l": [1, 2]}, None, {"a": 5},
                              None, None, None, None]
    assert [r.in_doubt for r in batch.batch_records] == [False] * 8
    for rec in batch.batch_records:
        if rec.record is not None:
            check_key(rec.record[0], rec.key)
    written = batch.batch_records[3].record[1]
    assert written["gen"] == 1 and 290 <= written["ttl"] <= 300
    assert client.get(keys[1])[2] == {"a": 1, "b": "x", "l": [1, 2]}  # gen mismatch: untouched
    assert client.get(keys[2])[2] == {"a": 5}


def test_batch_write_write_then_remove(client, keys):
    batch = br.BatchRecords([br.Write(keys[0], [op.write("q", 1)]), br.Remove(keys[1])])
    client.batch_write(batch)
    assert batch.result == 0
    assert codes(batch) == [OK, OK]
    assert batch.batch_records[0].record[1]["gen"] == 2
    assert bins_of(batch) == [{"q": None}, {}]
    assert codes(client.batch_read(keys[:2])) == [OK, NOT_FOUND]
    assert client.get(keys[0])[2]["q"] == 1


def test_batch_write_read_without_ops_or_bins_gives_empty_bins(client, keys):
    batch = client.batch_write(br.BatchRecords([br.Read(keys[0], None)]))
    assert codes(batch) == [OK]
    assert bins_of(batch) == [{}]
    assert batch.batch_records[0].record[1]["gen"] == 1


def test_batch_write_policy_batch_filter_applies_to_every_record(client, keys):
    client.put(keys[0], {"q": 1})
    batch = br.BatchRecords([br.Read(keys[0], [op.read("q")]),
                             br.Write(keys[1], [op.write("n", 1)])])
    client.batch_write(batch, {"expressions": exp.Eq(exp.IntBin("q"), 1).compile()})
    assert batch.result == 0
    assert codes(batch) == [OK, FILTERED]
    assert bins_of(batch) == [{"q": 1}, None]
    assert "n" not in client.get(keys[1])[2]


def test_batch_write_per_record_exists_policy(client, keys):
    create_only = {"exists": aerospike.POLICY_EXISTS_CREATE}
    batch = br.BatchRecords([br.Write(keys[0], [op.write("a", 2)], policy=create_only),
                             br.Write(keys[2], [op.write("a", 2)], policy=create_only)])
    client.batch_write(batch)
    assert batch.result == BATCH_FAILED
    assert codes(batch) == [EXISTS, OK]
    assert client.get(keys[0])[2]["a"] == 1


def test_batch_write_remove_with_generation_policy(client, keys):
    batch = br.BatchRecords([
        br.Remove(keys[0], policy={"gen": aerospike.POLICY_GEN_EQ, "generation": 77}),
        br.Remove(keys[1], policy={"gen": aerospike.POLICY_GEN_EQ, "generation": 1}),
    ])
    client.batch_write(batch)
    assert codes(batch) == [GEN_MISMATCH, OK]
    assert codes(client.batch_read(keys[:2])) == [OK, NOT_FOUND]


def test_batch_write_per_record_expressions(client, keys):
    client.put(keys[1], {"a": 2})
    only_a2 = {"expressions": exp.Eq(exp.IntBin("a"), 2).compile()}
    batch = br.BatchRecords([br.Write(k, [op.write("z", 1)], policy=only_a2) for k in keys[:2]] +
                            [br.Remove(k, policy=only_a2) for k in keys[:2]])
    client.batch_write(batch)
    assert batch.result == 0
    assert codes(batch) == [FILTERED, OK, FILTERED, OK]
    assert batch.batch_records[1].record[1]["gen"] == 3
    assert codes(client.batch_read(keys[:2])) == [OK, NOT_FOUND]


def test_batch_write_send_key_stores_the_user_key(client, keys):
    batch = br.BatchRecords([br.Write(keys[2], [op.write("a", 1), op.read("a")],
                                      policy={"key": aerospike.POLICY_KEY_SEND})])
    client.batch_write(batch)
    assert codes(batch) == [OK]
    found = client.query(NS, SET).results({"expressions": exp.Eq(exp.IntBin("a"), 1).compile()})
    assert keys[2][2] in [rec[0][2] for rec in found]


def test_batch_write_failed_record_keeps_its_previous_record(client, keys):
    """A record object run twice: its record stays from the first run when the second fails."""
    batch = br.BatchRecords([br.Remove(keys[0])])
    client.batch_write(batch)
    first = batch.batch_records[0].record
    client.batch_write(batch)
    assert codes(batch) == [NOT_FOUND]
    assert batch.batch_records[0].record == first


# ---------------------------------------------------------------- empty key lists


@pytest.mark.parametrize("call", [
    lambda c: c.batch_read([]),
    lambda c: c.batch_read([], ["a"]),
    lambda c: c.batch_operate([], [op.read("a")]),
    lambda c: c.batch_remove([]),
    lambda c: c.batch_apply([], "module", "function", []),
    lambda c: c.batch_write(br.BatchRecords([])),
    lambda c: c.batch_write(br.BatchRecords()),
])
def test_empty_batches_succeed_with_no_records(client, call):
    batch = call(client)
    assert isinstance(batch, br.BatchRecords)
    assert batch.result == 0
    assert batch.batch_records == []


# ---------------------------------------------------------------- argument errors

KEY = (NS, SET, "arg-errors")

BAD_CALLS = {
    "read keys tuple": lambda c: c.batch_read((KEY,)),
    "read keys None": lambda c: c.batch_read(None),
    "read short key": lambda c: c.batch_read([KEY, (NS,)]),
    "read int key": lambda c: c.batch_read([KEY, 5]),
    "read bins str": lambda c: c.batch_read([KEY], "a"),
    "read bin int": lambda c: c.batch_read([KEY], [1]),
    "read policy int": lambda c: c.batch_read([KEY], None, 5),
    "read policy value": lambda c: c.batch_read([KEY], None, {"total_timeout": "x"}),
    "operate ttl str": lambda c: c.batch_operate([KEY], [op.read("a")], ttl="x"),
    "operate no ops": lambda c: c.batch_operate([KEY], []),
    "operate ops None": lambda c: c.batch_operate([KEY], None),
    "operate bad op": lambda c: c.batch_operate([KEY], [{"op": 999, "bin": "a"}]),
    "operate keys str": lambda c: c.batch_operate("keys", [op.read("a")]),
    "operate policy_batch int": lambda c: c.batch_operate([KEY], [op.write("z", 1)], 5),
    "operate policy_batch_write int":
        lambda c: c.batch_operate([KEY], [op.write("z", 1)], None, 5),
    "remove keys str": lambda c: c.batch_remove("x"),
    "remove policy_batch int": lambda c: c.batch_remove([KEY], 5),
    "remove policy_batch_remove int": lambda c: c.batch_remove([KEY], None, 5),
    "apply module int": lambda c: c.batch_apply([KEY], 1, "f", []),
    "apply args None": lambda c: c.batch_apply([KEY], "m", "f", None),
    "write list": lambda c: c.batch_write([br.Remove(KEY)]),
    "write item int": lambda c: c.batch_write(br.BatchRecords([5])),
    "write short key": lambda c: c.batch_write(br.BatchRecords([br.Remove((NS,))])),
    "write ops None": lambda c: c.batch_write(br.BatchRecords([br.Write(KEY, None)])),
    "write ops empty": lambda c: c.batch_write(br.BatchRecords([br.Write(KEY, [])])),
    "write meta int":
        lambda c: c.batch_write(br.BatchRecords([br.Write(KEY, [op.write("a", 1)], meta=5)])),
    "write meta ttl str": lambda c: c.batch_write(
        br.BatchRecords([br.Write(KEY, [op.write("a", 1)], meta={"ttl": "x"})])),
    "write meta gen str": lambda c: c.batch_write(
        br.BatchRecords([br.Write(KEY, [op.write("a", 1)], meta={"gen": "x"})])),
    "write record policy int": lambda c: c.batch_write(
        br.BatchRecords([br.Write(KEY, [op.write("a", 1)], policy=5)])),
    "remove record policy int":
        lambda c: c.batch_write(br.BatchRecords([br.Remove(KEY, policy=5)])),
    "read record policy int": lambda c: c.batch_write(
        br.BatchRecords([br.Read(KEY, [op.read("a")], policy=5)])),
    "read record expressions int": lambda c: c.batch_write(
        br.BatchRecords([br.Read(KEY, [op.read("a")], policy={"expressions": 5})])),
    "write policy_batch int": lambda c: c.batch_write(br.BatchRecords([br.Remove(KEY)]), 5),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_arguments_raise_param_error(client, name):
    with pytest.raises(ex.ParamError) as info:
        BAD_CALLS[name](client)
    assert info.value.code == -2


def test_batch_records_list_replaced_by_non_list(client):
    batch = br.BatchRecords([br.Remove(KEY)])
    batch.batch_records = 5
    with pytest.raises(ex.ParamError):
        client.batch_write(batch)


def test_unknown_policy_keys_are_ignored(client, keys):
    assert codes(client.batch_read(keys[:1], None, {"no-such-key": 1})) == [OK]


def test_client_still_usable_after_argument_errors(client, keys):
    for call in BAD_CALLS.values():
        with pytest.raises(ex.AerospikeError):
            call(client)
    assert codes(client.batch_read(keys)) == [OK, OK, NOT_FOUND, NOT_FOUND]


# ---------------------------------------------------------------- fuzz

_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=False),
    st.text(max_size=20), st.binary(max_size=24), st.just(bytearray(20)),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                         max_size=3))
_keys = st.one_of(
    st.tuples(st.sampled_from([NS, "no-such-ns", ""]), st.sampled_from([SET, None, ""]),
              _values),
    st.tuples(st.just(NS), st.just(SET), st.none(), _values),
    _values)
_policies = st.one_of(st.none(), _values, st.dictionaries(
    st.sampled_from(["total_timeout", "max_retries", "expressions", "read_mode_ap", "key",
                     "allow_inline", "respond_all_keys", "nope"]), _values, max_size=3))


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.one_of(st.lists(_keys, max_size=4), _values),
       bins=st.one_of(st.none(), st.lists(st.one_of(st.text(max_size=16), _values), max_size=3),
                      _values),
       policy=_policies)
def test_fuzz_batch_read_arguments(client, keys, bins, policy):
    """Any arguments: a BatchRecords or an Aerospike error (or TypeError), never a crash."""
    try:
        batch = client.batch_read(keys, bins, policy)
    except (ex.AerospikeError, TypeError):
        return
    assert isinstance(batch, br.BatchRecords)
    assert len(batch.batch_records) == len(keys)


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ttl=_values, policy_batch=_policies, policy_batch_write=_policies,
       value=_values)
def test_fuzz_batch_operate_arguments(client, ttl, policy_batch, policy_batch_write, value):
    try:
        batch = client.batch_operate([KEY], [op.write("f", value), op.read("f")], policy_batch,
                                     policy_batch_write, ttl)
    except (ex.AerospikeError, TypeError):
        return
    assert len(batch.batch_records) == 1
    client.batch_remove([KEY])  # a fuzzed record must not leak into the set's other tests



# ---------------------------------------------------------------- the batch policy's filter

NO_RESPONSE = -15  # a record the server never answered


@pytest.mark.parametrize("bad", [
    exp.IntBin("a"),  # not boolean
    exp.Eq(exp.IntBin("a"), "x"),  # operands of different types
], ids=["not-bool", "type-mismatch"])
def test_invalid_batch_filter_refuses_the_whole_batch(client, keys, bad):
    """The server compiles the batch policy's filter once: one that does not compile refuses
    the whole batch (InvalidRequest, no record answered), and nothing is written."""
    policy = {"expressions": bad.compile()}
    # One node refuses its whole batch. Against several nodes each refuses its part:
    # the C client then gives the first error (4) or BATCH_FAILED (-16) when the
    # parts' errors came on several threads, and may mark the records of a refused
    # part with 4 instead of NO_RESPONSE (a real 3-node cluster answers both ways,
    # by how the keys split).
    one_node = len(client.get_nodes()) == 1

    def check(got, result=True):
        if result:
            assert got.result == 4 if one_node else got.result in (4, -16)
        if one_node:
            assert codes(got) == [NO_RESPONSE, NO_RESPONSE]
        else:
            assert set(codes(got)) <= {NO_RESPONSE, 4}, codes(got)

    check(client.batch_read(keys[:2], policy=policy))
    check(client.batch_operate(keys[:2], [op.read("a")], policy_batch=policy), result=False)
    records = br.BatchRecords([br.Read(keys[0], [op.read("a")]), br.Write(keys[1], [op.write("w", 1)])])
    check(client.batch_write(records, policy_batch=policy))
    assert "w" not in client.get(keys[1])[2]


def test_invalid_record_filter_fails_that_record_only(client, keys):
    """A record's own filter is compiled with that record: only it fails (InvalidRequest)."""
    records = br.BatchRecords([
        br.Read(keys[0], [op.read("a")], policy={"expressions": exp.IntBin("a").compile()}),
        br.Read(keys[1], [op.read("a")]),
    ])
    got = client.batch_write(records)
    assert got.result == BATCH_FAILED
    assert codes(got) == [4, OK]
