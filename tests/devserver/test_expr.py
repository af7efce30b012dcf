"""The dev server's expression evaluator against answers recorded from a real
Aerospike 8.1.2 server (tests/data/server-cases/expr.jsonl; case ids are given).

Expressions are the wire bytes the official client 19.3.0 compiles
(``client.get_expression_base64``), the source expression is in the comment.
"""

import time

import pytest

from aerospike_cffi.testing import expr, values
from aerospike_cffi.testing.errors import (
    BIN_EXISTS,
    BIN_NOT_FOUND,
    OP_NOT_APPLICABLE,
    PARAMETER,
    ServerError,
)
from aerospike_cffi.testing.ripemd160 import ripemd160
from aerospike_cffi.testing.values import GeoJSON, HLL, ListValue, MapValue, MISSING

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
EVAL_NO_FAIL, CREATE_ONLY, UPDATE_ONLY, ALLOW_DELETE, POLICY_NO_FAIL = 16, 1, 2, 4, 8

POINT = '{"type": "Point", "coordinates": [-122.0, 37.5]}'
POLYGON = ('{"type": "Polygon", "coordinates": [[[-123.0, 37.0], [-121.0, 37.0], '
           '[-121.0, 38.0], [-123.0, 38.0], [-123.0, 37.0]]]}')
HLL_5 = bytes.fromhex(  # bin 'h' of expr.hll.*: 8 index bits, 5 elements
    "0008" + "00" * 76 + "30" + "00" * 6 + "80" + "00" * 13 + "40" + "00" * 96 + "80"
    + "0000000001" + "00")

