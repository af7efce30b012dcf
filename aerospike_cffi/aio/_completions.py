"""Commands in flight on the C client's event loop, and their completions.

One ``Completions`` per connected AsyncClient, bound to the asyncio loop that connected it.
A command is submitted with one shim call (``shim_async_*``) that takes the command's id;
the shim's listener, on the C client's event-loop thread, writes the answer into the
command's own output buffer (the sync layouts), queues it and signals an eventfd. The
asyncio loop watches that fd: one ``_drain`` takes every finished command in one call,
decodes each with the sync client's own code and settles its future, then hands all the
C commands back in one more call. No Python runs on a C thread. The drain also resumes
each command's task itself (see _drain), without a call_soon per command.

A command whose future was cancelled still finishes in C; its answer is dropped when it
comes back (its buffer freed with the rest). At most ``limit`` commands are in flight per
client; more wait here, in order, and one cancelled while waiting is never sent.
"""

import asyncio
import collections
import collections.abc
import functools
import platform
import types

from .._native import error_from, ffi, lib
from ..exception import ClientError

_DRAIN_MAX = 512  # finished commands taken per shim call
_PYPY = platform.python_implementation() == "PyPy"
# (_drain: on CPython one ffi.unpack of the n pointers costs fewer bytecodes than n
# indexings; PyPy's JIT does better with plain indexing, its unpack builds n boxed cdata.)

_PENDING, _DONE, _CANCELLED = 0, 1, 2

# PyPy: the drain reads a command's id (uint64_t, the struct's first field) as an int64_t
# through a cast pointer. PyPy's cffi reads a uint64_t field through a big-integer helper
# (~45 ns and ~250 bytes allocated per read, measured); the cast is read inline and
# allocates nothing once JIT-compiled. Ids count up from 0, far below 2**63.
_ID_AT_0 = ffi.offsetof("shim_async_cmd", "id") == 0 and ffi.sizeof(
    ffi.typeof("shim_async_cmd").fields[0][1].type) == 8
_I64P = ffi.typeof("int64_t*")
_cast = ffi.cast
_unpack = ffi.unpack
_current_task = asyncio.current_task

# PyPy: a task's wake-up. asyncio's Task there is the pure-Python one, whose
# add_done_callback(self.__wakeup, context=self._context) hands a waiter a new bound method
# at each await: kept while the command is in flight, it is one more object per command
# that PyPy's minor collections copy. A _Waiter keeps the Task instead (_callback, with
# _context None) and calls _TASK_WAKEUP(task, waiter) when it is done.
_Task = asyncio.Task
_TASK_WAKEUP = getattr(_Task, "_Task__wakeup", None)
_MethodType = types.MethodType
try:  # PyPy's contextvars are Python (_contextvars.py): see _wake
    from __pypy__ import get_contextvar_context as _get_cx
    from __pypy__ import set_contextvar_context as _set_cx
    from _contextvars import Context as _PY_CONTEXT
except ImportError:  # CPython
    _PY_CONTEXT = None


def _wake(task, waiter):
    """Runs ``task``'s wake-up for ``waiter`` in the task's context, as a Handle would.

    On PyPy Context.run (pure Python, ``run(self, callable, *args, **kwargs)``) is compiled
    as a function of its own, and each call through it builds its frame, an args tuple and
    an empty kwargs dict (~600 bytes per call, PyPy's JIT log): its body written out here,
    for PyPy's own Context only."""
    cx = task._context
    if type(cx) is not _PY_CONTEXT or cx._is_entered:
        return cx.run(_TASK_WAKEUP, task, waiter)  # (also what raises for an entered one)
    prev = _get_cx()
    cx._is_entered = True
    _set_cx(cx)
    try:
        _TASK_WAKEUP(task, waiter)
    finally:
        _set_cx(prev)
        cx._is_entered = False


