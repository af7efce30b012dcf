"""Write tests/data/official_policies.json: get_policies() of the official client for the
configs in POLICY_CONFIGS (run under the official client's Python; it connects to an
embedded dev server, which imports nothing of our client).

    $OFFICIAL_PYTHON tests/client/gen_policies_data.py [out.json]
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, os.pardir, "data", "official_policies.json")

# name -> the config's "policies" (hosts are added by whoever builds the client).
POLICY_CONFIGS = {
    "default": None,
    "per_kind": {
        "read": {"total_timeout": 77, "deserialize": False, "read_mode_sc": 2, "max_retries": 9},
        "write": {"key": 1, "exists": 2, "durable_delete": True, "ttl": 30,
                  "compression_threshold": 100},
        "operate": {"gen": 1, "read_touch_ttl_percent": 50},
        "remove": {"commit_level": 1, "generation": 3},
        "apply": {"ttl": 7, "durable_delete": True},
        "scan": {"ttl": 3, "socket_timeout": 4},
        "query": {"expected_duration": 1, "deserialize": False},
        "batch": {"concurrent": True, "allow_inline": False},
        "batch_parent_write": {"socket_timeout": 8},
        "batch_write": {"ttl": 9, "exists": 1},
        "batch_apply": {"ttl": 10},
        "batch_remove": {"generation": 4, "gen": 1},
        "txn_verify": {"total_timeout": 3},
        "txn_roll": {"max_retries": 4},
        "info": {"timeout": 11},
        "admin": {"timeout": 12},
    },
    "shortcuts": {"total_timeout": 5, "socket_timeout": 6, "max_retries": 7, "key": 1,
                  "exists": 3, "replica": 1, "commit_level": 1, "read_mode_ap": 1},
}


def config(policies, hosts):
    cfg = {"hosts": hosts}
    if policies is not None:
        cfg["policies"] = policies
    return cfg


def main(out):
    import aerospike

    sys.path.insert(0, os.path.join(HERE, os.pardir, os.pardir))
    from aerospike_cffi.testing import Server

    with Server() as server:
        result = {}
        for name, pols in POLICY_CONFIGS.items():
            client = aerospike.client(config(pols, [(server.host, server.port)]))
            result[name] = client.get_policies()
            client.close()
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else OUT)
