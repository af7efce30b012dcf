"""User-defined functions (Lua): register a module, call it on one record, remove it.

Needs a server with UDF support; against one without it (the embedded dev server may
have none) it says so and exits cleanly.
"""

import os

import aerospike_cffi as aerospike
from aerospike_cffi import exception
from _connect import run

HERE = os.path.dirname(os.path.abspath(__file__))


def main(client: aerospike.Client) -> None:
    try:
        client.udf_put(os.path.join(HERE, "examples_udf.lua"))
    except (AttributeError, NotImplementedError) as e:
        print("UDFs are not available in this client build:", e)
        return
    except exception.AerospikeError as e:
        print("UDFs are not supported by this server:", type(e).__name__, e.msg)
        return
    key = ("test", "examples_udf", "counter")
    client.put(key, {"n": 1})
    try:
        result = client.apply(key, "examples_udf", "add", ["n", 41])
    except exception.AerospikeError as e:  # registered but not runnable here
        print("UDFs are not supported by this server:", type(e).__name__, e.msg)
    else:
        print("add returned:", result, "record:", client.get(key)[2])
    client.remove(key)
    client.udf_remove("examples_udf.lua")


if __name__ == "__main__":
    run(main)
