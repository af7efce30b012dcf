"""The dev server's path engine (cdt/paths.py, the CDT select op 0xfe) on malformed
payloads: every one is answered with a server error code, never a Python exception,
and a failed modify leaves the bin as it was.  What well-formed paths answer is checked
against the real server's recorded answers by test_replay_path.py."""

import pytest

from aerospike_cffi.testing import cdt
from aerospike_cffi.testing.errors import BIN_TYPE, PARAMETER, SERVER_ERROR, ServerError
from aerospike_cffi.testing.values import MISSING, ListValue, MapValue

SELECT = 0xFE
ALL = [4, True]
# [GT, [VAR_BUILTIN, INT, value], 2]: a filter over the element's value.
GT2 = ListValue([3, ListValue([122, 2, 1]), 2])
PLUS1 = ListValue([20, ListValue([122, 2, 1]), 1])  # element + 1


def lst(*items):
    return ListValue(list(items))


def run(payload, bin_value, write=False):
    return cdt.execute(ListValue(payload), bin_value, write)


@pytest.mark.parametrize("payload", [
    [SELECT],
    [SELECT, "ctx", 0],
    [SELECT, lst(), 0],
    [SELECT, lst(4), 0],
    [SELECT, lst(4, True, 0), 0],
    [SELECT, lst(True, True), 0],
    [SELECT, lst(-1, 0), 0],
    [SELECT, lst(99, 0), 0],
    [SELECT, lst(0, "x"), 0],
    [SELECT, lst(4, 5), 0],
    [SELECT, lst(4, lst(999)), 0],
    [SELECT, lst(4, lst()), 0],
    [SELECT, lst(0x204, lst(1)), 0],
    [SELECT, lst(4, True, 0x204, GT2), 0],
    [SELECT, lst(*ALL), "flags"],
    [SELECT, lst(*ALL), True],
    [SELECT, lst(*ALL), 5],
    [SELECT, lst(*ALL), 4],
    [SELECT, lst(*ALL), 0, 1],
    [SELECT, lst(*ALL)],
    [SELECT, lst(*([4, True] * 65)), 0],
])
def test_malformed_selects_are_refused(payload):
    with pytest.raises(ServerError) as info:
        run(payload, lst(1, 2, 3))
    assert info.value.code == PARAMETER


@pytest.mark.parametrize("bin_value", [MISSING, 5, "s", b"b", 1.5, None])
def test_a_bin_that_is_no_collection(bin_value):
    with pytest.raises(ServerError) as info:
        run([SELECT, lst(*ALL), 0], bin_value)
    assert info.value.code == BIN_TYPE


@pytest.mark.parametrize("modify", [lst(999), "x", 7, lst(20, lst(122, 2, 1), 1.5)])
def test_malformed_modify_expressions_are_refused(modify):
    bin_value = lst(1, 2, 3)
    with pytest.raises(ServerError) as info:
        run([SELECT, lst(*ALL), 4, modify], bin_value, write=True)
    assert info.value.code == PARAMETER


def test_apply_needs_a_write():
    with pytest.raises(ServerError) as info:
        run([SELECT, lst(*ALL), 4, PLUS1], lst(1, 2))
    assert info.value.code == PARAMETER


def test_a_modify_that_cannot_be_computed_fails_the_op():
    # 'a' + 1 is unknown: error 1 (the record is not written: the engine works on a copy
    # and the core stores nothing after an error).
    with pytest.raises(ServerError) as info:
        run([SELECT, lst(*ALL), 4, PLUS1], lst(1, "a"), write=True)
    assert info.value.code == SERVER_ERROR
    # NO_FAIL keeps what cannot be computed.
    _, new = run([SELECT, lst(*ALL), 4 | 0x10, PLUS1], lst(1, "a"), write=True)
    assert list(new) == [2, "a"]


def test_select_filters_nested_levels():
    value = lst(lst(1, 5), MapValue([["k", 7], ["j", 1]]), 9)
    got, new = run([SELECT, lst(4, True, 4, GT2), 1], value)  # leaf values
    assert list(got) == [5, 7] and new is MISSING
    got, _ = run([SELECT, lst(4, True, 4, GT2), 0], value)  # the matching tree
    assert [list(got[0]), got[1].items, got[2]] == [[5], [["k", 7]], 9]
