#!/usr/bin/env bash
# Every runtime dependency must install on the Windows build machine from a wheel, for the Python
# the installer bundles (installer/README.md: CPython 3.11 x64). Run after changing requirements.lock;
# it downloads ~150 MB, so it is not part of the test run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYVER="${PYVER:-3.11}"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
grep -v '^\s*#' requirements.lock | grep -v '^\s*$' > "$dest/runtime.txt"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform win_amd64 --python-version "$PYVER" --implementation cp \
  -d "$dest/wheels" -r "$dest/runtime.txt"
want=$(wc -l < "$dest/runtime.txt")
got=$(find "$dest/wheels" -name '*.whl' | wc -l)
echo "win_amd64 wheels for CPython $PYVER: $got of $want runtime packages"
[ "$got" -eq "$want" ] || { echo "missing a Windows wheel" >&2; exit 1; }
