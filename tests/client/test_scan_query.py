"""Scans and queries against the test server: predicates on every index kind, select,
options, pagination and partition filters, foreach, background jobs, argument errors; the
results and errors the official client 19.3.0 gives for the same calls (learned by running
them through it).  Indexes are awaited by polling, so the tests also hold on a real server
that builds them in the background."""

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aerospike_cffi as aerospike
from aerospike_cffi import exception as ex
from aerospike_cffi import predicates as p
from aerospike_helpers import cdt_ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import list_operations as lop
from aerospike_helpers.operations import operations as op

NS = "test"
PID = os.getpid()
SET = "sq-%d" % PID          # 30 records with indexes on every kind of bin
PAGED = "sq-paged-%d" % PID  # 100 plain records
SEND_KEY = {"key": aerospike.POLICY_KEY_SEND}
N = 30


def index_name(what):
    return "sq%d_%s" % (PID, what)


def keys_of(records):
    return in_order(rec[0][2] for rec in records)


def in_order(keys):
    """Keys (ints and strings) in one comparable order."""
    return sorted(keys, key=repr)


def eventually(fn, want, timeout=15.0):
    """fn() until it returns want: a real server builds indexes and runs jobs in the background."""
    deadline = time.time() + timeout
    while True:
        try:
            got = fn()
        except (ex.IndexNotReadable, ex.IndexNotFound):
            got = "index not ready"
        if got == want or time.time() > deadline:
            return got
        time.sleep(0.05)


def run(client, predicate, ctx=None):
    query = client.query(NS, SET)
    if ctx is None:
        query.where(predicate)
    else:
        query.where(predicate, ctx)
    return keys_of(query.results())


def ints(cond):
    return [i for i in range(N) if cond(i)]


RECT = aerospike.GeoJSON({"type": "Polygon", "coordinates": [[
    [0.045, -0.1], [0.095, -0.1], [0.095, 0.1], [0.045, 0.1], [0.045, -0.1]]]}).dumps()
SQUARE = {"type": "Polygon", "coordinates": [[[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]]]}
TIMES_TEN = exp.Mul(exp.IntBin("n"), 10).compile()
FIRST = [cdt_ctx.cdt_ctx_list_index(0)]

# (name, predicate, ctx, expected keys); each index's first line is its readiness check.
QUERIES = [
    ("equals int", p.equals("n", 5), None, [5]),
    ("between", p.between("n", 3, 7), None, [3, 4, 5, 6, 7]),
    ("equals str", p.equals("s", "s1"), None, ints(lambda i: i % 3 == 1)),
    ("contains list", p.contains("l", aerospike.INDEX_TYPE_LIST, 105), None, [5]),
    ("range list", p.range("l", aerospike.INDEX_TYPE_LIST, 103, 106), None, [3, 4, 5, 6]),
    ("contains mapkeys", p.contains("m", aerospike.INDEX_TYPE_MAPKEYS, "k7"), None, [7]),
    ("contains mapvalues", p.contains("m", aerospike.INDEX_TYPE_MAPVALUES, 8), None, [4]),
    ("range mapvalues", p.range("m", aerospike.INDEX_TYPE_MAPVALUES, 10, 14), None, [5, 6, 7]),
    ("equals blob", p.equals("b", bytearray([1])), None, ints(lambda i: i % 2)),
    ("equals blob bytes", p.equals("b", b"\x01"), None, ints(lambda i: i % 2)),
    ("ctx equals", p.equals("nested", 2), FIRST, ints(lambda i: i % 4 == 2)),
    ("ctx between", p.between("nested", 1, 2), FIRST, ints(lambda i: i % 4 in (1, 2))),
    ("geo within region", p.geo_within_geojson_region("g", RECT), None, [5, 6, 7, 8, 9]),
    ("geo within radius", p.geo_within_radius("g", 0.1, 0.0, 2500), None, [8, 9, 10, 11, 12]),
    ("geo contains point", p.geo_contains_point("g", 0.5, 0.5), None, ["poly"]),
    ("geo contains geojson point", p.geo_contains_geojson_point(
        "g", aerospike.GeoJSON({"type": "Point", "coordinates": [0.5, 0.5]}).dumps()),
     None, ["poly"]),
    ("geo contains no point", p.geo_contains_point("g", 5, 5), None, []),
]
QUERIES = [(name, predicate, ctx, in_order(want)) for name, predicate, ctx, want in QUERIES]


@pytest.fixture(scope="module")
def indexed(client):
    """SET with 30 records + a polygon record, and an index for every kind of query."""
    client.truncate(NS, SET, 0)
    for i in range(N):
        client.put((NS, SET, i), {
            "n": i, "s": "s%d" % (i % 3), "l": [i, i + 100], "m": {"k%d" % i: i * 2},
            "g": aerospike.GeoJSON({"type": "Point", "coordinates": [i * 0.01, 0.0]}),
            "nested": [i % 4, 9], "b": bytearray([i % 2])}, policy=SEND_KEY)
    client.put((NS, SET, "poly"), {"g": aerospike.GeoJSON(SQUARE)}, policy=SEND_KEY)
    single = client.index_single_value_create
    creators = {
        "n": lambda: single(NS, SET, "n", aerospike.INDEX_NUMERIC, index_name("n")),
        "s": lambda: single(NS, SET, "s", aerospike.INDEX_STRING, index_name("s")),
        "b": lambda: single(NS, SET, "b", aerospike.INDEX_BLOB, index_name("b")),
        "g": lambda: single(NS, SET, "g", aerospike.INDEX_GEO2DSPHERE, index_name("g")),
        "l": lambda: client.index_list_create(NS, SET, "l", aerospike.INDEX_NUMERIC,
                                              index_name("l")),
        "mk": lambda: client.index_map_keys_create(NS, SET, "m", aerospike.INDEX_STRING,
                                                   index_name("mk")),
        "mv": lambda: client.index_map_values_create(NS, SET, "m", aerospike.INDEX_NUMERIC,
                                                     index_name("mv")),
        "ctx": lambda: single(NS, SET, "nested", aerospike.INDEX_NUMERIC, index_name("ctx"),
                              ctx=FIRST),
        "expr": lambda: client.index_expr_create(NS, SET, aerospike.INDEX_TYPE_DEFAULT,
                                                 aerospike.INDEX_NUMERIC, TIMES_TEN,
                                                 index_name("expr")),
    }
    for create in creators.values():
        assert create() == 0
    for name, predicate, ctx, want in QUERIES:
        eventually(lambda: run(client, predicate, ctx), want)
    eventually(lambda: keys_of(client.query(NS, SET).where_with_index_name(
        index_name("expr"), p.equals(None, 70)).results()), [7])
    yield
    for what in creators:
        client.index_remove(NS, index_name(what))
    client.truncate(NS, SET, 0)


