#!/usr/bin/env bash
# Runs a command with a real, unlocked OS keyring on Linux: a private D-Bus session with gnome-keyring.
# Usage: tools/with_keyring.sh COMMAND...   (needs the Debian packages dbus and gnome-keyring)
set -euo pipefail
if [ -z "${_BIZTEL_IN_DBUS:-}" ]; then
  export _BIZTEL_IN_DBUS=1
  exec dbus-run-session -- "$0" "$@"
fi
# A throw-away keyring in a temporary home, unlocked with a throw-away password.
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
# The daemon may still be writing when the command ends: clean up quietly, best effort.
trap 'rm -rf "$XDG_DATA_HOME" 2>/dev/null || true' EXIT
eval "$(printf 'biztel-ci\n' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
status=0
"$@" || status=$?
exit "$status"
