#!/usr/bin/env bash
# Set up everything on a fresh Debian machine, then run the quickstart.
#
#   scripts/setup.sh            # system packages, C client, CPython + PyPy venvs, quickstart
#
# Idempotent: a second run only re-installs the package into the existing venvs.
# The quickstart talks to the embedded dev server, or to $AEROSPIKE_TEST_SERVER (host:port).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
PYPY=${PYPY:-pypy3}

need_apt=()
for pkg in build-essential libssl-dev zlib1g-dev libyaml-dev libev-dev pypy3 pypy3-dev pypy3-venv; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if ! "$PY" -m venv --help >/dev/null 2>&1; then need_apt+=(python3-venv python3-dev); fi
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "== apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "== C client (built once, cached in libs/.cache)"
"$PY" libs/build_c_client.py

make_venv() {  # $1 interpreter, $2 venv dir
    if [ ! -x "$2/bin/python" ]; then
        "$1" -m venv "$2"
    fi
    "$2/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
    echo "== install aerospike_cffi into $2"
    "$2/bin/python" -m pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
    "$2/bin/python" -c "import aerospike_cffi, aerospike_cffi._aerospike_cffi"
}
make_venv "$PY" .venv-cpython
make_venv "$PYPY" .venv-pypy

echo "== quickstart (CPython)"
.venv-cpython/bin/python examples/quickstart.py
echo "== quickstart (PyPy)"
.venv-pypy/bin/python examples/quickstart.py
