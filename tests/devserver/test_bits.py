"""The dev server's bitwise engine against answers recorded from a real Aerospike 8.1.2 server.

Every expectation below comes from tests/data/server-cases/bit.jsonl (the case id
is given); payloads are the ops as the C client encodes them:
``[op_code, args..., write_flags(, sub_flags)]``.
"""

import pytest

from aerospike_cffi.testing import values
from aerospike_cffi.testing.cdt import bits
from aerospike_cffi.testing.errors import (
    BIN_EXISTS,
    BIN_NOT_FOUND,
    BIN_TYPE,
    OP_NOT_APPLICABLE,
    PARAMETER,
    ServerError,
)

BLOB = bytes.fromhex("aaff000ff0")
LONG = bytes.fromhex("8182838485868788898a8b8c8d8e8f90")
MISSING = values.MISSING

CREATE_ONLY, UPDATE_ONLY, NO_FAIL, PARTIAL = 1, 2, 4, 8
FROM_FRONT, GROW_ONLY, SHRINK_ONLY = 1, 2, 4
SIGNED, SATURATE, WRAP = 1, 2, 4


def modify(payload, blob=BLOB):
    """The bin after one modify op (``blob`` itself when the op changed nothing)."""
    result, new = bits.execute(values.ListValue(payload), blob, True)
    assert result is None
    return blob if new is MISSING else new


def read(payload, blob=BLOB):
    result, new = bits.execute(values.ListValue(payload), blob, False)
    assert new is MISSING
    return result


def error_code(payload, blob=BLOB, write=True):
    with pytest.raises(ServerError) as info:
        bits.execute(values.ListValue(payload), blob, write)
    return info.value.code


