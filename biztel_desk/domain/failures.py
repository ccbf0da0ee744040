"""Why a link job failed, in plain words with what to do: Salesforce error codes as the admin should read them."""

from __future__ import annotations

from biztel_desk.domain.vocabulary import pick

# code → ((what happened, what to do) in Japanese, the same in English)
_ADVICE: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "INVALID_CROSS_REFERENCE_KEY": (
        ("紐付け先のレコードが存在しないか参照できません", "紐付け先のレコードと連携ユーザの共有設定を確認してから再試行してください"),
        ("The record to link to does not exist or cannot be seen", "check the record and the integration user's sharing, then retry"),
    ),
    "ENTITY_IS_DELETED": (
        ("紐付け先のレコードは削除されています", "ごみ箱から復元するか、紐付け先特定不可レコードを見直してから再試行してください"),
        ("The record to link to was deleted", "restore it from the recycle bin or review the fallback record, then retry"),
    ),
    "INVALID_FIELD": (
        ("活動の項目がSalesforceにありません", "設定確認を実行し、不足している B_…__c 項目を作成してから再試行してください"),
        ("A Task field is missing in Salesforce", "run 設定確認 and create the missing B_…__c field, then retry"),
    ),
    "INVALID_FIELD_FOR_INSERT_UPDATE": (
        ("活動の項目に書き込めません", "連携ユーザの項目レベルセキュリティを確認してから再試行してください"),
        ("A Task field cannot be written", "check the integration user's field-level security, then retry"),
    ),
    "STRING_TOO_LONG": (
        ("値が項目の長さを超えています", "設定確認で項目の長さを確認してから再試行してください"),
        ("A value is longer than its field", "check the field lengths with 設定確認, then retry"),
    ),
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": (
        ("Salesforceの入力規則で保存できませんでした", "活動の入力規則を確認してから再試行してください"),
        ("A Salesforce validation rule refused the Task", "review the Task validation rules, then retry"),
    ),
    "REQUIRED_FIELD_MISSING": (
        ("必須項目が未入力です", "活動の必須項目の設定を確認してから再試行してください"),
        ("A required field is empty", "check which Task fields are required, then retry"),
    ),
    "INSUFFICIENT_ACCESS_OR_READONLY": (
        ("連携ユーザに権限がありません", "連携ユーザの権限と共有設定を確認してから再試行してください"),
        ("The integration user lacks access", "check the integration user's permissions and sharing, then retry"),
    ),
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": (
        ("連携ユーザは紐付け先のレコードにアクセスできません", "紐付け先レコードの共有設定を確認してから再試行してください"),
        ("The integration user cannot access the record to link to", "check that record's sharing, then retry"),
    ),
    "REQUEST_LIMIT_EXCEEDED": (
        ("組織のAPI呼び出し回数が1日の上限に達しました", "上限が回復すると自動で再開します"),
        ("The org's daily API limit is used up", "linking resumes by itself when the limit recovers"),
    ),
    "INVALID_SESSION_ID": (
        ("Salesforceへのログインが切れました", "Salesforceアカウントの接続テストを実行してください"),
        ("The Salesforce session expired", "run the connection test of the Salesforce account"),
    ),
    "CONCURRENT_REQUEST_LIMIT": (
        ("Salesforceで同時に実行中の長時間リクエストが上限に達しました", "しばらくすると自動で再送します。続く場合は他の連携の負荷を確認してください"),
        ("Too many long-running requests are running in the org at once",
         "sending resumes by itself shortly; if it persists, check the load from other integrations"),
    ),
    "NO_RESPONSE": (
        ("送信の応答がなく、Salesforceに書き込まれたか確認中です", "最長10分間確認し、書き込まれていなければ自動で再送します"),
        ("The send got no answer; checking whether Salesforce wrote it", "checked for up to 10 minutes, resent by itself only if it was not written"),
    ),
    "RETRY_LIMIT_REACHED": (
        ("一時的なエラーが再試行の上限まで続いたため送信を中止しました", "エラーの原因を確認・解消してから再試行してください"),
        ("A temporary error kept coming back until the retry limit; sending stopped", "check and fix the cause, then retry"),
    ),
    "LEAD_SOURCE_NOT_IN_PICKLIST": (
        ("リードの「リードソース」選択リストに「Phone」がなく、リードを作成できません",
         "設定 → オブジェクトマネージャ → リード → 項目とリレーション → リードソースに値「Phone」を追加してから再試行してください"),
        ("Lead Source has no value 'Phone' (a restricted picklist), so the Lead cannot be created",
         "add the value 'Phone' in Setup → Object Manager → Lead → Fields & Relationships → Lead Source, then retry"),
    ),
    "UNABLE_TO_LOCK_ROW": (
        ("紐付け先のレコードが他の処理でロックされていました", "しばらくしてから再試行してください"),
        ("The record was locked by another process", "retry in a while"),
    ),
}


def failure_text(code: str, message: str, lang: str = "ja") -> str:
    """``紐付け先のレコードが存在しないか…(INVALID_CROSS_REFERENCE_KEY: invalid cross reference id)。…してください``.

    Unknown codes keep Salesforce's own words; an empty code and message give an empty text.
    """
    if not code and not message:
        return ""
    detail = f"{code}: {message}" if code and message else code or message
    key = code
    if code == "REQUEST_LIMIT_EXCEEDED" and "concurrent" in message.lower():
        key = "CONCURRENT_REQUEST_LIMIT"  # the same code for the concurrent limit: only the message tells
    advice = _ADVICE.get(key)
    if advice is None:
        return detail
    (what, todo) = pick(lang, *advice)
    return pick(lang, f"{what}({detail})。{todo}。", f"{what} ({detail}): {todo}.")
