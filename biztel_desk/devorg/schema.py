"""Object schemas of a fresh Developer Edition org (Japanese labels), the BIZTEL §2 setup and custom objects."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from biztel_desk.devorg.model import FieldDef, ObjectDef

# Key prefixes of standard objects are fixed by Salesforce; custom objects get a0…, assigned per org.
ACCOUNT, CONTACT, LEAD, CASE, TASK, OPPORTUNITY = "Account", "Contact", "Lead", "Case", "Task", "Opportunity"
EVENT = "Event"
ACTIVITY_OBJECTS = (TASK, EVENT)  # the two objects that share the Activity custom fields
USER, ORGANIZATION, TASK_STATUS = "User", "Organization", "TaskStatus"
USER_PERMISSION_ACCESS = "UserPermissionAccess"
# System permissions of the API user (a System Administrator in a Developer Edition org: all true).
USER_PERMISSIONS = ("PermissionsApiEnabled", "PermissionsViewAllData", "PermissionsModifyAllData",
                    "PermissionsViewSetup", "PermissionsCustomizeApplication", "PermissionsModifyMetadata",
                    "PermissionsManageUsers")
# Permission sets (ObjRef "PermissionSet", "FieldPermissions", "PermissionSetAssignment").
PERMISSION_SET, FIELD_PERMISSIONS, PERMISSION_SET_ASSIGNMENT = "PermissionSet", "FieldPermissions", "PermissionSetAssignment"

# (ApiName, IsClosed, IsDefault) of a fresh org's task statuses, in sort order.
TASK_STATUSES: tuple[tuple[str, bool, bool], ...] = (
    ("Not Started", False, True),
    ("In Progress", False, False),
    ("Completed", True, False),
    ("Waiting on someone else", False, False),
    ("Deferred", False, False),
)

# The §2 Activity custom fields of the BIZTEL manual, with the manual's labels.
B_FIELD_SPECS: tuple[tuple[str, str, str, int], ...] = (
    ("B_ServerIP__c", "サーバ IP", "string", 50),
    ("B_UniqueId__c", "ユニーク ID", "string", 100),
    ("B_PhoneTo__c", "着信電話番号", "phone", 40),
    ("B_CallStartDateTime__c", "通話開始日時", "datetime", 0),
    ("B_CallEndDateTime__c", "通話終了日時", "datetime", 0),
    ("B_PhoneFrom__c", "発信電話番号", "phone", 40),
    ("B_AgentIdTo__c", "着信エージェント ID", "string", 10),
    ("B_AgentIdFrom__c", "発信エージェント ID", "string", 10),
    ("B_NaisenTo__c", "着信内線番号", "phone", 40),
    ("B_NaisenFrom__c", "発信内線番号", "phone", 40),
)
WAV_FORMULA = "HYPERLINK(B_ServerIP__c + '/monitor_link/' + B_UniqueId__c, IMAGE($Label.WavImg, \"Image\"), \"Image\")"
WAV_FIELD = "WavUrlImg__c"

SYSTEM_FIELDS = frozenset({"Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
                           "SystemModstamp"})


def _f(name: str, type_: str, label: str, length: int = 0, **kwargs: Any) -> FieldDef:
    if length == 0 and type_ in {"string", "combobox", "picklist", "url", "email"}:
        length = 255
    if length == 0 and type_ == "phone":
        length = 40
    if length == 0 and type_ == "textarea":
        length = 32000
    if length == 0 and type_ in {"id", "reference"}:
        length = 18
    return FieldDef(name=name, type=type_, label=label, length=length, **kwargs)


def _ref(name: str, label: str, to: Iterable[str], relationship: str, **kwargs: Any) -> FieldDef:
    return _f(name, "reference", label, reference_to=tuple(to), relationship_name=relationship, **kwargs)


def _system_fields() -> list[FieldDef]:
    readonly = {"createable": False, "updateable": False}
    return [
        _f("Id", "id", "ID", nillable=False, **readonly),
        _f("IsDeleted", "boolean", "削除", nillable=False, **readonly),
        _f("CreatedDate", "datetime", "作成日", nillable=False, **readonly),
        _ref("CreatedById", "作成者 ID", ["User"], "CreatedBy", nillable=False, **readonly),
        _f("LastModifiedDate", "datetime", "最終更新日", nillable=False, **readonly),
        _ref("LastModifiedById", "最終更新者 ID", ["User"], "LastModifiedBy", nillable=False, **readonly),
        _f("SystemModstamp", "datetime", "System Modstamp", nillable=False, **readonly),
    ]


def _owner() -> FieldDef:
    # Defaulted on create to the calling user, so it is createable but not required in the payload.
    return _ref("OwnerId", "所有者 ID", ["User"], "Owner", nillable=False)


def _make(name: str, label: str, plural: str, prefix: str, fields: list[FieldDef], **kwargs: Any) -> ObjectDef:
    obj = ObjectDef(name=name, label=label, label_plural=plural, key_prefix=prefix, **kwargs)
    for f in _system_fields()[:1] + fields + _system_fields()[1:]:
        obj.fields[f.name] = f
    return obj


def _name_calc() -> FieldDef:
    # Compound person name; Japanese orgs display "姓 名", which is what the dev org stores.
    return _f("Name", "string", "氏名", 121, createable=False, updateable=False, name_field=True, calculated=True)


def _account() -> ObjectDef:
    return _make(ACCOUNT, "取引先", "取引先", "001", [
        _f("Name", "string", "取引先名", nillable=False, name_field=True),
        _f("AccountNumber", "string", "取引先番号", 40),
        _ref("ParentId", "親取引先 ID", [ACCOUNT], "Parent"),
        _f("Type", "picklist", "取引先 種別", 255, picklist_values=(
            "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
            "Installation Partner", "Technology Partner", "Other")),
        _f("Industry", "picklist", "業種", 255, picklist_values=(
            "Agriculture", "Banking", "Communications", "Construction", "Consulting", "Education", "Electronics",
            "Energy", "Finance", "Government", "Healthcare", "Insurance", "Manufacturing", "Media", "Retail",
            "Technology", "Telecommunications", "Transportation", "Other")),
        _f("Phone", "phone", "電話"),
        _f("Fax", "phone", "Fax"),
        _f("Website", "url", "Web サイト"),
        _f("BillingPostalCode", "string", "郵便番号(請求先)", 20),
        _f("BillingState", "string", "都道府県(請求先)", 80),
        _f("BillingCity", "string", "市区郡(請求先)", 40),
        _f("BillingStreet", "textarea", "町名・番地(請求先)", 255),
        _f("BillingCountry", "string", "国(請求先)", 80),
        _f("Description", "textarea", "説明"),
        _owner(),
    ])


def _contact() -> ObjectDef:
    return _make(CONTACT, "取引先責任者", "取引先責任者", "003", [
        _f("LastName", "string", "姓", 80, nillable=False),
        _f("FirstName", "string", "名", 40),
        _name_calc(),
        _f("Salutation", "picklist", "敬称", 40, picklist_values=("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
        _ref("AccountId", "取引先 ID", [ACCOUNT], "Account"),
        _f("Title", "string", "役職", 128),
        _f("Department", "string", "部署", 80),
        _f("Email", "email", "メール", 80),
        _f("Phone", "phone", "電話"),
        _f("MobilePhone", "phone", "携帯"),
        _f("HomePhone", "phone", "自宅電話"),
        _f("OtherPhone", "phone", "その他の電話"),
        _f("AssistantPhone", "phone", "アシスタント電話"),
        _f("Fax", "phone", "Fax"),
        _f("MailingPostalCode", "string", "郵便番号(郵送先)", 20),
        _f("MailingState", "string", "都道府県(郵送先)", 80),
        _f("MailingCity", "string", "市区郡(郵送先)", 40),
        _f("MailingStreet", "textarea", "町名・番地(郵送先)", 255),
        _f("Description", "textarea", "説明"),
        _owner(),
    ])


def _lead() -> ObjectDef:
    converted = {"updateable": False}  # settable on insert (data migration), only conversion changes it later
    return _make(LEAD, "リード", "リード", "00Q", [
        _f("LastName", "string", "姓", 80, nillable=False),
        _f("FirstName", "string", "名", 40),
        _name_calc(),
        _f("Company", "string", "会社名", 255, nillable=False),
        _f("Title", "string", "役職", 128),
        _f("Email", "email", "メール", 80),
        _f("Phone", "phone", "電話"),
        _f("MobilePhone", "phone", "携帯"),
        _f("Fax", "phone", "Fax"),
        _f("Status", "picklist", "リード状況", 255, nillable=False, default_value="Open - Not Contacted",
           picklist_values=("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                            "Closed - Not Converted")),
        _f("LeadSource", "picklist", "リードソース", 255, picklist_values=(
            "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")),
        _f("Industry", "picklist", "業種", 255, picklist_values=(
            "Agriculture", "Banking", "Communications", "Construction", "Consulting", "Education", "Electronics",
            "Energy", "Finance", "Government", "Healthcare", "Insurance", "Manufacturing", "Media", "Retail",
            "Technology", "Telecommunications", "Transportation", "Other")),
        _f("IsConverted", "boolean", "取引開始済み", nillable=False, default_value=False, **converted),
        _f("ConvertedDate", "date", "取引開始日", **converted),
        _ref("ConvertedAccountId", "取引開始後の取引先 ID", [ACCOUNT], "ConvertedAccount", **converted),
        _ref("ConvertedContactId", "取引開始後の取引先責任者 ID", [CONTACT], "ConvertedContact", **converted),
        _f("PostalCode", "string", "郵便番号", 20),
        _f("State", "string", "都道府県", 80),
        _f("City", "string", "市区郡", 40),
        _f("Street", "textarea", "町名・番地", 255),
        _f("Description", "textarea", "説明"),
        _owner(),
    ])


def _case() -> ObjectDef:
    return _make(CASE, "ケース", "ケース", "500", [
        # Auto-number: assigned by the org, never writable (unverified: the exact display format "00001001").
        _f("CaseNumber", "string", "ケース番号", 30, createable=False, updateable=False, name_field=True),
        _f("Subject", "string", "件名", 255),
        _f("Description", "textarea", "説明"),
        _f("Status", "picklist", "状況", 255, nillable=False, default_value="New",
           picklist_values=("New", "Working", "Escalated", "Closed")),
        _f("Origin", "picklist", "発生源", 255, picklist_values=("Phone", "Email", "Web")),
        _f("Priority", "picklist", "優先度", 255, default_value="Medium", picklist_values=("High", "Medium", "Low")),
        _f("Type", "picklist", "種別", 255, picklist_values=("Mechanical", "Electrical", "Electronic", "Structural",
                                                              "Other")),
        _f("Reason", "picklist", "原因", 255, picklist_values=("Installation", "Equipment Complexity", "Performance",
                                                               "Breakdown", "Equipment Design", "Feedback",
                                                               "Other")),
        _ref("AccountId", "取引先 ID", [ACCOUNT], "Account"),
        _ref("ContactId", "取引先責任者 ID", [CONTACT], "Contact"),
        _f("SuppliedPhone", "string", "Web 電話", 40),
        _f("IsClosed", "boolean", "クローズ", nillable=False, createable=False, updateable=False, calculated=True),
        _owner(),
    ])


def _opportunity() -> ObjectDef:
    return _make(OPPORTUNITY, "商談", "商談", "006", [
        _f("Name", "string", "商談名", 120, nillable=False, name_field=True),
        _ref("AccountId", "取引先 ID", [ACCOUNT], "Account"),
        _f("StageName", "picklist", "フェーズ", 255, nillable=False, picklist_values=(
            "Prospecting", "Qualification", "Needs Analysis", "Closed Won", "Closed Lost")),
        _f("CloseDate", "date", "完了予定日", nillable=False),
        _f("Amount", "currency", "金額"),
        _owner(),
    ])


def _task(setup_done: bool, what_to: Iterable[str]) -> ObjectDef:
    fields = [
        _f("Subject", "combobox", "件名", 255, picklist_values=("Call", "Send Letter", "Send Quote", "Other")),
        _f("Status", "picklist", "状況", 255, nillable=False, default_value="Not Started",
           picklist_values=tuple(s[0] for s in TASK_STATUSES)),
        _f("Priority", "picklist", "優先度", 255, nillable=False, default_value="Normal",
           picklist_values=("High", "Normal", "Low")),
        # Set on create only (Salesforce: "TaskSubtype ... can't be updated").
        _f("TaskSubtype", "picklist", "ToDo サブタイプ", 255, updateable=False, restricted_picklist=True,
           default_value="Task", picklist_values=("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")),
        _f("CallType", "picklist", "通話種別", 255, restricted_picklist=True,
           picklist_values=("Inbound", "Internal", "Outbound")),
        _f("CallDurationInSeconds", "int", "通話時間"),
        _f("CallObject", "string", "通話オブジェクト ID", 255),
        _f("CallDisposition", "string", "通話結果", 255),
        _f("ActivityDate", "date", "期日"),
        _f("Description", "textarea", "コメント", 32000),
        _ref("WhoId", "名前 ID", [CONTACT, LEAD], "Who"),
        _ref("WhatId", "関連先 ID", list(what_to), "What"),
        # Derived from WhatId / WhoId by the org, never written by clients.
        _ref("AccountId", "取引先 ID", [ACCOUNT], "Account", createable=False, updateable=False),
        _f("IsClosed", "boolean", "クローズ", nillable=False, createable=False, updateable=False, calculated=True),
        _owner(),
    ]
    if setup_done:
        fields.extend(b_fields())
        fields.append(wav_field())
    return _make(TASK, "ToDo", "ToDo", "00T", fields)


def _event(setup_done: bool, what_to: Iterable[str]) -> ObjectDef:
    """行動 (Event): the other Activity object. The app writes only Tasks; Event is here because the Activity custom
    fields (§2) appear on both ("Activity custom fields ... apply to tasks and events", Salesforce Help)."""
    fields = [
        _f("Subject", "combobox", "件名", 255, picklist_values=("Call", "Email", "Meeting", "Send Letter/Quote", "Other")),
        _f("StartDateTime", "datetime", "開始"),
        _f("EndDateTime", "datetime", "終了"),
        _f("ActivityDateTime", "datetime", "予定日時"),
        _f("DurationInMinutes", "int", "期間"),
        _f("IsAllDayEvent", "boolean", "終日行動", nillable=False, default_value=False),
        _f("Location", "string", "場所", 255),
        _f("Description", "textarea", "説明", 32000),
        _ref("WhoId", "名前 ID", [CONTACT, LEAD], "Who"),
        _ref("WhatId", "関連先 ID", list(what_to), "What"),
        _ref("AccountId", "取引先 ID", [ACCOUNT], "Account", createable=False, updateable=False),
        _owner(),
    ]
    if setup_done:
        fields.extend(b_fields())
        fields.append(wav_field())
    return _make(EVENT, "行動", "行動", "00U", fields)


def b_fields() -> list[FieldDef]:
    """The §2 Activity custom fields (they appear on Task because they were created on Activity)."""
    return [_f(name, type_, label, length, custom=True) for name, label, type_, length in B_FIELD_SPECS]


def wav_field() -> FieldDef:
    return _f(WAV_FIELD, "string", "音声再生", 1300, custom=True, createable=False, updateable=False,
              calculated=True, calculated_formula=WAV_FORMULA)


def _user() -> ObjectDef:
    readonly = {"createable": False, "updateable": False}
    return _make(USER, "ユーザ", "ユーザ", "005", [
        _f("Username", "string", "ユーザ名", 80, nillable=False, **readonly),
        _f("LastName", "string", "姓", 80, nillable=False, **readonly),
        _f("FirstName", "string", "名", 40, **readonly),
        _f("Name", "string", "氏名", 121, name_field=True, **readonly),
        _f("Email", "email", "メール", 128, nillable=False, **readonly),
        _f("Phone", "phone", "電話", **readonly),
        _f("MobilePhone", "phone", "携帯", **readonly),
        _f("IsActive", "boolean", "有効", nillable=False, **readonly),
        _f("TimeZoneSidKey", "picklist", "タイムゾーン", 40, picklist_values=("Asia/Tokyo",), **readonly),
        _f("LanguageLocaleKey", "picklist", "言語", 40, picklist_values=("ja", "en_US"), **readonly),
    ], createable=False, updateable=False, deletable=False)


def _organization() -> ObjectDef:
    readonly = {"createable": False, "updateable": False}
    return _make(ORGANIZATION, "組織", "組織", "00D", [
        _f("Name", "string", "名前", 80, name_field=True, **readonly),
        _f("OrganizationType", "picklist", "エディション", 40, picklist_values=("Developer Edition",), **readonly),
        _f("IsSandbox", "boolean", "Sandbox", nillable=False, **readonly),
        _f("InstanceName", "string", "インスタンス名", 5, **readonly),
        _f("TimeZoneSidKey", "picklist", "デフォルトのタイムゾーン", 40, picklist_values=("Asia/Tokyo",),
           **readonly),
        _f("LanguageLocaleKey", "picklist", "デフォルトの言語", 40, picklist_values=("ja",), **readonly),
        _f("Phone", "phone", "電話", **readonly),
    ], createable=False, updateable=False, deletable=False, searchable=False)


def _task_status() -> ObjectDef:
    readonly = {"createable": False, "updateable": False}
    # Key prefix 01J (unverified; describe reports some prefix, the app never relies on it).
    return _make(TASK_STATUS, "ToDo 状況", "ToDo 状況", "01J", [
        _f("ApiName", "string", "API 参照名", 255, **readonly),
        _f("MasterLabel", "string", "マスタ表示ラベル", 255, name_field=True, **readonly),
        _f("IsClosed", "boolean", "クローズ", nillable=False, **readonly),
        _f("IsDefault", "boolean", "デフォルト", nillable=False, **readonly),
        _f("SortOrder", "int", "並び順", **readonly),
    ], createable=False, updateable=False, deletable=False, searchable=False)


def _user_permission_access() -> ObjectDef:
    """The current user's system permissions: one row, queryable only (Object Reference "UserPermissionAccess",
    API 37.0+; unverified: its key prefix — the app never relies on it)."""
    readonly = {"createable": False, "updateable": False}
    return _make(USER_PERMISSION_ACCESS, "ユーザ権限アクセス", "ユーザ権限アクセス", "0HN",
                 [_f(name, "boolean", name, nillable=False, **readonly) for name in USER_PERMISSIONS],
                 createable=False, updateable=False, deletable=False, searchable=False)


def _permission_objects() -> list[ObjectDef]:
    """PermissionSet, FieldPermissions, PermissionSetAssignment: creatable through the data API (ObjRef); key
    prefixes 0PS, 01k, 0Pa (unverified: the app never relies on them)."""
    hidden = {"searchable": False}
    return [
        _make(PERMISSION_SET, "権限セット", "権限セット", "0PS", [
            _f("Name", "string", "API 参照名", 80, nillable=False),
            _f("Label", "string", "表示ラベル", 80, nillable=False, name_field=True),
            _f("Description", "textarea", "説明", 255),
        ], **hidden),
        _make(FIELD_PERMISSIONS, "項目権限", "項目権限", "01k", [
            _ref("ParentId", "親 ID", [PERMISSION_SET], "Parent", nillable=False),
            _f("SobjectType", "string", "オブジェクト種別", 80, nillable=False),
            _f("Field", "string", "項目名", 255, nillable=False),
            _f("PermissionsRead", "boolean", "参照", nillable=False, default_value=False),
            _f("PermissionsEdit", "boolean", "編集", nillable=False, default_value=False),
        ], **hidden),
        _make(PERMISSION_SET_ASSIGNMENT, "権限セットの割り当て", "権限セットの割り当て", "0Pa", [
            _ref("PermissionSetId", "権限セット ID", [PERMISSION_SET], "PermissionSet", nillable=False),
            _ref("AssigneeId", "割り当て先 ID", [USER], "Assignee", nillable=False),
        ], **hidden),
    ]


def standard_objects(setup_done: bool) -> dict[str, ObjectDef]:
    """A fresh org's objects; ``setup_done`` adds the §2 Activity fields and formula to Task."""
    objects = [_account(), _contact(), _lead(), _case(), _opportunity(),
               _task(setup_done, [ACCOUNT, CASE, OPPORTUNITY]), _event(setup_done, [ACCOUNT, CASE, OPPORTUNITY]), _user(), _organization(), _task_status(),
               _user_permission_access(), *_permission_objects()]
    return {o.name: o for o in objects}


