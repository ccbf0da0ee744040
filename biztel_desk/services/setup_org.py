"""Salesforce側の自動設定 (issue: setup in one click): read the org, show a plan, apply it after confirmation.

Each plan line is 作成 / 変更なし / 手動対応が必要 with its reason. The apply step creates only what is missing —
the ``speaker`` static resource, the ``WavImg`` label pointing at it, the Activity fields of the seed's §2 table
(``B_UniqueId__c`` as External ID) and the ``WavUrlImg__c`` formula (BIZTEL form, or the whole-link form when
another recording template is set), then a permission set granting the integration user read/edit on them.
It never deletes and never changes what the admin made: a field of the wrong type or length is a
手動対応が必要 line with the exact fix. Each step is written, then verified, before the next; a failure stops
the run with Salesforce's message and what was done so far. The user's missing system permissions are named
before anything is written. Safe to call from a worker thread (no Qt).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from simple_salesforce import Salesforce

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.url_template import DEFAULT_RECORDING_URL_TEMPLATE
from biztel_desk.domain.vocabulary import pick
from biztel_desk.salesforce import connection
from biztel_desk.salesforce.setup_org import (
    CUSTOMIZE_APPLICATION,
    MANAGE_USERS,
    MODIFY_METADATA,
    PERMISSION_SET_NAME,
    OrgSetupState,
    SetupApi,
    SetupApiError,
    resource_path,
)
from biztel_desk.verify.checks import ConfigSource, UnknownSetting
from biztel_desk.verify.requirements import (
    ACTIVITY_FIELDS,
    CUSTOM_LABEL,
    CUSTOM_LABEL_DESCRIPTION,
    STATIC_RESOURCE,
    WAV_FORMULA,
    ActivityField,
)

Connect = Callable[..., Salesforce]
Text = tuple[str, str]  # (Japanese, English)

# The recording-template form (README "録音再生URLテンプレート"): the whole link is in B_ServerIP__c.
WHOLE_LINK_FORMULA = 'IF(ISBLANK(B_ServerIP__c), NULL, HYPERLINK(B_ServerIP__c, IMAGE($Label.WavImg, "Image"), "Image"))'
UNIQUE_ID_FIELD = "B_UniqueId__c"
RESOURCE_DESCRIPTION = "BIZTEL 音声再生ボタン (BIZTEL Desk)"
PERMISSION_NAMES: dict[str, Text] = {
    CUSTOMIZE_APPLICATION: ("アプリケーションのカスタマイズ", "Customize Application"),
    MODIFY_METADATA: ("メタデータ API 関数を使用したメタデータの変更", "Modify Metadata Through Metadata API Functions"),
    MANAGE_USERS: ("ユーザの管理", "Manage Users"),
}
SETUP_PATH: Text = ("設定 → オブジェクトマネージャ → 活動 → 項目とリレーション", "Setup → Object Manager → Activity → "
                    "Fields & Relationships")


def speaker_image() -> bytes:
    """The packaged play-button image (the one place that knows where the resources live)."""
    from biztel_desk import resources_path

    return resources_path("images", "speaker.png").read_bytes()


class Action(StrEnum):
    CREATE = "create"
    UNCHANGED = "unchanged"
    MANUAL = "manual"


ACTION_TEXT: dict[Action, Text] = {Action.CREATE: ("作成", "Create"), Action.UNCHANGED: ("変更なし", "No change"),
                                   Action.MANUAL: ("手動対応が必要", "Manual fix needed")}


@dataclass(frozen=True)
class PlanLine:
    """One piece of the setup: what it is, what the apply step does with it, and why."""

    key: str  # static_resource:speaker | label:WavImg | field:B_X__c | permission_set | field_permissions | …
    item: Text
    action: Action
    reason: Text

    def text(self, lang: str = "ja") -> str:
        return f"[{pick(lang, *ACTION_TEXT[self.action])}] {pick(lang, *self.item)}: {pick(lang, *self.reason)}"


@dataclass
class SetupPlan:
    setting: str
    org_name: str
    org_id: str
    user_name: str
    username: str
    formula: str
    lines: list[PlanLine]
    missing_permissions: list[Text]  # system permissions the creates need and the user lacks
    state: OrgSetupState
    api_calls: int = 0

    @property
    def creates(self) -> list[PlanLine]:
        return [line for line in self.lines if line.action == Action.CREATE]

    @property
    def manual(self) -> list[PlanLine]:
        return [line for line in self.lines if line.action == Action.MANUAL]

    @property
    def changes_nothing(self) -> bool:
        return not self.creates

    def permission_text(self, lang: str = "ja") -> str:
        names = pick(lang, "、", ", ").join(pick(lang, *name) for name in self.missing_permissions)
        return pick(lang,
                    f"Salesforceユーザ {self.username} には自動設定に必要な権限がありません: {names}。"
                    "システム管理者でログインするか、管理者に権限を付与してもらってから、もう一度実行してください。",
                    f"The Salesforce user {self.username} lacks the permission(s) the setup needs: {names}. "
                    "Sign in with a System Administrator, or have an administrator grant them, then run it again.")

    def status_text(self, lang: str = "ja") -> str:
        """What the plan dialog says above the plan: the org and user, then what 適用… would do (or why it cannot)."""
        head = pick(lang, f"組織「{self.org_name}」・ユーザ {self.username}",
                    f"Org “{self.org_name}” · user {self.username}")
        if self.missing_permissions:
            return head + "\n" + self.permission_text(lang)
        if self.changes_nothing:
            return head + "\n" + pick(lang, "作成するものはありません。", "Nothing to create.")
        count = len(self.creates)
        return head + "\n" + pick(lang, f"{count}件を作成します。「適用…」で実行します。",
                                   f"{count} piece(s) to create. Click “Apply…” to create them.")

    def confirm_text(self, lang: str = "ja") -> str:
        """The question before 適用: which org, as which user, how many creates, and that nothing is deleted."""
        count = len(self.creates)
        return pick(lang, f"組織「{self.org_name}」({self.org_id})に、ユーザ {self.username} として{count}件を作成します。"
                          "削除や既存項目の変更はしません。実行しますか?",
                    f"Create {count} piece(s) in the org “{self.org_name}” ({self.org_id}) as the user "
                    f"{self.username}? Nothing is deleted and no existing field is changed.")

    def lines_text(self, lang: str = "ja") -> list[str]:
        out = [line.text(lang) for line in self.lines]
        if self.missing_permissions:
            out.append(self.permission_text(lang))
        return out


class SetupUnavailable(KnownError):
    """The org could not be read (login refused, network down): nothing was written."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(en)
        self._text = (ja, en)

    def text(self, lang: str = "ja") -> str:
        return pick(lang, *self._text)


