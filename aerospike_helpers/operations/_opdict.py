"""Shared pieces of the op dicts of this package.

``op(code, bin_name, key=value, ...)`` makes ``{"op": code, "bin": bin_name, key: value, ...}``;
keys whose value is wrapped as ``if_true(v)`` appear only when ``v`` is truthy: the official
helpers leave such keys out, and the client tells "absent" from "None" for some of them.
The list and map helpers, which run for every op of hot operate calls, write their dicts
directly instead and add the optional ctx with ``with_ctx``.
"""

_ABSENT = object()


def if_true(value):
    """Keep the key only when ``value`` is truthy (e.g. a non-empty ctx list)."""
    return value if value else _ABSENT


def op(code, bin_name=_ABSENT, **fields):
    """Op dict for ``code`` on ``bin_name`` with ``fields``, absent ones left out."""
    result = {"op": code}
    if bin_name is not _ABSENT:
        result["bin"] = bin_name
    for key, value in fields.items():
        if value is not _ABSENT:
            result[key] = value
    return result


def with_ctx(op_dict, ctx):
    """``op_dict`` with a "ctx" entry when ``ctx`` is a non-empty list (the official leaves
    out an empty one in reads)."""
    if ctx:
        op_dict["ctx"] = ctx
    return op_dict
