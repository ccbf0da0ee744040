"""Qt's own dialogs are in Japanese (issue #13, item 4): ui/i18n.py loads Qt's qtbase translation, and the
PyInstaller spec ships it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox

from biztel_desk.ui import i18n

SPEC = Path(__file__).resolve().parents[2] / "packaging" / "biztel-desk.spec"
Button = QMessageBox.StandardButton


@pytest.fixture
def japanese(qapp: QApplication) -> Iterator[QApplication]:
    translators = i18n.install_translators(qapp, "ja")
    try:
        yield qapp
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale(QLocale.Language.Japanese))


def test_message_box_buttons_are_japanese(japanese: QApplication, tmp_path: Path) -> None:
    box = QMessageBox(QMessageBox.Icon.Question, "未保存の変更",
                      "「本社」のオブジェクトに保存されていない変更があります。保存しますか?",
                      Button.Save | Button.Discard | Button.Cancel)
    texts = {button: box.button(button).text() for button in (Button.Save, Button.Discard, Button.Cancel)}
    # Qt's Japanese words (qtbase_ja.qm): the unsaved-edits question reads 保存 / 変更を破棄 / キャンセル.
    assert texts == {Button.Save: "保存", Button.Discard: "変更を破棄", Button.Cancel: "キャンセル"}
    yes_no = QMessageBox(QMessageBox.Icon.Question, "", "", Button.Yes | Button.No | Button.Close)
    assert [yes_no.button(b).text() for b in (Button.Yes, Button.No, Button.Close)] == ["はい(&Y)", "いいえ(&N)", "閉じる"]
    box.grab().save(str(tmp_path / "unsaved_question.png"))


def test_file_dialog_is_japanese(japanese: QApplication) -> None:
    dialog = QFileDialog(None, "", "", "")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own dialog (the native one is the OS's)
    try:
        assert dialog.labelText(QFileDialog.DialogLabel.FileName) == "ファイル名(&N):"
        buttons = dialog.findChild(QDialogButtonBox)
        assert buttons is not None
        assert sorted(button.text() for button in buttons.buttons()) == sorted(["開く(&O)", "キャンセル"])
    finally:
        dialog.deleteLater()


def test_the_japanese_app_installs_qt_own_translation(qapp: QApplication) -> None:
    """Not only whatever translator an earlier test left installed: install_translators loads qtbase_ja itself."""
    translators = i18n.install_translators(qapp, "ja")
    try:
        qt = [t for t in translators if Path(t.filePath()).name == "qtbase_ja.qm"]
        assert len(qt) == 1
        assert qt[0].translate("QPlatformTheme", "Save") == "保存"
        assert qt[0].translate("QPlatformTheme", "Discard") == "変更を破棄"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale(QLocale.Language.Japanese))


def test_qtbase_ja_is_found_where_a_build_puts_it() -> None:
    """PySide6's own folder is searched too: a PyInstaller build holds PySide6/Qt/translations/qtbase_ja.qm."""
    found = [d for d in i18n.qt_translation_dirs() if (Path(d) / "qtbase_ja.qm").is_file()]
    assert found
    assert any(Path(d).parts[-3:] == ("PySide6", "Qt", "translations") for d in i18n.qt_translation_dirs())


def test_the_spec_keeps_qt_japanese_and_english_translations() -> None:
    """The spec's filter of Qt's translations (the only place the build drops them) keeps qtbase_ja.qm."""
    text = SPEC.read_text(encoding="utf-8")
    folder = re.search(r'_QT_TRANSLATIONS = re\.compile\(r"(.+?)"\)', text)
    keep = re.search(r're\.search\(r"(_\(ja\|en\)[^"]*)", entry\[0\]\)', text)
    assert folder is not None and keep is not None, "the spec's Qt translation filter changed: update this test"

    def kept(path: str) -> bool:
        return not re.search(folder.group(1), path) or bool(re.search(keep.group(1), path))

    assert kept("PySide6/Qt/translations/qtbase_ja.qm") and kept("PySide6/Qt/translations/qtbase_en.qm")
    assert not kept("PySide6/Qt/translations/qtbase_de.qm")
