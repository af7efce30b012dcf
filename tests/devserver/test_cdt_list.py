"""The dev server's list engine and CDT context walker against answers recorded
from a real Aerospike 8.1.2 server.

Every expectation comes from tests/data/server-cases/list.jsonl (the case id is
given).  Payloads are the decoded ops as the C client encodes them:
``[op_code, args...]`` or ``[0xff, ctx, [op_code, args...]]``.
"""

import copy

import pytest

from aerospike_cffi.testing import cdt, values
from aerospike_cffi.testing.cdt import lists as L
from aerospike_cffi.testing.errors import (
    BIN_TYPE,
    ELEMENT_EXISTS,
    OP_NOT_APPLICABLE,
    PARAMETER,
    ServerError,
)
from aerospike_cffi.testing.values import INF, MISSING, WILDCARD, ListValue, MapValue

PI = [3, 1, 4, 1, 5, 9, 2, 6]
PI_SORTED = sorted(PI)
MIXED = [5, "b", 2.5, b"\x01", [1, 2], MapValue([["k", 1]]), True, None, "a", 1, [0], -3.0, False]
NESTED = [[3, 1, 2], [5, 4], MapValue([["j", 3], ["k", [1, 2]]]), 7, []]

INV = L.INVERTED
ADD_UNIQUE, INSERT_BOUNDED, NO_FAIL, DO_PARTIAL = 1, 2, 4, 8
CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE = 0x10, 0x11, 0x13
CTX_MAP_KEY = 0x22
UNBOUND, ORDERED_CREATE = 0x80, 0xC0


def decoded(value):
    """``value`` as the server decodes it (nested lists become ListValues)."""
    return values.unpack(values.pack(value))


def unordered(items=PI):
    return decoded(ListValue(items))


def ordered(items=PI):
    return decoded(ListValue(sorted(items, key=values.sort_key), L.ORDERED))


def modify(payload, value):
    """(result, bin after the op) of one CDT_MODIFY op."""
    result, new = cdt.execute(ListValue(payload), value, True)
    return result, (value if new is MISSING else new)


def read(payload, value):
    result, new = cdt.execute(ListValue(payload), value, False)
    assert new is MISSING
    return result


def error_code(payload, value, write=True):
    before = value if value is MISSING else copy.deepcopy(value)
    with pytest.raises(ServerError) as info:
        cdt.execute(ListValue(payload), value, write)
    assert value is before or value == before  # a failed op leaves the value alone
    return info.value.code


# ---------------------------------------------------------------- reads

