"""Batch record classes for ``client.batch_write`` and ``client.batch_operate`` results."""
