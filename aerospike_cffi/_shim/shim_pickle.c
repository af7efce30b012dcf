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

/* Parses the pickle into ps->nodes; the root (the bins dict, or an op list) is
 * ps->stack[0]. */
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
            /* STOP ends the input: bytes after it mean the pickler was re-entered (e.g. by
             * a __del__ during a dump) and its output is not one object. The caller checks
             * the root's kind. */
            return ps->sp == 1 && ps->n_marks == 0 && ps->in.p == ps->in.end;
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
    bool ok = parse(&ps) && ps.nodes[ps.stack[0]].kind == N_DICT &&
              packed_bins(&ps, bins, bool_as_bool != 0, n_bins) &&
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

/* ------------------------------------------------------------------ operation lists
 *
 * operate()'s list of op dicts (aerospike_helpers.operations), pickled the same way, into
 * the packed ops layout records._pack_ops writes (per op: wire op type, u8 bin name length
 * and name, u8 particle type, u32 size, payload), byte for byte what aerospike_cffi._ops
 * encodes for the same list. Only the common shapes with valid plain values are encoded
 * here: record read/write/increment/append/prepend (bytes)/touch/delete, the list ops and
 * the map put/get/remove ops, without ctx. Anything else (another op, a key the shape does
 * not have, a value of another type, out of range or one that would warn) answers 0 having
 * encoded nothing usable, and _ops encodes the list: it stays the one definition of the
 * ops, their errors and their warnings. tests/client/test_ops_pickled.py compares both.
 */

enum {
    K_OP, K_BIN, K_VAL, K_INDEX, K_KEY, K_RANGE, K_RT, K_INVERTED, K_COUNT, K_RANK, K_CTX,
    K_MAP_POLICY, K_LIST_POLICY, K_VALUE_LIST, K_BEGIN, K_END, N_OP_KEYS
};

static const char* const op_key_names[N_OP_KEYS] = {
    "op", "bin", "val", "index", "key", "range", "return_type", "inverted", "count", "rank",
    "ctx", "map_policy", "list_policy", "value_list", "value_begin", "value_end",
};

/* Wire operators (_ops.py). */
enum { W_READ = 1, W_WRITE = 2, W_CDT_READ = 3, W_CDT_MODIFY = 4, W_INCR = 5, W_APPEND = 9,
       W_PREPEND = 10, W_TOUCH = 11, W_DELETE = 14 };

/* A list or map op: its CDT command, wire op and argument recipe, one letter per argument
 * in order (the tokens of _ops._LIST_OPS / _MAP_OPS):
 *   u  return type (+ inverted) as a uint64 (list ops)   t  the same as an int64 (map ops)
 *   i  "index" int64     k  "rank" int64     n  "val" as a uint64 count (an int)
 *   c  optional "count" as a uint64          v  "val" packed      m  "key" packed
 *   I  "val", a list, packed                 L  "value_list", a list, packed
 *   b  "value_begin" (nil when absent), then "value_end" when present
 *   g  "range" packed     f  list policy flags     o  list policy order and flags
 * `generic`: the official's generic path (map ops): return_type may be absent (then 0). */
typedef struct op_spec {
    int32_t code;
    uint8_t command;
    uint8_t wire_op;
    uint8_t generic;
    const char* recipe;
} op_spec;

