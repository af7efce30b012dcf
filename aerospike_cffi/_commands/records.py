"""Single-record commands: get, select, exists, put, remove, remove_bin, operate,
operate_ordered, append, prepend, increment, touch.

Each is validate -> marshal -> one shim call -> unmarshal (see _client.Client for the
connection and the record decoding helpers this mixin relies on). The validate+marshal
part (``_*_args``) and the decode part (``_*_result``) are methods of their own, so the
async client (aerospike_cffi.aio) runs the same code around its own shim calls.
"""

import builtins
import marshal
import platform
import warnings

from .. import _marshal
from .._keys import _CLIENT_DEFAULT_TTL as _DEFAULT_TTL
from .._keys import _ns_cache, key_parts, parse_meta
from .._native import (_Scratch, ffi, give_scratch, lib, out_bytes, raise_error, scratch,
                       take_scratch, thread_scratch)
from .._ops import encode_operations
from ..exception import AerospikeError, BinNameError, ClientError, ClusterError, ParamError

_NO_BYTES = _marshal.NO_BYTES  # a digest's bytearray as _NO_BYTES + digest

_NULL = ffi.NULL
_buffer, _loads = ffi.buffer, marshal.loads
# Bins to write go through pickle (C on CPython) to the shim, not the Packer (see shim.h).
_PICKLE_BINS = platform.python_implementation() == "CPython"
# operate's op lists too (shim_pack_ops_pickled, shim_pickle.c); PyPy's JIT runs _ops.
_PICKLE_OPS = _PICKLE_BINS
_pickle_ops = _marshal.pickle_ops
_LIST = builtins.list  # operate's parameter is named list
_NOT_PLAIN = lib.SHIM_NOT_PLAIN
_PACKED, _MARSHAL_HEAP = lib.SHIM_PACKED, lib.SHIM_MARSHAL_HEAP
_SERIALIZERS = _marshal.GLOBAL_SERIALIZERS
_names_get, _utf8 = _ns_cache.get, _marshal.utf8
_put_pickled, _plain_pickler = lib.shim_put_pickled, _marshal.plain_pickler
_joined_pickle = _marshal.joined_pickle
_KEY_TOO_BIG = "integer value for KEY exceeds sys.maxsize"  # key_parts' ParamError
_NO_CONNECTION = "No connection to aerospike cluster"  # Client._conn()'s ClusterError
# The fast reads (get, exists with no policy), looked up once: a lib attribute read costs
# a getattr per call. An answer >= _FOUND carries the record's ttl and gen (shim.h).
_get_f, _exists_f, _FOUND = lib.shim_get_f, lib.shim_exists_f, lib.SHIM_FOUND
_get_fi = lib.shim_get_fi

# Wire operation types used by the single-bin commands.
_OP_INCR, _OP_APPEND, _OP_PREPEND, _OP_TOUCH = 5, 9, 10, 11
_KEY_SEND = 1  # as_policy_key AS_POLICY_KEY_SEND
_OP_TYPE_BYTES = [bytes((t,)) for t in range(256)]