@pytest.mark.parametrize("payload, blob, expected", [
    ([bits.RESIZE, 3, 0, 0], BLOB, "aaff00"),                        # resize.0008
    ([bits.RESIZE, 3, 0, FROM_FRONT], BLOB, "000ff0"),               # resize.0009
    ([bits.RESIZE, 8, 0, 0], BLOB, "aaff000ff0000000"),              # resize.0015
    ([bits.RESIZE, 8, 0, FROM_FRONT], BLOB, "000000aaff000ff0"),     # resize.0016
    ([bits.RESIZE, 0, 0, SHRINK_ONLY], BLOB, ""),                    # resize.0004
    ([bits.RESIZE, 5, 0, FROM_FRONT], BLOB, "aaff000ff0"),           # resize.0025: same size
    ([bits.RESIZE, 4, 0, 0], b"", "00000000"),                       # resize.0033
    ([bits.RESIZE, 8, CREATE_ONLY | NO_FAIL, 0], BLOB, "aaff000ff0"),  # resize.0055
    ([bits.INSERT, 0, b"\x01", 0], BLOB, "01aaff000ff0"),            # insert.0001
    ([bits.INSERT, 5, b"\xff", 0], BLOB, "aaff000ff0ff"),            # insert.0003
    ([bits.INSERT, -1, b"\xff", 0], BLOB, "aaff000ffff0"),           # insert.0005
    ([bits.INSERT, 0, b"\x01", 0], b"", "01"),                       # insert.0011
    ([bits.REMOVE, -5, 2, 0], BLOB, "000ff0"),                       # remove.0008
    ([bits.REMOVE, 4, 2, PARTIAL], BLOB, "aaff000f"),                # remove.0016
    ([bits.REMOVE, 4, 2, NO_FAIL], BLOB, "aaff000ff0"),              # remove.0013
    ([bits.REMOVE, 0, 1, 0], b"\x80", ""),                           # remove.0023
    ([bits.SET, 3, 13, b"\xab\xcd", 0], BLOB, "b579000ff0"),         # set.0011
    ([bits.SET, 7, 9, b"\xff\x80", 0], BLOB, "abff000ff0"),          # set.0014
    ([bits.SET, 0, 4, b"\xff\xff", 0], BLOB, "faff000ff0"),          # set.0015
    ([bits.SET, -40, 1, b"\x00", 0], BLOB, "2aff000ff0"),            # set.0008
    ([bits.SET, 36, 8, b"\xff", PARTIAL], BLOB, "aaff000fff"),       # set.0021: clipped
    ([bits.SET, 36, 8, b"\xff", NO_FAIL], BLOB, "aaff000ff0"),       # set.0018
    ([bits.OR, 7, 10, b"\xff\xc0", 0], BLOB, "abff800ff0"),          # or.0011
    ([bits.OR, -8, 8, b"<", 0], BLOB, "aaff000ffc"),                 # or.0005
    ([bits.XOR, 4, 8, b"\xff", 0], BLOB, "a50f000ff0"),              # xor.0002
    ([bits.XOR, 3, 5, b"\xf8", 0], BLOB, "b5ff000ff0"),              # xor.0006
    ([bits.AND, 3, 5, b"\xf8", 0], BLOB, "aaff000ff0"),              # and.0006
    ([bits.NOT, 5, 30, 0], BLOB, "ad00fff010"),                      # not.0009
    ([bits.NOT, -1, 1, 0], BLOB, "aaff000ff1"),                      # not.0005
    ([bits.LSHIFT, 0, 8, 3, 0], BLOB, "50ff000ff0"),                 # lshift.0002
    ([bits.LSHIFT, 4, 8, 2, 0], BLOB, "abcf000ff0"),                 # lshift.0004
    ([bits.LSHIFT, 0, 16, 8, 0], BLOB, "ff00000ff0"),                # lshift.0006
    ([bits.LSHIFT, 0, 40, 100, 0], BLOB, "0000000000"),              # lshift.0010
    ([bits.RSHIFT, 0, 8, 1, 0], BLOB, "55ff000ff0"),                 # rshift.0001
    ([bits.SET_INT, 3, 13, 1000, 0], BLOB, "a3e8000ff0"),            # set_int.0007
    ([bits.SET_INT, 0, 8, 256, 0], BLOB, "00ff000ff0"),              # set_int.0010: masked
    ([bits.SET_INT, 0, 8, -1 & bits.U64, 0], BLOB, "ffff000ff0"),    # set_int.0009
    ([bits.SET_INT, -8, 8, 1, 0], BLOB, "aaff000f01"),               # set_int.0006
])
def test_modify(payload, blob, expected):
    assert modify(payload, blob) == bytes.fromhex(expected)


@pytest.mark.parametrize("payload, expected", [
    ([bits.ADD, 0, 8, 100, 0, SATURATE], "ffff000ff0"),              # add.0008: unsigned max
    ([bits.ADD, 0, 8, 100, 0, SIGNED | SATURATE], "0eff000ff0"),     # add.0011: -86 + 100
    ([bits.ADD, 8, 8, 1, 0, SIGNED | SATURATE], "aa00000ff0"),       # add.0017: -1 + 1
    ([bits.ADD, 8, 8, 100, 0, SIGNED | SATURATE], "aa63000ff0"),     # add.0023
    ([bits.ADD, 28, 4, 1, 0, SIGNED | SATURATE], "aaff0000f0"),      # add.0041
    ([bits.ADD, 0, 8, (1 << 63) - 1, 0, WRAP], "a9ff000ff0"),        # add.0047
    ([bits.SUBTRACT, 0, 8, 100, 0, WRAP], "46ff000ff0"),             # subtract.0009
    ([bits.SUBTRACT, 16, 8, 1, 0, WRAP], "aaffff0ff0"),              # subtract.0027
    ([bits.SUBTRACT, 0, 8, 255, 0, WRAP], "abff000ff0"),             # subtract.0045
    ([bits.SUBTRACT, -8, 8, 1, 0, 0], "aaff000fef"),                 # subtract.0051
])
def test_arithmetic(payload, expected):
    assert modify(payload) == bytes.fromhex(expected)