@pytest.fixture(scope="module")
def paged(client):
    """PAGED with 100 records {'n': i} (keys stored)."""
    client.truncate(NS, PAGED, 0)
    for i in range(100):
        client.put((NS, PAGED, i), {"n": i}, policy=SEND_KEY)
    eventually(lambda: len(client.scan(NS, PAGED).results()), 100)
    yield list(range(100))
    client.truncate(NS, PAGED, 0)


# ---------------------------------------------------------------- predicates

POINT = '{"type":"Point","coordinates":[0,0]}'
LIST, MAPKEYS, MAPVALUES = (aerospike.INDEX_TYPE_LIST, aerospike.INDEX_TYPE_MAPKEYS,
                            aerospike.INDEX_TYPE_MAPVALUES)
PREDICATES = [
    # (predicate, the official's tuple: type, index datatype, bin, value(s)[, index type])
    (p.equals("a", 1), (0, 4, "a", 1)),
    (p.equals("a", True), (0, 4, "a", True)),
    (p.equals("a", "x"), (0, 0, "a", "x")),
    (p.equals("a", b"x"), (0, 3, "a", b"x")),
    (p.equals("a", bytearray(b"x")), (0, 3, "a", bytearray(b"x"))),
    (p.equals("a", 1.5), None),
    (p.equals("a", None), None),
    (p.between("a", 1, 2), (1, 4, "a", 1, 2)),
    (p.between("a", "x", 2), None),
    (p.between("a", 1.5, 2), None),
    (p.contains("a", LIST, 1), (0, 4, "a", 1, None, 1)),
    (p.contains("a", MAPKEYS, "x"), (0, 0, "a", "x", None, 2)),
    (p.contains("a", MAPVALUES, b"x"), (0, 3, "a", b"x", None, 3)),
    (p.contains("a", LIST, 1.5), None),
    (p.range("a", LIST, 1, 2), (1, 4, "a", 1, 2, 1)),
    (p.range("a", LIST, "a", 2), None),
    (p.geo_within_geojson_region("g", POINT), (1, 2, "g", POINT, None, 0)),
    (p.geo_within_geojson_region("g", POINT, LIST), (1, 2, "g", POINT, None, 1)),
    (p.geo_within_geojson_region("g", aerospike.GeoJSON({"type": "Point", "coordinates": [0, 0]})),
     None),
    (p.geo_within_radius("g", 1, 2, 3),
     (1, 2, "g", '{"type": "AeroCircle", "coordinates": [[1, 2], 3]}', None, 0)),
    (p.geo_within_radius("g", 1.5, 2.5, 3.5, MAPVALUES),
     (1, 2, "g", '{"type": "AeroCircle", "coordinates": [[1.5, 2.5], 3.5]}', None, 3)),
    (p.geo_contains_geojson_point("g", POINT), (1, 2, "g", POINT, None, 0)),
    (p.geo_contains_point("g", 1, 2), (1, 2, "g", '{"type": "Point", "coordinates": [1, 2]}',
                                       None, 0)),
    (p.geo_contains_point(None, 1.5, 2.5, LIST),
     (1, 2, None, '{"type": "Point", "coordinates": [1.5, 2.5]}', None, 1)),
]


@pytest.mark.parametrize("predicate, want", PREDICATES)
def test_predicate_tuples(predicate, want):
    assert predicate == want


@pytest.mark.parametrize("make", [
    lambda: p.geo_within_radius("g", "x", 2, 3),
    lambda: p.geo_within_radius(5, 1, 2, 3),
    lambda: p.geo_contains_point("g", "x", 2),
    lambda: p.geo_contains_point(5, 1, 2),
])
def test_geo_predicates_check_their_arguments(make):
    with pytest.raises(ex.ParamError):
        make()


# ---------------------------------------------------------------- queries by index


@pytest.mark.parametrize("name, predicate, ctx, want", QUERIES, ids=[q[0] for q in QUERIES])
def test_query_by_index(client, indexed, name, predicate, ctx, want):
    assert run(client, predicate, ctx) == want


def test_query_record_shape(client, indexed):
    (record,) = client.query(NS, SET).where(p.equals("n", 5)).results()
    key, meta, bins = record
    assert key[:3] == (NS, SET, 5)
    assert isinstance(key[3], bytearray) and key[3] == aerospike.calc_digest(NS, SET, 5)
    assert set(meta) == {"ttl", "gen"} and meta["gen"] == 1
    assert bins == {"n": 5, "s": "s2", "l": [5, 105], "m": {"k5": 10},
                    "g": aerospike.GeoJSON({"type": "Point", "coordinates": [0.05, 0.0]}),
                    "nested": [1, 9], "b": b"\x01"}
    assert isinstance(bins["g"], aerospike.GeoJSON)


def test_query_geo_region_record(client, indexed):
    (record,) = client.query(NS, SET).where(p.geo_contains_point("g", 0.5, 0.5)).results()
    assert record[2]["g"] == aerospike.GeoJSON(SQUARE)


