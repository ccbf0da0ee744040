"""設定確認 (SPEC §11): every check of one link setting against its org, read-only, in 7 + N API calls.

N = one describe per custom object, plus Case's describe in Case mode and Lead's when the no-match policy
creates Leads (their field-level security).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from simple_salesforce import Salesforce

from biztel_desk.domain import url_template
from biztel_desk.domain.config import (
    AccountConfig,
    ActivityMode,
    LinkObjectConfig,
    LinkSettingConfig,
    OnNoMatch,
    SystemSettings,
)
from biztel_desk.domain.ids import InvalidRecordId, to18
from biztel_desk.domain.instance import remember_instance
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.domain.url_template import DEFAULT_RECORDING_URL_TEMPLATE
from biztel_desk.salesforce import connection
from biztel_desk.salesforce.metadata import GlobalObject, MetadataError, ObjectDescribe, ObjectNotFound, OrgMetadata
from biztel_desk.secrets import SecretStore
from biztel_desk.verify.report import Bilingual, VerificationReport, VerifyProblem, now_iso, problem
from biztel_desk.verify.requirements import (
    ACTIVITY_FIELDS,
    CALL_FIELDS,
    CASE_WRITTEN,
    CUSTOM_LABEL,
    LABEL_KEY,
    LEAD_WRITTEN,
    RESOURCE_KEY,
    SEE_ALL_PERMISSIONS,
    SERVER_IP_FIELD,
    STATIC_RESOURCE,
    TASK_CREATE_ONLY,
    TASK_OWNERS,
    TASK_WRITTEN,
    ActivityField,
    field_key,
)

log = logging.getLogger(__name__)

# Login failures that are about this computer's setup (no secret, no keyring, a bad host), not the org's answer.
_UNUSABLE_LOGIN_CODES = frozenset(
    {"secret_missing", "keyring_unavailable", "host_invalid", "username_required", "devorg_unavailable"}
)
# Errors of one Tooling query that concern that query only (permissions, an unsupported object); network
# failures and the daily limit stop the whole verification instead.
_ITEM_ERRORS = frozenset({"salesforce_error", "not_found"})
# describe ``type`` → how Setup names it (Japanese, English).
_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "string": ("テキスト", "Text"), "phone": ("電話", "Phone"), "datetime": ("日付/時間", "Date/Time"),
    "date": ("日付", "Date"), "textarea": ("テキストエリア", "Text Area"), "email": ("メール", "Email"),
    "url": ("URL", "URL"), "picklist": ("選択リスト", "Picklist"), "boolean": ("チェックボックス", "Checkbox"),
    "double": ("数値", "Number"), "int": ("数値", "Number"), "currency": ("通貨", "Currency"),
    "reference": ("参照関係", "Lookup"),
}

Connect = Callable[..., Salesforce]


class ConfigSource(Protocol):
    """What verification reads from the configuration service (services.config.ConfigService fits)."""

    def get_setting(self, name: str) -> LinkSettingConfig | None: ...
    def get_account(self, name: str) -> AccountConfig | None: ...
    def system(self) -> SystemSettings: ...
    def set_preference(self, key: str, value: Any) -> None: ...


class VerifyContext(Protocol):
    """The application context as verification sees it (services.context.AppContext fits)."""

    @property
    def config(self) -> ConfigSource: ...

    @property
    def secrets(self) -> SecretStore: ...


class UnknownSetting(ProblemsError):
    """There is no link setting of that name."""

    def __init__(self, name: str) -> None:
        super().__init__([Problem("unknown_setting", "", {"value": name})])


def last_report_key(setting_name: str) -> str:
    """Preference key under which the last report of a setting is kept (for the checklist dialog)."""
    return f"verify.last_report.{setting_name}"


def verify_setting(context: VerifyContext, setting_name: str, *, timeout: float = 30,
                   connect: Connect | None = None) -> VerificationReport:
    """Run every check of the named setting, remember the report for the checklist, return it.

    Safe to call from a worker thread: it reads the configuration through the service (one session per
    call) and touches no Qt object. Raises UnknownSetting; a known Salesforce failure becomes a problem line.
    """
    setting = context.config.get_setting(setting_name)
    if setting is None:
        raise UnknownSetting(setting_name)
    account = context.config.get_account(setting.account) if setting.account else None

    def logged_in(instance: str) -> None:
        if account is not None:  # where the org lives: the history's Task links use it
            remember_instance(context.config, account, instance)

    report = run_checks(setting, account, context.secrets, context.config.system(), timeout=timeout,
                        connect=connect, on_login=logged_in)
    context.config.set_preference(last_report_key(setting.name), report.to_json())
    return report


def run_checks(setting: LinkSettingConfig, account: AccountConfig | None, secrets: SecretStore,
               system: SystemSettings, *, timeout: float = 30, connect: Connect | None = None,
               on_login: Callable[[str], None] | None = None) -> VerificationReport:
    """The checks on plain data. API calls: describeGlobal, describe Task, the fallback record, two tooling
    queries, TaskStatus, UserPermissionAccess — plus one describe per custom object, and Case's / Lead's when
    the setting creates them. Never a write. ``on_login`` is given the
    org's instance host (``sf.sf_instance``) once the login succeeded."""
    run = _Run(setting, system)
    run.local_checks()
    if account is None:
        run.add(problem("account_missing", "account", account=setting.account or "-"))
        return run.report(0)
    try:
        sf = (connect or connection.connect)(account, secrets, timeout=timeout)
    except connection.SalesforceLoginError as error:
        code = "account_unusable" if error.code in _UNUSABLE_LOGIN_CODES else "login"
        run.add(problem(code, "account", account=account.name, login=Bilingual(error.text("ja"), error.text("en"))))
        return run.report(0)
    instance = getattr(sf, "sf_instance", None)
    if on_login is not None and isinstance(instance, str) and instance:
        on_login(instance)
    org = OrgMetadata(sf, timeout)
    try:
        run.remote_checks(org)
    except MetadataError as error:
        # Network down or limit reached half-way: say so once; the checks not run stay unticked.
        run.add(problem("salesforce_error", "org", error=Bilingual(error.text("ja"), error.text("en"))))
    finally:
        sf.session.close()
    run.recording_link()  # after the org's items: a login problem comes first, and alone
    return run.report(org.calls)


