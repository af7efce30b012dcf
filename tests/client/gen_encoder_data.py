"""Record what the OFFICIAL client 19.3.0 puts on the wire for operation dicts and expressions.

Not shipped, not run by the test suite.  Run with the official venv:

    /tmp/official-venv/bin/python tests/client/gen_encoder_data.py

A tiny capturing server (enough info answers for the C client's cluster tend, then an empty
"OK" answer to every record command) sits behind the official client.  For every sample we
build the op dicts / compiled expressions with the official aerospike_helpers, call
``operate`` and record the ops of the request as they went out: (op type, particle type,
bin name, value bytes), plus the filter expression field.  Errors the official raises before
sending are recorded with class, code and message.

Samples: the op and policy sources of /work/shared/server-cases/*.jsonl (every helper,
exercised against a real server) plus EXTRA_OPS / EXTRA_EXPRS below (edge and error cases).
Output: tests/data/encoders/{ops,exprs}.json, values in the tagged JSON of encoder_data.py.
"""

import base64
import json
import os
import socket
import struct
import sys
import threading

import aerospike
from aerospike import exception as ex
from aerospike_helpers import HyperLogLog, cdt_ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.cdt_ctx import _cdt_ctx
from aerospike_helpers.operations import (
    bitwise_operations, expression_operations, hll_operations, list_operations,
    map_operations, operations,
)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "encoders")
CASES = "/work/shared/server-cases"
INFO_FILE = os.path.join(CASES, "info-responses.txt")
FIELD_FILTER_EXP = 43


# ---------------------------------------------------------------- capturing server

def load_info():
    answers, name = {}, None
    with open(INFO_FILE) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(">>> "):
                name = line[4:]
                answers[name] = ""
            elif name is not None and not line.startswith("#"):
                answers[name] = (answers[name] + "\n" + line) if answers[name] else line
    answers["peers-clear-std"] = "0,3000,[]"
    answers["peers-generation"] = "1"
    return answers


class CaptureServer:
    def __init__(self):
        self.info = load_info()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.last = None
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    @staticmethod
    def recv_exact(conn, n):
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def serve(self, conn):
        try:
            while True:
                header = self.recv_exact(conn, 8)
                proto_type = header[1]
                size = int.from_bytes(header[2:], "big")
                body = self.recv_exact(conn, size)
                if proto_type == 1:
                    conn.sendall(self.info_answer(body))
                else:
                    self.last = parse_msg(body)
                    reply = bytes([22, 0, 0, 0, 0, 0]) + bytes(16)
                    conn.sendall(bytes([2, 3]) + len(reply).to_bytes(6, "big") + reply)
        except (EOFError, OSError):
            conn.close()

    def info_answer(self, body):
        out = []
        for name in body.decode().split("\n"):
            if name:
                out.append("%s\t%s\n" % (name, self.info.get(name, "")))
        data = "".join(out).encode()
        return bytes([2, 1]) + len(data).to_bytes(6, "big") + data


def parse_msg(body):
    info1, info2, info3 = body[1], body[2], body[3]
    n_fields, n_ops = struct.unpack_from(">HH", body, 18)
    pos, fields = 22, {}
    for _ in range(n_fields):
        size = struct.unpack_from(">I", body, pos)[0]
        fields[body[pos + 4]] = body[pos + 5:pos + 4 + size]
        pos += 4 + size
    ops = []
    for _ in range(n_ops):
        size, op_type, ptype, _flags, name_len = struct.unpack_from(">IBBBB", body, pos)
        name = body[pos + 8:pos + 8 + name_len].decode()
        value = body[pos + 8 + name_len:pos + 4 + size]
        ops.append([op_type, ptype, name, value.hex()])
        pos += 4 + size
    filt = fields.get(FIELD_FILTER_EXP)
    return {"info": [info1, info2, info3], "ops": ops, "filter": None if filt is None else filt.hex()}


# ---------------------------------------------------------------- tagged JSON

def tag(v):
    t = type(v)
    if v is None:
        return {"$none": True}
    if t is bool:
        return {"$bool": v}
    if t is int or t is str:
        return v
    if t is float:
        return {"$float": repr(v)}
    if t is bytes:
        return {"$bytes": v.hex()}
    if t is bytearray:
        return {"$bytearray": v.hex()}
    if isinstance(v, HyperLogLog):
        return {"$hll": bytes(v).hex()}
    if isinstance(v, aerospike.KeyOrderedDict):
        return {"$kodict": [[tag(k), tag(x)] for k, x in v.items()]}
    if t is dict:
        return {"$map": [[tag(k), tag(x)] for k, x in v.items()]}
    if t is list:
        return [tag(x) for x in v]
    if t is tuple:
        return {"$tuple": [tag(x) for x in v]}
    if isinstance(v, aerospike.GeoJSON):
        return {"$geo": v.dumps()}
    if isinstance(v, aerospike.CDTWildcard):
        return {"$wildcard": True}
    if isinstance(v, aerospike.CDTInfinite):
        return {"$infinite": True}
    if isinstance(v, aerospike.null):
        return {"$null": True}
    if isinstance(v, _cdt_ctx):
        return {"$ctx": [v.id, tag(v.value), tag(v.extra_args)]}
    return {"$object": type(v).__name__}


