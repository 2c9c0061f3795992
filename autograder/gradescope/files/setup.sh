#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04, with
# network access): bubblewrap, the grader's Python environment from the course's lock, and the
# dataset. What it chose is printed at the end (Gradescope shows it in the build log).
#
# The environment goes to $TWOLAYER_PREFIX (/opt/twolayer), outside /autograder/source: student
# code that runs without bubblewrap, as an unprivileged user, must be able to run that Python,
# but not to read the bundle (run_autograder locks /autograder/source away from other users).
# The tests run these same steps into a temporary folder with TWOLAYER_PREFIX,
# GRADESCOPE_SOURCE and TWOLAYER_APT=0 (no apt-get).
set -euo pipefail

SOURCE="${GRADESCOPE_SOURCE:-/autograder/source}"
PREFIX="${TWOLAYER_PREFIX:-/opt/twolayer}"
PYTHON="${TWOLAYER_PYTHON:-python3}"
APT="${TWOLAYER_APT:-1}"
set -a
# shellcheck source=/dev/null
. "$SOURCE/course.env"
set +a

apt_install() {
    [ "$APT" = 1 ] || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

if [ "$APT" = 1 ]; then
    apt-get update -q
    # bubblewrap: the sandbox; python3-venv: the environment; fonts/fontconfig: matplotlib.
    apt_install bubblewrap python3-venv python3-pip ca-certificates fontconfig
fi

# The lock written for this Python's version when the bundle has one, else requirements.lock.
lock_for() {
    local version
    version="$("$1" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    if [ -f "$SOURCE/requirements-py$version.lock" ]; then
        echo "$SOURCE/requirements-py$version.lock"
    else
        echo "$SOURCE/requirements.lock"
    fi
}

# A fresh venv of Python $1 with the lock and the grader (editable: its code stays in the
# locked /autograder/source) installed; fails if the lock does not install on that Python.
make_env() {
    local lock
    lock="$(lock_for "$1")"
    rm -rf "$PREFIX/venv"
    "$1" -m venv "$PREFIX/venv" || return 1
    "$PREFIX/venv/bin/python" -m pip install --disable-pip-version-check --no-cache-dir -q -r "$lock" || return 1
    "$PREFIX/venv/bin/python" -m pip install --disable-pip-version-check --no-cache-dir -q --no-deps -e "$SOURCE" \
        || return 1
    echo "$lock" > "$PREFIX/lock-used"
}

mkdir -p "$PREFIX"
if ! make_env "$PYTHON"; then
    # Ubuntu 22.04's own Python is 3.10 and requirements.lock is resolved on 3.11 (numpy 2.4
    # needs 3.11): take python3.11 from Ubuntu's own archive (universe), no PPA needed.
    echo "The lock does not install on $("$PYTHON" --version 2>&1); trying python3.11 from apt."
    apt_install python3.11 python3.11-venv || { echo "setup.sh: no Python that the lock installs on" >&2; exit 1; }
    PYTHON=python3.11
    make_env "$PYTHON"
fi
chmod -R a+rX "$PREFIX"

RUNTIME_ENV="$PREFIX/runtime.env"
: > "$RUNTIME_ENV"
if [ "$TWO_LAYER_NET_DATASET" = cifar10 ]; then
    # The official archive, MD5-checked before anything is unpacked (twolayer.download_cifar10).
    "$PREFIX/venv/bin/python" -m twolayer.download_cifar10 --dest "$PREFIX/data"
    chmod -R a+rX "$PREFIX/data"
    echo "CIFAR10_DIR=$PREFIX/data" >> "$RUNTIME_ENV"
fi

# The grader imports and loads its dataset.
[ "$TWO_LAYER_NET_DATASET" = cifar10 ] && export CIFAR10_DIR="$PREFIX/data"
"$PREFIX/venv/bin/python" -c "import autograder.gradescope.run, twolayer.data as d; d.load_dataset()" \
    || { echo "setup.sh: the grader does not start in $PREFIX/venv" >&2; exit 1; }

# What contains student code here, tried and recorded: every run then asks for the same, and a
# submission whose sandbox cannot start is reported as not graded, never run outside it.
"$PREFIX/venv/bin/python" -m autograder sandbox --record \
    || echo "setup.sh: NO SANDBOX for student code here: every submission will be reported as not graded" \
        "(set AUTOGRADER_SANDBOX=none in course.env to run student code unconfined on purpose)"

echo "setup.sh: grader environment $PREFIX/venv on $("$PREFIX/venv/bin/python" --version)," \
    "lock $(basename "$(cat "$PREFIX/lock-used")"), dataset $TWO_LAYER_NET_DATASET," \
    "bubblewrap $(command -v bwrap || echo 'NOT installed')."
