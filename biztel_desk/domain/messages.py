"""User-facing problems: a code, where it happened, and its text in Japanese or English."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.vocabulary import pick

Lang = str  # "ja" | "en"

# Labels of the fields problems point at, as the admin sees them on screen.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("連携名", "Link name"),
    "account": ("Salesforceアカウント", "Salesforce account"),
    "account_name": ("アカウント名", "Account name"),
    "fallback_record_id": ("紐付け先特定不可レコード", "Fallback record"),
    "api_consent": ("API利用許諾", "API consent"),
    "memo": ("メモ", "Memo"),
    "on_multiple_match": ("レコードが複数一致した場合", "On multiple matches"),
    "on_no_match": ("レコードが一致しない場合", "On no match"),
    "activity_mode": ("活動履歴", "Activity"),
    "status": ("録音連携ステータス", "Link status"),
    "api_name": ("API参照名", "API name"),
    "tab_name": ("タブ名", "Tab name"),
    "tab_code": ("タブコード", "Tab code"),
    "priority": ("優先順位", "Priority"),
    "number": ("電話番号", "Phone number"),
    "enabled": ("連携", "Linked"),
    "default_outbound": ("既定の発信番号", "Default outbound number"),
    "aliases": ("エイリアス", "Aliases"),
    "on_unanswered": ("未応答の通話", "Unanswered calls"),
    "auth_method": ("認証方式", "Authentication"),
    "username": ("ユーザ名", "Username"),
    "login_host": ("ログインホスト", "Login host"),
    "api_version": ("APIバージョン", "API version"),
    "consumer_key": ("コンシューマ鍵", "Consumer key"),
    "retention_days": ("履歴保持期間", "Retention period"),
    "page_size": ("表示件数", "Page size"),
    "default_region": ("既定の国・地域", "Default region"),
    "time_zone": ("タイムゾーン", "Time zone"),
    "playback_auth": ("録音再生時の認証", "Playback authentication"),
    "recording_server_url": ("録音サーバURL", "Recording server URL"),
    "recording_url_template": ("録音再生URLテンプレート", "Recording link template"),
    "retry_interval_minutes": ("リトライ間隔(分)", "Retry interval (minutes)"),
    "retry_max": ("リトライ回数上限", "Maximum retries"),
    "subject_inbound": ("件名テンプレート(着信)", "Subject template (inbound)"),
    "subject_outbound": ("件名テンプレート(発信)", "Subject template (outbound)"),
    "api_optional_stop_percent": ("任意APIの停止しきい値(%)", "Stop optional calls above (%)"),
    "api_pause_percent": ("送信を待つしきい値(%)", "Wait before sending above (%)"),
    "objects": ("オブジェクト", "Objects"),
    "targets": ("連携対象", "Link targets"),
    "settings": ("連携設定", "Link settings"),
    "accounts": ("Salesforceアカウント", "Salesforce accounts"),
    "system": ("システム設定", "System settings"),
    "phone_index_max_age_s": ("電話番号インデックスの更新間隔(秒)", "Phone index refresh interval (seconds)"),
    "phone_index_miss_refresh_s": ("一致しない番号があるときの電話番号インデックス再確認間隔(秒)",
                                   "Phone index re-check when a number has no match (seconds)"),
    "phone_index_reconcile_hours": ("電話番号インデックスを全件読み直す間隔(時間)",
                                    "Phone index full reconcile interval (hours)"),
    "retry_backoff_max_minutes": ("送信リトライ間隔の上限(分)", "Maximum wait between send retries (minutes)"),
    "run_assignment_rules": ("ケース・リード作成時に割り当てルールを実行", "Run assignment rules on new Cases and Leads"),
    "call_settle_s": ("通話の確定待ち(秒)", "Wait for a call's last leg (seconds)"),
    "outside_line_prefix": ("外線発信番号", "Outside-line prefix"),
}

# Message templates: {label} is the field's label; other names come from Problem.params.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("{label}を入力してください。", "{label} is required."),
    "too_long": (
        "{label}は{max}文字以内で入力してください(現在{length}文字)。",
        "{label} must be at most {max} characters (now {length}).",
    ),
    "out_of_range": (
        "{label}は{min}〜{max}の範囲で指定してください(指定値: {value})。",
        "{label} must be between {min} and {max} (got {value}).",
    ),
    "not_integer": ("{label}は整数で指定してください(指定値: {value})。", "{label} must be a whole number (got {value})."),
    "not_number": ("{label}は数値で指定してください(指定値: {value})。", "{label} must be a number (got {value})."),
    "said": ("{ja}", "{en}"),  # a service's own ja/en text about one key (the CDR database source's checks)
    "not_boolean": ("{label}は true か false で指定してください。", "{label} must be true or false."),
    "not_text": ("{label}は文字列で指定してください。", "{label} must be text."),
    "not_text_list": (
        "{label}は文字列の配列で指定してください(例: [\"0100\", \"gsm0\"])。",
        "{label} must be a list of text (e.g. [\"0100\", \"gsm0\"]).",
    ),
    "control_characters": (
        "{label}に使えない文字({char}: タブ・NUL・エスケープなどの制御文字)が含まれています。取り除いてください。",
        "{label} contains a character that is not allowed ({char}: a control character such as tab, NUL or escape). "
        "Remove it.",
    ),
    "bad_choice": (
        "{label}の値「{value}」は使えません。使える値: {choices}",
        "{label}: '{value}' is not allowed. Allowed: {choices}",
    ),
    "unknown_key": ("不明な項目「{key}」です。綴りを確認してください。", "Unknown key '{key}': check the spelling."),
    "not_table": ("{label}の形式が不正です(表である必要があります)。", "{label} must be a table."),
    "not_list": ("{label}の形式が不正です(配列である必要があります)。", "{label} must be an array."),
    "duplicate_name": ("{label}「{value}」は既に使われています。", "{label} '{value}' is already used."),
    "unknown_account": (
        "Salesforceアカウント「{value}」は登録されていません。先にアカウントを登録してください。",
        "Salesforce account '{value}' is not registered. Register the account first.",
    ),
    "id_format": (
        "{label}が不正です: 15桁または18桁の英数字のレコードID、またはレコードのURLを入力してください。",
        "{label} is not valid: enter a 15- or 18-character record Id or the record's URL.",
    ),
    "id_checksum": (
        "{label}が不正です: 18桁IDの末尾3文字(チェックサム)が一致しません。IDをコピーし直してください。",
        "{label} is not valid: the last 3 characters (checksum) of the 18-character Id do not match. Copy the Id again.",
    ),
    "id_not_in_url": (
        "{label}が不正です: URLにレコードIDが含まれていません。レコードを開いたときのURLを貼り付けてください。",
        "{label} is not valid: the URL contains no record Id. Paste the URL of the open record.",
    ),
    "api_name_format": (
        "{label}「{value}」が不正です: 英字で始まる英数字とアンダースコア(カスタムオブジェクトは末尾 __c)で入力してください。",
        "{label} '{value}' is not valid: use letters, digits and underscores, starting with a letter (custom objects end in __c).",
    ),
    "tab_code_format": (
        "{label}「{value}」が不正です: 英数字ちょうど3文字で入力してください(例: 001)。",
        "{label} '{value}' is not valid: enter exactly 3 letters or digits (e.g. 001).",
    ),
    "duplicate_priority": (
        "{label}{value}が重複しています。優先順位はオブジェクトごとに異なる値にしてください。",
        "{label} {value} is used twice. Each object needs its own priority.",
    ),
    "duplicate_object": ("オブジェクト「{value}」が重複しています。", "Object '{value}' is listed twice."),
    "phone_invalid": (
        "電話番号「{value}」は有効な番号ではありません。市外局番から入力してください(例: 03-1234-5678)。",
        "'{value}' is not a valid phone number. Enter it with the area code (e.g. 03-1234-5678).",
    ),
    "phone_duplicate": (
        "電話番号「{value}」は既に登録されています。",
        "The phone number '{value}' is already in the list.",
    ),
    "alias_duplicate": (
        "エイリアス「{value}」は電話番号 {number} のエイリアスとして既に登録されています。1つの番号にだけ登録してください。",
        "The alias '{value}' is already an alias of {number}. An alias can name one number only.",
    ),
    "alias_is_number": (
        "エイリアス「{value}」は連携対象の電話番号そのものです。エイリアスには交換機が書く別の表記(例: 0100、gsm0)を入力してください。",
        "The alias '{value}' is a link target's own number. Enter the PBX's other spelling of it (e.g. 0100, gsm0).",
    ),
    "aliases_too_many": (
        "エイリアスは1つの番号に{max}個までです。",
        "A number can have at most {max} aliases.",
    ),
    "default_outbound_many": (
        "既定の発信番号は1つだけ指定できます。",
        "Only one number can be the default outbound number.",
    ),
    "consent_required": (
        "API利用許諾にチェックを入れてから、ステータスを有効または一時停止にしてください。",
        "Check API consent before setting the status to enabled or paused.",
    ),
    "host_lightning": (
        "「{value}」はLightningの画面のアドレスです。私のドメイン「{suggestion}」を使用しました。",
        "'{value}' is the Lightning UI address; the My Domain '{suggestion}' is used instead.",
    ),
    "host_invalid": (
        "{label}「{value}」が不正です: login(本番)、test(Sandbox)、私のドメイン(例: acme.my.salesforce.com)のいずれかを入力してください。",
        "{label} '{value}' is not valid: enter login (production), test (sandbox) or a My Domain (e.g. acme.my.salesforce.com).",
    ),
    "host_insecure": (
        "{label}「{value}」: 認証情報は暗号化されていない通信(http)では送れません。https を使用してください(http はこのPC上の開発用組織のみ)。",
        "{label} '{value}': credentials are never sent over plain http. Use https (http is only for a dev org on this computer).",
    ),
    "api_version_format": (
        "{label}「{value}」が不正です: 59.0 のように入力してください。",
        "{label} '{value}' is not valid: enter it like 59.0.",
    ),
    "consumer_key_required": (
        "この認証方式ではコンシューマ鍵が必要です。",
        "This authentication method needs a consumer key.",
    ),
    "soap_login_retired": (
        "APIバージョン{value}ではパスワード認証(SOAP login())を使えません(65.0以降では廃止)。認証方式を"
        "「ブラウザでログイン(OAuth)」に変更するか、APIバージョンを64.0以下にしてください。",
        "Password login (SOAP login()) does not exist at API version {value} (removed from 65.0). Change the "
        "authentication method to 'Sign in with the browser (OAuth)', or use API version 64.0 or lower.",
    ),
    "my_domain_required": (
        "クライアント資格情報フローでは私のドメイン(例: acme.my.salesforce.com)をログインホストに指定してください。",
        "The client credentials flow needs a My Domain (e.g. acme.my.salesforce.com) as login host.",
    ),
    "region_invalid": ("{label}「{value}」は国・地域コードではありません(例: JP)。", "{label} '{value}' is not a region code (e.g. JP)."),
    "outside_prefix_invalid": (
        "{label}「{value}」は使えません。1〜4桁の数字(例: 0)か空欄にしてください。",
        "{label} '{value}' is not allowed: use 1 to 4 digits (e.g. 0) or leave it empty.",
    ),
    "time_zone_invalid": ("{label}「{value}」は不明なタイムゾーンです(例: Asia/Tokyo)。", "{label} '{value}' is not a known time zone (e.g. Asia/Tokyo)."),
    "url_invalid": ("{label}「{value}」はURLではありません(例: https://s0000.u.biztel.jp:8000)。", "{label} '{value}' is not a URL (e.g. https://s0000.u.biztel.jp:8000)."),
    "url_template_invalid": (
        "{label}の {{{key}}} は使えません。使える項目: {choices}(日付は {{start:%Y/%m/%d}} のように % 指定のみ)。"
        "波かっこそのものは {{{{ }}}} と書いてください。",
        "{label}: {{{key}}} is not allowed. Allowed: {choices} (dates as {{start:%Y/%m/%d}}, % directives only). "
        "Write a literal brace as {{{{ or }}}}.",
    ),
    "url_template_brace": (
        "{label}の波かっこ「{char}」が対になっていません。差し込み項目は {{server}} のように書き、"
        "波かっこそのものは {{{{ または }}}} と書いてください。",
        "{label} has a brace '{char}' without its pair. Write placeholders as {{server}} and a literal brace as "
        "{{{{ or }}}}.",
    ),
    "template_invalid": (
        "{label}に不明な差し込み項目 {{{key}}} があります。使える項目: {choices}",
        "{label} has an unknown placeholder {{{key}}}. Allowed: {choices}",
    ),
    "template_spec": (
        "{label}: {{{key}}} に書式指定や変換(「:」「!」以降)は付けられません。{{{key}}} と書いてください。",
        "{label}: {{{key}}} cannot take a format spec or conversion (after ':' or '!'). Write {{{key}}}.",
    ),
    "template_syntax": (
        "{label}の波かっこ {{ }} の対応が正しくありません。文字として {{ や }} を使うときは {{{{ や }}}} のように2つ重ねてください。",
        "{label} has unbalanced braces {{ }}. To write a literal {{ or }}, double it: {{{{ or }}}}.",
    ),
    "secret_kind": (
        "秘密情報の種類「{value}」は不明です。使える値: {choices}",
        "Unknown secret kind '{value}'. Allowed: {choices}",
    ),
    "account_in_use": (
        "アカウント「{value}」は連携設定「{settings}」で使われているため削除できません。",
        "Account '{value}' is used by the link setting(s) '{settings}' and cannot be deleted.",
    ),
    "relink_disabled": (
        "連携設定「{value}」は無効です。有効または一時停止にしてから、過去の通話を連携してください。",
        "The link setting '{value}' is disabled. Enable or pause it, then link the past calls.",
    ),
    "unknown_setting": ("連携設定「{value}」はありません。", "There is no link setting named '{value}'."),
    "setting_ambiguous": (
        "連携設定が複数あります。--setting で名前を指定してください: {choices}",
        "There are several link settings; name one with --setting: {choices}",
    ),
    "toml_syntax": ("設定ファイルの書式が不正です: {detail}", "The settings file is not valid TOML: {detail}"),
    # The database itself (biztel-desk db …, start-up).
    "schema_too_new": (
        "このデータベースは新しい版の BIZTEL Desk で更新されています(データベースのスキーマ: {database_revision}、"
        "この BIZTEL Desk が扱えるスキーマ: {app_revision})。データを守るため開きません。"
        "BIZTEL Desk を最新版に更新してから起動してください。",
        "This database was upgraded by a newer BIZTEL Desk (database schema: {database_revision}; this BIZTEL Desk "
        "handles up to: {app_revision}). It is not opened, to protect the data. Update BIZTEL Desk to the newest "
        "version, then start it again.",
    ),
    "db_target_not_empty": (
        "コピー先のデータベースにはデータがあります({tables})。上書きする場合は --replace を付けてください"
        "(コピー先のデータはすべて削除されます)。",
        "The target database already holds data ({tables}). To overwrite it add --replace (every row in the "
        "target is deleted first).",
    ),
    "db_same_database": (
        "コピー元とコピー先が同じデータベースです: {value}。別のデータベースを --to に指定してください。",
        "The source and the target are the same database: {value}. Give another database with --to.",
    ),
    # Command-line input (biztel-desk history, relink, import).
    "date_format": ("日付は YYYY-MM-DD で指定してください(例: 2025-06-01)。", "Give dates as YYYY-MM-DD (e.g. 2025-06-01)."),
    "date_order": ("--to は --from 以降の日付にしてください。", "--to must not be before --from."),
    "relink_dry_run": (
        "{name}: 連携できる過去の通話 {count}件(変更していません)。", "{name}: {count} past calls can be linked (nothing changed)."
    ),
    "relink_sync_hint": (
        "`biztel-desk sync` またはアプリの連携処理が活動を作成します。", "`biztel-desk sync` (or the running app) writes their Tasks."
    ),
    "import_total": (
        "合計: 取り込み {imported}件、登録済み {known}件、エラー {rejected}件",
        "total: imported {imported}, already known {known}, rejected {rejected}",
    ),
    "db_copy_mismatch": (
        "コピー後の件数が一致しません: {detail}。コピー先は使わず、アプリを閉じてからもう一度コピーしてください。",
        "The row counts differ after the copy: {detail}. Do not use the target; close the app and copy again.",
    ),
    "private_key_unreadable": ("ファイルを読み込めません: {detail}", "Cannot read the file: {detail}"),
    "private_key_not_pem": (
        "PEM形式の秘密鍵ではありません(-----BEGIN PRIVATE KEY----- で始まるファイルを選んでください)。",
        "This is not a PEM private key (choose a file starting with -----BEGIN PRIVATE KEY-----).",
    ),
    # A successful 接続テスト (services/salesforce_access.report_lines) and the browser login's setup steps.
    "connection_ok": ("接続に成功しました。", "Connected successfully."),
    "connection_org": ("組織: {name} ({id})", "Org: {name} ({id})"),
    "connection_user": ("ユーザ: {name} ({username})", "User: {name} ({username})"),
    "connection_instance": ("インスタンス: {url}", "Instance: {url}"),
    "connection_api_usage": (
        "API使用量(24時間): {used} / {total}({percent:.1f}%)", "API usage (24 h): {used} / {total} ({percent:.1f}%)",
    ),
    "eca_steps": (
        "Salesforce管理者が一度だけ External Client App(外部クライアントアプリケーション)を作成します:\n"
        "1. 設定 → 外部クライアントアプリケーションマネージャ → 「新規外部クライアントアプリケーション」。\n"
        "2. 「OAuth を有効化」をオンにし、コールバックURLに次の3行を登録します(空いているポートを使います):\n"
        "{urls}\n"
        "3. OAuth範囲: 「API を使用してユーザデータを管理 (api)」と「いつでも要求を実行 (refresh_token, offline_access)」。\n"
        "4. 「サポートされる認証フローに PKCE 拡張を要求」をオンにします。「Web サーバフローの秘密を要求」をオンにした場合は、"
        "コンシューマの秘密も下に入力します。\n"
        "5. 保存後「ポリシー」で「IP 制限」を「IP 制限の緩和」にし(社外やVPNからも使えるように)、"
        "リフレッシュトークンは「取り消されるまで有効」にします。\n"
        "6. 「設定」の「コンシューマ鍵と秘密」からコンシューマ鍵をコピーして「コンシューマ鍵」欄に貼り付け、"
        "「ブラウザでログイン」を押します。",
        "A Salesforce administrator creates an External Client App once:\n"
        "1. Setup → External Client App Manager → 'New External Client App'.\n"
        "2. Turn on 'Enable OAuth' and enter these three callback URLs (the first free port is used):\n"
        "{urls}\n"
        "3. OAuth scopes: 'Manage user data via APIs (api)' and 'Perform requests at any time (refresh_token, "
        "offline_access)'.\n"
        "4. Turn on 'Require Proof Key for Code Exchange (PKCE) extension for supported authorization flows'. "
        "If 'Require secret for Web Server Flow' is on, also enter the consumer secret below.\n"
        "5. After saving, under 'Policies' set 'IP Relaxation' to 'Relax IP restrictions' (so it works off-site and "
        "over VPN) and the refresh token policy to 'Refresh token is valid until revoked'.\n"
        "6. Under 'Settings' → 'Consumer Key and Secret', copy the consumer key into the 'Consumer key' field and "
        "press 'Sign in with the browser'.",
    ),
    # The import dialog's preview and column-mapping editor (services/import_preview.py).
    "import_list_separator": ("、", ", "),
    "import_column_twice": (
        "列「{column}」が複数の項目({fields})に選ばれています。1つの列は1つの項目にだけ対応付けられます。",
        'Column "{column}" is chosen for several fields ({fields}). A column can feed one field only.',
    ),
    "import_one_or_other": ("{one}または{other}", "{one} or {other}"),
    "import_required_columns": ("必須の項目に列を選んでください: {fields}", "Choose a column for the required fields: {fields}"),
    "import_generic": ("汎用(列の対応付け)", "Generic (column mapping)"),
    "import_unknown": ("不明", "unknown"),
    "import_utf8_bom": ("UTF-8(BOM付き)", "UTF-8 (with BOM)"),
    "import_comma": ("カンマ", "comma"),
    "import_tab": ("タブ", "tab"),
    "import_format_detected": ("判定した形式: {preset}", "Detected format: {preset}"),
    "import_format": ("形式: {preset}", "Format: {preset}"),
    "import_encoding_name": ("文字コード: {encoding}", "Encoding: {encoding}"),
    "import_delimiter": ("区切り文字: {delimiter}", "Delimiter: {delimiter}"),
    "import_header_yes": ("見出し行: あり", "Header row: yes"),
    "import_header_no": ("見出し行: なし", "Header row: no"),
    "import_first_of": ("{count}ファイル中の1つ目を表示", "showing the first of {count} files"),
    "import_encoding": (
        "{name} の文字コードを判別できません(UTF-8でもShift_JIS(CP932)でもありません)。文字コードを選んでください。",
        "Cannot tell the character encoding of {name} (neither UTF-8 nor Shift_JIS/CP932). Choose the encoding.",
    ),
    "import_encoding_mismatch": (
        "{name} は選んだ文字コードでは読めません({line}行目付近)。文字コードを「自動」にしてください。",
        '{name} cannot be read with the chosen encoding (near line {line}). Set the encoding to "Automatic".',
    ),
    "import_unknown_format": (
        "{name} の形式を判別できません。プリセットを選ぶか、「汎用(列の対応付け)」で列を対応付けてください。",
        'Cannot tell the format of {name}. Choose a preset, or map its columns with "Generic (column mapping)".',
    ),
    "import_not_this_preset": (
        "{name} は「{preset}」の形式として読めません。見出し行を確認するか、別のプリセットを選んでください。",
        '{name} cannot be read as "{preset}". Check its header row or choose another preset.',
    ),
    "import_all_rows_ok": ("先頭{count}行はすべて取り込めます。", "All of the first {count} rows can be imported."),
    "import_row_refused": ("{line}行目: {reason}", "Line {line}: {reason}"),
    "import_more_rows": ("ほか{count}行", "and {count} more"),
    "import_rows_refused": ("プレビューのうち{count}行は取り込めません:", "{count} rows of the preview cannot be imported:"),
    # The wizard's 有効化 page: what was saved and how 設定確認 went.
    "wizard_saved": (
        "Salesforceアカウント「{account}」と連携設定「{setting}」を保存しました。",
        "Saved the Salesforce account '{account}' and the link setting '{setting}'.",
    ),
    "wizard_objects_targets": ("オブジェクト: {objects} / 連携対象: {targets}", "Objects: {objects} / Link targets: {targets}"),
    "wizard_verify_pending": ("設定確認: 未完了", "Verification: not completed"),
    "wizard_verify_ok": ("設定確認: 問題はありません", "Verification: no problems"),
    "wizard_verify_problems": (
        "設定確認: {count}件の問題があります(基本情報タブの「設定確認」で再確認できます)",
        "Verification: {count} problem(s) (verify again with Verify settings on the Basic tab)",
    ),
    # The wizard's オブジェクト page: describeGlobal says the user cannot query an object, so it is left out.
    "object_not_queryable": (
        "このユーザは「{name}」にアクセスできないため、対象から外しました。",
        "This user cannot access {name}, so it was left out.",
    ),
    "lead_not_queryable": (
        "このユーザはリード(Lead)にアクセスできないため、リードを対象から外しました。"
        "リードも検索するには、Salesforceでユーザのプロファイルにリードの参照権限を付与してください。",
        "This user cannot access Leads (Lead), so Leads were left out. To search Leads too, give the user's profile "
        "read access to Leads in Salesforce.",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with user input: ``path`` says where (``settings[0].objects[1].tab_code`` or a field)."""

    code: str
    path: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def field_name(self) -> str:
        """The last key of the path, e.g. ``tab_code``."""
        last = self.path.rsplit(".", 1)[-1]
        return last.split("[", 1)[0]

    def text(self, lang: Lang = "ja") -> str:
        # ``label_field`` names the label when the key alone is ambiguous (an account's ``name`` is not 連携名).
        params = dict(self.params)
        label_field = str(params.pop("label_field", "") or self.field_name)
        return message(self.code, lang, field_name=label_field, **params)

    def __str__(self) -> str:
        return f"{self.path}: {self.text('en')}" if self.path else self.text("en")


