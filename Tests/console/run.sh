#!/usr/bin/env bash
# Drives the web console in headless Chromium (Debian `chromium` and `chromium-driver`) with
# Selenium and axe-core (axe-selenium-python) from PyPI, in a virtual environment of its own
# (.build/console-venv). Screenshots go to .build/console-screenshots.
#
# Usage: Tests/console/run.sh [path/to/dryad]      (default .build/debug/dryad; build it first)
set -euo pipefail
cd "$(dirname "$0")/../.."
DRYAD=${1:-.build/debug/dryad}
[[ -x $DRYAD ]] || { echo "run.sh: no dryad binary at $DRYAD (run swift build first)" >&2; exit 2; }
if ! [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }
fi
VENV=.build/console-venv
if ! "$VENV/bin/python" -c "import selenium, axe_selenium_python" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "selenium==4.51.0" "axe-selenium-python==2.1.6"
fi
exec "$VENV/bin/python" Tests/console/console_test.py "$DRYAD"
