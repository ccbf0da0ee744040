"""Offscreen screenshots of 連携通話履歴 (issue #13): ``python tools/history_screenshot.py [--size 1366x768] [--scale 2]``.

The sample profile of tools/screenshots.py, its linked rows with the record names the engine keeps; saves
history.png (every call), history_attention.png (失敗/要対応) and history_menu.png (a row's menu) into
docs/screenshots/, or the folder of ``--size``/``--scale`` (tools/shots.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shots  # noqa: E402
from PySide6.QtGui import QPainter  # noqa: E402
from screenshots import OUT, WINDOW_SIZE, build_profile, settle  # noqa: E402
from sqlalchemy import update  # noqa: E402

from biztel_desk.store.models import LinkJob  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402
from biztel_desk.ui.main_window import MainWindow  # noqa: E402
from biztel_desk.ui.models.history_model import COLUMN_KEYS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args, display, app = shots.start(parser, argv, out_is_folder=True)
    translators = i18n.install_translators(app, "ja")  # noqa: F841 - kept alive while drawing
    with tempfile.TemporaryDirectory(prefix="biztel-history-") as tmp:
        context = build_profile(Path(tmp), "ja")
        with context.database.begin() as session:
            session.execute(update(LinkJob).where(LinkJob.state == "linked").values(record_name="山田 花子"))
        window = MainWindow(context)
        window.resize(*display.window_size(WINDOW_SIZE))
        window.show()
        window.select_setting("本社コールセンター")
        window.tabs.setCurrentWidget(window.history_tab)
        tab = window.history_tab
        for _ in range(200):
            settle()
            if not tab.model.loading and not tab.model.counting and tab.model.rowCount():
                break
        settle()
        window.grab().save(str(args.out / "history.png"))
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
        shot.save(str(args.out / "history_menu.png"))
        tab.attention_button.click()
        for _ in range(200):
            settle()
            if not tab.model.loading and not tab.model.counting:
                break
        settle()
        window.grab().save(str(args.out / "history_attention.png"))
        window.basic_tab.revert()
        window.close()
        settle()
        context.close()
    for name in ("history.png", "history_menu.png", "history_attention.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
