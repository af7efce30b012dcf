"""The module surface against the official client's public names (tests/data/official_api_names.txt)."""

import importlib
import os
import subprocess
import sys

import pytest

import aerospike_cffi

NAMES = os.path.join(os.path.dirname(__file__), os.pardir, "data", "official_api_names.txt")

# Official names this client does not offer yet: each entry here is a known gap.
NOT_YET = set()


def _resolve(name):
    parts = name.split(".")
    root = "aerospike_cffi" if parts[0] == "aerospike" else parts[0]
    obj = importlib.import_module(root)
    for i, part in enumerate(parts[1:], 1):
        if hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        obj = importlib.import_module(".".join([root] + parts[1:i + 1]))
    return obj


def _official_names():
    with open(NAMES) as f:
        return [line.strip() for line in f if line.strip().startswith("aerospike.")]


@pytest.mark.parametrize("name", _official_names())
def test_official_name_exists(name):
    if name in NOT_YET:
        with pytest.raises((AttributeError, ImportError)):
            _resolve(name)
    else:
        _resolve(name)


def test_install_as_aerospike_serves_existing_imports():
    module = aerospike_cffi.install_as_aerospike()
    import aerospike
    from aerospike import exception, predicates

    assert module is aerospike_cffi is aerospike
    assert exception.RecordNotFound is aerospike_cffi.exception.RecordNotFound
    assert predicates.equals("b", 1) == (0, 4, "b", 1)


def test_client_is_a_class_usable_unbound(client, key):
    assert isinstance(client, aerospike_cffi.Client)
    aerospike_cffi.Client.put(client, key=key, bins={"a": 1})
    assert aerospike_cffi.Client.get(client, key=key)[2] == {"a": 1}


def test_dev_server_does_not_load_the_extension():
    code = ("import sys, aerospike_cffi.testing; "
            "assert 'aerospike_cffi._aerospike_cffi' not in sys.modules, 'extension loaded'")
    subprocess.run([sys.executable, "-c", code], check=True)
