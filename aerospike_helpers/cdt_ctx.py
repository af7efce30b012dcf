"""Contexts that point a CDT operation or expression at a nested list or map element.

Each function returns a ``_cdt_ctx`` (attributes ``id``, ``value``, ``extra_args``);
a list of them is passed as ``ctx`` to list/map operations and expressions.
"""

import aerospike_cffi as aerospike

from . import _wire

#: Key of the list or map order in the extras of a ``*_create`` context entry.
CDT_CTX_ORDER_KEY = "order_key"
#: Key of the pad flag in the extras of a ``cdt_ctx_list_index_create`` entry.
CDT_CTX_PAD_KEY = "pad_key"

_INDEX_TYPE_NAMES = {
    aerospike.INDEX_TYPE_DEFAULT: "default",
    aerospike.INDEX_TYPE_LIST: "list",
    aerospike.INDEX_TYPE_MAPKEYS: "mapkeys",
    aerospike.INDEX_TYPE_MAPVALUES: "mapvalues",
}
_INDEX_DATATYPE_NAMES = {
    aerospike.INDEX_NUMERIC: "numeric",
    aerospike.INDEX_STRING: "string",
    aerospike.INDEX_GEO2DSPHERE: "geo2dsphere",
}


def index_type_string(index_type):
    """Name of an ``INDEX_TYPE_*`` constant as the sindex-create info command spells it."""
    return _INDEX_TYPE_NAMES.get(index_type, "invalid")


def index_datatype_string(index_datatype):
    """Name of an ``INDEX_NUMERIC/STRING/GEO2DSPHERE`` constant for the sindex-create info command."""
    return _INDEX_DATATYPE_NAMES.get(index_datatype, "invalid")


class _cdt_ctx:
    """One step of a context path: a context code, its operand and optional extras."""

    def __init__(self, *, id=None, value=None, extra_args=None):
        self.id = id
        self.value = value
        self.extra_args = extra_args


def cdt_ctx_list_index(index):
    """Step into the list element at ``index`` (negative counts from the end)."""
    return _cdt_ctx(id=aerospike.CDT_CTX_LIST_INDEX, value=index)


def cdt_ctx_list_rank(rank):
    """Step into the list element of the given value rank (negative: from the largest)."""
    return _cdt_ctx(id=aerospike.CDT_CTX_LIST_RANK, value=rank)


def cdt_ctx_list_value(value):
    """Step into the list element equal to ``value``."""
    return _cdt_ctx(id=aerospike.CDT_CTX_LIST_VALUE, value=value)


def cdt_ctx_list_index_create(index, order=0, pad=False):
    """Step into the list at ``index``, creating it with ``order`` (and padding with None if ``pad``)."""
    extras = {CDT_CTX_ORDER_KEY: order, CDT_CTX_PAD_KEY: pad}
    return _cdt_ctx(id=aerospike.CDT_CTX_LIST_INDEX_CREATE, value=index, extra_args=extras)


def cdt_ctx_map_index(index):
    """Step into the map entry at ``index`` in key order."""
    return _cdt_ctx(id=aerospike.CDT_CTX_MAP_INDEX, value=index)


def cdt_ctx_map_rank(rank):
    """Step into the map entry of the given value rank."""
    return _cdt_ctx(id=aerospike.CDT_CTX_MAP_RANK, value=rank)


def cdt_ctx_map_key(key):
    """Step into the map value stored under ``key``."""
    return _cdt_ctx(id=aerospike.CDT_CTX_MAP_KEY, value=key)


def cdt_ctx_map_value(value):
    """Step into the map entry whose value equals ``value``."""
    return _cdt_ctx(id=aerospike.CDT_CTX_MAP_VALUE, value=value)


def cdt_ctx_map_key_create(key, order=0):
    """Step into the map under ``key``, creating it with map ``order`` when missing."""
    extras = {CDT_CTX_ORDER_KEY: order}
    return _cdt_ctx(id=aerospike.CDT_CTX_MAP_KEY_CREATE, value=key, extra_args=extras)


def cdt_ctx_all_children():
    """Path expressions: select every child of the current element."""
    return _cdt_ctx(id=_wire.AS_CDT_CTX_EXP)


def cdt_ctx_all_children_with_filter(expression):
    """Path expressions: select the children for which the boolean ``expression`` holds."""
    extras = {_wire.CDT_CTX_FILTER_EXPR_KEY: expression}
    return _cdt_ctx(id=_wire.AS_CDT_CTX_EXP, extra_args=extras)


def cdt_ctx_and_filter(expression):
    """Path expressions: narrow the preceding ``cdt_ctx_map_keys_in`` by a boolean ``expression``."""
    extras = {_wire.CDT_CTX_FILTER_EXPR_KEY: expression}
    return _cdt_ctx(id=_wire.AS_CDT_CTX_AND | _wire.AS_CDT_CTX_EXP, extra_args=extras)


def cdt_ctx_map_keys_in(keys):
    """Path expressions: select the map entries whose key is in ``keys`` (missing keys are skipped)."""
    return _cdt_ctx(id=_wire.AS_CDT_CTX_MAP_KEYS_IN, value=keys)
