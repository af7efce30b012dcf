"""The asyncio client's public calls as typed user code: ``test_stubs.py`` runs ``mypy
--strict`` on this file (the assignments pin the types the stub gives back) and runs
``core()`` against the test server (test_stubs.py::test_typed_aio_runs)."""

import asyncio
from typing import Any, Dict, List, Optional, Tuple

from aerospike_cffi import aio, exception, predicates
from aerospike_helpers.batch.records import BatchRecords, Read, Write
from aerospike_helpers.operations import list_operations as lops
from aerospike_helpers.operations import operations as ops

NS, SET = "test", "typed_aio"

Record = Tuple[Tuple[str, Optional[str], Any, bytearray], Dict[str, int], Dict[str, Any]]


async def core(host: str, port: int) -> None:
    config: Dict[str, Any] = {"hosts": [(host, port)], "async_max_conns_per_node": 50}
    async with aio.client(config) as client:
        same: aio.AsyncClient = await client.connect()
        connected: bool = same.is_connected()
        in_flight: int = client.commands_in_flight
        assert connected and in_flight == 0
        key = (NS, SET, "k1")
        await client.put(key, {"a": 1, "l": [1, 2]}, meta={"ttl": 100}, policy={"total_timeout": 5000})
        record: Record = await client.get(key)
        _, _, bins = await client.select(key, ["a"])
        found: Optional[Dict[str, int]] = (await client.exists(key))[1]
        await client.increment(key, "a", 2)
        await client.append(key, "s", "x")
        await client.prepend(key, "s", "y")
        await client.touch(key, 200)
        _, _, result = await client.operate(key, [ops.read("a"), lops.list_size("l")])
        _, _, ordered = await client.operate_ordered(key, [ops.read("a")])
        pairs: List[Tuple[str, Any]] = ordered
        await client.remove_bin(key, ["s"])
        many: List[Record] = await asyncio.gather(*[client.get(key) for _ in range(3)])
        batch: BatchRecords = await client.batch_read([key], ["a"])
        await client.batch_operate([key], [ops.read("a")])
        await client.batch_write(BatchRecords([Write(key, [ops.write("b", 1)]), Read(key, None, read_all_bins=True)]))
        nodes: List[Tuple[str, int]] = client.get_nodes()
        names: List[Dict[str, Any]] = client.get_node_names()
        partition: int = client.get_key_partition_id(NS, SET, "k1")
        info: str = await client.info_random_node("namespaces")
        scanned: List[Record] = await client.scan(NS, SET).results()
        query = client.query(NS, SET)
        query.select("a")
        async for k, meta, rec_bins in query.results():
            assert rec_bins is not None

        async def each(record: Record) -> Optional[bool]:
            return None

        await client.scan(NS, SET).foreach(each)
        await client.batch_remove([key])
        try:
            await client.get(key)
        except exception.RecordNotFound:
            pass
        assert record[2]["a"] == 1 and bins == {"a": 1} and found is not None
        assert result["a"] == 3 and pairs and len(many) == 3 and batch.batch_records
        assert nodes and names and partition >= 0 and NS in info and len(scanned) >= 1


def type_only(client: aio.AsyncClient) -> None:
    """Typed, not run: calls whose results the dev server cannot give."""

    async def calls() -> None:
        job: int = await client.query(NS, SET).execute_background()
        status: Dict[str, Any] = await client.job_info(job, "query")
        await client.index_integer_create(NS, SET, "a", "idx")
        await client.index_remove(NS, "idx")
        await client.truncate(NS, SET, 0)
        query = client.query(NS, SET)
        query.where(predicates.equals("a", 1))
        query.paginate()
        done: bool = query.is_done()
        udfs: List[Dict[str, Any]] = await client.udf_list()
        applied: Any = await client.apply((NS, SET, 1), "m", "f", [1])
        await client.close()
        assert status and done and udfs and applied

    asyncio.run(calls())
