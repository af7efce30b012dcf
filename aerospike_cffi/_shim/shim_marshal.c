/*
 * A record in the format of Python's marshal module, so that on CPython one call of
 * marshal.loads() builds every Python value of a record in C (no Python C-API here: the
 * format is plain bytes). The result is the tuple (gen, ttl, {bin name: value}).
 *
 * Only values whose Python form is plain are written: int, float, str (valid UTF-8), bytes
 * (blob particles), bool, None, lists, and maps read back as dict whose keys arrive in
 * order (int, str, bytes or float keys, ascending). Anything else (GeoJSON, HLL, Python
 * blobs, key-ordered maps, maps the Python decoder would sort, ...) makes record_marshal()
 * answer MARSHAL_FALLBACK: the caller then writes the packed layout, decoded by
 * aerospike_cffi._marshal.Unpacker, which stays the one definition of the data mapping.
 *
 * Marshal codes used (stable since Python 3.4, read by CPython and PyPy): N None, T True,
 * F False, i int32, l long (15-bit digits), g binary double, s bytes, z/a ASCII str,
 * u UTF-8 str, ( tuple, [ list, { dict (ended by 0). In pages (batch results, stream
 * records) the strings that repeat from record to record (namespace, set, meta keys, bin
 * names, map keys) are written once with FLAG_REF and then as references ('r' + index):
 * the loader builds each once and the dicts get keys whose hash is already known.
 */
#include <string.h>
#include <endian.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_batch.h>
#include <aerospike/as_operations.h>
#include <aerospike/as_record.h>

#include "shim.h"
#include "shim_internal.h"

#define MAX_DEPTH 64

typedef struct reader {
    cursor in;
    marshal_refs* refs;  /* NULL: no references */
    bool as_key;         /* reading a map key */
} reader;

#define FLAG_REF 0x80

/* buf_reserve/buf_put with the room check inline: the writers below run a dozen times per
 * record, and the call into shim.c cost more than the copy (issue 13). */
static inline uint8_t*
m_reserve(shim_buf* out, size_t n)
{
    if (out->len + n <= out->cap) {
        uint8_t* p = out->data + out->len;
        out->len += n;
        return p;
    }
    return buf_reserve(out, n);
}

static inline int
m_put(shim_buf* out, const void* src, size_t n)
{
    uint8_t* p = m_reserve(out, n);
    if (!p) {
        return -1;
    }
    memcpy(p, src, n);
    return 0;
}

/* What a map key is, to tell whether the keys of a map arrive in order. */
enum { K_OTHER, K_INT, K_UINT, K_STR, K_BYTES, K_FLOAT, K_EXT };

typedef struct scalar {
    int kind;
    int64_t i;          /* K_INT; K_EXT: the ext type */
    uint64_t u;         /* K_UINT: above INT64_MAX */
    double d;
    const uint8_t* s;   /* K_STR, K_BYTES */
    uint32_t n;
} scalar;

/* ------------------------------------------------------------------ writers */

static int
w_byte(shim_buf* out, uint8_t c)
{
    return m_put(out, &c, 1);
}

static int
w_code_u32(shim_buf* out, uint8_t code, uint32_t v)
{
    uint8_t* p = m_reserve(out, 5);
    if (!p) {
        return MARSHAL_NOMEM;
    }
    p[0] = code;
    v = htole32(v);
    memcpy(p + 1, &v, 4);
    return 0;
}

/* An int: 'i' when it fits 32 bits, else 'l' with 15-bit digits, least significant first. */
static int
w_int(shim_buf* out, bool negative, uint64_t magnitude)
{
    if (magnitude <= (negative ? 0x80000000u : 0x7FFFFFFFu)) {
        int64_t v = negative ? -(int64_t)magnitude : (int64_t)magnitude;
        return w_code_u32(out, 'i', (uint32_t)(int32_t)v);
    }
    uint16_t digits[5];
    int n = 0;
    while (magnitude) {
        digits[n++] = htole16((uint16_t)(magnitude & 0x7FFF));
        magnitude >>= 15;
    }
    if (w_code_u32(out, 'l', (uint32_t)(negative ? -n : n)) != 0) {
        return MARSHAL_NOMEM;
    }
    return m_put(out, digits, (size_t)n * 2);
}

