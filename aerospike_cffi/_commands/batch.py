"""Batch commands: the Client face of _batch (which does the marshalling)."""

from .. import _batch


class BatchCommands:
    """The batch command family of Client."""

    def batch_read(self, keys, bins=None, policy=None):
        """BatchRecords with every key's record (all bins, the named ones, or [] = header)."""
        return _batch.batch_read(self, keys, bins, policy)

    def batch_operate(self, keys, ops, policy_batch=None, policy_batch_write=None, ttl=None):
        """The same operations on every key; BatchRecords with each key's results."""
        return _batch.batch_operate(self, keys, ops, policy_batch, policy_batch_write, ttl)

    def batch_write(self, batch_records, policy_batch=None):
        """Run a BatchRecords of Read/Write/Apply/Remove records; fills and returns it."""
        return _batch.batch_write(self, batch_records, policy_batch)

    def batch_remove(self, keys, policy_batch=None, policy_batch_remove=None):
        """Remove the records of ``keys`` in one batch; a ``BatchRecords`` of the results."""
        return _batch.batch_remove(self, keys, policy_batch, policy_batch_remove)

    def batch_apply(self, keys, module, function, args, policy_batch=None,
                    policy_batch_apply=None):
        """Run the UDF ``module.function(*args)`` on each record of ``keys``; a ``BatchRecords``."""
        return _batch.batch_apply(self, keys, module, function, args, policy_batch,
                                  policy_batch_apply)
