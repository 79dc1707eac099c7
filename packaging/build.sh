#!/usr/bin/env bash
# Build the one-folder Linux app (dist/flywheel/) from a checkout, then smoke-test it.
#
#   bash packaging/build.sh                 # set up .venv if needed, build, smoke-test
#   SMOKE_TRAIN=0 bash packaging/build.sh   # skip the real 2-step training in the smoke test
#
# Uses the project venv as `make setup` builds it: the releases of packaging/constraints.txt
# (the lock the tests and CI use), PyInstaller included. Runs packaging/flywheel.spec and
# packaging/smoke_test.py. Exits non-zero on the first failure. Prints the build time and the
# size of dist/flywheel.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"

started=$(date +%s)

make setup VENV="$VENV"  # a no-op when the venv is up to date with pyproject.toml and the lock

if [ ! -x "$VENV/bin/pyinstaller" ]; then
  echo "build: $VENV has no PyInstaller; run \`make setup\` (it installs the locked one)" >&2
  exit 1
fi

echo "build: running PyInstaller (several minutes: torch alone is ~600 MB)"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/flywheel.spec

built=$(date +%s)
echo "build: dist/flywheel built in $((built - started)) s, size $(du -sh dist/flywheel | cut -f1)"

smoke_args=()
[ "${SMOKE_TRAIN:-1}" = "0" ] && smoke_args+=(--no-train)
"$PY" packaging/smoke_test.py dist/flywheel "${smoke_args[@]}"

finished=$(date +%s)
echo "build: smoke test passed in $((finished - built)) s (total $((finished - started)) s)"
