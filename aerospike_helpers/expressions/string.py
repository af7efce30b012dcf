"""String expressions, one per string operation of
:mod:`aerospike_helpers.operations.string_operations`.

``bin`` is a bin name (read as a string bin) or a string expression. Modify expressions
take a :class:`StringPolicy` (or None) first and return the new string.
"""

from .. import _wire
from ..string_helpers import NumericType, RegexFlags, StringPolicy  # noqa: F401 (public names)
from .base import StrBin, _bin_operand
from .resources import _BaseExpr, _Keys


class _StrExpr(_BaseExpr):
    def _set(self, bin, **fixed):
        # Expressions without operands keep no fixed part at all.
        if fixed:
            self._fixed = fixed
        self._children = (_bin_operand(bin, StrBin),)


class _StrModify(_StrExpr):
    def _set(self, bin, policy, **fixed):
        super()._set(bin, **{_wire.STR_POLICY_KEY: policy}, **fixed)


class StrLen(_StrExpr):
    """Length in characters."""

    _op = _wire.OP_STRING_STRLEN

    def __init__(self, bin):
        self._set(bin)


class SubStr(_StrExpr):
    """Characters from ``start`` on."""

    _op = _wire.OP_STRING_SUBSTR

    def __init__(self, start, bin):
        self._set(bin, start=start)


class SubStrRange(_StrExpr):
    """Characters from ``start`` up to ``end``."""

    _op = _wire.OP_STRING_SUBSTR_RANGE

    def __init__(self, start, end, bin):
        self._set(bin, start=start, end=end)


class CharAt(_StrExpr):
    """The character at ``index``."""

    _op = _wire.OP_STRING_CHAR_AT

    def __init__(self, index, bin):
        self._set(bin, index=index)


class Find(_StrExpr):
    """Position of the ``occurrence``-th ``needle``."""

    _op = _wire.OP_STRING_FIND

    def __init__(self, needle, occurrence, bin):
        self._set(bin, needle=needle, occurrence=occurrence)


class Contains(_StrExpr):
    """Whether ``needle`` occurs."""

    _op = _wire.OP_STRING_CONTAINS

    def __init__(self, needle, bin):
        self._set(bin, needle=needle)


class StartsWith(_StrExpr):
    """Whether the string starts with ``prefix``."""

    _op = _wire.OP_STRING_STARTS_WITH

    def __init__(self, prefix, bin):
        self._set(bin, prefix=prefix)


class EndsWith(_StrExpr):
    """Whether the string ends with ``suffix``."""

    _op = _wire.OP_STRING_ENDS_WITH

    def __init__(self, suffix, bin):
        self._set(bin, suffix=suffix)


class ToInteger(_StrExpr):
    """The string parsed as an integer."""

    _op = _wire.OP_STRING_TO_INTEGER

    def __init__(self, bin):
        self._set(bin)


class ToDouble(_StrExpr):
    """The string parsed as a float."""

    _op = _wire.OP_STRING_TO_DOUBLE

    def __init__(self, bin):
        self._set(bin)


class ByteLength(_StrExpr):
    """Length in UTF-8 bytes."""

    _op = _wire.OP_STRING_BYTE_LENGTH

    def __init__(self, bin):
        self._set(bin)


class IsNumeric(_StrExpr):
    """Whether the string is a number of ``numeric_type``."""

    _op = _wire.OP_STRING_IS_NUMERIC

    def __init__(self, numeric_type, bin):
        self._set(bin, numeric_type=numeric_type)


class IsUpper(_StrExpr):
    """Whether every cased character is upper case."""

    _op = _wire.OP_STRING_IS_UPPER

    def __init__(self, bin):
        self._set(bin)


class IsLower(_StrExpr):
    """Whether every cased character is lower case."""

    _op = _wire.OP_STRING_IS_LOWER

    def __init__(self, bin):
        self._set(bin)


class ToBlob(_StrExpr):
    """The UTF-8 bytes of the string."""

    _op = _wire.OP_STRING_TO_BLOB

    def __init__(self, bin):
        self._set(bin)


class Split(_StrExpr):
    """The string split on whitespace."""

    _op = _wire.OP_STRING_SPLIT

    def __init__(self, bin):
        self._set(bin)


class SplitSeparator(_StrExpr):
    """The string split on ``separator``."""

    _op = _wire.OP_STRING_SPLIT_SEPARATOR

    def __init__(self, separator, bin):
        self._set(bin, separator=separator)


class Base64Decode(_StrExpr):
    """The bytes the base64 string encodes."""

    _op = _wire.OP_STRING_B64_DECODE

    def __init__(self, bin):
        self._set(bin)


class RegexCompare(_StrExpr):
    """Whether ``pattern`` matches."""

    _op = _wire.OP_STRING_REGEX_COMPARE

    def __init__(self, pattern, bin, regex_flags=RegexFlags.DEFAULT):
        self._set(bin, pattern=pattern, regex_flags=regex_flags)


