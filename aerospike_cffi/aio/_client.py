"""AsyncClient: the sync Client's commands, awaitable.

An AsyncClient owns one sync ``Client`` (its "core", connected once the C client's event
loop exists) and runs each command one of two ways:

- single-record commands (get, select, exists, put, remove, remove_bin, touch, append,
  prepend, increment, operate, operate_ordered): the core's own validate+marshal
  (``_*_args``), one ``shim_async_*`` call, and the core's own decode (``_*_result``)
  once the C client's event loop answered (see _completions). The hot ones (get, exists,
  put) have their common case written out here; on PyPy get and the plain put return a
  _Call (the command's coroutine and waiter in one object, _completions), and the plain
  get and put keep as little as possible alive while in flight (what PyPy's minor
  collections copy);
- the batch family (batch_read, batch_operate, batch_write, batch_remove, batch_apply):
  the sync batch's own steps (_batch) build the batch, one ``shim_async_batch`` call
  sends it through the C client's async batch API, the same steps make the result;
- every other command (info, truncate, indexes, UDFs, job_info): the core's sync
  method on a worker thread of the client's own (the C call releases the GIL), so the
  asyncio loop never blocks. Scans and queries stream (see _stream).
"""

import asyncio
import concurrent.futures
import functools
import marshal

from .. import _batch, _config, _marshal
from .._client import Client
from .._commands.records import _PICKLE_BINS
from .._keys import _CLIENT_DEFAULT_TTL as _DEFAULT_TTL
from .._keys import _ns_cache, key_parts
from .._native import ffi, lib, raise_error
from ..exception import ClientError, ClusterError, ParamError
from . import _stream
from ._completions import _PYPY, Completions, _Call

_NO_BYTES = _marshal.NO_BYTES  # a digest's bytearray as _NO_BYTES + digest

_NULL = ffi.NULL
_buffer, _loads = ffi.buffer, marshal.loads
_KEY_SEND = 1  # as_policy_key AS_POLICY_KEY_SEND
_NOT_PLAIN = lib.SHIM_NOT_PLAIN
_ASYNC_CONNS_DEFAULT = 100  # the C client's async_max_conns_per_node default
_NO_CONNECTION = "No connection to aerospike cluster"
_KEY_TOO_BIG = "integer value for KEY exceeds sys.maxsize"  # key_parts' ParamError
# (CPython's own get and put, below: lib attributes and helpers looked up once)
_names_get, _utf8 = _ns_cache.get, _marshal.utf8
_async_get, _async_put_pickled = lib.shim_async_get, lib.shim_async_put_pickled
_plain_pickler = _marshal.plain_pickler
_joined_pickle = _marshal.joined_pickle
# CPython's get and put: asyncio.Future() takes the running loop itself (C), cheaper than
# Future(loop=...) with its keyword; only when the running loop is the client's (else
# Completions' own future, which a task on another loop refuses, as before).
_Future, _running_loop = asyncio.Future, asyncio._get_running_loop
_WORKERS = 16  # threads for the commands run off the loop (info, indexes, scans...)


class _Core(Client):
    """The sync client under an AsyncClient: its connection also has async pools."""

    _async_conns = _ASYNC_CONNS_DEFAULT
    _pipe_conns = 0  # pipe_max_conns_per_node; 0: no pipelining

    def _tune_connection(self, cfg):
        cfg.async_max_conns_per_node = self._async_conns
        if self._pipe_conns:
            cfg.pipe_max_conns_per_node = self._pipe_conns


def _core_for(config, async_conns, pipe_conns=0):
    # (Client._connect makes the C client's event loop first, if it is not there yet.)
    core = _Core.__new__(_Core)
    core._async_conns = async_conns
    core._pipe_conns = pipe_conns
    core.__init__(config)
    return core


_SERIALIZERS = _marshal.GLOBAL_SERIALIZERS


def _want(core):
    """1 when the record should come in marshal form (see Client._want_marshal)."""
    return 1 if (core._marshal_records and _SERIALIZERS.deserializer is None) else 0


# ---------------------------------------------------------------- finishing (decode)
# finish(cmd, ctx): on the loop thread, with the C command's rc, err and out; ctx is
# (core, key, key parts, extra, what must live until the command left: the C policy).

