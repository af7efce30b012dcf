"""The dev server's map engine against answers recorded from a real Aerospike
8.1.2 server (tests/data/server-cases/map.jsonl; the case id is given).

Payloads are the map ops as the C client encodes them: ``[op_code, args...]``.
Expectations are copied from the recording, in its notation: what the official
client returns, encoded as replay.py does (a key-value result map arrives as a
flat [k, v, ...] list, a key-ordered map as a KeyOrderedDict, other maps as
dicts in key order).  The last test replays the whole recording through the
test server with the official client.
"""

import os
import re

import pytest

from aerospike_cffi.testing import cdt, values
from aerospike_cffi.testing.cdt import maps as M
from aerospike_cffi.testing.errors import (
    BIN_TYPE,
    ELEMENT_NOT_FOUND,
    PARAMETER,
    ServerError,
)
from aerospike_cffi.testing.values import INF, MISSING, WILDCARD, ListValue, MapValue

from .official import run_official

CASES_DIR = os.path.join(os.path.dirname(__file__), os.pardir, "data", "server-cases")

INV = M.INVERTED
RT_NONE, RT_INDEX, RT_REVINDEX, RT_RANK, RT_REVRANK = M.RT_NONE, M.RT_INDEX, M.RT_REVINDEX, M.RT_RANK, M.RT_REVRANK
RT_COUNT, RT_KEY, RT_VALUE, RT_KEY_VALUE, RT_EXISTS = M.RT_COUNT, M.RT_KEY, M.RT_VALUE, M.RT_KEY_VALUE, M.RT_EXISTS
RT_UNORDERED_MAP, RT_ORDERED_MAP = M.RT_UNORDERED_MAP, M.RT_ORDERED_MAP
CREATE_ONLY, UPDATE_ONLY, NO_FAIL, DO_PARTIAL = M.NO_OVERWRITE, M.NO_CREATE, M.NO_FAIL, M.DO_PARTIAL

# The recorded bins, stored as the client sends them (pairs in key order).
LETTERS = [["a", 1], ["b", 2], ["c", 3], ["d", 5], ["e", 2]]       # {c: 3, a: 1, e: 2, b: 2, d: 5}
INT_KEYS = [[-2, "z"], [1, "a"], [3, "c"], [5, "e"], [10, "j"]]
MIXED_PAIRS = [[1, [1]], [2, "two"], ["a", MapValue([["n", 1]])], ["f", 2.5], ["s", 1],
               ["t", True], ["z", None], [b"\x01", 1.5]]
U, K, KV = (LETTERS, 0), (LETTERS, M.K_ORDERED), (LETTERS, M.KV_ORDERED)
INTS, INTS_K = (INT_KEYS, 0), (INT_KEYS, M.K_ORDERED)
MIXED, EMPTY = (MIXED_PAIRS, 0), ([], 0)


def stored(kind):
    """A fresh bin value of ``kind`` (pairs, flags), as the server decodes it."""
    pairs, flags = kind
    return values.unpack(values.pack(MapValue(pairs, flags)))


def recorded_form(v):
    """``v`` as the official client returns it, in the recording's notation."""
    if v is None:
        return {"$none": True}
    if isinstance(v, bool):
        return {"$bool": v}
    if isinstance(v, float):
        return {"$float": repr(v)}
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, list):
        return [recorded_form(e) for e in v]
    if isinstance(v, MapValue):
        if v.flags & M.PRESERVE_ORDER:
            return [recorded_form(x) for pair in v.items for x in pair]
        pairs = [[recorded_form(k), recorded_form(e)]
                 for k, e in sorted(v.items, key=lambda kv: values.sort_key(kv[0]))]
        return {"$kodict" if v.flags == M.K_ORDERED else "$map": pairs}
    return v


class Err:
    def __init__(self, code):
        self.code = code

    def __repr__(self):
        return "Err(%d)" % self.code


def run(payload, value):
    """(result, bin after) of one map op on ``value``; checks ``value`` is not changed."""
    before = recorded_form(value)
    result, new = M.apply(payload[0], payload[1:], value, payload[0] < M.SIZE)
    assert recorded_form(value) == before
    return result, (value if new is MISSING else new)


