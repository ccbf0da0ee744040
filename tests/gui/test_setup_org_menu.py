"""設定 → Salesforce側の自動設定… in the main window: opens the plan dialog of the selected setting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _window_helpers import (  # noqa: F401 (fixtures)
    Boxes,
    boxes_fixture,
    click_setting,
    close_window,
    open_window,
)
from pytestqt.qtbot import QtBot

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.services.context import AppContext
from biztel_desk.ui.dialogs.setup_org_dialog import SetupOrgDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def bare() -> Iterator[DevOrg]:
    with DevOrg(seed="bare") as running:
        yield running


def test_menu_item_without_a_setting_says_to_choose_one(qtbot: QtBot, context: AppContext, boxes: Boxes) -> None:
    window = open_window(qtbot, context)
    try:
        assert window.setup_org_action.text() == "Salesforce側の自動設定(&O)…"
        window.setup_org_action.trigger()
        assert boxes.shown == [("information", "連携設定を選んでから実行してください。")]
    finally:
        close_window(window)


def test_menu_item_opens_the_plan_of_the_selected_setting(qtbot: QtBot, context: AppContext, boxes: Boxes,
                                                          bare: DevOrg) -> None:
    c = bare.credentials
    context.config.save_account(
        AccountConfig(name="devorg", username=c["username"], login_host=bare.url),
        secrets={SecretKind.PASSWORD: c["password"], SecretKind.SECURITY_TOKEN: c["security_token"]})
    context.config.save_basic(LinkSettingConfig(name="本社", account="devorg", fallback_record_id="001000000000001AAA",
                                                api_consent=True, targets=(LinkTargetConfig("03-1234-5678"),)))
    window = open_window(qtbot, context)
    try:
        click_setting(qtbot, window, "本社")
        window.setup_org_action.trigger()
        dialog = window.findChild(SetupOrgDialog)
        assert dialog is not None and dialog.panel.setting_name == "本社"
        qtbot.waitUntil(lambda: dialog.panel.table.rowCount() == 16, timeout=20000)
        dialog.close()
    finally:
        close_window(window)
