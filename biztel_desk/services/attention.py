"""What needs the admin (要対応): decided here, once, for the window's badges, its status bar, the tray and the
OS notifications.

A setting needs attention when

- ``relogin``: its account must sign in to Salesforce again (a browser-login account without a refresh token:
  never signed in, or Salesforce refused it), or the worker's login for it was refused (a wrong password …);
- ``worker``: Salesforce refused the setting's requests as a whole (the worker's ``SettingTrouble``), or the
  link worker itself stopped with an error (the database, a bug) while the setting is enabled;
- ``calls``: its newest calls failed: jobs in 失敗 whose call is newer than the newest call with a Task (its
  last success); once counted, also those retried by 今すぐ再試行 and not sent yet. A retry that links them, or
  a newer call that links, clears it.

Each of these clears by itself once its cause is gone: the next computation simply does not find it. The reasons
are plain sentences in the admin's language (Japanese, or English).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from biztel_desk.domain.config import LinkStatus
from biztel_desk.domain.failures import failure_text
from biztel_desk.domain.jobs import TASK_STATES, JobState
from biztel_desk.domain.vocabulary import ATTENTION_KINDS, OVERALL_STATES, pick, word
from biztel_desk.engine.worker import WorkerState, WorkerStatus
from biztel_desk.secrets import SecretStore
from biztel_desk.services.account_login import settings_needing_login
from biztel_desk.services.config import ConfigService
from biztel_desk.store.models import LinkJob, LinkSetting

IN_FLIGHT = (JobState.PENDING.value, JobState.SENDING.value)  # a retried failure on its way


class AttentionKind(enum.StrEnum):
    """In the order a setting's badge names them (the first one found is its reason)."""

    RELOGIN = "relogin"
    WORKER = "worker"
    CALLS = "calls"


class Overall(enum.StrEnum):
    """The app's one state for the tray: 要対応 wins over everything, then the worker's own state."""

    LINKING = "linking"
    PAUSED = "paused"
    ATTENTION = "attention"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Attention:
    kind: AttentionKind
    reason: str  # a plain sentence: what is wrong and what to do

    def title(self, lang: str = "ja") -> str:
        return word(ATTENTION_KINDS, self.kind.value, lang)


@dataclass(frozen=True)
class FailedCalls:
    """A setting's failures since its last success: how many, and the newest one's Salesforce code and text."""

    count: int
    code: str
    message: str


def settings_attention(config: ConfigService, secrets: SecretStore, worker: WorkerStatus | None,
                       lang: str = "ja", previous: Mapping[str, tuple[Attention, ...]] | None = None,
                       ) -> dict[str, tuple[Attention, ...]]:
    """setting name → what needs the admin, most pressing first; settings that need nothing are left out.

    ``previous``: the last answer (a retried failure keeps counting while it is on its way). Blocking (reads the
    database and the keyring): the window calls it off the GUI thread.
    """
    settings = config.list_settings()
    relogin = settings_needing_login(config, secrets)
    troubles = {trouble.setting: trouble for trouble in worker.troubles} if worker is not None else {}
    failing = {name for name, found in (previous or {}).items() if any(a.kind == AttentionKind.CALLS for a in found)}
    failed = failed_calls(config, [s.name for s in settings], failing)
    result: dict[str, tuple[Attention, ...]] = {}
    for setting in settings:
        found: list[Attention] = []
        trouble = troubles.get(setting.name)
        if setting.name in relogin:
            found.append(Attention(AttentionKind.RELOGIN, pick(
                lang,
                f"要再ログイン: アカウント「{relogin[setting.name]}」でSalesforceにログインし直してください。"
                "ログインするまで、この設定の通話は連携されません。",
                f"Sign-in needed: sign in to Salesforce again with the account '{relogin[setting.name]}'. "
                "Calls of this setting are not linked until then.")))
        elif trouble is not None and trouble.kind == "login":
            found.append(Attention(AttentionKind.RELOGIN, pick(
                lang,
                # The login error says what is wrong and what to do (salesforce.errors.AuthError.text).
                f"{_sentence(trouble.detail, lang)}Salesforceアカウントの接続テストで確認し、直してから連携を開始してください。",
                f"{_sentence(trouble.detail, lang)} Check the account with its connection test, fix it, then start linking.")))
        calls = failed.get(setting.name)
        if trouble is not None and trouble.kind != "login":
            # A refused write also fails its calls (below, with the same code): one cause, said once.
            if calls is None:
                found.append(Attention(AttentionKind.WORKER, pick(
                    lang,
                    f"Salesforceが連携の要求を拒否しています: {_sentence(trouble.detail, lang)}",
                    f"Salesforce refuses this setting's requests: {_sentence(trouble.detail, lang)}")))
        elif (worker is not None and worker.state == WorkerState.ERROR and not worker.troubles
              and setting.status == LinkStatus.ENABLED.value):  # the worker itself failed (database, bug)
            found.append(Attention(AttentionKind.WORKER, pick(
                lang,
                f"連携ワーカーがエラーで停止しました: {_sentence(worker.message, lang)}"
                "原因を直してから連携を開始してください。",
                f"The link worker stopped with an error: {_sentence(worker.message, lang)} "
                "Fix the cause, then start linking.")))
        if calls is not None:
            detail = failure_text(calls.code, calls.message, lang)
            found.append(Attention(AttentionKind.CALLS, pick(
                lang,
                f"直近の通話{calls.count:,}件の連携に失敗しました。{_sentence(detail, lang)}"
                "連携通話履歴の「失敗」で確認し、原因を直してから再試行してください。",
                f"The latest {calls.count:,} call(s) failed to link. {_sentence(detail, lang)} "
                "Check 'Failed' in the call history, fix the cause, then retry.")))
        if found:
            result[setting.name] = tuple(found)
    return result


