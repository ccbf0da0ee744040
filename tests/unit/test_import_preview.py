"""services.import_preview: the import dialog's mapping rules and preview texts, without widgets."""

from __future__ import annotations

from pathlib import Path

from biztel_desk.ingest.files import FileReport
from biztel_desk.services import import_preview
from biztel_desk.services.imports import (
    BIZTEL_MAPPING,
    ImportFailure,
    ImportReport,
    Mapping,
    Preview,
    RejectedRow,
    field_choices,
    preview,
)
from biztel_desk.services.relink import UnknownNumber

DATA = Path(__file__).resolve().parent.parent / "data"


def _preview(**changes: object) -> Preview:
    values: dict[str, object] = {"columns": ["1", "2"], "rows": [["ID", "日時"], ["A1", "2024-04-01"]],
                                 "detected_preset": None, "detected_encoding": "utf-8-sig", "delimiter": "\t",
                                 "has_header": False}
    values.update(changes)
    return Preview(**values)  # type: ignore[arg-type]


def test_a_generic_file_always_starts_with_its_header() -> None:
    assert import_preview.generic_split(_preview()) == (["ID", "日時"], [["A1", "2024-04-01"]])
    read = _preview(columns=["\ufeffID ", "日時"], rows=[["A1", "x"]], has_header=True)
    assert import_preview.generic_split(read) == (["ID", "日時"], [["A1", "x"]])


def test_prefill_matches_headers_like_the_import_and_a_loaded_mapping_decides_alone() -> None:
    biztel_header = next(h for h, f in BIZTEL_MAPPING.columns.items() if f == "unique_id")
    headers = [biztel_header, "ＳＴＡＲＴＥＤ_ＡＴ", "to_number"]  # full-width, other case: the same column
    chosen = import_preview.prefill(headers, None)
    assert chosen["unique_id"] == biztel_header and chosen["started_at"] == "ＳＴＡＲＴＥＤ_ＡＴ"
    assert chosen["to_number"] == "to_number" and chosen["from_number"] == ""
    loaded = Mapping(columns={"to_number": "unique_id"})
    assert {f: h for f, h in import_preview.prefill(headers, loaded).items() if h} == {"unique_id": "to_number"}
    assert import_preview.absent_columns(Mapping(columns={"TO_NUMBER": "x", "gone": "y"}), headers) == ["gone"]


def test_mapping_problems_name_the_fields_in_the_users_language() -> None:
    assert import_preview.mapping_problem({"unique_id": "A", "started_at": "B", "to_number": "C"}, "ja") == ""
    twice = import_preview.mapping_problem({"unique_id": "A", "started_at": "A", "to_number": "C"}, "en")
    assert twice.startswith('Column "A" is chosen for several fields (')
    missing = import_preview.mapping_problem({"unique_id": "A"}, "ja")
    assert missing.startswith("必須の項目に列を選んでください: ") and "または" in missing and missing.count("、") == 1


def test_the_mapping_keeps_what_a_loaded_file_said() -> None:
    base = Mapping(columns={}, time_zone="UTC", name="PBX", source="pbx", direction_values={"IN": "inbound"})
    built = import_preview.build_mapping({"unique_id": "ID", "to_number": ""}, " %Y/%m/%d ", base)
    assert built == Mapping(columns={"ID": "unique_id"}, date_format="%Y/%m/%d", time_zone="UTC", name="PBX",
                            source="pbx", direction_values={"IN": "inbound"})
    label = dict(field_choices("en"))["unique_id"]
    assert import_preview.mapped_columns({"unique_id": "ID", "to_number": "gone"}, ["x", "ID"], "en") == {1: label}


def test_detected_and_failure_texts() -> None:
    text = import_preview.detected_text(_preview(), None, True, "PBX", 2, "en")
    assert text == ("Detected format: Generic (column mapping): PBX  ·  Encoding: UTF-8 (with BOM)  ·  Delimiter: tab"
                    "  ·  Header row: yes  ·  showing the first of 2 files")
    chosen = import_preview.detected_text(_preview(detected_preset="3cx", delimiter=","), "3cx", False, "", 1, "ja")
    assert chosen == "形式: 3CX (CDR)  ·  文字コード: UTF-8(BOM付き)  ·  区切り文字: カンマ  ·  見出し行: なし"
    failure = ImportFailure("encoding_mismatch", path="/x/calls.csv", line=7)
    assert import_preview.failure_text(failure, "ja").startswith("calls.csv は選んだ文字コードでは読めません(7行目付近)")
    assert "Choose a preset" in import_preview.unreadable_text("/x/a.csv", None, "", "en")


