"""Every login mode of simple-salesforce against the dev org, wrong credentials, and session expiry with re-login."""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt
import pytest
import requests
from devorg_helpers import API_VERSION, soap_client
from simple_salesforce import Salesforce, SalesforceAuthenticationFailed

from biztel_desk.devorg.auth import JwtKeys
from biztel_desk.devorg.server import DevOrg
from biztel_desk.devorg.transport import loopback_session


def _session(org: DevOrg) -> requests.Session:
    return loopback_session(org.url, timeout=10)


def _works(sf: Salesforce, org: DevOrg) -> None:
    result = sf.query("SELECT Id, Name FROM Organization")
    assert result["records"][0]["Id"] == org.org_id
    assert sf.sf_instance == org.instance_host


def test_soap_login_with_security_token(devorg: DevOrg) -> None:
    sf = soap_client(devorg)
    _works(sf, devorg)
    assert sf.session_id.startswith(devorg.org_id[:15] + "!")


def test_soap_login_wrong_password_is_invalid_login(devorg: DevOrg) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        soap_client(devorg, password="wrong")
    assert info.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token" in info.value.auth_message


def test_soap_login_wrong_token_and_unknown_user_fail(devorg: DevOrg) -> None:
    with pytest.raises(SalesforceAuthenticationFailed):
        soap_client(devorg, security_token="WRONGTOKEN")
    with pytest.raises(SalesforceAuthenticationFailed):
        soap_client(devorg, username="nobody@example.com")


def test_oauth_password_flow(devorg: DevOrg) -> None:
    c = devorg.credentials
    sf = Salesforce(username=c["username"], password=c["password"] + c["security_token"],
                    consumer_key=c["consumer_key"], consumer_secret=c["consumer_secret"],
                    session=_session(devorg), version=API_VERSION)
    _works(sf, devorg)


def test_oauth_password_flow_errors(devorg: DevOrg) -> None:
    c = devorg.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(username=c["username"], password="nope", consumer_key=c["consumer_key"],
                   consumer_secret=c["consumer_secret"], session=_session(devorg), version=API_VERSION)
    assert (info.value.code, info.value.auth_message) == ("invalid_grant", "authentication failure")
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(username=c["username"], password=c["password"], consumer_key=c["consumer_key"],
                   consumer_secret="bad", session=_session(devorg), version=API_VERSION)
    assert info.value.code == "invalid_client"


def test_jwt_bearer_flow(devorg: DevOrg) -> None:
    c = devorg.credentials
    sf = Salesforce(username=c["username"], consumer_key=c["consumer_key"], privatekey=devorg.jwt_private_key_pem,
                    session=_session(devorg), version=API_VERSION)
    _works(sf, devorg)


def test_jwt_signed_with_unregistered_key_is_refused(devorg: DevOrg) -> None:
    c = devorg.credentials
    other = JwtKeys.generate()
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(username=c["username"], consumer_key=c["consumer_key"], privatekey=other.private_key_pem,
                   session=_session(devorg), version=API_VERSION)
    assert info.value.code == "invalid_grant"
    devorg.register_jwt_certificate(other.certificate_pem)
    sf = Salesforce(username=c["username"], consumer_key=c["consumer_key"], privatekey=other.private_key_pem,
                    session=_session(devorg), version=API_VERSION)
    _works(sf, devorg)


def test_jwt_audience_issuer_subject_and_expiry_are_checked(devorg: DevOrg) -> None:
    c = devorg.credentials
    session = _session(devorg)
    url = "https://login.salesforce.com/services/oauth2/token"
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    def post(**claims: object) -> dict[str, str]:
        payload = {"iss": c["consumer_key"], "sub": c["username"], "aud": "https://login.salesforce.com",
                   "exp": int(time.time()) + 180, **claims}
        assertion = jwt.encode(payload, devorg.jwt_private_key_pem, algorithm="RS256")
        response = session.post(url, data={"grant_type": grant, "assertion": assertion})
        return {"status": str(response.status_code), **response.json()}

    assert post()["status"] == "200"
    assert post(aud="https://test.salesforce.com")["status"] == "200"
    assert post(aud="https://evil.example.com")["error"] == "invalid_grant"
    assert post(exp=int(time.time()) - 10)["error"] == "invalid_grant"
    assert post(iss="someone-else")["error"] == "invalid_client_id"
    assert post(sub="other@example.com")["error"] == "invalid_grant"


def test_client_credentials_flow_needs_my_domain(devorg: DevOrg) -> None:
    c = devorg.credentials
    sf = Salesforce(consumer_key=c["consumer_key"], consumer_secret=c["consumer_secret"], domain=devorg.my_domain,
                    session=_session(devorg), version=API_VERSION)
    _works(sf, devorg)
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(consumer_key=c["consumer_key"], consumer_secret="wrong", domain=devorg.my_domain,
                   session=_session(devorg), version=API_VERSION)
    assert info.value.code == "invalid_client"
    # The same flow posted to login.salesforce.com is refused, as Salesforce requires the My Domain.
    response = _session(devorg).post("https://login.salesforce.com/services/oauth2/token",
                                     data={"grant_type": "client_credentials"},
                                     auth=(c["consumer_key"], c["consumer_secret"]))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_client_credentials_in_form_body(devorg: DevOrg) -> None:
    c = devorg.credentials
    response = _session(devorg).post(f"https://{devorg.instance_host}/services/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": c["consumer_key"], "client_secret": c["consumer_secret"]})
    assert response.status_code == 200
    body = response.json()
    assert body["instance_url"] == devorg.instance_url
    assert body["token_type"] == "Bearer"


def test_direct_session_mode(devorg: DevOrg) -> None:
    token = soap_client(devorg).session_id
    sf = Salesforce(session_id=token, instance_url=devorg.instance_url, session=_session(devorg),
                    version=API_VERSION)
    _works(sf, devorg)


def test_expired_session_is_renewed_by_simple_salesforce(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(session_ttl_s=1)
    sf = soap_client(org)
    first_token = sf.session_id
    deadline = time.monotonic() + 5
    while org.sessions.is_valid(first_token):
        assert time.monotonic() < deadline, "session never expired"
        time.sleep(0.05)
    _works(sf, org)  # 401 INVALID_SESSION_ID → simple-salesforce logs in again and retries
    assert sf.session_id != first_token
    assert org.counters()["login"] == 2


def test_unauthenticated_rest_call_is_401(devorg: DevOrg) -> None:
    response = _session(devorg).get(f"{devorg.instance_url}/services/data/v59.0/sobjects")
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
