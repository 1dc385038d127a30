#!/usr/bin/env bash
# Set up (idempotent) and run guatu or its tests on a Debian/Ubuntu machine.
#   bash scripts/dev.sh run    # set up, then start the app on the demo database (var/demo.db)
#   bash scripts/dev.sh test   # set up if needed, then ruff, lint-imports (layering) and the whole test suite
#   bash scripts/dev.sh setup  # only set up
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"

# Qt's runtime libraries, poppler (pdftoppm for PDF page checks), Xvfb for real-window screenshots.
APT_PACKAGES=(
  libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xfixes0 libxcb-shm0 libxcb-sync1 libxcb-xkb1 libx11-xcb1
  poppler-utils xvfb xauth
  binutils  # objdump: PyInstaller's bundle test (tests/installer/test_installer.py)
  postgresql  # the server engine: the tests start a throwaway cluster as user postgres (tests/helpers/_pg_server.py)
)

need_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ! python3 -c "import venv, ensurepip" 2>/dev/null; then missing+=(python3-venv); fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing system packages: ${missing[*]}"
    local SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

setup() {
  need_apt
  local stamp="$VENV/.guatu-lock.sha"
  local want
  want=$(cat requirements.lock requirements-dev.lock pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing Python packages (requirements-dev.lock)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.lock
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
  fi
  # Byte-compile the app once: where PYTHONDONTWRITEBYTECODE is set, every command would otherwise
  # compile the sources it imports (≈0.1 s a command); a changed file is recompiled in memory as usual.
  "$VENV/bin/python" -m compileall -q -j 0 app >/dev/null
}

case "${1:-run}" in
  setup)
    setup ;;
  run)
    setup
    mkdir -p var
    if [ ! -f var/demo.db ]; then
      echo "==> building the demo database var/demo.db"
      "$VENV/bin/guatu" demo --db var/demo.db --persons 3000
    fi
    exec "$VENV/bin/guatu" --db var/demo.db ;;
  test)
    setup
    "$VENV/bin/ruff" check .
    "$VENV/bin/lint-imports"  # the layering contracts of pyproject.toml [tool.importlinter]
    # A machine without PostgreSQL fails the PostgreSQL half of the tests under CI instead of skipping it.
    QT_QPA_PLATFORM=offscreen exec "$VENV/bin/python" -m pytest "${@:2}" ;;
  *)
    echo "usage: bash scripts/dev.sh run|test|setup" >&2; exit 2 ;;
esac