static int
w_int64(shim_buf* out, int64_t v)
{
    return v < 0 ? w_int(out, true, (uint64_t)(-(v + 1)) + 1) : w_int(out, false, (uint64_t)v);
}

static int
w_double(shim_buf* out, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    u = htole64(u);
    return w_byte(out, 'g') != 0 ? MARSHAL_NOMEM : m_put(out, &u, 8);
}

bool
utf8_valid(const uint8_t* s, uint32_t n, bool* ascii)
{
    const uint8_t* end = s + n;
    bool only_ascii = true;
    /* ASCII eight bytes at a time first: most names and strings are. */
    while (end - s >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        if (w & 0x8080808080808080ULL) {
            break;
        }
        s += 8;
    }
    while (s < end) {
        uint8_t c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        only_ascii = false;
        int more;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        }
        else {
            return false;
        }
        if (end - s <= more || s[1] < lo || s[1] > hi) {
            return false;
        }
        for (int k = 2; k <= more; k++) {
            if ((s[k] & 0xC0) != 0x80) {
                return false;
            }
        }
        s += more + 1;
    }
    if (ascii) {
        *ascii = only_ascii;
    }
    return true;
}

static int
w_str(shim_buf* out, const uint8_t* s, uint32_t n)
{
    bool ascii;
    if (!utf8_valid(s, n, &ascii)) {
        return MARSHAL_FALLBACK;
    }
    int rc;
    if (ascii && n < 256) {
        uint8_t head[2] = {'z', (uint8_t)n};
        rc = m_put(out, head, 2);
    }
    else {
        rc = w_code_u32(out, ascii ? 'a' : 'u', n);
    }
    return rc != 0 ? MARSHAL_NOMEM : m_put(out, s, n);
}

/* A string to share: a reference once known, else written with FLAG_REF and remembered
 * (refs->n is the loader's index of the next flagged object; only strings get flagged). */
static int
w_str_ref(shim_buf* out, marshal_refs* refs, const uint8_t* s, uint32_t n)
{
    if (!refs || n > MARSHAL_REF_LEN) {
        return w_str(out, s, n);
    }
    uint32_t k = refs->next;
    if (k < refs->n && refs->len[k] == n && memcmp(refs->text[k], s, n) == 0) {
        refs->next = k + 1;
        return w_code_u32(out, 'r', k);
    }
    for (k = 0; k < refs->n; k++) {
        if (refs->len[k] == n && memcmp(refs->text[k], s, n) == 0) {
            refs->next = k + 1;
            return w_code_u32(out, 'r', k);
        }
    }
    size_t at = out->len;
    int rc = w_str(out, s, n);
    if (rc == 0 && refs->n < MARSHAL_REF_MAX) {
        out->data[at] |= FLAG_REF;
        memcpy(refs->text[refs->n], s, n);
        refs->len[refs->n++] = (uint8_t)n;
        refs->next = refs->n;
    }
    return rc;
}

static int
w_bytes(shim_buf* out, const uint8_t* s, uint32_t n)
{
    return w_code_u32(out, 's', n) != 0 ? MARSHAL_NOMEM : m_put(out, s, n);
}

/* ------------------------------------------------------------------ msgpack -> marshal */

static int value(reader* r, shim_buf* out, int depth, scalar* sc);

