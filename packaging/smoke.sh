#!/usr/bin/env bash
# Packaging smoke test (issue #6): builds the Linux variant of packaging/biztel-desk.spec into a temporary
# directory, then drives the BUILT executable only: --help/--version, the dev org (devorg --seed demo), a data
# dir provisioned through `settings import` + `account set-secret` (real OS keyring: this script re-runs
# itself inside tools/with_keyring.sh), `import` of a small Asterisk call file, a headless `sync --once`
# that must link every call, the window started offscreen until it is shown, and --demo for 8 s. Any
# failure exits non-zero.
#
# Usage: packaging/smoke.sh            (PYTHON=path/to/python with the project and its `build` extra;
#                                       default .venv/bin/python; KEEP=1 keeps the temporary directory)
# Needs: binutils (objdump for PyInstaller), dbus + gnome-keyring, the Qt libraries (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${_BIZTEL_IN_DBUS:-}" ]; then
  exec tools/with_keyring.sh "$0" "$@"
fi

PYTHON=${PYTHON:-.venv/bin/python}
export QT_QPA_PLATFORM=offscreen
started=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/biztel-smoke.XXXXXX")
devorg_pid=""
cleanup() {
  if [ -n "$devorg_pid" ] && kill -0 "$devorg_pid" 2>/dev/null; then kill -TERM "$devorg_pid" || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }
step() { echo "== smoke: $* ($(( $(date +%s) - started )) s)"; }

step "build (PyInstaller, Linux one-folder)"
build_start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$tmp/dist" --workpath "$tmp/build" packaging/biztel-desk.spec >"$tmp/build.log" 2>&1 \
  || { tail -40 "$tmp/build.log"; fail "PyInstaller build"; }
exe="$tmp/dist/biztel-desk/biztel-desk"
[ -x "$exe" ] || fail "no executable at $exe"
echo "built in $(( $(date +%s) - build_start )) s, $(du -sh "$tmp/dist/biztel-desk" | cut -f1)"
# The top-level resources/ must sit where biztel_desk.resources_path() looks in the bundle: next to the package.
package_dir=$(dirname "$(find "$tmp/dist/biztel-desk" -path "*/biztel_desk/store/migrations/env.py" | head -n 1)")/../..
[ -f "$package_dir/resources/translations/biztel_desk_en.qm" ] || fail "no biztel_desk/resources/translations/*.qm in the build"
[ "$(ls "$package_dir"/resources/icons/biztel-desk-*.png | wc -l)" -ge 9 ] || fail "the icons are missing from the build"
# Qt's own dialogs in Japanese (ui/i18n.py loads it; PyInstaller's QtCore hook collects it, the spec keeps _ja/_en).
find "$tmp/dist/biztel-desk" -name qtbase_ja.qm | grep -q . || fail "no qtbase_ja.qm (Qt's Japanese) in the build"

step "--help and --version"
"$exe" --help >"$tmp/help.txt" || fail "--help exited $?"
grep -q "devorg" "$tmp/help.txt" || fail "--help does not list the commands"
"$exe" --version

step "dev org from the built executable"
"$exe" devorg --port 0 --seed demo --records 300 >"$tmp/devorg.out" 2>"$tmp/devorg.err" &
devorg_pid=$!
for _ in $(seq 1 600); do
  [ -s "$tmp/devorg.out" ] && break
  kill -0 "$devorg_pid" 2>/dev/null || { cat "$tmp/devorg.err"; fail "devorg exited early"; }
  sleep 0.1
