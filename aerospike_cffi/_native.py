"""The compiled extension and what every call into it shares.

- ``ffi``/``lib``: the cffi extension (C shim + C client).
- ``scratch()``: this thread's reusable ``as_error`` and output ``shim_buf``, so a command
  allocates nothing on the C side per call.
- ``raise_error(err)``: the one place a C client error becomes a Python exception.
- Log lines from C threads arrive through ``_aerospike_cffi_log`` (cffi takes the GIL).
"""

import logging
import threading

from ._aerospike_cffi import ffi, lib
from .exception import class_for_code

_local = threading.local()

# As the official: the C client names this client "python" in its user agent and metrics
# files, with the module's version.
lib.shim_client_identity(b"python", __import__("aerospike_cffi").__version__.encode())


# The fast single-record reads (records.py, shim_get_f and shim_operate_m in shim.h) write
# their answer into memory the scratch owns (a thread's, or the pool's below): marshal.loads
# reads it through a buffer object made once, and the digest is copied from another, with
# no ffi.buffer or copy of the answer per call (on PyPy a memoryview of a bytearray made
# marshal.loads slower). Answers larger than this go to the heap (SHIM_MARSHAL_HEAP).
_FAST_CAP = 1 << 16


class _Scratch:
    __slots__ = ("err", "out", "fout", "fview", "fdigest", "_fmem", "pdump", "pickled",
                 "__weakref__")

    def __init__(self):
        self.err = ffi.new("as_error*")
        # ffi.gc frees only memory (the buffer's bytes), never a connection.
        self.out = ffi.gc(ffi.new("shim_buf*"), lib.shim_buf_free)
        # fdigest: the answer's digest[20]; fview: the marshal data after it (shim.h).
        mem = self._fmem = ffi.new("uint8_t[]", _FAST_CAP)
        self.fdigest = ffi.buffer(mem, 20)
        self.fview = ffi.buffer(mem + 20, _FAST_CAP - 20)
        fout = self.fout = ffi.gc(ffi.new("shim_buf*"), lib.shim_buf_free)
        fout.data = fout.home = mem
        fout.cap = fout.home_cap = _FAST_CAP
        # The fast put's pickler (CPython, records.py): _marshal.plain_pickler().
        from ._marshal import plain_pickler

        self.pdump, self.pickled = plain_pickler()


def new_scratch():
    """This thread's scratch, made on its first command."""
    s = _local.scratch = _Scratch()
    return s


def thread_scratch():
    """The calling thread's _Scratch (made on its first command)."""
    try:
        return _local.scratch
    except AttributeError:
        return new_scratch()


# The fast reads' scratches (records.py get/exists): a pool that a call takes one from and
# gives back to, list.pop/append being atomic under the GIL on CPython and PyPy. On CPython
# that costs less than a threading.local read (issue 13: every step of a get is paid with
# the GIL held); the pool holds as many as ran at once. take_scratch raises IndexError when
# the pool is empty: the caller makes one (_Scratch()).
_idle_scratches = []
take_scratch, give_scratch = _idle_scratches.pop, _idle_scratches.append


def scratch():
    """(as_error*, shim_buf*) owned by the calling thread."""
    s = thread_scratch()
    return s.err, s.out


def out_bytes(out):
    """A copy of what the last call wrote into ``out``."""
    return ffi.buffer(out.data, out.len)[:]


class NulFields:
    """Reads, in order, the NUL-ended text fields a shim call wrote (admin and metrics
    answers: strings, and numbers in decimal)."""

    __slots__ = ("_items", "_at")

    def __init__(self, data):
        self._items = data.split(b"\0")
        self._at = 0

    def more(self):
        return self._at < len(self._items) - 1

    def text(self):
        item = self._items[self._at]
        self._at += 1
        return item.decode("utf-8", "replace")

    def number(self):
        return int(self.text())


def _cstr(p):
    return ffi.string(p).decode("utf-8", "replace") if p != ffi.NULL else None


def error_from(err):
    """The exception instance for a filled as_error."""
    code = err.code
    msg = ffi.string(err.message).decode("utf-8", "replace")
    exc = class_for_code(code)(code, msg, _cstr(err.file), err.line, bool(err.in_doubt))
    return exc


def raise_error(err, key=None, bin=None):
    exc = error_from(err)
    if key is not None and hasattr(exc, "key"):
        exc.key = key
    if bin is not None and hasattr(exc, "bin"):
        exc.bin = bin
    raise exc


# ------------------------------------------------------------------ logging

_log_handler = None
_py_logger = logging.getLogger("aerospike_cffi")
# C client levels (as_log_level): ERROR 0, WARN 1, INFO 2, DEBUG 3, TRACE 4.
_LOGGING_LEVELS = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO, 3: logging.DEBUG,
                   4: logging.DEBUG}


def set_log_handler(handler):
    """Send C client log lines to ``handler(level, func, path, line, msg)``; None: logging."""
    global _log_handler
    _log_handler = handler


@ffi.def_extern()
def _aerospike_cffi_log(level, func, file, line, msg):
    # Runs in whatever thread the C client logs from; never let an exception escape to C.
    try:
        args = (level, _cstr(func), _cstr(file), line, _cstr(msg))
        if _log_handler is not None:
            _log_handler(*args)
        else:
            _py_logger.log(_LOGGING_LEVELS.get(level, logging.DEBUG), "%s:%d %s", args[2], line,
                           args[4])
    except Exception:  # noqa: BLE001 - a failing handler must not break the C client
        pass