def label(field_name: str, lang: Lang = "ja", labels: dict[str, tuple[str, str]] | None = None) -> str:
    return pick(lang, *(FIELD_LABELS if labels is None else labels).get(field_name, (field_name, field_name)))


def render(
    catalogue: dict[str, tuple[str, str]],
    labels: dict[str, tuple[str, str]],
    code: str,
    lang: Lang = "ja",
    *,
    field_name: str = "",
    **params: Any,
) -> str:
    """A message of ``catalogue`` in ``lang``; ``{label}`` is the field's label from ``labels``."""
    template = pick(lang, *catalogue.get(code, (code, code)))
    values = {"label": label(field_name, lang, labels) if field_name else "", **params}
    try:
        return template.format(**values)
    except (KeyError, IndexError):  # a template missing a parameter must still say something useful
        return f"{template} {params}"


def message(code: str, lang: Lang = "ja", *, field_name: str = "", **params: Any) -> str:
    return render(MESSAGES, FIELD_LABELS, code, lang, field_name=field_name, **params)


class ProblemsError(KnownError):
    """Raised by services when input is refused; carries every problem found, nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems

    def text(self, lang: Lang = "ja") -> str:
        return "\n".join(
            f"{problem.path}: {problem.text(lang)}" if "." in problem.path or "[" in problem.path else problem.text(lang)
            for problem in self.problems
        )
