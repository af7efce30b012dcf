"""Client command families, one module each (in the manner of redis-py's mixins).

Each module holds one mixin class: validation, marshalling and which shim call, over the
connection and helpers that _client.Client provides (``_conn``, ``_policy``, ``_record``,
``_settings``...). A new command touches one family module, one shim function and its
tests.
"""

from .admin import AdminCommands
from .batch import BatchCommands
from .index import IndexCommands
from .info import InfoCommands
from .metrics import MetricsCommands
from .records import RecordCommands
from .txn import TxnCommands
from .udf import UDFCommands

__all__ = ["AdminCommands", "BatchCommands", "IndexCommands", "InfoCommands",
           "MetricsCommands", "RecordCommands", "TxnCommands", "UDFCommands"]
