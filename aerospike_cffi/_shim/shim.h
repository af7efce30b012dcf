/*
 * The shim's interface: the few coarse calls aerospike_cffi makes into C.
 * Plain declarations only: build_ffi.py feeds this file to ffi.cdef() as is, and shim.c
 * includes it after the C client headers.
 *
 * Ownership rules
 * - Input pointers (namespace, set, key bytes, packed bins and operations) are borrowed
 *   for the duration of one call; the shim copies nothing it keeps.
 * - Every C client value the shim creates (records, operations, values) is destroyed
 *   before the call returns. Nothing allocated by the C client outlives a call except
 *   what is copied into a shim_buf.
 * - A shim_buf is owned by its Python holder; the shim grows `data` with realloc and
 *   shim_buf_free() releases it. Python reads `len` bytes of `data` after a call.
 *
 * Key arguments (KEY below): ns, set (NULL or ""), ktype (0 digest, 1 integer,
 * 3 string, 4 blob), kdata/klen (string or blob bytes, or the 20-byte digest), kint.
 *
 * Packed bins / operations (input): one item after another, native byte order:
 *   [u8 wire op type (operations only)] u8 name_len, name, u8 particle type,
 *   u32 size (native order), value bytes exactly as the wire particle carries them
 *   (integer and double: 8 bytes big-endian; lists/maps/CDT operations: msgpack).
 *
 * Record output (shim_buf): digest[20], u32 gen, u32 ttl, u32 n_bins, then per bin:
 *   u8 name_len, name, u8 particle type, u32 size, value bytes (same encoding as input;
 *   lists and maps as raw msgpack, particle 0 for nil).
 * In pages of several records (stream pages and chunks, batch results), a bin name equal
 *   to the previous record's at the same position is the single byte 0xFF instead of
 *   u8 name_len + name (a name is at most 15 bytes); so are a stream record's namespace
 *   and set when equal to the previous record's.
 * Marshal form: shim_get, shim_exists and shim_operate read and clear `want_marshal`; when
 *   it was set and every value of the record allows it, they write digest[20] followed by
 *   the record as Python marshal data, (gen, ttl, {bin: value}) (shim_marshal.c), and set
 *   `is_marshal` (cleared otherwise). shim_batch and shim_stream_run read and clear it too
 *   (below). Other calls ignore both fields.
 */

typedef struct shim_buf {
    uint8_t* data;
    size_t len;
    size_t cap;
    int want_marshal;
    int is_marshal;
    /* A buffer the Python holder owns (NULL: none): `data` starts there, moves to the heap
     * when an answer outgrows `home_cap` and comes back at the next shim_*_m call (or
     * shim_buf_free). The shim never reallocs or frees `home`. */
    uint8_t* home;
    size_t home_cap;
} shim_buf;

void shim_buf_free(shim_buf* buf);

int shim_get(aerospike* as, as_error* err, const as_policy_read* policy,
             const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
             const char* bin_names, uint32_t n_bins, shim_buf* out);

int shim_exists(aerospike* as, as_error* err, const as_policy_read* policy,
                const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
                shim_buf* out);

int shim_put(aerospike* as, as_error* err, const as_policy_write* policy,
             const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
             const char* bins, uint32_t bins_size, uint32_t n_bins, uint32_t ttl, uint16_t gen,
             shim_buf* out);

/* shim_put with the bins as a protocol-5 pickle of a dict of plain values (CPython's
 * pickle.dumps; shim_pickle.c). Answers SHIM_NOT_PLAIN, having done nothing, when a value
 * needs the Python packer; else as shim_put. bool_as_bool: send_bool_as is AS_BOOL. */
#define SHIM_NOT_PLAIN 1000
int shim_put_pickled(aerospike* as, as_error* err, const as_policy_write* policy,
                     const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen,
                     int64_t kint, const char* pickled, uint32_t size, int bool_as_bool,
                     uint32_t ttl, uint16_t gen, shim_buf* out);

