/*
 * Scans and queries ("streams"): built once, then run, either in the calling thread into
 * one page (shim_stream_run) or on a thread of the stream's own that hands the records to
 * Python in chunks (shim_stream_start / _next / _stop).
 *
 * A shim_stream owns its as_scan / as_query (and everything those own: selected bins,
 * operations, predicate values, ctx, expressions, partition status), and during a
 * background run its thread and chunks; shim_stream_free() stops the run and destroys it
 * all. The C client calls stream_record() from its own threads, one per node, so appending
 * records takes the stream's lock. Python is never called back from C here.
 */
#define _GNU_SOURCE  /* pthread_setname_np */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_query.h>
#include <aerospike/aerospike_scan.h>
#include <aerospike/as_cdt_ctx.h>
#include <aerospike/as_node.h>
#include <aerospike/as_exp.h>
#include <aerospike/as_job.h>
#include <aerospike/as_msgpack.h>
#include <aerospike/as_operations.h>
#include <aerospike/as_partition_filter.h>
#include <aerospike/as_query.h>
#include <aerospike/as_scan.h>
#include <aerospike/as_serializer.h>
#include <aerospike/as_udf.h>

#include "shim.h"
#include "shim_internal.h"

/* A chunk of records handed from the background run to Python (shim_stream_next). */
typedef struct chunk {
    struct chunk* next;
    shim_buf buf;
    uint32_t count;
    bool mixed;
} chunk;

/* Chunks hold this many records (or bytes) at most; this many may wait for Python before
 * the run pauses: memory stays bounded however large the result. */
#define CHUNK_RECORDS 256
#define CHUNK_BYTES (64 * 1024)
#define CHUNKS_QUEUED 4

struct shim_stream {
    bool is_query;
    as_scan scan;
    as_query query;
    as_operations* ops;        /* owned; the scan/query only points at it */
    char* ops_buf;             /* owned copy of the packed ops, whose values `ops` points into */
    pthread_mutex_t lock;
    shim_buf* out;             /* the page or chunk being filled */
    bool marshal;              /* the page is a marshal list (shim.h) */
    bool mixed;                /* ... with some records in the packed layout */
    uint32_t count;            /* records in the page (shim_stream_run) */
    marshal_refs refs;         /* strings the marshal page shares */
    page_names names;          /* names the packed page has written (NAME_REPEAT) */
    bool failed;               /* out of memory while filling */

    /* The background run (shim_stream_start): the thread, what it runs with, and the
     * chunks on their way to Python. Guarded by `lock`; `changed` wakes either side. */
    bool running;              /* a thread exists and is not joined yet */
    pthread_t thread;
    pthread_cond_t changed;
    aerospike* as;
    union {
        as_policy_scan scan;
        as_policy_query query;
    } policy;
    uint64_t max_records;
    char node_name[AS_NODE_NAME_MAX_SIZE];
    as_partition_filter pf;
    chunk* filling;            /* chunk being written by the C client's callback */
    chunk* head;               /* ready chunks, oldest first */
    chunk* tail;
    uint32_t queued;
    bool cancel;               /* Python stopped early: the callback says stop */
    bool finished;             /* the C call returned; run_err holds its outcome */
    as_error run_err;
};

