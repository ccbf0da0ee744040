"""過去の通話の連携: after a number was ticked, aliased or made the 既定の発信番号, offer to link its past calls."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from biztel_desk.domain import phone
from biztel_desk.domain.errors import error_text
from biztel_desk.services import relink
from biztel_desk.services.context import AppContext
from biztel_desk.ui.boxes import named, vbox
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import ErrorLabel, HintLabel, text_label


class RelinkDialog(QDialog):
    """Shows how many stored calls (inside the retention period) each changed number would link; 連携する links
    them (their 対象外 jobs become 待機中, or 保留中 while the setting is paused), once."""

    def __init__(self, context: AppContext, setting: str, counts: dict[str, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relinkDialog")
        self.context = context
        self.setting = setting
        self.counts = {number: count for number, count in counts.items() if count}
        self.outcome_jobs = 0
        self.jobs = Jobs(self)
        self.setWindowTitle(self.tr("過去の通話の連携"))
        self.setMinimumWidth(460)
        total = sum(self.counts.values())
        intro = text_label(self.tr("この変更で、保持期間内に取り込み済みの通話 {0}件が連携できるようになりました。"
                                   "今Salesforceに連携しますか?").format(total))
        lines = "\n".join(
            self.tr("・{number}: {count}件").format(number=phone.national_format(number) if number.startswith("+") else number,
                                                     count=count)
            for number, count in sorted(self.counts.items())
        )
        details = text_label(lines, name="relinkDetails")
        note = HintLabel(self.tr("連携済みの通話は二重に連携されません。「今はしない」を選んでも、後でコマンド "
                                 "biztel-desk relink で連携できます。"), self)
        self.error_label = named(ErrorLabel(self), "relinkError")
        self.buttons = QDialogButtonBox(self)
        self.link_button = self.buttons.addButton(self.tr("連携する"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = self.buttons.addButton(self.tr("今はしない"), QDialogButtonBox.ButtonRole.RejectRole)
        self.link_button.setDefault(True)
        self.buttons.accepted.connect(self._on_link)
        self.buttons.rejected.connect(self.reject)
        vbox(intro, details, note, self.error_label, self.buttons, parent=self)

    def _on_link(self) -> None:
        """連携する: the calls are linked on a job thread (a year of calls takes a few seconds), then the dialog
        closes; a refusal is shown above the buttons."""
        self.buttons.setEnabled(False)
        self.error_label.clear_message()
        self.jobs.run("link", self._link(), on_error=self._on_link_failed)

    async def _link(self) -> None:
        database, setting = self.context.database, self.setting
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            outcomes = [await self.jobs.to_thread(relink.relink, database, setting, number) for number in self.counts]
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.outcome_jobs = sum(outcome.jobs for outcome in outcomes)
        self.accept()

    def _on_link_failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error_label.show_message(error_text(error, self.context.lang))

    def reject(self) -> None:
        if not self.jobs.running("link"):  # Esc or the window's close while linking: it finishes first
            super().reject()