@pytest.mark.parametrize("predicate, want", [(p.between(None, 50, 80), [5, 6, 7, 8]),
                                             (p.equals(None, 70), [7])])
def test_query_on_expression_index(client, indexed, predicate, want):
    query = client.query(NS, SET)
    assert query.where_with_expr(TIMES_TEN, predicate) is query
    assert keys_of(query.results()) == want


def test_where_with_expr_takes_base64_text(client, indexed):
    text = client.get_expression_base64(TIMES_TEN)
    assert keys_of(client.query(NS, SET).where_with_expr(text, p.equals(None, 70)).results()) == [7]


def test_where_with_index_name(client, indexed):
    by_expr = client.query(NS, SET).where_with_index_name(index_name("expr"), p.equals(None, 70))
    assert keys_of(by_expr.results()) == [7]
    by_bin = client.query(NS, SET).where_with_index_name(index_name("n"), p.between("", 1, 3))
    assert keys_of(by_bin.results()) == [1, 2, 3]


@pytest.mark.parametrize("query", [
    lambda c: c.query(NS, SET).where_with_index_name("no-such-index", p.between("", 1, 3)),
    lambda c: c.query(NS, SET).where(p.equals("no_index_bin", 5)),
    lambda c: c.query(NS, SET).where(p.equals("n", "a string on a numeric index")),
    lambda c: c.query(NS, "sq-empty-%d" % PID).where(p.equals("n", 1)),
], ids=["by missing name", "bin without index", "value of the wrong type", "empty set"])
def test_query_without_a_matching_index_is_index_not_found(client, indexed, query):
    with pytest.raises(ex.IndexNotFound) as info:
        query(client).results()
    assert info.value.code == 201


def test_query_with_index_and_policy_expression(client, indexed):
    query = client.query(NS, SET).where(p.between("n", 0, N - 1))
    policy = {"expressions": exp.Eq(exp.StrBin("s"), "s2").compile()}
    assert keys_of(query.results(policy)) == in_order(ints(lambda i: i % 3 == 2))


def test_query_select(client, indexed):
    query = client.query(NS, SET)
    assert query.select("n", "s", "missing") is query
    query.where(p.equals("n", 5))
    assert [rec[2] for rec in query.results()] == [{"n": 5, "s": "s2"}]


def test_query_select_without_names_selects_every_bin(client, indexed):
    query = client.query(NS, SET).where(p.equals("n", 5))
    query.select()
    assert len(query.results()[0][2]) == 7


@pytest.mark.parametrize("nobins, want", [(True, {}), (False, {"n": 5})])
def test_query_nobins_option(client, indexed, nobins, want):
    query = client.query(NS, SET).select("n").where(p.equals("n", 5))
    (record,) = query.results(None, {"nobins": nobins})
    assert record[0][2] == 5 and record[1]["gen"] == 1
    assert record[2] == want


def test_query_max_records(client, indexed):
    query = client.query(NS, SET).where(p.between("n", 0, N - 1))
    query.max_records = 7
    assert len(query.results()) == 7


# ---------------------------------------------------------------- queries and scans without index


def test_query_without_where_returns_every_record(client, indexed):
    assert keys_of(client.query(NS, SET).results()) == in_order(list(range(N)) + ["poly"])


def test_query_without_where_and_policy_expression(client, indexed):
    policy = {"expressions": exp.LT(exp.IntBin("n"), 3).compile()}
    assert keys_of(client.query(NS, SET).results(policy)) == [0, 1, 2]


def test_scan_results(client, indexed):
    records = client.scan(NS, SET).results()
    assert len(records) == N + 1
    by_key = {rec[0][2]: rec for rec in records}
    assert by_key[3][2]["l"] == [3, 103]
    assert by_key[3][0][3] == aerospike.calc_digest(NS, SET, 3)


def test_scan_select_policy_and_max_records(client, indexed):
    scan = client.scan(NS, SET)
    assert scan.select("n") is scan
    policy = {"expressions": exp.LT(exp.IntBin("n"), 3).compile()}
    assert sorted(rec[2]["n"] for rec in scan.results(policy)) == [0, 1, 2]
    assert {tuple(rec[2]) for rec in scan.results(policy)} == {("n",)}
    assert len(client.scan(NS, SET).results({"max_records": 5})) == 5


def test_scan_nobins_option_in_foreach(client, indexed):
    seen = []
    client.scan(NS, SET).foreach(seen.append, None, {"nobins": True})
    assert len(seen) == N + 1
    assert all(rec[2] == {} for rec in seen)


def test_scan_by_node_visits_every_record_once(client, indexed):
    seen, fed = [], []
    for node in client.get_node_names():
        seen += keys_of(client.scan(NS, SET).results(None, node["node_name"]))
        client.scan(NS, SET).foreach(fed.append, None, None, node["node_name"])
    assert in_order(seen) == keys_of(client.scan(NS, SET).results())
    assert in_order(keys_of(fed)) == in_order(seen)


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_results_meta_per_record(client, stream):
    """Each record's meta in results() is its own, also where neighbours share a gen or a
    ttl (read_page hands equal ints on) and the list is made at the page's length."""
    set_name = "sq-meta-%d" % PID
    writes = {}
    for i in range(40):
        key = (NS, set_name, i)
        ttl = aerospike.TTL_NEVER_EXPIRE if i % 3 else 1000 + 1000 * (i % 2)
        for _ in range(1 + i % 4):
            client.put(key, {"i": i}, policy={"ttl": ttl})
        writes[i] = (1 + i % 4, ttl)
    try:
        records = getattr(client, stream)(NS, set_name).results()
        assert sorted(rec[2]["i"] for rec in records) == list(range(40))
        for (_, _, pk, digest), meta, bins in records:
            i = bins["i"]
            gen, ttl = writes[i]
            assert digest == aerospike.calc_digest(NS, set_name, i)
            assert meta["gen"] == gen
            if ttl == aerospike.TTL_NEVER_EXPIRE:
                assert meta["ttl"] == 0xFFFFFFFF
            else:
                assert ttl - 60 <= meta["ttl"] <= ttl
        records[0][1]["gen"] = -1  # each record owns its meta dict
        assert all(rec[1]["gen"] > 0 for rec in records[1:])
    finally:
        for i in range(40):
            client.remove((NS, set_name, i))


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_empty_set(client, stream):
    empty = "sq-empty-%d" % PID
    assert getattr(client, stream)(NS, empty).results() == []
    seen = []
    getattr(client, stream)(NS, empty).foreach(seen.append)
    assert seen == []


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_unknown_namespace(client, stream):
    with pytest.raises(ex.NamespaceNotFound) as info:
        getattr(client, stream)("no-such-ns", SET).results()
    assert info.value.code == 20


