"""aerospike_cffi: the `aerospike` module surface, over the Aerospike C client through cffi.

``import aerospike_cffi as aerospike`` works for code written for the official client.
Constants, exceptions and value types load eagerly and are pure Python; the client itself
(and with it the compiled extension) loads on first use of a name that needs it, so that
``aerospike_cffi.testing`` (the dev server) never loads the extension.
"""

import sys

from . import exception, predicates  # noqa: F401
from .constants import *  # noqa: F401,F403
from .types import (  # noqa: F401
    CDTInfinite, CDTWildcard, ConfigProvider, GeoJSON, KeyOrderedDict, geodata, geojson, null)

__version__ = "0.1.0"

# Names served by the client module, loaded on first access (PEP 562).
_CLIENT_NAMES = (
    "Client", "Scan", "Query", "client", "calc_digest", "get_partition_id",
    "set_log_level", "set_log_handler", "set_serializer", "set_deserializer",
    "unset_serializers", "Transaction",
)


def __getattr__(name):
    if name in _CLIENT_NAMES:
        from . import _api

        value = getattr(_api, name)
        globals()[name] = value
        return value
    raise AttributeError("module 'aerospike_cffi' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(_CLIENT_NAMES))


def install_as_aerospike():
    """Register this module as ``aerospike`` (and its submodules) in ``sys.modules``."""
    this = sys.modules[__name__]
    sys.modules["aerospike"] = this
    sys.modules["aerospike.exception"] = exception
    sys.modules["aerospike.predicates"] = predicates
    return this
