"""Offscreen screenshot of Salesforce側の自動設定 on a bare dev org: ``python tools/setup_org_screenshot.py``.

Saves ``docs/screenshots/setup_org.png`` (the plan of an org where nothing of the manual's §2 exists).
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
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # helpers.org_profile: no pytest needed

import shots  # noqa: E402
from helpers.org_profile import link_profile  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from biztel_desk.devorg.server import DevOrg  # noqa: E402
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402
from biztel_desk.ui.dialogs.setup_org_dialog import SetupOrgDialog  # noqa: E402
from biztel_desk.ui.tasks import install_event_loop  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "setup_org.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args, display, app = shots.start(parser, argv)
    out: Path = args.out
    install_event_loop(app)
    with tempfile.TemporaryDirectory(prefix="biztel-shot-") as tmp, DevOrg(seed="bare") as org:
        database = Database.open(directory=Path(tmp))
        context = AppContext(database, SecretStore(MemoryBackend()), lang="ja", data_dir=Path(tmp))
        dialog = SetupOrgDialog(context, link_profile(context, org, account="本番組織"))
        dialog.resize(980, 640)
        display.fit(dialog)
        dialog.show()
        dialog.panel.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and dialog.panel.table.rowCount() == 0:
            QCoreApplication.processEvents()
            time.sleep(0.02)
        for _ in range(20):
            QCoreApplication.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(out))
        dialog.close()
        database.close()
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