def failed_calls(config: ConfigService, names: Iterable[str], in_flight: Collection[str] = ()) -> dict[str, FailedCalls]:
    """setting name → its failed jobs whose call is newer than its newest call with a Task (only the settings
    that have some). Index-backed (link_jobs (setting_id, state, call_started_at)): a few lookups per setting.

    ``in_flight``: settings whose calls were failing at the last look: their failures retried by 今すぐ再試行 and
    not sent yet count too."""
    result: dict[str, FailedCalls] = {}
    with config.database.read() as session:
        ids = dict(session.execute(select(LinkSetting.name, LinkSetting.id).where(LinkSetting.name.in_(list(names)))).all())
        for name, setting_id in ids.items():
            found = _failed_since_last_success(session, setting_id, name in in_flight)
            if found is not None:
                result[name] = found
    return result


def overall(worker: WorkerStatus | None, attention: Mapping[str, object]) -> Overall:
    """One word for the whole app (the tray): 要対応 when any setting needs attention or the worker failed."""
    if attention or (worker is not None and worker.state == WorkerState.ERROR):
        return Overall.ATTENTION
    if worker is None or worker.state == WorkerState.STOPPED:
        return Overall.STOPPED
    if worker.state == WorkerState.PAUSED:
        return Overall.PAUSED
    return Overall.LINKING  # running, or waiting for the API usage to recover (it resumes by itself)


def overall_text(state: Overall, lang: str = "ja") -> str:
    return word(OVERALL_STATES, state.value, lang)


def _failed_since_last_success(session: Session, setting_id: int, in_flight: bool) -> FailedCalls | None:
    newest_ok = None
    for state in sorted(TASK_STATES):  # one index lookup per state: max() over an IN list may scan them all
        value = session.scalar(select(func.max(LinkJob.call_started_at))
                               .where(LinkJob.setting_id == setting_id, LinkJob.state == state.value))
        if value is not None and (newest_ok is None or value > newest_ok):
            newest_ok = value
    found: FailedCalls | None = None
    queries = [select(LinkJob).where(LinkJob.setting_id == setting_id, LinkJob.state == JobState.FAILED.value)]
    if in_flight:
        # 今すぐ再試行 makes a failed job pending again and keeps its error: while it was counting, it counts until
        # it is sent and links (the badge must not go green, nor the notification re-arm, for the seconds a retry
        # is in flight). Only then: it reads the pending rows, a backlog's worth of them.
        queries.append(select(LinkJob).where(LinkJob.setting_id == setting_id, LinkJob.state.in_(IN_FLIGHT),
                                             LinkJob.error_code != ""))
    for query in queries:
        if newest_ok is not None:
            query = query.where(LinkJob.call_started_at > newest_ok)
        count = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        if not count:
            continue
        if found is not None:
            found = FailedCalls(found.count + count, found.code, found.message)
            continue
        newest = session.execute(query.with_only_columns(LinkJob.error_code, LinkJob.error_message)
                                 .order_by(LinkJob.call_started_at.desc(), LinkJob.id.desc()).limit(1)).one()
        code, message = newest.error_code or "", newest.error_message or ""
        if code and message.startswith(f"{code}: "):  # the engine keeps the error as "CODE: message"
            message = message[len(code) + 2:]
        found = FailedCalls(count, code, message)
    return found


def _sentence(text: str, lang: str) -> str:
    """The text as a whole sentence (。 or . at the end), so that the next one can follow it."""
    text = text.strip()
    if not text or text.endswith(("。", ".", "!", "?", "!", "?")):
        return text
    return text + pick(lang, "。", ".")
