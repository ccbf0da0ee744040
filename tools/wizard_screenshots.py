"""Offscreen screenshots of the first-run wizard: ``python tools/wizard_screenshots.py [--out DIR] [--lang ja|en]``.

Writes wizard_welcome.png and wizard_account.png (the account page after a successful 接続テスト against a
local dev org), prefixed ``en_`` in English.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shots  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from biztel_desk.devorg.server import DevOrg  # noqa: E402
from biztel_desk.domain.config import SecretKind  # noqa: E402
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402
from biztel_desk.ui.wizard import FirstRunWizard  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def settle(until: float = 0) -> None:
    deadline = time.monotonic() + until
    while True:
        QCoreApplication.processEvents()
        if time.monotonic() >= deadline:
            return
        time.sleep(0.02)


def save(widget: QWidget, path: Path) -> None:
    settle()
    widget.grab().save(str(path))
    print(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    args, display, app = shots.start(parser, argv, out_is_folder=True)
    prefix = "" if args.lang == "ja" else "en_"
    translators = i18n.install_translators(app, args.lang)  # noqa: F841 - kept alive while drawing
    with tempfile.TemporaryDirectory() as directory, DevOrg(seed="empty") as org:
        context = AppContext(database=Database.open(directory=Path(directory)), secrets=SecretStore(MemoryBackend()),
                             lang=args.lang, data_dir=Path(directory))
        wizard = FirstRunWizard(context)
        wizard.show()
        display.fit(wizard)
        save(wizard, args.out / f"{prefix}wizard_welcome.png")

        wizard.choose_connect()
        page = wizard.account_page
        c = org.credentials
        page.form.name_edit.setText("本番組織" if args.lang == "ja" else "Production")
        page.form.username_edit.setText(c["username"])
        page.form.host_combo.setCurrentIndex(page.form.host_combo.findData("loopback"))
        page.form.host_edit.setText(org.url)
        page.form.secret_edits[SecretKind.PASSWORD].setText(c["password"])
        page.form.secret_edits[SecretKind.SECURITY_TOKEN].setText(c["security_token"])
        page.form.test_button.click()
        deadline = time.monotonic() + 20
        while page.is_testing() and time.monotonic() < deadline:
            settle(0.05)
        save(wizard, args.out / f"{prefix}wizard_account.png")
        wizard.close()
        context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
