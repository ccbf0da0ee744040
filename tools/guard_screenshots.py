"""Offscreen screenshots of the unsaved-edits guard and the key-prefix check on 保存 (issue #13), against a dev org.

``python tools/guard_screenshots.py [--out docs/screenshots]`` writes unsaved_question.png (leaving the
オブジェクト tab with edits), verify_edits.png (設定確認 with edits) and objects_key_prefix.png (the window after a
wrong tab code was refused); ``--size``/``--scale`` as in tools/shots.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shots  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1100, 720)  # as tools/screenshots.py


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args, display, app = shots.start(parser, argv, out_is_folder=True)

    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from biztel_desk.devorg.server import DevOrg
    from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
    from biztel_desk.domain.ids import to18
    from biztel_desk.secrets import MemoryBackend, SecretStore
    from biztel_desk.services.context import AppContext
    from biztel_desk.store.db import Database
    from biztel_desk.ui import i18n
    from biztel_desk.ui.main_window import MainWindow

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
            display.fit(box)
            settle()
            path = args.out / f"{name}.png"
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
        window.resize(*display.window_size(WINDOW_SIZE))
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
        path = args.out / "objects_key_prefix.png"
        window.grab().save(str(path))
        print(path)
        for edited in (window.basic_tab, window.objects_tab, window.targets_tab):
            edited.revert()
        window.close()
        context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
