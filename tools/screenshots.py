"""Offscreen screenshots of the main window's tabs and dialogs on a sample profile: ``python tools/screenshots.py``.

Each entry of SCREENS is (file name, callable): the callable gets the open MainWindow and returns the widget to
grab (a tab is made current and the window returned, or a dialog is built and returned). Add yours to the list.
English shots are the entries of EN_SCREENS, taken again with the English translation installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shots  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402
from shots import Display  # noqa: E402

from biztel_desk.domain.config import (  # noqa: E402
    AccountConfig,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkTargetConfig,
    SecretKind,
)
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402
from biztel_desk.ui.main_window import MainWindow  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WINDOW_SIZE = (1100, 720)

Shot = Callable[[MainWindow], QWidget]


def tab(index: int) -> Shot:
    def show(window: MainWindow) -> QWidget:
        window.tabs.setCurrentIndex(index)
        return window

    return show


def dialog(module: str, name: str) -> Shot:
    def show(window: MainWindow) -> QWidget:
        import importlib

        cls = getattr(importlib.import_module(module), name)
        widget: QDialog = cls(window.context, window)
        return widget

    return show


def log_viewer(window: MainWindow) -> QWidget:
    """ヘルプ → ログを表示 on a few lines of a real-looking log (written the way applog writes them)."""
    from biztel_desk.ui.dialogs.log_viewer import LogViewerDialog

    data_dir = window.context.data_dir
    assert data_dir is not None
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "biztel-desk.log").write_text(
        "2026-12-04 09:00:01,120 INFO [MainThread] biztel_desk.app: BIZTEL Desk 起動\n"
        "2026-12-04 09:00:02,480 INFO [link-worker] biztel_desk.engine.worker: 本社: 連携を開始しました\n"
        "2026-12-04 09:14:31,007 WARNING [link-worker] biztel_desk.engine.worker: link worker: network (retry 1 in 5 s): "
        "ConnectionError\n"
        "2026-12-04 09:14:36,215 INFO [link-worker] biztel_desk.engine.linker: 本社: 12 件を連携しました\n"
        "2026-12-04 10:02:11,930 ERROR [http-ingest] biztel_desk.ingest.http: rejected a call: 400 (to_number missing)\n",
        encoding="utf-8")
    dialog = LogViewerDialog(data_dir, window)
    dialog.resize(900, 420)
    for _ in range(100):
        QCoreApplication.processEvents()
        if dialog.entries:
            break
        time.sleep(0.02)
    return dialog


def system_dialog_service(window: MainWindow) -> QWidget:
    """システム設定 → バックグラウンド連携 (the service's state is read from this PC: usually 未インストール)."""
    from biztel_desk.ui.dialogs.system_dialog import SystemDialog

    dialog = SystemDialog(window.context, window)
    dialog.pages.setCurrentIndex(1)
    for _ in range(50):  # the state is read in a job
        QCoreApplication.processEvents()
        if dialog.service_state_label.text().startswith(dialog.tr("状態")):
            break
        time.sleep(0.02)
    return dialog


def close_question(window: MainWindow) -> QWidget:
    from biztel_desk.ui.dialogs.close_dialog import CloseDialog

    return CloseDialog(window)


def ingest_dialog(window: MainWindow) -> QWidget:
    from biztel_desk.ui.dialogs.ingest_dialog import IngestDialog

    dialog = IngestDialog(window.context, None, window)
    dialog.resize(760, dialog.sizeHint().height())
    return dialog


def import_dialog(window: MainWindow) -> QWidget:
    """ファイル → 通話履歴を取り込む: a BIZTEL export (汎用) with four bad rows, imported: 取り込み結果 lists them."""
    from biztel_desk.ui.dialogs.import_dialog import ImportDialog

    data_dir = window.context.data_dir
    assert data_dir is not None
    rows = (ROOT / "tests" / "data" / "biztel_history.csv").read_text(encoding="cp932")
    rows += ("b-0009,req-0009,着信,090-3333-4444,03-1234-5678,,agent01,,201,2024/13/45 09:00:00,2024/04/01 09:01:00,60\n"
             ",req-0010,着信,090-4444-5555,03-1234-5678,,agent01,,201,2024/04/01 15:00:00,2024/04/01 15:01:00,60\n")
    path = data_dir / "発着信履歴_202404.csv"
    path.write_text(rows, encoding="utf-8")
    dialog = ImportDialog(window.context, window, paths=[str(path)])
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findData("generic"))
    dialog.resize(1040, 760)  # its fit_to_screen size where the screen has room (shots.Display.fit keeps it inside)
    dialog.show()
    finished: list[object] = []
    dialog.import_finished.connect(finished.append)
    dialog.import_button.click()
    for _ in range(1000):
        QCoreApplication.processEvents()
        if finished:
            break
        time.sleep(0.02)
    return dialog