@pytest.mark.parametrize("payload, value, expected", [
    ([L.SIZE], unordered(), 8),                                                  # size.0001
    ([L.SIZE], unordered([]), 0),                                                # size.0003
    ([L.GET, -1], ordered(), 9),                                                 # get.0012
    ([L.GET, 0], unordered(MIXED), 5),                                           # get.0017
    ([L.GET_RANGE, 0, 0], unordered(), []),                                      # get_range.0009
    ([L.GET_RANGE, 8, 1], unordered(), []),                                      # get_range.0007
    ([L.GET_BY_RANK, L.RT_VALUE, -1], unordered(), 9),                           # get_by_rank.0003
    ([L.GET_BY_RANK, L.RT_NONE, -1], unordered(), None),                         # get_by_rank.0017
    ([L.GET_BY_INDEX_RANGE, L.RT_REVRANK, 2, 3], unordered(), [3, 7, 2]),        # get_by_index_range.0018
    ([L.GET_BY_RANK_RANGE, L.RT_RANK | INV, 2, 3], unordered(), [0, 1, 5, 6, 7]),  # get_by_rank_range.0022
    ([L.GET_BY_RANK_RANGE, L.RT_VALUE | INV, 0], unordered(), []),               # get_by_rank_range.0010
    ([L.GET_BY_RANK_RANGE, L.RT_VALUE | INV, -3, 2], unordered(), [3, 1, 4, 1, 9, 2]),  # .0013
    # The server's selection heap leaves low rank ranges in descending order.
    ([L.GET_BY_RANK_RANGE, L.RT_VALUE, 2, 3], unordered(), [4, 3, 2]),          # get_by_rank_range.0002
    ([L.GET_ALL_BY_VALUE, L.RT_EXISTS, 1], unordered(), True),                   # get_by_value.0024
    ([L.GET_ALL_BY_VALUE, L.RT_INDEX, [WILDCARD, "a"]],
     unordered([[1, "a"], [2, "b"], [1, "c"], [3, "a"], [1, "a", 0]]),
     [0, 1, 2, 3, 4]),                                                           # get_by_value.0057
    ([L.GET_ALL_BY_VALUE_LIST, L.RT_EXISTS, [1, 9]], unordered(), True),         # get_by_value_list.0021
    ([L.GET_ALL_BY_VALUE_LIST, L.RT_REVRANK, [1, 9]], unordered(), [7, 6, 0]),   # get_by_value_list.0019
    ([L.GET_ALL_BY_VALUE_LIST, L.RT_VALUE, [[1, 2], 2.5, b"\x01"]], unordered(MIXED),
     [2.5, b"\x01", [1, 2]]),                                                    # get_by_value_list.0038
    ([L.GET_ALL_BY_VALUE_LIST, L.RT_INDEX, [None, True]], ordered(MIXED), [0, 2]),  # .0041
    ([L.GET_BY_VALUE_INTERVAL, L.RT_INDEX, [0], [2]], ordered(MIXED), [7, 8]),   # get_by_value_range.0054
    ([L.GET_BY_VALUE_INTERVAL, L.RT_VALUE, None], unordered(), PI),              # get_by_value_range.0004
    ([L.GET_BY_VALUE_INTERVAL, L.RT_VALUE, b"\x00", 0.0], unordered(MIXED),
     [b"\x01", -3.0]),                                                           # get_by_value_range.0046
    ([L.GET_BY_VALUE_REL_RANK_RANGE, L.RT_VALUE, 7, 0, 1], ordered(), [9]),      # rank_range_relative.0040
    ([L.GET_BY_VALUE_REL_RANK_RANGE, L.RT_INDEX, b"\x01", 1, 1], ordered(MIXED), [11]),  # .0056
    ([L.GET_BY_VALUE_REL_RANK_RANGE, L.RT_VALUE | INV, 5, 0], unordered(), [3, 1, 4, 1, 2]),  # .0016
])
def test_read(payload, value, expected):
    assert read(payload, value) == expected


def test_exists_result_is_a_bool():
    assert read([L.GET_ALL_BY_VALUE, L.RT_EXISTS, 1], unordered()) is True   # get_by_value.0024


@pytest.mark.parametrize("payload, value, expected", [
    ([L.GET, 100], unordered(), OP_NOT_APPLICABLE),                              # get.0008
    ([L.GET_BY_RANK, L.RT_VALUE, -9], unordered(), OP_NOT_APPLICABLE),           # get_by_rank.0006
    ([L.SIZE], 7, BIN_TYPE),                                                     # size.0007
    ([L.SIZE], "abc", BIN_TYPE),                                                 # size.0008
    ([L.SIZE], MapValue([["a", 1]]), BIN_TYPE),                                  # size.0009
    ([L.GET_RANGE, 0, 2], 7, BIN_TYPE),                                          # get_range.0021
    ([28, ","], unordered(["a", "bc", "", "d"]), PARAMETER),                     # join.0001 (8.2 op)
])
def test_read_errors(payload, value, expected):
    assert error_code(payload, value, write=False) == expected


def test_read_of_a_missing_bin_answers_nothing():
    assert cdt.execute(ListValue([L.GET, 0]), MISSING, False) == (None, MISSING)   # get.0014


# ---------------------------------------------------------------- writes