def custom_object(name: str, label: str, key_prefix: str, fields: Iterable[FieldDef],
                  label_plural: str | None = None) -> ObjectDef:
    """A custom object with the standard Name/OwnerId fields every custom object has."""
    own = [_f("Name", "string", f"{label} 名", 80, name_field=True), _owner()]
    return _make(name, label, label_plural or label, key_prefix, own + list(fields), custom=True)


def field_from_json(spec: dict[str, Any]) -> FieldDef:
    """A field from the ``/__devorg/objects`` / ``/__devorg/field`` payload (describe-like keys)."""
    name = str(spec["name"])
    type_ = str(spec.get("type", "string"))
    return _f(
        name, type_, str(spec.get("label", name)), int(spec.get("length", 0)),
        custom=name.endswith("__c"),
        external_id=bool(spec.get("externalId", False)),
        unique=bool(spec.get("unique", False)),
        nillable=bool(spec.get("nillable", True)),
        reference_to=tuple(spec.get("referenceTo", ())),
        relationship_name=spec.get("relationshipName")
        or (name[:-3] + "__r" if type_ == "reference" and name.endswith("__c") else None),
        picklist_values=tuple(spec.get("picklistValues", ())),
        restricted_picklist=bool(spec.get("restrictedPicklist", False)),
        default_value=spec.get("defaultValue"),
        # Field-level security: a field the user may read but not edit is in describe with these false (a formula
        # field is never createable nor updateable).
        createable=bool(spec.get("createable", True)) and not spec.get("calculated"),
        updateable=bool(spec.get("updateable", True)) and not spec.get("calculated"),
        **({"calculated": True, "calculated_formula": str(spec.get("calculatedFormula") or "")}
           if spec.get("calculated") else {}),
    )


def with_reference_added(obj: ObjectDef, field_name: str, target: str) -> None:
    """Adds ``target`` to a polymorphic reference (e.g. Task.WhatId after "Allow Activities")."""
    current = obj.fields[field_name]
    if target not in current.reference_to:
        obj.fields[field_name] = dataclasses.replace(current, reference_to=current.reference_to + (target,))


def object_to_json(obj: ObjectDef) -> dict[str, Any]:
    """For ``--state``: an ObjectDef as plain JSON."""
    data = dataclasses.asdict(obj)
    data["fields"] = [dataclasses.asdict(f) for f in obj.fields.values()]
    return data


def object_from_json(data: dict[str, Any]) -> ObjectDef:
    fields = data.pop("fields")
    obj = ObjectDef(**data)
    for raw in fields:
        raw["reference_to"] = tuple(raw["reference_to"])
        raw["picklist_values"] = tuple(raw["picklist_values"])
        obj.fields[raw["name"]] = FieldDef(**raw)
    return obj
