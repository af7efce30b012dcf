"""Transaction: one multi-record transaction (server 8+, strong-consistency namespaces).

It owns one heap ``as_txn`` of the C client (freed once, by ffi.gc: it is memory only, no
connection). Commands join it through the ``txn`` key of their policy
(``{"txn": transaction}``), which puts its pointer into the C policy's base; the C client
then tracks the records read and written, and ``client.commit()`` / ``client.abort()`` end it.
"""

from ._native import ffi, lib

_U32_MAX = 0xFFFFFFFF


def _u32(value):
    """``value`` as a C uint32, with the official's exceptions and messages."""
    if not isinstance(value, int):
        raise TypeError("%s must be an integer" % (value,))
    if value < 0:
        raise OverflowError("can't convert negative int to unsigned")
    if value > _U32_MAX:
        raise ValueError("%d exceeds %d" % (value, _U32_MAX))
    return value


class Transaction:
    """A multi-record transaction: ``id``, ``in_doubt``, ``state`` (aerospike.TXN_STATE_*)
    and ``timeout`` (seconds; 0 means the server's mrt-duration) are the C client's."""

    __slots__ = ("_txn", "__weakref__")

    def __init__(self, reads_capacity=128, writes_capacity=128):
        reads = _u32(reads_capacity)
        writes = _u32(writes_capacity)
        txn = lib.shim_txn_new(reads, writes)
        if txn == ffi.NULL:
            raise MemoryError("cannot allocate a transaction of that capacity")
        self._txn = ffi.gc(txn, lib.shim_txn_free)

    def _info(self):
        out = ffi.new("uint64_t*"), ffi.new("int*"), ffi.new("int*"), ffi.new("uint32_t*")
        lib.shim_txn_info(self._txn, *out)
        return out

    @property
    def id(self):
        """The transaction id (an int), given by the C client when the object is made."""
        return self._info()[0][0]

    @property
    def in_doubt(self):
        """Whether a failed commit may still have reached the server."""
        return bool(self._info()[2][0])

    @property
    def state(self):
        """Where the transaction is: one of the ``aerospike.TXN_STATE_*`` constants."""
        return self._info()[1][0]

    @property
    def timeout(self):
        """Seconds the server keeps it open (0: the namespace's ``mrt-duration``); settable."""
        return self._info()[3][0]

    @timeout.setter
    def timeout(self, value):
        lib.shim_txn_set_timeout(self._txn, _u32(value))
