"""Helpers shared by the dev org contract tests (simple-salesforce clients on a DevOrg)."""

from __future__ import annotations

from typing import Any

from simple_salesforce import Salesforce

from biztel_desk.devorg.server import DevOrg
from biztel_desk.devorg.transport import loopback_session

API_VERSION = "59.0"
DEMO_RECORDS = 300


def soap_client(org: DevOrg, **overrides: Any) -> Salesforce:
    """A client logged in with username + password + security token (SOAP), as most admins configure it."""
    c = org.credentials
    kwargs: dict[str, Any] = {"username": c["username"], "password": c["password"],
                              "security_token": c["security_token"], "domain": "login"}
    kwargs.update(overrides)
    return Salesforce(session=loopback_session(org.url, timeout=10), version=API_VERSION, **kwargs)
