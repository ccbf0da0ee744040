"""services.attention decides what needs the admin (要対応) from the real database (SQLite, or PostgreSQL with
``pytest --db postgresql``), the keyring and the worker's status; it clears by itself when the cause is gone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from biztel_desk.domain.config import AccountConfig, AuthMethod, LinkStatus, SecretKind
from biztel_desk.engine.worker import SettingTrouble, WorkerState, WorkerStatus
from biztel_desk.services import history
from biztel_desk.services.attention import AttentionKind, Overall, failed_calls, overall, settings_attention
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _add_call(context: AppContext, setting: str, minute: int, state: str, code: str = "") -> int:
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == setting))
        began = START + dt.timedelta(minutes=minute)
        call = Call(unique_id=f"{setting}-{minute}", request_id=f"r-{setting}-{minute}", direction="inbound",
                    from_number="090-2222-0001", to_number="03-1234-5678", started_at=began,
                    ended_at=began + dt.timedelta(minutes=2))
        session.add(call)
        session.flush()
        job = LinkJob(call_id=call.id, setting_id=setting_id, state=state, call_started_at=began,
                      task_id="00T000000000001AAA" if state == "linked" else None, error_code=code,
                      error_message=f"{code}: Required fields are missing: [B_Extra__c]" if code else "")
        session.add(job)
        session.flush()
        return int(job.id)


def test_nothing_needs_attention_when_calls_link(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status=LinkStatus.ENABLED.value)
    _add_call(context, "本社", 1, "linked")
    running = WorkerStatus(WorkerState.RUNNING)
    assert settings_attention(context.config, context.secrets, running) == {}
    assert overall(running, {}) == Overall.LINKING
    assert overall(WorkerStatus(WorkerState.PAUSED), {}) == Overall.PAUSED
    assert overall(None, {}) == Overall.STOPPED


def test_failed_calls_since_the_last_success_need_attention_until_a_newer_call_links(  # type: ignore[no-untyped-def]
        context: AppContext, make_setting) -> None:
    make_setting(status=LinkStatus.ENABLED.value)
    make_setting("支店", status=LinkStatus.ENABLED.value)
    _add_call(context, "本社", 1, "failed", "REQUIRED_FIELD_MISSING")  # an old failure, linked past since
    _add_call(context, "本社", 2, "linked")
    assert failed_calls(context.config, ["本社", "支店"]) == {}
    first = _add_call(context, "本社", 3, "failed", "REQUIRED_FIELD_MISSING")
    _add_call(context, "本社", 4, "failed", "REQUIRED_FIELD_MISSING")
    _add_call(context, "支店", 5, "linked")  # another setting's success does not clear this one

    found = settings_attention(context.config, context.secrets, WorkerStatus(WorkerState.RUNNING))
    assert list(found) == ["本社"]
    [attention] = found["本社"]
    assert attention.kind == AttentionKind.CALLS and attention.title() == "通話の連携失敗"
    assert attention.reason.startswith("直近の通話2件の連携に失敗しました。必須項目が未入力です(REQUIRED_FIELD_MISSING")
    assert "(REQUIRED_FIELD_MISSING: Required fields are missing: [B_Extra__c])" in attention.reason  # the code once
    assert attention.reason.endswith("原因を直してから再試行してください。")
    english = settings_attention(context.config, context.secrets, None, "en")["本社"][0].reason
    assert english.startswith("The latest 2 call(s) failed to link. A required field is empty (REQUIRED_FIELD_MISSING")
    assert overall(WorkerStatus(WorkerState.RUNNING), found) == Overall.ATTENTION

    # 今すぐ再試行 (store.history.retry_now: pending again, the error kept): still failing until it links.
    history.retry_now(context.database, [first])
    retried = settings_attention(context.config, context.secrets, None, previous=found)
    assert retried["本社"][0].reason.startswith("直近の通話2件")
    assert failed_calls(context.config, ["本社"])["本社"].count == 1  # without the last answer: only 失敗
    # The retry links the older one: the newer failure still counts …
    with context.database.begin() as session:
        session.execute(update(LinkJob).where(LinkJob.id == first).values(state="linked", error_code=""))
    assert failed_calls(context.config, ["本社"])["本社"].count == 1
    # … and a newer call that links clears it: the cause is gone.
    _add_call(context, "本社", 6, "linked")
    assert settings_attention(context.config, context.secrets, WorkerStatus(WorkerState.RUNNING)) == {}


def test_failures_without_any_success_count(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status=LinkStatus.PAUSED.value)
    _add_call(context, "本社", 1, "failed", "INVALID_FIELD")
    assert failed_calls(context.config, ["本社"])["本社"].count == 1
    assert failed_calls(context.config, ["本社"])["本社"].code == "INVALID_FIELD"


def test_the_workers_troubles_and_its_error_state(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status=LinkStatus.ENABLED.value)
    make_setting("支店", status=LinkStatus.ENABLED.value)
    make_setting("無効の設定", status=LinkStatus.DISABLED.value)
    refused = WorkerStatus(WorkerState.ERROR, message="「本社」: ログインできません", troubles=(
        SettingTrouble("本社", "login", "ユーザ名、パスワード、またはセキュリティトークンが正しくありません"),))
    found = settings_attention(context.config, context.secrets, refused)
    assert [a.kind for a in found["本社"]] == [AttentionKind.RELOGIN]  # the worker's ERROR is this trouble
    assert found["本社"][0].reason.startswith("ユーザ名、パスワード、またはセキュリティトークンが正しくありません。Salesforceアカウントの接続テスト")
    assert list(found) == ["本社"]  # 支店 links fine
    # The worker itself stopped (a damaged database): every enabled setting it links needs the admin.
    stopped = WorkerStatus(WorkerState.ERROR, message="データベースが壊れています。連携を停止しました。")
    found = settings_attention(context.config, context.secrets, stopped)
    assert [a.kind for a in found["支店"]] == [AttentionKind.WORKER] and "本社" in found
    assert found["支店"][0].reason.startswith("連携ワーカーがエラーで停止しました: データベースが壊れています。")
    assert "無効の設定" not in found

    refusing = WorkerStatus(WorkerState.RUNNING, troubles=(SettingTrouble("支店", "refused", "INVALID_TYPE: sObject"),))
    found = settings_attention(context.config, context.secrets, refusing, "en")
    assert list(found) == ["支店"] and found["支店"][0].kind == AttentionKind.WORKER
    assert found["支店"][0].reason == "Salesforce refuses this setting's requests: INVALID_TYPE: sObject."
    # The worker linked it again: its status has no trouble, and nothing needs attention.
    assert settings_attention(context.config, context.secrets, WorkerStatus(WorkerState.RUNNING)) == {}


def test_an_account_that_must_sign_in_again(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    context.config.save_account(AccountConfig(name="oauth", auth_method=AuthMethod.OAUTH_BROWSER.value,
                                              consumer_key="key"))
    make_setting(account="oauth")
    found = settings_attention(context.config, context.secrets, None)
    assert [a.kind for a in found["本社"]] == [AttentionKind.RELOGIN]
    assert "アカウント「oauth」" in found["本社"][0].reason
    context.secrets.set_account_secret("oauth", SecretKind.REFRESH_TOKEN, "a-token")
    assert settings_attention(context.config, context.secrets, None) == {}