SCREENS: list[tuple[str, Shot]] = [
    ("basic", tab(0)),
    ("objects", tab(1)),
    ("targets", tab(2)),
    # history.png (tab 3, with record names, its menu and 失敗/要対応): tools/history_screenshot.py
    ("account_dialog", dialog("biztel_desk.ui.dialogs.account_dialog", "AccountDialog")),
    ("system_dialog", dialog("biztel_desk.ui.dialogs.system_dialog", "SystemDialog")),
    ("system_dialog_service", system_dialog_service),
    ("log_viewer", log_viewer),
    ("close_dialog", close_question),
    ("ingest_sources", ingest_dialog),
    ("import", import_dialog),
]
EN_SCREENS: list[tuple[str, Shot]] = [("en_basic", tab(0))]


def build_profile(directory: Path, lang: str) -> AppContext:
    """A sample profile: one account, two link settings with objects and targets, a few calls and jobs."""
    context = AppContext(database=Database.open(directory=directory), secrets=SecretStore(MemoryBackend()), lang=lang, data_dir=directory)
    config = context.config
    config.save_account(
        AccountConfig(name="本番組織", username="integration@acme.example.com", login_host="acme.my.salesforce.com"),
        secrets={SecretKind.PASSWORD: "sample-password", SecretKind.SECURITY_TOKEN: "sample-token"},
    )
    config.save_account(AccountConfig(name="検証用Sandbox", username="integration@acme.example.com.dev", login_host="test"))
    config.save_basic(
        LinkSettingConfig(
            name="本社コールセンター",
            account="本番組織",
            fallback_record_id="https://acme.lightning.force.com/lightning/r/Account/0012v000032fR15AAE/view",
            api_consent=True,
            memo="代表番号とサポート窓口の着信を連携します。担当: 情報システム部 山田",
            on_multiple_match="most_recent",
            on_no_match="retry_then_fallback",
            activity_mode="case_and_task",
            objects=(
                LinkObjectConfig("Contact", "取引先責任者", "003", 1),
                LinkObjectConfig("Account", "取引先", "001", 2),
                LinkObjectConfig("Lead", "リード", "00Q", 3),
                LinkObjectConfig("Support_Customer__c", "サポート顧客", "a0B", 4),
            ),
            targets=(
                LinkTargetConfig("03-1234-5678", True, True),
                LinkTargetConfig("0120-123-456", True),
                LinkTargetConfig("06-6123-4567", False),
            ),
        )
    )
    config.set_status("本社コールセンター", "enabled")
    config.save_basic(
        LinkSettingConfig(
            name="大阪営業所",
            account="検証用Sandbox",
            fallback_record_id="0012v000032fR15",
            api_consent=True,
            targets=(LinkTargetConfig("06-6555-0101"),),
        )
    )
    config.set_status("大阪営業所", "paused")
    _add_history(context)
    return context