shim_stream*
shim_stream_new(int is_query, const char* ns, const char* set, uint32_t n_predicates)
{
    shim_stream* s = calloc(1, sizeof(shim_stream));
    if (!s) {
        return NULL;
    }
    s->is_query = is_query != 0;
    if (s->is_query) {
        as_query_init(&s->query, ns, set ? set : "");
        if (n_predicates) {
            as_query_where_init(&s->query, (uint16_t)n_predicates);
        }
    }
    else {
        as_scan_init(&s->scan, ns, set ? set : "");
        /* Lists and maps reach Python as raw msgpack, as for every other command. */
        s->scan.deserialize_list_map = false;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    return s;
}

void
shim_stream_free(shim_stream* s)
{
    if (!s) {
        return;
    }
    shim_stream_stop(s);  /* Python always stops a run it started; this is a safety net */
    if (s->is_query) {
        s->query.ops = NULL;
        as_query_destroy(&s->query);
    }
    else {
        s->scan.ops = NULL;
        as_scan_destroy(&s->scan);
    }
    if (s->ops) {
        as_operations_destroy(s->ops);
    }
    free(s->ops_buf);  /* after the ops that point into it */
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int
shim_stream_select(shim_stream* s, const char* names, uint32_t n_names)
{
    if (s->is_query ? !as_query_select_init(&s->query, (uint16_t)n_names)
                    : !as_scan_select_init(&s->scan, (uint16_t)n_names)) {
        return -1;
    }
    const char* p = names;
    for (uint32_t i = 0; i < n_names; i++) {
        bool ok = s->is_query ? as_query_select(&s->query, p) : as_scan_select(&s->scan, p);
        if (!ok) {
            return -1;
        }
        p += strlen(p) + 1;
    }
    return 0;
}

int
shim_stream_set(shim_stream* s, int no_bins, uint32_t ttl, uint64_t max_records,
                uint32_t records_per_second, int paginate)
{
    if (s->is_query) {
        s->query.no_bins = no_bins != 0;
        s->query.ttl = ttl;
        s->query.max_records = max_records;
        s->query.records_per_second = records_per_second;
        s->query.paginate = paginate != 0;
    }
    else {
        s->scan.no_bins = no_bins != 0;
        s->scan.ttl = ttl;
        s->scan.paginate = paginate != 0;
    }
    return 0;
}

int
shim_stream_ops(as_error* err, shim_stream* s, const char* packed, uint32_t size, uint32_t n_ops)
{
    as_error_reset(err);
    /* operations_from_packed points the bins' values into the buffer (no copy): the ops
     * live as long as the stream, so they need a buffer of the stream's own, not the
     * caller's bytes (freed once the call returns, before execute_background sends them). */
    char* buf = malloc(size ? size : 1);
    if (!buf) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    memcpy(buf, packed, size);
    as_operations* ops = as_operations_new((uint16_t)n_ops);
    if (operations_from_packed(err, ops, buf, size, n_ops) != AEROSPIKE_OK) {
        as_operations_destroy(ops);
        free(buf);
        return err->code;
    }
    if (s->ops) {
        as_operations_destroy(s->ops);
    }
    free(s->ops_buf);
    s->ops = ops;
    s->ops_buf = buf;
    if (s->is_query) {
        s->query.ops = ops;
    }
    else {
        s->scan.ops = ops;
    }
    return AEROSPIKE_OK;
}

int
shim_stream_where(as_error* err, shim_stream* s, const char* bin, const char* index_name,
                  const uint8_t* exp_bytes, uint32_t exp_size, const char* ctx_base64,
                  int predicate, int index_type, int datatype, int64_t low, int64_t high,
                  const char* value, uint32_t value_size)
{
    as_error_reset(err);
    if (!s->is_query || s->query.where.size >= s->query.where.capacity) {
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "No room for another predicate");
    }
    as_cdt_ctx* ctx = NULL;
    if (ctx_base64) {
        ctx = malloc(sizeof(as_cdt_ctx));
        if (!ctx || !as_cdt_ctx_from_base64(ctx, ctx_base64)) {
            free(ctx);
            return as_error_update(err, AEROSPIKE_ERR_PARAM, "Invalid ctx");
        }
    }
    as_exp* exp = NULL;
    if (exp_bytes) {
        exp = malloc(sizeof(as_exp) + exp_size);
        exp->packed_sz = exp_size;
        memcpy(exp->packed, exp_bytes, exp_size);
    }
    /* String and blob values must outlive the call: the query frees its own copy. */
    char* copy = NULL;
    if (value) {
        copy = malloc(value_size + 1);
        memcpy(copy, value, value_size);
        copy[value_size] = 0;
    }

    as_query* q = &s->query;
    as_predicate_type type = (as_predicate_type)predicate;
    as_index_type itype = (as_index_type)index_type;
    as_index_datatype dtype = (as_index_datatype)datatype;
    bool ok;
#define WHERE(...)                                                                          \
    (exp ? as_query_where_with_exp(q, exp, type, itype, dtype, __VA_ARGS__)                 \
     : index_name ? as_query_where_with_index_name(q, index_name, type, itype, dtype,       \
                                                    __VA_ARGS__)                            \
     : as_query_where_with_ctx(q, bin, ctx, type, itype, dtype, __VA_ARGS__))
    if (dtype == AS_INDEX_NUMERIC || dtype == AS_INDEX_INTEGER) {
        ok = type == AS_PREDICATE_EQUAL ? WHERE(low) : WHERE(low, high);
    }
    else if (dtype == AS_INDEX_BLOB) {
        ok = WHERE((uint8_t*)copy, value_size, true);
        copy = NULL;  /* owned by the query now */
    }
    else {
        ok = WHERE(copy);
    }
#undef WHERE
    if (!ok) {
        free(copy);
        if (ctx) {
            as_cdt_ctx_destroy(ctx);
            free(ctx);
        }
        free(exp);
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "Invalid predicate");
    }
    as_predicate* p = &q->where.entries[q->where.size - 1];
    if (copy) {
        p->value.string_val._free = true;
    }
    p->ctx_free = ctx != NULL;
    p->exp_free = exp != NULL;
    return AEROSPIKE_OK;
}

