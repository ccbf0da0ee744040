"""Secrets (passwords, tokens, private keys) in the OS keyring, service ``biztel-desk`` — and nowhere else."""

from __future__ import annotations

import threading
from typing import Protocol

from biztel_desk.domain.config import SecretKind

SERVICE = "biztel-desk"


class SecretStoreError(Exception):
    """The keyring cannot be used (locked, missing backend); the message never contains a secret."""


class SecretBackend(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> None: ...


class KeyringBackend:
    """The OS keyring: Windows Credential Manager, macOS Keychain, Secret Service (GNOME Keyring, KWallet)."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def get(self, key: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(self.service, key)
        except KeyringError as error:
            raise SecretStoreError(_describe(error)) from None

    def set(self, key: str, value: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self.service, key, value)
        except KeyringError as error:
            raise SecretStoreError(_describe(error)) from None

    def delete(self, key: str) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self.service, key)
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
