"""Every public call of aerospike_cffi and aerospike_helpers, as typed user code.

``test_stubs.py`` runs ``mypy --strict`` on this file: the stubs must accept ordinary
uses and give precise types back (the ``reveal``-style assignments below pin them).
``core()`` also runs against the test server (test_stubs.py::test_typed_core_runs); the
other functions are type-checked only, as some need an Enterprise server or features
the dev server lacks.
"""

from typing import Any, Dict, List, Optional, Tuple

import aerospike_cffi as aerospike
from aerospike_cffi import exception, predicates
from aerospike_cffi.testing import Namespace, Server
from aerospike_helpers import HyperLogLog, cdt_ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch.records import Apply, BatchRecord, BatchRecords, Read, Remove, Write
from aerospike_helpers.expressions import resources
from aerospike_helpers.metrics import Cluster, ClusterStats, MetricsListeners, MetricsPolicy, Node
from aerospike_helpers.operations import bitwise_operations as bitwise
from aerospike_helpers.operations import expression_operations as expr_ops
from aerospike_helpers.operations import hll_operations as hll
from aerospike_helpers.operations import list_operations as lops
from aerospike_helpers.operations import map_operations as mops
from aerospike_helpers.operations import operations as ops
from aerospike_helpers.operations import string_operations as sops
from aerospike_helpers.string_helpers import RegexFlags, StringPolicy, WriteFlags

NS, SET = "test", "typed_api"


def core(client: aerospike.Client) -> None:
    key = (NS, SET, "k1")
    client.put(key, {"i": 1, "s": "a", "l": [1, 2], "m": {"a": 1}}, meta={"ttl": 100},
               policy={"key": aerospike.POLICY_KEY_SEND})
    record_key, meta, bins = client.get(key)
    gen: int = meta["gen"]
    digest: bytearray = record_key[3]
    _, _, some = client.select(key, ["i"])
    _, maybe_meta = client.exists(key)
    present: bool = maybe_meta is not None
    client.append(key, "s", "b")
    client.prepend(key, "s", "z")
    client.increment(key, "i", 2)
    client.touch(key, 200)
    _, _, result = client.operate(key, [
        ops.read("i"), ops.write("w", 1), ops.increment("i", 1), ops.append("s", "x"), ops.prepend("s", "y"),
        ops.touch(300), lops.list_append("l", 3), lops.list_size("l"), mops.map_put("m", "b", 2),
        mops.map_size("m"),
    ])
    _, _, ordered = client.operate_ordered(key, [ops.read("i")])
    first: Tuple[str, Any] = ordered[0]
    client.remove_bin(key, ["w"])

    keys = [(NS, SET, "b%d" % i) for i in range(3)]
    batch = client.batch_write(BatchRecords([Write(k, [ops.write("n", 1)]) for k in keys]))
    records: List[BatchRecord] = batch.batch_records
    client.batch_read(keys, ["n"])
    client.batch_operate(keys, [ops.increment("n", 1)])
    client.batch_remove(keys)

    scan = client.scan(NS, SET)
    scan.select("i")
    all_records = scan.results()
    scan.foreach(lambda record: None)
    query = client.query(NS, SET)
    query.select("i", "s")
    query.where(predicates.equals("i", 4))
    query.paginate()
    query.max_records = 10
    done: bool = query.is_done()

    response: str = client.info_random_node("namespaces")
    nodes: List[Tuple[str, int]] = client.get_nodes()
    connected: bool = client.is_connected()
    partition: int = client.get_key_partition_id(NS, SET, "k1")
    client.remove(key)
    try:
        client.get(key)
    except exception.RecordNotFound as e:
        code: Optional[int] = e.code

    digest2: bytearray = aerospike.calc_digest(NS, SET, "k1")
    aerospike.set_log_level(aerospike.LOG_LEVEL_ERROR)
    print(gen, digest, some, present, result, first, records, all_records, done, response, nodes, connected,
          partition, digest2)


