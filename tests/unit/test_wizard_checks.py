"""What the wizard and the 設定確認 / checklist / 自動設定 dialogs ask the lower layers (no Qt): a number to add, the
marked lines of a report, a checklist item's state, the plan's texts, a job's failure text, the describe notes."""

from __future__ import annotations

from dataclasses import replace

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, validate_new_target
from biztel_desk.domain.errors import KnownError, error_text
from biztel_desk.domain.messages import message
from biztel_desk.services.context import AppContext
from biztel_desk.services.first_run import setup_summary
from biztel_desk.services.setup_org import Action, PlanLine, SetupPlan
from biztel_desk.services.verification import checklist_state, marked_lines
from biztel_desk.verify.report import VerificationReport, problem


def test_a_new_number_is_normalised_and_a_second_spelling_of_it_is_a_duplicate() -> None:
    e164, found = validate_new_target("03-1234-5678", "JP", set())
    assert (e164, found) == ("+81312345678", None)
    e164, found = validate_new_target("0312345678", "JP", {"+81312345678"})
    assert e164 is None and found is not None and found.code == "phone_duplicate"
    assert found.text("ja") == message("phone_duplicate", "ja", field_name="number", value="0312345678")
    e164, found = validate_new_target("12", "JP", set())
    assert e164 is None and found is not None and found.code == "phone_invalid"


def test_marked_lines_of_an_ok_report_a_warning_and_problems() -> None:
    assert marked_lines(VerificationReport("本社"), "ja") == [("ok", "正しく設定されています")]
    warning = problem("view_all_data", "user")
    assert warning.warning
    assert marked_lines(VerificationReport("本社", [warning]), "en") == [
        ("ok", VerificationReport("本社").lines("en")[0]), ("warning", warning.text("en"))]
    label = problem("label_missing", "label:WavImg")
    assert marked_lines(VerificationReport("本社", [label, warning]), "ja") == [
        ("error", label.text("ja")), ("warning", warning.text("ja"))]


def test_checklist_state_is_unverified_ok_or_wrong_with_its_reasons() -> None:
    assert checklist_state(None, "label:WavImg") == (None, [])
    label = problem("label_missing", "label:WavImg")
    report = VerificationReport("本社", [label], checked={"label:WavImg": False, "resource:speaker": True})
    assert checklist_state(report, "label:WavImg", "en") == (False, [label.text("en")])
    assert checklist_state(report, "resource:speaker") == (True, [])
    assert checklist_state(report, "field:B_UniqueId__c") == (None, [])  # not checked in that run


def _plan(*actions: Action, missing: list[tuple[str, str]] | None = None) -> SetupPlan:
    lines = [PlanLine(f"field:F{index}__c", ("項目", "Field"), action, ("理由", "Reason"))
             for index, action in enumerate(actions)]
    return SetupPlan("本社", "Acme", "00D000000000001", "管理者", "admin@example.com", "", lines, missing or [],
                     state=None)  # type: ignore[arg-type]  # the texts never read the org's state


def test_plan_status_and_confirmation_texts() -> None:
    plan = _plan(Action.CREATE, Action.CREATE, Action.UNCHANGED)
    assert plan.status_text("ja") == "組織「Acme」・ユーザ admin@example.com\n2件を作成します。「適用…」で実行します。"
    assert plan.status_text("en").endswith("2 piece(s) to create. Click “Apply…” to create them.")
    assert plan.confirm_text("ja") == ("組織「Acme」(00D000000000001)に、ユーザ admin@example.com として2件を作成します。"
                                       "削除や既存項目の変更はしません。実行しますか?")
    assert _plan(Action.UNCHANGED).status_text("ja").endswith("\n作成するものはありません。")
    lacking = _plan(Action.CREATE, missing=[("メタデータの変更", "Modify Metadata")])
    assert lacking.status_text("en") == "Org “Acme” · user admin@example.com\n" + lacking.permission_text("en")


class _Refused(KnownError):
    def text(self, lang: str = "ja") -> str:
        return "拒否されました。" if lang == "ja" else "Refused."


def test_error_text_of_a_known_error_and_of_a_bug() -> None:
    assert error_text(_Refused(), "en") == "Refused."
    assert error_text(ValueError("boom"), "ja") == "boom"


def test_describe_notes_for_an_object_the_user_cannot_query() -> None:
    assert message("object_not_queryable", "ja", name="Case") == "このユーザは「Case」にアクセスできないため、対象から外しました。"
    assert message("lead_not_queryable", "en", name="Lead").startswith("This user cannot access Leads")


