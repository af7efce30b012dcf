"""The dev server's HyperLogLog engine against answers recorded from a real Aerospike 8.1.2 server.

Every expectation below comes from tests/data/server-cases/hll.jsonl (the case id
is given).  HLLs are written sparsely: index bits, minhash bits, the non-zero
register bytes by offset, and the cached count.
"""

import math

import pytest

from aerospike_cffi.testing import values
from aerospike_cffi.testing.cdt import hll
from aerospike_cffi.testing.errors import (
    BIN_EXISTS,
    BIN_NOT_FOUND,
    BIN_TYPE,
    OP_NOT_APPLICABLE,
    PARAMETER,
    SERVER_ERROR,
    ServerError,
)

MISSING = values.MISSING
CREATE_ONLY, UPDATE_ONLY, NO_FAIL, ALLOW_FOLD = 1, 2, 4, 8


def make(p, m, registers=None, cache=0):
    """An HLL in the server's format from its non-zero register bytes."""
    body = bytearray((((6 + m) << p) + 7) // 8)
    for offset, byte in (registers or {}).items():
        body[offset] = byte
    return values.HLL(bytes((0, p, m)) + cache.to_bytes(8, "little") + bytes(body))


H5 = make(8, 0, {67: 48, 74: 128, 88: 64, 185: 128, 190: 1})
H4 = make(8, 0, {74: 128, 81: 8, 140: 2, 190: 1})
P4 = values.HLL(bytes.fromhex("0004000000000000000000105144145106185143104147"))
M8_A = make(8, 8, {156: 63, 157: 48, 172: 190, 173: 128, 205: 74, 206: 32, 431: 131, 432: 128,
                   444: 1, 445: 58, 446: 128})
M8_B = make(8, 8, {156: 63, 157: 48, 172: 190, 173: 128, 189: 11, 190: 152, 327: 2, 328: 41,
                   444: 1, 445: 58, 446: 128})
M6_4 = make(6, 4, {28: 96, 31: 3, 32: 144, 41: 2, 42: 48, 63: 108, 66: 4, 67: 144, 73: 148})


def run(payload, bin_value, write):
    return hll.execute(values.ListValue(payload), bin_value, write)


def read(payload, bin_value):
    result, new = run(payload, bin_value, False)
    assert new is MISSING
    return result


def error_code(payload, bin_value, write=True):
    with pytest.raises(ServerError) as info:
        run(payload, bin_value, write)
    return info.value.code


def hll_list(*items):
    return values.ListValue(items)


def test_init():
    # init.0005, init.0015, init.0053 (re-init drops the minhash bits), init.0057
    assert run([hll.INIT, 4, -1, 0], MISSING, True) == (None, make(4, 0))
    assert run([hll.INIT, 4, 4, 0], MISSING, True) == (None, make(4, 4))
    assert run([hll.INIT, 8, 0, NO_FAIL], M8_A, True) == (None, make(8, 0))
    assert run([hll.INIT, -1, -1, 0], M6_4, True) == (None, make(6, 4))
    assert run([hll.INIT, 8, 0, UPDATE_ONLY | NO_FAIL], MISSING, True) == (None, MISSING)


@pytest.mark.parametrize("payload, bin_value, code", [
    ([hll.INIT, -1, -1, 0], MISSING, OP_NOT_APPLICABLE),   # init.0001
    ([hll.INIT, -1, 4, 0], MISSING, OP_NOT_APPLICABLE),    # init.0040
    ([hll.INIT, 3, 0, 0], MISSING, PARAMETER),             # init.0027
    ([hll.INIT, 17, 0, 0], MISSING, PARAMETER),            # init.0031
    ([hll.INIT, 8, 3, 0], MISSING, PARAMETER),             # init.0032
    ([hll.INIT, 12, 52, 0], MISSING, PARAMETER),           # init.0022
    ([hll.INIT, 16, 51, 0], MISSING, PARAMETER),           # index + minhash bits above 64
    ([hll.INIT, 8, 0, UPDATE_ONLY], MISSING, BIN_NOT_FOUND),  # init.0048
    ([hll.INIT, 8, 0, ALLOW_FOLD], MISSING, PARAMETER),    # init.0060
    ([hll.INIT, 8, 0, CREATE_ONLY], H5, BIN_EXISTS),
    ([hll.INIT, 8, 0, 0], 7, BIN_TYPE),                    # init.0012
    ([hll.INIT, 8, 0, 0], b"\x00\x08", BIN_TYPE),
])
def test_init_errors(payload, bin_value, code):
    assert error_code(payload, bin_value) == code


def test_add_hashes_elements_like_the_server():
    # add.0018, add.0010: every element type hashes as its msgpack encoding.
    assert run([hll.ADD, hll_list("A"), -1, -1, 0], H5, True) == \
        (1, make(8, 0, {2: 64, 67: 48, 74: 128, 88: 64, 185: 128, 190: 1}))
    assert run([hll.ADD, hll_list(1, 2.5, b"x", "y"), -1, -1, 0], H5, True) == \
        (4, make(8, 0, {17: 64, 67: 48, 74: 128, 88: 64, 92: 128, 104: 64, 178: 32, 185: 128,
                        190: 1}))


def test_add_creates_and_keeps_existing_bit_counts():
    # add.0038 creates with minhash bits; add.0022 keeps (6, 4) whatever is asked.
    assert run([hll.ADD, hll_list("a", "q"), 8, 8, 0], MISSING, True) == \
        (2, make(8, 8, {205: 74, 206: 32, 408: 35, 409: 48}))
    assert run([hll.ADD, hll_list("a", "z"), 12, 0, 0], M6_4, True) == \
        (1, make(6, 4, {28: 96, 31: 3, 32: 144, 41: 2, 42: 48, 45: 15, 46: 64, 63: 108, 66: 4,
                        67: 144, 73: 148}))
    assert run([hll.ADD, hll_list("a", "z"), -1, -1, 0], P4, True) == (0, P4)   # add.0023


@pytest.mark.parametrize("payload, bin_value, code", [
    ([hll.ADD, hll_list("a"), -1, -1, 0], MISSING, OP_NOT_APPLICABLE),   # add.0001
    ([hll.ADD, hll_list("a", "q"), -1, 8, 0], MISSING, OP_NOT_APPLICABLE),  # add.0054
    ([hll.ADD, hll_list(), -1, -1, 0], MISSING, PARAMETER),              # add.0007
    ([hll.ADD, hll_list("a"), 3, 0, 0], MISSING, PARAMETER),             # add.0046
    ([hll.ADD, hll_list("a"), 8, 52, 0], H5, PARAMETER),                 # add.0050
    ([hll.ADD, hll_list("q"), 8, 0, UPDATE_ONLY], MISSING, PARAMETER),   # add.0062
    ([hll.ADD, hll_list("q"), 8, 0, ALLOW_FOLD], MISSING, PARAMETER),    # add.0074
    ([hll.ADD, hll_list(hll_list(1)), 8, 0, 0], MISSING, PARAMETER),     # lists are refused
    ([hll.ADD, hll_list("a"), 8, 8, 0], values.ListValue([1]), BIN_TYPE),
])
def test_add_errors(payload, bin_value, code):
    assert error_code(payload, bin_value) == code


def test_create_only_with_no_fail_leaves_the_bin():
    # add.0070
    assert run([hll.ADD, hll_list("q"), -1, -1, CREATE_ONLY | NO_FAIL], M8_A, True) == \
        (None, MISSING)


def test_counts_and_cache():
    # get_count.0007 / .0014, refresh_count.0014 stores the count little-endian in the header
    assert read([hll.COUNT], H4) == 4
    assert read([hll.COUNT], P4) == 248
    count, stored = run([hll.REFRESH_COUNT], P4, True)
    assert count == 248
    assert stored.hex() == "000400f800000000000000105144145106185143104147"
    # A set cache answers counts without looking at the registers.
    assert read([hll.COUNT], make(8, 0, cache=1234)) == 1234
    assert error_code([hll.REFRESH_COUNT], MISSING) == BIN_NOT_FOUND   # refresh_count.0001


def test_describe():
    # describe.0010, describe.0001
    assert read([hll.DESCRIBE], M6_4) == [6, 4]
    assert read([hll.DESCRIBE], MISSING) is None


def test_fold():
    # fold.0021, fold.0034 (same size: unchanged)
    folded = run([hll.FOLD, 6], make(10, 0, {61: 16, 178: 32}), True)
    assert folded == (None, make(6, 0, {13: 16, 34: 32}))
    assert run([hll.FOLD, 4], P4, True) == (None, P4)


@pytest.mark.parametrize("payload, bin_value, code", [
    ([hll.FOLD, 4], MISSING, BIN_NOT_FOUND),       # fold.0001
    ([hll.FOLD, 3], H5, PARAMETER),                # fold.0009
    ([hll.FOLD, 4], M8_A, OP_NOT_APPLICABLE),      # fold.0013: minhash bits
    ([hll.FOLD, 6], P4, OP_NOT_APPLICABLE),        # fold.0036: cannot grow
    ([hll.FOLD, 4], b"\x00\x08", BIN_TYPE),        # fold.0004
    ([hll.FOLD, 4], values.HLL(b"\x00\x08"), SERVER_ERROR),  # corrupt HLL bin
])
def test_fold_errors(payload, bin_value, code):
    assert error_code(payload, bin_value) == code


def test_union_reads():
    # get_union_count.0001, get_union.0025 (folds to the smallest index bits)
    assert read([hll.UNION_COUNT, hll_list(H4)], H5) == 7
    assert read([hll.GET_UNION, hll_list(H5)], P4) == P4
    assert read([hll.UNION_COUNT, hll_list(H5)], P4) == 248   # get_union_count.0025


def test_intersect_and_similarity():
    # get_intersect_count.0001 / .0016 / .0018, get_similarity.0001 / .0016 / .0018 / .0020
    assert read([hll.INTERSECT_COUNT, hll_list(H4)], H5) == 2
    assert read([hll.SIMILARITY, hll_list(H4)], H5) == 0.2857142857142857
    assert read([hll.INTERSECT_COUNT, hll_list(M8_A)], M8_A) == 5
    assert read([hll.INTERSECT_COUNT, hll_list(M8_B)], M8_A) == 3
    assert read([hll.SIMILARITY, hll_list(M8_A)], M8_A) == 0.9999750746437333
    assert read([hll.SIMILARITY, hll_list(M8_B)], M8_A) == 0.4285536247455237
    assert read([hll.SIMILARITY, hll_list(H4, make(8, 0))], make(8, 0)) == 0.0
    assert math.isnan(read([hll.SIMILARITY, hll_list(make(8, 8))], make(8, 8)))


def test_intersect_of_more_than_two_needs_equal_minhash_bits():
    assert error_code([hll.SIMILARITY, hll_list(H4, H5, H4)], H5, write=False) == PARAMETER
    assert error_code([hll.INTERSECT_COUNT, hll_list(M8_A, M8_B, M8_A)], H5, write=False) == \
        OP_NOT_APPLICABLE


def test_set_union():
    # set_union.0001; set_union.0009: the bin cannot lose index bits without allow-fold
    merged = make(8, 0, {67: 48, 74: 128, 81: 8, 88: 64, 140: 2, 185: 128, 190: 1})
    assert run([hll.SET_UNION, hll_list(H4), 0], H5, True) == (None, merged)
    assert error_code([hll.SET_UNION, hll_list(P4), 0], H5) == OP_NOT_APPLICABLE
    assert run([hll.SET_UNION, hll_list(P4), ALLOW_FOLD], H5, True)[1][:3] == b"\x00\x04\x00"
    # Created from the HLLs alone; minhash bits kept only when all agree.
    assert run([hll.SET_UNION, hll_list(M8_A, M8_B), 0], MISSING, True)[1][:3] == b"\x00\x08\x08"
    assert run([hll.SET_UNION, hll_list(M8_A, H4), 0], MISSING, True)[1][:3] == b"\x00\x08\x00"
    assert error_code([hll.SET_UNION, hll_list(), 0], MISSING) == PARAMETER   # set_union.0028
    assert error_code([hll.SET_UNION, hll_list(b"\x00\x08"), 0], MISSING) == PARAMETER


def test_may_contain():
    # expr.hll.0009 / .0010 / .0011 evaluate HLLMayContain with this op.
    with_a = run([hll.ADD, hll_list("a"), 8, 0, 0], MISSING, True)[1]
    assert read([hll.MAY_CONTAIN, hll_list("a")], with_a) == 1
    assert read([hll.MAY_CONTAIN, hll_list("a", "zz")], with_a) == 0


def test_murmur3_reference_vectors():
    # MurmurHash3_x64_128, seed 0, published test values.
    assert hll.murmur3_x64_128(b"") == (0, 0)
    assert hll.murmur3_x64_128(b"hello") == (0xCBD8A7B341BD9B02, 0x5B1E906A48AE1D19)
