"""Type stubs of aerospike_cffi, the ``aerospike`` module surface (official 19.3.0 API).

Every name of the official client's API is here, including the ones this client does not
implement yet (they raise at run time; see docs/migrating.rst). Records are
``(key, meta, bins)`` tuples; policies, metadata and bins are plain dicts.
"""

from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, TypeVar, Union, final

from aerospike_helpers.batch.records import BatchRecords
from aerospike_helpers.cdt_ctx import _cdt_ctx
from aerospike_helpers.expressions.resources import _BaseExpr, _CompiledNode
from aerospike_helpers.metrics import ClusterStats, MetricsPolicy

from . import exception as exception
from . import predicates as predicates

__version__: str

# --- shapes of the values the client takes and returns --------------------------------

_UserKey = Union[str, int, bytes, bytearray]
# (namespace, set, user key[, digest]); set may be None, the user key None when a digest is given.
_Key = Union[
    Tuple[str, Optional[str], Optional[_UserKey]],
    Tuple[str, Optional[str], Optional[_UserKey], Optional[Union[bytes, bytearray]]],
]
# The key of a returned record: the user key only when it was stored (POLICY_KEY_SEND).
# Lists of keys (batch commands) must be lists; their items are checked at run time, as a
# precise item type would reject list[tuple[str, str, str]] (list is invariant).
_Keys = List[Tuple[Any, ...]]
_RecordKey = Tuple[str, Optional[str], Optional[_UserKey], bytearray]
_Policy = Dict[str, Any]
_Meta = Dict[str, Any]  # "ttl", "gen"
_RecordMeta = Dict[str, int]  # {"ttl": ..., "gen": ...}
_Bins = Dict[str, Any]
_Op = Dict[str, Any]  # what aerospike_helpers.operations build
_Record = Tuple[_RecordKey, _RecordMeta, _Bins]
_Expression = List[_CompiledNode]  # an expression's compile()
_Predicate = Tuple[Any, ...]  # what aerospike_cffi.predicates build
_ScanCallback = Callable[[_Record], Optional[bool]]  # False stops the scan/query
_Privilege = Dict[str, Any]  # {"code": PRIV_*, "ns": ..., "set": ...}

_ClientT = TypeVar("_ClientT", bound="Client")

# --- constants -------------------------------------------------------------------------

