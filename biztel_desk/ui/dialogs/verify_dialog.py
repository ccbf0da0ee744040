"""設定確認 in the window: VerifyRunner checks in a job (ui/tasks.py) behind a busy dialog, then VerifyResultDialog
pops up. ``VerifyLines`` shows a report's lines, in the popup and on the wizard's 設定確認 page."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from biztel_desk.domain.errors import KnownError, error_text
from biztel_desk.services import verification
from biztel_desk.services.context import AppContext
from biztel_desk.services.verification import LineKind, VerificationReport
from biztel_desk.ui.boxes import STRETCH, hbox, scrolled, vbox
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import ERROR_COLOR, MARKS, HintLabel, busy_bar, button, text_label

_LINES_WITHOUT_SCROLLING = 6


def verify_line_row(kind: LineKind, text: str, parent: QWidget | None = None) -> QWidget:
    """One verification line: its ✓ / ! / ✗ mark and the selectable, wrapped text (an ok line in bold)."""
    mark, color = MARKS[kind]
    icon = QLabel(mark)
    icon.setStyleSheet(f"color: {color}; font-weight: bold; font-size: 16px;")
    icon.setAlignment(Qt.AlignmentFlag.AlignTop)
    icon.setFixedWidth(20)
    line = QWidget(parent)
    hbox(icon, (text_label(text, name="verifyLine", bold=kind == "ok", selectable=True), 1), parent=line, margins=0)
    return line


class VerifyLines(QWidget):
    """The lines of one 設定確認: ✓ 正しく設定されています and its 注意 lines; or 「N件の問題が見つかりました。」 and
    a line per problem; or why it could not run. With ``scroll`` the lines scroll (a bare org has a dozen
    problems) rather than grow past the screen; without, they take their room."""

    def __init__(self, parent: QWidget | None = None, *, scroll: bool = True) -> None:
        super().__init__(parent)
        self.texts: list[str] = []
        self.title_label = text_label(name="verifyTitle", bold=True)
        self.title_label.setStyleSheet(f"font-weight: bold; color: {ERROR_COLOR};")
        self.body = QWidget()
        vbox(STRETCH, parent=self.body, margins=0, spacing=8)  # the lines go above the stretch
        if scroll:
            self.scroll_area = scrolled(self, self.body, name="verifyLinesScroll")
        vbox(self.title_label, (self.scroll_area if scroll else self.body, 1), parent=self, margins=0, spacing=10)

    def show_report(self, report: VerificationReport, lang: str) -> None:
        lines = verification.marked_lines(report, lang)
        errors = sum(kind == "error" for kind, _ in lines)
        self._show("" if report.ok else self.tr("{count}件の問題が見つかりました。").format(count=errors), lines)

    def show_failure(self, reason: str) -> None:
        self._show(self.tr("設定確認を実行できませんでした。"), [("error", reason)])

    def clear(self) -> None:
        self._show("", [])

    def _show(self, title: str, lines: list[tuple[LineKind, str]]) -> None:
        for old in self.body.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            old.setParent(None)
            old.deleteLater()
        layout = self.body.layout()
        assert isinstance(layout, QVBoxLayout)
        for kind, text in lines:
            layout.insertWidget(layout.count() - 1, verify_line_row(kind, text, self.body))
        self.texts = [text for _kind, text in lines]
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))


class VerifyBusyDialog(QDialog):
    """「設定を確認しています…」 with an indeterminate bar while the checks run (the window stays responsive)."""

    def __init__(self, setting_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("設定確認"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.label = QLabel(self.tr("「{name}」の設定をSalesforceで確認しています…").format(name=setting_name))
        self.bar = busy_bar()
        vbox(self.label, self.bar, parent=self)
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
            if self.busy_dialog is not None:
                self.busy_dialog.close()
                self.busy_dialog.deleteLater()
                self.busy_dialog = None
        self.finished.emit(report)
        if self.interactive:
            self.result_dialog = VerifyResultDialog(report, self.context, self.parent_widget())
            self.result_dialog.open()

    def _on_failed(self, error: BaseException) -> None:
        """A known reason (the setting was deleted or renamed meanwhile) in the popup; a bug went to the crash path."""
        reason = error_text(error, self.context.lang)
        self.failed.emit(reason)
        if self.interactive:
            self.result_dialog = VerifyResultDialog(None, self.context, self.parent_widget(), failure=reason)
            self.result_dialog.open()


class VerifyResultDialog(QDialog):
    """The one popup: 正しく設定されています, or one line per problem (●●が不正です …), or why it could not run.
    Enter closes it (閉じる is the default button; the others never take Enter)."""

    def __init__(self, report: VerificationReport | None, context: AppContext, parent: QWidget | None = None,
                 *, failure: str = "") -> None:
        super().__init__(parent)
        self.report = report
        self.context = context
        self.setWindowTitle(self.tr("設定確認"))
        self.setObjectName("verifyResultDialog")
        scroll = len(report.problems if report is not None else [failure]) > _LINES_WITHOUT_SCROLLING
        self.view = VerifyLines(self, scroll=scroll)
        if scroll:
            self.view.scroll_area.setMinimumHeight(420)
        if report is None:
            self.view.show_failure(failure)
        else:
            self.view.show_report(report, context.lang)
        self.lines = self.view.texts
        layout = vbox(self.view, parent=self, spacing=10)
        if report is not None:
            layout.addWidget(HintLabel(self.tr("連携設定「{name}」・API呼び出し {calls}回・書き込みなし").format(
                name=report.setting, calls=report.api_calls)))
        buttons = QDialogButtonBox()
        self.copy_button = button(self.tr("コピー"), self._on_copy_button_clicked,
                                  tooltip=self.tr("結果をクリップボードにコピーします"))
        self.checklist_button = button(self.tr("Salesforce側チェックリスト…"), self._on_checklist_button_clicked)
        self.setup_org_button = button(self.tr("Salesforce側の自動設定…"), self._on_setup_org_button_clicked)
        for push in (self.copy_button, self.checklist_button, self.setup_org_button):
            push.setAutoDefault(False)  # a focused button must not take Enter from 閉じる
            buttons.addButton(push, QDialogButtonBox.ButtonRole.ActionRole)
        self.checklist_button.setVisible(report is not None)  # after addButton, which shows it
        self.setup_org_button.setVisible(report is not None and not report.ok)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(self.tr("閉じる"))
        self.close_button.setDefault(True)
        layout.addWidget(buttons)
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

        dialog = ChecklistDialog(self.context, self.parentWidget(), setting_name=self.report.setting,
                                 report=self.report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.accept()
        dialog.open()
