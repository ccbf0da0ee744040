"""One vocabulary: every domain word once, in Japanese and English; no inline ``lang == "ja"`` branch elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from biztel_desk.domain import config
from biztel_desk.domain.call import Direction
from biztel_desk.domain.jobs import ExcludeReason, JobState, exclude_reason_label, state_label
from biztel_desk.domain.matching import Reason
from biztel_desk.domain.payload import UNANSWERED, outcome_label
from biztel_desk.domain.vocabulary import TABLES, pick, state_text, word

PACKAGE = Path(__file__).resolve().parents[2] / "biztel_desk"
# The modules that may choose a text by language: the vocabulary (pick) and the message catalogue. ui/i18n.py
# compares the language only to choose Qt's translator and locale, never a text.
ALLOWED = {"domain/vocabulary.py", "domain/messages.py", "ui/i18n.py"}
# `lang == "ja"`, `self.lang != 'ja'`, `"en" == lang` …
BRANCH = re.compile(r"""\blang\s*[!=]=\s*['"](?:ja|en)['"]|['"](?:ja|en)['"]\s*[!=]=\s*[\w.]*lang\b""")


def test_no_inline_language_branch_outside_the_vocabulary_and_messages() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BRANCH.search(line)
    ]
    assert offenders == [], "choose texts with domain.vocabulary.pick / a table, not inline:\n" + "\n".join(offenders)


@pytest.mark.parametrize("line", ['x = a if lang == "ja" else b', "if self.lang != 'ja':", 'ja = "en" == context.lang'])
def test_the_branch_pattern_finds_the_usual_spellings(line: str) -> None:
    assert BRANCH.search(line)


def test_every_domain_value_has_a_word_in_both_languages() -> None:
    expected = {
        "job_state": {state.value for state in JobState},
        "exclude_reason": {reason.value for reason in ExcludeReason},
        "outcome": {"ANSWERED", *UNANSWERED},
        "direction": {direction.value for direction in Direction},
        "link_status": {status.value for status in config.LinkStatus} | {"login_required", "attention"},
        "on_multiple_match": {policy.value for policy in config.OnMultipleMatch},
        "on_no_match": {policy.value for policy in config.OnNoMatch},
        "on_unanswered": {policy.value for policy in config.OnUnanswered},
        "activity_mode": {mode.value for mode in config.ActivityMode},
        "playback_auth": {auth.value for auth in config.PlaybackAuth},
        "auth_method": {method.value for method in config.AuthMethod},
        "source_kind": {"folder", "http", "cdr_db"},
        "counter": {"waiting"},
        "attention_kind": {"relogin", "worker", "calls"},
        "overall_state": {"linking", "paused", "attention", "stopped"},
    }
    assert {name: set(table) for name, table in TABLES.items()} == expected
    for table in TABLES.values():
        for entry in table.values():
            assert entry.ja and entry.en and entry.ja != entry.en


def test_words_and_the_old_entry_points_agree() -> None:
    assert pick("ja", "は", "is") == "は"
    assert pick("en", "は", "is") == "is"
    assert state_label("retrying", "en") == "Waiting to retry" == word(TABLES["job_state"], "retrying", "en")
    assert state_label("nonsense", "en") == "nonsense"  # an unknown code is shown as is
    assert exclude_reason_label("internal", "ja") == "内線通話"
    assert outcome_label("NO ANSWER", "en") == "No answer"
    assert outcome_label("", "ja") == "応答"  # an unknown disposition counts as answered
    assert state_text("excluded", "ja", "unknown_number") == "対象外(未登録の番号)"
    assert state_text("excluded", "en", "unknown_number") == "Excluded (Unregistered number)"
    assert state_text("linked", "en", "") == "Linked"


@pytest.mark.parametrize(
    ("code", "params", "ja", "en"),
    [
        ("single", {"object": "Contact", "id": "003A", "field": "Phone"}, "Contact 003A の Phone で一致",
         "Contact 003A by Phone"),
        ("most_recent", {"object": "Lead", "id": "00QA", "field": "MobilePhone", "count": 2},
         "Lead 00QA の MobilePhone で一致(一致2件、最終更新が最新のレコード)", "Lead 00QA by MobilePhone; 2 matches, newest chosen"),
        ("all", {"count": 3}, "一致した3件すべてに紐付け", "linked to all 3 matches"),
        ("no_match_retry", {"attempt": 1, "max": 3}, "一致なし: 再検索予定(1/3回目)",
         "no match: searching again (attempt 1 of 3)"),
        ("anonymous", {"then": "fallback"}, "非通知の着信: 紐付け先特定不可レコードに紐付け",
         "anonymous caller: linked to the fallback record"),
        ("anonymous", {"then": "skip"}, "非通知の着信: 紐付けなし(スキップ)", "anonymous caller: skipped"),
        ("text", {"text": "手入力"}, "手入力", "手入力"),
        ("unheard_of", {}, "unheard_of", "unheard_of"),
    ],
)
def test_match_reasons_read_as_before(code: str, params: dict[str, object], ja: str, en: str) -> None:
    assert Reason(code, params).text("ja") == ja
    assert Reason(code, params).text("en") == en


