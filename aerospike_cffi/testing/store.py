"""Namespaces, sets and records of the dev server, kept in memory.

Records are keyed by their 20-byte digest (RIPEMD-160 of set name, key type
byte and key bytes) and belong to one of 4096 partitions, chosen from the
digest's first two bytes as the clients do.  A record carries its bins (dict
in bin order), generation, void time (seconds since 2010-01-01, 0 = never
expires), last-update time (ns since the Unix epoch), the stored user key and
its set name.  Expired and truncated records vanish when next looked at.

One re-entrant lock (``Store.lock``) guards everything; commands hold it for
their whole read-modify-write.
"""

import struct
import threading
import time

from . import values
from .ripemd160 import ripemd160

N_PARTITIONS = 4096
CITRUSLEAF_EPOCH = 1262304000  # 2010-01-01 in Unix seconds
MAX_TTL = 10 * 365 * 24 * 3600  # the server's max allowed TTL (10 years)
TTL_NEVER_EXPIRE = 0xFFFFFFFF
TTL_DONT_UPDATE = 0xFFFFFFFE
DEFAULT_MAX_RECORD_SIZE = 1024 * 1024


def now_void():
    """The current time as a void time (seconds since the citrusleaf epoch)."""
    return int(time.time()) - CITRUSLEAF_EPOCH


def now_ns():
    return time.time_ns()


def clepoch_ms(lut_ns):
    """A last-update time (ns since the Unix epoch) as the server prints it:
    ms since 2010-01-01, 0 for none."""
    return lut_ns // 10 ** 6 - CITRUSLEAF_EPOCH * 1000 if lut_ns else 0


def partition_id(digest):
    return (digest[0] | (digest[1] << 8)) & (N_PARTITIONS - 1)


def key_bytes(key):
    """(particle type, bytes) of a user key as hashed into the digest."""
    if isinstance(key, bool):
        raise TypeError("bool keys are not hashed")
    if isinstance(key, int):
        return values.P_INTEGER, struct.pack(">q", key)
    if isinstance(key, float):
        return values.P_FLOAT, struct.pack(">d", key)
    if isinstance(key, str):
        return values.P_STRING, key.encode("utf-8", "surrogateescape")
    if isinstance(key, values.Blob):
        return key.ptype, bytes(key)
    if isinstance(key, (bytes, bytearray)):
        return values.P_BLOB, bytes(key)
    raise TypeError("unsupported key type %r" % type(key))


def compute_digest(set_name, key):
    ptype, data = key_bytes(key)
    return ripemd160((set_name or "").encode("utf-8", "surrogateescape") + bytes((ptype,)) + data)


class Record:
    __slots__ = ("bins", "gen", "void_time", "lut", "key", "set_name")

    def __init__(self, set_name="", bins=None, gen=0, void_time=0, lut=0, key=None):
        self.set_name = set_name
        self.bins = bins if bins is not None else {}
        self.gen = gen
        self.void_time = void_time
        self.lut = lut
        self.key = key

    def size(self):
        """Stored size in bytes as the server counts it (``record_size`` of
        expressions, the max-record-size limit): its flat record format, a
        39-byte header, optional void time, set name and key, the bins, in
        16-byte blocks.  Header and bin sizes were measured on a real 8.1.2
        server (the largest blob that still fits, bin by bin): an integer takes
        a length byte and 1, 2, 4 or 8 bytes (8 when negative), a float 8, a
        bool 1."""
        total = 39
        if self.void_time:
            total += 4
        if self.set_name:
            name = self.set_name.encode("utf-8", "surrogateescape")
            total += _uvarint_size(len(name)) + len(name)
        if self.key is not None:
            data = key_bytes(self.key)[1]
            total += _uvarint_size(len(data) + 1) + 1 + len(data)
        total += _uvarint_size(len(self.bins))
        for name, value in self.bins.items():
            ptype, data = values.to_particle(value)
            total += 2 + len(name.encode("utf-8", "surrogateescape"))
            if ptype == values.P_INTEGER:
                total += 1 + _int_size(struct.unpack(">q", data)[0])
                continue
            total += len(data)
            if ptype not in (values.P_FLOAT, values.P_BOOL):
                total += 4  # length of a variable-size particle
        return (total + 15) & ~15