@pytest.mark.parametrize("payload, value, result, after", [
    ([L.APPEND, 0.0], unordered(), 9, PI + [0.0]),                               # append.0031
    ([L.APPEND, 1, 0, NO_FAIL], unordered(), 9, PI + [1]),                       # append.0014
    ([L.APPEND, MapValue([["k", 1]])], ordered(), 9,
     PI_SORTED + [MapValue([["k", 1]])]),                                        # append.0039
    ([L.APPEND_ITEMS, [1, 7], 1], ordered(), 10, [1, 1, 1, 2, 3, 4, 5, 6, 7, 9]),  # append_items.0026
    ([L.APPEND_ITEMS, [1, 7], 1], unordered(), 10, PI + [1, 7]),                 # append_items.0010
    ([L.INSERT, 2, 7], unordered(), 9, [3, 1, 7, 4, 1, 5, 9, 2, 6]),             # insert.0002
    ([L.INSERT, 9, 7], unordered(), 10, PI + [None, 7]),                         # insert.0005
    ([L.INSERT_ITEMS, 0, [1, 7], ADD_UNIQUE | NO_FAIL], unordered(), 8, PI),     # insert_items.0013
    ([L.INCREMENT, 2, 1.5], unordered(), 5, [3, 1, 5, 1, 5, 9, 2, 6]),           # increment.0004
    ([L.POP, -8], unordered(), 3, PI[1:]),                                       # pop.0004
    ([L.REMOVE, 0], unordered(), 1, PI[1:]),                                     # remove.0001
    ([L.POP_RANGE, 7, 1], unordered(), [6], PI[:7]),                             # pop_range.0006
    ([L.POP_RANGE, -10, 3], unordered(), [3], PI[1:]),                           # pop_range.0010
    ([L.REMOVE_RANGE, 3, -1], unordered(), 5, [3, 1, 4]),                        # remove_range.0012
    ([L.REMOVE_RANGE, 6, 5], unordered(), 2, PI[:6]),                            # remove_range.0003
    ([L.TRIM, -8, 8], unordered(), 0, PI),                                       # trim.0011
    ([L.TRIM, -20, 30], unordered(), 0, PI),                                     # trim.0013
    ([L.TRIM, 0, 2], unordered(MIXED), 11, [5, "b"]),                            # trim.0022
    ([L.SET, 8, 7, INSERT_BOUNDED], unordered(), None, PI + [7]),                # set.0012
    ([L.CLEAR], unordered(), None, []),                                          # clear.0001
    ([L.SORT, 0], unordered(MIXED), None,
     [None, False, True, 1, 5, "a", "b", [0], [1, 2], MapValue([["k", 1]]), b"\x01", -3.0, 2.5]),  # sort.0019
    ([L.SET_TYPE, 1], ordered(), None, PI_SORTED),                               # create.0007
    ([L.REMOVE_BY_INDEX, L.RT_INDEX, 3], unordered(), 3, [3, 1, 4, 5, 9, 2, 6]),  # remove_by_index.0008
    ([L.REMOVE_BY_RANK, L.RT_VALUE, 3], unordered(), 3, [1, 4, 1, 5, 9, 2, 6]),  # remove_by_rank.0002
    ([L.REMOVE_BY_RANK, L.RT_VALUE, -1], ordered(), 9, PI_SORTED[:-1]),          # remove_by_rank.0021
    ([L.REMOVE_BY_INDEX_RANGE, L.RT_VALUE, -3], ordered(), [5, 6, 9], [1, 1, 2, 3, 4]),  # .0021
    ([L.REMOVE_BY_INDEX_RANGE, L.RT_COUNT, 2, 3], unordered(), 3, [3, 1, 9, 2, 6]),  # .0016
    ([L.REMOVE_BY_RANK_RANGE, L.RT_NONE, 2, 3], unordered(), None, [1, 1, 5, 9, 6]),  # .0014
    ([L.REMOVE_BY_RANK_RANGE, L.RT_VALUE, 2, 0], unordered(), [], PI),           # remove_by_rank_range.0007
    ([L.REMOVE_ALL_BY_VALUE, L.RT_VALUE, 1], ordered(), [1, 1], [2, 3, 4, 5, 6, 9]),  # remove_by_value.0023
    ([L.REMOVE_ALL_BY_VALUE, L.RT_INDEX, WILDCARD],
     unordered([[1, "a"], [2, "b"]]), [0, 1], []),                               # remove_by_value.0048
    ([L.REMOVE_ALL_BY_VALUE_LIST, L.RT_VALUE | INV, []], unordered(), PI, []),   # remove_by_value_list.0013
    ([L.REMOVE_ALL_BY_VALUE_LIST, L.RT_VALUE, [7]], ordered(), [], PI_SORTED),   # remove_by_value_list.0021
    ([L.REMOVE_BY_VALUE_INTERVAL, L.RT_VALUE | INV, 5], unordered(), [3, 1, 4, 1, 2], [5, 9, 6]),  # .0015
    ([L.REMOVE_BY_VALUE_INTERVAL, L.RT_NONE, 2, 5], unordered(), None, [1, 1, 5, 9, 6]),  # .0018
    ([L.REMOVE_BY_VALUE_REL_RANK_RANGE, L.RT_NONE, 5, -1, 3], unordered(), None, [3, 1, 1, 9, 2]),  # .0022
    ([L.REMOVE_BY_VALUE_REL_RANK_RANGE, L.RT_VALUE, 5, -20, 2], unordered(), [], PI),  # .0012
])
def test_modify(payload, value, result, after):
    got_result, got_after = modify(payload, value)
    assert got_result == result
    assert got_after == after


