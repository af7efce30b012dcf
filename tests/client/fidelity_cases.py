"""Behaviour an application sees, written once and run with both clients.

Each ``case_*`` function takes the client module (``aerospike`` or ``aerospike_cffi``) and
a :class:`Ctx`, does what a user would do, and returns something printable; an exception
counts as the outcome. ``test_fidelity.py`` runs every case with the official client (this
file as a script under $OFFICIAL_PYTHON) and with ours against the same server, and
compares the outcomes. Cases clean up what they write, so the second run starts as the first.

    python fidelity_cases.py --host 127.0.0.1 --port 3000 [case ...]

prints one JSON object: case name -> outcome.
"""

import argparse
import json
import sys
import warnings

NS = "test"
SET = "fidelity"


class Ctx:
    def __init__(self, module, host, port):
        self.module = module
        self.hosts = [(host, port)]
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.module.client({"hosts": self.hosts}).connect()
        return self._client

    def new_client(self, **config):
        config["hosts"] = self.hosts
        return self.module.client(config).connect()

    def close(self):
        if self._client is not None:
            self._client.close()


def _remove(client, *keys):
    for key in keys:
        try:
            client.remove(key)
        except Exception:  # noqa: BLE001 - cleaning up
            pass


def error_outcome(exc):
    """What a caller can see of an exception: class, and args with the source location
    reduced to its types (the official names its C files, we name ours)."""
    args = exc.args
    name = type(exc).__name__
    if len(args) == 5 and hasattr(exc, "code"):
        code, msg, file, line, in_doubt = args
        return ["raise", name, code, msg, type(file).__name__, type(line).__name__, in_doubt]
    return ["raise", name] + [repr(a) for a in args]