/* The fast single-record reads with the default policy (records.py get/exists, issue 13).
 * The answer's digest[20] comes first in out; when the record came and its bins dict,
 * {bin: value} (exists: none), sits in out's `home` buffer as marshal data after the
 * digest, the answer is SHIM_FOUND + (ttl << 16) + gen, so that no marshal data carries the
 * meta dict. Otherwise (never 0): SHIM_MARSHAL_HEAP when the marshal data after the digest
 * is ({"ttl": ttl, "gen": gen}, {bin: value}) in `data` (larger than home_cap), SHIM_PACKED
 * when a value needed the packed layout (written to `data` as shim_get does, is_marshal
 * 0), or the error code (exists: 2 when there is no record, digest written).
 * SHIM_FOUND is 1 << 48 (above every error code; ttl is 32 bits and gen 16). */
#define SHIM_PACKED 1001
#define SHIM_MARSHAL_HEAP 1002
#define SHIM_FOUND 281474976710656
int64_t shim_get_f(aerospike* as, as_error* err, const as_policy_read* policy,
                   const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen,
                   int64_t kint, shim_buf* out);
int64_t shim_exists_f(aerospike* as, as_error* err, const as_policy_read* policy,
                      const char* ns, const char* set, int ktype, const char* kdata,
                      uint32_t klen, int64_t kint, shim_buf* out);
/* shim_get_f of an integer key: three arguments fewer to convert with the GIL held, which
 * threads sharing a client wait for (issue 13). */
int64_t shim_get_fi(aerospike* as, as_error* err, const as_policy_read* policy,
                    const char* ns, const char* set, int64_t kint, shim_buf* out);
/* operate's fast form: the answer's digest[20], then the marshal data of its
 * ({"ttl": ttl, "gen": gen}, {bin: value}); answers 0 when that sits in out's `home`
 * buffer, else SHIM_MARSHAL_HEAP / SHIM_PACKED / the error code as the fast reads. */
int shim_operate_m(aerospike* as, as_error* err, const as_policy_operate* policy,
                   const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen,
                   int64_t kint, const char* ops, uint32_t ops_size, uint32_t n_ops,
                   uint32_t ttl, uint16_t gen, shim_buf* out);

int shim_remove(aerospike* as, as_error* err, const as_policy_remove* policy,
                const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
                shim_buf* out);

int shim_operate(aerospike* as, as_error* err, const as_policy_operate* policy,
                 const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
                 const char* ops, uint32_t ops_size, uint32_t n_ops, uint32_t ttl, uint16_t gen,
                 shim_buf* out);

/* Batch: n_records packed records (has_write: some write, apply or remove) -> per record
 * results. Packed record: u8 type (0 read, 1 write, 2 apply, 3 remove), u16 index into
 * `policies` (>= n_policies: none), key (u8 len + namespace, u8 len + set, u8 key type,
 * u32 size + key bytes, int64 integer key), then by type:
 *   read:   u8 read_all_bins, u16 n_bins + (u8 len + name)*, OPS
 *   write:  u32 ttl, u16 gen, OPS          apply: u8 len + module\0, u8 len + function\0,
 *   remove: nothing more                           u32 size + msgpack argument list
 * OPS = u16 n_ops, u32 size, packed operations.
 * Output per record: u32 result, u8 in_doubt, u8 has_record, digest[20], and when
 * has_record the record layout above (without its digest), else the row's error detail:
 * u32 subcode, u16 length + message (length 0: none).
 * Marshal form (want_marshal set and every value allows it; sets is_marshal = 1): one
 * marshal list with per record the tuple (result, in_doubt, digest bytes,
 * {"ttl": ttl, "gen": gen} or None, {bin: value} or (subcode, message bytes or None));
 * the meta is None when the record has no result record, and the pair then follows. One value it cannot express makes the whole batch packed. */
int shim_batch(aerospike* as, as_error* err, const as_policy_batch* policy, int has_write,
               const char* packed, uint32_t size, uint32_t n_records, void* const* policies,
               uint32_t n_policies, shim_buf* out);

