"""Type stubs of aerospike_helpers.string_helpers."""

from enum import IntEnum

class RegexFlags(IntEnum):
    DEFAULT = 0
    CASE_INSENSITIVE = 1
    MULTILINE = 2
    DOTALL = 4
    UNIX_LINES = 8
    GLOBAL = 16

class WriteFlags(IntEnum):
    DEFAULT = 0
    CREATE_ONLY = 1
    UPDATE_ONLY = 2
    NO_FAIL = 4

class NumericType(IntEnum):
    ANY = 0
    INT = 1
    FLOAT = 2

class StringPolicy:
    write_flags: int
    def __init__(self, write_flags: int = ...) -> None: ...