def test_ordered_list_stays_ordered_after_append():
    _, after = modify([L.APPEND, 0], ordered())                                 # append.0039 shape
    assert after.flags == L.ORDERED
    assert after == [0] + PI_SORTED


@pytest.mark.parametrize("payload, value, expected", [
    ([L.APPEND, 7], 7, BIN_TYPE),                                                # append.0048
    ([L.APPEND, 7], "abc", BIN_TYPE),                                            # append.0052
    ([L.APPEND, 7], MapValue([["a", 1]]), BIN_TYPE),                             # append.0054
    ([L.POP, 8], unordered(), OP_NOT_APPLICABLE),                                # pop.0006
    ([L.POP, -100], unordered(), OP_NOT_APPLICABLE),                             # pop.0009
    ([L.REMOVE, -9], unordered(), OP_NOT_APPLICABLE),                            # remove.0007
    ([L.INSERT_ITEMS, 8, [7, 8]], ordered(), OP_NOT_APPLICABLE),                 # insert_items.0018
    ([L.INSERT_ITEMS, 9, [7, 8], INSERT_BOUNDED], unordered(), OP_NOT_APPLICABLE),  # insert_items.0010
    ([L.SET, 0, 1, ADD_UNIQUE], unordered(), ELEMENT_EXISTS),                    # set.0016
    ([L.REMOVE_BY_INDEX, L.RT_VALUE, -9], unordered(), OP_NOT_APPLICABLE),       # remove_by_index.0006
    ([L.REMOVE_BY_RANK, L.RT_INDEX, 8], unordered(), OP_NOT_APPLICABLE),         # remove_by_rank.0015
    ([L.SORT, 0], 7, BIN_TYPE),                                                  # sort.0013
    ([L.SORT, 0], MISSING, BIN_TYPE),                                            # sort.0009
    ([L.APPEND_ITEMS, [5, 3, 5], 0, ADD_UNIQUE], MISSING, OP_NOT_APPLICABLE),    # append_items.0041
    ([L.INSERT, -1, 7], MISSING, OP_NOT_APPLICABLE),                             # insert.0046
    ([L.INSERT, 2, 7, INSERT_BOUNDED], MISSING, OP_NOT_APPLICABLE),              # insert.0047
    ([L.SET, -1, 7], MISSING, OP_NOT_APPLICABLE),                                # set.0028
    ([L.SET_TYPE, 1], 7, BIN_TYPE),                                              # set_order.0013
])
def test_modify_errors(payload, value, expected):
    assert error_code(payload, value) == expected


@pytest.mark.parametrize("payload, result, after", [
    ([L.APPEND, 7], 1, [7]),                                                     # append.0046
    ([L.APPEND, 7, 1], 1, [7]),                                                  # append.0071
    ([L.APPEND_ITEMS, []], 0, []),                                               # append_items.0032
    ([L.APPEND_ITEMS, [5, 3, 5], 1], 3, [3, 5, 5]),                              # append_items.0042
    ([L.INSERT, 3, 7], 4, [None, None, None, 7]),                                # insert.0045
    ([L.INSERT_ITEMS, 2, [7, 8]], 4, [None, None, 7, 8]),                        # insert_items.0026
    ([L.INCREMENT, 1, -5], -5, [None, -5]),                                      # increment.0028
    ([L.SET, 0, 7], None, [7]),                                                  # set.0027
    ([L.SET_TYPE, 1], None, []),                                                 # set_order.0011
])
def test_ops_that_create_the_bin(payload, result, after):
    assert modify(payload, MISSING) == (result, after)


