"""Secondary indexes, truncate and background job status."""

import warnings

from .._expr import compile_expression
from .._native import ffi, lib, raise_error, scratch
from .._ops import cdt_ctx_base64
from ..exception import ParamError

_NULL = ffi.NULL

# as_index_datatype values of the C client.
_INDEX_STRING, _INDEX_GEO2DSPHERE, _INDEX_BLOB, _INDEX_NUMERIC = 0, 2, 3, 4
_INDEX_TYPE_SET = 4  # as_index_type: an index of a set's records, no bin


def _index_int(value, what):
    """An index type or datatype as the C int the official casts it to (its words)."""
    if not isinstance(value, int):
        if what is None:  # index_expr_create reads them as plain ints
            raise TypeError("'%s' object cannot be interpreted as an integer"
                            % type(value).__name__)
        raise ParamError(-2, "%s must be an integer." % what)
    if not -(1 << 63) <= value < (1 << 63):
        raise ParamError(-2, "%s too large for C long." % (what or "index_datatype"))
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= (1 << 31) else value


def _bin_name(bin):  # noqa: A002
    if isinstance(bin, str):
        return bin.encode()
    if isinstance(bin, (bytes, bytearray)):
        return bytes(bin).split(b"\0", 1)[0]
    return _NULL


_NO_MODULE = object()  # job_info()'s module, missing


