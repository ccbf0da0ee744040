"""A dev org shared by the tests of a session or module: what one test sets on it never leaks into the next."""

from __future__ import annotations

import pytest

from biztel_desk.devorg.server import DevOrg


def reset_org(org: DevOrg) -> None:
    """Undo what a test may set on a shared dev org: injected faults, latency, API usage, the search index delay."""
    org.clear_faults()
    org.set_latency(0)
    org.set_api_usage(0)
    org.set_index_delay(0)


def reset_if_used(request: pytest.FixtureRequest, fixture: str) -> None:
    """After a test: reset the shared org of fixture ``fixture`` if the test used it (without starting it if not)."""
    if fixture in request.fixturenames:
        reset_org(request.getfixturevalue(fixture))
