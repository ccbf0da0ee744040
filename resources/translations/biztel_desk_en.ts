<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_US" sourcelanguage="ja_JP">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="34" />
        <source>Salesforceアカウント</source>
        <translation>Salesforce accounts</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="44" />
        <source>新規</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="45" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="48" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="51" />
        <source>アカウント</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="52" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="101" />
        <source>アカウントの削除</source>
        <translation>Delete account</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="102" />
        <source>アカウント「{name}」を削除しますか?キーリングに保存したパスワードなども削除されます。</source>
        <translation>Delete the account '{name}'? Its password and other secrets are removed from the keyring too.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="115" />
        <source>アカウント「{name}」を削除しました。</source>
        <translation>The account '{name}' was deleted.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="130" />
        <source>テストした内容はまだ保存していません。「保存」を押すと保存します。</source>
        <translation>What was tested is not saved yet. Press Save to save it.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="144" />
        <source>ログインしました。トークンはOSのキーリングに保存しました。</source>
        <translation>Signed in. The tokens are stored in the OS keyring.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="175" />
        <source>{name}(要再ログイン)</source>
        <translation>{name} (sign-in needed)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="177" />
        <source>ログインが必要です。「ブラウザでログイン」を押してください。</source>
        <translation>Sign-in needed. Press 'Sign in with the browser'.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/account_dialog.py" line="189" />
        <source>保存しました。</source>
        <translation>Saved.</translation>
    </message>
</context>
<context>
    <name>AccountFlow</name>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="97" />
        <source>入力内容を確認してください。</source>
        <translation>Check what you entered.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="108" />
        <source>保存できませんでした。赤い項目を確認してください。</source>
        <translation>Not saved. Check the fields marked in red.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="116" />
        <source>キーリングを使用できません: {detail}</source>
        <translation>The keyring cannot be used: {detail}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="120" />
        <source>接続しています…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="129" />
        <source>ブラウザでSalesforceにログインし、「許可」を押してください。ブラウザが開かないときは、次のURLをブラウザで開いてください:</source>
        <translation>Sign in to Salesforce in the browser and press 'Allow'. If no browser opens, open this URL in a browser:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="145" />
        <source>ブラウザを開いています…</source>
        <translation>Opening the browser…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="160" />
        <source>接続できませんでした。</source>
        <translation>Could not connect.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="160" />
        <source>ログインできませんでした。</source>
        <translation>Could not sign in.</translation>
    </message>
