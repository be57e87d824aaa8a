#!/bin/bash
# images/build.sh OUT_DIR: builds kite's built-in images as OCI archives, offline, from Debian
# binaries and kite's own code:
#   OUT_DIR/pause.tar    kite.local/pause:3.10   (images/pause/pause.c, gcc -static -Os)
#   OUT_DIR/busybox.tar  kite.local/busybox:1.35 (/bin/busybox from busybox-static + applet links)
# Each archive is reproducible and is rebuilt only when its inputs change (a hash of the inputs
# is kept next to it in OUT_DIR/.<name>.inputs). See images/README.md.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out_dir=$1
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
epoch=${SOURCE_DATE_EPOCH:-1700000000}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

# Debian architecture -> OCI architecture (+ variant).
variant=""
case "$(dpkg --print-architecture)" in
  amd64) arch=amd64 ;;
  arm64) arch=arm64 ;;
  armhf) arch=arm; variant=v7 ;;
  armel) arch=arm; variant=v5 ;;
  i386) arch=386 ;;
  ppc64el) arch=ppc64le ;;
  s390x) arch=s390x ;;
  riscv64) arch=riscv64 ;;
  *) echo "build.sh: unsupported architecture $(dpkg --print-architecture)" >&2; exit 1 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/kite-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

# up_to_date NAME HASH: true when OUT_DIR/NAME.tar exists and was built from inputs HASH.
up_to_date() {
  [ -f "$out_dir/$1.tar" ] && [ -f "$out_dir/.$1.inputs" ] && [ "$(cat "$out_dir/.$1.inputs")" = "$2" ]
}
common_inputs() {
  sha256sum "$here/build.sh" "$here/oci_archive.py" | cut -d' ' -f1
  echo "$arch $variant $epoch"
}
pack() {  # pack NAME ROOTFS IMAGE [oci_archive.py args...]
  local name=$1 rootfs=$2 image=$3
  shift 3
  # oci_archive.py fixes mtimes and owners; modes are taken from the rootfs as built here.
  "$python" "$here/oci_archive.py" --rootfs "$rootfs" --name "$image" --arch "$arch" \
    --variant "$variant" --epoch "$epoch" --out "$out_dir/$name.tar" "$@"
}

# --- pause -----------------------------------------------------------------------------------
pause_hash=$( { common_inputs; sha256sum "$here/pause/pause.c" | cut -d' ' -f1; gcc --version | head -1; } \
  | sha256sum | cut -d' ' -f1)
if up_to_date pause "$pause_hash"; then
  echo "$out_dir/pause.tar: up to date"
else
  rootfs=$work/pause
  mkdir -p "$rootfs"
  gcc -static -Os -s -Wall -Wextra -Werror -o "$rootfs/pause" "$here/pause/pause.c"
  chmod 0755 "$rootfs/pause"
  pack pause "$rootfs" kite.local/pause:3.10 --entrypoint '["/pause"]'
  echo "$pause_hash" > "$out_dir/.pause.inputs"
fi

# --- busybox ---------------------------------------------------------------------------------
busybox=/bin/busybox
if ! [ -x "$busybox" ] || ! "$busybox" --list-full >/dev/null 2>&1; then
  echo "build.sh: $busybox is missing (install busybox-static)" >&2
  exit 1
fi
busybox_hash=$( { common_inputs; sha256sum "$busybox" | cut -d' ' -f1; } | sha256sum | cut -d' ' -f1)
if up_to_date busybox "$busybox_hash"; then
  echo "$out_dir/busybox.tar: up to date"
else
  rootfs=$work/busybox
  mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp,home,proc,sys,dev}
  chmod 0755 "$rootfs" "$rootfs"/{bin,sbin,usr,usr/bin,usr/sbin,etc,var,home,proc,sys,dev}
  chmod 0700 "$rootfs/root"
  chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
  install -m 0755 "$busybox" "$rootfs/bin/busybox"
  # Every applet at the path busybox itself lists, as a symlink to /bin/busybox.
  "$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$rootfs/$(dirname "$applet")"
    ln -sf /bin/busybox "$rootfs/$applet"
  done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    > "$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nogroup:x:65534:' > "$rootfs/etc/group"
  chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"
  pack busybox "$rootfs" kite.local/busybox:1.35 --cmd '["sh"]' \
    --env PATH=/usr/sbin:/usr/bin:/sbin:/bin
  echo "$busybox_hash" > "$out_dir/.busybox.inputs"
fi