def _add_history(context: AppContext) -> None:
    """A few calls and link jobs so the history tab shows realistic rows (the engine writes these later)."""
    from biztel_desk.store import repos
    from biztel_desk.store.models import Call, LinkJob

    start = dt.datetime(2025, 6, 2, 0, 15, tzinfo=dt.UTC)
    rows = [
        ("inbound", "09012345678", "0312345678", "", "201", "linked", 0),
        ("inbound", "0459876543", "0312345678", "", "202", "linked", 0),
        ("outbound", "0312345678", "08055550123", "agent07", "", "linked", 0),
        ("inbound", "非通知", "0120123456", "", "203", "linked", 0),
        ("inbound", "0662223333", "0312345678", "", "201", "retrying", 2),
        ("inbound", "0311112222", "0120123456", "", "204", "failed", 0),
        ("inbound", "09077778888", "0312345678", "", "", "pending", 0),
    ]
    with context.database.begin() as session:
        setting = repos.find_setting(session, "本社コールセンター")
        assert setting is not None
        for index, (direction, source, target, agent, extension, state, retries) in enumerate(rows):
            began = start + dt.timedelta(minutes=37 * index)
            call = Call(
                unique_id=f"1717286{index:03d}.{4000 + index}",
                request_id=f"req-{index:06d}",
                recording_server_url="https://s0000.u.biztel.jp:8000",
                direction=direction,
                from_number=source,
                to_number=target,
                from_agent_id=agent,
                to_extension=extension,
                started_at=began,
                ended_at=began + dt.timedelta(seconds=95 + 13 * index),
                duration_s=95 + 13 * index,
                source="sample",
            )
            session.add(call)
            session.flush()
            session.add(
                LinkJob(
                    call_id=call.id,
                    setting_id=setting.id,
                    state=state,
                    retry_count=retries,
                    next_retry_at=began + dt.timedelta(minutes=30) if state == "retrying" else None,
                    processed_at=began + dt.timedelta(minutes=2) if state in {"linked", "failed"} else None,
                    record_id="0032v00003AbCdEAAV" if state == "linked" else None,
                    record_object="Contact" if state == "linked" else None,
                    task_id=f"00T2v00000Xy{index:03d}AAA" if state == "linked" else None,
                    error_code="INVALID_FIELD" if state == "failed" else "",
                    error_message="No such column 'B_UniqueId__c' on entity 'Task'" if state == "failed" else "",
                )
            )


def settle() -> None:
    for _ in range(5):
        QCoreApplication.processEvents()


def take(lang: str, screens: list[tuple[str, Shot]], out: Path, only: set[str], display: Display) -> list[Path]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install_translators(app, lang)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="biztel-shots-") as tmp:
        context = build_profile(Path(tmp), lang)
        window = MainWindow(context)
        window.resize(*display.window_size(WINDOW_SIZE))
        window.show()
        settle()
        for name, shot in screens:
            if only and name not in only:
                continue
            widget = shot(window)
            if widget is not window:
                widget.show()
                settle()
                # Word-wrapped labels only know their height once shown: grow the dialog to fit them.
                layout = widget.layout()
                if layout is not None and layout.hasHeightForWidth():
                    width = widget.width()
                    widget.resize(width, max(widget.height(), layout.totalHeightForWidth(width)))
                display.fit(widget)
            settle()
            path = out / f"{name}.png"
            widget.grab().save(str(path))
            saved.append(path)
            if widget is not window:
                widget.close()
                widget.deleteLater()
            settle()
        shots.close_window(window, context)  # never asks about unsaved edits
    for translator in translators:
        app.removeTranslator(translator)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", default="", help="comma-separated screen names (default: all)")
    args, display, _app = shots.start(parser, argv, out_is_folder=True)
    only = {name for name in args.only.split(",") if name}
    saved = take("ja", SCREENS, args.out, only, display) + take("en", EN_SCREENS, args.out, only, display)
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
