/*
 * The C shim: coarse calls over the Aerospike C client, no Python C-API.
 * Interface and ownership rules: shim.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_info.h>
#include <aerospike/aerospike_key.h>
#include <aerospike/as_address.h>
#include <aerospike/as_cluster.h>
#include <aerospike/as_log.h>
#include <aerospike/as_msgpack.h>
#include <aerospike/as_node.h>
#include <aerospike/as_operations.h>
#include <aerospike/as_record.h>
#include <aerospike/as_serializer.h>

#include "shim.h"
#include "shim_internal.h"

/* Defined by cffi (extern "Python+C" in build_ffi.py): hands one log line to Python. */
extern void _aerospike_cffi_log(int level, const char* func, const char* file, uint32_t line,
                                const char* msg);


/* ------------------------------------------------------------------ output buffer */

void
shim_buf_free(shim_buf* buf)
{
    if (buf->data != buf->home) {
        free(buf->data);
    }
    buf->data = buf->home;
    buf->len = 0;
    buf->cap = buf->home ? buf->home_cap : 0;
}

uint8_t*
buf_reserve(shim_buf* buf, size_t n)
{
    if (buf->len + n > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 256;
        while (cap < buf->len + n) {
            cap *= 2;
        }
        uint8_t* data;
        if (buf->home && buf->data == buf->home) {
            /* Out of the holder's buffer: the heap from here on (see shim.h). */
            data = malloc(cap);
            if (data) {
                memcpy(data, buf->data, buf->len);
            }
        }
        else {
            data = realloc(buf->data, cap);
        }
        if (!data) {
            return NULL;
        }
        buf->data = data;
        buf->cap = cap;
    }
    uint8_t* p = buf->data + buf->len;
    buf->len += n;
    return p;
}

int
buf_put(shim_buf* buf, const void* src, size_t n)
{
    uint8_t* p = buf_reserve(buf, n);
    if (!p) {
        return -1;
    }
    memcpy(p, src, n);
    return 0;
}

int
buf_put_u32(shim_buf* buf, uint32_t v)
{
    return buf_put(buf, &v, 4);
}

int
buf_put_field(shim_buf* buf, const char* s)
{
    s = s ? s : "";
    return buf_put(buf, s, strlen(s) + 1);
}

int
buf_put_number(shim_buf* buf, int64_t v)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)v);
    return buf_put_field(buf, text);
}

/* ------------------------------------------------------------------ keys */

as_status
key_init(as_error* err, as_key* key, KEY_PARAMS)
{
    const char* set_name = set ? set : "";
    as_key* ok = NULL;

    switch (ktype) {
    case 0:
        ok = as_key_init_digest(key, ns, set_name, (const uint8_t*)kdata);
        break;
    case P_INTEGER:
        ok = as_key_init_int64(key, ns, set_name, kint);
        break;
    case P_STRING:
        /* as_key keeps the pointer: kdata outlives the command (borrowed for the call). */
        ok = as_key_init_value(key, ns, set_name, NULL);
        if (ok) {
            as_string_init_wlen((as_string*)&key->value, (char*)kdata, klen, false);
            key->valuep = &key->value;
        }
        break;
    case P_BLOB:
        ok = as_key_init_rawp(key, ns, set_name, (const uint8_t*)kdata, klen, false);
        break;
    default:
        break;
    }
    if (!ok) {
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "Invalid key");
    }
    return AEROSPIKE_OK;
}

static as_status
key_digest_out(as_error* err, as_key* key, shim_buf* out)
{
    as_digest* digest = as_key_digest(key);
    if (!digest) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Cannot compute the key digest");
    }
    if (buf_put(out, digest->value, AS_DIGEST_VALUE_SIZE) != 0) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    return AEROSPIKE_OK;
}

int
shim_digest(as_error* err, KEY_PARAMS, uint8_t* digest_out)
{
    as_error_reset(err);
    as_key key;
    if (key_init(err, &key, ns, set, ktype, kdata, klen, kint) != AEROSPIKE_OK) {
        return err->code;
    }
    as_digest* digest = as_key_digest(&key);
    if (!digest) {
        return as_error_update(err, AEROSPIKE_ERR_PARAM, "Cannot compute the key digest");
    }
    memcpy(digest_out, digest->value, AS_DIGEST_VALUE_SIZE);
    return AEROSPIKE_OK;
}