/* Scans and queries (shim_stream.c). A stream owns its as_scan / as_query and everything
 * they own; Python owns the stream and frees it with shim_stream_free(). A run fills `out`
 * with one page: per record, u8 len + namespace, u8 len + set, u8 key particle type (0: no
 * stored key), u32 size + key bytes, digest[20], then the record layout (no digest).
 * Marshal form (want_marshal set; sets is_marshal): one marshal list with per record the
 * tuple (namespace, set or None, stored key or None, digest bytes, {"ttl": ttl, "gen": gen},
 * {bin: value}); a record with a value the form cannot express is instead a bytes item
 * holding that record in the packed layout above, and is_marshal is then 2, else 1.
 * Partition status (shim_stream_partitions, and `parts` to resume): per partition
 * u16 part_id, u8 digest set, u8 retry, digest[20], u64 bval (32 bytes, native order). */
typedef struct shim_stream shim_stream;
shim_stream* shim_stream_new(int is_query, const char* ns, const char* set, uint32_t n_predicates);
void shim_stream_free(shim_stream* s);
int shim_stream_select(shim_stream* s, const char* names, uint32_t n_names);
int shim_stream_set(shim_stream* s, int no_bins, uint32_t ttl, uint64_t max_records,
                    uint32_t records_per_second, int paginate);
int shim_stream_ops(as_error* err, shim_stream* s, const char* packed, uint32_t size,
                    uint32_t n_ops);
int shim_stream_where(as_error* err, shim_stream* s, const char* bin, const char* index_name,
                      const uint8_t* exp_bytes, uint32_t exp_size, const char* ctx_base64,
                      int predicate, int index_type, int datatype, int64_t low, int64_t high,
                      const char* value, uint32_t value_size);
int shim_stream_run(aerospike* as, as_error* err, shim_stream* s, const void* policy,
                    uint64_t max_records, const char* node_name, uint32_t begin, uint32_t count,
                    const uint8_t* digest, const uint8_t* parts, uint32_t n_parts, shim_buf* out);
/* foreach: the same run on a thread of its own, handed over in chunks of the page form.
 * shim_stream_start copies what it needs; shim_stream_next waits for the next chunk and
 * returns 1 with it in `out`, 0 once the run ended well (the thread is then joined), -1 with
 * `err` set when it failed (records before the failure come first). shim_stream_stop ends
 * a run early and joins its thread; harmless when no run is going. A running stream
 * neither runs again nor reports partitions reliably until it ended. */
int shim_stream_start(aerospike* as, as_error* err, shim_stream* s, const void* policy,
                      uint64_t max_records, const char* node_name, uint32_t begin,
                      uint32_t count, const uint8_t* digest, const uint8_t* parts,
                      uint32_t n_parts, int want_marshal);
int shim_stream_next(as_error* err, shim_stream* s, shim_buf* out);
void shim_stream_stop(shim_stream* s);
int shim_stream_done(shim_stream* s);
int shim_stream_partitions(shim_stream* s, shim_buf* out);
/* The number of records in the page of the stream's last shim_stream_run (Python makes the
 * page's list at that size). */
uint32_t shim_stream_count(const shim_stream* s);
int shim_stream_background(aerospike* as, as_error* err, shim_stream* s, const void* policy,
                           uint64_t* job_id);
int shim_job_info(aerospike* as, as_error* err, const as_policy_info* policy, const char* module,
                  uint64_t job_id, uint32_t* status_out, uint32_t* progress_out,
                  uint32_t* records_out);

/* Secondary indexes and truncate (shim_admin.c). An index on an expression takes its
 * compiled bytes (exp_bytes), one on a nested element a base64 ctx; a non-zero
 * wait_interval_ms waits until the index is built. */
int shim_index_create(aerospike* as, as_error* err, const as_policy_info* policy, const char* ns,
                      const char* set, const char* bin, const char* name, int index_type,
                      int datatype, const char* ctx_base64, const uint8_t* exp_bytes,
                      uint32_t exp_size, uint32_t wait_interval_ms);
