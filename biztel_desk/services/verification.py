"""設定確認 for the window and ``biztel-desk verify``: run the checks, read the last report, the checklist's items.

``verify_setting`` and ``last_report_key`` keep the names of ``verify.checks`` (which imports the Salesforce
client: loaded on the first call, not at start-up). The requirements are the checklist's static items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from biztel_desk.domain.config import LinkObjectConfig
from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services.config import ConfigService
from biztel_desk.verify.report import VerificationReport, VerifyProblem
from biztel_desk.verify.requirements import (
    ACTIVITY_FIELDS,
    CUSTOM_LABEL,
    CUSTOM_LABEL_DESCRIPTION,
    CUSTOM_LABEL_VALUE,
    LABEL_KEY,
    RESOURCE_KEY,
    STATIC_RESOURCE,
    WAV_FORMULA,
    field_key,
)

if TYPE_CHECKING:
    from biztel_desk.verify.checks import VerifyContext


def __getattr__(name: str) -> Any:
    """``UnknownSetting`` (a ProblemsError) without importing the Salesforce client at start-up."""
    if name == "UnknownSetting":
        from biztel_desk.verify.checks import UnknownSetting

        return UnknownSetting
    raise AttributeError(name)

__all__ = [
    "ACTIVITY_FIELDS", "CUSTOM_LABEL", "CUSTOM_LABEL_DESCRIPTION", "CUSTOM_LABEL_VALUE", "LABEL_KEY", "RESOURCE_KEY",
    "STATIC_RESOURCE", "WAV_FORMULA", "NoAccountToCheck", "VerificationReport", "VerifyProblem", "changed_tab_codes",
    "check_tab_codes", "checklist_state", "field_key", "last_report_key", "load_last_report", "marked_lines",
    "verify_setting",
]
LineKind = Literal["ok", "warning", "error"]


def verify_setting(context: VerifyContext, setting_name: str, *, timeout: float = 30,
                   **options: Any) -> VerificationReport:
    """Run every check of the named setting (verify.checks.verify_setting; safe on a worker thread).

    Raises ``UnknownSetting`` (a ``ProblemsError``, so a ``KnownError``) when the setting was deleted or renamed.
    """
    from biztel_desk.verify.checks import verify_setting as run

    return run(context, setting_name, timeout=timeout, **options)


def last_report_key(setting_name: str) -> str:
    """Preference key under which the last report of a setting is kept (for the checklist dialog)."""
    from biztel_desk.verify.checks import last_report_key as key

    return key(setting_name)


def load_last_report(config: ConfigService, setting_name: str) -> VerificationReport | None:
    """The last verification report of a setting (kept by verify_setting as a plain JSON preference)."""
    data = config.preference(last_report_key(setting_name))
    if not isinstance(data, dict):
        return None
    try:
        return VerificationReport.from_json(data)
    except (KeyError, TypeError, ValueError):  # a report of an older shape: as if never verified
        return None


def marked_lines(report: VerificationReport, lang: str = "ja") -> list[tuple[LineKind, str]]:
    """The report's lines with their kind, as the popup and the wizard mark them (✓ ok, ! warning, ✗ error):
    an ok report is its 正しく設定されています line and then its 注意 lines; otherwise one line per problem."""
    if report.ok:
        first, *warnings = report.lines(lang)
        return [("ok", first), *(("warning", line) for line in warnings)]
    return [("warning" if p.warning else "error", p.text(lang)) for p in report.problems]


def checklist_state(report: VerificationReport | None, key: str, lang: str = "ja") -> tuple[bool | None, list[str]]:
    """One checklist item: True ✓, False ✗ with the reasons, None 未確認 (never verified, or the check could not
    run)."""
    state = report.checked.get(key) if report is not None else None
    if state is False and report is not None:
        return False, [p.text(lang) for p in report.problems if p.target == key]
    return state, []


class NoAccountToCheck(KnownError):
    """The setting has no (registered) Salesforce account: its tab codes cannot be compared with the org."""

    def __init__(self, account: str) -> None:
        super().__init__(account)
        self.account = account

    def text(self, lang: str = "ja") -> str:
        return pick(lang, f"Salesforceアカウント「{self.account or '-'}」が登録されていないため、Salesforceに接続できません。",
                    f"The Salesforce account '{self.account or '-'}' is not registered, so Salesforce cannot be reached.")


def changed_tab_codes(saved: Sequence[LinkObjectConfig], objects: Sequence[LinkObjectConfig]) -> list[int]:
    """Indexes of ``objects`` whose API name and tab code are not a pair already saved: only these need the org
    (reordering or a new priority is saved without a network call)."""
    known = {(o.api_name.strip().lower(), o.tab_code.strip()) for o in saved}
    return [i for i, o in enumerate(objects) if (o.api_name.strip().lower(), o.tab_code.strip()) not in known]


def check_tab_codes(context: VerifyContext, setting_name: str, objects: Sequence[LinkObjectConfig], *,
                    timeout: float = 15) -> dict[int, VerifyProblem]:
    """設定確認's key-prefix check for objects about to be saved (safe on a worker thread; one describeGlobal).

    Returns the mismatches by index in ``objects`` (the problem names the object, the code typed, the prefix
    expected). Raises a ``KnownError`` when it cannot check: ``UnknownSetting``, ``NoAccountToCheck``, a refused
    or impossible login (``SalesforceLoginError``), the network or Salesforce failing (``MetadataError``).
    """
    from biztel_desk.verify.checks import UnknownSetting
    from biztel_desk.verify.checks import check_tab_codes as check

    setting = context.config.get_setting(setting_name)
    if setting is None:
        raise UnknownSetting(setting_name)
    account = context.config.get_account(setting.account) if setting.account else None
    if account is None:
        raise NoAccountToCheck(setting.account)
    return check(account, context.secrets, objects, timeout=timeout)
