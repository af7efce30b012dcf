"""Strong-consistency namespaces and multi-record transactions (MRTs).

Community Edition refuses transactions (ENTERPRISE_ONLY, as the dev server's other
namespaces do, see commands.py); an Enterprise 8 server runs them on a
strong-consistency namespace.  A namespace made with ``strong_consistency=True``
runs them here, as the C client drives them:

* The client first writes the transaction's *monitor record* (set ``<ERO~MRT``,
  user key = transaction id, sent as a digest): bin ``id`` and the written keys'
  digests appended to bin ``keyds``.  The first such write starts the monitor: its
  deadline is now plus the message TTL (the transaction's timeout) or the
  namespace's ``mrt_duration`` (10 s), and every answer to a monitor write carries
  that deadline (field 6, u32 little-endian, seconds since 2010).
* A write in a transaction (field 5: transaction id, u64 little-endian; field 6:
  the deadline) makes a *provisional* record and locks the committed one: until
  the transaction rolls, its own reads and writes see the provisional record,
  reads from outside see the committed one, and writes from outside or reads and
  writes from another transaction get MRT_BLOCKED (120).  ``on_locking_only`` on
  a record the transaction already locked gets MRT_ALREADY_LOCKED (126); a write
  past the deadline MRT_EXPIRED (122).
* A read in a transaction answers the record's version (field 3: 7 bytes little-
  endian, 40 bits of last-update time in ms since 2010 and 16 bits of generation);
  at commit the client verifies each read version (info4 VERIFY_READ): a changed
  record answers MRT_VERSION_MISMATCH (121), a locked one MRT_BLOCKED.  A write
  carrying a version (the key was read first) is checked the same way.
* Commit marks the monitor (bin ``fwd``; MRT_COMMITTED if already marked,
  MRT_ABORTED if the server rolled the transaction back), then rolls every written
  record forward (info4 ROLL_FORWARD: the provisional record becomes the record)
  and deletes the monitor; abort rolls them back (ROLL_BACK: the provisional
  record is dropped) and deletes the monitor.
* A transaction whose deadline passes is finished by the server (here: when any
  command next touches the namespace): rolled forward if it was marked for commit,
  else rolled back.
* ``Transactions.hang_up_after(step)`` makes the next command of a step close its
  connection without answering once it is carried out, so that tests can produce the
  client's in-doubt outcomes.

Not modelled: replication and the other SC guarantees (one node, nothing to
replicate), the monitor's record-count and size limits, MRT_TOO_MANY_WRITES,
UDFs in transactions; scans, queries, background jobs and truncation ignore the locks
(they see and change committed records).  As on the server, a scan or query of the
whole namespace skips the monitor records.
"""

import collections
import struct

from . import store as store_mod
from . import wire
from .errors import OK, PARAMETER, Hangup, ServerError

MONITOR_SET = "<ERO~MRT"
DEFAULT_MRT_DURATION = 10
MIN_MRT_DURATION = 1
MAX_MRT_DURATION = 2 * 60

# Result codes.
MRT_BLOCKED = 120
MRT_VERSION_MISMATCH = 121
MRT_EXPIRED = 122
MRT_TOO_MANY_WRITES = 123
MRT_COMMITTED = 124
MRT_ABORTED = 125
MRT_ALREADY_LOCKED = 126
MRT_MONITOR_EXISTS = 127

# info4 bits.
INFO4_VERIFY_READ = 1 << 0
INFO4_ROLL_FORWARD = 1 << 1
INFO4_ROLL_BACK = 1 << 2
INFO4_ON_LOCKING_ONLY = 1 << 4

# Roll-backs remembered so that late commands of those transactions get the
# server's answer (expired / aborted) rather than starting afresh.
_REMEMBERED = 10000

_u64le = struct.Struct("<Q")
_u32le = struct.Struct("<I")