/* ------------------------------------------------------------------ running */

/* A namespace or set name: NAME_REPEAT when the page's previous record had the same. */
static int
put_name(shim_buf* out, const char* name, char* previous, size_t size)
{
    if (previous && previous[0] && strcmp(previous, name) == 0) {
        uint8_t repeat = NAME_REPEAT;
        return buf_put(out, &repeat, 1);
    }
    uint8_t len = (uint8_t)strlen(name);
    if (previous && len < size) {
        memcpy(previous, name, len + 1);
    }
    return buf_put(out, &len, 1) || buf_put(out, name, len);
}

static int
put_key(shim_buf* out, const as_key* key, page_names* names)
{
    if (put_name(out, key->ns, names ? names->ns : NULL, sizeof(names->ns)) ||
        put_name(out, key->set, names ? names->set : NULL, sizeof(names->set))) {
        return -1;
    }
    uint8_t ptype = P_NIL;
    const void* data = NULL;
    uint32_t size = 0;
    uint64_t be;
    as_val* v = (as_val*)key->valuep;
    if (v) {
        switch (as_val_type(v)) {
        case AS_INTEGER:
            ptype = P_INTEGER;
            be = htobe64((uint64_t)((as_integer*)v)->value);
            data = &be;
            size = 8;
            break;
        case AS_STRING:
            ptype = P_STRING;
            data = ((as_string*)v)->value;
            size = (uint32_t)as_string_len((as_string*)v);
            break;
        case AS_BYTES:
            ptype = P_BLOB;
            data = ((as_bytes*)v)->value;
            size = ((as_bytes*)v)->size;
            break;
        default:
            break;
        }
    }
    if (buf_put(out, &ptype, 1) || buf_put_u32(out, size) || (size && buf_put(out, data, size))) {
        return -1;
    }
    return buf_put(out, key->digest.value, AS_DIGEST_VALUE_SIZE);
}

static void
names_reset(page_names* names)
{
    names->n = 0;
    names->ns[0] = names->set[0] = 0;
}

/* One record of a page, in the page's form; false when out of memory. */
static bool
page_record(shim_stream* s, const as_record* rec)
{
    as_error err;
    as_error_init(&err);
    shim_buf* out = s->out;
    size_t mark = out->len;
    if (s->marshal) {
        uint32_t refs_known = s->refs.n;
        int rc = stream_record_marshal(rec, &s->refs, out);
        if (rc != MARSHAL_FALLBACK) {
            return rc == MARSHAL_OK;
        }
        /* This record as a bytes item holding its packed layout. */
        out->len = mark;
        s->refs.n = refs_known;
        s->mixed = true;
        if (marshal_sized_begin(out, 's') != 0) {
            return false;
        }
    }
    /* A record falling back inside a marshal page is read on its own: no repeats. */
    page_names* names = s->marshal ? NULL : &s->names;
    if (put_key(out, &rec->key, names) != 0 ||
        record_out(&err, rec, out, names) != AEROSPIKE_OK) {
        return false;
    }
    if (s->marshal) {
        marshal_sized_end(out, mark, (uint32_t)(out->len - mark - 5));
    }
    return true;
}