def test_records_per_second(client, paged):
    query = client.query(NS, PAGED)
    query.records_per_second = 1000
    assert len(query.results()) == 100


# ---------------------------------------------------------------- foreach


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_foreach_visits_every_record(client, paged, stream):
    seen = []
    assert getattr(client, stream)(NS, PAGED).foreach(lambda rec: seen.append(rec)) is None
    assert sorted(rec[0][2] for rec in seen) == paged
    assert all(rec[2] == {"n": rec[0][2]} for rec in seen)


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_foreach_stops_when_the_callback_returns_false(client, paged, stream):
    seen = []
    getattr(client, stream)(NS, PAGED).foreach(lambda rec: seen.append(rec) or False)
    assert len(seen) == 1


def test_foreach_goes_on_for_other_falsy_returns(client, paged):
    seen = []
    client.query(NS, PAGED).foreach(lambda rec: seen.append(rec) or 0)
    assert len(seen) == 100


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_foreach_callback_exception_is_a_client_error(client, paged, stream):
    calls = []

    def callback(record):
        calls.append(record)
        raise ValueError("boom")

    with pytest.raises(ex.ClientError) as info:
        getattr(client, stream)(NS, PAGED).foreach(callback)
    assert info.value.code == -1
    assert isinstance(info.value.__cause__, ValueError)
    assert len(calls) == 1
    assert len(getattr(client, stream)(NS, PAGED).results()) == 100  # still usable


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_foreach_callback_may_run_the_same_stream(client, paged, stream):
    runner = getattr(client, stream)(NS, PAGED)
    inner = []
    runner.foreach(lambda rec: inner.append(len(runner.results())) or False)
    assert inner == [100]


# ---------------------------------------------------------------- pagination, partitions


def pages_of(stream, page_size, is_scan):
    """Results pages of a paginated stream until is_done(); each page at most page_size."""
    pages = []
    while not stream.is_done():
        if is_scan:
            page = stream.results({"max_records": page_size})
        else:
            stream.max_records = page_size
            page = stream.results()
        assert len(page) <= page_size
        pages.append(page)
        assert len(pages) < 20
    return pages


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_paginated_results_visit_every_record_once(client, paged, stream):
    is_scan = stream == "scan"
    pager = getattr(client, stream)(NS, PAGED)
    assert pager.is_done() is False
    assert pager.get_partitions_status() == {}
    assert pager.paginate() is True
    pages = pages_of(pager, 30, is_scan)
    if len(client.get_nodes()) == 1:
        # (Against several nodes the C client asks each node for its share of a page,
        # so pages may be shorter: AEROSPIKE_DEV_SERVER_NODES=3, or a real cluster.)
        assert [len(page) for page in pages] == [30, 30, 30, 10]
    seen = [rec[0][2] for page in pages for rec in page]
    assert sorted(seen) == paged
    assert pager.is_done() is True


def test_scan_after_the_last_page_is_empty(client, paged):
    scan = client.scan(NS, PAGED)
    scan.paginate()
    pages_of(scan, 60, True)
    assert scan.results() == []


def test_query_after_the_last_page_has_no_nodes(client, paged):
    query = client.query(NS, PAGED)
    query.paginate()
    pages_of(query, 60, False)
    with pytest.raises(ex.InvalidNodeError):
        query.results()


def test_paginated_foreach_continues_where_it_stopped(client, paged):
    scan = client.scan(NS, PAGED)
    scan.paginate()
    seen = []
    scan.foreach(seen.append, {"max_records": 30})
    assert len(seen) == 30 and scan.is_done() is False
    scan.foreach(seen.append, {"max_records": 100})
    assert sorted(rec[0][2] for rec in seen) == paged
    assert scan.is_done() is True


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_partitions_status_shape(client, paged, stream):
    pager = getattr(client, stream)(NS, PAGED)
    pager.paginate()
    pages_of(pager, 100, stream == "scan")
    status = pager.get_partitions_status()
    assert len(status) == 4096 + 2
    assert status["done"] is True and status["retry"] is False
    for part_id in (0, 1234, 4095):
        entry = status[part_id]
        assert entry[0] == part_id
        assert isinstance(entry[1], bool) and isinstance(entry[2], bool)
        assert isinstance(entry[3], bytearray) and len(entry[3]) == 20
        assert isinstance(entry[4], int)


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_resume_in_a_new_stream_through_partition_status(client, paged, stream):
    first = getattr(client, stream)(NS, PAGED)
    first.paginate()
    if stream == "scan":
        part1 = first.results({"max_records": 40})
    else:
        first.max_records = 40
        part1 = first.results()
    status = first.get_partitions_status()
    assert status["done"] is False
    second = getattr(client, stream)(NS, PAGED)
    second.paginate()
    part2 = second.results({"partition_filter": {"partition_status": status}})
    assert len(part1) == 40 and len(part2) == 60
    assert sorted(rec[0][2] for rec in part1 + part2) == paged


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_partition_ranges_split_the_set(client, paged, stream):
    seen = []
    for begin, count in ((0, 1000), (1000, 2000), (3000, 1096)):
        policy = {"partition_filter": {"begin": begin, "count": count}}
        records = getattr(client, stream)(NS, PAGED).results(policy)
        assert all(begin <= client.get_key_partition_id(NS, PAGED, rec[0][2]) < begin + count
                   for rec in records)
        seen += [rec[0][2] for rec in records]
    assert sorted(seen) == paged