EXPRS = {
    # exp.Add(exp.IntBin("i"), 5)
    "add_int": "9314935102a16905",
    # exp.Add(exp.IntBin("big"), 1)
    "add_overflow": "9314935102a362696701",
    # exp.Add(0.1, 0.2)
    "add_float": "9314cb3fb999999999999acb3fc999999999999a",
    # exp.Add(exp.IntBin("i"), exp.FloatBin("f"))
    "add_mixed": "9314935102a169935107a166",
    # exp.Add(exp.IntBin("missing"), 1)
    "add_missing": "9314935102a76d697373696e6701",
    # exp.Sub(exp.IntBin("n"))
    "sub_neg": "9215935102a16e",
    # exp.Sub(-9223372036854775808, 1)
    "sub_min": "9315d3800000000000000001",
    # exp.Mul(exp.IntBin("big"), 2)
    "mul_overflow": "9316935102a362696702",
    # exp.Div(exp.IntBin("n"), 2)
    "div_trunc": "9317935102a16e02",
    # exp.Div(exp.FloatBin("f"))
    "div_one": "9217935107a166",
    # exp.Div(exp.IntBin("i"), 0)
    "div_zero": "9317935102a16900",
    # exp.Div(exp.FloatBin("f"), 0.0)
    "div_fzero": "9317935107a166cb0000000000000000",
    # exp.Div(0.0, 0.0)
    "div_nan": "9317cb0000000000000000cb0000000000000000",
    # exp.Div(-9223372036854775808, -1)
    "div_crash": "9317d38000000000000000ff",
    # exp.Mod(exp.IntBin("min"), -1)
    "mod_crash": "931a935102a36d696eff",
    # exp.Mod(exp.IntBin("n"), 3)
    "mod_neg": "931a935102a16e03",
    # exp.Mod(exp.IntBin("i"), 0)
    "mod_zero": "931a935102a16900",
    # exp.Mod(exp.FloatBin("f"), 2.0)
    "mod_float": "931a935107a166cb4000000000000000",
    # exp.Pow(exp.FloatBin("nf"), 0.5)
    "pow_nan": "9318935107a26e66cb3fe0000000000000",
    # exp.Pow(10.0, 400.0)
    "pow_inf": "9318cb4024000000000000cb4079000000000000",
    # exp.Pow(exp.IntBin("i"), 2)
    "pow_int": "9318935102a16902",
    # exp.Log(0.0, 2.0)
    "log_zero": "9319cb0000000000000000cb4000000000000000",
    # exp.Log(8.0, 1.0)
    "log_base1": "9319cb4020000000000000cb3ff0000000000000",
    # exp.Abs(-9223372036854775808)
    "abs_min": "921bd38000000000000000",
    # exp.Floor(exp.FloatBin("nf"))
    "floor_neg": "921c935107a26e66",
    # exp.Ceil(exp.IntBin("i"))
    "ceil_int": "921d935102a169",
    # exp.ToInt(1e+30)
    "to_int_big": "921ecb46293e5939a08cea",
    # exp.ToInt(float("nan"))
    "to_int_nan": "921ecb7ff8000000000000",
    # exp.ToFloat(exp.IntBin("big"))
    "to_float_big": "921f935102a3626967",
    # exp.Min(exp.IntBin("i"), exp.IntBin("n"), 3)
    "min_ints": "9432935102a169935102a16e03",
    # exp.Max(exp.IntBin("i"), exp.FloatBin("f"))
    "max_mixed": "9333935102a169935107a166",
    # exp.IntXOr(exp.IntBin("i"), exp.IntBin("n"), 3)
    "int_xor3": "9422935102a169935102a16e03",
    # exp.IntLeftShift(1, 64)
    "lshift_64": "93240140",
    # exp.IntLeftShift(1, -1)
    "lshift_neg": "932401ff",
    # exp.IntRightShift(exp.IntBin("n"), 1)
    "rshift_logical": "9325935102a16e01",
    # exp.IntArithmeticRightShift(exp.IntBin("n"), 70)
    "arshift_70": "9326935102a16e46",
    # exp.IntCount(exp.IntBin("n"))
    "count_neg": "9227935102a16e",
    # exp.IntLeftScan(exp.IntBin("i"), True)
    "lscan_true": "9328935102a169c3",
    # exp.IntLeftScan(0, True)
    "lscan_zero": "932800c3",
    # exp.IntRightScan(exp.IntBin("i"), False)
    "rscan_false": "9329935102a169c2",
    # exp.Eq(exp.StrBin("s"), "hello")
    "eq_str": "9301935103a173a60368656c6c6f",
    # exp.GT(exp.StrBin("s"), "hell")
    "gt_str_prefix": "9303935103a173a50368656c6c",
    # exp.LT(exp.BlobBin("b"), b"\x01\x02")
    "lt_blob": "9305935106a162a3040102",
    # exp.GT(exp.ListBin("l"), [1, 2])
    "gt_list": "9303935104a16c927e920102",
    # exp.Eq(exp.MapBin("m"), {"b": 2, "a": 1, "c": [1]})
    "eq_map_unordered": "9301935105a16d83a2036101a2036202a203639101",
    # exp.Eq(exp.BoolBin("t"), True)
    "eq_bool": "9301935101a174c3",
    # exp.GT(exp.BoolBin("t"), False)
    "gt_bool": "9303935101a174c2",
    # exp.Eq(exp.IntBin("i"), 10.0)
    "eq_int_float": "9301935102a169cb4024000000000000",
    # exp.Eq(exp.IntBin("s"), 10)
    "eq_wrong_bin_type": "9301935102a1730a",
    # exp.And(exp.Eq(exp.IntBin("missing"), 1), exp.Eq(exp.IntBin("i"), 11))
    "and_unknown_false": "93109301935102a76d697373696e67019301935102a1690b",
    # exp.And(exp.Eq(exp.IntBin("i"), 10), exp.Eq(exp.IntBin("missing"), 1))
    "and_true_unknown": "93109301935102a1690a9301935102a76d697373696e6701",
    # exp.Or(exp.Eq(exp.IntBin("missing"), 1), exp.Eq(exp.IntBin("i"), 10))
    "or_unknown_true": "93119301935102a76d697373696e67019301935102a1690a",
    # exp.Not(exp.Eq(exp.IntBin("missing"), 1))
    "not_unknown": "92129301935102a76d697373696e6701",
    # exp.Exclusive(exp.Eq(exp.IntBin("i"), 10), exp.Eq(exp.IntBin("i"), 10))
    "xor_two_true": "93139301935102a1690a9301935102a1690a",
    # exp.Exclusive(exp.Eq(exp.IntBin("i"), 11), exp.Eq(exp.IntBin("i"), 11), exp.Eq(exp.IntB...
    "xor_one_true": "94139301935102a1690b9301935102a1690b9301935102a1690a",
    # exp.And(exp.Eq(exp.IntBin("i"), 10))
    "and_one_arg": "92109301935102a1690a",
    # exp.Not(exp.IntBin("i"))
    "not_int": "9212935102a169",
    # exp.IntBin("i")
    "int_bin": "935102a169",
    # exp.Unknown()
    "unknown": "9100",
    # exp.Cond(exp.Eq(exp.IntBin("i"), 10), "ten", "other")
    "cond_str": "947b9301935102a1690aa40374656ea6036f74686572",
    # exp.Cond(exp.Eq(exp.IntBin("i"), 10), 1, "a")
    "cond_mixed": "947b9301935102a1690a01a20361",
    # exp.Cond(exp.Eq(exp.IntBin("i"), 11), 1, exp.Unknown())
    "cond_unknown_branch": "947b9301935102a1690b019100",
    # exp.Cond(exp.Eq(exp.IntBin("i"), 11), 1)
    "cond_no_default": "937b9301935102a1690b01",
    # exp.Let(exp.Def("x", exp.Add(exp.IntBin("i"), 1)), exp.Mul(exp.Var("x"), exp.Var("x")))
    "let_square": "947da1789314935102a169019316927ca178927ca178",
    # exp.Let(exp.Def("x", 1), exp.Let(exp.Def("x", 5), exp.Var("x")))
    "let_shadow": "947da17801947da17805927ca178",
    # exp.Let(exp.Def("x", exp.IntBin("missing")), 7)
    "let_unused_unknown": "947da178935102a76d697373696e6707",
    # exp.Var("nope")
    "var_undefined": "927ca46e6f7065",
    # exp.DigestMod(3)
    "digest_mod3": "924003",
    # exp.DigestMod(0)
    "digest_mod0": "924000",
    # exp.DigestMod(-1)
    "digest_mod_neg": "9240ff",
    # exp.SetName()
    "set_name": "9146",
    # exp.KeyExists()
    "key_exists": "9147",
    # exp.KeyInt()
    "key_int": "925002",
    # exp.KeyStr()
    "key_str": "925003",
    # exp.TTL()
    "ttl": "9145",
    # exp.VoidTime()
    "void_time": "9144",
    # exp.SinceUpdateTime()
    "since_update": "9143",
    # exp.LastUpdateTime()
    "last_update": "9142",
    # exp.RecordSize()
    "record_size": "914a",
    # exp.BinExists("missing")
    "bin_exists": "93029252a76d697373696e6700",
    # exp.BinType("l")
    "bin_type_list": "9252a16c",
    # exp.BinType("g")
    "bin_type_geo": "9252a167",
    # exp.IsTombstone()
    "is_tombstone": "9148",
    # exp.GeoBin("g")
    "geo_bin": "935108a167",
    # exp.CmpRegex(aerospike.REGEX_NONE, "l+o$", exp.StrBin("s"))
    "regex_bre_plus": "940700a46c2b6f24935103a173",
    # exp.CmpRegex(aerospike.REGEX_EXTENDED, "l+o$", exp.StrBin("s"))
    "regex_ere_plus": "940701a46c2b6f24935103a173",
    # exp.CmpRegex(aerospike.REGEX_ICASE, "^HE", exp.StrBin("s"))
    "regex_icase": "940702a35e4845935103a173",
    # exp.CmpRegex(aerospike.REGEX_NONE, "^[a-z]\\{5\\}$", exp.StrBin("s"))
    "regex_bre_interval": "940700ac5e5b612d7a5d5c7b355c7d24935103a173",
    # exp.CmpRegex(aerospike.REGEX_NOSUB, "h(e)l", exp.StrBin("s"))
    "regex_nosub_flag": "940704a5682865296c935103a173",
    # exp.CmpRegex(aerospike.REGEX_NEWLINE, "^b", "a\nb")
    "regex_newline_flag": "940708a25e62a403610a62",
    # exp.CmpRegex(aerospike.REGEX_EXTENDED, "^[[:alpha:]]+$", exp.StrBin("s"))
    "regex_class": "940701ae5e5b5b3a616c7068613a5d5d2b24935103a173",
    # exp.CmpRegex(aerospike.REGEX_EXTENDED, "(", exp.StrBin("s"))
    "regex_bad": "940701a128935103a173",
    # exp.CmpRegex(aerospike.REGEX_NONE, "1", exp.IntBin("i"))
    "regex_int": "940700a131935102a169",
    # exp.CmpRegex(aerospike.REGEX_NONE, "", exp.StrBin("s"))
    "regex_empty": "940700a0935103a173",
    # exp.CmpGeo(exp.GeoBin("g"), <polygon around (-122, 37.5)>)
    "geo_point_in_polygon": ("9308935108a167d977177b2274797065223a2022506f6c79676f6e222c20"
        "22636f6f7264696e61746573223a205b5b5b2d3132332e302c2033372e30"
        "5d2c205b2d3132312e302c2033372e305d2c205b2d3132312e302c203338"
        "2e305d2c205b2d3132332e302c2033382e305d2c205b2d3132332e302c20"
        "33372e305d5d5d7d"),
    # exp.CmpGeo(exp.GeoBin("g"), <AeroCircle of 1000 m at (-122, 37.5)>)
    "geo_point_in_circle": ("9308935108a167d940177b2274797065223a20224165726f436972636c65"
        "222c2022636f6f7264696e61746573223a205b5b2d3132322e302c203337"
        "2e355d2c20313030302e305d7d"),
    # exp.CmpGeo(exp.GeoBin("gp"), <Point (10, 10)>)
    "geo_polygon_has_far_point": ("9308935108a26770d92f177b2274797065223a2022506f696e74222c2022"
        "636f6f7264696e61746573223a205b31302e302c2031302e305d7d"),
    # exp.CmpGeo(exp.GeoBin("g"), <Point (-122, 37.5)>)
    "geo_point_point": ("9308935108a167d931177b2274797065223a2022506f696e74222c202263"
        "6f6f7264696e61746573223a205b2d3132322e302c2033372e355d7d"),
    # exp.BitGet(4, 8, exp.BlobBin("bits"))
    "bit_get": "957f060193320408935106a462697473",
    # exp.BitGet(30, 8, exp.BlobBin("bits"))
    "bit_get_past_end": "957f060193321e08935106a462697473",
    # exp.BitCount(0, 32, exp.BlobBin("bits"))
    "bit_count": "957f020193330020935106a462697473",
    # exp.BitAdd(None, 8, 8, 1, aerospike.BIT_OVERFLOW_WRAP, exp.BlobBin("bits"))
    "bit_add_wrap": "957f0641960a0808010004935106a462697473",
    # exp.BitGet(0, 8, exp.BlobBin("s"))
    "bit_on_string_bin": "957f060193320008935106a173",
    # exp.HLLDescribe(exp.HLLBin("h"))
    "hll_describe": "957f04029137935109a168",
    # exp.HLLGetCount(exp.HLLAdd(None, ["z", "y"], 8, 0, exp.HLLBin("h")))
    "hll_count_after_add": "957f02029132957f09429501927e92a2037aa20379080000935109a168",
    # exp.ListSize(None, exp.ListBin("l"))
    "list_size": "957f02009110935104a16c",
    # exp.ListGetByIndex(None, aerospike.LIST_RETURN_VALUE, exp.ResultType.INTEGER, 3, exp.Li...
    "list_get_wrong_type": "957f020093130703935104a16c",
    # exp.MapGetKeys(exp.MapBin("m"))
    "map_keys": "9265935105a16d",
    # exp.MapGetValues(exp.MapBin("m"))
    "map_values": "9266935105a16d",
    # exp.Val(None)
    "val_none": "c0",
    # exp.Val([1, {"a": 2}])
    "val_list": "927e920181a2036102",
    # exp.Val({"b": 1, "a": 2})
    "val_map": "82a2036102a2036201",
    # exp.Val(KeyOrderedDict({"b": 1, "a": 2}))
    "val_kodict": "83c70001c0a2036102a2036201",
    # exp.Val(<Point (-122, 37.5)>)
    "val_geo": ("d931177b2274797065223a2022506f696e74222c2022636f6f7264696e61"
        "746573223a205b2d3132322e302c2033372e355d7d"),
    # exp.Val(b"\x00")
    "val_blob": "a20400",}


