#!/usr/bin/env bash
# Run the test suite once under AddressSanitizer (CPython only).
#
#   scripts/asan.sh                      # build (once) and run tests/ under ASan
#                                        # (without the RSS tests)
#   scripts/asan.sh tests/client -x      # arguments go to pytest instead of "tests"
#
# The C client and the shim are built with -fsanitize=address into a folder of their own
# ($ASAN_DIR, default build/asan): a copy of the source tree with its own venv, so the normal
# build (.venv-cpython, .venv-pypy, the .so files next to the sources) is never touched.
# CPython itself is not instrumented: libasan is preloaded (it must come first in the
# process), and PYTHONMALLOC=malloc sends Python's allocations through ASan's malloc too,
# so an overrun from C into a Python buffer shows as well.
#
# Under ASan everything runs several times slower (the dev server of the tests too, in the
# same process), so tests on the 1 s default client timeout may fail with TimeoutError on
# a loaded machine; what counts here is that no ASan report comes.
#
# Leak detection is off: the interpreter leaves much memory unreleased at exit by design,
# which would bury the report. Leaks are covered by tests/client/test_leak.py and the RSS
# soaks (scripts/soak_rss.py), which run without ASan (its quarantine grows RSS).
#
# Environment: ASAN_DIR (build folder), ASAN_C_SRC (C client source folder; default
# libs/aerospike-client-c, else extracted from the official sdist by libs/build_c_client.py),
# PYTHON (python3), AEROSPIKE_TEST_SERVER (as for scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
ASAN_DIR=${ASAN_DIR:-$ROOT/build/asan}
mkdir -p "$ASAN_DIR"
ASAN_DIR=$(cd "$ASAN_DIR" && pwd)
SAN_FLAGS="-fsanitize=address -fno-omit-frame-pointer -g"
LIBASAN=$(gcc -print-file-name=libasan.so)

# 1. The C client with ASan (cached in $ASAN_DIR/c-client, same layout as libs/.cache).
CACHE=$ASAN_DIR/c-client
STAMP=$("$PY" libs/build_c_client.py --stamp)  # our patches (libs/patches) it must carry
if [ ! -f "$CACHE/lib/libaerospike.a" ] || [ "$(cat "$CACHE/PATCHES" 2>/dev/null)" != "$STAMP" ]; then
    SRC=${ASAN_C_SRC:-$ROOT/libs/aerospike-client-c}
    if [ ! -f "$SRC/Makefile" ]; then
        SRC=$("$PY" libs/build_c_client.py --vendor)
    fi
    echo "== C client with ASan from $SRC"
    rm -rf "$ASAN_DIR/c-src" "$CACHE"
    cp -a "$SRC" "$ASAN_DIR/c-src"
    "$PY" libs/build_c_client.py --patch "$ASAN_DIR/c-src"
    (cd "$ASAN_DIR/c-src" && make -j"$(nproc)" EXT_CFLAGS="-fPIC $SAN_FLAGS" EVENT_LIB=libev \
        >"$ASAN_DIR/c-build.log" 2>&1) || { tail -30 "$ASAN_DIR/c-build.log"; exit 1; }
    target=$(ls -d "$ASAN_DIR"/c-src/target/*/ | head -1)
    mkdir -p "$CACHE/lib"
    cp "$target/lib/libaerospike.a" "$CACHE/lib/"
    cp -a "$target/include" "$CACHE/include"
    echo libev >"$CACHE/EVENT_LIB"
    [ -z "$STAMP" ] || echo "$STAMP" >"$CACHE/PATCHES"
fi

# 2. A copy of the tracked sources, with the shim built with ASan into its own venv.
echo "== sources and venv in $ASAN_DIR"
rm -rf "$ASAN_DIR/src"
mkdir -p "$ASAN_DIR/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - | tar -xf - -C "$ASAN_DIR/src"
if [ ! -x "$ASAN_DIR/venv/bin/python" ]; then
    "$PY" -m venv "$ASAN_DIR/venv"
    "$ASAN_DIR/venv/bin/python" -m pip install -q --upgrade pip
fi
(cd "$ASAN_DIR/src" && AEROSPIKE_CFFI_C_CACHE=$CACHE CFLAGS="$SAN_FLAGS" LDFLAGS="-fsanitize=address" \
    "$ASAN_DIR/venv/bin/python" -m pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true)
# (grep without -q reads all of nm's output: with -q it stops at the first match and nm's
# SIGPIPE fails the pipeline under pipefail, a built extension reported as not built)
nm -D "$ASAN_DIR"/src/aerospike_cffi/_aerospike_cffi*.so | grep " __asan_" >/dev/null \
    || { echo "the extension is not built with ASan"; exit 1; }

# 3. The suite, with libasan first in the process.
echo "== pytest under ASan"
cd "$ASAN_DIR/src"
export LD_PRELOAD=$LIBASAN
export PYTHONMALLOC=malloc
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:print_summary=1:log_path=$ASAN_DIR/asan}
rm -f "$ASAN_DIR"/asan.*
status=0
# The RSS tests (marker "leak") are left out: ASan's quarantine holds freed memory back,
# so RSS grows under it by design. tests/packaging (sdists and wheels built in fresh
# venvs) runs too: the whole of tests/ took 18 minutes on the 2-core machine, load ~5
# (5 December 2026); "--ignore=tests/packaging tests" as arguments leaves it out.
if [ $# -eq 0 ]; then set -- tests; fi
"$ASAN_DIR/venv/bin/python" -m pytest -q -p no:cacheprovider -m "not leak" "$@" || status=$?
unset LD_PRELOAD
if ls "$ASAN_DIR"/asan.* >/dev/null 2>&1; then
    echo "== ASan reports:"
    cat "$ASAN_DIR"/asan.*
    exit 1
fi
echo "== no ASan report (pytest exit status $status)"
exit $status