class IndexCommands:
    """Index management, truncate and job_info of Client."""

    def _index_create(self, ns, set, bin, name, index_type, datatype, policy, ctx=None,  # noqa: A002
                      expressions=None, set_index=False):
        # The official's checks, in its order: types first, then the connection, the
        # policy and the names. Any int is a type (the C client sends an unknown one as
        # its default: STRING / DEFAULT).
        plain = expressions is not None
        index_type = _index_int(index_type, None if plain else "index_type")
        datatype = _index_int(datatype, None if plain else "index_datatype")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        if not isinstance(ns, str):
            raise ParamError(-2, "Namespace should be a string")
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set should be string, unicode or None")
        # the official also takes a bytes/bytearray bin name (up to its first NUL)
        if expressions is None and not set_index and not isinstance(bin, (str, bytes, bytearray)):
            raise ParamError(-2, "Bin should be a string")
        if not isinstance(name, str):
            raise ParamError(-2, "Index name should be string or unicode")
        ctx_b64 = _NULL
        if ctx is not None and not isinstance(ctx, list):
            raise ParamError(-2, "Failed to convert ctx")
        if ctx:
            ctx_b64 = cdt_ctx_base64(ctx).encode()
        exp_bytes, exp_size = _NULL, 0
        if expressions is not None:
            exp_bytes = compile_expression(expressions)
            exp_size = len(exp_bytes)
        err, _ = scratch()
        # set None: no "set=" at all (server 8.1 refuses an empty one; the official omits it)
        set_name = _NULL if set is None else set.encode()
        busy = self._enter(conn)
        try:
            rc = lib.shim_index_create(conn, err, pol, ns.encode(), set_name,
                                       _bin_name(bin), name.encode(),
                                       index_type, datatype, ctx_b64, exp_bytes, exp_size, 200)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return 0

    def index_integer_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        """Create the secondary index ``name`` on the integer values of ``bin``."""
        return self._index_create(ns, set, bin, name, 0, _INDEX_NUMERIC, policy)

    def index_string_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        """Create the secondary index ``name`` on the string values of ``bin``."""
        return self._index_create(ns, set, bin, name, 0, _INDEX_STRING, policy)

    def index_blob_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        """Create the secondary index ``name`` on the blob (bytes) values of ``bin``."""
        return self._index_create(ns, set, bin, name, 0, _INDEX_BLOB, policy)

    def index_geo2dsphere_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        """Create the secondary index ``name`` on the GeoJSON values of ``bin``."""
        return self._index_create(ns, set, bin, name, 0, _INDEX_GEO2DSPHERE, policy)

    def index_single_value_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                                  ctx=None):
        """Create the index ``name`` on the values of ``bin`` of type ``index_datatype``."""
        return self._index_create(ns, set, bin, name, 0, index_datatype, policy, ctx)

    def index_list_create(self, ns, set, bin, index_datatype, name, policy=None, ctx=None):  # noqa: A002
        """Create the index ``name`` on the elements of the list ``bin`` (of ``index_datatype``)."""
        return self._index_create(ns, set, bin, name, 1, index_datatype, policy, ctx)

    def index_map_keys_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                              ctx=None):
        """Create the secondary index ``name`` on the keys of the map ``bin``."""
        return self._index_create(ns, set, bin, name, 2, index_datatype, policy, ctx)

    def index_map_values_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                                ctx=None):
        """Create the secondary index ``name`` on the values of the map ``bin``."""
        return self._index_create(ns, set, bin, name, 3, index_datatype, policy, ctx)

    def index_cdt_create(self, ns, set, bin, index_type, index_datatype, name, ctx,  # noqa: A002
                         policy=None):
        """Create the index ``name`` on values in the list or map ``bin`` at the context ``ctx``."""
        warnings.warn("index_cdt_create() is deprecated. Please use one of the other "
                      "non-deprecated index_*_create() methods instead", DeprecationWarning,
                      stacklevel=2)
        if ctx is None:
            raise ParamError(-2, "ctx cannot be None")
        return self._index_create(ns, set, bin, name, index_type, index_datatype, policy, ctx)

    def index_expr_create(self, ns, set, index_type, index_datatype, expressions, name,  # noqa: A002
                          policy=None):
        """Create the index ``name`` on the value of the compiled expression ``expressions``."""
        return self._index_create(ns, set, None, name, index_type, index_datatype, policy,
                                  expressions=expressions)

    def index_set_create(self, ns, set, name, policy=None):  # noqa: A002
        """An index of the records of one set (AS_INDEX_TYPE_SET; server 8.1+)."""
        return self._index_create(ns, set, None, name, _INDEX_TYPE_SET, _INDEX_STRING, policy,
                                  set_index=True)

    def index_remove(self, ns, name, policy=None):
        """Remove the secondary index ``name`` of namespace ``ns``."""
        if not isinstance(ns, str) or not isinstance(name, str):
            raise ParamError(-2, "Namespace and index name should be strings")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_index_remove(conn, err, pol, ns.encode(), name.encode())
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return 0

    def truncate(self, namespace, set, nanos, policy=None):  # noqa: A002
        """Delete the records of a namespace or set last updated before ``nanos`` (0: all)."""
        if not isinstance(namespace, str):
            raise ParamError(-2, "Namespace must be a string")
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set must be None, or a string")
        if isinstance(nanos, bool) or not isinstance(nanos, int) or not 0 <= nanos < (1 << 64):
            raise ParamError(-2, "Nanoseconds must be a long type")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            # Only None means the whole namespace: an empty set name goes to the server
            # as "set=", which refuses it (InvalidRequest), as with the official.
            rc = lib.shim_truncate(conn, err, pol, namespace.encode(),
                                   _NULL if set is None else set.encode(), nanos)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        return 0

    def job_info(self, job_id, module=_NO_MODULE, policy=None):
        """{'status', 'progress_pct', 'records_read'} of a background scan or query job."""
        # Argument types are TypeErrors worded as the official's (a C argument parser's);
        # a negative id wraps to its unsigned 64-bit value, as there.
        if not isinstance(job_id, int):
            raise TypeError("job_info() argument 1 must be int, not %s" % _type_name(job_id))
        if module is _NO_MODULE:  # after job_id's type, as the official checks them
            raise TypeError("job_info() missing required argument 'module' (pos 2)")
        if not isinstance(module, str):
            raise TypeError("job_info() argument 2 must be str, not %s" % _type_name(module))
        if not -(1 << 63) <= job_id < (1 << 64):
            raise ParamError(-2, "job_id must fit in 64 bits")
        job_id &= 0xFFFFFFFFFFFFFFFF
        if module not in ("scan", "query"):
            raise ParamError(-2, "Module can have only two values: aerospike.JOB_SCAN or "
                                 "aerospike.JOB_QUERY")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        values = ffi.new("uint32_t[3]")
        busy = self._enter(conn)
        try:
            rc = lib.shim_job_info(conn, err, pol, module.encode(), job_id, values, values + 1,
                                   values + 2)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err)
        # the official's key order
        return {"progress_pct": values[1], "records_read": values[2], "status": values[0]}


def _type_name(value):
    return "None" if value is None else type(value).__name__
