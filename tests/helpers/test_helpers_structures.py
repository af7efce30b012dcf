"""Our helpers build exactly the official structures: op dicts, compiled expressions,
cdt_ctx objects, batch records and policies, compared with the official outputs recorded
in tests/data/helpers_expected.json for the same calls (helpers_cases.py)."""

import json
import os

import aerospike_cffi
import pytest

from helpers_cases import Helpers, build_cases
from helpers_encoding import describe_call, unordered

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def _load(name):
    with open(os.path.join(DATA, name)) as file:
        return json.load(file)


EXPECTED = _load("helpers_expected.json")
CASES = build_cases(_load("official_helpers_api.json"), Helpers(), aerospike_cffi)


def test_every_official_callable_is_exercised():
    assert set(CASES) == {case_id for case_id in EXPECTED if not case_id.startswith("codes#")}
    exercised = {case_id.split("#")[0] for case_id in CASES}
    assert len(exercised) >= 400  # every function and class of operations, expressions, cdt_ctx, batch...


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_same_structure_as_official(case_id):
    func, args, kwargs = CASES[case_id]
    assert unordered(describe_call(func, args, kwargs)) == unordered(EXPECTED[case_id])


def test_put_items_sends_keys_in_order():
    # The one place where dict order is part of the structure: map_put_items sorts its items.
    case_id = "aerospike_helpers.operations.map_operations.map_put_items#min"
    func, args, kwargs = CASES[case_id]
    assert describe_call(func, args, kwargs) == EXPECTED[case_id]


@pytest.mark.parametrize("name", ["_ExprOp", "_Keys"])
def test_expression_codes(name):
    from aerospike_helpers.expressions import resources

    codes = {k: v for k, v in vars(getattr(resources, name)).items() if k.isupper()}
    assert codes == EXPECTED["codes#" + name]["result"]
