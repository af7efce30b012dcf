"""Type stubs of aerospike_helpers.batch.records."""

from typing import Any, Dict, List, Optional, Tuple

_Key = Tuple[Any, ...]

class BatchRecord:
    key: _Key
    record: Optional[Tuple[Any, Any, Any]]
    result: int
    message: Optional[str]
    subcode: int
    in_doubt: bool
    def __init__(self, key: _Key) -> None: ...

class Write(BatchRecord):
    ops: List[Dict[str, Any]]
    meta: Optional[Dict[str, Any]]
    policy: Optional[Dict[str, Any]]
    def __init__(self, key: _Key, ops: List[Dict[str, Any]], meta: Optional[Dict[str, Any]] = ...,
                 policy: Optional[Dict[str, Any]] = ...) -> None: ...

class Read(BatchRecord):
    ops: Optional[List[Dict[str, Any]]]
    read_all_bins: bool
    meta: Optional[Dict[str, Any]]
    policy: Optional[Dict[str, Any]]
    def __init__(self, key: _Key, ops: Optional[List[Dict[str, Any]]], read_all_bins: bool = ...,
                 meta: Optional[Dict[str, Any]] = ..., policy: Optional[Dict[str, Any]] = ...) -> None: ...

class Apply(BatchRecord):
    module: str
    function: str
    args: List[Any]
    policy: Optional[Dict[str, Any]]
    def __init__(self, key: _Key, module: str, function: str, args: List[Any],
                 policy: Optional[Dict[str, Any]] = ...) -> None: ...

class Remove(BatchRecord):
    policy: Optional[Dict[str, Any]]
    def __init__(self, key: _Key, policy: Optional[Dict[str, Any]] = ...) -> None: ...

class BatchRecords:
    batch_records: List[BatchRecord]
    result: int
    def __init__(self, batch_records: Optional[List[BatchRecord]] = ...) -> None: ...