/* ------------------------------------------------------------------ values in */

bool
read_item(const uint8_t** pp, const uint8_t* end, packed_item* item)
{
    const uint8_t* p = *pp;
    if (p >= end) {
        return false;
    }
    uint8_t name_len = *p++;
    if (name_len >= AS_BIN_NAME_MAX_SIZE || p + name_len + 5 > end) {
        return false;
    }
    memcpy(item->name, p, name_len);
    item->name[name_len] = 0;
    p += name_len;
    item->ptype = *p++;
    memcpy(&item->size, p, 4);
    p += 4;
    if (p + item->size > end) {
        return false;
    }
    if ((item->ptype == P_INTEGER || item->ptype == P_DOUBLE) && item->size != 8) {
        return false;
    }
    item->value = p;
    *pp = p + item->size;
    return true;
}

/* Points `bin` at the item's value. Raw particles travel as typed as_bytes, which the
 * C client writes to the wire as they are (particle type = bytes type). */
void
bin_set_item(as_bin* bin, const packed_item* item)
{
    strcpy(bin->name, item->name);
    switch (item->ptype) {
    case P_NIL:
        bin->valuep = (as_bin_value*)&as_nil;
        return;
    case P_INTEGER: {
        uint64_t v;
        memcpy(&v, item->value, 8);
        as_integer_init((as_integer*)&bin->value, (int64_t)be64toh(v));
        break;
    }
    case P_DOUBLE: {
        uint64_t u;
        double v;
        memcpy(&u, item->value, 8);
        u = be64toh(u);
        memcpy(&v, &u, 8);
        as_double_init((as_double*)&bin->value, v);
        break;
    }
    default: {
        as_bytes* b = (as_bytes*)&bin->value;
        as_bytes_init_wrap(b, (uint8_t*)item->value, item->size, false);
        b->type = (as_bytes_type)item->ptype;
        break;
    }
    }
    bin->valuep = &bin->value;
}

as_status
record_from_packed(as_error* err, as_record* rec, const char* bins, uint32_t size, uint32_t n_bins)
{
    const uint8_t* p = (const uint8_t*)bins;
    const uint8_t* end = p + size;
    for (uint32_t i = 0; i < n_bins; i++) {
        packed_item item;
        if (!read_item(&p, end, &item) || rec->bins.size >= rec->bins.capacity) {
            return as_error_update(err, AEROSPIKE_ERR_PARAM, "Malformed bins");
        }
        bin_set_item(&rec->bins.entries[rec->bins.size++], &item);
    }
    return AEROSPIKE_OK;
}

/* Wire operation type -> as_operator (the C client maps it back when writing).
 * Bit 7 on a CDT op marks a map op: the C client then asks the server to answer every op. */
int
wire_to_operator(uint8_t wire)
{
    switch (wire) {
    case 0x83: return AS_OPERATOR_MAP_READ;
    case 0x84: return AS_OPERATOR_MAP_MODIFY;
    case 1: return AS_OPERATOR_READ;
    case 2: return AS_OPERATOR_WRITE;
    case 3: return AS_OPERATOR_CDT_READ;
    case 4: return AS_OPERATOR_CDT_MODIFY;
    case 5: return AS_OPERATOR_INCR;
    case 7: return AS_OPERATOR_EXP_READ;
    case 8: return AS_OPERATOR_EXP_MODIFY;
    case 9: return AS_OPERATOR_APPEND;
    case 10: return AS_OPERATOR_PREPEND;
    case 11: return AS_OPERATOR_TOUCH;
    case 12: return AS_OPERATOR_BIT_READ;
    case 13: return AS_OPERATOR_BIT_MODIFY;
    case 14: return AS_OPERATOR_DELETE;
    case 15: return AS_OPERATOR_HLL_READ;
    case 16: return AS_OPERATOR_HLL_MODIFY;
    default: return -1;
    }
}

