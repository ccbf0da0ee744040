#!/usr/bin/env bash
# The installed-wheel test (issue #12, names and layout): builds the wheel (pip wheel --no-deps), installs it in a
# fresh virtualenv and runs it from a folder outside the checkout: `biztel-desk --version`, the window offscreen
# for 3 s (BIZTEL_DESK_QUIT_AFTER_S: it migrates a new database), and tools/check_installed_resources.py
# (icons and translations load from the installed package, not from the checkout's resources/). Exit non-zero on
# any failure.
#
# Usage: tools/wheel_check.sh              (PYTHON=python3.11+ to build the venv with; KEEP=1 keeps the temp dir;
#                                          DEPS_VENV=.venv: the fresh venv borrows the dependencies installed there
#                                          (a path in a .pth file, without that venv's own .pth files, so not its
#                                          editable biztel_desk) and the wheel is installed with --no-deps: no
#                                          second download of PySide6 & co. .ci/run does this.)
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)
PYTHON=${PYTHON:-python3}
export QT_QPA_PLATFORM=offscreen PIP_DISABLE_PIP_VERSION_CHECK=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/biztel-wheel.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
fail() { echo "WHEEL CHECK FAILED: $*" >&2; exit 1; }
started=$(date +%s)

"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" wheel -q --no-deps -w "$tmp/dist" "$checkout" >"$tmp/wheel.log" 2>&1 \
  || { tail -30 "$tmp/wheel.log"; fail "pip wheel"; }
wheel=$(ls "$tmp"/dist/biztel_desk-*.whl)
"$tmp/venv/bin/python" -m zipfile -l "$wheel" >"$tmp/wheel-files.txt"  # (not piped into grep -q: pipefail)
grep -q "biztel_desk/resources/translations/biztel_desk_en.qm" "$tmp/wheel-files.txt" \
  || fail "the wheel has no biztel_desk/resources/translations/biztel_desk_en.qm"
if [ -n "${DEPS_VENV:-}" ]; then
  borrowed=$("$DEPS_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  here=$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$borrowed" >"$here/borrowed-dependencies.pth"
  "$tmp/venv/bin/pip" install -q --no-deps "$wheel" >"$tmp/install.log" 2>&1 || { tail -30 "$tmp/install.log"; fail "pip install"; }
  "$tmp/venv/bin/pip" check >"$tmp/check.log" 2>&1 || { cat "$tmp/check.log"; fail "the borrowed dependencies do not satisfy the wheel"; }
else
  "$tmp/venv/bin/pip" install -q "$wheel" >"$tmp/install.log" 2>&1 || { tail -30 "$tmp/install.log"; fail "pip install"; }
fi
echo "wheel $(basename "$wheel") built and installed in $(( $(date +%s) - started )) s"

cd "$tmp"  # nothing of the checkout on sys.path from here on
bin="$tmp/venv/bin"
version=$("$bin/biztel-desk" --version) || fail "--version exited non-zero"
[[ "$version" == "biztel-desk "* ]] || fail "--version printed: $version"
"$bin/python" "$checkout/tools/check_installed_resources.py" "$checkout" || fail "resources of the installed wheel"
BIZTEL_DESK_QUIT_AFTER_S=3 timeout 120 "$bin/biztel-desk" --data-dir "$tmp/data" --lang en >"$tmp/window.log" 2>&1 \
  || { cat "$tmp/window.log"; fail "the window (offscreen) exited non-zero"; }
[ -s "$tmp/data/biztel-desk.sqlite3" ] || fail "the window did not create its database (migrations missing from the wheel?)"
echo "wheel check passed in $(( $(date +%s) - started )) s"