/* Start a chunk of the background run (lock held); false when out of memory. */
static bool
chunk_begin(shim_stream* s)
{
    chunk* c = calloc(1, sizeof(chunk));
    if (!c) {
        return false;
    }
    s->filling = c;
    s->out = &c->buf;
    s->mixed = false;
    s->refs.n = 0;  /* every chunk is loaded on its own */
    names_reset(&s->names);
    return !s->marshal || marshal_sized_begin(&c->buf, '[') == 0;
}

/* Queue the chunk being filled, if any (lock held), and wake Python. */
static void
chunk_push(shim_stream* s)
{
    chunk* c = s->filling;
    if (!c) {
        return;
    }
    if (s->marshal) {
        marshal_sized_end(&c->buf, 0, c->count);
    }
    c->mixed = s->mixed;
    if (s->tail) {
        s->tail->next = c;
    }
    else {
        s->head = c;
    }
    s->tail = c;
    s->queued++;
    s->filling = NULL;
    s->out = NULL;
    pthread_cond_broadcast(&s->changed);
}

static void
chunk_free(chunk* c)
{
    free(c->buf.data);
    free(c);
}

static bool
stream_record(const as_val* val, void* udata)
{
    shim_stream* s = udata;
    if (!val) {
        return true;  /* end of this node's stream */
    }
    as_record* rec = as_record_fromval(val);
    if (!rec) {
        return true;
    }
    pthread_mutex_lock(&s->lock);
    if (s->running) {
        /* Background run: append to the current chunk; hand it over when full, then wait
         * while Python is CHUNKS_QUEUED chunks behind. */
        if (!s->cancel && !s->failed && (s->filling || chunk_begin(s)) && page_record(s, rec)) {
            s->filling->count++;
            if (s->filling->count >= CHUNK_RECORDS || s->filling->buf.len >= CHUNK_BYTES) {
                chunk_push(s);
                while (s->queued >= CHUNKS_QUEUED && !s->cancel) {
                    pthread_cond_wait(&s->changed, &s->lock);
                }
            }
        }
        else if (!s->cancel) {
            s->failed = true;
        }
    }
    else if (page_record(s, rec)) {
        s->count++;  /* the page's length (a chunk counts its own) */
    }
    else {
        s->failed = true;
    }
    bool keep_going = !s->failed && !s->cancel;
    pthread_mutex_unlock(&s->lock);
    return keep_going;
}

/* Partition filter for a run: all partitions, a range, or resumed from a status list
 * (u16 part_id, u8 digest init, u8 retry, digest[20], u64 bval per partition). */
static void
filter_init(as_partition_filter* pf, uint32_t begin, uint32_t count, const uint8_t* digest,
            const uint8_t* parts, uint32_t n_parts)
{
    pf->begin = (uint16_t)begin;
    pf->count = (uint16_t)count;
    pf->digest.init = digest != NULL;
    if (digest) {
        memcpy(pf->digest.value, digest, AS_DIGEST_VALUE_SIZE);
    }
    pf->parts_all = NULL;
    if (parts && n_parts) {
        as_partitions_status* all = calloc(1, sizeof(as_partitions_status) +
                                           sizeof(as_partition_status) * n_parts);
        all->ref_count = 1;
        all->part_begin = (uint16_t)begin;
        all->part_count = (uint16_t)n_parts;
        all->retry = true;
        for (uint32_t i = 0; i < n_parts; i++) {
            const uint8_t* p = parts + i * 32;
            as_partition_status* ps = &all->parts[i];
            memcpy(&ps->part_id, p, 2);
            ps->digest.init = p[2] != 0;
            ps->retry = p[3] != 0;
            memcpy(ps->digest.value, p + 4, AS_DIGEST_VALUE_SIZE);
            memcpy(&ps->bval, p + 24, 8);
        }
        pf->parts_all = all;
    }
}

