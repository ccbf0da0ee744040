"""システム設定 dialog (SPEC §12): every option of domain.config.SYSTEM_OPTIONS with its bounds."""

from __future__ import annotations

import zoneinfo
from typing import Any

import phonenumbers
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from biztel_desk.domain.config import OPTIONS_BY_KEY, SUBJECT_PLACEHOLDERS, PlaybackAuth, system_time_zone
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.domain.url_template import DEFAULT_RECORDING_URL_TEMPLATE, URL_PLACEHOLDERS
from biztel_desk.domain.vocabulary import PLAYBACK_AUTH, word
from biztel_desk.services import os_service
from biztel_desk.services.context import AppContext
from biztel_desk.ui.boxes import fit_to_screen, scrolled
from biztel_desk.ui.i18n import language
from biztel_desk.ui.tasks import Jobs


class SystemDialog(QDialog):
    """OK validates and saves everything at once through the config service; キャンセル discards."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("システム設定"))
        self.fields: dict[str, QWidget] = {}
        self._labels: list[QLabel] = []
        self.error_labels: dict[str, QLabel] = {}

        self.retention_spin = self._spin("retention_days", self.tr(" 日"))
        self.page_size_spin = self._spin("page_size", self.tr(" 件"))
        self.region_combo = QComboBox(self)
        self.region_combo.setEditable(True)
        self.region_combo.addItems(sorted(phonenumbers.SUPPORTED_REGIONS))
        self.region_combo.setFixedWidth(90)
        self.zone_combo = QComboBox(self)
        self.zone_combo.setEditable(True)
        self.zone_combo.addItem("")
        self.zone_combo.addItems(sorted(zoneinfo.available_timezones()))
        self.zone_combo.setFixedWidth(260)
        self.zone_combo.lineEdit().setPlaceholderText(
            self.tr("システムの設定 ({zone})").format(zone=system_time_zone())
        )
        self.playback_combo = QComboBox(self)
        for auth in PlaybackAuth:  # the words of the one vocabulary (domain.vocabulary.PLAYBACK_AUTH)
            self.playback_combo.addItem(word(PLAYBACK_AUTH, auth.value, language()), auth.value)
        self.playback_combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.recording_url_edit = QLineEdit(self)
        self.recording_url_edit.setPlaceholderText("https://s0000.u.biztel.jp:8000")
        self.recording_template_edit = QLineEdit(self)
        self.recording_template_edit.setPlaceholderText(DEFAULT_RECORDING_URL_TEMPLATE)
        self.retry_interval_spin = self._spin("retry_interval_minutes", self.tr(" 分"))
        self.retry_max_spin = self._spin("retry_max", self.tr(" 回"))
        self.subject_inbound_edit = QLineEdit(self)
        self.subject_outbound_edit = QLineEdit(self)
        self.optional_stop_spin = self._spin("api_optional_stop_percent", " %")
        self.pause_spin = self._spin("api_pause_percent", " %")
        self.index_age_spin = self._spin("phone_index_max_age_s", self.tr(" 秒"))
        self.index_miss_spin = self._spin("phone_index_miss_refresh_s", self.tr(" 秒"))
        self.backoff_max_spin = self._spin("retry_backoff_max_minutes", self.tr(" 分"))
        self.assignment_check = QCheckBox(self.tr("実行する"), self)
        self.index_reconcile_spin = self._spin("phone_index_reconcile_hours", self.tr(" 時間"))
        self.settle_spin = self._spin("call_settle_s", self.tr(" 秒"))
        self.outside_prefix_edit = QLineEdit(self)
        self.outside_prefix_edit.setPlaceholderText("0")
        self.fields.update(
            {
                "retention_days": self.retention_spin,
                "page_size": self.page_size_spin,
                "default_region": self.region_combo,
                "time_zone": self.zone_combo,
                "playback_auth": self.playback_combo,
                "recording_server_url": self.recording_url_edit,
                "recording_url_template": self.recording_template_edit,
                "retry_interval_minutes": self.retry_interval_spin,
                "retry_max": self.retry_max_spin,
                "subject_inbound": self.subject_inbound_edit,
                "subject_outbound": self.subject_outbound_edit,
                "api_optional_stop_percent": self.optional_stop_spin,
                "api_pause_percent": self.pause_spin,
                "phone_index_max_age_s": self.index_age_spin,
                "phone_index_miss_refresh_s": self.index_miss_spin,
                "retry_backoff_max_minutes": self.backoff_max_spin,
                "run_assignment_rules": self.assignment_check,
                "phone_index_reconcile_hours": self.index_reconcile_spin,
                "call_settle_s": self.settle_spin,
                "outside_line_prefix": self.outside_prefix_edit,
            }
        )

        history = self._group(self.tr("履歴"))
        self._row(history, "retention_days", self.tr("履歴保持期間"),
                  self.tr("1〜180日。これより古い通話と連携履歴は自動的に削除されます(Salesforceの活動履歴は残りますが、録音は再生できなくなる場合があります)。"))
        self._row(history, "page_size", self.tr("表示件数"), self.tr("連携通話履歴の1ページの件数です。"))
        self._row(history, "time_zone", self.tr("タイムゾーン"), self.tr("空欄のときはこのコンピュータの設定を使います。"))
        self._row(history, "default_region", self.tr("既定の国・地域"),
                  self.tr("市外局番から始まる電話番号をこの国の番号として扱います(例: JP)。"))
        self._row(history, "call_settle_s", self.tr("通話の確定待ち"),
                  self.tr("監視フォルダとHTTPで受け取った通話は、最後の区間(レッグ)が届いてからこの秒数だけ待って連携します。0ですぐに連携します。"))
        self._row(history, "outside_line_prefix", self.tr("外線発信番号"),
                  self.tr("電話機が外線の前にダイヤルする番号(例: 0)。発信先の番号から取り除きます。"))

        recording = self._group(self.tr("録音再生"))
        self._row(recording, "playback_auth", self.tr("録音再生時の認証"),
                  self.tr("変更はこれ以降に作成する活動履歴にだけ反映されます。作成済みの活動履歴の動作は変わりません。"))
        self._row(recording, "recording_server_url", self.tr("録音サーバURL"))
        url_names = " ".join("{" + name + "}" for name in URL_PLACEHOLDERS if name != "start")
        self._row(recording, "recording_url_template", self.tr("録音再生URLテンプレート"),
                  self.tr("BIZTELは初期値のままにします。ほかのPBXは {names} {{start:%Y/%m/%d}} で録音のURLを組み立てます。"
                          "未応答の通話と録音のない通話にはリンクを付けません。").format(names=url_names))

        retry = self._group(self.tr("検索リトライ"))
        self._row(retry, "retry_interval_minutes", self.tr("リトライ間隔"))
        self._row(retry, "retry_max", self.tr("リトライ回数上限"))
        self._row(retry, "retry_backoff_max_minutes", self.tr("送信リトライ間隔の上限"),
                  self.tr("Salesforceに一時的に接続できないときは1、5、15、60分…と間隔を空けて再送します。その間隔の上限です。"))

        subjects = self._group(self.tr("活動履歴の件名"))
        placeholders = " ".join("{" + name + "}" for name in SUBJECT_PLACEHOLDERS)
        self._row(subjects, "subject_inbound", self.tr("件名テンプレート(着信)"))
        self._row(subjects, "subject_outbound", self.tr("件名テンプレート(発信)"),
                  self.tr("使える差し込み項目: {names}").format(names=placeholders))

        api = self._group(self.tr("API使用率しきい値"))
        self._row(api, "api_optional_stop_percent", self.tr("任意のAPI呼び出しを停止"))
        self._row(api, "api_pause_percent", self.tr("送信を待つ"),
                  self.tr("1日のAPI上限に対する使用率です。"))
        self._row(api, "phone_index_max_age_s", self.tr("電話番号インデックスの更新間隔"),
                  self.tr("Salesforceの電話番号を手元に写した索引を、送信前にこの間隔より古ければ更新します。短いほど新しいレコードにすぐ一致し、長いほどAPI呼び出しが減ります。"))
        self._row(api, "phone_index_miss_refresh_s", self.tr("一致しない番号があるときの再確認間隔"),
                  self.tr("一致するレコードがない番号は、索引がこの秒数より古ければ変更分だけ更新して探し直します(数秒前に作成されたレコードにも一致します)。0で再確認しません。"))
        self._row(api, "phone_index_reconcile_hours", self.tr("電話番号インデックスの全件読み直し間隔"),
                  self.tr("この間隔ごと(および起動後の最初の送信時に前回から経っていれば)索引を全件読み直し、完全に削除されたレコードや参照できなくなったレコードを索引から外します。"))

        writes = self._group(self.tr("Salesforceへの書き込み"))
        self._row(writes, "run_assignment_rules", self.tr("割り当てルール"),
                  self.tr("オフのとき、作成するケースとリードに組織の割り当てルールを適用しません(所有者は連携ユーザのままです)。オンにすると有効な割り当てルールで所有者が決まります。"))

        service_box = self._build_service_group()

        self.message_label = QLabel(self)
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b00020;")
        self.message_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        # One label width for every group, so all fields start on the same line.
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setFixedWidth(width)
        left = QVBoxLayout()
        for group in (history, retry, writes):
            left.addWidget(group.parentWidget())
        left.addStretch(1)
        right = QVBoxLayout()
        for group in (recording, subjects, api):
            right.addWidget(group.parentWidget())
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        # Two pages: the options (OK saves them) and バックグラウンド連携 (its buttons act at once).
        # The options scroll: on a 1366x768 screen (or at 2x scale) OK/キャンセル stay in reach.
        self.options_scroll = options_page = scrolled(self, columns, name="systemOptionsScroll")
        service_page = QWidget(self)
        service_layout = QVBoxLayout(service_page)
        service_layout.addWidget(service_box)
        service_layout.addStretch(1)
        self.pages = QTabWidget(self)
        self.pages.addTab(options_page, self.tr("設定"))
        self.pages.addTab(service_page, self.tr("バックグラウンド連携"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.load()
        self._fit()
        self.refresh_service()

    def _fit(self, available: QRect | None = None) -> None:
        """Its natural size where the screen has room (the messages under the fields too), else the screen's."""
        content = self.options_scroll.widget().sizeHint()
        scrollbar = self.options_scroll.verticalScrollBar().sizeHint().width()
        width = max(960, content.width() + scrollbar + 40)  # the page's and the dialog's margins
        height = max(self.height(), content.height() + 140)  # the tab bar, the message, the buttons
        fit_to_screen(self, width, height, available)

    # --- public ------------------------------------------------------------------------------------------------

    def load(self) -> None:
        settings = self.context.config.system()
        for key, value in settings.as_dict().items():
            widget = self.fields[key]
            if isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox) and not widget.isEditable():
                widget.setCurrentIndex(max(widget.findData(value), 0))
            elif isinstance(widget, QComboBox):
                widget.setCurrentText(str(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value))

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, widget in self.fields.items():
            if isinstance(widget, QSpinBox):
                values[key] = widget.value()
            elif isinstance(widget, QCheckBox):
                values[key] = widget.isChecked()
            elif isinstance(widget, QComboBox) and not widget.isEditable():
                values[key] = widget.currentData()
            elif isinstance(widget, QComboBox):
                values[key] = widget.currentText().strip()
            elif isinstance(widget, QLineEdit):
                values[key] = widget.text()
        values["default_region"] = str(values["default_region"]).upper()
        return values

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_buttons_accepted(self) -> None:
        for label in self.error_labels.values():
            label.clear()
            label.hide()
        self.message_label.hide()
        try:
            self.context.config.save_system(self.values())
        except ProblemsError as error:
            for problem in error.problems:
                label = self.error_labels.get(problem.field_name)
                if label is None:
                    continue
                text = problem.text(self.context.lang)
                label.setText(f"{label.text()}\n{text}" if label.text() else text)
                label.show()
            self.message_label.setText(self.tr("保存できませんでした。赤い項目を確認してください。"))
            self.message_label.show()
            # The messages under the fields need room: grow rather than squeeze the hints.
            self._fit()
            return
        self.accept()

    # --- バックグラウンド連携: biztel-desk sync as a service of the OS (services/os_service.py) --------------------

    def _build_service_group(self) -> QGroupBox:
        box = QGroupBox(self.tr("バックグラウンド連携"), self)
        box.setObjectName("serviceGroup")
        self.service_jobs = Jobs(self)
        self.service_state_label = QLabel(box)
        self.service_state_label.setObjectName("serviceState")
        self.service_state_label.setStyleSheet("font-weight: bold;")
        hint = QLabel(self.tr("この画面を閉じても、OSの起動時から通話を連携し続けます(このPCのこのデータフォルダ)。\n"
                              "動いている間、この画面は連携の状態を表示し、開始・休止・停止はサービスに伝えます。"), box)
        hint.setStyleSheet("color: #6a737d;")  # two lines as written (a wrapped label on a hidden page lost one)
        self.service_install_button = QPushButton(self.tr("インストール"), box)
        self.service_uninstall_button = QPushButton(self.tr("アンインストール"), box)
        self.service_start_button = QPushButton(self.tr("開始"), box)
        self.service_stop_button = QPushButton(self.tr("停止"), box)
        row = QHBoxLayout()
        for button in (self.service_install_button, self.service_uninstall_button, self.service_start_button,
                       self.service_stop_button):
            button.setEnabled(False)
            row.addWidget(button)
        row.addStretch(1)
        self.service_message_label = QLabel(box)
        self.service_message_label.setObjectName("serviceMessage")
        self.service_message_label.setWordWrap(True)
        self.service_message_label.hide()
        layout = QVBoxLayout(box)
        layout.addWidget(self.service_state_label)
        layout.addWidget(hint)
        layout.addLayout(row)
        layout.addWidget(self.service_message_label)
        self.service_install_button.clicked.connect(self._on_service_install_button_clicked)
        self.service_uninstall_button.clicked.connect(self._on_service_uninstall_button_clicked)
        self.service_start_button.clicked.connect(self._on_service_start_button_clicked)
        self.service_stop_button.clicked.connect(self._on_service_stop_button_clicked)
        self._service: os_service.ProfileService | None = None
        if self.context.data_dir is not None:
            self._service = os_service.ProfileService(self.context.data_dir, self.context.database.url,
                                                      self.context.secrets)
        return box

    def refresh_service(self) -> None:
        """Read the service's state (the platform's tool runs in a job)."""
        self._service_action("status", None)

    def _service_action(self, action: str, done: str | None) -> None:
        service = self._service
        if service is None or self.context.demo:
            self.service_state_label.setText(self.tr("このプロファイル(デモ)ではバックグラウンド連携を使えません。"))
            return
        for button in (self.service_install_button, self.service_uninstall_button, self.service_start_button,
                       self.service_stop_button):
            button.setEnabled(False)
        if action != "status":
            self.service_state_label.setText(self.tr("実行しています…"))
        self.service_jobs.run("service", self._run_service(getattr(service, action), done),
                              on_error=self._on_service_failed)

    async def _run_service(self, call: Any, done: str | None) -> None:
        state = await self.service_jobs.to_thread(call)
        self._show_service(state)
        if done is not None:
            self._show_service_message(done, error=False)

    def _show_service(self, state: os_service.ServiceStatus) -> None:
        if not state.installed:
            text = self.tr("状態: 未インストール")
        elif state.running:
            text = self.tr("状態: インストール済み・実行中")
        else:
            text = self.tr("状態: インストール済み・停止")
        self.service_state_label.setText(text)
        self.service_state_label.setToolTip(str(state.path))
        self.service_install_button.setEnabled(not state.installed)
        self.service_uninstall_button.setEnabled(state.installed)
        self.service_start_button.setEnabled(state.installed and not state.running)
        self.service_stop_button.setEnabled(state.installed and state.running)

    def _on_service_failed(self, error: BaseException) -> None:
        text = error.text(self.context.lang) if isinstance(error, os_service.ServiceError) else str(error)
        self._show_service_message(text, error=True)
        service = self._service
        if service is not None:  # show what is there now (a failed install leaves nothing behind)
            self.service_jobs.run("service", self._run_service(service.status, None), on_error=self._on_status_failed)

    def _on_status_failed(self, error: BaseException) -> None:
        self.service_state_label.setText(self.tr("状態: 確認できません"))
        self.service_install_button.setEnabled(True)

    def _show_service_message(self, text: str, *, error: bool) -> None:
        self.service_message_label.setStyleSheet("color: #b00020;" if error else "color: #1a7f37;")
        self.service_message_label.setText(text)
        self.service_message_label.show()

    def _on_service_install_button_clicked(self) -> None:
        self.service_message_label.hide()
        self._service_action("install", self.tr("バックグラウンド連携をインストールして開始しました。この画面を閉じても連携は続きます。"))

    def _on_service_uninstall_button_clicked(self) -> None:
        self.service_message_label.hide()
        self._service_action("uninstall", self.tr("バックグラウンド連携をアンインストールしました。これからはこの画面が開いている間だけ連携します。"))

    def _on_service_start_button_clicked(self) -> None:
        self.service_message_label.hide()
        self._service_action("start", self.tr("バックグラウンド連携を開始しました。"))

    def _on_service_stop_button_clicked(self) -> None:
        self.service_message_label.hide()
        self._service_action("stop", self.tr("バックグラウンド連携を停止しました。次回のログオン時にまた開始します。"))

    # --- helpers -----------------------------------------------------------------------------------------------

    def _spin(self, key: str, suffix: str) -> QSpinBox:
        option = OPTIONS_BY_KEY[key]
        spin = QSpinBox(self)
        spin.setRange(option.minimum if option.minimum is not None else 0, option.maximum if option.maximum is not None else 999999)
        spin.setSuffix(suffix)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.setFixedWidth(110)
        spin.setToolTip(self.tr("{min}〜{max}(初期値 {default})").format(min=option.minimum, max=option.maximum, default=option.default))
        return spin

    def _group(self, title: str) -> QGridLayout:
        box = QGroupBox(title, self)
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(10)
        return grid

    def _row(self, grid: QGridLayout, key: str, text: str, hint: str = "") -> None:
        """Label | field on one line; the hint and the error message under the field, aligned with it."""
        box = grid.parentWidget()
        field = self.fields[key]
        label = QLabel(text, box)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setBuddy(field)
        self._labels.append(label)
        row = grid.rowCount()
        grid.addWidget(label, row, 0)
        # Line edits take the whole width; spin boxes and combo boxes keep their size, left-aligned.
        alignment = Qt.AlignmentFlag(0) if isinstance(field, QLineEdit) else Qt.AlignmentFlag.AlignLeft
        grid.addWidget(field, row, 1, alignment)
        if hint:
            hint_label = QLabel(hint, box)
            hint_label.setWordWrap(True)
            hint_label.setStyleSheet("color: #6a737d;")
            grid.addWidget(hint_label, row + 1, 1)
        error = QLabel(box)
        error.setObjectName(f"error_{key}")
        error.setWordWrap(True)
        error.setStyleSheet("color: #b00020;")
        error.hide()
        grid.addWidget(error, row + 2, 1)
        self.error_labels[key] = error
