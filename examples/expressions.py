"""Filter expressions: let the server skip records (or fail a write) by a condition on
their bins and metadata, and read a computed value with expression_read."""

import aerospike_cffi as aerospike
from aerospike_cffi import exception
from _connect import run
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import expression_operations as expr_ops

NS, SET = "test", "examples_expr"


def main(client: aerospike.Client) -> None:
    for i in range(10):
        client.put((NS, SET, i), {"score": i * 10, "tags": ["a"] if i % 2 else ["a", "b"]})

    # Records whose score is at least 50 and whose tag list has two items.
    wanted = exp.And(
        exp.GE(exp.IntBin("score"), 50),
        exp.Eq(exp.ListSize(None, exp.ListBin("tags")), 2),
    ).compile()
    scan = client.scan(NS, SET)
    hits = scan.results(policy={"expressions": wanted})
    print("matching scores:", sorted(bins["score"] for _, _, bins in hits))

    # A single-record command with a filter that does not match: FilteredOut.
    try:
        client.get((NS, SET, 1), policy={"expressions": wanted})
    except exception.FilteredOut:
        print("record 1 filtered out")

    # A value computed on the server: score * 2 + 1.
    doubled = exp.Add(exp.Mul(exp.IntBin("score"), 2), 1).compile()
    _, _, bins = client.operate((NS, SET, 7), [expr_ops.expression_read("computed", doubled)])
    print("computed:", bins["computed"])

    client.truncate(NS, SET, 0)


if __name__ == "__main__":
    run(main)
