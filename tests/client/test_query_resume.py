"""Paginated secondary-index queries: many records share an indexed value, so only the
(bval, digest) pair the server sends with each record tells a partition where to go on.
Every page, and every query resumed from the partition status, must continue exactly
after the last record seen.  Valid against any server (the bval of an integer index is
the integer itself)."""

import os

import pytest

import aerospike_cffi as aerospike
from aerospike_cffi import predicates as p
from test_scan_query import eventually  # the sibling module's wait for index builds

NS = "test"
PID = os.getpid()
SET = "qr-%d" % PID
N = 70
SEND_KEY = {"key": aerospike.POLICY_KEY_SEND}
LIST = aerospike.INDEX_TYPE_LIST


def index_name(what):
    return "qr%d_%s" % (PID, what)


def value_of(i):
    return i % 4  # 17 or 18 records share each value


@pytest.fixture(scope="module")
def resumable(client):
    """SET with N records {'n': i % 4, 'l': [i % 5, i % 5 + 10]}, a numeric index on n
    and a numeric list index on l."""
    client.truncate(NS, SET, 0)
    for i in range(N):
        client.put((NS, SET, i), {"n": value_of(i), "l": [i % 5, i % 5 + 10]}, policy=SEND_KEY)
    assert client.index_integer_create(NS, SET, "n", index_name("n")) == 0
    assert client.index_list_create(NS, SET, "l", aerospike.INDEX_NUMERIC, index_name("l")) == 0
    for predicate in (p.between("n", 0, 3), p.range("l", LIST, 0, 20)):
        eventually(lambda: len(client.query(NS, SET).where(predicate).results()), N)
    yield
    for what in ("n", "l"):
        client.index_remove(NS, index_name(what))
    client.truncate(NS, SET, 0)


def pages(query, page_size):
    """The result pages of a paginated query until it is done."""
    query.paginate()
    out = []
    while not query.is_done():
        query.max_records = page_size
        page = query.results()
        assert len(page) <= page_size
        out.append(page)
        assert len(out) <= N + 1
    return out


def keys(records):
    return [rec[0][2] for rec in records]


def query_where(client, predicate):
    query = client.query(NS, SET)
    query.where(predicate)
    return query


@pytest.mark.parametrize("page_size", [1, 7, 16])
def test_pages_of_a_range_visit_every_record_once(client, resumable, page_size):
    got = [k for page in pages(query_where(client, p.between("n", 0, 3)), page_size)
           for k in keys(page)]
    assert sorted(got) == list(range(N))


def test_pages_of_one_shared_value_visit_every_record_once(client, resumable):
    got = [keys(page) for page in pages(query_where(client, p.equals("n", 2)), 7)]
    assert sorted(k for page in got for k in page) == [i for i in range(N) if value_of(i) == 2]
    if len(client.get_nodes()) == 1:
        assert [len(page) for page in got] == [7, 7, 3]
    # (Against several nodes the C client asks each node for its share of a page, so
    # pages may be shorter and the last one empty: AEROSPIKE_DEV_SERVER_NODES=3.)


def test_pages_of_a_list_element_visit_every_record_once(client, resumable):
    got = [k for page in pages(query_where(client, p.contains("l", LIST, 13)), 4)
           for k in keys(page)]
    assert sorted(got) == [i for i in range(N) if i % 5 == 3]


def test_list_range_gives_a_record_once_for_several_matching_elements(client, resumable):
    """Both elements of every list are in range; the server drops the repeat."""
    got = keys(query_where(client, p.range("l", LIST, 0, 20)).results())
    assert sorted(got) == list(range(N))


def test_partition_status_keeps_the_bval_of_the_last_record(client, resumable):
    query = query_where(client, p.between("n", 0, 3))
    query.paginate()
    query.max_records = 7
    page = query.results()
    assert len(page) == 7
    status = query.get_partitions_status()
    last = {}  # partition -> the last record received from it
    for rec in page:
        last[client.get_key_partition_id(NS, SET, rec[0][2])] = rec
    for part_id, rec in last.items():
        _, _, _, digest, bval = status[part_id]
        assert bytes(digest) == bytes(rec[0][3])
        assert bval == rec[2]["n"]


def test_resume_in_a_new_query_through_partition_status(client, resumable):
    first = query_where(client, p.between("n", 1, 2))
    first.paginate()
    first.max_records = 11
    part1 = keys(first.results())
    status = first.get_partitions_status()
    assert status["done"] is False
    second = query_where(client, p.between("n", 1, 2))
    second.paginate()
    part2 = keys(second.results({"partition_filter": {"partition_status": status}}))
    assert len(part1) == 11
    assert sorted(part1 + part2) == [i for i in range(N) if value_of(i) in (1, 2)]
