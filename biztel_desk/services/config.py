"""Configuration use cases: accounts, link settings, objects, targets, status and system settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from biztel_desk.domain.config import (
    AccountConfig,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkStatus,
    LinkTargetConfig,
    SecretKind,
    SystemSettings,
    check_status_change,
    validate_account,
    validate_basic,
    validate_objects,
    validate_system,
    validate_targets,
)
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.secrets import SecretStore
from biztel_desk.store import repos
from biztel_desk.store.db import Database


@dataclass(frozen=True)
class SettingSummary:
    name: str
    status: str
    account: str


class ConfigService:
    """Every change is validated first and written in one transaction: nothing is ever half-saved."""

    def __init__(self, database: Database, secrets: SecretStore) -> None:
        self.database = database
        self.secrets = secrets

    # --- accounts ------------------------------------------------------------------------------------------

    def list_accounts(self) -> list[AccountConfig]:
        with self.database.read() as session:
            return repos.list_accounts(session)

    def get_account(self, name: str) -> AccountConfig | None:
        with self.database.read() as session:
            row = repos.find_account(session, name)
            return repos.account_config(row) if row else None

    def save_account(
        self,
        account: AccountConfig,
        original_name: str | None = None,
        secrets: dict[SecretKind, str] | None = None,
    ) -> AccountConfig:
        """Validate and store an account; secrets given go to the keyring (an empty string removes one)."""
        cleaned, problems = validate_account(account)
        with self.database.begin() as session:
            names = repos.account_names(session)
            if cleaned.name in names and cleaned.name != original_name:
                problems.append(Problem("duplicate_name", "name", {"value": cleaned.name, "label_field": "account_name"}))
            if problems:
                raise ProblemsError(problems)
            # Keyring first: if it fails, the transaction rolls back and nothing refers to a missing secret.
            if original_name and original_name != cleaned.name:
                self.secrets.rename_account(original_name, cleaned.name)
            for kind, value in (secrets or {}).items():
                self.secrets.set_account_secret(cleaned.name, kind, value)
            repos.upsert_account(session, cleaned, original_name)
        return cleaned

    def check_account(self, account: AccountConfig, original_name: str | None = None) -> tuple[AccountConfig, list[Problem]]:
        """What ``save_account`` would refuse, without saving (the wizard checks before it tests a connection)."""
        cleaned, problems = validate_account(account)
        if cleaned.name and cleaned.name != original_name and cleaned.name in {a.name for a in self.list_accounts()}:
            problems.append(Problem("duplicate_name", "name", {"value": cleaned.name, "label_field": "account_name"}))
        return cleaned, problems

    def delete_account(self, name: str) -> None:
        with self.database.begin() as session:
            users = repos.settings_using_account(session, name)
            if users:
                raise ProblemsError([Problem("account_in_use", "", {"value": name, "settings": "、".join(users)})])
            repos.delete_account(session, name)
        self.secrets.delete_account(name)

    # --- link settings -------------------------------------------------------------------------------------

    def list_settings(self) -> list[SettingSummary]:
        with self.database.read() as session:
            return [SettingSummary(s.name, s.status, s.account) for s in repos.list_settings(session)]

    def get_setting(self, name: str) -> LinkSettingConfig | None:
        with self.database.read() as session:
            row = repos.find_setting(session, name)
            return repos.setting_config(row) if row else None

    def new_setting_name(self, base: str = "連携設定") -> str:
        with self.database.read() as session:
            names = set(repos.setting_names(session))
        index = 1
        while f"{base} {index}" in names:
            index += 1
        return f"{base} {index}"

    def check_new_basic(self, setting: LinkSettingConfig) -> list[Problem]:
        """What ``save_basic`` would refuse of a new setting's 基本情報, without saving (the wizard stores it later,
        with its objects and targets)."""
        cleaned, problems = validate_basic(setting, {account.name for account in self.list_accounts()})
        if cleaned.name in {summary.name for summary in self.list_settings()}:
            problems.append(Problem("duplicate_name", "name", {"value": cleaned.name}))
        return problems

    def save_basic(self, setting: LinkSettingConfig, original_name: str | None = None) -> LinkSettingConfig:
        """Save the 基本情報 tab. A new setting (original_name None) also stores its objects and targets."""
        with self.database.begin() as session:
            cleaned, problems = validate_basic(setting, repos.account_names(session))
            existing = set(repos.setting_names(session))
            if cleaned.name in existing and cleaned.name != original_name:
                problems.append(Problem("duplicate_name", "name", {"value": cleaned.name}))
            if original_name is None:
                objects, object_problems = validate_objects(cleaned.objects)
                region = repos.load_system(session).default_region
                targets, target_problems = validate_targets(cleaned.targets, region)
                problems += object_problems + target_problems
                cleaned = replace(cleaned, objects=tuple(objects), targets=tuple(targets))
            else:
                region = repos.load_system(session).default_region
            if problems:
                raise ProblemsError(problems)
            row = repos.find_setting(session, original_name) if original_name else None
            if original_name and row is None:
                raise ProblemsError([Problem("unknown_setting", "", {"value": original_name})])
            if row is not None and row.status != cleaned.status:
                repos.set_status(session, row, LinkStatus(cleaned.status))
            row = repos.upsert_setting_basic(session, cleaned, original_name, region)
            return repos.setting_config(row)

    def save_objects(self, setting_name: str, objects: list[LinkObjectConfig]) -> list[LinkObjectConfig]:
        cleaned, problems = validate_objects(objects)
        if problems:
            raise ProblemsError(problems)
        with self.database.begin() as session:
            row = self._setting_row(session, setting_name)
            repos.replace_objects(session, row, cleaned)
        return cleaned

    def save_targets(self, setting_name: str, targets: list[LinkTargetConfig]) -> list[LinkTargetConfig]:
        with self.database.begin() as session:
            region = repos.load_system(session).default_region
            cleaned, problems = validate_targets(targets, region)
            if problems:
                raise ProblemsError(problems)
            row = self._setting_row(session, setting_name)
            repos.replace_targets(session, row, cleaned, region)
        return cleaned

    def delete_setting(self, name: str) -> None:
        with self.database.begin() as session:
            repos.delete_setting(session, name)

    def set_status(self, name: str, status: LinkStatus | str) -> None:
        """有効 / 一時停止 / 無効 (SPEC §5): immediate, persistent, refused without API consent."""
        new = LinkStatus(status)
        with self.database.begin() as session:
            row = self._setting_row(session, name)
            problem = check_status_change(new, row.api_consent)
            if problem:
                raise ProblemsError([problem])
            repos.set_status(session, row, new)

    def job_counts(self, name: str) -> dict[str, int]:
        with self.database.read() as session:
            row = self._setting_row(session, name)
            return repos.job_counts(session, row.id)

    @staticmethod
    def _setting_row(session: Any, name: str) -> Any:
        row = repos.find_setting(session, name)
        if row is None:
            raise ProblemsError([Problem("unknown_setting", "", {"value": name})])
        return row

    # --- system settings and preferences -------------------------------------------------------------------

    def system(self) -> SystemSettings:
        with self.database.read() as session:
            return repos.load_system(session)

    def save_system(self, values: dict[str, Any]) -> SystemSettings:
        settings, problems = validate_system(values, path="")
        if problems:
            raise ProblemsError(problems)
        with self.database.begin() as session:
            current = repos.load_system(session)
            merged = replace(current, **{key: getattr(settings, key) for key in values})
            repos.save_system(session, merged)
        return merged

    def preference(self, key: str, default: Any = None) -> Any:
        with self.database.read() as session:
            return repos.get_preference(session, key, default)

    def set_preference(self, key: str, value: Any) -> None:
        with self.database.begin() as session:
            repos.set_preference(session, key, value)
