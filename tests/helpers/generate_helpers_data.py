"""Regenerate tests/data/official_helpers_api.json and tests/data/helpers_expected.json.

Run with the official client's Python, where ``aerospike`` and the official
``aerospike_helpers`` import (not ours):

    /tmp/official-venv/bin/python tests/helpers/generate_helpers_data.py [NAMES_FILE [OUT_DIR]]

NAMES_FILE defaults to ../shared/official-api-names.txt beside the repository, OUT_DIR to tests/data.
"""

import enum
import inspect
import json
import os
import sys

import aerospike

from helpers_cases import Helpers, build_cases
from helpers_encoding import describe_call, encode

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
DEFAULT_NAMES = os.path.join(HERE, "..", "..", "..", "shared", "official-api-names.txt")


def describe_signature(obj):
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


def describe_name(obj):
    if inspect.ismodule(obj):
        return {"kind": "module"}
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        return {"kind": "enum", "members": {m.name: m.value for m in obj}}
    if inspect.isclass(obj):
        return {"kind": "class", "params": describe_signature(obj)}
    if callable(obj):
        return {"kind": "function", "params": describe_signature(obj)}
    return {"kind": "value", "value": encode(obj)}


def main(names_path, out_dir):
    helpers = Helpers()
    with open(names_path) as names:
        wanted = [line.strip() for line in names if line.startswith("aerospike_helpers")]
    api = {name: describe_name(helpers.get(name)) for name in wanted}
    expected = {case_id: describe_call(func, args, kwargs)
                for case_id, (func, args, kwargs) in build_cases(api, helpers, aerospike).items()}
    resources = helpers.get("aerospike_helpers.expressions.resources")
    expected["codes#_ExprOp"] = {"result": {k: v for k, v in vars(resources._ExprOp).items() if k.isupper()}}
    expected["codes#_Keys"] = {"result": {k: v for k, v in vars(resources._Keys).items() if k.isupper()}}
    for file_name, data in (("official_helpers_api.json", api), ("helpers_expected.json", expected)):
        with open(os.path.join(out_dir, file_name), "w") as out:
            json.dump(data, out, indent=0, sort_keys=True)
            out.write("\n")
    print("%d names, %d cases" % (len(api), len(expected)))


if __name__ == "__main__":
    arguments = sys.argv[1:] + [DEFAULT_NAMES, DATA][len(sys.argv) - 1:]
    main(*arguments[:2])