as_status
operations_from_packed(as_error* err, as_operations* ops, const char* packed, uint32_t size,
                       uint32_t n_ops)
{
    const uint8_t* p = (const uint8_t*)packed;
    const uint8_t* end = p + size;
    for (uint32_t i = 0; i < n_ops; i++) {
        if (p >= end || ops->binops.size >= ops->binops.capacity) {
            return as_error_update(err, AEROSPIKE_ERR_PARAM, "Malformed operations");
        }
        int op = wire_to_operator(*p++);
        packed_item item;
        if (op < 0 || !read_item(&p, end, &item)) {
            return as_error_update(err, AEROSPIKE_ERR_PARAM, "Malformed operations");
        }
        as_binop* binop = &ops->binops.entries[ops->binops.size++];
        binop->op = (as_operator)op;
        bin_set_item(&binop->bin, &item);
    }
    return AEROSPIKE_OK;
}

/* ------------------------------------------------------------------ values out */

static int
put_value(shim_buf* out, uint8_t ptype, const void* data, uint32_t size)
{
    if (buf_put(out, &ptype, 1) != 0 || buf_put_u32(out, size) != 0) {
        return -1;
    }
    return size ? buf_put(out, data, size) : 0;
}

static int
put_serialized(shim_buf* out, uint8_t ptype, as_val* val)
{
    /* A list or map the C client deserialized anyway: pack it back into msgpack. */
    as_serializer ser;
    as_msgpack_init(&ser);
    as_buffer buffer;
    as_buffer_init(&buffer);
    int rc = as_serializer_serialize(&ser, val, &buffer) == 0 ? 0 : -1;
    if (rc == 0) {
        rc = put_value(out, ptype, buffer.data, buffer.size);
    }
    as_buffer_destroy(&buffer);
    as_serializer_destroy(&ser);
    return rc;
}

static int
put_val(shim_buf* out, as_val* val)
{
    switch (as_val_type(val)) {
    case AS_BOOLEAN: {
        uint8_t v = as_boolean_get((as_boolean*)val) ? 1 : 0;
        return put_value(out, P_BOOL, &v, 1);
    }
    case AS_INTEGER: {
        uint64_t v = htobe64((uint64_t)as_integer_get((as_integer*)val));
        return put_value(out, P_INTEGER, &v, 8);
    }
    case AS_DOUBLE: {
        double d = as_double_get((as_double*)val);
        uint64_t v;
        memcpy(&v, &d, 8);
        v = htobe64(v);
        return put_value(out, P_DOUBLE, &v, 8);
    }
    case AS_STRING: {
        as_string* s = (as_string*)val;
        return put_value(out, P_STRING, s->value, (uint32_t)as_string_len(s));
    }
    case AS_GEOJSON: {
        as_geojson* g = (as_geojson*)val;
        return put_value(out, P_GEOJSON, g->value, (uint32_t)as_geojson_len(g));
    }
    case AS_BYTES: {
        as_bytes* b = (as_bytes*)val;
        return put_value(out, (uint8_t)b->type, b->value, b->size);
    }
    case AS_LIST:
        return put_serialized(out, P_LIST, val);
    case AS_MAP:
        return put_serialized(out, P_MAP, val);
    default:
        return put_value(out, P_NIL, NULL, 0);
    }
}

as_status
record_out(as_error* err, const as_record* rec, shim_buf* out, page_names* names)
{
    uint16_t n = rec->bins.size;
    if (buf_put_u32(out, rec->gen) != 0 || buf_put_u32(out, rec->ttl) != 0 ||
        buf_put_u32(out, n) != 0) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    for (uint16_t i = 0; i < n; i++) {
        const as_bin* bin = &rec->bins.entries[i];
        int rc;
        if (names && i < names->n && strcmp(names->name[i], bin->name) == 0) {
            uint8_t repeat = NAME_REPEAT;
            rc = buf_put(out, &repeat, 1);
        }
        else {
            uint8_t name_len = (uint8_t)strlen(bin->name);
            rc = buf_put(out, &name_len, 1) != 0 || buf_put(out, bin->name, name_len) != 0;
            if (names && i < BIN_NAMES_MAX) {
                memcpy(names->name[i], bin->name, name_len + 1);
                if (i >= names->n) {
                    names->n = i + 1;
                }
            }
        }
        if (rc != 0 || put_val(out, (as_val*)bin->valuep) != 0) {
            return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        }
    }
    return AEROSPIKE_OK;
}

