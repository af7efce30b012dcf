#!/usr/bin/env bash
# Build the documentation: HTML into docs/_build/html (warnings are errors), then run the
# examples of the pages as doctests against the embedded dev server. -E: pages whose text
# comes from the code (constants, exceptions, missing names) are always rebuilt.
#
#   scripts/docs.sh
#
# Uses .venv-cpython (made by scripts/setup.sh) and installs Sphinx into it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-cpython
if ! "$VENV/bin/python" -c "import sphinx" 2>/dev/null; then
    echo "== install sphinx into $VENV"
    "$VENV/bin/python" -m pip install -q sphinx 2>&1 | grep -v "^WARNING: Location" || true
fi

echo "== docs: html"
"$VENV/bin/sphinx-build" -E -W --keep-going -q -b html docs docs/_build/html
echo "== docs: doctest"
"$VENV/bin/sphinx-build" -E -W --keep-going -q -b doctest docs docs/_build/doctest
