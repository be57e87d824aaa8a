#!/usr/bin/env bash
# kite installer, run from a checkout as root:   sudo installer/install.sh
#
# Installs the build dependencies (Debian packages), builds kite and its images (pause, busybox),
# installs it with the kite-killall.sh / kite-uninstall.sh helpers, puts the image archives where
# the agent imports them (<data-dir>/agent/images, k3s's airgap folder), and starts kite (by
# default `kite server`, which runs an agent for this node too): under systemd when systemd
# runs, otherwise in the background with a pid file and a log under /var/log.
#
# Environment (k3s-style):
#   INSTALL_KITE_EXEC        command and flags for kite (default "server"), e.g.
#                            "server --tls-san my.host --write-kubeconfig-mode 644"
#   INSTALL_KITE_SKIP_START  "true": install only, do not start
#   INSTALL_KITE_SKIP_BUILD  "true": use the existing build instead of building
#   INSTALL_KITE_BUILD_DIR   the build directory (default <checkout>/build)
#   INSTALL_KITE_BIN_DIR     where to install (default /usr/local/bin)
#   INSTALL_KITE_LOG_FILE    log file without systemd (default /var/log/kite.log)
#   INSTALL_KITE_PID_FILE    pid file without systemd (default /var/run/kite.pid)
#   KITE_TOKEN, KITE_URL, KITE_DATA_DIR, ...   passed through to kite
set -euo pipefail

info() { echo "[INFO]  $*"; }
fatal() { echo "[ERROR] $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fatal "run the installer as root"
src=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$src/CMakeLists.txt" ] || fatal "run installer/install.sh from a kite checkout (the curl-pipe installer comes later)"

bin_dir=${INSTALL_KITE_BIN_DIR:-/usr/local/bin}
build_dir=${INSTALL_KITE_BUILD_DIR:-$src/build}
exec_args=${INSTALL_KITE_EXEC:-server}
log_file=${INSTALL_KITE_LOG_FILE:-/var/log/kite.log}
pid_file=${INSTALL_KITE_PID_FILE:-/var/run/kite.pid}
case "$exec_args" in
  server*|agent*) ;;
  -*) exec_args="server $exec_args" ;;
  *) fatal "INSTALL_KITE_EXEC must start with 'server' or 'agent' (got: $exec_args)" ;;
esac

if [ "${INSTALL_KITE_SKIP_BUILD:-false}" != "true" ]; then
  info "installing dependencies"
  bash "$src/ci/deps.sh"
  info "building kite"
  cmake -S "$src" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" --target kite kite_images
fi
[ -x "$build_dir/kite" ] || fatal "no build at $build_dir/kite"

# The value of flag $1 (also -short $2) in the exec args, or nothing.
flag_value() {
  printf '%s\n' $exec_args | awk -v long="$1" -v short="${2:-}" '
    p { print; exit }
    $0 == long || (short != "" && $0 == short) { p = 1 }
    index($0, long "=") == 1 { sub(/^[^=]*=/, ""); print; exit }'
}
data_dir=$(flag_value --data-dir -d)
data_dir=${data_dir:-${KITE_DATA_DIR:-/var/lib/kite}}
with_agent=true
case "$exec_args" in
  server*) printf '%s\n' $exec_args | grep -qx -- '--disable-agent' && with_agent=false ;;
esac

info "installing kite to $bin_dir"
mkdir -p "$bin_dir"
install -m 0755 "$build_dir/kite" "$bin_dir/kite.new"
mv -f "$bin_dir/kite.new" "$bin_dir/kite"
install -m 0755 "$src/installer/kite-killall.sh" "$bin_dir/kite-killall.sh"
install -m 0755 "$src/installer/kite-uninstall.sh" "$bin_dir/kite-uninstall.sh"
mkdir -p /etc/kite
if [ "$with_agent" = true ]; then
  images=$(ls "$build_dir"/images/*.tar 2>/dev/null || true)
  [ -n "$images" ] || fatal "no image archives in $build_dir/images (build the kite_images target)"
  info "installing images to $data_dir/agent/images"
  mkdir -p "$data_dir/agent/images"
  for image in $images; do
    install -m 0644 "$image" "$data_dir/agent/images/$(basename "$image").new"
    mv -f "$data_dir/agent/images/$(basename "$image").new" "$data_dir/agent/images/$(basename "$image")"
  done
fi

if [ "${INSTALL_KITE_SKIP_START:-false}" = "true" ]; then
  info "INSTALL_KITE_SKIP_START=true: not starting kite"
  exit 0
fi

# The kubeconfig kite writes: --write-kubeconfig / -o in the exec args, else the default.
kubeconfig=$(flag_value --write-kubeconfig -o)
kubeconfig=${kubeconfig:-${KITE_KUBECONFIG_OUTPUT:-/etc/kite/kite.yaml}}

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  info "starting kite under systemd"
  sed -e "s|@BIN_DIR@|$bin_dir|g" -e "s|@EXEC@|$exec_args|g" "$src/installer/kite.service" > /etc/systemd/system/kite.service
  env | grep -E '^KITE_' > /etc/systemd/system/kite.service.env || true
  chmod 0600 /etc/systemd/system/kite.service.env
  systemctl daemon-reload
  systemctl enable kite >/dev/null
  systemctl restart kite
else
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    info "stopping the running kite (pid $(cat "$pid_file"))"
    kill -TERM "$(cat "$pid_file")"
    for _ in $(seq 1 100); do kill -0 "$(cat "$pid_file")" 2>/dev/null || break; sleep 0.1; done
  fi
  info "no systemd: starting kite in the background (log $log_file, pid file $pid_file)"
  mkdir -p "$(dirname "$log_file")" "$(dirname "$pid_file")"
  # shellcheck disable=SC2086
  nohup "$bin_dir/kite" $exec_args >>"$log_file" 2>&1 </dev/null &
  echo $! > "$pid_file"
fi

case "$exec_args" in
  server*)
    info "waiting for the API server"
    for _ in $(seq 1 120); do
      if [ -s "$kubeconfig" ] && KUBECONFIG="$kubeconfig" kubectl get --raw /readyz >/dev/null 2>&1; then
        info "kite server is ready"
        if [ "$with_agent" = true ]; then
          node=$(flag_value --node-name)
          node=${node:-${KITE_NODE_NAME:-$(hostname | tr '[:upper:]' '[:lower:]')}}
          ready=""
          for _ in $(seq 1 120); do
            ready=$(KUBECONFIG="$kubeconfig" kubectl get node "$node" \
              -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
            [ "$ready" = True ] && break
            sleep 1
          done
          [ "$ready" = True ] || fatal "node $node did not become Ready in 120 s; see ${log_file} (or journalctl -u kite)"
          info "node $node is Ready"
        fi
        echo
        echo "Use kubectl with:    export KUBECONFIG=$kubeconfig; kubectl get nodes"
        echo "or simply:           kite kubectl get ns"
        echo "Join token:          kite token"
        echo "Stop / uninstall:    kite-killall.sh / kite-uninstall.sh"
        exit 0
      fi
      sleep 1
    done
    fatal "kite server did not become ready in 120 s; see ${log_file} (or journalctl -u kite)"
    ;;
esac
