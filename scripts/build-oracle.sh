#!/usr/bin/env bash
# Builds the differential-test oracle (test/oracle): a small Go program of this project that runs the
# released aws-iam-authenticator and eksctl code on aws-auth maps. Everything comes through the Go
# module proxy, pinned by test/oracle/go.mod and go.sum. Cached by the hash of those files and the
# program: a second run is a no-op that only prints the directory.
#
#   scripts/build-oracle.sh          # prints the directory holding aws-auth-oracle and eksctl's assets
#
# Environment: ORACLE_CACHE (default ~/.cache/cdk-eks-access/oracle).
set -euo pipefail
cd "$(dirname "$0")/../test/oracle"

CACHE_ROOT="${ORACLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk-eks-access/oracle}"
hash="$(cat go.mod go.sum main.go | sha256sum | cut -c1-16)"
OUT="$CACHE_ROOT/$hash"

if [ -x "$OUT/aws-auth-oracle" ] && [ -f "$OUT/emr-containers-rbac.yaml" ]; then
  echo "$OUT"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-oracle: Go is not installed, and the differential tests build aws-iam-authenticator and eksctl from their released modules. Install Go 1.24 or newer (for example 'apt-get install golang-go', or the archive from the Go downloads page, with its bin directory on PATH) and retry." >&2
  exit 3
fi

# Go 1.21+ fetches the newer toolchain go.mod asks for by itself (GOTOOLCHAIN=auto); older Go cannot.
go_minor="$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
if [ -z "$go_minor" ] || [ "$go_minor" -lt 21 ]; then
  echo "build-oracle: $(go version) is too old to build the oracle. Install Go 1.24 or newer (the archive from the Go downloads page, with its bin directory first on PATH) and retry." >&2
  exit 3
fi

log() { echo "build-oracle: $*" >&2; }
mkdir -p "$CACHE_ROOT"
WORK="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

log "building aws-auth-oracle (aws-iam-authenticator and eksctl; cold: about 7 minutes of CPU on 2 cores, 15 minutes on a busy machine)"
go build -trimpath -ldflags "-s -w" -o "$WORK/aws-auth-oracle" . >&2
# eksctl embeds its emr-containers RBAC; the tests compare ours with the file itself.
eksctl_dir="$(go list -m -f '{{.Dir}}' github.com/weaveworks/eksctl)"
cp "$eksctl_dir/pkg/authconfigmap/assets/emr-containers-rbac.yaml" "$WORK/emr-containers-rbac.yaml"
go list -m -f '{{.Path}} {{.Version}}' sigs.k8s.io/aws-iam-authenticator github.com/weaveworks/eksctl > "$WORK/versions.txt"
rm -rf "$OUT"
mv "$WORK" "$OUT"
trap - EXIT
echo "$OUT"
