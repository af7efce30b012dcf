"""User-defined functions: module management (udf_put / udf_get / udf_list / udf_remove),
record UDFs (apply) and background UDF jobs over a scan or query (scan_apply, query_apply).

The checks and their order follow the official client, so a bad argument raises its
exception class and message before anything reaches the server. A UDF's argument list
crosses into C as one msgpack list; the value it returns comes back as a one-bin record.
Stream UDFs (Scan.apply / Query.apply, aggregations) live in _stream.
"""

import os
import time

from .. import _marshal
from .._keys import key_parts
from .._native import error_from, ffi, lib, out_bytes, scratch
from ..exception import AerospikeError, ClientError, LuaFileNotFound, ParamError
from ..types import KeyOrderedDict

_NULL = ffi.NULL
UDF_TYPE_LUA = 0
_SCRIPT_LEN_MAX = 1048576  # the official's limit on a module file's size
_PATH_MAX = 2 * 256 - 1    # user_path + "/" + file name, as the official allows
# How long udf_put / udf_remove wait for every node to show the change; the official polls
# every 2 s (put) or 1 s (remove) without an end, we poll often and give up after this.
_WAIT_S = 30.0


def udf_error(exc, key=None, module=None, function=None):
    """``exc`` with the attributes the official sets on a UDF call's error."""
    if key is not None and hasattr(exc, "key"):
        exc.key = key
    if hasattr(exc, "module"):
        exc.module = module
    if hasattr(exc, "func"):
        exc.func = function
    return exc


def pack_args(packer, args):
    """msgpack bytes of a UDF argument list (as a Packer packs a list bin)."""
    try:
        return packer.pack(_map_keys_kept(list(args)))
    except UnicodeEncodeError:
        raise _marshal.unicode_error() from None


