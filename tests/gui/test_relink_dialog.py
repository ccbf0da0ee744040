"""過去の通話の連携: 連携する links on a job thread; a refusal is shown in the dialog, which stays open to try again."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import LinkTargetConfig
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.ui.dialogs.relink_dialog import RelinkDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_a_refused_relink_says_why_and_can_be_tried_again(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled", targets=(LinkTargetConfig("03-1234-5678"), LinkTargetConfig("06-6123-4567", False)))
    started = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    call = CallRecord(unique_id="u-1", from_number="09011112222", to_number="0661234567", started_at=started,
                      presented_company_number="0661234567", direction="inbound", disposition="ANSWERED",
                      duration_s=60).finish()
    with context.database.begin() as session:
        store_calls.add_calls(session, [call])  # 対象外: its number is not ticked
    context.config.save_targets("本社", [LinkTargetConfig("03-1234-5678"), LinkTargetConfig("06-6123-4567")])
    context.config.set_status("本社", "disabled")
    dialog = RelinkDialog(context, "本社", {"+81661234567": 1, "+81312345678": 0})
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.counts == {"+81661234567": 1}  # numbers without calls are not offered
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=5000)
    assert dialog.error_label.text() == ("連携設定「本社」は無効です。有効または一時停止にしてから、過去の通話を連携してください。")
    assert dialog.isVisible() and dialog.buttons.isEnabled() and dialog.outcome_jobs == 0

    context.config.set_status("本社", "enabled")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and not dialog.error_label.isVisible() and dialog.outcome_jobs == 1
