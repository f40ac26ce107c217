#!/usr/bin/env bash
# Builds kube-apiserver and etcd from source through the Go module proxy, for the tests that talk
# to a real Kubernetes API server. Cached by version: a second run with the same versions is a
# no-op that only prints the directory.
#
#   scripts/build-kube.sh            # prints the directory holding kube-apiserver and etcd
#
# Environment: KUBE_VERSION (default v1.36.3), ETCD_VERSION (default v3.6.16),
# KUBE_BIN_CACHE (default ~/.cache/cdk-eks-access/kube).
#
# Each binary is cached on its own (a failed etcd build does not throw away a 6-minute
# kube-apiserver build) and is moved into place only once complete, so an interrupted build never
# leaves a half-written cache entry. Only the final directory path goes to stdout; progress and
# errors go to stderr.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
CACHE_ROOT="${KUBE_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk-eks-access/kube}"
OUT="$CACHE_ROOT/kube-$KUBE_VERSION-etcd-$ETCD_VERSION"
APISERVER="$CACHE_ROOT/kube-apiserver-$KUBE_VERSION"
ETCD="$CACHE_ROOT/etcd-$ETCD_VERSION"

if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/etcd" ]; then
  echo "$OUT"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-kube: Go is not installed, and the tests that use a real kube-apiserver build it from source. Install Go 1.24 or newer (for example 'apt-get install golang-go', or the archive from the Go downloads page, with its bin directory on PATH) and retry." >&2
  exit 3
fi

# Go 1.21+ fetches the newer toolchain these modules need by itself (GOTOOLCHAIN=auto); older Go cannot.
go_minor="$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
if [ -z "$go_minor" ] || [ "$go_minor" -lt 21 ]; then
  echo "build-kube: $(go version) is too old to build kube-apiserver $KUBE_VERSION. Install Go 1.24 or newer (the archive from the Go downloads page, with its bin directory first on PATH) and retry." >&2
  exit 3
fi

mkdir -p "$CACHE_ROOT"
WORK="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
LDFLAGS="-s -w"

log() { echo "build-kube: $*" >&2; }

# Builds one main package through a throwaway consumer module: `go install pkg@version` refuses
# modules whose go.mod has replace directives (both kubernetes and etcd have them), while a consumer
# module can require them and resolve every dependency to its published version.
#   build_binary <dir> <module> <version> <package> <output> [extra go.mod lines...]
build_binary() {
  local dir="$1" module="$2" version="$3" package="$4" output="$5"
  shift 5
  mkdir -p "$dir"
  (
    cd "$dir"
    {
      echo "module localbuild"
      echo
      echo "go 1.24"
      echo
      echo "require $module $version"
      for line in "$@"; do echo "$line"; done
    } > go.mod
    printf '//go:build tools\n\npackage localbuild\n\nimport _ "%s"\n' "$package" > tools.go
    go mod tidy >&2
    go build -trimpath -ldflags "${LDFLAGS}" -o "$output.partial" "$package" >&2
    mv "$output.partial" "$output"
  )
}

# --- kube-apiserver -------------------------------------------------------------------------
if [ ! -x "$APISERVER" ]; then
  log "building kube-apiserver $KUBE_VERSION (cold: about 6 minutes on 2 cores, 1.8 GB memory)"
  # k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/apiserver, ...) with local
  # paths; a consumer must replace each staging module that kubernetes requires with the published
  # v0.<minor>.<patch> version of the same release.
  gomod="$(cd "$WORK" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [ -f "$gomod" ] || { log "could not download k8s.io/kubernetes@$KUBE_VERSION"; exit 1; }
  staging="v0.${KUBE_VERSION#v1.}"
  awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r{print $1}' "$gomod" | sort -u > "$WORK/required.txt"
  grep -E '^\s*k8s.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk '{print $1}' | sort -u > "$WORK/staged.txt"
  mapfile -t replaces < <(comm -12 "$WORK/required.txt" "$WORK/staged.txt" | while read -r m; do echo "replace $m => $m $staging"; done)
  [ "${#replaces[@]}" -gt 0 ] || { log "found no staging modules to replace in k8s.io/kubernetes@$KUBE_VERSION go.mod"; exit 1; }
  # Stamp the version so /version reports the real release instead of v0.0.0-master.
  minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
  build_binary "$WORK/kube" k8s.io/kubernetes "$KUBE_VERSION" k8s.io/kubernetes/cmd/kube-apiserver \
    "$APISERVER" "${replaces[@]}"
fi

# --- etcd -----------------------------------------------------------------------------------
if [ ! -x "$ETCD" ]; then
  log "building etcd $ETCD_VERSION (cold: about 1 minute)"
  build_binary "$WORK/etcd" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$ETCD"
fi

"$APISERVER" --version >&2
"$ETCD" --version >&2

mkdir -p "$WORK/out"
ln "$APISERVER" "$WORK/out/kube-apiserver" 2>/dev/null || cp "$APISERVER" "$WORK/out/kube-apiserver"
ln "$ETCD" "$WORK/out/etcd" 2>/dev/null || cp "$ETCD" "$WORK/out/etcd"
rm -rf "$OUT" && mv "$WORK/out" "$OUT"
echo "$OUT"