# (case id, recorded bin, payload, recorded result, recorded bin after or None for reads)
RECORDED = [
    ('put.0001', U, [M.PUT, 'a', 9, 0], 5, {'$map': [['a', 9], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('put.0015', U, [M.PUT, 'a', 9, 0, 1], Err(24), None),
    ('put.0028', K, [M.PUT, 'a', 9, 0], 5, {'$kodict': [['a', 9], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('put_items.0001', U, [M.PUT_ITEMS, MapValue([['a', 10], ['f', 6]]), 0], 6,
     {'$map': [['a', 10], ['b', 2], ['c', 3], ['d', 5], ['e', 2], ['f', 6]]}),
    ('put_items.0008', U, [M.PUT_ITEMS, MapValue([['a', 10], ['f', 6]]), 0, 1], Err(24), None),
    ('put_items.0024', K, [M.PUT_ITEMS, MapValue([['a', 10], ['f', 6]]), 0], 6,
     {'$kodict': [['a', 10], ['b', 2], ['c', 3], ['d', 5], ['e', 2], ['f', 6]]}),
    ('increment.0001', U, [M.INCREMENT, 'a', 1, 0], 2,
     {'$map': [['a', 2], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('increment.0014', K, [M.INCREMENT, 'a', 1, 0], 2,
     {'$kodict': [['a', 2], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('increment.0020', EMPTY, [M.INCREMENT, 'a', 1, 0], 1, {'$map': [['a', 1]]}),
    ('increment.0021', EMPTY, [M.INCREMENT, 'a', -2, 0], -2, {'$map': [['a', -2]]}),
    ('increment.0028', MIXED, [M.INCREMENT, 's', 1, 0], 2,
     {'$map': [[1, [1]], [2, 'two'], ['a', {'$map': [['n', 1]]}], ['f', {'$float': '2.5'}], ['s', 2], ['t', {'$bool': True}], ['z', {'$none': True}], [{'$bytes': '01'}, {'$float': '1.5'}]]}),
    ('increment.0030', MIXED, [M.INCREMENT, 'f', 0.5, 0], {'$float': '3.0'},
     {'$map': [[1, [1]], [2, 'two'], ['a', {'$map': [['n', 1]]}], ['f', {'$float': '3.0'}], ['s', 1], ['t', {'$bool': True}], ['z', {'$none': True}], [{'$bytes': '01'}, {'$float': '1.5'}]]}),
    ('increment.0037', INTS, [M.INCREMENT, 3, 1, 0], Err(4), None),
    ('decrement.0001', U, [M.DECREMENT, 'a', 1, 0], 0,
     {'$map': [['a', 0], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('decrement.0014', K, [M.DECREMENT, 'a', 1, 0], 0,
     {'$kodict': [['a', 0], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('decrement.0020', EMPTY, [M.DECREMENT, 'a', 1, 0], -1, {'$map': [['a', -1]]}),
    ('decrement.0021', EMPTY, [M.DECREMENT, 'a', -2, 0], 2, {'$map': [['a', 2]]}),
    ('decrement.0028', MIXED, [M.DECREMENT, 's', 1, 0], 0,
     {'$map': [[1, [1]], [2, 'two'], ['a', {'$map': [['n', 1]]}], ['f', {'$float': '2.5'}], ['s', 0], ['t', {'$bool': True}], ['z', {'$none': True}], [{'$bytes': '01'}, {'$float': '1.5'}]]}),
    ('decrement.0030', MIXED, [M.DECREMENT, 'f', 0.5, 0], {'$float': '2.0'},
     {'$map': [[1, [1]], [2, 'two'], ['a', {'$map': [['n', 1]]}], ['f', {'$float': '2.0'}], ['s', 1], ['t', {'$bool': True}], ['z', {'$none': True}], [{'$bytes': '01'}, {'$float': '1.5'}]]}),
    ('decrement.0037', INTS, [M.DECREMENT, 3, 1, 0], Err(4), None),
    ('size.0001', U, [M.SIZE], 5, None),
    ('size.0002', K, [M.SIZE], 5, None),
    ('clear.0001', U, [M.CLEAR], {'$none': True}, {'$map': []}),
    ('clear.0002', K, [M.CLEAR], {'$none': True}, {'$kodict': []}),
    ('set_policy.0001', U, [M.SET_TYPE, 1], {'$none': True},
     {'$kodict': [['a', 1], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('set_policy.0002', K, [M.SET_TYPE, 1], {'$none': True},
     {'$kodict': [['a', 1], ['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('get_by_key.0001', U, [M.GET_BY_KEY, RT_KEY_VALUE, 'a'], ['a', 1], None),
    ('get_by_key.0006', U, [M.GET_BY_KEY, RT_NONE, 'a'], {'$none': True}, None),
    ('get_by_key.0007', U, [M.GET_BY_KEY, RT_INDEX, 'a'], 0, None),
    ('get_by_key.0008', U, [M.GET_BY_KEY, RT_REVINDEX, 'a'], 4, None),
    ('get_by_key.0009', U, [M.GET_BY_KEY, RT_RANK, 'a'], 0, None),
    ('get_by_key.0010', U, [M.GET_BY_KEY, RT_REVRANK, 'a'], 4, None),
    ('get_by_key.0011', U, [M.GET_BY_KEY, RT_COUNT, 'a'], 1, None),
    ('get_by_key.0012', U, [M.GET_BY_KEY, RT_KEY, 'a'], 'a', None),
    ('get_by_key.0013', U, [M.GET_BY_KEY, RT_VALUE, 'a'], 1, None),
    ('get_by_key.0014', U, [M.GET_BY_KEY, RT_EXISTS, 'a'], {'$bool': True}, None),
    ('get_by_key.0015', U, [M.GET_BY_KEY, RT_UNORDERED_MAP, 'a'], {'$map': [['a', 1]]}, None),
    ('get_by_key.0016', U, [M.GET_BY_KEY, RT_ORDERED_MAP, 'a'], {'$kodict': [['a', 1]]}, None),
    ('get_by_key.0021', K, [M.GET_BY_KEY, RT_KEY_VALUE, 'a'], ['a', 1], None),
    ('get_by_key.0029', EMPTY, [M.GET_BY_KEY, RT_KEY_VALUE, 'a'], [], None),
    ('get_by_key.0033', INTS, [M.GET_BY_KEY, RT_KEY_VALUE, 'a'], [], None),
    ('get_by_key.0034', INTS, [M.GET_BY_KEY, RT_KEY_VALUE, 'z'], [], None),
    ('get_by_key.0035', INTS, [M.GET_BY_KEY, RT_KEY_VALUE, ''], [], None),
    ('get_by_key.0036', INTS, [M.GET_BY_KEY, RT_KEY_VALUE, 1], [1, 'a'], None),
    ('get_by_key.0037', INTS, [M.GET_BY_KEY, RT_KEY_VALUE, b'\x01'], [], None),
    ('get_by_key.0038', MIXED, [M.GET_BY_KEY, RT_KEY_VALUE, 'a'], ['a', {'$map': [['n', 1]]}], None),
    ('get_by_key.0039', MIXED, [M.GET_BY_KEY, RT_KEY_VALUE, 'z'], ['z', {'$none': True}], None),
    ('get_by_key.0040', MIXED, [M.GET_BY_KEY, RT_KEY_VALUE, ''], [], None),
    ('get_by_key.0041', MIXED, [M.GET_BY_KEY, RT_KEY_VALUE, 1], [1, [1]], None),
    ('get_by_key.0042', MIXED, [M.GET_BY_KEY, RT_KEY_VALUE, b'\x01'], [{'$bytes': '01'}, {'$float': '1.5'}],
     None),
    ('get_by_key.0043', MIXED, [M.GET_BY_KEY, RT_VALUE, 2], 'two', None),
    ('get_by_key.0044', INTS, [M.GET_BY_KEY, RT_INDEX, 2], -1, None),
    ('get_by_key.0047', MIXED, [M.GET_BY_KEY, RT_VALUE, 's'], 1, None),
    ('get_by_key.0048', INTS, [M.GET_BY_KEY, RT_INDEX, 's'], -1, None),
    ('get_by_key.0051', MIXED, [M.GET_BY_KEY, RT_VALUE, 1.5], {'$none': True}, None),
    ('get_by_key.0052', INTS, [M.GET_BY_KEY, RT_INDEX, 1.5], -1, None),
    ('remove_by_key.0001', U, [M.REMOVE_BY_KEY, RT_KEY_VALUE, 'a'], ['a', 1],
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_key.0006', U, [M.REMOVE_BY_KEY, RT_NONE, 'a'], {'$none': True},
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_key.0007', U, [M.REMOVE_BY_KEY, RT_INDEX, 'a'], 0,
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_key.0008', U, [M.REMOVE_BY_KEY, RT_COUNT, 'a'], 1,
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_key.0009', U, [M.REMOVE_BY_KEY, RT_EXISTS, 'a'], {'$bool': True},
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_key.0010', U, [M.REMOVE_BY_KEY, RT_ORDERED_MAP, 'a'], {'$kodict': [['a', 1]]},
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_key.0015', K, [M.REMOVE_BY_KEY, RT_KEY_VALUE, 'a'], ['a', 1],
     {'$kodict': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('get_by_key_list.0001', U, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'c']], ['a', 1, 'c', 3], None),
    ('get_by_key_list.0007', U, [M.GET_BY_KEY_LIST, RT_KEY_VALUE | INV, ['a', 'c']], ['b', 2, 'd', 5, 'e', 2],
     None),
    ('get_by_key_list.0010', U, [M.GET_BY_KEY_LIST, RT_NONE, ['a', 'c']], {'$none': True}, None),
    ('get_by_key_list.0011', U, [M.GET_BY_KEY_LIST, RT_INDEX, ['a', 'c']], [0, 2], None),
    ('get_by_key_list.0012', U, [M.GET_BY_KEY_LIST, RT_REVINDEX, ['a', 'c']], [4, 2], None),
    ('get_by_key_list.0013', U, [M.GET_BY_KEY_LIST, RT_RANK, ['a', 'c']], Err(26), None),
    ('get_by_key_list.0014', U, [M.GET_BY_KEY_LIST, RT_REVRANK, ['a', 'c']], Err(26), None),
    ('get_by_key_list.0015', U, [M.GET_BY_KEY_LIST, RT_COUNT, ['a', 'c']], 2, None),
    ('get_by_key_list.0016', U, [M.GET_BY_KEY_LIST, RT_KEY, ['a', 'c']], ['a', 'c'], None),
    ('get_by_key_list.0017', U, [M.GET_BY_KEY_LIST, RT_VALUE, ['a', 'c']], [1, 3], None),
    ('get_by_key_list.0018', U, [M.GET_BY_KEY_LIST, RT_EXISTS, ['a', 'c']], {'$bool': True}, None),
    ('get_by_key_list.0019', U, [M.GET_BY_KEY_LIST, RT_UNORDERED_MAP, ['a', 'c']], {'$map': [['a', 1], ['c', 3]]},
     None),
    ('get_by_key_list.0020', U, [M.GET_BY_KEY_LIST, RT_ORDERED_MAP, ['a', 'c']], {'$kodict': [['a', 1], ['c', 3]]},
     None),
    ('get_by_key_list.0021', U, [M.GET_BY_KEY_LIST, RT_INDEX | INV, ['a', 'c']], [1, 3, 4], None),
    ('get_by_key_list.0022', U, [M.GET_BY_KEY_LIST, RT_RANK | INV, ['a', 'c']], Err(26), None),
    ('get_by_key_list.0023', U, [M.GET_BY_KEY_LIST, RT_COUNT | INV, ['a', 'c']], 3, None),
    ('get_by_key_list.0024', U, [M.GET_BY_KEY_LIST, RT_KEY | INV, ['a', 'c']], ['b', 'd', 'e'], None),
    ('get_by_key_list.0025', U, [M.GET_BY_KEY_LIST, RT_ORDERED_MAP | INV, ['a', 'c']], {'$kodict': [['b', 2], ['d', 5], ['e', 2]]},
     None),
    ('get_by_key_list.0026', K, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'c']], ['a', 1, 'c', 3], None),
    ('get_by_key_list.0035', EMPTY, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'c']], [], None),
    ('get_by_key_list.0039', INTS, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'c']], [], None),
    ('get_by_key_list.0040', INTS, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, []], [], None),
    ('get_by_key_list.0041', INTS, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['z']], [], None),
    ('get_by_key_list.0042', INTS, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'z']], [], None),
    ('get_by_key_list.0043', MIXED, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'c']], ['a', {'$map': [['n', 1]]}],
     None),
    ('get_by_key_list.0044', MIXED, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, []], [], None),
    ('get_by_key_list.0045', MIXED, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['z']], ['z', {'$none': True}], None),
    ('get_by_key_list.0046', MIXED, [M.GET_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'z']], ['a', {'$map': [['n', 1]]}, 'z', {'$none': True}],
     None),
    ('remove_by_key_list.0001', U, [M.REMOVE_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'c']], ['a', 1, 'c', 3],
     {'$map': [['b', 2], ['d', 5], ['e', 2]]}),
    ('remove_by_key_list.0007', U, [M.REMOVE_BY_KEY_LIST, RT_KEY_VALUE | INV, ['a', 'c']], ['b', 2, 'd', 5, 'e', 2],
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_key_list.0010', U, [M.REMOVE_BY_KEY_LIST, RT_NONE, ['a', 'c']], {'$none': True},
     {'$map': [['b', 2], ['d', 5], ['e', 2]]}),
    ('remove_by_key_list.0011', U, [M.REMOVE_BY_KEY_LIST, RT_INDEX, ['a', 'c']], [0, 2],
     {'$map': [['b', 2], ['d', 5], ['e', 2]]}),
    ('remove_by_key_list.0012', U, [M.REMOVE_BY_KEY_LIST, RT_COUNT, ['a', 'c']], 2,
     {'$map': [['b', 2], ['d', 5], ['e', 2]]}),
    ('remove_by_key_list.0013', U, [M.REMOVE_BY_KEY_LIST, RT_EXISTS, ['a', 'c']], {'$bool': True},
     {'$map': [['b', 2], ['d', 5], ['e', 2]]}),
    ('remove_by_key_list.0014', U, [M.REMOVE_BY_KEY_LIST, RT_ORDERED_MAP, ['a', 'c']], {'$kodict': [['a', 1], ['c', 3]]},
     {'$map': [['b', 2], ['d', 5], ['e', 2]]}),
    ('remove_by_key_list.0015', U, [M.REMOVE_BY_KEY_LIST, RT_KEY | INV, ['a', 'c']], ['b', 'd', 'e'],
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_key_list.0016', K, [M.REMOVE_BY_KEY_LIST, RT_KEY_VALUE, ['a', 'c']], ['a', 1, 'c', 3],
     {'$kodict': [['b', 2], ['d', 5], ['e', 2]]}),
    ('get_by_key_range.0001', U, [M.GET_BY_KEY_INTERVAL, RT_KEY_VALUE, 'b', 'd'], ['b', 2, 'c', 3], None),
    ('get_by_key_range.0013', U, [M.GET_BY_KEY_INTERVAL, RT_KEY_VALUE | INV, 'b', 'd'], ['a', 1, 'd', 5, 'e', 2],
     None),
    ('get_by_key_range.0018', U, [M.GET_BY_KEY_INTERVAL, RT_NONE, 'b', 'd'], {'$none': True}, None),
    ('get_by_key_range.0019', U, [M.GET_BY_KEY_INTERVAL, RT_INDEX, 'b', 'd'], [1, 2], None),
    ('get_by_key_range.0020', U, [M.GET_BY_KEY_INTERVAL, RT_REVINDEX, 'b', 'd'], [2, 3], None),
    ('get_by_key_range.0021', U, [M.GET_BY_KEY_INTERVAL, RT_RANK, 'b', 'd'], [1, 3], None),
    ('get_by_key_range.0022', U, [M.GET_BY_KEY_INTERVAL, RT_REVRANK, 'b', 'd'], [3, 1], None),
    ('get_by_key_range.0023', U, [M.GET_BY_KEY_INTERVAL, RT_COUNT, 'b', 'd'], 2, None),
    ('get_by_key_range.0024', U, [M.GET_BY_KEY_INTERVAL, RT_KEY, 'b', 'd'], ['b', 'c'], None),
    ('get_by_key_range.0025', U, [M.GET_BY_KEY_INTERVAL, RT_VALUE, 'b', 'd'], [2, 3], None),
    ('get_by_key_range.0026', U, [M.GET_BY_KEY_INTERVAL, RT_EXISTS, 'b', 'd'], {'$bool': True}, None),
    ('get_by_key_range.0027', U, [M.GET_BY_KEY_INTERVAL, RT_UNORDERED_MAP, 'b', 'd'], {'$map': [['b', 2], ['c', 3]]},
     None),
    ('get_by_key_range.0028', U, [M.GET_BY_KEY_INTERVAL, RT_ORDERED_MAP, 'b', 'd'], {'$kodict': [['b', 2], ['c', 3]]},
     None),
    ('get_by_key_range.0029', U, [M.GET_BY_KEY_INTERVAL, RT_INDEX | INV, 'b', 'd'], [0, 3, 4], None),
    ('get_by_key_range.0030', U, [M.GET_BY_KEY_INTERVAL, RT_RANK | INV, 'b', 'd'], [0, 4, 2], None),
    ('get_by_key_range.0031', U, [M.GET_BY_KEY_INTERVAL, RT_COUNT | INV, 'b', 'd'], 3, None),
    ('get_by_key_range.0032', U, [M.GET_BY_KEY_INTERVAL, RT_KEY | INV, 'b', 'd'], ['a', 'd', 'e'], None),
    ('get_by_key_range.0033', U, [M.GET_BY_KEY_INTERVAL, RT_ORDERED_MAP | INV, 'b', 'd'], {'$kodict': [['a', 1], ['d', 5], ['e', 2]]},
     None),
    ('get_by_key_range.0034', K, [M.GET_BY_KEY_INTERVAL, RT_KEY_VALUE, 'b', 'd'], ['b', 2, 'c', 3], None),
    ('get_by_key_range.0043', EMPTY, [M.GET_BY_KEY_INTERVAL, RT_KEY_VALUE, 'b', 'd'], [], None),
    ('get_by_key_range.0047', MIXED, [M.GET_BY_KEY_INTERVAL, RT_KEY, None, INF], [1, 2, 'a', 'f', 's', 't', 'z', {'$bytes': '01'}],
     None),
    ('get_by_key_range.0048', INTS_K, [M.GET_BY_KEY_INTERVAL, RT_KEY, None, INF], [-2, 1, 3, 5, 10], None),
    ('get_by_key_range.0049', MIXED, [M.GET_BY_KEY_INTERVAL, RT_KEY, 0, 5], [1, 2], None),
    ('get_by_key_range.0050', INTS_K, [M.GET_BY_KEY_INTERVAL, RT_KEY, 0, 5], [1, 3], None),
    ('get_by_key_range.0051', MIXED, [M.GET_BY_KEY_INTERVAL, RT_KEY, 'a', 't'], ['a', 'f', 's'], None),
    ('get_by_key_range.0052', INTS_K, [M.GET_BY_KEY_INTERVAL, RT_KEY, 'a', 't'], [], None),
    ('get_by_key_range.0053', MIXED, [M.GET_BY_KEY_INTERVAL, RT_KEY, b'\x00', INF], [{'$bytes': '01'}], None),
    ('get_by_key_range.0054', INTS_K, [M.GET_BY_KEY_INTERVAL, RT_KEY, b'\x00', INF], [], None),
    ('get_by_key_range.0055', MIXED, [M.GET_BY_KEY_INTERVAL, RT_KEY, 1, 'a'], [1, 2], None),
    ('get_by_key_range.0056', INTS_K, [M.GET_BY_KEY_INTERVAL, RT_KEY, 1, 'a'], [1, 3, 5, 10], None),
    ('get_by_key_range.0057', MIXED, [M.GET_BY_KEY_INTERVAL, RT_KEY, None, 2], [1], None),
    ('get_by_key_range.0058', INTS_K, [M.GET_BY_KEY_INTERVAL, RT_KEY, None, 2], [-2, 1], None),
    ('get_by_key_range.0059', MIXED, [M.GET_BY_KEY_INTERVAL, RT_KEY, 's', b'\x00'], ['s', 't', 'z'], None),
    ('get_by_key_range.0060', INTS_K, [M.GET_BY_KEY_INTERVAL, RT_KEY, 's', b'\x00'], [], None),
    ('remove_by_key_range.0001', U, [M.REMOVE_BY_KEY_INTERVAL, RT_KEY_VALUE, 'b', 'd'], ['b', 2, 'c', 3],
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_key_range.0013', U, [M.REMOVE_BY_KEY_INTERVAL, RT_KEY_VALUE | INV, 'b', 'd'], ['a', 1, 'd', 5, 'e', 2],
     {'$map': [['b', 2], ['c', 3]]}),
    ('remove_by_key_range.0018', U, [M.REMOVE_BY_KEY_INTERVAL, RT_NONE, 'b', 'd'], {'$none': True},
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_key_range.0019', U, [M.REMOVE_BY_KEY_INTERVAL, RT_INDEX, 'b', 'd'], [1, 2],
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_key_range.0020', U, [M.REMOVE_BY_KEY_INTERVAL, RT_COUNT, 'b', 'd'], 2,
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_key_range.0021', U, [M.REMOVE_BY_KEY_INTERVAL, RT_EXISTS, 'b', 'd'], {'$bool': True},
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_key_range.0022', U, [M.REMOVE_BY_KEY_INTERVAL, RT_ORDERED_MAP, 'b', 'd'], {'$kodict': [['b', 2], ['c', 3]]},
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_key_range.0023', U, [M.REMOVE_BY_KEY_INTERVAL, RT_KEY | INV, 'b', 'd'], ['a', 'd', 'e'],
     {'$map': [['b', 2], ['c', 3]]}),
    ('remove_by_key_range.0024', K, [M.REMOVE_BY_KEY_INTERVAL, RT_KEY_VALUE, 'b', 'd'], ['b', 2, 'c', 3],
     {'$kodict': [['a', 1], ['d', 5], ['e', 2]]}),
    ('get_by_value.0001', U, [M.GET_ALL_BY_VALUE, RT_KEY_VALUE, 2], ['b', 2, 'e', 2], None),
    ('get_by_value.0008', U, [M.GET_ALL_BY_VALUE, RT_KEY_VALUE | INV, 2], ['a', 1, 'c', 3, 'd', 5], None),
    ('get_by_value.0010', U, [M.GET_ALL_BY_VALUE, RT_NONE, 2], {'$none': True}, None),
    ('get_by_value.0011', U, [M.GET_ALL_BY_VALUE, RT_INDEX, 2], [1, 4], None),
    ('get_by_value.0012', U, [M.GET_ALL_BY_VALUE, RT_REVINDEX, 2], [3, 0], None),
    ('get_by_value.0013', U, [M.GET_ALL_BY_VALUE, RT_RANK, 2], [1, 2], None),
    ('get_by_value.0014', U, [M.GET_ALL_BY_VALUE, RT_REVRANK, 2], [2, 3], None),
    ('get_by_value.0015', U, [M.GET_ALL_BY_VALUE, RT_COUNT, 2], 2, None),
    ('get_by_value.0016', U, [M.GET_ALL_BY_VALUE, RT_KEY, 2], ['b', 'e'], None),
    ('get_by_value.0017', U, [M.GET_ALL_BY_VALUE, RT_VALUE, 2], [2, 2], None),
    ('get_by_value.0018', U, [M.GET_ALL_BY_VALUE, RT_EXISTS, 2], {'$bool': True}, None),
    ('get_by_value.0019', U, [M.GET_ALL_BY_VALUE, RT_UNORDERED_MAP, 2], {'$map': [['b', 2], ['e', 2]]}, None),
    ('get_by_value.0020', U, [M.GET_ALL_BY_VALUE, RT_ORDERED_MAP, 2], {'$kodict': [['b', 2], ['e', 2]]},
     None),
    ('get_by_value.0021', U, [M.GET_ALL_BY_VALUE, RT_INDEX | INV, 2], [0, 2, 3], None),
    ('get_by_value.0022', U, [M.GET_ALL_BY_VALUE, RT_RANK | INV, 2], [0, 3, 4], None),
    ('get_by_value.0023', U, [M.GET_ALL_BY_VALUE, RT_COUNT | INV, 2], 3, None),
    ('get_by_value.0024', U, [M.GET_ALL_BY_VALUE, RT_KEY | INV, 2], ['a', 'c', 'd'], None),
    ('get_by_value.0025', U, [M.GET_ALL_BY_VALUE, RT_ORDERED_MAP | INV, 2], {'$kodict': [['a', 1], ['c', 3], ['d', 5]]},
     None),
    ('get_by_value.0026', K, [M.GET_ALL_BY_VALUE, RT_KEY_VALUE, 2], ['b', 2, 'e', 2], None),
    ('get_by_value.0035', EMPTY, [M.GET_ALL_BY_VALUE, RT_KEY_VALUE, 2], [], None),
    ('get_by_value.0039', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, 1], ['s'], None),
    ('get_by_value.0041', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, 1.5], [{'$bytes': '01'}], None),
    ('get_by_value.0043', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, [1]], [1], None),
    ('get_by_value.0045', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, MapValue([['n', 1]])], ['a'], None),
    ('get_by_value.0047', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, True], ['t'], None),
    ('get_by_value.0049', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, None], ['z'], None),
    ('get_by_value.0051', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, 'two'], [2], None),
    ('get_by_value.0053', MIXED, [M.GET_ALL_BY_VALUE, RT_KEY, 2.5], ['f'], None),
    ('remove_by_value.0001', U, [M.REMOVE_ALL_BY_VALUE, RT_KEY_VALUE, 2], ['b', 2, 'e', 2],
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value.0008', U, [M.REMOVE_ALL_BY_VALUE, RT_KEY_VALUE | INV, 2], ['a', 1, 'c', 3, 'd', 5],
     {'$map': [['b', 2], ['e', 2]]}),
    ('remove_by_value.0010', U, [M.REMOVE_ALL_BY_VALUE, RT_NONE, 2], {'$none': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value.0011', U, [M.REMOVE_ALL_BY_VALUE, RT_INDEX, 2], [1, 4],
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value.0012', U, [M.REMOVE_ALL_BY_VALUE, RT_COUNT, 2], 2,
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value.0013', U, [M.REMOVE_ALL_BY_VALUE, RT_EXISTS, 2], {'$bool': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value.0014', U, [M.REMOVE_ALL_BY_VALUE, RT_ORDERED_MAP, 2], {'$kodict': [['b', 2], ['e', 2]]},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value.0015', U, [M.REMOVE_ALL_BY_VALUE, RT_KEY | INV, 2], ['a', 'c', 'd'],
     {'$map': [['b', 2], ['e', 2]]}),
    ('remove_by_value.0016', K, [M.REMOVE_ALL_BY_VALUE, RT_KEY_VALUE, 2], ['b', 2, 'e', 2],
     {'$kodict': [['a', 1], ['c', 3], ['d', 5]]}),
    ('get_by_key_list.0048', U, [M.GET_BY_KEY_LIST, RT_NONE | INV, []], {'$none': True}, None),
    ('get_by_key_list.0049', EMPTY, [M.GET_BY_KEY_LIST, RT_KEY_VALUE | INV, []], [], None),
    ('remove_by_key_list.0031', U, [M.REMOVE_BY_KEY_LIST, RT_COUNT | INV, []], 5, {'$map': []}),
    ('remove_by_key_list.0032', U, [M.REMOVE_BY_KEY_LIST, RT_NONE | INV, []], {'$none': True}, {'$map': []}),
    ('get_by_value_list.0001', U, [M.GET_BY_VALUE_LIST, RT_COUNT | INV, []], 5, None),
    ('get_by_value_list.0002', U, [M.GET_BY_VALUE_LIST, RT_NONE | INV, []], {'$none': True}, None),
    ('get_by_value_list.0003', EMPTY, [M.GET_BY_VALUE_LIST, RT_KEY_VALUE | INV, []], [], None),
    ('remove_by_value_list.0001', U, [M.REMOVE_BY_VALUE_LIST, RT_COUNT | INV, []], 5, {'$map': []}),
    ('remove_by_value_list.0002', U, [M.REMOVE_BY_VALUE_LIST, RT_NONE | INV, []], {'$none': True},
     {'$map': []}),
    ('get_by_value_list.0004', U, [M.GET_BY_VALUE_LIST, RT_KEY_VALUE, [2, 5]], ['b', 2, 'd', 5, 'e', 2],
     None),
    ('get_by_value_list.0010', U, [M.GET_BY_VALUE_LIST, RT_KEY_VALUE | INV, [2, 5]], ['a', 1, 'c', 3], None),
    ('get_by_value_list.0013', U, [M.GET_BY_VALUE_LIST, RT_NONE, [2, 5]], {'$none': True}, None),
    ('get_by_value_list.0014', U, [M.GET_BY_VALUE_LIST, RT_INDEX, [2, 5]], [1, 3, 4], None),
    ('get_by_value_list.0015', U, [M.GET_BY_VALUE_LIST, RT_REVINDEX, [2, 5]], [3, 1, 0], None),
    ('get_by_value_list.0016', U, [M.GET_BY_VALUE_LIST, RT_RANK, [2, 5]], [1, 2, 4], None),
    ('get_by_value_list.0017', U, [M.GET_BY_VALUE_LIST, RT_REVRANK, [2, 5]], [3, 2, 0], None),
    ('get_by_value_list.0018', U, [M.GET_BY_VALUE_LIST, RT_COUNT, [2, 5]], 3, None),
    ('get_by_value_list.0019', U, [M.GET_BY_VALUE_LIST, RT_KEY, [2, 5]], ['b', 'd', 'e'], None),
    ('get_by_value_list.0020', U, [M.GET_BY_VALUE_LIST, RT_VALUE, [2, 5]], [2, 5, 2], None),
    ('get_by_value_list.0021', U, [M.GET_BY_VALUE_LIST, RT_EXISTS, [2, 5]], {'$bool': True}, None),
    ('get_by_value_list.0022', U, [M.GET_BY_VALUE_LIST, RT_UNORDERED_MAP, [2, 5]], {'$map': [['b', 2], ['d', 5], ['e', 2]]},
     None),
    ('get_by_value_list.0023', U, [M.GET_BY_VALUE_LIST, RT_ORDERED_MAP, [2, 5]], {'$kodict': [['b', 2], ['d', 5], ['e', 2]]},
     None),
    ('get_by_value_list.0024', K, [M.GET_BY_VALUE_LIST, RT_KEY_VALUE, [2, 5]], ['b', 2, 'd', 5, 'e', 2],
     None),
    ('get_by_value_list.0033', EMPTY, [M.GET_BY_VALUE_LIST, RT_KEY_VALUE, [2, 5]], [], None),
    ('get_by_value_list.0037', MIXED, [M.GET_BY_VALUE_LIST, RT_KEY, [1, [1], None, 2.5]], [1, 'f', 's', 'z'],
     None),
    ('remove_by_value_list.0004', U, [M.REMOVE_BY_VALUE_LIST, RT_KEY_VALUE, [2, 5]], ['b', 2, 'd', 5, 'e', 2],
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_value_list.0010', U, [M.REMOVE_BY_VALUE_LIST, RT_KEY_VALUE | INV, [2, 5]], ['a', 1, 'c', 3],
     {'$map': [['b', 2], ['d', 5], ['e', 2]]}),
    ('remove_by_value_list.0013', U, [M.REMOVE_BY_VALUE_LIST, RT_NONE, [2, 5]], {'$none': True},
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_value_list.0014', U, [M.REMOVE_BY_VALUE_LIST, RT_INDEX, [2, 5]], [1, 3, 4],
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_value_list.0015', U, [M.REMOVE_BY_VALUE_LIST, RT_COUNT, [2, 5]], 3,
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_value_list.0016', U, [M.REMOVE_BY_VALUE_LIST, RT_EXISTS, [2, 5]], {'$bool': True},
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_value_list.0017', U, [M.REMOVE_BY_VALUE_LIST, RT_ORDERED_MAP, [2, 5]], {'$kodict': [['b', 2], ['d', 5], ['e', 2]]},
     {'$map': [['a', 1], ['c', 3]]}),
    ('remove_by_value_list.0018', K, [M.REMOVE_BY_VALUE_LIST, RT_KEY_VALUE, [2, 5]], ['b', 2, 'd', 5, 'e', 2],
     {'$kodict': [['a', 1], ['c', 3]]}),
    ('get_by_value_range.0001', U, [M.GET_BY_VALUE_INTERVAL, RT_KEY_VALUE, 2, 4], ['b', 2, 'c', 3, 'e', 2],
     None),
    ('get_by_value_range.0011', U, [M.GET_BY_VALUE_INTERVAL, RT_KEY_VALUE | INV, 2, 4], ['a', 1, 'd', 5],
     None),
    ('get_by_value_range.0015', U, [M.GET_BY_VALUE_INTERVAL, RT_NONE, 2, 4], {'$none': True}, None),
    ('get_by_value_range.0016', U, [M.GET_BY_VALUE_INTERVAL, RT_INDEX, 2, 4], [1, 2, 4], None),
    ('get_by_value_range.0017', U, [M.GET_BY_VALUE_INTERVAL, RT_REVINDEX, 2, 4], [3, 2, 0], None),
    ('get_by_value_range.0018', U, [M.GET_BY_VALUE_INTERVAL, RT_RANK, 2, 4], [1, 2, 3], None),
    ('get_by_value_range.0019', U, [M.GET_BY_VALUE_INTERVAL, RT_REVRANK, 2, 4], [1, 2, 3], None),
    ('get_by_value_range.0020', U, [M.GET_BY_VALUE_INTERVAL, RT_COUNT, 2, 4], 3, None),
    ('get_by_value_range.0021', U, [M.GET_BY_VALUE_INTERVAL, RT_KEY, 2, 4], ['b', 'c', 'e'], None),
    ('get_by_value_range.0022', U, [M.GET_BY_VALUE_INTERVAL, RT_VALUE, 2, 4], [2, 3, 2], None),
    ('get_by_value_range.0023', U, [M.GET_BY_VALUE_INTERVAL, RT_EXISTS, 2, 4], {'$bool': True}, None),
    ('get_by_value_range.0024', U, [M.GET_BY_VALUE_INTERVAL, RT_UNORDERED_MAP, 2, 4], {'$map': [['b', 2], ['c', 3], ['e', 2]]},
     None),
    ('get_by_value_range.0025', U, [M.GET_BY_VALUE_INTERVAL, RT_ORDERED_MAP, 2, 4], {'$kodict': [['b', 2], ['c', 3], ['e', 2]]},
     None),
    ('get_by_value_range.0026', U, [M.GET_BY_VALUE_INTERVAL, RT_INDEX | INV, 2, 4], [0, 3], None),
    ('get_by_value_range.0027', U, [M.GET_BY_VALUE_INTERVAL, RT_RANK | INV, 2, 4], [0, 4], None),
    ('get_by_value_range.0028', U, [M.GET_BY_VALUE_INTERVAL, RT_COUNT | INV, 2, 4], 2, None),
    ('get_by_value_range.0029', U, [M.GET_BY_VALUE_INTERVAL, RT_KEY | INV, 2, 4], ['a', 'd'], None),
    ('get_by_value_range.0030', U, [M.GET_BY_VALUE_INTERVAL, RT_ORDERED_MAP | INV, 2, 4], {'$kodict': [['a', 1], ['d', 5]]},
     None),
    ('get_by_value_range.0031', K, [M.GET_BY_VALUE_INTERVAL, RT_KEY_VALUE, 2, 4], ['b', 2, 'c', 3, 'e', 2],
     None),
    ('get_by_value_range.0040', EMPTY, [M.GET_BY_VALUE_INTERVAL, RT_KEY_VALUE, 2, 4], [], None),
    ('get_by_value_range.0044', MIXED, [M.GET_BY_VALUE_INTERVAL, RT_KEY, None, INF], [1, 2, 'a', 'f', 's', 't', 'z', {'$bytes': '01'}],
     None),
    ('get_by_value_range.0046', MIXED, [M.GET_BY_VALUE_INTERVAL, RT_KEY, 1, 'z'], [2, 's'], None),
    ('get_by_value_range.0048', MIXED, [M.GET_BY_VALUE_INTERVAL, RT_KEY, 'a', INF], [1, 2, 'a', 'f', {'$bytes': '01'}],
     None),
    ('get_by_value_range.0050', MIXED, [M.GET_BY_VALUE_INTERVAL, RT_KEY, [0], MapValue([['z', 1]])], [1, 'a'],
     None),
    ('get_by_value_range.0052', MIXED, [M.GET_BY_VALUE_INTERVAL, RT_KEY, 1.0, 3.0], ['f', {'$bytes': '01'}],
     None),
    ('get_by_value_range.0054', MIXED, [M.GET_BY_VALUE_INTERVAL, RT_KEY, True, 2], ['s', 't'], None),
    ('get_by_value_range.0056', MIXED, [M.GET_BY_VALUE_INTERVAL, RT_KEY, None, True], ['z'], None),
    ('remove_by_value_range.0001', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_KEY_VALUE, 2, 4], ['b', 2, 'c', 3, 'e', 2],
     {'$map': [['a', 1], ['d', 5]]}),
    ('remove_by_value_range.0011', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_KEY_VALUE | INV, 2, 4], ['a', 1, 'd', 5],
     {'$map': [['b', 2], ['c', 3], ['e', 2]]}),
    ('remove_by_value_range.0015', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_NONE, 2, 4], {'$none': True},
     {'$map': [['a', 1], ['d', 5]]}),
    ('remove_by_value_range.0016', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_INDEX, 2, 4], [1, 2, 4],
     {'$map': [['a', 1], ['d', 5]]}),
    ('remove_by_value_range.0017', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_COUNT, 2, 4], 3,
     {'$map': [['a', 1], ['d', 5]]}),
    ('remove_by_value_range.0018', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_EXISTS, 2, 4], {'$bool': True},
     {'$map': [['a', 1], ['d', 5]]}),
    ('remove_by_value_range.0019', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_ORDERED_MAP, 2, 4], {'$kodict': [['b', 2], ['c', 3], ['e', 2]]},
     {'$map': [['a', 1], ['d', 5]]}),
    ('remove_by_value_range.0020', U, [M.REMOVE_BY_VALUE_INTERVAL, RT_KEY | INV, 2, 4], ['a', 'd'],
     {'$map': [['b', 2], ['c', 3], ['e', 2]]}),
    ('remove_by_value_range.0021', K, [M.REMOVE_BY_VALUE_INTERVAL, RT_KEY_VALUE, 2, 4], ['b', 2, 'c', 3, 'e', 2],
     {'$kodict': [['a', 1], ['d', 5]]}),
    ('get_by_index.0001', U, [M.GET_BY_INDEX, RT_KEY_VALUE, 0], ['a', 1], None),
    ('get_by_index.0008', U, [M.GET_BY_INDEX, RT_NONE, 1], {'$none': True}, None),
    ('get_by_index.0009', U, [M.GET_BY_INDEX, RT_INDEX, 1], 1, None),
    ('get_by_index.0010', U, [M.GET_BY_INDEX, RT_REVINDEX, 1], 3, None),
    ('get_by_index.0011', U, [M.GET_BY_INDEX, RT_RANK, 1], 1, None),
    ('get_by_index.0012', U, [M.GET_BY_INDEX, RT_REVRANK, 1], 3, None),
    ('get_by_index.0013', U, [M.GET_BY_INDEX, RT_COUNT, 1], 1, None),
    ('get_by_index.0014', U, [M.GET_BY_INDEX, RT_KEY, 1], 'b', None),
    ('get_by_index.0015', U, [M.GET_BY_INDEX, RT_VALUE, 1], 2, None),
    ('get_by_index.0017', U, [M.GET_BY_INDEX, RT_EXISTS, 1], {'$bool': True}, None),
    ('get_by_index.0018', U, [M.GET_BY_INDEX, RT_UNORDERED_MAP, 1], {'$map': [['b', 2]]}, None),
    ('get_by_index.0019', U, [M.GET_BY_INDEX, RT_ORDERED_MAP, 1], {'$kodict': [['b', 2]]}, None),
    ('get_by_index.0024', K, [M.GET_BY_INDEX, RT_KEY_VALUE, 0], ['a', 1], None),
    ('get_by_index.0033', EMPTY, [M.GET_BY_INDEX, RT_KEY_VALUE, 0], Err(26), None),
    ('get_by_index.0037', INTS_K, [M.GET_BY_INDEX, RT_KEY_VALUE, 0], [-2, 'z'], None),
    ('get_by_index.0038', INTS_K, [M.GET_BY_INDEX, RT_KEY_VALUE, 2], [3, 'c'], None),
    ('get_by_index.0039', INTS_K, [M.GET_BY_INDEX, RT_KEY_VALUE, -1], [10, 'j'], None),
    ('get_by_index.0040', INTS_K, [M.GET_BY_INDEX, RT_KEY_VALUE, 4], [10, 'j'], None),
    ('get_by_index.0041', MIXED, [M.GET_BY_INDEX, RT_KEY_VALUE, 0], [1, [1]], None),
    ('get_by_index.0042', MIXED, [M.GET_BY_INDEX, RT_KEY_VALUE, 2], ['a', {'$map': [['n', 1]]}], None),
    ('get_by_index.0043', MIXED, [M.GET_BY_INDEX, RT_KEY_VALUE, -1], [{'$bytes': '01'}, {'$float': '1.5'}],
     None),
    ('get_by_index.0044', MIXED, [M.GET_BY_INDEX, RT_KEY_VALUE, 4], ['s', 1], None),
    ('remove_by_index.0001', U, [M.REMOVE_BY_INDEX, RT_KEY_VALUE, 0], ['a', 1],
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_index.0008', U, [M.REMOVE_BY_INDEX, RT_NONE, 1], {'$none': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_index.0009', U, [M.REMOVE_BY_INDEX, RT_INDEX, 1], 1,
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_index.0010', U, [M.REMOVE_BY_INDEX, RT_COUNT, 1], 1,
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_index.0012', U, [M.REMOVE_BY_INDEX, RT_EXISTS, 1], {'$bool': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_index.0013', U, [M.REMOVE_BY_INDEX, RT_ORDERED_MAP, 1], {'$kodict': [['b', 2]]},
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_index.0014', U, [M.REMOVE_BY_INDEX, RT_KEY, 5], Err(26), None),
    ('remove_by_index.0015', U, [M.REMOVE_BY_INDEX, RT_VALUE, 5], Err(26), None),
    ('remove_by_index.0018', K, [M.REMOVE_BY_INDEX, RT_KEY_VALUE, 0], ['a', 1],
     {'$kodict': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('get_by_rank.0001', U, [M.GET_BY_RANK, RT_KEY_VALUE, 0], ['a', 1], None),
    ('get_by_rank.0008', U, [M.GET_BY_RANK, RT_NONE, 1], {'$none': True}, None),
    ('get_by_rank.0009', U, [M.GET_BY_RANK, RT_INDEX, 1], 1, None),
    ('get_by_rank.0010', U, [M.GET_BY_RANK, RT_REVINDEX, 1], 3, None),
    ('get_by_rank.0011', U, [M.GET_BY_RANK, RT_RANK, 1], 1, None),
    ('get_by_rank.0012', U, [M.GET_BY_RANK, RT_REVRANK, 1], 3, None),
    ('get_by_rank.0013', U, [M.GET_BY_RANK, RT_COUNT, 1], 1, None),
    ('get_by_rank.0014', U, [M.GET_BY_RANK, RT_KEY, 1], 'b', None),
    ('get_by_rank.0015', U, [M.GET_BY_RANK, RT_VALUE, 1], 2, None),
    ('get_by_rank.0017', U, [M.GET_BY_RANK, RT_EXISTS, 1], {'$bool': True}, None),
    ('get_by_rank.0018', U, [M.GET_BY_RANK, RT_UNORDERED_MAP, 1], {'$map': [['b', 2]]}, None),
    ('get_by_rank.0019', U, [M.GET_BY_RANK, RT_ORDERED_MAP, 1], {'$kodict': [['b', 2]]}, None),
    ('get_by_rank.0024', K, [M.GET_BY_RANK, RT_KEY_VALUE, 0], ['a', 1], None),
    ('get_by_rank.0033', EMPTY, [M.GET_BY_RANK, RT_KEY_VALUE, 0], Err(26), None),
    ('get_by_rank.0037', INTS_K, [M.GET_BY_RANK, RT_KEY_VALUE, 0], [1, 'a'], None),
    ('get_by_rank.0038', INTS_K, [M.GET_BY_RANK, RT_KEY_VALUE, 2], [5, 'e'], None),
    ('get_by_rank.0039', INTS_K, [M.GET_BY_RANK, RT_KEY_VALUE, -1], [-2, 'z'], None),
    ('get_by_rank.0040', INTS_K, [M.GET_BY_RANK, RT_KEY_VALUE, 4], [-2, 'z'], None),
    ('get_by_rank.0041', MIXED, [M.GET_BY_RANK, RT_KEY_VALUE, 0], ['z', {'$none': True}], None),
    ('get_by_rank.0042', MIXED, [M.GET_BY_RANK, RT_KEY_VALUE, 2], ['s', 1], None),
    ('get_by_rank.0043', MIXED, [M.GET_BY_RANK, RT_KEY_VALUE, -1], ['f', {'$float': '2.5'}], None),
    ('get_by_rank.0044', MIXED, [M.GET_BY_RANK, RT_KEY_VALUE, 4], [1, [1]], None),
    ('remove_by_rank.0001', U, [M.REMOVE_BY_RANK, RT_KEY_VALUE, 0], ['a', 1],
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_rank.0008', U, [M.REMOVE_BY_RANK, RT_NONE, 1], {'$none': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_rank.0009', U, [M.REMOVE_BY_RANK, RT_INDEX, 1], 1,
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_rank.0010', U, [M.REMOVE_BY_RANK, RT_COUNT, 1], 1,
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_rank.0012', U, [M.REMOVE_BY_RANK, RT_EXISTS, 1], {'$bool': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_rank.0013', U, [M.REMOVE_BY_RANK, RT_ORDERED_MAP, 1], {'$kodict': [['b', 2]]},
     {'$map': [['a', 1], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_rank.0014', U, [M.REMOVE_BY_RANK, RT_KEY, 5], Err(26), None),
    ('remove_by_rank.0015', U, [M.REMOVE_BY_RANK, RT_VALUE, 5], Err(26), None),
    ('remove_by_rank.0018', K, [M.REMOVE_BY_RANK, RT_KEY_VALUE, 0], ['a', 1],
     {'$kodict': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('get_by_index_range.0001', U, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2], None),
    ('get_by_index_range.0011', U, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE | INV, 0, 2], ['c', 3, 'd', 5, 'e', 2],
     None),
    ('get_by_index_range.0016', U, [M.GET_BY_INDEX_RANGE, RT_NONE, 1, 2], {'$none': True}, None),
    ('get_by_index_range.0017', U, [M.GET_BY_INDEX_RANGE, RT_INDEX, 1, 2], [1, 2], None),
    ('get_by_index_range.0018', U, [M.GET_BY_INDEX_RANGE, RT_REVINDEX, 1, 2], [2, 3], None),
    ('get_by_index_range.0019', U, [M.GET_BY_INDEX_RANGE, RT_RANK, 1, 2], [1, 3], None),
    ('get_by_index_range.0020', U, [M.GET_BY_INDEX_RANGE, RT_REVRANK, 1, 2], [3, 1], None),
    ('get_by_index_range.0021', U, [M.GET_BY_INDEX_RANGE, RT_COUNT, 1, 2], 2, None),
    ('get_by_index_range.0022', U, [M.GET_BY_INDEX_RANGE, RT_KEY, 1, 2], ['b', 'c'], None),
    ('get_by_index_range.0023', U, [M.GET_BY_INDEX_RANGE, RT_VALUE, 1, 2], [2, 3], None),
    ('get_by_index_range.0025', U, [M.GET_BY_INDEX_RANGE, RT_EXISTS, 1, 2], {'$bool': True}, None),
    ('get_by_index_range.0026', U, [M.GET_BY_INDEX_RANGE, RT_UNORDERED_MAP, 1, 2], {'$map': [['b', 2], ['c', 3]]},
     None),
    ('get_by_index_range.0027', U, [M.GET_BY_INDEX_RANGE, RT_ORDERED_MAP, 1, 2], {'$kodict': [['b', 2], ['c', 3]]},
     None),
    ('get_by_index_range.0028', U, [M.GET_BY_INDEX_RANGE, RT_INDEX | INV, 1, 2], [0, 3, 4], None),
    ('get_by_index_range.0029', U, [M.GET_BY_INDEX_RANGE, RT_RANK | INV, 1, 2], [0, 4, 2], None),
    ('get_by_index_range.0030', U, [M.GET_BY_INDEX_RANGE, RT_COUNT | INV, 1, 2], 3, None),
    ('get_by_index_range.0031', U, [M.GET_BY_INDEX_RANGE, RT_KEY | INV, 1, 2], ['a', 'd', 'e'], None),
    ('get_by_index_range.0033', U, [M.GET_BY_INDEX_RANGE, RT_ORDERED_MAP | INV, 1, 2], {'$kodict': [['a', 1], ['d', 5], ['e', 2]]},
     None),
    ('get_by_index_range.0034', K, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2], None),
    ('get_by_index_range.0043', EMPTY, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, 0, 2], [], None),
    ('get_by_index_range.0047', INTS, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, 0, 2], [-2, 'z', 1, 'a'], None),
    ('get_by_index_range.0048', INTS, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, 1, 10], [1, 'a', 3, 'c', 5, 'e', 10, 'j'],
     None),
    ('get_by_index_range.0049', INTS, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, -2, 2], [5, 'e', 10, 'j'], None),
    ('get_by_index_range.0050', MIXED, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, 0, 2], [1, [1], 2, 'two'], None),
    ('get_by_index_range.0051', MIXED, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, 1, 10], [2, 'two', 'a', {'$map': [['n', 1]]}, 'f', {'$float': '2.5'}, 's', 1, 't', {'$bool': True}, 'z', {'$none': True}, {'$bytes': '01'}, {'$float': '1.5'}],
     None),
    ('get_by_index_range.0052', MIXED, [M.GET_BY_INDEX_RANGE, RT_KEY_VALUE, -2, 2], ['z', {'$none': True}, {'$bytes': '01'}, {'$float': '1.5'}],
     None),
    ('remove_by_index_range.0001', U, [M.REMOVE_BY_INDEX_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2],
     {'$map': [['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_index_range.0011', U, [M.REMOVE_BY_INDEX_RANGE, RT_KEY_VALUE | INV, 0, 2], ['c', 3, 'd', 5, 'e', 2],
     {'$map': [['a', 1], ['b', 2]]}),
    ('remove_by_index_range.0016', U, [M.REMOVE_BY_INDEX_RANGE, RT_NONE, 1, 2], {'$none': True},
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_index_range.0017', U, [M.REMOVE_BY_INDEX_RANGE, RT_INDEX, 1, 2], [1, 2],
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_index_range.0018', U, [M.REMOVE_BY_INDEX_RANGE, RT_COUNT, 1, 2], 2,
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_index_range.0020', U, [M.REMOVE_BY_INDEX_RANGE, RT_EXISTS, 1, 2], {'$bool': True},
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_index_range.0021', U, [M.REMOVE_BY_INDEX_RANGE, RT_ORDERED_MAP, 1, 2], {'$kodict': [['b', 2], ['c', 3]]},
     {'$map': [['a', 1], ['d', 5], ['e', 2]]}),
    ('remove_by_index_range.0022', U, [M.REMOVE_BY_INDEX_RANGE, RT_KEY | INV, 1, 2], ['a', 'd', 'e'],
     {'$map': [['b', 2], ['c', 3]]}),
    ('remove_by_index_range.0023', K, [M.REMOVE_BY_INDEX_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2],
     {'$kodict': [['c', 3], ['d', 5], ['e', 2]]}),
    ('get_by_rank_range.0001', U, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2], None),
    ('get_by_rank_range.0011', U, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE | INV, 0, 2], ['e', 2, 'c', 3, 'd', 5],
     None),
    ('get_by_rank_range.0016', U, [M.GET_BY_RANK_RANGE, RT_NONE, 1, 2], {'$none': True}, None),
    ('get_by_rank_range.0017', U, [M.GET_BY_RANK_RANGE, RT_INDEX, 1, 2], [1, 4], None),
    ('get_by_rank_range.0018', U, [M.GET_BY_RANK_RANGE, RT_REVINDEX, 1, 2], [3, 0], None),
    ('get_by_rank_range.0019', U, [M.GET_BY_RANK_RANGE, RT_RANK, 1, 2], [1, 2], None),
    ('get_by_rank_range.0020', U, [M.GET_BY_RANK_RANGE, RT_REVRANK, 1, 2], [2, 3], None),
    ('get_by_rank_range.0021', U, [M.GET_BY_RANK_RANGE, RT_COUNT, 1, 2], 2, None),
    ('get_by_rank_range.0022', U, [M.GET_BY_RANK_RANGE, RT_KEY, 1, 2], ['b', 'e'], None),
    ('get_by_rank_range.0023', U, [M.GET_BY_RANK_RANGE, RT_VALUE, 1, 2], [2, 2], None),
    ('get_by_rank_range.0025', U, [M.GET_BY_RANK_RANGE, RT_EXISTS, 1, 2], {'$bool': True}, None),
    ('get_by_rank_range.0026', U, [M.GET_BY_RANK_RANGE, RT_UNORDERED_MAP, 1, 2], {'$map': [['b', 2], ['e', 2]]},
     None),
    ('get_by_rank_range.0027', U, [M.GET_BY_RANK_RANGE, RT_ORDERED_MAP, 1, 2], {'$kodict': [['b', 2], ['e', 2]]},
     None),
    ('get_by_rank_range.0028', U, [M.GET_BY_RANK_RANGE, RT_INDEX | INV, 1, 2], [0, 2, 3], None),
    ('get_by_rank_range.0029', U, [M.GET_BY_RANK_RANGE, RT_RANK | INV, 1, 2], [0, 3, 4], None),
    ('get_by_rank_range.0030', U, [M.GET_BY_RANK_RANGE, RT_COUNT | INV, 1, 2], 3, None),
    ('get_by_rank_range.0031', U, [M.GET_BY_RANK_RANGE, RT_KEY | INV, 1, 2], ['a', 'c', 'd'], None),
    ('get_by_rank_range.0033', U, [M.GET_BY_RANK_RANGE, RT_ORDERED_MAP | INV, 1, 2], {'$kodict': [['a', 1], ['c', 3], ['d', 5]]},
     None),
    ('get_by_rank_range.0034', K, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2], None),
    ('get_by_rank_range.0043', EMPTY, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, 0, 2], [], None),
    ('get_by_rank_range.0047', INTS, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, 0, 2], [1, 'a', 3, 'c'], None),
    ('get_by_rank_range.0048', INTS, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, 1, 10], [3, 'c', 5, 'e', 10, 'j', -2, 'z'],
     None),
    ('get_by_rank_range.0049', INTS, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, -2, 2], [10, 'j', -2, 'z'], None),
    ('get_by_rank_range.0050', MIXED, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, 0, 2], ['z', {'$none': True}, 't', {'$bool': True}],
     None),
    ('get_by_rank_range.0051', MIXED, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, 1, 10], ['t', {'$bool': True}, 's', 1, 2, 'two', 1, [1], 'a', {'$map': [['n', 1]]}, {'$bytes': '01'}, {'$float': '1.5'}, 'f', {'$float': '2.5'}],
     None),
    ('get_by_rank_range.0052', MIXED, [M.GET_BY_RANK_RANGE, RT_KEY_VALUE, -2, 2], [{'$bytes': '01'}, {'$float': '1.5'}, 'f', {'$float': '2.5'}],
     None),
    ('remove_by_rank_range.0001', U, [M.REMOVE_BY_RANK_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2],
     {'$map': [['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_rank_range.0011', U, [M.REMOVE_BY_RANK_RANGE, RT_KEY_VALUE | INV, 0, 2], ['e', 2, 'c', 3, 'd', 5],
     {'$map': [['a', 1], ['b', 2]]}),
    ('remove_by_rank_range.0016', U, [M.REMOVE_BY_RANK_RANGE, RT_NONE, 1, 2], {'$none': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_rank_range.0017', U, [M.REMOVE_BY_RANK_RANGE, RT_INDEX, 1, 2], [1, 4],
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_rank_range.0018', U, [M.REMOVE_BY_RANK_RANGE, RT_COUNT, 1, 2], 2,
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_rank_range.0020', U, [M.REMOVE_BY_RANK_RANGE, RT_EXISTS, 1, 2], {'$bool': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_rank_range.0021', U, [M.REMOVE_BY_RANK_RANGE, RT_ORDERED_MAP, 1, 2], {'$kodict': [['b', 2], ['e', 2]]},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_rank_range.0022', U, [M.REMOVE_BY_RANK_RANGE, RT_KEY | INV, 1, 2], ['a', 'c', 'd'],
     {'$map': [['b', 2], ['e', 2]]}),
    ('remove_by_rank_range.0023', K, [M.REMOVE_BY_RANK_RANGE, RT_KEY_VALUE, 0, 2], ['a', 1, 'b', 2],
     {'$kodict': [['c', 3], ['d', 5], ['e', 2]]}),
    ('get_by_value_rank_range_relative.0001', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, 0], ['b', 2, 'e', 2, 'c', 3, 'd', 5],
     None),
    ('get_by_value_rank_range_relative.0003', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, -1, 2], ['a', 1, 'b', 2],
     None),
    ('get_by_value_rank_range_relative.0011', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE | INV, 2, 0], ['a', 1],
     None),
    ('get_by_value_rank_range_relative.0013', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE | INV, 2, -1, 2], ['e', 2, 'c', 3, 'd', 5],
     None),
    ('get_by_value_rank_range_relative.0015', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_NONE, 2, 0, 2], {'$none': True},
     None),
    ('get_by_value_rank_range_relative.0016', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_INDEX, 2, 0, 2], [1, 4],
     None),
    ('get_by_value_rank_range_relative.0017', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_REVINDEX, 2, 0, 2], [3, 0],
     None),
    ('get_by_value_rank_range_relative.0018', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_RANK, 2, 0, 2], [1, 2],
     None),
    ('get_by_value_rank_range_relative.0019', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_REVRANK, 2, 0, 2], [2, 3],
     None),
    ('get_by_value_rank_range_relative.0020', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_COUNT, 2, 0, 2], 2, None),
    ('get_by_value_rank_range_relative.0021', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY, 2, 0, 2], ['b', 'e'],
     None),
    ('get_by_value_rank_range_relative.0022', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_VALUE, 2, 0, 2], [2, 2],
     None),
    ('get_by_value_rank_range_relative.0024', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_EXISTS, 2, 0, 2], {'$bool': True},
     None),
    ('get_by_value_rank_range_relative.0025', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_UNORDERED_MAP, 2, 0, 2], {'$map': [['b', 2], ['e', 2]]},
     None),
    ('get_by_value_rank_range_relative.0026', U, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_ORDERED_MAP, 2, 0, 2], {'$kodict': [['b', 2], ['e', 2]]},
     None),
    ('get_by_value_rank_range_relative.0027', K, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, 0], ['b', 2, 'e', 2, 'c', 3, 'd', 5],
     None),
    ('get_by_value_rank_range_relative.0029', K, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, -1, 2], ['a', 1, 'b', 2],
     None),
    ('get_by_value_rank_range_relative.0036', EMPTY, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, 0], [],
     None),
    ('get_by_value_rank_range_relative.0040', MIXED, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY, 1, 0], ['s', 2, 1, 'a', {'$bytes': '01'}, 'f'],
     None),
    ('get_by_value_rank_range_relative.0042', MIXED, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY, 'a', -1, 2], ['s', 2],
     None),
    ('get_by_value_rank_range_relative.0044', MIXED, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY, None, 0, 3], ['z', 't', 's'],
     None),
    ('get_by_value_rank_range_relative.0046', MIXED, [M.GET_BY_VALUE_REL_RANK_RANGE, RT_KEY, 2.0, 0], ['f'],
     None),
    ('remove_by_value_rank_range_relative.0001', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, 0], ['b', 2, 'e', 2, 'c', 3, 'd', 5],
     {'$map': [['a', 1]]}),
    ('remove_by_value_rank_range_relative.0003', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, -1, 2], ['a', 1, 'b', 2],
     {'$map': [['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_value_rank_range_relative.0011', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE | INV, 2, 0], ['a', 1],
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_value_rank_range_relative.0013', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE | INV, 2, -1, 2], ['e', 2, 'c', 3, 'd', 5],
     {'$map': [['a', 1], ['b', 2]]}),
    ('remove_by_value_rank_range_relative.0015', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_NONE, 2, 0, 2], {'$none': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value_rank_range_relative.0016', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_INDEX, 2, 0, 2], [1, 4],
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value_rank_range_relative.0017', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_COUNT, 2, 0, 2], 2,
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value_rank_range_relative.0019', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_EXISTS, 2, 0, 2], {'$bool': True},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value_rank_range_relative.0020', U, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_ORDERED_MAP, 2, 0, 2], {'$kodict': [['b', 2], ['e', 2]]},
     {'$map': [['a', 1], ['c', 3], ['d', 5]]}),
    ('remove_by_value_rank_range_relative.0021', K, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, 0], ['b', 2, 'e', 2, 'c', 3, 'd', 5],
     {'$kodict': [['a', 1]]}),
    ('remove_by_value_rank_range_relative.0023', K, [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, -1, 2], ['a', 1, 'b', 2],
     {'$kodict': [['c', 3], ['d', 5], ['e', 2]]}),
    ('get_by_key_index_range_relative.0001', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 0], ['b', 2, 'c', 3, 'd', 5, 'e', 2],
     None),
    ('get_by_key_index_range_relative.0002', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 1, 2], ['c', 3, 'd', 5],
     None),
    ('get_by_key_index_range_relative.0011', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE | INV, 'b', 0], ['a', 1],
     None),
    ('get_by_key_index_range_relative.0012', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE | INV, 'b', 1, 2], ['a', 1, 'b', 2, 'e', 2],
     None),
    ('get_by_key_index_range_relative.0015', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_NONE, 'b', 1, 2], {'$none': True},
     None),
    ('get_by_key_index_range_relative.0016', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_INDEX, 'b', 1, 2], [2, 3],
     None),
    ('get_by_key_index_range_relative.0017', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_REVINDEX, 'b', 1, 2], [1, 2],
     None),
    ('get_by_key_index_range_relative.0018', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_RANK, 'b', 1, 2], [3, 4],
     None),
    ('get_by_key_index_range_relative.0019', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_REVRANK, 'b', 1, 2], [1, 0],
     None),
    ('get_by_key_index_range_relative.0020', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_COUNT, 'b', 1, 2], 2, None),
    ('get_by_key_index_range_relative.0021', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, 'b', 1, 2], ['c', 'd'],
     None),
    ('get_by_key_index_range_relative.0022', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_VALUE, 'b', 1, 2], [3, 5],
     None),
    ('get_by_key_index_range_relative.0023', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_EXISTS, 'b', 1, 2], {'$bool': True},
     None),
    ('get_by_key_index_range_relative.0024', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_UNORDERED_MAP, 'b', 1, 2], {'$map': [['c', 3], ['d', 5]]},
     None),
    ('get_by_key_index_range_relative.0025', U, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_ORDERED_MAP, 'b', 1, 2], {'$kodict': [['c', 3], ['d', 5]]},
     None),
    ('get_by_key_index_range_relative.0026', K, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 0], ['b', 2, 'c', 3, 'd', 5, 'e', 2],
     None),
    ('get_by_key_index_range_relative.0027', K, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 1, 2], ['c', 3, 'd', 5],
     None),
    ('get_by_key_index_range_relative.0035', EMPTY, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 0], [],
     None),
    ('get_by_key_index_range_relative.0039', MIXED, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, 2, 0], [2, 'a', 'f', 's', 't', 'z', {'$bytes': '01'}],
     None),
    ('get_by_key_index_range_relative.0040', INTS_K, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, 4, 0], [5, 10],
     None),
    ('get_by_key_index_range_relative.0041', MIXED, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, 's', -1, 2], ['f', 's'],
     None),
    ('get_by_key_index_range_relative.0042', INTS_K, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, 4, -1, 2], [3, 5],
     None),
    ('get_by_key_index_range_relative.0043', MIXED, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, b'\x00', 0], [{'$bytes': '01'}],
     None),
    ('get_by_key_index_range_relative.0044', MIXED, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, 0, 1, 2], [2, 'a'],
     None),
    ('get_by_key_index_range_relative.0045', INTS_K, [M.GET_BY_KEY_REL_INDEX_RANGE, RT_KEY, 4, 1, 2], [10],
     None),
    ('remove_by_key_index_range_relative.0001', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 0], ['b', 2, 'c', 3, 'd', 5, 'e', 2],
     {'$map': [['a', 1]]}),
    ('remove_by_key_index_range_relative.0002', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 1, 2], ['c', 3, 'd', 5],
     {'$map': [['a', 1], ['b', 2], ['e', 2]]}),
    ('remove_by_key_index_range_relative.0011', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE | INV, 'b', 0], ['a', 1],
     {'$map': [['b', 2], ['c', 3], ['d', 5], ['e', 2]]}),
    ('remove_by_key_index_range_relative.0012', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE | INV, 'b', 1, 2], ['a', 1, 'b', 2, 'e', 2],
     {'$map': [['c', 3], ['d', 5]]}),
    ('remove_by_key_index_range_relative.0015', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_NONE, 'b', 1, 2], {'$none': True},
     {'$map': [['a', 1], ['b', 2], ['e', 2]]}),
    ('remove_by_key_index_range_relative.0016', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_INDEX, 'b', 1, 2], [2, 3],
     {'$map': [['a', 1], ['b', 2], ['e', 2]]}),
    ('remove_by_key_index_range_relative.0017', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_COUNT, 'b', 1, 2], 2,
     {'$map': [['a', 1], ['b', 2], ['e', 2]]}),
    ('remove_by_key_index_range_relative.0018', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_EXISTS, 'b', 1, 2], {'$bool': True},
     {'$map': [['a', 1], ['b', 2], ['e', 2]]}),
    ('remove_by_key_index_range_relative.0019', U, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_ORDERED_MAP, 'b', 1, 2], {'$kodict': [['c', 3], ['d', 5]]},
     {'$map': [['a', 1], ['b', 2], ['e', 2]]}),
    ('remove_by_key_index_range_relative.0020', K, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 0], ['b', 2, 'c', 3, 'd', 5, 'e', 2],
     {'$kodict': [['a', 1]]}),
    ('remove_by_key_index_range_relative.0021', K, [M.REMOVE_BY_KEY_REL_INDEX_RANGE, RT_KEY_VALUE, 'b', 1, 2], ['c', 3, 'd', 5],
     {'$kodict': [['a', 1], ['b', 2], ['e', 2]]}),
]