/* The C client's scan or query call of a run; records arrive in stream_record(). */
static void
stream_call(aerospike* as, as_error* err, shim_stream* s, const void* policy,
            uint64_t max_records, const char* node_name, as_partition_filter* pf)
{
    if (s->is_query) {
        as_policy_query query_policy = *(const as_policy_query*)policy;
        s->query.max_records = max_records;
        if (node_name) {
            as_error_update(err, AEROSPIKE_ERR_PARAM, "A query runs on every node");
        }
        else {
            aerospike_query_partitions(as, err, &query_policy, &s->query, pf, stream_record,
                                       s);
        }
    }
    else {
        as_policy_scan scan_policy = *(const as_policy_scan*)policy;
        scan_policy.max_records = max_records;
        if (node_name) {
            aerospike_scan_node(as, err, &scan_policy, &s->scan, node_name, stream_record, s);
        }
        else {
            aerospike_scan_partitions(as, err, &scan_policy, &s->scan, pf, stream_record, s);
        }
    }
    if (pf->parts_all) {
        as_partitions_status_release(pf->parts_all);
        pf->parts_all = NULL;
    }
}

int
shim_stream_run(aerospike* as, as_error* err, shim_stream* s, const void* policy,
                uint64_t max_records, const char* node_name, uint32_t begin, uint32_t count,
                const uint8_t* digest, const uint8_t* parts, uint32_t n_parts, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    if (s->running) {
        out->want_marshal = out->is_marshal = 0;
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "The stream is already running");
    }
    s->out = out;
    s->failed = false;
    s->marshal = out->want_marshal != 0;
    s->mixed = false;
    s->count = 0;
    s->refs.n = 0;
    names_reset(&s->names);
    out->want_marshal = out->is_marshal = 0;
    if (s->marshal && marshal_sized_begin(out, '[') != 0) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }

    as_partition_filter pf;
    filter_init(&pf, begin, count, digest, parts, n_parts);
    stream_call(as, err, s, policy, max_records, node_name, &pf);
    s->out = NULL;
    if (s->marshal) {
        marshal_sized_end(out, 0, s->count);
        out->is_marshal = s->mixed ? 2 : 1;
    }
    if (err->code == AEROSPIKE_OK && s->failed) {
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    return err->code;
}

/* ------------------------------------------------------------------ background runs */