def _map_keys_kept(value):
    """``value`` without the map entries whose key the C client's maps refuse (only int,
    str and blob keys are map keys there): the official drops those without an error, and
    the server never sees them. Unchanged values are returned as they are."""
    if isinstance(value, list):
        items = [_map_keys_kept(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items
    if isinstance(value, dict):
        kept = {k: _map_keys_kept(v) for k, v in value.items()
                if (isinstance(k, (int, str, bytes, bytearray)) and not isinstance(k, bool))}
        if len(kept) == len(value) and all(kept[k] is value[k] for k in kept):
            return value
        return type(value)(kept) if isinstance(value, KeyOrderedDict) else kept
    return value


def _module_files(answer):
    """{file name: hash text} of a node's udf-list answer."""
    files = {}
    for entry in answer.split(";"):
        fields = dict(part.split("=", 1) for part in entry.split(",") if "=" in part)
        name = fields.get("filename")
        if name:
            files[name] = fields.get("hash", "")
    return files


class UDFCommands:
    """The UDF command family of Client."""

    # ------------------------------------------------------------ modules

    def udf_put(self, filename, udf_type=0, policy=None):
        """Register a Lua module file with the cluster; returns 0 once every node has it.

        As the official, the file is also copied into the client's Lua ``user_path`` (where
        aggregations load it from), unless it is that very file."""
        if isinstance(udf_type, bool) or not isinstance(udf_type, int):
            raise TypeError("an integer is required")
        if udf_type != UDF_TYPE_LUA:
            raise ClientError(-1, "Invalid UDF language")
        conn = self._conn()
        if not isinstance(filename, str):
            raise ParamError(-2, "Filename should be a string")
        pol, _keep = self._policy("info", policy)
        base = filename.rsplit("/", 1)[-1]
        if not base:
            raise ParamError(-2, "Empty udf filename")
        user_path = self._cfg.lua.user_path
        user_path = ffi.string(user_path).decode("utf-8", "replace") or "."
        copy_path = user_path.rstrip("/") + "/" + base
        if len(user_path.rstrip("/")) + 1 + len(base.encode("utf-8")) > _PATH_MAX:
            raise ParamError(-2, "Lua file pathname too long")
        try:
            with open(filename, "rb") as f:
                content = f.read(_SCRIPT_LEN_MAX)
        except (OSError, ValueError):  # ValueError: a NUL in the name
            raise LuaFileNotFound(1302, "cannot open script file") from None
        if not content:
            raise LuaFileNotFound(1302, "Script file is empty")
        if len(content) >= _SCRIPT_LEN_MAX:
            raise LuaFileNotFound(1302, "Script File is too large")
        self._copy_to_user_path(filename, copy_path, content)
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_udf_put(conn, err, pol, _marshal.utf8(filename), content, len(content))
        finally:
            self._leave(busy)
        if rc:
            raise error_from(err)
        self._udf_wait(pol, base, present=True)
        return 0

    @staticmethod
    def _copy_to_user_path(filename, copy_path, content):
        try:
            if os.path.exists(copy_path) and os.path.samefile(filename, copy_path):
                return
        except OSError:
            pass
        try:
            with open(copy_path, "wb") as f:
                f.write(content)
        except OSError:
            raise ClientError(-1, "No permissions to write lua file to user path") from None

    def udf_remove(self, filename, policy=None):
        """Remove a registered module; returns 0 (also when there is no such module)."""
        conn = self._conn()
        if not isinstance(filename, str):
            raise ParamError(-2, "Filename should be a string")
        pol, _keep = self._policy("info", policy)
        err, _ = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_udf_remove(conn, err, pol, _marshal.utf8(filename))
        finally:
            self._leave(busy)
        if rc:
            raise udf_error(error_from(err), module=filename)
        self._udf_wait(pol, filename.rsplit("/", 1)[-1], present=False)
        return 0

    def _udf_wait(self, pol, name, present):
        """Until every node lists (or no longer lists) module ``name``, by its exact name
        (the official's substring test never ends for a prefix of another module's name)."""
        deadline = time.monotonic() + _WAIT_S
        delay = 0.005
        while True:
            if all((name in _module_files(answer)) == present
                   for answer in self._udf_list_answers(pol)):
                return
            if time.monotonic() > deadline:
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def _udf_list_answers(self, pol):
        conn = self._conn()
        answers = []
        for name in self._node_names():  # the info mixin's node list
            err, out = scratch()
            busy = self._enter(conn)
            try:
                rc = lib.shim_info(conn, err, pol, name.encode(), b"udf-list", out)
            finally:
                self._leave(busy)
            if rc:
                continue  # a node that does not answer now is asked again next round
            head, tab, rest = out_bytes(out).decode("utf-8", "replace").partition("\t")
            answers.append(rest if tab else head)
        return answers

    def udf_list(self, policy=None):
        """[{'name', 'hash', 'type', 'content'}] of the registered modules."""
        conn = self._conn()
        pol, _keep = self._policy("info", policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_udf_list(conn, err, pol, out)
        finally:
            self._leave(busy)
        if rc:
            raise error_from(err)
        buf = out_bytes(out)
        files = []
        pos = 0
        while pos < len(buf):
            udf_type, n = buf[pos], buf[pos + 1]
            name = buf[pos + 2:pos + 2 + n].decode("utf-8", "replace")
            pos += 2 + n
            files.append({"name": name, "hash": bytearray(buf[pos:pos + 40]), "type": udf_type,
                          "content": bytearray()})
            pos += 40
        return files

    def udf_get(self, module, language=0, policy=None):
        """The text of a registered module."""
        if isinstance(language, bool) or not isinstance(language, int):
            raise TypeError("an integer is required")
        conn = self._conn()
        if language != UDF_TYPE_LUA:
            raise udf_error(ClientError(-1, "Invalid language"), module=module)
        if not isinstance(module, str):
            raise udf_error(ClientError(-1, "Module name should be a string or unicode "
                                            "string."), module=module)
        pol, _keep = self._policy("info", policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_udf_get(conn, err, pol, _marshal.utf8(module), language, out)
        finally:
            self._leave(busy)
        if rc:
            raise udf_error(error_from(err), module=module)
        return out_bytes(out).decode("utf-8", "replace")

    # ------------------------------------------------------------ record UDFs

    def apply(self, key, module, function, args, policy=None):
        """Run ``module.function(record, *args)`` on the server; returns its value."""
        if not isinstance(args, list):
            raise TypeError("expected UDF method arguments in a 'list'")
        try:
            conn = self._conn()
            p = key_parts(key)
            packed = pack_args(self._op_packer, args)
            pol, _keep = self._policy("apply", policy)
            if not isinstance(module, str):
                raise ClientError(-1, "udf module argument must be a string or unicode string")
            if not isinstance(function, str):
                raise ClientError(-1, "function name must be a string or unicode string")
            module_b, function_b = _marshal.utf8(module), _marshal.utf8(function)
        except AerospikeError as exc:
            raise udf_error(exc, key, module, function) from None
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_apply(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], module_b,
                                function_b, packed, len(packed), out)
        finally:
            self._leave(busy)
        if rc:
            raise udf_error(error_from(err), key, module, function)
        try:
            return self._udf_value(out_bytes(out))[0]
        except ParamError as exc:  # a value the UDF built that does not decode (GeoJSON)
            raise ClientError(-1, exc.msg) from None

    def _udf_value(self, buf, pos=0):
        """(value, end) of a one-bin record written by the shim for a UDF's value."""
        _gen, _ttl, bins, end = self._unpacker.record(buf, pos)
        return bins.get("v"), end

    # ------------------------------------------------------------ background jobs

    def scan_apply(self, ns, set, module, function, args=None, policy=None, options=None):  # noqa: A002
        """Run a record UDF on every record of a set in the background; waits until the job
        is done (as the official) and returns its id."""
        if not isinstance(ns, str):
            raise TypeError("scan_apply() argument 1 must be str, not %s" % type(ns).__name__)
        self._conn()
        if args is not None and not isinstance(args, list):
            raise ParamError(-2, "Arguments should be a list")
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set name should be string")
        scan = self.scan(ns, set)
        if not isinstance(module, str):
            raise ParamError(-2, "Module name should be string")
        if not isinstance(function, str):
            raise ParamError(-2, "Function name should be string")
        scan.apply(module, function, args if args is not None else [])
        _check_scan_options(options)
        job_id = scan.execute_background(policy)
        self._job_wait(job_id, "scan", policy)
        return job_id

    def query_apply(self, ns, set, predicate, module, function, args=None, policy=None):  # noqa: A002
        """Run a record UDF on every record a predicate selects, in the background; waits
        until the job is done and returns its id."""
        if not isinstance(ns, str):
            raise TypeError("query_apply() argument 1 must be str, not %s" % type(ns).__name__)
        self._conn()
        if not isinstance(args, list):
            raise ParamError(-2, "Arguments should be a list")
        if set is not None and not isinstance(set, str):
            raise ParamError(-2, "Set name should be string")
        query = self.query(ns, set)
        if not isinstance(module, str):
            raise ParamError(-2, "Module name should be string")
        if not isinstance(function, str):
            raise ParamError(-2, "Function name should be string")
        if not isinstance(predicate, tuple):
            raise ParamError(-2, "Predicate must be a tuple")
        if len(predicate) < 2:
            raise ParamError(-2, "Invalid predicate")
        query.where(predicate)
        query.apply(module, function, args)
        job_id = query.execute_background(policy)
        self._job_wait(job_id, "query", policy)
        return job_id

    def _job_wait(self, job_id, module, policy):
        """Until the background job ``job_id`` completed (the info policy of ``policy``'s
        timeouts: the official reads the apply policy's keys it shares with it)."""
        info_policy = None
        if isinstance(policy, dict):
            info_policy = {k: v for k, v in policy.items() if k == "timeout"} or None
        pol, _keep = self._policy("info", info_policy)
        err, _ = scratch()
        conn = self._conn()
        busy = self._enter(conn)
        try:
            rc = lib.shim_job_wait(conn, err, pol, module.encode(), job_id)
        finally:
            self._leave(busy)
        if rc:
            raise error_from(err)


def _check_scan_options(options):
    """scan_apply()'s options as the official reads them: only bool 'concurrent' and
    'nobins' (neither changes a background scan here)."""
    if not isinstance(options, dict):
        return  # the official reads only a dict
    for key, value in options.items():
        if not isinstance(key, str):
            raise ParamError(-2, "Policy key must be string")
        if key not in ("concurrent", "nobins"):
            raise ParamError(-2, "Invalid value for scan options")
        if not isinstance(value, bool):
            raise ParamError(-2, "Invalid value(type) for %s" % key)