@pytest.mark.parametrize("case_id, kind, payload, expected, after", RECORDED,
                         ids=[row[0] for row in RECORDED])
def test_recorded_answer(case_id, kind, payload, expected, after):
    value = stored(kind)
    if isinstance(expected, Err):
        with pytest.raises(ServerError) as info:
            run(payload, value)
        assert info.value.code == expected.code
        return
    result, new = run(payload, value)
    assert recorded_form(result) == expected
    if after is not None:
        assert recorded_form(new) == after


def test_read_answers_leave_the_bin_alone():
    result, new = M.apply(M.GET_BY_RANK_RANGE, [RT_KEY, 0, 2], stored(U), False)   # get_by_rank_range.0024
    assert result == ["a", "b"]
    assert new is MISSING


def test_value_selections_of_a_key_value_ordered_map_come_in_key_order():
    # get_by_value_range.0037: [2, 4) holds b=2, c=3, e=2; not rank order (b, e, c).
    result, _ = run([M.GET_BY_VALUE_INTERVAL, RT_KEY_VALUE, 2, 4], stored(KV))
    assert recorded_form(result) == ["b", 2, "c", 3, "e", 2]


def test_result_maps_carry_the_flags_the_client_turns_into_types():
    kv, _ = run([M.GET_BY_KEY_LIST, RT_KEY_VALUE, ["a", "c"]], stored(U))        # get_by_key_list.0001
    ordered, _ = run([M.GET_BY_KEY_LIST, RT_ORDERED_MAP, ["a", "c"]], stored(U))  # get_by_key_list.0020
    unordered, _ = run([M.GET_BY_KEY_LIST, RT_UNORDERED_MAP, ["a", "c"]], stored(K))
    assert (kv.flags, ordered.flags, unordered.flags) == (M.PRESERVE_ORDER, M.K_ORDERED, 0)


