"""Salesforce側の自動設定 dialog (pytest-qt, against a bare dev org over real HTTP): the plan, the confirmation
naming the org and the user, the apply progress, 設定確認 afterwards; the 設定確認 popup's button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.org_profile import link_profile
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from biztel_desk.devorg.server import DevOrg
from biztel_desk.services.context import AppContext
from biztel_desk.ui.dialogs.setup_org_dialog import COL_ITEM, COL_STATE, SetupOrgDialog
from biztel_desk.ui.dialogs.verify_dialog import VerifyResultDialog
from biztel_desk.verify.checks import verify_setting

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def bare() -> Iterator[DevOrg]:
    with DevOrg(seed="bare") as running:
        yield running


@pytest.fixture
def setting(context: AppContext, bare: DevOrg) -> str:
    name = link_profile(context, bare)
    bare.reset_counters()
    return name


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def states(dialog: SetupOrgDialog) -> list[str]:
    table = dialog.panel.table
    return [table.item(row, COL_STATE).text() for row in range(table.rowCount())]  # type: ignore[union-attr]


def open_planned(qtbot: QtBot, context: AppContext, setting: str, window: QWidget) -> SetupOrgDialog:
    dialog = SetupOrgDialog(context, setting, window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.panel.planned, timeout=20000):
        dialog.open()
    return dialog


def test_plan_confirm_apply_and_verify(qtbot: QtBot, context: AppContext, setting: str, bare: DevOrg,
                                       window: QWidget) -> None:
    dialog = open_planned(qtbot, context, setting, window)
    panel = dialog.panel
    assert states(dialog) == ["作成"] * 16
    items = [panel.table.item(row, COL_ITEM).text() for row in range(16)]  # type: ignore[union-attr]
    assert items[0] == "静的リソース speaker" and items[-1] == "権限セットの割り当て"
    assert "16件を作成します" in panel.status_label.text() and "BIZTEL Desk Dev Org" in panel.status_label.text()
    assert panel.apply_button.isEnabled()

    panel.apply_button.click()
    box = panel.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    username = bare.credentials["username"]
    assert f"組織「BIZTEL Desk Dev Org」({bare.org_id})に、ユーザ {username} として16件を作成します" in box.text()
    values: list[int] = []
    panel.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(panel.verified, timeout=30000) as verified:
        assert panel.confirm_button is not None
        panel.confirm_button.click()
    assert verified.args is not None and verified.args[0].ok
    assert values[-1] == 16 and panel.progress.maximum() == 16 and len(values) >= 2
    assert states(dialog) == ["作成済み"] * 16
    assert panel.status_label.text() == "設定確認: 正しく設定されています"
    assert not panel.apply_button.isEnabled()
    assert verify_setting(context, setting).ok

    # Reading the org again: everything is 変更なし, nothing to apply.
    with qtbot.waitSignal(panel.planned, timeout=20000):
        panel.reload_button.click()
    assert set(states(dialog)) == {"変更なし"} and not panel.apply_button.isEnabled()
    dialog.close()


def test_cancel_in_the_confirmation_writes_nothing(qtbot: QtBot, context: AppContext, setting: str, bare: DevOrg,
                                                   window: QWidget) -> None:
    dialog = open_planned(qtbot, context, setting, window)
    dialog.panel.apply_button.click()
    box = dialog.panel.confirm_box
    assert box is not None
    cancel = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    cancel.click()
    qtbot.wait(200)
    assert not dialog.panel.progress.isVisible() and dialog.panel.apply_button.isEnabled()
    counters = bare.counters()
    assert counters["create"] == counters["collection"] == 0
    assert bare.store.static_resources == {} and bare.store.labels == {}
    dialog.close()


def test_missing_permission_is_named_and_apply_disabled(qtbot: QtBot, context: AppContext, setting: str,
                                                         bare: DevOrg, window: QWidget) -> None:
    bare.set_user_permission("PermissionsCustomizeApplication", False)
    dialog = open_planned(qtbot, context, setting, window)
    assert "自動設定に必要な権限がありません: アプリケーションのカスタマイズ。" in dialog.panel.status_label.text()
    assert not dialog.panel.apply_button.isEnabled()
    dialog.close()


def test_verify_popup_offers_the_setup_when_it_found_problems(qtbot: QtBot, context: AppContext, setting: str,
                                                              window: QWidget) -> None:
    report = verify_setting(context, setting)
    assert not report.ok
    popup = VerifyResultDialog(report, context, window)
    qtbot.addWidget(popup)
    popup.show()
    assert popup.setup_org_button.isVisible()
    popup.setup_org_button.click()
    opened = popup.setup_org_dialog
    assert isinstance(opened, SetupOrgDialog) and opened.panel.setting_name == setting
    assert not popup.isVisible()
    qtbot.waitUntil(lambda: opened.panel.table.rowCount() == 16, timeout=20000)
    opened.close()


def test_verify_popup_hides_the_setup_when_all_is_right(qtbot: QtBot, context: AppContext, window: QWidget) -> None:
    with DevOrg(seed="empty") as org:
        report = verify_setting(context, link_profile(context, org, account="empty", setting="支社"))
    assert report.ok
    popup = VerifyResultDialog(report, context, window)
    qtbot.addWidget(popup)
    popup.show()
    assert not popup.setup_org_button.isVisible()


def test_the_wizards_verify_page_offers_the_setup_and_checks_again(qtbot: QtBot, context: AppContext,
                                                                     setting: str) -> None:
    """The wizard step: 設定確認 finds the bare org's missing pieces; Salesforce側の自動設定… opens the plan for the
    setting the wizard saved; when it closes, the page checks again."""
    from biztel_desk.ui.wizard import FirstRunWizard

    wizard = FirstRunWizard(context)
    qtbot.addWidget(wizard)
    wizard.setting_name = setting
    page = wizard.verify_page
    page.initializePage()
    qtbot.waitUntil(lambda: not page.is_running(), timeout=30_000)
    assert "件の問題が見つかりました" in page.title_label.text()
    assert page.setup_org_button.isVisibleTo(page)
    dialog = page._on_setup_org_button_clicked()
    assert isinstance(dialog, SetupOrgDialog) and dialog.panel.setting_name == setting
    qtbot.waitUntil(lambda: dialog.panel.table.rowCount() > 0, timeout=30_000)
    assert "作成" in states(dialog)
    runs: list[bool] = []
    page.runner.started.connect(lambda *_: runs.append(True))
    dialog.reject()
    qtbot.waitUntil(lambda: bool(runs) and not page.is_running(), timeout=30_000)