done
credentials=$(head -n 1 "$tmp/devorg.out")
[ -n "$credentials" ] || fail "devorg printed no credentials line within 60 s"
field() { printf '%s' "$credentials" | "$PYTHON" -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
url=$(field url)
echo "dev org at $url"

step "provision a data dir (settings import, account set-secret into the OS keyring)"
# The setting needs the fallback record: the demo seed's Account 登録情報なし, looked up over the dev org's API
# (test set-up only, with the build's Python; everything under test runs from the built executable).
fallback=$("$PYTHON" - "$credentials" <<'PY'
import json
import sys

from simple_salesforce import Salesforce

from biztel_desk.devorg.transport import loopback_session

c = json.loads(sys.argv[1])
sf = Salesforce(username=c["username"], password=c["password"], security_token=c["security_token"], domain="login",
                session=loopback_session(c["url"], timeout=10), version="59.0")
print(sf.query("SELECT Id FROM Account WHERE Name = '登録情報なし'")["records"][0]["Id"])
PY
) || fail "cannot read the fallback Account from the dev org"
data="$tmp/data"
cat >"$tmp/settings.toml" <<EOF
[[accounts]]
name = "devorg"
auth_method = "password"
username = "$(field username)"
login_host = "$url"

[[settings]]
name = "本社"
account = "devorg"
fallback_record_id = "$fallback"
api_consent = true
on_no_match = "create_lead"
status = "enabled"

[[settings.targets]]
number = "03-1234-5678"
enabled = true
EOF
run() { "$exe" --data-dir "$data" --lang en "$@"; }
run settings import "$tmp/settings.toml" || fail "settings import exited $?"
field password | run account set-secret devorg password || fail "set-secret password exited $?"
field security_token | run account set-secret devorg security_token || fail "set-secret security_token exited $?"
run status

step "import a call file (Asterisk Master.csv)"
cat >"$tmp/Master.csv" <<'EOF'
"","09011112222","0312345678","from-trunk","""Yamada"" <09011112222>","PJSIP/trunk-00000001","PJSIP/201-00000002","Dial","PJSIP/201,30","2024-04-01 09:00:00","2024-04-01 09:00:05","2024-04-01 09:03:05",185,180,"ANSWERED","DOCUMENTATION","smoke-0001",""
"","0667778888","0312345678","from-trunk","""Osaka"" <0667778888>","PJSIP/trunk-00000005","","Dial","PJSIP/201,30","2024-04-01 11:00:00","","2024-04-01 11:00:30",30,0,"NO ANSWER","DOCUMENTATION","smoke-0002",""
"","08033334444","0312345678","from-trunk","""Sato"" <08033334444>","PJSIP/trunk-00000008","PJSIP/202-00000009","Dial","PJSIP/202,30","2024-04-01 13:00:00","2024-04-01 13:00:04","2024-04-01 13:02:04",124,120,"ANSWERED","DOCUMENTATION","smoke-0003",""
EOF
run import "$tmp/Master.csv" --preset asterisk || fail "import exited $?"

step "headless sync --once against the dev org"
run sync --help >/dev/null 2>&1 || fail "this build has no 'sync' command"
{
  set +e
  run sync --once >"$tmp/sync.out" 2>"$tmp/sync.err"
  code=$?
  set -e
  cat "$tmp/sync.out" "$tmp/sync.err"
  [ "$code" = 0 ] || fail "sync --once exited $code"
  grep -q "^linked	3$" "$tmp/sync.out" || fail "sync --once did not link the 3 calls"
  grep -q "^failed	0$" "$tmp/sync.out" || fail "sync --once reports failures"
}

step "the window, offscreen, until it is shown"
BIZTEL_DESK_STARTUP_PROBE=1 BIZTEL_DESK_LAUNCHED_AT=$(date +%s.%N) run >"$tmp/gui.out" 2>"$tmp/gui.err" || { cat "$tmp/gui.err"; fail "the window exited $?"; }
grep "^startup-ms" "$tmp/gui.err" || { cat "$tmp/gui.err"; fail "the window never showed"; }

step "demo mode (in-process dev org, simulated calls) for 8 s, offscreen"
BIZTEL_DESK_QUIT_AFTER_S=8 "$exe" --demo --lang en >"$tmp/demo.out" 2>"$tmp/demo.err" \
  || { tail -20 "$tmp/demo.err"; fail "--demo exited $?"; }
# The demo prints "demo calls=N linked=M" when it closes: its simulated calls must have reached the dev org.
grep -E "demo calls=[0-9]+ linked=[1-9][0-9]*" "$tmp/demo.err" || { tail -20 "$tmp/demo.err"; fail "--demo linked no call"; }

step "stop the dev org"
kill -TERM "$devorg_pid"
wait "$devorg_pid" || fail "devorg exited $? on SIGTERM"
devorg_pid=""

echo "SMOKE OK in $(( $(date +%s) - started )) s"
