"""接続テスト and the account form pieces shared by the Salesforceアカウント dialog and the first-run wizard."""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.domain.instance import PreferenceWriter, remember_instance
from biztel_desk.secrets import SecretStore

if TYPE_CHECKING:  # the Salesforce client loads on first use, not at start-up
    from biztel_desk.salesforce.connection import ConnectionReport

# Which secret fields each auth method shows (the security token is optional: trusted IP ranges need none).
SECRET_FIELDS: dict[str, tuple[SecretKind, ...]] = {
    AuthMethod.PASSWORD.value: (SecretKind.PASSWORD, SecretKind.SECURITY_TOKEN),
    AuthMethod.JWT.value: (SecretKind.PRIVATE_KEY,),
    AuthMethod.CLIENT_CREDENTIALS.value: (SecretKind.CONSUMER_SECRET,),
    # The browser login types nothing; a consumer secret is optional ("Require secret for Web Server Flow").
    AuthMethod.OAUTH_BROWSER.value: (SecretKind.CONSUMER_SECRET,),
}
# The ログインホスト choices, in the order of the host combo box.
HOST_KINDS = ("production", "sandbox", "my_domain", "loopback")


class _ConnectionSignals(QObject):
    succeeded = Signal(object)  # ConnectionReport
    failed = Signal(str)  # the reason, in the UI language


class ConnectionTestTask(QRunnable):
    """Logs in on a pool thread: the GUI thread never waits for the network."""

    def __init__(self, account: AccountConfig, secrets: SecretStore, lang: str, timeout: float = 30) -> None:
        super().__init__()
        self.account = account
        self.secrets = secrets
        self.lang = lang
        self.timeout = timeout
        self.signals = _ConnectionSignals()

    def run(self) -> None:
        # The Salesforce client (requests, simple_salesforce) loads at the first 接続テスト.
        from biztel_desk.salesforce.connection import SalesforceLoginError, map_error, test_connection

        try:
            report = test_connection(self.account, self.secrets, timeout=self.timeout)
        except SalesforceLoginError as error:
            self.signals.failed.emit(error.text(self.lang))
            return
        except Exception as error:  # noqa: BLE001 - a known failure becomes a message; the rest is a bug
            mapped = map_error(error)
            if mapped is None:
                # A bug: re-enable the dialog, then let the crash handler log it.
                self.signals.failed.emit(type(error).__name__)
                raise
            self.signals.failed.emit(mapped.text(self.lang))
            return
        self.signals.succeeded.emit(report)


class _BrowserLoginSignals(QObject):
    url_ready = Signal(str)  # the authorization URL (shown so it can be copied to another browser)
    succeeded = Signal(object)  # ConnectionReport
    failed = Signal(str)  # the reason, in the UI language


class BrowserLoginTask(QRunnable):
    """The browser sign-in on a pool thread: opens the URL, waits for the redirect, stores tokens, tests."""

    def __init__(self, config: Any, account: AccountConfig, secrets: SecretStore, lang: str,
                 open_browser: Callable[[str], object] | None, timeout: float | None = None,
                 ports: tuple[int, ...] | None = None) -> None:
        super().__init__()
        self.config = config
        self.account = account
        self.secrets = secrets
        self.lang = lang
        self.open_browser = open_browser
        self.timeout = timeout
        self.ports = ports
        self.cancel = threading.Event()  # set when the dialog closes: the listener stops waiting
        self.signals = _BrowserLoginSignals()

    def run(self) -> None:
        from biztel_desk.services import account_login

        timeout = self.timeout or account_login.DEFAULT_TIMEOUT_S
        try:
            report = account_login.sign_in(self.config, self.secrets, self.account, on_url=self.signals.url_ready.emit,
                                           open_browser=self.open_browser, timeout=timeout, cancel=self.cancel,
                                           ports=self.ports or account_login.CALLBACK_PORTS)
        except account_login.LoginFailed as error:
            self.signals.failed.emit(error.text(self.lang))
            return
        except Exception as error:  # noqa: BLE001 - a known failure becomes a message; the rest is a bug
            self.signals.failed.emit(type(error).__name__)
            raise
        self.signals.succeeded.emit(report)


def system_browser(url: str) -> object:
    """Opens the URL in the system browser (replaced in tests by a scripted HTTP client)."""
    return webbrowser.open(url)


def callback_urls_text() -> str:
    from biztel_desk.services.account_login import callback_urls

    return "\n".join(callback_urls())