def wire(name):
    return bytes.fromhex(EXPRS[name])


class Record:
    """What the server core hands the evaluator (its RecordContext)."""

    def __init__(self, bins, key="golden-key", key_stored=False, void_time=0):
        self.bins = dict(bins)
        self.set_name = "golden"
        self.key = key if key_stored else None
        key_bytes = (b"\x01" + key.to_bytes(8, "big", signed=True) if isinstance(key, int)
                     else b"\x03" + key.encode())
        self.digest = ripemd160(b"golden" + key_bytes)
        self.void_time = void_time
        self.last_update_time = time.time_ns() - 5000000
        self.record_size = 176
        self.device_size = 0
        self.memory_size = 176
        self.is_tombstone = False


def standard_bins():
    """The record of most expr.jsonl cases."""
    return {
        "i": 10, "n": -7, "big": INT64_MAX, "min": INT64_MIN, "f": 2.5, "nf": -1.5,
        "s": "hello", "b": b"\x01\x02", "l": ListValue([1, 2, 3, "a"]),
        "m": MapValue([["a", 1], ["b", 2], ["c", ListValue([1])]]), "t": True,
        "sl": ListValue([3, 1, 2, 1]), "g": GeoJSON(POINT), "gp": GeoJSON(POLYGON),
        "bits": bytes.fromhex("aaff000f"), "h": HLL(HLL_5),
    }


