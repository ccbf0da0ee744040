"""Offscreen screenshot of demo mode with linked calls: ``python tools/demo_screenshot.py [--out FILE] [--lang ja|en]``.

Runs the real demo (``app.build_demo``: in-process dev org, simulator, link worker) until the 連携通話履歴 tab
shows at least ``--rows`` linked calls, then saves the window (default docs/screenshots/demo.png).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shots  # noqa: E402

from biztel_desk import app as composition  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1366, 768)


def linked_rows(session: composition.GuiSession) -> int:
    model = session.window.history_tab.model
    rows = (model.row_at(r) for r in range(model.rowCount()))
    return sum(1 for row in rows if row is not None and row.state == "linked")


def setting_counts(session: composition.GuiSession) -> list[int]:
    """この設定's 待機, 連携済, 失敗 as the status bar shows them."""
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", session.window.jobs_label.text())]


def counts_agree(session: composition.GuiSession) -> bool:
    """The status bar's この設定 and 全体 counts, and the history page, all show the same moment."""
    window = session.window
    shown = window._shown_counters  # the worker status the 全体 label was made from
    mine = setting_counts(session)
    model = window.history_tab.model
    if shown is None or len(mine) != 3 or model.loading or model.counting:
        return False
    # この設定's 待機 is pending + sending + retrying + held; the demo has one setting.
    return mine == [shown.waiting + shown.retrying + shown.held, shown.linked, shown.failed] and model.total == sum(mine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.add_argument("--rows", type=int, default=9, help="wait for this many linked rows (at most 60 s)")
    args, display, app = shots.start(parser, argv)
    out: Path = args.out or display.place(ROOT / "docs" / "screenshots" / ("demo.png" if args.lang == "ja" else "en_demo.png"))
    out.parent.mkdir(parents=True, exist_ok=True)
    translators = i18n.install_translators(app, args.lang)  # noqa: F841 - kept alive while drawing
    session = composition.build_demo(args.lang, initial_calls=6, interval_s=(0.6, 1.2))
    try:
        session.window.resize(*display.window_size(WINDOW_SIZE))
        session.window.show()
        deadline = time.monotonic() + 60
        while linked_rows(session) < args.rows and time.monotonic() < deadline:
            shots.settle(0.1)
        session.window.history_tab.view.clearSelection()
        shots.settle(0.3)
        # New calls keep coming: wait for a moment between two of them when every count tells the same story.
        deadline = time.monotonic() + 30
        while not counts_agree(session) and time.monotonic() < deadline:
            shots.settle(0.05)
            session.window.refresh()  # この設定 from the database now
            model = session.window.history_tab.model
            if not (model.loading or model.counting) and model.total < sum(setting_counts(session)):
                model.refresh()  # the page is behind a new call: read it again
        if not counts_agree(session):
            print("warning: the status bar's counts and the history still differ", file=sys.stderr)
        # No event processing from here on: the next call's status would make them differ again.
        session.window.grab().save(str(out))
        print(out, f"({linked_rows(session)} linked rows)")
    finally:
        session.window.close()
        session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
