"""asyncio: one AsyncClient shared by every request of a small JSON web service.

The service is written on the standard library's asyncio streams so that the example needs
nothing else; with aiohttp or FastAPI the handlers are the same (see docs/asyncio.rst):
connect once at start-up, ``await`` the commands in each request, close at shutdown.
"""

import asyncio
import json
from typing import Any, Dict, Tuple

from aerospike_cffi import aio, exception
from _connect import server_address

SET = "examples-aio"


async def user(db: aio.AsyncClient, uid: str) -> Tuple[int, Dict[str, Any]]:
    """GET /users/<uid>: the user's bins and a visit counter, or 404."""
    key = ("test", SET, uid)
    try:
        _, _, bins = await db.get(key)
    except exception.RecordNotFound:
        return 404, {"error": "no user " + uid}
    await db.increment(key, "visits", 1)
    return 200, bins


async def handle(db: aio.AsyncClient, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
    request = (await reader.readline()).decode()
    while (await reader.readline()).strip():  # headers: not needed here
        pass
    _, path, _ = request.split(" ", 2)
    if path.startswith("/users/"):
        status, body = await user(db, path[len("/users/"):])
    else:
        status, body = 404, {"error": "not found"}
    payload = json.dumps(body).encode()
    writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                 b"Connection: close\r\n\r\n%s" % (status, len(payload), payload))
    await writer.drain()
    writer.close()


async def fetch(port: int, path: str) -> str:
    """A client of the service (what a browser or another service would do)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path.encode())
    answer = (await reader.read()).decode()
    writer.close()
    status = answer.split(" ", 2)[1]
    return status + " " + answer.split("\r\n\r\n", 1)[1]


async def main(host: str, port: int) -> None:
    # One client for the whole process: connected at start-up, closed at shutdown.
    async with aio.client({"hosts": [(host, port)]}) as db:
        # Many commands in flight from one thread: 20 writes at once.
        await asyncio.gather(*[db.put(("test", SET, "user-%d" % i), {"name": "user %d" % i, "visits": 0})
                               for i in range(20)])

        server = await asyncio.start_server(lambda r, w: handle(db, r, w), "127.0.0.1", 0)
        web_port = server.sockets[0].getsockname()[1]
        async with server:
            print(await fetch(web_port, "/users/user-1"))
            # Concurrent requests, each awaiting its own command on the shared client.
            answers = await asyncio.gather(*[fetch(web_port, "/users/user-%d" % i) for i in range(5)])
            print("concurrent requests:", [a.split(" ", 1)[0] for a in answers])
            print(await fetch(web_port, "/users/nobody"))

        _, _, bins = await db.get(("test", SET, "user-1"))
        print("user-1 visits:", bins["visits"])

        # A query streams its records: async for, with backpressure.
        names = sorted([bins["name"] async for _, _, bins in db.scan("test", SET).results()])
        print("scanned:", len(names))
        await asyncio.gather(*[db.remove(("test", SET, "user-%d" % i)) for i in range(20)])
        print("removed: 20")


if __name__ == "__main__":
    with server_address() as (host, port):
        asyncio.run(main(host, port))
