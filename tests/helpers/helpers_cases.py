"""Calls of every helper, built the same way against the official package and ours.

``build_cases(api, h, aero)`` returns ``{case_id: (func, args, kwargs)}``: ``api`` is the
committed signature list (tests/data/official_helpers_api.json), ``h`` a :class:`Helpers`
over one ``aerospike_helpers`` package, ``aero`` the matching ``aerospike`` module. Calls
are derived from the signatures (required arguments only, every argument with non-default
values, empty ctx/policy, explicit Nones, an expression as bin) plus hand-written cases.
"""

import importlib

SKIPPED_PREFIXES = ("aerospike_helpers.metrics.",)  # documentation classes, covered by the API test
NONEABLE = {"count", "value_begin", "value_end", "end", "byte_size", "index_bit_count", "mh_bit_count",
            "separator", "ctx", "policy", "map_policy", "flags", "action", "ops", "meta", "batch_records"}


class Helpers:
    """Objects of the importable ``aerospike_helpers`` package by dotted name."""

    def get(self, name):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
                break
            except ImportError:
                continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj


def _samples(h, aero, module):
    exp = h.get("aerospike_helpers.expressions")
    ctx_mod = h.get("aerospike_helpers.cdt_ctx")
    strings = h.get("aerospike_helpers.string_helpers")
    is_string = "string" in module
    policy = strings.StringPolicy(strings.WriteFlags.NO_FAIL) if is_string else {
        "flags": 2, "bit_write_flags": 4, "write_flags": 8, "map_write_flags": 4, "map_order": 1}
    compiled = exp.Eq(exp.IntBin("a"), 1).compile()
    rec = h.get("aerospike_helpers.batch.records")
    hll = h.get("aerospike_helpers.HyperLogLog")
    read_op = h.get("aerospike_helpers.operations.operations").read("a")
    return {
        "action": 2, "amount": 5, "append_item": "tail", "args": [1, "x"], "base": 10.0,
        "batch_records": [rec.Read(("test", "demo", 1), None)], "begin": 10, "bin": "bn", "bin_name": "bn",
        "bit_offset": 8, "bit_size": 16, "byte_offset": 1, "byte_size": 4, "cmp_str": exp.StrBin("s"),
        "count": 3, "ctx": [ctx_mod.cdt_ctx_list_index(1), ctx_mod.cdt_ctx_map_key("k")], "denominator": 3,
        "disable_listener": len, "enable_listener": len, "end": 20, "exponent": 2.0, "expr": compiled,
        "expr0": exp.IntBin("a"), "expr1": 5, "expression": compiled, "expression_read_flags": 16,
        "expression_write_flags": 8, "flags": 1, "function": "fn", "get_amt": 2,
        "hll_list": [hll(b"\x01\x02")],
        "index": 2, "index_bit_count": 10, "index_datatype": aero.INDEX_STRING, "index_start": 1,
        "index_type": aero.INDEX_TYPE_MAPKEYS, "interval": 5, "invert_size": True, "inverted": True,
        "item_dict": {3: "c", 1: "a", 2: "b"}, "key": "k1", "key_list": ["k1", "k2"], "key_range_end": "k9",
        "key_range_start": "k1", "keys": ["k1", "k2"], "labels": {"env": "test"}, "latency_columns": 5,
        "latency_shift": 2, "list": [1, "a"], "list_order": aero.LIST_ORDERED, "map": {"x": 1},
        "map_order": aero.MAP_KEY_ORDERED, "map_policy": policy, "map_value": "mb", "meta": {"gen": 2},
        "metrics_listeners": None, "mh_bit_count": 8, "mod": 3, "mod_exp": exp.IntBin("m") + 1, "module": "mod",
        "needle": "nee",
        "node_close_listener": len, "num": 100.0, "numerator": exp.IntBin("a"),
        "numeric_type": strings.NumericType.INT, "o": b"\x05\x06", "occurrence": 2, "offset": -1,
        "ops": [read_op], "options": 2, "order": 1, "pad": True, "pad_string": "*",
        "pattern": "a.c", "persist_index": True, "policy": policy, "prefix": "pre", "prepend_item": "head",
        "rank": -1, "rank_start": 0, "read_all_bins": True, "regex_flags": strings.RegexFlags.GLOBAL,
        "regex_str": "^a", "remove_amt": 2, "replacement": "r", "report_dir": "/tmp/m", "report_size_limit": 100,
        "resize_flags": 4, "return_type": 7, "search": True, "separator": ",", "shift": 3, "sign": True,
        "snapshot_listener": len, "sort_flags": 2, "start": 1, "suffix": "suf", "target_length": 9, "ttl": 100,
        "value": 42, "value_begin": 5, "value_byte_size": 2, "value_end": aero.CDTInfinite(), "value_list": [1, 2],
        "value_start": 1, "value_type": 2, "values": [b"\x01", 2], "var_id": 1, "var_name": "v",
        "write_flags": strings.WriteFlags.UPDATE_ONLY, "write_item": {"m": 1},
    }


