"""Secrets (passwords, tokens, private keys) in the OS keyring, service ``biztel-desk`` — and nowhere else."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from biztel_desk.domain.config import SecretKind
from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick

SERVICE = "biztel-desk"


class SecretStoreError(KnownError):
    """The keyring cannot be used (locked, missing backend); the message never contains a secret.

    ``str()`` is English; ``text("ja")`` the Japanese when there is one (the OS's own errors come in one language).
    """

    def __init__(self, detail: str, *, ja: str | None = None) -> None:
        super().__init__(detail)
        self.ja = ja

    def text(self, lang: str = "ja") -> str:
        return pick(lang, self.ja, str(self)) if self.ja else str(self)


# What to do when no keyring can be used, for the admin of each OS (not about Python packages).
NO_KEYRING_FIX: dict[str, tuple[str, str]] = {
    "win32": (
        "Windowsの「資格情報マネージャー」を使います。サービス「Credential Manager」(資格情報マネージャー)が無効に"
        "なっていないか確認し、通常のユーザーとしてサインインしたデスクトップで起動してください。",
        "BIZTEL Desk uses Windows Credential Manager: check that the \"Credential Manager\" service is not disabled, and "
        "start the app from a normal signed-in desktop session.",
    ),
    "darwin": (
        "macOSの「キーチェーン」を使います。「キーチェーンアクセス」でログインキーチェーンがあり、ロックされていない"
        "ことを確認し、ログインしたユーザーのデスクトップで起動してください。",
        "BIZTEL Desk uses the macOS Keychain: check in Keychain Access that the login keychain exists and is unlocked, "
        "and start the app from the signed-in user's desktop.",
    ),
    "linux": (
        "LinuxではGNOME キーリングまたはKWallet(Secret Service)を使います。パッケージ gnome-keyring をインストールし"
        "(例: sudo apt install gnome-keyring)、デスクトップにログインした状態で起動してください。"
        "サーバーやSSHでは dbus-run-session の中で gnome-keyring-daemon --unlock を実行してから起動します。",
        "On Linux BIZTEL Desk uses GNOME Keyring or KWallet (Secret Service): install gnome-keyring (e.g. sudo apt "
        "install gnome-keyring) and start the app in a logged-in desktop session; on a server or over SSH, start it "
        "inside dbus-run-session after gnome-keyring-daemon --unlock.",
    ),
}


def _no_keyring(backend: object) -> SecretStoreError:
    import sys

    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    platform = sys.platform if sys.platform in NO_KEYRING_FIX else "linux"
    fix_ja, fix_en = NO_KEYRING_FIX[platform]
    return SecretStoreError(
        f"No usable OS keyring ({name}): passwords and tokens can be neither saved nor read, and BIZTEL Desk never "
        f"keeps them anywhere else. {fix_en}",
        ja=f"使えるOSのキーリングがありません({name})。パスワードやトークンを保存することも読み出すこともできません"
        f"(BIZTEL Desk は秘密情報をほかの場所には保存しません)。{fix_ja}",
    )


def _os_keyring() -> Any:
    """The keyring backend in use, refused when it is one that stores nothing: ``null`` (answers None and
    drops every value), ``fail`` (raises on every call) or a chainer with nothing to chain. A secret must
    never be reported as saved when it was not, and there is no plaintext fallback."""
    import keyring
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, null.Keyring | fail.Keyring) or (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    ):
        raise _no_keyring(backend)
    return backend


class SecretBackend(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> None: ...


class KeyringBackend:
    """The OS keyring: Windows Credential Manager, macOS Keychain, Secret Service (GNOME Keyring, KWallet)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def get(self, key: str) -> str | None:
        from keyring.errors import KeyringError

        try:
            value = _os_keyring().get_password(self.service, key)
        except KeyringError as error:
            raise SecretStoreError(_describe(error)) from None
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        from keyring.errors import KeyringError

        backend = _os_keyring()
        try:
            backend.set_password(self.service, key, value)
            kept = backend.get_password(self.service, key)
        except KeyringError as error:
            raise SecretStoreError(_describe(error)) from None
        if kept != value:
            # A backend that accepts a value and drops it (or cuts it): say so now, not at the next login.
            raise _no_keyring(backend)

    def delete(self, key: str) -> None:
        from keyring.errors import KeyringError, PasswordDeleteError

        backend = _os_keyring()
        try:
            backend.delete_password(self.service, key)
        except PasswordDeleteError:
            return
        except KeyringError as error:
            raise SecretStoreError(_describe(error)) from None


def _describe(error: Exception) -> str:
    # Keyring errors name the backend and the reason, never the value; keep only the class and first line.
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:300]


class MemoryBackend:
    """For tests and the demo profile: forgets everything when the process ends."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._values[key] = value

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


class Secret(str):
    """A str that never shows itself in repr() (tracebacks with locals, debug logs)."""

    def __repr__(self) -> str:
        return "Secret('***')"


class SecretStore:
    """The app's only way to secrets. Keys are ``account:<name>:<kind>`` or ``ingest:token``."""

    def __init__(self, backend: SecretBackend | None = None) -> None:
        self.backend: SecretBackend = backend if backend is not None else KeyringBackend()

    @staticmethod
    def account_key(account: str, kind: SecretKind | str) -> str:
        return f"account:{account}:{SecretKind(kind).value}"

    def get_account_secret(self, account: str, kind: SecretKind | str) -> Secret | None:
        value = self.backend.get(self.account_key(account, kind))
        return Secret(value) if value is not None else None

    def set_account_secret(self, account: str, kind: SecretKind | str, value: str) -> None:
        if value:
            self.backend.set(self.account_key(account, kind), value)
        else:
            self.backend.delete(self.account_key(account, kind))

    def has_account_secret(self, account: str, kind: SecretKind | str) -> bool:
        return self.backend.get(self.account_key(account, kind)) is not None

    def delete_account(self, account: str) -> None:
        for kind in SecretKind:
            self.backend.delete(self.account_key(account, kind))

    def rename_account(self, old: str, new: str) -> None:
        if old == new:
            return
        for kind in SecretKind:
            value = self.backend.get(self.account_key(old, kind))
            if value is not None:
                self.backend.set(self.account_key(new, kind), value)
                self.backend.delete(self.account_key(old, kind))

    def get(self, key: str) -> Secret | None:
        value = self.backend.get(key)
        return Secret(value) if value is not None else None

    def set(self, key: str, value: str) -> None:
        self.backend.set(key, value)
