"""String operations for ``client.operate`` (server 8.1.2+).

Reads return a value derived from the string bin; modifies rewrite it and take a
:class:`StringPolicy`. ``ctx`` targets a string nested in a list or map.
"""

from .. import _wire
from ..string_helpers import NumericType, RegexFlags, StringPolicy  # noqa: F401 (public names)
from ._opdict import op


def _read(code, bin_name, ctx, **fields):
    return op(code, bin_name, ctx=ctx, **fields)


def _modify(code, bin_name, policy, ctx, **fields):
    return op(code, bin_name, policy=policy, ctx=ctx, **fields)


def strlen(bin_name, ctx=None):
    """Length in characters."""
    return _read(_wire.OP_STRING_STRLEN, bin_name, ctx)


def substr(bin_name, start, ctx=None):
    """Characters from ``start`` to the end."""
    return _read(_wire.OP_STRING_SUBSTR, bin_name, ctx, start=start)


def substr_range(bin_name, start, end, ctx=None):
    """Characters from ``start`` up to ``end``."""
    return _read(_wire.OP_STRING_SUBSTR_RANGE, bin_name, ctx, start=start, end=end)


def char_at(bin_name, index, ctx=None):
    """The character at ``index``."""
    return _read(_wire.OP_STRING_CHAR_AT, bin_name, ctx, index=index)


def find(bin_name, needle, occurrence=1, ctx=None):
    """Position of the ``occurrence``-th ``needle``."""
    return _read(_wire.OP_STRING_FIND, bin_name, ctx, needle=needle, occurrence=occurrence)


def contains(bin_name, needle, ctx=None):
    """Whether ``needle`` occurs."""
    return _read(_wire.OP_STRING_CONTAINS, bin_name, ctx, needle=needle)


def starts_with(bin_name, prefix, ctx=None):
    """Whether the string starts with ``prefix``."""
    return _read(_wire.OP_STRING_STARTS_WITH, bin_name, ctx, prefix=prefix)


def ends_with(bin_name, suffix, ctx=None):
    """Whether the string ends with ``suffix``."""
    return _read(_wire.OP_STRING_ENDS_WITH, bin_name, ctx, suffix=suffix)


def to_integer(bin_name, ctx=None):
    """The string parsed as an integer."""
    return _read(_wire.OP_STRING_TO_INTEGER, bin_name, ctx)


def to_double(bin_name, ctx=None):
    """The string parsed as a float."""
    return _read(_wire.OP_STRING_TO_DOUBLE, bin_name, ctx)


def byte_length(bin_name, ctx=None):
    """Length in UTF-8 bytes."""
    return _read(_wire.OP_STRING_BYTE_LENGTH, bin_name, ctx)


def is_numeric(bin_name, numeric_type=NumericType.ANY, ctx=None):
    """Whether the string is a number of ``numeric_type``."""
    return _read(_wire.OP_STRING_IS_NUMERIC, bin_name, ctx, numeric_type=numeric_type)


def is_upper(bin_name, ctx=None):
    """Whether every cased character is upper case."""
    return _read(_wire.OP_STRING_IS_UPPER, bin_name, ctx)


def is_lower(bin_name, ctx=None):
    """Whether every cased character is lower case."""
    return _read(_wire.OP_STRING_IS_LOWER, bin_name, ctx)


def to_blob(bin_name, ctx=None):
    """The UTF-8 bytes of the string."""
    return _read(_wire.OP_STRING_TO_BLOB, bin_name, ctx)


def split(bin_name, ctx=None):
    """The string split on whitespace."""
    return _read(_wire.OP_STRING_SPLIT, bin_name, ctx)


def split_separator(bin_name, separator, ctx=None):
    """The string split on ``separator``."""
    return _read(_wire.OP_STRING_SPLIT_SEPARATOR, bin_name, ctx, separator=separator)


def base64_decode(bin_name, ctx=None):
    """The bytes the base64 string encodes."""
    return _read(_wire.OP_STRING_B64_DECODE, bin_name, ctx)


def regex_compare(bin_name, pattern, regex_flags=RegexFlags.DEFAULT, ctx=None):
    """Whether ``pattern`` matches."""
    return _read(_wire.OP_STRING_REGEX_COMPARE, bin_name, ctx, pattern=pattern, regex_flags=regex_flags)


def to_string(bin_name):
    """The bin's value converted to a string."""
    return op(_wire.OP_STRING_TO_STRING, bin_name)


