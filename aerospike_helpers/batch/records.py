"""Records of a batch: what to do per key (``Read``, ``Write``, ``Apply``, ``Remove``) and,
after the call, what happened (``result``, ``record``, ``in_doubt``...).

``client.batch_write(BatchRecords([...]))`` fills in the results in place.
"""


class _Types:
    """Kinds of batch record, as the client dispatches them."""

    READ, WRITE, APPLY, REMOVE = range(4)


class BatchRecord:
    """One key of a batch and its outcome.

    ``record`` is the ``(key, meta, bins)`` result (or None), ``result`` the status code
    (0: ok), ``message``/``subcode`` details of an error, ``in_doubt`` whether a failed
    write may still have been applied.
    """

    def __init__(self, key):
        self.key = key
        self.record = None
        self.result = 0
        self.message = None
        self.subcode = 0
        self.in_doubt = False

    def _request(self, key, kind, writes, **fields):
        # What a subclass asks for: its kind, whether it writes, and its own fields.
        BatchRecord.__init__(self, key)
        self._type = kind
        self._has_write = writes
        vars(self).update(fields)


class Write(BatchRecord):
    """Apply the operations ``ops`` to ``key`` (a write, possibly with reads)."""

    def __init__(self, key, ops, meta=None, policy=None):
        self._request(key, _Types.WRITE, True, ops=ops, meta=meta, policy=policy)


class Read(BatchRecord):
    """Read ``key``: with read ``ops``, every bin (``read_all_bins``) or just metadata."""

    def __init__(self, key, ops, read_all_bins=False, meta=None, policy=None):
        self._request(key, _Types.READ, False, ops=ops, read_all_bins=read_all_bins, meta=meta, policy=policy)


class Apply(BatchRecord):
    """Run the UDF ``module.function(*args)`` on ``key``."""

    def __init__(self, key, module, function, args, policy=None):
        self._request(key, _Types.APPLY, True, module=module, function=function, args=args, policy=policy)


class Remove(BatchRecord):
    """Delete ``key``."""

    def __init__(self, key, policy=None):
        self._request(key, _Types.REMOVE, True, policy=policy)


class BatchRecords:
    """The records of one ``batch_write`` call; ``result`` is the status of the whole batch."""

    def __init__(self, batch_records=None):
        self.batch_records = [] if batch_records is None else batch_records
        self.result = 0
