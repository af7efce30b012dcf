#!/usr/bin/env bash
# Run the official client's own test suite (its `test/new_tests`) against a server, with
# `aerospike` resolving to aerospike_cffi (default) or to the official wheel, and print
# pass/fail counts per group of its files.
#
#   scripts/official_suite.sh OFFICIAL_TEST_DIR [--official] [--python PY] [--out DIR]
#                             [--only PATTERN] [-- pytest args]
#
# OFFICIAL_TEST_DIR is the `test` folder of a checkout of github:aerospike/aerospike-client-python
# (the one holding `new_tests/`, `config.conf.template` and the .lua files), e.g. from
#   git -C <clone> archive 19.0.0 test | tar -x -C /some/dir
# This script fetches nothing and copies none of it into this repository: it copies that
# folder to a temporary directory (the suite reads `config.conf` and its Lua files from the
# current directory), writes `config.conf` there and runs pytest on it; a test that hangs is
# stopped after $OFFICIAL_SUITE_TIMEOUT s, and a crash costs the rest of one file (the run
# resumes with the next file).
#
#   --official   run with the interpreter's own `aerospike` (the official wheel); default is
#                aerospike_cffi through a shim package named `aerospike` on sys.path
#   --python PY  interpreter (default .venv-pypy/bin/python, or .venv-official/bin/python
#                with --official); it needs pytest
#   --out DIR    where the per-test outcomes (outcomes.txt) and the summary go
#                (default /tmp/official-suite-<cffi|official>)
#   --only PAT   only the test files whose name contains PAT
#   --compare A B  print, per group, the tests that passed in outcomes A but not in B
#
# The server is $AEROSPIKE_TEST_SERVER (host:port, default 127.0.0.1:3000). Per-test
# timeout: $OFFICIAL_SUITE_TIMEOUT seconds (default 120). Run one suite at a time per server:
# two at once register and remove the same UDF files, and the official client's udf_put
# then waits forever for a file the other run removed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HERE="$ROOT/scripts"

if [ "${1:-}" = "--compare" ]; then
    exec python3 "$HERE/_official_suite_report.py" compare "$2" "$3"
fi

SRC="${1:?usage: scripts/official_suite.sh OFFICIAL_TEST_DIR [options]}"
shift
[ -d "$SRC/new_tests" ] || { [ "$(basename "$SRC")" = new_tests ] && SRC="$(dirname "$SRC")"; }
[ -d "$SRC/new_tests" ] || { echo "no new_tests/ in $SRC" >&2; exit 2; }
SRC="$(cd "$SRC" && pwd)"

MODE=cffi
PY=""
OUT=""
ONLY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --official) MODE=official ;;
        --python) PY="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        --only) ONLY="$2"; shift ;;
        --) shift; break ;;
        *) break ;;
    esac
    shift
done
if [ -z "$PY" ]; then
    if [ $MODE = official ]; then PY="$ROOT/.venv-official/bin/python"; else PY="$ROOT/.venv-pypy/bin/python"; fi
fi
OUT="${OUT:-/tmp/official-suite-$MODE}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
: > "$OUT/outcomes.txt"

SERVER="${AEROSPIKE_TEST_SERVER:-127.0.0.1:3000}"
WORK="$(mktemp -d /tmp/official-suite.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$SRC/." "$WORK/"
cat > "$WORK/config.conf" <<EOF
[input-validation]
validate_keys: true

[community-edition]
hosts: $SERVER

[enterprise-edition]
hosts :
user :
password :
EOF

# sys.path additions: the report plugin always, the `aerospike` alias only for ours.
mkdir -p "$WORK/_plugins" "$WORK/_shim/aerospike"
cp "$HERE/_official_suite_report.py" "$WORK/_plugins/official_suite_report.py"
cat > "$WORK/_shim/aerospike/__init__.py" <<'EOF'
# `import aerospike` (and its submodules) resolve to aerospike_cffi: the same module
# objects, so isinstance checks and module state are shared.
import sys

import aerospike_cffi
import aerospike_cffi.exception
import aerospike_cffi.predicates

for _name, _mod in list(sys.modules.items()):
    if _name == "aerospike_cffi" or _name.startswith("aerospike_cffi."):
        sys.modules["aerospike" + _name[len("aerospike_cffi"):]] = _mod
EOF
PYPATH="$WORK/_plugins"
[ $MODE = cffi ] && PYPATH="$WORK/_shim:$PYPATH"
# The official wheel's environment (.venv-official) usually has no pytest: lend it the
# CPython environment's (same Python version), package by package, so that nothing else
# from there (aerospike_helpers above all) shadows the official's own.
if ! "$PY" -c "import pytest" 2>/dev/null && [ -x "$ROOT/.venv-cpython/bin/python" ]; then
    SP="$("$ROOT/.venv-cpython/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    mkdir -p "$WORK/_pytest_lib"
    for n in pytest _pytest pluggy iniconfig packaging py.py pygments; do
        [ -e "$SP/$n" ] && ln -s "$SP/$n" "$WORK/_pytest_lib/$n"
    done
    PYPATH="$PYPATH:$WORK/_pytest_lib"
fi

echo "== official suite ($MODE, $("$PY" -c 'import platform; print(platform.python_implementation(), platform.python_version())')) against $SERVER; outcomes in $OUT"
cd "$WORK"
files=()
for f in new_tests/test_*.py; do
    if [ -n "$ONLY" ] && [[ "$(basename "$f")" != *"$ONLY"* ]]; then continue; fi
    files+=("$f")
done
# One pytest process for all files; when it dies (a crash, or the whole-run timeout), the
# file it was in is recorded as crashed and the run goes on with the files after it.
run=0
while [ ${#files[@]} -gt 0 ]; do
    run=$((run + 1))
    : > "$WORK/current"
    rc=0
    PYTHONPATH="$PYPATH" OFFICIAL_SUITE_OUTCOMES="$OUT/outcomes.txt" OFFICIAL_SUITE_CURRENT="$WORK/current" \
        timeout "${OFFICIAL_SUITE_RUN_TIMEOUT:-14400}" \
        "$PY" -m pytest -q -p no:cacheprovider -p no:aerospike_cffi -p official_suite_report --continue-on-collection-errors \
        "${files[@]}" "$@" > "$OUT/log-$run.txt" 2>&1 || rc=$?
    echo "run $run: rc=$rc, $(wc -l < "$OUT/outcomes.txt") outcomes so far"
    # exit codes: 0 all passed, 1 some failed, 5 none collected; else it died
    if [ $rc -le 1 ] || [ $rc -eq 5 ]; then break; fi
    current="$(cat "$WORK/current")"
    [ -n "$current" ] || { echo "died before the first test (see $OUT/log-$run.txt)"; break; }
    echo "$current::<file> crashed-rc$rc" >> "$OUT/outcomes.txt"
    rest=()
    seen=0
    for f in "${files[@]}"; do
        [ $seen = 1 ] && rest+=("$f")
        [ "$f" = "$current" ] && seen=1
    done
    files=("${rest[@]}")
done
python3 "$HERE/_official_suite_report.py" summary "$OUT/outcomes.txt" | tee "$OUT/summary.txt"
