"""Scans and queries by partition, and background (operate) jobs.

A foreground scan or query must carry INFO3_PARTITION_DONE (else
UNSUPPORTED_FEATURE, as on server 8) and names the partitions to visit: field 11
lists whole partitions (u16 little-endian ids), field 12 digests to resume after
(each in its own partition); neither means all 4096 (server 8 refuses that, but
the C client sends it for a background scan without operations).  Partitions are
visited in id order.  Each record goes back as one AS_MSG (namespace, set, digest
and stored key fields, then its bins); a last message with INFO3_LAST ends the
stream.  Like server 8, no message marks a partition done (the client infers it).
Field 13 caps the records sent (the client asks for the next page with resume
digests); field 10 paces them (records per second).

A scan walks a partition in digest order and resumes after a digest.  A query
adds an index range (field 22) and optionally an index type (26), context (23),
index name (21) or expression (24); it walks the matching secondary index: a
partition's entries (bval, digest) in order (see sindex.py), so a record comes
once per matching value, each record carries its entry's bval (field 15), and a
query resumes a partition after a (bval, digest) pair: field 15 then holds one
bval per resume digest.  Filter expressions (43) apply to every record.

A message with the write flag runs its operations on every matching record in
the background (all partitions when it names none); here the job runs to
completion before the answer, and ``query-show`` reports it done.  A message
naming a UDF (fields 30-33: a background record UDF or a stream aggregation) is
run by ``lua/aggregate.py``.
"""

import logging
import struct
import threading
import time

from . import commands, sindex, store as store_mod, wire
from .errors import (FILTERED_OUT, NAMESPACE_NOT_FOUND, PARAMETER, SERVER_ERROR,
                     UNSUPPORTED_FEATURE, ServerError)

log = logging.getLogger(__name__)

FRAME_TARGET = 128 * 1024
ALL_PARTITIONS = tuple((pid, None, None) for pid in range(store_mod.N_PARTITIONS))
# Index entries the server reads from a partition's index at a time; a list or map
# query drops a record's repeats only within one such burst.
INDEX_BURST = 100


class Job:
    """A finished background job, as ``query-show`` reports it."""

    def __init__(self, job_id, ns, set_name, succeeded, failed, filtered,
                 job_type="background-ops"):
        self.id = job_id
        self.job_type = job_type
        self.ns = ns
        self.set_name = set_name
        self.succeeded = succeeded
        self.failed = failed
        self.filtered = filtered

    def describe(self):
        fields = [
            ("trid", self.id), ("job-type", self.job_type), ("ns", self.ns),
            ("set", self.set_name or "NULL"), ("priority", 0), ("rps", 0),
            ("active-threads", 0), ("status", "done(ok)"), ("job-progress", "100.00"),
            ("run-time", 0), ("time-since-done", 0), ("recs-throttled", 0),
            ("recs-filtered-meta", 0), ("recs-filtered-bins", self.filtered),
            ("recs-succeeded", self.succeeded), ("recs-failed", self.failed),
        ]
        return ":".join("%s=%s" % kv for kv in fields)


_jobs_lock = threading.Lock()


def _u64(data):
    if data is None:
        return 0
    if len(data) != 8:
        raise ServerError(PARAMETER, "bad u64 field")
    return struct.unpack(">Q", bytes(data))[0]


def _u32(data):
    if len(data) != 4:
        raise ServerError(PARAMETER, "bad u32 field")
    return struct.unpack(">I", bytes(data))[0]


