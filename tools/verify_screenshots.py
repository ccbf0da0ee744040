"""Offscreen screenshots of the 設定確認 popup (ok, problems) and the checklist, verified against a dev org.

``python tools/verify_screenshots.py [--out docs/screenshots] [--lang ja|en]`` writes verify_ok.png,
verify_problems.png and checklist.png (prefixed ``en_`` in English).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # helpers.org_profile: no pytest needed

import shots  # noqa: E402
from helpers.org_profile import COMPANY, org_client, save_org_account  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from biztel_desk.devorg.server import DevOrg  # noqa: E402
from biztel_desk.domain.config import (  # noqa: E402
    DEFAULT_OBJECTS,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkTargetConfig,
)
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402
from biztel_desk.ui.dialogs.checklist_dialog import ChecklistDialog  # noqa: E402
from biztel_desk.ui.dialogs.verify_dialog import VerifyResultDialog  # noqa: E402
from biztel_desk.verify.checks import verify_setting  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def settle() -> None:
    for _ in range(5):
        QCoreApplication.processEvents()


def save(widget: QWidget, path: Path, display: shots.Display) -> None:
    widget.show()
    settle()
    if not isinstance(widget, ChecklistDialog):  # popups take the size of their lines; the checklist has its own
        widget.adjustSize()
    display.fit(widget)
    settle()
    widget.grab().save(str(path))
    widget.close()
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
        save_org_account(context, org, "本番組織")
        fallback = str(org_client(org).Account.create({"Name": "登録情報なし"})["id"])
        base = LinkSettingConfig(name="本社コールセンター", account="本番組織", fallback_record_id=fallback,
                                 api_consent=True, targets=(LinkTargetConfig(COMPANY),))
        context.config.save_basic(base)
        ok = verify_setting(context, base.name)
        save(VerifyResultDialog(ok, context), args.out / f"{prefix}verify_ok.png", display)

        # A half-done org: a field of the wrong type, no label, a wrong tab code, Lead hidden from the user.
        org.set_field("Task", {"type": "string", "length": 40, "label": "着信電話番号"}, "B_PhoneTo__c")
        org.set_label("WavImg", None)
        org.set_accessible("Lead", False)
        objects = (DEFAULT_OBJECTS[0], LinkObjectConfig("Contact", "取引先責任者", "001", 2), DEFAULT_OBJECTS[2])
        context.config.save_objects(base.name, list(objects))
        problems = verify_setting(context, base.name)
        save(VerifyResultDialog(problems, context), args.out / f"{prefix}verify_problems.png", display)
        save(ChecklistDialog(context, setting_name=base.name), args.out / f"{prefix}checklist.png", display)
        context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
