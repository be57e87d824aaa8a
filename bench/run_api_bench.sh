#!/usr/bin/env bash
# Runs the API server benchmark: a standalone etcd and `kite server --datastore-endpoint` on
# loopback with temporary folders, then build/bench/kite-api-bench against both, and prints
# the Markdown table. Everything it starts is stopped by PID on exit, also on failure.
#
# Usage: bench/run_api_bench.sh [kite-api-bench flags...]
# Environment: KITE_BUILD_DIR (default: <repo>/build), KEEP_WORK=1 keeps the temp folder.
# It builds nothing itself except through cmake when kite or kite-api-bench is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_env.sh"

bench_build kite-api-bench
bench_start_etcd
bench_start_kite
bench_run 600 "$BUILD/bench/kite-api-bench" --kubeconfig "$WORK/kubeconfig.yaml" --etcd-endpoint "$ETCD_URL" \
  --server-pid "$KITE_PID" --etcd-pid "$ETCD_PID" "$@"
