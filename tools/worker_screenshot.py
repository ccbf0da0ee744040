"""Offscreen screenshot of the window while the link worker drains a backlog into a dev org: ``python tools/worker_screenshot.py``.

Starts a dev org in-process (``--latency-ms`` per request), a temporary profile whose setting 本社 points at it,
imports ``--calls`` calls, opens the window with a LinkWorker, waits until ``--linked`` calls are linked and
saves ``docs/screenshots/worker.png`` (``--lang en`` for English).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # helpers.org_profile: no pytest needed

import shots  # noqa: E402
from helpers.org_profile import COMPANY, window_profile  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from biztel_desk.devorg import seed_data  # noqa: E402
from biztel_desk.devorg.server import DevOrg  # noqa: E402
from biztel_desk.domain import phone  # noqa: E402
from biztel_desk.domain.call import CallRecord  # noqa: E402
from biztel_desk.engine.worker import LinkWorker  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store import calls as store_calls  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402
from biztel_desk.ui.main_window import MainWindow  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RECORDS = 300


def prepare(directory: Path, org: DevOrg, lang: str, calls: int) -> AppContext:
    context = window_profile(directory, org, lang, osaka="paused")
    numbers = [phone.national_format(n) for n in sorted(seed_data.canonical_numbers(seed_data.generate_demo(RECORDS, 0)))]
    start = dt.datetime(2025, 6, 2, tzinfo=dt.UTC)
    records = [
        CallRecord(unique_id=f"shot-{i:06d}", from_number=numbers[i % len(numbers)], to_number=COMPANY,
                   started_at=start + dt.timedelta(seconds=40 * i), duration_s=30 + i % 400, direction="inbound").finish()
        for i in range(calls)
    ]
    with context.database.begin() as session:
        store_calls.add_calls(session, records)
    return context


def counts_agree(window: MainWindow) -> bool:
    """この設定 equals the 全体 counters shown (本社 is the only setting with jobs), and the history page is loaded."""
    shown = window._shown_counters  # the worker status the 全体 label was made from
    mine = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", window.jobs_label.text())]
    model = window.history_tab.model
    if shown is None or len(mine) != 3 or model.loading or model.counting:
        return False
    # この設定's 待機 is pending + sending + retrying + held.
    return mine == [shown.waiting + shown.retrying + shown.held, shown.linked, shown.failed]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "worker.png")
    parser.add_argument("--lang", default="ja")
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--linked", type=int, default=2_000)
    parser.add_argument("--latency-ms", type=float, default=20)
    args, display, app = shots.start(parser, argv)
    translators = i18n.install_translators(app, args.lang)
    with DevOrg(seed="demo", records=RECORDS, latency_ms=args.latency_ms) as org, \
            tempfile.TemporaryDirectory(prefix="biztel-worker-shot-") as tmp:
        context = prepare(Path(tmp), org, args.lang, args.calls)
        worker = LinkWorker(context.database, context.secrets, lang=args.lang, poll_interval_s=0.2)
        window = MainWindow(context, worker=worker)
        window.resize(*display.window_size((1100, 720)))
        window.show()
        window.tabs.setCurrentWidget(window.history_tab)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
            controller = window.worker_controller
            if controller is not None and controller.status.counters.linked >= args.linked:
                break
        for _ in range(30):  # let the throttled history refresh land
            QCoreApplication.processEvents()
            time.sleep(0.1)
        # The selected setting's counts (read from the database) and the worker's 全体 counters (its last status)
        # come from different moments while it sends: take the picture when both tell the same story.
        deadline = time.monotonic() + 30
        while not counts_agree(window) and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.02)
            window.refresh()
        if not counts_agree(window):
            print("warning: the status bar's counts still differ", file=sys.stderr)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(args.out))
        print(args.out)
        shots.close_window(window, context)
    del translators
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