def _fin_get(cmd, ctx):
    # ctx: (core, key, key parts, raw, C policy, its keep-alive)
    if cmd.rc:
        raise_error(cmd.err, key=ctx[1])
    out = cmd.out
    if out.is_marshal:
        # _get_result's marshal case (records.py) written out: one Python call less per
        # completion in the drain (CPython, where records come in marshal form)
        data = _buffer(out.data, out.len)
        gen, ttl, bins = _loads(data[20:])
        p = ctx[2]
        return ((p[6], p[7], p[8] if ctx[4].key == _KEY_SEND else None, _NO_BYTES + data[:20]),
                {"ttl": ttl, "gen": gen}, bins)
    return ctx[0]._get_result(ctx[2], out, ctx[4], ctx[3])


def _fin_get_plain(cmd, ctx):
    # CPython's get with no policy (AsyncClient.get): ctx is (core, key, ns, set, the user
    # key as the answer returns it), all the answer needs (its key second, for _refused)
    if cmd.rc:
        raise_error(cmd.err, key=ctx[1])
    out = cmd.out
    if out.is_marshal:
        data = _buffer(out.data, out.len)
        gen, ttl, bins = _loads(data[20:])
        return ((ctx[2], ctx[3], ctx[4], _NO_BYTES + data[:20]), {"ttl": ttl, "gen": gen},
                bins)
    core = ctx[0]  # (a value the marshal form cannot carry: the packed layout)
    return core._get_result(key_parts(ctx[1]), out, core._read_default, core._read_raw)


def _grab(cmd, ctx):
    # PyPy's get: only the answer's bytes here, _dec_get decodes them (see _Waiter.then).
    # The form travels as the type: marshal data in a bytearray (whose first 20 bytes are
    # then already the key's digest as the result wants it), the packed layout in bytes.
    if cmd.rc:
        raise_error(cmd.err, key=ctx[1])
    out = cmd.out
    if out.is_marshal:
        return bytearray(_buffer(out.data, out.len))
    return _buffer(out.data, out.len)[:]


def _dec_get(buf, ctx):
    # _get_result (records.py), from the bytes _grab took
    if type(buf) is bytearray:
        gen, ttl, bins = _loads(buf[20:])
        digest = buf[:20]
    else:
        core = ctx[0]
        gen, ttl, bins, _ = (core._raw_unpacker if ctx[3] else core._unpacker).record(buf)
        digest = _NO_BYTES + buf[:20]
    p = ctx[2]
    return ((p[6], p[7], p[8] if ctx[4].key == _KEY_SEND else None, digest),
            {"ttl": ttl, "gen": gen}, bins)


def _grab_plain(cmd, key):
    # _grab of a plain get (see _get), whose ctx is the key tuple itself
    if cmd.rc:
        raise_error(cmd.err, key=key)
    out = cmd.out
    if out.is_marshal:
        return bytearray(_buffer(out.data, out.len))
    return _buffer(out.data, out.len)[:]


def _plain_decoder(core):
    """_dec_get for the plain gets of ``core`` (see _get): their ctx is the key tuple."""
    defaults = core._policy_defaults
    unpacker = core._raw_unpacker if core._read_raw else core._unpacker

    def dec(buf, key):
        if type(buf) is bytearray:
            gen, ttl, bins = _loads(buf[20:])
            digest = buf[:20]
        else:
            gen, ttl, bins, _ = unpacker.record(buf)
            digest = _NO_BYTES + buf[:20]
        return ((key[0], key[1], key[2] if defaults["read"].key == _KEY_SEND else None,
                 digest), {"ttl": ttl, "gen": gen}, bins)

    return dec


def _fin_select(cmd, ctx):
    if cmd.rc:
        raise_error(cmd.err, key=ctx[1])
    return ctx[0]._select_result(ctx[2], cmd.out, ctx[3])


def _fin_exists(cmd, ctx):
    return ctx[0]._exists_result(cmd.rc, cmd.err, cmd.out, ctx[2], ctx[1])


def _fin_write(cmd, ctx):
    if cmd.rc:
        raise_error(cmd.err, key=ctx[1], bin=ctx[3])
    return 0


def _fin_put_plain(cmd, ctx):
    # _put_plain's: ctx is (bins, key), all a plain put needs while in flight (its key
    # second, where _refused looks for it)
    if cmd.rc:
        raise_error(cmd.err, key=ctx[1], bin=ctx[0])
    return 0


def _fin_operate(cmd, ctx):
    if cmd.rc:
        raise_error(cmd.err, key=ctx[1])
    ordered, raw = ctx[3]
    return ctx[0]._operate_result(ctx[2], cmd.out, ordered, raw)


def _fin_batch(cmd, ctx):
    """The rest of a batch command's steps (_batch), with the batch's answer."""
    steps, call = ctx[3]
    try:
        steps.send(call.results(cmd.rc, cmd.err, cmd.out))
    except StopIteration as done:
        return done.value
    raise AssertionError("a batch command's steps run one batch")  # pragma: no cover


