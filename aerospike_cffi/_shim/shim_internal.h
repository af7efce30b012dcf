/*
 * What the shim's C files share (not part of the interface Python sees: that is shim.h).
 * Include after the C client headers and shim.h.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <aerospike/aerospike_batch.h>

enum {
    P_NIL = 0, P_INTEGER = 1, P_DOUBLE = 2, P_STRING = 3, P_BLOB = 4,
    P_BOOL = 17, P_HLL = 18, P_MAP = 19, P_LIST = 20, P_GEOJSON = 23
};

#define KEY_PARAMS const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint

/* One packed item: name, particle type and value bytes (layout in shim.h). */
typedef struct packed_item {
    char name[AS_BIN_NAME_MAX_SIZE];
    uint8_t ptype;
    uint32_t size;
    const uint8_t* value;
} packed_item;

/* A bounded cursor over input bytes (packed batches, msgpack, pickles): every read checks
 * the end first and fails instead of reading past it. */
typedef struct cursor {
    const uint8_t* p;
    const uint8_t* end;
} cursor;

/* The next n bytes (*at), or false when fewer are left. */
static inline bool
cursor_take(cursor* c, uint64_t n, const uint8_t** at)
{
    if ((uint64_t)(c->end - c->p) < n) {
        return false;
    }
    *at = c->p;
    c->p += n;
    return true;
}

/* The next n bytes (n <= 8) as an unsigned number, big-endian or little-endian. */
static inline bool
cursor_uint(cursor* c, uint32_t n, bool big_endian, uint64_t* v)
{
    const uint8_t* at;
    if (!cursor_take(c, n, &at)) {
        return false;
    }
    *v = 0;
    for (uint32_t k = 0; k < n; k++) {
        *v = (*v << 8) | at[big_endian ? k : n - 1 - k];
    }
    return true;
}

/* Strict UTF-8, as Python's decoder takes it and str.encode("utf-8") produces: no
 * overlongs, no surrogates (shim_marshal.c). *ascii (when not NULL): all bytes < 0x80. */
bool utf8_valid(const uint8_t* s, uint32_t n, bool* ascii);

uint8_t* buf_reserve(shim_buf* buf, size_t n);
int buf_put(shim_buf* buf, const void* src, size_t n);
int buf_put_u32(shim_buf* buf, uint32_t v);
/* NUL-ended text fields (admin and metrics answers, see shim.h): a string (NULL as ""),
 * a number in decimal. Non-zero when out of memory. */
int buf_put_field(shim_buf* buf, const char* s);
int buf_put_number(shim_buf* buf, int64_t v);

as_status key_init(as_error* err, as_key* key, KEY_PARAMS);
bool read_item(const uint8_t** pp, const uint8_t* end, packed_item* item);
void bin_set_item(as_bin* bin, const packed_item* item);
int wire_to_operator(uint8_t wire);
as_status operations_from_packed(as_error* err, as_operations* ops, const char* packed,
                                 uint32_t size, uint32_t n_ops);
/* The bin names a page (stream page or chunk, batch results) has written, by position in
 * the record: a name equal to the previous record's at the same position is written as the
 * single byte NAME_REPEAT instead (shim.h), sparing Python a decode per bin. Zero it at the
 * start of a page; pass NULL where records are read one by one. */
#define NAME_REPEAT 0xFF
#define BIN_NAMES_MAX 32
typedef struct page_names {
    uint32_t n;
    char name[BIN_NAMES_MAX][AS_BIN_NAME_MAX_SIZE];
    char ns[AS_NAMESPACE_MAX_SIZE];  /* stream pages: the previous record's namespace */
    char set[AS_SET_MAX_SIZE];       /* ... and set; empty when none yet */
} page_names;

as_status record_out(as_error* err, const as_record* rec, shim_buf* out, page_names* names);

/* shim_marshal.c: a record as marshal data (see there); MARSHAL_FALLBACK when one of its
 * values needs the packed layout. */
