"""Scans and queries of the AsyncClient: async iterators that stream.

``results()`` returns a ``Records`` object: ``async for key, meta, bins in ...`` takes the
records chunk by chunk as the sync foreach() does (the run goes on a thread of the shim's
own, which pauses while Python is a few chunks behind: backpressure, memory bounded), and
``await ...`` gathers them into a list as the sync results() does. Waiting for the next
chunk happens on one of the client's worker threads, so the asyncio loop never blocks.
Leaving the ``async for`` early (break, an exception, a cancelled task) stops the run and
frees it. Every setting (select, where, paginate, partition_filter, ...) is the sync one.
"""

import asyncio
import threading

from .. import _marshal, _stream
from .._native import error_from, lib, out_bytes, scratch
from ..exception import ClientError

_MARSHAL_MIXED = 2


class Records:
    """The records of one run: an async iterator, or awaitable as a list."""

    def __init__(self, stream, policy, options, nodename):
        self._stream = stream
        self._args = (policy, options, nodename)

    def __aiter__(self):
        return self._run()

    def __await__(self):
        return self._collect().__await__()

    async def _collect(self):
        return [record async for record in self]

    async def _run(self):
        s = self._stream
        aclient = s._aclient
        core = aclient._ready()
        policy, options, nodename = self._args
        no_bins = s._no_bins(options)
        policy, max_records, partition_filter = s._split_policy(policy)
        c_stream = s._stream_for_call(no_bins, partition_filter)
        loop = aclient._loop
        pool = aclient._workers()
        lock = threading.Lock()  # one shim call on this run at a time (next, then stop)
        conn = core._hold()  # a close() meanwhile waits for the run to end
        started = False
        try:
            args, _keep = s._run_args(c_stream, policy, max_records, nodename,
                                      partition_filter, conn)
            want = core._marshal_records and _marshal.GLOBAL_SERIALIZERS.deserializer is None
            if lib.shim_stream_start(*args, 1 if want else 0):
                raise error_from(args[1])
            started = True
            while True:
                chunk = await loop.run_in_executor(pool, s._next_chunk, c_stream, lock)
                if chunk is None:
                    return
                for record in chunk:
                    yield record
        finally:
            # Runs on a worker after any next() still waiting there: it never races it.
            def stop():
                with lock:
                    if started:
                        lib.shim_stream_stop(c_stream)
                core._release(conn)

            # (a new pool when close() shut this one down meanwhile)
            stopping = loop.run_in_executor(aclient._workers(), stop)
            try:
                await asyncio.shield(stopping)
            except asyncio.CancelledError:
                pass  # the stop goes on on its worker


class _AsyncStream:
    """What AsyncScan and AsyncQuery add to the sync Scan / Query."""

    def __init__(self, aclient, namespace, set=None):  # noqa: A002
        super().__init__(aclient._ready(), namespace, set)
        self._aclient = aclient

    def _next_chunk(self, c_stream, lock):
        """On a worker: the next chunk's records, or None once the run ended."""
        with lock:
            err, out = scratch()
            status = lib.shim_stream_next(err, c_stream, out)
            if status == 0:
                return None
            if status < 0:
                raise error_from(err)
            records = []
            if out.is_marshal:
                self._feed_marshal(_stream._loads(out_bytes(out)),
                                   out.is_marshal == _MARSHAL_MIXED, records.append)
            else:
                self._feed(out_bytes(out), records.append)
            return records

    async def _each(self, callback, policy, options, nodename):
        if not callable(callback):
            raise ClientError(-1, self._callback_failed)
        async for record in Records(self, policy, options, nodename):
            try:
                answer = callback(record)
                if asyncio.iscoroutine(answer):
                    answer = await answer
            except Exception as exc:
                raise ClientError(-1, self._callback_failed) from exc
            if answer is False:
                return

    async def execute_background(self, policy=None):
        """Run the operations on every matching record on the server; the job id."""
        aclient = self._aclient
        aclient._ready()
        sync = super().execute_background
        return await aclient._loop.run_in_executor(aclient._workers(), sync, policy)


class AsyncScan(_AsyncStream, _stream.Scan):
    """A scan (``client.scan(ns, set)``): ``async for`` over ``results()``."""

    def results(self, policy=None, nodename=None):
        return Records(self, policy, None, nodename)

    async def foreach(self, callback, policy=None, options=None, nodename=None):
        """Call ``callback((key, meta, bins))`` per record (a coroutine function too);
        returning False stops early."""
        await self._each(callback, policy, options, nodename)


class AsyncQuery(_AsyncStream, _stream.Query):
    """A query (``client.query(ns, set)``): ``async for`` over ``results()``."""

    def results(self, policy=None, options=None):
        return Records(self, policy, options, None)

    async def foreach(self, callback, policy=None, options=None):
        """Call ``callback((key, meta, bins))`` per record (a coroutine function too);
        returning False stops early."""
        await self._each(callback, policy, options, None)
