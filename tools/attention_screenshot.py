"""Offscreen screenshot of 要対応: a setting whose calls fail because the dev org lost a Task field.

``python tools/attention_screenshot.py`` saves ``docs/screenshots/attention.png``; ``--size``/``--scale`` as in
tools/shots.py (e.g. ``--size 1366x768``: ``docs/screenshots/1366x768/attention.png``). Starts a dev org in-process,
a temporary profile whose setting 本社コールセンター points at it, removes B_CallEndDateTime__c from Task, imports a
few calls, opens the window with a LinkWorker and waits until the setting's badge reads 要対応. There is no system
tray offscreen: the notice shows as the window's notice bar.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # helpers.org_profile: no pytest needed

import shots  # noqa: E402
from helpers.org_profile import COMPANY, window_profile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1100, 720)  # as tools/screenshots.py


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "attention.png")
    parser.add_argument("--lang", default="ja")
    args, display, app = shots.start(parser, argv)
    out: Path = args.out


    from biztel_desk.devorg.server import DevOrg
    from biztel_desk.domain.call import CallRecord
    from biztel_desk.engine.worker import LinkWorker
    from biztel_desk.store import calls as store_calls
    from biztel_desk.ui import i18n
    from biztel_desk.ui.main_window import MainWindow
    from biztel_desk.ui.tasks import install_event_loop
    from biztel_desk.ui.widgets import STATUS_ROLE

    translators = i18n.install_translators(app, args.lang)
    install_event_loop(app)
    with DevOrg(seed="demo", records=50) as org, tempfile.TemporaryDirectory(prefix="biztel-attention-shot-") as tmp:
        context = window_profile(Path(tmp), org, args.lang)
        start = dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC)

        def add_calls(first: int, count: int) -> None:
            records = [CallRecord(unique_id=f"shot-{i}", from_number=f"090-5555-{i:04d}", to_number=COMPANY,
                                  started_at=start + dt.timedelta(minutes=i), duration_s=60, direction="inbound").finish()
                       for i in range(first, first + count)]
            with context.database.begin() as session:
                store_calls.add_calls(session, records)
            if window.worker_controller is not None:
                window.worker_controller.wake()

        worker = LinkWorker(context.database, context.secrets, lang=args.lang, poll_interval_s=0.2)
        window = MainWindow(context, worker=worker)
        window.resize(*display.window_size(WINDOW_SIZE))
        window.show()
        window.select_setting("本社コールセンター")
        add_calls(0, 1)  # linked: the worker has described Task with the field
        shots.wait_until(lambda: worker.status.counters.linked == 1, 60)
        org.set_field("Task", None, "B_CallEndDateTime__c")  # the org lost it: every Task write is refused
        add_calls(1, 3)

        def attention_shown() -> bool:
            item = window.setting_list.item(0)
            return item is not None and item.data(STATUS_ROLE) == "attention" and bool(window.notifier.shown)

        shots.wait_until(attention_shown, 60)
        shots.settle(1.0)  # let the layout settle (the notice bar's height)
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(out)
        if window.worker_controller is not None:
            window.worker_controller.shutdown(30)
        worker.stop(30)
        shots.close_window(window, context)
    del translators
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
