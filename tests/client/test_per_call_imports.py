"""No import statement runs on a command's per-call path: a function-level import costs
~1.9 us per call on CPython (import machinery in C, with module-spec checks) and runs
importlib's Python code on PyPy whenever the JIT has not compiled it away. Each call below
runs once first (a lazy holder may import at its first use), then once counted: every
IMPORT_NAME opcode executed in this project's frames (aerospike_cffi, aerospike_helpers)
during the second call is one too many. The answers themselves are other tests' business;
the calls run against the test server (dev or real) as they come."""

import dis
import os
import sys
import warnings

import pytest

import aerospike_cffi as aerospike
import aerospike_helpers
from aerospike_cffi import predicates as p
from aerospike_helpers import cdt_ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.batch import records as br

NS = "test"
SET = "perimp-%d" % os.getpid()
INDEX = "perimp%d" % os.getpid()
_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
_OURS = tuple(os.path.dirname(m.__file__) + os.sep for m in (aerospike, aerospike_helpers))
FIRST = [cdt_ctx.cdt_ctx_list_index(0)]
PLUS_ONE = exp.Add(exp.IntBin("n"), 1).compile()


def imports_run(call):
    """(function, line) of each import statement run in our frames during ``call()``."""
    seen = []

    def trace(frame, event, _arg):
        if event == "call":
            if not frame.f_code.co_filename.startswith(_OURS):
                return None
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
        elif event == "opcode" and frame.f_code.co_code[frame.f_lasti] == _IMPORT_NAME:
            seen.append((frame.f_code.co_name, frame.f_lineno))
        return trace

    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(None)
    return seen


def _query_apply(c):
    c.query(NS, SET).apply("no_such_module", "f", [1, "a", [2.5, {"k": None}]])


def _scan_apply(c):
    c.scan(NS, SET).apply("no_such_module", "f", [1])


def _query_where_ctx(c):
    c.query(NS, SET).where(p.contains("l", aerospike.INDEX_TYPE_LIST, 1), FIRST)


def _query_where_expr(c):
    c.query(NS, SET).where_with_expr(PLUS_ONE, p.equals(None, 2))


def _batch_apply(c):
    c.batch_apply([(NS, SET, 1), (NS, SET, 2)], "no_such_module", "f", [1, "a"])


def _batch_write_apply(c):
    c.batch_write(br.BatchRecords([br.Apply((NS, SET, 1), "no_such_module", "f", [1])]))


def _batch_read(c):
    c.batch_read([(NS, SET, 1), (NS, SET, 2)])


def _index_expr_create(c):
    c.index_expr_create(NS, SET, aerospike.INDEX_TYPE_DEFAULT, aerospike.INDEX_NUMERIC,
                        PLUS_ONE, INDEX + "e")


def _index_ctx_create(c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        c.index_cdt_create(NS, SET, "l", aerospike.INDEX_TYPE_DEFAULT, aerospike.INDEX_NUMERIC,
                           INDEX + "c", FIRST)


CALLS = {
    "query apply": _query_apply,
    "scan apply": _scan_apply,
    "query where with ctx": _query_where_ctx,
    "query where_with_expr": _query_where_expr,
    "batch_apply": _batch_apply,
    "batch_write of an Apply": _batch_write_apply,
    "batch_read": _batch_read,
    "index_expr_create": _index_expr_create,
    "index_cdt_create (ctx)": _index_ctx_create,
    "get_key_partition_id": lambda c: c.get_key_partition_id(NS, SET, 1),
    "get_expression_base64": lambda c: c.get_expression_base64(PLUS_ONE),
    "get_cdtctx_base64": lambda c: c.get_cdtctx_base64(FIRST),
}


@pytest.fixture(scope="module")
def indexes_removed(client):
    yield
    for suffix in ("e", "c"):
        try:
            client.index_remove(NS, INDEX + suffix)
        except aerospike.exception.AerospikeError:
            pass


@pytest.mark.parametrize("name", sorted(CALLS))
def test_no_import_statement_per_call(client, indexes_removed, name):
    call = CALLS[name]

    def run():
        try:
            call(client)
        except aerospike.exception.AerospikeError:  # a server's refusal is not the point
            pass

    run()
    assert imports_run(run) == []


def test_the_counter_sees_a_function_level_import():
    """The tracer counts what it should: a function of ours with an import statement."""
    def bad_geo_args():  # predicates' error path imports ParamError when it raises it
        with pytest.raises(aerospike.exception.ParamError):
            p._check_geo_args("point", 1, 0.0, 0.0)

    assert imports_run(bad_geo_args) \
        == [("_check_geo_args", p._check_geo_args.__code__.co_firstlineno + 4)]