@pytest.fixture
def rec():
    return Record(standard_bins())


def payload(name, flags=None):
    """An expression op payload: msgpack [expression, flags]."""
    if flags is None:
        return b"\x91" + wire(name)
    return b"\x92" + wire(name) + values.pack(flags)


def read(name, rec, flags=None):
    result, new = expr.execute(payload(name, flags), rec, "r", False)
    assert new is MISSING
    return result


def error_code(fn, *args):
    with pytest.raises(ServerError) as info:
        fn(*args)
    return info.value.code


def same(a, b):
    """Equal values of the same Python type (1 == 1.0 == True is not enough)."""
    if isinstance(a, float) and a != a:
        return isinstance(b, float) and b != b
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------- reads

@pytest.mark.parametrize("name, expected", [
    ("add_int", 15),                                   # arith.0001
    ("add_overflow", INT64_MIN),                       # arith.0006: wraps
    ("add_float", 0.30000000000000004),                # arith.0009
    ("sub_neg", 7),                                    # arith.0012: one arg negates
    ("sub_min", INT64_MAX),                            # arith.0015
    ("mul_overflow", -2),                              # arith.0018
    ("div_trunc", -3),                                 # arith.0022: toward zero
    ("div_one", 0.4),                                  # arith.0028: one arg inverts
    ("div_fzero", float("inf")),                       # arith.0024
    ("div_nan", float("nan")),                         # arith.0029
    ("mod_neg", -1),                                   # arith.0043: sign of the dividend
    ("pow_nan", float("nan")),                         # arith.0032
    ("pow_inf", float("inf")),                         # arith.0035
    ("log_zero", float("-inf")),                       # arith.0039
    ("log_base1", float("inf")),                       # arith.0040
    ("abs_min", INT64_MIN),                            # arith.0050
    ("floor_neg", -2.0),                               # arith.0053
    ("to_int_big", INT64_MIN),                         # arith.0060
    ("to_int_nan", INT64_MIN),                         # arith.0062
    ("to_float_big", 9.223372036854776e18),            # arith.0067
    ("min_ints", -7),                                  # arith.0068
    ("int_xor3", -16),                                 # arith.0083
    ("lshift_64", 1),                                  # arith.0088: shift count mod 64
    ("lshift_neg", INT64_MIN),                         # arith.0091
    ("rshift_logical", 9223372036854775804),           # arith.0092
    ("arshift_70", -1),                                # arith.0097
    ("count_neg", 62),                                 # arith.0099
    ("lscan_true", 60),                                # arith.0101
    ("lscan_zero", -1),                                # arith.0103
    ("rscan_false", 63),                               # arith.0106
    ("eq_str", True),
    ("gt_str_prefix", True),                           # cmp.0035
    ("lt_blob", False),                                # cmp.0060
    ("gt_list", True),                                 # cmp.0038
    ("eq_bool", True),                                 # cmp.0016
    ("gt_bool", True),                                 # cmp.0040
    ("and_unknown_false", False),                      # logic.0028: false wins
    ("or_unknown_true", True),                         # logic.0034: true wins
    ("xor_two_true", False),                           # logic.0018
    ("xor_one_true", True),                            # logic.0024
    ("cond_str", "ten"),                               # cond.0001
    ("let_square", 121),                               # let.0001
    ("let_unused_unknown", 7),                         # let.0005: unused unknown var
    ("digest_mod3", 1),                                # meta.0003
    ("digest_mod_neg", 0),                             # meta.0017
    ("set_name", "golden"),                            # meta.0002
    ("key_exists", False),                             # meta.0001
    ("ttl", -1),                                       # meta.0011
    ("void_time", -1),                                 # meta.0012
    ("record_size", 176),                              # meta.0008
    ("bin_exists", False),                             # meta.0007
    ("bin_type_list", 20),                             # meta.0025
    ("bin_type_geo", 23),                              # meta.0029
    ("is_tombstone", False),                           # meta.0005
    ("geo_bin", GeoJSON(POINT)),
    ("regex_bre_plus", False),                         # regex.0009: '+' is literal in BRE
    ("regex_ere_plus", True),                          # regex.0007
    ("regex_icase", True),                             # regex.0005
    ("regex_bre_interval", True),                      # regex.0027
    ("regex_nosub_flag", False),                       # regex.0023
    ("regex_newline_flag", False),                     # regex.0019
    ("regex_class", True),
    ("regex_empty", True),                             # regex.0031
    ("geo_point_in_polygon", True),                    # geo.0001
    ("geo_point_in_circle", True),                     # geo.0003
    ("geo_polygon_has_far_point", False),              # geo.0007
    ("geo_point_point", False),                        # geo.0019
    ("bit_get", b"\xaf"),                              # bit.0002
    ("bit_count", 16),                                 # bit.0004
    ("bit_add_wrap", bytes.fromhex("aa00000f")),       # bit.0025: modify returns the blob
    ("hll_describe", [8, 0]),                          # hll.0002
    ("hll_count_after_add", 7),                        # hll.0017
    ("map_keys", ["a", "b", "c"]),                     # map.0054
    ("map_values", [1, 2, [1]]),                       # map.0055
    ("val_none", None),
    ("val_list", [1, MapValue([["a", 2]])]),
    ("val_blob", b"\x00"),
])
def test_read(rec, name, expected):
    got = read(name, rec)
    assert same(got, expected) or (isinstance(expected, list) and got == expected), got


