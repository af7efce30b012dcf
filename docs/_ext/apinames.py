"""How an official dotted name (``aerospike.Client.put``) maps to this project's object.

Kept apart from the Sphinx extension (``apitables``) so that the reference's test can
resolve names on an interpreter without Sphinx (PyPy)."""

import importlib


def resolve(dotted):
    """The object an official dotted name denotes in this project, or None."""
    parts = dotted.split(".")
    if parts[0] == "aerospike":
        parts[0] = "aerospike_cffi"
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            found = getattr(obj, attr, None)
            if found is None and isinstance(obj, type) and _init_sets(obj, attr):
                return True  # an instance attribute: it exists once the object is made
            if found is None:
                return None
            obj = found
        return obj
    return None


def _init_sets(cls, attr):
    """Whether an ``__init__`` of ``cls`` (or its bases) uses ``self.<attr>``."""
    for klass in cls.__mro__:
        code = getattr(vars(klass).get("__init__"), "__code__", None)
        if code is not None and attr in code.co_names:
            return True
    return False