class MissingPermissions(KnownError):
    """Refused before any write: the user lacks system permissions the plan needs."""

    def __init__(self, plan: SetupPlan) -> None:
        super().__init__(plan.permission_text("en"))
        self.plan = plan

    def text(self, lang: str = "ja") -> str:
        return self.plan.permission_text(lang)


class SetupFailed(KnownError):
    """A step failed: Salesforce's message, the step, and what was done before it (nothing was undone)."""

    def __init__(self, line: PlanLine, detail: Text, done: list[PlanLine]) -> None:
        super().__init__(detail[1])
        self.line, self.detail, self.done = line, detail, done

    def text(self, lang: str = "ja") -> str:
        item = pick(lang, *self.line.item)
        done = pick(lang, "、", ", ").join(pick(lang, *d.item) for d in self.done)
        return pick(lang,
                    f"「{item}」で自動設定を中止しました: {self.detail[0]} ここまでに完了: {done or 'なし'}。"
                    "Salesforce側の原因を解消してから、もう一度実行してください(完了した項目は変更なしになります)。",
                    f"Setup stopped at “{item}”: {self.detail[1]} Done before it: {done or 'nothing'}. "
                    "Fix the cause in Salesforce and run the setup again (what is done shows as No change).")


@dataclass
class SetupResult:
    done: list[PlanLine] = field(default_factory=list)
    api_calls: int = 0


def formula_for(template: str) -> str:
    """BIZTEL's formula with BIZTEL's template (or none), the whole-link formula for any other template."""
    return WAV_FORMULA if template.strip() in ("", DEFAULT_RECORDING_URL_TEMPLATE) else WHOLE_LINK_FORMULA


