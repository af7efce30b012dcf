"""JSON encoding of helper outputs, shared by the fixture generator (official client's
venv) and the tests (our package), so both sides' structures compare as plain data.

Containers keep their type (tuple vs list, dict subclass), bytes are hex, enums keep
class and member, expressions encode as their compiled form, other objects as their
class name and instance attributes. Only duck typing: no import of either package.
"""

import enum


def encode(obj):
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return {"enum": "%s.%s" % (type(obj).__name__, obj.name), "value": obj.value}
    if isinstance(obj, (int, float)):
        return obj
    if isinstance(obj, (bytes, bytearray)):
        return {type(obj).__name__: bytes(obj).hex()}
    if isinstance(obj, tuple):
        return {"tuple": [encode(item) for item in obj]}
    if isinstance(obj, list):
        return [encode(item) for item in obj]
    if isinstance(obj, dict):
        return {"dict": type(obj).__name__, "items": [[encode(k), encode(v)] for k, v in obj.items()]}
    if callable(getattr(obj, "compile", None)):
        return {"expr": encode(obj.compile())}
    if callable(getattr(obj, "dumps", None)):
        return {"object": type(obj).__name__, "geojson": obj.dumps()}
    attrs = getattr(obj, "__dict__", {})
    return {"object": type(obj).__name__, "attrs": {k: encode(v) for k, v in sorted(attrs.items())}}


def unordered(data):
    """``data`` with dict items sorted: dict equality does not depend on insertion order."""
    if isinstance(data, list):
        return [unordered(item) for item in data]
    if isinstance(data, dict):
        if "items" in data and "dict" in data:
            items = [[unordered(k), unordered(v)] for k, v in data["items"]]
            return {"dict": data["dict"], "items": sorted(items, key=repr)}
        return {k: unordered(v) for k, v in data.items()}
    return data


def describe_call(func, args, kwargs):
    """Result and warnings of ``func(*args, **kwargs)``, encoded; an exception is recorded by type."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = {"result": encode(func(*args, **kwargs))}
        except Exception as exc:  # the official behaviour is part of the spec
            result = {"raises": type(exc).__name__}
    result["warnings"] = sorted(w.category.__name__ for w in caught)
    return result
