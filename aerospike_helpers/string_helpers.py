"""Flags and policy shared by string operations and string expressions."""

from enum import IntEnum


class RegexFlags(IntEnum):
    """Regular expression options (combinable with ``|``)."""

    DEFAULT = 0
    CASE_INSENSITIVE = 1
    MULTILINE = 2  # ^ and $ match at every line
    DOTALL = 4  # . also matches a newline
    UNIX_LINES = 8  # only \n ends a line
    GLOBAL = 16  # replace every match, not just the first


class WriteFlags(IntEnum):
    """Write behaviour of string modify operations.

    CREATE_ONLY: only when the bin does not exist yet (additive ops only).
    UPDATE_ONLY: only on an existing bin; a missing bin is left alone.
    NO_FAIL: a modify that cannot apply leaves the bin as it was instead of failing.
    """

    DEFAULT = 0
    CREATE_ONLY = 1
    UPDATE_ONLY = 2
    NO_FAIL = 4


class NumericType(IntEnum):
    """What ``is_numeric`` accepts: any number, integers only, or decimals with a fraction."""

    ANY = 0
    INT = 1
    FLOAT = 2


class StringPolicy:
    """Policy of a string modify operation: its ``write_flags`` (:class:`WriteFlags`)."""

    def __init__(self, write_flags=WriteFlags.DEFAULT):
        self.write_flags = write_flags
