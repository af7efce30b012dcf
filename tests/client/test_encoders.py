"""The client-side encoders against what the official client 19.3.0 (C client 7.6.1) sends.

tests/data/encoders/*.json were recorded by gen_encoder_data.py (beside this file): op dicts
and compiled expressions built by the official aerospike_helpers, and the wire ops / filter
expression the official client put in its request for them, or the error it raised.  Here
we decode the same inputs and assert that aerospike_cffi encodes them to the same bytes.
"""

import base64
import json
import os
import warnings

import pytest

import aerospike_cffi
from aerospike_cffi import exception

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "encoders")


from aerospike_cffi import _expr, _ops


# ---------------------------------------------------------------- tagged JSON -> Python values

class Ctx:
    """Stands for aerospike_helpers.cdt_ctx._cdt_ctx: the encoders read id/value/extra_args."""

    def __init__(self, id, value, extra_args):
        self.id, self.value, self.extra_args = id, value, extra_args


def _hll(data):
    try:
        from aerospike_helpers import HyperLogLog
    except ImportError:  # pragma: no cover - helpers not importable
        HyperLogLog = type("HyperLogLog", (bytes,), {})
    return HyperLogLog(data)


def untag(v):
    if isinstance(v, list):
        return [untag(x) for x in v]
    if not isinstance(v, dict):
        return v
    (tag, x), = v.items()
    if tag == "$none":
        return None
    if tag == "$bool":
        return x
    if tag == "$float":
        return float(x)
    if tag == "$bytes":
        return bytes.fromhex(x)
    if tag == "$bytearray":
        return bytearray.fromhex(x)
    if tag == "$hll":
        return _hll(bytes.fromhex(x))
    if tag == "$map":
        return {untag(k): untag(e) for k, e in x}
    if tag == "$kodict":
        return aerospike_cffi.KeyOrderedDict((untag(k), untag(e)) for k, e in x)
    if tag == "$tuple":
        return tuple(untag(e) for e in x)
    if tag == "$geo":
        return aerospike_cffi.GeoJSON(x)
    if tag == "$wildcard":
        return aerospike_cffi.CDTWildcard()
    if tag == "$infinite":
        return aerospike_cffi.CDTInfinite()
    if tag == "$null":
        return aerospike_cffi.null()
    if tag == "$ctx":
        return Ctx(x[0], untag(x[1]), untag(x[2]))
    if tag == "$object":
        return object()
    raise ValueError("unknown tag %r" % tag)


def _load(name):
    with open(os.path.join(DATA, name + ".json")) as f:
        return json.load(f)


def _cases(name):
    return [pytest.param(rec, id=rec["id"]) for rec in _load(name)]


def _assert_error(excinfo, expected):
    err = excinfo.value
    assert (type(err).__name__, err.code, err.msg) == (expected["class"], expected["code"], expected["msg"])


# ---------------------------------------------------------------- operations

@pytest.mark.parametrize("rec", _cases("ops"))
def test_operations_encode_like_the_official(rec):
    ops = untag(rec["ops"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if "error" in rec:
            with pytest.raises(exception.AerospikeError) as excinfo:
                _ops.encode_operations(ops)
            _assert_error(excinfo, rec["error"])
            return
        plan = _ops.encode_operations(ops)
    got = [[t, p, name, payload.hex()] for t, name, p, payload in plan.wire]
    assert got == rec["wire"]["ops"]
    info1, info2, _ = rec["wire"]["info"]
    assert plan.has_read == bool(info1 & 1)
    assert plan.has_write == bool(info2 & 1)
    assert plan.respond_all_ops == bool(info2 & 128)


def test_encode_operation_returns_the_wire_op():
    op = {"op": aerospike_cffi.OP_LIST_APPEND, "bin": "l", "val": 7}
    assert _ops.encode_operation(op) == (_ops.CDT_MODIFY, "l", _ops.P_BLOB, bytes.fromhex("920107"))


def test_plan_keeps_return_types_and_touch_ttl():
    plan = _ops.encode_operations([
        {"op": aerospike_cffi.OP_MAP_GET_BY_KEY, "bin": "m", "key": "a",
         "return_type": aerospike_cffi.MAP_RETURN_ORDERED_MAP},
        {"op": aerospike_cffi.OPERATOR_TOUCH, "val": 100},
    ])
    assert plan.return_types == [aerospike_cffi.MAP_RETURN_ORDERED_MAP, None]
    assert plan.touch_ttl == 100


def test_out_of_bounds_enum_warns_like_the_official():
    op = {"op": aerospike_cffi.OP_LIST_SORT, "bin": "l", "sort_flags": 3}
    with pytest.warns(DeprecationWarning, match="sort_flags must be inclusively between 0 and 2"):
        _ops.encode_operation(op)


# ---------------------------------------------------------------- contexts

@pytest.mark.parametrize("rec", _cases("ctx"))
def test_cdt_ctx_base64_like_the_official(rec):
    ctx = untag(rec["ctx"])
    if "error" in rec:
        with pytest.raises(exception.AerospikeError) as excinfo:
            _ops.cdt_ctx_base64(ctx)
        _assert_error(excinfo, rec["error"])
    else:
        assert _ops.cdt_ctx_base64(ctx) == rec["b64"]


# ---------------------------------------------------------------- expressions

@pytest.mark.parametrize("rec", _cases("exprs"))
def test_expressions_compile_like_the_official(rec):
    expr = untag(rec["expr"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if "error" in rec:
            with pytest.raises(exception.AerospikeError) as excinfo:
                _expr.expression_base64(expr)
            _assert_error(excinfo, rec["error"])
            return
        assert _expr.compile_expression(expr).hex() == rec["filter"]
        assert _expr.expression_base64(expr) == rec["b64"]