class Lock:
    """A record locked by transaction ``txn_id``; ``record`` is its provisional
    state once written (None: deleted) — ``written`` tells whether it was."""

    __slots__ = ("txn_id", "deadline", "record", "written")

    def __init__(self, txn_id, deadline):
        self.txn_id = txn_id
        self.deadline = deadline
        self.record = None
        self.written = False


class Monitor:
    __slots__ = ("txn_id", "deadline", "fwd")

    def __init__(self, deadline):
        self.txn_id = None
        self.deadline = deadline
        self.fwd = False


class Transactions:
    """The transaction state of one strong-consistency namespace."""

    def __init__(self):
        self.locks = {}  # digest -> Lock
        self.monitors = {}  # monitor record digest -> Monitor
        self.committing = set()  # txn ids marked roll-forward
        self.aborted = collections.OrderedDict()  # txn id -> True (rolled back by the server)
        # Monitors the server finished itself: digest -> MRT_ABORTED or MRT_COMMITTED.
        self.finished = collections.OrderedDict()
        self.skew = 0  # seconds added to the clock (tests move time forward)
        self.faults = {}  # step -> how many more times to hang up after it

    def hang_up_after(self, step, times=1):
        """Fault injection for tests of in-doubt outcomes: the next ``times`` commands
        of ``step`` ("add", "mark", "roll_forward", "roll_back" or "close") are carried
        out, then the connection is closed without an answer, as when a network fails."""
        if step not in ("add", "mark", "roll_forward", "roll_back", "close"):
            raise ValueError("unknown transaction step %r" % step)
        self.faults[step] = self.faults.get(step, 0) + times

    def _fault(self, step):
        if self.faults.get(step):
            self.faults[step] -= 1
            raise Hangup("simulated failure after %s" % step)

    def now(self):
        return store_mod.now_void() + self.skew

    def advance(self, seconds):
        """Move this namespace's transaction clock forward (for tests of deadlines)."""
        self.skew += seconds

    def expire(self, ns):
        """Finish every transaction past its deadline, as the server's monitor does:
        one marked for commit is rolled forward, any other rolled back."""
        now = self.now()
        for digest, mon in list(self.monitors.items()):
            if mon.deadline >= now:
                continue
            del self.monitors[digest]
            ns.delete(digest)
            if mon.fwd:
                for locked, lock in list(self.locks.items()):
                    if lock.txn_id == mon.txn_id:
                        del self.locks[locked]
                        _roll_forward(ns, locked, lock)
                self.committing.discard(mon.txn_id)
                _remember(self.finished, digest, MRT_COMMITTED)
            else:
                _remember(self.finished, digest, MRT_ABORTED)
                if mon.txn_id is not None:
                    _remember(self.aborted, mon.txn_id)
        for digest, lock in list(self.locks.items()):
            if lock.txn_id in self.committing:
                continue
            if lock.deadline < now or lock.txn_id in self.aborted:
                del self.locks[digest]
                _remember(self.aborted, lock.txn_id)


def _remember(table, key, value=True):
    table[key] = value
    while len(table) > _REMEMBERED:
        table.popitem(last=False)


def transactions(ns):
    """The Transactions of namespace ``ns`` (made on first use)."""
    table = getattr(ns, "mrt", None)
    if table is None:
        table = ns.mrt = Transactions()
    return table


def record_version(rec):
    """The server's record version: generation (16 bits) over the last-update time
    (40 bits of ms since 2010)."""
    return (rec.gen & 0xFFFF) << 40 | (store_mod.clepoch_ms(rec.lut) & 0xFFFFFFFFFF)


def _version_field(version):
    return _u64le.pack(version)[:7]


def add_field(body, ftype, data):
    """An AS_MSG body with one more field (placed before the others)."""
    n_fields = struct.unpack_from(">H", body, 18)[0]
    return (body[:18] + struct.pack(">H", n_fields + 1) + body[20:wire.MSG_HEADER_SIZE]
            + wire.encode_field(ftype, data) + body[wire.MSG_HEADER_SIZE:])