/* The record of a single-record command: marshal form when asked for and possible. */
as_status
command_record_out(as_error* err, const as_record* rec, shim_buf* out, int want_marshal)
{
    if (want_marshal) {
        size_t mark = out->len;
        int rc = record_marshal(rec, out);
        if (rc == MARSHAL_OK) {
            out->is_marshal = 1;
            return AEROSPIKE_OK;
        }
        if (rc == MARSHAL_NOMEM) {
            return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        }
        out->len = mark;
    }
    return record_out(err, rec, out, NULL);
}

/* ------------------------------------------------------------------ commands */

#define KEY_ARGS ns, set, ktype, kdata, klen, kint

/* What every single-record command does first: reset the error and the output, build the
 * key and write its digest at the start of the output. Returns the caller's marshal wish
 * (see shim_marshal.c) through want_marshal when asked. */
as_status
command_begin(as_error* err, as_key* key, KEY_PARAMS, shim_buf* out, int* want_marshal)
{
    as_error_reset(err);
    out->len = 0;
    if (want_marshal) {
        *want_marshal = out->want_marshal;
    }
    out->want_marshal = out->is_marshal = 0;
    if (key_init(err, key, KEY_ARGS) != AEROSPIKE_OK) {
        return err->code;
    }
    return key_digest_out(err, key, out);
}

int
shim_get(aerospike* as, as_error* err, const as_policy_read* policy, KEY_PARAMS,
         const char* bin_names, uint32_t n_bins, shim_buf* out)
{
    int want_marshal;
    as_key key;
    if (command_begin(err, &key, KEY_ARGS, out, &want_marshal) != AEROSPIKE_OK) {
        return err->code;
    }
    as_record* rec = NULL;
    if (bin_names) {
        /* NUL-separated names -> NULL-terminated array, on the stack. */
        const char** names = alloca(sizeof(char*) * (n_bins + 1));
        const char* p = bin_names;
        for (uint32_t i = 0; i < n_bins; i++) {
            names[i] = p;
            p += strlen(p) + 1;
        }
        names[n_bins] = NULL;
        aerospike_key_select(as, err, policy, &key, names, &rec);
    }
    else {
        aerospike_key_get(as, err, policy, &key, &rec);
    }
    if (err->code == AEROSPIKE_OK) {
        command_record_out(err, rec, out, want_marshal);
    }
    as_record_destroy(rec);
    return err->code;
}

int
shim_exists(aerospike* as, as_error* err, const as_policy_read* policy, KEY_PARAMS, shim_buf* out)
{
    int want_marshal;
    as_key key;
    if (command_begin(err, &key, KEY_ARGS, out, &want_marshal) != AEROSPIKE_OK) {
        return err->code;
    }
    as_record* rec = NULL;
    aerospike_key_exists(as, err, policy, &key, &rec);
    if (err->code == AEROSPIKE_OK) {
        command_record_out(err, rec, out, want_marshal);
    }
    as_record_destroy(rec);
    return err->code;
}

int
shim_put(aerospike* as, as_error* err, const as_policy_write* policy, KEY_PARAMS,
         const char* bins, uint32_t bins_size, uint32_t n_bins, uint32_t ttl, uint16_t gen,
         shim_buf* out)
{
    as_key key;
    if (command_begin(err, &key, KEY_ARGS, out, NULL) != AEROSPIKE_OK) {
        return err->code;
    }
    put_send sender = {as, policy, &key, NULL, NULL};
    return put_record(err, bins, bins_size, n_bins, ttl, gen, &sender);
}

/* The sync put: the record goes out and back before this returns. */
static void
put_sync(as_error* err, as_record* rec, const put_send* send)
{
    aerospike_key_put(send->as, err, send->policy, send->key, rec);
}

/* A put's record, shared by the sync and async puts: n_bins packed bins (shim.h) with the
 * ttl and generation, its bin array on this stack, handed to `send` (which writes it into
 * the command's buffer before returning: the record, and the caller's bytes its values
 * point into, need not outlive this call). Without an async callback, the sync put. */