def test_arithmetic_on_64_bits():
    # add.0059, add.0062, subtract.0060
    assert modify([bits.ADD, 0, 64, 1, 0, 0], LONG).hex() == "8182838485868789898a8b8c8d8e8f90"
    assert modify([bits.ADD, 8, 63, 5, 0, WRAP], LONG).hex() == "8182838485868788938a8b8c8d8e8f90"
    assert modify([bits.SUBTRACT, 0, 64, 1, 0, SIGNED | SATURATE], LONG).hex() == \
        "8182838485868787898a8b8c8d8e8f90"


def test_overflow_fails_or_is_skipped_with_no_fail():
    assert error_code([bits.ADD, 8, 8, 1, 0, 0]) == OP_NOT_APPLICABLE
    assert modify([bits.ADD, 8, 8, 1, NO_FAIL, 0]) == BLOB
    assert error_code([bits.SUBTRACT, 16, 8, 1, 0, 0]) == OP_NOT_APPLICABLE


@pytest.mark.parametrize("payload, blob, expected", [
    ([bits.GET, 4, 8], BLOB, bytes.fromhex("af")),                   # get.0016
    ([bits.GET, 36, 4], BLOB, bytes.fromhex("00")),                  # get.0004
    ([bits.GET, 120, 8], LONG, bytes.fromhex("90")),                 # get.0023
    ([bits.COUNT, 0, 8], BLOB, 4),                                   # count.0002
    ([bits.COUNT, 0, 128], LONG, 49),                                # count.0019
    ([bits.COUNT, 60, 8], LONG, 2),                                  # count.0021
    ([bits.LSCAN, 0, 40, False], BLOB, 1),                           # lscan.0002
    ([bits.LSCAN, 16, 8, True], BLOB, -1),                           # lscan.0005
    ([bits.LSCAN, 1, 7, True], BLOB, 1),                             # lscan.0013
    ([bits.LSCAN, 0, 128, False], LONG, 1),                          # lscan.0018
    ([bits.RSCAN, 0, 40, True], BLOB, 35),                           # rscan.0001
    ([bits.RSCAN, 4, 20, True], BLOB, 11),                           # rscan.0007
    ([bits.RSCAN, -8, 8, True], BLOB, 3),                            # rscan.0010
    ([bits.RSCAN, 1, 7, True], BLOB, 5),                             # rscan.0013
    ([bits.GET_INT, 4, 8, SIGNED], BLOB, -81),                       # get_int.0004
    ([bits.GET_INT, 0, 40, SIGNED], BLOB, -365088993296),            # get_int.0008
    ([bits.GET_INT, -8, 8], BLOB, 240),                              # get_int.0011
    ([bits.GET_INT, 0, 64], LONG, -9114578090645354616),             # get_int.0029: int64
    ([bits.GET_INT, 64, 64, SIGNED], LONG, -8535856707940741232),    # get_int.0032
])
def test_read(payload, blob, expected):
    assert read(payload, blob) == expected


