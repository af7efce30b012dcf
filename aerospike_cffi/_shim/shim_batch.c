/*
 * Batch commands: one packed buffer of records in, one buffer of results out.
 * Layouts: shim.h (shim_batch). Everything allocated here (operations, bin name arrays,
 * apply argument lists, the batch records) is freed before shim_batch returns; for the
 * async batch (shim_async_batch), once its listener wrote the results (batch_job).
 */
#include <stdlib.h>
#include <string.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_batch.h>
#include <aerospike/as_arraylist.h>
#include <aerospike/as_msgpack.h>
#include <aerospike/as_operations.h>
#include <aerospike/as_serializer.h>

#include "shim.h"
#include "shim_internal.h"

/* Reads fixed-size fields from the packed buffer, failing once past its end. */
typedef struct reader {
    cursor in;
    bool ok;
} reader;

static const uint8_t*
take(reader* r, size_t n)
{
    const uint8_t* at = NULL;
    if (!r->ok || !cursor_take(&r->in, n, &at)) {
        r->ok = false;
        return NULL;
    }
    return at;
}

static uint32_t
take_u(reader* r, size_t n)
{
    const uint8_t* at = take(r, n);
    uint32_t v = 0;
    if (at) {
        memcpy(&v, at, n);  /* native order, n <= 4 */
    }
    return v;
}

/* A length-prefixed (u8) name copied into a NUL-terminated buffer of `size`. */
static bool
take_name(reader* r, char* dest, size_t size)
{
    uint32_t len = take_u(r, 1);
    const uint8_t* at = take(r, len);
    if (!at || len >= size) {
        r->ok = false;
        return false;
    }
    memcpy(dest, at, len);
    dest[len] = 0;
    return true;
}

static bool
take_key(reader* r, as_error* err, as_key* key)
{
    char ns[AS_NAMESPACE_MAX_SIZE];
    char set[AS_SET_MAX_SIZE];
    if (!take_name(r, ns, sizeof(ns)) || !take_name(r, set, sizeof(set))) {
        return false;
    }
    int ktype = (int)take_u(r, 1);
    uint32_t klen = take_u(r, 4);
    const uint8_t* kdata = take(r, klen);
    const uint8_t* kint_at = take(r, 8);
    if (!r->ok) {
        return false;
    }
    int64_t kint;
    memcpy(&kint, kint_at, 8);
    return key_init(err, key, ns, set, ktype, (const char*)kdata, klen, kint) == AEROSPIKE_OK;
}

/* Operations of one record: heap allocated, recorded in `owned` to be freed afterwards. */
static as_operations*
take_ops(reader* r, as_error* err, as_vector* owned)
{
    uint32_t n_ops = take_u(r, 2);
    uint32_t size = take_u(r, 4);
    const uint8_t* packed = take(r, size);
    if (!r->ok || n_ops == 0) {
        return NULL;
    }
    as_operations* ops = as_operations_new((uint16_t)n_ops);
    as_vector_append(owned, &ops);
    if (operations_from_packed(err, ops, (const char*)packed, size, n_ops) != AEROSPIKE_OK) {
        r->ok = false;
        return NULL;
    }
    return ops;
}

typedef struct batch_owned {
    as_vector ops;        /* as_operations* */
    as_vector names;      /* char** (each a malloc'd array of malloc'd names) */
    as_vector arglists;   /* as_val* */
} batch_owned;

static void
owned_free(batch_owned* o)
{
    for (uint32_t i = 0; i < o->ops.size; i++) {
        as_operations_destroy(*(as_operations**)as_vector_get(&o->ops, i));
    }
    for (uint32_t i = 0; i < o->names.size; i++) {
        char** names = *(char***)as_vector_get(&o->names, i);
        for (char** n = names; *n; n++) {
            free(*n);
        }
        free(names);
    }
    for (uint32_t i = 0; i < o->arglists.size; i++) {
        as_val_destroy(*(as_val**)as_vector_get(&o->arglists, i));
    }
    as_vector_destroy(&o->ops);
    as_vector_destroy(&o->names);
    as_vector_destroy(&o->arglists);
}