def test_results_do_not_share_containers_with_the_bin():
    value = stored(MIXED)
    result, _ = run([M.GET_BY_KEY, RT_VALUE, "a"], value)                        # get_by_key.0038
    result.items.append(["x", 2])
    assert recorded_form(value)["$map"][2] == ["a", {"$map": [["n", 1]]}]


# ---------------------------------------------------------------- missing and wrong bins

@pytest.mark.parametrize("payload", [
    [M.SIZE],                                                                     # size.0006
    [M.GET_BY_KEY, RT_KEY_VALUE, "a"],                                            # get_by_key.0030
    [M.REMOVE_BY_KEY, RT_KEY_VALUE, "a"],                                         # remove_by_key.0020
    [M.REMOVE_BY_VALUE_REL_RANK_RANGE, RT_KEY_VALUE, 2, 0],                       # ..._relative.0026
    [M.CLEAR],                                                                    # clear.0006
])
def test_ops_that_find_no_map_answer_nothing(payload):
    assert M.apply(payload[0], payload[1:], MISSING, payload[0] < M.SIZE) == (None, MISSING)


@pytest.mark.parametrize("payload, result, after", [
    ([M.PUT, "a", 9, 0], 1, {"$map": [["a", 9]]}),                                # put.0039
    ([M.PUT, "k", 1, M.K_ORDERED], 1, {"$kodict": [["k", 1]]}),                   # put.0072
    ([M.PUT, "k", 1, 0, CREATE_ONLY], 1, {"$map": [["k", 1]]}),                   # put.0070
    ([M.PUT_ITEMS, MapValue([["a", 10], ["f", 6]]), 0], 2,
     {"$map": [["a", 10], ["f", 6]]}),                                            # put_items.0035
    ([M.PUT_ITEMS, MapValue(), 0], 0, {"$map": []}),                              # put_items.0036
    ([M.PUT_ITEMS, MapValue([["q", 1], ["p", 2]]), M.K_ORDERED | 0x10], 2,
     {"$kodict": [["p", 2], ["q", 1]]}),                                          # put_items.0058 (persist index)
    ([M.INCREMENT, "a", -2, 0], -2, {"$map": [["a", -2]]}),                       # increment.0023
    ([M.DECREMENT, "a", 1, 0], -1, {"$map": [["a", -1]]}),                        # decrement.0022
    ([M.SET_TYPE, M.K_ORDERED], None, {"$kodict": []}),                           # set_policy.0006
    ([M.SET_TYPE, 0x10], None, {"$map": []}),                                     # set_policy.0036
])
def test_ops_that_write_create_the_map(payload, result, after):
    got, new = M.apply(payload[0], payload[1:], MISSING, True)
    assert got == result
    assert recorded_form(new) == after