enum { MARSHAL_OK = 0, MARSHAL_FALLBACK = 1, MARSHAL_NOMEM = -1 };
int record_marshal(const as_record* rec, shim_buf* out);
/* (meta dict, bins dict) of a record: the fast reads' rare forms (shim.h, SHIM_MARSHAL_HEAP). */
int record_marshal_meta(const as_record* rec, shim_buf* out);
/* The bins dict of a record alone (shim_get_f: the meta comes in the answer). */
int record_marshal_bins(const as_record* rec, shim_buf* out);

/* Pages of batch results and stream records as one marshal list (layouts: shim.h).
 * marshal_sized_begin writes `code` ('[' list, 's' bytes) with a u32 size that
 * marshal_sized_end(out, where it began, size) fills in. */
int marshal_sized_begin(shim_buf* out, uint8_t code);
void marshal_sized_end(shim_buf* out, size_t head, uint32_t n);
/* The strings a page shares (shim_marshal.c), zeroed at the start of a page; a record
 * that falls back to the packed layout restores `n` as it was before it. */
#define MARSHAL_REF_MAX 64
#define MARSHAL_REF_LEN 32
typedef struct marshal_refs {
    uint32_t n;
    uint8_t len[MARSHAL_REF_MAX];
    char text[MARSHAL_REF_MAX][MARSHAL_REF_LEN];
    /* The entry after the last one used: records repeat their strings in the same order,
     * so it is tried first (taken only when below n). */
    uint32_t next;
} marshal_refs;

int batch_result_marshal(const as_batch_base_record* rec, marshal_refs* refs, shim_buf* out);
int stream_record_marshal(const as_record* rec, marshal_refs* refs, shim_buf* out);

/* shim_udf.c: a UDF argument list from its msgpack form (NULL for none), and one value
 * written as a one-bin record (bin "v") in the record layout of shim.h. */
as_status udf_arglist(as_error* err, const uint8_t* args, uint32_t size, as_list** out);
as_status udf_value_out(as_error* err, as_val* val, shim_buf* out);

/* Shared by the sync commands (shim.c) and their async twins (shim_async.c). */
as_status command_begin(as_error* err, as_key* key, KEY_PARAMS, shim_buf* out,
                        int* want_marshal);
as_status command_record_out(as_error* err, const as_record* rec, shim_buf* out,
                             int want_marshal);
as_status record_from_packed(as_error* err, as_record* rec, const char* bins, uint32_t size,
                             uint32_t n_bins);
/* shim.c: a put of packed bins (shim.h), shared by the sync and async puts. `async` sends
 * the record (shim_async.c), NULL for the sync put; `udata` is the async put's command. */
typedef struct put_send put_send;
struct put_send {
    aerospike* as;
    const as_policy_write* policy;
    as_key* key;
    void (*async)(as_error* err, as_record* rec, const put_send* send);
    void* udata;
};
as_status put_record(as_error* err, const char* bins, uint32_t size, uint32_t n_bins,
                     uint32_t ttl, uint16_t gen, const put_send* send);
/* shim_batch.c: a batch for the async API (shim_async_batch): its records, parsed from
 * the packed batch (shim.h), and what they own, until batch_job_free. NULL with err set
 * when the packed batch is refused. `cmd` is the async command it belongs to. */
typedef struct batch_job batch_job;
batch_job* batch_job_new(as_error* err, const char* packed, uint32_t size, uint32_t n_records,
                         void* const* policies, uint32_t n_policies, void* cmd);
as_batch_records* batch_job_records(batch_job* job);
void* batch_job_cmd(batch_job* job);
void batch_job_out(batch_job* job, shim_buf* out);  /* the results, as shim_batch writes them */
void batch_job_free(batch_job* job);
/* shim_pickle.c: a pickled dict of plain values -> packed bins (shim.h); false when a value
 * needs the Python packer. `bins` is the caller's to free either way. */
bool pickled_bins(const char* pickled, uint32_t size, int bool_as_bool, shim_buf* bins,
                  uint32_t* n_bins);