ABORT_ALREADY_ABORTED: Literal[1]
ABORT_CLOSE_ABANDONED: Literal[4]
ABORT_COMMIT_FAILED: Literal[5]
ABORT_OK: Literal[0]
ABORT_ROLL_BACK_ABANDONED: Literal[3]
AS_BOOL: Literal[1]
AS_BYTES_BLOB: Literal[4]
AS_BYTES_BOOL: Literal[17]
AS_BYTES_CSHARP: Literal[8]
AS_BYTES_DOUBLE: Literal[2]
AS_BYTES_ERLANG: Literal[12]
AS_BYTES_GEOJSON: Literal[23]
AS_BYTES_HLL: Literal[18]
AS_BYTES_INTEGER: Literal[1]
AS_BYTES_JAVA: Literal[7]
AS_BYTES_LIST: Literal[20]
AS_BYTES_MAP: Literal[19]
AS_BYTES_PHP: Literal[11]
AS_BYTES_PYTHON: Literal[9]
AS_BYTES_RUBY: Literal[10]
AS_BYTES_STRING: Literal[3]
AS_BYTES_TYPE_MAX: Literal[24]
AS_BYTES_UNDEF: Literal[0]
AUTH_EXTERNAL: Literal[1]
AUTH_EXTERNAL_INSECURE: Literal[2]
AUTH_INTERNAL: Literal[0]
AUTH_PKI: Literal[3]
BIT_OVERFLOW_FAIL: Literal[0]
BIT_OVERFLOW_SATURATE: Literal[2]
BIT_OVERFLOW_WRAP: Literal[4]
BIT_RESIZE_DEFAULT: Literal[0]
BIT_RESIZE_FROM_FRONT: Literal[1]
BIT_RESIZE_GROW_ONLY: Literal[2]
BIT_RESIZE_SHRINK_ONLY: Literal[4]
BIT_WRITE_CREATE_ONLY: Literal[1]
BIT_WRITE_DEFAULT: Literal[0]
BIT_WRITE_NO_FAIL: Literal[4]
BIT_WRITE_PARTIAL: Literal[8]
BIT_WRITE_UPDATE_ONLY: Literal[2]
CDT_CTX_LIST_INDEX: Literal[16]
CDT_CTX_LIST_INDEX_CREATE: Literal[20]
CDT_CTX_LIST_RANK: Literal[17]
CDT_CTX_LIST_VALUE: Literal[19]
CDT_CTX_MAP_INDEX: Literal[32]
CDT_CTX_MAP_KEY: Literal[34]
CDT_CTX_MAP_KEY_CREATE: Literal[36]
CDT_CTX_MAP_RANK: Literal[33]
CDT_CTX_MAP_VALUE: Literal[35]
COMMIT_ALREADY_COMMITTED: Literal[1]
COMMIT_CLOSE_ABANDONED: Literal[6]
COMMIT_OK: Literal[0]
COMMIT_ROLL_FORWARD_ABANDONED: Literal[5]
ERROR_DETAIL_EXP_TRACE: Literal[3]
ERROR_DETAIL_MESSAGE: Literal[2]
ERROR_DETAIL_NONE: Literal[0]
ERROR_DETAIL_SUBCODE: Literal[1]
EXP_LOOPVAR_INDEX: Literal[2]
EXP_LOOPVAR_KEY: Literal[0]
EXP_LOOPVAR_VALUE: Literal[1]
EXP_PATH_MODIFY_DEFAULT: Literal[0]
EXP_PATH_MODIFY_NO_FAIL: Literal[16]
EXP_PATH_SELECT_LIST_VALUE: Literal[1]
EXP_PATH_SELECT_MAP_KEY: Literal[2]
EXP_PATH_SELECT_MAP_KEY_VALUE: Literal[3]
EXP_PATH_SELECT_MAP_VALUE: Literal[1]
EXP_PATH_SELECT_MATCHING_TREE: Literal[0]
EXP_PATH_SELECT_NO_FAIL: Literal[16]
EXP_PATH_SELECT_VALUE: Literal[1]
EXP_READ_DEFAULT: Literal[0]
EXP_READ_EVAL_NO_FAIL: Literal[16]
EXP_WRITE_ALLOW_DELETE: Literal[4]
EXP_WRITE_CREATE_ONLY: Literal[1]
EXP_WRITE_DEFAULT: Literal[0]
EXP_WRITE_EVAL_NO_FAIL: Literal[16]
EXP_WRITE_POLICY_NO_FAIL: Literal[8]
EXP_WRITE_UPDATE_ONLY: Literal[2]
HLL_WRITE_ALLOW_FOLD: Literal[8]
HLL_WRITE_CREATE_ONLY: Literal[1]
HLL_WRITE_DEFAULT: Literal[0]
HLL_WRITE_NO_FAIL: Literal[4]
HLL_WRITE_UPDATE_ONLY: Literal[2]
INDEX_BLOB: Literal[3]
INDEX_GEO2DSPHERE: Literal[2]
INDEX_INTEGER: Literal[1]
INDEX_NUMERIC: Literal[4]
INDEX_STRING: Literal[0]
INDEX_TYPE_DEFAULT: Literal[0]
INDEX_TYPE_LIST: Literal[1]
INDEX_TYPE_MAPKEYS: Literal[2]
INDEX_TYPE_MAPVALUES: Literal[3]
INTEGER: Literal[0]
JOB_QUERY: Literal['query']
JOB_SCAN: Literal['scan']
JOB_STATUS_COMPLETED: Literal[2]
JOB_STATUS_INPROGRESS: Literal[1]
JOB_STATUS_UNDEF: Literal[0]
LIST_ORDERED: Literal[1]
LIST_RETURN_COUNT: Literal[5]
LIST_RETURN_EXISTS: Literal[13]
LIST_RETURN_INDEX: Literal[1]
LIST_RETURN_NONE: Literal[0]
LIST_RETURN_RANK: Literal[3]
LIST_RETURN_REVERSE_INDEX: Literal[2]
LIST_RETURN_REVERSE_RANK: Literal[4]
LIST_RETURN_VALUE: Literal[7]
LIST_SORT_DEFAULT: Literal[0]
LIST_SORT_DROP_DUPLICATES: Literal[2]
LIST_UNORDERED: Literal[0]
LIST_WRITE_ADD_UNIQUE: Literal[1]
LIST_WRITE_DEFAULT: Literal[0]
LIST_WRITE_INSERT_BOUNDED: Literal[2]
LIST_WRITE_NO_FAIL: Literal[4]
LIST_WRITE_PARTIAL: Literal[8]
LOG_LEVEL_DEBUG: Literal[3]
LOG_LEVEL_ERROR: Literal[0]
LOG_LEVEL_INFO: Literal[2]
LOG_LEVEL_OFF: Literal[-1]
LOG_LEVEL_TRACE: Literal[4]
LOG_LEVEL_WARN: Literal[1]
MAP_KEY_ORDERED: Literal[1]
MAP_KEY_VALUE_ORDERED: Literal[3]
MAP_RETURN_COUNT: Literal[5]
MAP_RETURN_EXISTS: Literal[13]
MAP_RETURN_INDEX: Literal[1]
MAP_RETURN_KEY: Literal[6]
MAP_RETURN_KEY_VALUE: Literal[8]
MAP_RETURN_NONE: Literal[0]
MAP_RETURN_ORDERED_MAP: Literal[17]
MAP_RETURN_RANK: Literal[3]
MAP_RETURN_REVERSE_INDEX: Literal[2]
MAP_RETURN_REVERSE_RANK: Literal[4]
MAP_RETURN_UNORDERED_MAP: Literal[16]
MAP_RETURN_VALUE: Literal[7]
MAP_UNORDERED: Literal[0]
MAP_WRITE_FLAGS_CREATE_ONLY: Literal[1]
MAP_WRITE_FLAGS_DEFAULT: Literal[0]
MAP_WRITE_FLAGS_NO_FAIL: Literal[4]
MAP_WRITE_FLAGS_PARTIAL: Literal[8]
MAP_WRITE_FLAGS_UPDATE_ONLY: Literal[2]
MAP_WRITE_NO_FAIL: Literal[4]
MAP_WRITE_PARTIAL: Literal[8]
OPERATOR_APPEND: Literal[9]
OPERATOR_DELETE: Literal[14]
OPERATOR_INCR: Literal[6]
OPERATOR_PREPEND: Literal[10]
OPERATOR_READ: Literal[0]
OPERATOR_TOUCH: Literal[11]
OPERATOR_WRITE: Literal[1]
OP_BIT_ADD: Literal[2010]
OP_BIT_AND: Literal[2006]
OP_BIT_COUNT: Literal[2015]
OP_BIT_GET: Literal[2014]
OP_BIT_GET_INT: Literal[2012]
OP_BIT_INSERT: Literal[2001]
OP_BIT_LSCAN: Literal[2016]
OP_BIT_LSHIFT: Literal[2008]
OP_BIT_NOT: Literal[2007]
OP_BIT_OR: Literal[2004]
OP_BIT_REMOVE: Literal[2002]
OP_BIT_RESIZE: Literal[2000]
OP_BIT_RSCAN: Literal[2017]
OP_BIT_RSHIFT: Literal[2009]
OP_BIT_SET: Literal[2003]
OP_BIT_SET_INT: Literal[2013]
OP_BIT_SUBTRACT: Literal[2011]
OP_BIT_XOR: Literal[2005]
OP_EXPR_READ: Literal[2200]
OP_EXPR_WRITE: Literal[2201]
OP_HLL_ADD: Literal[2100]
OP_HLL_DESCRIBE: Literal[2101]
OP_HLL_FOLD: Literal[2102]
OP_HLL_GET_COUNT: Literal[2103]
OP_HLL_GET_INTERSECT_COUNT: Literal[2104]
OP_HLL_GET_SIMILARITY: Literal[2105]
OP_HLL_GET_UNION: Literal[2106]
OP_HLL_GET_UNION_COUNT: Literal[2107]
OP_HLL_INIT: Literal[2108]
OP_HLL_MAY_CONTAIN: Literal[2111]
OP_HLL_REFRESH_COUNT: Literal[2109]
OP_HLL_SET_UNION: Literal[2110]
OP_LIST_APPEND: Literal[1001]
OP_LIST_APPEND_ITEMS: Literal[1002]
OP_LIST_CLEAR: Literal[1009]
OP_LIST_CREATE: Literal[1041]
OP_LIST_GET: Literal[1011]
OP_LIST_GET_BY_INDEX: Literal[1016]
OP_LIST_GET_BY_INDEX_RANGE: Literal[1017]
OP_LIST_GET_BY_INDEX_RANGE_TO_END: Literal[1035]
OP_LIST_GET_BY_RANK: Literal[1018]
OP_LIST_GET_BY_RANK_RANGE: Literal[1019]
OP_LIST_GET_BY_RANK_RANGE_TO_END: Literal[1036]
OP_LIST_GET_BY_VALUE: Literal[1020]
OP_LIST_GET_BY_VALUE_LIST: Literal[1021]
OP_LIST_GET_BY_VALUE_RANGE: Literal[1022]
OP_LIST_GET_BY_VALUE_RANK_RANGE_REL: Literal[1033]
OP_LIST_GET_BY_VALUE_RANK_RANGE_REL_TO_END: Literal[1034]
OP_LIST_GET_RANGE: Literal[1012]
OP_LIST_INCREMENT: Literal[1015]
OP_LIST_INSERT: Literal[1003]
OP_LIST_INSERT_ITEMS: Literal[1004]
OP_LIST_POP: Literal[1005]
OP_LIST_POP_RANGE: Literal[1006]
OP_LIST_REMOVE: Literal[1007]
OP_LIST_REMOVE_BY_INDEX: Literal[1023]
OP_LIST_REMOVE_BY_INDEX_RANGE: Literal[1024]
OP_LIST_REMOVE_BY_INDEX_RANGE_TO_END: Literal[1039]
OP_LIST_REMOVE_BY_RANK: Literal[1025]
OP_LIST_REMOVE_BY_RANK_RANGE: Literal[1026]
OP_LIST_REMOVE_BY_RANK_RANGE_TO_END: Literal[1040]
OP_LIST_REMOVE_BY_REL_RANK_RANGE: Literal[1038]
OP_LIST_REMOVE_BY_REL_RANK_RANGE_TO_END: Literal[1037]
OP_LIST_REMOVE_BY_VALUE: Literal[1027]
OP_LIST_REMOVE_BY_VALUE_LIST: Literal[1028]
OP_LIST_REMOVE_BY_VALUE_RANGE: Literal[1029]
OP_LIST_REMOVE_BY_VALUE_RANK_RANGE_REL: Literal[1032]
OP_LIST_REMOVE_RANGE: Literal[1008]
OP_LIST_SET: Literal[1010]
OP_LIST_SET_ORDER: Literal[1030]
OP_LIST_SIZE: Literal[1014]
OP_LIST_SORT: Literal[1031]
OP_LIST_TRIM: Literal[1013]
OP_MAP_CLEAR: Literal[1107]
OP_MAP_CREATE: Literal[1144]
OP_MAP_DECREMENT: Literal[1105]
OP_MAP_GET_BY_INDEX: Literal[1122]
OP_MAP_GET_BY_INDEX_RANGE: Literal[1123]
OP_MAP_GET_BY_INDEX_RANGE_TO_END: Literal[1142]
OP_MAP_GET_BY_KEY: Literal[1118]
OP_MAP_GET_BY_KEY_INDEX_RANGE_REL: Literal[1131]
OP_MAP_GET_BY_KEY_LIST: Literal[1127]
OP_MAP_GET_BY_KEY_RANGE: Literal[1119]
OP_MAP_GET_BY_KEY_REL_INDEX_RANGE: Literal[1140]
OP_MAP_GET_BY_KEY_REL_INDEX_RANGE_TO_END: Literal[1136]
OP_MAP_GET_BY_RANK: Literal[1124]
OP_MAP_GET_BY_RANK_RANGE: Literal[1125]
OP_MAP_GET_BY_RANK_RANGE_TO_END: Literal[1143]
OP_MAP_GET_BY_VALUE: Literal[1120]
OP_MAP_GET_BY_VALUE_LIST: Literal[1126]
OP_MAP_GET_BY_VALUE_RANGE: Literal[1121]
OP_MAP_GET_BY_VALUE_RANK_RANGE_REL: Literal[1130]
OP_MAP_GET_BY_VALUE_RANK_RANGE_REL_TO_END: Literal[1141]
OP_MAP_INCREMENT: Literal[1104]
OP_MAP_PUT: Literal[1102]
OP_MAP_PUT_ITEMS: Literal[1103]
OP_MAP_REMOVE_BY_INDEX: Literal[1114]
OP_MAP_REMOVE_BY_INDEX_RANGE: Literal[1115]
OP_MAP_REMOVE_BY_INDEX_RANGE_TO_END: Literal[1134]
OP_MAP_REMOVE_BY_KEY: Literal[1108]
OP_MAP_REMOVE_BY_KEY_INDEX_RANGE_REL: Literal[1129]
OP_MAP_REMOVE_BY_KEY_LIST: Literal[1109]
OP_MAP_REMOVE_BY_KEY_RANGE: Literal[1110]
OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE: Literal[1137]
OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE_TO_END: Literal[1132]
OP_MAP_REMOVE_BY_RANK: Literal[1116]
OP_MAP_REMOVE_BY_RANK_RANGE: Literal[1117]
OP_MAP_REMOVE_BY_RANK_RANGE_TO_END: Literal[1135]
OP_MAP_REMOVE_BY_VALUE: Literal[1111]
OP_MAP_REMOVE_BY_VALUE_LIST: Literal[1112]
OP_MAP_REMOVE_BY_VALUE_RANGE: Literal[1113]
OP_MAP_REMOVE_BY_VALUE_RANK_RANGE_REL: Literal[1128]
OP_MAP_REMOVE_BY_VALUE_REL_INDEX_RANGE: Literal[1138]
OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE: Literal[1139]
OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE_TO_END: Literal[1133]
OP_MAP_SET_POLICY: Literal[1101]
OP_MAP_SIZE: Literal[1106]
POLICY_COMMIT_LEVEL_ALL: Literal[0]
POLICY_COMMIT_LEVEL_MASTER: Literal[1]
POLICY_EXISTS_CREATE: Literal[1]
POLICY_EXISTS_CREATE_OR_REPLACE: Literal[4]
POLICY_EXISTS_IGNORE: Literal[0]
POLICY_EXISTS_REPLACE: Literal[3]
POLICY_EXISTS_UPDATE: Literal[2]
POLICY_GEN_EQ: Literal[1]
POLICY_GEN_GT: Literal[2]
POLICY_GEN_IGNORE: Literal[0]
POLICY_KEY_DIGEST: Literal[0]
POLICY_KEY_SEND: Literal[1]
POLICY_READ_MODE_AP_ALL: Literal[1]
POLICY_READ_MODE_AP_ONE: Literal[0]
POLICY_READ_MODE_SC_ALLOW_REPLICA: Literal[2]
POLICY_READ_MODE_SC_ALLOW_UNAVAILABLE: Literal[3]
POLICY_READ_MODE_SC_LINEARIZE: Literal[1]
POLICY_READ_MODE_SC_SESSION: Literal[0]
POLICY_REPLICA_ANY: Literal[1]
POLICY_REPLICA_MASTER: Literal[0]
POLICY_REPLICA_PREFER_RACK: Literal[3]
POLICY_REPLICA_RANDOM: Literal[4]
POLICY_REPLICA_SEQUENCE: Literal[2]
POLICY_RETRY_NONE: Literal[0]
POLICY_RETRY_ONCE: Literal[1]
PRIV_DATA_ADMIN: Literal[2]
PRIV_READ: Literal[10]
PRIV_READ_WRITE: Literal[11]
PRIV_READ_WRITE_UDF: Literal[12]
PRIV_SINDEX_ADMIN: Literal[4]
PRIV_SYS_ADMIN: Literal[1]
PRIV_TRUNCATE: Literal[14]
PRIV_UDF_ADMIN: Literal[3]
PRIV_USER_ADMIN: Literal[0]
PRIV_WRITE: Literal[13]
QUERY_DURATION_LONG: Literal[0]
QUERY_DURATION_LONG_RELAX_AP: Literal[2]
QUERY_DURATION_SHORT: Literal[1]
REGEX_EXTENDED: Literal[1]
REGEX_ICASE: Literal[2]
REGEX_NEWLINE: Literal[8]
REGEX_NONE: Literal[0]
REGEX_NOSUB: Literal[4]
SERIALIZER_JSON: Literal[2]
SERIALIZER_NONE: Literal[0]
SERIALIZER_USER: Literal[3]
SUB_BIN_NAME_COUNT_TOO_LARGE: Literal[1]
SUB_BIN_NOT_FOUND_HLL_CANNOT_CREATE_WITH_OP: Literal[1]
SUB_FILTERED_BINS: Literal[2]
SUB_FILTERED_BINS_EVAL_FAILED: Literal[4]
SUB_FILTERED_META: Literal[1]
SUB_FILTERED_META_EVAL_FAILED: Literal[3]
SUB_FORBID_CLOCK_SKEW_STOP_WRITES: Literal[4]
SUB_FORBID_DURABILITY_VIOLATION: Literal[8]
SUB_FORBID_MASKING_POLICY_BLOCKED: Literal[7]
SUB_FORBID_MASKING_ROLE_VIOLATION: Literal[9]
SUB_FORBID_REPLACE_CONFLICT_RESOLVING: Literal[5]
SUB_FORBID_SET_COUNT_STOP_WRITES: Literal[2]
SUB_FORBID_SET_SIZE_STOP_WRITES: Literal[3]
SUB_FORBID_TRUNCATED: Literal[6]
SUB_FORBID_XDR_FILTER_BLOCKED: Literal[1]
SUB_MRT_BLOCKED_ID_MISMATCH: Literal[2]
SUB_MRT_BLOCKED_RECORD_LOCKED: Literal[1]
SUB_NONE: Literal[0]
SUB_OPNOT_CDT_BOUNDED_LIST_OVERFLOW: Literal[3]
SUB_OPNOT_CDT_INDEX_OUT_OF_BOUNDS: Literal[1]
SUB_OPNOT_CDT_RANK_OUT_OF_BOUNDS: Literal[2]
SUB_OPNOT_HLL_CANNOT_FOLD_MINHASH: Literal[7]
SUB_OPNOT_HLL_CANNOT_REDUCE_INDEX_BITS: Literal[5]
SUB_OPNOT_HLL_CANNOT_REDUCE_MINHASH_BITS: Literal[6]
SUB_OPNOT_HLL_FOLD_INDEX_BITS_TOO_LARGE: Literal[8]
SUB_OPNOT_HLL_INDEX_BITS_UNSET: Literal[4]
SUB_OPNOT_HLL_INTERSECT_MINHASH_MISMATCH: Literal[9]
SUB_OPNOT_STRING_B64_INVALID: Literal[13]
SUB_OPNOT_STRING_CONVERSION_FAILED: Literal[10]
SUB_OPNOT_STRING_REGEX_LIMIT_EXCEEDED: Literal[12]
SUB_OPNOT_STRING_UTF8_INVALID: Literal[11]
SUB_PARAM_BIN_COUNT_TOO_LARGE: Literal[5]
SUB_PARAM_BITS_OFFSET_OUT_OF_RANGE: Literal[2]
SUB_PARAM_BITS_RESIZE_EXCEEDED: Literal[4]
SUB_PARAM_BITS_SIZE_OUT_OF_RANGE: Literal[3]
SUB_PARAM_STRING_CTX_MALFORMED: Literal[8]
SUB_PARAM_STRING_INDEX_OUT_OF_BOUNDS: Literal[9]
SUB_PARAM_STRING_OP_PARAMS_INVALID: Literal[6]
SUB_PARAM_STRING_REGEX_INVALID: Literal[10]
SUB_PARAM_STRING_UTF8_INVALID: Literal[11]
SUB_PARAM_TTL_INVALID: Literal[1]
SUB_UNAVAIL_INITIAL_BALANCE_UNRESOLVED: Literal[1]
SUB_UNAVAIL_REPLICA_UNAVAILABLE: Literal[2]
SUB_UNSUPP_FEAT_GENERIC: Literal[2]
SUB_UNSUPP_FEAT_MRT_REQUIRES_STRONG_CONSISTENCY: Literal[1]
TTL_CLIENT_DEFAULT: Literal[4294967293]
TTL_DONT_UPDATE: Literal[4294967294]
TTL_NAMESPACE_DEFAULT: Literal[0]
TTL_NEVER_EXPIRE: Literal[4294967295]
TXN_STATE_ABORTED: Literal[3]
TXN_STATE_COMMITTED: Literal[2]
TXN_STATE_COMMIT_FAILED: Literal[4]
TXN_STATE_OPEN: Literal[0]
TXN_STATE_VERIFIED: Literal[1]
UDF_TYPE_LUA: Literal[0]

