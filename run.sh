#!/usr/bin/env bash
# One entry for a fresh machine:
#   ./run.sh app    install the runtime (requirements.txt) and start the app on the default region
#   ./run.sh test   install runtime + test/tooling deps (requirements-dev.txt, incl. headless
#                   Chromium) and run lint + all tests
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

install_python() {
  # $1: requirements.txt (runtime) or requirements-dev.txt (runtime + tests and tooling)
  "$PY" -m pip install --disable-pip-version-check -q -r "${1:-requirements.txt}"
}

install_assets() {
  # Leaflet & co. come from the npm registry and are served by the app itself (offline).
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  "$PY" -m layers.assets install
}

install_browser() {
  # Chromium for the browser test; poppler-utils (pdftotext) and DejaVu for the handout PDF test.
  if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null \
    || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver \
      poppler-utils fonts-dejavu-core >/dev/null
  fi
}

case "${1:-app}" in
  app)
    install_python
    install_assets
    exec "$PY" -m streamlit run app.py
    ;;
  test)
    install_python requirements-dev.txt
    install_assets
    install_browser
    "$PY" -m ruff check .
    "$PY" -m ruff format --check .
    exec "$PY" -m pytest -n 2 --dist loadgroup
    ;;
  *)
    echo "usage: ./run.sh app|test" >&2
    exit 2
    ;;
esac
