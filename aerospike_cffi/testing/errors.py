"""Server result codes the dev server answers with, and the exception that carries one."""

OK = 0
SERVER_ERROR = 1
KEY_NOT_FOUND = 2
GENERATION = 3
PARAMETER = 4
KEY_EXISTS = 5
BIN_EXISTS = 6
CLUSTER_KEY_MISMATCH = 7
SERVER_MEM = 8
TIMEOUT = 9
ALWAYS_FORBIDDEN = 10
PARTITION_UNAVAILABLE = 11
BIN_TYPE = 12
RECORD_TOO_BIG = 13
KEY_BUSY = 14
SCAN_ABORT = 15
UNSUPPORTED_FEATURE = 16
BIN_NOT_FOUND = 17
DEVICE_OVERLOAD = 18
KEY_MISMATCH = 19
NAMESPACE_NOT_FOUND = 20
BIN_NAME = 21
FORBIDDEN = 22
ELEMENT_NOT_FOUND = 23
ELEMENT_EXISTS = 24
ENTERPRISE_ONLY = 25
OP_NOT_APPLICABLE = 26
FILTERED_OUT = 27
LOST_CONFLICT = 28
XDR_KEY_BUSY = 32
QUERY_END = 50
UDF = 100
BATCH_DISABLED = 150
BATCH_MAX_REQUESTS = 151
BATCH_QUEUES_FULL = 152
GEO_INVALID_GEOJSON = 160
INDEX_FOUND = 200
INDEX_NOT_FOUND = 201
INDEX_OOM = 202
INDEX_NOT_READABLE = 203
INDEX_GENERIC = 204
INDEX_NAME_MAXLEN = 205
INDEX_MAXCOUNT = 206
QUERY_ABORTED = 210
QUERY_QUEUE_FULL = 211
QUERY_TIMEOUT = 212
QUERY_GENERIC = 213


class ServerError(Exception):
    """Raised anywhere in the dev server to answer a command with result code `code`."""

    def __init__(self, code, msg=""):
        super().__init__(code, msg)
        self.code = code
        self.msg = msg


class Hangup(BaseException):
    """Raised to close the connection without an answer (fault injection): a
    BaseException so that no command handler turns it into an error reply."""
