"""Helpers that build the data structures taken by the aerospike_cffi client.

Drop-in for the official ``aerospike_helpers`` package: operations, expressions,
CDT contexts, batch records and metrics classes produce the same structures.
"""


class HyperLogLog(bytes):
    """Raw bytes of a HyperLogLog bin; repr shows the type so it is not mistaken for bytes."""

    def __new__(cls, o):
        return super().__new__(cls, o)

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, bytes.__repr__(self))

    __str__ = __repr__
