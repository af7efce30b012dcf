"""The one builder behind every op dict of this package.

``op(code, bin_name, key=value, ...)`` makes ``{"op": code, "bin": bin_name, key: value, ...}``.
Keys whose value is wrapped as ``if_given(v)`` / ``if_true(v)`` appear only when ``v`` is
not None / truthy: the official helpers leave such keys out, and the client tells
"absent" from "None" for some of them.
"""

_ABSENT = object()


def if_given(value):
    """Keep the key only when ``value`` is not None."""
    return _ABSENT if value is None else value


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


def true_if(value):
    """``True`` when ``value`` is truthy, else the key is left out."""
    return True if value else _ABSENT
