"""services.system_view: the バックグラウンド連携 page's state and buttons for each service status, without Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from biztel_desk.services.os_service import ServiceStatus
from biztel_desk.services.system_view import (
    SERVICE_ACTIONS,
    UNKNOWN_STATE_ACTIONS,
    enabled_actions,
    service_state,
)


def status(installed: bool, running: bool) -> ServiceStatus:
    return ServiceStatus(installed=installed, running=running, detail={}, path=Path("/unit"))


@pytest.mark.parametrize(
    ("installed", "running", "state", "actions"),
    [
        (False, False, "not_installed", {"install"}),
        (True, True, "running", {"uninstall", "stop"}),
        (True, False, "stopped", {"uninstall", "start"}),
    ],
)
def test_state_and_buttons(installed: bool, running: bool, state: str, actions: set[str]) -> None:
    assert service_state(status(installed, running)) == state
    assert enabled_actions(status(installed, running)) == actions


def test_every_enabled_action_is_a_button() -> None:
    for installed in (False, True):
        for running in (False, True):
            assert enabled_actions(status(installed, running)) <= set(SERVICE_ACTIONS)
    assert set(UNKNOWN_STATE_ACTIONS) <= set(SERVICE_ACTIONS)
    assert SERVICE_ACTIONS == ("install", "uninstall", "start", "stop")