def partitions(msg, key_type=None):
    """[(partition id, digest to resume after or None, bval to resume after or None)]
    a request names, in partition order (the order the server visits them).

    An index query (``key_type`` set) resumes a partition after a (bval, digest)
    pair: field 15 holds one little-endian bval per digest of field 12."""
    pids = msg.field(wire.FIELD_PID_ARRAY)
    digests = msg.field(wire.FIELD_DIGEST_ARRAY)
    bvals = msg.field(wire.FIELD_BVAL_ARRAY)
    if bvals is not None and digests is None:
        raise ServerError(PARAMETER, "bval array without digests")
    if pids is None and digests is None:
        return ALL_PARTITIONS
    requested = {}

    def request(pid, digest=None, bval=None):
        if pid >= store_mod.N_PARTITIONS or pid in requested:
            raise ServerError(PARAMETER, "bad or repeated partition id")
        requested[pid] = (pid, digest, bval)

    if pids is not None:
        if len(pids) < 2:
            raise ServerError(PARAMETER, "empty partition id array")
        for pos in range(0, len(pids) - 1, 2):
            request(struct.unpack_from("<H", pids, pos)[0])
    if digests is not None:
        data = bytes(digests)
        if len(data) < 20:
            raise ServerError(PARAMETER, "empty digest array")
        n_digests = len(data) // 20
        if key_type is not None and (bvals is None or len(bvals) // 8 != n_digests):
            raise ServerError(PARAMETER, "an index query resumes with one bval per digest")
        for n in range(n_digests):
            digest = data[20 * n:20 * n + 20]
            bval = None
            if key_type is not None:
                bval = sindex.bval_from_wire(key_type, bytes(bvals[8 * n:8 * n + 8]))
            request(store_mod.partition_id(digest), digest, bval)
    return [requested[pid] for pid in sorted(requested)]


def find_index(server, msg, ns_name, set_name, rng):
    """The secondary index a query names (index type 26, context 23, name 21 or
    expression 24 besides the range); PARAMETER for a malformed type or context,
    INDEX_NOT_FOUND when no index fits (an unknown index type names none)."""
    itype = msg.field(wire.FIELD_INDEX_TYPE)
    if itype is not None and not len(itype):
        raise ServerError(PARAMETER, "empty index type")
    context = msg.field(wire.FIELD_INDEX_CONTEXT)
    if context is not None:
        context = bytes(context)
        sindex.check_context(context)
    expression = msg.field(wire.FIELD_INDEX_EXPRESSION)
    return sindex.find_index(
        server, ns_name, set_name, rng,
        sindex.QUERY_INDEX_TYPES.get(itype[0] if itype is not None else 0, "?"),
        context, msg.str_field(wire.FIELD_INDEX_NAME),
        bytes(expression) if expression is not None else None)


class Plan:
    """What one scan/query request asks for."""

    def __init__(self, server, msg):
        ns_name = msg.str_field(wire.FIELD_NAMESPACE)
        self.ns = server.store.namespace(ns_name) if ns_name else None
        if self.ns is None:
            raise ServerError(NAMESPACE_NOT_FOUND)
        self.msg = msg
        # A UDF (aggregation or background record UDF) is run by lua/aggregate.py.
        self.udf = wire.FIELD_UDF_FUNCTION in msg.fields
        foreground = not msg.info2 & wire.INFO2_WRITE
        if not foreground and not msg.ops and not self.udf:
            # a background job with neither write ops nor a UDF: nothing to run
            raise ServerError(UNSUPPORTED_FEATURE, "background job without ops or UDF")
        if foreground and not msg.ops and not any(
                f in msg.fields for f in (wire.FIELD_PID_ARRAY, wire.FIELD_DIGEST_ARRAY,
                                          wire.FIELD_INDEX_RANGE, wire.FIELD_UDF_FUNCTION)):
            # what the C client sends for a background scan without ops: a scan naming
            # no partitions, which server 8 no longer runs
            raise ServerError(UNSUPPORTED_FEATURE, "scan without partitions")
        if foreground and not self.udf and not msg.info3 & wire.INFO3_PARTITION_DONE:
            raise ServerError(UNSUPPORTED_FEATURE, "only partition scans and queries")
        self.set_name = msg.str_field(wire.FIELD_SET) or ""
        self.max_records = _u64(msg.field(wire.FIELD_MAX_RECORDS))
        rps = msg.field(wire.FIELD_RPS)
        self.records_per_second = _u32(rps) if rps is not None else 0
        self.job_id = _u64(msg.field(wire.FIELD_TASK_ID))
        # Checked in the server's order: range, partitions, then the index.
        self.range = self.index = None
        self.de_dup = False
        if wire.FIELD_INDEX_RANGE in msg.fields:
            self.range = sindex.Range.parse(msg.field(wire.FIELD_INDEX_RANGE))
        self.partitions = partitions(msg, self.range.key_type if self.range else None)
        # Cluster mode: the node runs only the partitions it holds (cluster.py); the
        # others are answered PARTITION_UNAVAILABLE so the client retries them.
        self.unavailable = []
        cluster = getattr(server, "cluster", None)
        if cluster is not None:
            named = wire.FIELD_PID_ARRAY in msg.fields or wire.FIELD_DIGEST_ARRAY in msg.fields
            self.partitions, self.unavailable = cluster.split_partitions(
                server, self.partitions, named)
        if self.range is not None:
            self.index = find_index(server, msg, self.ns.name, self.set_name, self.range)
            # A range over list elements or map keys/values can find a record several
            # times; the server drops repeats within one burst of index entries.
            self.de_dup = self.range.is_range and self.index.index_type != "default"

    def unavailable_codes(self):
        """[(partition id, result code)] of the partitions this node cannot run."""
        from .errors import PARTITION_UNAVAILABLE
        return [(pid, PARTITION_UNAVAILABLE) for pid in self.unavailable]

    def snapshot(self):
        """{partition id: [(digest, record)] in digest order} of the records in
        the set (all sets when none is named)."""
        by_partition = {}
        for digest, rec in self.ns.live_records():
            if self.set_name and rec.set_name != self.set_name:
                continue
            if not self.set_name and self.ns.strong_consistency and \
                    rec.set_name == commands.MONITOR_SET:
                continue  # transaction monitors are internal: only a scan of their set sees them
            by_partition.setdefault(store_mod.partition_id(digest), []).append((digest, rec))
        for recs in by_partition.values():
            recs.sort(key=lambda dr: dr[0])
        return by_partition

    def candidates(self, records, after, after_bval):
        """[(digest, record, bval)] of one partition's ``records`` (digest order) in the
        order the server visits them, resuming after ``after`` (and ``after_bval``).

        A scan walks the primary index: digest order, no bval.  A query walks the
        secondary index: its entries (bval, digest) in range, in order, a record once
        per matching value, repeats dropped within a burst when ``de_dup``."""
        if self.index is None:
            return [(digest, rec, None) for digest, rec in records
                    if after is None or digest > after]
        entries = []
        for digest, rec in records:
            if not self.index.covers(rec, self.set_name):
                continue
            ctx = commands.RecordContext(self.ns, digest, rec.set_name, rec)
            entries.extend((bval, digest, rec) for bval in self.index.bvals(ctx, self.range))
        entries.sort(key=lambda entry: entry[:2])
        if after is not None:
            entries = [e for e in entries if (e[0], e[1]) > (after_bval, after)]
        out = []
        for start in range(0, len(entries), INDEX_BURST):
            seen = set()
            for bval, digest, rec in entries[start:start + INDEX_BURST]:
                if self.de_dup and digest in seen:
                    continue
                seen.add(digest)
                out.append((digest, rec, bval))
        return out

    def selects(self, ctx):
        """True when the record passes the filter expression."""
        try:
            commands.apply_filter(self.msg, ctx)
        except ServerError as e:
            if e.code == FILTERED_OUT:
                return False
            raise
        return True


def record_reply(ns, digest, rec, results, bval=None):
    fields = [(wire.FIELD_NAMESPACE, ns.name.encode())]
    if rec.set_name:
        fields.append((wire.FIELD_SET, rec.set_name.encode("utf-8", "surrogateescape")))
    fields.append((wire.FIELD_DIGEST, digest))
    if rec.key is not None:
        ptype, data = store_mod.key_bytes(rec.key)
        fields.append((wire.FIELD_KEY, bytes((ptype,)) + data))
    if bval is not None:
        fields.append((wire.FIELD_BVAL_ARRAY, sindex.bval_to_wire(bval)))
    return wire.build_message(0, rec.gen, rec.void_time, fields=fields, ops=results)


def foreground(server, plan):
    """Yield the reply bodies of a foreground scan/query."""
    with server.store.lock:
        by_partition = plan.snapshot()
    msg = plan.msg
    sent = 0
    chunk, size = [], 0
    # "partition done" with an error, its partition id in the generation field
    # (as_msg_pid_done_bufbuilder)
    chunk.extend(wire.build_message(info3=wire.INFO3_PARTITION_DONE, result_code=code,
                                    generation=pid)
                 for pid, code in plan.unavailable_codes())
    started = time.monotonic()
    for pid, after, after_bval in plan.partitions:
        if plan.max_records and sent >= plan.max_records:
            break
        with server.store.lock:
            candidates = plan.candidates(by_partition.get(pid, ()), after, after_bval)
        for digest, rec, bval in candidates:
            if plan.max_records and sent >= plan.max_records:
                break
            ctx = commands.RecordContext(plan.ns, digest, rec.set_name, rec)
            with server.store.lock:
                if not plan.selects(ctx):
                    continue
                if msg.info1 & wire.INFO1_NOBINDATA:
                    results = []
                else:
                    results = commands.read_ops(ctx, msg, no_ops_reads_all=True)
                    if msg.ops and not results:
                        # the named bins are all missing: the server sends no record
                        # (apply_ops_make_response)
                        continue
            body = record_reply(plan.ns, digest, rec, results, bval)
            chunk.append(body)
            size += len(body)
            sent += 1
            if plan.records_per_second:
                # Throttle: the records sent so far must take sent/rps seconds.
                ahead = sent / plan.records_per_second - (time.monotonic() - started)
                if ahead > 0:
                    if chunk:
                        yield b"".join(chunk)
                        chunk, size = [], 0
                    time.sleep(ahead)
            if size >= FRAME_TARGET:
                yield b"".join(chunk)
                chunk, size = [], 0
    chunk.append(wire.build_message(info3=wire.INFO3_LAST))
    yield b"".join(chunk)


def background(server, plan):
    """Run a background operate job on every matching record; record the job."""
    msg = plan.msg
    succeeded = failed = filtered = 0
    with server.store.lock:
        by_partition = plan.snapshot()
        for pid, after, after_bval in plan.partitions:
            for digest, rec, _ in plan.candidates(by_partition.get(pid, ()), after, after_bval):
                ctx = commands.RecordContext(plan.ns, digest, rec.set_name, rec)
                if not plan.selects(ctx):
                    filtered += 1
                    continue
                sub = wire.Message(msg.info1, msg.info2 & ~wire.INFO2_RESPOND_ALL_OPS,
                                   msg.info3 | wire.INFO3_UPDATE_ONLY, 0, 0, 0, msg.record_ttl,
                                   fields={wire.FIELD_NAMESPACE: msg.field(wire.FIELD_NAMESPACE),
                                           wire.FIELD_DIGEST: digest},
                                   ops=msg.ops)
                try:
                    commands.write(plan.ns, digest, rec.set_name, None, sub)
                    succeeded += 1
                except ServerError:
                    failed += 1
    with _jobs_lock:
        server.jobs[plan.job_id] = Job(plan.job_id, plan.ns.name, plan.set_name, succeeded,
                                       failed, filtered)


def handle(server, msg):
    """Yield the reply bodies of a scan, query or background job request.  An error
    ends the stream (what was sent stands); an engine bug answers SERVER_ERROR rather
    than cutting the connection."""
    try:
        plan = Plan(server, msg)
        if plan.udf:
            from .lua import aggregate as udf
            if msg.info2 & wire.INFO2_WRITE:
                counts = udf.background(server, plan)
                with _jobs_lock:
                    server.jobs[plan.job_id] = Job(plan.job_id, plan.ns.name, plan.set_name,
                                                   *counts, job_type="background-udf")
                yield wire.build_message(info3=wire.INFO3_LAST)
                return
            yield from udf.foreground(server, plan)
            return
        if msg.info2 & wire.INFO2_WRITE:
            background(server, plan)
            yield wire.build_message(info3=wire.INFO3_LAST)
            return
        yield from foreground(server, plan)
    except ServerError as e:
        yield wire.build_message(result_code=e.code, info3=wire.INFO3_LAST)
    except Exception:  # noqa: BLE001 - reported to the client as a server error
        log.exception("scan/query failed")
        yield wire.build_message(result_code=SERVER_ERROR, info3=wire.INFO3_LAST)


# ---------------------------------------------------------------- job info

def _job_id(arg):
    for part in arg.replace(";", ":").split(":"):
        k, _, v = part.partition("=")
        if k.strip() in ("id", "trid") and v.strip().isdigit():
            return int(v)
    return None


def show(server, arg):
    job_id = _job_id(arg)
    with _jobs_lock:
        if job_id is None:
            return "".join(job.describe() + ";" for job in server.jobs.values())
        job = server.jobs.get(job_id)
    if job is None:
        return "ERROR:2:job not found"
    return job.describe()


INFO_COMMANDS = {
    "query-show": show,
    "scan-show": show,
}