class _Run:
    """One verification: collects problems and the checklist ticks in the order the admin fixes them."""

    def __init__(self, setting: LinkSettingConfig, system: SystemSettings) -> None:
        self.setting = setting
        self.system = system
        self.problems: list[VerifyProblem] = []
        self.checked: dict[str, bool] = {}

    def add(self, found: VerifyProblem) -> None:
        self.problems.append(found)

    def report(self, api_calls: int) -> VerificationReport:
        return VerificationReport(self.setting.name, self.problems, api_calls, self.checked, now_iso())

    # --- without Salesforce -------------------------------------------------------------------------------

    def local_checks(self) -> None:
        if not self.setting.api_consent:
            self.add(problem("api_consent", "api_consent"))
        if not any(target.enabled for target in self.setting.targets):
            self.add(problem("no_target", "targets"))

    def recording_link(self) -> None:
        """No template, or a template needing {server} without a recording server: no Task gets its link."""
        template = self.system.recording_url_template.strip()
        if not template:
            self.add(problem("recording_template_empty", "recording_url_template"))
            return
        try:
            needs_server = "server" in url_template.names(template)
        except url_template.TemplateError:
            return  # the settings file's validation names the bad placeholder
        if needs_server and not self.system.recording_server_url.strip():
            self.add(problem("recording_server_empty", "recording_server_url"))

    # --- against the org ------------------------------------------------------------------------------------

    def remote_checks(self, org: OrgMetadata) -> None:
        objects = org.describe_global()  # call 1
        task = self._task(org, objects)  # call 2
        what_id = task.field("WhatId") if task is not None else None
        what_to = set(what_id.reference_to) if what_id is not None else set()
        self._fallback(org, objects, what_to)  # call 3
        self._objects(org, objects, what_to)  # one describe per custom object
        self._label(org)  # call 4
        self._static_resource(org)  # call 5
        if self.setting.activity_mode == ActivityMode.CASE_AND_TASK:
            case = objects.get("Case")
            if case is None or not case.createable:
                self.add(problem("case_not_createable", "activity_mode"))
            else:
                self._editable("Case", org.describe("Case"), CASE_WRITTEN)  # +1 in Case mode
        if self.setting.on_no_match == OnNoMatch.CREATE_LEAD:
            lead = objects.get("Lead")
            if lead is None or not lead.createable:
                self.add(problem("lead_not_createable", "on_no_match"))
            else:
                self._editable("Lead", org.describe("Lead"), LEAD_WRITTEN)  # +1 when Leads are created
        if not org.closed_task_statuses():  # call 6
            self.add(problem("task_status_missing", "task_status"))
        self._visibility(org)  # call 7
        self._api_usage(org)

    def _task(self, org: OrgMetadata, objects: dict[str, GlobalObject]) -> ObjectDescribe | None:
        entry = objects.get("Task")
        if entry is None or not entry.createable:
            self.add(problem("task_unavailable", "Task"))
            if entry is None:
                return None
        task = org.describe("Task")
        for spec in ACTIVITY_FIELDS:
            found = self._field_problem(spec, task, self.system.recording_url_template)
            self.checked[field_key(spec.api_name)] = found is None
            if found is not None:
                self.add(found)
        missing = [name for name in CALL_FIELDS if task.field(name) is None]
        if missing:
            self.add(problem("call_fields_missing", "call_fields", fields=", ".join(missing)))
        if entry.createable:
            self._editable("Task", task, TASK_WRITTEN, update=True)
        self._server_ip(task)
        return task

    def _editable(self, object_name: str, described: ObjectDescribe, written: tuple[str, ...], *,
                  update: bool = False) -> None:
        """Field-level Edit on every field the app writes (a missing field is reported on its own)."""
        locked = []
        for name in written:
            info = described.field(name)
            if info is None or info.calculated:
                continue
            if not info.createable or (update and name not in TASK_CREATE_ONLY and not info.updateable):
                locked.append(info.name)
        if locked:
            self.add(problem("field_not_editable", f"fls:{object_name}", object=object_name, fields=", ".join(locked)))
            for name in locked:
                if field_key(name) in self.checked:
                    self.checked[field_key(name)] = False

    def _server_ip(self, task: ObjectDescribe) -> None:
        """The recording server as the engine writes it must fit B_ServerIP__c (else STRING_TOO_LONG)."""
        url = self.system.recording_server_url.rstrip("/")
        info = task.field(SERVER_IP_FIELD)
        if not url or info is None or info.type != "string" or info.calculated or len(url) <= info.length:
            return
        target = field_key(SERVER_IP_FIELD)
        # This names the real cause: it replaces the generic "shorter than the seed's length" line.
        self.problems = [p for p in self.problems if not (p.code == "field_length" and p.target == target)]
        seed_length = next(f.length for f in ACTIVITY_FIELDS if f.api_name == SERVER_IP_FIELD)
        self.add(problem("server_ip_too_long", target, url=url, actual=len(url), length=info.length,
                         needed=max(len(url), seed_length)))
        self.checked[target] = False

    def _visibility(self, org: OrgMetadata) -> None:
        """A warning when the user may not see every record: sharing then hides numbers from matching."""
        try:
            granted = org.user_permissions(SEE_ALL_PERMISSIONS)
        except MetadataError as error:
            if error.code not in _ITEM_ERRORS:
                raise
            log.info("UserPermissionAccess unreadable (%s): visibility not checked", error.sf_code or error.code)
            return
        if not any(granted.values()):
            self.add(problem("view_all_data", "view_all_data"))

    @staticmethod
    def _field_problem(spec: ActivityField, task: ObjectDescribe,
                       template: str = DEFAULT_RECORDING_URL_TEMPLATE) -> VerifyProblem | None:
        names = {"field": spec.api_name, "label": spec.label, "name": spec.field_name, "type_ja": spec.type_ja,
                 "type_en": spec.type_en}
        target = field_key(spec.api_name)
        info = task.field(spec.api_name)
        if info is None:
            return problem("field_missing", target, **names)
        if spec.kind == "formula":
            if not info.calculated or info.type != "string":
                return problem("field_type", target, **names, **_type_names(info.type, info.length, info.calculated))
            formula = (info.calculated_formula or "").replace(" ", "")
            # describe may omit the formula for users without "View Setup": only a formula we can read is judged.
            # Another template than BIZTEL's writes the whole link into B_ServerIP__c (README: the formula for it).
            biztel = template.strip() in ("", DEFAULT_RECORDING_URL_TEMPLATE)
            if formula and not (("monitor_link" in formula and "B_UniqueId__c" in formula) if biztel
                                else ("B_ServerIP__c" in formula and "monitor_link" not in formula)):
                return problem("field_formula", target, **names)
            return None
        if info.calculated or info.type != spec.kind:
            return problem("field_type", target, **names, **_type_names(info.type, info.length, info.calculated))
        # Longer than the seed's length is harmless (nothing is cut); shorter makes writes fail STRING_TOO_LONG.
        if spec.length and info.length < spec.length:
            return problem("field_length", target, **names, actual=info.length, length=spec.length)
        return None

    def _fallback(self, org: OrgMetadata, objects: dict[str, GlobalObject], what_to: set[str]) -> None:
        raw = self.setting.fallback_record_id
        try:
            record_id = to18(raw.strip())
        except InvalidRecordId:
            self.add(problem("fallback_format", "fallback_record_id", value=raw))
            return
        prefix = record_id[:3]
        owner = next((o for o in objects.values() if o.key_prefix == prefix), None)
        if owner is None:
            self.add(problem("fallback_unknown_prefix", "fallback_record_id", record_id=record_id, prefix=prefix))
            return
        if owner.name not in TASK_OWNERS and owner.name not in what_to:
            self.add(problem("fallback_cannot_own_task", "fallback_record_id", record_id=record_id, object=owner.name))
            return
        if not org.record_exists(owner.name, record_id):
            self.add(problem("fallback_not_found", "fallback_record_id", record_id=record_id, object=owner.name))

    def _objects(self, org: OrgMetadata, objects: dict[str, GlobalObject], what_to: set[str]) -> None:
        by_lower = {name.lower(): entry for name, entry in objects.items()}
        for configured in sorted(self.setting.objects, key=lambda o: o.priority):
            name = configured.api_name
            target = f"object:{name}"
            entry = by_lower.get(name.lower())
            if name.lower() == "lead" and (entry is None or not entry.queryable):
                # Seed note: an account without access to Lead must have Lead removed from the objects.
                self.add(problem("lead_inaccessible", target))
                continue
            if entry is None:
                self.add(problem("object_unknown", target, object=name))
                continue
            if not entry.queryable:
                self.add(problem("object_not_queryable", target, object=entry.name))
            if not entry.searchable:
                self.add(problem("object_not_searchable", target, object=entry.name))
            mismatch = tab_code_problem(configured, entry)
            if mismatch is not None:
                self.add(mismatch)
            if entry.custom:
                if entry.name not in what_to:
                    self.add(problem("object_no_activities", target, object=entry.name))
                self._custom_phone_fields(org, entry)

    def _custom_phone_fields(self, org: OrgMetadata, entry: GlobalObject) -> None:
        try:
            described = org.describe(entry.name)
        except ObjectNotFound:
            self.add(problem("object_unknown", f"object:{entry.name}", object=entry.name))
            return
        if not any(f.type == "phone" for f in described.fields.values()):
            self.add(problem("object_no_phone", f"object:{entry.name}", object=entry.name))

    def _setup_unreadable(self, key: str, item: Bilingual, error: MetadataError) -> None:
        """A Salesforce error on a Tooling query (a user without View Setup) spoils that item only."""
        self.add(problem("setup_unreadable", key, item_ja=item.ja, item_en=item.en, error=error.sf_code or error.code))

    def _label(self, org: OrgMetadata) -> None:
        try:
            labels = org.custom_labels([CUSTOM_LABEL])
        except MetadataError as error:
            if error.code not in _ITEM_ERRORS:
                raise
            self._setup_unreadable(LABEL_KEY, Bilingual("カスタム表示ラベル「WavImg」", "Custom label WavImg"), error)
            return
        value = labels.get(CUSTOM_LABEL)
        if value is None:
            self.add(problem("label_missing", LABEL_KEY))
        elif "/resource/" not in value:
            self.add(problem("label_value", LABEL_KEY, value=value))
        self.checked[LABEL_KEY] = value is not None and "/resource/" in value

    def _static_resource(self, org: OrgMetadata) -> None:
        try:
            present = STATIC_RESOURCE in org.static_resources([STATIC_RESOURCE])
        except MetadataError as error:
            if error.code not in _ITEM_ERRORS:
                raise
            self._setup_unreadable(RESOURCE_KEY, Bilingual("静的リソース「speaker」", "Static resource speaker"), error)
            return
        self.checked[RESOURCE_KEY] = present
        if not present:
            self.add(problem("static_resource_missing", RESOURCE_KEY))

    def _api_usage(self, org: OrgMetadata) -> None:
        usage = org.api_usage()
        if usage is None or usage[1] <= 0:
            return
        used, maximum = usage
        percent = used * 100 / maximum
        if percent >= self.system.api_pause_percent:
            self.add(problem("api_usage", "api_usage", used=used, max=maximum, percent=f"{percent:.0f}",
                             limit=self.system.api_pause_percent))