int shim_index_remove(aerospike* as, as_error* err, const as_policy_info* policy, const char* ns,
                      const char* name);
int shim_truncate(aerospike* as, as_error* err, const as_policy_info* policy, const char* ns,
                  const char* set, uint64_t before_nanos);

/* Digest of a key as the C client computes it; returns 0 or an as_status. */
int shim_digest(as_error* err, const char* ns, const char* set, int ktype, const char* kdata,
                uint32_t klen, int64_t kint, uint8_t* digest_out);

/* Info request to one node (by name) or any node (NULL); the answer is copied into out. */
int shim_info(aerospike* as, as_error* err, const as_policy_info* policy, const char* node_name,
              const char* request, shim_buf* out);

/* One line per cluster node into out: "name\taddress\tport\n"; returns the node count. */
int shim_nodes(aerospike* as, shim_buf* out);

/* Route C client log lines at or above `level` to _aerospike_cffi_log (or stop: level < 0). */
void shim_log_enable(int level);

/* Transactions (shim_txn.c). A Transaction owns its as_txn (shim_txn_new, NULL when
 * its tables cannot be allocated) and frees it once with shim_txn_free; commands join it
 * through the `txn` field of their policy's base. Commit / abort set *status to the C
 * client's as_commit_status / as_abort_status and return the as_status. */
struct as_txn* shim_txn_new(uint32_t reads_capacity, uint32_t writes_capacity);
void shim_txn_free(struct as_txn* txn);
void shim_txn_info(struct as_txn* txn, uint64_t* id, int* state, int* in_doubt,
                   uint32_t* timeout);
void shim_txn_set_timeout(struct as_txn* txn, uint32_t timeout);
int shim_txn_commit(aerospike* as, as_error* err, struct as_txn* txn, int* status);
int shim_txn_abort(aerospike* as, as_error* err, struct as_txn* txn, int* status);

/* Security administration (shim_admin.c). Lists are packed as NUL-ended names one after
 * another; privileges as `codes` with "ns\0set\0" per privilege in `scopes`.
 * shim_admin_query (roles 0: users, 1: roles; name NULL: all) writes per user
 *   name, read_info, write_info, conns_in_use, n_roles, role*
 * and per role
 *   name, read_quota, write_quota, n_whitelist, address*, n_privileges, (code, ns, set)*
 * as NUL-ended fields, numbers in decimal text. */
#define SHIM_ADMIN_CREATE_USER 0
#define SHIM_ADMIN_CREATE_PKI_USER 1
#define SHIM_ADMIN_DROP_USER 2
#define SHIM_ADMIN_SET_PASSWORD 3
#define SHIM_ADMIN_CHANGE_PASSWORD 4
#define SHIM_ADMIN_GRANT_ROLES 5
#define SHIM_ADMIN_REVOKE_ROLES 6
#define SHIM_ADMIN_CREATE_ROLE 10
#define SHIM_ADMIN_DROP_ROLE 11
#define SHIM_ADMIN_GRANT_PRIVILEGES 12
#define SHIM_ADMIN_REVOKE_PRIVILEGES 13
#define SHIM_ADMIN_SET_WHITELIST 14
#define SHIM_ADMIN_SET_QUOTAS 15
int shim_admin_user(aerospike* as, as_error* err, const as_policy_admin* policy, int op,
                    const char* user, const char* password, const char* roles, uint32_t n_roles);
int shim_admin_role(aerospike* as, as_error* err, const as_policy_admin* policy, int op,
                    const char* role, const int* codes, const char* scopes,
                    uint32_t n_privileges, const char* whitelist, uint32_t n_whitelist,
                    int read_quota, int write_quota);
int shim_admin_query(aerospike* as, as_error* err, const as_policy_admin* policy, int roles,
                     const char* name, shim_buf* out);