def test_the_preview_hint_shows_the_first_refused_rows() -> None:
    result = preview(str(DATA / "asterisk_master_cp932.csv"), None, None, "auto", 20)
    text, problem = import_preview.preview_hint(result, "en")
    assert problem and text.splitlines()[0] == f"{len(result.rejected)} rows of the preview cannot be imported:"
    assert text.splitlines()[1].startswith(f"Line {result.rejected[0].line}: ")
    assert import_preview.preview_hint(_preview(), "ja") == ("", False)


def test_what_the_dialog_shows_of_a_preview() -> None:
    read = _preview(detected_preset="3cx", columns=["a", "b"], rows=[["1"], ["2", "3"]], has_header=True)
    shown = import_preview.preview_shown(read, "/x/a.csv", None, "自動判定", False, False, "", 1, "en", "ja")
    assert (shown.columns, shown.rows, shown.generic, shown.ok, shown.error) == (["a", "b"], [["1"], ["2", "3"]],
                                                                                 False, True, "")
    assert shown.detected.startswith("判定した形式: 3CX (CDR)")  # the dialog's wording: the window's language

    unread = import_preview.preview_shown(_preview(), "/x/a.csv", "freepbx", "FreePBX", False, True, "", 1, "en", "ja")
    assert not unread.ok and "a.csv は「FreePBX」の形式として読めません" in unread.error

    # 汎用: the first row is the header; the rows say nothing before the mapping is complete, nothing is "unread".
    assert import_preview.is_generic("generic", _preview()) and not import_preview.is_generic(None, _preview())
    generic = import_preview.preview_shown(_preview(), "/x/a.csv", "generic", "汎用", True, False, "PBX", 1, "en", "en")
    assert (generic.columns, generic.rows, generic.error, generic.hint) == (["ID", "日時"], [["A1", "2024-04-01"]], "", "")
    refused = preview(str(DATA / "asterisk_master_cp932.csv"), None, None, "auto", 20)
    mapped = import_preview.preview_shown(refused, "/x/m.csv", None, "", True, True, "", 1, "en", "ja")
    assert mapped.problem and mapped.hint.startswith(f"{len(refused.rejected)} rows of the preview cannot be imported")


def test_import_is_possible_with_files_a_readable_preview_or_a_complete_mapping() -> None:
    assert import_preview.can_import(["a.csv"], False, False, False, True)
    assert not import_preview.can_import([], False, False, False, True)
    assert not import_preview.can_import(["a.csv"], True, False, False, True)  # one import at a time
    assert not import_preview.can_import(["a.csv"], False, False, True, False)  # no preset read the file
    assert import_preview.can_import(["a.csv"], False, True, True, False)  # 汎用: the mapping decides
    assert not import_preview.can_import(["a.csv"], False, True, False, True)


def test_the_result_page_counts_summarises_and_names_unregistered_numbers_and_failures() -> None:
    refused = RejectedRow(line=6, reason_code="csv_error", params={"reason": "bad quote"}, file="/in/b.csv")
    report = ImportReport(files=[
        FileReport(path="/in/a.csv", preset="biztel", encoding="utf-8", rows=3, imported=2, known=1),
        FileReport(path="/in/b.csv", rows=1, rejected=[refused], error=ImportFailure("unknown_format", path="/in/b.csv")),
    ])
    result = import_preview.import_result(report, {"本社": [UnknownNumber("0312345678", 4)]}, "ja")
    assert (result.imported, result.known, result.rejected) == (2, 1, 1)
    summary = result.summary.splitlines()
    assert summary[0].startswith("a.csv: 取り込み 2件、登録済み 1件") and len(summary) == 2
    assert summary[1].startswith("未登録の会社番号 本社: 4件は連携されません(0312345678: 4件)")
    assert "b.csv" in result.failures and "6" in result.failures and "a.csv" not in result.failures
    assert import_preview.import_result(ImportReport(), {}, "en") == import_preview.ImportResult(0, 0, 0, "", "")


def test_refused_rows_copy_as_tab_separated_text_with_the_file_name_only() -> None:
    rows = [RejectedRow(line=7, reason_code="csv_error", params={"reason": "x"}, file="/in/dir/a.csv")]
    assert import_preview.rejected_cells(rows[0], "en") == ("a.csv", "7", rows[0].text("en"))
    text = import_preview.rejected_text(("File", "Line", "Reason"), rows, "en")
    assert text == f"File\tLine\tReason\na.csv\t7\t{rows[0].text('en')}\n"
