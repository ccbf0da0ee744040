"""What the admin must create in Salesforce (seed §2, SPEC §13b): the static resource, the label, the Activity fields."""

from __future__ import annotations

from dataclasses import dataclass

STATIC_RESOURCE = "speaker"
CUSTOM_LABEL = "WavImg"
CUSTOM_LABEL_DESCRIPTION = "音声再生イメージファイル"
CUSTOM_LABEL_VALUE = "/resource/<timestamp>/speaker"
WAV_FIELD = "WavUrlImg__c"
WAV_FORMULA = "HYPERLINK(B_ServerIP__c + '/monitor_link/' + B_UniqueId__c, IMAGE($Label.WavImg, \"Image\"), \"Image\")"

# Objects that can always own a Task (WhoId: Contact, Lead; WhatId: Account, Case); others need to be in
# Task.WhatId.referenceTo ("Allow Activities").
TASK_OWNERS = ("Account", "Contact", "Lead", "Case")


@dataclass(frozen=True)
class ActivityField:
    """One custom field of the seed's table: label, data type and names as the admin types them in Setup."""

    label: str  # 項目の表示ラベル (Japanese, as in the seed)
    label_en: str
    type_ja: str  # データ型 as the seed writes it
    type_en: str
    field_name: str  # 項目名
    kind: str  # describe ``type``: string | phone | datetime; "formula" for the formula text field
    length: int = 0  # minimum length for Text fields

    @property
    def api_name(self) -> str:
        return self.field_name + "__c"


# In the seed's order (its table "作成するカスタム項目").
ACTIVITY_FIELDS: tuple[ActivityField, ...] = (
    ActivityField("サーバ IP", "Server IP", "テキスト(文字数:50)", "Text (50)", "B_ServerIP", "string", 50),
    ActivityField("ユニーク ID", "Unique ID", "テキスト(文字数:100)", "Text (100)", "B_UniqueId", "string", 100),
    ActivityField("音声再生", "Play recording", "数式 (テキスト)", "Formula (Text)", "WavUrlImg", "formula"),
    ActivityField("着信電話番号", "Phone (to)", "電話", "Phone", "B_PhoneTo", "phone"),
    ActivityField("通話開始日時", "Call start", "日付/時間", "Date/Time", "B_CallStartDateTime", "datetime"),
    ActivityField("通話終了日時", "Call end", "日付/時間", "Date/Time", "B_CallEndDateTime", "datetime"),
    ActivityField("発信電話番号", "Phone (from)", "電話", "Phone", "B_PhoneFrom", "phone"),
    ActivityField("着信エージェント ID", "Agent ID (to)", "テキスト(文字数:10)", "Text (10)", "B_AgentIdTo", "string", 10),
    ActivityField("発信エージェント ID", "Agent ID (from)", "テキスト(文字数:10)", "Text (10)", "B_AgentIdFrom", "string", 10),
    ActivityField("着信内線番号", "Extension (to)", "電話", "Phone", "B_NaisenTo", "phone"),
    ActivityField("発信内線番号", "Extension (from)", "電話", "Phone", "B_NaisenFrom", "phone"),
)


def field_key(api_name: str) -> str:
    """Checklist key of an Activity field (also the ``target`` of its problems)."""
    return f"field:{api_name}"


LABEL_KEY = f"label:{CUSTOM_LABEL}"
RESOURCE_KEY = f"static_resource:{STATIC_RESOURCE}"
CHECKLIST_KEYS: tuple[str, ...] = (RESOURCE_KEY, LABEL_KEY, *(field_key(f.api_name) for f in ACTIVITY_FIELDS))

# Fields the link engine writes (domain.payload), per object: field-level Edit is checked on each of them.
# Task fields are also updated (collections upsert on B_UniqueId__c), except TaskSubtype (set on create only).
TASK_WRITTEN = ("Subject", "Status", "TaskSubtype", "CallType", "CallDurationInSeconds", "CallObject", "CallDisposition",
                "ActivityDate", "Description", "WhoId", "WhatId", *(f.api_name for f in ACTIVITY_FIELDS if f.kind != "formula"))
TASK_CREATE_ONLY = frozenset({"TaskSubtype"})
CASE_WRITTEN = ("Subject", "Origin", "Description", "AccountId", "ContactId")
LEAD_WRITTEN = ("LastName", "Company", "Phone", "LeadSource")
# The Task call fields (SALESFORCE.md "Task"): without CallObject the app cannot find its own Tasks again.
CALL_FIELDS = ("CallType", "CallDurationInSeconds", "CallObject", "CallDisposition")
SERVER_IP_FIELD = "B_ServerIP__c"
# System permissions that let the user see every record regardless of sharing.
SEE_ALL_PERMISSIONS = ("PermissionsViewAllData", "PermissionsModifyAllData")