class RecordCommands:
    """The single-record command family of Client."""

    # ------------------------------------------------------------ reads

    def _raw_collections(self, kind, policy):
        """True when a read's policy (or the config's) has deserialize False."""
        default = kind in self._settings.raw_kinds
        if policy is None or type(policy) is not dict:
            return default
        value = policy.get("deserialize", None)
        return default if value is None else not value

    def _record_raw(self, out, pairs=False):
        """_record() with list and map bins as raw msgpack bytes (deserialize False)."""
        unpacker = self._raw_unpacker
        buf = out_bytes(out)
        gen, ttl, bins, _ = (unpacker.record_pairs if pairs else unpacker.record)(buf)
        return buf[:20], gen, ttl, bins

    def get(self, key, policy=None):
        """(key, meta, bins) of a record; RecordNotFound if there is none."""
        if ((policy is None or type(policy) is dict and
             not self._raw_collections("read", policy)) and
                self._fast_reads and _SERIALIZERS.deserializer is None):
            # The common call (issue 13), with _conn, key_parts' common case, _enter and
            # _leave written out: on CPython every bytecode here costs ~100 instructions
            # with the GIL held, a Python call several hundred. The answer: gen and ttl in
            # rc, the bins as marshal data in the scratch's own buffer (shim_get_f).
            conn = self._as
            if conn is _NULL:
                raise ClusterError(11, _NO_CONNECTION)
            if type(key) is tuple:
                try:
                    ns, set_name, pk = key
                    nsb, setb = _names_get(ns), _names_get(set_name)
                except (ValueError, TypeError):  # not 3 items, or an unhashable name
                    nsb = None
                if nsb is None or not setb or type(ns) is not str or type(set_name) is not str:
                    nsb, setb, kt, kd, kl, ki, ns, set_name, pk = key_parts(key)
                elif type(pk) is int:  # out of int64: OverflowError from cffi, below
                    kt, ki = 1, pk  # kd and kl: unused by shim_get_fi
                elif type(pk) is str:
                    kd = _utf8(pk)
                    kt, kl, ki = 3, len(kd), 0
                else:
                    nsb, setb, kt, kd, kl, ki, ns, set_name, pk = key_parts(key)
            else:
                nsb, setb, kt, kd, kl, ki, ns, set_name, pk = key_parts(key)
            if policy is None:
                pol, sends_key = self._read_default, self._read_sends_key
            else:
                # A policy dict takes this path too, with its struct (cached by the client
                # unless it holds an expression; _keep holds that one's memory till the end).
                pol, _keep = self._policy("read", policy)
                sends_key = pol.key == _KEY_SEND
            try:
                s = take_scratch()
            except IndexError:
                s = _fast_read_scratch()
            try:
                busy = self._busy  # the close guard, as _enter/_leave (_client.py)
                busy.append(None)
                if self._as is not conn:
                    self._leave(busy)
                    raise ClusterError(11, _NO_CONNECTION)
                try:
                    # An integer key (kt 1) through shim_get_fi: three arguments fewer to
                    # convert while the GIL is held (issue 13, threads).
                    if kt == 1:
                        rc = _get_fi(conn, s.err, pol, nsb, setb, ki, s.fout)
                    else:
                        rc = _get_f(conn, s.err, pol, nsb, setb, kt, kd, kl, ki, s.fout)
                except OverflowError:
                    raise ParamError(-2, _KEY_TOO_BIG) from None
                finally:
                    busy.pop()
                    if self._retired:
                        self._reap()
                if rc >= _FOUND:
                    return ((ns, set_name, pk if sends_key else None,
                             _NO_BYTES + s.fdigest),
                            {"ttl": rc >> 16 & 0xFFFFFFFF, "gen": rc & 0xFFFF}, _loads(s.fview))
                # (only the key's last three parts are read there: kd and kl may be unset)
                return self._get_fast_other(rc, s, key, (nsb, setb, kt, None, 0, ki, ns,
                                                          set_name, pk), pol)
            finally:
                give_scratch(s)  # after the answer was read from it
        conn = self._conn()
        p = key_parts(key)
        if policy is None:
            # The common call, inlined: every Python call here is paid with the GIL held,
            # which other threads wait for (issue 13).
            pol, _keep = self._policy_defaults["read"], None
            raw = self._read_raw
        else:
            pol, _keep = self._policy("read", policy)
            raw = self._raw_collections("read", policy)
        err, out = scratch()
        if not raw:
            out.want_marshal = (self._marshal_single and
                                _marshal.GLOBAL_SERIALIZERS.deserializer is None)
        busy = self._enter(conn)
        try:
            rc = lib.shim_get(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], _NULL, 0, out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err, key=key)
        return self._get_result(p, out, pol, raw)

    def _get_fast_other(self, rc, s, key, p, pol):
        """get()'s answer when shim_get_f did not leave it in the scratch's buffer."""
        if rc == _MARSHAL_HEAP:
            data = _buffer(s.fout.data, s.fout.len)
            meta, bins = _loads(data[20:])
            return ((p[6], p[7], p[8] if pol.key == _KEY_SEND else None,
                     _NO_BYTES + data[:20]), meta, bins)
        if rc != _PACKED:
            raise_error(s.err, key=key)
        return self._get_result(p, s.fout, pol, False)

    def _get_result(self, p, out, pol, raw):
        if out.is_marshal:  # Client._record()'s marshal case, inlined (hot on CPython)
            data = _buffer(out.data, out.len)
            gen, ttl, bins = _loads(data[20:])
            digest = data[:20]
        else:
            digest, gen, ttl, bins = self._record_raw(out) if raw else self._record(out)
        # As the official get(): the returned key carries the given user key only when the
        # read policy sends keys (POLICY_KEY_SEND), else None.
        return ((p[6], p[7], p[8] if pol.key == _KEY_SEND else None, _NO_BYTES + digest),
                {"ttl": ttl, "gen": gen}, bins)

    def select(self, key, bins, policy=None):
        """(key, meta, bins) with only the named bins."""
        conn = self._conn()
        p = key_parts(key)
        packed, n = self._select_names(bins)
        pol, _keep = self._policy("read", policy)
        raw = self._raw_collections("read", policy)
        err, out = scratch()
        if not raw:
            out.want_marshal = self._marshal_single and _SERIALIZERS.deserializer is None
        busy = self._enter(conn)
        try:
            rc = lib.shim_get(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed, n, out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err, key=key)
        return self._select_result(p, out, raw)

    @staticmethod
    def _select_names(bins):
        """(NUL-separated names, count) of select()'s bin names, validated."""
        if not isinstance(bins, (list, tuple)):
            raise ParamError(-2, "not a list or tuple")
        names = []
        for name in bins:
            if not isinstance(name, str):
                raise ParamError(-2, "Bin name must be a string" if type(bins) is builtins.list
                                 else "not string type")
            # As the official: longer names are cut to the 15-byte limit.
            names.append(_marshal.utf8(name)[:_marshal.BIN_NAME_MAX])
        return b"\0".join(names) + b"\0", len(names)

    def _select_result(self, p, out, raw):
        digest, gen, ttl, found = self._record_raw(out) if raw else self._record(out)
        return self._key_tuple(p, digest), {"ttl": ttl, "gen": gen}, found

    def exists(self, key, policy=None):
        """(key, meta), with meta None when the record does not exist."""
        if (policy is None or type(policy) is dict) and self._fast_reads:
            # As get(): gen and ttl come in rc (shim_exists_f); a policy dict with its
            # (cached) struct, as get() (its checks come after the key's, as below).
            conn = self._as
            if conn is _NULL:
                raise ClusterError(11, _NO_CONNECTION)
            if type(key) is tuple:
                try:
                    ns, set_name, pk = key
                    nsb, setb = _names_get(ns), _names_get(set_name)
                except (ValueError, TypeError):  # not 3 items, or an unhashable name
                    nsb = None
                if nsb is None or not setb or type(ns) is not str or type(set_name) is not str:
                    nsb, setb, kt, kd, kl, ki, ns, set_name, pk = key_parts(key)
                elif type(pk) is int:  # out of int64: OverflowError from cffi, below
                    kt, kd, kl, ki = 1, b"", 0, pk
                elif type(pk) is str:
                    kd = _utf8(pk)
                    kt, kl, ki = 3, len(kd), 0
                else:
                    nsb, setb, kt, kd, kl, ki, ns, set_name, pk = key_parts(key)
            else:
                nsb, setb, kt, kd, kl, ki, ns, set_name, pk = key_parts(key)
            if policy is None:
                pol = self._read_default
            else:
                pol, _keep = self._policy("read", policy)
            try:
                s = take_scratch()
            except IndexError:
                s = _fast_read_scratch()
            try:
                busy = self._busy  # the close guard, as _enter/_leave (_client.py)
                busy.append(None)
                if self._as is not conn:
                    self._leave(busy)
                    raise ClusterError(11, _NO_CONNECTION)
                try:
                    rc = _exists_f(conn, s.err, pol, nsb, setb, kt, kd, kl, ki, s.fout)
                except OverflowError:
                    raise ParamError(-2, _KEY_TOO_BIG) from None
                finally:
                    busy.pop()
                    if self._retired:
                        self._reap()
                if rc >= _FOUND:
                    return ((ns, set_name, pk, _NO_BYTES + s.fdigest),
                            {"ttl": rc >> 16 & 0xFFFFFFFF, "gen": rc & 0xFFFF})
                if rc == 2:  # no record: not an error for exists()
                    return (ns, set_name, pk, _NO_BYTES + s.fdigest), None
                raise_error(s.err, key=key)
            finally:
                give_scratch(s)  # after the answer was read from it
        conn = self._conn()
        p = key_parts(key)
        if policy is None:
            pol, _keep = self._policy_defaults["read"], None
        else:
            pol, _keep = self._policy("read", policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_exists(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], out)
        finally:
            self._leave(busy)
        return self._exists_result(rc, err, out, p, key)

    def _exists_result(self, rc, err, out, p, key):
        if rc == 2:
            return self._key_tuple(p, out_bytes(out)), None
        if rc:
            raise_error(err, key=key)
        buf = out_bytes(out)
        gen, ttl, _ = _marshal.record_head(buf, 20)  # an exists answer has no bins
        return (p[6], p[7], p[8], _NO_BYTES + buf[:20]), {"ttl": ttl, "gen": gen}

    # ------------------------------------------------------------ writes

    def put(self, key, bins, meta=None, policy=None, serializer=None):
        """Write bins (None / aerospike.null() deletes a bin); returns 0."""
        if (_PICKLE_BINS and (policy is None or type(policy) is dict) and meta is None and
                serializer is None and type(bins) is dict):
            # The common put on CPython (issue 13), written out as get()'s fast path, with
            # _put_args' pickle through the scratch's own pickler (_marshal.plain_pickler).
            # A policy dict too, with its (cached) struct; a bad one takes _put, which
            # checks everything in the official's order (the bins before the policy).
            conn = self._as
            if conn is _NULL:
                raise ClusterError(11, _NO_CONNECTION)
            if type(key) is tuple:
                try:
                    ns, set_name, pk = key
                    nsb, setb = _names_get(ns), _names_get(set_name)
                except (ValueError, TypeError):  # not 3 items, or an unhashable name
                    nsb = None
                if nsb is None or not setb or type(ns) is not str or type(set_name) is not str:
                    nsb, setb, kt, kd, kl, ki = key_parts(key)[:6]
                elif type(pk) is int:  # out of int64: OverflowError from cffi, below
                    kt, kd, kl, ki = 1, b"", 0, pk
                elif type(pk) is str:
                    kd = _utf8(pk)
                    kt, kl, ki = 3, len(kd), 0
                else:
                    nsb, setb, kt, kd, kl, ki = key_parts(key)[:6]
            else:
                nsb, setb, kt, kd, kl, ki = key_parts(key)[:6]
            if policy is None:
                pol = self._write_default
            else:
                try:
                    pol, _keep = self._policy("write", policy)
                except AerospikeError:
                    return self._put(key, bins, None, policy, None, bins)
            try:
                s = take_scratch()
            except IndexError:
                s = _Scratch()
            try:
                taken = s.pickled
                try:
                    s.pdump(bins)
                    pickled = taken.pop()
                    if taken:  # values of 64 KB and more were written apart
                        pickled = _joined_pickle(taken, pickled)
                except BaseException as exc:
                    # A dump cut short leaves the pickler mid-object (in fast mode, the
                    # nesting count and memo it keeps for deep containers, and pieces in
                    # `taken`): this scratch gets a new one (as _marshal.pickle_ops).
                    s.pdump, s.pickled = _plain_pickler()
                    if not isinstance(exc, Exception):
                        raise
                    pickled = None  # not plain, a cycle, too deep...: the Packer decides
                if pickled is not None:
                    busy = self._busy  # the close guard, as _enter/_leave (_client.py)
                    busy.append(None)
                    if self._as is not conn:
                        self._leave(busy)
                        raise ClusterError(11, _NO_CONNECTION)
                    try:
                        rc = _put_pickled(conn, s.err, pol, nsb, setb, kt, kd, kl, ki,
                                          pickled, len(pickled), self._bool_as_bool,
                                          _DEFAULT_TTL, 0, s.out)
                    except OverflowError:
                        raise ParamError(-2, _KEY_TOO_BIG) from None
                    finally:
                        busy.pop()
                        if self._retired:
                            self._reap()
                    if rc == 0:
                        return 0
                    if rc != _NOT_PLAIN:
                        raise_error(s.err, key=key, bin=bins)
                # Not plain for the shim: the Packer packs them (bin errors raise here, as
                # in _put_args: no meta to check, the policy was a good one).
                packed, n = self._pack_bins(key, bins, None, bins)
                busy = self._enter(conn)
                try:
                    rc = lib.shim_put(conn, s.err, pol, nsb, setb, kt, kd, kl, ki, packed,
                                      len(packed), n, _DEFAULT_TTL, 0, s.out)
                except OverflowError:
                    raise ParamError(-2, _KEY_TOO_BIG) from None
                finally:
                    self._leave(busy)
                if rc:
                    raise_error(s.err, key=key, bin=bins)
                return 0
            finally:
                give_scratch(s)
        # As the official: only an int names a serializer (its plain value, no user code).
        serializer = int.__int__(serializer) if isinstance(serializer, int) else None
        return self._put(key, bins, meta, policy, serializer, bins)

    def _put(self, key, bins, meta, policy, serializer, error_bin):
        """put(); record errors carry ``error_bin`` as their ``bin``."""
        conn, p, pickled, packed, n, ttl, gen, pol, _keep = self._put_args(
            key, bins, meta, policy, serializer, error_bin)
        err, out = scratch()
        if pickled is not None:
            busy = self._enter(conn)
            try:
                rc = lib.shim_put_pickled(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5],
                                          pickled, len(pickled), self._bool_as_bool, ttl, gen,
                                          out)
            finally:
                self._leave(busy)
            if rc != _NOT_PLAIN:
                if rc:
                    raise_error(err, key=key, bin=error_bin)
                return 0
            packed, n = self._pack_bins(key, bins, serializer, error_bin)
        busy = self._enter(conn)
        try:
            rc = lib.shim_put(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed,
                              len(packed), n, ttl, gen, out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err, key=key, bin=error_bin)
        return 0

    def _put_args(self, key, bins, meta, policy, serializer, error_bin):
        """(conn, key parts, pickled bins or None, packed bins or None, count, ttl, gen, C
        policy, keep-alive) of a put; the packed form comes only without a pickled one (and
        after the pickled one fell back, the caller packs: _pack_bins)."""
        conn = self._conn()
        p = key_parts(key)
        pickled = None
        if _PICKLE_BINS and serializer is None and type(bins) is dict:
            pickled = _marshal.pickle_bins(bins)
        if pickled is None:
            packed, n = self._pack_bins(key, bins, serializer, error_bin)
        try:
            ttl, gen = parse_meta(meta, self._settings.validate_keys)
            pol, _keep = self._policy("write", policy)
        except AerospikeError:
            if pickled is not None:
                self._pack_bins(key, bins, serializer, error_bin)  # bins errors come first
            raise
        if pickled is not None:
            return conn, p, pickled, None, 0, ttl, gen, pol, _keep
        return conn, p, None, packed, n, ttl, gen, pol, _keep

    def _pack_bins(self, key, bins, serializer, error_bin):
        """(packed bins, count) by the Packer; bin name errors carry the key and bin."""
        packer = self._packer if serializer is None else self._packer_for(serializer)
        try:
            return packer.pack_bins(bins)
        except BinNameError as exc:
            exc.key, exc.bin = key, error_bin
            raise

    def remove(self, key, meta=None, policy=None):
        """Delete a record; returns 0."""
        conn, p, pol, _keep = self._remove_args(key, meta, policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_remove(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err, key=key)
        return 0

    def _remove_args(self, key, meta, policy):
        """(conn, key parts, C policy, keep-alive) of a remove."""
        conn = self._conn()
        p = key_parts(key)
        pol, _keep = self._policy("remove", policy)
        # As the official: meta's gen counts only with a policy, and only when it is an int.
        gen = meta.get("gen") if policy is not None and isinstance(meta, dict) else None
        if isinstance(gen, int):
            _, gen = parse_meta({"gen": gen})
            copy = ffi.new("as_policy_remove*", pol[0])
            copy.generation = gen
            pol = _keep = copy
        return conn, p, pol, _keep

    def remove_bin(self, key, list, meta=None, policy=None):  # noqa: A002 - official name
        """Delete the named bins of a record; returns 0."""
        if not self._remove_bin_check(key, list, policy):
            return 0
        return self._put(key, dict.fromkeys(list), meta, policy, None, None)

    def _remove_bin_check(self, key, list, policy):  # noqa: A002
        """remove_bin()'s own checks; False when the official returns without writing."""
        if type(list) is not builtins.list:
            raise ParamError(-2, "Bins should be a list")
        self._conn()
        key_parts(key)
        try:
            self._policy("write", policy)
        except ParamError as exc:
            raise ClientError(-1, "Incorrect policy -> " + exc.msg) from None
        for name in list:
            if not isinstance(name, str):
                raise ClientError(-1, "Invalid bin name, bin name should be a string or "
                                      "unicode string")
            if len(_marshal.utf8(name)) > _marshal.BIN_NAME_MAX:
                return False  # the official returns here without writing anything
        return True

    # ------------------------------------------------------------ operate

    def _operate(self, key, ops, meta, policy, ordered):
        conn, p, packed, n, ttl, gen, pol, _keep, raw = self._operate_args(key, ops, meta,
                                                                           policy, ordered)
        if not ordered and not raw and self._fast_reads and _SERIALIZERS.deserializer is None:
            # As get(): (meta, bins) as marshal data in this thread's buffer.
            s = thread_scratch()
            busy = self._enter(conn)
            try:
                rc = lib.shim_operate_m(conn, s.err, pol, p[0], p[1], p[2], p[3], p[4], p[5],
                                        packed, len(packed), n, ttl, gen, s.fout)
            finally:
                self._leave(busy)
            if rc == 0:
                meta, bins = _loads(s.fview)
                return (p[6], p[7], p[8], _NO_BYTES + s.fdigest), meta, bins
            return self._operate_fast_other(rc, s, key, p)
        err, out = scratch()
        if not ordered and not raw:
            # its marshal form is a dict
            out.want_marshal = self._marshal_single and _SERIALIZERS.deserializer is None
        busy = self._enter(conn)
        try:
            rc = lib.shim_operate(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed,
                                  len(packed), n, ttl, gen, out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err, key=key)
        return self._operate_result(p, out, ordered, raw)

    def _operate_fast_other(self, rc, s, key, p):
        """The fast operate's answer when it is not marshal data in this thread's buffer."""
        if rc == _MARSHAL_HEAP:
            data = _buffer(s.fout.data, s.fout.len)
            meta, bins = _loads(data[20:])
            return (p[6], p[7], p[8], _NO_BYTES + data[:20]), meta, bins
        if rc != _PACKED:
            raise_error(s.err, key=key)
        return self._operate_result(p, s.fout, False, False)

    def _operate_args(self, key, ops, meta, policy, ordered):
        """(conn, key parts, packed ops, count, ttl, gen, C policy, keep-alive, raw)."""
        conn = self._conn()
        p = key_parts(key)
        packed = None
        if _PICKLE_OPS and type(ops) is builtins.list:
            # CPython: the common op lists are encoded in C (issue 13), else by _ops.
            pickled = _marshal.pickle_ops(ops)
            if pickled is not None:
                out = thread_scratch().out
                n = lib.shim_pack_ops_pickled(pickled, len(pickled), self._bool_as_bool, out)
                if n:
                    packed = _buffer(out.data, out.len)[:]
                    touch_ttl = None
        if packed is None:
            try:
                packed, n, plan = self._pack_ops(ops, ordered)
            except BinNameError as exc:
                exc.key = key
                raise
            except UnicodeEncodeError:
                raise _marshal.unicode_error() from None
            touch_ttl = plan.touch_ttl
        if meta is None and policy is None:
            # The common call (issue 13): the defaults without three calls.
            ttl, gen = _DEFAULT_TTL, 0
            pol, _keep = self._policy_defaults["operate"], None
            raw = self._operate_raw
        else:
            ttl, gen = parse_meta(meta, self._settings.validate_keys)
            pol, _keep = self._policy("operate", policy)
            raw = self._raw_collections("operate", policy)
        if touch_ttl is not None:
            ttl = touch_ttl & 0xFFFFFFFF
        return conn, p, packed, n, ttl, gen, pol, _keep, raw

    def _operate_result(self, p, out, ordered, raw):
        if out.len <= 20:
            return self._key_tuple(p, out_bytes(out)), None, {} if not ordered else []
        digest, gen, ttl, bins = (self._record_raw(out, ordered) if raw else
                                  self._record(out, ordered))
        return self._key_tuple(p, digest), {"ttl": ttl, "gen": gen}, bins

    def _pack_ops(self, ops, ordered):
        """(packed ops, count, OpPlan) of an operation list."""
        if not isinstance(ops, builtins.list):
            raise ParamError(-2, "Operations should be of type list")
        if not ordered:
            ops = [op for op in ops if isinstance(op, dict)]  # as the official operate()
        elif ops and not all(isinstance(op, dict) for op in ops):
            raise ParamError(-2, "Operation must be a dict")
        plan = encode_operations(ops, self._op_packer)
        # Map ops make the C client ask for every op's answer: the shim learns it from bit 7.
        flag = 0x80 if plan.respond_all_ops else 0
        name_bytes, item_head = _marshal.bin_name_bytes, _marshal._item_head
        parts = []  # joined once: no copy of each payload into a per-op bytes
        for op_type, name, ptype, payload in plan.wire:
            if op_type == 3 or op_type == 4:
                op_type |= flag
            parts += (_OP_TYPE_BYTES[op_type], name_bytes(name or ""),
                      item_head(ptype, len(payload)), payload)
        return b"".join(parts), len(plan.wire), plan

    def operate(self, key, list, meta=None, policy=None):  # noqa: A002 - official name
        """Several operations on one record, atomically; returns (key, meta, bins)."""
        if (meta is None and _PICKLE_OPS and type(list) is _LIST and self._fast_reads and
                _SERIALIZERS.deserializer is None):
            # The common call on CPython (issue 13): the op list pickled, encoded and sent by
            # one shim call, the answer as _operate's fast one. Ops the shim leaves to _ops
            # (SHIM_NOT_PLAIN, nothing sent) and a bad policy take _operate, which checks
            # everything in the official's order (the ops before the policy).
            conn = self._as
            if conn == _NULL:
                conn = self._conn()  # raises
            p = key_parts(key)
            if policy is None:
                pol, _keep, raw = self._policy_defaults["operate"], None, self._operate_raw
            else:
                try:
                    pol, _keep = self._policy("operate", policy)
                except AerospikeError:
                    return self._operate(key, list, meta, policy, False)
                raw = self._raw_collections("operate", policy)
            pickled = None if raw else _pickle_ops(list)
            if pickled is not None:
                s = thread_scratch()
                busy = self._enter(conn)
                try:
                    rc = lib.shim_operate_pickled_m(
                        conn, s.err, pol, p[0], p[1], p[2], p[3], p[4], p[5], pickled,
                        len(pickled), self._bool_as_bool, _DEFAULT_TTL, 0, s.fout)
                finally:
                    self._leave(busy)
                if rc == 0:
                    meta, bins = _loads(s.fview)
                    return (p[6], p[7], p[8], _NO_BYTES + s.fdigest), meta, bins
                if rc != _NOT_PLAIN:
                    return self._operate_fast_other(rc, s, key, p)
        return self._operate(key, list, meta, policy, False)

    def operate_ordered(self, key, list, meta=None, policy=None):  # noqa: A002
        """As operate(), results as a list of (bin, value) in operation order."""
        return self._operate(key, list, meta, policy, True)

    def _single(self, key, op_type, bin_name, value, meta, policy):
        conn, p, packed, ttl, gen, pol, _keep = self._single_args(key, op_type, bin_name, value,
                                                                  meta, policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_operate(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed,
                                  len(packed), 1, ttl, gen, out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err, key=key, bin=bin_name)
        return 0

    def _single_args(self, key, op_type, bin_name, value, meta, policy):
        """(conn, key parts, the one packed op, ttl, gen, C policy, keep-alive)."""
        if not isinstance(bin_name, str):
            raise ParamError(-2, "Bin name should be of type string")
        conn = self._conn()
        p = key_parts(key)
        try:
            packed = (bytes((op_type,)) + _marshal.bin_name_bytes(bin_name) +
                      self._op_packer.bin_item(value))
        except BinNameError as exc:
            exc.key, exc.bin = key, bin_name
            raise
        except UnicodeEncodeError:
            raise _marshal.unicode_error() from None
        ttl, gen = parse_meta(meta, self._settings.validate_keys)
        pol, _keep = self._policy("operate", policy)
        return conn, p, packed, ttl, gen, pol, _keep

    def _unchecked(self, value):
        """strict_types False: the value goes to the server unchecked (None cannot)."""
        if self._op_packer.strict_types:
            return False
        if value is None:
            raise ClientError(-1, "Unable to serialize unknown Python native type.")
        return True

    def append(self, key, bin, val, meta=None, policy=None):  # noqa: A002
        """Append the str or bytes ``val`` to the bin ``bin`` (created if missing)."""
        if not isinstance(val, (str, bytes, bytearray)) and not self._unchecked(val):
            raise ParamError(-2, "Cannot concatenate 'str' and 'non-str' objects")
        return self._single(key, _OP_APPEND, bin, val, meta, policy)

    def prepend(self, key, bin, val, meta=None, policy=None):  # noqa: A002
        """Prepend the str or bytes ``val`` to the bin ``bin`` (created if missing)."""
        if not isinstance(val, (str, bytes, bytearray)) and not self._unchecked(val):
            raise ParamError(-2, "Cannot concatenate 'str' and 'non-str' objects")
        return self._single(key, _OP_PREPEND, bin, val, meta, policy)

    def increment(self, key, bin, offset, meta=None, policy=None):  # noqa: A002
        """Add the int or float ``offset`` to the bin ``bin`` of the record (created if missing)."""
        if not isinstance(offset, (int, float)) and not self._unchecked(offset):
            raise ParamError(-2, "Unsupported operand type(s) for +: only 'int' allowed")
        if type(offset) is bool:
            offset = int(offset)  # a bool increments as 0/1 (as the official)
        return self._single(key, _OP_INCR, bin, offset, meta, policy)

    def touch(self, key, val=0, meta=None, policy=None):
        """Reset a record's time to live to ``val`` seconds (meta's ttl does not count)."""
        conn, p, packed, ttl, gen, pol, _keep = self._touch_args(key, val, meta, policy)
        err, out = scratch()
        busy = self._enter(conn)
        try:
            rc = lib.shim_operate(conn, err, pol, p[0], p[1], p[2], p[3], p[4], p[5], packed,
                                  len(packed), 1, ttl, gen, out)
        finally:
            self._leave(busy)
        if rc:
            raise_error(err, key=key)
        return 0

    def _touch_args(self, key, val, meta, policy):
        """(conn, key parts, the touch op, ttl, gen, C policy, keep-alive)."""
        if not isinstance(val, int):
            raise ParamError(-2, "Unsupported operand type(s) for touch : only int or long "
                                 "allowed")
        if not _marshal.INT64_MIN <= val <= _marshal.INT64_MAX:
            raise ParamError(-2, "integer value exceeds sys.maxsize")
        conn = self._conn()
        p = key_parts(key)
        packed = bytes((_OP_TOUCH,)) + _marshal.bin_name_bytes("") + _marshal._item_head(0, 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            _, gen = parse_meta(meta, self._settings.validate_keys)
        ttl = val & 0xFFFFFFFF
        pol, _keep = self._policy("operate", policy)
        return conn, p, packed, ttl, gen, pol, _keep


# PyPy (issue 13, warm-up): get() and exists() are compiled by the JIT on their own, at
# their second call, and called (not inlined) from the traces of the loops that call them.
# Inlined, a get entered the trace of the caller's loop, which PyPy traces at its ~1040th
# turn: ~1 150 operations to record and compile in the middle of the first thousands of
# calls; compiled apart, a get also runs fewer instructions at steady state (callgrind,
# main thread: 16.8k against 15.9k in a method's loop, 27.2k against 19.1k in a
# module-level one; benchmarks/README.md, branch pypy13).
# pypyjit.dont_trace_here marks a function as "do not inline, compile from its start at
# its next call"; it changes nothing but how these two functions are compiled (no global
# JIT setting). They are marked when the fast reads' scratch pool is first found empty,
# i.e. during the first get or exists, whose cold path (the names not yet cached, the
# pool empty) is then not the path traced at the next call.
try:
    from pypyjit import dont_trace_here as _dont_trace_here
except ImportError:  # CPython (or a PyPy without its JIT)
    _fast_read_scratch = _Scratch
else:
    def _fast_read_scratch():
        """A _Scratch for the fast reads' pool (on PyPy: also marks get and exists to be
        compiled apart, see above; marking again changes nothing)."""
        for method in (RecordCommands.get, RecordCommands.exists):
            _dont_trace_here(0, False, method.__code__)
        return _Scratch()