def _field_metadata(spec: ActivityField, formula: str) -> dict[str, Any]:
    label = spec.label
    if spec.kind == "formula":
        return {"type": "Text", "label": label, "formula": formula, "formulaTreatBlanksAs": "BlankAsBlank"}
    if spec.kind == "string":
        metadata: dict[str, Any] = {"type": "Text", "label": label, "length": spec.length}
        if spec.api_name == UNIQUE_ID_FIELD:
            metadata["externalId"] = True  # indexed and upsertable (issue #10)
        return metadata
    return {"type": {"phone": "Phone", "datetime": "DateTime"}[spec.kind], "label": label}


_TEXT_TYPE = re.compile(r"^Text\((\d+)\)")


def _formula_matches(formula: str, wanted: str) -> bool:
    compact = formula.replace(" ", "")
    if "monitor_link" in wanted:
        return "monitor_link" in compact and "B_UniqueId__c" in compact
    return "B_ServerIP__c" in compact and "monitor_link" not in compact


def _field_line(spec: ActivityField, state: OrgSetupState, formula: str) -> PlanLine:
    key, name = f"field:{spec.api_name}", spec.api_name
    item = (f"項目 {spec.label}({name})", f"Field {spec.label_en} ({name})")
    existing = state.fields.get(name)
    if existing is None:
        extra = ("、外部ID", ", External ID") if name == UNIQUE_ID_FIELD else ("", "")
        return PlanLine(key, item, Action.CREATE, (f"ありません。活動に{spec.type_ja}{extra[0]}で作成します。",
                                                   f"Missing: created on Activity as {spec.type_en}{extra[1]}."))
    where = f"{SETUP_PATH[0]} → {name}", f"{SETUP_PATH[1]} → {name}"
    actual = existing.data_type or "?"
    if spec.kind == "formula":
        right_type = existing.calculated and existing.data_type.startswith("Formula (Text)")
    elif spec.kind == "string":
        right_type = not existing.calculated and bool(_TEXT_TYPE.match(existing.data_type))
    else:
        right_type = not existing.calculated and existing.data_type == {"phone": "Phone",
                                                                        "datetime": "Date/Time"}[spec.kind]
    if not right_type:
        return PlanLine(key, item, Action.MANUAL, (
            f"データ型が「{actual}」です(必要: {spec.type_ja})。自動では変更しません。{where[0]} の「データ型を変更」で"
            f"「{spec.type_ja}」にしてください(既存の値が失われることがあります)。",
            f"Its data type is “{actual}” (needed: {spec.type_en}); it is not changed automatically. In {where[1]}, "
            f"use “Change Field Type” to make it {spec.type_en} (existing values may be lost)."))
    if spec.kind == "string" and existing.length < spec.length:
        return PlanLine(key, item, Action.MANUAL, (
            f"文字数が{existing.length}です(必要: {spec.length}以上)。自動では変更しません。{where[0]} の「編集」で"
            f"文字数を{spec.length}にしてください。",
            f"Its length is {existing.length} (needed: at least {spec.length}); it is not changed automatically. "
            f"In {where[1]}, “Edit” it and set the length to {spec.length}."))
    visible = state.visible.get(name)
    if spec.kind == "formula" and visible is not None and visible.formula and not _formula_matches(visible.formula,
                                                                                                   formula):
        return PlanLine(key, item, Action.MANUAL, (
            f"数式が録音再生URLテンプレートと合いません。自動では変更しません。{where[0]} の「編集」で数式を次にしてください: "
            f"{formula}",
            f"Its formula does not match the recording link template; it is not changed automatically. In "
            f"{where[1]}, “Edit” it and set the formula to: {formula}"))
    if name == UNIQUE_ID_FIELD and "External ID" not in existing.data_type and not (visible and visible.external_id):
        return PlanLine(key, item, Action.UNCHANGED, (
            f"あります(外部IDではありません。任意: {where[0]} の「編集」で「外部ID」にすると照合が速くなります)。",
            f"Present (not an External ID; optional: “Edit” it in {where[1]} and tick External ID for faster "
            "matching)."))
    return PlanLine(key, item, Action.UNCHANGED, ("あります。", "Present."))