def test_read_does_not_change_the_record(rec):
    before = standard_bins()
    read("bit_add_wrap", rec)
    read("hll_count_after_add", rec)
    assert rec.bins == before


def test_map_literal_keeps_its_order_flag(rec):
    assert read("val_map", rec) == MapValue([["a", 2], ["b", 1]])   # write.0072
    assert read("val_map", rec).flags == 0
    assert read("val_kodict", rec).flags == 1                       # write.0074


@pytest.mark.parametrize("name", [
    "add_missing",            # arith.0005: missing bin
    "div_zero",               # arith.0023
    "mod_zero",               # arith.0045
    "eq_wrong_bin_type",      # cmp.0094: int bin read from a string bin
    "eq_map_unordered",       # cmp.0118: unordered maps do not compare
    "and_true_unknown",       # logic.0030
    "not_unknown",            # logic.0038
    "cond_unknown_branch",    # cond.0007
    "key_int",                # meta.0014: key not stored
    "bit_get_past_end",       # bit.0003: engine error
    "list_get_wrong_type",    # list.0005: call result of another type
    "bit_on_string_bin",      # bit.0030
])
def test_unknown_fails_the_read(rec, name):
    assert error_code(read, name, rec) == OP_NOT_APPLICABLE
    assert read(name, rec, EVAL_NO_FAIL) is None        # arith.0109, bin_type.0011