class _Waiter:
    """PyPy: what a command's coroutine awaits, in place of an asyncio.Future.

    PyPy's asyncio.Future is pure Python: each one is registered for finalization (its
    __del__), and each ``await`` of it makes a generator. With a few hundred commands in
    flight those objects outlive PyPy's small nursery and are copied by every minor
    collection. A _Waiter is what asyncio's Task needs of the object it waits on
    (``_asyncio_future_blocking``, ``get_loop``, ``add_done_callback``, ``cancel``,
    ``result``...), is its own iterator when awaited, and carries the command's
    ``finish`` and ``ctx`` (no tuple per command). Only this module's coroutines await it;
    the task awaiting it is the only callback it ever gets. (CPython keeps asyncio's C
    Future, which is cheaper there.)

    ``then``, when given (a get): ``finish`` only copies the answer's bytes
    out in the drain, and ``then(bytes, ctx)`` decodes them when the awaiting task
    resumes (``__next__``). When the drain could not resume the tasks itself (debug
    mode, a drain called from a task) they run only after it, and decoded records
    waiting meanwhile were much of what PyPy's minor collections found alive (survivors
    per collection 217 -> 95 KB; benchmarks/README.md). A task cancelled meanwhile never
    decodes its bytes."""

    __slots__ = ("_loop", "_state", "_result", "_exc", "_callback", "_context",
                 "_asyncio_future_blocking", "finish", "ctx", "then")

    def __init__(self, loop, finish, ctx, then=None):
        self._loop = loop
        self._state = _PENDING
        self._result = None
        self._exc = None
        self._callback = None
        self._context = None
        self._asyncio_future_blocking = False
        self.finish = finish
        self.ctx = ctx
        self.then = then

    def get_loop(self):
        return self._loop

    def done(self):
        return self._state != _PENDING

    def cancelled(self):
        return self._state == _CANCELLED

    def add_done_callback(self, fn, *, context=None):
        if self._state != _PENDING:
            self._loop.call_soon(fn, self, context=context)
        elif self._callback is None:
            if type(fn) is _MethodType and fn.__func__ is _TASK_WAKEUP and \
                    type(fn.__self__) is _Task and fn.__self__._context is context:
                self._callback = fn.__self__  # the awaiting Task (see _TASK_WAKEUP)
            else:
                self._callback = fn
                self._context = context
        else:  # pragma: no cover - only one Task ever awaits a command
            raise RuntimeError("a command's waiter has one callback")

    def remove_done_callback(self, fn):
        cb = self._callback
        if cb is None:
            return 0
        if type(cb) is _Task:
            if type(fn) is not _MethodType or fn.__func__ is not _TASK_WAKEUP or \
                    fn.__self__ is not cb:
                return 0
        elif cb != fn:
            return 0
        self._callback = self._context = None
        return 1

    def _schedule(self, fn):
        # The loop runs the callback next turn (in the task's context for a Task).
        if type(fn) is _Task:
            self._loop.call_soon(_TASK_WAKEUP, fn, self, context=fn._context)
        else:
            self._loop.call_soon(fn, self, context=self._context)

    def _settle(self, state, result, exc):
        self._state = state
        self._result = result
        self._exc = exc
        self.finish = None
        if self.then is None:
            self.ctx = None  # the C policy and packed bytes can go now
        fn = self._callback
        if fn is not None:
            self._callback = None
            self._schedule(fn)

    def set_result(self, result):
        if self._state != _PENDING:
            raise asyncio.InvalidStateError("invalid state")
        self._settle(_DONE, result, None)

    def set_exception(self, exc):
        if self._state != _PENDING:
            raise asyncio.InvalidStateError("invalid state")
        self._settle(_DONE, None, exc)

    def cancel(self, msg=None):
        if self._state != _PENDING:
            return False
        # (what the command borrowed stays in ctx until it is back: _drain drops it then)
        self._state = _CANCELLED
        self._exc = asyncio.CancelledError() if msg is None else asyncio.CancelledError(msg)
        fn = self._callback
        if fn is not None:
            self._callback = None
            self._schedule(fn)
        return True

    def result(self):
        if self._state == _PENDING:
            raise asyncio.InvalidStateError("Result is not ready.")
        if self._exc is not None:
            raise self._exc
        return self._result

    def exception(self):
        if self._state == _PENDING:
            raise asyncio.InvalidStateError("Exception is not set.")
        if self._state == _CANCELLED:
            raise self._exc
        return self._exc

    def __await__(self):
        return self

    __iter__ = __await__

    def __next__(self):
        if self._state == _PENDING:
            self._asyncio_future_blocking = True
            return self  # to the Task, which waits for it
        if self._exc is not None:
            raise self._exc
        then = self.then
        if then is None:
            raise StopIteration(self._result)
        # The answer's bytes, decoded now that the command's task runs (see ``then``).
        self.then = None
        ctx, self.ctx = self.ctx, None
        raise StopIteration(then(self._result, ctx))


