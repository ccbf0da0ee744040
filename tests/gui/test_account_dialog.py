"""Salesforceアカウント dialog: create and edit accounts, secrets only in the keyring, delete, 接続テスト."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.domain.instance import instance_url_key
from biztel_desk.services.context import AppContext
from biztel_desk.store.db import DB_FILENAME
from biztel_desk.ui.dialogs.account_dialog import AccountDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _dialog(qtbot, context: AppContext) -> AccountDialog:  # type: ignore[no-untyped-def]
    dialog = AccountDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.clear()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)  # what an input method commits
        edit.textEdited.emit(edit.text())


def _answer_next_question(button: QMessageBox.StandardButton) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        box.button(button).click()

    QTimer.singleShot(0, answer)


def _database_bytes(data_dir: Path) -> bytes:
    return b"".join(path.read_bytes() for path in data_dir.glob(DB_FILENAME + "*"))


def test_new_password_account_secrets_go_to_the_keyring_only(qtbot, context: AppContext, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    assert dialog.account_list.count() == 0
    assert dialog.form.auth_combo.currentData() == AuthMethod.OAUTH_BROWSER.value  # the default for new accounts
    dialog.form.auth_combo.setCurrentIndex(dialog.form.auth_combo.findData(AuthMethod.PASSWORD.value))
    _type(qtbot, dialog.form.name_edit, "本番組織")
    _type(qtbot, dialog.form.username_edit, "integration@acme.example.com")
    dialog.form.host_combo.setCurrentIndex(dialog.form.host_combo.findData("my_domain"))
    assert dialog.form.host_edit.isVisible()
    _type(qtbot, dialog.form.host_edit, "acme.my.salesforce.com")
    _type(qtbot, dialog.form.secret_edits[SecretKind.PASSWORD], "Pa55-very-secret")
    _type(qtbot, dialog.form.secret_edits[SecretKind.SECURITY_TOKEN], "Tok3n-very-secret")
    assert not dialog.form.secret_edits[SecretKind.PRIVATE_KEY].isVisible()  # only the method's secrets are shown
    with qtbot.waitSignal(dialog.changed):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "保存しました" in dialog.form.message_label.text()

    assert context.config.get_account("本番組織") == AccountConfig(
        name="本番組織", username="integration@acme.example.com", login_host="acme.my.salesforce.com"
    )
    assert context.secrets.get_account_secret("本番組織", SecretKind.PASSWORD) == "Pa55-very-secret"
    assert context.secrets.get_account_secret("本番組織", SecretKind.SECURITY_TOKEN) == "Tok3n-very-secret"
    stored = _database_bytes(data_dir)
    assert b"integration@acme.example.com" in stored  # the database holds the account…
    assert b"very-secret" not in stored  # …but never a secret

    again = _dialog(qtbot, context)
    assert again.form.name_edit.text() == "本番組織"
    assert again.form.host_combo.currentData() == "my_domain" and again.form.host_edit.text() == "acme.my.salesforce.com"
    password = again.form.secret_edits[SecretKind.PASSWORD]
    assert password.text() == "" and password.placeholderText() == "保存済み"
    assert password.echoMode() == password.EchoMode.Password


def test_empty_secret_field_keeps_the_stored_secret(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    context.config.save_account(AccountConfig(name="a", username="u@example.com"), secrets={SecretKind.PASSWORD: "keep-me"})
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.form.username_edit, "other@example.com")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert context.config.get_account("a").username == "other@example.com"
    assert context.secrets.get_account_secret("a", SecretKind.PASSWORD) == "keep-me"


def test_problems_are_shown_next_to_the_fields(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    dialog.form.auth_combo.setCurrentIndex(dialog.form.auth_combo.findData(AuthMethod.JWT.value))
    _type(qtbot, dialog.form.name_edit, "jwt")
    _type(qtbot, dialog.form.api_version_edit, "59")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.form.errors["username"].text() == "ユーザ名を入力してください。"
    assert "59.0 のように入力" in dialog.form.errors["api_version"].text()
    assert dialog.form.errors["consumer_key"].text() == "この認証方式ではコンシューマ鍵が必要です。"
    assert "保存できませんでした" in dialog.form.message_label.text()
    assert context.config.list_accounts() == []


def test_lightning_host_is_converted_with_a_notice(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    dialog.form.auth_combo.setCurrentIndex(dialog.form.auth_combo.findData(AuthMethod.PASSWORD.value))
    dialog.form.host_combo.setCurrentIndex(dialog.form.host_combo.findData("my_domain"))
    _type(qtbot, dialog.form.name_edit, "acme")
    _type(qtbot, dialog.form.username_edit, "admin@acme.example.com")
    _type(qtbot, dialog.form.host_edit, "https://acme.lightning.force.com/")
    qtbot.keyClick(dialog.form.host_edit, Qt.Key.Key_Return)  # finishes the field, then the default button saves
    assert dialog.form.host_edit.text() == "acme.my.salesforce.com"
    assert dialog.form.host_hint.isVisible() and "Lightning" in dialog.form.host_hint.text()
    assert "acme.my.salesforce.com" in dialog.form.host_hint.text()
    assert context.config.get_account("acme").login_host == "acme.my.salesforce.com"


def test_jwt_private_key_from_a_file_goes_to_the_keyring(qtbot, context: AppContext, tmp_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQ-private-key-material\n-----END PRIVATE KEY-----\n"
    (tmp_path / "server.key").write_text(pem, encoding="utf-8")
    dialog = _dialog(qtbot, context)
    dialog.form.auth_combo.setCurrentIndex(dialog.form.auth_combo.findData(AuthMethod.JWT.value))
    assert dialog.form.private_key_edit.isVisible() and not dialog.form.secret_edits[SecretKind.PASSWORD].isVisible()
    _type(qtbot, dialog.form.name_edit, "jwt")
    _type(qtbot, dialog.form.username_edit, "a@example.com")
    _type(qtbot, dialog.form.consumer_key_edit, "3MVG9-consumer")

    def pick_file() -> None:
        from PySide6.QtWidgets import QFileDialog

        box = QApplication.activeModalWidget()
        assert isinstance(box, QFileDialog)
        box.selectFile(str(tmp_path / "server.key"))
        box.accept()

    QTimer.singleShot(0, pick_file)
    with pytest.MonkeyPatch.context() as patch:
        # Qt's own (non-native) file dialog, so the test can drive it.
        from PySide6.QtWidgets import QFileDialog

        original = QFileDialog.getOpenFileName
        patch.setattr(
            QFileDialog,
            "getOpenFileName",
            lambda *args, **kwargs: original(*args, options=QFileDialog.Option.DontUseNativeDialog),
        )
        qtbot.mouseClick(dialog.form.private_key_button, Qt.MouseButton.LeftButton)
    assert "server.key" in dialog.form.private_key_edit.text() and "PRIVATE" not in dialog.form.private_key_edit.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert context.secrets.get_account_secret("jwt", SecretKind.PRIVATE_KEY) == pem
    assert b"private-key-material" not in _database_bytes(data_dir)


def test_delete_asks_and_is_refused_when_a_setting_uses_the_account(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(account="devorg")
    context.config.save_account(AccountConfig(name="予備", username="spare@example.com"), secrets={SecretKind.PASSWORD: "x"})
    dialog = _dialog(qtbot, context)
    dialog.select_account("devorg")
    _answer_next_question(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert "連携設定「本社」で使われているため削除できません" in dialog.form.message_label.text()
    assert context.config.get_account("devorg") is not None

    dialog.select_account("予備")
    _answer_next_question(QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert context.config.get_account("予備") is not None

    _answer_next_question(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert context.config.get_account("予備") is None
    assert context.secrets.get_account_secret("予備", SecretKind.PASSWORD) is None
    assert [dialog.account_list.item(i).text() for i in range(dialog.account_list.count())] == ["devorg"]


def test_connection_test_runs_off_the_gui_thread_and_says_what_is_missing(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    context.config.save_account(AccountConfig(name="本番", username="admin@example.com"))
    dialog = _dialog(qtbot, context)
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing())
    text = dialog.form.message_label.text()
    assert "接続できませんでした" in text
    assert "パスワードがキーリングに登録されていません" in text and "biztel-desk account set-secret" in text
    assert dialog.form.test_button.isEnabled()


def test_connection_test_to_an_unreachable_host(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    # A loopback port nobody listens on: refused at once, no real network involved.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    context.config.save_account(
        AccountConfig(name="dev", username="admin@example.com", login_host=f"http://127.0.0.1:{port}"),
        secrets={SecretKind.PASSWORD: "pw"},
    )
    dialog = _dialog(qtbot, context)
    assert dialog.form.host_combo.currentData() == "loopback"
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=20000)
    assert "接続できません" in dialog.form.message_label.text()
    assert "pw" not in dialog.form.message_label.text().replace("プロキシ", "")


def test_successful_connection_test_records_the_org_address(qtbot, context: AppContext, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from biztel_desk.salesforce import connection

    report = connection.ConnectionReport("00D000000000001AAA", "Acme", "管理者", "admin@example.com",
                                         "https://acme.my.salesforce.com", (12, 15000))
    monkeypatch.setattr(connection, "check_connection", lambda account, secrets, timeout=30: report)
    context.config.save_account(AccountConfig(name="本番", username="admin@example.com"))
    dialog = _dialog(qtbot, context)
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing())
    assert "接続に成功しました" in dialog.form.message_label.text()
    assert context.config.preference(instance_url_key("本番")) == {
        "url": "https://acme.my.salesforce.com", "login_host": "login", "username": "admin@example.com"}


def test_the_null_keyring_is_never_reported_as_saved(qtbot, context: AppContext, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import null

    from biztel_desk.secrets import SecretStore

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        real = AppContext(database=context.database, secrets=SecretStore(), lang="ja", data_dir=data_dir)
        dialog = _dialog(qtbot, real)
        dialog.form.auth_combo.setCurrentIndex(dialog.form.auth_combo.findData(AuthMethod.PASSWORD.value))
        _type(qtbot, dialog.form.name_edit, "devorg")
        _type(qtbot, dialog.form.username_edit, "integration@acme.example.com")
        _type(qtbot, dialog.form.secret_edits[SecretKind.PASSWORD], "Pa55-null-secret")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        text = dialog.form.message_label.text()
        assert "保存しました" not in text
        assert text.startswith("キーリングを使用できません: 使えるOSのキーリングがありません")
        assert context.config.get_account("devorg") is None  # nothing refers to a secret that was never kept
        assert b"Pa55-null-secret" not in _database_bytes(data_dir)
        dialog.resize(900, 700)
        qtbot.wait(50)
        dialog.grab().save("/tmp/h2_null_keyring.png")
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def org():  # type: ignore[no-untyped-def]
    from biztel_desk.devorg.server import DevOrg

    with DevOrg(seed="empty") as running:
        yield running


def _saved_working_account(context: AppContext, org) -> dict[SecretKind, str]:  # type: ignore[no-untyped-def]
    working = {SecretKind.PASSWORD: org.credentials["password"],
               SecretKind.SECURITY_TOKEN: org.credentials["security_token"]}
    context.config.save_account(AccountConfig(name="devorg", username=org.credentials["username"],
                                              auth_method=AuthMethod.PASSWORD.value, login_host=org.url),
                                secrets=working)
    return working


def _stored(context: AppContext) -> dict[SecretKind, str | None]:
    return {kind: context.secrets.get_account_secret("devorg", kind) for kind in SecretKind}


def test_connection_test_never_saves_a_mistyped_token(qtbot, context: AppContext, org) -> None:  # type: ignore[no-untyped-def]
    working = _saved_working_account(context, org)
    before, saved = _stored(context), context.config.get_account("devorg")
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.form.secret_edits[SecretKind.SECURITY_TOKEN], "WRONGtoken0000000000000")
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=30000)
    assert "接続できませんでした" in dialog.form.message_label.text()
    assert _stored(context) == before and before[SecretKind.SECURITY_TOKEN] == working[SecretKind.SECURITY_TOKEN]
    assert context.config.get_account("devorg") == saved
    # The typed (wrong) token is still in the field; emptied, the field means "unchanged": the saved one works.
    dialog.form.secret_edits[SecretKind.SECURITY_TOKEN].clear()
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=30000)
    assert "接続に成功しました" in dialog.form.message_label.text()
    assert "まだ保存していません" in dialog.form.message_label.text()


def test_connection_test_tries_typed_values_and_only_save_writes_them(qtbot, context: AppContext, org) -> None:  # type: ignore[no-untyped-def]
    context.config.save_account(AccountConfig(name="devorg", username=org.credentials["username"],
                                              auth_method=AuthMethod.PASSWORD.value, login_host=org.url),
                                secrets={SecretKind.PASSWORD: "old-wrong-password"})
    dialog = _dialog(qtbot, context)
    _type(qtbot, dialog.form.secret_edits[SecretKind.PASSWORD], org.credentials["password"])
    _type(qtbot, dialog.form.secret_edits[SecretKind.SECURITY_TOKEN], org.credentials["security_token"])
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=30000)
    assert "接続に成功しました" in dialog.form.message_label.text()
    assert context.secrets.get_account_secret("devorg", SecretKind.PASSWORD) == "old-wrong-password"
    assert context.secrets.get_account_secret("devorg", SecretKind.SECURITY_TOKEN) is None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert context.secrets.get_account_secret("devorg", SecretKind.PASSWORD) == org.credentials["password"]
    # Saved and unchanged: 接続テスト now tests the saved account, with nothing left to save.
    qtbot.mouseClick(dialog.form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=30000)
    assert "接続に成功しました" in dialog.form.message_label.text()
    assert "まだ保存していません" not in dialog.form.message_label.text()