@pytest.mark.parametrize("paginate", [True, False])
def test_partition_range_status_lists_only_its_partitions(client, paged, paginate):
    scan = client.scan(NS, PAGED)
    if paginate:
        scan.paginate()
    scan.results({"partition_filter": {"begin": 10, "count": 3}})
    assert sorted(k for k in scan.get_partitions_status() if isinstance(k, int)) == [10, 11, 12]


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_partition_filter_keeps_the_status_without_paginate(client, paged, stream):
    """A partition_filter alone makes the object track partitions: status, is_done, resume."""
    first = getattr(client, stream)(NS, PAGED)
    everything = {"partition_filter": {"begin": 0, "count": 4096}}
    if stream == "scan":
        part1 = first.results(dict(everything, max_records=10))
    else:
        first.max_records = 10
        part1 = first.results(everything)
    status = first.get_partitions_status()
    assert len(status) == 4098 and status["done"] is False and first.is_done() is False
    part2 = getattr(client, stream)(NS, PAGED).results(
        {"partition_filter": {"partition_status": status}})
    assert len(part1) == 10 and len(part2) == 90
    assert sorted(rec[0][2] for rec in part1 + part2) == paged


def test_without_partition_filter_or_paginate_no_status_is_kept(client, paged):
    scan = client.scan(NS, PAGED)
    assert len(scan.results()) == 100
    assert scan.get_partitions_status() == {} and scan.is_done() is False
    assert len(scan.results()) == 100


def test_scan_policy_max_records_limits(client, paged):
    assert len(client.scan(NS, PAGED).results({"max_records": 2 ** 63 - 1})) == 100
    assert len(client.scan(NS, PAGED).results({"max_records": -1})) == 100  # wraps: no limit


def test_partition_status_without_partitions_starts_afresh(client, paged):
    policy = {"partition_filter": {"partition_status": {"done": False, "retry": True}}}
    assert len(client.scan(NS, PAGED).results(policy)) == 100


def test_partition_filter_without_range_is_every_partition(client, paged):
    assert len(client.query(NS, PAGED).results({"partition_filter": {}})) == 100


# ---------------------------------------------------------------- many records

BIG = "sq-big-%d" % PID
BIG_N = 2500  # more than one foreach page


@pytest.fixture(scope="module")
def big(client):
    """BIG with 2500 records {'n': i % 50, 'i': i} and a numeric index on n."""
    client.truncate(NS, BIG, 0)
    for i in range(BIG_N):
        client.put((NS, BIG, i), {"n": i % 50, "i": i}, policy=SEND_KEY)
    client.index_single_value_create(NS, BIG, "n", aerospike.INDEX_NUMERIC, index_name("big"))
    eventually(lambda: len(client.query(NS, BIG).where(p.equals("n", 3)).results()), 50)
    yield
    client.index_remove(NS, index_name("big"))
    client.truncate(NS, BIG, 0)


