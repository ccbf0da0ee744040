"""The app's one vocabulary: every domain word, defined once with its Japanese and English text.

A domain word is a value the admin meets on several surfaces — the window (history table, its filters, the tabs),
the CSV export, the CLI and the Tasks written to Salesforce: job states, call outcomes (結果), directions,
the setting policies (on_no_match, on_multiple_match, activity_mode, on_unanswered, playback_auth), link
statuses (有効 / 一時停止 / 無効) and call source kinds. Each surface asks this module for the word, so the
window cannot say one thing where the CSV from the same tab says another.

Sentences (messages with parameters) live in :mod:`biztel_desk.domain.messages`; window chrome stays with Qt's
``tr()``. :func:`pick` is the one place a Japanese/English pair is chosen by language: nothing else compares
``lang`` with ``"ja"`` (``tests/unit/test_vocabulary.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

Lang = str  # "ja" | "en"
T = TypeVar("T")


def pick(lang: Lang, ja: T, en: T) -> T:
    """The text of a Japanese/English pair in ``lang`` (Japanese is the source language; anything else is English)."""
    return ja if lang == "ja" else en


@dataclass(frozen=True)
class Word:
    ja: str
    en: str

    def text(self, lang: Lang = "ja") -> str:
        return pick(lang, self.ja, self.en)


def word(table: Mapping[str, Word], code: str, lang: Lang = "ja") -> str:
    """The word for ``code`` in ``table``; an unknown code is shown as is."""
    entry = table.get(str(code))
    return entry.text(lang) if entry is not None else str(code)


# Link job states (domain.jobs.JobState): the 状態 column, its filter, the status bar counters, the CLI, the CSV.
JOB_STATES: dict[str, Word] = {
    "pending": Word("待機中", "Waiting"),
    "held": Word("保留中", "Held"),
    "sending": Word("送信中", "Sending"),
    # The window said "Waiting to retry" where the CSV and the CLI said "Retrying": one word now.
    "retrying": Word("リトライ待ち", "Waiting to retry"),
    "linked": Word("連携済み", "Linked"),
    "failed": Word("失敗", "Failed"),
    "skipped": Word("スキップ", "Skipped"),
    "excluded": Word("対象外", "Excluded"),
    "update_pending": Word("更新待ち", "Update waiting"),
    "update_sending": Word("更新送信中", "Updating"),
    "updated": Word("更新済み", "Updated"),
}

# Why a call got an excluded job (domain.jobs.ExcludeReason, stored in link_jobs.error_code).
EXCLUDE_REASONS: dict[str, Word] = {
    "number_unchecked": Word("番号未チェック", "Number not ticked"),
    "unknown_number": Word("未登録の番号", "Unregistered number"),
    "no_default_outbound": Word("既定の発信番号なし", "No default outbound number"),
    "internal": Word("内線通話", "Internal call"),
    "unanswered": Word("未応答で連携しない", "Unanswered, not linked"),
}

# A call's outcome, the 結果 column (domain.payload.outcome_of: ANSWERED or one of the unanswered dispositions).
OUTCOMES: dict[str, Word] = {
    "ANSWERED": Word("応答", "Answered"),
    "NO ANSWER": Word("不在", "No answer"),
    "BUSY": Word("話中", "Busy"),
    "FAILED": Word("失敗", "Failed"),
    "CONGESTION": Word("回線混雑", "Congestion"),
}

# Call directions (domain.call.Direction). The Japanese words are also what Task subjects say (着信 {customer}).
DIRECTIONS: dict[str, Word] = {
    "inbound": Word("着信", "Inbound"),
    "outbound": Word("発信", "Outbound"),
    "internal": Word("内線", "Internal"),
}

# 録音連携ステータス (domain.config.LinkStatus), plus the badge of a setting whose account must sign in again.
LINK_STATUSES: dict[str, Word] = {
    "enabled": Word("有効", "Enabled"),
    "paused": Word("一時停止", "Paused"),
    "disabled": Word("無効", "Disabled"),
    "login_required": Word("要再ログイン", "Sign-in needed"),
    # The red badge of a setting that needs the admin (services/attention.py says why).
    "attention": Word("要対応", "Needs attention"),
}

# The status bar's counters that add several job states up (the others are JOB_STATES words: 連携済み, 失敗 …).
COUNTERS: dict[str, Word] = {
    "waiting": Word("待機", "Waiting"),  # pending + sending (+ held and retrying for one setting)
}

# Why a setting needs the admin (services.attention.AttentionKind): the notification's title, the badge's tooltip.
ATTENTION_KINDS: dict[str, Word] = {
    "relogin": Word("要再ログイン", "Sign-in needed"),
    "worker": Word("連携エラー", "Linking error"),
    "calls": Word("通話の連携失敗", "Calls failing"),
}

# The app's overall state (services.attention.Overall): the tray icon's tooltip. 一時停止中 is the worker's pause
# (the toolbar's 一時停止), not a setting's 録音連携ステータス 一時停止.
OVERALL_STATES: dict[str, Word] = {
    "linking": Word("連携中", "Linking"),
    "paused": Word("休止中", "Suspended"),  # the worker is suspended (休止), not a setting's 一時停止
    "attention": Word("要対応", "Needs attention"),
    "stopped": Word("停止中", "Stopped"),
}

# The setting policies (domain.config), as the basic-info tab offers them.
ON_MULTIPLE_MATCH: dict[str, Word] = {
    "fallback": Word("紐付け先特定不可レコードに紐付ける", "Link to the fallback record"),
    "all": Word("一致したすべてのレコードに紐付ける", "Link to every matching record"),
    "most_recent": Word("最終更新日時が最新のレコードに紐付ける", "Link to the most recently modified record"),
    "priority": Word("優先順位が最も高いレコードに紐付ける", "Link to the record with the highest priority"),
}
ON_NO_MATCH: dict[str, Word] = {
    "fallback": Word("紐付け先特定不可レコードに紐付ける", "Link to the fallback record"),
    "retry_then_fallback": Word("時間をおいて再検索し、見つからなければ紐付け先特定不可レコードに紐付ける",
                                "Search again later; if still not found, link to the fallback record"),
    "skip": Word("紐付けない(スキップ)", "Do not link (skip)"),
    "create_lead": Word("リードを作成して紐付ける", "Create a Lead and link to it"),
}
ON_UNANSWERED: dict[str, Word] = {
    "link": Word("連携する(不在着信などとして活動を作成)", "Link them (a Task saying missed call, busy …)"),
    "skip": Word("連携しない(連携通話履歴に「対象外」として残す)", "Do not link them (kept as \"Excluded\" in the history)"),
}
ACTIVITY_MODES: dict[str, Word] = {
    "task": Word("ToDoを作成", "Create a Task"),
    "case_and_task": Word("ケースを作成し、その中にToDoを作成", "Create a Case, then a Task in it"),
}
PLAYBACK_AUTH: dict[str, Word] = {
    "url": Word("URL(リンクを知っていれば再生可能)", "URL (anyone with the link can play)"),
    "admin": Word("管理画面でログイン", "Admin login"),
}
# 認証方式 (domain.config.AuthMethod), in the order the account forms offer them (the browser login, the default,
# first). ui/connection_test.py's add_auth_methods still has its own copy (that file is being rewritten; see #12).
AUTH_METHODS: dict[str, Word] = {
    "oauth_browser": Word("ブラウザでログイン(OAuth、推奨)", "Sign in with the browser (OAuth, recommended)"),
    "password": Word("ユーザ名+パスワード+セキュリティトークン(廃止予定)", "Username + password + security token (being retired)"),
    "jwt": Word("OAuth JWTベアラー", "OAuth JWT bearer"),
    "client_credentials": Word("OAuthクライアント資格情報", "OAuth client credentials"),
}

# The call sources a window or `biztel-desk sync` runs (services.ingest_sources).
SOURCE_KINDS: dict[str, Word] = {
    "folder": Word("監視フォルダ", "Watched folder"),
    "http": Word("HTTP受信", "HTTP ingest"),
    "cdr_db": Word("PBXのCDRデータベース", "PBX CDR database"),
}

# Every table above by the name of what it describes (a test walks them; a new table belongs here too).
TABLES: dict[str, dict[str, Word]] = {
    "job_state": JOB_STATES,
    "exclude_reason": EXCLUDE_REASONS,
    "outcome": OUTCOMES,
    "direction": DIRECTIONS,
    "link_status": LINK_STATUSES,
    "on_multiple_match": ON_MULTIPLE_MATCH,
    "on_no_match": ON_NO_MATCH,
    "on_unanswered": ON_UNANSWERED,
    "activity_mode": ACTIVITY_MODES,
    "playback_auth": PLAYBACK_AUTH,
    "auth_method": AUTH_METHODS,
    "source_kind": SOURCE_KINDS,
    "counter": COUNTERS,
    "attention_kind": ATTENTION_KINDS,
    "overall_state": OVERALL_STATES,
}


def state_text(state: str, lang: Lang = "ja", reason_code: str = "") -> str:
    """A job's 状態 as every surface shows it: 対象外(番号未チェック) / "Excluded (Number not ticked)" for an excluded
    job with its reason code, else the state's word."""
    text = word(JOB_STATES, state, lang)
    if state == "excluded" and reason_code:
        reason = word(EXCLUDE_REASONS, reason_code, lang)
        return pick(lang, f"{text}({reason})", f"{text} ({reason})")
    return text
