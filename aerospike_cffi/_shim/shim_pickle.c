/*
 * put() with its bins given as pickle data: on CPython, pickle.dumps (protocol 5) walks the
 * bins dict in C, and this file turns the pickle into the packed bins layout of shim.h
 * (msgpack for lists and maps), so a put runs no Python packing code.
 *
 * Python pickles with a reducer_override that refuses every object pickle does not write
 * by itself, so only these reach here: dict, list, str, bytes, bytearray, int, float, bool,
 * None (and tuples/sets, refused here). Anything this file cannot write exactly as
 * aerospike_cffi._marshal.Packer writes it (int64 overflow, invalid UTF-8, long bin names,
 * shared containers, ...) answers SHIM_NOT_PLAIN: Python then packs the bins itself, and
 * Packer stays the one definition of the data mapping (and of its errors).
 */
#include <stdlib.h>
#include <string.h>
#include <endian.h>

#include <aerospike/aerospike.h>
#include <aerospike/aerospike_key.h>
#include <aerospike/as_operations.h>
#include <aerospike/as_record.h>

#include "shim.h"
#include "shim_internal.h"

#define MAX_DEPTH 64

enum { N_NONE, N_BOOL, N_INT, N_FLOAT, N_STR, N_BYTES, N_LIST, N_DICT };

typedef struct node {
    uint8_t kind;
    int64_t i;              /* N_INT, N_BOOL */
    double d;               /* N_FLOAT */
    const uint8_t* s;       /* N_STR, N_BYTES */
    uint32_t n;             /* N_STR, N_BYTES: size; N_LIST, N_DICT: children */
    int32_t first, last;    /* children of a container, linked by `next` */
    int32_t next;
} node;

typedef struct parser {
    cursor in;
    node* nodes;
    uint32_t n_nodes, nodes_cap;
    int32_t* stack;
    uint32_t sp, stack_cap;
    uint32_t* marks;
    uint32_t n_marks, marks_cap;
    int32_t* memo;
    uint32_t n_memo, memo_cap;
} parser;

static bool
grow(void** array, uint32_t* cap, uint32_t need, size_t elem)
{
    if (need <= *cap) {
        return true;
    }
    uint32_t n = *cap ? *cap * 2 : 32;
    while (n < need) {
        n *= 2;
    }
    void* p = realloc(*array, n * elem);
    if (!p) {
        return false;
    }
    *array = p;
    *cap = n;
    return true;
}

static int32_t
new_node(parser* ps, uint8_t kind)
{
    if (!grow((void**)&ps->nodes, &ps->nodes_cap, ps->n_nodes + 1, sizeof(node)) ||
        !grow((void**)&ps->stack, &ps->stack_cap, ps->sp + 1, sizeof(int32_t))) {
        return -1;
    }
    node* nd = &ps->nodes[ps->n_nodes];
    memset(nd, 0, sizeof(*nd));
    nd->kind = kind;
    nd->first = nd->last = nd->next = -1;
    ps->stack[ps->sp++] = (int32_t)ps->n_nodes;
    return (int32_t)ps->n_nodes++;
}

static bool
push_span(parser* ps, uint8_t kind, uint64_t n)
{
    const uint8_t* at;
    if (n > UINT32_MAX || !cursor_take(&ps->in, n, &at)) {
        return false;
    }
    int32_t id = new_node(ps, kind);
    if (id < 0) {
        return false;
    }
    ps->nodes[id].s = at;
    ps->nodes[id].n = (uint32_t)n;
    return true;
}

static bool
push_int(parser* ps, uint8_t kind, int64_t v)
{
    int32_t id = new_node(ps, kind);
    if (id < 0) {
        return false;
    }
    ps->nodes[id].i = v;
    return true;
}

/* Moves the stack items above `from` into container `c` as its children. */
static bool
adopt(parser* ps, uint32_t from, uint8_t kind)
{
    if (from == 0 || from > ps->sp) {
        return false;
    }
    node* c = &ps->nodes[ps->stack[from - 1]];
    if (c->kind != kind || (kind == N_DICT && (ps->sp - from) % 2)) {
        return false;
    }
    for (uint32_t k = from; k < ps->sp; k++) {
        int32_t id = ps->stack[k];
        if (c->last < 0) {
            c->first = id;
        }
        else {
            ps->nodes[c->last].next = id;
        }
        c->last = id;
        c->n++;
    }
    ps->sp = from;
    return true;
}

