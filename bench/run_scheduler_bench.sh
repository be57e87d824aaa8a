#!/usr/bin/env bash
# Runs the scheduler benchmark: a standalone etcd and `kite server --datastore-endpoint` on
# loopback with temporary folders, then build/bench/kite-scheduler-bench against the server
# (hollow nodes in-process), and prints the Markdown table. Everything it starts is stopped by
# PID on exit, also on failure.
#
# Usage: bench/run_scheduler_bench.sh [kite-scheduler-bench flags...]
# Environment: KITE_BUILD_DIR (default: <repo>/build), KEEP_WORK=1 keeps the temp folder,
# NODE_MONITOR_GRACE (default 600s: hollow nodes renew their Leases every 60 s here, see
# bench/README.md). It builds nothing itself except through cmake when a binary is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_env.sh"

bench_build kite-scheduler-bench
bench_start_etcd --quota-backend-bytes 8589934592
bench_start_kite --kube-controller-manager-arg "node-monitor-grace-period=${NODE_MONITOR_GRACE:-600s}"
bench_run 3600 "$BUILD/bench/kite-scheduler-bench" --kubeconfig "$WORK/kubeconfig.yaml" --server-pid "$KITE_PID" "$@"
