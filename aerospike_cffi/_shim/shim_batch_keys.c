/*
 * batch_read's keys packed from a pickle (CPython, issue 13): pickle.dumps (protocol 5,
 * fast mode, aerospike_cffi._marshal.pickle_ops) walks the key list in C, and this file
 * writes each key as a packed read record of shim_batch (shim.h), so that a batch_read
 * runs no Python code per key (BatchCall.add_reads ran ~6.8k instructions per key).
 *
 * Only the keys BatchCall.add_reads takes on its fast path reach C: a list of exactly
 * 3-tuples (namespace str, set str or None, int64 or str key). Anything else (a bool or
 * bytes key, an empty set name, a name too long, a str subclass, a 4-item key, a lone
 * surrogate, ...) answers -1 and Python packs the keys itself (_keys.key_parts stays the
 * one definition of what a key is, and of its errors).
 */
#include <stdlib.h>
#include <string.h>
#include <endian.h>

#include <aerospike/aerospike.h>

#include "shim.h"
#include "shim_internal.h"

#define P_INTEGER_KEY 1
#define P_STRING_KEY 3
#define NS_LIMIT 32   /* _keys.key_parts: a namespace of 32 bytes or more is refused */
#define SET_LIMIT 64  /* and a set name of 64 bytes or more */

enum { T_NONE, T_INT, T_STR };

typedef struct key_part {
    int kind;
    int64_t i;
    const uint8_t* s;
    uint32_t n;
} key_part;

/* The next opcode of the key list that is not framing; 0 at the end of the input. */
static int
next_op(cursor* in)
{
    const uint8_t* at;
    for (;;) {
        if (!cursor_take(in, 1, &at)) {
            return 0;
        }
        if (*at == 0x95) {  /* FRAME: an 8-byte size, then more opcodes */
            if (!cursor_take(in, 8, &at)) {
                return 0;
            }
            continue;
        }
        return *at;
    }
}

/* One value of a key tuple (what the fast pickler writes for None, an int, a str). */
static bool
key_item(cursor* in, int op, key_part* it)
{
    uint64_t v;
    switch (op) {
    case 'N':
        it->kind = T_NONE;
        return true;
    case 'K':   /* BININT1 */
    case 'M':   /* BININT2 */
        if (!cursor_uint(in, op == 'K' ? 1 : 2, false, &v)) return false;
        it->kind = T_INT;
        it->i = (int64_t)v;
        return true;
    case 'J':   /* BININT: signed 32 bits */
        if (!cursor_uint(in, 4, false, &v)) return false;
        it->kind = T_INT;
        it->i = (int64_t)(int32_t)(uint32_t)v;
        return true;
    case 0x8a: { /* LONG1: little-endian two's complement; up to 8 bytes is an int64 */
        uint64_t n;
        if (!cursor_uint(in, 1, false, &n) || n == 0 || n > 8 ||
            !cursor_uint(in, (uint32_t)n, false, &v)) {
            return false;
        }
        if (n < 8 && (v >> (n * 8 - 1)) & 1) {
            v |= ~0ULL << (n * 8);  /* sign-extend */
        }
        it->kind = T_INT;
        it->i = (int64_t)v;
        return true;
    }
    case 0x8c:  /* SHORT_BINUNICODE */
    case 'X':   /* BINUNICODE */
    case 0x8d:  /* BINUNICODE8 */
        if (!cursor_uint(in, op == 0x8c ? 1 : op == 'X' ? 4 : 8, false, &v) || v > UINT32_MAX ||
            !cursor_take(in, v, &it->s)) {
            return false;
        }
        it->kind = T_STR;
        it->n = (uint32_t)v;
        /* pickle writes a lone surrogate too (surrogatepass): key_parts refuses it */
        return utf8_valid(it->s, it->n, NULL);
    default:
        return false;
    }
}

/* One packed read record: head, names, key (shim.h), then the shared body. */
static bool
put_read_record(shim_buf* out, const key_part* ns, const key_part* set, const key_part* pk,
           const uint8_t* body, uint32_t body_size)
{
    uint32_t set_n = set->kind == T_STR ? set->n : 0;
    uint32_t data_n = pk->kind == T_STR ? pk->n : 0;
    size_t size = 3 + 1 + ns->n + 1 + set_n + 5 + data_n + 8 + body_size;
    uint8_t* p = buf_reserve(out, size);
    if (!p) {
        return false;
    }
    uint16_t no_policy = htole16(0xFFFF);
    *p++ = 0;  /* read */
    memcpy(p, &no_policy, 2);
    p += 2;
    *p++ = (uint8_t)ns->n;
    memcpy(p, ns->s, ns->n);
    p += ns->n;
    *p++ = (uint8_t)set_n;
    if (set_n) {
        memcpy(p, set->s, set_n);
        p += set_n;
    }
    *p++ = pk->kind == T_STR ? P_STRING_KEY : P_INTEGER_KEY;
    uint32_t n32 = htole32(data_n);
    memcpy(p, &n32, 4);
    p += 4;
    if (data_n) {
        memcpy(p, pk->s, data_n);
        p += data_n;
    }
    uint64_t i64 = htole64(pk->kind == T_INT ? (uint64_t)pk->i : 0);
    memcpy(p, &i64, 8);
    p += 8;
    memcpy(p, body, body_size);
    return true;
}

int
shim_batch_pack_keys(const char* pickled, uint32_t size, const char* body, uint32_t body_size,
                     shim_buf* out)
{
    cursor in = {(const uint8_t*)pickled, (const uint8_t*)pickled + size};
    const uint8_t* at;
    out->len = 0;
    if (!cursor_take(&in, 2, &at) || at[0] != 0x80 || at[1] < 4) {
        return -1;
    }
    if (next_op(&in) != ']') {  /* EMPTY_LIST (fast mode: never memoized) */
        return -1;
    }
    int count = 0;
    bool in_mark = false;
    for (;;) {
        int op = next_op(&in);
        if (op == '(' && !in_mark) {     /* MARK: a batch of up to 1000 items */
            in_mark = true;
            continue;
        }
        if (op == 'e' && in_mark) {      /* APPENDS */
            in_mark = false;
            continue;
        }
        if (op == '.') {                 /* STOP: nothing may follow it */
            return !in_mark && in.p == in.end ? count : -1;
        }
        key_part parts[3];
        for (int k = 0; k < 3; k++) {
            if (k > 0) {
                op = next_op(&in);
            }
            if (!key_item(&in, op, &parts[k])) {
                return -1;
            }
        }
        /* TUPLE3, then APPEND for a list of one key (inside a MARK: none). */
        if (next_op(&in) != 0x87 || (!in_mark && next_op(&in) != 'a')) {
            return -1;
        }
        /* As add_reads takes them without key_parts' slow path: a namespace str (not
         * empty); a set str, not empty (None: no set, returned as None); an int64 or a
         * str key. */
        if (parts[0].kind != T_STR || parts[0].n == 0 || parts[0].n >= NS_LIMIT ||
            (parts[1].kind == T_STR ? parts[1].n == 0 || parts[1].n >= SET_LIMIT
                                    : parts[1].kind != T_NONE) ||
            parts[2].kind == T_NONE || count == INT32_MAX) {
            return -1;
        }
        if (!put_read_record(out, &parts[0], &parts[1], &parts[2], (const uint8_t*)body, body_size)) {
            return -1;
        }
        count++;
    }
}
