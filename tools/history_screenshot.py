"""Offscreen screenshots of 連携通話履歴 at 1366x768 (issue #13): ``python tools/history_screenshot.py [--scale 2]``.

The sample profile of tools/screenshots.py, its linked rows with the record names the engine keeps; saves
history_1366.png (every call), history_attention_1366.png (失敗/要対応) and history_menu_1366.png (a row's menu), or
the @2x files with ``--scale 2`` (QT_SCALE_FACTOR, set before Qt starts).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__)
ARGS.add_argument("--scale", default="1")
ARGS.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots")
OPTIONS = ARGS.parse_args()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_SCALE_FACTOR"] = OPTIONS.scale
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtGui import QFont, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshots import build_profile, settle  # noqa: E402
from sqlalchemy import update  # noqa: E402

from biztel_desk.store.models import LinkJob  # noqa: E402
from biztel_desk.ui.main_window import MainWindow  # noqa: E402
from biztel_desk.ui.models.history_model import COLUMN_KEYS  # noqa: E402


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(QFont("Noto Sans CJK JP", 10))
    suffix = "" if OPTIONS.scale == "1" else f"@{OPTIONS.scale}x"
    OPTIONS.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="biztel-history-") as tmp:
        context = build_profile(Path(tmp), "ja")
        with context.database.begin() as session:
            session.execute(update(LinkJob).where(LinkJob.state == "linked").values(record_name="山田 花子"))
        window = MainWindow(context)
        window.resize(1366, 768)
        window.show()
        window.select_setting("本社コールセンター")
        window.tabs.setCurrentWidget(window.history_tab)
        tab = window.history_tab
        for _ in range(200):
            settle()
            if not tab.model.loading and not tab.model.counting and tab.model.rowCount():
                break
        settle()
        window.grab().save(str(OPTIONS.out / f"history_1366{suffix}.png"))
        row = next(r for r in range(tab.model.rowCount()) if tab.model.row_at(r).state == "failed")  # type: ignore[union-attr]
        tab.view.selectRow(row)
        menu = tab.row_context_menu(row)
        assert menu is not None
        rect = tab.view.visualRect(tab.model.index(row, COLUMN_KEYS.index("from_number")))
        at = tab.view.viewport().mapTo(window, rect.center())
        menu.adjustSize()
        shot = window.grab()
        painter = QPainter(shot)
        painter.drawPixmap(at, menu.grab())  # an offscreen popup is its own window: drawn where it opens
        painter.end()
        shot.save(str(OPTIONS.out / f"history_menu_1366{suffix}.png"))
        tab.attention_button.click()
        for _ in range(200):
            settle()
            if not tab.model.loading and not tab.model.counting:
                break
        settle()
        window.grab().save(str(OPTIONS.out / f"history_attention_1366{suffix}.png"))
        window.basic_tab.revert()
        window.close()
        settle()
        context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
