#!/usr/bin/env bash
# Stops kite (and the etcd it supervises) on this machine.
set -u
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet kite 2>/dev/null; then
  systemctl stop kite
fi
pid_file=${INSTALL_KITE_PID_FILE:-/var/run/kite.pid}
if [ -f "$pid_file" ]; then
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pid_file"
fi
exit 0
