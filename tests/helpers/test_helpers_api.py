"""Every public name of the official aerospike_helpers 19.3.0 exists in ours, with the same
signature (parameter names, kinds, defaults), constant value and enum members.

The reference is tests/data/official_helpers_api.json (made by generate_helpers_data.py from
the official package). When a Python with the official client is available
(``OFFICIAL_PYTHON``, default /tmp/official-venv/bin/python), the committed data is
also checked to be what the official package produces now.
"""

import enum
import filecmp
import inspect
import json
import os
import subprocess

import pytest

from helpers_cases import Helpers
from helpers_encoding import encode

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
NAMES = os.path.join(HERE, "..", "data", "official_api_names.txt")
OFFICIAL_PYTHON = os.environ.get("OFFICIAL_PYTHON", "/tmp/official-venv/bin/python")

with open(os.path.join(DATA, "official_helpers_api.json")) as _file:
    API = json.load(_file)

ours = Helpers()


def _params(obj):
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = []
    for p in signature.parameters.values():
        entry = {"name": p.name, "kind": p.kind.name}
        if p.default is not p.empty:
            entry["default"] = encode(p.default)
        params.append(entry)
    return params


def test_reference_covers_the_whole_official_surface():
    kinds = {entry["kind"] for entry in API.values()}
    assert len(API) > 1200 and kinds == {"function", "class", "value", "module", "enum"}


@pytest.mark.parametrize("name", sorted(API))
def test_name_matches_official(name):
    expected = API[name]
    obj = ours.get(name)
    if expected["kind"] == "module":
        assert inspect.ismodule(obj)
    elif expected["kind"] == "enum":
        assert issubclass(obj, enum.Enum) and {m.name: m.value for m in obj} == expected["members"]
    elif expected["kind"] == "value":
        assert encode(obj) == expected["value"]
    else:
        assert inspect.isclass(obj) if expected["kind"] == "class" else callable(obj)
        if expected["params"] is not None:
            assert _params(obj) == expected["params"]


@pytest.mark.skipif(not (os.access(OFFICIAL_PYTHON, os.X_OK) and os.path.exists(NAMES)),
                    reason="no Python with the official client, or no official name list")
def test_committed_data_is_what_the_official_package_produces(tmp_path):
    subprocess.run([OFFICIAL_PYTHON, os.path.join(HERE, "generate_helpers_data.py"), NAMES, str(tmp_path)],
                   check=True, capture_output=True)
    for name in ("official_helpers_api.json", "helpers_expected.json"):
        assert filecmp.cmp(os.path.join(DATA, name), str(tmp_path / name), shallow=False), name
