#!/usr/bin/env bash
# Installs every build and test dependency of kite from Debian packages.
# Idempotent: packages already present are skipped, apt-get runs only when needed.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates curl ccache
  libboost-dev libboost-program-options-dev
  nlohmann-json3-dev libssl-dev libyaml-cpp-dev zlib1g-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libgtest-dev libgmock-dev
  etcd-server etcd-client
  python3-kubernetes python3-yaml
  openssl procps iproute2
  containerd runc containernetworking-plugins busybox-static nftables libnftnl-dev libmnl-dev
  socat tar util-linux iptables
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "ci/deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# kubectl is preinstalled on these machines; the tests need it.
if ! command -v kubectl >/dev/null 2>&1; then
  if apt-cache show kubectl >/dev/null 2>&1; then
    apt-get install -y -qq kubectl >/dev/null
  else
    echo "ci/deps.sh: kubectl is not installed and no Debian package provides it" >&2
    exit 1
  fi
fi