@pytest.mark.parametrize(("lang", "text"), [("ja", "日付は YYYY-MM-DD で指定してください(例: 2025-06-01)。"),
                                            ("en", "Give dates as YYYY-MM-DD (e.g. 2025-06-01).")])
def test_history_and_relink_refuse_a_bad_date_with_the_same_message(  # type: ignore[no-untyped-def]
        context, make_setting, secrets, capsys, lang: str, text: str) -> None:
    import io

    from biztel_desk.app import build_parser
    from biztel_desk.cli import run

    make_setting()
    errors = []
    for argv in (["history", "--from", "2025-13-01"], ["relink", "--since", "2025-13-01", "--dry-run"]):
        args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", lang, *argv])
        assert run(args, stdout=io.StringIO(), secrets=secrets) == 2
        errors.append(capsys.readouterr().err.strip())
    assert errors == [text, text]


# --- one word for each state (issue #13): no second word for a state, 一時停止 for the link status only ---------

# A state's word, and the other words once (or elsewhere) written for it. A synonym found later belongs here.
SECOND_WORDS: dict[str, str] = {
    "連携済み": r"連携済(?!み)|連携完了|リンク済|紐付け済|紐づけ済",
    "更新済み": r"更新済(?!み)",
    "リトライ待ち": r"再試行待ち|再送待ち",
}
# 一時停止 is the link status (有効 / 一時停止 / 無効, SPEC §5). A text that says it names the status's context;
# the window's worker pause is 休止 (休止中, 再開), the API-usage guard "送信を待つ".
LINK_STATUS_CONTEXT = re.compile(r"有効|無効|ステータス|連携設定|保持")


def _texts(source: str) -> list[tuple[int, str]]:
    """The string literals of a module (its messages, tr() texts, docstrings), with their line."""
    import ast

    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def _app_texts() -> list[tuple[str, int, str]]:
    return [(path.relative_to(PACKAGE).as_posix(), line, text)
            for path in sorted(PACKAGE.rglob("*.py"))
            if path.relative_to(PACKAGE).parts[0] != "devorg"  # the stand-in Salesforce's own data, not our words
            for line, text in _texts(path.read_text(encoding="utf-8"))]


def second_words(texts: list[tuple[str, int, str]]) -> list[str]:
    return [f"{where}:{line}: {found.group(0)!r} for {word}: {text[:60]!r}"
            for where, line, text in texts
            for word, pattern in SECOND_WORDS.items()
            if (found := re.search(pattern, text))]


def other_pauses(texts: list[tuple[str, int, str]]) -> list[str]:
    return [f"{where}:{line}: {text[:60]!r}" for where, line, text in texts
            if "一時停止" in text and not LINK_STATUS_CONTEXT.search(text)
            and not (where == "domain/vocabulary.py" and text == "一時停止")]


def test_one_word_for_each_state() -> None:
    found = second_words(_app_texts())
    assert found == [], "say the state with its one word (domain.vocabulary):\n" + "\n".join(found)


def test_pause_means_the_link_status_only() -> None:
    found = other_pauses(_app_texts())
    assert found == [], "一時停止 is the link status; the worker's pause is 休止, the API guard 送信を待つ:\n" + \
        "\n".join(found)


@pytest.mark.parametrize("text", ["この設定: 待機 {0} / 連携済 {1} / 失敗 {2}", "連携完了", "更新済 3件", "再試行待ち"])
def test_a_second_word_is_found(text: str) -> None:
    assert second_words([("ui/x.py", 1, text)])


@pytest.mark.parametrize("text", ["一時停止", "一時停止中", "送信を一時停止", "連携が一時停止中のため、まだ送信しません。",
                                  "API使用量が95%を超えたため送信を一時停止しています"])
def test_another_pause_is_found(text: str) -> None:
    assert other_pauses([("ui/tray.py", 1, text)])


def test_the_link_status_may_say_pause() -> None:
    assert not other_pauses([("ui/x.py", 1, "ステータスを有効・一時停止にするには許諾が必要です。"),
                             ("services/relink.py", 1, ": 連携設定が一時停止中のため"),
                             ("domain/vocabulary.py", 1, "一時停止")])
    assert not second_words([("ui/x.py", 1, "連携済み 3 / 更新済み 1 / リトライ待ち 2")])
