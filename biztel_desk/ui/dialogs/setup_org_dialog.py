"""Salesforce側の自動設定: the plan (作成 / 変更なし / 手動対応が必要 with the reason), apply after a confirmation naming
the org and the user, its progress, then 設定確認 by itself.

``SetupOrgPanel`` is the whole thing as a widget (a wizard page can embed it); ``SetupOrgDialog`` puts it in a
dialog with a close button; ``open_setup_org_dialog`` is the one call of the menu item and the 設定確認 popup.
Background work runs through ``ui/tasks.Jobs`` (the service calls in worker threads, widgets on the GUI thread).
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from biztel_desk.domain.errors import KnownError, error_text
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services.context import AppContext
from biztel_desk.services.setup_org import ACTION_TEXT, Action, PlanLine, SetupPlan, SetupSession
from biztel_desk.services.verification import verify_setting
from biztel_desk.ui.boxes import STRETCH, hbox, named, vbox
from biztel_desk.ui.tasks import Jobs, posted
from biztel_desk.ui.widgets import ERROR_COLOR, OK_COLOR, button, read_only_table, text_label

COL_STATE, COL_ITEM, COL_REASON = 0, 1, 2
ACTION_COLORS = {Action.CREATE: "#1a73e8", Action.UNCHANGED: OK_COLOR, Action.MANUAL: ERROR_COLOR}


class SetupOrgPanel(QWidget):
    """Reads the org, shows the plan, applies it after confirmation, then runs 設定確認."""

    planned = Signal(object)  # SetupPlan
    applied = Signal(str)  # setting name: every 作成 line was created and verified
    verified = Signal(object)  # VerificationReport of the 設定確認 after applying

    def __init__(self, context: AppContext, setting_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setting_name = setting_name
        self.jobs = Jobs(self)
        self.session: SetupSession | None = None
        self.plan: SetupPlan | None = None
        self.confirm_box: QMessageBox | None = None
        self.confirm_button: QPushButton | None = None
        self.status_label = text_label(self.tr("Salesforceの設定を読み込んでいます…"), name="setupOrgStatus",
                                       selectable=True)
        self.table = named(read_only_table([self.tr("状態"), self.tr("項目"), self.tr("理由")]), "setupPlanTable")
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_REASON, QHeaderView.ResizeMode.Stretch)
        self.progress = named(QProgressBar(), "setupOrgProgress")
        self.progress.setVisible(False)
        self.reload_button = button(self.tr("再読み込み"), self.start,
                                    tooltip=self.tr("Salesforceの設定を読み直して計画を作り直します"))
        self.apply_button = button(self.tr("適用…"), self._on_apply_button_clicked,
                                   tooltip=self.tr("作成の行をSalesforceに作成します(確認のあと)"))
        self.apply_button.setEnabled(False)
        vbox(self.status_label, (self.table, 1), self.progress, hbox(STRETCH, self.reload_button, self.apply_button),
             parent=self)

    # --- plan ---------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Read the org and show the plan (in the background); 再読み込み."""
        self._busy(self.tr("Salesforceの設定を読み込んでいます…"))
        self.jobs.run("plan", self._plan(), on_error=self._on_job_error, known=(KnownError, ProblemsError))

    async def _plan(self) -> None:
        self._close_session()
        session = await asyncio.to_thread(SetupSession, self.context.config, self.context.secrets, self.setting_name)
        self.session = session
        plan = await asyncio.to_thread(session.plan)
        self.plan = plan
        self._show_plan(plan)
        self.reload_button.setEnabled(True)
        self.planned.emit(plan)

    def _show_plan(self, plan: SetupPlan) -> None:
        lang = self.context.lang
        index = pick(lang, 0, 1)
        self.table.setRowCount(len(plan.lines))
        for number, line in enumerate(plan.lines):
            self._mark(number, ACTION_TEXT[line.action][index], ACTION_COLORS[line.action])
            self.table.setItem(number, COL_ITEM, QTableWidgetItem(line.item[index]))
            reason = QTableWidgetItem(line.reason[index])
            reason.setToolTip(line.reason[index])
            self.table.setItem(number, COL_REASON, reason)
        self.table.resizeRowsToContents()
        self._set_status(plan.status_text(lang), ERROR_COLOR if plan.missing_permissions else "")
        self.apply_button.setEnabled(bool(plan.creates) and not plan.missing_permissions)

    def _mark(self, row: int, state: str, color: str) -> None:
        """A line's state: 作成 / 変更なし / 手動対応が必要 in its colour, then 作成済み."""
        item = QTableWidgetItem(state)
        item.setForeground(QColor(color))
        self.table.setItem(row, COL_STATE, item)

    # --- apply --------------------------------------------------------------------------------------------------

    def _on_apply_button_clicked(self) -> None:
        plan = self.plan
        if plan is None or not plan.creates:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Salesforce側の自動設定"),
                          plan.confirm_text(self.context.lang), parent=self)
        self.confirm_button = box.addButton(self.tr("作成する"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("キャンセル"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(self.confirm_button)
        box.buttonClicked.connect(self._on_confirm_box_button_clicked)
        self.confirm_box = box
        box.open()

    def _on_confirm_box_button_clicked(self, button: object) -> None:
        confirmed = button is self.confirm_button
        self.confirm_box = None
        if confirmed:
            self.apply()

    def apply(self) -> None:
        """Apply the shown plan (the confirmation has been given)."""
        if self.plan is None or self.session is None:
            return
        self.progress.setRange(0, len(self.plan.creates))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._busy(self.tr("作成しています…"))
        self.jobs.run("apply", self._apply(self.plan, self.session), on_error=self._on_job_error)

    async def _apply(self, plan: SetupPlan, session: SetupSession) -> None:
        progress = posted(self, SetupOrgPanel._show_progress)  # called on the worker thread
        await asyncio.to_thread(session.apply, plan, progress)
        self.applied.emit(self.setting_name)
        self._set_status(self.tr("作成しました。設定確認を実行しています…"))
        report = await asyncio.to_thread(verify_setting, self.context, self.setting_name)
        lines = report.lines(self.context.lang)
        if report.ok:
            self._set_status(self.tr("設定確認: {result}").format(result=lines[0]), OK_COLOR)
        else:
            self._set_status(self.tr("設定確認で問題が見つかりました:") + "\n" + "\n".join(lines), ERROR_COLOR)
        self.reload_button.setEnabled(True)
        self.verified.emit(report)

    def _show_progress(self, done: int, total: int, line: PlanLine) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        if self.plan is not None and line in self.plan.lines:
            self._mark(self.plan.lines.index(line), self.tr("作成済み"), OK_COLOR)
        item = pick(self.context.lang, *line.item)
        self._set_status(self.tr("作成しています… ({done}/{total}) {item}").format(done=done, total=total, item=item))

    # --- plumbing -----------------------------------------------------------------------------------------------

    def _on_job_error(self, error: BaseException) -> None:
        self._set_status(error_text(error, self.context.lang), ERROR_COLOR)
        self.reload_button.setEnabled(True)

    def _busy(self, status: str) -> None:
        """A job starts: ``status`` says which; 再読み込み and 適用… wait for its end."""
        self.apply_button.setEnabled(False)
        self.reload_button.setEnabled(False)
        self._set_status(status)

    def _set_status(self, text: str, color: str = "") -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {color};" if color else "")

    def _close_session(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def close_session(self) -> None:
        """Cancel what runs and log out (the dialog closes)."""
        self.jobs.cancel_all()
        self._close_session()


class SetupOrgDialog(QDialog):
    """The plan dialog of 設定 → Salesforce側の自動設定…"""

    def __init__(self, context: AppContext, setting_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Salesforce側の自動設定 — {name}").format(name=setting_name))
        self.setObjectName("setupOrgDialog")
        self.panel = SetupOrgPanel(context, setting_name, self)
        buttons = QDialogButtonBox()
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(self.tr("閉じる"))
        buttons.rejected.connect(self.reject)
        vbox((self.panel, 1), buttons, parent=self)
        self.resize(900, 560)
        self.finished.connect(self._on_finished)
        self.panel.start()

    def _on_finished(self, _result: int) -> None:
        self.panel.close_session()


def open_setup_org_dialog(context: AppContext, setting_name: str | None, parent: QWidget | None = None) -> QDialog | None:
    """The entry point of the menu item and of the 設定確認 popup's button; None when no setting is selected."""
    if not setting_name:
        QMessageBox.information(parent, QCoreApplication.translate("SetupOrgDialog", "Salesforce側の自動設定"),
                                QCoreApplication.translate("SetupOrgDialog", "連携設定を選んでから実行してください。"))
        return None
    dialog = SetupOrgDialog(context, setting_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