static void*
stream_thread(void* arg)
{
    shim_stream* s = arg;
    pthread_setname_np(pthread_self(), "aerospike-scan");  /* as seen in top, perf, gdb */
    as_error err;
    as_error_init(&err);
    stream_call(s->as, &err, s, &s->policy, s->max_records,
                s->node_name[0] ? s->node_name : NULL, &s->pf);
    pthread_mutex_lock(&s->lock);
    if (s->cancel) {
        as_error_reset(&err);  /* stopped on purpose: not an error */
    }
    else if (s->failed) {
        as_error_update(&err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    else {
        chunk_push(s);  /* the records before an error reach Python before the error */
    }
    as_error_copy(&s->run_err, &err);
    s->finished = true;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Join the run's thread and free the chunks it left (none left unless stopped early or
 * out of memory). */
static void
run_end(shim_stream* s)
{
    pthread_join(s->thread, NULL);
    s->running = false;
    while (s->head) {
        chunk* c = s->head;
        s->head = c->next;
        chunk_free(c);
    }
    if (s->filling) {
        chunk_free(s->filling);
    }
    s->filling = s->tail = NULL;
    s->out = NULL;
    s->queued = 0;
}

int
shim_stream_start(aerospike* as, as_error* err, shim_stream* s, const void* policy,
                  uint64_t max_records, const char* node_name, uint32_t begin, uint32_t count,
                  const uint8_t* digest, const uint8_t* parts, uint32_t n_parts,
                  int want_marshal)
{
    as_error_reset(err);
    if (s->running) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "The stream is already running");
    }
    if (s->is_query && node_name) {
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "A query runs on every node");
    }
    if (node_name && strlen(node_name) >= AS_NODE_NAME_MAX_SIZE) {
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "Invalid node name");
    }
    /* Everything the thread uses is copied into the stream: the caller's arguments only
     * live for this call. (The policy's filter expression is the client's, cached.) */
    s->as = as;
    if (s->is_query) {
        s->policy.query = *(const as_policy_query*)policy;
    }
    else {
        s->policy.scan = *(const as_policy_scan*)policy;
    }
    s->max_records = max_records;
    strcpy(s->node_name, node_name ? node_name : "");
    filter_init(&s->pf, begin, count, digest, parts, n_parts);
    s->marshal = want_marshal != 0;
    s->failed = s->cancel = s->finished = false;
    s->filling = s->head = s->tail = NULL;
    s->queued = 0;
    s->out = NULL;
    as_error_init(&s->run_err);
    s->running = true;
    if (pthread_create(&s->thread, NULL, stream_thread, s) != 0) {
        s->running = false;
        if (s->pf.parts_all) {
            as_partitions_status_release(s->pf.parts_all);
            s->pf.parts_all = NULL;
        }
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Cannot start a thread");
    }
    return AEROSPIKE_OK;
}

int
shim_stream_next(as_error* err, shim_stream* s, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    out->want_marshal = out->is_marshal = 0;
    if (!s->running) {
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    while (!s->head && !s->finished) {
        pthread_cond_wait(&s->changed, &s->lock);
    }
    chunk* c = s->head;
    if (c) {
        s->head = c->next;
        if (!s->head) {
            s->tail = NULL;
        }
        s->queued--;
        pthread_cond_broadcast(&s->changed);
    }
    pthread_mutex_unlock(&s->lock);
    if (c) {
        bool ok = buf_put(out, c->buf.data, c->buf.len) == 0;
        if (s->marshal) {
            out->is_marshal = c->mixed ? 2 : 1;
        }
        chunk_free(c);
        if (!ok) {
            shim_stream_stop(s);
            as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
            return -1;
        }
        return 1;
    }
    /* Finished and drained: the run's outcome. */
    as_error_copy(err, &s->run_err);
    run_end(s);
    return err->code == AEROSPIKE_OK ? 0 : -1;
}

void
shim_stream_stop(shim_stream* s)
{
    if (!s->running) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    s->cancel = true;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    run_end(s);
}

int
shim_stream_done(shim_stream* s)
{
    return s->is_query ? as_query_is_done(&s->query) : as_scan_is_done(&s->scan);
}

uint32_t
shim_stream_count(const shim_stream* s)
{
    return s->count;
}

int
shim_stream_partitions(shim_stream* s, shim_buf* out)
{
    out->len = 0;
    as_partitions_status* all = s->is_query ? s->query.parts_all : s->scan.parts_all;
    if (!all) {
        return 0;
    }
    uint8_t head[2] = {all->done ? 1 : 0, all->retry ? 1 : 0};
    buf_put(out, head, 2);
    for (uint32_t i = 0; i < all->part_count; i++) {
        as_partition_status* ps = &all->parts[i];
        uint8_t rec[32];
        memcpy(rec, &ps->part_id, 2);
        rec[2] = ps->digest.init ? 1 : 0;
        rec[3] = ps->retry ? 1 : 0;
        /* An unset digest holds whatever memory had: hand out zeros instead. */
        if (ps->digest.init) {
            memcpy(rec + 4, ps->digest.value, AS_DIGEST_VALUE_SIZE);
        }
        else {
            memset(rec + 4, 0, AS_DIGEST_VALUE_SIZE);
        }
        memcpy(rec + 24, &ps->bval, 8);
        buf_put(out, rec, 32);
    }
    return (int)all->part_count;
}

int
shim_stream_background(aerospike* as, as_error* err, shim_stream* s, const void* policy,
                       uint64_t* job_id)
{
    as_error_reset(err);
    if (s->is_query) {
        return aerospike_query_background(as, err, (const as_policy_write*)policy, &s->query,
                                          job_id);
    }
    return aerospike_scan_background(as, err, (const as_policy_scan*)policy, &s->scan, job_id);
}

int
shim_job_info(aerospike* as, as_error* err, const as_policy_info* policy, const char* module,
              uint64_t job_id, uint32_t* status_out, uint32_t* progress_out,
              uint32_t* records_out)
{
    as_error_reset(err);
    as_job_info info;
    memset(&info, 0, sizeof(info));
    if (aerospike_job_info(as, err, policy, module, job_id, false, &info) == AEROSPIKE_OK) {
        *status_out = (uint32_t)info.status;
        *progress_out = info.progress_pct;
        *records_out = info.records_read;
    }
    return err->code;
}

/* ------------------------------------------------------------------ stream UDFs */

int
shim_stream_apply(as_error* err, shim_stream* s, const char* module, const char* function,
                  const uint8_t* args, uint32_t size)
{
    as_error_reset(err);
    if (strlen(module) > AS_UDF_MODULE_MAX_LEN || strlen(function) > AS_UDF_FUNCTION_MAX_LEN) {
        /* as_udf_call_init would leave the call unset */
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "UDF module or function name too long");
    }
    as_list* arglist = NULL;
    if (udf_arglist(err, args, size, &arglist) != AEROSPIKE_OK) {
        return err->code;
    }
    /* The scan / query owns the list from here (freed by its destroy, or by the next
     * apply: a second apply replaces the first, as on the official objects). */
    bool ok;
    if (s->is_query) {
        if (s->query.apply.arglist) {
            as_list_destroy(s->query.apply.arglist);
            s->query.apply.arglist = NULL;
        }
        ok = as_query_apply(&s->query, module, function, arglist);
    }
    else {
        if (s->scan.apply_each.arglist) {
            as_list_destroy(s->scan.apply_each.arglist);
            s->scan.apply_each.arglist = NULL;
        }
        ok = as_scan_apply_each(&s->scan, module, function, arglist);
    }
    if (!ok) {
        if (arglist) {
            as_list_destroy(arglist);
        }
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "Unable to apply UDF");
    }
    return AEROSPIKE_OK;
}