def _txn_id(msg):
    data = msg.field(wire.FIELD_TXN_ID)
    if data is None:
        return None
    if len(data) != 8:
        raise ServerError(PARAMETER, "bad transaction id field")
    return _u64le.unpack(bytes(data))[0]


def _deadline(msg):
    data = msg.field(wire.FIELD_TXN_DEADLINE)
    if data is None:
        return 0
    if len(data) != 4:
        raise ServerError(PARAMETER, "bad transaction deadline field")
    return _u32le.unpack(bytes(data))[0]


def _version(msg):
    data = msg.field(wire.FIELD_RECORD_VERSION)
    if data is None:
        return None
    if len(data) != 7:
        raise ServerError(PARAMETER, "bad record version field")
    return _u64le.unpack(bytes(data) + b"\0")[0]


class _View:
    """The namespace as a transaction's write sees it: its locked record's
    provisional state in place of the committed one; writes go to the lock."""

    def __init__(self, ns, lock):
        self._ns = ns
        self._lock = lock

    def get(self, digest):
        if self._lock.written:
            return self._lock.record
        return self._ns.get(digest)

    def put(self, digest, rec):
        self._lock.record = rec
        self._lock.written = True

    def delete(self, digest):
        self._lock.record = None
        self._lock.written = True

    def __getattr__(self, name):
        return getattr(self._ns, name)


def single_record(ns, digest, set_name, key, msg, run):
    """The reply body of a single-record command on a strong-consistency namespace;
    ``run(ns, digest, set_name, key, msg)`` runs the plain command."""
    table = transactions(ns)
    table.expire(ns)
    # An Enterprise server keeps tombstones for durable deletes; here a delete is a delete.
    msg.info2 &= ~wire.INFO2_DURABLE_DELETE
    if set_name == MONITOR_SET:
        return monitor(table, ns, digest, set_name, key, msg, run)
    txn_id = _txn_id(msg)
    if msg.info4 & (INFO4_ROLL_FORWARD | INFO4_ROLL_BACK):
        step = "roll_forward" if msg.info4 & INFO4_ROLL_FORWARD else "roll_back"
        return _with_fault(table, step, roll, table, ns, digest, txn_id, msg)
    if msg.info4 & INFO4_VERIFY_READ:
        return verify(table, ns, digest, msg)
    lock = table.locks.get(digest)
    is_write = bool(msg.info2 & wire.INFO2_WRITE)
    if txn_id is None:
        if lock is not None and is_write:
            raise ServerError(MRT_BLOCKED)
        return run(ns, digest, set_name, key, msg)
    if txn_id in table.aborted:
        raise ServerError(MRT_EXPIRED)
    if lock is not None and lock.txn_id != txn_id:
        raise ServerError(MRT_BLOCKED)
    if is_write:
        return write(table, ns, digest, set_name, key, msg, run, txn_id, lock)
    if lock is not None:
        return run(_View(ns, lock), digest, set_name, key, msg)
    body = run(ns, digest, set_name, key, msg)
    rec = ns.get(digest)
    if rec is not None:
        body = add_field(body, wire.FIELD_RECORD_VERSION, _version_field(record_version(rec)))
    return body


def write(table, ns, digest, set_name, key, msg, run, txn_id, lock):
    deadline = _deadline(msg)
    if deadline and deadline < table.now():
        raise ServerError(MRT_EXPIRED)
    if lock is not None:
        if msg.info4 & INFO4_ON_LOCKING_ONLY:
            raise ServerError(MRT_ALREADY_LOCKED)
        return run(_View(ns, lock), digest, set_name, key, msg)
    version = _version(msg)
    if version is not None:
        rec = ns.get(digest)
        if rec is None or record_version(rec) != version:
            raise ServerError(MRT_VERSION_MISMATCH)
    lock = Lock(txn_id, deadline or table.now() + getattr(ns, "mrt_duration",
                                                          DEFAULT_MRT_DURATION))
    body = run(_View(ns, lock), digest, set_name, key, msg)
    # Only a write that happened locks the record (a failed one changed nothing).
    if lock.written:
        table.locks[digest] = lock
    return body