@pytest.mark.parametrize("payload", [
    [L.POP, 0], [L.REMOVE, 0], [L.POP_RANGE, 0, 2], [L.REMOVE_RANGE, 0, 2],      # pop.0014 ...
    [L.TRIM, 0, 2], [L.CLEAR], [L.REMOVE_BY_INDEX, L.RT_VALUE, 0],               # trim.0019, clear.0005
    [L.REMOVE_ALL_BY_VALUE_LIST, L.RT_VALUE, [1, 9]],                            # remove_by_value_list.0022
])
def test_removals_on_a_missing_bin_do_nothing(payload):
    assert cdt.execute(ListValue(payload), MISSING, True) == (None, MISSING)


# ---------------------------------------------------------------- contexts

def ctx(steps, op):
    return [0xFF, steps, op]


@pytest.mark.parametrize("payload, result, after", [
    (ctx([CTX_LIST_INDEX, 0], [L.APPEND, 9]), 4,
     [[3, 1, 2, 9]] + NESTED[1:]),                                               # append.0072
    (ctx([CTX_LIST_INDEX, -1], [L.APPEND, 9]), 1, NESTED[:4] + [[9]]),           # append.0073
    (ctx([CTX_LIST_INDEX, 0], [L.INSERT, 5, 9]), 6,
     [[3, 1, 2, None, None, 9]] + NESTED[1:]),                                   # insert.0048
    (ctx([CTX_LIST_INDEX, 0], [L.SORT, 0]), None, [[1, 2, 3]] + NESTED[1:]),     # sort.0032
    (ctx([CTX_LIST_INDEX | UNBOUND, 7], [L.APPEND, 9]), 1,
     NESTED + [None, None, [9]]),                                                # append.0076
    (ctx([CTX_LIST_INDEX | UNBOUND, 7], [L.SET_TYPE, 1]), None,
     NESTED + [None, None, []]),                                                 # set_order.0026
    (ctx([CTX_LIST_INDEX | UNBOUND, 7], [L.SORT, 0]), None, NESTED),             # sort.0036: nothing made
    (ctx([CTX_LIST_INDEX | UNBOUND, 7], [L.REMOVE_ALL_BY_VALUE, L.RT_COUNT, 1]), None,
     NESTED),                                                                    # remove_by_value.0056
    (ctx([CTX_LIST_INDEX | ORDERED_CREATE, 0], [L.SET_TYPE | 0, 1]), None,
     [[1, 2, 3]] + NESTED[1:]),                                                  # create.0026
])
def test_context_modify(payload, result, after):
    assert modify(payload, unordered(NESTED)) == (result, after)


@pytest.mark.parametrize("payload, expected", [
    (ctx([CTX_LIST_INDEX, 0], [L.GET_BY_INDEX, L.RT_VALUE, 0]), 3),              # get_by_index.0037
    (ctx([CTX_LIST_INDEX, 1], [L.GET_BY_INDEX, L.RT_VALUE, 0]), 5),              # get_by_index.0043
    (ctx([CTX_LIST_INDEX, -1], [L.SIZE]), 0),                                    # size.0015
    (ctx([CTX_LIST_VALUE, [5, 4]], [L.GET_BY_INDEX, L.RT_VALUE, 0]), 5),         # get_by_index.0048
    (ctx([CTX_LIST_INDEX, 2, CTX_MAP_KEY, "k"], [L.GET_BY_INDEX, L.RT_VALUE, 0]), 1),  # .0050
])
def test_context_read(payload, expected):
    assert read(payload, unordered(NESTED)) == expected


