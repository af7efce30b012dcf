"""A secondary index and a query on it: create the index, query a range, stream the
results with foreach, page through them, then drop the index."""

import aerospike_cffi as aerospike
from aerospike_cffi import exception, predicates
from _connect import run
from typing import Any

NS, SET, INDEX = "test", "examples_query", "examples_age_idx"


def main(client: aerospike.Client) -> None:
    for i in range(20):
        client.put((NS, SET, i), {"name": "user-%d" % i, "age": 20 + i})
    try:
        client.index_integer_create(NS, SET, "age", INDEX)
    except exception.IndexFoundError:
        pass  # left over from an earlier run

    query = client.query(NS, SET)
    query.select("name", "age")
    query.where(predicates.between("age", 30, 34))
    print("30..34:", sorted(bins["age"] for _, _, bins in query.results()))

    # foreach streams records to a callback; returning False stops the query.
    seen = []

    def collect(record: Any) -> None:
        seen.append(record[2]["name"])

    query = client.query(NS, SET)
    query.where(predicates.equals("age", 25))
    query.foreach(collect)
    print("age 25:", seen)

    # Pages of 5 records until the query is done.
    query = client.query(NS, SET)
    query.where(predicates.between("age", 20, 39))
    query.max_records = 5
    query.paginate()
    pages = 0
    while not query.is_done():
        if query.results():
            pages += 1
    print("pages of 5:", pages)

    client.index_remove(NS, INDEX)
    client.truncate(NS, SET, 0)


if __name__ == "__main__":
    run(main)
