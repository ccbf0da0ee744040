"""The window refuses a database a newer BIZTEL Desk upgraded: a message naming both versions, no migration."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from helpers.window import Boxes, boxes_fixture  # noqa: F401 (fixtures)
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from sqlalchemy import text

from biztel_desk import app
from biztel_desk.store.db import Database, current_revision, head_revisions, sqlite_url


@pytest.mark.parametrize(("lang", "words"), [("ja", "BIZTEL Desk を最新版に更新してから起動してください。"),
                                             ("en", "Update BIZTEL Desk to the newest version")])
def test_window_refuses_a_newer_schema(
    qapp: QCoreApplication, tmp_path: Path, boxes: Boxes, lang: str, words: str
) -> None:
    database = Database.open(directory=tmp_path)
    with database.begin() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0099_from_a_newer_app'"))
    database.close()
    args = argparse.Namespace(data_dir=str(tmp_path), db_url=None, lang=lang, demo=False, setup_wizard=False,
                              command=None)
    translators, locale = set(qapp.findChildren(QTranslator)), QLocale()
    try:
        assert app.run_gui(args) == 2
    finally:  # run_gui installs the language's translators for the app's life: leave none to later tests
        for translator in set(qapp.findChildren(QTranslator)) - translators:
            QCoreApplication.removeTranslator(translator)
            translator.deleteLater()
        QLocale.setDefault(locale)
    [(kind, shown)] = boxes.shown
    assert kind == "critical" and words in shown
    assert "0099_from_a_newer_app" in shown and next(iter(head_revisions())) in shown
    untouched = Database(sqlite_url(tmp_path))
    assert current_revision(untouched.engine) == "0099_from_a_newer_app"
    untouched.close()