def _threaded(name, doc=None):
    """An awaitable twin of the core's sync method ``name``, run on a worker thread."""

    async def method(self, *args, **kwargs):
        core = self._ready()
        call = functools.partial(getattr(core, name), *args, **kwargs)
        return await self._loop.run_in_executor(self._workers(), call)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc or "Awaitable ``Client.%s`` (run on a worker thread)." % name
    return method


class AsyncClient:
    """An Aerospike client for asyncio, with the sync Client's API as coroutines.

    Extra config key (not in the official client's config): ``async_max_conns_per_node``,
    the C client's async connection pool size per node (default 100). The client keeps at
    most that many single-record commands in flight and queues the rest. And
    ``pipe_max_conns_per_node`` (default 0: off): pipeline the single-record commands over
    that many connections per node (docs/asyncio.rst says what changes with it).
    """

    def __init__(self, config):
        if not isinstance(config, dict):
            raise ParamError(-2, "Config must be a dict")
        config = dict(config)
        limit = config.pop("async_max_conns_per_node", _ASYNC_CONNS_DEFAULT)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit < (1 << 31):
            raise ParamError(-2, "async_max_conns_per_node must be a positive int")
        pipe = config.pop("pipe_max_conns_per_node", 0)
        if isinstance(pipe, bool) or not isinstance(pipe, int) or not 0 <= pipe < (1 << 31):
            raise ParamError(-2, "pipe_max_conns_per_node must be an int >= 0")
        _config.build(config)  # a bad config raises here, as aerospike.client() does
        self._config = config
        self._limit = limit
        self._pipe_conns = pipe
        self._core = None
        self._dec_plain = None  # a plain get's decoder (_plain_decoder), once connected
        # CPython's put: the bins' pickler of this client (its loop's thread only)
        self._pdump, self._pickled = _plain_pickler() if not _PYPY else (None, None)
        self._done = None  # Completions, once connected
        self._loop = None
        self._pool = None
        self._closing = False
        self._connect_lock = None

    # ------------------------------------------------------------ connection

    async def connect(self, username=None, password=None):
        """Connect (or connect again after close()); returns the client."""
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()  # tasks connecting at once make one core
        async with self._connect_lock:
            return await self._connect(username, password)

    async def _connect(self, username, password):
        loop = asyncio.get_running_loop()
        if self._done is not None and self._loop is not loop:
            raise ClientError(-1, "The client is connected on another event loop")
        if self._core is not None and self._core._as != _NULL and self._done is not None:
            return self
        config = self._config
        if isinstance(username, str) and isinstance(password, str):
            _config.check_user(username, password)
            config = dict(config, user=username, password=password)
            self._config = config
        core = self._core
        if core is None:
            core = await loop.run_in_executor(None, _core_for, config, self._limit,
                                              self._pipe_conns)
        else:
            await loop.run_in_executor(None, core.connect)
        self._core = core
        self._dec_plain = _plain_decoder(core)
        self._loop = loop
        self._closing = False
        if self._done is None:
            self._done = Completions(loop, self._limit)
            if self._pipe_conns:
                lib.shim_async_queue_pipeline(self._done.q, self._pipe_conns)
        # The plain get and put borrow the core's default policies without a per-command
        # reference to it: the queue (alive while it can have commands in flight, the
        # loop watching it) keeps the core alive for them.
        self._done.owner = core
        return self

    async def close(self):
        """Close the connections after every command in flight came back (their tasks
        get their results; cancelled ones are dropped). The client can connect() again."""
        done = self._done
        if done is None or self._closing:
            return
        self._closing = True
        try:
            await done.wait_idle()
        finally:
            pool, self._pool = self._pool, None
            core = self._core

            def shut():
                if pool is not None:
                    pool.shutdown(wait=True)  # threaded commands finish on a live connection
                core.close()

            await self._loop.run_in_executor(None, shut)
            done.close()
            self._done = None
            self._closing = False

    async def __aenter__(self):
        return await self.connect()

    async def __aexit__(self, *exc):
        await self.close()
        return False

    def is_connected(self):
        core = self._core
        return self._done is not None and core is not None and core.is_connected()

    def _ready(self):
        """The core, for a command; ClusterError when not connected or closing.

        Hook for a close-vs-commands guard shared with the sync client: every command of
        this class starts here (get and exists carry an inlined copy of these two checks),
        and close() refuses new commands (``_closing``) before it waits for the ones in
        flight (``Completions.wait_idle``) and closes the core; the commands run on worker
        threads go through the core's own (sync) methods."""
        if self._done is None or self._closing:
            raise ClusterError(11, "No connection to aerospike cluster")
        return self._core

    def _workers(self):
        pool = self._pool
        if pool is None:
            pool = self._pool = concurrent.futures.ThreadPoolExecutor(
                _WORKERS, thread_name_prefix="aerospike-aio")
        return pool

    @property
    def commands_in_flight(self):
        """Single-record commands sent and not yet back, plus those queued over the limit."""
        return self._done.in_flight() if self._done is not None else 0

    # ------------------------------------------------------------ reads

    def _read_args(self, key, policy):
        """What a get needs before its C command: the client's Completions, core and
        connection, the key's parts, the C policy (and what keeps it alive), raw, and
        whether the answer may come in marshal form. Raises as the command would."""
        done = self._done
        if done is None or self._closing:
            raise ClusterError(11, "No connection to aerospike cluster")
        core = self._core
        conn = core._conn()
        p = key_parts(key)
        if policy is None:
            pol, keep = core._policy_defaults["read"], None
            raw = core._read_raw
        else:
            pol, keep = core._policy("read", policy)
            raw = core._raw_collections("read", policy)
        want = 0 if raw or not core._marshal_records or _SERIALIZERS.deserializer is not None else 1
        return done, core, conn, p, pol, keep, raw, want

    def _get(self, key, policy):
        """CPython: a get other than get()'s common one (a policy, a key of another form,
        no room for the command)."""
        done, core, conn, p, pol, keep, raw, want = self._read_args(key, policy)
        ctx = (core, key, p, raw, pol, keep)
        if done._in_flight < done.limit:
            fut, cid = done.open(_fin_get, ctx, None)
            return done.opened(
                lib.shim_async_get(done.q, cid, conn, done.err, pol, p[0], p[1], p[2], p[3],
                                   p[4], p[5], _NULL, 0, want),
                cid, fut, _fin_get, ctx)
        return done.submit(
            lib.shim_async_get,
            (conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], _NULL, 0, want),
            _fin_get, ctx, None)

    if _PYPY:
        def get(self, key, policy=None):  # noqa: F811 - PyPy's own
            """PyPy: a _Call (a coroutine without a frame: see _completions), started by
            _start_get when first awaited."""
            return _Call(_start_get, self, key, policy)

    if not _PYPY:
        async def get(self, key, policy=None):  # noqa: F811 - CPython's own
            """CPython: the common get (no policy, room for the command, a (ns, set, key)
            tuple of cached names) in one coroutine: no _get, _conn, key_parts,
            Completions.open/opened calls (each a Python frame: a get's Python-thread cost
            is mostly bytecodes and calls, benchmarks/README.md). The rest goes to _get."""
            done = self._done
            if done is None or self._closing:
                raise ClusterError(11, _NO_CONNECTION)
            core = self._core
            conn = core._as
            if conn is _NULL:
                raise ClusterError(11, _NO_CONNECTION)
            if policy is not None or done._in_flight >= done.limit or type(key) is not tuple:
                return await self._get(key, policy)
            try:
                ns, set_name, pk = key
                nsb, setb = _names_get(ns), _names_get(set_name)
            except (ValueError, TypeError):  # not 3 items, or an unhashable name
                nsb = None
            if nsb is None or not setb or type(ns) is not str or type(set_name) is not str:
                return await self._get(key, policy)
            if type(pk) is int:  # out of int64: OverflowError from cffi, below
                kt, kd, kl, ki = 1, b"", 0, pk
            elif type(pk) is str:
                kd = _utf8(pk)
                kt, kl, ki = 3, len(kd), 0
            else:
                return await self._get(key, policy)
            cid = done._next_id
            done._next_id = cid + 1
            try:
                rc = _async_get(done.q, cid, conn, done.err, core._read_default, nsb, setb, kt,
                                kd, kl, ki, _NULL, 0,
                                core._fast_reads and _SERIALIZERS.deserializer is None)
            except OverflowError:
                raise ParamError(-2, _KEY_TOO_BIG) from None
            if rc:  # refused before it left (no node, ...): nothing is in flight
                raise_error(done.err, key=key)
            # (the future after the call: the answer is drained on this thread, later)
            fut = _Future() if _running_loop() is done._loop else done._new_future()
            done._pending[cid] = (fut, _fin_get_plain, (
                core, key, ns, set_name, pk if core._read_sends_key else None))
            done._in_flight += 1
            return await fut

    def _start_get(self, w, key, policy):
        """PyPy: _get, for the _Call ``w`` (the command's waiter) of get()."""
        done, core, conn, p, pol, keep, raw, want = self._read_args(key, policy)
        if done._in_flight < done.limit:
            if (policy is None and type(key) is tuple and len(key) == 3 and p[6] is key[0]
                    and p[7] is key[1] and p[8] is key[2]):
                # The plain get: its answer needs only the key tuple, its ctx (see _get)
                finish, ctx, then = _grab_plain, key, self._dec_plain
            else:
                finish, ctx, then = _grab, (core, key, p, raw, pol, keep), _dec_get
            cid = done.arm(w, finish, ctx, then)
            if lib.shim_async_get(done.q, cid, conn, done.err, pol, p[0], p[1], p[2], p[3],
                                  p[4], p[5], _NULL, 0, want):
                done._refused(done.err, w, (None, key))
            else:
                done._pending[cid] = w
                done._in_flight += 1
            return
        w._loop = done._loop
        w.finish, w.ctx, w.then = _grab, (core, key, p, raw, pol, keep), _dec_get
        done._waiting.append((lib.shim_async_get, (
            conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], _NULL, 0, want),
            w, _grab, w.ctx))

    async def select(self, key, bins, policy=None):
        core = self._ready()
        conn = core._conn()
        p = key_parts(key)
        packed, n = core._select_names(bins)
        pol, keep = core._policy("read", policy)
        raw = core._raw_collections("read", policy)
        return await self._done.submit(
            lib.shim_async_get,
            (conn, self._done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, n,
             0 if raw else _want(core)),
            _fin_select, (core, key, p, raw, keep))

    async def exists(self, key, policy=None):
        return await self._exists(key, policy)

    def _exists(self, key, policy):
        # (as _get)
        done = self._done
        if done is None or self._closing:
            raise ClusterError(11, "No connection to aerospike cluster")
        core = self._core
        conn = core._conn()
        p = key_parts(key)
        if policy is None:
            pol, keep = core._policy_defaults["read"], None
        else:
            pol, keep = core._policy("read", policy)
        ctx = (core, key, p, None, keep)
        if done._in_flight < done.limit:
            fut, cid = done.open(_fin_exists, ctx)
            return done.opened(
                lib.shim_async_exists(done.q, cid, conn, done.err, pol, p[0], p[1], p[2], p[3],
                                      p[4], p[5]),
                cid, fut, _fin_exists, ctx)
        return done.submit(
            lib.shim_async_exists,
            (conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5]),
            _fin_exists, ctx)

    # ------------------------------------------------------------ writes

    if _PYPY:
        def put(self, key, bins, meta=None, policy=None, serializer=None):  # noqa: F811
            """PyPy: the common put (no meta, policy or serializer, a dict of bins) as a
            _Call started by _start_put_plain when first awaited (as get); the rest a
            coroutine, as before."""
            if meta is None and policy is None and serializer is None and type(bins) is dict:
                return _Call(_start_put_plain, self, key, bins)
            return self._put_general(key, bins, meta, policy, serializer)

        async def _put_general(self, key, bins, meta, policy, serializer):
            serializer = int.__int__(serializer) if isinstance(serializer, int) else None
            return await self._put(key, bins, meta, policy, serializer, bins)

        def _start_put_plain(self, w, key, bins):
            """PyPy: _put_plain, for the _Call ``w`` of put(key, bins) (its ``then``
            holds the bins until here)."""
            w.then = None
            done, core, conn, p, pol, ctx = self._plain_put_args(key, bins)
            if done._in_flight < done.limit:
                packed, n = core._pack_bins(key, bins, None, bins)
                cid = done.arm(w, _fin_put_plain, ctx)
                done.opened(
                    lib.shim_async_put(done.q, cid, conn, done.err, pol, p[0], p[1], p[2], p[3],
                                       p[4], p[5], packed, len(packed), n, _DEFAULT_TTL, 0),
                    cid, w, _fin_put_plain, ctx)
                return
            packed, n = core._pack_bins(key, bins, None, bins)
            w._loop = done._loop
            w.finish, w.ctx = _fin_put_plain, ctx
            done._waiting.append((lib.shim_async_put, (
                conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, len(packed), n,
                _DEFAULT_TTL, 0), w, _fin_put_plain, ctx))

    if not _PYPY:
        async def put(self, key, bins, meta=None, policy=None,  # noqa: F811 - CPython's
                      serializer=None):
            """CPython: the common put (no meta, policy or serializer, a dict of plain
            values, room for the command, a (ns, set, key) tuple of cached names) in one
            coroutine, as the sync put's fast path: the bins pickled by the client's own
            pickler (_marshal.plain_pickler), no _put_plain, _conn, key_parts,
            pickle_bins, Completions.open/opened calls. The rest goes the general way."""
            if meta is not None or policy is not None or serializer is not None or \
                    type(bins) is not dict:
                serializer = int.__int__(serializer) if isinstance(serializer, int) else None
                return await self._put(key, bins, meta, policy, serializer, bins)
            done = self._done
            if done is None or self._closing:
                raise ClusterError(11, _NO_CONNECTION)
            core = self._core
            conn = core._as
            if conn is _NULL:
                raise ClusterError(11, _NO_CONNECTION)
            if done._in_flight >= done.limit or type(key) is not tuple:
                return await self._put_plain(key, bins)
            try:
                ns, set_name, pk = key
                nsb, setb = _names_get(ns), _names_get(set_name)
            except (ValueError, TypeError):  # not 3 items, or an unhashable name
                nsb = None
            if nsb is None or not setb or type(ns) is not str or type(set_name) is not str:
                return await self._put_plain(key, bins)
            if type(pk) is int:  # out of int64: OverflowError from cffi, below
                kt, kd, kl, ki = 1, b"", 0, pk
            elif type(pk) is str:
                kd = _utf8(pk)
                kt, kl, ki = 3, len(kd), 0
            else:
                return await self._put_plain(key, bins)
            taken = self._pickled
            try:
                self._pdump(bins)
                pickled = taken.pop()
                if taken:  # values of 64 KB and more were written apart
                    pickled = _joined_pickle(taken, pickled)
            except BaseException as exc:
                # A dump cut short leaves the pickler mid-object: a new one (as the sync
                # put's); not plain, a cycle, too deep...: the Packer decides (_put_plain).
                self._pdump, self._pickled = _plain_pickler()
                if not isinstance(exc, Exception):
                    raise
                return await self._put_plain(key, bins)
            cid = done._next_id
            done._next_id = cid + 1
            try:
                rc = _async_put_pickled(done.q, cid, conn, done.err, core._write_default, nsb,
                                        setb, kt, kd, kl, ki, pickled, len(pickled),
                                        core._bool_as_bool, _DEFAULT_TTL, 0)
            except OverflowError:
                raise ParamError(-2, _KEY_TOO_BIG) from None
            if rc:
                if rc == _NOT_PLAIN:  # a value for the Packer; nothing was sent
                    return await self._put_plain(key, bins)
                raise_error(done.err, key=key)  # refused before it left: nothing in flight
            fut = _Future() if _running_loop() is done._loop else done._new_future()
            done._pending[cid] = (fut, _fin_put_plain, (bins, key))
            done._in_flight += 1
            return await fut

    def _plain_put_args(self, key, bins):
        """What put(key, bins) needs before its C command: the client's Completions, core
        and connection, the key's parts, the default write policy and the command's ctx.
        Raises as the command would."""
        done = self._done
        if done is None or self._closing:
            raise ClusterError(11, "No connection to aerospike cluster")
        core = self._core
        # (the default write policy needs no keep-alive, and the key parts are not kept:
        # what a command keeps alive while in flight is what PyPy's collector copies)
        return done, core, core._conn(), key_parts(key), core._policy_defaults["write"], \
            (bins, key)

    def _put_plain(self, key, bins):
        """The future of put(key, bins): the common call, _put with no meta, policy or
        serializer written out (as the sync put's), the C command started here with no
        argument tuple when there is room (see Completions.open)."""
        done, core, conn, p, pol, ctx = self._plain_put_args(key, bins)
        if _PICKLE_BINS:
            pickled = _marshal.pickle_bins(bins)
            if pickled is not None and done._in_flight < done.limit:
                fut, cid = done.open(_fin_put_plain, ctx)
                rc = lib.shim_async_put_pickled(
                    done.q, cid, conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5],
                    pickled, len(pickled), core._bool_as_bool, _DEFAULT_TTL, 0)
                if rc != _NOT_PLAIN:
                    return done.opened(rc, cid, fut, _fin_put_plain, ctx)
        packed, n = core._pack_bins(key, bins, None, bins)
        if done._in_flight < done.limit:
            fut, cid = done.open(_fin_put_plain, ctx)
            return done.opened(
                lib.shim_async_put(done.q, cid, conn, done.err, pol, p[0], p[1], p[2], p[3],
                                   p[4], p[5], packed, len(packed), n, _DEFAULT_TTL, 0),
                cid, fut, _fin_put_plain, ctx)
        return done.submit(
            lib.shim_async_put,
            (conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, len(packed), n,
             _DEFAULT_TTL, 0),
            _fin_put_plain, ctx)

    def _put(self, key, bins, meta, policy, serializer, error_bin):
        """The future of a put (validation errors raise here)."""
        core = self._ready()
        conn, p, pickled, packed, n, ttl, gen, pol, keep = core._put_args(
            key, bins, meta, policy, serializer, error_bin)
        done = self._done
        ctx = (core, key, p, error_bin, keep)
        if pickled is not None:
            # Plain values go as they are (one pickle parse in C); the shim says when a
            # value needs the packer, having sent nothing. Over the limit they wait packed.
            if done._in_flight < done.limit:
                fut, cid = done.open(_fin_write, ctx)
                rc = lib.shim_async_put_pickled(
                    done.q, cid, conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5],
                    pickled, len(pickled), core._bool_as_bool, ttl, gen)
                if rc != _NOT_PLAIN:
                    return done.opened(rc, cid, fut, _fin_write, ctx)
            packed, n = core._pack_bins(key, bins, serializer, error_bin)
        return done.submit(
            lib.shim_async_put,
            (conn, done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, len(packed), n,
             ttl, gen),
            _fin_write, ctx)

    async def remove(self, key, meta=None, policy=None):
        core = self._ready()
        conn, p, pol, keep = core._remove_args(key, meta, policy)
        return await self._done.submit(
            lib.shim_async_remove,
            (conn, self._done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5]),
            _fin_write, (core, key, p, None, keep))

    async def remove_bin(self, key, list, meta=None, policy=None):  # noqa: A002
        core = self._ready()
        if not core._remove_bin_check(key, list, policy):
            return 0
        return await self._put(key, dict.fromkeys(list), meta, policy, None, None)

    # ------------------------------------------------------------ operate

    def _operate(self, key, ops, meta, policy, ordered):
        core = self._ready()
        conn, p, packed, n, ttl, gen, pol, keep, raw = core._operate_args(key, ops, meta,
                                                                          policy, ordered)
        return self._done.submit(
            lib.shim_async_operate,
            (conn, self._done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, len(packed),
             n, ttl, gen, 0 if ordered or raw else _want(core)),
            _fin_operate, (core, key, p, (ordered, raw), keep))

    async def operate(self, key, list, meta=None, policy=None):  # noqa: A002
        return await self._operate(key, list, meta, policy, False)

    async def operate_ordered(self, key, list, meta=None, policy=None):  # noqa: A002
        return await self._operate(key, list, meta, policy, True)

    def _single(self, args, key, bin_name):
        conn, p, packed, ttl, gen, pol, keep = args
        return self._done.submit(
            lib.shim_async_operate,
            (conn, self._done.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, len(packed),
             1, ttl, gen, 0),
            _fin_write, (self._core, key, p, bin_name, keep))

    async def append(self, key, bin, val, meta=None, policy=None):  # noqa: A002
        core = self._ready()
        if not isinstance(val, (str, bytes, bytearray)) and not core._unchecked(val):
            raise ParamError(-2, "Cannot concatenate 'str' and 'non-str' objects")
        return await self._single(core._single_args(key, 9, bin, val, meta, policy), key, bin)

    async def prepend(self, key, bin, val, meta=None, policy=None):  # noqa: A002
        core = self._ready()
        if not isinstance(val, (str, bytes, bytearray)) and not core._unchecked(val):
            raise ParamError(-2, "Cannot concatenate 'str' and 'non-str' objects")
        return await self._single(core._single_args(key, 10, bin, val, meta, policy), key, bin)

    async def increment(self, key, bin, offset, meta=None, policy=None):  # noqa: A002
        core = self._ready()
        if not isinstance(offset, (int, float)) and not core._unchecked(offset):
            raise ParamError(-2, "Unsupported operand type(s) for +: only 'int' allowed")
        if type(offset) is bool:
            offset = int(offset)
        return await self._single(core._single_args(key, 5, bin, offset, meta, policy), key,
                                  bin)

    async def touch(self, key, val=0, meta=None, policy=None):
        core = self._ready()
        return await self._single(core._touch_args(key, val, meta, policy), key, None)

    # ------------------------------------------------------------ batches

    def _batch(self, steps):
        """The future of a batch command: its steps (_batch) validate and build the batch
        here, the C client's async batch API runs it, _fin_batch makes the result."""
        core = self._ready()
        done = self._done
        call, policy = next(steps)
        conn, pol, has_write, packed, policies, keep = call.run_args(policy)
        # The per-record policies (and what keeps them) live in ctx until the batch is back:
        # its retries write the records again (the shim keeps its own copy of the packed
        # records for the same reason).
        return done.submit(
            lib.shim_async_batch,
            (conn, done.err, pol, has_write, packed, len(packed), call.count, policies,
             len(call.policies), call.want_marshal()),
            _fin_batch, (core, None, None, (steps, call), (keep, packed, policies, call.keep)))

    async def batch_read(self, keys, bins=None, policy=None):
        records = await self._batch(_batch.batch_read_steps(self._ready(), keys, bins, policy))
        if _jit_stages:
            _batch._jit_step(len(keys), _jit_stages)
        return records

    async def batch_operate(self, keys, ops, policy_batch=None, policy_batch_write=None,
                            ttl=None):
        return await self._batch(_batch.batch_operate_steps(
            self._ready(), keys, ops, policy_batch, policy_batch_write, ttl))

    async def batch_write(self, batch_records, policy_batch=None):
        return await self._batch(_batch.batch_write_steps(self._ready(), batch_records,
                                                          policy_batch))

    async def batch_remove(self, keys, policy_batch=None, policy_batch_remove=None):
        return await self._batch(_batch.batch_remove_steps(
            self._ready(), keys, policy_batch, policy_batch_remove))

    async def batch_apply(self, keys, module, function, args, policy_batch=None,
                          policy_batch_apply=None):
        return await self._batch(_batch.batch_apply_steps(
            self._ready(), keys, module, function, args, policy_batch, policy_batch_apply))

    # ------------------------------------------------------------ run on worker threads

    # Every other public command of the sync Client (info, truncate, indexes,
    # job_info, and whatever the command families gain later: UDFs, admin...) becomes a
    # coroutine that runs it on a worker thread: see the end of this module.

    # ------------------------------------------------------------ no I/O: plain methods

    def get_node_names(self):
        return self._ready().get_node_names()

    def get_nodes(self):
        return self._ready().get_nodes()

    def get_key_partition_id(self, ns, set, key):  # noqa: A002
        return self._ready().get_key_partition_id(ns, set, key)

    def get_expression_base64(self, expression):
        return Client.get_expression_base64(None, expression)

    def get_cdtctx_base64(self, ctx):
        return Client.get_cdtctx_base64(None, ctx)

    def shm_key(self):
        return self._ready().shm_key()

    # ------------------------------------------------------------ scans and queries

    def scan(self, namespace, set=None):  # noqa: A002
        return _stream.AsyncScan(self, namespace, set)

    def query(self, namespace, set=None):  # noqa: A002
        return _stream.AsyncQuery(self, namespace, set)


