"""Multi-record transactions: commit and abort (the Transaction type is in _txn)."""

from .._native import ffi, lib, raise_error, scratch
from .._txn import Transaction


def _check(method, transaction):
    if type(transaction) is not Transaction:
        # As the official (its argument parser): a TypeError naming the argument.
        raise TypeError("%s() argument 1 must be aerospike.Transaction, not %s"
                        % (method, "None" if transaction is None else type(transaction).__name__))


class TxnCommands:
    """commit / abort of Client."""

    def commit(self, transaction):
        """Commit: returns an aerospike.COMMIT_* status; errors raise (e.g.
        TransactionAlreadyAborted, or the server's code)."""
        _check("commit", transaction)
        conn = self._conn()
        err, _ = scratch()
        status = ffi.new("int*")
        busy = self._enter(conn)
        try:
            rc = lib.shim_txn_commit(conn, err, transaction._txn, status)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return status[0]

    def abort(self, transaction):
        """Abort (roll back): returns an aerospike.ABORT_* status."""
        _check("abort", transaction)
        conn = self._conn()
        err, _ = scratch()
        status = ffi.new("int*")
        busy = self._enter(conn)
        try:
            rc = lib.shim_txn_abort(conn, err, transaction._txn, status)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return status[0]