@pytest.mark.parametrize("payload, write, expected", [
    (ctx([CTX_LIST_INDEX, 10], [L.APPEND, 9]), True, OP_NOT_APPLICABLE),         # append.0074
    (ctx([CTX_LIST_INDEX, 3], [L.APPEND, 9]), True, BIN_TYPE),                   # append.0075: an int
    (ctx([CTX_LIST_INDEX, -1], [L.GET_BY_INDEX, L.RT_VALUE, 0]), False, OP_NOT_APPLICABLE),  # .0038
    (ctx([CTX_LIST_INDEX, -10], [L.GET_BY_INDEX, L.RT_VALUE, 0]), False, OP_NOT_APPLICABLE),  # .0044
    (ctx([CTX_LIST_RANK, 0], [L.GET_BY_INDEX, L.RT_VALUE, 0]), False, BIN_TYPE),  # get_by_index.0045
    (ctx([CTX_LIST_VALUE, [9]], [L.GET_BY_INDEX, L.RT_VALUE, 0]), False, OP_NOT_APPLICABLE),  # .0049
    (ctx([CTX_LIST_INDEX, 2, CTX_MAP_KEY, "zz"], [L.GET_BY_INDEX, L.RT_VALUE, 0]), False,
     OP_NOT_APPLICABLE),                                                         # get_by_index.0051
    (ctx([CTX_MAP_KEY, "k"], [L.GET_BY_INDEX, L.RT_VALUE, 0]), False, OP_NOT_APPLICABLE),  # .0059
    (ctx([CTX_LIST_INDEX, 0, CTX_LIST_INDEX, 0], [L.GET_BY_INDEX, L.RT_VALUE, 0]), False,
     BIN_TYPE),                                                                  # get_by_index.0060
    # A read that would have to create a level fails.
    (ctx([CTX_LIST_INDEX | UNBOUND, 7], [L.SIZE]), False, OP_NOT_APPLICABLE),    # size.0018
    # list_create on a context past the end of an unordered list.
    (ctx([CTX_LIST_INDEX | ORDERED_CREATE, 7], [L.SET_TYPE, 1]), True, OP_NOT_APPLICABLE),  # create.0025
])
def test_context_errors(payload, write, expected):
    assert error_code(payload, unordered(NESTED), write) == expected


@pytest.mark.parametrize("payload, expected", [
    (ctx([CTX_LIST_INDEX | ORDERED_CREATE, 0], [L.APPEND, 9]),
     ListValue([ListValue([9])], L.ORDERED)),                                    # append.0087
    (ctx([CTX_MAP_KEY | 0x80, "k"], [L.APPEND, 9]),
     MapValue([["k", [9]]], 1)),                                                 # append.0090
])
def test_context_creates_a_missing_bin(payload, expected):
    result, after = modify(payload, MISSING)
    assert result == 1
    assert after == expected
    assert after.flags == expected.flags


def test_context_without_create_flag_on_a_missing_bin():
    assert error_code(ctx([CTX_LIST_INDEX, 0], [L.APPEND, 9]), MISSING) == OP_NOT_APPLICABLE  # .0083


def test_context_in_a_map_bin():
    bin_value = decoded(MapValue([["a", [1, 2, 3]], ["f", []]]))
    result, after = modify(ctx([CTX_MAP_KEY, "a"], [L.APPEND, 9]), bin_value)   # append.0078
    assert result == 4
    assert after == MapValue([["a", [1, 2, 3, 9]], ["f", []]])


# ---------------------------------------------------------------- ordering

@pytest.mark.parametrize("smaller, larger", [
    (None, False), (False, True), (True, -5), (-5, 0), (2 ** 63 - 1, "a"),
    ("a", "b"), ("b", [0]), ([1, 2], [1, 2, 3]), ([9], MapValue([["k", 1]])),
    (MapValue([["z", 1]]), MapValue([["a", 1], ["b", 2]])), (MapValue(), b"\x00"),
    (b"\x01", -3.0), (-3.0, 2.5), (2.5, INF), ([1, 9], [2]),
])
def test_value_order(smaller, larger):
    assert values.compare(smaller, larger) == -1
    assert values.compare(larger, smaller) == 1


def test_wildcard_ends_the_comparison_as_equal():
    # get_by_value.0057: [*, 'a'] matches [1, 'a', 0] too.
    assert values.compare([1, WILDCARD], [1, 2, 3]) == 0
    assert values.compare([WILDCARD, "a"], [1, "a", 0]) == 0
    assert values.compare([2, WILDCARD], [1, 2]) == 1