def insert(bin_name, index, value, policy=None, ctx=None):
    """Insert ``value`` at ``index``."""
    return _modify(_wire.OP_STRING_INSERT, bin_name, policy, ctx, index=index, value=value)


def overwrite(bin_name, index, value, policy=None, ctx=None):
    """Overwrite the characters from ``index`` with ``value``."""
    return _modify(_wire.OP_STRING_OVERWRITE, bin_name, policy, ctx, index=index, value=value)


def append(bin_name, value, policy=None, ctx=None):
    """Append ``value``."""
    return _modify(_wire.OP_STRING_APPEND, bin_name, policy, ctx, value=value)


def prepend(bin_name, value, policy=None, ctx=None):
    """Prepend ``value``."""
    return _modify(_wire.OP_STRING_PREPEND, bin_name, policy, ctx, value=value)


def concat(bin_name, value_list, policy=None, ctx=None):
    """Append every string of ``value_list``."""
    return _modify(_wire.OP_STRING_CONCAT, bin_name, policy, ctx, value_list=value_list)


def snip(bin_name, start, end=None, policy=None, ctx=None):
    """Cut out the characters from ``start`` up to ``end`` (to the end when None)."""
    return _modify(_wire.OP_STRING_SNIP, bin_name, policy, ctx, start=start, end=end)


def replace(bin_name, needle, replacement, policy=None, ctx=None):
    """Replace the first ``needle`` with ``replacement``."""
    return _modify(_wire.OP_STRING_REPLACE, bin_name, policy, ctx, needle=needle, replacement=replacement)


def replace_all(bin_name, needle, replacement, policy=None, ctx=None):
    """Replace every ``needle`` with ``replacement``."""
    return _modify(_wire.OP_STRING_REPLACE_ALL, bin_name, policy, ctx, needle=needle, replacement=replacement)


def upper(bin_name, policy=None, ctx=None):
    """Convert to upper case."""
    return _modify(_wire.OP_STRING_UPPER, bin_name, policy, ctx)


def lower(bin_name, policy=None, ctx=None):
    """Convert to lower case."""
    return _modify(_wire.OP_STRING_LOWER, bin_name, policy, ctx)


def casefold(bin_name, policy=None, ctx=None):
    """Case-fold for caseless comparison."""
    return _modify(_wire.OP_STRING_CASE_FOLD, bin_name, policy, ctx)


def normalize_nfc(bin_name, policy=None, ctx=None):
    """Normalize to Unicode NFC."""
    return _modify(_wire.OP_STRING_NORMALIZE_NFC, bin_name, policy, ctx)


def trim_start(bin_name, policy=None, ctx=None):
    """Strip leading whitespace."""
    return _modify(_wire.OP_STRING_TRIM_START, bin_name, policy, ctx)


def trim_end(bin_name, policy=None, ctx=None):
    """Strip trailing whitespace."""
    return _modify(_wire.OP_STRING_TRIM_END, bin_name, policy, ctx)


def trim(bin_name, policy=None, ctx=None):
    """Strip whitespace at both ends."""
    return _modify(_wire.OP_STRING_TRIM, bin_name, policy, ctx)


def pad_start(bin_name, target_length, pad_string, policy=None, ctx=None):
    """Pad at the start with ``pad_string`` up to ``target_length`` characters."""
    return _modify(_wire.OP_STRING_PAD_START, bin_name, policy, ctx, target_length=target_length,
                   pad_string=pad_string)


def pad_end(bin_name, target_length, pad_string, policy=None, ctx=None):
    """Pad at the end with ``pad_string`` up to ``target_length`` characters."""
    return _modify(_wire.OP_STRING_PAD_END, bin_name, policy, ctx, target_length=target_length,
                   pad_string=pad_string)


def repeat(bin_name, count, policy=None, ctx=None):
    """Repeat the string ``count`` times."""
    return _modify(_wire.OP_STRING_REPEAT, bin_name, policy, ctx, count=count)


def regex_replace(bin_name, pattern, replacement, regex_flags=RegexFlags.DEFAULT, policy=None, ctx=None):
    """Replace matches of ``pattern`` (all of them with ``RegexFlags.GLOBAL``)."""
    return _modify(_wire.OP_STRING_REGEX_REPLACE, bin_name, policy, ctx, pattern=pattern,
                   replacement=replacement, regex_flags=regex_flags)
