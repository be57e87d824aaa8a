#!/usr/bin/env bash
# Stops kite on this machine, and with it everything its agent started: the containerd it
# supervises, the containerd shims and the containers (pods) they run, mounts under the data dir
# and /run/kite, the pod bridge cni0, kite's nft table and its routes to other nodes.
# Environment: INSTALL_KITE_PID_FILE (default /var/run/kite.pid), KITE_DATA_DIR
# (default /var/lib/kite), KITE_CONTAINERD_STATE_DIR (default /run/kite/containerd).
set -u
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet kite 2>/dev/null; then
  systemctl stop kite
fi

# stop_pid PID: SIGTERM, up to 30 s, then SIGKILL.
stop_pid() {
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1"
  for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
}
# kill_tree PID: the process and all its descendants, children first.
kill_tree() {
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill -KILL "$1" 2>/dev/null
}

pid_file=${INSTALL_KITE_PID_FILE:-/var/run/kite.pid}
if [ -f "$pid_file" ]; then
  stop_pid "$(cat "$pid_file")"
  rm -f "$pid_file"
fi

state_dir=${KITE_CONTAINERD_STATE_DIR:-/run/kite/containerd}
data_dir=${KITE_DATA_DIR:-/var/lib/kite}
# containerd left behind by a kite that was killed, then the shims and their containers.
if [ -f "$state_dir/kite-containerd.pid" ]; then
  stop_pid "$(cat "$state_dir/kite-containerd.pid")"
  rm -f "$state_dir/kite-containerd.pid"
fi
for shim in $(pgrep -f -- "containerd-shim.* -address $state_dir/containerd.sock"); do
  kill_tree "$shim"
done

# Mounts (volumes, sandboxes' shm, rootfs) under the data dir and the state dir, deepest first.
for dir in "$data_dir" "$state_dir" /run/kite; do
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
done

# The pod network on this node.
ip link delete cni0 2>/dev/null
nft delete table ip kite-nat 2>/dev/null
ip route show proto 75 2>/dev/null | while read -r route; do
  # shellcheck disable=SC2086
  ip route delete $route 2>/dev/null
done
exit 0