def eca_steps_text() -> str:
    """Step by step: the External Client App the browser login needs (Salesforce's own screen names)."""
    translate = QCoreApplication.translate
    steps = [
        translate("ConnectionTest", "Salesforce管理者が一度だけ External Client App(外部クライアントアプリケーション)を作成します:"),
        translate("ConnectionTest", "1. 設定 → 外部クライアントアプリケーションマネージャ → 「新規外部クライアントアプリケーション」。"),
        translate("ConnectionTest", "2. 「OAuth を有効化」をオンにし、コールバックURLに次の3行を登録します(空いているポートを使います):"),
        "     " + callback_urls_text().replace("\n", "\n     "),
        translate("ConnectionTest", "3. OAuth範囲: 「API を使用してユーザデータを管理 (api)」と「いつでも要求を実行 (refresh_token, offline_access)」。"),
        translate("ConnectionTest", "4. 「サポートされる認証フローに PKCE 拡張を要求」をオンにします。「Web サーバフローの秘密を要求」をオンにした場合は、コンシューマの秘密も下に入力します。"),
        translate("ConnectionTest", "5. 保存後「ポリシー」で「IP 制限」を「IP 制限の緩和」にし(社外やVPNからも使えるように)、リフレッシュトークンは「取り消されるまで有効」にします。"),
        translate("ConnectionTest", "6. 「設定」の「コンシューマ鍵と秘密」からコンシューマ鍵をコピーして「コンシューマ鍵」欄に貼り付け、「ブラウザでログイン」を押します。"),
    ]
    return "\n".join(steps)


def record_login(config: PreferenceWriter, account: AccountConfig, report: ConnectionReport) -> None:
    """Keep the org's address the login went to: the history's Task links use it (login / test hosts)."""
    remember_instance(config, account, report.instance_url)


def report_lines(report: ConnectionReport, lang: str) -> list[str]:
    """What a successful 接続テスト shows: org, user, instance and the API usage of the last 24 hours."""
    translate = QCoreApplication.translate
    lines = [translate("ConnectionTest", "接続に成功しました。")]
    if report.notice is not None:
        lines.append(report.notice.text(lang))
    if report.warning is not None:
        lines.append(report.warning_text(lang))
    lines.append(translate("ConnectionTest", "組織: {name} ({id})").format(name=report.org_name, id=report.org_id))
    lines.append(
        translate("ConnectionTest", "ユーザ: {name} ({username})").format(name=report.user_name, username=report.username)
    )
    lines.append(translate("ConnectionTest", "インスタンス: {url}").format(url=report.instance_url))
    if report.api_usage is not None:
        used, total = report.api_usage
        percent = used * 100 / total if total else 0
        lines.append(
            translate("ConnectionTest", "API使用量(24時間): {used} / {total}({percent:.1f}%)").format(
                used=used, total=total, percent=percent
            )
        )
    return lines


def add_auth_methods(combo: QComboBox) -> None:
    """The 認証方式 choices, each with its AuthMethod value as the item data (the browser login first: the default)."""
    combo.addItem(QCoreApplication.translate("ConnectionTest", "ブラウザでログイン(OAuth、推奨)"),
                  AuthMethod.OAUTH_BROWSER.value)
    combo.addItem(QCoreApplication.translate("ConnectionTest", "ユーザ名+パスワード+セキュリティトークン(廃止予定)"),
                  AuthMethod.PASSWORD.value)
    combo.addItem(QCoreApplication.translate("ConnectionTest", "OAuth JWTベアラー"), AuthMethod.JWT.value)
    combo.addItem(QCoreApplication.translate("ConnectionTest", "OAuthクライアント資格情報"),
                  AuthMethod.CLIENT_CREDENTIALS.value)


def shown_rows(method: str) -> dict[str, bool]:
    """Which form rows (secret kinds, consumer_key, username) the auth method shows."""
    shown = set(SECRET_FIELDS.get(method, ()))
    rows = {kind.value: kind in shown for kind in SecretKind}
    rows["consumer_key"] = method != AuthMethod.PASSWORD.value
    rows["username"] = method in (AuthMethod.PASSWORD.value, AuthMethod.JWT.value)
    return rows


def login_host_text(kind: str, typed: str) -> str:
    """The login_host to save for a ログインホスト choice: login, test, or the typed My Domain / loopback URL."""
    if kind == "production":
        return "login"
    if kind == "sandbox":
        return "test"
    return typed.strip()


class PrivateKeyError(Exception):
    """The chosen file cannot be used as the private key; the message is in the UI language."""


def choose_private_key(parent: QWidget) -> tuple[str, str] | None:
    """Ask for the private key file: (its PEM text, the file name), or None when cancelled.

    Raises PrivateKeyError when the file cannot be read or holds no PEM private key.
    """
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("ConnectionTest", "秘密鍵ファイルを選択"),
        "",
        QCoreApplication.translate("ConnectionTest", "PEMファイル (*.pem *.key);;すべてのファイル (*)"),
    )
    if not path:
        return None
    try:
        pem = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PrivateKeyError(
            QCoreApplication.translate("ConnectionTest", "ファイルを読み込めません: {detail}").format(detail=str(error))
        ) from error
    if "PRIVATE KEY" not in pem:
        raise PrivateKeyError(QCoreApplication.translate(
            "ConnectionTest", "PEM形式の秘密鍵ではありません(-----BEGIN PRIVATE KEY----- で始まるファイルを選んでください)。"))
    return pem, Path(path).name