static const op_spec op_specs[] = {
    {1001, 1, W_CDT_MODIFY, 0, "vo"}, {1002, 2, W_CDT_MODIFY, 0, "Io"},
    {1003, 3, W_CDT_MODIFY, 0, "ivf"}, {1004, 4, W_CDT_MODIFY, 0, "iIf"},
    {1005, 5, W_CDT_MODIFY, 0, "i"}, {1006, 6, W_CDT_MODIFY, 0, "in"},
    {1007, 7, W_CDT_MODIFY, 0, "i"}, {1008, 8, W_CDT_MODIFY, 0, "in"},
    {1009, 11, W_CDT_MODIFY, 0, ""}, {1010, 9, W_CDT_MODIFY, 0, "ivf"},
    {1011, 17, W_CDT_READ, 0, "i"}, {1012, 18, W_CDT_READ, 0, "in"},
    {1013, 10, W_CDT_MODIFY, 0, "in"}, {1014, 16, W_CDT_READ, 0, ""},
    {1015, 12, W_CDT_MODIFY, 0, "ivo"}, {1016, 19, W_CDT_READ, 0, "ui"},
    {1017, 24, W_CDT_READ, 0, "uic"}, {1018, 21, W_CDT_READ, 0, "uk"},
    {1019, 26, W_CDT_READ, 0, "ukc"}, {1020, 22, W_CDT_READ, 0, "uv"},
    {1021, 23, W_CDT_READ, 0, "uL"}, {1022, 25, W_CDT_READ, 0, "ub"},
    {1023, 32, W_CDT_MODIFY, 0, "ui"}, {1024, 37, W_CDT_MODIFY, 0, "uic"},
    {1025, 34, W_CDT_MODIFY, 0, "uk"}, {1026, 39, W_CDT_MODIFY, 0, "ukc"},
    {1027, 35, W_CDT_MODIFY, 0, "uv"}, {1028, 36, W_CDT_MODIFY, 0, "uL"},
    {1029, 38, W_CDT_MODIFY, 0, "ub"}, {1032, 40, W_CDT_MODIFY, 0, "uvkc"},
    {1033, 27, W_CDT_READ, 0, "uvkc"},
    {1106, 96, W_CDT_READ, 1, ""}, {1107, 75, W_CDT_MODIFY, 1, ""},
    {1108, 76, W_CDT_MODIFY, 1, "tm"}, {1109, 81, W_CDT_MODIFY, 1, "tv"},
    {1110, 84, W_CDT_MODIFY, 1, "tmv"}, {1111, 82, W_CDT_MODIFY, 1, "tv"},
    {1112, 83, W_CDT_MODIFY, 1, "tv"}, {1113, 86, W_CDT_MODIFY, 1, "tvg"},
    {1114, 77, W_CDT_MODIFY, 1, "ti"}, {1115, 85, W_CDT_MODIFY, 1, "tin"},
    {1116, 79, W_CDT_MODIFY, 1, "ti"}, {1117, 87, W_CDT_MODIFY, 1, "tin"},
    {1118, 97, W_CDT_READ, 1, "tm"}, {1119, 103, W_CDT_READ, 1, "tmg"},
    {1120, 102, W_CDT_READ, 1, "tv"}, {1121, 105, W_CDT_READ, 1, "tvg"},
    {1122, 98, W_CDT_READ, 1, "ti"}, {1123, 104, W_CDT_READ, 1, "tin"},
    {1124, 100, W_CDT_READ, 1, "ti"}, {1125, 106, W_CDT_READ, 1, "tin"},
    {1126, 108, W_CDT_READ, 1, "tv"}, {1127, 107, W_CDT_READ, 1, "tv"},
    /* Map ops whose official conversion shares the list path. */
    {1128, 89, W_CDT_MODIFY, 0, "tvkc"}, {1129, 88, W_CDT_MODIFY, 0, "tmic"},
    {1130, 110, W_CDT_READ, 0, "tvkc"}, {1131, 109, W_CDT_READ, 0, "tmic"},
};

/* The map put family (generic path, _ops._MAP_WRITE_COMMANDS and MAP_PUT_ITEMS). */
enum { MAP_PUT = 1102, MAP_PUT_ITEMS = 1103, MAP_INCREMENT = 1104, MAP_DECREMENT = 1105 };

static const op_spec*
find_spec(int64_t code)
{
    for (size_t k = 0; k < sizeof(op_specs) / sizeof(op_specs[0]); k++) {
        if (op_specs[k].code == code) {
            return &op_specs[k];
        }
    }
    return NULL;
}

/* The keys a recipe letter reads. */
static uint32_t
token_keys(char token)
{
    switch (token) {
    case 'u': case 't': return (1u << K_RT) | (1u << K_INVERTED);
    case 'i': return 1u << K_INDEX;
    case 'k': return 1u << K_RANK;
    case 'n': case 'v': case 'I': return 1u << K_VAL;
    case 'c': return 1u << K_COUNT;
    case 'm': return 1u << K_KEY;
    case 'L': return 1u << K_VALUE_LIST;
    case 'b': return (1u << K_BEGIN) | (1u << K_END);
    case 'g': return 1u << K_RANGE;
    case 'f': case 'o': return 1u << K_LIST_POLICY;
    default: return 0;
    }
}

