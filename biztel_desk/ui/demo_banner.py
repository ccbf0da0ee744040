"""The demo-mode banner across the top of the window: what the admin sees is demo data, and the way out."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QMessageBox, QToolBar, QWidget

from biztel_desk.ui.boxes import hbox, named, vbox
from biztel_desk.ui.chrome import pinned
from biztel_desk.ui.widgets import ask, button

_STYLE = """
QFrame#demoBanner { background: #fff4ce; border-bottom: 1px solid #e0c36a; }
QLabel#demoBannerText { color: #4d3b00; font-weight: bold; }
QLabel#demoBannerDetail { color: #5c4a10; }
"""


class DemoBanner(QFrame):
    """A yellow strip: 「デモモード: …」 and 「実際のSalesforceに接続」.

    The button asks first (the demo ends, its data is discarded), then emits ``connect_requested``; the
    composition root ends the demo and opens the setup wizard on the real profile.
    """

    connect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setStyleSheet(_STYLE)
        self.text_label = named(QLabel(
            self.tr("デモモード: 表示されているのはデモ用のデータです(Salesforceには接続していません)")), "demoBannerText")
        self.detail_label = named(QLabel(
            self.tr("通話は数秒ごとに自動で作成され、このPC内のデモ用Salesforce組織に活動履歴として連携されます。")),
            "demoBannerDetail")
        self.detail_label.setWordWrap(True)
        self.connect_button = button(self.tr("実際のSalesforceに接続"), self.request_connect, name="primaryButton",
                                     tooltip=self.tr("デモを終了し、セットアップウィザードでお使いのSalesforceに接続します"))
        texts = QWidget()
        vbox(self.text_label, self.detail_label, parent=texts, margins=0).setSpacing(2)
        layout = hbox((texts, 1), self.connect_button, parent=self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(12)

    @classmethod
    def attach(cls, window: QMainWindow) -> DemoBanner:
        """Put a banner across the top of ``window``: a fixed tool bar row above the window's own tool bars."""
        banner = cls()
        bar = pinned(QToolBar(window), "demoBannerBar")  # the banner cannot be hidden from the tool bar menu
        bar.setStyleSheet("QToolBar#demoBannerBar { border: none; padding: 0; spacing: 0; }")
        bar.addWidget(banner)
        window.setWindowTitle(QCoreApplication.translate("DemoBanner", "{0} [デモ]").format(window.windowTitle()))
        first = next((b for b in window.findChildren(QToolBar) if b is not bar
                      and window.toolBarArea(b) == Qt.ToolBarArea.TopToolBarArea), None)
        if first is None:
            window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        else:
            window.insertToolBar(first, bar)
            window.insertToolBarBreak(first)
        return banner

    def request_connect(self) -> None:
        """Ask whether to end the demo; emit ``connect_requested`` when the admin agrees."""
        answer = ask(
            self.window(),
            self.tr("実際のSalesforceに接続"),
            self.tr(
                "デモを終了して、セットアップウィザードでお使いのSalesforceに接続します。\n\n"
                "デモ用のデータ(通話履歴とデモ用のSalesforce組織)はすべて破棄され、"
                "BIZTEL Desk が通常のデータフォルダで起動し直します。続けますか?"
            ),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Ok,
        )
        if answer == QMessageBox.StandardButton.Ok:
            self.connect_requested.emit()


def show_launch_failed(parent: QWidget | None, *, demo: bool) -> None:
    """The app could not be started as a new process (the demo, or the real profile after the demo)."""
    translate = QCoreApplication.translate  # literal sources: pyside6-lupdate reads them
    text = (translate("DemoBanner", "デモを起動できませんでした。もう一度お試しください。") if demo else translate(
        "DemoBanner", "BIZTEL Desk を起動し直せませんでした。デモを閉じてから、BIZTEL Desk をもう一度起動してください。"))
    QMessageBox.warning(parent, "BIZTEL Desk", text)
