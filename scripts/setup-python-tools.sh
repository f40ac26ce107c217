#!/usr/bin/env bash
# Creates (or repairs) the project's Python tool environment in .venv/ with pinned versions of the
# Python tools the tests use. Idempotent and quick when the environment is already right:
# it reinstalls only when .venv/ is missing or a pinned version changed.
#
# Usage: bash scripts/setup-python-tools.sh   (prints the path of the venv's bin directory)
set -euo pipefail
cd "$(dirname "$0")/.."

# Newest cfn-lint when pinned; bump deliberately, since new rules can flag existing templates.
CFN_LINT_VERSION=1.58.0

venv=.venv
stamp="$venv/.tools-stamp"
want="cfn-lint==$CFN_LINT_VERSION"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null; then
  echo "setup-python-tools: $python not found; install python3 and python3-venv (see .ci/run)" >&2
  exit 1
fi

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$PWD/$venv/bin"
  exit 0
fi

# Serialize concurrent callers (parallel jest workers) on one lock.
mkdir -p "$venv"
exec 9>"$venv/.setup.lock"
flock 9
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$PWD/$venv/bin"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" >&2 || {
    echo "setup-python-tools: '$python -m venv' failed; install python3-venv (see .ci/run)" >&2
    exit 1
  }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$want" >&2
"$venv/bin/cfn-lint" --version >&2
printf '%s' "$want" >"$stamp"
echo "$PWD/$venv/bin"