static const uint8_t op_key_sizes[N_OP_KEYS] = {2, 3, 3, 5, 3, 5, 11, 8, 5, 4, 3, 10, 11, 10, 11, 9};

static int
op_key(const node* k)
{
    if (k->kind != N_STR) return -1;
    for (int i = 0; i < N_OP_KEYS; i++) {
        if (op_key_sizes[i] == k->n && memcmp(op_key_names[i], k->s, k->n) == 0) {
            return i;
        }
    }
    return -1;
}

static bool
mp_uint(shim_buf* out, uint64_t v)
{
    if (v < 0x80) { uint8_t b = (uint8_t)v; return buf_put(out, &b, 1) == 0; }
    if (v <= 0xFF) return put_be(out, 0xCC, v, 1);
    if (v <= 0xFFFF) return put_be(out, 0xCD, v, 2);
    if (v <= 0xFFFFFFFFULL) return put_be(out, 0xCE, v, 4);
    return put_be(out, 0xCF, v, 8);
}

/* A bounded int entry of a policy dict (_ops._get_enum with a default): absent or None ->
 * the default; out of bounds (the official warns) or not an int -> false. */
static bool
policy_enum(const node* v, int64_t high, int64_t* value)
{
    if (!v || v->kind == N_NONE) { *value = 0; return true; }
    if (v->kind != N_INT || v->i < 0 || v->i > high) return false;
    *value = v->i;
    return true;
}

/* Finds `name` among a dict's keys: false when the dict has another key. */
typedef struct policy_entry {
    const char* name;
    const node* value;
} policy_entry;

static bool
policy_entries(const parser* ps, const node* dict, policy_entry* entries, int n)
{
    for (int32_t id = dict->first; id >= 0; id = ps->nodes[ps->nodes[id].next].next) {
        const node* k = &ps->nodes[id];
        int found = -1;
        for (int j = 0; j < n && k->kind == N_STR; j++) {
            if (strlen(entries[j].name) == k->n && memcmp(entries[j].name, k->s, k->n) == 0) {
                found = j;
            }
        }
        if (found < 0) return false;  /* validate_keys refuses it; Python decides */
        entries[found].value = &ps->nodes[k->next];
    }
    return true;
}

/* (order, flags) of a "list_policy" entry (_ops._list_policy). */
static bool
list_policy(const parser* ps, const node* p, int64_t* order, int64_t* flags)
{
    if (p->kind == N_NONE) { *order = *flags = 0; return true; }
    if (p->kind != N_DICT) return false;
    policy_entry e[2] = {{"list_order", NULL}, {"write_flags", NULL}};
    return policy_entries(ps, p, e, 2) && policy_enum(e[0].value, 1, order) &&
           policy_enum(e[1].value, 15, flags);
}

/* (attributes, write flags) of a "map_policy" entry (_ops._map_policy). */
static bool
map_policy(const parser* ps, const node* p, uint64_t* attributes, uint64_t* flags)
{
    *attributes = *flags = 0;
    if (!p || p->kind == N_NONE) return true;
    if (p->kind != N_DICT) return false;
    policy_entry e[3] = {{"map_order", NULL}, {"map_write_flags", NULL}, {"persist_index", NULL}};
    int64_t order;
    if (!policy_entries(ps, p, e, 3) || !policy_enum(e[0].value, 3, &order)) return false;
    if (e[1].value) {
        if (e[1].value->kind != N_INT) return false;
        *flags = (uint32_t)e[1].value->i;
    }
    bool persist = false;
    if (e[2].value && e[2].value->kind != N_NONE) {
        if (e[2].value->kind != N_BOOL) return false;
        persist = e[2].value->i != 0;
    }
    *attributes = (uint64_t)order | (persist ? 0x10 : 0);
    return true;
}