def outcome(fn, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ["ok", repr(fn(*args))]
        except Exception as exc:  # noqa: BLE001 - the exception is the outcome
            result = error_outcome(exc)
    said = sorted("%s: %s" % (w.category.__name__, w.message) for w in caught
                  if "invalid type" in str(w.message))
    return result + said if said else result


def attempt(fn, *args):
    """An outcome inside a case (a case may try several things)."""
    return outcome(fn, *args)


# ------------------------------------------------------------------ data and results

def case_get_key_send(aero, ctx):
    client = ctx.client
    key = (NS, SET, "user-1")
    send = {"key": aero.POLICY_KEY_SEND}
    try:
        client.put(key, {"a": 1}, policy=send)
        other = ctx.new_client(policies={"read": send})
        try:
            from_config = other.get(key)[0][:3]
        finally:
            other.close()
        return [client.get(key)[0][:3], client.get(key, send)[0][:3],
                client.select(key, ["a"], send)[0][:3], from_config]
    finally:
        _remove(client, key)


def case_deserialize_false(aero, ctx):
    from aerospike_helpers.operations import list_operations, operations

    client = ctx.client
    key = (NS, SET, "raw")
    raw = {"deserialize": False}
    try:
        client.put(key, {"l": [1, "a"], "m": {"k": [2]}, "i": 3})
        other = ctx.new_client(policies={"read": raw})
        try:
            from_config = [other.get(key)[2], other.get(key, {"deserialize": True})[2]]
        finally:
            other.close()
        return [client.get(key, raw)[2], client.select(key, ["l", "i"], raw)[2],
                client.operate(key, [operations.read("m"), list_operations.list_size("l")],
                               policy=raw)[2],
                client.operate_ordered(key, [operations.read("l")], policy=raw)[2],
                from_config]
    finally:
        _remove(client, key)


def case_batch_deserialize_false(aero, ctx):
    """deserialize False in a batch policy (the call's, or the config's batch /
    batch_parent_write): list and map bins of every record as msgpack bytes; the records'
    own policies do not change it."""
    from aerospike_helpers.batch import records as br
    from aerospike_helpers.operations import list_operations, operations

    client = ctx.client
    keys = [(NS, SET, "batch-raw-%d" % i) for i in range(2)]
    raw = {"deserialize": False}

    def bins(batch):
        return [(r.result, r.record[2] if r.record else None) for r in batch.batch_records]

    def reads():
        return br.BatchRecords([br.Read(keys[0], None, read_all_bins=True),
                                br.Read(keys[0], [operations.read("m")], policy=raw),
                                br.Read(keys[1], None, read_all_bins=True)])

    try:
        _remove(client, keys[1])
        client.put(keys[0], {"l": [1, ["a", 2.5]], "m": {"k": {"n": [2]}}, "i": 3, "s": "x"})
        out = [bins(client.batch_read(keys, policy=raw)),
               bins(client.batch_read(keys, ["l", "i"], policy=raw)),
               bins(client.batch_read(keys)),
               bins(client.batch_operate(keys, [operations.read("m"),
                                                list_operations.list_get_range("l", 0, 2)],
                                         policy_batch=raw)),
               bins(client.batch_write(reads(), policy_batch=raw)),
               bins(client.batch_write(reads()))]
        for kind in ("batch", "batch_parent_write"):
            other = ctx.new_client(policies={kind: raw})
            try:
                out.append([bins(other.batch_read(keys)),
                            bins(other.batch_read(keys, policy={"deserialize": True})),
                            bins(other.batch_operate(keys[:1], [operations.read("l")])),
                            bins(other.batch_operate(keys[:1], [operations.write("w", 1),
                                                                operations.read("l")])),
                            bins(other.batch_write(reads()))])
            finally:
                other.close()
        return out
    finally:
        _remove(client, *keys)


def case_map_keys_the_server_refuses(aero, ctx):
    from aerospike_helpers.operations import map_operations

    client = ctx.client
    key = (NS, SET, "float-keys")
    try:
        return [attempt(client.put, key, {"m": {1.5: "f", 2: "i", None: "n", True: "t"}}),
                attempt(client.operate, key, [map_operations.map_put_items("m", {-0.5: 1, "s": 2})]),
                client.get(key)[2]]
    finally:
        _remove(client, key)


def case_query_resumes_after_max_records(aero, ctx):
    client = ctx.client
    set_name = SET + "_resume"
    keys = [(NS, set_name, i) for i in range(20)]
    try:
        for key in keys:
            client.put(key, {"n": key[2]})
        counts = []
        for how in ("paginate", "partition_filter"):
            query = client.query(NS, set_name)
            query.max_records = 4
            if how == "paginate":
                query.paginate()
                first = query.results()
            else:
                first = query.results({"partition_filter": {"begin": 0, "count": 4096}})
            status = query.get_partitions_status()
            rest = client.query(NS, set_name).results(
                {"partition_filter": {"partition_status": status}})
            counts.append((len(first), len(set(r[2]["n"] for r in first + rest))))
        for how in ("plain", "paginate", "partition_filter"):
            scan = client.scan(NS, set_name)
            policy = {"max_records": 4}
            if how == "paginate":
                scan.paginate()
            elif how == "partition_filter":
                policy["partition_filter"] = {"begin": 0, "count": 4096}
            first = scan.results(policy)
            status = scan.get_partitions_status()
            # Without a kept status the filter is unreadable: the official's scans then
            # scan everything (its queries raise).
            rest = client.scan(NS, set_name).results(
                {"partition_filter": {"partition_status": status}})
            counts.append((len(first), len(status), len(rest),
                           len(set(r[2]["n"] for r in first + rest))))
        return counts
    finally:
        _remove(client, *keys)


def case_foreach_with_partition_filter(aero, ctx):
    client = ctx.client
    set_name = SET + "_foreach"
    key = (NS, set_name, "foreach")
    try:
        client.put(key, {"a": 1})
        seen = []
        for stream in (client.query(NS, set_name), client.scan(NS, set_name)):
            calls = []
            stream.foreach(lambda *a: calls.append(a),
                           {"partition_filter": {"begin": 0, "count": 4096}})
            seen.append(sorted((a[0], a[1][2]) for a in calls))
        expected = aero.get_partition_id(aero.calc_digest(NS, set_name, "foreach")) \
            if aero.__name__ != "aerospike" else None
        return [seen, expected is None or seen[0] == [(expected, {"a": 1})]]
    finally:
        _remove(client, key)


def case_path_operations(aero, ctx):
    from aerospike_helpers import cdt_ctx
    from aerospike_helpers.expressions import base
    from aerospike_helpers.operations import operations

    client = ctx.client
    key = (NS, SET, "path")
    every = [cdt_ctx.cdt_ctx_all_children()]
    try:
        client.put(key, {"m": {"x": {"a": 5}, "y": {"a": 6}}})
        return [attempt(lambda: client.operate(key, [operations.select_by_path("m", every, 0)])[2]),
                attempt(client.operate, key, [operations.select_by_path("m", [], 0)]),
                attempt(lambda: client.operate(key, [operations.modify_by_path(
                    "m", every + [cdt_ctx.cdt_ctx_map_key("a")], base.Unknown().compile(),
                    0)])[2])]
    finally:
        _remove(client, key)


# ------------------------------------------------------------------ errors

def case_python_side_errors_carry_five_args(aero, ctx):
    client = ctx.client
    return [attempt(client.get, ("test",)), attempt(client.put, (NS, SET, 1.5), {"a": 1}),
            attempt(client.get, (NS, SET, "k"), {"total_timeout": "x"})]


def case_exceptions_built_by_hand(aero, ctx):
    ex = aero.exception
    return [(cls.__name__, cls().args, cls().code) for cls in
            (ex.AerospikeError, ex.ClientError, ex.ParamError, ex.RecordNotFound,
             ex.AdminError)]


def case_geojson_errors(aero, ctx):
    geo = aero.GeoJSON
    point = geo({"type": "Point", "coordinates": [1.0, 2.0]})
    return [attempt(geo, "not json"), attempt(geo, "[1]"), attempt(geo, 5), attempt(geo),
            attempt(point.loads, 3), attempt(point.loads, "{x"), attempt(point.wrap, [1]),
            attempt(point.wrap, {"type": "Point", "coordinates": [3.0, 4.0]}),
            attempt(lambda: str(geo({"a": object()}))), point.unwrap()]


def case_query_select_twice(aero, ctx):
    query = ctx.client.query(NS, SET)
    scan = ctx.client.scan(NS, SET)
    return [attempt(lambda: query.select("a") and None), attempt(query.select, "b"),
            attempt(lambda: scan.select("a") and scan.select("b") and None)]


def case_malformed_expressions(aero, ctx):
    client = ctx.client
    key = (NS, SET, "expr")
    bin_a = (81, 2, {"bin": "a"}, 0)
    one = (200, None, {"val": 1}, 0)
    cases = [[(9999, None, None, 0)], [("x", None, None, 0)], [(1, "x", None, 2), bin_a, one],
             [(1, None, 5, 2), bin_a, one], [(1, None, None, 2.0), bin_a, one],
             [(200, None, {}, 0)], [(1, None, None, 2), bin_a, (64, None, {}, 0)], [()]]
    try:
        client.put(key, {"a": 1})
        return [attempt(client.get, key, {"expressions": expr}) for expr in cases]
    finally:
        _remove(client, key)


def case_index_types_and_no_set(aero, ctx):
    client = ctx.client
    made = []
    results = []
    for name, call in (
            ("fid_list_any", lambda: client.index_list_create(NS, SET, "lb", 99, "fid_list_any")),
            ("fid_noset", lambda: client.index_integer_create(NS, None, "fid_n", "fid_noset"))):
        results.append(attempt(call))
        made.append(name)
    results.append(attempt(client.index_list_create, NS, SET, "lb", "x", "fid_bad"))
    results.append(attempt(client.index_integer_create, NS, 5, "lb", "fid_bad"))
    for name in made:
        try:
            client.index_remove(NS, name)
        except Exception:  # noqa: BLE001 - cleaning up
            pass
    return results


def case_module_function_argument_errors(aero, ctx):
    digest = aero.calc_digest
    return [attempt(digest, NS, SET), attempt(digest, NS, SET, 1, 2), attempt(digest, NS),
            attempt(lambda: digest(NS, SET, key=1, extra=2)), attempt(digest, 1, SET, 1),
            attempt(digest, NS, 1, 1), attempt(digest, NS, SET, 1.5),
            attempt(lambda: digest(NS, SET, ns=NS)), attempt(digest, NS, SET, "k"),
            attempt(lambda: digest(NS, SET, "k", ns=NS)), attempt(aero.get_partition_id),
            attempt(aero.get_partition_id, bytearray(20), 1)]


# ------------------------------------------------------------------ scans and queries

def case_partition_filter_errors(aero, ctx):
    query = ctx.client.query(NS, SET)
    zero = bytearray(20)
    filters = [
        "x", {"begin": 5000}, {"count": 0}, {"begin": 4000, "count": 200}, {"begin": "x"},
        {"partition_status": []}, {"begin": 0, "count": 1, "partition_status": {"done": 0}},
        {"begin": 0, "count": 1, "partition_status": {"done": "x", "retry": 1}},
        {"begin": 0, "count": 1, "partition_status": {"done": 0, "retry": 1, 0: (0, "x", 1, zero)}},
        {"begin": 0, "count": 1, "partition_status": {"done": 0, "retry": 1, 0: (0, 1, 1, bytes(20))}},
        {"begin": 0, "count": 1, "partition_status": {"done": 0, "retry": 1, 0: (0, 1, 1, zero, -1)}},
        {"begin": 0, "count": 1, "partition_status": {"done": 0, "retry": 1, 0: (0, 1, 1, zero, "x")}},
    ]
    return [attempt(query.results, {"partition_filter": f}) for f in filters]


# ------------------------------------------------------------------ configuration

def case_strict_types_false(aero, ctx):
    from aerospike_helpers.operations import operations

    key = (NS, SET, "strict")
    results = []
    for strict in (True, False):
        client = ctx.new_client(strict_types=strict)
        try:
            client.put(key, {"i": 1, "s": "x"})
            results.append([attempt(client.prepend, key, "s", 5),
                            attempt(client.append, key, "s", {"a": 1}),
                            attempt(client.increment, key, "i", "a"),
                            attempt(client.increment, key, "i", None),
                            attempt(client.operate, key, [operations.increment("i", [1])]),
                            client.get(key)[2]])
        finally:
            _remove(client, key)
            client.close()
    return results


def case_config_checks(aero, ctx):
    def make(**config):
        config["hosts"] = ctx.hosts
        aero.client(config).close()
        return "made"

    configs = [{"app_id": 5}, {"app_id": "app"}, {"policies": {"metrics": {}}},
               {"policies": {"batch_write": {"gen": -1}}},
               {"policies": {"batch_write": {"gen": None}}},
               {"policies": {"read": {"total_timeout": 1 << 33}}},
               {"policies": {"batch_remove": {"generation": 1 << 17}}},
               {"max_error_rate": 10, "error_rate_window": 5}]
    return [attempt(lambda: make(**config)) for config in configs]


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


def run(module, host, port, names=None):
    ctx = Ctx(module, host, port)
    try:
        return {name: outcome(CASES[name], module, ctx) for name in (names or CASES)}
    finally:
        ctx.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    import aerospike

    json.dump(run(aerospike, args.host, args.port, args.cases), sys.stdout)


if __name__ == "__main__":
    main()
