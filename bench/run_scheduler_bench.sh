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

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${KITE_BUILD_DIR:-$ROOT/build}
KITE=$BUILD/kite
BENCH=$BUILD/bench/kite-scheduler-bench
ETCD=${ETCD:-etcd}
GRACE=${NODE_MONITOR_GRACE:-600s}

if [[ ! -x $KITE || ! -x $BENCH ]]; then
  echo "building kite and kite-scheduler-bench in $BUILD" >&2
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKITE_BENCH=ON >&2
  cmake --build "$BUILD" --target kite kite-scheduler-bench -j2 >&2
fi
command -v "$ETCD" >/dev/null || { echo "etcd not found (Debian package etcd-server)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/kite-sched-bench.XXXXXX)
ETCD_PID=""
KITE_PID=""
BENCH_PID=""

stop_pid() {  # stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  stop_pid "$BENCH_PID"
  stop_pid "$KITE_PID"
  stop_pid "$ETCD_PID"
  if [[ $rc -ne 0 ]]; then
    echo "--- failed (exit $rc); last lines of the logs in $WORK:" >&2
    tail -n 20 "$WORK/kite.log" "$WORK/etcd.log" >&2 2>/dev/null || true
  fi
  if [[ ${KEEP_WORK:-0} == 1 || $rc -ne 0 ]]; then
    echo "work folder kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {  # a loopback TCP port nobody listens on
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -ltnH "sport = :$port" | grep -q .; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2
  return 1
}

wait_for() {  # wait_for SECONDS PID DESCRIPTION COMMAND...: poll COMMAND until it succeeds
  local secs=$1 pid=$2 what=$3
  shift 3
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "$what exited early" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "$what not ready after ${secs}s" >&2; return 1; }
    sleep 0.2
  done
}

ETCD_PORT=$(free_port)
ETCD_PEER_PORT=$(free_port)
KITE_PORT=$(free_port)
ETCD_URL=http://127.0.0.1:$ETCD_PORT

"$ETCD" --name bench --data-dir "$WORK/etcd" --quota-backend-bytes 8589934592 \
  --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "bench=http://127.0.0.1:$ETCD_PEER_PORT" >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!
wait_for 30 "$ETCD_PID" etcd curl -fsS "$ETCD_URL/health"

"$KITE" server --data-dir "$WORK/kite" --bind-address 127.0.0.1 --https-listen-port "$KITE_PORT" \
  --write-kubeconfig "$WORK/kubeconfig.yaml" --disable-agent --datastore-endpoint "$ETCD_URL" \
  --kube-controller-manager-arg "node-monitor-grace-period=$GRACE" \
  >"$WORK/kite.log" 2>&1 &
KITE_PID=$!
wait_for 60 "$KITE_PID" "kite server" test -s "$WORK/kubeconfig.yaml"

echo "etcd pid $ETCD_PID at $ETCD_URL, kite pid $KITE_PID at https://127.0.0.1:$KITE_PORT" >&2
# Bounded by the tool's own per-phase limits; `timeout` is a last guard. Run in the background
# and waited for, so a signal to this script runs the cleanup at once.
timeout 3600 "$BENCH" --kubeconfig "$WORK/kubeconfig.yaml" --server-pid "$KITE_PID" "$@" &
BENCH_PID=$!
wait "$BENCH_PID"
