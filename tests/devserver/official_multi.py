"""Batch, scan, query, secondary indexes, background jobs and truncate with the
official client (PyPI `aerospike`):

    python official_multi.py [--host 127.0.0.1] --port 3000

Works in its own fresh set and cleans up its indexes; prints "ok" when every
check held, raises otherwise."""

import argparse
import json
import os
import time

import aerospike
from aerospike import exception as ex
from aerospike import predicates as p
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op

NS = "test"


def check_batch(client, set_name):
    keys = [(NS, set_name, i) for i in range(6)]
    for k in keys[:4]:
        client.put(k, {"a": k[2], "b": "x"})
    res = client.batch_read(keys)
    assert [r.result for r in res.batch_records] == [0, 0, 0, 0, 2, 2], res.batch_records
    assert res.batch_records[1].record[2] == {"a": 1, "b": "x"}
    assert res.batch_records[4].record is None
    res = client.batch_read(keys[:2], ["a"])
    assert [r.record[2] for r in res.batch_records] == [{"a": 0}, {"a": 1}]
    res = client.batch_operate(keys[:3], [op.increment("a", 10), op.read("a")])
    assert [r.record[2]["a"] for r in res.batch_records] == [10, 11, 12]
    batch = br.BatchRecords([
        br.Write(keys[4], [op.write("a", 4)]),
        br.Read(keys[0], [op.read("b")]),
        br.Remove(keys[3]),
        br.Remove(keys[5]),
    ])
    res = client.batch_write(batch)
    assert [r.result for r in res.batch_records] == [0, 0, 0, 2], [r.result for r in res.batch_records]
    assert res.batch_records[1].record[2] == {"b": "x"}
    assert client.exists(keys[3])[1] is None and client.get(keys[4])[2] == {"a": 4}
    res = client.batch_remove(keys[:2])
    assert [r.result for r in res.batch_records] == [0, 0]


def check_scan_and_paging(client, set_name):
    for i in range(50):
        client.put((NS, set_name, i), {"n": i, "s": "v%d" % (i % 3), "l": [i, i + 1]},
                   policy={"key": aerospike.POLICY_KEY_SEND})
    rows = client.scan(NS, set_name).results()
    assert sorted(r[2]["n"] for r in rows) == list(range(50))
    assert all(r[0][2] == r[2]["n"] for r in rows)  # stored keys come back
    seen = []
    scan = client.scan(NS, set_name)
    scan.paginate()
    for _ in range(20):
        page = scan.results({"max_records": 15})
        assert len(page) <= 15
        seen += [r[2]["n"] for r in page]
        if scan.is_done():
            break
    assert sorted(seen) == list(range(50)), sorted(seen)
    counted = []
    client.scan(NS, set_name).foreach(lambda rec: counted.append(1))
    assert len(counted) == 50
    assert client.scan(NS, set_name + "_none").results() == []


def check_queries(client, set_name):
    names = ["%s_%s" % (set_name, kind) for kind in ("n", "s", "l", "geo", "mv")]
    client.index_integer_create(NS, set_name, "n", names[0])
    # the same name and definition again is "ok" on server 8.1 (nothing new is made)
    assert client.index_integer_create(NS, set_name, "n", names[0]) == 0
    try:
        client.index_integer_create(NS, set_name, "other", names[0])
        raise AssertionError("an index name got a second definition")
    except ex.IndexFoundError:
        pass
    client.index_string_create(NS, set_name, "s", names[1])
    client.index_list_create(NS, set_name, "l", aerospike.INDEX_NUMERIC, names[2])
    try:
        q = client.query(NS, set_name)
        q.where(p.between("n", 10, 14))
        assert sorted(r[2]["n"] for r in q.results()) == [10, 11, 12, 13, 14]
        q = client.query(NS, set_name)
        q.where(p.equals("s", "v1"))
        q.select("n")
        rows = q.results()
        assert len(rows) == 17 and all(set(r[2]) == {"n"} for r in rows)
        q = client.query(NS, set_name)
        q.where(p.contains("l", aerospike.INDEX_TYPE_LIST, 7))
        assert sorted(r[2]["n"] for r in q.results()) == [6, 7]
        q = client.query(NS, set_name)
        q.where(p.between("n", 0, 49))
        got = q.results({"expressions": exp.Eq(exp.StrBin("s"), "v2").compile()})
        assert sorted(r[2]["n"] for r in got) == [n for n in range(50) if n % 3 == 2]
        q = client.query(NS, set_name)
        q.where(p.between("missing_bin", 1, 2))
        try:
            q.results()
            raise AssertionError("query without an index succeeded")
        except ex.IndexNotFound:
            pass
        listing = client.info_random_node("sindex-list:")
        assert all(n in listing for n in names[:3]), listing

        for i in range(10):
            client.put((NS, set_name, 100 + i), {
                "loc": aerospike.GeoJSON({"type": "Point", "coordinates": [float(i), 0.0]}),
                "m": {"k%d" % i: i}})
        client.index_geo2dsphere_create(NS, set_name, "loc", names[3])
        client.index_map_values_create(NS, set_name, "m", aerospike.INDEX_NUMERIC, names[4])
        region = {"type": "Polygon", "coordinates": [[[-0.5, -1], [3.5, -1], [3.5, 1], [-0.5, 1], [-0.5, -1]]]}
        q = client.query(NS, set_name)
        q.where(p.geo_within_geojson_region("loc", json.dumps(region)))
        assert len(q.results()) == 4
        q = client.query(NS, set_name)
        q.where(p.geo_within_radius("loc", 0.0, 0.0, 250000))
        assert len(q.results()) == 3
        q = client.query(NS, set_name)
        q.where(p.range("m", aerospike.INDEX_TYPE_MAPVALUES, 3, 5))
        assert len(q.results()) == 3

        q = client.query(NS, set_name)
        q.where(p.between("n", 0, 9))
        q.add_ops([op.increment("n", 1000)])
        job = q.execute_background()
        for _ in range(50):
            info = client.job_info(job, aerospike.JOB_QUERY)
            if info["status"] == aerospike.JOB_STATUS_COMPLETED:
                break
            time.sleep(0.1)
        assert info["status"] == aerospike.JOB_STATUS_COMPLETED, info
        assert client.get((NS, set_name, 3))[2]["n"] == 1003
    finally:
        for name in names:
            try:
                client.index_remove(NS, name)
            except ex.IndexNotFound:
                pass
    assert not any(n in client.info_random_node("sindex-list:") for n in names)


def check_truncate(client, set_name):
    client.put((NS, set_name, "t"), {"a": 1})
    # A truncate without a time cuts at the server's clock in milliseconds: a record written
    # in that same millisecond is not before the cut and stays (seen on server 8.1.2).
    time.sleep(0.01)
    client.truncate(NS, set_name, 0)
    for _ in range(50):
        if not client.scan(NS, set_name).results():
            break
        time.sleep(0.1)
    assert client.scan(NS, set_name).results() == []
    client.put((NS, set_name, "t"), {"a": 2})  # writes after the cutoff stay
    assert client.get((NS, set_name, "t"))[2] == {"a": 2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3000)
    args = ap.parse_args()
    client = aerospike.client({"hosts": [(args.host, args.port)]}).connect()
    set_name = "om_" + os.urandom(4).hex()
    try:
        check_batch(client, set_name + "b")
        check_scan_and_paging(client, set_name)
        check_queries(client, set_name)
        check_truncate(client, set_name + "t")
    finally:
        client.close()
    print("ok")


if __name__ == "__main__":
    main()
