"""Records of a batch: what to do per key (``Read``, ``Write``, ``Apply``, ``Remove``) and,
after the call, what happened (``result``, ``record``, ``in_doubt``...).

``client.batch_write(BatchRecords([...]))`` fills in the results in place.
"""


class _Types:
    """Kinds of batch record, as the client dispatches them."""

    READ = 0
    WRITE = 1
    APPLY = 2
    REMOVE = 3


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


class Write(BatchRecord):
    """Apply the operations ``ops`` to ``key`` (a write, possibly with reads)."""

    def __init__(self, key, ops, meta=None, policy=None):
        super().__init__(key)
        self._type = _Types.WRITE
        self._has_write = True
        self.ops = ops
        self.meta = meta
        self.policy = policy


class Read(BatchRecord):
    """Read ``key``: with read ``ops``, every bin (``read_all_bins``) or just metadata."""

    def __init__(self, key, ops, read_all_bins=False, meta=None, policy=None):
        super().__init__(key)
        self._type = _Types.READ
        self._has_write = False
        self.ops = ops
        self.read_all_bins = read_all_bins
        self.meta = meta
        self.policy = policy


class Apply(BatchRecord):
    """Run the UDF ``module.function(*args)`` on ``key``."""

    def __init__(self, key, module, function, args, policy=None):
        super().__init__(key)
        self._type = _Types.APPLY
        self._has_write = True
        self.module = module
        self.function = function
        self.args = args
        self.policy = policy


class Remove(BatchRecord):
    """Delete ``key``."""

    def __init__(self, key, policy=None):
        super().__init__(key)
        self._type = _Types.REMOVE
        self._has_write = True
        self.policy = policy


class BatchRecords:
    """The records of one ``batch_write`` call; ``result`` is the status of the whole batch."""

    def __init__(self, batch_records=None):
        self.batch_records = [] if batch_records is None else batch_records
        self.result = 0
