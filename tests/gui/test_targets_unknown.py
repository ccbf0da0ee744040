"""連携対象: aliases, 未登録の番号 with one-click 追加 / エイリアスにする, and the offer to link past calls."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import LinkTargetConfig
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.models import Call, LinkJob
from biztel_desk.ui.models.targets_model import ALIASES
from biztel_desk.ui.tabs.targets_tab import TargetsTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _inbound(unique_id: str, did: str, hour: int) -> CallRecord:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1, hours=hour)
    return CallRecord(unique_id=unique_id, from_number="09011112222", to_number=did, presented_company_number=did,
                      started_at=start, direction="inbound", disposition="ANSWERED", duration_s=60).finish()


def _states(context: AppContext) -> dict[str, tuple[str, str]]:
    with context.database.read() as session:
        rows = session.execute(select(Call.unique_id, LinkJob.state, LinkJob.error_code).join(LinkJob, LinkJob.call_id == Call.id))
        return {unique_id: (state, code) for unique_id, state, code in rows}


def _tab(qtbot, context: AppContext) -> TargetsTab:  # type: ignore[no-untyped-def]
    tab = TargetsTab(context)
    qtbot.addWidget(tab)
    tab.load("本社")
    tab.resize(900, 620)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def test_unknown_number_made_an_alias_links_its_past_calls_once(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled", targets=(LinkTargetConfig("03-1234-5678", aliases=("0100",)),
                                            LinkTargetConfig("06-6123-4567", enabled=False)))
    with context.database.begin() as session:
        store_calls.add_calls(session, [
            _inbound("u-1", "211553", 1), _inbound("u-2", "211553", 2), _inbound("u-3", "gsm0", 3),
            _inbound("u-4", "0100", 4), _inbound("u-5", "0661234567", 5),
        ])
    assert _states(context) == {
        "u-1": ("excluded", "unknown_number"), "u-2": ("excluded", "unknown_number"),
        "u-3": ("excluded", "unknown_number"), "u-4": ("pending", ""), "u-5": ("excluded", "number_unchecked"),
    }
    tab = _tab(qtbot, context)
    assert tab.model.data(tab.model.index(0, ALIASES)) == "0100"
    qtbot.waitUntil(lambda: tab.unknown_view.rowCount() == 2, timeout=5000)  # computed in the background
    assert tab.unknown_box.isVisible()
    assert [tab.unknown_view.item(row, 0).text() for row in range(tab.unknown_view.rowCount())] == ["211553", "gsm0"]
    assert tab.unknown_view.item(0, 1).text() == "2"
    tab.unknown_view.selectRow(0)
    # 211553 is no phone number: it cannot be added as one, only made an alias.
    assert not tab.unknown_add_button.isEnabled() and tab.unknown_alias_button.isEnabled()
    tab.grab().save("/tmp/h8_targets_unknown.png")

    tab.view.selectRow(0)
    tab.unknown_view.selectRow(0)
    qtbot.mouseClick(tab.unknown_alias_button, Qt.MouseButton.LeftButton)
    assert tab.model.data(tab.model.index(0, ALIASES)) == "0100, 211553"
    assert context.config.get_setting("本社").targets[0].aliases == ("0100", "211553")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: tab.unknown_view.rowCount() == 1, timeout=5000)
    assert [tab.unknown_view.item(row, 0).text() for row in range(tab.unknown_view.rowCount())] == ["gsm0"]
    qtbot.waitUntil(lambda: tab.relink_dialog is not None, timeout=5000)  # counted in the background
    dialog = tab.relink_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.counts == {"+81312345678": 2}
    dialog.grab().save("/tmp/h8_relink_dialog.png")
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert not dialog.buttons.isEnabled()  # linking on a job thread: the window does not freeze
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.outcome_jobs == 2
    assert tab.status_label.text() == "過去の通話 2件を連携待ちにしました。"
    states = _states(context)
    assert states["u-1"] == ("pending", "") and states["u-2"] == ("pending", "")
    assert states["u-3"] == ("excluded", "unknown_number") and states["u-5"] == ("excluded", "number_unchecked")

    # Ticking the second number in edit mode offers its call; 今はしない leaves it excluded, asking again links it.
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    tab.model.setData(tab.model.index(1, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    with qtbot.waitSignal(tab.relink_checked, timeout=5000) as checked:
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert checked.args == [1]
    dialog = tab.relink_dialog
    assert dialog is not None and dialog.counts == {"+81661234567": 1}
    qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
    assert _states(context)["u-5"] == ("excluded", "number_unchecked")
    with qtbot.waitSignal(tab.relink_checked, timeout=5000):
        tab.offer_relink([], context.config.get_setting("本社").targets)  # type: ignore[union-attr]
    assert tab.relink_dialog is not None and tab.relink_dialog.counts == {"+81661234567": 1}
    qtbot.mouseClick(tab.relink_dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.relink_dialog.isVisible(), timeout=5000)  # type: ignore[union-attr]
    assert _states(context)["u-5"] == ("pending", "")
    # Nothing left to link: no dialog the next time.
    previous = tab.relink_dialog
    with qtbot.waitSignal(tab.relink_checked, timeout=5000) as checked:
        tab.offer_relink([], context.config.get_setting("本社").targets)  # type: ignore[union-attr]
    assert checked.args == [0] and tab.relink_dialog is previous


def test_aliases_are_edited_in_the_table_and_validated(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(targets=(LinkTargetConfig("03-1234-5678"), LinkTargetConfig("06-6123-4567")))
    tab = _tab(qtbot, context)
    assert not tab.alias_hint.isVisible()
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    assert tab.alias_hint.isVisible()
    assert tab.model.flags(tab.model.index(0, ALIASES)) & Qt.ItemFlag.ItemIsEditable
    assert tab.model.setData(tab.model.index(0, ALIASES), "0100、 gsm0, s", Qt.ItemDataRole.EditRole)
    assert tab.model.setData(tab.model.index(1, ALIASES), "GSM0", Qt.ItemDataRole.EditRole)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.is_editing() and "エイリアス「GSM0」は電話番号 03-1234-5678 のエイリアスとして既に登録されています" in tab.problems_label.text()
    assert tab.model.setData(tab.model.index(1, ALIASES), "0200", Qt.ItemDataRole.EditRole)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert not tab.is_editing()
    targets = context.config.get_setting("本社").targets  # type: ignore[union-attr]
    assert [t.aliases for t in targets] == [("0100", "gsm0", "s"), ("0200",)]
    tab.grab().save("/tmp/h8_targets_aliases.png")