def everything_else(client: aerospike.Client, server: Server) -> None:
    """Type-checked only: the rest of the API."""
    key = (NS, SET, "k2")
    ctx = [cdt_ctx.cdt_ctx_list_index(0), cdt_ctx.cdt_ctx_map_key("a"), cdt_ctx.cdt_ctx_list_rank(0),
           cdt_ctx.cdt_ctx_list_value(1), cdt_ctx.cdt_ctx_list_index_create(0, aerospike.LIST_ORDERED, True),
           cdt_ctx.cdt_ctx_map_index(0), cdt_ctx.cdt_ctx_map_rank(0), cdt_ctx.cdt_ctx_map_value(1),
           cdt_ctx.cdt_ctx_map_key_create("b", aerospike.MAP_KEY_ORDERED)]

    # connection, policies, metrics
    client.connect()
    client.connect("user", "password")
    policies: Dict[str, Any] = client.get_policies()
    stats: ClusterStats = client.get_stats()
    node_names: List[Dict[str, Any]] = client.get_node_names()

    def on_snapshot(cluster: Cluster) -> None:
        print(cluster.nodes)

    def on_node_close(node: Node) -> None:
        print(node.name)

    listeners = MetricsListeners(lambda: None, on_snapshot, on_node_close, on_snapshot)
    client.enable_metrics(MetricsPolicy(metrics_listeners=listeners, interval=5))
    client.enable_metrics()
    client.disable_metrics()
    shm: Optional[int] = client.shm_key()

    # operations of every family
    client.operate(key, [
        lops.list_insert("l", 0, 1, ctx=ctx), lops.list_get_by_index_range("l", 0, aerospike.LIST_RETURN_VALUE, 2),
        lops.list_sort("l", aerospike.LIST_SORT_DEFAULT), lops.list_set_order("l", aerospike.LIST_ORDERED),
        mops.map_get_by_key("m", "a", aerospike.MAP_RETURN_VALUE), mops.map_remove_by_value("m", 1, aerospike.MAP_RETURN_NONE),
        mops.map_set_policy("m", {"map_order": aerospike.MAP_KEY_ORDERED}),
        bitwise.bit_set("b", 0, 8, 1, bytearray(b"\x01")), bitwise.bit_count("b", 0, 8),
        hll.hll_add("h", ["a", "b"], 10), hll.hll_get_count("h"),
        expr_ops.expression_write("w", exp.Val(1).compile()),
        sops.string_insert("s", 0, "x") if hasattr(sops, "string_insert") else ops.read("s"),
    ])
    hll_value = HyperLogLog(b"\x00")

    # expressions
    filter_expr = exp.And(exp.GE(exp.IntBin("i"), 1), exp.Or(exp.Eq(exp.StrBin("s"), "a"), exp.Not(exp.BinExists("x"))),
                          exp.Eq(exp.ListSize(None, exp.ListBin("l")), 2),
                          exp.GT(exp.MapGetByKey(None, aerospike.MAP_RETURN_VALUE, exp.ResultType.INTEGER, "a",
                                                 exp.MapBin("m")), 0),
                          exp.LT(exp.TTL(), 100), exp.Eq(exp.KeyStr(), "k"), exp.GT(exp.IntBin("i") + 1, 2)).compile()
    compiled: List[Tuple[int, Optional[int], Optional[Dict[str, Any]], int]] = filter_expr
    client.get(key, policy={"expressions": filter_expr})
    b64: str = client.get_expression_base64(filter_expr)
    ctx64: str = client.get_cdtctx_base64(ctx)
    atom: resources._BaseExpr = exp.Cond(exp.Eq(exp.IntBin("i"), 1), "one", exp.Unknown())

    # batches of every kind
    records = BatchRecords([
        Write(key, [ops.write("a", 1)], meta={"ttl": 10}), Read(key, [ops.read("a")]),
        Read(key, None, read_all_bins=True), Apply(key, "mod", "fn", [1]), Remove(key),
    ])
    client.batch_write(records, policy_batch={"total_timeout": 1000})
    client.batch_apply([key], "mod", "fn", [1])

    # scans and queries in every form
    scan = client.scan(NS, None)
    scan.add_ops([ops.write("x", 1)])
    scan_job: int = scan.execute_background()
    scan.foreach(lambda record: False, options={"partition_filter": {"begin": 0, "count": 1}}, nodename=None)
    scan.apply("mod", "fn", [1])
    partitions = scan.get_partitions_status()
    query = client.query(NS, SET)
    query.where(predicates.between("i", 1, 5), ctx)
    query.where(predicates.contains("l", aerospike.INDEX_TYPE_LIST, 1))
    query.where(predicates.range("l", aerospike.INDEX_TYPE_LIST, 1, 5))
    query.where(predicates.geo_within_radius("g", 0.0, 0.0, 10.0))
    query.where(predicates.geo_within_geojson_region("g", aerospike.GeoJSON({"type": "Point", "coordinates": [0, 0]})))
    query.where(predicates.geo_contains_point("g", 0.0, 0.0))
    query.where(predicates.geo_contains_geojson_point("g", '{"type": "Point", "coordinates": [0, 0]}'))
    query.where_with_index_name("idx", predicates.equals(None, 1))
    query.where_with_expr(exp.IntBin("i").compile(), predicates.equals(None, 1))
    query.apply("mod", "fn", [1])
    query.add_ops([ops.write("x", 1)])
    query.records_per_second = 100
    query.ttl = 60
    query_job: int = query.execute_background({"total_timeout": 0})
    query.foreach(lambda value: None, {"total_timeout": 0}, {"nobins": True})
    query_results: List[Any] = query.results()
    job: Dict[str, Any] = client.job_info(query_job, aerospike.JOB_QUERY)

    # UDFs and background UDF jobs
    client.udf_put("mod.lua", aerospike.UDF_TYPE_LUA)
    modules: List[Dict[str, Any]] = client.udf_list()
    source: str = client.udf_get("mod.lua")
    value = client.apply(key, "mod", "fn", [1, "a"])
    client.scan_apply(NS, SET, "mod", "fn", [1])
    client.query_apply(NS, SET, predicates.equals("i", 1), "mod", "fn", [1])
    client.udf_remove("mod.lua")

    # secondary indexes
    client.index_integer_create(NS, SET, "i", "idx_i")
    client.index_string_create(NS, SET, "s", "idx_s")
    client.index_blob_create(NS, SET, "b", "idx_b")
    client.index_geo2dsphere_create(NS, SET, "g", "idx_g")
    client.index_list_create(NS, SET, "l", aerospike.INDEX_NUMERIC, "idx_l")
    client.index_map_keys_create(NS, SET, "m", aerospike.INDEX_STRING, "idx_mk")
    client.index_map_values_create(NS, SET, "m", aerospike.INDEX_NUMERIC, "idx_mv", ctx=ctx)
    client.index_single_value_create(NS, SET, "i", aerospike.INDEX_NUMERIC, "idx_sv")
    client.index_cdt_create(NS, SET, "l", aerospike.INDEX_TYPE_LIST, aerospike.INDEX_NUMERIC, "idx_c", ctx)
    client.index_expr_create(NS, SET, aerospike.INDEX_TYPE_DEFAULT, aerospike.INDEX_NUMERIC,
                             exp.IntBin("i").compile(), "idx_e")
    client.index_set_create(NS, SET, "idx_set")
    client.index_remove(NS, "idx_i")

    # info, truncate, XDR
    every_node = client.info_all("build")
    one: str = client.info_single_node("build", "BB9000000000000")
    truncated: int = client.truncate(NS, SET, 0)
    client.set_xdr_filter("dc", NS, filter_expr)

    # transactions
    txn = aerospike.Transaction()
    client.put(key, {"a": 1}, policy={"txn": txn})
    status: int = client.commit(txn)
    aborted: int = client.abort(aerospike.Transaction(reads_capacity=256, writes_capacity=256))
    txn_id: int = txn.id
    state: int = txn.state

    # security administration
    privileges = [{"code": aerospike.PRIV_READ, "ns": NS, "set": SET}]
    client.admin_create_user("u", "p", ["read"])
    client.admin_create_pki_user("u2", ["read"])
    client.admin_change_password("u", "p2")
    client.admin_set_password("u", "p3")
    client.admin_grant_roles("u", ["write"])
    client.admin_revoke_roles("u", ["write"])
    user: Dict[str, Any] = client.admin_query_user_info("u")
    users = client.admin_query_users_info()
    client.admin_create_role("r", privileges, whitelist=["127.0.0.1"], read_quota=10, write_quota=10)
    client.admin_grant_privileges("r", privileges)
    client.admin_revoke_privileges("r", privileges)
    client.admin_set_whitelist("r", ["10.0.0.1"])
    client.admin_set_quotas("r", read_quota=1, write_quota=2)
    role: Dict[str, Any] = client.admin_get_role("r")
    roles = client.admin_get_roles()
    client.admin_query_role("r")
    client.admin_query_roles()
    client.admin_drop_role("r")
    client.admin_drop_user("u")

    # module functions and value types
    aerospike.set_log_handler(lambda level, func, path, line, msg: None)
    aerospike.set_log_handler()
    aerospike.set_serializer(lambda value: b"x")
    aerospike.set_deserializer(lambda raw: raw)
    aerospike.unset_serializers()
    partition_id: int = aerospike.get_partition_id(aerospike.calc_digest(NS, SET, 1))
    geo = aerospike.geodata({"type": "Point", "coordinates": [1, 2]})
    geo2 = aerospike.geojson('{"type": "Point", "coordinates": [1, 2]}')
    text: str = geo.dumps()
    client.put(key, {"g": geo2, "n": aerospike.null(), "k": aerospike.KeyOrderedDict({"a": 1}),
                     "inf": aerospike.CDTInfinite(), "w": aerospike.CDTWildcard()})
    provider = aerospike.ConfigProvider("/etc/aerospike/client.yml", 30)
    new_client = aerospike.client({"hosts": [(server.host, server.port)], "config_provider": provider})
    with new_client as c:
        c.close()
    policy = StringPolicy(WriteFlags.NO_FAIL)
    flags = RegexFlags.CASE_INSENSITIVE | RegexFlags.GLOBAL
    ns_with_ttl = Namespace("ttl", default_ttl=100)
    with Server(namespaces=("test", ns_with_ttl)) as other:
        port: int = other.port
    print(policies, stats, node_names, shm, hll_value, compiled, b64, ctx64, atom, scan_job, partitions,
          query_results, job, modules, source, value, every_node, one, truncated, status, aborted, txn_id,
          state, user, users, role, roles, partition_id, text, policy, flags, port)