def build_plan(setting: str, state: OrgSetupState, formula: str) -> SetupPlan:
    """The plan from what the org has (no call)."""
    lines: list[PlanLine] = []
    resource_item = (f"静的リソース {STATIC_RESOURCE}", f"Static resource {STATIC_RESOURCE}")
    if state.resource_stamp is None:
        lines.append(PlanLine(f"static_resource:{STATIC_RESOURCE}", resource_item, Action.CREATE, (
            "ありません。アプリ同梱の再生ボタン画像で作成します。", "Missing: created from the play-button image shipped "
                                                                  "with the app.")))
    else:
        path = resource_path(state.resource_stamp, STATIC_RESOURCE)
        lines.append(PlanLine(f"static_resource:{STATIC_RESOURCE}", resource_item, Action.UNCHANGED,
                              (f"あります({path})。", f"Present ({path}).")))
    label_item = (f"カスタム表示ラベル {CUSTOM_LABEL}", f"Custom label {CUSTOM_LABEL}")
    if state.label_value is None:
        path = resource_path(state.resource_stamp, STATIC_RESOURCE) if state.resource_stamp else \
            f"/resource/<timestamp>/{STATIC_RESOURCE}"
        lines.append(PlanLine(f"label:{CUSTOM_LABEL}", label_item, Action.CREATE, (
            f"ありません。値 {path} で作成します。", f"Missing: created with the value {path}.")))
    elif not state.label_value.strip():
        lines.append(PlanLine(f"label:{CUSTOM_LABEL}", label_item, Action.MANUAL, (
            f"値が空です。設定 → カスタム表示ラベル → {CUSTOM_LABEL} の値を /resource/<timestamp>/{STATIC_RESOURCE} にして"
            "ください。", f"Its value is empty. In Setup → Custom Labels → {CUSTOM_LABEL}, set it to "
                         f"/resource/<timestamp>/{STATIC_RESOURCE}.")))
    else:
        lines.append(PlanLine(f"label:{CUSTOM_LABEL}", label_item, Action.UNCHANGED,
                              (f"あります({state.label_value})。", f"Present ({state.label_value}).")))
    # The formula last: it names B_ServerIP__c, B_UniqueId__c and the label.
    specs = sorted(ACTIVITY_FIELDS, key=lambda s: s.kind == "formula")
    field_lines = [_field_line(spec, state, formula) for spec in specs]
    lines.extend(field_lines)
    lines.extend(_permission_lines(state, field_lines))
    plan = SetupPlan(setting=setting, org_name=state.org_name, org_id=state.org_id, user_name=state.user_name,
                     username=state.username, formula=formula, lines=lines, missing_permissions=[], state=state)
    plan.missing_permissions = _missing_permissions(plan)
    return plan


def _grants_needed(state: OrgSetupState, field_lines: list[PlanLine]) -> dict[str, bool]:
    """Fields the user must be granted ("Task.X__c" → Edit too): created ones, and existing ones it cannot use."""
    needed: dict[str, bool] = {}
    kinds = {spec.api_name: spec.kind for spec in ACTIVITY_FIELDS}
    for line in field_lines:
        if line.action == Action.MANUAL:
            continue  # the admin's field with a problem: its access is left alone too
        name = line.key.removeprefix("field:")
        edit = kinds[name] != "formula"
        visible = state.visible.get(name)
        if visible is None or (edit and not (visible.createable and visible.updateable)):
            needed[f"Task.{name}"] = edit
    return needed


