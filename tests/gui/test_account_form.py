"""One account form: the Salesforceアカウント dialog and the wizard's アカウント page embed the same AccountForm, with
the same fields and the same validation messages; a refused 接続テスト in either is a message, never a crash."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWizard
from pytestqt.qtbot import QtBot

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.domain.instance import instance_url_key
from biztel_desk.services.context import AppContext
from biztel_desk.ui.account_form import AccountForm
from biztel_desk.ui.dialogs.account_dialog import AccountDialog
from biztel_desk.ui.wizard import FirstRunWizard

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
WAIT_MS = 20000


@pytest.fixture(scope="module")
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="empty") as running:
        yield running


@pytest.fixture
def bugs(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """What reached the crash path (sys.excepthook opens the crash dialog in the app)."""
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, tb: seen.append(error))
    return seen


def _dialog(qtbot: QtBot, context: AppContext) -> AccountDialog:
    dialog = AccountDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _wizard_form(qtbot: QtBot, context: AppContext) -> tuple[FirstRunWizard, AccountForm]:
    wizard = FirstRunWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    qtbot.mouseClick(wizard.welcome_page.connect_button, Qt.MouseButton.LeftButton)
    return wizard, wizard.account_page.form


def _type(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def _row_labels(form: AccountForm) -> list[str]:
    """The visible rows' labels, top to bottom."""
    labels = []
    layout = form.rows.layout
    for row in range(layout.rowCount()):
        item = layout.itemAt(row, layout.ItemRole.LabelRole)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QLabel) and widget.isVisible():
            labels.append(widget.text())
    return labels


def _errors(form: AccountForm) -> dict[str, str]:
    return {key: label.text() for key, label in form.errors.items() if label.isVisible()}


def test_the_dialog_and_the_wizard_embed_the_same_form(qtbot: QtBot, context: AppContext) -> None:
    dialog = _dialog(qtbot, context)
    _wizard, page_form = _wizard_form(qtbot, context)
    assert type(dialog.form) is type(page_form) is AccountForm
    for combo in ("auth_combo", "host_combo"):
        dialog_combo, page_combo = getattr(dialog.form, combo), getattr(page_form, combo)
        assert [dialog_combo.itemText(i) for i in range(dialog_combo.count())] == [
            page_combo.itemText(i) for i in range(page_combo.count())]
    for method in AuthMethod:
        for form in (dialog.form, page_form):
            form.auth_combo.setCurrentIndex(form.auth_combo.findData(method.value))
        dialog_rows = _row_labels(dialog.form)
        if method == AuthMethod.OAUTH_BROWSER:  # the dialog also says whether the saved account is signed in
            assert dialog_rows.pop(dialog_rows.index("ログイン状態")) == "ログイン状態"
        assert dialog_rows == _row_labels(page_form), method


def test_the_same_input_gets_the_same_messages_in_both(qtbot: QtBot, context: AppContext) -> None:
    context.config.save_account(AccountConfig(name="本番組織", username="admin@example.com"))
    dialog = _dialog(qtbot, context)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    wizard, page_form = _wizard_form(qtbot, context)
    for name in ("", "本番組織"):  # missing, then already in use
        for form in (dialog.form, page_form):
            form.auth_combo.setCurrentIndex(form.auth_combo.findData(AuthMethod.JWT.value))
            _type(qtbot, form.name_edit, name)
            _type(qtbot, form.api_version_edit, "59")
            form.username_edit.clear()
            form.consumer_key_edit.clear()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(page_form.test_button, Qt.MouseButton.LeftButton)
        assert not wizard.account_page.is_testing()
        in_dialog, in_wizard = _errors(dialog.form), _errors(page_form)
        # The wizard tests typed secrets before anything is saved, so it also names the missing key file.
        assert in_wizard.pop(SecretKind.PRIVATE_KEY.value) == "秘密鍵ファイル(PEM)を選択してください。"
        assert in_dialog == in_wizard
        assert in_dialog["name"] == ("名前を入力してください。" if not name else "名前「本番組織」は既に使われています。")
        assert in_dialog["username"] == "ユーザ名を入力してください。"
        assert "59.0 のように入力" in in_dialog["api_version"]
        assert in_dialog["consumer_key"] == "この認証方式ではコンシューマ鍵が必要です。"
    assert [a.name for a in context.config.list_accounts()] == ["本番組織"]


def test_a_refused_connection_test_in_the_dialog_is_a_message(
    qtbot: QtBot, context: AppContext, org: DevOrg, bugs: list[BaseException]
) -> None:
    c = org.credentials
    context.config.save_account(AccountConfig(name="dev", username=c["username"], login_host=org.url),
                                secrets={SecretKind.PASSWORD: "not-the-password"})
    dialog = _dialog(qtbot, context)
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    assert dialog.is_testing() and not dialog.form.test_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=WAIT_MS)
    text = dialog.form.message_label.text()
    assert "接続できませんでした" in text and "ログインできません" in text and "not-the-password" not in text
    assert dialog.form.test_button.isEnabled() and bugs == []
    assert context.config.preference(instance_url_key("dev")) is None  # nothing recorded for a refused login
    assert context.secrets.get_account_secret("dev", SecretKind.PASSWORD) == "not-the-password"


