"""Offscreen screenshots of the first-run wizard: ``python tools/wizard_screenshots.py [--out DIR] [--lang ja|en]``.

Writes wizard_welcome.png, wizard_account.png (the account page after a successful 接続テスト against a
local dev org) and wizard_verify.png (設定確認 of an org that is not set up: its problems and
「Salesforce側の自動設定…」), prefixed ``en_`` in English; ``--size``/``--scale`` as in tools/shots.py.
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
from PySide6.QtWidgets import QWidget  # noqa: E402
from simple_salesforce import Salesforce  # noqa: E402

from biztel_desk.devorg.server import DevOrg  # noqa: E402
from biztel_desk.devorg.transport import loopback_session  # noqa: E402
from biztel_desk.domain.config import AuthMethod, SecretKind  # noqa: E402
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402
from biztel_desk.ui.wizard import PAGE_VERIFY, FirstRunWizard  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def save(widget: QWidget, path: Path) -> None:
    shots.settle()
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
        # The password flow (the browser login, first in the list, needs a browser).
        page.form.auth_combo.setCurrentIndex(page.form.auth_combo.findData(AuthMethod.PASSWORD.value))
        page.form.name_edit.setText("本番組織" if args.lang == "ja" else "Production")
        page.form.username_edit.setText(c["username"])
        page.form.host_combo.setCurrentIndex(page.form.host_combo.findData("loopback"))
        page.form.host_edit.setText(org.url)
        page.form.secret_edits[SecretKind.PASSWORD].setText(c["password"])
        page.form.secret_edits[SecretKind.SECURITY_TOKEN].setText(c["security_token"])
        page.form.test_button.click()
        shots.wait_until(lambda: not page.is_testing())
        save(wizard, args.out / f"{prefix}wizard_account.png")

        # On to 設定確認 of an org that lacks a field, the label and the resource: the automatic setup is offered.
        org.set_field("Task", None, "B_AgentIdTo__c")
        org.set_label("WavImg", None)
        org.set_static_resource("speaker", present=False)
        sf = Salesforce(username=c["username"], password=c["password"], security_token=c["security_token"],
                        session=loopback_session(org.url, timeout=10), version="59.0")
        fallback = str(sf.Account.create({"Name": "登録情報なし"})["id"])
        wizard.next()
        wizard.setting_page.form.fallback_edit.setText(fallback)
        wizard.setting_page.form.consent_check.setChecked(True)
        wizard.next()
        shots.wait_until(lambda: not wizard.objects_page.is_fetching())
        wizard.next()
        wizard.targets_page.recording_edit.setText("https://s0000.u.biztel.jp:8000")
        wizard.targets_page.add_number("03-1234-5678")
        wizard.next()
        shots.wait_until(lambda: not wizard.verify_page.is_running())
        assert wizard.currentId() == PAGE_VERIFY and wizard.verify_page.setup_org_button.isVisible(), "problems"
        save(wizard, args.out / f"{prefix}wizard_verify.png")
        wizard.done(0)  # done, not close: close asks before discarding
        context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
