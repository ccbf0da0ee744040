"""ブラウザでログイン in the Salesforceアカウント dialog against the dev org: the browser is replaced by an HTTP
client that fills the sign-in form and presses 許可; the tokens land in the keyring; 要再ログイン is shown."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from biztel_desk.devorg.browser import sign_in_and_approve
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.services.context import AppContext
from biztel_desk.ui.dialogs.account_dialog import AccountDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
WAIT_MS = 30000


@pytest.fixture(scope="module")
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="empty") as running:
        yield running


def _scripted_browser(org: DevOrg, opened: list[str], *, approve: bool = True):  # type: ignore[no-untyped-def]
    """Stands in for the system browser: follows the sign-in and approve forms over plain HTTP."""

    def open_url(url: str) -> bool:
        opened.append(url)
        threading.Thread(target=sign_in_and_approve, daemon=True,
                         args=(url, org.credentials["username"], org.credentials["password"]),
                         kwargs={"approve": approve}).start()
        return True

    return open_url


def _dialog(qtbot, context: AppContext) -> AccountDialog:  # type: ignore[no-untyped-def]
    dialog = AccountDialog(context)
    dialog.callback_ports = (0,)  # any free port (tests run in parallel); the dev org accepts localhost callbacks
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_browser_login_from_the_dialog(qtbot, context: AppContext, org: DevOrg) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    assert dialog.form.auth_combo.currentData() == AuthMethod.OAUTH_BROWSER.value
    assert dialog.form.browser_login_button.isVisible() and dialog.form.eca_help.isVisible()
    help_text = dialog.form.eca_help.text()
    for needle in ("http://localhost:47615/callback", "refresh_token", "PKCE", "IP 制限の緩和"):
        assert needle in help_text
    assert not dialog.form.username_edit.isVisible() and not dialog.form.secret_edits[SecretKind.PASSWORD].isVisible()

    dialog.form.name_edit.setText("devorg")
    dialog.form.name_edit.textEdited.emit("devorg")
    dialog.form.host_combo.setCurrentIndex(dialog.form.host_combo.findData("loopback"))
    dialog.form.host_edit.setText(org.url)
    dialog.form.consumer_key_edit.setText(org.credentials["consumer_key"])
    dialog.form.consumer_key_edit.textEdited.emit(org.credentials["consumer_key"])
    opened: list[str] = []
    dialog.open_browser = _scripted_browser(org, opened)
    qtbot.mouseClick(dialog.form.browser_login_button, Qt.MouseButton.LeftButton)
    assert dialog.is_signing_in() and not dialog.form.browser_login_button.isEnabled()  # the GUI thread is free
    qtbot.waitUntil(lambda: not dialog.is_signing_in(), timeout=WAIT_MS)
    assert "ログインしました" in dialog.form.message_label.text(), dialog.form.message_label.text()
    assert "接続に成功しました" in dialog.form.message_label.text()
    assert len(opened) == 1 and "code_challenge_method=S256" in opened[0]
    assert context.secrets.has_account_secret("devorg", SecretKind.REFRESH_TOKEN)
    assert "ログイン済み" in dialog.form.login_state_label.text()
    saved = context.config.get_account("devorg")
    assert saved is not None and saved.auth_method == AuthMethod.OAUTH_BROWSER.value

    # The refresh token is revoked in Salesforce: 接続テスト says 要再ログイン, so do the state and the list.
    org.revoke_refresh_tokens()
    org.expire_sessions()
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=WAIT_MS)
    assert "要再ログイン" in dialog.form.message_label.text() and "ブラウザでログイン" in dialog.form.message_label.text()
    again = _dialog(qtbot, context)
    assert again.account_list.item(0).text() == "devorg(要再ログイン)"
    assert "要再ログイン" in again.form.login_state_label.text()

    # One click signs in again.
    again.open_browser = _scripted_browser(org, opened)
    qtbot.mouseClick(again.form.browser_login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not again.is_signing_in(), timeout=WAIT_MS)
    assert "ログイン済み" in again.form.login_state_label.text()
    assert again.account_list.item(0).text() == "devorg"


def test_denied_in_the_browser_is_explained(qtbot, context: AppContext, org: DevOrg) -> None:  # type: ignore[no-untyped-def]
    context.config.save_account(AccountConfig(name="devorg", auth_method=AuthMethod.OAUTH_BROWSER.value,
                                              login_host=org.url, consumer_key=org.credentials["consumer_key"]))
    dialog = _dialog(qtbot, context)
    assert dialog.account_list.item(0).text() == "devorg(要再ログイン)"
    dialog.open_browser = _scripted_browser(org, [], approve=False)
    qtbot.mouseClick(dialog.form.browser_login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_signing_in(), timeout=WAIT_MS)
    assert "ログインできませんでした" in dialog.form.message_label.text()
    assert "拒否" in dialog.form.message_label.text()
    assert not context.secrets.has_account_secret("devorg", SecretKind.REFRESH_TOKEN)


def test_main_window_shows_login_required_and_signs_in_with_one_click(qtbot, context: AppContext, org: DevOrg) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from biztel_desk.domain.config import LinkSettingConfig, LinkTargetConfig
    from biztel_desk.ui.main_window import MainWindow
    from biztel_desk.ui.widgets import STATUS_ROLE

    context.config.save_account(AccountConfig(name="devorg", auth_method=AuthMethod.OAUTH_BROWSER.value,
                                              login_host=org.url, consumer_key=org.credentials["consumer_key"]))
    context.config.save_basic(LinkSettingConfig(name="本社", account="devorg", fallback_record_id="0012v000032fR15AAE",
                                                api_consent=True, targets=(LinkTargetConfig("03-1234-5678"),)))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_browser = _scripted_browser(org, [])
    window.callback_ports = (0,)
    window.select_setting("本社")
    # The badge reads 要対応 (services/attention.py decides, in a job), the reason names the account.
    qtbot.waitUntil(lambda: window.setting_list.item(0).data(STATUS_ROLE) == "attention", timeout=WAIT_MS)
    assert "アカウント「devorg」" in window.setting_list.item(0).toolTip()
    assert "要再ログイン" in window.link_status_label.text() and window.relogin_button.isVisible()
    # One OS notification for the setting, not one per refresh.
    assert len(window.notifier.shown) == 1 and "devorg" in window.notifier.shown[0][1], window.notifier.shown
    window.refresh()
    qtbot.wait(200)
    assert len(window.notifier.shown) == 1

    def close_when_signed_in() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AccountDialog) or dialog.is_signing_in():
            QTimer.singleShot(50, close_when_signed_in)
            return
        assert "ログインしました" in dialog.form.message_label.text(), dialog.form.message_label.text()
        dialog.accept()

    QTimer.singleShot(50, close_when_signed_in)
    qtbot.mouseClick(window.relogin_button, Qt.MouseButton.LeftButton)  # opens the dialog and starts the sign-in
    assert context.secrets.has_account_secret("devorg", SecretKind.REFRESH_TOKEN)
    qtbot.waitUntil(lambda: window.setting_list.item(0).data(STATUS_ROLE) == "disabled", timeout=WAIT_MS)
    assert "要再ログイン" not in window.link_status_label.text() and not window.relogin_button.isVisible()
    # Signed in: the notification is cleared; losing the sign-in again notifies again.
    assert window.notifier.raised("relogin") == set()
    context.secrets.set_account_secret("devorg", SecretKind.REFRESH_TOKEN, "")  # revoked: the tokens are gone
    window.refresh()
    qtbot.waitUntil(lambda: len(window.notifier.shown) == 2, timeout=WAIT_MS)
    assert window.notifier.raised("relogin") == {"本社"}
