#!/usr/bin/env python3
"""Record path-expression cases (select_by_path / modify_by_path, operations and
expressions) from a server into path.jsonl beside this file.

    python gen_path_cases.py [--host 127.0.0.1] [--port 3000] [--module aerospike]

Run with the official client 19.3.0 against a real Aerospike CE 8.1.2 server:
the answers recorded are that server's.  Cases use the case format of
../server-cases/README.md and replay with ../server-cases/replay.py.

Every expression inside a path sees only the element (loop variables); no case
reads a record's metadata there: the 8.1.2 server evaluates path expressions
without a record, and metadata reads would crash it.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "server-cases"))

import replay  # noqa: E402

KEY = "('bar', 'golden-path', 'path-key')"

LIST = [1, 5, "a", [3, 7, 9], {"x": 1, "y": 8}, 2.5, [10, [20, 30]], 40]
MAP = {"a": 1, "b": [1, 2, 30], "c": {"x": 5, "y": 50, "z": [1, 100]}, "d": "str", "e": 9}
BOOKS = [{"title": "A", "price": 10, "tags": ["x", "y"]}, {"title": "B", "price": 25, "tags": []},
         {"title": "C", "price": 5}]
INTS = [7, 3, 9, 1, 5]
STORE = {"books": BOOKS, "music": {"m1": {"price": 7}, "m2": {"price": 70}}, "n": 3}

SEL = "operations.select_by_path"
MOD = "operations.modify_by_path"
ALL = "cdt_ctx.cdt_ctx_all_children()"


def filt(src):
    return "cdt_ctx.cdt_ctx_all_children_with_filter(%s.compile())" % src


def and_filt(src):
    return "cdt_ctx.cdt_ctx_and_filter(%s.compile())" % src


VI = "exp.LoopVarInt(aerospike.EXP_LOOPVAR_VALUE)"
VS = "exp.LoopVarStr(aerospike.EXP_LOOPVAR_VALUE)"
KS = "exp.LoopVarStr(aerospike.EXP_LOOPVAR_KEY)"
IX = "exp.LoopVarInt(aerospike.EXP_LOOPVAR_INDEX)"
VM = "exp.LoopVarMap(aerospike.EXP_LOOPVAR_VALUE)"
VL = "exp.LoopVarList(aerospike.EXP_LOOPVAR_VALUE)"
VF = "exp.LoopVarFloat(aerospike.EXP_LOOPVAR_VALUE)"

FLAGS = {
    "tree": "aerospike.EXP_PATH_SELECT_MATCHING_TREE",
    "value": "aerospike.EXP_PATH_SELECT_VALUE",
    "key": "aerospike.EXP_PATH_SELECT_MAP_KEY",
    "kv": "aerospike.EXP_PATH_SELECT_MAP_KEY_VALUE",
    "tree_nf": "aerospike.EXP_PATH_SELECT_MATCHING_TREE | aerospike.EXP_PATH_SELECT_NO_FAIL",
    "value_nf": "aerospike.EXP_PATH_SELECT_VALUE | aerospike.EXP_PATH_SELECT_NO_FAIL",
    "key_nf": "aerospike.EXP_PATH_SELECT_MAP_KEY | aerospike.EXP_PATH_SELECT_NO_FAIL",
}
MODFLAGS = {"default": "aerospike.EXP_PATH_MODIFY_DEFAULT", "nf": "aerospike.EXP_PATH_MODIFY_NO_FAIL"}


def select_cases():
    """(name, bins, ctx source list, flag names) for select_by_path."""
    paths = [
        ("all", [ALL]),
        ("gt5", [filt("exp.GT(%s, 5)" % VI)]),
        ("gt5_nf", [filt("exp.GT(%s, 5)" % VI)]),
        ("index_lt3", [filt("exp.LT(%s, 3)" % IX)]),
        ("all_all", [ALL, ALL]),
        ("all_gt5", [ALL, filt("exp.GT(%s, 5)" % VI)]),
        ("idx3", ["cdt_ctx.cdt_ctx_list_index(3)"]),
        ("idx3_all", ["cdt_ctx.cdt_ctx_list_index(3)", ALL]),
        ("idx_neg1", ["cdt_ctx.cdt_ctx_list_index(-1)"]),
        ("idx_out", ["cdt_ctx.cdt_ctx_list_index(99)"]),
        ("rank0", ["cdt_ctx.cdt_ctx_list_rank(0)"]),
        ("value5", ["cdt_ctx.cdt_ctx_list_value(5)"]),
        ("mapkey_on_list", ["cdt_ctx.cdt_ctx_map_key('x')"]),
        ("all_key_x", [ALL, "cdt_ctx.cdt_ctx_map_key('x')"]),
        ("is_str", [filt("exp.Eq(%s, 'a')" % VS)]),
    ]
    out = []
    for name, ctx in paths:
        for fname in ("tree", "value", "key", "kv", "tree_nf", "value_nf", "key_nf"):
            out.append(("list.%s.%s" % (name, fname), {"l": LIST}, "l", ctx, fname))
    map_paths = [
        ("all", [ALL]),
        ("key_c", ["cdt_ctx.cdt_ctx_map_key('c')"]),
        ("key_c_all", ["cdt_ctx.cdt_ctx_map_key('c')", ALL]),
        ("key_missing", ["cdt_ctx.cdt_ctx_map_key('zz')"]),
        ("keys_in", ["cdt_ctx.cdt_ctx_map_keys_in(['a', 'e', 'zz'])"]),
        ("keys_in_and", ["cdt_ctx.cdt_ctx_map_keys_in(['a', 'e', 'd'])", and_filt("exp.GT(%s, 5)" % VI)]),
        ("key_filter", [filt("exp.Or(exp.Eq(%s, 'a'), exp.Eq(%s, 'e'))" % (KS, KS))]),
        ("val_gt5", [filt("exp.GT(%s, 5)" % VI)]),
        ("all_all", [ALL, ALL]),
        ("all_gt5", [ALL, filt("exp.GT(%s, 5)" % VI)]),
        ("map_index0", ["cdt_ctx.cdt_ctx_map_index(0)"]),
        ("map_index_neg1", ["cdt_ctx.cdt_ctx_map_index(-1)"]),
        ("map_rank0", ["cdt_ctx.cdt_ctx_map_rank(0)"]),
        ("map_value9", ["cdt_ctx.cdt_ctx_map_value(9)"]),
        ("list_index_on_map", ["cdt_ctx.cdt_ctx_list_index(0)"]),
        ("key_and", ["cdt_ctx.cdt_ctx_map_key('e')", and_filt("exp.GT(%s, 5)" % VI)]),
        ("key_and_false", ["cdt_ctx.cdt_ctx_map_key('e')", and_filt("exp.GT(%s, 50)" % VI)]),
    ]
    for name, ctx in map_paths:
        for fname in ("tree", "value", "key", "kv", "value_nf", "key_nf"):
            out.append(("map.%s.%s" % (name, fname), {"m": MAP}, "m", ctx, fname))
    doc_paths = [
        ("books_cheap", [filt("exp.LT(exp.MapGetByKey(None, aerospike.MAP_RETURN_VALUE, "
                              "exp.ResultType.INTEGER, 'price', %s), 20)" % VM)]),
        ("books_titles", [ALL, "cdt_ctx.cdt_ctx_map_key('title')"]),
        ("books_cheap_titles", [filt("exp.LT(exp.MapGetByKey(None, aerospike.MAP_RETURN_VALUE, "
                                     "exp.ResultType.INTEGER, 'price', %s), 20)" % VM),
                                "cdt_ctx.cdt_ctx_map_key('title')"]),
        ("books_tags", [ALL, "cdt_ctx.cdt_ctx_map_key('tags')", ALL]),
    ]
    for name, ctx in doc_paths:
        for fname in ("tree", "value", "kv", "value_nf"):
            out.append(("books.%s.%s" % (name, fname), {"b": BOOKS}, "b", ctx, fname))
    store_paths = [
        ("prices", [ALL, ALL, "cdt_ctx.cdt_ctx_map_key('price')"]),
        ("music_prices", ["cdt_ctx.cdt_ctx_map_key('music')", ALL, "cdt_ctx.cdt_ctx_map_key('price')"]),
        ("books_all", ["cdt_ctx.cdt_ctx_map_key('books')", ALL]),
    ]
    for name, ctx in store_paths:
        for fname in ("tree", "value", "kv", "tree_nf", "value_nf"):
            out.append(("store.%s.%s" % (name, fname), {"s": STORE}, "s", ctx, fname))
    return out


def case(cid, bins, ops, call="operate", **extra):
    c = {"id": "path." + cid, "key": KEY, "bins_before": bins, "call": call, "ops": ops,
         "policy": None}
    c.update(extra)
    return c


def build():
    cases = []
    for cid, bins, binname, ctx, fname in select_cases():
        op = "%s(%r, [%s], %s)" % (SEL, binname, ", ".join(ctx), FLAGS[fname])
        cases.append(case("select." + cid, bins, [op]))
    # modify_by_path
    mods = [
        ("list.all_plus1_nf", {"l": INTS}, "l", [ALL], "exp.Add(%s, 1)" % VI, "default"),
        ("list.gt4_times10", {"l": INTS}, "l", [filt("exp.GT(%s, 4)" % VI)], "exp.Mul(%s, 10)" % VI, "default"),
        ("list.mixed_plus1", {"l": LIST}, "l", [ALL], "exp.Add(%s, 1)" % VI, "default"),
        ("list.mixed_plus1_nf", {"l": LIST}, "l", [ALL], "exp.Add(%s, 1)" % VI, "nf"),
        ("list.remove_gt4", {"l": INTS}, "l", [filt("exp.GT(%s, 4)" % VI)], "exp.RemoveResult()", "default"),
        ("list.index_as_value", {"l": INTS}, "l", [ALL], IX, "default"),
        ("list.idx1_times_index", {"l": INTS}, "l", ["cdt_ctx.cdt_ctx_list_index(1)"],
         "exp.Mul(%s, %s)" % (VI, IX), "default"),
        ("list.nested", {"l": LIST}, "l", ["cdt_ctx.cdt_ctx_list_index(3)", ALL], "exp.Sub(%s, 1)" % VI, "default"),
        ("list.to_float", {"l": INTS}, "l", [ALL], "exp.ToFloat(%s)" % VI, "default"),
        ("map.values_plus1_nf", {"m": MAP}, "m", [ALL], "exp.Add(%s, 1)" % VI, "nf"),
        ("map.values_plus1", {"m": MAP}, "m", [ALL], "exp.Add(%s, 1)" % VI, "default"),
        ("map.key_e", {"m": MAP}, "m", ["cdt_ctx.cdt_ctx_map_key('e')"], "exp.Mul(%s, 2)" % VI, "default"),
        ("map.remove_gt5", {"m": {"a": 1, "b": 7, "c": 9, "d": 3}}, "m", [filt("exp.GT(%s, 5)" % VI)],
         "exp.RemoveResult()", "default"),
        ("map.nested", {"m": MAP}, "m", ["cdt_ctx.cdt_ctx_map_key('c')", ALL], "exp.Add(%s, 1000)" % VI, "nf"),
        ("map.key_to_value", {"m": {"a": 1, "b": 2}}, "m", [ALL], KS, "default"),
        ("books.discount", {"b": BOOKS}, "b", [ALL, "cdt_ctx.cdt_ctx_map_key('price')"],
         "exp.Sub(%s, 1)" % VI, "default"),
        ("books.cond_remove", {"b": BOOKS}, "b", [ALL, "cdt_ctx.cdt_ctx_map_key('price')"],
         "exp.Cond(exp.GT(%s, 8), exp.Add(%s, 100), exp.Sub(%s, 100))" % (VI, VI, VI), "default"),
        ("store.music", {"s": STORE}, "s", ["cdt_ctx.cdt_ctx_map_key('music')", ALL,
                                             "cdt_ctx.cdt_ctx_map_key('price')"], "exp.Mul(%s, 2)" % VI, "default"),
    ]
    for cid, bins, binname, ctx, mexp, mf in mods:
        op = "%s(%r, [%s], %s.compile(), %s)" % (MOD, binname, ", ".join(ctx), mexp, MODFLAGS[mf])
        cases.append(case("modify." + cid, bins, [op]))
    # ordered containers
    cases.append(case("modify.ordered_list", {"l": INTS}, ["%s('l', [%s], exp.Mul(%s, -1).compile(), %s)"
                                                          % (MOD, ALL, VI, MODFLAGS["default"])],
                      setup_ops=["list_operations.list_set_order('l', aerospike.LIST_ORDERED)"]))
    cases.append(case("select.ordered_list_rank", {"l": INTS}, ["%s('l', [cdt_ctx.cdt_ctx_list_rank(1)], %s)"
                                                               % (SEL, FLAGS["value"])],
                      setup_ops=["list_operations.list_set_order('l', aerospike.LIST_ORDERED)"]))
    cases.append(case("select.kordered_map", {"m": {"c": 3, "a": 1, "b": 2}},
                      ["%s('m', [%s], %s)" % (SEL, ALL, FLAGS["kv"])],
                      setup_ops=["map_operations.map_set_policy('m', {'map_order': aerospike.MAP_KEY_ORDERED})"]))
    cases.append(case("select.unordered_map_order", {"m": {"c": 3, "a": 1, "b": 2}},
                      ["%s('m', [%s], %s)" % (SEL, ALL, FLAGS["kv"])]))
    cases.append(case("select.map_rank1", {"m": {"c": 3, "a": 10, "b": 2}},
                      ["%s('m', [cdt_ctx.cdt_ctx_map_rank(1)], %s)" % (SEL, FLAGS["kv"])]))
    cases.append(case("select.map_index1", {"m": {"c": 3, "a": 10, "b": 2}},
                      ["%s('m', [cdt_ctx.cdt_ctx_map_index(1)], %s)" % (SEL, FLAGS["kv"])]))
    # errors and edge cases
    errs = [
        ("missing_bin", {"x": 1}, "%s('l', [%s], %s)" % (SEL, ALL, FLAGS["tree"])),
        ("int_bin", {"l": 5}, "%s('l', [%s], %s)" % (SEL, ALL, FLAGS["tree"])),
        ("str_bin", {"l": "abc"}, "%s('l', [%s], %s)" % (SEL, ALL, FLAGS["value"])),
        ("empty_list", {"l": []}, "%s('l', [%s], %s)" % (SEL, ALL, FLAGS["tree"])),
        ("empty_list_value", {"l": []}, "%s('l', [%s], %s)" % (SEL, ALL, FLAGS["value"])),
        ("empty_map", {"l": {}}, "%s('l', [%s], %s)" % (SEL, ALL, FLAGS["tree"])),
        ("bad_flags", {"l": INTS}, "%s('l', [%s], 5)" % (SEL, ALL)),
        ("flags_7", {"l": INTS}, "%s('l', [%s], 7)" % (SEL, ALL)),
        ("flags_0x20", {"l": INTS}, "%s('l', [%s], 0x21)" % (SEL, ALL)),
        ("modify_missing_bin", {"x": 1}, "%s('l', [%s], exp.Add(%s, 1).compile(), 0)" % (MOD, ALL, VI)),
        ("modify_int_bin", {"l": 5}, "%s('l', [%s], exp.Add(%s, 1).compile(), 0)" % (MOD, ALL, VI)),
        ("modify_type_mismatch", {"l": INTS}, "%s('l', [%s], exp.Add(%s, 1.5).compile(), 0)" % (MOD, ALL, VI)),
        ("modify_bool_result", {"l": INTS}, "%s('l', [%s], exp.GT(%s, 4).compile(), 0)" % (MOD, ALL, VI)),
        ("filter_not_bool", {"l": INTS}, "%s('l', [%s], %s)" % (SEL, filt(VI), FLAGS["value"])),
        ("filter_unknown", {"l": INTS}, "%s('l', [%s], %s)" % (SEL, filt("exp.Unknown()"), FLAGS["value"])),
        ("filter_unknown_nf", {"l": INTS}, "%s('l', [%s], %s)" % (SEL, filt("exp.Unknown()"), FLAGS["value_nf"])),
        ("filter_bin_read", {"l": INTS, "i": 4}, "%s('l', [%s], %s)"
         % (SEL, filt("exp.GT(%s, exp.IntBin('i'))" % VI), FLAGS["value"])),
        ("filter_bin_read_nf", {"l": INTS, "i": 4}, "%s('l', [%s], %s)"
         % (SEL, filt("exp.GT(%s, exp.IntBin('i'))" % VI), FLAGS["value_nf"])),
        ("filter_float_var", {"l": [1.5, 2, 3.5]}, "%s('l', [%s], %s)"
         % (SEL, filt("exp.GT(%s, 2.0)" % VF), FLAGS["value_nf"])),
        ("filter_list_var", {"l": LIST}, "%s('l', [%s], %s)"
         % (SEL, filt("exp.GT(exp.ListSize(None, %s), 1)" % VL), FLAGS["tree_nf"])),
        ("and_first", {"m": MAP}, "%s('m', [%s], %s)" % (SEL, and_filt("exp.GT(%s, 5)" % VI), FLAGS["value"])),
        ("and_after_all", {"m": MAP}, "%s('m', [%s, %s], %s)"
         % (SEL, ALL, and_filt("exp.GT(%s, 5)" % VI), FLAGS["value"])),
        ("and_twice", {"m": MAP}, "%s('m', [cdt_ctx.cdt_ctx_map_key('e'), %s, %s], %s)"
         % (SEL, and_filt("exp.GT(%s, 5)" % VI), and_filt("exp.GT(%s, 5)" % VI), FLAGS["value"])),
        ("key_list_on_list", {"l": INTS}, "%s('l', [cdt_ctx.cdt_ctx_map_keys_in([1, 2])], %s)" % (SEL, FLAGS["value"])),
        ("key_list_on_list_nf", {"l": INTS}, "%s('l', [cdt_ctx.cdt_ctx_map_keys_in([1, 2])], %s)"
         % (SEL, FLAGS["value_nf"])),
        ("deep_past_leaf", {"l": INTS}, "%s('l', [%s, %s], %s)" % (SEL, ALL, ALL, FLAGS["tree"])),
        ("deep_past_leaf_value", {"l": INTS}, "%s('l', [%s, %s], %s)" % (SEL, ALL, ALL, FLAGS["value"])),
        ("list_value_ctx_on_map", {"m": MAP}, "%s('m', [cdt_ctx.cdt_ctx_list_value(1)], %s)" % (SEL, FLAGS["value"])),
    ]
    for cid, bins, op in errs:
        cases.append(case("edge." + cid, bins, [op]))
    # path expressions
    exprs = [
        ("select_tree", {"l": LIST}, "exp.SelectByPath([%s], exp.ResultType.LIST, %s, exp.ListBin('l'))"
         % (filt("exp.GT(%s, 4)" % VI), FLAGS["tree_nf"])),
        ("select_values", {"m": MAP}, "exp.SelectByPath([%s], exp.ResultType.LIST, %s, exp.MapBin('m'))"
         % (ALL, FLAGS["value"])),
        ("select_size", {"l": INTS}, "exp.ListSize(None, exp.SelectByPath([%s], exp.ResultType.LIST, %s, "
         "exp.ListBin('l')))" % (filt("exp.GT(%s, 4)" % VI), FLAGS["value"])),
        ("modify", {"l": INTS}, "exp.ModifyByPath([%s], exp.ResultType.LIST, exp.Add(%s, 1).compile(), %s, "
         "exp.ListBin('l'))" % (ALL, VI, MODFLAGS["default"])),
        ("modify_map", {"m": {"a": 1, "b": 2}}, "exp.ModifyByPath([%s], exp.ResultType.MAP, exp.Add(%s, 1).compile(), %s, "
         "exp.MapBin('m'))" % (ALL, VI, MODFLAGS["default"])),
        ("select_missing_bin", {"x": 1}, "exp.SelectByPath([%s], exp.ResultType.LIST, %s, exp.ListBin('l'))"
         % (ALL, FLAGS["value"])),
    ]
    for cid, bins, e in exprs:
        cases.append(case("expr.read." + cid, bins,
                          ["expression_operations.expression_read('r', %s.compile())" % e]))
    cases.append(case("expr.write.modify", {"l": INTS},
                      ["expression_operations.expression_write('l', exp.ModifyByPath([%s], exp.ResultType.LIST, "
                       "exp.Mul(%s, 3).compile(), %s, exp.ListBin('l')).compile())" % (ALL, VI, MODFLAGS["default"])]))
    cases.append(case("expr.filter", {"l": INTS}, [], call="get",
                      policy="{'expressions': exp.GT(exp.ListSize(None, exp.SelectByPath([%s], "
                             "exp.ResultType.LIST, %s, exp.ListBin('l'))), 1).compile()}"
                             % (filt("exp.GT(%s, 4)" % VI), FLAGS["value"])))
    cases.append(case("expr.filter_out", {"l": INTS}, [], call="get",
                      policy="{'expressions': exp.GT(exp.ListSize(None, exp.SelectByPath([%s], "
                             "exp.ResultType.LIST, %s, exp.ListBin('l'))), 3).compile()}"
                             % (filt("exp.GT(%s, 4)" % VI), FLAGS["value"])))
    cases.extend(more_cases())
    # two ops in one operate: select after modify sees the change
    cases.append(case("modify.then_select", {"l": INTS},
                      ["%s('l', [%s], exp.Add(%s, 1).compile(), 0)" % (MOD, ALL, VI),
                       "%s('l', [%s], %s)" % (SEL, ALL, FLAGS["value"])], call="operate_ordered"))
    return cases


def more_cases():
    """Corners: variables a level does not have, duplicates, creating contexts, removals
    everywhere, containers as modify results, expression result types."""
    out = []
    sel = [
        ("index_var_on_map", {"m": MAP}, "m", [filt("exp.GT(%s, 0)" % IX)], "value"),
        ("index_var_on_map_nf", {"m": MAP}, "m", [filt("exp.GT(%s, 0)" % IX)], "value_nf"),
        ("key_var_on_list", {"l": INTS}, "l", [filt("exp.Eq(%s, 'a')" % KS)], "value"),
        ("key_var_on_list_nf", {"l": INTS}, "l", [filt("exp.Eq(%s, 'a')" % KS)], "value_nf"),
        ("rank_dupes", {"l": [3, 1, 3, 1, 2]}, "l", ["cdt_ctx.cdt_ctx_list_rank(-1)"], "value"),
        ("rank_neg_out", {"l": [3, 1, 2]}, "l", ["cdt_ctx.cdt_ctx_list_rank(-4)"], "value"),
        ("value_dupes", {"l": [3, 1, 3, 1, 2]}, "l", ["cdt_ctx.cdt_ctx_list_value(3)"], "tree"),
        ("map_value_dupes", {"m": {"a": 1, "b": 2, "c": 1}}, "m", ["cdt_ctx.cdt_ctx_map_value(1)"], "kv"),
        ("key_create", {"m": MAP}, "m", ["cdt_ctx.cdt_ctx_map_key_create('a', aerospike.MAP_KEY_ORDERED)"],
         "value"),
        ("index_create", {"l": INTS}, "l", ["cdt_ctx.cdt_ctx_list_index_create(1, aerospike.LIST_UNORDERED, "
                                            "False)"], "value"),
        ("keys_in_unsorted", {"m": MAP}, "m", ["cdt_ctx.cdt_ctx_map_keys_in(['e', 'a', 'c'])"], "kv"),
        ("keys_in_dupes", {"m": MAP}, "m", ["cdt_ctx.cdt_ctx_map_keys_in(['a', 'a'])"], "kv"),
        ("keys_in_empty", {"m": MAP}, "m", ["cdt_ctx.cdt_ctx_map_keys_in([])"], "kv"),
        ("keys_in_nested", {"b": BOOKS}, "b", [ALL, "cdt_ctx.cdt_ctx_map_keys_in(['title', 'price'])"], "tree"),
        ("keys_in_nested_and", {"b": BOOKS}, "b",
         [ALL, "cdt_ctx.cdt_ctx_map_keys_in(['title', 'price'])", and_filt("exp.Eq(%s, 'price')" % KS)], "kv"),
        ("three_levels", {"s": STORE}, "s", [ALL, ALL, filt("exp.Eq(%s, 'price')" % KS)], "kv"),
        ("three_levels_tree", {"s": STORE}, "s", [ALL, ALL, filt("exp.Eq(%s, 'price')" % KS)], "tree"),
        ("list_leaf_key_mode_nested", {"s": STORE}, "s", [ALL, ALL], "key_nf"),
        ("map_leaf_values_are_lists", {"m": {"a": [1], "b": [2, 3]}}, "m", [ALL], "value"),
        ("float_and_int", {"l": [1, 1.0, 2, 2.5]}, "l", [filt("exp.GE(%s, 2)" % VI)], "value_nf"),
        ("map_key_on_nested_lists", {"l": [[1], [2]]}, "l", [ALL, "cdt_ctx.cdt_ctx_map_key(0)"], "tree"),
        ("list_value_list", {"l": [[1, 2], [3], [1, 2]]}, "l", ["cdt_ctx.cdt_ctx_list_value([1, 2])"], "value"),
    ]
    for cid, bins, binname, ctx, fname in sel:
        op = "%s(%r, [%s], %s)" % (SEL, binname, ", ".join(ctx), FLAGS[fname])
        out.append(case("more.select." + cid, bins, [op]))
    mods = [
        ("remove_all", {"l": INTS}, "l", [ALL], "exp.RemoveResult()", "default"),
        ("remove_all_map", {"m": {"a": 1, "b": 2}}, "m", [ALL], "exp.RemoveResult()", "default"),
        ("remove_nested", {"b": BOOKS}, "b", [ALL, "cdt_ctx.cdt_ctx_map_key('tags')"], "exp.RemoveResult()",
         "default"),
        ("remove_nested_list_elems", {"l": [[1, 2, 3], [4, 5]]}, "l", [ALL, filt("exp.GT(%s, 2)" % VI)],
         "exp.RemoveResult()", "default"),
        ("cond_remove_or_keep", {"l": INTS}, "l", [ALL],
         "exp.Cond(exp.GT(%s, 4), exp.RemoveResult(), exp.Unknown())" % VI, "nf"),
        ("list_value_result", {"l": [[1], [2, 3]]}, "l", [ALL],
         "exp.ListAppend(None, None, 9, %s)" % VL, "default"),
        ("map_value_result", {"m": {"a": {"x": 1}, "b": {"y": 2}}}, "m", [ALL],
         "exp.MapPut(None, None, 'z', 0, %s)" % VM, "default"),
        ("kordered_map", {"m": {"c": 3, "a": 1, "b": 2}}, "m", [ALL], "exp.Mul(%s, 10)" % VI, "default"),
        ("index_var_on_map", {"m": {"a": 1}}, "m", [ALL], IX, "default"),
        ("index_var_on_map_nf", {"m": {"a": 1}}, "m", [ALL], IX, "nf"),
        ("string_values", {"l": ["a", "b"]}, "l", [ALL], "exp.Eq(%s, 'a')" % VS, "default"),
        ("float_values", {"l": [1.5, 2.5]}, "l", [ALL], "exp.Mul(%s, 2.0)" % VF, "default"),
        ("rank0", {"l": INTS}, "l", ["cdt_ctx.cdt_ctx_list_rank(0)"], "exp.Add(%s, 100)" % VI, "default"),
        ("key_list", {"m": MAP}, "m", ["cdt_ctx.cdt_ctx_map_keys_in(['a', 'e'])"], "exp.Add(%s, 100)" % VI,
         "default"),
        ("bad_mod_exp_type", {"l": INTS}, "l", [ALL], "exp.Add(%s, 'x')" % VI, "default"),
    ]
    for cid, bins, binname, ctx, mexp, mf in mods:
        op = "%s(%r, [%s], %s.compile(), %s)" % (MOD, binname, ", ".join(ctx), mexp, MODFLAGS[mf])
        setup = ["map_operations.map_set_policy('m', {'map_order': aerospike.MAP_KEY_ORDERED})"] \
            if cid == "kordered_map" else None
        c = case("more.modify." + cid, bins, [op])
        if setup:
            c["setup_ops"] = setup
        out.append(c)
    exprs = [
        ("select_wrong_type", {"l": INTS}, "exp.SelectByPath([%s], exp.ResultType.MAP, %s, exp.ListBin('l'))"
         % (ALL, FLAGS["tree"])),
        ("select_wrong_bin_type", {"l": INTS}, "exp.SelectByPath([%s], exp.ResultType.LIST, %s, exp.MapBin('l'))"
         % (ALL, FLAGS["value"])),
        ("select_error_inside", {"l": INTS}, "exp.SelectByPath([%s], exp.ResultType.LIST, %s, exp.ListBin('l'))"
         % (filt("exp.Unknown()"), FLAGS["value"])),
        ("modify_remove", {"l": INTS}, "exp.ModifyByPath([%s], exp.ResultType.LIST, exp.RemoveResult().compile(), "
         "%s, exp.ListBin('l'))" % (filt("exp.LT(%s, 5)" % VI), MODFLAGS["default"])),
        ("select_of_modify", {"l": INTS}, "exp.SelectByPath([%s], exp.ResultType.LIST, %s, "
         "exp.ModifyByPath([%s], exp.ResultType.LIST, exp.Add(%s, 1).compile(), %s, exp.ListBin('l')))"
         % (filt("exp.GT(%s, 5)" % VI), FLAGS["value"], ALL, VI, MODFLAGS["default"])),
    ]
    for cid, bins, e in exprs:
        out.append(case("more.expr." + cid, bins,
                        ["expression_operations.expression_read('r', %s.compile())" % e]))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--module", default="aerospike")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3000)
    ap.add_argument("--out", default=os.path.join(HERE, "path.jsonl"))
    args = ap.parse_args(argv)
    env = replay.Env(args.module)
    client = replay.connect(env.aerospike, args.host, args.port)
    with open(args.out, "w") as f:
        for c in build():
            c["bins_before"] = env.enc_bins(c["bins_before"])
            c.update(replay.run_case(client, env, c))
            f.write(json.dumps(c) + "\n")
    client.close()


if __name__ == "__main__":
    main()
