#!/usr/bin/env bash
# Installs what the browser test (tests/browser, `make test-browser`) needs, when it is missing:
#   - Debian's Chromium (apt-get; root only). Playwright's own browser downloads cannot work on
#     the course machines, so the test drives /usr/bin/chromium;
#   - the Playwright Python package, pinned, in .venv (pip; it bundles its driver).
# Idempotent and fast when both are there. Never fails the build: when something cannot be
# installed it says so and exits 0, and the test then skips with the reason.
#
#   bash tools/browser_setup.sh            (from anywhere; PYTHON=... picks another interpreter)
#
# Keep PLAYWRIGHT_VERSION equal to the pin of the `browser` extra in pyproject.toml.
set -u

PLAYWRIGHT_VERSION=${PLAYWRIGHT_VERSION:-1.65.2}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
CHROMIUM=${TWO_LAYER_NET_CHROMIUM:-/usr/bin/chromium}
# Fonts for readable screenshots (Chromium itself only recommends them).
APT_PACKAGES=(chromium fonts-dejavu-core fonts-liberation)

say() { echo "browser_setup: $*"; }

# --- Chromium -----------------------------------------------------------------------------------
have_chromium() { [[ -x $CHROMIUM ]] || { [[ -z ${TWO_LAYER_NET_CHROMIUM:-} ]] && command -v chromium >/dev/null 2>&1; }; }

if have_chromium; then
    say "Chromium: $(command -v "$CHROMIUM" || command -v chromium) (already installed)"
elif [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's chromium with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt_install() { apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}" </dev/null; }
    # Without package lists (a fresh machine) the install fails: update them once and try again.
    { apt_install || { apt-get update -q </dev/null && apt_install; }; } >/tmp/browser_setup.apt.log 2>&1
    if have_chromium; then
        say "Chromium: installed ($("$CHROMIUM" --version 2>/dev/null | head -n 1))"
    else
        say "WARNING: could not install chromium with apt-get (see /tmp/browser_setup.apt.log);" \
            "the browser test will be skipped"
    fi
else
    say "WARNING: Chromium is not installed and this is not root with apt-get: install it" \
        "(sudo apt-get install chromium) or set TWO_LAYER_NET_CHROMIUM; the browser test will be skipped"
fi

# --- Playwright in the venv ---------------------------------------------------------------------
if [[ ! -x $PY ]]; then
    say "WARNING: $PY does not exist (run \`make setup\` first); the browser test will be skipped"
    exit 0
fi
installed=$("$PY" -c 'import importlib.metadata as m; print(m.version("playwright"))' 2>/dev/null)
if [[ $installed == "$PLAYWRIGHT_VERSION" ]]; then
    say "Playwright $installed (already installed)"
elif "$PY" -m pip install --disable-pip-version-check --quiet "playwright==$PLAYWRIGHT_VERSION"; then
    say "Playwright $PLAYWRIGHT_VERSION: installed${installed:+ (was $installed)}"
else
    say "WARNING: could not install playwright==$PLAYWRIGHT_VERSION with pip;" \
        "the browser test will be skipped"
fi
exit 0