/* Parses the pickle into ps->nodes; the root (the bins dict) is ps->stack[0]. */
static bool
parse(parser* ps)
{
    uint64_t v;
    const uint8_t* at;
    while (cursor_take(&ps->in, 1, &at)) {
        switch (*at) {
        case 0x80:  /* PROTO */
            if (!cursor_take(&ps->in, 1, &at)) return false;
            break;
        case 0x95:  /* FRAME */
            if (!cursor_take(&ps->in, 8, &at)) return false;
            break;
        case '}':
            if (new_node(ps, N_DICT) < 0) return false;
            break;
        case ']':
            if (new_node(ps, N_LIST) < 0) return false;
            break;
        case '(':   /* MARK */
            if (!grow((void**)&ps->marks, &ps->marks_cap, ps->n_marks + 1, sizeof(uint32_t))) {
                return false;
            }
            ps->marks[ps->n_marks++] = ps->sp;
            break;
        case 'u':   /* SETITEMS */
        case 'e':   /* APPENDS */
            if (ps->n_marks == 0 || !adopt(ps, ps->marks[--ps->n_marks], *at == 'u' ? N_DICT : N_LIST)) {
                return false;
            }
            break;
        case 's':   /* SETITEM */
            if (ps->sp < 3 || !adopt(ps, ps->sp - 2, N_DICT)) return false;
            break;
        case 'a':   /* APPEND */
            if (ps->sp < 2 || !adopt(ps, ps->sp - 1, N_LIST)) return false;
            break;
        case 0x94:  /* MEMOIZE */
            if (ps->sp == 0 ||
                !grow((void**)&ps->memo, &ps->memo_cap, ps->n_memo + 1, sizeof(int32_t))) {
                return false;
            }
            ps->memo[ps->n_memo++] = ps->stack[ps->sp - 1];
            break;
        case 'h':   /* BINGET */
        case 'j': { /* LONG_BINGET */
            if (!cursor_uint(&ps->in, *at == 'h' ? 1 : 4, false, &v) || v >= ps->n_memo) return false;
            node shared = ps->nodes[ps->memo[v]];
            if (shared.kind == N_LIST || shared.kind == N_DICT) {
                return false;  /* a container twice (or a cycle): Python decides */
            }
            int32_t id = new_node(ps, shared.kind);
            if (id < 0) return false;
            ps->nodes[id] = shared;
            ps->nodes[id].next = -1;
            break;
        }
        case 0x8c:  /* SHORT_BINUNICODE */
            if (!cursor_uint(&ps->in, 1, false, &v) || !push_span(ps, N_STR, v)) return false;
            break;
        case 'X':   /* BINUNICODE */
            if (!cursor_uint(&ps->in, 4, false, &v) || !push_span(ps, N_STR, v)) return false;
            break;
        case 0x8d:  /* BINUNICODE8 */
            if (!cursor_uint(&ps->in, 8, false, &v) || !push_span(ps, N_STR, v)) return false;
            break;
        case 'C':   /* SHORT_BINBYTES */
            if (!cursor_uint(&ps->in, 1, false, &v) || !push_span(ps, N_BYTES, v)) return false;
            break;
        case 'B':   /* BINBYTES */
            if (!cursor_uint(&ps->in, 4, false, &v) || !push_span(ps, N_BYTES, v)) return false;
            break;
        case 0x8e:  /* BINBYTES8 */
        case 0x96:  /* BYTEARRAY8 */
            if (!cursor_uint(&ps->in, 8, false, &v) || !push_span(ps, N_BYTES, v)) return false;
            break;
        case 'K':   /* BININT1 */
            if (!cursor_uint(&ps->in, 1, false, &v) || !push_int(ps, N_INT, (int64_t)v)) return false;
            break;
        case 'M':   /* BININT2 */
            if (!cursor_uint(&ps->in, 2, false, &v) || !push_int(ps, N_INT, (int64_t)v)) return false;
            break;
        case 'J':   /* BININT */
            if (!cursor_uint(&ps->in, 4, false, &v) || !push_int(ps, N_INT, (int64_t)(int32_t)(uint32_t)v)) {
                return false;
            }
            break;
        case 0x8a: { /* LONG1: little-endian two's complement, up to 8 bytes here */
            uint64_t n;
            if (!cursor_uint(&ps->in, 1, false, &n) || n > 8 || !cursor_uint(&ps->in, (uint32_t)n, false, &v)) return false;
            if (n > 0 && n < 8 && (v >> (n * 8 - 1)) & 1) {
                v |= ~0ULL << (n * 8);  /* sign-extend */
            }
            if (!push_int(ps, N_INT, (int64_t)v)) return false;
            break;
        }
        case 'G': { /* BINFLOAT: big-endian double */
            if (!cursor_take(&ps->in, 8, &at)) return false;
            uint64_t u;
            memcpy(&u, at, 8);
            u = be64toh(u);
            int32_t id = new_node(ps, N_FLOAT);
            if (id < 0) return false;
            memcpy(&ps->nodes[id].d, &u, 8);
            break;
        }
        case 'N':
            if (new_node(ps, N_NONE) < 0) return false;
            break;
        case 0x88:  /* NEWTRUE */
        case 0x89:  /* NEWFALSE */
            if (!push_int(ps, N_BOOL, *at == 0x88)) return false;
            break;
        case '.':   /* STOP */
            return ps->sp == 1 && ps->n_marks == 0 && ps->nodes[ps->stack[0]].kind == N_DICT;
        default:
            return false;  /* tuples, sets, anything else */
        }
    }
    return false;
}