/* A msgpack str/bin: particle type byte, then the bytes (Unpacker._raw). */
static int
raw(reader* r, shim_buf* out, uint32_t n, scalar* sc)
{
    const uint8_t* at;
    if (!cursor_take(&r->in, n, &at)) {
        return MARSHAL_FALLBACK;
    }
    if (n == 0) {
        sc->kind = K_STR;
        sc->s = at;
        sc->n = 0;
        return w_str(out, at, 0);
    }
    sc->s = at + 1;
    sc->n = n - 1;
    if (at[0] == P_STRING) {
        sc->kind = K_STR;
        return r->as_key ? w_str_ref(out, r->refs, at + 1, n - 1) : w_str(out, at + 1, n - 1);
    }
    if (at[0] == P_BLOB) {
        sc->kind = K_BYTES;
        return w_bytes(out, at + 1, n - 1);
    }
    return MARSHAL_FALLBACK;
}

/* A list, exts as None; a list's own first ext (its order flags) is left out. */
static int
list(reader* r, shim_buf* out, uint32_t n, int depth, bool is_list)
{
    size_t head = out->len;
    if (w_code_u32(out, '[', n) != 0) {
        return MARSHAL_NOMEM;
    }
    uint32_t count = 0;
    for (uint32_t k = 0; k < n; k++) {
        scalar sc;
        int rc = value(r, out, depth + 1, &sc);
        if (rc != 0) {
            return rc;
        }
        if (sc.kind == K_EXT) {
            if (k == 0 && is_list) {
                continue;
            }
            if (w_byte(out, 'N') != 0) {
                return MARSHAL_NOMEM;
            }
        }
        count++;
    }
    count = htole32(count);
    memcpy(out->data + head + 1, &count, 4);
    return 0;
}

/* Whether `k` sorts after `prev` as the Python decoder checks it (same type, prev < k). */
static bool
in_order(const scalar* prev, const scalar* k)
{
    bool prev_int = prev->kind == K_INT || prev->kind == K_UINT;
    bool k_int = k->kind == K_INT || k->kind == K_UINT;
    if (prev_int && k_int) {
        if (prev->kind == K_UINT || k->kind == K_UINT) {
            return prev->kind == K_INT || (k->kind == K_UINT && prev->u < k->u);
        }
        return prev->i < k->i;
    }
    if (prev->kind != k->kind) {
        return false;
    }
    if (k->kind == K_FLOAT) {
        return prev->d < k->d;
    }
    if (k->kind == K_STR || k->kind == K_BYTES) {
        /* UTF-8 byte order is code point order. */
        uint32_t n = prev->n < k->n ? prev->n : k->n;
        int c = n ? memcmp(prev->s, k->s, n) : 0;
        return c < 0 || (c == 0 && prev->n < k->n);
    }
    return false;
}

/* A map: a dict when its keys are in order, a flat [k, v, ...] list for the "preserve
 * order" flag; key-ordered maps and anything the Python decoder would reorder: fallback. */
static int
map(reader* r, shim_buf* out, uint32_t n, int depth)
{
    int rc;
    if (n) {
        /* A first ext key is the map's flags pair (flags ext, nil): peek at it. */
        const uint8_t* start = r->in.p;
        size_t mark = out->len;
        scalar first, ignored;
        if ((rc = value(r, out, depth + 1, &first)) != 0) {
            return rc;
        }
        if (first.kind == K_EXT) {
            if ((rc = value(r, out, depth + 1, &ignored)) != 0) {
                return rc;
            }
            out->len = mark;
            n--;
            if (first.i & 0x08) {
                return list(r, out, 2 * n, depth, false);
            }
            if (first.i == 0x01) {
                return MARSHAL_FALLBACK;  /* a KeyOrderedDict */
            }
        }
        else {
            r->in.p = start;
            out->len = mark;
        }
    }
    if (w_byte(out, '{') != 0) {
        return MARSHAL_NOMEM;
    }
    scalar prev = {0};
    for (uint32_t k = 0; k < n; k++) {
        scalar key, val;
        r->as_key = true;
        rc = value(r, out, depth + 1, &key);
        r->as_key = false;
        if (rc != 0) {
            return rc;
        }
        if (key.kind == K_EXT || key.kind == K_OTHER || (k > 0 && !in_order(&prev, &key))) {
            return MARSHAL_FALLBACK;
        }
        prev = key;
        if ((rc = value(r, out, depth + 1, &val)) != 0) {
            return rc;
        }
        if (val.kind == K_EXT && w_byte(out, 'N') != 0) {
            return MARSHAL_NOMEM;
        }
    }
    return w_byte(out, '0');
}