def _variants(params, samples, bin_expr):
    """(suffix, args, kwargs) calls for one signature."""
    def call(values):
        args, kwargs = [], {}
        for p in params:
            if p["name"] not in values:
                continue
            value = values[p["name"]]
            if p["kind"] == "VAR_POSITIONAL":
                args.extend(value)
            elif p["kind"] == "KEYWORD_ONLY" or "default" in p:
                kwargs[p["name"]] = value
            else:
                args.append(value)
        return args, kwargs

    def sample(p):
        if p["kind"] == "VAR_POSITIONAL":
            return (samples["expr0"], 7, 2.5)
        return samples[p["name"]]

    required = {p["name"]: sample(p) for p in params if "default" not in p and p["kind"] != "VAR_POSITIONAL"}
    everything = {p["name"]: sample(p) for p in params}
    names = {p["name"] for p in params}
    yield "min", call(required)
    if everything != required:
        yield "full", call(everything)
    if names & {"ctx", "policy", "map_policy"}:
        empties = dict(everything, ctx=[], policy={}, map_policy={})
        yield "empty", call({k: v for k, v in empties.items() if k in names})
    if names & NONEABLE:
        yield "nones", call(dict(required, **{n: None for n in names & NONEABLE}))
    for bin_param in ("bin", "map_value"):
        if bin_param in names:
            yield "bin_expr", call(dict(required, **{bin_param: bin_expr}))