/* The return type with "inverted" (_ops._return_type): a C int, inverted ORs 0x10000. */
static bool
return_type(const node** e, bool generic, int64_t* rt)
{
    const node* v = e[K_RT];
    if (!v) {
        if (!generic) return false;
        *rt = 0;
    }
    else if (v->kind != N_INT) {
        return false;
    }
    else {
        *rt = (int32_t)(uint32_t)(uint64_t)v->i;
    }
    const node* inv = e[K_INVERTED];
    if (inv && inv->kind != N_NONE) {
        if (inv->kind != N_BOOL) return false;
        if (inv->i) *rt |= 0x10000;
    }
    return true;
}

/* The payload [command, args...] of a list or map op. */
static bool
cdt_payload(const parser* ps, const node** e, const op_spec* sp, shim_buf* out, bool bb)
{
    size_t head = out->len;
    if (!buf_reserve(out, 1) || !mp_uint(out, sp->command)) return false;
    uint32_t n = 1;
    int64_t rt;
    for (const char* t = sp->recipe; *t; t++) {
        bool ok = true;
        const node* v;
        switch (*t) {
        case 'u':
        case 't':
            ok = return_type(e, sp->generic, &rt) &&
                 (*t == 'u' ? mp_uint(out, (uint64_t)rt) : mp_int(out, rt));
            break;
        case 'i':
        case 'k':
            v = e[*t == 'i' ? K_INDEX : K_RANK];
            ok = v && v->kind == N_INT && mp_int(out, v->i);
            break;
        case 'n':
            v = e[K_VAL];
            ok = v && v->kind == N_INT && mp_uint(out, (uint64_t)v->i);
            break;
        case 'c':
            v = e[K_COUNT];
            if (!v || v->kind == N_NONE) continue;
            ok = v->kind == N_INT && mp_uint(out, (uint64_t)v->i);
            break;
        case 'v':
        case 'm':
        case 'g':
            v = e[*t == 'v' ? K_VAL : *t == 'm' ? K_KEY : K_RANGE];
            ok = v && msgpack(ps, v, out, bb, 0);
            break;
        case 'I':
        case 'L':
            v = e[*t == 'I' ? K_VAL : K_VALUE_LIST];
            ok = v && v->kind == N_LIST && msgpack(ps, v, out, bb, 0);
            break;
        case 'b': {
            const node* begin = e[K_BEGIN];
            const node* end = e[K_END];
            if (begin && begin->kind != N_NONE) {
                ok = msgpack(ps, begin, out, bb, 0);
            }
            else {
                uint8_t nil = 0xC0;
                ok = buf_put(out, &nil, 1) == 0;
            }
            if (ok && end && end->kind != N_NONE) {
                ok = msgpack(ps, end, out, bb, 0);
                n++;
            }
            break;
        }
        case 'f':
        case 'o': {
            int64_t order, flags;
            v = e[K_LIST_POLICY];
            if (!v) continue;  /* no policy: no arguments */
            ok = list_policy(ps, v, &order, &flags) &&
                 (*t == 'f' || mp_uint(out, (uint64_t)order)) && mp_uint(out, (uint64_t)flags);
            n += *t == 'o';
            break;
        }
        default:
            return false;
        }
        if (!ok) return false;
        n++;
    }
    out->data[head] = (uint8_t)(0x90 | n);  /* at most 6 items: a fixarray */
    return true;
}

/* [command, key, value, attributes(, write flags)] of the map put family. */
static bool
map_put_payload(const parser* ps, const node** e, int64_t code, shim_buf* out, bool bb)
{
    uint64_t attributes, flags;
    if (!e[K_VAL] || (code != MAP_PUT_ITEMS && !e[K_KEY]) ||
        !map_policy(ps, e[K_MAP_POLICY], &attributes, &flags)) {
        return false;
    }
    bool with_flags = flags && (code == MAP_PUT || code == MAP_PUT_ITEMS);
    uint8_t command = code == MAP_PUT ? 67 : code == MAP_PUT_ITEMS ? 68 : code == MAP_INCREMENT ? 73 : 74;
    uint8_t head = (uint8_t)(0x90 | ((code == MAP_PUT_ITEMS ? 3 : 4) + with_flags));
    return buf_put(out, &head, 1) == 0 && mp_uint(out, command) &&
           (code == MAP_PUT_ITEMS || msgpack(ps, e[K_KEY], out, bb, 0)) &&
           msgpack(ps, e[K_VAL], out, bb, 0) && mp_uint(out, attributes) &&
           (!with_flags || mp_uint(out, flags));
}