def test_creating_put_keeps_the_key_value_order_of_its_policy():
    _, new = M.apply(M.PUT, ["k", 1, M.KV_ORDERED], MISSING, True)               # put.0073
    assert new.flags == M.KV_ORDERED


def test_update_only_put_needs_the_key():
    with pytest.raises(ServerError) as info:
        M.apply(M.PUT, ["k", 1, 0, UPDATE_ONLY], MISSING, True)                  # put.0071
    assert info.value.code == ELEMENT_NOT_FOUND


@pytest.mark.parametrize("payload, value", [
    ([M.PUT, "a", 9, 0], ListValue([1, 2])),                                      # put.0043
    ([M.PUT, "a", 9, 0], 7),                                                      # put.0047
    ([M.SIZE], "abc"),                                                            # size.0010
    ([M.CLEAR], ListValue([1, 2])),                                               # clear.0008
    ([M.SET_TYPE, M.K_ORDERED], ListValue([1, 2])),                               # set_policy.0008
    ([M.GET_BY_INDEX, RT_KEY_VALUE, 0], ListValue([1, 2])),                       # get_by_index.0036
])
def test_a_bin_of_another_type_is_refused(payload, value):
    with pytest.raises(ServerError) as info:
        M.apply(payload[0], payload[1:], value, payload[0] < M.SIZE)
    assert info.value.code == BIN_TYPE