def _manual(h, aero):
    """Hand-written calls: operators, nesting, policies and edge values."""
    exp = h.get("aerospike_helpers.expressions")
    ops = h.get("aerospike_helpers.operations.operations")
    lops = h.get("aerospike_helpers.operations.list_operations")
    mops = h.get("aerospike_helpers.operations.map_operations")
    ctx = h.get("aerospike_helpers.cdt_ctx")
    hll = h.get("aerospike_helpers.HyperLogLog")
    a, b = exp.IntBin("a"), exp.FloatBin("b")
    return {
        "op_add_chain": (lambda: a + 1 + exp.IntBin("c") + 2, (), {}),
        "op_add_merge": (lambda: exp.Add(a, 1) + exp.Add(2, 3), (), {}),
        "op_sub_mul_div": (lambda: (a - 1) * (a / 2) - 3, (), {}),
        "op_floordiv": (lambda: b // 2.0, (), {}),
        "op_pow_mod": (lambda: (a % 3) % 4 ** 1, (), {}),
        "op_pow_chain": (lambda: (b ** 2.0) ** (b ** 3.0), (), {}),
        "op_abs": (lambda: abs(abs(a)), (), {}),
        "op_floor_ceil": (lambda: __import__("math").ceil(__import__("math").floor(b)), (), {}),
        "nested_logic": (lambda: exp.And(exp.Or(exp.Eq(a, 1), exp.Not(exp.GT(a, 5))),
                                         exp.Exclusive(exp.BinExists("x"), exp.KeyExists()),
                                         exp.CmpGeo(exp.GeoBin("g"), aero.GeoJSON({"type": "Point",
                                                                                    "coordinates": [1, 2]}))),
                         (), {}),
        "let_cond": (lambda: exp.Let(exp.Def("x", a), exp.Cond(exp.LT(exp.Var("x"), 0), exp.Unknown(),
                                                               exp.Var("x"))), (), {}),
        "wildcard_range": (lambda: exp.ListGetByValueRange(None, 7, [1, aero.CDTWildcard()],
                                                           [2, aero.CDTInfinite()], "l"), (), {}),
        "list_remove_value_range_open": (lambda: exp.ListRemoveByValueRange(None, 1, None, "l"), (), {}),
        "map_remove_key_range_open": (lambda: exp.MapRemoveByKeyRange(None, 1, None, "m", True), (), {}),
        "map_get_value_range_open": (lambda: exp.MapGetByValueRange(None, 7, 1, None, "m"), (), {}),
        "list_join_empty_separator": (lambda: exp.ListJoin(None, "", "l"), (), {}),
        "bit_resize_no_flags": (lambda: exp.BitResize(None, 4, None, "b"), (), {}),
        "bit_add_no_action": (lambda: exp.BitAdd({}, 0, 8, 1, None, "b"), (), {}),
        "b64_encode_range_no_invert": (lambda: exp.BitB64Encode(0, 3, False, "b"), (), {}),
        "snip_to_end": (lambda: exp.Snip(None, 2, None, "s"), (), {}),
        "hll_init_no_flags": (lambda: exp.HLLInit({"other": 1}, None, None, "h"), (), {}),
        "put_items_unsortable": (mops.map_put_items, ("m", {1: "a", "b": 2}), {}),
        "put_items_key_ordered": (mops.map_put_items, ("m", aero.KeyOrderedDict({"b": 1, "a": 2})), {}),
        "touch_no_ttl": (ops.touch, (), {}),
        "touch_zero_ttl": (ops.touch, (0,), {}),
        "list_value_range_none_begin": (lambda: lops.list_get_by_value_range("l", 7, None, 5), (), {}),
        "list_create_empty_ctx": (lops.list_create, ("l", 1, False, False, []), {}),
        "map_get_rel_not_inverted": (mops.map_get_by_value_rank_range_relative, ("m", 1, 0, 7, None, False), {}),
        "filter_ctx": (lambda: [ctx.cdt_ctx_all_children(), ctx.cdt_ctx_map_keys_in(["a"]),
                                ctx.cdt_ctx_and_filter(exp.Eq(exp.LoopVarInt(1), 2).compile()),
                                ctx.cdt_ctx_all_children_with_filter(exp.LoopVarStr(0).compile())], (), {}),
        "index_type_invalid": (ctx.index_type_string, (99,), {}),
        "index_datatype_invalid": (ctx.index_datatype_string, (99,), {}),
        "hll_repr": (lambda: [repr(hll(b"ab")), str(hll(b"\x00")), hll(b"xy") == b"xy"], (), {}),
        "select_modify_path": (lambda: [exp.SelectByPath([ctx.cdt_ctx_all_children()], 4, 0, exp.MapBin("m")),
                                        exp.ModifyByPath([ctx.cdt_ctx_all_children()], 4, exp.RemoveResult(), 1,
                                                         exp.MapBin("m"))], (), {}),
    }


def build_cases(api, h, aero):
    cases = {}
    for name, entry in sorted(api.items()):
        if entry["kind"] not in ("function", "class") or entry.get("params") is None:
            continue
        if name.endswith(".compile") or name.startswith(SKIPPED_PREFIXES):
            continue
        head = name.rsplit(".", 1)[0]
        if head == "aerospike_helpers.expressions":
            continue  # re-exports of the submodules' classes
        func = h.get(name)
        samples = _samples(h, aero, head)
        bin_expr = h.get("aerospike_helpers.expressions").Var("bin_var")
        for suffix, (args, kwargs) in _variants(entry["params"], samples, bin_expr):
            cases["%s#%s" % (name, suffix)] = (func, args, kwargs)
    for case_id, call in _manual(h, aero).items():
        cases["manual#" + case_id] = call
    return cases