def _add_threaded_commands():
    """AsyncClient gets an awaitable twin of each public Client method it does not define
    itself, run on a worker thread (the C call releases the GIL)."""
    for name in dir(Client):
        if name.startswith("_") or hasattr(AsyncClient, name):
            continue
        if callable(getattr(Client, name)):
            setattr(AsyncClient, name, _threaded(name))


_add_threaded_commands()
_start_get = AsyncClient._start_get
_start_put_plain = getattr(AsyncClient, "_start_put_plain", None)  # (PyPy's)


def client(config):
    """An AsyncClient for ``config`` (the sync client's config dict); ``await
    client.connect()`` or ``async with`` connects it."""
    return AsyncClient(config)


# PyPy: batch_read's warm-up (issue 13), as the sync Client.batch_read's (_batch.JIT_STEPS):
# step 1, the same, marks add_reads and read_page after the first batch_reads; step 2
# marks this client's batch path at the next call: AsyncClient._batch (validate and pack,
# through the batch's steps), _fin_batch (decode and finish) and Completions._drain (the
# loop over finished commands that calls it). Left to itself, PyPy traced the asyncio loop
# (run_forever, _run_once, a task's __step, _drain, ...) with all of that inlined, past
# its trace limit, and threw the trace away 11 times in the first 3 000 calls of 100-key
# batches, marking one more function each time (3 times with _batch and _fin_batch
# marked, none with _drain too); calls 1001-1500 ran 1.7x the steady state's
# instructions, now 1.2x (benchmarks/README.md, branch cold-paths).
def _batch_functions():
    return AsyncClient._batch, _fin_batch, Completions._drain


_jit_stages = [_batch.JIT_STEPS[0], _batch_functions] if _batch.JIT_STEPS else []