# ---------------------------------------------------------------- argument checks

@pytest.mark.parametrize("payload", [
    [M.PUT, 1.5, 1, 0],                                                           # put.0012
    [M.PUT, None, 1, 0],                                                          # put.0013
    [M.PUT, ListValue([1]), 1, 0],                                                # put.0014
    [M.INCREMENT, "a", "x", 0],                                                   # increment.0006
    [M.DECREMENT, "a", 1, 0],                                                     # decrement.0034 (value is a map)
])
def test_bad_keys_and_increments_are_parameter_errors(payload):
    value = stored(MIXED) if payload == [M.DECREMENT, "a", 1, 0] else stored(U)
    with pytest.raises(ServerError) as info:
        run(payload, value)
    assert info.value.code == PARAMETER


@pytest.mark.parametrize("payload", [
    [M.PUT, "a"],                        # too few arguments
    [M.GET_BY_INDEX, RT_KEY, 0, 1],      # too many
    [M.GET_BY_INDEX, RT_KEY, "0"],       # index must be an integer
    [M.PUT, "a", WILDCARD, 0],           # wildcards are for queries only
    [M.PUT_ITEMS, ListValue([1]), 0],    # items must be a map
    [M.GET_BY_KEY_LIST, RT_KEY, "a"],    # a key list is a list
])
def test_malformed_arguments_are_parameter_errors(payload):
    with pytest.raises(ServerError) as info:
        run(payload, stored(U))
    assert info.value.code == PARAMETER


