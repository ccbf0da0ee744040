"""システム設定 dialog: every option with its bounds, OK saves, problems inline, キャンセル discards."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from biztel_desk.domain.config import SYSTEM_OPTIONS, SystemSettings
from biztel_desk.services.context import AppContext
from biztel_desk.ui.dialogs.system_dialog import SystemDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _dialog(qtbot, context: AppContext) -> SystemDialog:  # type: ignore[no-untyped-def]
    dialog = SystemDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _ok(qtbot, dialog: SystemDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def _retype(qtbot, line, text: str) -> None:  # type: ignore[no-untyped-def]
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, text)


def test_every_option_has_a_field_with_its_bounds_and_defaults(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    assert set(dialog.fields) == {option.key for option in SYSTEM_OPTIONS}
    assert (dialog.fields["retention_days"].minimum(), dialog.fields["retention_days"].maximum(), dialog.fields["retention_days"].value()) == (1, 180, 90)
    assert dialog.fields["page_size"].value() == 50
    assert (dialog.fields["api_optional_stop_percent"].value(), dialog.fields["api_pause_percent"].value()) == (80, 95)
    assert (dialog.fields["phone_index_max_age_s"].minimum(), dialog.fields["phone_index_max_age_s"].maximum(), dialog.fields["phone_index_max_age_s"].value()) == (5, 3600, 60)
    assert (dialog.fields["phone_index_miss_refresh_s"].minimum(), dialog.fields["phone_index_miss_refresh_s"].maximum(), dialog.fields["phone_index_miss_refresh_s"].value()) == (0, 600, 5)
    assert dialog.fields["retry_backoff_max_minutes"].value() == 60
    assert (dialog.fields["call_settle_s"].minimum(), dialog.fields["call_settle_s"].maximum(), dialog.fields["call_settle_s"].value()) == (0, 600, 30)
    assert dialog.fields["outside_line_prefix"].text() == "0"
    assert dialog.values() == SystemSettings().as_dict()


def test_retention_181_is_clamped_to_180(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    _retype(qtbot, dialog.fields["retention_days"].lineEdit(), "181")
    dialog.fields["retention_days"].interpretText()
    assert dialog.fields["retention_days"].value() <= 180
    with qtbot.waitSignal(dialog.accepted):
        _ok(qtbot, dialog)
    assert context.config.system().retention_days <= 180


def test_ok_saves_and_a_new_dialog_shows_it(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    dialog.fields["retention_days"].setValue(120)
    _retype(qtbot, dialog.fields["recording_server_url"], "https://s0000.u.biztel.jp:8000")
    dialog.fields["playback_auth"].setCurrentIndex(dialog.fields["playback_auth"].findData("admin"))
    dialog.fields["time_zone"].setCurrentText("Asia/Tokyo")
    dialog.fields["subject_inbound"].setText("着信 {customer} ({agent})")
    with qtbot.waitSignal(dialog.accepted):
        _ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = context.config.system()
    assert (saved.retention_days, saved.playback_auth, saved.time_zone) == (120, "admin", "Asia/Tokyo")
    assert saved.recording_server_url == "https://s0000.u.biztel.jp:8000"

    again = _dialog(qtbot, context)
    assert again.fields["retention_days"].value() == 120
    assert again.fields["playback_auth"].currentData() == "admin" and again.fields["time_zone"].currentText() == "Asia/Tokyo"
    assert again.fields["subject_inbound"].text() == "着信 {customer} ({agent})"


def test_problems_are_shown_inline_and_nothing_is_saved(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    dialog.fields["retention_days"].setValue(30)
    _retype(qtbot, dialog.fields["recording_server_url"], "s0000.biztel")
    dialog.fields["subject_outbound"].setText("発信 {caller}")
    dialog.fields["time_zone"].setCurrentText("Mars/Olympus")
    dialog.fields["default_region"].setCurrentText("XX")
    with qtbot.assertNotEmitted(dialog.accepted):
        _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert "録音サーバURL「s0000.biztel」はURLではありません" in dialog.error_labels["recording_server_url"].text()
    assert "{caller}" in dialog.error_labels["subject_outbound"].text()
    assert "Mars/Olympus" in dialog.error_labels["time_zone"].text()
    assert "XX" in dialog.error_labels["default_region"].text()
    assert dialog.error_labels["retention_days"].isHidden()
    assert context.config.system() == SystemSettings()  # nothing saved


def test_cancel_discards(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    dialog.fields["retention_days"].setValue(10)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert context.config.system().retention_days == 90


def test_playback_explanation_and_placeholders_are_visible(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    dialog = _dialog(qtbot, context)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())
    assert "これ以降に作成する活動履歴にだけ反映" in texts
    assert "{customer}" in texts and "{duration}" in texts
    assert "電話番号インデックスの更新間隔" in texts and "送信リトライ間隔の上限" in texts


def test_assignment_rules_are_off_by_default_and_can_be_turned_on(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    assert not dialog.fields["run_assignment_rules"].isChecked() and not context.config.system().run_assignment_rules
    qtbot.mouseClick(dialog.fields["run_assignment_rules"], Qt.MouseButton.LeftButton)
    _ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert context.config.system().run_assignment_rules is True
    assert _dialog(qtbot, context).fields["run_assignment_rules"].isChecked()


def test_a_subject_template_with_a_format_spec_is_refused_with_its_reason(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    dialog.fields["subject_inbound"].setText("着信 {customer:>999999999}")
    dialog.fields["subject_outbound"].setText("発信 {customer!x}")
    with qtbot.assertNotEmitted(dialog.accepted):
        _ok(qtbot, dialog)
    assert "{customer} に書式指定や変換(「:」「!」以降)は付けられません" in dialog.error_labels["subject_inbound"].text()
    assert "{customer} に書式指定や変換" in dialog.error_labels["subject_outbound"].text()
    assert context.config.system() == SystemSettings()
    qtbot.wait(50)
    dialog.resize(1100, 900)  # the offscreen screen is 800x600; a real screen gives the messages room
    qtbot.wait(50)
    dialog.grab().save("/tmp/h2_subject_template.png")


def test_recording_link_template_is_saved_and_a_bad_one_is_shown_inline(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context)
    assert dialog.fields["recording_url_template"].text() == "{server}/monitor_link/{request_id}"
    _retype(qtbot, dialog.fields["recording_url_template"], "https://pbx.example.jp/rec/{start.__class__}")
    with qtbot.assertNotEmitted(dialog.accepted):
        _ok(qtbot, dialog)
    assert "{start.__class__} は使えません" in dialog.error_labels["recording_url_template"].text()
    assert context.config.system() == SystemSettings()
    _retype(qtbot, dialog.fields["recording_url_template"], "https://pbx.example.jp/rec/{start:%Y/%m/%d}/{recording_file}")
    with qtbot.waitSignal(dialog.accepted):
        _ok(qtbot, dialog)
    saved = context.config.system().recording_url_template
    assert saved == "https://pbx.example.jp/rec/{start:%Y/%m/%d}/{recording_file}"
    assert _dialog(qtbot, context).fields["recording_url_template"].text() == saved


@pytest.mark.parametrize(("width", "height"), [(1366, 728), (683, 344)])  # 1366x768 less the task bar; at 2x scale
def test_ok_and_cancel_are_reachable_on_a_1366x768_screen(qtbot, context: AppContext, width: int,  # type: ignore[no-untyped-def]
                                                         height: int) -> None:
    from PySide6.QtCore import QPoint, QRect

    dialog = _dialog(qtbot, context)
    assert dialog.options_scroll.widget().sizeHint().height() > 728  # the options are taller than the screen's room
    dialog._fit(QRect(0, 0, width, height))
    qtbot.waitUntil(lambda: dialog.height() + 40 <= height)
    assert dialog.width() <= width
    if width >= 1366:  # both columns fit across: no horizontal scrolling
        qtbot.waitUntil(lambda: not dialog.options_scroll.horizontalScrollBar().isVisible())
    for button in dialog.buttons.buttons():
        assert dialog.rect().contains(QRect(button.mapTo(dialog, QPoint(0, 0)), button.size()))
    # The rest scrolls: the last option is reachable.
    area = dialog.options_scroll
    last = dialog.fields["outside_line_prefix"]  # the last option of SYSTEM_OPTIONS
    area.ensureWidgetVisible(last)
    top_left = last.mapTo(area.viewport(), QPoint(0, 0))
    assert area.viewport().rect().contains(QRect(top_left, last.size()))
