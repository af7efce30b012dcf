"""Run a script under the official client's interpreter (CPython venv with the
PyPI `aerospike` package): $OFFICIAL_PYTHON, default /tmp/official-venv/bin/python."""

import os
import subprocess

import pytest

OFFICIAL_PYTHON = os.environ.get("OFFICIAL_PYTHON", "/tmp/official-venv/bin/python")


def run_official(args, timeout=600):
    """Run ``OFFICIAL_PYTHON args...``; skip the test when that interpreter is absent."""
    if not os.path.exists(OFFICIAL_PYTHON):
        pytest.skip("official client interpreter %s not found (set OFFICIAL_PYTHON)" % OFFICIAL_PYTHON)
    return subprocess.run([OFFICIAL_PYTHON] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=timeout)
