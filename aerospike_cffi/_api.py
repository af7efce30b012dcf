"""Module-level functions of the `aerospike` surface that need the compiled extension."""

import functools

from . import _config, _marshal, _native
from ._native import lib
from ._client import Client
from ._keys import key_digest, partition_of
from ._stream import Query, Scan  # noqa: F401 - module surface
from ._txn import Transaction  # noqa: F401 - module surface
from .exception import ParamError

def _c_style_arguments(fn):
    """Argument errors of ``fn`` worded as the official's C functions word them (code that
    tests for them keeps passing). Only for module functions: it costs a call layer."""
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount]
    required = len(names) - len(fn.__defaults__ or ())
    name = fn.__name__

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if len(args) + len(kwargs) > len(names):
            raise TypeError("%s() takes at most %d argument%s (%d given)" % (
                name, len(names), "" if len(names) == 1 else "s", len(args) + len(kwargs)))
        for pos in range(len(args), required):
            if names[pos] not in kwargs:
                raise TypeError("%s() missing required argument '%s' (pos %d)"
                                % (name, names[pos], pos + 1))
        for key in kwargs:
            if key not in names:
                raise TypeError("'%s' is an invalid keyword argument for %s()" % (key, name))
            pos = names.index(key)
            if pos < len(args):
                raise TypeError("argument for %s() given by name ('%s') and position (%d)"
                                % (name, key, pos + 1))
        return fn(*args, **kwargs)

    return call


def client(config=_config.NO_CONFIG):
    """A Client for ``config``, connected (as the official aerospike.client())."""
    return Client(config)


@_c_style_arguments
def calc_digest(ns, set, key):  # noqa: A002 - official parameter name
    """The 20-byte RIPEMD-160 digest (bytearray) of a key, as the server computes it."""
    # As the official: argument types are TypeErrors here.
    if not isinstance(ns, str):
        raise TypeError("Namespace should be a string")
    if not isinstance(set, str):
        raise TypeError("Set should be a string or unicode")
    if not isinstance(key, (str, int, bytearray)):
        raise TypeError("Key is invalid")
    return key_digest(ns, set, key)


def get_partition_id(*digest):
    """The partition (0..4095) of a 20-byte digest (``get_partition_id(digest)``).

    Its argument errors are the official's TypeErrors; unlike the official (which reads a
    str and answers from memory it does not own) it takes the digest calc_digest gives."""
    if len(digest) != 1:
        raise TypeError("argument must be sequence of length 1, not %d" % len(digest))
    digest = digest[0]
    if not isinstance(digest, (bytes, bytearray)):
        raise TypeError("argument 1 must be bytearray, not %s" % type(digest).__name__)
    if len(digest) != 20:
        raise ParamError(-2, "digest must be a 20-byte bytearray")
    return partition_of(digest)


def set_log_level(loglevel):
    """Log C client messages at ``loglevel`` (aerospike.LOG_LEVEL_*) and above."""
    if not isinstance(loglevel, int):  # a bool is a level too, as in the official
        raise ParamError(-2, "Invalid log level")
    if not -(1 << 63) <= loglevel < (1 << 63):  # the official reads a C long
        raise ParamError(-2, "integer value exceeds sys.maxsize")
    # ... and keeps its low 32 bits (a C int): 2**31 is then negative, i.e. off
    loglevel = ((loglevel + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)
    lib.shim_log_enable(loglevel if loglevel >= 0 else -1)
    return 0


def set_log_handler(log_handler=None):
    """Send C client log lines to ``log_handler(level, func, path, line, msg)``."""
    if log_handler is not None and not callable(log_handler):
        raise ParamError(-2, "Callback must be callable")
    _native.set_log_handler(log_handler)
    return 0


def set_serializer(callback):
    """The module-wide serializer, used by commands given aerospike.SERIALIZER_USER."""
    if not callable(callback):
        raise ParamError(-2, "Parameter must be a callable")
    _marshal.GLOBAL_SERIALIZERS.serializer = callback
    return 0


def set_deserializer(callback):
    """The module-wide deserializer, applied to every blob read back."""
    if not callable(callback):
        raise ParamError(-2, "Parameter must be a callable")
    _marshal.GLOBAL_SERIALIZERS.deserializer = callback
    return 0


def unset_serializers():
    """Remove the serializer and deserializer set by ``set_serializer``/``set_deserializer``."""
    _marshal.GLOBAL_SERIALIZERS.serializer = None
    _marshal.GLOBAL_SERIALIZERS.deserializer = None
    return 0


def _reword_method_argument_errors():
    """The official's words for argument errors on every method off the hot path (record
    and batch commands keep Python's: see _arguments). where() is left out: the official
    words its errors differently there."""
    from ._arguments import c_style_methods
    from ._commands import BatchCommands, RecordCommands

    class _Keep:
        where = None

    c_style_methods(Client, exclude=(RecordCommands, BatchCommands))
    c_style_methods(Scan)
    c_style_methods(Query, exclude=(_Keep,))


_reword_method_argument_errors()


def _mark_method_classes():
    """Give each public method of Client, Scan and Query the ``__objclass__`` the official's
    C method descriptors carry (the class they belong to): code written against it reads it
    to tell a Client method from a Scan's or Query's. Methods Scan and Query share (one
    function) name Scan. Costs nothing per call."""
    for cls in (Client, Scan, Query):
        for name in dir(cls):
            if name.startswith("_"):
                continue
            fn = getattr(cls, name, None)
            if isinstance(fn, type(_mark_method_classes)) and "__objclass__" not in vars(fn):
                fn.__objclass__ = cls


_mark_method_classes()
