"""ui/chrome: actions in one call, pinned tool bars, and the label that gives way with its whole text in the tooltip."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QToolBar
from pytestqt.qtbot import QtBot

from biztel_desk.ui.chrome import ElidedLabel, action, add_actions, pinned


def test_an_elided_label_keeps_its_whole_text_in_the_tooltip(qtbot: QtBot) -> None:
    label = ElidedLabel(min_width=40)
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    label.set_detail("why it is so")
    label.setText("録音連携ステータス: 有効 — 要対応: 通話の連携失敗、要再ログイン")
    label.resize(80, 20)
    assert label.elided() and label.text().startswith("録音連携ステータス")  # text() is the whole text
    assert label.toolTip() == f"{label.text()}\nwhy it is so"
    label.setText("有効")
    assert not label.elided() and label.toolTip() == "why it is so"
    assert label.minimumSizeHint().width() <= label.fontMetrics().horizontalAdvance("有効") + 2  # short: no more room
    label.setText("有効" * 3)
    label.resize(label.fontMetrics().horizontalAdvance(label.text()) + 1, 20)
    assert label.toolTip() == "why it is so"
    label.setStyleSheet("font-size: 30px;")  # a wider font: now it is cut, and the tooltip says so at once
    assert label.elided() and label.toolTip().startswith("有効有効有効")


def test_actions_menus_and_pinned_tool_bars(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    called: list[str] = []
    first = action("開く", lambda: called.append("open"), window, tooltip="open it")
    second = action("終了", lambda: called.append("quit"), window)
    menu = QMenu(window)
    add_actions(menu, (first, None, second))
    assert [a.text() for a in menu.actions()] == ["開く", "", "終了"] and menu.actions()[1].isSeparator()
    second.trigger()
    first.trigger()
    assert called == ["quit", "open"] and first.toolTip() == "open it"
    bar = pinned(QToolBar(window), "someBar")
    add_actions(bar, (QLabel("title"), first))
    assert bar.objectName() == "someBar" and not bar.isMovable() and not bar.isFloatable()
    assert not bar.toggleViewAction().isEnabled() and len(bar.actions()) == 2
    with pytest.raises(TypeError):
        add_actions(menu, (QLabel("a menu holds no widgets"),))
