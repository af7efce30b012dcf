"""operate(): several operations on one record in one round trip, with list and map
operations, a nested context and operate_ordered."""

import aerospike_cffi as aerospike
from _connect import run
from aerospike_helpers import cdt_ctx
from aerospike_helpers.operations import list_operations as lops
from aerospike_helpers.operations import map_operations as mops
from aerospike_helpers.operations import operations as ops


def main(client: aerospike.Client) -> None:
    key = ("test", "examples", "cart-1")
    client.put(key, {"items": ["apple"], "prices": {"apple": 3}, "owner": "ada"})

    _, _, bins = client.operate(key, [
        lops.list_append("items", "pear"),
        lops.list_append_items("items", ["fig", "kiwi"]),
        mops.map_put_items("prices", {"pear": 4, "fig": 7, "kiwi": 2}),
        mops.map_increment("prices", "apple", 1),
        lops.list_size("items"),
        ops.read("owner"),
    ])
    print("operate:", bins)  # results by bin: the last read of each bin wins

    # The two most expensive items (highest value ranks), keys and values.
    _, _, bins = client.operate(key, [
        mops.map_get_by_rank_range("prices", -2, 2, aerospike.MAP_RETURN_KEY_VALUE),
    ])
    print("top two:", bins["prices"])

    # A list nested in a map: ctx walks into history["apple"].
    client.put(key, {"history": {"apple": [3, 3]}})
    apple = [cdt_ctx.cdt_ctx_map_key("apple")]
    _, _, ordered = client.operate_ordered(key, [
        lops.list_append("history", 4, ctx=apple),
        lops.list_get_by_index_range("history", -2, aerospike.LIST_RETURN_VALUE, 2, ctx=apple),
    ])
    print("operate_ordered:", ordered)  # one (bin, result) per operation, in order
    client.remove(key)


if __name__ == "__main__":
    run(main)
