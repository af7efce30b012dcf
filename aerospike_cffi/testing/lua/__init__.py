"""Lua UDFs in the dev server, as an Aerospike 8.1 server runs them.

Rooms: ``registry`` (the udf-put / udf-get / udf-list / udf-remove info
commands and the registered modules), ``engine`` (lupa Lua states with the
Aerospike Lua environment; the ``*.lua`` files beside it are that
environment: values, modules, record, stream, sandbox, entry), ``apply``
(record UDFs over the wire, in batches and in background jobs) and
``aggregate`` (stream UDFs of queries and scans).

The Lua runtime is the optional ``lupa`` package (``pip install
aerospike-cffi[devserver]``).  Without it every UDF command is answered with an
error naming the package, and everything else keeps working.
"""

MISSING_LUPA = ("the dev server runs Lua UDFs with the 'lupa' package, which is not "
                "installed: pip install 'aerospike-cffi[devserver]' (or: pip install lupa)")


class LupaMissing(Exception):
    """lupa (Lua 5.4) is not installed."""


def require_lupa():
    """The lupa.lua54 module, or LupaMissing."""
    try:
        import lupa.lua54 as lua54
    except ImportError:
        raise LupaMissing(MISSING_LUPA)
    return lua54


def available():
    """True when lupa can be imported."""
    try:
        require_lupa()
    except LupaMissing:
        return False
    return True
