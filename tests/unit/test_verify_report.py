"""Verification report texts (「●●が不正です: …。…。」 / English) and their JSON round trip for the checklist."""

from __future__ import annotations

from biztel_desk.verify.report import Bilingual, VerificationReport, problem


def test_problem_text_in_both_languages() -> None:
    found = problem("tab_code_mismatch", "object:Contact", object="Contact", tab_code="001", key_prefix="003")
    assert found.text("ja") == ("オブジェクト「Contact」が不正です: タブコード 001 がキープレフィックス 003 と一致しません。"
                                "オブジェクトタブでタブコードを 003 に修正してください。")
    assert found.text("en") == ("Object 'Contact' is not valid: the tab code 001 does not match the key prefix 003. "
                                "Fix: Change the tab code to 003 on the objects tab.")


def test_no_target_uses_the_seed_wording() -> None:
    assert problem("no_target").text("ja").startswith("電話番号設定が不足しています。")


def test_a_detail_that_is_already_a_sentence_gets_no_second_full_stop() -> None:
    found = problem("login", "account", account="a", login=Bilingual("ログインできません。", "Login refused."))
    assert found.text("ja") == "Salesforceアカウント「a」が不正です: ログインできません。"
    assert found.text("en") == "Salesforce account 'a' is not valid: Login refused."


def test_report_lines_and_json_round_trip() -> None:
    assert VerificationReport("本社").lines("ja") == ["正しく設定されています"]
    report = VerificationReport("本社", [problem("label_missing", "label:WavImg")], 6, {"label:WavImg": False}, "2026-01-01T00:00:00+00:00")
    again = VerificationReport.from_json(report.to_json())
    assert again == report
    assert not again.ok and again.usable
    assert not VerificationReport("x", [problem("account_missing", account="a")]).usable


def test_verification_knows_every_field_the_engine_writes() -> None:
    """Field-level Edit is checked on exactly what domain.payload writes (a new field must be checked too)."""
    import datetime as dt

    from biztel_desk.domain.matching import Target
    from biztel_desk.domain.payload import CallFacts, WriteOptions, case_fields, lead_fields, task_fields
    from biztel_desk.verify.requirements import CASE_WRITTEN, LEAD_WRITTEN, TASK_WRITTEN

    call = CallFacts("u1", "r1", "inbound", "09011112222", "0312345678", "09011112222", "0312345678", "a1", "a2",
                     "201", "202", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 0, 5, tzinfo=dt.UTC),
                     300, "https://rec.example.jp")
    written = set(task_fields(call, Target("Contact", "003000000000001AAA"), WriteOptions()))
    written |= set(task_fields(call, Target("Account", "001000000000001AAA"), WriteOptions()))
    assert written <= set(TASK_WRITTEN)
    case = set(case_fields(call, Target("Contact", "003000000000001AAA", "001000000000001AAA"), WriteOptions()))
    case |= set(case_fields(call, Target("Account", "001000000000001AAA"), WriteOptions()))
    assert case <= set(CASE_WRITTEN)
    assert set(lead_fields(call)) <= set(LEAD_WRITTEN)