@pytest.mark.parametrize("name", [
    "add_mixed",              # arith.0004: int + float
    "mod_float",              # arith.0046
    "pow_int",                # arith.0033
    "ceil_int",               # arith.0057
    "max_mixed",              # arith.0074
    "eq_int_float",           # cmp.0081
    "and_one_arg",            # logic.0042
    "not_int",                # logic.0050
    "cond_mixed",             # cond.0005
    "cond_no_default",        # cond.0010
    "let_shadow",             # let.0003: a name is defined once
    "var_undefined",          # let.0008
    "digest_mod0",            # meta.0016
    "regex_bad",              # regex.0011
    "regex_int",              # regex.0015
])
def test_invalid_expressions(rec, name):
    assert error_code(read, name, rec) == PARAMETER
    assert error_code(read, name, rec, EVAL_NO_FAIL) == PARAMETER   # arith.0111


def test_integer_traps_of_the_real_server_do_not_crash(rec):
    # crashers.jsonl: the real server dies with SIGFPE on these.
    assert read("div_crash", rec) == INT64_MIN
    assert read("mod_crash", rec) == 0


def test_record_metadata():
    now = int(time.time()) - expr.CITRUSLEAF_EPOCH
    rec = Record({"i": 1}, key=42, key_stored=True, void_time=now + 1000)
    assert 990 <= read("ttl", rec) <= 1000                             # meta.0051
    assert read("void_time", rec) == (now + 1000 + expr.CITRUSLEAF_EPOCH) * 10 ** 9
    assert 0 <= read("since_update", rec) < 60000                      # meta.0044
    assert read("last_update", rec) > 1600000000000000000              # meta.0038
    assert read("key_exists", rec) is True                             # key.0001
    assert read("key_int", rec) == 42                                  # key.0002
    assert error_code(read, "key_str", rec) == OP_NOT_APPLICABLE       # key.0003


