#!/usr/bin/env bash
# Build the one-folder Linux app (dist/flywheel/) from a checkout, then smoke-test it.
#
#   bash packaging/build.sh            # set up .venv if needed, build, smoke-test
#   SMOKE_TRAIN=1 bash packaging/build.sh   # also run a real 2-step training in the build
#
# Uses the project venv (`make setup` creates it: torch CPU, llama-cpp-python, ...), adds the
# pinned PyInstaller to it (its only dependencies are altgraph, packaging and the hooks; the
# dry run below refuses anything that would touch torch), runs packaging/flywheel.spec and
# packaging/smoke_test.py. Exits non-zero on the first failure. Prints the build time and
# the size of dist/flywheel.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
PYINSTALLER_VERSION=6.22.3
PYINSTALLER_SPEC=("pyinstaller==$PYINSTALLER_VERSION" "pyinstaller-hooks-contrib==2026.9")

started=$(date +%s)

make setup VENV="$VENV"  # a no-op when the venv is up to date with pyproject.toml

installed=$("$PY" -c 'import PyInstaller; print(PyInstaller.__version__)' 2>/dev/null || true)
if [ "$installed" != "$PYINSTALLER_VERSION" ]; then
  plan=$("$PY" -m pip install --dry-run "${PYINSTALLER_SPEC[@]}" 2>&1)
  if grep -qi "would install.*\btorch-" <<<"$plan"; then
    echo "build: installing PyInstaller would change torch; refusing:" >&2
    echo "$plan" >&2
    exit 1
  fi
  "$PY" -m pip install --quiet "${PYINSTALLER_SPEC[@]}"
fi

echo "build: running PyInstaller (several minutes: torch alone is ~600 MB)"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/flywheel.spec

built=$(date +%s)
echo "build: dist/flywheel built in $((built - started)) s, size $(du -sh dist/flywheel | cut -f1)"

smoke_args=()
[ "${SMOKE_TRAIN:-0}" = "1" ] && smoke_args+=(--train)
"$PY" packaging/smoke_test.py dist/flywheel "${smoke_args[@]}"

finished=$(date +%s)
echo "build: smoke test passed in $((finished - built)) s (total $((finished - started)) s)"