</context>
<context>
    <name>AccountForm</name>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="208" />
        <source>例: 本番組織</source>
        <translation>e.g. Production</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="195" />
        <source>本番環境 (login)</source>
        <translation>Production (login)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="196" />
        <source>Sandbox (test)</source>
        <translation>Sandbox (test)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="197" />
        <source>私のドメイン…</source>
        <translation>My Domain…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="199" />
        <source>開発用組織 (http://127.0.0.1:PORT)</source>
        <translation>Dev org (http://127.0.0.1:PORT)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="221" />
        <source>ファイルを選択…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="227" />
        <source>許可されたIPアドレスからの接続では不要です。分からないときはSalesforceの「設定 → 私のセキュリティトークンのリセット」で再発行できます。</source>
        <translation>Not needed from trusted IP ranges. If you do not have it, reset it in Salesforce (Settings → Reset My Security Token).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="231" />
        <location filename="../../biztel_desk/ui/account_form.py" line="399" />
        <source>名前</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="232" />
        <source>認証方式</source>
        <translation>Authentication</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="233" />
        <source>ユーザ名</source>
        <translation>Username</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="234" />
        <source>ログインホスト</source>
        <translation>Login host</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="237" />
        <source>APIバージョン</source>
        <translation>API version</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="238" />
        <source>コンシューマ鍵</source>
        <translation>Consumer key</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="239" />
        <source>パスワード</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="240" />
        <source>セキュリティトークン</source>
        <translation>Security token</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="242" />
        <location filename="../../biztel_desk/ui/account_form.py" line="392" />
        <source>コンシューマの秘密</source>
        <translation>Consumer secret</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="243" />
        <source>秘密鍵 (PEM)</source>
        <translation>Private key (PEM)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="245" />
        <source>ログイン状態</source>
        <translation>Sign-in</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="246" />
        <source>External Client App</source>
        <translation>External Client App</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="251" />
        <source>パスワード・トークン・秘密鍵はOSのキーリングにだけ保存され、画面には表示されません。空欄のままなら変更されません。</source>
        <translation>Passwords, tokens and keys are stored only in the OS keyring and never shown. Leave a field empty to keep the stored value.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="253" />
        <source>ブラウザでログイン</source>
        <translation>Sign in with the browser</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="254" />
        <source>接続テスト</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="275" />
        <source>保存済み</source>
        <translation>Stored</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="275" />
        <source>未設定</source>
        <translation>Not set</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="355" />
        <source>{name}(未保存)</source>
        <translation>{name} (not saved yet)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="195" />
        <source>本番組織や Developer Edition はこちらです。</source>
        <translation>For production orgs and Developer Edition.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="196" />
        <source>Sandbox のユーザ名は通常「本番のユーザ名.sandbox名」です。</source>
        <translation>A sandbox username is usually 'production username.sandbox name'.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="198" />
        <source>「acme.my.salesforce.com」の形で入力します。ブラウザのアドレス(acme.lightning.force.com)を貼り付けても変換します。</source>
        <translation>Enter it as 'acme.my.salesforce.com'. A pasted browser address (acme.lightning.force.com) is converted.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="200" />
        <source>テスト用のローカル開発用組織(biztel-desk devorg)のURLです。</source>
        <translation>The URL of a local dev org for testing (biztel-desk devorg).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="312" />
        <source>未ログイン: 保存して「ブラウザでログイン」を押してください。</source>
        <translation>Not signed in: save, then press 'Sign in with the browser'.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="313" />
        <source>要再ログイン: 「ブラウザでログイン」を押してください。</source>
        <translation>Sign-in needed (要再ログイン): press 'Sign in with the browser'.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="314" />
        <source>ログイン済み(トークンはOSのキーリングに保存されています)</source>
        <translation>Signed in (the tokens are in the OS keyring)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="346" />
        <source>秘密鍵ファイルを選択</source>
        <translation>Choose the private key file</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="346" />
        <source>PEMファイル (*.pem *.key);;すべてのファイル (*)</source>
        <translation>PEM files (*.pem *.key);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="203" />
        <source>パスワードを入力してください。</source>
        <translation>Enter the password.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="204" />
        <source>コンシューマの秘密を入力してください。</source>
        <translation>Enter the consumer secret.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/account_form.py" line="205" />
        <source>秘密鍵ファイル(PEM)を選択してください。</source>
        <translation>Choose the private key file (PEM).</translation>
    </message>
</context>
<context>
    <name>AppTray</name>
    <message>
        <location filename="../../biztel_desk/ui/tray.py" line="55" />
        <source>開く</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tray.py" line="56" />
        <location filename="../../biztel_desk/ui/tray.py" line="75" />
        <source>休止</source>
        <translation>Suspend</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tray.py" line="57" />
        <source>終了</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tray.py" line="75" />
        <source>再開</source>
        <translation>Resume</translation>
    </message>
</context>
<context>
    <name>BasicForm</name>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="60" />
        <source>例: 本社コールセンター</source>
        <translation>e.g. Head office call center</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="61" />
        <source>(アカウントが登録されていません)</source>
        <translation>(no account registered)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="63" />
        <source>アカウント管理…</source>
        <translation>Manage accounts…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="63" />
        <source>Salesforceアカウントを登録・編集します</source>
        <translation>Register or edit Salesforce accounts</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="67" />
        <source>アカウントが登録されていません。「アカウント管理…」から連携に使うアカウントを登録してください。</source>
        <translation>No account is registered. Use "Manage accounts…" to register the account used for linking.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="69" />
        <source>レコードID(15桁/18桁)またはレコードのURL</source>
        <translation>Record Id (15 or 18 characters) or the record's URL</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="71" />
        <source>このアカウントでSalesforce APIを利用することを許諾する</source>
        <translation>Allow the Salesforce API to be used with this account</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="88" />
        <source>BIZTEL Deskが上記のアカウントでAPIを呼び出し、活動履歴を作成します。ステータスを有効・一時停止にするには許諾が必要です。</source>
        <translation>BIZTEL Desk calls the API with the account above and creates activities. Consent is required to set the status to enabled or paused.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="94" />
        <source>誰も応答しなかった通話(不在着信・話中・発信失敗)を連携するかどうかです。</source>
        <translation>Whether calls nobody answered (missed, busy, failed) are linked.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="97" />
        <source>リードやカスタムオブジェクトなどケースを持てないレコードには、ToDoのみ作成します。</source>
        <translation>Records that cannot own a Case (Leads, custom objects) get only the Task.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="82" />
        <source>連携名</source>
        <translation>Link name</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="83" />
        <source>Salesforceアカウント</source>
        <translation>Salesforce account</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="85" />
        <source>紐付け先特定不可レコード</source>
        <translation>Fallback record</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="87" />
        <source>API利用許諾</source>
        <translation>API consent</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="90" />
        <source>メモ</source>
        <translation>Memo</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="91" />
        <source>レコードが複数一致した場合</source>
        <translation>On multiple matches</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="92" />
        <source>レコードが一致しない場合</source>
        <translation>On no match</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="93" />
        <source>未応答の通話</source>
        <translation>Unanswered calls</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="96" />
        <source>活動履歴</source>
        <translation>Activity</translation>
    </message>
</context>
<context>
    <name>BasicTab</name>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="178" />
        <source>* は必須項目です</source>
        <translation>* Required</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="180" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="181" />
        <source>元に戻す</source>
        <translation>Revert</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="199" />
        <source>録音連携ステータス</source>
        <translation>Link status</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="210" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="211" />
        <source>Salesforceに接続し、この連携設定で連携できるかを確認します(書き込みは行いません)</source>
        <translation>Connects to Salesforce and checks that this link setting works (nothing is written)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="299" />
        <source>保存できませんでした。{0}件の問題があります。各項目のメッセージを確認してください。</source>
        <translation>Not saved: {0} problem(s). See the message under each field.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="316" />
        <source>連携設定を保存すると、ステータスを変更できます。</source>
        <translation>Save the link setting to change its status.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="317" />
        <source>連携対象の通話をSalesforceへ連携しています。</source>
        <translation>Calls on the link targets are sent to Salesforce.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="318" />
        <source>通話を保持し、送信を止めています。有効に戻すと保持分を送信します。</source>
        <translation>Calls are kept but not sent. Enabling sends what was kept.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="319" />
        <source>連携していません。無効の間の通話は、後で有効にしても連携されません。</source>
        <translation>Not linking. Calls arriving while disabled are never sent, even after enabling.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="359" />
        <source>録音連携ステータスの変更</source>
        <translation>Change link status</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="361" />
        <source>「{0}」の録音連携ステータスを無効にしますか?

無効の間に発生した通話は連携ジョブが作成されず、後で有効に戻してもSalesforceへ連携されません。一時停止中に保持された通話は、有効に戻したときに送信されます。</source>
        <translation>Disable linking for "{0}"?

Calls arriving while disabled get no link job and are never sent to Salesforce, even after you enable it again. Calls kept while paused are sent when you enable it.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/basic_tab.py" line="372" />
        <source>API利用許諾の変更がまだ保存されていません。先に「保存」をクリックしてください。</source>
        <translation>The API consent change is not saved yet. Click "Save" first.</translation>
    </message>
</context>
<context>
    <name>ChecklistDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="64" />
        <source>Salesforce側の設定チェックリスト</source>
        <translation>Salesforce setup checklist</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="79" />
        <source>録音の再生リンクを活動履歴に表示するため、Salesforceの「設定」で次の項目を作成してください。各項目の状態は最後に実行した設定確認の結果です。</source>
        <translation>To show the recording playback link on activities, create the following in Salesforce Setup. Each item's state comes from the last settings verification.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="86" />
        <source>連携設定:</source>
        <translation>Link setting:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="84" />
        <source>設定確認を実行</source>
        <translation>Verify now</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="85" />
        <source>Salesforceに接続して、この一覧の状態を更新します(書き込みは行いません)</source>
        <translation>Connects to Salesforce and updates the states in this list (nothing is written)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="89" />
        <source>1. 静的リソース(設定 → カスタムコード → 静的リソース)</source>
        <translation>1. Static resource (Setup → Custom Code → Static Resources)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="90" />
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="95" />
        <source>状態:</source>
        <translation>State:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="91" />
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="97" />
        <source>名前:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="92" />
        <source>ファイル:</source>
        <translation>File:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="92" />
        <source>録音再生ボタンに使う画像ファイル(お客様にてご用意ください)</source>
        <translation>The image used as the play button (you provide it)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="94" />
        <source>2. カスタム表示ラベル(設定 → ユーザインターフェース → カスタム表示ラベル)</source>
        <translation>2. Custom label (Setup → User Interface → Custom Labels)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="96" />
        <source>簡単な説明:</source>
        <translation>Short description:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="98" />
        <source>{value}(静的リソース speaker の「ファイルを表示」で開いたURLのパス)</source>
        <translation>{value} (the path of the URL opened by 'View file' on the static resource speaker)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="98" />
        <source>値:</source>
        <translation>Value:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="101" />
        <source>3. 活動のカスタム項目(オブジェクトマネージャ → 活動 → 項目とリレーション)</source>
        <translation>3. Activity custom fields (Object Manager → Activity → Fields &amp; Relationships)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="102" />
        <source>状態</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="102" />
        <source>項目の表示ラベル</source>
        <translation>Field label</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="102" />
        <source>データ型</source>
        <translation>Data type</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="103" />
        <source>項目名</source>
        <translation>Field name</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="103" />
        <source>API参照名</source>
        <translation>API name</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="120" />
        <source>4. 音声再生(WavUrlImg__c)の数式</source>
        <translation>4. Formula of the playback field (WavUrlImg__c)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="123" />
        <source>コピー</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="124" />
        <source>数式をクリップボードにコピーします</source>
        <translation>Copies the formula to the clipboard</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="128" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="144" />
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="144" />
        <source>要対応</source>
        <translation>Needs action</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="145" />
        <source>未確認</source>
        <translation>Not verified</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="145" />
        <source>設定確認を実行すると状態が表示されます</source>
        <translation>Run the settings verification to see the state</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="153" />
        <source>まだ設定確認を実行していません</source>
        <translation>Not verified yet</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="155" />
        <source>最終確認: {time}</source>
        <translation>Last verified: {time}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="179" />
        <source>コピーしました</source>
        <translation>Copied</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/checklist_dialog.py" line="186" />
        <source>確認しています…</source>
        <translation>Verifying…</translation>
    </message>
</context>
<context>
    <name>CloseDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/close_dialog.py" line="41" />
        <source>BIZTEL Desk を閉じる</source>
        <translation>Close BIZTEL Desk</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/close_dialog.py" line="42" />
        <source>ウィンドウを閉じると通話の連携も止まります。</source>
        <translation>Closing the window also stops linking calls.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/close_dialog.py" line="44" />
        <source>トレイに常駐すると、ウィンドウを閉じても連携を続けます(タスクトレイのアイコンから開けます)。PCの起動時から常に連携するには、システム設定 → バックグラウンド連携 でサービスとして登録してください。</source>
        <translation>Staying in the tray keeps linking after the window closes (open it again from the tray icon). To link at all times from the moment the PC starts, install the background service in System settings → Background linking.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/close_dialog.py" line="47" />
        <source>連携を止めて終了</source>
        <translation>Stop linking and quit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/close_dialog.py" line="48" />
        <source>トレイに常駐して連携を続ける</source>
        <translation>Stay in the tray and keep linking</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/close_dialog.py" line="49" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/close_dialog.py" line="54" />
        <source>次回から確認しない(この選択を記憶する)</source>
        <translation>Don't ask again (remember this choice)</translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <location filename="../../biztel_desk/ui/crash.py" line="77" />
        <source>予期しないエラー</source>
        <translation>Unexpected error</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/crash.py" line="77" />
        <source>予期しないエラーが発生しました。詳細はログに記録されました:
{0}

作業を続けられない場合はアプリを再起動し、このログを添えて開発元へお知らせください。</source>
        <translation>An unexpected error occurred. The details were logged to:
{0}

If you cannot continue, restart the app and send this log to the developers.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/crash.py" line="131" />
        <source>データベースを使用できません</source>
        <translation>The database cannot be used</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/crash.py" line="133" />
        <source>操作を完了できませんでした</source>
        <translation>The operation could not be completed</translation>
    </message>
</context>
<context>
    <name>DemoBanner</name>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="33" />
        <source>デモモード: 表示されているのはデモ用のデータです(Salesforceには接続していません)</source>
        <translation>Demo mode: what you see is demo data (not connected to Salesforce)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="35" />
        <source>通話は数秒ごとに自動で作成され、このPC内のデモ用Salesforce組織に活動履歴として連携されます。</source>
        <translation>A call is simulated every few seconds and linked as an activity in a demo Salesforce org running on this PC.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="38" />
        <location filename="../../biztel_desk/ui/demo_banner.py" line="67" />
        <source>実際のSalesforceに接続</source>
        <translation>Connect your Salesforce</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="39" />
        <source>デモを終了し、セットアップウィザードでお使いのSalesforceに接続します</source>
        <translation>End the demo and connect your Salesforce org with the setup wizard</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="53" />
        <source>{0} [デモ]</source>
        <translation>{0} [Demo]</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="69" />
        <source>デモを終了して、セットアップウィザードでお使いのSalesforceに接続します。

デモ用のデータ(通話履歴とデモ用のSalesforce組織)はすべて破棄され、BIZTEL Desk が通常のデータフォルダで起動し直します。続けますか?</source>
        <translation>This ends the demo and connects your Salesforce org with the setup wizard.

All demo data (the call history and the demo Salesforce org) is discarded, and BIZTEL Desk starts again on your normal data folder. Continue?</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="83" />
        <source>デモを起動できませんでした。もう一度お試しください。</source>
        <translation>The demo could not be started. Please try again.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/demo_banner.py" line="83" />
        <source>BIZTEL Desk を起動し直せませんでした。デモを閉じてから、BIZTEL Desk をもう一度起動してください。</source>
        <translation>BIZTEL Desk could not be restarted. Close the demo, then start BIZTEL Desk again.</translation>
    </message>
</context>
<context>
    <name>EditGuard</name>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="56" />
        <source>新しい連携設定</source>
        <translation>New link setting</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="61" />
        <source>未保存の変更</source>
        <translation>Unsaved changes</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="62" />
        <source>「{0}」の{1}に保存されていない変更があります。保存しますか?</source>
        <translation>"{0}" has unsaved changes on the {1} tab. Save them?</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="139" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="138" />
        <source>「{0}」の{1}に保存されていない変更があります。</source>
        <translation>"{0}" has unsaved changes on the {1} tab.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="137" />
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="140" />
        <source>設定確認は保存済みの設定をSalesforceで確認します。変更を保存してから確認しますか?</source>
        <translation>Verify checks the saved setting against Salesforce. Save the changes first, then verify?</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="142" />
        <source>保存して確認</source>
        <translation>Save and verify</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="143" />
        <source>保存せずに確認</source>
        <translation>Verify without saving</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/edit_guard.py" line="144" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="107" />
        <source>BIZTEL Desk をはじめる</source>
        <translation>Get started with BIZTEL Desk</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="110" />
        <source>戻る</source>
        <translation>Back</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="111" />
        <source>次へ</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="112" />
        <source>完了</source>
        <translation>Finish</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="113" />
        <location filename="../../biztel_desk/ui/wizard.py" line="161" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="157" />
        <source>セットアップウィザードを閉じる</source>
        <translation>Close the setup wizard</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="158" />
        <source>ウィザードを閉じますか?このページの入力は破棄されます。保存済みのアカウントと連携設定は残り、あとからヘルプメニューの「はじめに(セットアップウィザード)」で続けられます。</source>
        <translation>Close the wizard? What you typed on this page is discarded. The account and link setting already saved stay; continue later with Help → Getting started (setup wizard).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="160" />
        <source>破棄して閉じる</source>
        <translation>Discard and close</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../biztel_desk/ui/models/history_model.py" line="181" />
        <source>Salesforceで活動 {id} を開く</source>
        <translation>Open Task {id} in Salesforce</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/history_model.py" line="181" />
        <source>開く</source>
        <translation>Open</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="140" />
        <source>開始</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="142" />
        <source>終了</source>
        <translation>To</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="117" />
        <source>すべて</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="111" />
        <source>電話番号(どの書式でも)・ID・エージェント・内線</source>
        <translation>Phone number (any format), ID, agent, extension</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="119" />
        <source>失敗/要対応</source>
        <translation>Failed / needs attention</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="120" />
        <source>失敗した通話とリトライ待ちの通話だけを表示します</source>
        <translation>Shows only the calls that failed or wait to be retried</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="123" />
        <source>表示項目</source>
        <translation>Columns</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="129" />
        <source>初期表示に戻す</source>
        <translation>Reset to default</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="132" />
        <source>すべての期間</source>
        <translation>All dates</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="132" />
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="132" />
        <source>昨日</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="133" />
        <source>過去7日間</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="133" />
        <source>今月</source>
        <translation>This month</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="133" />
        <source>先月</source>
        <translation>Last month</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="134" />
        <source>期間を指定</source>
        <translation>Custom range</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="149" />
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="332" />
        <source>今すぐ再試行</source>
        <translation>Retry now</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="150" />
        <source>選択した失敗・リトライ待ちの通話をすぐに送り直します</source>
        <translation>Send the selected failed or retrying calls again now</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="151" />
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="420" />
        <source>CSVエクスポート</source>
        <translation>Export CSV</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="152" />
        <source>絞り込んだすべての行を、表示中の項目でCSVに書き出します</source>
        <translation>Write every filtered row, with the visible columns, to a CSV file</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="183" />
        <source>最初のページ</source>
        <translation>First page</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="177" />
        <source>前へ</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="181" />
        <source>次へ</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="184" />
        <source>最後のページ</source>
        <translation>Last page</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="189" />
        <source>連携通話履歴はまだありません。</source>
        <translation>No linked calls yet.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="192" />
        <source>絞り込み</source>
        <translation>Filter</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="194" />
        <source>通話開始日時</source>
        <translation>Call start</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="293" />
        <source>このコンピュータで既定のブラウザを開けませんでした。URLをコピーして、ブラウザのアドレス欄に貼り付けてください。</source>
        <translation>The default browser could not be opened on this computer. Copy the URL and paste it into your browser's address bar.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="294" />
        <source>ブラウザを開けませんでした</source>
        <translation>Could not open the browser</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="297" />
        <source>コピー</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="328" />
        <source>行をコピー</source>
        <translation>Copy row</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="329" />
        <source>番号をコピー</source>
        <translation>Copy number</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="334" />
        <source>この番号の通話</source>
        <translation>Calls with this number</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="344" />
        <source>CSVに書き出しています…</source>
        <translation>Exporting CSV…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="420" />
        <source>CSVファイル (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="359" />
        <source>CSVを書き出せませんでした: {error}</source>
        <translation>Could not write the CSV: {error}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="353" />
        <source>{rows:,}件をCSVに書き出しました: {path}</source>
        <translation>Exported {rows:,} rows to {path}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="379" />
        <source>再試行できませんでした: {error}</source>
        <translation>Could not retry: {error}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="373" />
        <source>{count}件を再試行の待機中にしました</source>
        <translation>{count} call(s) are waiting to be sent again</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="449" />
        <source>履歴を読み込めませんでした: {error}</source>
        <translation>Could not read the history: {error}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="458" />
        <source>約{count:,}</source>
        <translation>about {count:,}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="460" />
        <source>{first:,}–{last:,} / {total}件</source>
        <translation>{first:,}–{last:,} of {total}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="325" />
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="500" />
        <source>開く</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/history_tab.py" line="192" />
        <source>状態</source>
        <translation>State</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="167" />
        <source>通話履歴を取り込む</source>
        <translation>Import call history</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="181" />
        <source>CSV / TSV ファイルを選ぶか、ここにドロップしてください</source>
        <translation>Choose CSV / TSV files or drop them here</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="183" />
        <source>ファイルを選択…</source>
        <translation>Choose files…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="184" />
        <source>自動判定</source>
        <translation>Detect automatically</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="185" />
        <source>汎用(列の対応付け)</source>
        <translation>Generic (column mapping)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="184" />
        <source>自動</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="192" />
        <source>ファイル</source>
        <translation>Files</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="194" />
        <source>文字コード</source>
        <translation>Encoding</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="193" />
        <source>プリセット</source>
        <translation>Preset</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="203" />
        <source>プレビュー(先頭{count}行)</source>
        <translation>Preview (first {count} rows)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="210" />
        <source>空欄: YYYY-MM-DD HH:MM:SS / YYYY/MM/DD HH:MM:SS / ISO 8601</source>
        <translation>Empty: YYYY-MM-DD HH:MM:SS / YYYY/MM/DD HH:MM:SS / ISO 8601</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="211" />
        <source>日時の書式を strptime の形式で指定します(例: %Y年%m月%d日 %H:%M)。</source>
        <translation>The date format in strptime notation (e.g. %d.%m.%Y %H:%M).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="213" />
        <source>読込…</source>
        <translation>Load…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="214" />
        <source>保存…</source>
        <translation>Save…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="220" />
        <source>日時の書式</source>
        <translation>Date format</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="218" />
        <source>各項目に、ファイルのどの列を使うかを選んでください。* の項目は必須です(発信電話番号と着信電話番号はどちらか一方でも取り込めます)。</source>
        <translation>Choose the file's column for each field. Fields marked * are required (one of From number and To number is enough).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="227" />
        <source>%v行 処理済み</source>
        <translation>%v rows read</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="245" />
        <source>不正な行をコピー</source>
        <translation>Copy rejected rows</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="252" />
        <source>列の対応付け</source>
        <translation>Column mapping</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="253" />
        <source>取り込み結果</source>
        <translation>Import result</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="257" />
        <source>取り込む</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="259" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="358" />
        <source>取り込む通話履歴ファイル</source>
        <translation>Call history files to import</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="359" />
        <source>通話履歴 (*.csv *.tsv *.txt);;すべてのファイル (*)</source>
        <translation>Call history (*.csv *.tsv *.txt);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="375" />
        <source>列の対応を読み込む</source>
        <translation>Load a column mapping</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="375" />
        <source>列の対応 (*.json *.toml);;すべてのファイル (*)</source>
        <translation>Column mapping (*.json *.toml);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="385" />
        <source>列の対応を保存</source>
        <translation>Save the column mapping</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="385" />
        <source>JSON (*.json);;TOML (*.toml)</source>
        <translation>JSON (*.json);;TOML (*.toml)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="403" />
        <source>データベースに書き込めませんでした: {reason}
ここまでに取り込んだ通話はそのまま残ります。もう一度取り込んでも重複しません。</source>
        <translation>Could not write to the database: {reason}
The calls imported so far are kept. Importing again creates no duplicates.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="485" />
        <source>予期しないエラーが発生しました</source>
        <translation>An unexpected error occurred</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="426" />
        <source>このファイルにない列: {columns}</source>
        <translation>Columns not in this file: {columns}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="439" />
        <source>列の対応を保存できません: {path}: {reason}</source>
        <translation>Cannot save the column mapping: {path}: {reason}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="442" />
        <source>列の対応を保存しました: {path}</source>
        <translation>Column mapping saved: {path}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="524" />
        <source>取り込み {count}件</source>
        <translation>Imported {count}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="525" />
        <source>登録済み {count}件</source>
        <translation>Already known {count}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="526" />
        <source>不正 {count}行</source>
        <translation>Rejected {count}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="554" />
        <source>(取り込まない)</source>
        <translation>(not imported)</translation>
    </message>
</context>
<context>
    <name>IngestDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="115" />
        <source>通話の取り込み元</source>
        <translation>Call sources</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="152" />
        <source>フォルダを監視して、置かれたファイルを取り込む</source>
        <translation>Watch a folder and import the files dropped there</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="153" />
        <source>例: D:\PBX\cdr</source>
        <translation>e.g. D:\PBX\cdr</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="154" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="158" />
        <source>参照…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="162" />
        <source>フォルダ</source>
        <translation>Folder</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="163" />
        <source>取り込んだファイルはこのフォルダの done/ に、取り込めなかったファイルは failed/ に移し、結果を「ファイル名.report.txt」として隣に書きます。同じ内容のファイルは二度取り込みません。書き込み中のファイルは、大きさが変わらなくなってから取り込みます。</source>
        <translation>Imported files are moved to done/ in this folder, files that could not be imported to failed/, each with its result as "file name.report.txt" next to it. A file with the same content is never imported twice. A file still being written is taken once its size stops changing.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="155" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="211" />
        <source>自動判別</source>
        <translation>Detect</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="156" />
        <source>汎用(列の対応付け)</source>
        <translation>Generic (column mapping)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="167" />
        <source>文字コード</source>
        <translation>Encoding</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="166" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="232" />
        <source>形式</source>
        <translation>Schema</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="157" />
        <source>空欄: BIZTELの発着信履歴CSV</source>
        <translation>Empty: BIZTEL's call history CSV</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="168" />
        <source>列の対応付け</source>
        <translation>Column mapping</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="426" />
        <source>空欄: システム設定のタイムゾーン</source>
        <translation>Empty: the system setting's time zone</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="170" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="198" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="234" />
        <source>PBXの時刻</source>
        <translation>PBX time zone</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="171" />
        <source>PBXがファイルに書く時刻のタイムゾーン(例: Asia/Tokyo、3CXは UTC)。表示のタイムゾーンとは別です。</source>
        <translation>The time zone the PBX writes its times in (e.g. Asia/Tokyo; 3CX: UTC). Separate from the zone times are shown in.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="172" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="204" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="239" />
        <source>状態</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="176" />
        <source>PBXやスクリプトから HTTP で通話を受け付ける</source>
        <translation>Accept calls over HTTP from a PBX or a script</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="196" />
        <source>ポート</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="196" />
        <source>ホスト</source>
        <translation>Host</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="199" />
        <source>タイムゾーンのない時刻を読むときのタイムゾーン(例: Asia/Tokyo、UTC)。</source>
        <translation>The time zone of times sent without one (e.g. Asia/Tokyo, UTC).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="180" />
        <source>このPC以外からも接続できるようになります。トークンはヘッダーで送られるため、TLSのリバースプロキシなどで通信を保護してください。</source>
        <translation>Other computers will be able to connect too. The token travels in a header, so protect the connection (e.g. a reverse proxy with TLS).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="183" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="423" />
        <source>生成…</source>
        <translation>Generate…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="200" />
        <source>トークン</source>
        <translation>Token</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="185" />
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="335" />
        <source>コピー</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="186" />
        <source>このトークンは今だけ表示されます。閉じると二度と表示できません。コピーして送信側(Authorization: Bearer ヘッダー)に設定してください。</source>
        <translation>This token is shown now only: once this dialog closes it cannot be shown again. Copy it into the sender's settings (Authorization: Bearer header).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="202" />
        <source>送信先URL</source>
        <translation>Endpoint URL</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="203" />
        <source>送信例 (curl)</source>
        <translation>Example (curl)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="135" />
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="136" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="270" />
        <source>このウィンドウでは取り込み元を実行していません。</source>
        <translation>This window does not run the call sources.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="280" />
        <source>ネットワークでの待ち受けの確認</source>
        <translation>Confirm listening on the network</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="305" />
        <source>保存できませんでした。赤いメッセージを確認してください。</source>
        <translation>Not saved. Check the messages in red.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="318" />
        <source>設定は保存しましたが、開始できなかった取り込み元があります。「状態」を確認してください。</source>
        <translation>Saved, but a call source could not start. See its State.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="324" />
        <source>トークンの生成</source>
        <translation>Generate token</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="325" />
        <source>新しいトークンを生成すると、今のトークンは使えなくなります。送信側の設定も変更が必要です。生成しますか?</source>
        <translation>A new token replaces the current one, which stops working; the sender's settings must be changed too. Generate a new token?</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="331" />
        <source>OSのキーリングに保存できません: {0}</source>
        <translation>Cannot store it in the OS keyring: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="342" />
        <source>コピーしました</source>
        <translation>Copied</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="345" />
        <source>監視するフォルダ</source>
        <translation>Folder to watch</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="351" />
        <source>列の対応付けファイル</source>
        <translation>Column mapping file</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="351" />
        <source>列の対応 (*.json *.toml);;すべてのファイル (*)</source>
        <translation>Column mappings (*.json *.toml);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="226" />
        <source>PBXのCDRデータベース</source>
        <translation>PBX CDR database</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="208" />
        <source>PBXのCDRデータベースから通話を読み取る(FreePBX・Issabel・Asterisk)</source>
        <translation>Read calls from the PBX's CDR database (FreePBX, Issabel, Asterisk)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="227" />
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="228" />
        <source>MariaDB/MySQL: mysql://ユーザー@ホスト:3306/asteriskcdrdb、PostgreSQL: postgresql://ユーザー@ホスト:5432/データベース。読み取り専用で接続し、PBXのデータベースには書き込みません。パスワードはURLに含めず、下の欄に入力してください。</source>
        <translation>MariaDB/MySQL: mysql://user@host:3306/asteriskcdrdb; PostgreSQL: postgresql://user@host:5432/database. The connection is read-only: nothing is ever written to the PBX's database. Do not put the password in the URL; enter it below.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="231" />
        <source>テーブル</source>
        <translation>Table</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="233" />
        <source>パスワード</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="235" />
        <source>PBXがテーブルに書く時刻のタイムゾーン(例: Asia/Tokyo)。</source>
        <translation>The time zone of the times the PBX writes in the table (e.g. Asia/Tokyo).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="215" />
        <source>選択してください</source>
        <translation>Choose</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="215" />
        <source>今から</source>
        <translation>From now</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="216" />
        <source>過去の通話も取り込む</source>
        <translation>Also the past calls</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="220" />
        <source> 日分</source>
        <translation> days</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="236" />
        <source>最初の取り込み</source>
        <translation>First run</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="222" />
        <source>接続テスト</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="279" />
        <source>{0} で待ち受けますか?</source>
        <translation>Listen on {0}?</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="382" />
        <source>保存済み(変更するときだけ入力)</source>
        <translation>Saved (enter only to change it)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="382" />
        <source>未保存</source>
        <translation>Not saved</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="385" />
        <source>このテーブルは読み取り済みの位置から続けます(「最初の取り込み」は使いません)。</source>
        <translation>This table is read on from the stored position (First run is not used).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="386" />
        <source>初めて読み取るときに、どこから取り込むかを選んでください。</source>
        <translation>Choose where reading starts the first time.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="396" />
        <source>接続しています…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="417" />
        <source>OSのキーリングを使えません</source>
        <translation>The OS keyring cannot be used</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="421" />
        <source>生成済み(OSのキーリングに保存)</source>
        <translation>Generated (stored in the OS keyring)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="423" />
        <source>再生成…</source>
        <translation>Regenerate…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/ingest_dialog.py" line="421" />
        <source>未生成: HTTP受信にはトークンが必要です</source>
        <translation>None yet: HTTP ingest needs a token</translation>
    </message>
</context>
<context>
    <name>LogViewerDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="25" />
        <source>ログ</source>
        <translation>Log</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="28" />
        <source>すべて</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="28" />
        <source>情報以上</source>
        <translation>Info and above</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="28" />
        <source>警告以上</source>
        <translation>Warnings and above</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="29" />
        <source>エラーのみ</source>
        <translation>Errors only</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="32" />
        <source>含む文字で絞り込み</source>
        <translation>Filter by text</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="34" />
        <source>再読み込み</source>
        <translation>Reload</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="44" />
        <source>レベル:</source>
        <translation>Level:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="40" />
        <source>コピー</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="41" />
        <source>フォルダを開く</source>
        <translation>Open folder</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="37" />
        <source>ログフォルダ: {0}</source>
        <translation>Log folder: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="54" />
        <source>読み込み中…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="65" />
        <source>ログを読み込めません: {0}</source>
        <translation>Cannot read the log: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="78" />
        <source>ログはまだありません。</source>
        <translation>There is no log yet.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/log_viewer.py" line="80" />
        <source>{0} 件を表示(全 {1} 件)</source>
        <translation>Showing {0} of {1} entries</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="113" />
        <source>BIZTEL Desk — Salesforce履歴録音連携</source>
        <translation>BIZTEL Desk — Salesforce call history &amp; recording link</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="143" />
        <source>基本情報</source>
        <translation>Basic info</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="143" />
        <source>オブジェクト</source>
        <translation>Objects</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="144" />
        <source>連携対象</source>
        <translation>Link targets</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="144" />
        <source>連携通話履歴</source>
        <translation>Linked calls</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="170" />
        <source>連携設定</source>
        <translation>Link settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="163" />
        <source>新規</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="164" />
        <source>新しい連携設定を作成します</source>
        <translation>Create a new link setting</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="165" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="166" />
        <source>選択した連携設定を削除します</source>
        <translation>Delete the selected link setting</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="201" />
        <source>ファイル(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="186" />
        <source>通話履歴を取り込む(&amp;I)…</source>
        <translation>&amp;Import call history…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="188" />
        <source>終了(&amp;X)</source>
        <translation>E&amp;xit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="202" />
        <source>設定(&amp;S)</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="190" />
        <source>Salesforceアカウント(&amp;A)…</source>
        <translation>Salesforce &amp;accounts…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="191" />
        <source>システム設定(&amp;Y)…</source>
        <translation>S&amp;ystem settings…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="194" />
        <source>Salesforce側チェックリスト(&amp;C)…</source>
        <translation>Salesforce-side &amp;Checklist…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="193" />
        <source>通話の取り込み元(&amp;R)…</source>
        <translation>Call sou&amp;rces…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="196" />
        <source>Salesforce側の自動設定(&amp;O)…</source>
        <translation>Salesforce-side setup (&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="204" />
        <source>ヘルプ(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="197" />
        <source>はじめに(セットアップウィザード)(&amp;W)…</source>
        <translation>Getting Started (Setup &amp;Wizard)…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="198" />
        <source>ログを表示(&amp;L)…</source>
        <translation>Show &amp;log…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="199" />
        <source>バージョン情報(&amp;A)</source>
        <translation>&amp;About</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="213" />
        <source>ブラウザでログイン…</source>
        <translation>Sign in with the browser…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="247" />
        <location filename="../../biztel_desk/ui/main_window.py" line="308" />
        <source>停止中</source>
        <translation>stopped</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="264" />
        <location filename="../../biztel_desk/ui/main_window.py" line="272" />
        <source>連携ワーカー</source>
        <translation>Link worker</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="253" />
        <location filename="../../biztel_desk/ui/main_window.py" line="670" />
        <source>開始</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="254" />
        <source>連携を開始します(休止中なら再開します)</source>
        <translation>Start linking (resumes when suspended)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="255" />
        <source>休止</source>
        <translation>Suspend</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="257" />
        <source>送信中のバッチを終えてから送信を休止します</source>
        <translation>Finishes the batch being sent, then suspends sending</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="310" />
        <source>休止中</source>
        <translation>Suspended</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="444" />
        <source> — 要対応: {0}</source>
        <translation> — Needs attention: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="681" />
        <source>休止しています…</source>
        <translation>Suspending…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="683" />
        <source>送信中… 連携済み {0} / 待機 {1}</source>
        <translation>Sending… linked {0} / waiting {1}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="861" />
        <source>連携ワーカーが休止中のため、まだ送信しません。再開すると送信します。</source>
        <translation>The link worker is suspended, so nothing is sent yet; it is sent when you resume.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="258" />
        <source>停止</source>
        <translation>Stop</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="260" />
        <source>送信中のバッチを終えてからワーカーを終了します</source>
        <translation>Finish the batch being sent, then end the worker</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="239" />
        <source>すべての連携設定の連携ジョブ数(左は選択中の連携設定の件数)</source>
        <translation>Link jobs of every link setting (the counts on the left are the selected setting's)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="470" />
        <source>この設定はこのPCの別のプロセス(PID {0})が連携中</source>
        <translation>Another process on this PC (PID {0}) is linking this setting</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="472" />
        <source>この設定は {0} が連携中</source>
        <translation>{0} is linking this setting</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="475" />
        <source>最後の応答は{0}秒前です。その間、この画面のワーカーはこの設定を送信しません。相手が止まるか接続が切れると、数秒で引き継ぎます。</source>
        <translation>Its last heartbeat was {0} s ago. Meanwhile this window's worker sends nothing for this setting; it takes over within seconds once the other one stops or loses its connection.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="240" />
        <source>Salesforceの1日のAPI要求数(使用数 / 上限)</source>
        <translation>Salesforce daily API requests (used / limit)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="301" />
        <source>ワーカー: {0}</source>
        <translation>Worker: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="308" />
        <source>サービスが停止中</source>
        <translation>service stopped</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="308" />
        <source>バックグラウンド連携(このPCのサービス)は停止中</source>
        <translation>Background linking (this PC's service) is stopped</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="309" />
        <source>実行中</source>
        <translation>Running</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="309" />
        <source>サービスが連携中</source>
        <translation>service linking</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="309" />
        <source>バックグラウンド連携(このPCのサービス)が連携中</source>
        <translation>Background linking (this PC's service) is linking</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="310" />
        <source>サービスが休止中</source>
        <translation>service suspended</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="310" />
        <source>バックグラウンド連携(このPCのサービス)は休止中</source>
        <translation>Background linking (this PC's service) is suspended</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="311" />
        <source>API上限待ち</source>
        <translation>Waiting for the API limit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="311" />
        <source>サービスがAPI上限待ち</source>
        <translation>service waiting for the API limit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="312" />
        <source>バックグラウンド連携(このPCのサービス)はAPI上限待ち</source>
        <translation>Background linking (this PC's service) is waiting for the API limit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="313" />
        <source>エラー</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="313" />
        <source>サービスでエラー</source>
        <translation>service error</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="313" />
        <source>バックグラウンド連携(このPCのサービス)でエラー</source>
        <translation>Background linking (this PC's service) has an error</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="400" />
        <source>{0} — 録音連携ステータス: {1}</source>
        <translation>{0} — link status: {1}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="468" />
        <source>この設定はバックグラウンド連携(このPCのサービス)が連携中</source>
        <translation>This setting is linked by background linking (this PC's service)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="485" />
        <source>新しい連携設定(未保存)</source>
        <translation>New link setting (not saved)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="486" />
        <source>連携設定が選択されていません</source>
        <translation>No link setting selected</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="489" />
        <source>録音連携ステータス: {0}</source>
        <translation>Link status: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="493" />
        <source>この設定: {0}</source>
        <translation>This setting: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="540" />
        <location filename="../../biztel_desk/ui/main_window.py" line="541" />
        <location filename="../../biztel_desk/ui/main_window.py" line="681" />
        <source>停止しています…</source>
        <translation>Stopping…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="624" />
        <source>バックグラウンド連携へ指示を送れませんでした。{0}</source>
        <translation>Could not send the request to background linking. {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="632" />
        <source>{0}(最終応答 {1}秒前)</source>
        <translation>{0} (last heartbeat {1} s ago)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="634" />
        <source>サービスへの指示を送りました。数秒で反映されます。</source>
        <translation>Sent to the service; it takes effect within a few seconds.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="655" />
        <source>バックグラウンド連携(このPCのサービス)が停止しました。この画面で連携するには「開始」を押してください。</source>
        <translation>Background linking (this PC's service) has stopped. Press Start to link in this window.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="670" />
        <source>再開</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="658" />
        <source>全体: {0}</source>
        <translation>All: {0}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="660" />
        <source>API: —</source>
        <translation>API: —</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="663" />
        <source>API: {0} / {1} ({2}%)</source>
        <translation>API: {0} / {1} ({2}%)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="682" />
        <source>送信するものはありません</source>
        <translation>Nothing to send</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="684" />
        <source>{0} — 待機 {1}</source>
        <translation>{0} — waiting {1}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="758" />
        <location filename="../../biztel_desk/ui/main_window.py" line="771" />
        <source>連携設定の削除</source>
        <translation>Delete link setting</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="760" />
        <source>連携設定「{0}」を削除しますか?

オブジェクト、連携対象、連携通話履歴もすべて削除されます。この操作は元に戻せません(Salesforceに作成済みの活動履歴は削除されません)。</source>
        <translation>Delete the link setting "{0}"?

Its objects, link targets and linked call history are deleted too. This cannot be undone (activities already in Salesforce are kept).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="860" />
        <source>連携が停止中のため、まだ送信しません。連携を開始すると送信します。</source>
        <translation>Linking is stopped, so nothing is sent yet; it is sent when linking starts.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="862" />
        <source>APIの使用量が上限に近いため、使用量が回復するまで送信を待ちます。</source>
        <translation>The API usage is near its limit: sending waits until the usage recovers.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="870" />
        <source>バージョン情報</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/main_window.py" line="872" />
        <source>&lt;h3&gt;BIZTEL Desk {0}&lt;/h3&gt;&lt;p&gt;BIZTELなどのPBXの通話履歴と通話録音を、Salesforceの活動履歴に連携する管理ツールです。&lt;/p&gt;&lt;p&gt;データフォルダ: {1}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;BIZTEL Desk {0}&lt;/h3&gt;&lt;p&gt;An admin tool that links call history and recordings of BIZTEL and other PBXs to Salesforce activities.&lt;/p&gt;&lt;p&gt;Data folder: {1}&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../biztel_desk/ui/notifier.py" line="92" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>ObjectsModel</name>
    <message>
        <location filename="../../biztel_desk/ui/models/objects_model.py" line="37" />
        <source>API参照名</source>
        <translation>API name</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/objects_model.py" line="37" />
        <source>タブ名</source>
        <translation>Tab name</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/objects_model.py" line="37" />
        <source>タブコード</source>
        <translation>Tab code</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/objects_model.py" line="37" />
        <source>優先順位</source>
        <translation>Priority</translation>
    </message>
</context>
<context>
    <name>ObjectsTab</name>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="46" />
        <source>追加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="47" />
        <source>編集</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="48" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="49" />
        <source>上へ</source>
        <translation>Up</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="50" />
        <source>下へ</source>
        <translation>Down</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="52" />
        <source>着信・発信の相手の電話番号を検索するSalesforceのオブジェクトです。優先順位の小さいものから検索し、タブコードにはレコードIDの先頭3文字(例: 取引先 001、取引先責任者 003、リード 00Q)を入力します。セルをダブルクリックすると編集できます。</source>
        <translation>The Salesforce objects searched for the other party's number, lowest priority number first. The tab code is the first 3 characters of the object's record Ids (e.g. Account 001, Contact 003, Lead 00Q). Double-click a cell to edit it.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="57" />
        <source>注意: 連携に使うSalesforceアカウントがリード(Lead)にアクセスできない場合は、必ずLeadの行を削除してください。</source>
        <translation>Note: if the Salesforce account used for linking cannot access Lead, you must delete the Lead row.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="113" />
        <source>タブコードをSalesforceのキープレフィックスと照合できませんでした({0})。接続できるようになったら「設定確認」で確認してください。</source>
        <translation> The tab codes could not be compared with Salesforce's key prefixes ({0}). Run Verify once Salesforce can be reached.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="119" />
        <source>保存できませんでした。タブコードを修正してください。</source>
        <translation>Not saved. Correct the tab codes.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="140" />
        <source>保存できませんでした。赤い項目を確認してください。</source>
        <translation>Not saved. Check the cells marked in red.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/objects_tab.py" line="161" />
        <source>タブコードをSalesforceのキープレフィックスと照合しています…</source>
        <translation>Comparing the tab codes with Salesforce's key prefixes…</translation>
    </message>
</context>
<context>
    <name>PreviewModel</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="113" />
        <source>この列は取り込みません</source>
        <translation>This column is not imported</translation>
    </message>
</context>
<context>
    <name>RejectedRowsModel</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="143" />
        <source>ファイル</source>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="143" />
        <source>行</source>
        <translation>Line</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/import_dialog.py" line="143" />
        <source>理由</source>
        <translation>Reason</translation>
    </message>
</context>
<context>
    <name>RelinkDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/relink_dialog.py" line="30" />
        <source>過去の通話の連携</source>
        <translation>Link past calls</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/relink_dialog.py" line="33" />
        <source>この変更で、保持期間内に取り込み済みの通話 {0}件が連携できるようになりました。今Salesforceに連携しますか?</source>
        <translation>With this change, {0} calls already imported (inside the retention period) can be linked. Link them to Salesforce now?</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/relink_dialog.py" line="36" />
        <source>・{number}: {count}件</source>
        <translation>• {number}: {count}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/relink_dialog.py" line="41" />
        <source>連携済みの通話は二重に連携されません。「今はしない」を選んでも、後でコマンド biztel-desk relink で連携できます。</source>
        <translation>Calls already linked are never linked twice. If you choose "Not now", you can link them later with the command biztel-desk relink.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/relink_dialog.py" line="45" />
        <source>連携する</source>
        <translation>Link</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/relink_dialog.py" line="46" />
        <source>今はしない</source>
        <translation>Not now</translation>
    </message>
</context>
<context>
    <name>SettingFields</name>
    <message>
        <location filename="../../biztel_desk/ui/setting_fields.py" line="41" />
        <source>電話番号が複数一致した場合や一致しない場合の紐付け先です。レコードのID、またはレコードを開いたときのURLを貼り付けてください。</source>
        <translation>Where calls are linked when several records or none match. Paste the record's Id or the URL of the open record.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/setting_fields.py" line="53" />
        <source>抽出したID: {0}</source>
        <translation>Extracted Id: {0}</translation>
    </message>
</context>
<context>
    <name>SettingTable</name>
    <message>
        <location filename="../../biztel_desk/ui/setting_tables.py" line="316" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/setting_tables.py" line="317" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/setting_tables.py" line="334" />
        <source>保存しました。</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/setting_tables.py" line="345" />
        <source>{row}行目: {message}</source>
        <translation>Row {row}: {message}</translation>
    </message>
</context>
<context>
    <name>SetupOrgDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="205" />
        <source>Salesforce側の自動設定 — {name}</source>
        <translation>Salesforce-side setup — {name}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="210" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="224" />
        <source>Salesforce側の自動設定</source>
        <translation>Salesforce-side setup</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="225" />
        <source>連携設定を選んでから実行してください。</source>
        <translation>Choose a link setting first, then run it.</translation>
    </message>
</context>
<context>
    <name>SetupOrgPanel</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="57" />
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="78" />
        <source>Salesforceの設定を読み込んでいます…</source>
        <translation>Reading the Salesforce setup…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="59" />
        <source>状態</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="59" />
        <source>項目</source>
        <translation>Item</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="59" />
        <source>理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="66" />
        <source>再読み込み</source>
        <translation>Reload</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="67" />
        <source>Salesforceの設定を読み直して計画を作り直します</source>
        <translation>Reads the Salesforce setup again and rebuilds the plan</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="68" />
        <source>適用…</source>
        <translation>Apply…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="69" />
        <source>作成の行をSalesforceに作成します(確認のあと)</source>
        <translation>Creates the Create lines in Salesforce (after a confirmation)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="117" />
        <source>Salesforce側の自動設定</source>
        <translation>Salesforce-side setup</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="119" />
        <source>作成する</source>
        <translation>Create</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="120" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="139" />
        <source>作成しています…</source>
        <translation>Creating…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="155" />
        <source>作成しました。設定確認を実行しています…</source>
        <translation>Created. Running the settings verification…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="159" />
        <source>設定確認: {result}</source>
        <translation>Settings verification: {result}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="161" />
        <source>設定確認で問題が見つかりました:</source>
        <translation>The settings verification found problems:</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="169" />
        <source>作成済み</source>
        <translation>Created</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/setup_org_dialog.py" line="171" />
        <source>作成しています… ({done}/{total}) {item}</source>
        <translation>Creating… ({done}/{total}) {item}</translation>
    </message>
</context>
<context>
    <name>SystemDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="61" />
        <source>システム設定</source>
        <translation>System settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="72" />
        <source> 日</source>
        <translation> days</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="73" />
        <source> 件</source>
        <translation> rows</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="75" />
        <source>システムの設定 ({zone})</source>
        <translation>System setting ({zone})</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="85" />
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="89" />
        <source> 分</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="86" />
        <source> 回</source>
        <translation> times</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="94" />
        <source>実行する</source>
        <translation>Run them</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="123" />
        <source> 時間</source>
        <translation> h</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="69" />
        <source>履歴</source>
        <translation>History</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="70" />
        <source>履歴保持期間</source>
        <translation>Retention period</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="71" />
        <source>1〜180日。これより古い通話と連携履歴は自動的に削除されます(Salesforceの活動履歴は残りますが、録音は再生できなくなる場合があります)。</source>
        <translation>1–180 days. Older calls and link history are deleted automatically (Salesforce activities stay, but their recordings may no longer play).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="73" />
        <source>表示件数</source>
        <translation>Page size</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="73" />
        <source>連携通話履歴の1ページの件数です。</source>
        <translation>Rows per page of the linked call history.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="74" />
        <source>タイムゾーン</source>
        <translation>Time zone</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="74" />
        <source>空欄のときはこのコンピュータの設定を使います。</source>
        <translation>Empty: this computer's time zone.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="76" />
        <source>既定の国・地域</source>
        <translation>Default region</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="77" />
        <source>市外局番から始まる電話番号をこの国の番号として扱います(例: JP)。</source>
        <translation>Numbers written with an area code are taken as numbers of this country (e.g. JP).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="78" />
        <source>通話の確定待ち</source>
        <translation>Wait for a call's last leg</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="79" />
        <source>監視フォルダとHTTPで受け取った通話は、最後の区間(レッグ)が届いてからこの秒数だけ待って連携します。0ですぐに連携します。</source>
        <translation>Calls from the watched folder and HTTP are linked only this many seconds after their last leg (part) arrived. 0 links them at once.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="81" />
        <source>外線発信番号</source>
        <translation>Outside-line prefix</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="82" />
        <source>電話機が外線の前にダイヤルする番号(例: 0)。発信先の番号から取り除きます。</source>
        <translation>What the phones dial before an outside number (e.g. 0). It is removed from dialled numbers.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="98" />
        <source>録音再生</source>
        <translation>Recording playback</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="99" />
        <source>録音再生時の認証</source>
        <translation>Playback authentication</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="100" />
        <source>変更はこれ以降に作成する活動履歴にだけ反映されます。作成済みの活動履歴の動作は変わりません。</source>
        <translation>A change only affects activities written from now on; existing activities keep their behaviour.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="101" />
        <source>録音サーバURL</source>
        <translation>Recording server URL</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="102" />
        <source>録音再生URLテンプレート</source>
        <translation>Recording link template</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="103" />
        <source>BIZTELは初期値のままにします。ほかのPBXは {names} {{start:%Y/%m/%d}} で録音のURLを組み立てます。未応答の通話と録音のない通話にはリンクを付けません。</source>
        <translation>Keep the default for BIZTEL. For another PBX, build the recording's URL from {names} {{start:%Y/%m/%d}}. Unanswered calls and calls without a recording get no link.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="84" />
        <source>検索リトライ</source>
        <translation>Search retries</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="85" />
        <source>リトライ間隔</source>
        <translation>Retry interval</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="86" />
        <source>リトライ回数上限</source>
        <translation>Maximum retries</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="107" />
        <source>活動履歴の件名</source>
        <translation>Activity subject</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="108" />
        <source>件名テンプレート(着信)</source>
        <translation>Subject template (inbound)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="109" />
        <source>件名テンプレート(発信)</source>
        <translation>Subject template (outbound)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="110" />
        <source>使える差し込み項目: {names}</source>
        <translation>Placeholders: {names}</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="112" />
        <source>API使用率しきい値</source>
        <translation>API usage thresholds</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="113" />
        <source>任意のAPI呼び出しを停止</source>
        <translation>Stop optional API calls above</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="114" />
        <source>1日のAPI上限に対する使用率です。</source>
        <translation>Share of the org's daily API limit.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="118" />
        <source>一致しない番号があるときの再確認間隔</source>
        <translation>Re-check when a number has no match</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="119" />
        <source>一致するレコードがない番号は、索引がこの秒数より古ければ変更分だけ更新して探し直します(数秒前に作成されたレコードにも一致します)。0で再確認しません。</source>
        <translation>A number with no matching record is searched again after refreshing the index with the latest changes, when the index is older than this many seconds (so records created seconds ago match). 0 turns this off.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="121" />
        <source>電話番号インデックスの全件読み直し間隔</source>
        <translation>Phone index full reconcile interval</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="122" />
        <source>この間隔ごと(および起動後の最初の送信時に前回から経っていれば)索引を全件読み直し、完全に削除されたレコードや参照できなくなったレコードを索引から外します。</source>
        <translation>At this interval (and at the first send after start-up when the last one is older) the whole index is read again, which removes records purged from Salesforce or no longer visible to the user.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="91" />
        <source>Salesforceへの書き込み</source>
        <translation>Writing to Salesforce</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="92" />
        <source>割り当てルール</source>
        <translation>Assignment rules</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="93" />
        <source>オフのとき、作成するケースとリードに組織の割り当てルールを適用しません(所有者は連携ユーザのままです)。オンにすると有効な割り当てルールで所有者が決まります。</source>
        <translation>When off, the Cases and Leads the app creates do not run the org's assignment rules (the integration user stays the owner). When on, the active assignment rule decides the owner.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="140" />
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="141" />
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="151" />
        <source>設定</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="152" />
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="197" />
        <source>バックグラウンド連携</source>
        <translation>Background linking</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="188" />
        <source>保存できませんでした。赤い項目を確認してください。</source>
        <translation>Not saved. Check the fields marked in red.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="201" />
        <source>この画面を閉じても、OSの起動時から通話を連携し続けます(このPCのこのデータフォルダ)。
動いている間、この画面は連携の状態を表示し、開始・休止・停止はサービスに伝えます。</source>
        <translation>Keeps linking calls from OS start-up, even with this window closed (this PC, this data folder).
While it runs, the window shows its state, and Start, Suspend and Stop are passed on to the service.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="207" />
        <source>インストール</source>
        <translation>Install</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="209" />
        <source>アンインストール</source>
        <translation>Uninstall</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="211" />
        <source>開始</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="212" />
        <source>停止</source>
        <translation>Stop</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="237" />
        <source>このプロファイル(デモ)ではバックグラウンド連携を使えません。</source>
        <translation>Background linking is not available for this (demo) profile.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="242" />
        <source>実行しています…</source>
        <translation>Working…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="248" />
        <source>状態: 未インストール</source>
        <translation>State: not installed</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="248" />
        <source>状態: インストール済み・実行中</source>
        <translation>State: installed, running</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="249" />
        <source>状態: インストール済み・停止</source>
        <translation>State: installed, stopped</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="268" />
        <source>状態: 確認できません</source>
        <translation>State: cannot be read</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="208" />
        <source>バックグラウンド連携をインストールして開始しました。この画面を閉じても連携は続きます。</source>
        <translation>Background linking is installed and started. Linking goes on when this window is closed.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="210" />
        <source>バックグラウンド連携をアンインストールしました。これからはこの画面が開いている間だけ連携します。</source>
        <translation>Background linking is uninstalled. From now on, calls are linked only while this window is open.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="211" />
        <source>バックグラウンド連携を開始しました。</source>
        <translation>Background linking is started.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="212" />
        <source>バックグラウンド連携を停止しました。次回のログオン時にまた開始します。</source>
        <translation>Background linking is stopped. It starts again at the next logon.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="291" />
        <source>{min}〜{max}(初期値 {default})</source>
        <translation>{min}–{max} (default {default})</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="80" />
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="117" />
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="120" />
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="87" />
        <source>送信リトライ間隔の上限</source>
        <translation>Maximum wait between send retries</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="88" />
        <source>Salesforceに一時的に接続できないときは1、5、15、60分…と間隔を空けて再送します。その間隔の上限です。</source>
        <translation>When Salesforce cannot be reached for a while, sending is retried after 1, 5, 15, 60 minutes…; this is the longest wait.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="114" />
        <source>送信を待つ</source>
        <translation>Wait before sending above</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="115" />
        <source>電話番号インデックスの更新間隔</source>
        <translation>Phone index refresh interval</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/system_dialog.py" line="116" />
        <source>Salesforceの電話番号を手元に写した索引を、送信前にこの間隔より古ければ更新します。短いほど新しいレコードにすぐ一致し、長いほどAPI呼び出しが減ります。</source>
        <translation>The local copy of Salesforce's phone numbers is refreshed before sending when it is older than this. Shorter matches new records sooner; longer spends fewer API calls.</translation>
    </message>
</context>
<context>
    <name>TargetsModel</name>
    <message>
        <location filename="../../biztel_desk/ui/models/targets_model.py" line="75" />
        <source>連携</source>
        <translation>Linked</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/targets_model.py" line="75" />
        <source>電話番号</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/targets_model.py" line="75" />
        <source>正規化</source>
        <translation>Normalised</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/targets_model.py" line="75" />
        <source>既定の発信番号</source>
        <translation>Default outbound</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/targets_model.py" line="75" />
        <source>エイリアス</source>
        <translation>Aliases</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/models/targets_model.py" line="54" />
        <source>交換機がこの番号を書く別の表記(DIDの下桁 0100、トランク名 gsm0、s など)。カンマ区切り。</source>
        <translation>The PBX's other spellings of this number (a DID suffix 0100, a trunk name gsm0, s …), separated by commas.</translation>
    </message>
</context>
<context>
    <name>TargetsTab</name>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="57" />
        <source>チェックを付けた電話番号の通話だけがSalesforceに連携されます。変更するには「編集」をクリックしてください。</source>
        <translation>Only calls on checked numbers are linked to Salesforce. Click Edit to change them.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="59" />
        <source>編集</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="60" />
        <source>電話番号(例: 03-1234-5678)</source>
        <translation>Phone number (e.g. 03-1234-5678)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="52" />
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="61" />
        <source>追加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="75" />
        <source>未登録の番号</source>
        <translation>Unregistered numbers</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="76" />
        <source>取り込んだ通話のうち、どの電話番号・エイリアスにも一致しない会社側の番号です(連携されず、連携通話履歴に「対象外」として残ります)。番号として追加するか、上の表で選んだ番号のエイリアスにしてください。</source>
        <translation>Company-side numbers of imported calls that match no number and no alias (not linked; kept as "Excluded" in the history). Add one as a number, or make it an alias of the number selected above.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="45" />
        <source>番号(交換機の表記)</source>
        <translation>Number (as the PBX writes it)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="45" />
        <source>通話数</source>
        <translation>Calls</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="45" />
        <source>最後の通話</source>
        <translation>Last call</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="53" />
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="204" />
        <source>エイリアスにする</source>
        <translation>Make alias</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="62" />
        <source>削除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="64" />
        <source>エイリアス(交換機が書く別の表記: 0100、gsm0、s など)は、セルをダブルクリックしてカンマ区切りで入力します。</source>
        <translation>Aliases (the PBX's other spellings: 0100, gsm0, s …): double-click the cell and enter them separated by commas.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="68" />
        <source>電話番号設定が不足しています</source>
        <translation>No phone number is selected for linking</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="159" />
        <source>(番号なし)</source>
        <translation>(no number)</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="183" />
        <source>電話番号として登録できない表記です。エイリアスにしてください。</source>
        <translation>This is not a phone number and cannot be added as one. Make it an alias instead.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="205" />
        <source>「{0}」をどの番号のエイリアスにしますか?</source>
        <translation>Which number is '{0}' an alias of?</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/tabs/targets_tab.py" line="242" />
        <source>過去の通話 {0}件を連携待ちにしました。</source>
        <translation>{0} past calls are now waiting to be linked.</translation>
    </message>
</context>
<context>
    <name>VerifyBusyDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="78" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="80" />
        <source>「{name}」の設定をSalesforceで確認しています…</source>
        <translation>Verifying '{name}' against Salesforce…</translation>
    </message>
</context>
<context>
    <name>VerifyLines</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="52" />
        <source>{count}件の問題が見つかりました。</source>
        <translation>{count} problem(s) found.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="55" />
        <source>設定確認を実行できませんでした。</source>
        <translation>The verification could not run.</translation>
    </message>
</context>
<context>
    <name>VerifyResultDialog</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="168" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="181" />
        <source>連携設定「{name}」・API呼び出し {calls}回・書き込みなし</source>
        <translation>Link setting '{name}' · {calls} API calls · nothing written</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="184" />
        <source>コピー</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="185" />
        <source>結果をクリップボードにコピーします</source>
        <translation>Copies the result to the clipboard</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="186" />
        <source>Salesforce側チェックリスト…</source>
        <translation>Salesforce checklist…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="187" />
        <source>Salesforce側の自動設定…</source>
        <translation>Salesforce-side setup…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="194" />
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>VerifyRunner</name>
    <message>
        <location filename="../../biztel_desk/ui/dialogs/verify_dialog.py" line="137" />
        <source>予期しないエラーが発生したため確認できませんでした。</source>
        <translation>The verification stopped because of an unexpected error.</translation>
    </message>
</context>
<context>
    <name>WizardAccountPage</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="260" />
        <source>Salesforceアカウント</source>
        <translation>Salesforce account</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="261" />
        <source>連携に使うSalesforceのユーザでログインします。「ブラウザでログイン」または「接続テスト」に成功すると「次へ」に進めます。</source>
        <translation>Sign in as the Salesforce user the link uses. 'Next' is enabled after a successful 'Sign in with the browser' or 'Test connection'.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="330" />
        <source>ログインしました。「次へ」でトークンをOSのキーリングに保存します。</source>
        <translation>Signed in. 'Next' stores the tokens in the OS keyring.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="332" />
        <source>ログイン中に入力が変更されました。もう一度「ブラウザでログイン」を押してください。</source>
        <translation>The form changed during the sign-in. Press 'Sign in with the browser' again.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="326" />
        <source>テスト中に入力が変更されました。もう一度「接続テスト」を実行してください。</source>
        <translation>The form changed during the test. Run Test connection again.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="336" />
        <source>入力が変更されました。もう一度「接続テスト」を実行してください。</source>
        <translation>The form changed. Run Test connection again.</translation>
    </message>
</context>
<context>
    <name>WizardEnablePage</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="725" />
        <source>有効化</source>
        <translation>Enable</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="726" />
        <source>設定が保存されました。連携をすぐに始めるかどうかを選んで「完了」をクリックしてください。</source>
        <translation>Your settings are saved. Choose whether to start linking now, then click Finish.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="729" />
        <source>今すぐ有効にする</source>
        <translation>Enable now</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="733" />
        <source>連携対象の番号の通話を、Salesforceの活動履歴に連携し始めます。</source>
        <translation>Calls on the link target numbers start being linked to Salesforce activities.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="730" />
        <source>無効のままにする</source>
        <translation>Leave disabled</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="734" />
        <source>あとから基本情報タブの録音連携ステータスで有効にできます。無効の間の通話は連携されません。</source>
        <translation>You can enable it later with the link status on the Basic tab. Calls that arrive while disabled are not linked.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="746" />
        <source>API利用許諾がチェックされていないため、有効にできません。有効にするには「戻る」で連携設定ページに戻り、API利用許諾にチェックを入れてください。</source>
        <translation>Linking cannot be enabled without API consent. Go Back to the Link setting page and check API consent.</translation>
    </message>
</context>
<context>
    <name>WizardObjectsPage</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="405" />
        <source>オブジェクト</source>
        <translation>Objects</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="406" />
        <source>電話番号で検索するオブジェクトです。優先順位の小さいものから検索します。</source>
        <translation>The objects searched by phone number, lowest priority number first.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="419" />
        <source>再取得</source>
        <translation>Fetch again</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="424" />
        <source>カスタムオブジェクトは、あとからオブジェクトタブで追加できます。</source>
        <translation>You can add custom objects later on the Objects tab.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="473" />
        <source>Salesforceから取得しました(タブ名とタブコード)。</source>
        <translation>Fetched from Salesforce (tab names and tab codes).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="478" />
        <source>Salesforceから取得できませんでした。表示中の標準の値のまま進めるか、「再取得」をクリックしてください。</source>
        <translation>Could not fetch from Salesforce. Continue with the standard values shown, or click Fetch again.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="460" />
        <source>Salesforceからタブ名とタブコードを取得しています…</source>
        <translation>Fetching tab names and tab codes from Salesforce…</translation>
    </message>
</context>
<context>
    <name>WizardSettingPage</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="368" />
        <location filename="../../biztel_desk/ui/wizard.py" line="377" />
        <source>連携設定</source>
        <translation>Link setting</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="369" />
        <source>通話をどのレコードに、どのように連携するかを決めます。あとから基本情報タブで変更できます。</source>
        <translation>Decide which records calls are linked to, and how. You can change this later on the Basic tab.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="395" />
        <source>入力内容を確認してください。</source>
        <translation>Check the highlighted fields.</translation>
    </message>
</context>
<context>
    <name>WizardTargetsPage</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="501" />
        <source>連携対象</source>
        <translation>Link targets</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="502" />
        <source>連携する会社の電話番号(代表番号やダイヤルイン番号)を追加します。少なくとも1つ必要です。</source>
        <translation>Add the company phone numbers to link (main and direct-dial numbers). At least one is required.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="504" />
        <source>例: 03-1234-5678</source>
        <translation>e.g. 03-1234-5678</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="505" />
        <source>追加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="517" />
        <source>削除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="534" />
        <source>電話番号</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="522" />
        <source>交換機が発信者番号を記録しない発信通話(Asterisk の src が内線番号など)は、この番号からの発信として連携します。なしにすると、そうした発信通話は連携されず「対象外」になります。</source>
        <translation>Outbound calls whose caller ID the PBX did not record (Asterisk writes the extension as src) are linked as calls from this number. With None, such calls are not linked and are kept as "Excluded".</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="526" />
        <source>例: https://s0000.u.biztel.jp:8000</source>
        <translation>e.g. https://s0000.u.biztel.jp:8000</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="528" />
        <source>活動の「録音再生」リンクの接続先です(BIZTELの管理画面のURL)。あとからシステム設定で変更できます。</source>
        <translation>Where the Task's recording playback link points (the BIZTEL admin URL). You can change it later in the system settings.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="529" />
        <source>録音サーバURL</source>
        <translation>Recording server URL</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="533" />
        <source>通話を取り込むと、使われた番号が連携対象タブに自動で追加されます(チェックは手動で入れます)。</source>
        <translation>Numbers found in imported calls are added to the Link targets tab automatically (you check them yourself).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="561" />
        <source>{shown}({e164})を追加しました。</source>
        <translation>Added {shown} ({e164}).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="588" />
        <source>保存できませんでした。</source>
        <translation>Could not save.</translation>
    </message>
</context>
<context>
    <name>WizardVerifyPage</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="627" />
        <source>設定確認</source>
        <translation>Verify settings</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="628" />
        <source>保存した連携設定で連携できるかをSalesforceで確認します(書き込みは行いません)。</source>
        <translation>Checks in Salesforce that the saved link setting can link calls (nothing is written).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="636" />
        <source>問題があれば「戻る」で修正するか、Salesforce側を準備してから「もう一度確認」をクリックしてください。問題が残っていても先に進めますが、連携は無効のままにすることをお勧めします。</source>
        <translation>Fix problems with Back, or prepare Salesforce and click Verify again. You can go on with problems left, but then leave linking disabled.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="639" />
        <source>もう一度確認</source>
        <translation>Verify again</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="640" />
        <source>Salesforce側チェックリスト…</source>
        <translation>Salesforce setup checklist…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="643" />
        <source>Salesforce側の自動設定…</source>
        <translation>Salesforce-side setup…</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="670" />
        <source>「{name}」の設定をSalesforceで確認しています…</source>
        <translation>Verifying '{name}' in Salesforce…</translation>
    </message>
</context>
<context>
    <name>WizardWelcomePage</name>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="212" />
        <source>BIZTEL Desk へようこそ</source>
        <translation>Welcome to BIZTEL Desk</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="213" />
        <source>電話の通話履歴と録音を、Salesforceの活動履歴に自動で連携します。まずはどちらかを選んでください。</source>
        <translation>BIZTEL Desk links your phone calls and their recordings to Salesforce activities automatically. Choose how to start.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="214" />
        <source>デモを試す</source>
        <translation>Try the demo</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="215" />
        <source>Salesforce不要。サンプルの組織と通話で、通話が活動履歴として連携される様子をすぐに確認できます。実際のデータには触れません。</source>
        <translation>No Salesforce needed. See calls being linked as activities right away, with a sample org and sample calls. Your real data is never touched.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="217" />
        <source>Salesforceに接続</source>
        <translation>Connect to Salesforce</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="218" />
        <source>お使いのSalesforce組織に接続し、連携設定・オブジェクト・連携対象の電話番号を順に設定して、設定確認まで行います(5分ほどかかります)。</source>
        <translation>Connect your Salesforce org, then set up the link setting, the objects and the phone numbers to link, and verify everything (about 5 minutes).</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="220" />
        <source>この画面はあとからメニューでも開けます。Salesforceへの接続は、デモを試した後でも行えます。</source>
        <translation>You can open this screen again from the menu. You can connect Salesforce after trying the demo, too.</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="225" />
        <source>しくみ</source>
        <translation>How it works</translation>
    </message>
    <message>
        <location filename="../../biztel_desk/ui/wizard.py" line="221" />
        <source>1. 連携対象の電話番号で通話が終わると、BIZTEL Deskが通話履歴を受け取ります。
2. 相手の電話番号でSalesforceの取引先・取引先責任者・リードなどを検索します。
3. 見つかったレコードに活動履歴(ToDo)を作成し、録音を再生できるリンクを付けます。</source>
        <translation>1. When a call on a link target number ends, BIZTEL Desk receives its call record.
2. It searches Salesforce accounts, contacts, leads and more for the other party's number.
3. It creates an activity (Task) on the record it found, with a link that plays the recording.</translation>
    </message>
</context>
<context>
    <name>WorkerController</name>
    <message>
        <location filename="../../biztel_desk/ui/worker_controller.py" line="210" />
        <source>{seconds}秒後に自動で再開します。</source>
        <translation>Starting again automatically in {seconds} s.</translation>
    </message>
</context>
</TS>