class ToString(_StrExpr):
    """The value converted to a string."""

    _op = _wire.OP_STRING_TO_STRING

    def __init__(self, bin):
        self._set(bin)


class Insert(_StrModify):
    """String with ``value`` inserted at ``index``."""

    _op = _wire.OP_STRING_INSERT

    def __init__(self, policy, index, value, bin):
        self._set(bin, policy, index=index, **{_Keys.VALUE_KEY: value})


class Overwrite(_StrModify):
    """String overwritten from ``index`` with ``value``."""

    _op = _wire.OP_STRING_OVERWRITE

    def __init__(self, policy, index, value, bin):
        self._set(bin, policy, index=index, **{_Keys.VALUE_KEY: value})


class Append(_StrModify):
    """String with ``value`` appended."""

    _op = _wire.OP_STRING_APPEND

    def __init__(self, policy, value, bin):
        self._set(bin, policy, **{_Keys.VALUE_KEY: value})


class Prepend(_StrModify):
    """String with ``value`` prepended."""

    _op = _wire.OP_STRING_PREPEND

    def __init__(self, policy, value, bin):
        self._set(bin, policy, **{_Keys.VALUE_KEY: value})


class Concat(_StrModify):
    """String with every string of ``values`` appended."""

    _op = _wire.OP_STRING_CONCAT

    def __init__(self, policy, values, bin):
        self._set(bin, policy, **{_Keys.VALUE_KEY: values})


class Snip(_StrModify):
    """String without the characters from ``start`` up to ``end`` (to the end when None)."""

    def __init__(self, policy, start, end, bin):
        self._op = _wire.OP_STRING_SNIP_START if end is None else _wire.OP_STRING_SNIP
        self._set(bin, policy, start=start, end=end)


class Replace(_StrModify):
    """String with the first ``needle`` replaced."""

    _op = _wire.OP_STRING_REPLACE

    def __init__(self, policy, needle, replacement, bin):
        self._set(bin, policy, needle=needle, replacement=replacement)


class ReplaceAll(_StrModify):
    """String with every ``needle`` replaced."""

    _op = _wire.OP_STRING_REPLACE_ALL

    def __init__(self, policy, needle, replacement, bin):
        self._set(bin, policy, needle=needle, replacement=replacement)


class Upper(_StrModify):
    """String in upper case."""

    _op = _wire.OP_STRING_UPPER

    def __init__(self, policy, bin):
        self._set(bin, policy)


class Lower(_StrModify):
    """String in lower case."""

    _op = _wire.OP_STRING_LOWER

    def __init__(self, policy, bin):
        self._set(bin, policy)


class CaseFold(_StrModify):
    """String case-folded."""

    _op = _wire.OP_STRING_CASE_FOLD

    def __init__(self, policy, bin):
        self._set(bin, policy)


class NormalizeNFC(_StrModify):
    """String in Unicode NFC."""

    _op = _wire.OP_STRING_NORMALIZE_NFC

    def __init__(self, policy, bin):
        self._set(bin, policy)


class TrimStart(_StrModify):
    """String without leading whitespace."""

    _op = _wire.OP_STRING_TRIM_START

    def __init__(self, policy, bin):
        self._set(bin, policy)


class TrimEnd(_StrModify):
    """String without trailing whitespace."""

    _op = _wire.OP_STRING_TRIM_END

    def __init__(self, policy, bin):
        self._set(bin, policy)


class Trim(_StrModify):
    """String without whitespace at either end."""

    _op = _wire.OP_STRING_TRIM

    def __init__(self, policy, bin):
        self._set(bin, policy)


class PadStart(_StrModify):
    """String padded at the start with ``pad_string`` to ``target_length``."""

    _op = _wire.OP_STRING_PAD_START

    def __init__(self, policy, target_length, pad_string, bin):
        self._set(bin, policy, target_length=target_length, pad_string=pad_string)


class PadEnd(_StrModify):
    """String padded at the end with ``pad_string`` to ``target_length``."""

    _op = _wire.OP_STRING_PAD_END

    def __init__(self, policy, target_length, pad_string, bin):
        self._set(bin, policy, target_length=target_length, pad_string=pad_string)


class Repeat(_StrModify):
    """String repeated ``count`` times."""

    _op = _wire.OP_STRING_REPEAT

    def __init__(self, policy, count, bin):
        self._set(bin, policy, count=count)


class RegexReplace(_StrModify):
    """String with matches of ``pattern`` replaced."""

    _op = _wire.OP_STRING_REGEX_REPLACE

    def __init__(self, policy, pattern, replacement, regex_flags, bin):
        self._set(bin, policy, pattern=pattern, replacement=replacement, regex_flags=regex_flags)