def _int_size(n):
    """Bytes of a stored integer bin value: the fewest of 1, 2, 4, 8 that hold it."""
    if n < 0:
        return 8
    for size in (1, 2, 4):
        if n < 1 << (8 * size):
            return size
    return 8


def _uvarint_size(n):
    size = 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return size


class Namespace:
    """A namespace and its settings (also changeable with info ``set-config``)."""

    def __init__(self, name, default_ttl=0, max_record_size=DEFAULT_MAX_RECORD_SIZE,
                 default_read_touch_ttl_pct=0, strong_consistency=False, mrt_duration=10):
        self.name = name
        # Strong consistency: transactions run here (txn.py keeps their state in .mrt).
        self.strong_consistency = bool(strong_consistency)
        self.mrt_duration = mrt_duration
        self.mrt = None
        self.default_ttl = default_ttl
        self.max_record_size = max_record_size
        self.default_read_touch_ttl_pct = default_read_touch_ttl_pct
        self.records = {}  # digest -> Record
        self.truncate_lut = 0  # ns since Unix epoch; older records are gone
        self.set_truncate_lut = {}  # set name -> ns cutoff
        self.sets = {}  # set name -> True, every set ever written (info 'sets')
        self.bin_names = {}  # every bin name ever written (info 'bins')

    def is_doomed(self, rec, now):
        if rec.void_time and rec.void_time <= now:
            return True
        cutoff = max(self.truncate_lut, self.set_truncate_lut.get(rec.set_name, 0))
        return rec.lut < cutoff

    def get(self, digest):
        """The live record of ``digest`` or None (dropping it if expired/truncated)."""
        rec = self.records.get(digest)
        if rec is not None and self.is_doomed(rec, now_void()):
            del self.records[digest]
            return None
        return rec

    def put(self, digest, rec):
        self.records[digest] = rec
        if rec.set_name:
            self.sets[rec.set_name] = True
        for name in rec.bins:
            self.bin_names[name] = True

    def delete(self, digest):
        self.records.pop(digest, None)

    def live_records(self):
        """(digest, record) of every live record, a snapshot list."""
        now = now_void()
        out = []
        for digest, rec in list(self.records.items()):
            if self.is_doomed(rec, now):
                del self.records[digest]
            else:
                out.append((digest, rec))
        return out

    def truncate(self, set_name=None, lut=None):
        """Drop records last updated before ``lut`` (ns, default now)."""
        cutoff = lut if lut is not None else now_ns()
        if set_name:
            self.set_truncate_lut[set_name] = cutoff
            self.sets[set_name] = True
        else:
            self.truncate_lut = cutoff
        self.live_records()

    def void_time_for(self, ttl, old_void_time, now):
        """The void time a write with message TTL ``ttl`` gives its record."""
        if ttl == TTL_DONT_UPDATE:
            return old_void_time
        if ttl == 0:
            ttl = self.default_ttl
        if ttl == 0 or ttl == TTL_NEVER_EXPIRE:
            return 0
        return now + ttl


class Store:
    def __init__(self, namespaces=("test", "bar")):
        self.lock = threading.RLock()
        self.namespaces = {}
        if isinstance(namespaces, dict):
            # {name: {option: value}}: options of each namespace (Namespace's arguments).
            namespaces = [Namespace(name, **(opts or {})) for name, opts in namespaces.items()]
        for ns in namespaces:
            if isinstance(ns, Namespace):
                self.namespaces[ns.name] = ns
            else:
                self.namespaces[ns] = Namespace(ns)

    def namespace(self, name):
        return self.namespaces.get(name)
