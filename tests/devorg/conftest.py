"""Dev org fixtures: one demo org per test session on a free loopback port, simple-salesforce clients on it.

Conformance kit (``pytest tests/devorg --real-org``): the contract tests that talk to the org only through the
``sf`` client run against a real Salesforce org instead, so that what the dev org models can be checked
against the real thing. Credentials come from environment variables (see ``REAL_ORG_ENV`` and
docs/salesforce-facts.md "Conformance kit"); without them every test is skipped. Tests that need the dev org
itself — its ``/__devorg/`` faults and introspection, its seeds, its in-process engines (the ``devorg``,
``make_org`` or fake-catalog ``org`` fixtures, or the ``devorg_only`` marker) — are skipped under
``--real-org``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from devorg_helpers import API_VERSION, DEMO_RECORDS, soap_client
from helpers.shared_org import reset_if_used
from simple_salesforce import Salesforce

from biztel_desk.devorg.server import DevOrg
from biztel_desk.devorg.transport import loopback_session

HERE = Path(__file__).resolve().parent
# Environment variables of the conformance kit. One of three logins:
#   password (SOAP login()):  USERNAME + PASSWORD (+ TOKEN unless the IP is trusted)
#   JWT bearer:               USERNAME + CONSUMER_KEY + PRIVATE_KEY_FILE
#   an existing session:      ACCESS_TOKEN + INSTANCE_URL (e.g. from `sf org display`)
# DOMAIN: login (default), test, or the My Domain prefix such as "acme-dev-ed.develop.my".
# LOOPBACK (self-test of the kit only): the URL of a dev org process standing in for the real org.
REAL_ORG_ENV = ("BIZTEL_REAL_ORG_USERNAME", "BIZTEL_REAL_ORG_PASSWORD", "BIZTEL_REAL_ORG_TOKEN",
                "BIZTEL_REAL_ORG_CONSUMER_KEY", "BIZTEL_REAL_ORG_PRIVATE_KEY_FILE", "BIZTEL_REAL_ORG_ACCESS_TOKEN",
                "BIZTEL_REAL_ORG_INSTANCE_URL", "BIZTEL_REAL_ORG_DOMAIN", "BIZTEL_REAL_ORG_LOOPBACK")
# Fixtures that are the dev org itself (or the in-process fake catalog of the SOQL/SOSL engine tests).
DEV_ORG_FIXTURES = frozenset({"devorg", "make_org", "org"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--real-org", action="store_true", default=False,
                     help="run the dev org contract tests against a real Salesforce org (BIZTEL_REAL_ORG_* variables)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "devorg_only(reason): relies on the dev org itself (seed data, /__devorg/); "
                                       "skipped under --real-org")


def real_org_requested(config: pytest.Config) -> bool:
    # getoption with a default: this conftest's option exists only when tests/devorg was named on the command line.
    return bool(config.getoption("--real-org", default=False))


def real_org_login() -> dict[str, Any] | None:
    """simple-salesforce keyword arguments for the real org, or None when the variables do not name a login."""
    env = {name: os.environ.get(name, "") for name in REAL_ORG_ENV}
    domain = env["BIZTEL_REAL_ORG_DOMAIN"] or "login"
    extra: dict[str, Any] = {}
    if env["BIZTEL_REAL_ORG_LOOPBACK"]:
        extra["session"] = loopback_session(env["BIZTEL_REAL_ORG_LOOPBACK"], timeout=30)
    login = _login(env, domain)
    return None if login is None else {**login, **extra}


def _login(env: dict[str, str], domain: str) -> dict[str, Any] | None:
    if env["BIZTEL_REAL_ORG_ACCESS_TOKEN"] and env["BIZTEL_REAL_ORG_INSTANCE_URL"]:
        return {"session_id": env["BIZTEL_REAL_ORG_ACCESS_TOKEN"], "instance_url": env["BIZTEL_REAL_ORG_INSTANCE_URL"]}
    if env["BIZTEL_REAL_ORG_USERNAME"] and env["BIZTEL_REAL_ORG_CONSUMER_KEY"] and env["BIZTEL_REAL_ORG_PRIVATE_KEY_FILE"]:
        return {"username": env["BIZTEL_REAL_ORG_USERNAME"], "consumer_key": env["BIZTEL_REAL_ORG_CONSUMER_KEY"],
                "privatekey_file": env["BIZTEL_REAL_ORG_PRIVATE_KEY_FILE"], "domain": domain}
    if env["BIZTEL_REAL_ORG_USERNAME"] and env["BIZTEL_REAL_ORG_PASSWORD"]:
        return {"username": env["BIZTEL_REAL_ORG_USERNAME"], "password": env["BIZTEL_REAL_ORG_PASSWORD"],
                "security_token": env["BIZTEL_REAL_ORG_TOKEN"], "domain": domain}
    return None


def _in_this_directory(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not real_org_requested(config):
        return
    login = real_org_login()
    for item in items:
        if not _in_this_directory(item):
            continue
        marker = item.get_closest_marker("devorg_only")
        if marker is not None or DEV_ORG_FIXTURES & set(item.fixturenames) or "sf" not in item.fixturenames:
            reason = marker.args[0] if marker is not None and marker.args else "needs the dev org itself"
            item.add_marker(pytest.mark.skip(reason=f"--real-org: {reason}"))
        elif login is None:
            item.add_marker(pytest.mark.skip(
                reason="--real-org: no credentials (set BIZTEL_REAL_ORG_USERNAME and PASSWORD/TOKEN, or "
                       "USERNAME + CONSUMER_KEY + PRIVATE_KEY_FILE, or ACCESS_TOKEN + INSTANCE_URL)"))


@pytest.fixture(scope="session")
def real_org(pytestconfig: pytest.Config) -> bool:
    """True when the contract tests run against a real org (``--real-org``)."""
    return real_org_requested(pytestconfig)


@pytest.fixture(scope="session")
def _real_client(real_org: bool) -> Salesforce | None:
    if not real_org:
        return None
    login = real_org_login()
    if login is None:
        pytest.skip("--real-org: no credentials")
    return Salesforce(version=API_VERSION, **login)


@pytest.fixture(scope="session")
def devorg() -> Iterator[DevOrg]:
    with DevOrg(seed="demo", records=DEMO_RECORDS) as org:
        yield org


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults and latency injected by one test never leak into the next."""
    yield
    reset_if_used(request, "devorg")


@pytest.fixture
def sf(request: pytest.FixtureRequest, _real_client: Salesforce | None) -> Salesforce:
    """A client logged in with username + password + security token on the dev org; the real org's client
    under ``--real-org``."""
    if _real_client is not None:
        return _real_client
    return soap_client(request.getfixturevalue("devorg"))


@pytest.fixture
def make_org() -> Iterator[Callable[..., DevOrg]]:
    """Factory for extra orgs with their own settings (ttl, limits, state); all stopped at teardown."""
    started: list[DevOrg] = []

    def make(**kwargs: Any) -> DevOrg:
        kwargs.setdefault("seed", "empty")
        org = DevOrg(**kwargs).start()
        started.append(org)
        return org

    yield make
    for org in started:
        org.stop()