def _permission_lines(state: OrgSetupState, field_lines: list[PlanLine]) -> list[PlanLine]:
    needed = _grants_needed(state, field_lines)
    if not needed:
        return [PlanLine("field_permissions", ("項目の権限", "Field permissions"), Action.UNCHANGED, (
            "連携ユーザはすべての項目を参照・編集できます。", "The integration user can read and edit every field."))]
    set_item = (f"権限セット {PERMISSION_SET_NAME}", f"Permission set {PERMISSION_SET_NAME}")
    lines = [PlanLine("permission_set", set_item, Action.UNCHANGED, ("あります。", "Present."))
             if state.permission_set_id else
             PlanLine("permission_set", set_item, Action.CREATE, (
                 "ありません。項目の参照・編集を付与する権限セットを作成します。",
                 "Missing: created to grant read and edit on the fields."))]
    missing = {name: edit for name, edit in needed.items()
               if not (state.granted.get(name, (False, False))[0] and (state.granted[name][1] or not edit))}
    names = ", ".join(n.removeprefix("Task.") for n in missing)
    lines.append(PlanLine("field_permissions", ("項目の権限", "Field permissions"), Action.CREATE, (
        f"{len(missing)}項目に参照・編集(数式は参照のみ)を付与します: {names}",
        f"Read and edit (read only for the formula) granted on {len(missing)} field(s): {names}"))
        if missing else PlanLine("field_permissions", ("項目の権限", "Field permissions"), Action.UNCHANGED, (
            "権限セットで付与済みです。", "Granted by the permission set.")))
    assign_item = ("権限セットの割り当て", "Permission set assignment")
    if not state.user_id:
        lines.append(PlanLine("assignment", assign_item, Action.MANUAL, (
            f"連携ユーザを特定できません。設定 → 権限セット → {PERMISSION_SET_NAME} →「割り当ての管理」で連携ユーザに"
            "割り当ててください。", f"The integration user could not be identified. In Setup → Permission Sets → "
                                 f"{PERMISSION_SET_NAME} → Manage Assignments, assign it to the integration user.")))
    elif state.assigned:
        lines.append(PlanLine("assignment", assign_item, Action.UNCHANGED, (
            f"{state.username} に割り当て済みです。", f"Assigned to {state.username}.")))
    else:
        lines.append(PlanLine("assignment", assign_item, Action.CREATE, (
            f"{state.username} に割り当てます。", f"Assigned to {state.username}.")))
    return lines


def _missing_permissions(plan: SetupPlan) -> list[Text]:
    needed: list[str] = []
    keys = {line.key for line in plan.creates}
    if any(k.startswith(("static_resource:", "label:", "field:")) for k in keys):
        needed += [CUSTOMIZE_APPLICATION, MODIFY_METADATA]
    if keys & {"permission_set", "field_permissions"} and CUSTOMIZE_APPLICATION not in needed:
        needed.append(CUSTOMIZE_APPLICATION)
    if "assignment" in keys:
        needed.append(MANAGE_USERS)
    return [PERMISSION_NAMES[name] for name in needed if not plan.state.permissions.get(name)]


