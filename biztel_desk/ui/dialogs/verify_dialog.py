"""設定確認 in the window: VerifyRunner checks in a job (ui/tasks.py) behind a busy dialog, then VerifyResultDialog
pops up."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from biztel_desk.domain.errors import KnownError
from biztel_desk.services import verification
from biztel_desk.services.context import AppContext
from biztel_desk.services.verification import VerificationReport
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import ERROR_COLOR, OK_COLOR

WARNING_COLOR = "#b26a00"  # a 注意 line of 設定確認 (amber: not an error)

log = logging.getLogger(__name__)
_LINES_WITHOUT_SCROLLING = 6


def verify_line_row(mark: str, color: str, text: str, bold: bool = False) -> QWidget:
    """One verification line: a ✓ / ✗ mark and the selectable, wrapped text (the popup and the wizard)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    icon = QLabel(mark)
    icon.setStyleSheet(f"color: {color}; font-weight: bold; font-size: 16px;")
    icon.setAlignment(Qt.AlignmentFlag.AlignTop)
    icon.setFixedWidth(20)
    label = QLabel(text)
    label.setObjectName("verifyLine")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        label.setStyleSheet("font-weight: bold;")
    layout.addWidget(icon)
    layout.addWidget(label, 1)
    return row


class VerifyBusyDialog(QDialog):
    """「設定を確認しています…」 with an indeterminate bar while the checks run (the window stays responsive)."""

    def __init__(self, setting_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("設定確認"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        self.label = QLabel(self.tr("「{name}」の設定をSalesforceで確認しています…").format(name=setting_name))
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: the number of steps is not known ahead
        self.bar.setTextVisible(False)
        layout.addWidget(self.bar)
        self.setMinimumWidth(380)


class VerifyRunner(QObject):
    """Runs 設定確認 for one setting at a time.

    ``run(name)`` returns at once; ``started(name)`` then ``finished(report)`` (or ``failed(text)``) follow. With
    ``interactive`` (the default) it also shows the busy dialog and then the result popup over ``parent``.
    """

    started = Signal(str)
    finished = Signal(object)  # VerificationReport
    failed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, interactive: bool = True,
                 timeout: float = 30) -> None:
        super().__init__(parent)
        self.context = context
        self.interactive = interactive
        self.timeout = timeout
        self.jobs = Jobs(self)
        self._running = False  # from run() until the result is out (the job itself ends just after)
        self.busy_dialog: VerifyBusyDialog | None = None
        self.result_dialog: VerifyResultDialog | None = None

    def parent_widget(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def is_running(self) -> bool:
        return self._running

    def run(self, setting_name: str) -> bool:
        """Start verifying; False (and nothing done) while a verification is already running."""
        if self.is_running():
            return False
        self._running = True
        if self.interactive:
            self.busy_dialog = VerifyBusyDialog(setting_name, self.parent_widget())
            self.busy_dialog.open()
        self.jobs.run("verify", self._verify(setting_name), on_error=self._on_failed)
        self.started.emit(setting_name)
        return True

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for the checks' thread (shutdown: no report is written into a closed database)."""
        return self.jobs.wait(msecs / 1000)

    async def _verify(self, setting_name: str) -> None:
        try:
            report = await self.jobs.to_thread(verification.verify_setting, self.context, setting_name,
                                               timeout=self.timeout)
        except Exception as error:
            if not isinstance(error, KnownError):  # a bug: the crash path reports it, the caller hears it failed
                self.failed.emit(self.tr("予期しないエラーが発生したため確認できませんでした。"))
            raise
        finally:
            self._running = False
            self._close_busy()
        self.finished.emit(report)
        if self.interactive:
            self.result_dialog = VerifyResultDialog(report, self.context, self.parent_widget())
            self.result_dialog.open()

    def _close_busy(self) -> None:
        if self.busy_dialog is not None:
            self.busy_dialog.close()
            self.busy_dialog.deleteLater()
            self.busy_dialog = None

    def _on_failed(self, error: BaseException) -> None:
        """A known reason (the setting was deleted or renamed meanwhile) in the popup; a bug went to the crash path."""
        reason = error.text(self.context.lang) if isinstance(error, KnownError) else str(error)
        self.failed.emit(reason)
        if self.interactive:
            self.result_dialog = VerifyResultDialog(None, self.context, self.parent_widget(), failure=reason)
            self.result_dialog.open()


class VerifyResultDialog(QDialog):
    """The one popup: 正しく設定されています, or one line per problem (●●が不正です …), or why it could not run."""

    checklist_requested = Signal(str)  # setting name

    def __init__(self, report: VerificationReport | None, context: AppContext, parent: QWidget | None = None,
                 *, failure: str = "") -> None:
        super().__init__(parent)
        self.report = report
        self.context = context
        self.setWindowTitle(self.tr("設定確認"))
        self.setObjectName("verifyResultDialog")
        lang = context.lang
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        if report is not None and report.ok:
            heading = verify_line_row("✓", OK_COLOR, report.lines(lang)[0], bold=True)
            layout.addWidget(heading)
            self.lines = report.lines(lang)
            for warning in report.problems:  # warnings only: linking works, with a consequence to know
                layout.addWidget(verify_line_row("!", WARNING_COLOR, warning.text(lang)))
        else:
            self.lines = report.lines(lang) if report is not None else [failure]
            errors = sum(not p.warning for p in report.problems) if report is not None else 1
            title = (self.tr("{count}件の問題が見つかりました。").format(count=errors)
                     if report is not None else self.tr("設定確認を実行できませんでした。"))
            title_label = QLabel(title)
            title_label.setObjectName("verifyTitle")
            title_label.setStyleSheet("font-weight: bold;")
            layout.addWidget(title_label)
            body = QWidget()
            body_layout = QVBoxLayout(body)
            body_layout.setContentsMargins(0, 0, 0, 0)
            body_layout.setSpacing(8)
            warnings = [p.warning for p in report.problems] if report is not None else [False]
            for line, warning in zip(self.lines, warnings, strict=True):
                body_layout.addWidget(verify_line_row("!" if warning else "✗", WARNING_COLOR if warning else ERROR_COLOR,
                                                      line))
            if len(self.lines) <= _LINES_WITHOUT_SCROLLING:
                layout.addWidget(body)
            else:  # a bare org has a dozen problems: scroll rather than grow past the screen
                body_layout.addStretch(1)
                scroll = QScrollArea()
                scroll.setWidgetResizable(True)
                scroll.setFrameShape(QScrollArea.Shape.NoFrame)
                scroll.setWidget(body)
                scroll.setMinimumHeight(420)
                layout.addWidget(scroll, 1)
        if report is not None:
            footer = QLabel(self.tr("連携設定「{name}」・API呼び出し {calls}回・書き込みなし").format(
                name=report.setting, calls=report.api_calls))
            footer.setStyleSheet("color: #5f6368;")
            layout.addWidget(footer)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(self.tr("コピー"))
        self.copy_button.setToolTip(self.tr("結果をクリップボードにコピーします"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.checklist_button = QPushButton(self.tr("Salesforce側チェックリスト…"))
        self.checklist_button.setVisible(report is not None)
        buttons.addButton(self.checklist_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.setup_org_button = QPushButton(self.tr("Salesforce側の自動設定…"))
        buttons.addButton(self.setup_org_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.setup_org_button.setVisible(report is not None and not report.ok)  # after addButton, which shows it
        self.setup_org_button.clicked.connect(self._on_setup_org_button_clicked)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(self.tr("閉じる"))
        layout.addWidget(buttons)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.checklist_button.clicked.connect(self._on_checklist_button_clicked)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(560 if report is not None and not report.ok else 380)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.lines))

    def _on_setup_org_button_clicked(self) -> None:
        from biztel_desk.ui.dialogs.setup_org_dialog import open_setup_org_dialog

        if self.report is not None:
            self.accept()
            self.setup_org_dialog = open_setup_org_dialog(self.context, self.report.setting, self.parentWidget())

    def _on_checklist_button_clicked(self) -> None:
        if self.report is None:
            return
        from biztel_desk.ui.dialogs.checklist_dialog import ChecklistDialog

        self.checklist_requested.emit(self.report.setting)
        dialog = ChecklistDialog(self.context, self.parentWidget(), setting_name=self.report.setting,
                                 report=self.report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.accept()
        dialog.open()
