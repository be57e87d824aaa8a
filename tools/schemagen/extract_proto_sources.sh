#!/bin/sh
# Copies the upstream files schemagen.py reads protobuf facts from (generated.proto and the
# Go types of each API package) out of git clones of kubernetes/api, kubernetes/apimachinery
# and kubernetes/apiextensions-apiserver, at the tag matching Kubernetes 1.32.0, into OUT.
# The copies are inputs only: never commit them.
#   usage: extract_proto_sources.sh API_GIT APIMACHINERY_GIT APIEXTENSIONS_GIT OUT
set -eu
[ $# -eq 4 ] || { echo "usage: $0 API_GIT APIMACHINERY_GIT APIEXTENSIONS_GIT OUT" >&2; exit 2; }
API=$1 MACH=$2 EXT=$3 OUT=$4
TAG=${KUBE_STAGING_TAG:-v0.32.0}
copy() {  # repo path dest
  mkdir -p "$(dirname "$OUT/$3")"
  git -C "$1" show "$TAG:$2" > "$OUT/$3"
}
for g in core/v1 apps/v1 batch/v1 networking/v1 storage/v1 coordination/v1 discovery/v1 \
         policy/v1 events/v1 autoscaling/v1; do
  copy "$API" "$g/generated.proto" "api/$g/generated.proto"
  copy "$API" "$g/types.go" "api/$g/types.go"
done
copy "$MACH" pkg/apis/meta/v1/generated.proto meta/generated.proto
copy "$MACH" pkg/apis/meta/v1/types.go meta/types.go
copy "$MACH" pkg/apis/meta/v1/micro_time.go meta/micro_time.go
copy "$EXT" pkg/apis/apiextensions/v1/generated.proto apiext/generated.proto
copy "$EXT" pkg/apis/apiextensions/v1/types.go apiext/types.go
echo "wrote $OUT"
