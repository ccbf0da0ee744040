<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US" sourcelanguage="ja_JP">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="84" />
        <source>Salesforceアカウント</source>
        <translation>Salesforce accounts</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="95" />
        <source>新規</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="96" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="100" />
        <source>ユーザ名+パスワード+セキュリティトークン</source>
        <translation>Username + password + security token</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="101" />
        <source>OAuth JWTベアラー</source>
        <translation>OAuth JWT bearer</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="102" />
        <source>OAuthクライアント資格情報</source>
        <translation>OAuth client credentials</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="106" />
        <source>本番環境 (login)</source>
        <translation>Production (login)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="107" />
        <source>Sandbox (test)</source>
        <translation>Sandbox (test)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="108" />
        <source>私のドメイン…</source>
        <translation>My Domain…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="109" />
        <source>開発用組織 (http://127.0.0.1:PORT)</source>
        <translation>Dev org (http://127.0.0.1:PORT)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="130" />
        <source>ファイルを選択…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="144" />
        <source>名前</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="145" />
        <source>認証方式</source>
        <translation>Authentication</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="146" />
        <source>ユーザ名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="147" />
        <source>ログインホスト</source>
        <translation>Login host</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="149" />
        <source>APIバージョン</source>
        <translation>API version</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="150" />
        <source>コンシューマ鍵</source>
        <translation>Consumer key</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="151" />
        <source>パスワード</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="153" />
        <source>セキュリティトークン</source>
        <translation>Security token</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="156" />
        <source>コンシューマの秘密</source>
        <translation>Consumer secret</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="158" />
        <source>秘密鍵 (PEM)</source>
        <translation>Private key (PEM)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="161" />
        <source>パスワード・トークン・秘密鍵はOSのキーリングにだけ保存され、画面には表示されません。空欄のままなら変更されません。</source>
        <translation>Passwords, tokens and keys are stored only in the OS keyring and never shown. Leave a field empty to keep the stored value.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="171" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="172" />
        <source>接続テスト</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="176" />
        <source>アカウント</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="205" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="253" />
        <source>{name}(未保存)</source>
        <translation>{name} (not saved yet)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="253" />
        <source>秘密鍵</source>
        <translation>private key</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="280" />
        <source>アカウントの削除</source>
        <translation>Delete account</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="281" />
        <source>アカウント「{name}」を削除しますか?キーリングに保存したパスワードなども削除されます。</source>
        <translation>Delete the account '{name}'? Its password and other secrets are removed from the keyring too.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="293" />
        <location filename="../../ui/dialogs/account_dialog.py" line="488" />
        <source>キーリングを使用できません: {detail}</source>
        <translation>The keyring cannot be used: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="296" />
        <source>アカウント「{name}」を削除しました。</source>
        <translation>The account '{name}' was deleted.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="312" />
        <source>接続しています…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="318" />
        <source>接続に成功しました。</source>
        <translation>Connected successfully.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="321" />
        <source>組織: {name} ({id})</source>
        <translation>Org: {name} ({id})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="322" />
        <source>ユーザ: {name} ({username})</source>
        <translation>User: {name} ({username})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="323" />
        <source>インスタンス: {url}</source>
        <translation>Instance: {url}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="328" />
        <source>API使用量(24時間): {used} / {total}({percent:.1f}%)</source>
        <translation>API usage (24 h): {used} / {total} ({percent:.1f}%)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="335" />
        <source>接続できませんでした。</source>
        <translation>Could not connect.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="339" />
        <source>秘密鍵ファイルを選択</source>
        <translation>Choose the private key file</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="339" />
        <source>PEMファイル (*.pem *.key);;すべてのファイル (*)</source>
        <translation>PEM files (*.pem *.key);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="346" />
        <source>ファイルを読み込めません: {detail}</source>
        <translation>Cannot read the file: {detail}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="349" />
        <source>PEM形式の秘密鍵ではありません(-----BEGIN PRIVATE KEY----- で始まるファイルを選んでください)。</source>
        <translation>This is not a PEM private key (choose a file starting with -----BEGIN PRIVATE KEY-----).</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="422" />
        <source>保存済み</source>
        <translation>Stored</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="422" />
        <source>未設定</source>
        <translation>Not set</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="496" />
        <source>保存しました。</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/account_dialog.py" line="510" />
        <source>保存できませんでした。赤い項目を確認してください。</source>
        <translation>Not saved. Check the fields marked in red.</translation>
    </message>
</context>
<context>
    <name>BasicTab</name>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="86" />
        <source>例: 本社コールセンター</source>
        <translation>e.g. Head office call center</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="92" />
        <source>(アカウントが登録されていません)</source>
        <translation>(no account registered)</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="93" />
        <source>アカウント管理…</source>
        <translation>Manage accounts…</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="94" />
        <source>Salesforceアカウントを登録・編集します</source>
        <translation>Register or edit Salesforce accounts</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="101" />
        <source>アカウントが登録されていません。「アカウント管理…」から連携に使うアカウントを登録してください。</source>
        <translation>No account is registered. Use "Manage accounts…" to register the account used for linking.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="106" />
        <source>レコードID(15桁/18桁)またはレコードのURL</source>
        <translation>Record Id (15 or 18 characters) or the record's URL</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="109" />
        <source>このアカウントでSalesforce APIを利用することを許諾する</source>
        <translation>Allow the Salesforce API to be used with this account</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="111" />
        <source>BIZTEL Deskが上記のアカウントでAPIを呼び出し、活動履歴を作成します。ステータスを有効・一時停止にするには許諾が必要です。</source>
        <translation>BIZTEL Desk calls the API with the account above and creates activities. Consent is required to set the status to enabled or paused.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="124" />
        <location filename="../../ui/tabs/basic_tab.py" line="134" />
        <source>紐付け先特定不可レコードに紐付ける</source>
        <translation>Link to the fallback record</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="125" />
        <source>一致したすべてのレコードに紐付ける</source>
        <translation>Link to every matching record</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="126" />
        <source>最終更新日時が最新のレコードに紐付ける</source>
        <translation>Link to the most recently modified record</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="127" />
        <source>優先順位が最も高いレコードに紐付ける</source>
        <translation>Link to the record with the highest priority</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="135" />
        <source>時間をおいて再検索し、見つからなければ紐付け先特定不可レコードに紐付ける</source>
        <translation>Search again later; if still not found, link to the fallback record</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="136" />
        <source>紐付けない(スキップ)</source>
        <translation>Do not link (skip)</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="137" />
        <source>リードを作成して紐付ける</source>
        <translation>Create a Lead and link to it</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="146" />
        <source>ToDoを作成</source>
        <translation>Create a Task</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="147" />
        <source>ケースを作成し、その中にToDoを作成</source>
        <translation>Create a Case, then a Task in it</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="158" />
        <source>リードやカスタムオブジェクトなどケースを持てないレコードには、ToDoのみ作成します。</source>
        <translation>Records that cannot own a Case (Leads, custom objects) get only the Task.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="162" />
        <source>連携名</source>
        <translation>Link name</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="163" />
        <source>Salesforceアカウント</source>
        <translation>Salesforce account</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="164" />
        <source>紐付け先特定不可レコード</source>
        <translation>Fallback record</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="165" />
        <source>API利用許諾</source>
        <translation>API consent</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="166" />
        <source>メモ</source>
        <translation>Memo</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="167" />
        <source>レコードが複数一致した場合</source>
        <translation>On multiple matches</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="168" />
        <source>レコードが一致しない場合</source>
        <translation>On no match</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="169" />
        <source>活動履歴</source>
        <translation>Activity</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="172" />
        <source>* は必須項目です</source>
        <translation>* Required</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="174" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="176" />
        <source>元に戻す</source>
        <translation>Revert</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="240" />
        <source>録音連携ステータス</source>
        <translation>Link status</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="260" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="262" />
        <source>Salesforceに接続し、この連携設定で連携できるかを確認します(書き込みは行いません)</source>
        <translation>Connects to Salesforce and checks that this link setting works (nothing is written)</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="430" />
        <source>保存できませんでした。{0}件の問題があります。各項目のメッセージを確認してください。</source>
        <translation>Not saved: {0} problem(s). See the message under each field.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="439" />
        <source>電話番号が複数一致した場合や一致しない場合の紐付け先です。レコードのID、またはレコードを開いたときのURLを貼り付けてください。</source>
        <translation>Where calls are linked when several records or none match. Paste the record's Id or the URL of the open record.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="449" />
        <source>抽出したID: {0}</source>
        <translation>Extracted Id: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="472" />
        <source>連携設定を保存すると、ステータスを変更できます。</source>
        <translation>Save the link setting to change its status.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="475" />
        <source>連携対象の通話をSalesforceへ連携しています。</source>
        <translation>Calls on the link targets are sent to Salesforce.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="476" />
        <source>通話を保持し、送信を止めています。有効に戻すと保持分を送信します。</source>
        <translation>Calls are kept but not sent. Enabling sends what was kept.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="477" />
        <source>連携していません。無効の間の通話は、後で有効にしても連携されません。</source>
        <translation>Not linking. Calls arriving while disabled are never sent, even after enabling.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="521" />
        <source>録音連携ステータスの変更</source>
        <translation>Change link status</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="523" />
        <source>「{0}」の録音連携ステータスを無効にしますか?

無効の間に発生した通話は連携ジョブが作成されず、後で有効に戻してもSalesforceへ連携されません。一時停止中に保持された通話は、有効に戻したときに送信されます。</source>
        <translation>Disable linking for "{0}"?

Calls arriving while disabled get no link job and are never sent to Salesforce, even after you enable it again. Calls kept while paused are sent when you enable it.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/basic_tab.py" line="538" />
        <source>API利用許諾の変更がまだ保存されていません。先に「保存」をクリックしてください。</source>
        <translation>The API consent change is not saved yet. Click "Save" first.</translation>
    </message>
</context>
<context>
    <name>ChecklistDialog</name>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="68" />
        <source>Salesforce側の設定チェックリスト</source>
        <translation>Salesforce setup checklist</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="84" />
        <source>録音の再生リンクを活動履歴に表示するため、Salesforceの「設定」で次の項目を作成してください。各項目の状態は最後に実行した設定確認の結果です。</source>
        <translation>To show the recording playback link on activities, create the following in Salesforce Setup. Each item's state comes from the last settings verification.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="90" />
        <source>連携設定:</source>
        <translation>Link setting:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="97" />
        <source>設定確認を実行</source>
        <translation>Verify now</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="98" />
        <source>Salesforceに接続して、この一覧の状態を更新します(書き込みは行いません)</source>
        <translation>Connects to Salesforce and updates the states in this list (nothing is written)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="103" />
        <source>1. 静的リソース(設定 → カスタムコード → 静的リソース)</source>
        <translation>1. Static resource (Setup → Custom Code → Static Resources)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="106" />
        <location filename="../../ui/dialogs/checklist_dialog.py" line="114" />
        <source>状態:</source>
        <translation>State:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="107" />
        <location filename="../../ui/dialogs/checklist_dialog.py" line="116" />
        <source>名前:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="108" />
        <source>ファイル:</source>
        <translation>File:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="108" />
        <source>録音再生ボタンに使う画像ファイル(お客様にてご用意ください)</source>
        <translation>The image used as the play button (you provide it)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="111" />
        <source>2. カスタム表示ラベル(設定 → ユーザインターフェース → カスタム表示ラベル)</source>
        <translation>2. Custom label (Setup → User Interface → Custom Labels)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="115" />
        <source>簡単な説明:</source>
        <translation>Short description:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="117" />
        <source>{value}(静的リソース speaker の「ファイルを表示」で開いたURLのパス)</source>
        <translation>{value} (the path of the URL opened by 'View file' on the static resource speaker)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="120" />
        <source>値:</source>
        <translation>Value:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="123" />
        <source>3. 活動のカスタム項目(オブジェクトマネージャ → 活動 → 項目とリレーション)</source>
        <translation>3. Activity custom fields (Object Manager → Activity → Fields &amp; Relationships)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="127" />
        <source>状態</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="127" />
        <source>項目の表示ラベル</source>
        <translation>Field label</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="127" />
        <source>データ型</source>
        <translation>Data type</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="127" />
        <source>項目名</source>
        <translation>Field name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="127" />
        <source>API参照名</source>
        <translation>API name</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="149" />
        <source>4. 音声再生(WavUrlImg__c)の数式</source>
        <translation>4. Formula of the playback field (WavUrlImg__c)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="155" />
        <source>コピー</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="156" />
        <source>数式をクリップボードにコピーします</source>
        <translation>Copies the formula to the clipboard</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="163" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="197" />
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="201" />
        <source>要対応</source>
        <translation>Needs action</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="202" />
        <source>未確認</source>
        <translation>Not verified</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="202" />
        <source>設定確認を実行すると状態が表示されます</source>
        <translation>Run the settings verification to see the state</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="208" />
        <source>まだ設定確認を実行していません</source>
        <translation>Not verified yet</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="210" />
        <source>最終確認: {time}</source>
        <translation>Last verified: {time}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="233" />
        <source>コピーしました</source>
        <translation>Copied</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/checklist_dialog.py" line="246" />
        <source>確認しています…</source>
        <translation>Verifying…</translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <location filename="../../ui/crash.py" line="79" />
        <source>予期しないエラー</source>
        <translation>Unexpected error</translation>
    </message>
    <message>
        <location filename="../../ui/crash.py" line="80" />
        <source>予期しないエラーが発生しました。詳細はログに記録されました:
{0}

作業を続けられない場合はアプリを再起動し、このログを添えて開発元へお知らせください。</source>
        <translation>An unexpected error occurred. The details were logged to:
{0}

If you cannot continue, restart the app and send this log to the developers.</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../ui/models/history_model.py" line="127" />
        <source>ユニークID</source>
        <translation>Unique ID</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="128" />
        <source>リクエストID</source>
        <translation>Request ID</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="129" />
        <source>発信電話番号</source>
        <translation>From number</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="130" />
        <source>着信電話番号</source>
        <translation>To number</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="131" />
        <source>通話開始日時</source>
        <translation>Call start</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="132" />
        <source>通話終了日時</source>
        <translation>Call end</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="133" />
        <source>発信エージェントID</source>
        <translation>From agent ID</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="134" />
        <source>着信エージェントID</source>
        <translation>To agent ID</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="135" />
        <source>発信内線番号</source>
        <translation>From extension</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="136" />
        <source>着信内線番号</source>
        <translation>To extension</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="137" />
        <source>処理終了日時</source>
        <translation>Processed at</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="138" />
        <source>リトライ回数</source>
        <translation>Retries</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="139" />
        <source>リトライ予定</source>
        <translation>Next retry</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="140" />
        <source>通話履歴</source>
        <translation>Call record</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="141" />
        <source>状態</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="142" />
        <source>紐付け先</source>
        <translation>Linked record</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="143" />
        <source>エラー</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="149" />
        <source>未処理</source>
        <translation>Pending</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="150" />
        <source>保留中</source>
        <translation>Held</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="151" />
        <source>送信中</source>
        <translation>Sending</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="152" />
        <source>連携済み</source>
        <translation>Linked</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="153" />
        <source>リトライ待ち</source>
        <translation>Waiting to retry</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="154" />
        <source>失敗</source>
        <translation>Failed</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="155" />
        <source>スキップ</source>
        <translation>Skipped</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="170" />
        <source>Salesforceで活動履歴 {id} を開く</source>
        <translation>Open the activity {id} in Salesforce</translation>
    </message>
    <message>
        <location filename="../../ui/models/history_model.py" line="184" />
        <source>開く</source>
        <translation>Open</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="52" />
        <source>番号・ID・エージェント・内線</source>
        <translation>Number, ID, agent, extension</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="56" />
        <source>開始</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="58" />
        <source>終了</source>
        <translation>To</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="65" />
        <source>すべて</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="69" />
        <source>表示項目</source>
        <translation>Columns</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="81" />
        <source>初期表示に戻す</source>
        <translation>Reset to default</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="102" />
        <source>前へ</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="103" />
        <source>次へ</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="106" />
        <source>連携通話履歴はまだありません。</source>
        <translation>No linked calls yet.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="110" />
        <source>絞り込み</source>
        <translation>Filter</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="118" />
        <source>通話開始日時</source>
        <translation>Call start</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="113" />
        <source>状態</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/history_tab.py" line="252" />
        <source>{first}–{last} / {total}件</source>
        <translation>{first}–{last} of {total}</translation>
    </message>
</context>
<context>
    <name>LinkStatus</name>
    <message>
        <location filename="../../ui/widgets.py" line="39" />
        <source>有効</source>
        <translation>Enabled</translation>
    </message>
    <message>
        <location filename="../../ui/widgets.py" line="40" />
        <source>一時停止</source>
        <translation>Paused</translation>
    </message>
    <message>
        <location filename="../../ui/widgets.py" line="41" />
        <source>無効</source>
        <translation>Disabled</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="49" />
        <source>BIZTEL Desk — Salesforce履歴録音連携</source>
        <translation>BIZTEL Desk — Salesforce call history &amp; recording link</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="68" />
        <source>基本情報</source>
        <translation>Basic info</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="69" />
        <source>オブジェクト</source>
        <translation>Objects</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="70" />
        <source>連携対象</source>
        <translation>Link targets</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="71" />
        <source>連携通話履歴</source>
        <translation>Linked calls</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="80" />
        <source>連携設定</source>
        <translation>Link settings</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="87" />
        <source>新規</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="88" />
        <source>新しい連携設定を作成します</source>
        <translation>Create a new link setting</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="89" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="90" />
        <source>選択した連携設定を削除します</source>
        <translation>Delete the selected link setting</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="119" />
        <source>ファイル(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="120" />
        <source>終了(&amp;X)</source>
        <translation>E&amp;xit</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="126" />
        <source>設定(&amp;S)</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="127" />
        <source>Salesforceアカウント(&amp;A)…</source>
        <translation>Salesforce &amp;accounts…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="129" />
        <source>システム設定(&amp;Y)…</source>
        <translation>S&amp;ystem settings…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="135" />
        <source>ヘルプ(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="136" />
        <source>バージョン情報(&amp;A)</source>
        <translation>&amp;About</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="151" />
        <source>停止中</source>
        <translation>stopped</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="160" />
        <source>ワーカー: {0}</source>
        <translation>Worker: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="185" />
        <source>{0} — 録音連携ステータス: {1}</source>
        <translation>{0} — link status: {1}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="212" />
        <source>新しい連携設定</source>
        <translation>New link setting</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="215" />
        <source>未保存の変更</source>
        <translation>Unsaved changes</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="216" />
        <source>「{0}」の基本情報に保存されていない変更があります。保存しますか?</source>
        <translation>The basic info of "{0}" has unsaved changes. Save them?</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="237" />
        <source>新しい連携設定(未保存)</source>
        <translation>New link setting (not saved)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="242" />
        <source>連携設定が選択されていません</source>
        <translation>No link setting selected</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="245" />
        <source>録音連携ステータス: {0}</source>
        <translation>Link status: {0}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="249" />
        <source>待機 {0} / 連携済 {1} / 失敗 {2}</source>
        <translation>Waiting {0} / Linked {1} / Failed {2}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="319" />
        <location filename="../../ui/main_window.py" line="332" />
        <source>連携設定の削除</source>
        <translation>Delete link setting</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="321" />
        <source>連携設定「{0}」を削除しますか?

オブジェクト、連携対象、連携通話履歴もすべて削除されます。この操作は元に戻せません(Salesforceに作成済みの活動履歴は削除されません)。</source>
        <translation>Delete the link setting "{0}"?

Its objects, link targets and linked call history are deleted too. This cannot be undone (activities already in Salesforce are kept).</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="353" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="354" />
        <source>「{0}」の設定確認は、設定確認機能の追加後に利用できるようになります。</source>
        <translation>Verifying "{0}" becomes available with the verification feature.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="379" />
        <source>バージョン情報</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="381" />
        <source>&lt;h3&gt;BIZTEL Desk {0}&lt;/h3&gt;&lt;p&gt;BIZTELなどのPBXの通話履歴と通話録音を、Salesforceの活動履歴に連携する管理ツールです。&lt;/p&gt;&lt;p&gt;データフォルダ: {1}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;BIZTEL Desk {0}&lt;/h3&gt;&lt;p&gt;An admin tool that links call history and recordings of BIZTEL and other PBXs to Salesforce activities.&lt;/p&gt;&lt;p&gt;Data folder: {1}&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>ObjectsModel</name>
    <message>
        <location filename="../../ui/models/objects_model.py" line="114" />
        <source>API参照名</source>
        <translation>API name</translation>
    </message>
    <message>
        <location filename="../../ui/models/objects_model.py" line="114" />
        <source>タブ名</source>
        <translation>Tab name</translation>
    </message>
    <message>
        <location filename="../../ui/models/objects_model.py" line="114" />
        <source>タブコード</source>
        <translation>Tab code</translation>
    </message>
    <message>
        <location filename="../../ui/models/objects_model.py" line="114" />
        <source>優先順位</source>
        <translation>Priority</translation>
    </message>
</context>
<context>
    <name>ObjectsTab</name>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="73" />
        <source>追加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="74" />
        <source>編集</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="75" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="76" />
        <source>上へ</source>
        <translation>Up</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="77" />
        <source>下へ</source>
        <translation>Down</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="78" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="79" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="84" />
        <source>着信・発信の相手の電話番号を検索するSalesforceのオブジェクトです。優先順位の小さいものから検索し、タブコードにはレコードIDの先頭3文字(例: 取引先 001、取引先責任者 003、リード 00Q)を入力します。セルをダブルクリックすると編集できます。</source>
        <translation>The Salesforce objects searched for the other party's number, lowest priority number first. The tab code is the first 3 characters of the object's record Ids (e.g. Account 001, Contact 003, Lead 00Q). Double-click a cell to edit it.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="93" />
        <source>注意: 連携に使うSalesforceアカウントがリード(Lead)にアクセスできない場合は、必ずLeadの行を削除してください。</source>
        <translation>Note: if the Salesforce account used for linking cannot access Lead, you must delete the Lead row.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="193" />
        <source>保存できませんでした。赤い項目を確認してください。</source>
        <translation>Not saved. Check the cells marked in red.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="198" />
        <source>保存しました。</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/objects_tab.py" line="244" />
        <source>{row}行目: {message}</source>
        <translation>Row {row}: {message}</translation>
    </message>
</context>
<context>
    <name>SystemDialog</name>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="36" />
        <source>システム設定</source>
        <translation>System settings</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="41" />
        <source> 日</source>
        <translation> days</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="42" />
        <source> 件</source>
        <translation> rows</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="53" />
        <source>システムの設定 ({zone})</source>
        <translation>System setting ({zone})</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="56" />
        <source>URL(リンクを知っていれば再生可能)</source>
        <translation>URL (anyone with the link can play)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="57" />
        <source>管理画面でログイン</source>
        <translation>Admin login</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="61" />
        <source> 分</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="62" />
        <source> 回</source>
        <translation> times</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="84" />
        <source>履歴</source>
        <translation>History</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="85" />
        <source>履歴保持期間</source>
        <translation>Retention period</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="86" />
        <source>1〜180日。これより古い通話と連携履歴は自動的に削除されます(Salesforceの活動履歴は残りますが、録音は再生できなくなる場合があります)。</source>
        <translation>1–180 days. Older calls and link history are deleted automatically (Salesforce activities stay, but their recordings may no longer play).</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="87" />
        <source>表示件数</source>
        <translation>Page size</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="87" />
        <source>連携通話履歴の1ページの件数です。</source>
        <translation>Rows per page of the linked call history.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="88" />
        <source>タイムゾーン</source>
        <translation>Time zone</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="88" />
        <source>空欄のときはこのコンピュータの設定を使います。</source>
        <translation>Empty: this computer's time zone.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="89" />
        <source>既定の国・地域</source>
        <translation>Default region</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="90" />
        <source>市外局番から始まる電話番号をこの国の番号として扱います(例: JP)。</source>
        <translation>Numbers written with an area code are taken as numbers of this country (e.g. JP).</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="92" />
        <source>録音再生</source>
        <translation>Recording playback</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="93" />
        <source>録音再生時の認証</source>
        <translation>Playback authentication</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="94" />
        <source>変更はこれ以降に作成する活動履歴にだけ反映されます。作成済みの活動履歴の動作は変わりません。</source>
        <translation>A change only affects activities written from now on; existing activities keep their behaviour.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="95" />
        <source>録音サーバURL</source>
        <translation>Recording server URL</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="97" />
        <source>検索リトライ</source>
        <translation>Search retries</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="98" />
        <source>リトライ間隔</source>
        <translation>Retry interval</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="99" />
        <source>リトライ回数上限</source>
        <translation>Maximum retries</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="101" />
        <source>活動履歴の件名</source>
        <translation>Activity subject</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="103" />
        <source>件名テンプレート(着信)</source>
        <translation>Subject template (inbound)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="104" />
        <source>件名テンプレート(発信)</source>
        <translation>Subject template (outbound)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="105" />
        <source>使える差し込み項目: {names}</source>
        <translation>Placeholders: {names}</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="107" />
        <source>API使用率しきい値</source>
        <translation>API usage thresholds</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="108" />
        <source>任意のAPI呼び出しを停止</source>
        <translation>Stop optional API calls above</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="109" />
        <source>送信を一時停止</source>
        <translation>Pause sending above</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="110" />
        <source>1日のAPI上限に対する使用率です。</source>
        <translation>Share of the org's daily API limit.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="118" />
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="119" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="191" />
        <source>保存できませんでした。赤い項目を確認してください。</source>
        <translation>Not saved. Check the fields marked in red.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/system_dialog.py" line="205" />
        <source>{min}〜{max}(初期値 {default})</source>
        <translation>{min}–{max} (default {default})</translation>
    </message>
</context>
<context>
    <name>TargetsModel</name>
    <message>
        <location filename="../../ui/models/targets_model.py" line="76" />
        <source>連携</source>
        <translation>Linked</translation>
    </message>
    <message>
        <location filename="../../ui/models/targets_model.py" line="76" />
        <source>電話番号</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../ui/models/targets_model.py" line="76" />
        <source>正規化</source>
        <translation>Normalised</translation>
    </message>
    <message>
        <location filename="../../ui/models/targets_model.py" line="76" />
        <source>既定の発信番号</source>
        <translation>Default outbound</translation>
    </message>
</context>
<context>
    <name>TargetsTab</name>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="51" />
        <source>チェックを付けた電話番号の通話だけがSalesforceに連携されます。変更するには「編集」をクリックしてください。</source>
        <translation>Only calls on checked numbers are linked to Salesforce. Click Edit to change them.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="55" />
        <source>編集</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="58" />
        <source>電話番号(例: 03-1234-5678)</source>
        <translation>Phone number (e.g. 03-1234-5678)</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="59" />
        <source>追加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="60" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="61" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="62" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="65" />
        <source>電話番号設定が不足しています</source>
        <translation>No phone number is selected for linking</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="170" />
        <source>保存しました。</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <location filename="../../ui/tabs/targets_tab.py" line="197" />
        <source>{row}行目: {message}</source>
        <translation>Row {row}: {message}</translation>
    </message>
</context>
<context>
    <name>VerifyBusyDialog</name>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="66" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="69" />
        <source>「{name}」の設定をSalesforceで確認しています…</source>
        <translation>Verifying '{name}' against Salesforce…</translation>
    </message>
</context>
<context>
    <name>VerifyResultDialog</name>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="165" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="176" />
        <source>{count}件の問題が見つかりました。</source>
        <translation>{count} problem(s) found.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="177" />
        <source>設定確認を実行できませんでした。</source>
        <translation>The verification could not run.</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="199" />
        <source>連携設定「{name}」・API呼び出し {calls}回・書き込みなし</source>
        <translation>Link setting '{name}' · {calls} API calls · nothing written</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="204" />
        <source>コピー</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="205" />
        <source>結果をクリップボードにコピーします</source>
        <translation>Copies the result to the clipboard</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="207" />
        <source>Salesforce側チェックリスト…</source>
        <translation>Salesforce checklist…</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="211" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>VerifyRunner</name>
    <message>
        <location filename="../../ui/dialogs/verify_dialog.py" line="151" />
        <source>予期しないエラーが発生したため確認できませんでした。</source>
        <translation>The verification stopped because of an unexpected error.</translation>
    </message>
</context>
</TS>