as_status
put_record(as_error* err, const char* bins, uint32_t size, uint32_t n_bins, uint32_t ttl,
           uint16_t gen, const put_send* send)
{
    as_record rec;
    as_record_inita(&rec, (uint16_t)n_bins);
    rec.ttl = ttl;
    rec.gen = gen;
    if (record_from_packed(err, &rec, bins, size, n_bins) == AEROSPIKE_OK) {
        if (send->async) {
            send->async(err, &rec, send);
        }
        else {
            put_sync(err, &rec, send);
        }
    }
    as_record_destroy(&rec);
    return err->code;
}

int
shim_remove(aerospike* as, as_error* err, const as_policy_remove* policy, KEY_PARAMS, shim_buf* out)
{
    as_key key;
    if (command_begin(err, &key, KEY_ARGS, out, NULL) != AEROSPIKE_OK) {
        return err->code;
    }
    aerospike_key_remove(as, err, policy, &key);
    return err->code;
}

int
shim_operate(aerospike* as, as_error* err, const as_policy_operate* policy, KEY_PARAMS,
             const char* packed_ops, uint32_t ops_size, uint32_t n_ops, uint32_t ttl, uint16_t gen,
             shim_buf* out)
{
    int want_marshal;
    as_key key;
    if (command_begin(err, &key, KEY_ARGS, out, &want_marshal) != AEROSPIKE_OK) {
        return err->code;
    }
    as_operations ops;
    as_operations_inita(&ops, (uint16_t)n_ops);
    ops.ttl = ttl;
    ops.gen = gen;
    as_record* rec = NULL;
    if (operations_from_packed(err, &ops, packed_ops, ops_size, n_ops) == AEROSPIKE_OK) {
        aerospike_key_operate(as, err, policy, &key, &ops, &rec);
        if (err->code == AEROSPIKE_OK && rec) {
            command_record_out(err, rec, out, want_marshal);
        }
    }
    as_record_destroy(rec);
    as_operations_destroy(&ops);
    return err->code;
}

/* ------------------------------------------------------------------ fast reads (shim.h) */

/* Back to the holder's buffer, if the last answer left it. */
static inline void
fast_home(shim_buf* out)
{
    if (out->data != out->home) {
        free(out->data);
        out->data = out->home;
        out->cap = out->home_cap;
    }
}

/* The answer after the digest: (meta, bins) as marshal data, else the packed layout. */
static int
fast_record_out(as_error* err, const as_record* rec, shim_buf* out)
{
    size_t mark = out->len;
    int rc = record_marshal_meta(rec, out);
    if (rc == MARSHAL_OK) {
        return out->data == out->home ? AEROSPIKE_OK : SHIM_MARSHAL_HEAP;
    }
    if (rc == MARSHAL_NOMEM) {
        return as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
    }
    out->len = mark;
    if (record_out(err, rec, out, NULL) != AEROSPIKE_OK) {
        return err->code;
    }
    return SHIM_PACKED;
}

/* shim_get_f / shim_exists_f (shim.h): the common answer carries gen and ttl in the return
 * value, which Python turns into the meta dict for less than marshal.loads builds it. */
static int64_t
fast_read_meta(aerospike* as, as_error* err, const as_policy_read* policy, KEY_PARAMS,
               shim_buf* out, bool header_only)
{
    as_key key;
    fast_home(out);
    if (command_begin(err, &key, KEY_ARGS, out, NULL) != AEROSPIKE_OK) {
        return err->code;
    }
    as_record* rec = NULL;
    int64_t rc = header_only ? aerospike_key_exists(as, err, policy, &key, &rec)
                             : aerospike_key_get(as, err, policy, &key, &rec);
    if (rc == AEROSPIKE_OK) {
        size_t mark = out->len;
        int m = header_only ? MARSHAL_OK : record_marshal_bins(rec, out);
        if (m == MARSHAL_OK && out->data == out->home) {
            rc = SHIM_FOUND + ((int64_t)rec->ttl << 16) + rec->gen;
        }
        else if (m == MARSHAL_NOMEM) {
            rc = as_error_update(err, AEROSPIKE_ERR_CLIENT, "Out of memory");
        }
        else {
            /* Rare (a value the marshal form cannot carry, or an answer larger than the
             * home buffer): the forms that carry the meta themselves (shim.h). */
            out->len = mark;
            rc = fast_record_out(err, rec, out);
        }
    }
    as_record_destroy(rec);
    return rc;
}

