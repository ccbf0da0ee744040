"""通話の取り込み元 dialog (SPEC §8.2, §8.3): the watched folder, the HTTP ingest endpoint and the PBX's CDR database
(issue #15), with their state."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from biztel_desk.domain.vocabulary import SOURCE_KINDS, word
from biztel_desk.services import ingest_sources
from biztel_desk.services.context import AppContext, SecretStoreError
from biztel_desk.services.ingest_sources import (
    CdrDbConfig,
    CdrDbError,
    FolderConfig,
    HttpIngestConfig,
    IngestSettingsError,
    IngestSources,
    IngestStatus,
    SettingProblem,
    SourceState,
)
from biztel_desk.ui.boxes import STRETCH, fit_to_screen, hbox, named, scrolled, vbox
from biztel_desk.ui.dialogs.import_dialog import choice_combo, format_combos
from biztel_desk.ui.i18n import language
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import ERROR_COLOR, ErrorLabel, HintLabel, ask

WARNING_STYLE = "color: #9a6700;"
STATE_LOOKS = {SourceState.RUNNING: "ok", SourceState.OFF: "hint", SourceState.ERROR: "error"}  # HintLabel.set_state
Field = QCheckBox | QComboBox | QLineEdit


class IngestDialog(QDialog):
    """OK validates, saves both sources and restarts them; 生成 stores a new token in the keyring at once and shows
    it this one time. ``applied`` carries the sources' status after a restart."""

    applied = Signal(object)

    def __init__(self, context: AppContext, sources: IngestSources | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.sources = sources
        self.setWindowTitle(self.tr("通話の取り込み元"))
        self._labels: list[QLabel] = []
        self.error_labels: dict[str, ErrorLabel] = {}
        self._folder_config = ingest_sources.load_folder_config(context.database)
        self._http_config = ingest_sources.load_http_config(context.database)
        self._cdr_config = ingest_sources.load_cdr_db(context.database)
        self.jobs = Jobs(self)

        folder_box = QGroupBox(word(SOURCE_KINDS, "folder", language()), self)
        folder_grid = self._grid(folder_box)
        self.folder_check = QCheckBox(self.tr("フォルダを監視して、置かれたファイルを取り込む"), folder_box)
        folder_grid.addWidget(self.folder_check, 0, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        self.folder_edit = QLineEdit(folder_box)
        self.folder_edit.setPlaceholderText(self.tr("例: D:\\PBX\\cdr"))
        self.folder_button = QPushButton(self.tr("参照…"), folder_box)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self._row(folder_grid, self.tr("フォルダ"), hbox((self.folder_edit, 1), self.folder_button, margins=0), "folder",
                  self.tr("取り込んだファイルはこのフォルダの done/ に、取り込めなかったファイルは failed/ に移し、"
                          "結果を「ファイル名.report.txt」として隣に書きます。同じ内容のファイルは二度取り込みません。"
                          "書き込み中のファイルは、大きさが変わらなくなってから取り込みます。"))
        self.preset_combo, self.encoding_combo = format_combos(folder_box, self.tr("自動判別"), self.tr("自動判別"),
                                                              self.tr("汎用(列の対応付け)"))
        self.preset_combo.currentIndexChanged.connect(self._update_enabled)
        self.encoding_label = _buddy(self.tr("文字コード"), self.encoding_combo)
        self._row(folder_grid, self.tr("形式"), _labelled(self.preset_combo, self.encoding_label, self.encoding_combo),
                  "preset")
        self.mapping_edit = QLineEdit(folder_box)
        self.mapping_edit.setPlaceholderText(self.tr("空欄: BIZTELの発着信履歴CSV"))
        self.mapping_button = QPushButton(self.tr("参照…"), folder_box)
        self.mapping_button.clicked.connect(self._on_mapping_button_clicked)
        self._row(folder_grid, self.tr("列の対応付け"), hbox((self.mapping_edit, 1), self.mapping_button, margins=0),
                  "mapping")
        self.folder_zone_edit = self._zone_edit(folder_box)
        self._row(folder_grid, self.tr("PBXの時刻"), self.folder_zone_edit, "time_zone",
                  self.tr("PBXがファイルに書く時刻のタイムゾーン(例: Asia/Tokyo、3CXは UTC)。表示のタイムゾーンとは別です。"))
        self.folder_status_label = _selectable(folder_box)
        self._row(folder_grid, self.tr("状態"), self.folder_status_label)

        http_box = QGroupBox(word(SOURCE_KINDS, "http", language()), self)
        http_grid = self._grid(http_box)
        self.http_check = QCheckBox(self.tr("PBXやスクリプトから HTTP で通話を受け付ける"), http_box)
        http_grid.addWidget(self.http_check, 0, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        self.host_edit = QLineEdit(http_box)
        self.host_edit.setFixedWidth(200)
        self.host_edit.setPlaceholderText(ingest_sources.DEFAULT_HOST)
        self.port_edit = QLineEdit(http_box)
        self.port_edit.setFixedWidth(80)
        self.port_edit.setMaxLength(6)
        self.port_label = _buddy(self.tr("ポート"), self.port_edit)
        self._row(http_grid, self.tr("ホスト"), _labelled(self.host_edit, self.port_label, self.port_edit), "host")
        self.http_zone_edit = self._zone_edit(http_box)
        self._row(http_grid, self.tr("PBXの時刻"), self.http_zone_edit, "http_time_zone",
                  self.tr("タイムゾーンのない時刻を読むときのタイムゾーン(例: Asia/Tokyo、UTC)。"))
        self.remote_warning = _warning(
            self.tr("このPC以外からも接続できるようになります。トークンはヘッダーで送られるため、"
                    "TLSのリバースプロキシなどで通信を保護してください。"), http_box)
        _place_under(http_grid, self.remote_warning)
        self.error_labels["port"] = self._place_error(http_grid, "port")

        self.token_state_label = QLabel(http_box)
        self.generate_button = QPushButton(self.tr("生成…"), http_box)
        self.generate_button.clicked.connect(self._on_generate_button_clicked)
        self._row(http_grid, self.tr("トークン"), hbox(self.token_state_label, 12, self.generate_button, STRETCH, margins=0))
        self.token_panel = QWidget(http_box)
        self.token_edit = QLineEdit(self.token_panel)
        self.token_edit.setReadOnly(True)
        self.token_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton(self.tr("コピー"), self.token_panel)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.token_warning = _warning(
            self.tr("このトークンは今だけ表示されます。閉じると二度と表示できません。コピーして送信側"
                    "(Authorization: Bearer ヘッダー)に設定してください。"), self.token_panel)
        vbox(hbox((self.token_edit, 1), self.copy_button, margins=0), self.token_warning, parent=self.token_panel,
             margins=0)
        self.token_panel.hide()
        _place_under(http_grid, self.token_panel)

        self.url_label = QLabel(http_box)
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._row(http_grid, self.tr("送信先URL"), self.url_label)
        self.curl_edit = QPlainTextEdit(http_box)
        self.curl_edit.setReadOnly(True)
        self.curl_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.curl_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.curl_edit.setFixedHeight(self.curl_edit.fontMetrics().lineSpacing() * 4 + 14)
        self._row(http_grid, self.tr("送信例 (curl)"), self.curl_edit)
        self.http_status_label = _selectable(http_box)
        self._row(http_grid, self.tr("状態"), self.http_status_label)
        self.cdr_box = self._cdr_box()

        self.message_label = named(ErrorLabel(self), "message")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setFixedWidth(width)
        # Everything but the buttons scrolls: on a 1366x768 screen (or at 2x scale) OK/キャンセル stay in reach.
        self.scroll_area = scrolled(self, folder_box, http_box, self.cdr_box, name="ingestScroll")
        vbox((self.scroll_area, 1), self.message_label, self.buttons, parent=self)

        # Each source's configuration field → the widget showing it: load() fills them, *_config() reads them back.
        self.folder_fields: dict[str, Field] = {
            "enabled": self.folder_check, "path": self.folder_edit, "preset": self.preset_combo,
            "encoding": self.encoding_combo, "mapping_file": self.mapping_edit, "time_zone": self.folder_zone_edit}
        self.http_fields: dict[str, Field] = {
            "enabled": self.http_check, "host": self.host_edit, "port": self.port_edit, "time_zone": self.http_zone_edit}
        self.cdr_fields: dict[str, Field] = {
            "enabled": self.cdr_check, "url": self.cdr_url_edit, "table": self.cdr_table_edit,
            "schema": self.cdr_schema_combo, "time_zone": self.cdr_zone_edit, "start": self.cdr_start_combo}
        for check in (self.folder_check, self.http_check, self.cdr_check):
            check.toggled.connect(self._update_enabled)
        self.host_edit.textChanged.connect(self._on_address_changed)
        self.port_edit.textChanged.connect(self._on_address_changed)
        self.load()
        fit_to_screen(self, 800, self.scroll_area.widget().sizeHint().height() + 120)

    # --- public ------------------------------------------------------------------------------------------------

    def load(self) -> None:
        start, days = ingest_sources.cdr_start_choice(self._cdr_config.start)
        _put(self.folder_fields, asdict(self._folder_config))
        _put(self.http_fields, asdict(self._http_config))
        _put(self.cdr_fields, {**asdict(self._cdr_config), "start": start})
        if days is not None:
            self.cdr_days_spin.setValue(days)
        self._show_token_state()
        self._show_cdr_state()
        self._on_address_changed()
        self._update_enabled()
        self.show_status(self.sources.status() if self.sources is not None else None)

    def folder_config(self) -> FolderConfig:
        return ingest_sources.folder_from_form(self._folder_config, **_read(self.folder_fields))

    def http_config(self) -> HttpIngestConfig | SettingProblem:
        return ingest_sources.http_from_form(self._http_config, **_read(self.http_fields))

    def show_status(self, status: IngestStatus | None) -> None:
        lang = self.context.lang
        labels = (self.folder_status_label, self.http_status_label, self.cdr_status_label)
        if status is None:
            for label in labels:
                _show(label, self.tr("このウィンドウでは取り込み元を実行していません。"), "hint")
            return
        shown = ((status.folder_text(lang), status.folder), (status.http_text(lang), status.http),
                 (status.cdr_db_text(lang), status.cdr_db))
        for label, (text, source) in zip(labels, shown, strict=True):
            _show(label, text, STATE_LOOKS[source.state])

    def confirm_network(self, host: str) -> bool:
        """Ask before listening beyond this computer: no TLS is provided, so a reverse proxy is needed."""
        answer = ask(
            self, self.tr("ネットワークでの待ち受けの確認"),
            self.tr("HTTP取り込みを {0} で待ち受けると、このPC以外からも接続できるようになります。\n\n"
                    "BIZTEL Desk は TLS(HTTPS)を提供しないため、トークンと通話データは暗号化されずに送られます。"
                    "TLSのリバースプロキシ(nginx、IIS、Caddy など)を前に置いてください。\n\n"
                    "{0} で待ち受けますか?").format(host),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_buttons_accepted(self) -> None:
        for label in self.error_labels.values():
            label.clear_message()
        self.message_label.clear_message()
        folder, http = self.folder_config(), self.http_config()
        problems = ingest_sources.form_problems(folder, http)
        if not problems and not isinstance(http, SettingProblem):
            allow_network = False
            if ingest_sources.needs_network_confirmation(self.context.database, http):
                if not self.confirm_network(http.host):
                    return  # nothing saved; the admin may change the host or confirm the next time
                allow_network = True
            try:
                ingest_sources.save_settings(self.context.database, folder, http, allow_network=allow_network,
                                             cdr_db=self.cdr_config())
                self._save_cdr_password()
            except IngestSettingsError as error:
                problems = error.problems
        if problems:
            for problem in problems:
                label = self.error_labels.get(problem.field) or self.error_labels["folder"]
                label.show_message("\n".join(filter(None, (label.text(), problem.text(self.context.lang)))))
            self.message_label.show_message(self.tr("保存できませんでした。赤いメッセージを確認してください。"))
            return
        self._folder_config = ingest_sources.load_folder_config(self.context.database)
        self._http_config = ingest_sources.load_http_config(self.context.database)
        self._cdr_config = ingest_sources.load_cdr_db(self.context.database)
        if self.sources is None:
            self.accept()
            return
        status = self.sources.restart()
        self.show_status(status)
        self.applied.emit(status)
        if status.has_error:
            self.message_label.show_message(
                self.tr("設定は保存しましたが、開始できなかった取り込み元があります。「状態」を確認してください。"))
            return
        self.accept()

    def _on_generate_button_clicked(self) -> None:
        if ingest_sources.has_token(self.context.secrets):
            answer = ask(
                self, self.tr("トークンの生成"),
                self.tr("新しいトークンを生成すると、今のトークンは使えなくなります。送信側の設定も変更が必要です。生成しますか?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            token = ingest_sources.generate_token(self.context.secrets)
        except SecretStoreError as error:
            self.message_label.show_message(
                self.tr("OSのキーリングに保存できません: {0}").format(error.text(self.context.lang)))
            return
        self.token_edit.setText(token)
        self.token_panel.show()
        self.copy_button.setText(self.tr("コピー"))
        self._show_token_state()
        if self.sources is not None:
            self.show_status(self.sources.token_changed())

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.token_edit.text())
        self.copy_button.setText(self.tr("コピーしました"))

    def _on_folder_button_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("監視するフォルダ"), self.folder_edit.text())
        if path:
            self.folder_edit.setText(path)

    def _on_mapping_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("列の対応付けファイル"), "", self.tr("列の対応 (*.json *.toml);;すべてのファイル (*)")
        )
        if path:
            self.mapping_edit.setText(path)

    def _on_address_changed(self) -> None:
        host = self.host_edit.text().strip() or ingest_sources.DEFAULT_HOST
        self.remote_warning.setVisible(not ingest_sources.is_loopback(host))
        url, curl = ingest_sources.curl_example(host, self.port_edit.text())
        self.url_label.setText(url or "—")
        self.curl_edit.setPlainText(curl)

    def _update_enabled(self) -> None:
        """A source's fields (and their buttons and side labels) are enabled while its box is ticked."""
        for check, widgets in ((self.folder_check, [*self.folder_fields.values(), self.folder_button, self.encoding_label]),
                               (self.http_check, [*self.http_fields.values(), self.port_label]),
                               (self.cdr_check, [*self.cdr_fields.values(), self.cdr_password_edit])):
            for widget in widgets:
                if widget is not check:
                    widget.setEnabled(check.isChecked())
        generic = self.folder_check.isChecked() and self.preset_combo.currentData() == "generic"
        self.mapping_edit.setEnabled(generic)
        self.mapping_button.setEnabled(generic)
        self.cdr_days_spin.setEnabled(self.cdr_check.isChecked() and self.cdr_start_combo.currentData() == "days")

    # --- the PBX's CDR database (issue #15) -------------------------------------------------------------------

    def _cdr_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("PBXのCDRデータベース"), self)
        grid = self._grid(box)
        self.cdr_check = QCheckBox(self.tr("PBXのCDRデータベースから通話を読み取る(FreePBX・Issabel・Asterisk)"), box)
        grid.addWidget(self.cdr_check, 0, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        self.cdr_url_edit = QLineEdit(box)
        self.cdr_url_edit.setPlaceholderText("mysql://cdrreader@192.0.2.10:3306/asteriskcdrdb")
        self._row(grid, self.tr("URL"), self.cdr_url_edit, "cdr_url",
                  self.tr("MariaDB/MySQL: mysql://ユーザー@ホスト:3306/asteriskcdrdb、PostgreSQL: "
                          "postgresql://ユーザー@ホスト:5432/データベース。読み取り専用で接続し、PBXのデータベースには"
                          "書き込みません。パスワードはURLに含めず、下の欄に入力してください。"))
        self.cdr_table_edit = QLineEdit(box)
        self.cdr_table_edit.setFixedWidth(200)
        self.cdr_schema_combo = choice_combo(box, (self.tr("自動判別"), "auto"), ("FreePBX (calldate)", "freepbx"),
                                             ("Asterisk (start/end)", "asterisk"))
        self.cdr_schema_label = _buddy(self.tr("形式"), self.cdr_schema_combo)
        self._row(grid, self.tr("テーブル"), _labelled(self.cdr_table_edit, self.cdr_schema_label, self.cdr_schema_combo),
                  "cdr_table")
        self.error_labels["cdr_schema"] = self.error_labels["cdr_table"]
        self.cdr_password_edit = QLineEdit(box)
        self.cdr_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.cdr_password_edit.setFixedWidth(200)
        self._row(grid, self.tr("パスワード"), self.cdr_password_edit, "cdr_password")
        self.cdr_zone_edit = self._zone_edit(box)
        self._row(grid, self.tr("PBXの時刻"), self.cdr_zone_edit, "cdr_time_zone",
                  self.tr("PBXがテーブルに書く時刻のタイムゾーン(例: Asia/Tokyo)。"))
        self.cdr_start_combo = choice_combo(box, (self.tr("選択してください"), ""), (self.tr("今から"), "now"),
                                            (self.tr("過去の通話も取り込む"), "days"))
        self.cdr_start_combo.currentIndexChanged.connect(self._update_enabled)
        self.cdr_days_spin = QSpinBox(box)
        self.cdr_days_spin.setRange(1, 3650)
        self.cdr_days_spin.setValue(7)
        self.cdr_days_spin.setSuffix(self.tr(" 日分"))
        self._row(grid, self.tr("最初の取り込み"), hbox(self.cdr_start_combo, 6, self.cdr_days_spin, STRETCH, margins=0),
                  "cdr_start")
        self.cdr_position_label = HintLabel("", box)
        _place_under(grid, self.cdr_position_label)
        self.cdr_test_button = QPushButton(self.tr("接続テスト"), box)
        self.cdr_test_button.clicked.connect(self._on_cdr_test_button_clicked)
        self._row(grid, "", hbox(self.cdr_test_button, STRETCH, margins=0))
        self.cdr_test_label = named(_selectable(box), "cdr_test_result")
        self.cdr_test_label.hide()
        _place_under(grid, self.cdr_test_label)
        self.cdr_status_label = _selectable(box)
        self._row(grid, self.tr("状態"), self.cdr_status_label)
        return box

    def _show_cdr_state(self) -> None:
        """Whether a password is saved, and whether the table is read on from a saved position."""
        config = self._cdr_config
        try:
            saved = ingest_sources.has_cdr_db_password(self.context.secrets)
        except SecretStoreError:
            saved = False
        self.cdr_password_edit.setPlaceholderText(self.tr("保存済み(変更するときだけ入力)") if saved else self.tr("未保存"))
        position = ingest_sources.cdr_db_position(self.context.database, config) if config.url else None
        self.cdr_position_label.setText(
            self.tr("このテーブルは読み取り済みの位置から続けます(「最初の取り込み」は使いません)。") if position is not None
            else self.tr("初めて読み取るときに、どこから取り込むかを選んでください。"))

    def cdr_config(self) -> CdrDbConfig:
        return ingest_sources.cdr_from_form(self._cdr_config, days=self.cdr_days_spin.value(),
                                            **_read(self.cdr_fields))

    def _save_cdr_password(self) -> None:
        password = self.cdr_password_edit.text()
        if password:
            ingest_sources.set_cdr_db_password(self.context.secrets, password)
            self.cdr_password_edit.clear()

    def _on_cdr_test_button_clicked(self) -> None:
        self.cdr_test_button.setEnabled(False)
        _show(self.cdr_test_label, self.tr("接続しています…"), "hint")
        self.cdr_test_label.show()
        self.jobs.run("cdr_test", self._test_cdr(self.cdr_config(), self.cdr_password_edit.text() or None),
                      on_error=self._on_cdr_test_failed)

    async def _test_cdr(self, config: CdrDbConfig, password: str | None) -> None:
        info = await asyncio.to_thread(ingest_sources.check_cdr_db_connection, config, self.context.secrets, password)
        self.cdr_test_button.setEnabled(True)
        _show(self.cdr_test_label, info.text(self.context.lang), "ok")

    def _on_cdr_test_failed(self, error: BaseException) -> None:
        self.cdr_test_button.setEnabled(True)
        text = error.text(self.context.lang) if isinstance(error, CdrDbError | SecretStoreError) else str(error)
        _show(self.cdr_test_label, text, "error")

    # --- helpers -----------------------------------------------------------------------------------------------

    def _show_token_state(self) -> None:
        try:
            exists = ingest_sources.has_token(self.context.secrets)
        except SecretStoreError:
            self.token_state_label.setText(self.tr("OSのキーリングを使えません"))
            self.token_state_label.setStyleSheet(f"color: {ERROR_COLOR};")
            return
        self.token_state_label.setText(
            self.tr("生成済み(OSのキーリングに保存)") if exists else self.tr("未生成: HTTP受信にはトークンが必要です"))
        self.token_state_label.setStyleSheet("" if exists else WARNING_STYLE)
        self.generate_button.setText(self.tr("再生成…") if exists else self.tr("生成…"))

    def _grid(self, box: QGroupBox) -> QGridLayout:
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(10)
        return grid

    def _zone_edit(self, box: QGroupBox) -> QLineEdit:
        edit = QLineEdit(box)
        edit.setPlaceholderText(self.tr("空欄: システム設定のタイムゾーン"))
        return edit

    def _row(self, grid: QGridLayout, text: str, field: QWidget | QHBoxLayout, key: str = "", hint: str = "") -> None:
        """Label | field; the hint and the error message under the field, aligned with it."""
        box = grid.parentWidget()
        label = QLabel(text, box)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 4, 0, 0)
        self._labels.append(label)
        row = grid.rowCount()
        grid.addWidget(label, row, 0)
        if isinstance(field, QWidget):
            label.setBuddy(field)
            grid.addWidget(field, row, 1)
        else:
            grid.addLayout(field, row, 1)
        if hint:
            _place_under(grid, HintLabel(hint, box))
        if key:
            self.error_labels[key] = self._place_error(grid, key)

    @staticmethod
    def _place_error(grid: QGridLayout, key: str) -> ErrorLabel:
        error = named(ErrorLabel(grid.parentWidget()), f"error_{key}")
        _place_under(grid, error)
        return error


def _show(label: HintLabel, text: str, state: str) -> None:
    """A state line: its text in its colour (ok: running, hint: off, error)."""
    label.setText(text)
    label.set_state(state)


def _put(fields: dict[str, Field], values: dict[str, object]) -> None:
    """Show a configuration's values in its fields (a combo shows the item of the value, else its first)."""
    for name, widget in fields.items():
        value = values[name]
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))
        else:
            widget.setText(str(value))


def _read(fields: dict[str, Field]) -> dict[str, Any]:
    """What the fields say: a box's tick, a combo's value, a line's text without its surrounding spaces."""
    return {name: widget.isChecked() if isinstance(widget, QCheckBox)
            else str(widget.currentData()) if isinstance(widget, QComboBox) else widget.text().strip()
            for name, widget in fields.items()}


def _place_under(grid: QGridLayout, widget: QWidget) -> None:
    grid.addWidget(widget, grid.rowCount(), 1)


def _warning(text: str, parent: QWidget) -> QLabel:
    """A wrapped warning (listening beyond this PC, a token shown once)."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(WARNING_STYLE)
    return label


def _selectable(parent: QWidget) -> HintLabel:
    """A wrapped state line whose text can be selected and copied (a state, a test's result)."""
    label = HintLabel("", parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text, field.parentWidget())
    label.setBuddy(field)
    return label


def _labelled(first: QWidget, label: QLabel, second: QWidget) -> QHBoxLayout:
    """A field, then a second one with its own label, on one row (形式 | 文字コード, ホスト | ポート)."""
    return hbox(first, 12, label, 6, second, STRETCH, margins=0)
