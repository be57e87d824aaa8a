# Shared by the bench/run_*.sh scripts (sourced, not run): a temporary work folder, a standalone
# etcd and `kite server --datastore-endpoint` on loopback, and a cleanup that stops everything
# started here by PID on exit, also on failure.
#
# After `source bench/bench_env.sh`: bench_build TARGET... builds what is missing;
# bench_start_etcd and bench_start_kite [extra kite server flags...] set ETCD_URL/ETCD_PID and
# KITE_PORT/KITE_PID (kubeconfig in $WORK/kubeconfig.yaml); bench_run SECONDS CMD... runs the
# benchmark tool in the background (so a signal runs the cleanup at once) and waits for it.
# Environment: KITE_BUILD_DIR (default <repo>/build), KEEP_WORK=1 keeps the work folder, ETCD.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${KITE_BUILD_DIR:-$ROOT/build}
KITE=$BUILD/kite
ETCD=${ETCD:-etcd}
WORK=$(mktemp -d /tmp/kite-bench.XXXXXX)
BENCH_PIDS=()  # stopped in reverse order on exit

bench_build() {  # bench_build TARGET...: builds kite and the targets when a binary is missing
  local missing=0 t
  [[ -x $KITE ]] || missing=1
  for t in "$@"; do [[ -x $BUILD/bench/$t ]] || missing=1; done
  ((missing)) || return 0
  echo "building kite $* in $BUILD" >&2
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKITE_BENCH=ON >&2
  cmake --build "$BUILD" --target kite "$@" -j2 >&2
}

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

bench_cleanup() {
  local rc=$? i
  for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${BENCH_PIDS[i]}"; done
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
trap bench_cleanup EXIT
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

bench_start_etcd() {  # bench_start_etcd [extra etcd flags...]
  command -v "$ETCD" >/dev/null || { echo "etcd not found (Debian package etcd-server)" >&2; return 1; }
  local port peer
  port=$(free_port)
  peer=$(free_port)
  ETCD_URL=http://127.0.0.1:$port
  "$ETCD" --name bench --data-dir "$WORK/etcd" "$@" \
    --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "bench=http://127.0.0.1:$peer" >"$WORK/etcd.log" 2>&1 &
  ETCD_PID=$!
  BENCH_PIDS+=("$ETCD_PID")
  wait_for 30 "$ETCD_PID" etcd curl -fsS "$ETCD_URL/health"
}

bench_start_kite() {  # bench_start_kite [extra kite server flags...] (after bench_start_etcd)
  KITE_PORT=$(free_port)
  "$KITE" server --data-dir "$WORK/kite" --bind-address 127.0.0.1 --https-listen-port "$KITE_PORT" \
    --write-kubeconfig "$WORK/kubeconfig.yaml" --disable-agent --datastore-endpoint "$ETCD_URL" "$@" \
    >"$WORK/kite.log" 2>&1 &
  KITE_PID=$!
  BENCH_PIDS+=("$KITE_PID")
  wait_for 60 "$KITE_PID" "kite server" test -s "$WORK/kubeconfig.yaml"
  echo "etcd pid $ETCD_PID at $ETCD_URL, kite pid $KITE_PID at https://127.0.0.1:$KITE_PORT" >&2
}

bench_run() {  # bench_run SECONDS CMD...: `timeout` is a last guard behind the tool's own limits
  local secs=$1
  shift
  timeout "$secs" "$@" &
  BENCH_PIDS+=("$!")
  wait "$!"
}
