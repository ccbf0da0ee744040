"""A tab code is checked against the org's key prefix when the オブジェクト tab saves (issue #13, item 4): 設定確認's
check (describeGlobal's keyPrefix), run in a job against the dev org over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.window import Boxes, Button, boxes_fixture, window_fixture  # noqa: F401 (fixtures)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, LinkObjectConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.domain.ids import to18
from biztel_desk.services import verification
from biztel_desk.services.context import AppContext
from biztel_desk.ui.main_window import MainWindow
from biztel_desk.ui.tabs.objects_tab import ObjectsTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
MISMATCH = ("2行目: オブジェクト「Contact」が不正です: タブコード 001 がキープレフィックス 003 と一致しません。"
            "オブジェクトタブでタブコードを 003 に修正してください。")


@pytest.fixture
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="empty") as running:
        yield running


def add_setting(context: AppContext, org_url: str, credentials: dict[str, str]) -> str:
    context.config.save_account(
        AccountConfig(name="devorg", username=credentials["username"], login_host=org_url),
        secrets={SecretKind.PASSWORD: credentials["password"], SecretKind.SECURITY_TOKEN: credentials["security_token"]},
    )
    context.config.save_basic(LinkSettingConfig(name="本社", account="devorg", api_consent=True,
                                                fallback_record_id=to18("001000000000001"),
                                                targets=(LinkTargetConfig("03-1234-5678"),)))
    return "本社"


@pytest.fixture
def setting(context: AppContext, org: DevOrg) -> str:
    return add_setting(context, org.url, org.credentials)


def set_tab_code(tab: ObjectsTab, row: int, code: str) -> None:
    assert tab.model.setData(tab.model.index(row, 2), code, Qt.ItemDataRole.EditRole)


def saved_codes(context: AppContext) -> dict[str, str]:
    setting = context.config.get_setting("本社")
    assert setting is not None
    return {o.api_name: o.tab_code for o in setting.objects}


def open_tab(qtbot: QtBot, context: AppContext) -> ObjectsTab:
    tab = ObjectsTab(context)
    qtbot.addWidget(tab)
    tab.load("本社")
    tab.resize(900, 500)
    tab.show()
    return tab


def test_a_wrong_tab_code_is_refused_naming_the_object_the_code_and_the_prefix(
        qtbot: QtBot, context: AppContext, setting: str) -> None:
    tab = open_tab(qtbot, context)
    set_tab_code(tab, 1, "001")  # Contact with Account's prefix
    with qtbot.waitSignal(tab.saved_later, timeout=20000) as ended:
        assert tab.save() is None  # compared with the org in the background
        assert tab.status_label.text() == "タブコードをSalesforceのキープレフィックスと照合しています…"
        assert not tab.view.isEnabled() and not tab.save_button.isEnabled()
    assert ended.args == [False]
    assert tab.problems_label.text() == MISMATCH
    assert tab.status_label.text() == "保存できませんでした。タブコードを修正してください。"
    assert tab.model.data(tab.model.index(1, 2), Qt.ItemDataRole.ToolTipRole) == MISMATCH.removeprefix("2行目: ")
    assert saved_codes(context)["Contact"] == "003"  # nothing was saved, not even the other edits
    assert tab.is_dirty() and tab.view.isEnabled() and tab.save_button.isEnabled()

    set_tab_code(tab, 1, "003")
    tab.model.setData(tab.model.index(2, 1), "見込み客", Qt.ItemDataRole.EditRole)
    set_tab_code(tab, 0, "001")
    assert tab.save() is True  # the pairs are the saved ones: no Salesforce call
    assert saved_codes(context) == {"Account": "001", "Contact": "003", "Lead": "00Q"}
    assert not tab.problems_label.isVisible()


def test_a_right_new_code_is_saved_after_the_check(qtbot: QtBot, context: AppContext, setting: str) -> None:
    tab = open_tab(qtbot, context)
    tab.model.append()
    for column, value in enumerate(("Case", "ケース", "500", 4)):
        tab.model.setData(tab.model.index(3, column), value, Qt.ItemDataRole.EditRole)
    with qtbot.waitSignal(tab.saved_later, timeout=20000) as ended:
        assert tab.save() is None
    assert ended.args == [True] and tab.status_label.text() == "保存しました。"
    assert saved_codes(context)["Case"] == "500"


def test_an_org_that_cannot_be_reached_saves_and_says_it_was_not_checked(
        qtbot: QtBot, context: AppContext) -> None:
    with DevOrg(seed="empty") as stopped:
        add_setting(context, stopped.url, stopped.credentials)
    tab = open_tab(qtbot, context)  # the org is gone: nothing listens on its port any more
    set_tab_code(tab, 1, "001")
    with qtbot.waitSignal(tab.saved_later, timeout=30000) as ended:
        assert tab.save() is None
    assert ended.args == [True]
    text = tab.status_label.text()
    assert text.startswith("保存しました。タブコードをSalesforceのキープレフィックスと照合できませんでした(")
    assert text.endswith("接続できるようになったら「設定確認」で確認してください。")
    assert saved_codes(context)["Contact"] == "001"


def test_the_service_check_is_the_verification_check(context: AppContext, setting: str) -> None:
    objects = [LinkObjectConfig("Account", "取引先", "003", 1), LinkObjectConfig("Nothing__c", "なし", "a00", 2),
               LinkObjectConfig("lead", "リード", "00Q", 3)]
    found = verification.check_tab_codes(context, setting, objects)
    assert list(found) == [0]  # the unknown object is 設定確認's to report; "lead" matches case-insensitively
    assert found[0].code == "tab_code_mismatch"
    assert verification.changed_tab_codes(objects, [*objects[:2], LinkObjectConfig("Lead", "x", "00Q", 9)]) == []
    assert verification.changed_tab_codes(objects, [LinkObjectConfig("Account", "取引先", "001", 1)]) == [0]


def test_leaving_the_tab_waits_for_the_check_then_goes_on(
        qtbot: QtBot, window: MainWindow, context: AppContext, boxes: Boxes, setting: str) -> None:
    window.refresh()
    window.select_setting("本社")
    tab = window.objects_tab
    window.tabs.setCurrentWidget(tab)
    set_tab_code(tab, 1, "001")
    boxes.answer(Button.Save)
    with qtbot.waitSignal(tab.saved_later, timeout=20000):
        window.tabs.setCurrentWidget(window.history_tab)
        assert window.tabs.currentWidget() is tab  # stays while the code is compared
    assert tab.problems_label.text() == MISMATCH
    qtbot.wait(50)
    assert window.tabs.currentWidget() is tab  # refused: the admin stays with the message

    set_tab_code(tab, 1, "003")
    set_tab_code(tab, 2, "00Q")
    tab.model.setData(tab.model.index(2, 0), "Case", Qt.ItemDataRole.EditRole)
    set_tab_code(tab, 2, "500")
    boxes.answer(Button.Save)
    with qtbot.waitSignal(tab.saved_later, timeout=20000):
        window.tabs.setCurrentWidget(window.history_tab)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.history_tab)  # saved: the switch goes on
    assert saved_codes(context) == {"Account": "001", "Contact": "003", "Case": "500"}
    assert len(boxes.questions) == 2


def test_save_and_verify_waits_for_the_check_then_verifies(
        qtbot: QtBot, window: MainWindow, context: AppContext, boxes: Boxes, setting: str) -> None:
    window.refresh()
    window.select_setting("本社")
    tab = window.objects_tab
    window.tabs.setCurrentWidget(tab)
    tab.model.setData(tab.model.index(2, 0), "Case", Qt.ItemDataRole.EditRole)
    set_tab_code(tab, 2, "500")
    started: list[str] = []
    window.verify_runner.started.connect(started.append)

    def click() -> None:
        box = window.edit_guard.verify_edits_box
        if box is None or not box.isVisible():
            QTimer.singleShot(20, click)
            return
        found = box.findChild(QPushButton, "saveAndVerify")
        assert found is not None
        found.click()

    QTimer.singleShot(0, click)
    with qtbot.waitSignal(tab.saved_later, timeout=20000) as ended:
        window.basic_tab.verify_button.click()
        assert started == []  # the tab codes are compared first
    assert ended.args == [True] and saved_codes(context)["Case"] == "500"
    qtbot.waitUntil(lambda: started == ["本社"], timeout=5000)  # then 設定確認 runs on what was saved
    qtbot.waitUntil(lambda: not window.verify_runner.is_running(), timeout=20000)
    if window.verify_runner.result_dialog is not None:
        window.verify_runner.result_dialog.close()
    assert boxes.questions == []
