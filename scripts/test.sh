#!/usr/bin/env bash
# Run the whole test suite under CPython and PyPy (set-up included, see scripts/setup.sh).
#
#   scripts/test.sh [pytest args]
#
# Tests start the embedded dev server; AEROSPIKE_TEST_SERVER=host:port runs them against
# that server instead. The official client (aerospike==19.3.0, CPython) is installed in
# .venv-official for the compatibility tests (OFFICIAL_PYTHON points at it).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

if [ ! -x .venv-official/bin/python ]; then
    ${PYTHON:-python3} -m venv .venv-official
fi
.venv-official/bin/python -c "import aerospike" 2>/dev/null ||
    .venv-official/bin/python -m pip install -q "aerospike==19.3.0" 2>&1 | grep -v "^WARNING: Location" || true
export OFFICIAL_PYTHON="$PWD/.venv-official/bin/python"

scripts/docs.sh  # Sphinx build (-W) and the doc examples as doctests

status=0
for venv in .venv-cpython .venv-pypy; do
    echo "== pytest under $($venv/bin/python -c 'import platform; print(platform.python_implementation(), platform.python_version())')"
    $venv/bin/python -m pytest -q -p no:cacheprovider "$@" || status=$?
done
exit $status