/* The record ops (the official's generic path): their wire op and payload. */
static bool
record_op(const parser* ps, const node** e, uint32_t present, int64_t code, shim_buf* out,
          bool bb, size_t type_at, size_t item_at)
{
    const uint32_t op_bin_val = (1u << K_OP) | (1u << K_BIN) | (1u << K_VAL);
    const node* v = e[K_VAL];
    uint8_t wire;
    switch (code) {
    case 0:   /* READ */
        if (present != ((1u << K_OP) | (1u << K_BIN))) return false;
        wire = W_READ;
        break;
    case 1:   /* WRITE: the value as a bin (Packer.bin_item) */
        if (present != op_bin_val) return false;
        out->len = item_at;
        out->data[type_at] = W_WRITE;
        return bin_item(ps, v, out, bb);
    case 6: { /* INCR */
        if (present != op_bin_val || (v->kind != N_INT && v->kind != N_FLOAT)) return false;
        uint64_t u;
        if (v->kind == N_INT) u = (uint64_t)v->i;
        else memcpy(&u, &v->d, 8);
        out->data[type_at] = W_INCR;
        out->data[item_at] = v->kind == N_INT ? P_INTEGER : P_DOUBLE;
        u = htobe64(u);
        return buf_put(out, &u, 8) == 0;
    }
    case 9:   /* APPEND, PREPEND: bytes (a str warns: Python) */
    case 10:
        if (present != op_bin_val || v->kind != N_BYTES) return false;
        out->data[type_at] = code == 9 ? W_APPEND : W_PREPEND;
        out->data[item_at] = P_BLOB;
        return buf_put(out, v->s, v->n) == 0;
    case 11:  /* TOUCH, DELETE: no bin (a touch with a ttl: Python) */
    case 14:
        if (present != (1u << K_OP)) return false;
        wire = code == 11 ? W_TOUCH : W_DELETE;
        break;
    default:
        return false;
    }
    out->data[type_at] = wire;
    out->data[item_at] = P_NIL;
    return true;
}

/* One op dict: its wire op, bin name and item. */
static bool
pack_op(const parser* ps, const node* op, shim_buf* out, bool bb, bool* respond_all)
{
    const node* e[N_OP_KEYS] = {0};
    uint32_t present = 0;
    if (op->kind != N_DICT) return false;
    for (int32_t id = op->first; id >= 0; id = ps->nodes[ps->nodes[id].next].next) {
        int k = op_key(&ps->nodes[id]);
        if (k < 0) return false;
        e[k] = &ps->nodes[ps->nodes[id].next];
        present |= 1u << k;
    }
    if (!e[K_OP] || e[K_OP]->kind != N_INT) return false;
    int64_t code = e[K_OP]->i;
    const node* bin = e[K_BIN];
    /* type byte, name, item head (size patched below) */
    size_t type_at = out->len;
    uint8_t zero = 0;
    if (buf_put(out, &zero, 1) != 0) return false;
    if (bin) {
        if (bin->kind != N_STR || bin->n > 15 || !utf8_valid(bin->s, bin->n, NULL)) {
            return false;  /* Python raises the official's error */
        }
        uint8_t len = (uint8_t)bin->n;
        if (buf_put(out, &len, 1) != 0 || buf_put(out, bin->s, bin->n) != 0) return false;
    }
    else if (buf_put(out, &zero, 1) != 0) {
        return false;
    }
    size_t item_at = out->len;
    uint8_t head[5] = {P_BLOB, 0, 0, 0, 0};
    if (buf_put(out, head, 5) != 0) return false;
    if (code < 1000) {
        if (!record_op(ps, e, present, code, out, bb, type_at, item_at)) return false;
    }
    else {
        /* list and map ops: a bin, no ctx (None is none) */
        uint32_t allowed = (1u << K_OP) | (1u << K_BIN) | (1u << K_CTX);
        if (!bin || (e[K_CTX] && e[K_CTX]->kind != N_NONE)) return false;
        if (code >= MAP_PUT && code <= MAP_DECREMENT) {
            allowed |= (1u << K_VAL) | (1u << K_MAP_POLICY) | (code != MAP_PUT_ITEMS ? 1u << K_KEY : 0);
            if ((present & ~allowed) || !map_put_payload(ps, e, code, out, bb)) return false;
            out->data[type_at] = W_CDT_MODIFY;
        }
        else {
            const op_spec* sp = find_spec(code);
            if (!sp) return false;
            for (const char* t = sp->recipe; *t; t++) {
                allowed |= token_keys(*t);
            }
            if ((present & ~allowed) || !cdt_payload(ps, e, sp, out, bb)) return false;
            out->data[type_at] = sp->wire_op;
        }
        if (code >= 1100 && code < 1200) {
            *respond_all = true;  /* map ops: the server answers every op */
        }
    }
    uint32_t size = (uint32_t)(out->len - item_at - 5);
    memcpy(out->data + item_at + 1, &size, 4);
    return true;
}