class SetupSession:
    """One login for a plan and its apply. ``calls`` counts the REST requests (logins excluded)."""

    def __init__(self, config: ConfigSource, secrets: Any, setting_name: str, *, timeout: float = 30,
                 connect: Connect | None = None) -> None:
        setting = config.get_setting(setting_name)
        if setting is None:
            raise UnknownSetting(setting_name)
        account = config.get_account(setting.account) if setting.account else None
        if account is None:
            raise SetupUnavailable(f"連携設定「{setting_name}」にSalesforceアカウントがありません。アカウントを選んでください。",
                                   f"The link setting “{setting_name}” has no Salesforce account. Choose one.")
        self.setting_name = setting_name
        self.formula = formula_for(config.system().recording_url_template)
        try:
            self.sf = (connect or connection.connect)(account, secrets, timeout=timeout)
        except connection.SalesforceLoginError as error:
            raise SetupUnavailable(error.text("ja"), error.text("en")) from None
        self.api = SetupApi(self.sf, username_hint=account.username or "")

    @property
    def calls(self) -> int:
        return self.api.calls

    def plan(self) -> SetupPlan:
        try:
            state = self.api.read_state(STATIC_RESOURCE, CUSTOM_LABEL, [f.api_name for f in ACTIVITY_FIELDS])
        except SetupApiError as error:
            raise SetupUnavailable(f"Salesforceの設定を読めませんでした: {error.text('ja')}。",
                                   f"Could not read the Salesforce setup: {error.text('en')}.") from None
        plan = build_plan(self.setting_name, state, self.formula)
        plan.api_calls = self.calls
        return plan

    def apply(self, plan: SetupPlan, progress: Callable[[int, int, PlanLine], None] | None = None) -> SetupResult:
        """Creates the plan's 作成 lines in order, each verified before the next. Raises MissingPermissions
        before any write, SetupFailed at the first refusal (what was done stays, nothing is undone)."""
        if plan.missing_permissions:
            raise MissingPermissions(plan)
        start_calls = self.calls
        result = SetupResult()
        steps = plan.creates
        state = plan.state
        for index, line in enumerate(steps):
            try:
                self._apply_line(line, plan, state)
            except SetupApiError as error:
                raise SetupFailed(line, (f"{error.text('ja')}。", f"{error.text('en')}."), result.done) from None
            except _NotVerified as error:
                raise SetupFailed(line, error.detail, result.done) from None
            result.done.append(line)
            if progress is not None:
                progress(index + 1, len(steps), line)
        if steps:
            last = steps[-1]
            try:
                self._verify_access(plan)
            except _NotVerified as error:
                raise SetupFailed(last, error.detail, result.done) from None
        result.api_calls = self.calls - start_calls
        return result

    # --- steps ------------------------------------------------------------------------------------------------

    def _apply_line(self, line: PlanLine, plan: SetupPlan, state: OrgSetupState) -> None:
        api = self.api
        if line.key.startswith("static_resource:"):
            api.create_static_resource(STATIC_RESOURCE, speaker_image(), "image/png", RESOURCE_DESCRIPTION)
            state.resource_stamp = api.resource_stamp(STATIC_RESOURCE)
            if state.resource_stamp is None:
                raise _NotVerified(("作成後の確認で見つかりませんでした。", "Not found when checked after the create."))
        elif line.key.startswith("label:"):
            if state.resource_stamp is None:
                raise _NotVerified((f"静的リソース {STATIC_RESOURCE} がないため値を決められません。",
                                    f"The static resource {STATIC_RESOURCE} is missing: no value for the label."))
            value = resource_path(state.resource_stamp, STATIC_RESOURCE)
            api.create_label(CUSTOM_LABEL, value, CUSTOM_LABEL_DESCRIPTION)
            state.label_value = api.label_value(CUSTOM_LABEL)
            if state.label_value != value:
                raise _NotVerified(("作成後の確認で値が違いました。", "Its value differed when checked after the create."))
        elif line.key.startswith("field:"):
            name = line.key.removeprefix("field:")
            spec = next(f for f in ACTIVITY_FIELDS if f.api_name == name)
            api.create_activity_field(name, _field_metadata(spec, plan.formula))
            if not any(later.key.startswith("field:") for later in plan.creates[plan.creates.index(line) + 1:]):
                # After the last field: one FieldDefinition read checks every created field.
                state.fields = api.activity_fields()
                created = [later.key.removeprefix("field:") for later in plan.creates if later.key.startswith("field:")]
                absent = [n for n in created if n not in state.fields]
                if absent:
                    raise _NotVerified((f"作成後の確認で見つかりませんでした: {', '.join(absent)}。",
                                        f"Not found when checked after the create: {', '.join(absent)}."))
        elif line.key == "permission_set":
            state.permission_set_id = api.create_permission_set()
        elif line.key == "field_permissions":
            assert state.permission_set_id is not None
            needed = _grants_needed(state, [ln for ln in plan.lines if ln.key.startswith("field:")])
            api.create_field_permissions(state.permission_set_id, {
                name: edit for name, edit in needed.items()
                if not (state.granted.get(name, (False, False))[0] and (state.granted[name][1] or not edit))})
        elif line.key == "assignment":
            assert state.permission_set_id is not None
            api.assign_permission_set(state.permission_set_id, state.user_id)
            state.assigned = True

    def _verify_access(self, plan: SetupPlan) -> None:
        """After the last step: the user sees every field (and may edit all but the formula)."""
        visible = self.api.task_fields()
        manual = {line.key.removeprefix("field:") for line in plan.manual}
        missing = []
        for spec in ACTIVITY_FIELDS:
            if spec.api_name in manual:
                continue
            found = visible.get(spec.api_name)
            if found is None or (spec.kind != "formula" and not (found.createable and found.updateable)):
                missing.append(spec.api_name)
        if missing:
            raise _NotVerified((f"作成後も連携ユーザが参照・編集できない項目があります: {', '.join(missing)}。",
                                f"The integration user still cannot read or edit: {', '.join(missing)}."))

    def close(self) -> None:
        self.sf.session.close()


class _NotVerified(Exception):
    def __init__(self, detail: Text) -> None:
        super().__init__(detail[1])
        self.detail = detail


__all__ = ["ACTION_TEXT", "Action", "MissingPermissions", "PlanLine", "SetupFailed", "SetupPlan", "SetupResult",
           "SetupSession", "SetupUnavailable", "build_plan", "formula_for", "speaker_image"]