/* ------------------------------------------------------------------ msgpack out */

static bool
put_be(shim_buf* out, uint8_t head, uint64_t v, int size)
{
    uint8_t* p = buf_reserve(out, 1 + size);
    if (!p) return false;
    p[0] = head;
    for (int k = size; k > 0; k--) {
        p[k] = (uint8_t)v;
        v >>= 8;
    }
    return true;
}

static bool
mp_int(shim_buf* out, int64_t v)
{
    uint8_t b;
    if (v >= 0 && v < 0x80) { b = (uint8_t)v; return buf_put(out, &b, 1) == 0; }
    if (v >= -32 && v < 0) { b = (uint8_t)(v & 0xFF); return buf_put(out, &b, 1) == 0; }
    if (v >= 0) {
        if (v <= 0xFF) return put_be(out, 0xCC, (uint64_t)v, 1);
        if (v <= 0xFFFF) return put_be(out, 0xCD, (uint64_t)v, 2);
        if (v <= 0xFFFFFFFFLL) return put_be(out, 0xCE, (uint64_t)v, 4);
        return put_be(out, 0xCF, (uint64_t)v, 8);
    }
    if (v >= -0x80) return put_be(out, 0xD0, (uint64_t)v, 1);
    if (v >= -0x8000) return put_be(out, 0xD1, (uint64_t)v, 2);
    if (v >= -0x80000000LL) return put_be(out, 0xD2, (uint64_t)v, 4);
    return put_be(out, 0xD3, (uint64_t)v, 8);
}

static bool
mp_raw(shim_buf* out, uint8_t ptype, const uint8_t* s, uint32_t n)
{
    uint64_t size = (uint64_t)n + 1;
    bool ok;
    if (size < 32) { uint8_t b = (uint8_t)(0xA0 | size); ok = buf_put(out, &b, 1) == 0; }
    else if (size < 0x100) ok = put_be(out, 0xD9, size, 1);
    else if (size < 0x10000) ok = put_be(out, 0xDA, size, 2);
    else ok = size <= UINT32_MAX && put_be(out, 0xDB, size, 4);
    return ok && buf_put(out, &ptype, 1) == 0 && buf_put(out, s, n) == 0;
}

static bool
mp_container(shim_buf* out, uint32_t n, uint8_t fix, uint8_t h16, uint8_t h32)
{
    if (n < 16) { uint8_t b = (uint8_t)(fix | n); return buf_put(out, &b, 1) == 0; }
    if (n < 0x10000) return put_be(out, h16, n, 2);
    return put_be(out, h32, n, 4);
}

/* The C client's map key order (Packer's sorted_items): by type, then by value. */
static int
key_rank(const node* k)
{
    switch (k->kind) {
    case N_NONE: return 1;
    case N_BOOL: return 2;
    case N_INT: return 3;
    case N_STR: return 4;
    case N_BYTES: return 9;
    case N_FLOAT: return 10;
    default: return 12;
    }
}