static bool
take_record(reader* r, as_error* err, as_batch_records* records, void* const* policies,
            uint32_t n_policies, batch_owned* owned)
{
    uint32_t type = take_u(r, 1);
    uint32_t policy_index = take_u(r, 2);
    const void* policy = policy_index < n_policies ? policies[policy_index] : NULL;
    /* The key is initialised in place: as_key points into itself for its value. */
    as_batch_base_record* base;
    switch (type) {
    case AS_BATCH_READ: base = (as_batch_base_record*)as_batch_read_reserve(records); break;
    case AS_BATCH_WRITE: base = (as_batch_base_record*)as_batch_write_reserve(records); break;
    case AS_BATCH_APPLY: base = (as_batch_base_record*)as_batch_apply_reserve(records); break;
    case AS_BATCH_REMOVE: base = (as_batch_base_record*)as_batch_remove_reserve(records); break;
    default:
        r->ok = false;
        return false;
    }
    if (!take_key(r, err, &base->key)) {
        return false;
    }
    switch (type) {
    case AS_BATCH_READ: {
        as_batch_read_record* rec = (as_batch_read_record*)base;
        rec->policy = policy;
        rec->read_all_bins = take_u(r, 1) != 0;
        uint32_t n_bins = take_u(r, 2);
        if (n_bins) {
            char** names = calloc(n_bins + 1, sizeof(char*));
            as_vector_append(&owned->names, &names);
            for (uint32_t i = 0; i < n_bins && r->ok; i++) {
                names[i] = malloc(AS_BIN_NAME_MAX_SIZE);
                take_name(r, names[i], AS_BIN_NAME_MAX_SIZE);
            }
            rec->bin_names = names;
            rec->n_bin_names = n_bins;
        }
        rec->ops = take_ops(r, err, &owned->ops);
        break;
    }
    case AS_BATCH_WRITE: {
        as_batch_write_record* rec = (as_batch_write_record*)base;
        rec->policy = policy;
        uint32_t ttl = take_u(r, 4);
        uint32_t gen = take_u(r, 2);
        rec->ops = take_ops(r, err, &owned->ops);
        if (rec->ops) {
            rec->ops->ttl = ttl;
            rec->ops->gen = (uint16_t)gen;
        }
        else if (r->ok) {
            as_error_update(err, AEROSPIKE_ERR_PARAM, "A batch write needs operations");
            return false;
        }
        break;
    }
    case AS_BATCH_APPLY: {
        as_batch_apply_record* rec = (as_batch_apply_record*)base;
        rec->policy = policy;
        uint32_t module_len = take_u(r, 1);
        rec->module = (const char*)take(r, module_len);      /* NUL-terminated by Python */
        uint32_t function_len = take_u(r, 1);
        rec->function = (const char*)take(r, function_len);
        uint32_t args_size = take_u(r, 4);
        const uint8_t* args = take(r, args_size);
        if (!r->ok) {
            return false;
        }
        as_list* arglist = NULL;
        if (udf_arglist(err, args, args_size, &arglist) != AEROSPIKE_OK) {
            return false;
        }
        if (!arglist) {
            arglist = (as_list*)as_arraylist_new(0, 1);  /* Python always sends a list */
        }
        as_vector_append(&owned->arglists, &arglist);
        rec->arglist = arglist;
        break;
    }
    case AS_BATCH_REMOVE: {
        as_batch_remove_record* rec = (as_batch_remove_record*)base;
        rec->policy = policy;
        break;
    }
    default:
        r->ok = false;
        return false;
    }
    return r->ok;
}

static as_status
results_out(as_error* err, as_batch_records* records, shim_buf* out)
{
    as_vector* list = &records->list;
    page_names names;
    names.n = 0;  /* batch results carry no namespace or set: bin names only */
    for (uint32_t i = 0; i < list->size; i++) {
        as_batch_base_record* rec = as_vector_get(list, i);
        uint8_t flags[2] = {rec->in_doubt ? 1 : 0, rec->result == AEROSPIKE_OK ? 1 : 0};
        as_digest* digest = as_key_digest(&rec->key);
        if (buf_put_u32(out, (uint32_t)rec->result) != 0 || buf_put(out, flags, 2) != 0 ||
            buf_put(out, digest->value, AS_DIGEST_VALUE_SIZE) != 0) {
            return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        }
        if (flags[1] && record_out(err, &rec->record, out, &names) != AEROSPIKE_OK) {
            return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        }
        if (!flags[1]) {
            /* The row's error detail: u32 subcode, u16 length + message (0: none). */
            size_t n = rec->message ? strnlen(rec->message, 0xFFFF) : 0;
            uint16_t len = (uint16_t)n;
            if (buf_put_u32(out, rec->subcode) != 0 || buf_put(out, &len, 2) != 0 ||
                (n && buf_put(out, rec->message, n) != 0)) {
                return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
            }
        }
    }
    return AEROSPIKE_OK;
}

/* The results as one marshal list (shim.h); MARSHAL_FALLBACK when a value needs the
 * packed layout, which then holds for the whole batch. */
static int
results_marshal(as_batch_records* records, shim_buf* out)
{
    as_vector* list = &records->list;
    marshal_refs refs;
    refs.n = refs.next = 0;
    if (marshal_sized_begin(out, '[') != 0) {
        return MARSHAL_NOMEM;
    }
    for (uint32_t i = 0; i < list->size; i++) {
        int rc = batch_result_marshal(as_vector_get(list, i), &refs, out);
        if (rc != MARSHAL_OK) {
            return rc;
        }
    }
    marshal_sized_end(out, 0, list->size);
    return MARSHAL_OK;
}