# ---------------------------------------------------------------- samples

NAMES = {
    "aerospike": aerospike, "list_operations": list_operations, "map_operations": map_operations,
    "bitwise_operations": bitwise_operations, "hll_operations": hll_operations,
    "operations": operations, "expression_operations": expression_operations, "exp": exp,
    "cdt_ctx": cdt_ctx, "KeyOrderedDict": aerospike.KeyOrderedDict, "HyperLogLog": HyperLogLog,
}

# Op sources beyond the server cases: value types, policies, flags and client-side errors.
EXTRA_OPS = [
    "[list_operations.list_append('l', v)] for v in VALUES",
    "[map_operations.map_put('m', v, v)] for v in HASHABLE_VALUES",
    "[operations.write('b', v)] for v in VALUES",
    "[list_operations.list_append('l', 1, {'write_flags': f, 'list_order': o})] for f in (0, 1, 2, 4, 8, 13) for o in (0, 1)",
    "[list_operations.list_append_items('l', [1, 'a'], {'write_flags': 4, 'list_order': 1})]",
    "[list_operations.list_insert('l', -1, 'x', {'write_flags': 2})]",
    "[map_operations.map_put('m', 'k', 1, {'map_write_flags': f, 'map_order': o})] for f in (0, 1, 2, 4, 8) for o in (0, 1, 3)",
    "[map_operations.map_put('m', 'k', 1, {'map_write_mode': w, 'map_order': 1})] for w in (0, 1, 2)",
    "[map_operations.map_put('m', 'k', 1, {'map_order': 1, 'persist_index': True})]",
    "[map_operations.map_put_items('m', {'a': 1, 'b': [1, 2]}, {'map_write_flags': 1})]",
    "[map_operations.map_put_items('m', aerospike.KeyOrderedDict({'b': 1, 'a': 2}))]",
    "[map_operations.map_increment('m', 'k', 1.5, {'map_order': 3})]",
    "[map_operations.map_set_policy('m', {'map_order': o, 'persist_index': p})] for o in (0, 1, 3) for p in (False, True)",
    "[list_operations.list_get_by_value_range('l', r, a, b)] for r in (0, 1, 7, 13) for a, b in ((1, 5), (None, 3), (2, None), (aerospike.CDTWildcard(), aerospike.CDTInfinite()), ([1, aerospike.CDTWildcard()], [1, aerospike.CDTInfinite()]))",
    "[map_operations.map_get_by_key_range('m', 'a', 'c', r, inv)] for r in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13) for inv in (False, True)",
    "[list_operations.list_get_by_index('l', -1, r, ctx=[cdt_ctx.cdt_ctx_list_index_create(2, o, p)])] for r in (1, 7) for o in (0, 1) for p in (False, True)",
    "[map_operations.map_get_by_key('m', 'k', 7, ctx=[cdt_ctx.cdt_ctx_map_key_create('a', o), cdt_ctx.cdt_ctx_list_rank(-1), cdt_ctx.cdt_ctx_map_value([1]), cdt_ctx.cdt_ctx_map_rank(0), cdt_ctx.cdt_ctx_map_index(-2), cdt_ctx.cdt_ctx_list_value('v')])] for o in (0, 1, 3)",
    "[list_operations.list_create('l', o, pad, persist, ctx)] for o in (0, 1) for pad in (False, True) for persist in (False, True) for ctx in (None, [cdt_ctx.cdt_ctx_map_key('a')])",
    "[map_operations.map_create('m', o, persist, ctx)] for o in (0, 1, 3) for persist in (False, True) for ctx in (None, [cdt_ctx.cdt_ctx_list_index(0)])",
    "[list_operations.list_sort('l', f)] for f in (0, 2)",
    "[list_operations.list_set_order('l', o, ctx=[cdt_ctx.cdt_ctx_list_index(1)])] for o in (0, 1)",
    "[bitwise_operations.bit_resize('b', 4, {'bit_write_flags': f}, rf)] for f in (0, 1, 2, 4, 8) for rf in (0, 1, 2, 4, 5)",
    "[bitwise_operations.bit_add('b', 0, 8, 1, s, a, {'bit_write_flags': 8})] for s in (False, True) for a in (0, 2, 4)",
    "[bitwise_operations.bit_subtract('b', 3, 5, 200, s, a)] for s in (False, True) for a in (0, 2, 4)",
    "[bitwise_operations.bit_set_int('b', -8, 8, v)] for v in (0, 255, -1, 2**63 - 1, -2**63)",
    "[bitwise_operations.bit_get_int('b', 0, 64, s)] for s in (False, True)",
    "[hll_operations.hll_init('h', i, m, {'flags': f})] for i in (-1, 4, 16) for m in (-1, 0, 8) for f in (0, 1, 2, 4, 8)",
    "[hll_operations.hll_add('h', ['a', 1, b'x', 2.5], i, m)] for i in (None, 8) for m in (None, 4)",
    "[hll_operations.hll_refresh_count('h'), hll_operations.hll_describe('h'), hll_operations.hll_get_count('h')]",
    "[expression_operations.expression_read('r', exp.IntBin('a').compile(), f)] for f in (0, 16)",
    "[expression_operations.expression_write('w', exp.Add(exp.IntBin('a'), 1).compile(), f)] for f in (0, 1, 2, 4, 8, 16, 31)",
    "[operations.increment('i', v)] for v in (1, -1, 2.5, 2**63 - 1)",
    "[operations.append('s', v)] for v in ('x', b'x', bytearray(b'xy'))",
    "[operations.prepend('s', v)] for v in ('x', b'x')",
    "[operations.touch(), operations.read('a'), operations.delete()]",
    "[operations.touch(100)]",
    "[operations.write('a', 1), operations.read('a'), operations.write('b', None), operations.write('c', aerospike.null())]",
    # client-side errors
    "[list_operations.list_append('l', 2**64)]",
    "[list_operations.list_get_by_index('l', 'x', 1)]",
    "[list_operations.list_get_by_index('l', 1, 'x')]",
    "[list_operations.list_get_range('l', 0, -1)]",
    "[map_operations.map_put('m', 'k', 1, 'policy')]",
    "[map_operations.map_put('m', 'k', 1, {'map_order': 'x'})]",
    "[map_operations.map_get_by_key('m', 'k', 1, ctx='x')]",
    "[map_operations.map_get_by_key('m', 'k', 1, ctx=[1])]",
    "[map_operations.map_get_by_key('m', 'k', 1, ctx=[])]",
    "[list_operations.list_append(1, 1)]",
    "[list_operations.list_append('a' * 16, 1)]",
    "[list_operations.list_append(None, 1)]",
    "[{'op': 99999, 'bin': 'a'}]",
    "[{'op': aerospike.OP_LIST_APPEND, 'bin': 'a'}]",
    "[{'bin': 'a'}]",
    "[{'op': aerospike.OP_LIST_GET_BY_INDEX, 'bin': 'a', 'index': 1}]",
    "[{'op': aerospike.OP_LIST_GET_BY_INDEX, 'bin': 'a', 'index': 1, 'return_type': 1, 'extra': 2}]",
    "[{'op': aerospike.OPERATOR_READ}]",
    "[{'op': aerospike.OPERATOR_WRITE, 'bin': 'a'}]",
    "[{'op': aerospike.OPERATOR_INCR, 'bin': 'a', 'val': 'x'}]",
    "[bitwise_operations.bit_get('b', 'x', 8)]",
    "[hll_operations.hll_add('h', 'notalist', 8)]",
    "[hll_operations.hll_get_union('h', ['notahll'])]",
    "[expression_operations.expression_read('r', 'notexpr')]",
    "[list_operations.list_append('l', object())]",
    "'notalist'",
    "[]",
    "[1]",
]

