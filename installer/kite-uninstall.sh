#!/usr/bin/env bash
# Removes kite from this machine: stops it, removes the service, binaries, config and data.
set -u
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
bin_dir=$(cd "$(dirname "$0")" && pwd)
"$bin_dir/kite-killall.sh"
if [ -f /etc/systemd/system/kite.service ]; then
  systemctl disable kite >/dev/null 2>&1 || true
  rm -f /etc/systemd/system/kite.service /etc/systemd/system/kite.service.env
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
rm -rf /etc/kite "${KITE_DATA_DIR:-/var/lib/kite}"
rm -f "$bin_dir/kite" "$bin_dir/kite-killall.sh" "$bin_dir/kite-uninstall.sh"
echo "kite uninstalled"
