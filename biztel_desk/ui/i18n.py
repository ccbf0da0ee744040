"""Loads the UI language: our translations (Japanese is the source language, English is translated) and Qt's."""

from __future__ import annotations

from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from biztel_desk import resources_path

TRANSLATIONS = resources_path("translations")


_installed = False  # install_translators ran: the window's language is the default QLocale it set


def language() -> str:
    """The window's language, "ja" or "en": domain words (domain.vocabulary) are shown in it. Japanese, the source
    language, until install_translators sets one."""
    if not _installed:
        return "ja"
    return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"


def system_language() -> str:
    """ja on a Japanese system, en elsewhere."""
    return "ja" if QLocale.system().language() == QLocale.Language.Japanese else "en"


def qt_translation_dirs() -> list[str]:
    """Where Qt's own translations (qtbase_ja.qm: QMessageBox's buttons, QFileDialog …) may be: Qt's configured
    path, then PySide6's own folder (a PyInstaller build ships them there: packaging/biztel-desk.spec)."""
    dirs = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
            str(Path(PySide6.__file__).resolve().parent / "Qt" / "translations")]
    return [d for i, d in enumerate(dirs) if d and d not in dirs[:i]]


def install_translators(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install translators for ``lang``; keep the returned list alive as long as the app."""
    global _installed
    _installed = True
    translators: list[QTranslator] = []
    qt = QTranslator(app)
    if any(qt.load(QLocale(lang), "qtbase", "_", directory) for directory in qt_translation_dirs()):
        app.installTranslator(qt)
        translators.append(qt)
    if lang != "ja":  # our source strings are Japanese
        ours = QTranslator(app)
        if ours.load(str(TRANSLATIONS / f"biztel_desk_{lang}.qm")):
            app.installTranslator(ours)
            translators.append(ours)
    QLocale.setDefault(QLocale(QLocale.Language.Japanese if lang == "ja" else QLocale.Language.English))
    return translators