/* One msgpack value as marshal (nothing written for an ext: sc->kind K_EXT says so). */
static int
value(reader* r, shim_buf* out, int depth, scalar* sc)
{
    const uint8_t* at;
    uint64_t v;
    sc->kind = K_OTHER;
    if (depth > MAX_DEPTH || !cursor_take(&r->in, 1, &at)) {
        return MARSHAL_FALLBACK;
    }
    uint8_t b = *at;
    if (b < 0x80 || b >= 0xE0) {
        sc->kind = K_INT;
        sc->i = b < 0x80 ? b : (int64_t)b - 0x100;
        return w_int64(out, sc->i);
    }
    if (b < 0x90) {
        return map(r, out, b & 0x0F, depth);
    }
    if (b < 0xA0) {
        return list(r, out, b & 0x0F, depth, true);
    }
    if (b < 0xC0) {
        return raw(r, out, b & 0x1F, sc);
    }
    switch (b) {
    case 0xC0:
        return w_byte(out, 'N');
    case 0xC2:
        return w_byte(out, 'F');
    case 0xC3:
        return w_byte(out, 'T');
    case 0xC4: case 0xD9:
        return cursor_uint(&r->in, 1, true, &v) ? raw(r, out, (uint32_t)v, sc) : MARSHAL_FALLBACK;
    case 0xC5: case 0xDA:
        return cursor_uint(&r->in, 2, true, &v) ? raw(r, out, (uint32_t)v, sc) : MARSHAL_FALLBACK;
    case 0xC6: case 0xDB:
        return cursor_uint(&r->in, 4, true, &v) ? raw(r, out, (uint32_t)v, sc) : MARSHAL_FALLBACK;
    case 0xCC: case 0xCD: case 0xCE: case 0xCF:
        if (!cursor_uint(&r->in, 1u << (b - 0xCC), true, &v)) {
            return MARSHAL_FALLBACK;
        }
        if (v > INT64_MAX) {
            sc->kind = K_UINT;
            sc->u = v;
            return w_int(out, false, v);
        }
        sc->kind = K_INT;
        sc->i = (int64_t)v;
        return w_int64(out, sc->i);
    case 0xD0: case 0xD1: case 0xD2: case 0xD3: {
        uint32_t size = 1u << (b - 0xD0);
        if (!cursor_uint(&r->in, size, true, &v)) {
            return MARSHAL_FALLBACK;
        }
        if (size < 8 && (v >> (size * 8 - 1))) {
            v |= ~0ULL << (size * 8);  /* sign-extend */
        }
        sc->kind = K_INT;
        sc->i = (int64_t)v;
        return w_int64(out, sc->i);
    }
    case 0xCA: {
        float f;
        uint32_t u;
        if (!cursor_uint(&r->in, 4, true, &v)) {
            return MARSHAL_FALLBACK;
        }
        u = (uint32_t)v;
        memcpy(&f, &u, 4);
        sc->kind = K_FLOAT;
        sc->d = f;
        return w_double(out, sc->d);
    }
    case 0xCB:
        if (!cursor_uint(&r->in, 8, true, &v)) {
            return MARSHAL_FALLBACK;
        }
        memcpy(&sc->d, &v, 8);
        sc->kind = K_FLOAT;
        return w_double(out, sc->d);
    case 0xDC: case 0xDD:
        if (!cursor_uint(&r->in, b == 0xDC ? 2 : 4, true, &v)) {
            return MARSHAL_FALLBACK;
        }
        return list(r, out, (uint32_t)v, depth, true);
    case 0xDE: case 0xDF:
        if (!cursor_uint(&r->in, b == 0xDE ? 2 : 4, true, &v)) {
            return MARSHAL_FALLBACK;
        }
        return map(r, out, (uint32_t)v, depth);
    default:
        break;
    }
    /* Ext families: fixext 1..16 (D4-D8), ext 8/16/32 (C7-C9). */
    uint32_t size;
    if (b >= 0xD4 && b <= 0xD8) {
        size = 1u << (b - 0xD4);
    }
    else if (b >= 0xC7 && b <= 0xC9) {
        if (!cursor_uint(&r->in, 1u << (b - 0xC7), true, &v)) {
            return MARSHAL_FALLBACK;
        }
        size = (uint32_t)v;
    }
    else {
        return MARSHAL_FALLBACK;  /* not msgpack: the Python decoder reports it */
    }
    if (!cursor_take(&r->in, 1, &at)) {
        return MARSHAL_FALLBACK;
    }
    sc->kind = K_EXT;
    sc->i = *at;
    return cursor_take(&r->in, size, &at) ? 0 : MARSHAL_FALLBACK;
}