static int
pack_ops_pickled(const char* pickled, uint32_t size, int bool_as_bool, shim_buf* out)
{
    parser ps;
    memset(&ps, 0, sizeof(ps));
    ps.in.p = (const uint8_t*)pickled;
    ps.in.end = ps.in.p + size;
    out->len = 0;
    int n = 0;
    bool respond_all = false;
    /* An opcode makes one node at most: no growing while parsing. */
    if (grow((void**)&ps.nodes, &ps.nodes_cap, size + 1, sizeof(node)) &&
        grow((void**)&ps.stack, &ps.stack_cap, size + 1, sizeof(int32_t)) && parse(&ps)) {
        const node* root = &ps.nodes[ps.stack[0]];
        if (root->kind == N_LIST && root->n > 0 && root->n <= 0xFFFF) {
            n = (int)root->n;
            for (int32_t id = root->first; id >= 0 && n; id = ps.nodes[id].next) {
                if (!pack_op(&ps, &ps.nodes[id], out, bool_as_bool != 0, &respond_all)) {
                    n = 0;
                }
            }
        }
    }
    if (n && respond_all) {
        /* As _pack_ops: with a map op, every list/map op carries bit 7 (the shim's sign to
         * ask the server for every op's answer). */
        uint8_t* p = out->data;
        uint8_t* end = p + out->len;
        while (p < end) {
            if (*p == W_CDT_READ || *p == W_CDT_MODIFY) *p |= 0x80;
            p += 1;
            p += 1 + *p;
            uint32_t item;
            memcpy(&item, p + 1, 4);
            p += 5 + item;
        }
    }
    free(ps.nodes);
    free(ps.stack);
    free(ps.marks);
    free(ps.memo);
    return n;
}

int
shim_pack_ops_pickled(const char* pickled, uint32_t size, int bool_as_bool, shim_buf* out)
{
    return pack_ops_pickled(pickled, size, bool_as_bool, out);
}

int
shim_operate_pickled_m(aerospike* as, as_error* err, const as_policy_operate* policy,
                       KEY_PARAMS, const char* pickled, uint32_t size, int bool_as_bool,
                       uint32_t ttl, uint16_t gen, shim_buf* out)
{
    /* The ops of a common call fit this; larger ones move to the heap (shim_buf's home). */
    uint8_t local[1024];
    shim_buf ops = {0};
    ops.data = ops.home = local;
    ops.cap = ops.home_cap = sizeof(local);
    int n = pack_ops_pickled(pickled, size, bool_as_bool, &ops);
    int rc = SHIM_NOT_PLAIN;
    if (n) {
        rc = shim_operate_m(as, err, policy, ns, set, ktype, kdata, klen, kint,
                            (const char*)ops.data, (uint32_t)ops.len, (uint32_t)n, ttl, gen, out);
    }
    shim_buf_free(&ops);
    return rc;
}