@pytest.mark.parametrize("stream, predicate, want", [
    ("scan", None, BIG_N), ("query", None, BIG_N), ("query", p.between("n", 0, 24), BIG_N // 2),
], ids=["scan", "query", "index query"])
def test_foreach_over_many_pages_visits_every_record_once(client, big, stream, predicate, want):
    seen = []
    runner = getattr(client, stream)(NS, BIG)
    if predicate:
        runner.where(predicate)
    runner.foreach(lambda rec: seen.append(rec[0][2]))
    assert len(seen) == want and len(set(seen)) == want


def test_foreach_stops_early_in_a_later_page(client, big):
    seen = []
    client.scan(NS, BIG).foreach(lambda rec: seen.append(rec) or len(seen) < 1500)
    assert len(seen) == 1500


def test_foreach_callback_may_use_the_client_between_chunks(client, big):
    """Records arrive in chunks while the callback runs other commands on the same thread."""
    seen = []

    def callback(rec):
        seen.append(rec[0][2])
        assert client.get((NS, BIG, rec[0][2]))[2] == rec[2]

    client.scan(NS, BIG).foreach(callback)
    assert sorted(seen) == list(range(BIG_N))


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_foreach_error_in_a_later_chunk_leaves_the_client_usable(client, big, stream):
    seen = []

    def callback(rec):
        seen.append(rec)
        if len(seen) == 1200:
            raise KeyError("stop here")

    with pytest.raises(ex.ClientError) as info:
        getattr(client, stream)(NS, BIG).foreach(callback)
    assert isinstance(info.value.__cause__, KeyError)
    assert len(seen) == 1200
    again = []
    getattr(client, stream)(NS, BIG).foreach(again.append)
    assert len(again) == BIG_N


def test_a_kept_stream_does_not_run_again_inside_its_own_foreach(client, big):
    scan = client.scan(NS, BIG)
    scan.paginate()
    with pytest.raises(ex.ClientError) as info:
        scan.foreach(lambda record: scan.results())
    assert isinstance(info.value.__cause__, ex.ClientError)
    assert "already running" in info.value.__cause__.msg


def test_closing_the_client_in_a_foreach_callback(aerospike_server, big):
    """The run goes on over its connection (closed when it ends); commands made after
    close() fail as on any closed client, and the client connects again."""
    other = aerospike.client({"hosts": [(aerospike_server.host, aerospike_server.port)]})
    seen, errors, deferred = [], [], []

    def callback(record):
        seen.append(record)
        if len(seen) == 1:
            other.close()
            # The connection is not destroyed under the running scan: left to the run.
            deferred.extend(other._held)
        elif len(seen) == 2:
            try:
                other.get(record[0])
            except ex.ClusterError as exc:
                errors.append(exc)

    other.scan(NS, BIG).foreach(callback)
    assert len(seen) == BIG_N and len(errors) == 1
    assert len(deferred) == 1 and not other._held
    assert not other.is_connected()
    with pytest.raises(ex.ClusterError):
        other.scan(NS, BIG).results()
    other.connect()
    try:
        assert len(other.scan(NS, BIG).results()) == BIG_N
    finally:
        other.close()


@pytest.mark.parametrize("stream", ["scan", "query"])
def test_foreach_with_max_records(client, big, stream):
    seen = []
    if stream == "scan":
        client.scan(NS, BIG).foreach(seen.append, {"max_records": 10})
    else:
        query = client.query(NS, BIG)
        query.max_records = 10
        query.foreach(seen.append)
    assert len(seen) == 10


def test_query_results_twice(client, big):
    query = client.query(NS, BIG).where(p.equals("n", 3))
    assert len(query.results()) == 50
    assert len(query.results()) == 50


def test_paginated_index_query(client, big):
    query = client.query(NS, BIG).where(p.between("n", 0, 9))
    query.paginate()
    pages = pages_of(query, 150, False)
    if len(client.get_nodes()) == 1:  # (several nodes: see test_paginated_results_...)
        assert [len(page) for page in pages] == [150, 150, 150, 50]
    seen = [rec[0][2] for page in pages for rec in page]
    assert len(set(seen)) == len(seen) == 500
    assert all(rec[2]["n"] < 10 for page in pages for rec in page)


def test_index_query_resumes_in_a_new_query(client, big):
    first = client.query(NS, BIG).where(p.between("n", 0, 9))
    first.paginate()
    first.max_records = 123
    part1 = first.results()
    second = client.query(NS, BIG).where(p.between("n", 0, 9))
    second.paginate()
    part2 = second.results({"partition_filter": {"partition_status":
                                                 first.get_partitions_status()}})
    keys = [rec[0][2] for rec in part1 + part2]
    assert len(part1) == 123 and len(keys) == len(set(keys)) == 500


# ---------------------------------------------------------------- background jobs


@pytest.fixture
def job_set(client):
    name = "sq-bg-%d" % PID
    client.truncate(NS, name, 0)
    for i in range(20):
        client.put((NS, name, i), {"n": i}, policy=SEND_KEY)
    client.index_single_value_create(NS, name, "n", aerospike.INDEX_NUMERIC, index_name("bg"))
    eventually(lambda: len(client.query(NS, name).where(p.between("n", 0, 4)).results()), 5)
    yield name
    client.index_remove(NS, index_name("bg"))
    client.truncate(NS, name, 0)


def wait_job(client, job_id, module):
    info = eventually(lambda: client.job_info(job_id, module)["status"],
                      aerospike.JOB_STATUS_COMPLETED)
    assert info == aerospike.JOB_STATUS_COMPLETED
    return client.job_info(job_id, module)


def bins_by_key(client, set_name):
    return {rec[0][2]: rec for rec in client.scan(NS, set_name).results()}


def test_query_background_ops(client, job_set):
    query = client.query(NS, job_set).where(p.between("n", 0, 4))
    assert query.add_ops([op.write("w", 1), op.increment("n", 100)]) is query
    job_id = query.execute_background()
    assert isinstance(job_id, int)
    info = wait_job(client, job_id, aerospike.JOB_QUERY)
    assert info == {"status": aerospike.JOB_STATUS_COMPLETED, "progress_pct": 100,
                    "records_read": 5}
    got = bins_by_key(client, job_set)
    assert {k: rec[2] for k, rec in got.items() if k < 5} == {
        k: {"n": k + 100, "w": 1} for k in range(5)}
    assert all(rec[2] == {"n": k} for k, rec in got.items() if k >= 5)


def test_scan_background_ops(client, job_set):
    scan = client.scan(NS, job_set)
    scan.add_ops([op.write("x", 2)])
    job_id = scan.execute_background()
    info = wait_job(client, job_id, aerospike.JOB_SCAN)
    assert info["records_read"] == 20 and info["progress_pct"] == 100
    assert all(rec[2]["x"] == 2 for rec in bins_by_key(client, job_set).values())


def test_background_with_policy_expression_and_ttl(client, job_set):
    query = client.query(NS, job_set)
    query.add_ops([op.write("y", 3)])
    query.ttl = 500
    job_id = query.execute_background({"expressions": exp.LT(exp.IntBin("n"), 10).compile()})
    wait_job(client, job_id, aerospike.JOB_QUERY)
    got = bins_by_key(client, job_set)
    assert sorted(k for k, rec in got.items() if "y" in rec[2]) == list(range(10))
    assert all(490 <= rec[1]["ttl"] <= 500 for k, rec in got.items() if k < 10)


def _churn():
    """Allocate and drop many small byte strings: memory the client freed too early is
    then reused, so an operation value read from it after the call shows up as garbage."""
    for i in range(2000):
        bytes(bytearray(b"%07d" % i))


BACKGROUND_OPS = {  # one op per job: a small packed buffer is the likeliest to be reused
    "string": (op.write("s", "new_val"), {"s": "new_val"}),
    "blob": (op.write("b", bytearray(b"blob-val")), {"b": bytearray(b"blob-val")}),
    "list": (lop.list_append("l", "four"), {"l": ["four"]}),
}


@pytest.mark.parametrize("what", sorted(BACKGROUND_OPS))
@pytest.mark.parametrize("kind", ["scan", "query"])
def test_background_ops_keep_their_values(client, job_set, kind, what):
    # String, blob and CDT values of the ops point into the packed ops buffer: the stream
    # must keep it until the job is sent (execute_background builds the stream, then
    # compiles the policy's expression, then sends). Found by the official suite's
    # test_background_execute_with_ops_and_expressions (garbage bytes written).
    operation, want = BACKGROUND_OPS[what]
    stream = client.scan(NS, job_set) if kind == "scan" else client.query(NS, job_set)
    stream.add_ops([operation])
    _churn()
    expr = exp.Or(exp.Eq(exp.IntBin("n"), 2), exp.Eq(exp.IntBin("n"), 3))
    job_id = stream.execute_background({"expressions": expr.compile()})
    wait_job(client, job_id, aerospike.JOB_SCAN if kind == "scan" else aerospike.JOB_QUERY)
    got = bins_by_key(client, job_set)
    changed = {k: rec[2] for k, rec in got.items() if len(rec[2]) > 1}
    assert changed == {2: dict(want, n=2), 3: dict(want, n=3)}


def test_background_ops_of_a_kept_stream_run_twice(client, job_set):
    # The same Scan object runs its ops again: each run builds its ops anew from the list.
    scan = client.scan(NS, job_set)
    scan.add_ops([lop.list_append("t", "ab")])
    for _ in range(2):
        job_id = scan.execute_background({"expressions": exp.LT(exp.IntBin("n"), 2).compile()})
        _churn()
        wait_job(client, job_id, aerospike.JOB_SCAN)
    got = bins_by_key(client, job_set)
    assert {k: rec[2]["t"] for k, rec in got.items() if "t" in rec[2]} == {
        0: ["ab", "ab"], 1: ["ab", "ab"]}


def test_scan_background_without_ops_is_unsupported(client, job_set):
    # nothing to run: server 8.1 answers UNSUPPORTED_FEATURE (the official client sends it)
    with pytest.raises(ex.UnsupportedFeature) as info:
        client.scan(NS, job_set).execute_background()
    assert info.value.code == 16


def test_job_info_of_an_unknown_job_is_completed(client):
    info = client.job_info(123456789, aerospike.JOB_QUERY)
    assert info["status"] == aerospike.JOB_STATUS_COMPLETED
    assert set(info) == {"status", "progress_pct", "records_read"}


@pytest.mark.parametrize("call", [
    lambda c: c.query(NS, SET).execute_background(),
    lambda c: c.query(NS, SET).add_ops([op.read("n")]).execute_background(),
    lambda c: c.query(NS, SET).add_ops([op.write("n", 1)]).execute_background(5),
    lambda c: c.job_info(1, "no-such-module"),
    lambda c: c.job_info(1, aerospike.JOB_SCAN, 5),
], ids=["no ops", "read op", "policy int", "bad module", "job_info policy int"])
def test_background_argument_errors(client, call):
    with pytest.raises(ex.ParamError):
        call(client)


# ---------------------------------------------------------------- argument errors


def second_where(c):
    query = c.query(NS, SET).where(p.equals("n", 1))
    query.where(p.equals("s", "x"))


def setting(name, value):
    def call(c):
        query = c.query(NS, SET)
        setattr(query, name, value)
        query.results()
    return call


BAD_CALLS = {
    # (call, exception class) as the official raises them
    "query ns int": (lambda c: c.query(5, SET), ex.ParamError),
    "query set int": (lambda c: c.query(NS, 5), ex.ParamError),
    "scan ns int": (lambda c: c.scan(5), ex.ParamError),
    "where int": (lambda c: c.query(NS, SET).where(5), ex.ParamError),
    "where None": (lambda c: c.query(NS, SET).where(None), ex.ParamError),
    "where short": (lambda c: c.query(NS, SET).where((0, 4)), ex.ParamError),
    "where str range": (lambda c: c.query(NS, SET).where(p.between("n", "a", "b")), ex.ParamError),
    "where float": (lambda c: c.query(NS, SET).where(p.equals("n", 1.5)), ex.ParamError),
    "where ctx int": (lambda c: c.query(NS, SET).where(p.equals("n", 1), 5), ex.ParamError),
    "where ctx of int": (lambda c: c.query(NS, SET).where(p.equals("n", 1), [5]), ex.ParamError),
    "second where": (second_where, ex.ParamError),
    "where datatype huge": (lambda c: c.query(NS, SET).where((0, 2 ** 70, "n", 1)), ex.ParamError),
    "where index type huge": (
        lambda c: c.query(NS, SET).where((0, 4, "n", 1, None, 2 ** 70)), ex.ParamError),
    "where index type str": (
        lambda c: c.query(NS, SET).where((0, 4, "n", 1, None, "x")), ex.ParamError),
    "where kind huge": (lambda c: c.query(NS, SET).where((2 ** 70, 4, "n", 1)), ex.ParamError),
    "where_with_expr int": (
        lambda c: c.query(NS, SET).where_with_expr(5, p.equals(None, 1)), ex.ParamError),
    "where_with_index_name int": (
        lambda c: c.query(NS, SET).where_with_index_name(5, p.equals(None, 1)), TypeError),
    "where_with_index_name bad predicate": (
        lambda c: c.query(NS, SET).where_with_index_name("x", 5), ex.ParamError),
    "add_ops int": (lambda c: c.query(NS, SET).add_ops(5), ex.ClientError),
    "add_ops of int": (lambda c: c.query(NS, SET).add_ops([5]), ex.ParamError),
    "add_ops unknown op": (lambda c: c.query(NS, SET).add_ops([{"op": 9999}]), ex.ParamError),
    "scan add_ops int": (lambda c: c.scan(NS, SET).add_ops(5), ex.ClientError),
    "select int": (lambda c: c.query(NS, SET).select(1), ex.ParamError),
    "select list": (lambda c: c.query(NS, SET).select(["n"]), ex.ParamError),
    "scan select int": (lambda c: c.scan(NS, SET).select("n", 1), ex.ParamError),
    "results policy int": (lambda c: c.query(NS, SET).results(5), ex.ParamError),
    "results policy value": (
        lambda c: c.query(NS, SET).results({"total_timeout": "x"}), ex.ParamError),
    "scan results policy int": (lambda c: c.scan(NS, SET).results(5), ex.ParamError),
    "query options int": (lambda c: c.query(NS, SET).results(None, 5), ex.ParamError),
    "query nobins int": (lambda c: c.query(NS, SET).results(None, {"nobins": 0}), ex.ParamError),
    "scan nodename dict": (lambda c: c.scan(NS, SET).results(None, {"x": 1}), ex.ParamError),
    "scan nodename unknown": (lambda c: c.scan(NS, SET).results(None, "no-node"), ex.ParamError),
    "scan foreach nodename unknown": (
        lambda c: c.scan(NS, SET).foreach(print, None, None, "no-node"), ex.ParamError),
    "foreach not callable": (lambda c: c.query(NS, SET).foreach(5), ex.ClientError),
    "scan foreach not callable": (lambda c: c.scan(NS, SET).foreach(5), ex.ClientError),
    "max_records str": (setting("max_records", "x"), TypeError),
    "scan policy max_records str": (
        lambda c: c.scan(NS, SET).results({"max_records": "x"}), ex.ParamError),
    "scan policy max_records too big": (
        lambda c: c.scan(NS, SET).results({"max_records": 2 ** 64}), ex.ClientError),
    "records_per_second str": (setting("records_per_second", "x"), TypeError),
    "ttl str": (setting("ttl", "x"), TypeError),
    "partition_filter int": (
        lambda c: c.query(NS, SET).results({"partition_filter": 5}), ex.ParamError),
    "partition range past the end": (lambda c: c.query(NS, SET).results(
        {"partition_filter": {"begin": 4000, "count": 500}}), ex.ParamError),
    "partition begin str": (lambda c: c.query(NS, SET).results(
        {"partition_filter": {"begin": "x"}}), ex.ParamError),
    "partition begin negative": (lambda c: c.query(NS, SET).results(
        {"partition_filter": {"begin": -1, "count": 5}}), ex.ParamError),
    "partition count 0": (lambda c: c.query(NS, SET).results(
        {"partition_filter": {"begin": 0, "count": 0}}), ex.ParamError),
    "partition_status int": (lambda c: c.query(NS, SET).results(
        {"partition_filter": {"begin": 0, "count": 2, "partition_status": 5}}), ex.ParamError),
    "partition_status without done": (lambda c: c.query(NS, SET).results(
        {"partition_filter": {"partition_status": {0: (0, False, True, bytearray(20), 0)}}}),
        ex.ParamError),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_arguments(client, name):
    call, error = BAD_CALLS[name]
    with pytest.raises(error):
        call(client)


def test_client_still_usable_after_argument_errors(client, paged):
    for call, error in BAD_CALLS.values():
        with pytest.raises(error):
            call(client)
    assert len(client.scan(NS, PAGED).results()) == 100


# ---------------------------------------------------------------- fuzz

_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=False),
    st.text(max_size=12), st.binary(max_size=24), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))