def roll(table, ns, digest, txn_id, msg):
    lock = table.locks.get(digest)
    forward = bool(msg.info4 & INFO4_ROLL_FORWARD)
    if lock is not None and txn_id is not None and lock.txn_id == txn_id:
        del table.locks[digest]
        if forward:
            _roll_forward(ns, digest, lock)
    return wire.build_message(OK)


def _roll_forward(ns, digest, lock):
    if not lock.written:
        return
    if lock.record is None:
        ns.delete(digest)
    else:
        ns.put(digest, lock.record)


def verify(table, ns, digest, msg):
    if digest in table.locks:
        raise ServerError(MRT_BLOCKED)
    version = _version(msg)
    rec = ns.get(digest)
    if rec is None:
        if version is None:
            return wire.build_message(OK)
        raise ServerError(MRT_VERSION_MISMATCH)
    if version is not None and record_version(rec) != version:
        raise ServerError(MRT_VERSION_MISMATCH)
    return wire.build_message(OK, rec.gen, rec.void_time)


def _with_fault(table, step, fn, *args):
    """``fn(*args)``, then the hang-up asked for ``step`` (whatever the answer)."""
    try:
        return fn(*args)
    finally:
        table._fault(step)


def monitor(table, ns, digest, set_name, key, msg, run):
    if not msg.info2 & wire.INFO2_WRITE:
        return run(ns, digest, set_name, key, msg)
    if msg.info2 & wire.INFO2_DELETE:
        step = "close"
    else:
        step = "mark" if any(op.name == "fwd" for op in msg.ops) else "add"
    return _with_fault(table, step, _monitor, table, ns, digest, set_name, key, msg, run)


def _monitor(table, ns, digest, set_name, key, msg, run):
    """A command on a monitor record: start, extend, mark for commit or close."""
    mon = table.monitors.get(digest)
    if not msg.info2 & wire.INFO2_WRITE:
        return run(ns, digest, set_name, key, msg)
    finished = table.finished.get(digest)
    if msg.info2 & wire.INFO2_DELETE:
        table.monitors.pop(digest, None)
        if mon is not None and mon.txn_id is not None:
            table.committing.discard(mon.txn_id)
        if finished is not None and ns.get(digest) is None:
            body = wire.build_message(OK)
        else:
            body = run(ns, digest, set_name, key, msg)
        return body
    marks = any(op.name == "fwd" for op in msg.ops)
    if marks:
        if mon is None:
            raise ServerError(finished or MRT_ABORTED)
        if mon.fwd:
            raise ServerError(MRT_COMMITTED)
    elif mon is None:
        if finished is not None:
            raise ServerError(MRT_EXPIRED if finished == MRT_ABORTED else MRT_COMMITTED)
        ttl = msg.record_ttl or getattr(ns, "mrt_duration", DEFAULT_MRT_DURATION)
        if not MIN_MRT_DURATION <= ttl <= MAX_MRT_DURATION:
            raise ServerError(PARAMETER, "transaction timeout out of range")
        mon = Monitor(table.now() + ttl)
    elif mon.fwd:
        raise ServerError(MRT_COMMITTED)
    # The monitor lives until the transaction closes or rolls back, not by TTL.
    msg.record_ttl = store_mod.TTL_NEVER_EXPIRE
    body = run(ns, digest, set_name, key, msg)
    table.monitors[digest] = mon
    rec = ns.get(digest)
    if rec is not None and type(rec.bins.get("id")) is int:
        mon.txn_id = rec.bins["id"] & 0xFFFFFFFFFFFFFFFF
    if marks:
        mon.fwd = True
        if mon.txn_id is not None:
            table.committing.add(mon.txn_id)
    return add_field(body, wire.FIELD_TXN_DEADLINE, _u32le.pack(mon.deadline & 0xFFFFFFFF))


__all__ = ["single_record", "transactions", "record_version", "MONITOR_SET"]
