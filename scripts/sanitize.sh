#!/usr/bin/env bash
# Runs pymlcore's C core under AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   scripts/sanitize.sh [pytest args...]
#
# 1. Builds csrc/ with -DPMC_SANITIZE=ON (-O1 -g -fsanitize=address,undefined,
#    UBSan errors fatal) and runs the C unit tests (ctest) under it, leak
#    detection on.
# 2. Builds the Python extension (pymlcore._core) with the same flags, stages it
#    next to a copy of the pymlcore Python sources in $BUILD_DIR/stage, and runs
#    pytest on that copy with libasan preloaded (the Python interpreter itself is
#    not instrumented).  The editable install in site-packages is neither used
#    nor touched: a small runner drops its import hook and puts the stage first
#    on sys.path.  The exact command it runs is, in effect:
#
#      LD_PRELOAD=$(gcc -print-file-name=libasan.so) PYTHONMALLOC=malloc \
#      ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
#      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
#      python $BUILD_DIR/run_pytest.py <pytest args>
#
#    With no pytest args it runs tests/preprocessing, tests/test_common.py and
#    tests/test_estimator_contract.py minus the memory test (ASan's allocator
#    and shadow memory make the RSS measurement meaningless).  Leak detection is
#    off there: CPython and NumPy keep interned objects and caches for the life
#    of the process, which LeakSanitizer would report.
#
# Environment: BUILD_DIR (default /tmp/pmc_sanitize), CC (default gcc: the
# preloaded runtime must be the compiler's own), SKIP_PYTHON=1 to stop after
# step 1.  Needs cmake and ninja (pip install cmake ninja).  Exit status is
# nonzero on any sanitizer report or test failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-/tmp/pmc_sanitize}"
export CC="${CC:-gcc}"
PYTHON="${PYTHON:-python}"

echo "== 1/2: C unit tests under ASan+UBSan ($BUILD_DIR/csrc)"
cmake -S "$ROOT/csrc" -B "$BUILD_DIR/csrc" -G Ninja -DPMC_SANITIZE=ON -DPMC_BUILD_TESTS=ON \
    -DCMAKE_BUILD_TYPE=Debug -DPython_EXECUTABLE="$(command -v "$PYTHON")" >/dev/null
ninja -C "$BUILD_DIR/csrc"
# A failing C test does not stop the Python half: every finding is reported,
# and the exit status says whether there was any.
status=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$BUILD_DIR/csrc" --output-on-failure || status=1

if [[ "${SKIP_PYTHON:-0}" == 1 ]]; then
    exit "$status"
fi

echo "== 2/2: pytest with a sanitized pymlcore._core ($BUILD_DIR/stage)"
cmake -S "$ROOT" -B "$BUILD_DIR/ext" -G Ninja -DSKBUILD=ON -DPMC_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug -DPython_EXECUTABLE="$(command -v "$PYTHON")" >/dev/null
ninja -C "$BUILD_DIR/ext"
rm -rf "$BUILD_DIR/stage"
mkdir -p "$BUILD_DIR/stage"
cp -r "$ROOT/src/pymlcore" "$BUILD_DIR/stage/"
find "$BUILD_DIR/stage" -name '__pycache__' -prune -exec rm -rf {} +
find "$BUILD_DIR/ext" -name '_core*.so' -exec cp {} "$BUILD_DIR/stage/pymlcore/" \;

cat > "$BUILD_DIR/run_pytest.py" <<PY
# Runs pytest against the staged, sanitized pymlcore instead of the editable install.
import sys
sys.meta_path[:] = [f for f in sys.meta_path
                    if type(f).__name__ != "ScikitBuildRedirectingFinder"]
sys.path.insert(0, "$BUILD_DIR/stage")
import pymlcore
assert pymlcore.__file__.startswith("$BUILD_DIR/stage"), pymlcore.__file__
import pytest
sys.exit(pytest.main(sys.argv[1:]))
PY

if [[ $# -eq 0 ]]; then
    set -- tests/preprocessing tests/test_common.py tests/test_estimator_contract.py \
        -k "not zero_copy" -q -p no:cacheprovider
fi
LIBASAN="$("$CC" -print-file-name=libasan.so)"
cd "$ROOT"
LD_PRELOAD="$LIBASAN" PYTHONMALLOC=malloc \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$PYTHON" "$BUILD_DIR/run_pytest.py" "$@" || status=1
exit "$status"