/* Metrics and statistics (shim_metrics.c; layouts there). With listeners, events go to
 * the Python+C callback _aerospike_cffi_metrics(event, handle, ...) with these events;
 * without, the C client writes its metrics files into report_dir. Labels are packed as
 * "name\0value\0" pairs. shim_stats returns non-zero when out of memory. */
#define SHIM_METRICS_ENABLE 0
#define SHIM_METRICS_SNAPSHOT 1
#define SHIM_METRICS_NODE_CLOSE 2
#define SHIM_METRICS_DISABLE 3
int shim_metrics_enable(aerospike* as, as_error* err, const char* report_dir,
                        uint64_t report_size_limit, uint32_t interval, uint8_t latency_columns,
                        uint8_t latency_shift, const char* labels, uint32_t n_labels,
                        int with_listeners, uint64_t handle);
int shim_metrics_disable(aerospike* as, as_error* err);
int shim_stats(aerospike* as, shim_buf* out);
/* The client's name and version in the C client's user agent and metrics files. */
void shim_client_identity(const char* language, const char* version);

/* User-defined functions (shim_udf.c; stream UDFs in shim_stream.c). `args`/`size`: the
 * UDF argument list as one msgpack list (NULL, 0: none). The value a UDF returns comes back
 * as a one-bin record (bin "v"): the record layout above without a digest.
 * shim_udf_list writes per module: u8 type, u8 name_len, name, hash[40] (hex text). */
int shim_apply(aerospike* as, as_error* err, const as_policy_apply* policy,
               const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen,
               int64_t kint, const char* module, const char* function, const uint8_t* args,
               uint32_t args_size, shim_buf* out);
int shim_udf_put(aerospike* as, as_error* err, const as_policy_info* policy, const char* filename,
                 const uint8_t* content, uint32_t size);
int shim_udf_remove(aerospike* as, as_error* err, const as_policy_info* policy,
                    const char* filename);
int shim_udf_get(aerospike* as, as_error* err, const as_policy_info* policy, const char* filename,
                 int udf_type, shim_buf* out);
int shim_udf_list(aerospike* as, as_error* err, const as_policy_info* policy, shim_buf* out);
/* A stream UDF: on a query, run by shim_stream_aggregate (values of the last stage, each a
 * one-bin record as above, in one page) or in the background (shim_stream_background); on a
 * scan, a background record UDF. shim_job_wait waits until a background job completed. */
int shim_stream_apply(as_error* err, shim_stream* s, const char* module, const char* function,
                      const uint8_t* args, uint32_t size);
int shim_stream_aggregate(aerospike* as, as_error* err, shim_stream* s,
                          const as_policy_query* policy, shim_buf* out);
int shim_job_wait(aerospike* as, as_error* err, const as_policy_info* policy, const char* module,
                  uint64_t job_id);
/* Point the C client's process-wide Lua settings (where aggregations load modules) at
 * user_path. */
void shim_lua_configure(const char* user_path);

/* The async path (shim_async.c; aerospike_cffi.aio). shim_async_init creates the C
 * client's event loop thread once per process (before the first async connection). A
 * queue collects finished commands and signals its eventfd (shim_async_queue_fd) when it
 * goes from empty to not empty; shim_async_drain takes up to `max` of them (clearing the
 * fd once it took the last) and shim_async_release frees them after Python read `rc`,
 * `err` and `out` (the sync commands' output layouts, marshal form included; an exists
 * answer of a missing record has rc 2). Submits return 0 once the command is on its way
 * (it then comes back through the queue with `id`), else an error in `err` and nothing
 * comes back; shim_async_put_pickled may answer SHIM_NOT_PLAIN, having done nothing. */
typedef struct shim_async_queue shim_async_queue;
typedef struct shim_async_cmd {
    uint64_t id;
    int rc;
    as_error err;
    shim_buf out;
    int want_marshal;
    shim_async_queue* queue;
    struct shim_async_cmd* next;
    int warming;        /* (shim_async.c) pipelined while the pipeline pools are made */
    void* cluster;      /* (shim_async.c) its as_cluster, when warming */
} shim_async_cmd;