def test_integer_increments_wrap_like_the_server():
    value = stored(([["a", 2 ** 63 - 1], ["b", -2 ** 63]], 0))
    assert run([M.DECREMENT, "a", 1, 0], value)[0] == 2 ** 63 - 2                # decrement.0038
    assert run([M.DECREMENT, "b", 1, 0], value)[0] == 2 ** 63 - 1                # decrement.0039


@pytest.mark.parametrize("op_code", [M.GET_BY_KEY_LIST, M.REMOVE_BY_KEY_LIST,
                                     M.GET_BY_VALUE_LIST, M.REMOVE_BY_VALUE_LIST])
def test_requests_that_crash_the_real_server_are_refused(op_code):
    # crashers.jsonl: an empty list, INVERTED and an element return type on a
    # non-empty map kill a real 8.1.2 server; the dev server answers PARAMETER.
    with pytest.raises(ServerError) as info:
        run([op_code, RT_KEY_VALUE | INV, ListValue()], stored(U))
    assert info.value.code == PARAMETER


# ---------------------------------------------------------------- through a context

NESTED = ([["a", MapValue([["x", 1], ["y", 2]])],
           ["b", ListValue([MapValue([["p", 1]]), MapValue([["q", 2]])])],
           ["c", 5], ["d", MapValue()]], 0)