typedef struct pair {
    const node* key;
    const node* value;
    uint32_t index;  /* input order: ties keep it (a stable sort) */
} pair;

static int
pair_cmp(const void* a, const void* b)
{
    const pair* x = a;
    const pair* y = b;
    int rx = key_rank(x->key), ry = key_rank(y->key);
    if (rx != ry) return rx < ry ? -1 : 1;
    const node* p = x->key;
    const node* q = y->key;
    int c = 0;
    if (p->kind == N_INT || p->kind == N_BOOL) c = (p->i > q->i) - (p->i < q->i);
    else if (p->kind == N_FLOAT) c = (p->d > q->d) - (p->d < q->d);
    else if (p->kind == N_STR || p->kind == N_BYTES) {
        uint32_t n = p->n < q->n ? p->n : q->n;
        c = n ? memcmp(p->s, q->s, n) : 0;
        if (c == 0) c = (p->n > q->n) - (p->n < q->n);
    }
    if (c) return c;
    return x->index < y->index ? -1 : 1;
}

static bool msgpack(const parser* ps, const node* nd, shim_buf* out, bool bool_as_bool, int depth);

static bool
msgpack_map(const parser* ps, const node* nd, shim_buf* out, bool bool_as_bool, int depth)
{
    uint32_t n = nd->n / 2;
    if (!mp_container(out, n, 0x80, 0xDE, 0xDF)) return false;
    if (n == 0) return true;
    pair* pairs = malloc(sizeof(pair) * n);
    if (!pairs) return false;
    int32_t id = nd->first;
    for (uint32_t k = 0; k < n; k++) {
        pairs[k].key = &ps->nodes[id];
        pairs[k].value = &ps->nodes[ps->nodes[id].next];
        pairs[k].index = k;
        id = ps->nodes[ps->nodes[id].next].next;
        int kind = pairs[k].key->kind;
        if (kind == N_FLOAT || kind == N_BOOL || kind == N_NONE) {
            free(pairs);
            return false;  /* the Packer drops these keys with the official's warning */
        }
    }
    qsort(pairs, n, sizeof(pair), pair_cmp);
    bool ok = true;
    for (uint32_t k = 0; k < n && ok; k++) {
        ok = msgpack(ps, pairs[k].key, out, bool_as_bool, depth + 1) &&
             msgpack(ps, pairs[k].value, out, bool_as_bool, depth + 1);
    }
    free(pairs);
    return ok;
}

static bool
msgpack(const parser* ps, const node* nd, shim_buf* out, bool bool_as_bool, int depth)
{
    if (depth > MAX_DEPTH) return false;
    switch (nd->kind) {
    case N_NONE: { uint8_t b = 0xC0; return buf_put(out, &b, 1) == 0; }
    case N_BOOL:
        if (bool_as_bool) { uint8_t b = nd->i ? 0xC3 : 0xC2; return buf_put(out, &b, 1) == 0; }
        return mp_int(out, nd->i);
    case N_INT: return mp_int(out, nd->i);
    case N_FLOAT: {
        uint64_t u;
        memcpy(&u, &nd->d, 8);
        return put_be(out, 0xCB, u, 8);
    }
    case N_STR: return utf8_valid(nd->s, nd->n, NULL) && mp_raw(out, P_STRING, nd->s, nd->n);
    case N_BYTES: return mp_raw(out, P_BLOB, nd->s, nd->n);
    case N_LIST: {
        if (!mp_container(out, nd->n, 0x90, 0xDC, 0xDD)) return false;
        for (int32_t id = nd->first; id >= 0; id = ps->nodes[id].next) {
            if (!msgpack(ps, &ps->nodes[id], out, bool_as_bool, depth + 1)) return false;
        }
        return true;
    }
    case N_DICT: return msgpack_map(ps, nd, out, bool_as_bool, depth);
    default: return false;
    }
}

/* ------------------------------------------------------------------ bins */

