"""通話の取り込み元 dialog (SPEC §8.2, §8.3): the watched folder, the HTTP ingest endpoint and the PBX's CDR database
(issue #15), with their state."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
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
from biztel_desk.ui.dialogs.import_dialog import format_combos
from biztel_desk.ui.forms import Editor, Field, Form
from biztel_desk.ui.i18n import language
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import (
    ERROR_COLOR,
    ErrorLabel,
    HintLabel,
    button,
    check_box,
    combo,
    line_edit,
    plain_text,
    side_by_side,
    text_label,
    yes_no,
)

WARNING_STYLE = "color: #9a6700;"
STATE_LOOKS = {SourceState.RUNNING: "ok", SourceState.OFF: "hint", SourceState.ERROR: "error"}  # HintLabel.set_state
# The row that shows each SettingProblem (by its field): (source, row key); any other one shows under the folder.
PROBLEM_ROWS = {
    "folder": ("folder", "path"), "preset": ("folder", "preset"), "mapping": ("folder", "mapping_file"),
    "time_zone": ("folder", "time_zone"), "host": ("http", "host"), "port": ("http", "host"),
    "http_time_zone": ("http", "time_zone"), "cdr_url": ("cdr", "url"), "cdr_table": ("cdr", "table"),
    "cdr_schema": ("cdr", "table"), "cdr_password": ("cdr", "password"), "cdr_time_zone": ("cdr", "time_zone"),
    "cdr_start": ("cdr", "start"),
}


class SourceBox(QGroupBox):
    """One call source: its on/off check on top, then its rows, declared as ``Field``s (keyed by its configuration's
    fields). While the check is off, every row that holds a value is disabled (the rows that only show — a state,
    a URL — are not). ``beside`` are the editors a row holds besides its own (形式 | 文字コード, ホスト | ポート),
    filled and read with the rows."""

    def __init__(self, title: str, check: QCheckBox, rows: tuple[Field, ...], beside: tuple[Field, ...] = ()) -> None:
        super().__init__(title)
        self.check = check
        self.form = Form(rows)
        vbox(hbox(check, STRETCH), self.form.layout, parent=self)  # the check as wide as its text: a click beside misses
        self.beside = (Field("enabled", "", check), *beside)

    def fill(self, values: Mapping[str, Any]) -> None:
        self.form.fill(values)
        for spec in self.beside:
            if spec.key in values:
                spec.show(values[spec.key])

    def values(self) -> dict[str, Any]:
        return {**self.form.values(), **{spec.key: spec.current() for spec in self.beside}}

    def update_enabled(self) -> None:
        for key, spec in self.form.fields.items():
            if spec.editor is not None:
                self.form.blocks[key].setEnabled(self.check.isChecked())


def _row(key: str, label: str, editor: Editor | None = None, *, shown: QWidget | None = None, hint: str = "",
         under: tuple[QWidget, ...] = ()) -> Field:
    """A source's row: ``editor`` (or what ``shown`` holds), its ``hint`` and the widgets ``under`` it. No row is
    required as such: a source that is off may leave every row empty."""
    return Field(key, label, editor, (*((HintLabel(hint),) if hint else ()), *under), required=False, shown=shown)


class IngestDialog(QDialog):
    """OK validates, saves both sources and restarts them; 生成 stores a new token in the keyring at once and shows
    it this one time. ``applied`` carries the sources' status after a restart."""

    applied = Signal(object)

    def __init__(self, context: AppContext, sources: IngestSources | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.sources = sources
        self.setWindowTitle(self.tr("通話の取り込み元"))
        self._folder_config = ingest_sources.load_folder_config(context.database)
        self._http_config = ingest_sources.load_http_config(context.database)
        self._cdr_config = ingest_sources.load_cdr_db(context.database)
        self.jobs = Jobs(self)
        self.folder_box = self._folder_box()
        self.http_box = self._http_box()
        self.cdr_box = self._cdr_box()
        self.boxes = {"folder": self.folder_box, "http": self.http_box, "cdr": self.cdr_box}
        self.error_labels = {problem: self.boxes[source].form[key].error
                             for problem, (source, key) in PROBLEM_ROWS.items()}
        labels = [label for box in self.boxes.values() for label in box.form.labels.values()]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:  # one label column through the three boxes
            label.setFixedWidth(width)

        # Everything but the buttons scrolls: on a 1366x768 screen (or at 2x scale) OK/キャンセル stay in reach.
        self.scroll_area = scrolled(self, *self.boxes.values(), STRETCH, name="ingestScroll")
        self.message_label = named(ErrorLabel(self), "message")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        vbox((self.scroll_area, 1), self.message_label, self.buttons, parent=self)

        for changed in (self.folder_check.toggled, self.http_check.toggled, self.cdr_check.toggled,
                        self.preset_combo.currentIndexChanged, self.cdr_start_combo.currentIndexChanged):
            changed.connect(self._update_enabled)
        self.host_edit.textChanged.connect(self._on_address_changed)
        self.port_edit.textChanged.connect(self._on_address_changed)
        self.load()
        fit_to_screen(self, 800, self.scroll_area.widget().sizeHint().height() + 120)

    # --- the three sources, declared -----------------------------------------------------------------------------

    def _folder_box(self) -> SourceBox:
        self.folder_check = check_box(self.tr("フォルダを監視して、置かれたファイルを取り込む"))
        self.folder_edit = line_edit(placeholder=self.tr("例: D:\\PBX\\cdr"))
        self.folder_button = button(self.tr("参照…"), self._on_folder_button_clicked)
        self.preset_combo, self.encoding_combo = format_combos(self.tr("自動判別"), self.tr("自動判別"),
                                                              self.tr("汎用(列の対応付け)"))
        self.mapping_edit = line_edit(placeholder=self.tr("空欄: BIZTELの発着信履歴CSV"))
        self.mapping_button = button(self.tr("参照…"), self._on_mapping_button_clicked)
        self.folder_zone_edit = self._zone_edit()
        self.folder_status_label = _selectable()
        return SourceBox(word(SOURCE_KINDS, "folder", language()), self.folder_check, (
            _row("path", self.tr("フォルダ"), self.folder_edit, shown=side_by_side((self.folder_edit, 1), self.folder_button),
                 hint=self.tr("取り込んだファイルはこのフォルダの done/ に、取り込めなかったファイルは failed/ に移し、"
                              "結果を「ファイル名.report.txt」として隣に書きます。同じ内容のファイルは二度取り込みません。"
                              "書き込み中のファイルは、大きさが変わらなくなってから取り込みます。")),
            _row("preset", self.tr("形式"), self.preset_combo,
                 shown=_beside(self.preset_combo, self.tr("文字コード"), self.encoding_combo)),
            _row("mapping_file", self.tr("列の対応付け"), self.mapping_edit,
                 shown=side_by_side((self.mapping_edit, 1), self.mapping_button)),
            _row("time_zone", self.tr("PBXの時刻"), self.folder_zone_edit,
                 hint=self.tr("PBXがファイルに書く時刻のタイムゾーン(例: Asia/Tokyo、3CXは UTC)。表示のタイムゾーンとは別です。")),
            _row("state", self.tr("状態"), shown=self.folder_status_label),
        ), beside=(Field("encoding", "", self.encoding_combo),))

    def _http_box(self) -> SourceBox:
        self.http_check = check_box(self.tr("PBXやスクリプトから HTTP で通話を受け付ける"))
        self.host_edit = line_edit(placeholder=ingest_sources.DEFAULT_HOST, width=200)
        self.port_edit = line_edit(width=80, max_length=6)
        self.http_zone_edit = self._zone_edit()
        self.remote_warning = _warning(self.tr("このPC以外からも接続できるようになります。トークンはヘッダーで送られるため、"
                                               "TLSのリバースプロキシなどで通信を保護してください。"))
        self.token_state_label = QLabel()
        self.generate_button = button(self.tr("生成…"), self._on_generate_button_clicked)
        self.token_edit = line_edit(read_only=True, mono=True)
        self.copy_button = button(self.tr("コピー"), self._on_copy_button_clicked)
        self.token_warning = _warning(self.tr("このトークンは今だけ表示されます。閉じると二度と表示できません。コピーして送信側"
                                              "(Authorization: Bearer ヘッダー)に設定してください。"))
        self.token_panel = QWidget()
        vbox(hbox((self.token_edit, 1), self.copy_button, margins=0), self.token_warning, parent=self.token_panel,
             margins=0)
        self.token_panel.hide()
        self.url_label = text_label(selectable=True)
        self.curl_edit = plain_text(read_only=True, mono=True, lines=4, wrap=False)
        self.http_status_label = _selectable()
        return SourceBox(word(SOURCE_KINDS, "http", language()), self.http_check, (
            _row("host", self.tr("ホスト"), self.host_edit, shown=_beside(self.host_edit, self.tr("ポート"), self.port_edit),
                 under=(self.remote_warning,)),
            _row("time_zone", self.tr("PBXの時刻"), self.http_zone_edit,
                 hint=self.tr("タイムゾーンのない時刻を読むときのタイムゾーン(例: Asia/Tokyo、UTC)。")),
            _row("token", self.tr("トークン"), under=(self.token_panel,),
                 shown=side_by_side(self.token_state_label, 12, self.generate_button, STRETCH)),
            _row("url", self.tr("送信先URL"), shown=self.url_label),
            _row("curl", self.tr("送信例 (curl)"), shown=self.curl_edit),
            _row("state", self.tr("状態"), shown=self.http_status_label),
        ), beside=(Field("port", "", self.port_edit),))

    def _cdr_box(self) -> SourceBox:
        self.cdr_check = check_box(self.tr("PBXのCDRデータベースから通話を読み取る(FreePBX・Issabel・Asterisk)"))
        self.cdr_url_edit = line_edit(placeholder="mysql://cdrreader@192.0.2.10:3306/asteriskcdrdb")
        self.cdr_table_edit = line_edit(width=200)
        self.cdr_schema_combo = combo([(self.tr("自動判別"), "auto"), ("FreePBX (calldate)", "freepbx"),
                                       ("Asterisk (start/end)", "asterisk")])
        self.cdr_password_edit = line_edit(password=True, width=200)
        self.cdr_zone_edit = self._zone_edit()
        self.cdr_start_combo = combo([(self.tr("選択してください"), ""), (self.tr("今から"), "now"),
                                      (self.tr("過去の通話も取り込む"), "days")])
        self.cdr_days_spin = QSpinBox()
        self.cdr_days_spin.setRange(1, 3650)
        self.cdr_days_spin.setValue(7)
        self.cdr_days_spin.setSuffix(self.tr(" 日分"))
        self.cdr_position_label = HintLabel()
        self.cdr_test_button = button(self.tr("接続テスト"), self._on_cdr_test_button_clicked)
        self.cdr_test_label = named(_selectable(), "cdr_test_result")
        self.cdr_test_label.hide()
        self.cdr_status_label = _selectable()
        return SourceBox(self.tr("PBXのCDRデータベース"), self.cdr_check, (
            _row("url", self.tr("URL"), self.cdr_url_edit,
                 hint=self.tr("MariaDB/MySQL: mysql://ユーザー@ホスト:3306/asteriskcdrdb、PostgreSQL: "
                              "postgresql://ユーザー@ホスト:5432/データベース。読み取り専用で接続し、PBXのデータベースには"
                              "書き込みません。パスワードはURLに含めず、下の欄に入力してください。")),
            _row("table", self.tr("テーブル"), self.cdr_table_edit,
                 shown=_beside(self.cdr_table_edit, self.tr("形式"), self.cdr_schema_combo)),
            _row("password", self.tr("パスワード"), self.cdr_password_edit),
            _row("time_zone", self.tr("PBXの時刻"), self.cdr_zone_edit,
                 hint=self.tr("PBXがテーブルに書く時刻のタイムゾーン(例: Asia/Tokyo)。")),
            _row("start", self.tr("最初の取り込み"), self.cdr_start_combo, under=(self.cdr_position_label,),
                 shown=side_by_side(self.cdr_start_combo, 6, self.cdr_days_spin, STRETCH)),
            _row("test", "", shown=side_by_side(self.cdr_test_button, STRETCH), under=(self.cdr_test_label,)),
            _row("state", self.tr("状態"), shown=self.cdr_status_label),
        ), beside=(Field("schema", "", self.cdr_schema_combo), Field("days", "", self.cdr_days_spin)))

    # --- public ------------------------------------------------------------------------------------------------

    def load(self) -> None:
        self.folder_box.fill(asdict(self._folder_config))
        self.http_box.fill(asdict(self._http_config))
        self.cdr_box.fill(ingest_sources.cdr_form_values(self._cdr_config))
        self._show_token_state()
        self._show_cdr_state()
        self._on_address_changed()
        self._update_enabled()
        self.show_status(self.sources.status() if self.sources is not None else None)

    def folder_config(self) -> FolderConfig:
        return ingest_sources.folder_from_form(self._folder_config, **self.folder_box.values())

    def http_config(self) -> HttpIngestConfig | SettingProblem:
        return ingest_sources.http_from_form(self._http_config, **self.http_box.values())

    def cdr_config(self) -> CdrDbConfig:
        values = self.cdr_box.values()
        del values["password"]  # kept in the keyring, not in the configuration
        return ingest_sources.cdr_from_form(self._cdr_config, **values)

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
        question = self.tr("{0} で待ち受けますか?").format(host)
        return yes_no(self, self.tr("ネットワークでの待ち受けの確認"),
                      f"{ingest_sources.network_notice(host, language())}\n\n{question}")

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_buttons_accepted(self) -> None:
        for box in self.boxes.values():
            box.form.clear_problems()
        self.message_label.clear_message()
        folder, http = self.folder_config(), self.http_config()
        problems = ingest_sources.form_problems(folder, http)
        if not problems and not isinstance(http, SettingProblem):
            allow_network = ingest_sources.needs_network_confirmation(self.context.database, http)
            if allow_network and not self.confirm_network(http.host):
                return  # nothing saved; the admin may change the host or confirm the next time
            try:
                ingest_sources.save_settings(self.context.database, folder, http, allow_network=allow_network,
                                             cdr_db=self.cdr_config())
                self._save_cdr_password()
            except IngestSettingsError as error:
                problems = error.problems
        if problems:
            for problem in problems:
                source, key = PROBLEM_ROWS.get(problem.field, PROBLEM_ROWS["folder"])
                self.boxes[source].form.show_problem(key, problem.text(self.context.lang))
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
        if ingest_sources.has_token(self.context.secrets) and not yes_no(
                self, self.tr("トークンの生成"),
                self.tr("新しいトークンを生成すると、今のトークンは使えなくなります。送信側の設定も変更が必要です。生成しますか?")):
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
        """A source's rows are enabled while its box is ticked; the mapping file only counts with 汎用, the number of
        days only with 過去の通話も取り込む."""
        for box in self.boxes.values():
            box.update_enabled()
        generic = self.preset_combo.currentData() == "generic"
        self.mapping_edit.setEnabled(generic)
        self.mapping_button.setEnabled(generic)
        self.cdr_days_spin.setEnabled(self.cdr_start_combo.currentData() == "days")

    # --- the PBX's CDR database (issue #15) -------------------------------------------------------------------

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

    def _zone_edit(self) -> QLineEdit:
        return line_edit(placeholder=self.tr("空欄: システム設定のタイムゾーン"))


def _show(label: HintLabel, text: str, state: str) -> None:
    """A state line: its text in its colour (ok: running, hint: off, error)."""
    label.setText(text)
    label.set_state(state)


def _beside(first: QWidget, label: str, second: QWidget) -> QWidget:
    """A field, then a second one with its own label, on one row (形式 | 文字コード, ホスト | ポート)."""
    return side_by_side(first, 12, QLabel(label), 6, second, STRETCH)


def _warning(text: str) -> QLabel:
    """A wrapped warning (listening beyond this PC, a token shown once)."""
    label = text_label(text)
    label.setStyleSheet(WARNING_STYLE)
    return label


def _selectable() -> HintLabel:
    """A wrapped state line whose text can be selected and copied (a state, a test's result)."""
    label = HintLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