CTX_MAP_KEY, CTX_LIST_INDEX, CREATE_K_ORDERED = 0x22, 0x10, 0x80


def in_context(ctx, payload, value, write):
    return cdt.execute(ListValue([0xFF, ListValue(ctx), ListValue(payload)]), value, write)


def test_ops_run_on_the_map_a_context_reaches():
    result, new = in_context([CTX_MAP_KEY, "a"], [M.PUT, "k", 1, 0], stored(NESTED), True)   # put.0078
    assert result == 3
    assert recorded_form(new)["$map"][0] == ["a", {"$map": [["k", 1], ["x", 1], ["y", 2]]}]
    result, _ = in_context([CTX_MAP_KEY, "b", CTX_LIST_INDEX, 1],
                           [M.REMOVE_BY_KEY, RT_KEY_VALUE, "x"], stored(NESTED), True)       # remove_by_key.0040
    assert recorded_form(result) == []


def test_a_creating_context_makes_the_map_for_the_op():
    result, new = in_context([CTX_MAP_KEY | CREATE_K_ORDERED, "a"], [M.PUT, "k", 1, 0],
                             MISSING, True)                                                  # put.0088
    assert result == 1
    assert recorded_form(new) == {"$kodict": [["a", {"$map": [["k", 1]]}]]}


# ---------------------------------------------------------------- whole recording

def test_all_recorded_map_cases_through_the_server(aerospike_server):
    proc = run_official([os.path.join(CASES_DIR, "replay.py"), "--host", aerospike_server.host,
                         "--port", aerospike_server.port, "-v", os.path.join(CASES_DIR, "map.jsonl")])
    total = re.search(r"TOTAL: (\d+) matched, (\d+) differed", proc.stdout)
    assert total, proc.stdout + proc.stderr
    assert (int(total.group(1)), int(total.group(2))) == (1429, 0), proc.stdout[-5000:]