# --- value types -----------------------------------------------------------------------

@final
class CDTInfinite:
    def __init__(self) -> None: ...

@final
class CDTWildcard:
    def __init__(self) -> None: ...

@final
class null:
    def __init__(self) -> None: ...

class GeoJSON:
    geo_data: Any
    def __init__(self, geo_data: Optional[Union[str, Dict[str, Any]]] = ...) -> None: ...
    def dumps(self) -> str: ...
    def loads(self, raw_geo: str) -> None: ...
    def unwrap(self) -> Dict[str, Any]: ...
    def wrap(self, geo_data: Dict[str, Any]) -> None: ...

class KeyOrderedDict(Dict[Any, Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

@final
class ConfigProvider:
    path: str
    interval: int
    def __init__(self, path: str, interval: int = ...) -> None: ...

@final
class Transaction:
    id: int
    in_doubt: bool
    state: int
    timeout: int
    def __init__(self, reads_capacity: int = ..., writes_capacity: int = ...) -> None: ...

# --- the client ------------------------------------------------------------------------

class Client:
    def __init__(self, config: Dict[str, Any]) -> None: ...
    def __enter__(self: _ClientT) -> _ClientT: ...
    def __exit__(self, *exc: object) -> None: ...

    # connection
    def connect(self: _ClientT, username: Optional[str] = ..., password: Optional[str] = ...) -> _ClientT: ...
    def close(self) -> None: ...
    def is_connected(self) -> bool: ...
    def shm_key(self) -> Optional[int]: ...
    def get_nodes(self) -> List[Tuple[str, int]]: ...
    def get_node_names(self) -> List[Dict[str, Any]]: ...
    def get_policies(self) -> Dict[str, Any]: ...
    def get_stats(self) -> ClusterStats: ...
    def enable_metrics(self, policy: Optional[MetricsPolicy] = ...) -> None: ...
    def disable_metrics(self) -> None: ...

    # single records
    def put(self, key: _Key, bins: _Bins, meta: Optional[_Meta] = ..., policy: Optional[_Policy] = ...,
            serializer: Optional[int] = ...) -> None: ...
    def get(self, key: _Key, policy: Optional[_Policy] = ...) -> _Record: ...
    def select(self, key: _Key, bins: List[str], policy: Optional[_Policy] = ...) -> _Record: ...
    def exists(self, key: _Key, policy: Optional[_Policy] = ...) -> Tuple[_RecordKey, Optional[_RecordMeta]]: ...
    def touch(self, key: _Key, val: int = ..., meta: Optional[_Meta] = ..., policy: Optional[_Policy] = ...) -> None: ...
    def remove(self, key: _Key, meta: Optional[_Meta] = ..., policy: Optional[_Policy] = ...) -> None: ...
    def remove_bin(self, key: _Key, list: List[str], meta: Optional[_Meta] = ...,
                   policy: Optional[_Policy] = ...) -> None: ...
    def append(self, key: _Key, bin: str, val: Union[str, bytes, bytearray], meta: Optional[_Meta] = ...,
               policy: Optional[_Policy] = ...) -> None: ...
    def prepend(self, key: _Key, bin: str, val: Union[str, bytes, bytearray], meta: Optional[_Meta] = ...,
                policy: Optional[_Policy] = ...) -> None: ...
    def increment(self, key: _Key, bin: str, offset: Union[int, float], meta: Optional[_Meta] = ...,
                  policy: Optional[_Policy] = ...) -> None: ...
    def operate(self, key: _Key, list: List[_Op], meta: Optional[_Meta] = ...,
                policy: Optional[_Policy] = ...) -> _Record: ...
    def operate_ordered(self, key: _Key, list: List[_Op], meta: Optional[_Meta] = ...,
                        policy: Optional[_Policy] = ...) -> Tuple[_RecordKey, _RecordMeta, List[Tuple[str, Any]]]: ...

    # batches
    def batch_read(self, keys: _Keys, bins: Optional[List[str]] = ...,
                   policy: Optional[_Policy] = ...) -> BatchRecords: ...
    def batch_operate(self, keys: _Keys, ops: List[_Op], policy_batch: Optional[_Policy] = ...,
                      policy_batch_write: Optional[_Policy] = ..., ttl: Optional[int] = ...) -> BatchRecords: ...
    def batch_write(self, batch_records: BatchRecords, policy_batch: Optional[_Policy] = ...) -> BatchRecords: ...
    def batch_remove(self, keys: _Keys, policy_batch: Optional[_Policy] = ...,
                     policy_batch_remove: Optional[_Policy] = ...) -> BatchRecords: ...
    def batch_apply(self, keys: _Keys, module: str, function: str, args: List[Any],
                    policy_batch: Optional[_Policy] = ..., policy_batch_apply: Optional[_Policy] = ...) -> BatchRecords: ...

    # scans, queries, background jobs
    def scan(self, namespace: str, set: Optional[str] = ...) -> Scan: ...
    def query(self, namespace: str, set: Optional[str] = ...) -> Query: ...
    def scan_apply(self, ns: str, set: Optional[str], module: str, function: str, args: Optional[List[Any]] = ...,
                   policy: Optional[_Policy] = ..., options: Optional[Dict[str, Any]] = ...) -> int: ...
    def query_apply(self, ns: str, set: Optional[str], predicate: Optional[_Predicate], module: str, function: str,
                    args: Optional[List[Any]] = ..., policy: Optional[_Policy] = ...) -> int: ...
    def job_info(self, job_id: int, module: str, policy: Optional[_Policy] = ...) -> Dict[str, Any]: ...
    def truncate(self, namespace: str, set: Optional[str], nanos: int, policy: Optional[_Policy] = ...) -> int: ...

    # UDFs
    def apply(self, key: _Key, module: str, function: str, args: List[Any],
              policy: Optional[_Policy] = ...) -> Any: ...
    def udf_put(self, filename: str, udf_type: int = ..., policy: Optional[_Policy] = ...) -> None: ...
    def udf_remove(self, module: str, policy: Optional[_Policy] = ...) -> None: ...
    def udf_list(self, policy: Optional[_Policy] = ...) -> List[Dict[str, Any]]: ...
    def udf_get(self, module: str, language: int = ..., policy: Optional[_Policy] = ...) -> str: ...

    # secondary indexes
    def index_integer_create(self, ns: str, set: Optional[str], bin: str, name: str,
                             policy: Optional[_Policy] = ...) -> None: ...
    def index_string_create(self, ns: str, set: Optional[str], bin: str, name: str,
                            policy: Optional[_Policy] = ...) -> None: ...
    def index_blob_create(self, ns: str, set: Optional[str], bin: str, name: str,
                          policy: Optional[_Policy] = ...) -> None: ...
    def index_geo2dsphere_create(self, ns: str, set: Optional[str], bin: str, name: str,
                                 policy: Optional[_Policy] = ...) -> None: ...
    def index_single_value_create(self, ns: str, set: Optional[str], bin: str, index_datatype: int, name: str,
                                  policy: Optional[_Policy] = ..., ctx: Optional[List[_cdt_ctx]] = ...) -> None: ...
    def index_list_create(self, ns: str, set: Optional[str], bin: str, index_datatype: int, name: str,
                          policy: Optional[_Policy] = ..., ctx: Optional[List[_cdt_ctx]] = ...) -> None: ...
    def index_map_keys_create(self, ns: str, set: Optional[str], bin: str, index_datatype: int, name: str,
                              policy: Optional[_Policy] = ..., ctx: Optional[List[_cdt_ctx]] = ...) -> None: ...
    def index_map_values_create(self, ns: str, set: Optional[str], bin: str, index_datatype: int, name: str,
                                policy: Optional[_Policy] = ..., ctx: Optional[List[_cdt_ctx]] = ...) -> None: ...
    def index_cdt_create(self, ns: str, set: Optional[str], bin: str, index_type: int, index_datatype: int,
                         name: str, ctx: List[_cdt_ctx], policy: Optional[_Policy] = ...) -> None: ...
    def index_expr_create(self, ns: str, set: Optional[str], index_type: int, index_datatype: int,
                          expressions: _Expression, name: str, policy: Optional[_Policy] = ...) -> None: ...
    def index_set_create(self, ns: str, set: str, name: str, policy: Optional[_Policy] = ...) -> None: ...
    def index_remove(self, ns: str, name: str, policy: Optional[_Policy] = ...) -> None: ...

    # info
    def info_all(self, command: str, policy: Optional[_Policy] = ...) -> Dict[str, Tuple[Optional[Any], str]]: ...
    def info_random_node(self, command: str, policy: Optional[_Policy] = ...) -> str: ...
    def info_single_node(self, command: str, host: str, policy: Optional[_Policy] = ...) -> str: ...
    def set_xdr_filter(self, data_center: str, namespace: str, expression_filter: Optional[_Expression],
                       policy: Optional[_Policy] = ...) -> str: ...

    # helpers
    def get_cdtctx_base64(self, ctx: List[_cdt_ctx]) -> str: ...
    def get_expression_base64(self, expression: _Expression) -> str: ...
    def get_key_partition_id(self, ns: str, set: Optional[str], key: _UserKey) -> int: ...

    # transactions
    def commit(self, transaction: Transaction) -> int: ...
    def abort(self, transaction: Transaction) -> int: ...

    # security administration (Enterprise Edition servers)
    def admin_create_user(self, username: str, password: str, roles: List[str],
                          policy: Optional[_Policy] = ...) -> None: ...
    def admin_create_pki_user(self, username: str, roles: List[str], policy: Optional[_Policy] = ...) -> None: ...
    def admin_drop_user(self, username: str, policy: Optional[_Policy] = ...) -> None: ...
    def admin_change_password(self, username: str, password: str, policy: Optional[_Policy] = ...) -> None: ...
    def admin_set_password(self, username: str, password: str, policy: Optional[_Policy] = ...) -> None: ...
    def admin_grant_roles(self, username: str, roles: List[str], policy: Optional[_Policy] = ...) -> None: ...
    def admin_revoke_roles(self, username: str, roles: List[str], policy: Optional[_Policy] = ...) -> None: ...
    def admin_query_user_info(self, user: str, policy: Optional[_Policy] = ...) -> Dict[str, Any]: ...
    def admin_query_users_info(self, policy: Optional[_Policy] = ...) -> Dict[str, Dict[str, Any]]: ...
    def admin_create_role(self, role: str, privileges: List[_Privilege], policy: Optional[_Policy] = ...,
                          whitelist: Optional[List[str]] = ..., read_quota: Optional[int] = ...,
                          write_quota: Optional[int] = ...) -> None: ...
    def admin_drop_role(self, role: str, policy: Optional[_Policy] = ...) -> None: ...
    def admin_grant_privileges(self, role: str, privileges: List[_Privilege],
                               policy: Optional[_Policy] = ...) -> None: ...
    def admin_revoke_privileges(self, role: str, privileges: List[_Privilege],
                                policy: Optional[_Policy] = ...) -> None: ...
    def admin_set_whitelist(self, role: str, whitelist: Optional[List[str]], policy: Optional[_Policy] = ...) -> None: ...
    def admin_set_quotas(self, role: str, read_quota: Optional[int] = ..., write_quota: Optional[int] = ...,
                         policy: Optional[_Policy] = ...) -> None: ...
    def admin_get_role(self, role: str, policy: Optional[_Policy] = ...) -> Dict[str, Any]: ...
    def admin_get_roles(self, policy: Optional[_Policy] = ...) -> Dict[str, Dict[str, Any]]: ...
    def admin_query_role(self, role: str, policy: Optional[_Policy] = ...) -> List[_Privilege]: ...
    def admin_query_roles(self, policy: Optional[_Policy] = ...) -> Dict[str, List[_Privilege]]: ...

class Scan:
    ttl: int
    max_records: int
    records_per_second: int
    def __init__(self, client: Client, namespace: str, set: Optional[str] = ...) -> None: ...
    def select(self, *bins: str) -> None: ...
    def add_ops(self, ops: List[_Op]) -> None: ...
    def apply(self, module: str, function: str, arguments: Optional[List[Any]] = ...) -> None: ...
    def paginate(self) -> None: ...
    def is_done(self) -> bool: ...
    def get_partitions_status(self) -> Dict[int, Tuple[int, bool, bool, Optional[bytearray], int]]: ...
    def results(self, policy: Optional[_Policy] = ..., nodename: Optional[str] = ...) -> List[_Record]: ...
    def foreach(self, callback: _ScanCallback, policy: Optional[_Policy] = ...,
                options: Optional[Dict[str, Any]] = ..., nodename: Optional[str] = ...) -> None: ...
    def execute_background(self, policy: Optional[_Policy] = ...) -> int: ...

class Query:
    ttl: int
    max_records: int
    records_per_second: int
    def __init__(self, client: Client, namespace: str, set: Optional[str] = ...) -> None: ...
    def select(self, *bins: str) -> None: ...
    def where(self, predicate: _Predicate, ctx: Optional[List[_cdt_ctx]] = ...) -> None: ...
    def where_with_expr(self, expr: _Expression, predicate: _Predicate) -> None: ...
    def where_with_index_name(self, index_name: str, predicate: _Predicate) -> None: ...
    def add_ops(self, ops: List[_Op]) -> None: ...
    def apply(self, module: str, function: str, arguments: Optional[List[Any]] = ...) -> None: ...
    def paginate(self) -> None: ...
    def is_done(self) -> bool: ...
    def get_partitions_status(self) -> Dict[int, Tuple[int, bool, bool, Optional[bytearray], int]]: ...
    def results(self, policy: Optional[_Policy] = ..., options: Optional[Dict[str, Any]] = ...) -> List[Any]: ...
    def foreach(self, callback: Callable[[Any], Optional[bool]], policy: Optional[_Policy] = ...,
                options: Optional[Dict[str, Any]] = ...) -> None: ...
    def execute_background(self, policy: Optional[_Policy] = ...) -> int: ...

# --- module functions ------------------------------------------------------------------

def client(config: Dict[str, Any]) -> Client: ...
def calc_digest(ns: str, set: Optional[str], key: _UserKey) -> bytearray: ...
def get_partition_id(digest: Union[bytes, bytearray]) -> int: ...
def geodata(geo_data: Dict[str, Any]) -> GeoJSON: ...
def geojson(geojson_str: str) -> GeoJSON: ...
def set_log_level(loglevel: int) -> None: ...
def set_log_handler(log_handler: Optional[Callable[[int, str, str, int, str], Any]] = ...) -> None: ...
def set_serializer(callback: Callable[[Any], Union[bytes, bytearray, str]]) -> None: ...
def set_deserializer(callback: Callable[[bytes], Any]) -> None: ...
def unset_serializers() -> None: ...
def install_as_aerospike() -> Any: ...