int shim_async_init(as_error* err, uint32_t n_loops);
shim_async_queue* shim_async_queue_new(void);
int shim_async_queue_fd(shim_async_queue* q);
/* conns_per_node != 0 (the cluster's pipe_max_conns_per_node): the queue's single-record
 * commands go pipelined (the C client's pipeline connections), once every node's pipeline
 * pool is made (until then at most conns_per_node at once; the others and batches take the
 * ordinary async pool). Set before the queue's first command. */
void shim_async_queue_pipeline(shim_async_queue* q, uint32_t conns_per_node);
/* 1 once the queue's single-record commands all go pipelined (its pools are made). */
int shim_async_queue_pipelined(shim_async_queue* q);
void shim_async_queue_free(shim_async_queue* q);
uint32_t shim_async_drain(shim_async_queue* q, shim_async_cmd** out, uint32_t max);
void shim_async_release(shim_async_cmd** cmds, uint32_t n);
int shim_async_get(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                   const as_policy_read* policy,
                   const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
                   const char* bin_names, uint32_t n_bins, int want_marshal);
int shim_async_exists(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                      const as_policy_read* policy,
                      const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint);
/* A batch (the packed layout of shim_batch); its answer's `out` holds what shim_batch
 * writes, `rc` the batch's status (the per-record results are kept when it failed). */
int shim_async_batch(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                     const as_policy_batch* policy, int has_write, const char* packed,
                     uint32_t size, uint32_t n_records, void* const* policies,
                     uint32_t n_policies, int want_marshal);
int shim_async_put(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                   const as_policy_write* policy,
                   const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
                   const char* bins, uint32_t bins_size, uint32_t n_bins, uint32_t ttl,
                   uint16_t gen);
int shim_async_put_pickled(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                           const as_policy_write* policy,
                           const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
                           const char* pickled, uint32_t size, int bool_as_bool, uint32_t ttl,
                           uint16_t gen);
int shim_async_remove(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                      const as_policy_remove* policy,
                      const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint);
int shim_async_operate(shim_async_queue* q, uint64_t id, aerospike* as, as_error* err,
                       const as_policy_operate* policy,
                       const char* ns, const char* set, int ktype, const char* kdata, uint32_t klen, int64_t kint,
                       const char* ops, uint32_t ops_size, uint32_t n_ops, uint32_t ttl,
                       uint16_t gen, int want_marshal);

/* operate()'s op list as a protocol-5 pickle of a list of op dicts (CPython's pickle.dumps,
 * as shim_put_pickled) -> `out` holds the packed ops of shim_operate (as records._pack_ops
 * writes them); answers their number, or 0 when an op needs the Python encoder (_ops.py:
 * another op or shape, a bad value, ... see shim_pickle.c). Touches nothing else. */
int shim_pack_ops_pickled(const char* pickled, uint32_t size, int bool_as_bool, shim_buf* out);
/* shim_operate_m of such a pickled op list; SHIM_NOT_PLAIN, having done nothing, when
 * shim_pack_ops_pickled would answer 0. */
int shim_operate_pickled_m(aerospike* as, as_error* err, const as_policy_operate* policy,
                           const char* ns, const char* set, int ktype, const char* kdata,
                           uint32_t klen, int64_t kint, const char* pickled, uint32_t size,
                           int bool_as_bool, uint32_t ttl, uint16_t gen, shim_buf* out);

/* batch_read's keys from a protocol-5 pickle (fast mode) of a list of (namespace, set or
 * None, int64 or str key) tuples -> `out` holds one packed read record per key (the
 * shim_batch layout above), each followed by `body` (what follows the key of a read);
 * answers the number of keys, or -1 when a key is not that plain (Python then packs them:
 * shim_batch_keys.c). Touches nothing else. */
int shim_batch_pack_keys(const char* pickled, uint32_t size, const char* body, uint32_t body_size,
                         shim_buf* out);
