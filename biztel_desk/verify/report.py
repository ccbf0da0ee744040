"""The verification report: each problem as 「●●が不正です: what is wrong。how to fix it」 in Japanese or English."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from biztel_desk.domain.vocabulary import pick

OK_TEXT = ("正しく設定されています", "Everything is set up correctly")
NO_TARGET_CODE = "no_target"
# Problems that mean the setting's account cannot be used at all (CLI exit 2): not a finding about Salesforce.
ENVIRONMENT_CODES = frozenset({"account_missing", "account_unusable"})
# Findings that do not stop linking but have a consequence the admin should know: shown, never a failure.
WARNING_CODES = frozenset({"view_all_data"})


class Bilingual(NamedTuple):
    ja: str
    en: str

    def get(self, lang: str) -> str:
        return pick(lang, self.ja, self.en)


# code → (item, detail, fix), each (Japanese, English); names in braces come from the problem's params.
TEMPLATES: dict[str, tuple[tuple[str, str], tuple[str, str], tuple[str, str]]] = {
    "account_missing": (
        ("Salesforceアカウント", "Salesforce account"),
        ("アカウント「{account}」が登録されていません", "the account '{account}' is not registered"),
        ("基本情報タブでSalesforceアカウントを選び直してください", "choose the Salesforce account again on the basic tab"),
    ),
    "account_unusable": (
        ("Salesforceアカウント「{account}」", "Salesforce account '{account}'"),
        ("{login}", "{login}"),
        ("", ""),
    ),
    "login": (
        ("Salesforceアカウント「{account}」", "Salesforce account '{account}'"),
        ("{login}", "{login}"),
        ("", ""),
    ),
    "salesforce_error": (
        ("Salesforceへの接続", "The connection to Salesforce"),
        ("{error}", "{error}"),
        ("", ""),
    ),
    "recording_server_empty": (
        ("録音サーバURL", "Recording server URL"),
        ("入力されていないため、活動に録音再生リンクが付きません", "it is empty, so no Task gets a recording link"),
        ("システム設定で録音サーバURL(例: https://s0000.u.biztel.jp:8000)を入力して保存してください",
         "enter the recording server URL (e.g. https://s0000.u.biztel.jp:8000) in the system settings and save"),
    ),
    "recording_template_empty": (
        ("録音再生URLテンプレート", "Recording link template"),
        ("入力されていないため、活動に録音再生リンクが付きません", "it is empty, so no Task gets a recording link"),
        ("システム設定で録音再生URLテンプレートを入力して保存してください(BIZTELは {{server}}/monitor_link/{{request_id}})",
         "enter the recording link template in the system settings and save "
         "(BIZTEL: {{server}}/monitor_link/{{request_id}})"),
    ),
    "api_consent": (
        ("API利用許諾", "API consent"),
        ("チェックされていません", "it is not given"),
        ("基本情報タブでAPI利用許諾にチェックを入れて保存してください", "check API consent on the basic tab and save"),
    ),
    NO_TARGET_CODE: (
        ("電話番号設定", "Phone number setup"),
        ("連携対象の電話番号にチェックがありません", "no link target number is checked"),
        ("連携対象タブで連携する電話番号にチェックを入れて保存してください", "check the numbers to link on the link targets tab and save"),
    ),
    "fallback_format": (
        ("紐付け先特定不可レコード", "Fallback record"),
        ("「{value}」はレコードIDではありません", "'{value}' is not a record Id"),
        ("レコードを開いたときのURLか、15桁・18桁のレコードIDを入力してください", "enter the URL of the open record or its 15- or 18-character Id"),
    ),
    "fallback_unknown_prefix": (
        ("紐付け先特定不可レコード", "Fallback record"),
        (
            "レコード {record_id} のキープレフィックス {prefix} に該当するオブジェクトがありません",
            "no object has the key prefix {prefix} of the record {record_id}",
        ),
        ("Salesforceに存在するレコードのIDを入力してください", "enter the Id of a record that exists in Salesforce"),
    ),
    "fallback_not_found": (
        ("紐付け先特定不可レコード", "Fallback record"),
        (
            "{object} のレコード {record_id} が見つかりません(削除されたか、連携ユーザに参照権限がありません)",
            "the {object} record {record_id} was not found (it was deleted or the user cannot see it)",
        ),
        ("Salesforceに存在するレコードのIDを入力してください", "enter the Id of a record that exists in Salesforce"),
    ),
    "fallback_cannot_own_task": (
        ("紐付け先特定不可レコード", "Fallback record"),
        (
            "レコード {record_id} は {object} のレコードで、活動(ToDo)を関連付けられません",
            "the record {record_id} is a {object} record, which cannot own a Task",
        ),
        (
            "取引先・取引先責任者・リード・ケース、または活動を許可したオブジェクトのレコードを指定してください",
            "choose a record of Account, Contact, Lead, Case or an object that allows activities",
        ),
    ),
    "object_unknown": (
        ("オブジェクト「{object}」", "Object '{object}'"),
        ("Salesforceに {object} というオブジェクトがありません", "Salesforce has no object named {object}"),
        ("API参照名を確認するか、オブジェクトタブから削除してください", "check the API name or remove it on the objects tab"),
    ),
    "lead_inaccessible": (
        ("オブジェクト「Lead」", "Object 'Lead'"),
        ("リードにアクセスできません", "the user cannot access Lead"),
        ("オブジェクトからリードを削除してください", "remove Lead from the objects"),
    ),
    "object_not_queryable": (
        ("オブジェクト「{object}」", "Object '{object}'"),
        ("{object} を参照(クエリ)できません", "{object} cannot be queried"),
        (
            "連携ユーザのプロファイルで {object} の参照権限を付与するか、オブジェクトタブから削除してください",
            "give the user's profile read access to {object} or remove it on the objects tab",
        ),
    ),
    "object_not_searchable": (
        ("オブジェクト「{object}」", "Object '{object}'"),
        ("{object} は検索(SOSL)できません", "{object} is not searchable (SOSL)"),
        (
            "オブジェクトマネージャで {object} の「検索を許可」を有効にするか、オブジェクトタブから削除してください",
            "turn on 'Allow Search' for {object} in the Object Manager or remove it on the objects tab",
        ),
    ),
    "tab_code_mismatch": (
        ("オブジェクト「{object}」", "Object '{object}'"),
        (
            "タブコード {tab_code} がキープレフィックス {key_prefix} と一致しません",
            "the tab code {tab_code} does not match the key prefix {key_prefix}",
        ),
        ("オブジェクトタブでタブコードを {key_prefix} に修正してください", "change the tab code to {key_prefix} on the objects tab"),
    ),
    "object_no_activities": (
        ("オブジェクト「{object}」", "Object '{object}'"),
        ("{object} で活動が許可されていません", "{object} does not allow activities"),
        (
            "オブジェクトマネージャで {object} の「活動を許可」を有効にしてください",
            "turn on 'Allow Activities' for {object} in the Object Manager",
        ),
    ),
    "object_no_phone": (
        ("オブジェクト「{object}」", "Object '{object}'"),
        ("{object} に電話型の項目がないため電話番号で検索できません", "{object} has no phone field, so no number can match it"),
        ("データ型「電話」の項目を追加するか、オブジェクトタブから削除してください", "add a field of type Phone or remove it on the objects tab"),
    ),
    "task_unavailable": (
        ("活動(ToDo)", "Activities (Task)"),
        ("連携ユーザはToDoを作成できません", "the user cannot create Tasks"),
        ("連携ユーザのプロファイルでToDoの作成権限を付与してください", "give the user's profile permission to create Tasks"),
    ),
    "field_missing": (
        ("活動の項目「{field}」", "Activity field {field}"),
        ("項目がありません", "the field does not exist"),
        (
            "オブジェクトマネージャ → 活動 → 項目とリレーション で、表示ラベル「{label}」、データ型 {type_ja}、項目名 {name} の項目を作成してください",
            "create it in Object Manager → Activity → Fields & Relationships: label '{label}', type {type_en}, field name {name}",
        ),
    ),
    "field_type": (
        ("活動の項目「{field}」", "Activity field {field}"),
        ("データ型が {actual_ja} です(必要: {type_ja})", "its type is {actual_en} (needed: {type_en})"),
        ("項目のデータ型を {type_ja} に変更してください", "change the field's type to {type_en}"),
    ),
    "field_length": (
        ("活動の項目「{field}」", "Activity field {field}"),
        ("文字数が {actual} です({length}文字が必要)", "its length is {actual} (needed: {length})"),
        ("項目の文字数を {length} に変更してください", "change the field's length to {length}"),
    ),
    "field_formula": (
        ("活動の項目「{field}」", "Activity field {field}"),
        ("数式の内容が録音再生リンクになっていません", "its formula is not the recording link"),
        ("チェックリストの数式をコピーして貼り付けてください", "copy the formula from the checklist and paste it"),
    ),
    "label_missing": (
        ("カスタム表示ラベル「WavImg」", "Custom label WavImg"),
        ("カスタム表示ラベルがありません", "the custom label does not exist"),
        (
            "設定 → ユーザインターフェース → カスタム表示ラベル で、名前 WavImg、値 /resource/<タイムスタンプ>/speaker のラベルを作成してください",
            "create it in Setup → User Interface → Custom Labels: name WavImg, value /resource/<timestamp>/speaker",
        ),
    ),
    "label_value": (
        ("カスタム表示ラベル「WavImg」", "Custom label WavImg"),
        ("値「{value}」が静的リソースのパスではありません", "its value '{value}' is not a static resource path"),
        (
            "値を静的リソース speaker のパス(/resource/<タイムスタンプ>/speaker)にしてください",
            "set the value to the path of the static resource speaker (/resource/<timestamp>/speaker)",
        ),
    ),
    "setup_unreadable": (
        ("{item_ja}", "{item_en}"),
        ("Salesforceの設定を読み取れないため確認できません({error})", "it cannot be checked: the setup is not readable ({error})"),
        (
            "連携ユーザに権限「設定・定義を参照する」(View Setup and Configuration)を付与してください",
            "give the user the permission 'View Setup and Configuration'",
        ),
    ),
    "static_resource_missing": (
        ("静的リソース「speaker」", "Static resource speaker"),
        ("静的リソースがありません", "the static resource does not exist"),
        (
            "設定 → カスタムコード → 静的リソース で、名前 speaker の画像ファイルを登録してください",
            "upload an image named speaker in Setup → Custom Code → Static Resources",
        ),
    ),
    "case_not_createable": (
        ("活動履歴(ケース作成)", "Activity (create a Case)"),
        ("連携ユーザはケースを作成できません", "the user cannot create Cases"),
        (
            "プロファイルでケースの作成権限を付与するか、活動履歴を「活動のみ」にしてください",
            "give the profile permission to create Cases, or set the activity mode to Task only",
        ),
    ),
    "lead_not_createable": (
        ("一致しない場合の動作(リード作成)", "No-match policy (create a Lead)"),
        ("連携ユーザはリードを作成できません", "the user cannot create Leads"),
        (
            "プロファイルまたは権限セットでリードの作成権限を付与するか、一致しない場合の動作を変更してください",
            "give the profile or a permission set permission to create Leads, or choose another no-match policy",
        ),
    ),
    "field_not_editable": (
        ("{object}の項目レベルセキュリティ", "Field-level security of {object}"),
        ("連携ユーザは次の項目を編集できません: {fields}", "the user cannot edit these fields: {fields}"),
        (
            "設定 → 権限セット(またはプロファイル)→ オブジェクト設定 → {object} で、これらの項目に「編集アクセス権」を付与してください",
            "give Edit Access to these fields in Setup → Permission Sets (or the profile) → Object Settings → {object}",
        ),
    ),
    "call_fields_missing": (
        ("ToDoの通話項目", "Task call fields"),
        (
            "次の項目がありません: {fields}(CallObject がないと連携済みの通話を確認できず、重複の原因になります)",
            "these fields do not exist: {fields} (without CallObject linked calls cannot be checked, which causes duplicates)",
        ),
        (
            "オブジェクトマネージャ → ToDo → 項目とリレーション で通話項目を確認し、連携ユーザの項目レベルセキュリティで参照・編集を許可してください",
            "check the call fields in Object Manager → Task → Fields & Relationships and make them visible and editable for the user in field-level security",
        ),
    ),
    "server_ip_too_long": (
        ("活動の項目「B_ServerIP__c」", "Activity field B_ServerIP__c"),
        (
            "録音サーバURL「{url}」は{actual}文字で、項目の文字数 {length} に収まりません",
            "the recording server URL '{url}' has {actual} characters, more than the field's length {length}",
        ),
        ("項目の文字数を {needed} 以上に変更してください", "change the field's length to {needed} or more"),
    ),
    "view_all_data": (
        ("連携ユーザの権限「すべてのデータの参照」", "The user's permission View All Data"),
        (
            "付与されていません。共有設定で連携ユーザから見えないレコードの電話番号には一致しないため、その通話は紐付け先特定不可レコードに紐付くか、一致しない場合の動作に従います",
            "it is not granted: numbers on records the user cannot see (sharing) do not match, so those calls go to the fallback record or follow the no-match policy",
        ),
        (
            "連携ユーザに「すべてのデータの参照」(View All Data)を付与するか、連携する各オブジェクトで「すべて参照」を付与してください",
            "give the user View All Data, or View All on each linked object",
        ),
    ),
    "task_status_missing": (
        ("ToDoの状況", "Task status"),
        ("完了(クローズ)を表す状況がありません", "no status closes a Task"),
        (
            "設定 → ToDo → 項目とリレーション → 状況 に「完了」扱いの値を追加してください",
            "add a value marked as closed to the Task Status picklist in Setup",
        ),
    ),
    "api_usage": (
        ("API使用量", "API usage"),
        (
            "本日のAPI呼び出しが {used}/{max}({percent}%)で、送信を待つしきい値 {limit}% に達しています",
            "today's API requests are {used}/{max} ({percent}%), at or above the threshold of {limit}% at which sending waits",
        ),
        (
            "使用量が下がるまで待つか、システム設定のしきい値を見直してください",
            "wait until usage goes down, or review the threshold in the system settings",
        ),
    ),
}


@dataclass(frozen=True)
class VerifyProblem:
    """One finding: ``code`` (see TEMPLATES), ``target`` (e.g. ``field:B_UniqueId__c``), texts in both languages."""

    code: str
    item: Bilingual
    detail: Bilingual
    fix: Bilingual
    target: str = ""

    @property
    def warning(self) -> bool:
        """A consequence to know about, not an error: the report stays ok (CLI exit 0)."""
        return self.code in WARNING_CODES

    def text(self, lang: str = "ja") -> str:
        """「●●が不正です: …。…。」 / "●● is not valid: …. Fix: …." — 電話番号設定が不足しています for no target;
        「注意: ●●: …。…。」 / "Warning: ●●: …. Fix: …." for a warning."""
        detail, fix = self.detail.get(lang), self.fix.get(lang)
        sentences = pick(lang, _ja_sentences, _en_sentences)
        if self.warning:
            return sentences(pick(lang, f"注意: {self.item.ja}: {detail}", f"Warning: {self.item.en}: {detail}"), fix)
        if self.code == NO_TARGET_CODE:
            return sentences(pick(lang, "電話番号設定が不足しています", "Phone number settings are incomplete: " + detail), fix)
        return sentences(pick(lang, f"{self.item.ja}が不正です: {detail}", f"{self.item.en} is not valid: {detail}"), fix)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "target": self.target, "item": list(self.item), "detail": list(self.detail),
                "fix": list(self.fix)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerifyProblem:
        return cls(str(data["code"]), Bilingual(*data["item"]), Bilingual(*data["detail"]), Bilingual(*data["fix"]),
                   str(data.get("target", "")))


def _ja_sentences(head: str, fix: str) -> str:
    head = head if head.endswith("。") else head + "。"
    return head + (fix if not fix or fix.endswith("。") else fix + "。")


def _en_sentences(head: str, fix: str) -> str:
    head = head if head.endswith(".") else head + "."
    return head + (f" Fix: {fix[:1].upper()}{fix[1:]}." if fix else "")


def problem(code: str, target: str = "", **params: Any) -> VerifyProblem:
    """A problem from its template; a Bilingual param gives each language its own value."""
    templates = TEMPLATES[code]
    texts = []
    for ja, en in templates:
        texts.append(Bilingual(_fill(ja, params, "ja"), _fill(en, params, "en")))
    return VerifyProblem(code, texts[0], texts[1], texts[2], target)


def _fill(template: str, params: dict[str, Any], lang: str) -> str:
    values = {key: value.get(lang) if isinstance(value, Bilingual) else value for key, value in params.items()}
    return template.format(**values)


@dataclass(frozen=True)
class VerificationReport:
    """The result of 設定確認. ``checked`` ticks the Salesforce-side checklist (key → right or wrong)."""

    setting: str
    problems: list[VerifyProblem] = field(default_factory=list)
    api_calls: int = 0
    checked: dict[str, bool] = field(default_factory=dict)
    verified_at: str = ""  # ISO 8601 UTC

    @property
    def ok(self) -> bool:
        """No problem but warnings."""
        return all(p.warning for p in self.problems)

    @property
    def usable(self) -> bool:
        """False when the account itself could not be used (no secret, no account): CLI exit 2."""
        return not any(p.code in ENVIRONMENT_CODES for p in self.problems)

    def lines(self, lang: str = "ja") -> list[str]:
        """What the popup and ``biztel-desk verify`` show: the all-good line, or one line per problem."""
        if self.ok:  # with warnings: the all-good line, then each warning
            return [Bilingual(*OK_TEXT).get(lang), *(p.text(lang) for p in self.problems)]
        return [p.text(lang) for p in self.problems]

    def to_json(self) -> dict[str, Any]:
        return {"setting": self.setting, "ok": self.ok, "api_calls": self.api_calls, "checked": dict(self.checked),
                "verified_at": self.verified_at, "problems": [p.to_json() for p in self.problems]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerificationReport:
        return cls(
            setting=str(data.get("setting", "")),
            problems=[VerifyProblem.from_json(p) for p in data.get("problems", [])],
            api_calls=int(data.get("api_calls", 0)),
            checked={str(k): bool(v) for k, v in dict(data.get("checked", {})).items()},
            verified_at=str(data.get("verified_at", "")),
        )


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
