"""The browser sign-in end to end: ``account login`` against the dev org over real HTTP, the tokens in the keyring,
refresh after the session expires, and 要再ログイン after the refresh token is revoked.

The system browser is replaced by ``devorg.browser``: plain HTTP that opens the printed URL, fills the sign-in
form, presses 許可 and follows the redirect to the CLI's loopback listener.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from conftest import COMPANY, fallback_account, org_client
from helpers.cli import cli_env as _env

from biztel_desk.devorg.browser import sign_in_and_approve
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.salesforce.connection import SalesforceLoginError, check_connection
from biztel_desk.salesforce.oauth import browser_login
from biztel_desk.secrets import MemoryBackend, SecretStore


def _cli(env: dict[str, str], data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", "en", *args],
                          env=env, capture_output=True, text=True, timeout=180)


def _import_oauth_account(env: dict[str, str], data_dir: Path, org: DevOrg, more: str = "") -> None:
    """``settings import`` of the account devorg (browser sign-in on ``org``) and ``more`` TOML after it."""
    settings = data_dir.parent / "settings.toml"
    settings.write_text(f'[[accounts]]\nname = "devorg"\nauth_method = "oauth_browser"\nlogin_host = "{org.url}"\n'
                        f'consumer_key = "{org.credentials["consumer_key"]}"\n\n{more}', encoding="utf-8")
    assert _cli(env, data_dir, "settings", "import", str(settings)).returncode == 0


def _asterisk_row(unique_id: str, hour: str) -> str:
    day = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    company = COMPANY.replace("-", "")
    return (f',0335550142,{company},from-pstn,"" <0335550142>,SIP/trunk-1,SIP/201-2,Dial,SIP/201,'
            f"{day} {hour}:00:00,{day} {hour}:00:05,{day} {hour}:01:05,65,60,ANSWERED,3,{unique_id},\n")


def _keyring(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "keyring.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _login_in_subprocess(env: dict[str, str], data_dir: Path, org: DevOrg, *, approve: bool = True,
                         password: str | None = None) -> tuple[int, str, str]:
    """``account login devorg --no-browser``; the test follows the printed URL as a browser would."""
    process = subprocess.Popen(
        [sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", "en", "account", "login",
         "devorg", "--no-browser", "--port", "0", "--timeout", "60"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()  # printed before anything else happens
    try:
        assert url.startswith(f"{org.url}/services/oauth2/authorize?"), url
        answer = sign_in_and_approve(url, org.credentials["username"], password or org.credentials["password"],
                                     approve=approve)
        assert answer.status_code == (200 if approve else 400)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, url + "\n" + out, err


def test_cli_login_sync_refresh_and_revoke(tmp_path: Path) -> None:
    env = _env(tmp_path)
    data_dir = tmp_path / "data"
    with DevOrg(seed="demo", records=200) as org:
        sf = org_client(org)
        contact = sf.Contact.create({"LastName": "OAuth確認", "Phone": "03-3555-0142"})
        _import_oauth_account(env, data_dir, org, (
            f'[[settings]]\nname = "本社"\naccount = "devorg"\nfallback_record_id = "{fallback_account(sf)}"\n'
            'api_consent = true\nstatus = "enabled"\n\n'
            f'[[settings.targets]]\nnumber = "{COMPANY}"\nenabled = true\n'))

        # Before any sign-in the account is 要再ログイン, and status says so with the command to run.
        result = _cli(env, data_dir, "status")
        assert result.returncode == 1 and result.stdout == "本社\tenabled\tlogin_required\n"
        assert "biztel-desk account login devorg" in result.stderr

        code, out, err = _login_in_subprocess(env, data_dir, org)
        assert code == 0, err
        assert "code_challenge_method=S256" in out and "redirect_uri=http%3A%2F%2Flocalhost%3A" in out
        assert "Signed in: BIZTEL Desk Dev Org" in err
        stored = _keyring(tmp_path)
        refresh = stored["biztel-desk\x00account:devorg:refresh_token"]
        access = json.loads(stored["biztel-desk\x00account:devorg:access_token"])
        assert refresh and access["access_token"] and access["instance_url"] == org.instance_url
        for text in (out, err):  # tokens never leave the keyring
            assert refresh not in text and access["access_token"] not in text
        assert not any("token" in p.name for p in data_dir.iterdir() if p.is_file())

        result = _cli(env, data_dir, "status")
        assert result.returncode == 0 and result.stdout == "本社\tenabled\n"

        # sync links a call with the browser login's tokens.
        master = tmp_path / "Master.csv"
        master.write_text(_asterisk_row("oauth-1", "10"), encoding="utf-8")
        assert _cli(env, data_dir, "import", str(master), "--preset", "asterisk").returncode == 0
        result = _cli(env, data_dir, "sync", "--once")
        assert result.returncode == 0 and "linked\t1\n" in result.stdout, result.stderr
        tasks = sf.query("SELECT WhoId FROM Task WHERE CallObject = 'oauth-1'")["records"]
        assert [t["WhoId"] for t in tasks] == [contact["id"]]

        # The dev org expires every session: the next run refreshes the access token and keeps working.
        logins = org.counters()["login"]
        org.expire_sessions()
        master.write_text(_asterisk_row("oauth-2", "11"), encoding="utf-8")
        assert _cli(env, data_dir, "import", str(master), "--preset", "asterisk").returncode == 0
        result = _cli(env, data_dir, "sync", "--once")
        assert result.returncode == 0 and "linked\t1\n" in result.stdout, result.stderr
        assert org.counters()["login"] == logins + 1  # one refresh_token grant
        renewed = json.loads(_keyring(tmp_path)["biztel-desk\x00account:devorg:access_token"])
        assert renewed["access_token"] != access["access_token"]
        assert _keyring(tmp_path)["biztel-desk\x00account:devorg:refresh_token"] == refresh

        # The admin revokes the refresh token (its access tokens go with it): 要再ログイン, shown by status.
        revoked = requests.post(f"{org.url}/services/oauth2/revoke", data={"token": refresh}, timeout=10)
        assert revoked.status_code == 200
        master.write_text(_asterisk_row("oauth-3", "12"), encoding="utf-8")
        assert _cli(env, data_dir, "import", str(master), "--preset", "asterisk").returncode == 0
        result = _cli(env, data_dir, "sync", "--once")
        assert result.returncode == 2 and "biztel-desk account login devorg" in result.stderr, result  # login refused
        result = _cli(env, data_dir, "status")
        assert result.returncode == 1 and result.stdout == "本社\tenabled\tlogin_required\n"
        assert "account login devorg" in result.stderr
        assert "biztel-desk\x00account:devorg:refresh_token" not in _keyring(tmp_path)

        # One command signs in again.
        code, _out, err = _login_in_subprocess(env, data_dir, org)
        assert code == 0, err
        assert _cli(env, data_dir, "status").returncode == 0


def test_denied_in_the_browser_exits_1_with_a_reason(tmp_path: Path) -> None:
    env = _env(tmp_path)
    data_dir = tmp_path / "data"
    with DevOrg(seed="empty") as org:
        _import_oauth_account(env, data_dir, org)
        code, _out, err = _login_in_subprocess(env, data_dir, org, approve=False)
        assert code == 1
        assert "Access was denied in the browser (access_denied)" in err
        assert "refresh_token" not in json.dumps(_keyring(tmp_path))


def test_no_browser_times_out_with_a_clear_message(tmp_path: Path) -> None:
    env = _env(tmp_path)
    data_dir = tmp_path / "data"
    with DevOrg(seed="empty") as org:
        _import_oauth_account(env, data_dir, org)
        result = _cli(env, data_dir, "account", "login", "devorg", "--no-browser", "--port", "0", "--timeout", "1")
        assert result.returncode == 1
        assert result.stdout.startswith(f"{org.url}/services/oauth2/authorize?")
        assert "did not finish within 1 seconds" in result.stderr
        result = _cli(env, data_dir, "account", "login", "nobody")
        assert result.returncode == 2


def _oauth_account(org: DevOrg) -> AccountConfig:
    return AccountConfig(name="dev", auth_method=AuthMethod.OAUTH_BROWSER.value, login_host=org.url,
                         consumer_key=org.credentials["consumer_key"])


def _browser(org: DevOrg, answers: list[int]) -> Callable[[str], None]:
    """Stands in for the system browser: a thread that signs in and approves at the URL it is given."""

    def open_url(url: str) -> None:
        def run() -> None:
            answer = sign_in_and_approve(url, org.credentials["username"], org.credentials["password"])
            answers.append(answer.status_code)

        threading.Thread(target=run, daemon=True).start()

    return open_url


def test_refresh_is_transparent_inside_one_connection() -> None:
    """The connection layer refreshes on a 401 and sends the request again: the caller never sees it."""
    with DevOrg(seed="empty") as org:
        secrets = SecretStore(MemoryBackend())
        account = _oauth_account(org)
        answers: list[int] = []
        browser_login(account, secrets, on_url=lambda _u: None, open_browser=_browser(org, answers), timeout=30,
                      ports=(0,))
        # The login returns when the listener has the code; the browser thread reads the page a moment later.
        deadline = time.monotonic() + 10
        while not answers and time.monotonic() < deadline:
            time.sleep(0.01)
        assert answers == [200]  # the listener's page: signed in
        first = check_connection(account, secrets, timeout=10)
        assert first.username == org.credentials["username"] and first.warning is None
        org.expire_sessions()
        again = check_connection(account, secrets, timeout=10)  # the cached token is expired: refreshed once
        assert again.org_id == first.org_id
        # Salesforce's token endpoint fails once (503): a transient failure; the refresh token is kept.
        org.expire_sessions()
        org.inject_fault("http_503", 1, match="/services/oauth2/token")
        with pytest.raises(SalesforceLoginError) as unavailable:
            check_connection(account, secrets, timeout=10)
        assert unavailable.value.code == "unreachable"
        assert secrets.has_account_secret("dev", SecretKind.REFRESH_TOKEN)
        assert not secrets.has_account_secret("dev", SecretKind.ACCESS_TOKEN)  # the next login refreshes
        assert check_connection(account, secrets, timeout=10).org_id == first.org_id
        org.revoke_refresh_tokens()
        with pytest.raises(SalesforceLoginError) as caught:
            check_connection(account, secrets, timeout=10)
        assert caught.value.code == "oauth_relogin_required"
        assert "biztel-desk account login dev" in caught.value.text("ja")
        assert not secrets.has_account_secret("dev", SecretKind.REFRESH_TOKEN)


VERIFIER = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk"
# RFC 7636 §4.2 S256, computed here independently of the code under test.
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode("ascii")).digest()).decode().rstrip("=")


def _authorization_code(session: requests.Session, org: DevOrg) -> str:
    from urllib.parse import parse_qs, urlsplit

    from biztel_desk.devorg.browser import parse_page

    c = org.credentials
    page = session.get(f"{org.url}/services/oauth2/authorize?response_type=code&client_id={c['consumer_key']}"
                       "&redirect_uri=http://localhost:1/callback&state=s1&code_challenge_method=S256"
                       f"&code_challenge={CHALLENGE}&scope=api%20refresh_token", timeout=10)
    form = parse_page(page.text)[0][0]
    consent = session.post(f"{org.url}{form.action}", timeout=10,
                           data={**form.fields, "username": c["username"], "password": c["password"]})
    approve = parse_page(consent.text)[0][0]
    redirect = session.post(f"{org.url}{approve.action}", data={**approve.fields, "decision": "allow"},
                            allow_redirects=False, timeout=10)
    assert redirect.status_code == 302
    query = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_wrong_code_verifier_is_refused_by_the_dev_org() -> None:
    """PKCE S256: a code redeemed with another verifier gets invalid_grant, and the code is then spent."""
    with DevOrg(seed="empty") as org:
        c = org.credentials
        session = requests.Session()
        token = {"grant_type": "authorization_code", "code": _authorization_code(session, org),
                 "client_id": c["consumer_key"], "redirect_uri": "http://localhost:1/callback"}
        wrong = session.post(f"{org.url}/services/oauth2/token", timeout=10,
                             data={**token, "code_verifier": "not-the-verifier-not-the-verifier-0123456789"})
        assert wrong.status_code == 400 and wrong.json() == {"error": "invalid_grant",
                                                             "error_description": "invalid code verifier"}
        spent = session.post(f"{org.url}/services/oauth2/token", timeout=10, data={**token, "code_verifier": VERIFIER})
        assert spent.status_code == 400 and spent.json() == {"error": "invalid_grant",
                                                             "error_description": "invalid authorization code"}
        missing = session.post(f"{org.url}/services/oauth2/token", timeout=10,
                               data={**token, "code": _authorization_code(session, org)})
        assert missing.status_code == 400 and missing.json()["error"] == "invalid_grant"  # no verifier at all
        right = session.post(f"{org.url}/services/oauth2/token", timeout=10,
                             data={**token, "code": _authorization_code(session, org), "code_verifier": VERIFIER})
        assert right.status_code == 200 and right.json()["refresh_token"] and right.json()["access_token"]
        bad_refresh = session.post(f"{org.url}/services/oauth2/token", timeout=10,
                                   data={"grant_type": "refresh_token", "refresh_token": "nope",
                                         "client_id": c["consumer_key"]})
        assert bad_refresh.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
        assert session.post(f"{org.url}/services/oauth2/revoke", data={"token": "nope"}, timeout=10).status_code == 400
