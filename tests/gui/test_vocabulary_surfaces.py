"""One vocabulary: the window's history table, the CSV it exports and `biztel-desk history` say the same word for
every job state and every call outcome, in Japanese and in English (issue #12, "One vocabulary")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.domain.jobs import ExcludeReason, JobState
from biztel_desk.domain.payload import UNANSWERED
from biztel_desk.domain.vocabulary import EXCLUDE_REASONS, JOB_STATES, OUTCOMES
from biztel_desk.secrets import SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting
from biztel_desk.ui.tabs.history_tab import HistoryTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
OUTCOME_CODES = ("ANSWERED", *UNANSWERED)
# Every state once, then an excluded job per reason (対象外(番号未チェック) …): the words come from the test's
# own expectations below, never from the code under test.
ROWS: list[tuple[str, str]] = [(state.value, "") for state in JobState] + [
    (JobState.EXCLUDED.value, reason.value) for reason in ExcludeReason
]
EXPECTED_STATES = {
    "ja": {"pending": "待機中", "held": "保留中", "sending": "送信中", "retrying": "リトライ待ち", "linked": "連携済み",
           "failed": "失敗", "skipped": "スキップ", "excluded": "対象外", "update_pending": "更新待ち",
           "update_sending": "更新送信中", "updated": "更新済み"},
    "en": {"pending": "Waiting", "held": "Held", "sending": "Sending", "retrying": "Waiting to retry",
           "linked": "Linked", "failed": "Failed", "skipped": "Skipped", "excluded": "Excluded",
           "update_pending": "Update waiting", "update_sending": "Updating", "updated": "Updated"},
}
EXPECTED_OUTCOMES = {
    "ja": {"ANSWERED": "応答", "NO ANSWER": "不在", "BUSY": "話中", "FAILED": "失敗", "CONGESTION": "回線混雑"},
    "en": {"ANSWERED": "Answered", "NO ANSWER": "No answer", "BUSY": "Busy", "FAILED": "Failed",
           "CONGESTION": "Congestion"},
}
EXPECTED_REASONS = {
    "ja": {"number_unchecked": "番号未チェック", "unknown_number": "未登録の番号", "no_default_outbound": "既定の発信番号なし",
           "internal": "内線通話", "unanswered": "未応答で連携しない"},
    "en": {"number_unchecked": "Number not ticked", "unknown_number": "Unregistered number",
           "no_default_outbound": "No default outbound number", "internal": "Internal call",
           "unanswered": "Unanswered, not linked"},
}


def _expected_state(lang: str, state: str, reason: str) -> str:
    word = EXPECTED_STATES[lang][state]
    if not reason:
        return word
    reason_word = EXPECTED_REASONS[lang][reason]
    return f"{word}({reason_word})" if lang == "ja" else f"{word} ({reason_word})"


@pytest.fixture
def calls(context: AppContext, make_setting) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """One call per row of ROWS, outcomes in turn: unique id → (state, exclude reason, outcome code)."""
    make_setting()
    made: dict[str, tuple[str, str, str]] = {}
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        began = dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)
        for number, (state, reason) in enumerate(ROWS):
            outcome = OUTCOME_CODES[number % len(OUTCOME_CODES)]
            unique_id = f"v{number:02d}"
            call = Call(unique_id=unique_id, request_id=f"r{number}", direction="inbound",
                        from_number=f"090-2222-{number:04d}", to_number="03-1234-5678",
                        started_at=began + dt.timedelta(minutes=number), ended_at=began + dt.timedelta(minutes=number + 1),
                        disposition="" if outcome == "ANSWERED" else outcome)
            session.add(call)
            session.flush()
            session.add(LinkJob(call_id=call.id, setting_id=setting_id, state=state, error_code=reason))
            made[unique_id] = (state, reason, outcome)
    return made


def _gui_words(qtbot, context: AppContext, tmp_path: Path, monkeypatch) -> tuple[dict, dict, list[str]]:  # type: ignore[no-untyped-def]
    """(unique id → (state, outcome) as the table shows them, the same from the tab's CSV export, the state filter)."""
    tab = HistoryTab(context)
    qtbot.addWidget(tab)
    tab.model.page_size = 100
    tab.load("本社")
    qtbot.waitUntil(lambda: not tab.model.loading and not tab.model.counting and tab.model.rowCount() == len(ROWS),
                    timeout=10000)
    model = tab.model
    keys = [str(model.headerData(column, Qt.Orientation.Horizontal)) for column in range(model.columnCount())]
    state_col, outcome_col, id_col = (keys.index(model.column_title(key)) for key in ("state", "outcome", "unique_id"))
    table = {
        str(model.data(model.index(row, id_col))): (str(model.data(model.index(row, state_col))),
                                                     str(model.data(model.index(row, outcome_col))))
        for row in range(model.rowCount())
    }
    filters = [tab.state_combo.itemText(index) for index in range(1, tab.state_combo.count())]
    tab.visible_columns = lambda: ["state", "outcome", "unique_id"]  # type: ignore[method-assign]
    target = tmp_path / f"history-{context.lang}.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV"))
    with qtbot.waitSignal(tab.exported, timeout=10000):
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    with target.open(encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream))
    exported = {line[2]: (line[0], line[1]) for line in lines[1:]}
    return table, exported, filters