@pytest.mark.parametrize("payload, blob, code", [
    ([bits.RESIZE, 0, 0, GROW_ONLY], BLOB, PARAMETER),               # resize.0003
    ([bits.RESIZE, 8, 0, SHRINK_ONLY], BLOB, PARAMETER),             # resize.0018
    ([bits.RESIZE, 3, 0, GROW_ONLY | SHRINK_ONLY], BLOB, PARAMETER),  # resize.0014
    ([bits.RESIZE, 2147483648, 0, 0], BLOB, PARAMETER),              # resize.0029
    ([bits.RESIZE, 8, 0, 99], BLOB, PARAMETER),                      # resize.0031
    ([bits.RESIZE, 8, PARTIAL, 0], BLOB, PARAMETER),                 # resize.0057
    ([bits.RESIZE, 8, CREATE_ONLY, 0], BLOB, BIN_EXISTS),            # resize.0052
    ([bits.INSERT, -6, b"\x11", 0], BLOB, PARAMETER),                # insert.0007
    ([bits.REMOVE, -6, 1, 0], BLOB, PARAMETER),                      # remove.0009
    ([bits.REMOVE, 0, 0, 0], BLOB, PARAMETER),                       # remove.0010
    ([bits.REMOVE, 3, 10, 0], BLOB, PARAMETER),                      # remove.0012
    ([bits.REMOVE, 4, 2, CREATE_ONLY | NO_FAIL], BLOB, PARAMETER),   # remove.0014
    ([bits.REMOVE, 0, 1, 0], b"", PARAMETER),                        # remove.0019
    ([bits.SET, 36, 8, b"\xff", 0], BLOB, OP_NOT_APPLICABLE),        # set.0004
    ([bits.SET, 40, 8, b"\x01", 0], BLOB, OP_NOT_APPLICABLE),        # set.0005
    ([bits.SET, -41, 1, b"\x80", 0], BLOB, PARAMETER),               # set.0007
    ([bits.SET, 0, 16, b"\x01", 0], BLOB, PARAMETER),                # set.0010
    ([bits.SET, 0, 8, b"U", 0], b"", OP_NOT_APPLICABLE),             # set.0027
    ([bits.SET_INT, 0, 65, 1, 0], BLOB, PARAMETER),                  # set_int.0004
    ([bits.SET_INT, 0, 64, 1, 0], BLOB, OP_NOT_APPLICABLE),          # set_int.0003
    ([bits.SET_INT, 36, 8, 1, PARTIAL], BLOB, PARAMETER),            # set_int.0019
    ([bits.SUBTRACT, 0, 8, 1, 0, 6], BLOB, PARAMETER),               # subtract.0054
    ([bits.GET, 0, 0], BLOB, PARAMETER),                             # get.0008
    ([bits.GET, 0, 41], BLOB, OP_NOT_APPLICABLE),                    # get.0010
    ([bits.COUNT, 40, 1], BLOB, OP_NOT_APPLICABLE),                  # count.0006
    ([bits.GET_INT, 0, 65, SIGNED], BLOB, PARAMETER),                # get_int.0020
    ([bits.LSCAN, 0, 40, True], b"", OP_NOT_APPLICABLE),             # lscan.0014
    ([55], BLOB, PARAMETER),                                         # b64_encode: 8.2 only
])
def test_errors(payload, blob, code):
    write = payload[0] < bits.GET
    assert error_code(payload, blob, write) == code


def test_missing_bin():
    # resize.0037, resize.0036, insert.0029, insert.0032, set.0028, get.0018
    assert bits.execute(values.ListValue([bits.RESIZE, 4, 0, 0]), MISSING, True) == (None, bytes(4))
    assert bits.execute(values.ListValue([bits.RESIZE, 0, 0, 0]), MISSING, True) == (None, MISSING)
    assert bits.execute(values.ListValue([bits.INSERT, 2, b"\x01", 0]), MISSING, True) == \
        (None, b"\x00\x00\x01")
    assert error_code([bits.INSERT, 0, b"\x01", UPDATE_ONLY], MISSING) == BIN_NOT_FOUND
    assert bits.execute(values.ListValue([bits.INSERT, 0, b"\x01", UPDATE_ONLY | NO_FAIL]),
                        MISSING, True) == (None, MISSING)
    assert error_code([bits.SET, 0, 8, b"U", 0], MISSING) == BIN_NOT_FOUND
    assert error_code([bits.RESIZE, 4, 0, SHRINK_ONLY], MISSING) == PARAMETER
    assert read([bits.GET, 0, 40], MISSING) is None


@pytest.mark.parametrize("bin_value", [7, "abc", values.HLL(b"\x00\x04"), values.Blob(b"x", 9)])
def test_non_blob_bin(bin_value):
    # resize.0044, resize.0048, count.0018
    assert error_code([bits.RESIZE, 4, 0, 0], bin_value) == BIN_TYPE
    assert error_code([bits.COUNT, 0, 8], bin_value, write=False) == BIN_TYPE