/* ------------------------------------------------------------------ records */

/* One bin value (Unpacker.particle). */
static int
bin_value(shim_buf* out, marshal_refs* refs, const as_val* val)
{
    switch (as_val_type(val)) {
    case AS_NIL:
        return w_byte(out, 'N');
    case AS_BOOLEAN:
        return w_byte(out, as_boolean_get((const as_boolean*)val) ? 'T' : 'F');
    case AS_INTEGER:
        return w_int64(out, as_integer_get((const as_integer*)val));
    case AS_DOUBLE:
        return w_double(out, as_double_get((const as_double*)val));
    case AS_STRING: {
        const as_string* s = (const as_string*)val;
        return w_str(out, (const uint8_t*)s->value, (uint32_t)as_string_len((as_string*)s));
    }
    case AS_BYTES: {
        const as_bytes* b = (const as_bytes*)val;
        int ptype = (int)b->type;
        if (ptype == P_BLOB) {
            return w_bytes(out, b->value, b->size);
        }
        if (ptype == P_MAP || ptype == P_LIST) {
            reader r = {{b->value, b->value + b->size}, refs, false};
            scalar sc;
            int rc = value(&r, out, 0, &sc);
            return rc == 0 && sc.kind == K_EXT ? MARSHAL_FALLBACK : rc;
        }
        return MARSHAL_FALLBACK;
    }
    default:
        return MARSHAL_FALLBACK;
    }
}

