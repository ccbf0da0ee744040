"""The dev org's browser sign-in pages and the --new-org flag, over plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from biztel_desk.devorg.browser import SignInRefused, parse_page, sign_in_and_approve
from biztel_desk.devorg.server import DevOrg
from biztel_desk.devorg.transport import loopback_session

VERIFIER = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode("ascii")).digest()).decode().rstrip("=")


@pytest.fixture(scope="module")
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="bare") as running:
        yield running


def _authorize_url(org: DevOrg, **changes: str) -> str:
    query = {"response_type": "code", "client_id": org.credentials["consumer_key"],
             "redirect_uri": "http://localhost:9/callback", "state": "st-1", "scope": "api refresh_token",
             "code_challenge": CHALLENGE, "code_challenge_method": "S256"}
    query.update(changes)
    return f"{org.url}/services/oauth2/authorize?{urlencode(query)}"


def _authorization_code(org: DevOrg, **changes: str) -> str:
    """The code of the redirect after signing in and allowing, through the dev org's pages as a browser does."""
    session = requests.Session()
    page = session.get(_authorize_url(org, **changes), timeout=10)
    sign_in = parse_page(page.text)[0][0]
    consent = session.post(f"{org.url}{sign_in.action}", timeout=10, data={
        **sign_in.fields, "username": org.credentials["username"], "password": org.credentials["password"]})
    approve = parse_page(consent.text)[0][0]
    redirect = session.post(f"{org.url}{approve.action}", data={**approve.fields, "decision": "allow"},
                            allow_redirects=False, timeout=10)
    return parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0]


def test_sign_in_page_then_approve_page_then_redirect(org: DevOrg) -> None:
    session = requests.Session()
    page = session.get(_authorize_url(org), timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    forms, _ = parse_page(page.text)
    assert {"username", "password", "state", "code_challenge"} <= set(forms[0].fields)
    wrong = session.post(f"{org.url}{forms[0].action}", data={**forms[0].fields, "username": org.credentials["username"],
                                                              "password": "wrong"}, timeout=10)
    forms_after, errors = parse_page(wrong.text)
    assert errors and "password" in forms_after[0].fields  # the sign-in page again, with the reason
    with pytest.raises(SignInRefused):
        sign_in_and_approve(_authorize_url(org), org.credentials["username"], "wrong")


def test_bad_client_or_redirect_is_an_error_page_not_a_redirect(org: DevOrg) -> None:
    bad_client = requests.get(_authorize_url(org, client_id="nope"), timeout=10, allow_redirects=False)
    assert bad_client.status_code == 400 and "invalid_client_id" in bad_client.text
    bad_redirect = requests.get(_authorize_url(org, redirect_uri="https://evil.example/callback"), timeout=10,
                                allow_redirects=False)
    assert bad_redirect.status_code == 400 and "redirect_uri_mismatch" in bad_redirect.text
    bad_method = requests.get(_authorize_url(org, code_challenge_method="plain"), timeout=10, allow_redirects=False)
    assert bad_method.status_code == 302
    query = parse_qs(urlsplit(bad_method.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["st-1"]


def test_redirect_uri_must_match_at_the_token_endpoint(org: DevOrg) -> None:
    code = _authorization_code(org)
    answer = requests.post(f"{org.url}/services/oauth2/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "client_id": org.credentials["consumer_key"],
        "redirect_uri": "http://localhost:10/callback", "code_verifier": VERIFIER})
    assert answer.status_code == 400 and answer.json()["error"] == "redirect_uri_mismatch"


def test_devorg_command_new_org_flag_refuses_soap_login() -> None:
    process = subprocess.Popen([sys.executable, "-m", "biztel_desk.devorg", "--port", "0", "--seed", "bare",
                                "--new-org"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        with pytest.raises(SalesforceAuthenticationFailed) as caught:
            Salesforce(username=info["username"], password=info["password"], security_token=info["security_token"],
                       session=loopback_session(info["url"], timeout=10), version="59.0")
        assert caught.value.code == "INVALID_OPERATION" and "SOAP API login()" in caught.value.auth_message
        # The OAuth flows still work in a new org (client credentials shown here).
        sf = Salesforce(consumer_key=info["consumer_key"], consumer_secret=info["consumer_secret"],
                        domain=urlsplit(info["instance_url"]).hostname.removesuffix(".salesforce.com"),  # type: ignore[union-attr]
                        session=loopback_session(info["url"], timeout=10), version="59.0")
        assert sf.query("SELECT Id FROM Organization")["totalSize"] == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_no_refresh_token_without_the_refresh_token_scope(org: DevOrg) -> None:
    code = _authorization_code(org, scope="api")
    answer = requests.post(f"{org.url}/services/oauth2/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "client_id": org.credentials["consumer_key"],
        "redirect_uri": "http://localhost:9/callback", "code_verifier": VERIFIER})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["access_token"] and "refresh_token" not in body and body["scope"] == "api"