def test_a_refused_connection_test_in_the_wizard_is_a_message(
    qtbot: QtBot, context: AppContext, org: DevOrg, bugs: list[BaseException]
) -> None:
    c = org.credentials
    wizard, form = _wizard_form(qtbot, context)
    form.auth_combo.setCurrentIndex(form.auth_combo.findData(AuthMethod.PASSWORD.value))
    _type(qtbot, form.name_edit, "dev")
    _type(qtbot, form.username_edit, c["username"])
    form.host_combo.setCurrentIndex(form.host_combo.findData("loopback"))
    _type(qtbot, form.host_edit, org.url)
    _type(qtbot, form.secret_edits[SecretKind.PASSWORD], "not-the-password")
    qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
    assert wizard.account_page.is_testing() and not form.test_button.isEnabled()
    qtbot.waitUntil(lambda: not wizard.account_page.is_testing(), timeout=WAIT_MS)
    text = form.message_label.text()
    assert "接続できませんでした" in text and "ログインできません" in text and "not-the-password" not in text
    assert form.test_button.isEnabled() and bugs == []
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert context.config.list_accounts() == []
    assert context.secrets.get_account_secret("dev", SecretKind.PASSWORD) is None
    assert context.config.preference(instance_url_key("dev")) is None


def _listening(url: str) -> bool:
    """Whether the sign-in's callback listener (the redirect_uri's port) still accepts connections."""
    import socket
    from urllib.parse import parse_qs, urlparse

    port = urlparse(parse_qs(urlparse(url).query)["redirect_uri"][0]).port
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port or 0)) == 0


def test_closing_the_dialog_stops_waiting_for_the_browser(
    qtbot: QtBot, context: AppContext, org: DevOrg, bugs: list[BaseException]
) -> None:
    context.config.save_account(AccountConfig(name="dev", auth_method=AuthMethod.OAUTH_BROWSER.value,
                                              login_host=org.url, consumer_key=org.credentials["consumer_key"]))
    dialog = _dialog(qtbot, context)
    dialog.callback_ports = (0,)
    opened: list[str] = []
    dialog.open_browser = lambda url: opened.append(url) or True  # the admin never signs in
    qtbot.mouseClick(dialog.form.browser_login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    assert dialog.is_signing_in() and _listening(opened[0])
    dialog.reject()
    qtbot.waitUntil(lambda: not _listening(opened[0]), timeout=WAIT_MS)
    assert not context.secrets.has_account_secret("dev", SecretKind.REFRESH_TOKEN) and bugs == []


def test_going_back_from_the_wizard_stops_waiting_for_the_browser(
    qtbot: QtBot, context: AppContext, org: DevOrg, bugs: list[BaseException]
) -> None:
    wizard, form = _wizard_form(qtbot, context)
    page = wizard.account_page
    page.callback_ports = (0,)
    opened: list[str] = []
    page.open_browser = lambda url: opened.append(url) or True
    _type(qtbot, form.name_edit, "dev")
    form.host_combo.setCurrentIndex(form.host_combo.findData("loopback"))
    _type(qtbot, form.host_edit, org.url)
    _type(qtbot, form.consumer_key_edit, org.credentials["consumer_key"])
    qtbot.mouseClick(form.browser_login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    assert page.is_testing() and _listening(opened[0])
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not _listening(opened[0]), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=WAIT_MS)
    assert "ブラウザでのログインを中止しました" in form.message_label.text()  # the page still exists: it says so
    assert context.config.list_accounts() == [] and bugs == []


def test_a_dialog_closed_during_the_sign_in_is_freed_on_the_gui_thread(
    qtbot: QtBot, context: AppContext, org: DevOrg, bugs: list[BaseException]
) -> None:
    """The sign-in's thread holds the dialog only weakly: were it the last to hold it, Qt would delete the dialog on
    that thread (a crash). Here the thread is still inside open_browser when the closed dialog is collected."""
    import gc
    import threading
    import weakref

    context.config.save_account(AccountConfig(name="dev", auth_method=AuthMethod.OAUTH_BROWSER.value,
                                              login_host=org.url, consumer_key=org.credentials["consumer_key"]))
    dialog = AccountDialog(context)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.callback_ports = (0,)
    in_browser, release = threading.Event(), threading.Event()
    opened: list[str] = []

    def open_browser(url: str) -> bool:  # on the sign-in's thread: it stays here until the test releases it
        opened.append(url)
        in_browser.set()
        release.wait(WAIT_MS / 1000)
        return True

    dialog.open_browser = open_browser
    qtbot.mouseClick(dialog.form.browser_login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(in_browser.is_set, timeout=WAIT_MS)
    destroyed: list[bool] = []
    dialog.destroyed.connect(lambda: destroyed.append(True))
    alive = weakref.ref(dialog)
    dialog.close()
    del dialog
    try:
        qtbot.waitUntil(lambda: bool(destroyed), timeout=WAIT_MS)

        def collected() -> bool:
            gc.collect()
            return alive() is None

        qtbot.waitUntil(collected, timeout=5000)  # the thread, still in open_browser, does not hold it
    finally:
        release.set()
    qtbot.waitUntil(lambda: not _listening(opened[0]), timeout=WAIT_MS)
    assert bugs == []
