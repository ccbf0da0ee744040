"""システム設定 → バックグラウンド連携 without Qt: what state the service is in and which of its four buttons act."""

from __future__ import annotations

from typing import Literal

from biztel_desk.services.os_service import ServiceStatus

ServiceAction = Literal["install", "uninstall", "start", "stop"]
ServiceState = Literal["not_installed", "running", "stopped"]
# The four buttons, in their order on the page; each calls the ProfileService method of its name.
SERVICE_ACTIONS: tuple[ServiceAction, ...] = ("install", "uninstall", "start", "stop")
# The state could not be read (the platform's tool failed): installing is the one thing worth trying.
UNKNOWN_STATE_ACTIONS: frozenset[ServiceAction] = frozenset({"install"})


def service_state(status: ServiceStatus) -> ServiceState:
    if not status.installed:
        return "not_installed"
    return "running" if status.running else "stopped"


def enabled_actions(status: ServiceStatus) -> frozenset[ServiceAction]:
    """インストール while nothing is installed; アンインストール once it is; 開始 when stopped, 停止 when running."""
    if not status.installed:
        return frozenset({"install"})
    return frozenset({"uninstall", "stop" if status.running else "start"})