def test_check_account_names_what_save_would_refuse_without_saving(context: AppContext) -> None:
    config = context.config
    config.save_account(AccountConfig(name="本番", username="admin@example.com"))
    cleaned, problems = config.check_account(AccountConfig(name="本番", username="other@example.com"))
    assert [p.code for p in problems] == ["duplicate_name"] and cleaned.name == "本番"
    assert config.check_account(AccountConfig(name="本番", username="admin@example.com"), "本番")[1] == []  # itself
    assert [p.code for p in config.check_account(AccountConfig(name="", username="a@example.com"))[1]] == ["required"]
    assert [a.username for a in config.list_accounts()] == ["admin@example.com"]  # nothing was saved


def test_check_new_basic_names_a_taken_name_and_an_unknown_account(context: AppContext) -> None:
    config = context.config
    config.save_account(AccountConfig(name="本番", username="admin@example.com"))
    setting = LinkSettingConfig(name="本社", account="本番", fallback_record_id="0012v000032fR15AAE", api_consent=True,
                                targets=(LinkTargetConfig("03-1234-5678"),))
    assert config.check_new_basic(setting) == []
    config.save_basic(setting)
    assert [p.code for p in config.check_new_basic(setting)] == ["duplicate_name"]
    assert "unknown_account" in [p.code for p in config.check_new_basic(replace(setting, name="大阪", account="x"))]
    assert [s.name for s in config.list_settings()] == ["本社"]


def test_setup_summary_says_what_was_saved_and_how_the_verification_went() -> None:
    setting = LinkSettingConfig(name="本社", account="本番", targets=(LinkTargetConfig("03-1234-5678"),
                                                                      LinkTargetConfig("06-1234-5678")))
    lines = setup_summary("本番", "本社", setting, None, "ja")
    assert lines[0] == "Salesforceアカウント「本番」と連携設定「本社」を保存しました。"
    objects = "、".join(o.api_name for o in sorted(setting.objects, key=lambda o: o.priority))
    assert lines[1] == f"オブジェクト: {objects} / 連携対象: 03-1234-5678、06-1234-5678"
    assert lines[2] == "設定確認: 未完了"
    assert setup_summary("本番", "本社", None, VerificationReport("本社"), "en") == [
        "Saved the Salesforce account '本番' and the link setting '本社'.", "Verification: no problems"]
    problems = VerificationReport("本社", [problem("label_missing", "label:WavImg")])
    assert setup_summary("本番", "本社", None, problems, "ja")[-1].startswith("設定確認: 1件の問題があります")


def test_described_rows_leave_out_what_the_user_cannot_search_and_say_why() -> None:
    from biztel_desk.domain.config import DEFAULT_OBJECTS, LinkObjectConfig
    from biztel_desk.salesforce.metadata import GlobalObject
    from biztel_desk.services.first_run import described_rows

    def entry(name: str, label: str, prefix: str, queryable: bool = True) -> GlobalObject:
        return GlobalObject(name=name, label=label, key_prefix=prefix, custom=False, queryable=queryable,
                            searchable=True, createable=True)

    objects = [LinkObjectConfig("account", "", "", 1), LinkObjectConfig("Lead", "", "", 2),
               LinkObjectConfig("Case", "", "", 3)]
    described = {"Account": entry("Account", "取引先", "001"), "Lead": entry("Lead", "リード", "00Q", queryable=False)}
    entries, notes = described_rows(objects, described, "ja")
    assert entries == [described["Account"], None, None]  # names match without case; Case is not in the org
    assert notes == [message("lead_not_queryable", "ja", name="Lead"), message("object_not_queryable", "ja", name="Case")]
    everything = {o.api_name: entry(o.api_name, o.api_name, "0XX") for o in DEFAULT_OBJECTS}
    assert described_rows(DEFAULT_OBJECTS, everything, "en")[1] == []


def test_object_problem_lines_name_the_row_a_problem_points_at() -> None:
    from biztel_desk.domain.config import LinkObjectConfig, validate_objects
    from biztel_desk.domain.messages import Problem
    from biztel_desk.services.first_run import object_problem_lines

    objects = [LinkObjectConfig("Account", "取引先", "001", 1), LinkObjectConfig("Contact", "取引先責任者", "003", 1)]
    _cleaned, problems = validate_objects(objects)
    assert [p.path for p in problems] == ["objects[1].priority"]  # the second 1
    whole = Problem("required", "name")
    far = Problem("required", "objects[5].priority")
    assert object_problem_lines([*problems, whole, far], objects, "ja") == [
        f"Contact: {problems[0].text('ja')}", whole.text("ja"), far.text("ja")]
