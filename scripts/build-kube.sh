#!/usr/bin/env bash
# Builds kube-apiserver and etcd from source through the Go module proxy, for the tests that talk
# to a real Kubernetes API server. Cached by version: a second run with the same versions is a no-op.
#
#   scripts/build-kube.sh            # prints the directory holding the two binaries
#
# Environment: KUBE_VERSION (default v1.36.3), ETCD_VERSION (default v3.6.16),
# KUBE_BIN_CACHE (default ~/.cache/cdk-eks-access/kube).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
CACHE_ROOT="${KUBE_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk-eks-access/kube}"
OUT="$CACHE_ROOT/kube-$KUBE_VERSION-etcd-$ETCD_VERSION"

if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ]; then
  echo "$OUT"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-kube: Go is not installed. The tests that use a real kube-apiserver build it from source;" >&2
  echo "install Go 1.24 or newer (for example 'apt-get install golang' or from the Go downloads) and retry." >&2
  exit 3
fi

mkdir -p "$CACHE_ROOT"
WORK="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

# Both binaries are built into a staging dir and moved into place only when both exist, so an
# interrupted build never leaves a half-filled cache entry.
mkdir -p "$WORK/bin"

# --- kube-apiserver -------------------------------------------------------------------------
# k8s.io/kubernetes replaces its staging modules with local paths, which a consumer module cannot
# use; a consumer must replace each staging module it requires with the published v0.x version.
minor="${KUBE_VERSION#v1.}"           # 36.3
staging="v0.${minor}"                 # v0.36.3
mkdir -p "$WORK/kube"
cd "$WORK/kube"
go mod init kubebuild >/dev/null 2>&1
gomod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
[ -f "$gomod" ] || { echo "build-kube: could not download k8s.io/kubernetes@$KUBE_VERSION" >&2; exit 1; }
{
  echo "module kubebuild"
  echo
  echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -n1)"
  echo
  echo "require k8s.io/kubernetes $KUBE_VERSION"
  echo
  # Staging modules that k8s.io/kubernetes both requires and replaces with ./staging/...
  awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r{print $1}' "$gomod" | sort -u > required.txt
  grep -E '^\s*k8s.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk '{print $1}' | sort -u > staged.txt
  comm -12 required.txt staged.txt | while read -r m; do echo "replace $m => $m $staging"; done
} > go.mod
rm -f required.txt staged.txt
cat > tools.go <<GO
//go:build tools

package kubebuild

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
go mod tidy >/dev/null 2>&1 || go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION"
go build -trimpath -ldflags "-s -w" -o "$WORK/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver

# --- etcd -----------------------------------------------------------------------------------
mkdir -p "$WORK/etcd"
cd "$WORK/etcd"
GOBIN="$WORK/bin" go install -trimpath -ldflags "-s -w" "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
mv "$WORK/bin/v3" "$WORK/bin/etcd" 2>/dev/null || mv "$WORK/bin/server" "$WORK/bin/etcd" 2>/dev/null || true
[ -x "$WORK/bin/etcd" ] || { echo "build-kube: etcd binary not produced" >&2; ls "$WORK/bin" >&2; exit 1; }

rm -rf "$OUT.tmp" && mv "$WORK/bin" "$OUT.tmp" && rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "$OUT"