/* One bin as Packer.bin_item writes it: u8 particle type, u32 size, value bytes. */
static bool
bin_item(const parser* ps, const node* nd, shim_buf* out, bool bool_as_bool)
{
    uint8_t head[5];
    uint32_t size;
    switch (nd->kind) {
    case N_NONE:
        head[0] = P_NIL;
        size = 0;
        memcpy(head + 1, &size, 4);
        return buf_put(out, head, 5) == 0;
    case N_BOOL:
    case N_INT: {
        if (nd->kind == N_BOOL && bool_as_bool) {
            uint8_t v = nd->i ? 1 : 0;
            head[0] = P_BOOL;
            size = 1;
            memcpy(head + 1, &size, 4);
            return buf_put(out, head, 5) == 0 && buf_put(out, &v, 1) == 0;
        }
        uint64_t v = htobe64((uint64_t)nd->i);
        head[0] = P_INTEGER;
        size = 8;
        memcpy(head + 1, &size, 4);
        return buf_put(out, head, 5) == 0 && buf_put(out, &v, 8) == 0;
    }
    case N_FLOAT: {
        uint64_t v;
        memcpy(&v, &nd->d, 8);
        v = htobe64(v);
        head[0] = P_DOUBLE;
        size = 8;
        memcpy(head + 1, &size, 4);
        return buf_put(out, head, 5) == 0 && buf_put(out, &v, 8) == 0;
    }
    case N_STR:
    case N_BYTES:
        if (nd->kind == N_STR && !utf8_valid(nd->s, nd->n, NULL)) return false;
        head[0] = nd->kind == N_STR ? P_STRING : P_BLOB;
        memcpy(head + 1, &nd->n, 4);
        return buf_put(out, head, 5) == 0 && buf_put(out, nd->s, nd->n) == 0;
    case N_LIST:
    case N_DICT: {
        size_t at = out->len;
        head[0] = nd->kind == N_LIST ? P_LIST : P_MAP;
        if (buf_put(out, head, 5) != 0 || !msgpack(ps, nd, out, bool_as_bool, 0)) return false;
        size = (uint32_t)(out->len - at - 5);
        memcpy(out->data + at + 1, &size, 4);
        return true;
    }
    default:
        return false;
    }
}

/* The packed bins layout of the root dict; false when a value is not plain. */
static bool
packed_bins(const parser* ps, shim_buf* out, bool bool_as_bool, uint32_t* n_bins)
{
    const node* root = &ps->nodes[ps->stack[0]];
    *n_bins = root->n / 2;
    for (int32_t id = root->first; id >= 0; id = ps->nodes[ps->nodes[id].next].next) {
        const node* name = &ps->nodes[id];
        if (name->kind != N_STR || name->n >= AS_BIN_NAME_MAX_SIZE || !utf8_valid(name->s, name->n, NULL)) {
            return false;  /* Python raises the right error */
        }
        uint8_t len = (uint8_t)name->n;
        if (buf_put(out, &len, 1) != 0 || buf_put(out, name->s, name->n) != 0 ||
            !bin_item(ps, &ps->nodes[name->next], out, bool_as_bool)) {
            return false;
        }
    }
    return true;
}

bool
pickled_bins(const char* pickled, uint32_t size, int bool_as_bool, shim_buf* bins,
             uint32_t* n_bins)
{
    parser ps;
    memset(&ps, 0, sizeof(ps));
    ps.in.p = (const uint8_t*)pickled;
    ps.in.end = ps.in.p + size;
    *n_bins = 0;
    bool ok = parse(&ps) && packed_bins(&ps, bins, bool_as_bool != 0, n_bins) &&
              *n_bins <= 0xFFFF;
    free(ps.nodes);
    free(ps.stack);
    free(ps.marks);
    free(ps.memo);
    return ok;
}

int
shim_put_pickled(aerospike* as, as_error* err, const as_policy_write* policy, KEY_PARAMS,
                 const char* pickled, uint32_t size, int bool_as_bool, uint32_t ttl,
                 uint16_t gen, shim_buf* out)
{
    shim_buf bins = {0};
    uint32_t n_bins;
    int rc = SHIM_NOT_PLAIN;
    if (pickled_bins(pickled, size, bool_as_bool, &bins, &n_bins)) {
        rc = shim_put(as, err, policy, ns, set, ktype, kdata, klen, kint, (const char*)bins.data,
                      (uint32_t)bins.len, n_bins, ttl, gen, out);
    }
    shim_buf_free(&bins);
    return rc;
}