/* The records of a packed batch, into `records` (initialised by the caller) and `owned`
 * (initialised here). AEROSPIKE_OK, or err set; `owned` is to be freed either way. */
static as_status
batch_parse(as_error* err, as_batch_records* records, batch_owned* owned, const char* packed,
            uint32_t size, uint32_t n_records, void* const* policies, uint32_t n_policies)
{
    as_vector_init(&owned->ops, sizeof(as_operations*), 4);
    as_vector_init(&owned->names, sizeof(char**), 4);
    as_vector_init(&owned->arglists, sizeof(as_val*), 4);
    reader r = {.in = {(const uint8_t*)packed, (const uint8_t*)packed + size}, .ok = true};
    for (uint32_t i = 0; i < n_records; i++) {
        if (!take_record(&r, err, records, policies, n_policies, owned)) {
            if (err->code == AEROSPIKE_OK) {
                as_error_update(err, AEROSPIKE_ERR_PARAM, "Malformed batch records");
            }
            break;
        }
    }
    return err->code;
}

/* The results of a batch that ran, into `out` (marshal form when wanted and possible). */
static void
batch_out(as_batch_records* records, shim_buf* out, int want_marshal)
{
    /* Per-record results are kept even when the batch as a whole reports an error. */
    as_error record_err;
    as_error_init(&record_err);
    int rc = want_marshal ? results_marshal(records, out) : MARSHAL_FALLBACK;
    if (rc == MARSHAL_OK) {
        out->is_marshal = 1;
    }
    else {
        out->len = 0;
        results_out(&record_err, records, out);
    }
}

int
shim_batch(aerospike* as, as_error* err, const as_policy_batch* policy, int has_write,
           const char* packed, uint32_t size, uint32_t n_records, void* const* policies,
           uint32_t n_policies, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    int want_marshal = out->want_marshal;
    out->want_marshal = out->is_marshal = 0;
    as_batch_records records;
    as_batch_records_init(&records, n_records ? n_records : 1);
    batch_owned owned;
    if (batch_parse(err, &records, &owned, packed, size, n_records, policies, n_policies) ==
        AEROSPIKE_OK) {
        if (has_write) {
            aerospike_batch_write(as, err, policy, &records);
        }
        else {
            aerospike_batch_read(as, err, policy, &records);
        }
        batch_out(&records, out, want_marshal);
    }
    as_batch_records_destroy(&records);
    owned_free(&owned);
    return err->code;
}

/* ------------------------------------------------------------------ async (shim_async.c) */

/* A batch in flight on the event loop: its records and what they own live until the
 * listener has written the results into the command's output. */
struct batch_job {
    as_batch_records records;
    batch_owned owned;
    void* cmd;
    char* packed;  /* a copy: keys and values of the records point into it, and retries
                    * write them again after the Python bytes may be gone (PyPy passes a
                    * temporary copy of bytes to C, freed when the call returns) */
};

batch_job*
batch_job_new(as_error* err, const char* packed, uint32_t size, uint32_t n_records,
              void* const* policies, uint32_t n_policies, void* cmd)
{
    batch_job* job = malloc(sizeof(*job));
    if (!job) {
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        return NULL;
    }
    job->cmd = cmd;
    job->packed = malloc(size ? size : 1);
    as_batch_records_init(&job->records, n_records ? n_records : 1);
    if (!job->packed) {
        as_vector_init(&job->owned.ops, sizeof(as_operations*), 1);
        as_vector_init(&job->owned.names, sizeof(char**), 1);
        as_vector_init(&job->owned.arglists, sizeof(as_val*), 1);
        batch_job_free(job);
        as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        return NULL;
    }
    memcpy(job->packed, packed, size);
    if (batch_parse(err, &job->records, &job->owned, job->packed, size, n_records, policies,
                    n_policies) != AEROSPIKE_OK) {
        batch_job_free(job);
        return NULL;
    }
    return job;
}

as_batch_records*
batch_job_records(batch_job* job)
{
    return &job->records;
}

void*
batch_job_cmd(batch_job* job)
{
    return job->cmd;
}

void
batch_job_out(batch_job* job, shim_buf* out)
{
    int want_marshal = out->want_marshal;
    out->want_marshal = out->is_marshal = 0;
    batch_out(&job->records, out, want_marshal);
}

void
batch_job_free(batch_job* job)
{
    as_batch_records_destroy(&job->records);
    owned_free(&job->owned);
    free(job->packed);
    free(job);
}