_NEW, _USED = 3, 4  # (_Call) not started yet; its value handed over


class _Call(_Waiter):
    """PyPy: what ``AsyncClient.get(...)`` returns, in place of a coroutine object.

    With 256 commands in flight each one's suspended coroutine (its coroutine object,
    frame and value stack: 328 bytes, measured with gc.get_rpy_memory_usage) was alive at
    every minor collection, so each was copied to the old generation and freed there by a
    major collection (benchmarks/README.md, branch ``aio-pypy``). A _Call is the command's
    _Waiter and its coroutine in one object: created by the method with what the command
    needs (nothing is sent), started at the first ``send(None)`` (the task's first step,
    or the awaiting coroutine's first resume: where a coroutine would run its body), then
    the waiter the task waits on, and its value returned by the last ``send``. So
    ``await client.get(k)``, ``asyncio.create_task(client.get(k))``, ``gather``,
    ``wait_for``... behave as with a coroutine: ``asyncio.iscoroutine`` answers True
    (registered as a ``collections.abc.Coroutine``), and ``asyncio.isfuture`` False until
    it is started (``_asyncio_future_blocking`` is None), so gather() and ensure_future()
    wrap it in a task and do not take it for a future. A bad key or a closed client
    raises at the first send, as the coroutine raised when first run.

    Before the start ``finish`` holds the start function, ``_result`` the client, ``ctx``
    the key and ``then`` the policy: ``finish(client, call, key, policy)`` arms the
    waiter (Completions.arm) and sends the command, or raises."""

    __slots__ = ()

    def __init__(self, start, client, key, policy):
        self._loop = None
        self._state = _NEW
        self._result = client
        self._exc = None
        self._callback = None
        self._context = None
        self._asyncio_future_blocking = None  # not a future until started
        self.finish = start
        self.ctx = key
        self.then = policy

    def __next__(self):
        state = self._state
        if state == _NEW:
            start, client = self.finish, self._result
            self._state = _PENDING
            self._result = None
            self._asyncio_future_blocking = False
            try:
                start(client, self, self.ctx, self.then)
            except BaseException:
                self._state = _USED
                self.finish = self.ctx = self.then = None
                raise
            state = self._state
        if state == _PENDING:
            self._asyncio_future_blocking = True
            return self  # to the Task, which waits for it
        if state == _USED:
            raise RuntimeError("cannot reuse already awaited coroutine")
        exc = self._exc
        if exc is not None:
            self._state = _USED
            raise exc
        then = self.then
        result = self._result
        self._state = _USED
        self._result = None
        if then is None:
            raise StopIteration(result)
        self.then = None
        ctx, self.ctx = self.ctx, None
        raise StopIteration(then(result, ctx))

    def send(self, value):
        return self.__next__()

    def throw(self, typ, val=None, tb=None):
        # (what a coroutine awaiting a future does: the exception raised where it waits;
        # a command in flight finishes and its answer is dropped with this object)
        if val is None:
            val = typ() if isinstance(typ, type) else typ
        if tb is not None:
            val = val.with_traceback(tb)
        if self._state == _NEW:
            self._state = _USED
            self.finish = self.ctx = self.then = self._result = None
        raise val

    def close(self):
        if self._state == _NEW:
            self._state = _USED
            self.finish = self.ctx = self.then = self._result = None

    def result(self):
        if self._state == _USED:
            raise asyncio.InvalidStateError("Result is not ready.")
        return _Waiter.result(self)

    def done(self):
        return self._state == _DONE or self._state == _CANCELLED


collections.abc.Coroutine.register(_Call)