# ---------------------------------------------------------------- filters

@pytest.mark.parametrize("name, expected", [
    ("eq_str", True),
    ("and_unknown_false", False),
    ("and_true_unknown", expr.UNKNOWN),      # filter.0019: filtered out like false
    ("eq_map_unordered", expr.UNKNOWN),
    ("unknown", expr.UNKNOWN),               # logic.0053
])
def test_filter(rec, name, expected):
    assert expr.evaluate(wire(name), rec) is expected
    assert not expr.UNKNOWN


def test_filter_must_be_boolean(rec):
    assert error_code(expr.evaluate, wire("int_bin"), rec) == PARAMETER   # logic.0051


def test_decoded_expressions_are_accepted(rec):
    # The core may hand over the msgpack-decoded payload; an empty raw regex
    # must survive the round trip.
    decoded = values.unpack(payload("regex_empty"))
    assert expr.execute(decoded, rec, "r", False) == (True, MISSING)
    assert expr.evaluate(values.unpack(wire("eq_str")), rec) is True
    compiled = expr.compile_expression(wire("eq_str"))
    assert expr.evaluate(compiled, rec) is True


def test_bad_payloads(rec):
    assert error_code(expr.execute, b"\x90", rec, "r", False) == PARAMETER
    assert error_code(expr.execute, payload("add_int", EVAL_NO_FAIL | CREATE_ONLY),
                      rec, "r", False) == PARAMETER    # a write flag on a read
    assert error_code(expr.evaluate, wire("add_int") + b"\x00", rec) == PARAMETER
    assert error_code(expr.evaluate, b"\x92\x01\x05", rec) == PARAMETER


