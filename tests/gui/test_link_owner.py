"""The window names the desktop linking a setting (この設定は DESK-A が連携中), read from the real link leases."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.window import Boxes, boxes_fixture, click_setting, close_window, open_window  # noqa: F401
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from biztel_desk.services.context import AppContext
from biztel_desk.store.models import LinkSetting

HOLDER = """
import os, sys, threading
from pathlib import Path
from biztel_desk.engine.lease import Leases
from biztel_desk.store.db import Database, sqlite_url
database = Database(os.environ.get("BIZTEL_DESK_DB_URL") or sqlite_url(Path(sys.argv[1])))
leases = Leases(database, ttl_s=1.0)
print(leases.acquire(int(sys.argv[2])) or leases.owner, flush=True)
threading.Event().wait(600)
"""


class Holder:
    """Another desktop (or a sync on this PC) linking one setting: a real process holding its lease."""

    def __init__(self, context: AppContext, setting: str, host: str | None) -> None:
        with context.database.read() as session:
            setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == setting))
        environment = dict(os.environ)
        if host is not None:
            environment["BIZTEL_DESK_HOSTNAME"] = host
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(context.data_dir), str(setting_id)],
                                        env=environment, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None and self.process.stdout.readline().strip()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    made: list[Holder] = []
    yield made
    for holder in made:
        holder.kill()


def test_the_status_bar_names_the_desktop_linking_the_setting(
        qtbot: QtBot, context: AppContext, make_setting, boxes: Boxes, holders: list[Holder],  # type: ignore[no-untyped-def]
        tmp_path: Path) -> None:
    make_setting("本社")
    make_setting("支店")
    holders.append(Holder(context, "本社", "DESK-A"))
    holders.append(Holder(context, "支店", None))  # a biztel-desk sync on this PC
    window = open_window(qtbot, context)
    try:
        click_setting(qtbot, window, "本社")
        qtbot.waitUntil(lambda: window.owner_label.text() == "この設定は DESK-A が連携中", timeout=10000)
        assert window.owner_label.isVisible()
        assert "最後の応答は" in window.owner_label.toolTip()
        window.grab().save(str(tmp_path / "owner.png"))
        if os.environ.get("BIZTEL_SCREENSHOT_DIR"):
            window.grab().save(os.path.join(os.environ["BIZTEL_SCREENSHOT_DIR"], "link-owner.png"))
        click_setting(qtbot, window, "支店")
        pid = holders[1].process.pid
        assert window.owner_label.text() == f"この設定はこのPCの別のプロセス(PID {pid})が連携中"
        # DESK-A stops (its heartbeat ends): within a TTL the lease is expired and the label goes.
        click_setting(qtbot, window, "本社")
        holders[0].kill()

        def label_gone() -> bool:  # the TTL passes while we wait; each look reads the leases again
            window.lease_watcher.refresh()
            return window.owner_label.text() == ""

        qtbot.waitUntil(label_gone, timeout=10000)
    finally:
        close_window(window)


def test_nothing_is_shown_for_a_setting_nobody_else_links(qtbot: QtBot, context: AppContext, make_setting,  # type: ignore[no-untyped-def]
                                                          boxes: Boxes) -> None:
    make_setting("本社")
    window = open_window(qtbot, context)
    try:
        qtbot.wait(300)
        assert window.lease_watcher.owners == {} and window.owner_label.text() == ""
    finally:
        close_window(window)