/* Each value the aggregation's last stage hands out, appended to the page as a one-bin
 * record; the C client may call this from its node threads, hence the lock. */
static bool
aggregate_value(const as_val* val, void* udata)
{
    shim_stream* s = udata;
    if (!val) {
        return true;
    }
    pthread_mutex_lock(&s->lock);
    as_error err;
    as_error_init(&err);
    if (!s->failed && udf_value_out(&err, (as_val*)val, s->out) != AEROSPIKE_OK) {
        s->failed = true;
    }
    bool keep_going = !s->failed;
    pthread_mutex_unlock(&s->lock);
    return keep_going;
}

int
shim_stream_aggregate(aerospike* as, as_error* err, shim_stream* s,
                      const as_policy_query* policy, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    out->want_marshal = out->is_marshal = 0;
    if (!s->is_query || s->running) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Not an aggregation");
    }
    /* The stream functions get lists and maps as Lua values: the C client must build them
     * (the client's default query policy keeps them raw for records). */
    as_policy_query query_policy = *policy;
    query_policy.deserialize = true;
    s->out = out;
    s->failed = false;
    aerospike_query_foreach(as, err, &query_policy, &s->query, aggregate_value, s);
    s->out = NULL;
    if (err->code == AEROSPIKE_OK && s->failed) {
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    return err->code;
}

int
shim_job_wait(aerospike* as, as_error* err, const as_policy_info* policy, const char* module,
              uint64_t job_id)
{
    as_error_reset(err);
    return aerospike_job_wait(as, err, policy, module, job_id, 0);
}