/* The bins of a record as a dict {name: value}. */
static int
bins_dict(const as_record* rec, marshal_refs* refs, shim_buf* out)
{
    if (w_byte(out, '{') != 0) {
        return MARSHAL_NOMEM;
    }
    for (uint16_t i = 0; i < rec->bins.size; i++) {
        const as_bin* bin = &rec->bins.entries[i];
        int rc = w_str_ref(out, refs, (const uint8_t*)bin->name, (uint32_t)strlen(bin->name));
        if (rc == 0) {
            rc = bin_value(out, refs, (const as_val*)bin->valuep);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return w_byte(out, '0');
}

/* The meta dict of a result, {"ttl": ttl, "gen": gen}, then the bins dict. */
static int
meta_and_bins(const as_record* rec, marshal_refs* refs, shim_buf* out)
{
    if (w_byte(out, '{') != 0 || w_str_ref(out, refs, (const uint8_t*)"ttl", 3) != 0 ||
        w_int64(out, rec->ttl) != 0 || w_str_ref(out, refs, (const uint8_t*)"gen", 3) != 0 ||
        w_int64(out, rec->gen) != 0 || w_byte(out, '0') != 0) {
        return MARSHAL_NOMEM;
    }
    return bins_dict(rec, refs, out);
}

int
record_marshal(const as_record* rec, shim_buf* out)
{
    if (w_code_u32(out, '(', 3) != 0 || w_int64(out, rec->gen) != 0 ||
        w_int64(out, rec->ttl) != 0) {
        return MARSHAL_NOMEM;
    }
    return bins_dict(rec, NULL, out);
}

int
record_marshal_meta(const as_record* rec, shim_buf* out)
{
    if (w_code_u32(out, '(', 2) != 0) {
        return MARSHAL_NOMEM;
    }
    return meta_and_bins(rec, NULL, out);
}

int
record_marshal_bins(const as_record* rec, shim_buf* out)
{
    return bins_dict(rec, NULL, out);
}

/* ------------------------------------------------------------------ pages */

int
marshal_sized_begin(shim_buf* out, uint8_t code)
{
    return w_code_u32(out, code, 0);
}

void
marshal_sized_end(shim_buf* out, size_t head, uint32_t n)
{
    n = htole32(n);
    memcpy(out->data + head + 1, &n, 4);
}

int
batch_result_marshal(const as_batch_base_record* rec, marshal_refs* refs, shim_buf* out)
{
    bool has_record = rec->result == AEROSPIKE_OK;
    if (w_code_u32(out, '(', 5) != 0 || w_int64(out, rec->result) != 0 ||
        w_byte(out, rec->in_doubt ? 'T' : 'F') != 0 ||
        w_bytes(out, as_key_digest((as_key*)&rec->key)->value, AS_DIGEST_VALUE_SIZE) != 0) {
        return MARSHAL_NOMEM;
    }
    if (!has_record) {
        /* No record: (subcode, message bytes or None) in the bins' place. */
        if (w_byte(out, 'N') != 0 || w_code_u32(out, '(', 2) != 0 ||
            w_int64(out, rec->subcode) != 0) {
            return MARSHAL_NOMEM;
        }
        if (!rec->message) {
            return w_byte(out, 'N');
        }
        return w_bytes(out, (const uint8_t*)rec->message, (uint32_t)strlen(rec->message));
    }
    return meta_and_bins(&rec->record, refs, out);
}

/* The stored key of a record as the Python decoder reads it (None when not stored). */
static int
key_value(shim_buf* out, const as_val* v)
{
    if (!v) {
        return w_byte(out, 'N');
    }
    switch (as_val_type(v)) {
    case AS_INTEGER:
        return w_int64(out, as_integer_get((const as_integer*)v));
    case AS_STRING: {
        const as_string* s = (const as_string*)v;
        return w_str(out, (const uint8_t*)s->value, (uint32_t)as_string_len((as_string*)s));
    }
    case AS_BYTES: {
        const as_bytes* b = (const as_bytes*)v;
        return w_bytes(out, b->value, b->size);
    }
    default:
        return w_byte(out, 'N');
    }
}

int
stream_record_marshal(const as_record* rec, marshal_refs* refs, shim_buf* out)
{
    const as_key* key = &rec->key;
    size_t set_len = strlen(key->set);
    int rc;
    if (w_code_u32(out, '(', 6) != 0) {
        return MARSHAL_NOMEM;
    }
    if ((rc = w_str_ref(out, refs, (const uint8_t*)key->ns, (uint32_t)strlen(key->ns))) != 0) {
        return rc;
    }
    rc = set_len ? w_str_ref(out, refs, (const uint8_t*)key->set, (uint32_t)set_len)
                 : w_byte(out, 'N');
    if (rc != 0 || (rc = key_value(out, (const as_val*)key->valuep)) != 0) {
        return rc;
    }
    if (w_bytes(out, key->digest.value, AS_DIGEST_VALUE_SIZE) != 0) {
        return MARSHAL_NOMEM;
    }
    return meta_and_bins(rec, refs, out);
}