VALUES_SRC = ("[None, True, False, 0, -1, 127, 128, -32, -33, 255, 256, 65535, 65536, -2**31, 2**32, 2**63 - 1, "
              "-2**63, 0.0, -0.0, 2.5, float('inf'), '', 'a', 'é' * 40, 'x' * 300, b'', b'\\x00\\xff', bytearray(b'ab'), "
              "[], [1, [2, 'a']], {}, {'a': 1, 2: [3]}, {1: {2: 3}}, aerospike.KeyOrderedDict({'b': 1, 'a': 2}), "
              "aerospike.GeoJSON({'type': 'Point', 'coordinates': [1.0, 2.0]}), HyperLogLog(b'\\x00\\x08\\x00'), "
              "aerospike.CDTWildcard(), aerospike.CDTInfinite(), [aerospike.CDTWildcard()], (1, 2), "
              "{'k': aerospike.KeyOrderedDict({1: 2})}, 'x' * 70000]")
NAMES["VALUES"] = eval(VALUES_SRC, dict(NAMES))
NAMES["HASHABLE_VALUES"] = [v for v in NAMES["VALUES"] if getattr(type(v), "__hash__", None) and not isinstance(v, (dict, list))]


def op_samples():
    seen = set()
    for fname in ("basic", "list", "map", "bit", "hll", "expr"):
        with open(os.path.join(CASES, fname + ".jsonl")) as f:
            for line in f:
                case = json.loads(line)
                for srcs in [case.get("ops") or []] + [[s] for s in case.get("setup_ops") or []]:
                    src = "[" + ", ".join(srcs) + "]"
                    if srcs and src not in seen:
                        seen.add(src)
                        yield case["id"], src
    for i, src in enumerate(EXTRA_OPS):
        if " for " in src:
            for j, ops in enumerate(eval("[" + src + "]", dict(NAMES))):
                yield "extra.%d.%d" % (i, j), ops
        else:
            yield "extra.%d" % i, src