def _cli(context: AppContext, secrets: SecretStore, lang: str, *argv: str) -> str:
    args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", lang, "history", "--all-columns",
                                      *argv])
    out = io.StringIO()
    assert run(args, stdout=out, secrets=secrets) == 0
    return out.getvalue()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_window_csv_and_cli_say_the_same_words(qtbot, context: AppContext, secrets: SecretStore, calls,  # type: ignore[no-untyped-def]
                                               tmp_path: Path, monkeypatch, lang: str) -> None:
    context.lang = lang
    expected = {unique_id: (_expected_state(lang, state, reason), EXPECTED_OUTCOMES[lang][outcome])
                for unique_id, (state, reason, outcome) in calls.items()}
    # Every state and every outcome is in the data, so every word is compared.
    assert {state for state, _, _ in calls.values()} == {state.value for state in JobState}
    assert {outcome for _, _, outcome in calls.values()} == set(OUTCOME_CODES)

    table, exported, filters = _gui_words(qtbot, context, tmp_path, monkeypatch)
    assert table == expected
    assert exported == expected
    assert filters == [EXPECTED_STATES[lang][state] for state in _filter_states()]

    cli_csv = list(csv.reader(io.StringIO(_cli(context, secrets, lang, "--format", "csv"))))
    header = cli_csv[0]
    state_col, outcome_col, id_col = (header.index(title) for title in _titles(lang))
    assert {line[id_col]: (line[state_col], line[outcome_col]) for line in cli_csv[1:]} == expected

    # The aligned table: columns are two or more spaces apart; 状態, 結果, 発着信 and ユニークID come first.
    lines = _cli(context, secrets, lang).splitlines()
    first = re.split(r"\s{2,}", lines[0])
    assert [first[0], first[1], first[3]] == list(_titles(lang))
    cli_table = {cells[3]: (cells[0], cells[1]) for cells in (re.split(r"\s{2,}", line) for line in lines[1:])}
    assert cli_table == expected

    # JSON gives programs the codes and the same words.
    import json

    documents = json.loads(_cli(context, secrets, lang, "--format", "json"))
    assert {document["unique_id"]: document["state_label"] for document in documents} == {
        unique_id: EXPECTED_STATES[lang][state] for unique_id, (state, _, _) in calls.items()}


def _titles(lang: str) -> tuple[str, str, str]:
    return ("状態", "結果", "ユニークID") if lang == "ja" else ("State", "Outcome", "Unique ID")


def _filter_states() -> list[str]:
    from biztel_desk.store.history import JOB_STATES as FILTER_STATES

    return list(FILTER_STATES)


def test_every_state_and_outcome_has_a_word_in_both_languages() -> None:
    assert set(JOB_STATES) == {state.value for state in JobState}
    assert set(EXCLUDE_REASONS) == {reason.value for reason in ExcludeReason}
    assert set(OUTCOMES) == set(OUTCOME_CODES)
    for table in (JOB_STATES, EXCLUDE_REASONS, OUTCOMES):
        for entry in table.values():
            assert entry.ja and entry.en and entry.ja != entry.en


def test_window_words_follow_the_window_language(qapp) -> None:  # type: ignore[no-untyped-def]
    """Link statuses and the setting policies are the vocabulary's words, in the language the window was started in."""
    from PySide6.QtCore import QLocale

    from biztel_desk.ui.i18n import install_translators, language
    from biztel_desk.ui.setting_fields import choice_combo
    from biztel_desk.ui.widgets import status_text

    def texts() -> list[list[str]]:
        combos = [choice_combo(key) for key in ("on_multiple_match", "on_no_match", "on_unanswered")]
        return [[status_text(status) for status in ("enabled", "paused", "disabled", "login_required")]] + [
            [combo.itemText(index) for index in range(combo.count())] for combo in combos]

    assert language() == "ja"
    japanese = texts()
    assert japanese[0] == ["有効", "一時停止", "無効", "要再ログイン"]
    assert japanese[2][1] == "時間をおいて再検索し、見つからなければ紐付け先特定不可レコードに紐付ける"
    translators = install_translators(qapp, "en")
    try:
        assert language() == "en"
        english = texts()
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale(QLocale.Language.Japanese))
    assert language() == "ja"
    assert english[0] == ["Enabled", "Paused", "Disabled", "Sign-in needed"]
    assert english[1] == ["Link to the fallback record", "Link to every matching record",
                          "Link to the most recently modified record", "Link to the record with the highest priority"]
    assert english[2] == ["Link to the fallback record",
                          "Search again later; if still not found, link to the fallback record",
                          "Do not link (skip)", "Create a Lead and link to it"]
    assert english[3] == ["Link them (a Task saying missed call, busy …)",
                          "Do not link them (kept as \"Excluded\" in the history)"]
