#!/usr/bin/env python3
"""Replay (or record) the call cases of calls*.jsonl beside this file.

    python replay_calls.py [--module aerospike|aerospike_cffi] [--host H] [--port P]
                           [-v] [--only ID_PREFIX] [--record] FILE.jsonl

The cases of replay.py hold operate/get calls on one record.  These hold any client
call, written as Python source: `select`, `put` with policies, `remove_bin`, queries,
index and truncate calls.  They record what a real Aerospike CE 8.1.2 server answered
the official client 19.3.0 where the dev server once answered otherwise.  Fields
(see README.md for the shared ones: `id`, `key`, `bins_before`, `setup_meta`,
`setup_policy`, `outcome`, `bins_after`, `meta_after`):

- `records_before`: `[[key_src, bins], ...]` more records put before the call (and
  removed before and after it), e.g. for queries;
- `setup`: Python statements run before the call, `cleanup`: after it (errors in
  cleanup are ignored);
- `call`: Python source of the call; the names of replay.py are bound, plus `client`
  and `key`;
- `result`: how the call's value is recorded: `record` (the bins of a
  `(key, meta, bins)`), `records` (the bins of each record of a list, sorted), or
  `value` (the value itself); with `"ordered": true` bins are `[[name, value], ...]`
  in the order returned, for the call's record and for `bins_after`.

With `--record` the outcome fields of every case are replaced by what happens now
(run it with the official client against the real server) and the file is rewritten.
"""
import argparse
import json
import sys

from replay import DEFAULT_KEY, Env, match  # noqa: I001 - beside this file


def enc_record_bins(env, bins, ordered):
    if ordered:
        return [[name, env.enc(value)] for name, value in bins.items()]
    return env.enc_bins(bins)


def run_case(client, env, case):
    exc = env.exc
    names = dict(env.ns)
    key = env.ev(case.get("key") or DEFAULT_KEY)
    names.update(client=client, key=key)
    extra = [(env.ev(k), bins) for k, bins in case.get("records_before") or []]
    ordered = bool(case.get("ordered"))

    def remove_all():
        for k in [key] + [k for k, _ in extra]:
            try:
                client.remove(k)
            except (exc.RecordNotFound, exc.NamespaceNotFound):
                pass

    remove_all()
    if case.get("bins_before") is not None:
        meta = case.get("setup_meta")
        pol = env.ev(case["setup_policy"]) if case.get("setup_policy") else None
        client.put(key, env.dec_bins(case["bins_before"]), meta, pol)
    for k, bins in extra:
        client.put(k, env.dec_bins(bins))
    for stmt in case.get("setup") or []:
        exec(stmt, names)  # noqa: S102 - corpus is trusted data
    try:
        res = eval(case["call"], names)  # noqa: S307
        kind = case.get("result", "value")
        if kind == "record":
            outcome = {"result": enc_record_bins(env, res[2], ordered),
                       "meta": env.enc_meta(res[1])}
        elif kind == "records":
            outcome = {"result": sorted((env.enc_bins(r[2]) for r in res),
                                        key=lambda j: json.dumps(j, sort_keys=True))}
        else:
            outcome = {"result": env.enc(res)}
    except Exception as e:  # noqa: BLE001 - recorded as data
        outcome = {"error": env.enc_error(e)}
    try:
        _, m, bins = client.get(key)
        bins_after, meta_after = enc_record_bins(env, bins, ordered), env.enc_meta(m)
    except (exc.RecordNotFound, exc.NamespaceNotFound):
        bins_after, meta_after = None, None
    for stmt in case.get("cleanup") or []:
        try:
            exec(stmt, names)  # noqa: S102
        except Exception:  # noqa: BLE001 - best effort
            pass
    remove_all()
    return {"outcome": outcome, "bins_after": bins_after, "meta_after": meta_after}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--module", default="aerospike")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3000)
    ap.add_argument("--only", default=None)
    ap.add_argument("--record", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    env = Env(args.module)
    # generous timeouts: a loaded machine must not turn an answer into a TimeoutError
    slow = {"total_timeout": 20000, "socket_timeout": 20000}
    client = env.aerospike.client({
        "hosts": [(args.host, args.port)],
        "policies": {name: dict(slow) for name in ("read", "write", "operate", "remove",
                                                    "query", "scan", "info", "batch")},
    }).connect()
    tot_ok = tot_bad = 0
    for path in args.files:
        ok = bad = 0
        with open(path) as f:
            cases = [json.loads(line) for line in f if line.strip()]
        for case in cases:
            if args.only and not case["id"].startswith(args.only):
                continue
            got = run_case(client, env, case)
            if args.record:
                case.update(got)
                continue
            diffs = [(fld, case[fld], got[fld]) for fld in ("outcome", "bins_after", "meta_after")
                     if fld in case and not match(case[fld], got[fld])]
            if diffs:
                bad += 1
                if args.verbose:
                    print("DIFF", case["id"], case["call"])
                    for fld, want, have in diffs:
                        print("   %s expected: %s" % (fld, json.dumps(want)))
                        print("   %s got:      %s" % (fld, json.dumps(have)))
            else:
                ok += 1
        if args.record:
            with open(path, "w") as f:
                for case in cases:
                    f.write(json.dumps(case) + "\n")
            print("%s: %d recorded" % (path, len(cases)))
            continue
        print("%s: %d matched, %d differed" % (path, ok, bad))
        tot_ok += ok
        tot_bad += bad
    print("TOTAL: %d matched, %d differed" % (tot_ok, tot_bad))
    client.close()
    return 0 if tot_bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