def expr_samples():
    seen = set()
    with open(os.path.join(CASES, "expr.jsonl")) as f:
        for line in f:
            case = json.loads(line)
            pol = case.get("policy")
            if pol and "expressions" in pol and pol not in seen:
                seen.add(pol)
                yield case["id"], "(%s)['expressions']" % pol
            for src in case.get("ops") or []:
                if src.startswith("expression_operations") and src not in seen:
                    seen.add(src)
                    yield case["id"], "(%s)['expr']" % src
    from extra_exprs import EXTRA_EXPRS
    for i, src in enumerate(EXTRA_EXPRS):
        if " for " in src:
            for j, expr in enumerate(eval("[" + src + "]", dict(NAMES))):
                yield "extra.%d.%d" % (i, j), expr
        else:
            yield "extra.%d" % i, src


def error_of(e):
    return {"class": type(e).__name__, "code": getattr(e, "code", None), "msg": getattr(e, "msg", str(e))}


def main():
    server = CaptureServer()
    client = aerospike.client({"hosts": [("127.0.0.1", server.port)]})
    key = ("test", "demo", "k")
    out_ops = []
    for case_id, src in op_samples():
        rec = {"id": case_id, "src": src if isinstance(src, str) else None}
        try:
            ops = eval(src, dict(NAMES)) if isinstance(src, str) else src
        except Exception as e:  # helper refused the arguments: nothing for us to encode
            continue
        rec["ops"] = tag(ops)
        server.last = None
        try:
            client.operate(key, ops)
            rec["wire"] = server.last
        except Exception as e:
            rec["error"] = error_of(e)
        out_ops.append(rec)
    out_exprs = []
    for case_id, src in expr_samples():
        try:
            expr = eval(src, dict(NAMES)) if isinstance(src, str) else src
        except Exception:
            continue
        rec = {"id": case_id, "src": src if isinstance(src, str) else None, "expr": tag(expr)}
        try:
            rec["b64"] = client.get_expression_base64(expr)
            server.last = None
            client.get(key, {"expressions": expr})
            rec["filter"] = server.last["filter"]
            assert base64.b64decode(rec["b64"]).hex() == rec["filter"]
        except AssertionError:
            raise
        except Exception as e:
            rec["error"] = error_of(e)
        out_exprs.append(rec)
    out_ctx = []
    for i, src in enumerate(CTX_SAMPLES):
        ctx = eval(src, dict(NAMES))
        rec = {"id": "ctx.%d" % i, "src": src, "ctx": tag(ctx)}
        try:
            rec["b64"] = client.get_cdtctx_base64(ctx)
        except Exception as e:
            rec["error"] = error_of(e)
        out_ctx.append(rec)
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("ops", out_ops), ("exprs", out_exprs), ("ctx", out_ctx)):
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(data, f, indent=0, sort_keys=True)
        print(name, len(data), "samples,", sum("error" in r for r in data), "errors")


CTX_SAMPLES = [
    "[cdt_ctx.cdt_ctx_list_index(0)]",
    "[cdt_ctx.cdt_ctx_list_index(-1), cdt_ctx.cdt_ctx_map_key('a'), cdt_ctx.cdt_ctx_map_rank(2)]",
    "[cdt_ctx.cdt_ctx_list_index_create(3, 1, True), cdt_ctx.cdt_ctx_map_key_create(b'k', 3)]",
    "[cdt_ctx.cdt_ctx_list_value([1, 'x']), cdt_ctx.cdt_ctx_map_value({'a': 1}), cdt_ctx.cdt_ctx_list_rank(0), cdt_ctx.cdt_ctx_map_index(5)]",
    "[cdt_ctx.cdt_ctx_list_index_create(0, 0, False), cdt_ctx.cdt_ctx_list_index_create(0, 1, False), cdt_ctx.cdt_ctx_list_index_create(0, 0, True)]",
    "[cdt_ctx.cdt_ctx_map_key_create('a', 0), cdt_ctx.cdt_ctx_map_key_create('a', 1)]",
    "[]",
    "'x'",
    "[1]",
]

if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