class Completions:
    def __init__(self, loop, limit):
        q = lib.shim_async_queue_new()
        if q == ffi.NULL:
            raise ClientError(-1, "Cannot create the async completion queue")
        self._q = q
        self._loop = loop
        self.q = q  # (for the callers that start a command themselves: open())
        self._fd = lib.shim_async_queue_fd(q)
        self._slots = ffi.new("shim_async_cmd*[]", _DRAIN_MAX)
        self.err = ffi.new("as_error*")  # where a submit refused on this loop's thread says why
        self._pending = {}  # id -> (future, finish, ctx)
        self._waiting = collections.deque()  # (start, args, future, finish, ctx) over the limit
        self._next_id = 0
        self._in_flight = 0
        self.limit = limit
        self._idle = None  # a future close() waits on until nothing is in flight
        self.owner = None  # what commands in flight borrow from (the client's core)
        # CPython: the default loop's create_future() is a Python method that only makes
        # asyncio's (C) Future; made here without that call. Other loops (uvloop) keep
        # their own create_future.
        if type(loop).create_future is asyncio.BaseEventLoop.create_future:
            self._new_future = functools.partial(asyncio.Future, loop=loop)
        else:
            self._new_future = loop.create_future
        loop.add_reader(self._fd, self._drain)

    @property
    def loop(self):
        return self._loop

    def in_flight(self):
        return self._in_flight + len(self._waiting)

    def submit(self, start, args, finish, ctx, then=None):
        """A future of ``finish(cmd, ctx)`` once ``start(queue, id, *args)``'s command is
        back. ``args`` holds everything the C call borrows (policy, packed bytes), its
        second item the as_error a refusal is written to; ``ctx[1]`` is the user's key.
        ``then``: PyPy only (see _Waiter)."""
        fut = _Waiter(self._loop, finish, ctx, then) if _PYPY else self._new_future()
        if self._in_flight < self.limit:
            # (_start inlined: this runs once per command)
            cid = self._next_id
            self._next_id = cid + 1
            if start(self._q, cid, *args):
                self._refused(args[1], fut, ctx)
            else:
                self._pending[cid] = fut if _PYPY else (fut, finish, ctx)
                self._in_flight += 1
        else:
            self._waiting.append((start, args, fut, finish, ctx))
        return fut

    def has_room(self):
        return self._in_flight < self.limit

    def submit_now(self, start, args, finish, ctx, decline):
        """submit() when has_room(); None (nothing sent) when ``start`` answered
        ``decline``."""
        fut = _Waiter(self._loop, finish, ctx) if _PYPY else self._new_future()
        if self._start(start, args, fut, finish, ctx, decline):
            return None
        return fut

    def _start(self, start, args, fut, finish, ctx, decline=None):
        cid = self._next_id
        self._next_id = cid + 1
        rc = start(self._q, cid, *args)
        if rc == decline:
            return True
        if rc:
            self._refused(args[1], fut, ctx)
            return
        self._pending[cid] = fut if _PYPY else (fut, finish, ctx)
        self._in_flight += 1

    # The hot commands (get, exists, put) start their C command themselves, with no
    # argument tuple to unpack (PyPy's JIT turns ``start(q, id, *args)`` into a list built
    # element by element): ``fut, cid = open(finish, ctx)`` when has_room(), the shim call
    # with ``self.q``, ``cid`` and ``self.err``, then ``opened(rc, ...)``.

    def arm(self, w, finish, ctx, then=None):
        """PyPy: the id of a command started at once (has_room() answered True) whose
        waiter is the _Call ``w`` (as open(), without making one)."""
        cid = self._next_id
        self._next_id = cid + 1
        w._loop = self._loop
        w.finish = finish
        w.ctx = ctx
        w.then = then
        return cid

    def open(self, finish, ctx, then=None):
        """(future, id) of a command started at once (has_room() answered True); ``then``
        as in submit()."""
        cid = self._next_id
        self._next_id = cid + 1
        return (_Waiter(self._loop, finish, ctx, then) if _PYPY
                else self._new_future()), cid

    def opened(self, rc, cid, fut, finish, ctx):
        """open()'s future, its command started (``rc`` 0) or refused."""
        if rc:
            self._refused(self.err, fut, ctx)
        else:
            self._pending[cid] = fut if _PYPY else (fut, finish, ctx)
            self._in_flight += 1
        return fut

    @staticmethod
    def _refused(err, fut, ctx):
        # Refused before it left (bad key, no node, ...): nothing is in flight.
        exc = error_from(err)
        key = ctx[1]
        if key is not None and hasattr(exc, "key"):
            exc.key = key
        fut.set_exception(exc)

    def _drain(self):
        slots = self._slots
        n = lib.shim_async_drain(self._q, slots, _DRAIN_MAX)
        pending = self._pending
        counted = False
        try:
            if _PYPY:
                # As on CPython (below): counted out first, the waiting ones started, and
                # each task woken here, not through a call_soon Handle. On PyPy that also
                # means a command's answer and the objects of its task's next command die
                # young: a task runs right after its own answer instead of after the whole
                # drain, so less is alive when the nursery fills (what its minor
                # collections copy and its major collections free).
                self._in_flight -= n
                counted = True
                if self._waiting:
                    self._start_waiting()
                loop = self._loop
                inline = _current_task(loop) is None and not loop.get_debug()
                escaping = None
                for i in range(n):
                    cmd = slots[i]
                    fut = pending.pop(_cast(_I64P, cmd)[0] if _ID_AT_0 else cmd.id)
                    if fut._state:  # cancelled: the answer is dropped
                        fut.finish = fut.ctx = None
                        continue
                    try:
                        result = fut.finish(cmd, fut.ctx)
                        exc = None
                    except Exception as failed:  # noqa: BLE001 - the command's own error
                        result, exc = None, failed
                    fn = fut._callback
                    if not inline or type(fn) is not _Task:
                        fut._settle(_DONE, result, exc)  # (woken by the loop)
                        continue
                    fut._callback = None  # settled without scheduling it, run now
                    fut._settle(_DONE, result, exc)
                    try:
                        _wake(fn, fut)
                    except BaseException as failed:  # noqa: BLE001 - as Handle._run
                        if isinstance(failed, (SystemExit, KeyboardInterrupt)):
                            escaping, inline = failed, False
                        else:
                            self._callback_failed(fn, failed)
                if escaping is not None:
                    raise escaping
                return
            # CPython: counted out before any task runs (a task woken here that sends its
            # next command finds room for it, not the queue of waiting commands).
            self._in_flight -= n
            counted = True
            if self._waiting:  # (first: the commands waiting for room keep their turn)
                self._start_waiting()
            loop = self._loop
            # Wake the tasks here (below) unless a task is running (a drain called from
            # a coroutine, as a test does) or the loop is in debug mode (which times each
            # callback it runs: a drain running tasks would look like one slow callback).
            inline = _current_task(loop) is None and not loop.get_debug()
            escaping = None
            for cmd in _unpack(slots, n):
                fut, finish, ctx = pending.pop(cmd.id)
                if fut.done():  # cancelled: the answer is dropped
                    continue
                try:
                    result = finish(cmd, ctx)
                    failed = False
                except Exception as exc:  # noqa: BLE001 - the command's own error
                    result, failed = exc, True
                if inline:
                    # The one callback of a command's future is the wake-up of the task
                    # awaiting it: taken off, the future settled (so nothing is scheduled),
                    # and run now in the task's context, as the loop would run it on its
                    # next turn. This saves asyncio's per-command call_soon (a Python
                    # method making a Python Handle) and the Handle's run.
                    cbs = fut._callbacks
                    if cbs is not None and len(cbs) == 1:
                        cb, cx = cbs[0]
                        fut.remove_done_callback(cb)
                        if failed:
                            fut.set_exception(result)
                        else:
                            fut.set_result(result)
                        try:
                            cx.run(cb, fut)
                        except BaseException as exc:  # noqa: BLE001 - as Handle._run
                            if isinstance(exc, (SystemExit, KeyboardInterrupt)):
                                # settle the rest the ordinary way, then let it out
                                escaping, inline = exc, False
                            else:
                                self._callback_failed(cb, exc)
                        continue
                if failed:
                    fut.set_exception(result)
                else:
                    fut.set_result(result)
            if escaping is not None:
                raise escaping
        finally:
            lib.shim_async_release(slots, n)
            if not counted:
                self._in_flight -= n
            if self._waiting:
                self._start_waiting()
            if self._idle is not None and not self.in_flight() and not self._idle.done():
                self._idle.set_result(None)

    def _callback_failed(self, cb, exc):
        # A woken callback raised (a task's wake-up does not: the task keeps its error):
        # reported as the loop reports a failed callback (Handle._run).
        self._loop.call_exception_handler({
            "message": "Exception in callback %r" % (cb,), "exception": exc})

    def _start_waiting(self):
        waiting = self._waiting
        while waiting and self._in_flight < self.limit:
            item = waiting.popleft()
            if not item[2].done():  # one cancelled while waiting is never sent
                self._start(*item)

    async def wait_idle(self):
        """Until every command sent or waiting has come back."""
        while self.in_flight():
            self._idle = self._loop.create_future()
            await self._idle

    def close(self):
        """Stop watching and free the queue; only once nothing is in flight."""
        if self._q is None:
            return
        self._loop.remove_reader(self._fd)
        lib.shim_async_queue_free(self._q)
        self._q = self.q = None
