"""Salesforce側の自動設定 end to end on a ``bare`` dev org over real HTTP: plan, apply, 設定確認, a linked call."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from conftest import COMPANY, FRESH_ORG_OPTIONS, LinkEnv, account_for, fallback_account, org_client, store_secrets

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import LinkSettingConfig, LinkTargetConfig
from biztel_desk.services.context import AppContext
from biztel_desk.services.setup_org import (
    WHOLE_LINK_FORMULA,
    Action,
    MissingPermissions,
    SetupFailed,
    SetupSession,
    speaker_image,
)
from biztel_desk.verify.checks import verify_setting
from biztel_desk.verify.requirements import ACTIVITY_FIELDS, WAV_FORMULA

WRITES = ("create", "update", "delete", "upsert", "collection", "composite")
SETTING = "本社"
# Every piece of the seed's §2 plus the permission set, its grants and its assignment.
ALL_KEYS = ["static_resource:speaker", "label:WavImg", *(f"field:{f.api_name}" for f in ACTIVITY_FIELDS
                                                        if f.kind != "formula"),
            "field:WavUrlImg__c", "permission_set", "field_permissions", "assignment"]


@pytest.fixture
def bare() -> Iterator[DevOrg]:
    with DevOrg(seed="bare") as org:
        yield org


def configure(context: AppContext, org: DevOrg, **system: str) -> None:
    context.config.save_account(account_for(org))
    store_secrets(context, org)
    fallback = fallback_account(org_client(org))
    context.config.save_basic(LinkSettingConfig(name=SETTING, account="devorg", fallback_record_id=fallback,
                                                api_consent=True, status="enabled",
                                                targets=(LinkTargetConfig(COMPANY),)))
    context.config.save_system({"recording_server_url": "https://s0000.u.biztel.jp:8000", **system})
    org.reset_counters()


def cli(context: AppContext, *argv: str, lang: str = "ja") -> tuple[int, str]:
    args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", lang, *argv])
    out = io.StringIO()
    code = run(args, stdin=io.StringIO(""), stdout=out, secrets=context.secrets)
    return code, out.getvalue()


def writes(org: DevOrg) -> int:
    """Data API writes (Tooling creates share the ``tooling`` counter with reads: checked through the org)."""
    counters = org.counters()
    return sum(counters[kind] for kind in WRITES)


def nothing_created(org: DevOrg) -> bool:
    sf = org_client(org)
    fields = sf.toolingexecute("query/?q=SELECT+QualifiedApiName+FROM+FieldDefinition+WHERE+"
                               "EntityDefinition.QualifiedApiName='Task'")["records"]
    return (writes(org) == 0 and not any(r["QualifiedApiName"].startswith("B_") for r in fields)
            and sf.toolingexecute("query/?q=SELECT+Name+FROM+StaticResource")["totalSize"] == 0
            and sf.toolingexecute("query/?q=SELECT+Name+FROM+ExternalString")["totalSize"] == 0)


def test_bare_org_end_to_end(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare)
    assert not verify_setting(context, SETTING).ok
    bare.reset_counters()

    # --dry-run lists every piece, writes nothing.
    code, out = cli(context, "setup-org", "--setting", SETTING, "--dry-run")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"Salesforce側の自動設定「{SETTING}」: 組織 BIZTEL Desk Dev Org")
    created = [line for line in lines if line.startswith("[作成]")]
    assert len(created) == len(ALL_KEYS) == 16
    for spec in ACTIVITY_FIELDS:
        assert any(spec.api_name in line for line in created), spec.api_name
    assert "[作成] 静的リソース speaker: ありません。" in out and "外部ID" in out
    assert nothing_created(bare)

    # --yes creates them, each verified, then 設定確認 passes.
    code, out = cli(context, "setup-org", "--setting", SETTING, "--yes")
    assert code == 0, out
    assert "(16/16) 作成しました: 権限セットの割り当て" in out
    assert out.rstrip().endswith("正しく設定されています")
    assert verify_setting(context, SETTING).ok
    sf = org_client(bare)
    fields = {f["name"]: f for f in sf.Task.describe()["fields"]}
    assert fields["B_UniqueId__c"]["externalId"] and fields["B_ServerIP__c"]["length"] == 50
    assert fields["WavUrlImg__c"]["calculatedFormula"] == WAV_FORMULA
    resource = sf.toolingexecute("query/?q=SELECT+Name,BodyLength,SystemModstamp+FROM+StaticResource")["records"][0]
    assert resource["BodyLength"] == len(speaker_image())
    stamp = dt.datetime.strptime(resource["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z")
    label = sf.toolingexecute("query/?q=SELECT+Value+FROM+ExternalString+WHERE+Name='WavImg'")["records"][0]
    assert label["Value"] == f"/resource/{int(stamp.timestamp() * 1000)}/speaker"

    # A call links with every field filled.
    env = LinkEnv(context, bare, sf, SETTING, fallback_account(sf), options=FRESH_ORG_OPTIONS)
    try:
        contact = sf.Contact.create({"LastName": "山田", "Phone": "0311112222"})["id"]
        start = dt.datetime(2024, 5, 1, 1, 0, tzinfo=dt.UTC)
        unique_id = env.add_call("03-1111-2222", started_at=start, ended_at=start + dt.timedelta(seconds=60),
                                 duration_s=60, request_id="req-1", to_agent_id="agent-1", to_extension="201",
                                 from_agent_id="agent-2", from_extension="202")
        env.run()
        (task,) = env.tasks(unique_id)
        assert task["WhoId"] == contact
        b_fields = [f.api_name for f in ACTIVITY_FIELDS if f.kind != "formula"]
        assert all(task[name] for name in b_fields), {name: task[name] for name in b_fields}
        wav = sf.Task.get(task["Id"])["WavUrlImg__c"]
        assert f"/monitor_link/{unique_id}" in wav and label["Value"] in wav
    finally:
        env.close()

    # A second run changes nothing.
    bare.reset_counters()
    code, out = cli(context, "setup-org", "--setting", SETTING, "--yes")
    assert code == 0, out
    assert "[作成]" not in out and "作成するものはありません。" in out
    assert "[変更なし] 項目の権限: 連携ユーザはすべての項目を参照・編集できます。" in out
    assert writes(bare) == 0


def test_whole_link_formula_with_another_template(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare, recording_url_template="{server}/play?id={request_id}")
    session = SetupSession(context.config, context.secrets, SETTING)
    try:
        plan = session.plan()
        assert plan.formula == WHOLE_LINK_FORMULA
        session.apply(plan)
    finally:
        session.close()
    wav = next(f for f in org_client(bare).Task.describe()["fields"] if f["name"] == "WavUrlImg__c")
    assert wav["calculatedFormula"] == WHOLE_LINK_FORMULA
    assert verify_setting(context, SETTING).ok


def test_wrong_type_field_is_reported_and_untouched(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare)
    # The admin made 着信電話番号 as Text(20) and サーバ IP too short.
    bare.set_field("Task", {"name": "B_PhoneTo__c", "type": "string", "length": 20, "label": "着信電話番号"},
                   "B_PhoneTo__c")
    bare.set_field("Task", {"name": "B_ServerIP__c", "type": "string", "length": 30, "label": "サーバ IP"},
                   "B_ServerIP__c")
    code, out = cli(context, "setup-org", "--setting", SETTING, "--yes")
    assert code == 1, out
    assert ("[手動対応が必要] 項目 着信電話番号(B_PhoneTo__c): データ型が「Text(20)」です(必要: 電話)。自動では変更しません。"
            "設定 → オブジェクトマネージャ → 活動 → 項目とリレーション → B_PhoneTo__c の「データ型を変更」で「電話」に"
            "してください(既存の値が失われることがあります)。") in out
    assert "[手動対応が必要] 項目 サーバ IP(B_ServerIP__c): 文字数が30です(必要: 50以上)。" in out
    fields = {f["name"]: f for f in org_client(bare).Task.describe()["fields"]}
    assert (fields["B_PhoneTo__c"]["type"], fields["B_PhoneTo__c"]["length"]) == ("string", 20)
    assert fields["B_ServerIP__c"]["length"] == 30
    assert fields["B_UniqueId__c"]["createable"]  # the rest was created and granted
    # English lines say the same.
    code, out = cli(context, "setup-org", "--setting", SETTING, "--dry-run", lang="en")
    assert code == 1
    assert "[Manual fix needed] Field Phone (to) (B_PhoneTo__c): Its data type is “Text(20)” (needed: Phone)" in out


def test_user_without_permission_is_refused_before_any_write(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare)
    bare.set_user_permission("PermissionsModifyMetadata", False)
    bare.set_user_permission("PermissionsManageUsers", False)
    args = ["setup-org", "--setting", SETTING, "--yes"]
    parser_args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", "ja", *args])
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(parser_args, stdin=io.StringIO(""), stdout=io.StringIO(), secrets=context.secrets)
    assert code == 2
    assert ("には自動設定に必要な権限がありません: メタデータ API 関数を使用したメタデータの変更、ユーザの管理。"
            "システム管理者でログインするか") in err.getvalue()
    assert nothing_created(bare)
    session = SetupSession(context.config, context.secrets, SETTING)
    try:
        plan = session.plan()
        with pytest.raises(MissingPermissions):
            session.apply(plan)
    finally:
        session.close()
    assert nothing_created(bare)


def test_a_refused_step_stops_with_the_message_and_what_was_done(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare)
    session = SetupSession(context.config, context.secrets, SETTING)
    try:
        plan = session.plan()
        # The admin creates B_PhoneTo__c between the plan and the apply: Salesforce refuses the duplicate.
        bare.set_field("Task", {"name": "B_PhoneTo__c", "type": "phone", "label": "着信電話番号"}, "B_PhoneTo__c")
        done: list[str] = []
        with pytest.raises(SetupFailed) as info:
            session.apply(plan, lambda i, n, line: done.append(line.key))
    finally:
        session.close()
    text = info.value.text("ja")
    assert text.startswith("「項目 着信電話番号(B_PhoneTo__c)」で自動設定を中止しました: Salesforceの応答: "
                           "DUPLICATE_DEVELOPER_NAME: duplicate value found: B_PhoneTo__c。")
    assert "ここまでに完了: 静的リソース speaker、カスタム表示ラベル WavImg、項目 サーバ IP(B_ServerIP__c)" in text
    assert done[:2] == ["static_resource:speaker", "label:WavImg"] and "field:B_PhoneTo__c" not in done
    # Nothing undone, nothing after: the next plan creates only what is left.
    session = SetupSession(context.config, context.secrets, SETTING)
    try:
        again = session.plan()
    finally:
        session.close()
    assert {line.key for line in again.lines if line.action == Action.UNCHANGED} >= {
        "static_resource:speaker", "label:WavImg", "field:B_ServerIP__c", "field:B_PhoneTo__c"}


def test_existing_setup_plans_nothing(context: AppContext) -> None:
    with DevOrg(seed="empty") as org:
        configure(context, org)
        session = SetupSession(context.config, context.secrets, SETTING)
        try:
            plan = session.plan()
        finally:
            session.close()
        assert plan.changes_nothing and not plan.manual and not plan.missing_permissions
        assert [line.key for line in plan.lines] == [*ALL_KEYS[:-3], "field_permissions"]
        assert plan.api_calls == 8


def test_unknown_setting_exits_2(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare)
    assert cli(context, "setup-org", "--setting", "ありません")[0] == 2



def test_a_lost_answer_stops_and_the_rerun_finishes(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare)
    # The label's create is answered by a closed connection after it was written: the run stops there, saying so.
    bare.inject_fault("drop_after_commit", count=1, match="ExternalString")
    code, _out = cli(context, "setup-org", "--setting", SETTING, "--yes")
    assert code == 2
    session = SetupSession(context.config, context.secrets, SETTING)
    try:
        plan = session.plan()
        assert [line.key for line in plan.lines[:2] if line.action == Action.UNCHANGED] == [
            "static_resource:speaker", "label:WavImg"]  # the label was written: not created twice
        session.apply(plan)
    finally:
        session.close()
    assert verify_setting(context, SETTING).ok


def test_no_answer_is_named(context: AppContext, bare: DevOrg) -> None:
    configure(context, bare)
    bare.inject_fault("drop_before_write", count=1, match="CustomField")
    session = SetupSession(context.config, context.secrets, SETTING)
    try:
        with pytest.raises(SetupFailed) as info:
            session.apply(session.plan())
    finally:
        session.close()
    assert "Salesforceから応答がありません(ConnectionError)。ネットワークを確認してください。" in info.value.text("ja")
    assert "Salesforce did not answer (ConnectionError); check the network." in info.value.text("en")
