"""Offscreen screenshots of the unsaved-edits guard and the key-prefix check on 保存 (issue #13), against a dev org.

``python tools/guard_screenshots.py [--out docs/screenshots] [--scale 2]`` writes unsaved_question.png (leaving the
オブジェクト tab with edits), verify_edits.png (設定確認 with edits) and objects_key_prefix.png (the window at
1366x768 after a wrong tab code was refused); ``_2x`` is appended at ``--scale 2``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["QT_SCALE_FACTOR"] = str(args.scale)  # read when the application starts
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication, QMessageBox

    from biztel_desk.devorg.server import DevOrg
    from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
    from biztel_desk.domain.ids import to18
    from biztel_desk.secrets import MemoryBackend, SecretStore
    from biztel_desk.services.context import AppContext
    from biztel_desk.store.db import Database
    from biztel_desk.ui import i18n
    from biztel_desk.ui.main_window import MainWindow

    suffix = "" if args.scale == 1 else f"_{args.scale}x"
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(QFont("Noto Sans CJK JP", 10))  # the offscreen platform has no system font settings
    translators = i18n.install_translators(app, "ja")  # noqa: F841 - kept alive while drawing

    def settle() -> None:
        for _ in range(10):
            QCoreApplication.processEvents()

    def grab_modal(name: str) -> None:
        """Once the question is open (it runs its own loop): save it, then answer キャンセル."""
        def shoot() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox) or not box.isVisible():
                QTimer.singleShot(50, shoot)
                return
            settle()
            path = args.out / f"{name}{suffix}.png"
            box.grab().save(str(path))
            print(path)
            box.reject()  # Escape: キャンセル, the edits stay

        QTimer.singleShot(0, shoot)

    with tempfile.TemporaryDirectory() as directory, DevOrg(seed="empty") as org:
        context = AppContext(database=Database.open(directory=Path(directory)), secrets=SecretStore(MemoryBackend()),
                             lang="ja", data_dir=Path(directory))
        c = org.credentials
        context.config.save_account(
            AccountConfig(name="本番組織", username=c["username"], login_host=org.url),
            secrets={SecretKind.PASSWORD: c["password"], SecretKind.SECURITY_TOKEN: c["security_token"]},
        )
        context.config.save_basic(LinkSettingConfig(name="本社", account="本番組織", api_consent=True,
                                                    fallback_record_id=to18("001000000000001"),
                                                    targets=(LinkTargetConfig("03-1234-5678"),)))
        window = MainWindow(context)
        window.resize(1366, 768)
        window.show()
        settle()
        window.select_setting("本社")
        tab = window.objects_tab
        window.tabs.setCurrentWidget(tab)
        tab.model.setData(tab.model.index(1, 2), "001", Qt.ItemDataRole.EditRole)  # Contact with Account's code
        settle()

        grab_modal("unsaved_question")
        window.tabs.setCurrentWidget(window.history_tab)  # asks; キャンセル stays on the tab
        grab_modal("verify_edits")
        window.basic_tab.verify_button.click()

        done: list[bool] = []
        tab.saved_later.connect(done.append)
        tab.save()
        while not done:
            QCoreApplication.processEvents()
        settle()
        path = args.out / f"objects_key_prefix{suffix}.png"
        window.grab().save(str(path))
        print(path)
        for edited in (window.basic_tab, window.objects_tab, window.targets_tab):
            edited.revert()
        window.close()
        context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
