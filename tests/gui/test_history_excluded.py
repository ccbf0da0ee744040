"""連携通話履歴: calls that will not be linked are listed as 対象外 with the reason, filterable and exported."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import LinkTargetConfig
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.ui.models.history_model import COLUMN_KEYS
from biztel_desk.ui.tabs.history_tab import HistoryTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _record(unique_id: str, from_number: str, to_number: str, hours: int, **extra: object) -> CallRecord:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=hours)
    return CallRecord(unique_id=unique_id, from_number=from_number, to_number=to_number, started_at=start,
                      ended_at=start + dt.timedelta(minutes=2), duration_s=120, **extra).finish()  # type: ignore[arg-type]


def test_excluded_calls_are_listed_with_their_reason(qtbot, context: AppContext, make_setting, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      monkeypatch) -> None:
    make_setting(status="enabled", on_unanswered="skip",
                 targets=(LinkTargetConfig("03-1234-5678"), LinkTargetConfig("06-6123-4567", enabled=False)))
    with context.database.begin() as session:
        store_calls.add_calls(session, [
            _record("h-linked", "09011112222", "0312345678", 1, direction="inbound"),
            _record("h-unchecked", "09011113333", "0661234567", 2, direction="inbound"),
            _record("h-internal", "201", "202", 3, direction="internal"),
            _record("h-did", "09011114444", "211553", 4, direction="inbound", presented_company_number="211553"),
            _record("h-missed", "09011115555", "0312345678", 5, direction="inbound", disposition="NO ANSWER"),
            _record("h-outbound", "201", "0451234567", 6, direction="outbound", from_extension="201"),
        ])
    tab = HistoryTab(context)
    qtbot.addWidget(tab)
    tab.load("本社")
    tab.resize(1400, 420)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: not tab.model.loading and not tab.model.counting, timeout=5000)
    assert tab.model.total == 6  # every imported call is in the history
    state = COLUMN_KEYS.index("state")
    texts = [str(tab.model.data(tab.model.index(row, state))) for row in range(tab.model.rowCount())]
    assert texts == ["待機中", "対象外(番号未チェック)", "対象外(内線通話)", "対象外(未登録の番号)",
                     "対象外(未応答で連携しない)", "対象外(既定の発信番号なし)"]
    tab.grab().save("/tmp/h8_history_excluded.png")

    tab.state_combo.setCurrentIndex(tab.state_combo.findData("excluded"))
    assert tab.state_combo.currentText() == "対象外"
    qtbot.waitUntil(lambda: not tab.model.loading and not tab.model.counting and tab.model.total == 5, timeout=5000)
    target = tmp_path / "excluded.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV"))
    with qtbot.waitSignal(tab.exported, timeout=5000):
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    with target.open(encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream))
    assert [line[0] for line in lines[1:]] == ["対象外(番号未チェック)", "対象外(内線通話)", "対象外(未登録の番号)",
                                                "対象外(未応答で連携しない)", "対象外(既定の発信番号なし)"]