# ---------------------------------------------------------------- writes

def write(name, rec, bin_name, flags=None):
    result, new = expr.execute(payload(name, flags), rec, bin_name, True)
    assert result is None
    return new


@pytest.mark.parametrize("name, bin_name, flags, expected", [
    ("add_int", "w", None, 15),                                   # write.0001
    ("add_int", "i", None, 15),                                   # write.0002
    ("val_none", "w", None, MISSING),                             # write.0003
    ("val_none", "i", ALLOW_DELETE, None),                        # write.0028: deletes
    ("val_none", "i", POLICY_NO_FAIL, MISSING),                   # write.0034
    ("val_none", "i", UPDATE_ONLY, MISSING),                      # write.0022: any flag keeps it
    ("add_int", "i", CREATE_ONLY | POLICY_NO_FAIL, MISSING),      # write.0044
    ("div_zero", "i", CREATE_ONLY | POLICY_NO_FAIL, MISSING),     # write.0047: not evaluated
    ("add_int", "w", UPDATE_ONLY | POLICY_NO_FAIL, MISSING),      # write.0049
    ("div_zero", "i", EVAL_NO_FAIL, MISSING),                     # write.0041
    ("val_geo", "w", None, GeoJSON(POINT)),                       # write.0070
    ("eq_str", "w", None, True),                                  # write.0068
])
def test_write(rec, name, bin_name, flags, expected):
    got = write(name, rec, bin_name, flags)
    assert got is expected if expected is MISSING or expected is None else same(got, expected)


@pytest.mark.parametrize("name, bin_name, flags, code", [
    ("val_none", "i", None, OP_NOT_APPLICABLE),                   # write.0004: would delete
    ("div_zero", "i", None, OP_NOT_APPLICABLE),                   # write.0005
    ("add_int", "i", CREATE_ONLY, BIN_EXISTS),                    # write.0014
    ("add_int", "w", UPDATE_ONLY, BIN_NOT_FOUND),                 # write.0019
    ("div_zero", "i", UPDATE_ONLY | POLICY_NO_FAIL, OP_NOT_APPLICABLE),  # write.0053
    ("add_int", "w", 32, PARAMETER),                              # unknown flag
])
def test_write_errors(rec, name, bin_name, flags, code):
    assert error_code(write, name, rec, bin_name, flags) == code


def test_written_collections_are_copies(rec):
    first = write("val_list", rec, "w")
    first.append(99)
    assert write("val_list", rec, "w") == [1, MapValue([["a", 2]])]


@pytest.mark.parametrize("pattern, flags, subject, matches", [
    ("a\\|b", 0, "b", True),              # GNU alternation in basic syntax
    ("a|b", 0, "b", False),               # ... where a bare '|' is literal
    ("\\(ab\\)*c", 0, "ababc", True),
    ("*a", 0, "x*a", True),               # a leading '*' is literal in basic syntax
    ("[]a]", 1, "]", True),
    ("[^]a]", 1, "a", False),
    ("[\\d]", 1, "\\", True),             # no escapes inside brackets
    ("[[:digit:]]+", 1, "ab12", True),
    ("^a.c$", 0, "a\nc", True),           # without REG_NEWLINE '.' matches a newline
    ("^a.c$", 4, "a\nc", False),
    ("^b", 4, "a\nb", True),              # REG_NEWLINE: '^' after a newline
    ("x$", 0, "x\n", False),
    ("a{2}", 0, "a{2}", True),
])
def test_posix_regex_syntax(pattern, flags, subject, matches):
    assert (expr._posix_to_python(pattern, flags).search(subject) is not None) is matches
