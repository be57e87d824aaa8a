#!/usr/bin/env bash
# Runs every kite test: installs dependencies, builds, runs ctest (unit + end-to-end).
# Usage: ci/test.sh [ctest args...]   (e.g. ci/test.sh -L unit)
# Environment: BUILD_DIR (default build); KITE_SANITIZE=1 (the default when CI=true) also builds
# and runs the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/deps.sh

build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-2}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j"$jobs"

sanitize=${KITE_SANITIZE:-0}
[ "${CI:-}" = "true" ] && sanitize=${KITE_SANITIZE:-1}
if [ "$sanitize" = "1" ]; then
  # Unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
  cmake -S . -B "$build_dir-asan" -DCMAKE_BUILD_TYPE=Debug -DKITE_SANITIZE=ON >/dev/null
  cmake --build "$build_dir-asan" -j"$jobs" --target base_tests api_tests kv_tests bootstrap_tests apiserver_tests
  (cd "$build_dir-asan" && ctest -L unit -R '^(base|api|kv|bootstrap|apiserver)_tests$' --output-on-failure)
fi

cd "$build_dir"
# ctest's summary line is the last thing printed.
exec ctest --output-on-failure --timeout 900 "$@"
