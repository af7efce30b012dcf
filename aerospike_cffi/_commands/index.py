"""Secondary indexes, truncate and background job status."""

from .._native import ffi, lib, raise_error, scratch
from ..exception import ParamError

_NULL = ffi.NULL

# as_index_datatype values of the C client.
_INDEX_STRING, _INDEX_GEO2DSPHERE, _INDEX_BLOB, _INDEX_NUMERIC = 0, 2, 3, 4


def _bin_name(bin):  # noqa: A002
    if isinstance(bin, str):
        return bin.encode()
    if isinstance(bin, (bytes, bytearray)):
        return bytes(bin).split(b"\0", 1)[0]
    return _NULL


class IndexCommands:
    """Index management, truncate and job_info of Client."""

    def _index_create(self, ns, set, bin, name, index_type, datatype, policy, ctx=None,  # noqa: A002
                      expressions=None):
        for value, what in ((ns, "Namespace"), (name, "Index name")):
            if not isinstance(value, str):
                raise ParamError(-2, "%s should be a string" % what)
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set should be a string")
        # the official also takes a bytes/bytearray bin name (up to its first NUL)
        if expressions is None and not isinstance(bin, (str, bytes, bytearray)):
            raise ParamError(-2, "Bin should be a string")
        for value, what in ((index_type, "index type"), (datatype, "index datatype")):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 16:
                raise ParamError(-2, "Invalid %s" % what)
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        ctx_b64 = _NULL
        if ctx is not None and not isinstance(ctx, list):
            raise ParamError(-2, "Failed to convert ctx")
        if ctx:
            from .._ops import cdt_ctx_base64

            ctx_b64 = cdt_ctx_base64(ctx).encode()
        exp_bytes, exp_size = _NULL, 0
        if expressions is not None:
            from .._expr import compile_expression

            exp_bytes = compile_expression(expressions)
            exp_size = len(exp_bytes)
        err, _ = scratch()
        # set None: no "set=" at all (server 8.1 refuses an empty one; the official omits it)
        set_name = _NULL if set is None else set.encode()
        if lib.shim_index_create(conn, err, pol, ns.encode(), set_name,
                                 _bin_name(bin), name.encode(),
                                 index_type, datatype, ctx_b64, exp_bytes, exp_size, 200):
            raise_error(err)
        return 0

    def index_integer_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_NUMERIC, policy)

    def index_string_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_STRING, policy)

    def index_blob_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_BLOB, policy)

    def index_geo2dsphere_create(self, ns, set, bin, name, policy=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 0, _INDEX_GEO2DSPHERE, policy)

    def index_single_value_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                                  ctx=None):
        return self._index_create(ns, set, bin, name, 0, index_datatype, policy, ctx)

    def index_list_create(self, ns, set, bin, index_datatype, name, policy=None, ctx=None):  # noqa: A002
        return self._index_create(ns, set, bin, name, 1, index_datatype, policy, ctx)

    def index_map_keys_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                              ctx=None):
        return self._index_create(ns, set, bin, name, 2, index_datatype, policy, ctx)

    def index_map_values_create(self, ns, set, bin, index_datatype, name, policy=None,  # noqa: A002
                                ctx=None):
        return self._index_create(ns, set, bin, name, 3, index_datatype, policy, ctx)

    def index_cdt_create(self, ns, set, bin, index_type, index_datatype, name, ctx,  # noqa: A002
                         policy=None):
        if ctx is None:
            raise ParamError(-2, "ctx cannot be None")
        return self._index_create(ns, set, bin, name, index_type, index_datatype, policy, ctx)

    def index_expr_create(self, ns, set, index_type, index_datatype, expressions, name,  # noqa: A002
                          policy=None):
        return self._index_create(ns, set, None, name, index_type, index_datatype, policy,
                                  expressions=expressions)

    def index_remove(self, ns, name, policy=None):
        if not isinstance(ns, str) or not isinstance(name, str):
            raise ParamError(-2, "Namespace and index name should be strings")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        if lib.shim_index_remove(conn, err, pol, ns.encode(), name.encode()):
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
        if lib.shim_truncate(conn, err, pol, namespace.encode(),
                             set.encode() if set else _NULL, nanos):
            raise_error(err)
        return 0

    def job_info(self, job_id, module, policy=None):
        """{'status', 'progress_pct', 'records_read'} of a background scan or query job."""
        if isinstance(job_id, bool) or not isinstance(job_id, int) or job_id < 0:
            raise ParamError(-2, "job_id must be a non-negative integer")
        if module not in ("scan", "query"):
            raise ParamError(-2, "module must be aerospike.JOB_SCAN or aerospike.JOB_QUERY")
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        values = ffi.new("uint32_t[3]")
        if lib.shim_job_info(conn, err, pol, module.encode(), job_id, values, values + 1,
                             values + 2):
            raise_error(err)
        return {"status": values[0], "progress_pct": values[1], "records_read": values[2]}