def tab_code_problem(configured: LinkObjectConfig, entry: GlobalObject) -> VerifyProblem | None:
    """The one key-prefix check (設定確認, and 保存 in the objects tab): a tab code is the org's key prefix of the
    object (describeGlobal's ``keyPrefix``), else the problem naming the object, the code typed and the prefix."""
    if configured.tab_code == entry.key_prefix:
        return None
    return problem("tab_code_mismatch", f"object:{configured.api_name}", object=entry.name,
                   tab_code=configured.tab_code, key_prefix=entry.key_prefix)


def check_tab_codes(account: AccountConfig, secrets: SecretStore, objects: Sequence[LinkObjectConfig], *,
                    timeout: float = 30, connect: Connect | None = None) -> dict[int, VerifyProblem]:
    """Log in with ``account`` and compare each object's tab code with its key prefix (one describeGlobal call).

    Returns the mismatches by index in ``objects``; an object the org does not know (or hides) is not judged here
    (設定確認 reports it). Raises ``SalesforceLoginError`` / ``MetadataError`` (known errors) when it cannot check.
    """
    sf = (connect or connection.connect)(account, secrets, timeout=timeout)
    try:
        described = OrgMetadata(sf, timeout).describe_global()
    finally:
        sf.session.close()
    by_lower = {name.lower(): entry for name, entry in described.items()}
    found: dict[int, VerifyProblem] = {}
    for index, configured in enumerate(objects):
        entry = by_lower.get(configured.api_name.lower())
        mismatch = tab_code_problem(configured, entry) if entry is not None else None
        if mismatch is not None:
            found[index] = mismatch
    return found


def _type_names(kind: str, length: int, calculated: bool) -> dict[str, str]:
    ja, en = _TYPE_NAMES.get(kind, (kind, kind))
    if kind == "string" and not calculated:
        ja, en = f"{ja}(文字数:{length})", f"{en} ({length})"
    if calculated:
        ja, en = f"数式 ({ja})", f"Formula ({en})"
    return {"actual_ja": ja, "actual_en": en}