_predicates = st.one_of(
    _values,
    st.tuples(st.sampled_from([0, 1, 2, -1]), st.sampled_from([0, 1, 2, 3, 4, 9]),
              st.one_of(st.sampled_from(["n", "s", "g", "l", "m", ""]), _values), _values),
    st.tuples(st.sampled_from([0, 1]), st.sampled_from([0, 2, 3, 4]),
              st.sampled_from(["n", "s", "g", "l", "m"]), _values, _values,
              st.one_of(st.sampled_from([0, 1, 2, 3, 7]), _values)))


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(predicate=_predicates, ctx=st.one_of(st.none(), st.just(FIRST), _values))
def test_fuzz_where(client, indexed, predicate, ctx):
    """Any predicate: results or an Aerospike error (or TypeError), never a crash."""
    try:
        query = client.query(NS, SET)
        query.where(predicate, ctx)
        records = query.results()
    except (ex.AerospikeError, TypeError):
        return
    assert isinstance(records, list)


_status_entries = st.one_of(_values, st.tuples(
    st.just(7), st.booleans(), st.booleans(), st.binary(min_size=20, max_size=20),
    st.integers(0, 2 ** 64 - 1)))
_statuses = st.fixed_dictionaries({"done": st.booleans(), "retry": st.booleans()},
                                  optional={7: _status_entries})
