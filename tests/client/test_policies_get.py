"""client.get_policies() reports what the official client reports for the same config.

The reference is tests/data/official_policies.json, made by gen_policies_data.py under the
official client; when that interpreter is available ($OFFICIAL_PYTHON) the committed data
is also checked to be what the official produces now.
"""

import filecmp
import json
import os
import subprocess
import sys

import pytest

import aerospike_cffi

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, os.pardir, "data", "official_policies.json")
OFFICIAL_PYTHON = os.environ.get("OFFICIAL_PYTHON", "/tmp/official-venv/bin/python")

sys.path.insert(0, HERE)
from gen_policies_data import POLICY_CONFIGS, config  # noqa: E402

with open(DATA) as _f:
    EXPECTED = json.load(_f)


@pytest.mark.parametrize("name", sorted(POLICY_CONFIGS))
def test_get_policies_equals_the_official(aerospike_server, name):
    hosts = [(aerospike_server.host, aerospike_server.port)]
    client = aerospike_cffi.client(config(POLICY_CONFIGS[name], hosts))
    try:
        assert client.get_policies() == EXPECTED[name]
        client.close()
        # As the official: the configured policies, connected or not.
        assert client.get_policies() == EXPECTED[name]
    finally:
        client.close()


def test_config_policies_reach_the_commands(aerospike_server, key):
    # batch_parent_write is a struct of its own (not the batch one), txn_verify/txn_roll are
    # kept: a write with the configured policies still works end to end.
    hosts = [(aerospike_server.host, aerospike_server.port)]
    client = aerospike_cffi.client(config(POLICY_CONFIGS["per_kind"], hosts))
    try:
        # (its write policy says exists=UPDATE, durable_delete and compression, the last two
        # of which Community Edition refuses: this write sets them back)
        client.put(key, {"a": 1}, policy={"exists": aerospike_cffi.POLICY_EXISTS_IGNORE,
                                          "durable_delete": False,
                                          "compression_threshold": 0})
        assert client.get(key)[2] == {"a": 1}
        assert client.batch_read([key]).batch_records[0].record[2] == {"a": 1}
    finally:
        client.close()


@pytest.mark.skipif(not os.access(OFFICIAL_PYTHON, os.X_OK),
                    reason="no Python with the official client (set OFFICIAL_PYTHON)")
def test_committed_data_is_what_the_official_produces(tmp_path):
    out = tmp_path / "policies.json"
    subprocess.run([OFFICIAL_PYTHON, os.path.join(HERE, "gen_policies_data.py"), str(out)],
                   check=True, capture_output=True, timeout=120)
    assert filecmp.cmp(DATA, str(out), shallow=False)


@pytest.mark.parametrize("kind", ["batch_parent_write", "txn_verify", "txn_roll"])
def test_expressions_in_batch_like_config_policies(aerospike_server, kind):
    # The filter expression lives in memory the client owns: the C client's copy of the
    # config must not get it (it would free it on close).
    from aerospike_helpers.expressions import base as exp

    hosts = [(aerospike_server.host, aerospike_server.port)]
    policies = {kind: {"expressions": exp.Eq(exp.IntBin("a"), 1).compile(), "max_retries": 3}}
    for _ in range(3):
        client = aerospike_cffi.client(config(policies, hosts))
        assert client.get_policies()[kind]["max_retries"] == 3
        client.close()
