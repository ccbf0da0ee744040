"""services.ingest_sources' helpers of the 通話の取り込み元 dialog: its checks before saving, the curl example."""

from __future__ import annotations

from pathlib import Path

from biztel_desk.services import ingest_sources
from biztel_desk.services.ingest_sources import CdrDbConfig, FolderConfig, HttpIngestConfig, SettingProblem


def test_the_endpoints_zone_problem_points_at_its_own_row(tmp_path: Path) -> None:
    folder = FolderConfig(enabled=True, path=str(tmp_path), time_zone="Asia/Tokio")
    problems = ingest_sources.form_problems(folder, HttpIngestConfig(time_zone="Mars/Olympus"))
    assert [(p.field, "Tokio" in p.ja, "Mars" in p.ja) for p in problems] == [
        ("time_zone", True, False), ("http_time_zone", False, True)]
    port = ingest_sources.parse_port("70000")
    assert isinstance(port, SettingProblem)
    assert [p.field for p in ingest_sources.form_problems(FolderConfig(enabled=True, path=""), port)] == [
        "folder", "port"]
    assert ingest_sources.form_problems(FolderConfig(), HttpIngestConfig()) == []


def test_the_curl_example_follows_the_typed_address() -> None:
    url, curl = ingest_sources.curl_example("192.0.2.1", " 8080 ")
    assert url == "http://192.0.2.1:8080/v1/calls"
    assert curl.startswith(f"curl -sS {url} \\\n") and '"unique_id": "1711929600.1"' in curl
    url, curl = ingest_sources.curl_example("::1", "abc")
    assert url == "" and curl.startswith("curl -sS http://::1:PORT/v1/calls")


def test_the_forms_fields_become_configurations() -> None:
    folder = ingest_sources.folder_from_form(FolderConfig(interval_s=5), enabled=True, path=" /in ", preset="freepbx",
                                             mapping_file="m.json", encoding="cp932", time_zone=" ")
    assert folder == FolderConfig(enabled=True, path="/in", preset="freepbx", encoding="cp932", interval_s=5)
    generic = ingest_sources.folder_from_form(FolderConfig(), preset="generic", mapping_file="m.json")
    assert generic.mapping_file == "m.json"  # the mapping file counts with the 汎用 preset only
    http = ingest_sources.http_from_form(HttpIngestConfig(), enabled=True, host=" ", port="8081", time_zone=" UTC")
    assert http == HttpIngestConfig(enabled=True, host=ingest_sources.DEFAULT_HOST, port=8081, time_zone="UTC")
    assert ingest_sources.http_from_form(HttpIngestConfig(), host=" ::1 ", port="1").host == "::1"
    assert isinstance(ingest_sources.http_from_form(HttpIngestConfig(), host="::1", port="x"), SettingProblem)
    cdr = ingest_sources.cdr_from_form(CdrDbConfig(), table=" ", start="days", days=30, url=" mysql://u@h/db ")
    assert (cdr.table, cdr.start, cdr.url) == ("cdr", "days:30", "mysql://u@h/db")
    assert ingest_sources.cdr_from_form(CdrDbConfig(), table="t", start="now", days=30).start == "now"


def test_a_saved_start_shows_as_the_first_runs_choice() -> None:
    values = ingest_sources.cdr_form_values(CdrDbConfig(url="mysql://u@h/db", start="days:30"))
    assert (values["url"], values["start"], values["days"]) == ("mysql://u@h/db", "days", 30)
    assert ingest_sources.cdr_from_form(CdrDbConfig(), **values).start == "days:30"  # read back as it was shown
    now = ingest_sources.cdr_form_values(CdrDbConfig(start="now"))
    assert now["start"] == "now" and "days" not in now  # the days field keeps what it shows
    assert ingest_sources.cdr_form_values(CdrDbConfig())["start"] == ""