int64_t
shim_get_f(aerospike* as, as_error* err, const as_policy_read* policy, KEY_PARAMS,
           shim_buf* out)
{
    return fast_read_meta(as, err, policy, KEY_ARGS, out, false);
}

int64_t
shim_exists_f(aerospike* as, as_error* err, const as_policy_read* policy, KEY_PARAMS,
              shim_buf* out)
{
    return fast_read_meta(as, err, policy, KEY_ARGS, out, true);
}

int64_t
shim_get_fi(aerospike* as, as_error* err, const as_policy_read* policy, const char* ns,
            const char* set, int64_t kint, shim_buf* out)
{
    return fast_read_meta(as, err, policy, ns, set, P_INTEGER, NULL, 0, kint, out, false);
}

int
shim_operate_m(aerospike* as, as_error* err, const as_policy_operate* policy, KEY_PARAMS,
               const char* packed_ops, uint32_t ops_size, uint32_t n_ops, uint32_t ttl,
               uint16_t gen, shim_buf* out)
{
    as_key key;
    fast_home(out);
    if (command_begin(err, &key, KEY_ARGS, out, NULL) != AEROSPIKE_OK) {
        return err->code;
    }
    as_operations ops;
    as_operations_inita(&ops, (uint16_t)n_ops);
    ops.ttl = ttl;
    ops.gen = gen;
    as_record* rec = NULL;
    int rc = operations_from_packed(err, &ops, packed_ops, ops_size, n_ops);
    if (rc == AEROSPIKE_OK) {
        rc = aerospike_key_operate(as, err, policy, &key, &ops, &rec);
        /* No record back (a write-only list): the digest alone, as shim_operate. */
        if (rc == AEROSPIKE_OK && rec) {
            rc = fast_record_out(err, rec, out);
        }
        else if (rc == AEROSPIKE_OK) {
            rc = SHIM_PACKED;
        }
    }
    as_record_destroy(rec);
    as_operations_destroy(&ops);
    return rc;
}

/* ------------------------------------------------------------------ info */

int
shim_info(aerospike* as, as_error* err, const as_policy_info* policy, const char* node_name,
          const char* request, shim_buf* out)
{
    as_error_reset(err);
    out->len = 0;
    char* response = NULL;
    if (node_name) {
        as_node* node = as_node_get_by_name(as->cluster, node_name);
        if (!node) {
            return as_error_update(err, AEROSPIKE_ERR_PARAM, "Invalid node name %s", node_name);
        }
        aerospike_info_node(as, err, policy, node, request, &response);
        as_node_release(node);
    }
    else {
        aerospike_info_any(as, err, policy, request, &response);
    }
    if (err->code == AEROSPIKE_OK && response) {
        buf_put(out, response, strlen(response));
    }
    free(response);
    return err->code;
}

int
shim_nodes(aerospike* as, shim_buf* out)
{
    out->len = 0;
    as_nodes* nodes = as_nodes_reserve(as->cluster);
    for (uint32_t i = 0; i < nodes->size; i++) {
        as_node* node = nodes->array[i];
        as_address* address = as_node_get_address(node);
        char host[AS_IP_ADDRESS_SIZE];
        as_address_short_name((struct sockaddr*)&address->addr, host, sizeof(host));
        char line[AS_IP_ADDRESS_SIZE + AS_NODE_NAME_SIZE + 16];
        int n = snprintf(line, sizeof(line), "%s\t%s\t%u\n", node->name, host,
                         (unsigned)as_address_port((struct sockaddr*)&address->addr));
        buf_put(out, line, (size_t)n);
    }
    uint32_t size = nodes->size;
    as_nodes_release(nodes);
    return (int)size;
}

/* ------------------------------------------------------------------ logging */

static bool
log_to_python(as_log_level level, const char* func, const char* file, uint32_t line,
              const char* fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    _aerospike_cffi_log((int)level, func, file, line, msg);
    return true;
}

void
shim_log_enable(int level)
{
    if (level < 0) {
        as_log_set_callback(NULL);
        return;
    }
    as_log_set_level((as_log_level)level);
    as_log_set_callback(log_to_python);
}
