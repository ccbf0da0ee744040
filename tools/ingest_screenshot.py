"""Offscreen screenshot of 設定 → 通話の取り込み元… just after 生成: ``python tools/ingest_screenshot.py``.

A temporary profile watches a temporary folder and has the HTTP endpoint on (port 8765, or a free one when 8765 is
taken) but no token yet; the real sources run, the dialog opens over the window, 生成 is clicked, and the dialog
is saved to ``docs/screenshots/ingest.png`` (``--lang en`` for English). The token shown is a throw-away one.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shots  # noqa: E402
from PySide6.QtCore import QCoreApplication  # noqa: E402

from biztel_desk.ingest import folder as ingest_folder  # noqa: E402
from biztel_desk.ingest import http as ingest_http  # noqa: E402
from biztel_desk.ingest.folder import FolderConfig  # noqa: E402
from biztel_desk.ingest.http import HttpIngestConfig  # noqa: E402
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.services.ingest_sources import IngestSources  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402
from biztel_desk.ui import i18n  # noqa: E402
from biztel_desk.ui.dialogs.ingest_dialog import IngestDialog  # noqa: E402
from biztel_desk.ui.main_window import MainWindow  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "ingest.png"


def port() -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", ingest_http.DEFAULT_PORT))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settle() -> None:
    for _ in range(5):
        QCoreApplication.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    args, display, app = shots.start(parser, argv)
    translators = i18n.install_translators(app, args.lang)
    with tempfile.TemporaryDirectory(prefix="biztel-ingest-") as tmp:
        inbox = Path(tmp) / "PBX" / "cdr"
        inbox.mkdir(parents=True)
        context = AppContext(database=Database.open(directory=Path(tmp)), secrets=SecretStore(MemoryBackend()),
                             lang=args.lang, data_dir=Path(tmp))
        ingest_folder.save_config(context.database, FolderConfig(enabled=True, path=str(inbox), preset="asterisk"))
        ingest_http.save_config(context.database, HttpIngestConfig(enabled=True, port=port()))
        sources = IngestSources(context.database, context.secrets, lang=args.lang)
        sources.start()
        window = MainWindow(context)
        window.resize(*display.window_size((1100, 720)))
        window.show()
        settle()
        dialog = IngestDialog(context, sources, window)
        dialog.show()
        settle()
        dialog.generate_button.click()
        settle()
        layout = dialog.layout()
        if layout is not None and layout.hasHeightForWidth():
            dialog.resize(dialog.width(), max(dialog.height(), layout.totalHeightForWidth(dialog.width())))
        display.fit(dialog)
        settle()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(args.out))
        print(args.out)
        dialog.close()
        window.close()
        sources.stop()
        settle()
        context.close()
    for translator in translators:
        app.removeTranslator(translator)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