_filters = st.one_of(_values, st.dictionaries(
    st.sampled_from(["begin", "count", "digest", "partition_status"]),
    st.one_of(st.integers(-5, 4200), _values, _statuses), max_size=4))


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(partition_filter=_filters, max_records=_values, stream=st.sampled_from(["scan", "query"]))
def test_fuzz_partition_filter(client, paged, partition_filter, max_records, stream):
    policy = {"partition_filter": partition_filter, "max_records": max_records}
    try:
        records = getattr(client, stream)(NS, PAGED).results(policy)
    except (ex.AerospikeError, TypeError):
        return
    assert len(records) <= 100


def test_a_stored_blob_key_reads_back_as_bytearray(client):
    # As the official: then remove(key) of a scanned record's key finds the record.
    key = ("test", "cffi_blob_pk", bytearray(b"\x00\xff"))
    client.put(key, {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    try:
        for records in (client.scan("test", "cffi_blob_pk").results(),
                        _collect(client.scan("test", "cffi_blob_pk"))):
            assert [r[0][2] for r in records] == [bytearray(b"\x00\xff")]
            assert type(records[0][0][2]) is bytearray
        client.remove(records[0][0])
        assert client.scan("test", "cffi_blob_pk").results() == []
    finally:
        try:
            client.remove(key)
        except Exception:
            pass


def _collect(scan):
    got = []
    scan.foreach(got.append)
    return got
