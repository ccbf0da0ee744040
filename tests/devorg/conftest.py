"""Dev org fixtures: one demo org per test session on a free loopback port, simple-salesforce clients on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from devorg_helpers import DEMO_RECORDS, soap_client
from simple_salesforce import Salesforce

from biztel_desk.devorg.server import DevOrg


@pytest.fixture(scope="session")
def devorg() -> Iterator[DevOrg]:
    with DevOrg(seed="demo", records=DEMO_RECORDS) as org:
        yield org


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults and latency injected by one test never leak into the next."""
    yield
    if "devorg" in request.fixturenames:
        org: DevOrg = request.getfixturevalue("devorg")
        org.clear_faults()
        org.set_latency(0)
        org.set_index_delay(0)


@pytest.fixture
def sf(devorg: DevOrg) -> Salesforce:
    return soap_client(devorg)


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
